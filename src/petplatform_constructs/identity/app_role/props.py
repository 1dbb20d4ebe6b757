"""AppRole's props, declared once, and the defaults they refer to.

Tables, buckets and user pools are accepted as L2 interfaces or as the library's wrappers
(``DataTable``, ``SecureBucket``, ``AuthPool``), as :mod:`petplatform_constructs.core.resources`
describes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypedDict

from aws_cdk import Duration
from aws_cdk import aws_cognito as cognito  # noqa: F401 (see below)
from aws_cdk import aws_dynamodb as dynamodb  # noqa: F401
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3  # noqa: F401

# The resource aliases are forward references to these modules and protocols: check_props
# resolves the annotations below in this module's namespace, so they are imported at runtime.
from petplatform_constructs.core.resources import (  # noqa: F401
    BucketLike,
    HasBucket,
    HasTable,
    HasUserPool,
    TableLike,
    UserPoolLike,
)
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "APP_LOG_GROUP_PREFIX",
    "DEFAULT_DATA_ACCESS",
    "DEFAULT_PRINCIPALS",
    "LAMBDA_LOG_GROUP_PREFIX",
    "SHARED_ONLY",
    "AppRoleProps",
    "DataAccess",
]

DEFAULT_PRINCIPALS: tuple[str, ...] = ("lambda.amazonaws.com",)
"""Who assumes the role by default: Lambda functions only. A role that EC2 instances assume
too must ask for it (``principals=["lambda.amazonaws.com", "ec2.amazonaws.com"]``)."""
LAMBDA_LOG_GROUP_PREFIX = "/aws/lambda/"
"""Where Lambda writes function logs (a prefix to ask for with ``log_group_prefixes``)."""
APP_LOG_GROUP_PREFIX = "/petplatform/"
"""A prefix for non-Lambda principals (EC2 with the CloudWatch agent), if asked for."""

DataAccess = Literal["read", "write", "delete", "scan"]
"""One data-plane choice on the given tables and buckets:

* ``read``: ``GetItem``, ``BatchGetItem``, ``Query``, ``ConditionCheckItem``,
  ``DescribeTable``; ``s3:GetObject`` and ``s3:ListBucket``;
* ``write``: ``PutItem``, ``UpdateItem``; ``s3:PutObject``, ``s3:AbortMultipartUpload``;
* ``delete``: ``DeleteItem``, ``BatchWriteItem`` (it deletes too); ``s3:DeleteObject``;
* ``scan``: ``dynamodb:Scan`` (a whole-table read).
"""
DEFAULT_DATA_ACCESS: tuple[DataAccess, ...] = ("read", "write")
"""Read and write; never delete or scan unless asked for."""


class AppRoleProps(TypedDict, total=False):
    """Every prop of :class:`~petplatform_constructs.AppRole`. All optional."""

    principals: Sequence[str]
    """Service principals allowed to assume the role, at least one. Default
    :data:`DEFAULT_PRINCIPALS` (``lambda.amazonaws.com`` only)."""
    tables: Sequence[TableLike]
    """Tables (``ITable``/``ITableV2`` or ``DataTable``, possibly from other stacks) the role
    may use as ``data_access`` says, indexes included when the table knows it has them.
    Default none."""
    buckets: Sequence[BucketLike]
    """Buckets (``IBucket`` or ``SecureBucket``) whose objects the role may use as
    ``data_access`` says. Default none."""
    data_access: Sequence[DataAccess]
    """What the role may do with ``tables`` and ``buckets``: any of ``"read"``, ``"write"``,
    ``"delete"``, ``"scan"`` (see :data:`DataAccess`). Default :data:`DEFAULT_DATA_ACCESS`
    (read and write: no deletes, no ``Scan``)."""
    user_pools: Sequence[UserPoolLike]
    """User pools (``IUserPool`` or ``AuthPool``) the role may read (read-only Cognito actions).
    Default none."""
    send_email: bool
    """Allow ``ses:SendEmail``/``ses:SendRawEmail``. Default ``True``."""
    ses_identity_arns: Sequence[str]
    """SES identities the role may send from (needs ``send_email``). Default: every identity of
    the stack's account and region, acknowledged as such."""
    from_address: str
    """Restrict sending to this ``From`` address (``ses:FromAddress``; ``*`` allowed, e.g.
    ``*@example.com``; needs ``send_email``). Default: any address of the identities."""
    log_groups: Sequence[str]
    """Names of the log groups the role may create and write to (its streams in them), e.g.
    ``["/aws/lambda/homeforpup-api"]``. Default: none."""
    log_group_prefixes: Sequence[str]
    """Log-group name prefixes the role may create and write to, when the names are only known
    at runtime (e.g. :data:`LAMBDA_LOG_GROUP_PREFIX`). Default: none."""
    role_name: str
    """Literal role name (1-64 of ``\\w+=,.@-``), validated; excludes ``name``. Default:
    CloudFormation generates a name."""
    name: str
    """Short name, passed through the naming strategy in scope (``ResourceKind.IAM_ROLE``).
    Default: none."""
    description: str
    """Role description, at most 1000 characters. Default: says what the role is for."""
    max_session_duration: Duration
    """1 to 12 hours. Default 1 hour."""
    permissions_boundary: iam.IManagedPolicy
    """Managed policy that bounds the role. Default none."""
    instance_profile: bool
    """Create an ``AWS::IAM::InstanceProfile`` when EC2 is a principal. Default ``True``."""
    export_prefix: str
    """Export ``{prefix}-RoleArn``, ``-RoleName`` and, with an instance profile,
    ``-InstanceProfileArn`` and ``-InstanceProfileName``. Default: no outputs."""
    naming: Naming
    """Naming strategy for ``name`` instead of the scope default."""
    stage_profile: StageProfile
    """Accepted for a uniform signature; nothing about a role depends on the stage."""


SHARED_ONLY: frozenset[str] = frozenset(
    {
        "tables",
        "buckets",
        "user_pools",
        "send_email",
        "ses_identity_arns",
        "from_address",
        "data_access",
        "log_groups",
        "log_group_prefixes",
        "export_prefix",
        "naming",
        "stage_profile",
    }
)
"""Props that apply to an existing role too: they grant, and create no role."""
