"""petplatform-constructs: production-grade AWS CDK v2 L3 constructs for pet-care platforms."""

from .__about__ import __version__
from .app_role import AppRole
from .auth_pool import AppClient, AuthPool, UserGroup
from .compliance import DataProtectionCheck, NagPack, acknowledge, enable_compliance, mark_stateful
from .data_table import (
    AutoscaledCapacity,
    DataTable,
    IndexSpec,
    ProvisionedCapacity,
    TableSpec,
    tables_from_specs,
)
from .errors import PropError
from .image_buckets import ImageBuckets
from .naming import Naming, ResourceKind, use_naming, validate_name
from .observability_pack import (
    AlarmRule,
    AlarmThresholds,
    AlarmWindow,
    BudgetSpec,
    ObservabilityPack,
    Panel,
    SupportsObservability,
    Watchable,
    WatchPlan,
)
from .platform import PlatformConfig, configure_platform
from .profiles_table import ProfilesTable
from .secure_bucket import BucketLifecycleRule, CorsPolicy, SecureBucket, StorageTransition
from .serverless_api import (
    ApiKind,
    FunctionSpec,
    RouteSpec,
    ServerlessApi,
    TableAccess,
    WafRules,
)
from .stage import Stage, StageProfile, use_stage_profile
from .tagging import apply_standard_tags

__all__ = [
    "AlarmRule",
    "AlarmThresholds",
    "AlarmWindow",
    "ApiKind",
    "AppClient",
    "AppRole",
    "AuthPool",
    "AutoscaledCapacity",
    "BucketLifecycleRule",
    "BudgetSpec",
    "CorsPolicy",
    "DataProtectionCheck",
    "DataTable",
    "FunctionSpec",
    "ImageBuckets",
    "IndexSpec",
    "NagPack",
    "Naming",
    "ObservabilityPack",
    "Panel",
    "PlatformConfig",
    "ProfilesTable",
    "PropError",
    "ProvisionedCapacity",
    "ResourceKind",
    "RouteSpec",
    "SecureBucket",
    "ServerlessApi",
    "Stage",
    "StageProfile",
    "StorageTransition",
    "SupportsObservability",
    "TableAccess",
    "TableSpec",
    "UserGroup",
    "WafRules",
    "WatchPlan",
    "Watchable",
    "__version__",
    "acknowledge",
    "apply_standard_tags",
    "configure_platform",
    "enable_compliance",
    "mark_stateful",
    "tables_from_specs",
    "use_naming",
    "use_stage_profile",
    "validate_name",
]
