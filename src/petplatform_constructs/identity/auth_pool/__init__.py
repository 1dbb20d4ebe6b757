"""AuthPool: a Cognito user pool (created or existing), its clients, groups and domain."""

from petplatform_constructs.identity.auth_pool.construct import (
    READ_ACTIONS,
    USER_MANAGEMENT_ACTIONS,
    USER_POOL_CONSTRUCT_ID,
    AuthPool,
)
from petplatform_constructs.identity.auth_pool.props import (
    AppClient,
    AuthPoolProps,
    UserGroup,
)

__all__ = [
    "READ_ACTIONS",
    "USER_MANAGEMENT_ACTIONS",
    "USER_POOL_CONSTRUCT_ID",
    "AppClient",
    "AuthPool",
    "AuthPoolProps",
    "UserGroup",
]
