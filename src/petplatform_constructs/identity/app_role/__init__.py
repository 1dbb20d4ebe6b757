"""AppRole: the least-privilege application role, its props and their rules."""

from petplatform_constructs.identity.app_role.construct import (
    COGNITO_READ_ACTIONS,
    LOG_WRITE_ACTIONS,
    ROLE_CONSTRUCT_ID,
    SES_SEND_ACTIONS,
    AppRole,
)
from petplatform_constructs.identity.app_role.props import (
    APP_LOG_GROUP_PREFIX,
    DEFAULT_PRINCIPALS,
    LAMBDA_LOG_GROUP_PREFIX,
    AppRoleProps,
)

__all__ = [
    "APP_LOG_GROUP_PREFIX",
    "COGNITO_READ_ACTIONS",
    "DEFAULT_PRINCIPALS",
    "LAMBDA_LOG_GROUP_PREFIX",
    "LOG_WRITE_ACTIONS",
    "ROLE_CONSTRUCT_ID",
    "SES_SEND_ACTIONS",
    "AppRole",
    "AppRoleProps",
]
