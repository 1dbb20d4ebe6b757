"""petplatform-constructs: production-grade AWS CDK v2 L3 constructs for pet-care platforms.

The root package is lazy: ``import petplatform_constructs`` loads no construct module and no
``aws_cdk`` service module; each name is imported from its home module when first used, so an
app pays only for the constructs it uses.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from petplatform_constructs.__about__ import __version__

if TYPE_CHECKING:
    from petplatform_constructs.compute.serverless_api import (
        ApiKind,
        FunctionSpec,
        RouteSpec,
        ServerlessApi,
        ServerlessApiProps,
        TableAccess,
        WafRules,
    )
    from petplatform_constructs.core.errors import PropError
    from petplatform_constructs.data.data_table import (
        AutoscaledCapacity,
        DataTable,
        DataTableProps,
        IndexSpec,
        ProvisionedCapacity,
        TableSettings,
    )
    from petplatform_constructs.data.profiles_table import ProfilesTable
    from petplatform_constructs.data.table_specs import TableSpec, tables_from_specs
    from petplatform_constructs.edge.cdn import Cdn, CdnEdge, CdnEdgeProps, CdnOptions, CdnProps
    from petplatform_constructs.identity.app_role import AppRole, AppRoleProps
    from petplatform_constructs.identity.auth_pool import (
        AppClient,
        AuthPool,
        AuthPoolProps,
        UserGroup,
    )
    from petplatform_constructs.identity.github_oidc import (
        DeployRole,
        GithubOidc,
        GithubOidcProps,
        GithubSubject,
    )
    from petplatform_constructs.integration.event_bus import (
        EventBus,
        EventBusProps,
        FunctionTarget,
        LogGroupTarget,
        QueueTarget,
        RuleSpec,
    )
    from petplatform_constructs.integration.fifo_pipeline import (
        FifoPipeline,
        FifoPipelineProps,
        PipelineSpec,
        pipelines_from_specs,
    )
    from petplatform_constructs.observability.pack import (
        AlarmRule,
        AlarmThresholds,
        AlarmWindow,
        BudgetSpec,
        ObservabilityPack,
        Panel,
        SlackChannel,
        SupportsObservability,
        Watchable,
        WatchPlan,
    )
    from petplatform_constructs.platform.compliance import (
        DataProtectionCheck,
        NagPack,
        acknowledge,
        enable_compliance,
        mark_stateful,
    )
    from petplatform_constructs.platform.configure import PlatformConfig, configure_platform
    from petplatform_constructs.platform.naming import (
        Naming,
        ResourceKind,
        use_naming,
        validate_name,
    )
    from petplatform_constructs.platform.stage import Stage, StageProfile, use_stage_profile
    from petplatform_constructs.platform.tagging import apply_standard_tags
    from petplatform_constructs.resilience.dr_replication import (
        DnsFailover,
        DrReplication,
        DrReplicationProps,
    )
    from petplatform_constructs.storage.image_buckets import ImageBuckets, ImageBucketsProps
    from petplatform_constructs.storage.secure_bucket import (
        BucketLifecycleRule,
        CorsPolicy,
        SecureBucket,
        SecureBucketProps,
        StorageTransition,
    )

_HOME: dict[str, str] = {
    "AlarmRule": "petplatform_constructs.observability.pack",
    "AlarmThresholds": "petplatform_constructs.observability.pack",
    "AlarmWindow": "petplatform_constructs.observability.pack",
    "ApiKind": "petplatform_constructs.compute.serverless_api",
    "AppClient": "petplatform_constructs.identity.auth_pool",
    "AppRole": "petplatform_constructs.identity.app_role",
    "AppRoleProps": "petplatform_constructs.identity.app_role",
    "AuthPool": "petplatform_constructs.identity.auth_pool",
    "AuthPoolProps": "petplatform_constructs.identity.auth_pool",
    "AutoscaledCapacity": "petplatform_constructs.data.data_table",
    "BucketLifecycleRule": "petplatform_constructs.storage.secure_bucket",
    "BudgetSpec": "petplatform_constructs.observability.pack",
    "Cdn": "petplatform_constructs.edge.cdn",
    "CdnEdge": "petplatform_constructs.edge.cdn",
    "CdnEdgeProps": "petplatform_constructs.edge.cdn",
    "DnsFailover": "petplatform_constructs.resilience.dr_replication",
    "DrReplication": "petplatform_constructs.resilience.dr_replication",
    "DrReplicationProps": "petplatform_constructs.resilience.dr_replication",
    "CdnOptions": "petplatform_constructs.edge.cdn",
    "CdnProps": "petplatform_constructs.edge.cdn",
    "CorsPolicy": "petplatform_constructs.storage.secure_bucket",
    "DataProtectionCheck": "petplatform_constructs.platform.compliance",
    "DataTable": "petplatform_constructs.data.data_table",
    "DataTableProps": "petplatform_constructs.data.data_table",
    "DeployRole": "petplatform_constructs.identity.github_oidc",
    "EventBus": "petplatform_constructs.integration.event_bus",
    "EventBusProps": "petplatform_constructs.integration.event_bus",
    "FifoPipeline": "petplatform_constructs.integration.fifo_pipeline",
    "FifoPipelineProps": "petplatform_constructs.integration.fifo_pipeline",
    "FunctionSpec": "petplatform_constructs.compute.serverless_api",
    "FunctionTarget": "petplatform_constructs.integration.event_bus",
    "GithubOidc": "petplatform_constructs.identity.github_oidc",
    "GithubOidcProps": "petplatform_constructs.identity.github_oidc",
    "GithubSubject": "petplatform_constructs.identity.github_oidc",
    "ImageBuckets": "petplatform_constructs.storage.image_buckets",
    "ImageBucketsProps": "petplatform_constructs.storage.image_buckets",
    "IndexSpec": "petplatform_constructs.data.data_table",
    "LogGroupTarget": "petplatform_constructs.integration.event_bus",
    "NagPack": "petplatform_constructs.platform.compliance",
    "Naming": "petplatform_constructs.platform.naming",
    "ObservabilityPack": "petplatform_constructs.observability.pack",
    "Panel": "petplatform_constructs.observability.pack",
    "PipelineSpec": "petplatform_constructs.integration.fifo_pipeline",
    "PlatformConfig": "petplatform_constructs.platform.configure",
    "ProfilesTable": "petplatform_constructs.data.profiles_table",
    "PropError": "petplatform_constructs.core.errors",
    "ProvisionedCapacity": "petplatform_constructs.data.data_table",
    "QueueTarget": "petplatform_constructs.integration.event_bus",
    "ResourceKind": "petplatform_constructs.platform.naming",
    "RouteSpec": "petplatform_constructs.compute.serverless_api",
    "RuleSpec": "petplatform_constructs.integration.event_bus",
    "SecureBucket": "petplatform_constructs.storage.secure_bucket",
    "SecureBucketProps": "petplatform_constructs.storage.secure_bucket",
    "ServerlessApi": "petplatform_constructs.compute.serverless_api",
    "ServerlessApiProps": "petplatform_constructs.compute.serverless_api",
    "SlackChannel": "petplatform_constructs.observability.pack",
    "Stage": "petplatform_constructs.platform.stage",
    "StageProfile": "petplatform_constructs.platform.stage",
    "StorageTransition": "petplatform_constructs.storage.secure_bucket",
    "SupportsObservability": "petplatform_constructs.observability.pack",
    "TableAccess": "petplatform_constructs.compute.serverless_api",
    "TableSettings": "petplatform_constructs.data.data_table",
    "TableSpec": "petplatform_constructs.data.table_specs",
    "UserGroup": "petplatform_constructs.identity.auth_pool",
    "WafRules": "petplatform_constructs.compute.serverless_api",
    "WatchPlan": "petplatform_constructs.observability.pack",
    "Watchable": "petplatform_constructs.observability.pack",
    "acknowledge": "petplatform_constructs.platform.compliance",
    "apply_standard_tags": "petplatform_constructs.platform.tagging",
    "configure_platform": "petplatform_constructs.platform.configure",
    "enable_compliance": "petplatform_constructs.platform.compliance",
    "mark_stateful": "petplatform_constructs.platform.compliance",
    "pipelines_from_specs": "petplatform_constructs.integration.fifo_pipeline",
    "tables_from_specs": "petplatform_constructs.data.table_specs",
    "use_naming": "petplatform_constructs.platform.naming",
    "use_stage_profile": "petplatform_constructs.platform.stage",
    "validate_name": "petplatform_constructs.platform.naming",
}
"""The module each public name lives in."""

__all__ = [
    "AlarmRule",
    "AlarmThresholds",
    "AlarmWindow",
    "ApiKind",
    "AppClient",
    "AppRole",
    "AppRoleProps",
    "AuthPool",
    "AuthPoolProps",
    "AutoscaledCapacity",
    "BucketLifecycleRule",
    "BudgetSpec",
    "Cdn",
    "CdnEdge",
    "CdnEdgeProps",
    "CdnOptions",
    "CdnProps",
    "CorsPolicy",
    "DataProtectionCheck",
    "DataTable",
    "DataTableProps",
    "DeployRole",
    "DnsFailover",
    "DrReplication",
    "DrReplicationProps",
    "EventBus",
    "EventBusProps",
    "FifoPipeline",
    "FifoPipelineProps",
    "FunctionSpec",
    "FunctionTarget",
    "GithubOidc",
    "GithubOidcProps",
    "GithubSubject",
    "ImageBuckets",
    "ImageBucketsProps",
    "IndexSpec",
    "LogGroupTarget",
    "NagPack",
    "Naming",
    "ObservabilityPack",
    "Panel",
    "PipelineSpec",
    "PlatformConfig",
    "ProfilesTable",
    "PropError",
    "ProvisionedCapacity",
    "QueueTarget",
    "ResourceKind",
    "RouteSpec",
    "RuleSpec",
    "SecureBucket",
    "SecureBucketProps",
    "ServerlessApi",
    "ServerlessApiProps",
    "SlackChannel",
    "Stage",
    "StageProfile",
    "StorageTransition",
    "SupportsObservability",
    "TableAccess",
    "TableSettings",
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
    "pipelines_from_specs",
    "tables_from_specs",
    "use_naming",
    "use_stage_profile",
    "validate_name",
]


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
