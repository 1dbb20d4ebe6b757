"""AppRole: the least-privilege application role, its props and their rules."""

from petplatform_constructs.identity.app_role.construct import (
    BUCKET_ACTIONS,
    COGNITO_READ_ACTIONS,
    LOG_WRITE_ACTIONS,
    POLICY_CONSTRUCT_ID,
    ROLE_CONSTRUCT_ID,
    SES_SEND_ACTIONS,
    TABLE_ACTIONS,
    AppRole,
)
from petplatform_constructs.identity.app_role.props import (
    APP_LOG_GROUP_PREFIX,
    DEFAULT_DATA_ACCESS,
    DEFAULT_PRINCIPALS,
    LAMBDA_LOG_GROUP_PREFIX,
    AppRoleProps,
    DataAccess,
)

__all__ = [
    "APP_LOG_GROUP_PREFIX",
    "BUCKET_ACTIONS",
    "COGNITO_READ_ACTIONS",
    "DEFAULT_DATA_ACCESS",
    "DEFAULT_PRINCIPALS",
    "LAMBDA_LOG_GROUP_PREFIX",
    "LOG_WRITE_ACTIONS",
    "POLICY_CONSTRUCT_ID",
    "ROLE_CONSTRUCT_ID",
    "SES_SEND_ACTIONS",
    "TABLE_ACTIONS",
    "AppRole",
    "AppRoleProps",
    "DataAccess",
]
