"""Phase 2: the six infrastructure services (002#81), one stack each."""

from __future__ import annotations

from aws_cdk import Duration, Stack, Tags
from aws_cdk import aws_kms as kms
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from constructs import Construct

from petplatform_constructs import (
    AppClient,
    AuthPool,
    AutoscaledCapacity,
    BucketLifecycleRule,
    CdnEdge,
    CdnOptions,
    DataTable,
    DrReplication,
    EventBus,
    FifoPipeline,
    IndexSpec,
    Naming,
    PipelineSpec,
    ProvisionedCapacity,
    ResourceKind,
    SecureBucket,
    StageProfile,
    StorageTransition,
    TableSpec,
    UserGroup,
    pipelines_from_specs,
    tables_from_specs,
)

from .base import ServiceStack
from .config import DOMAIN, ListBackupConfig

BACKUP_TAG = {"backup": "daily"}
# The assets' distribution cannot use the edge certificate: that would be an edge from the
# certificates service to s3, which the seed's graph does not have (002#83).
ASSETS_ON_THE_DEFAULT_CERTIFICATE = (
    "the assets are public static files (logos, the web app's bundles) with no cookie, token or "
    "user data; browsers negotiate TLS 1.2+ with cloudfront.net, and everything that carries "
    "credentials goes through the API distribution on api.listbackup.ai with TLSv1.2_2021"
)  # what the daily AWS Backup plan selects (002#66)


def _by(key: str, projection: str = "ALL", *include: str) -> IndexSpec:
    from aws_cdk import aws_dynamodb as dynamodb

    return IndexSpec(
        f"{key}-index",
        partition_key=key,
        projection=dynamodb.ProjectionType[projection],
        non_key_attributes=include,
    )


# The 4 tables the seed names and the 13 it only counts, proposed per conflict 47 (002#15-19).
NAMED_TABLES = ("users", "accounts", "sources", "jobs")
TABLES = (
    TableSpec("users", partition_key="userId", global_indexes=(_by("email", "KEYS_ONLY"),)),
    TableSpec("accounts", partition_key="accountId", global_indexes=(_by("ownerUserId"),)),
    TableSpec("sources", partition_key="sourceId", global_indexes=(_by("accountId"),)),
    TableSpec(
        "jobs",
        partition_key="jobId",
        global_indexes=(_by("sourceId", "INCLUDE", "status", "createdAt"),),
    ),
    TableSpec("user-accounts", partition_key="userId", sort_key="accountId"),
    TableSpec("teams", partition_key="teamId"),
    TableSpec("team-members", partition_key="teamId", sort_key="userId"),
    TableSpec("clients", partition_key="clientId"),
    TableSpec("client-accounts", partition_key="clientId", sort_key="accountId"),
    # Platform definitions change with releases, not traffic: provisioned and autoscaled (002#20).
    TableSpec(
        "platforms",
        partition_key="platformId",
        provisioned=ProvisionedCapacity(
            read=AutoscaledCapacity(max_capacity=50, min_capacity=2),
            write=AutoscaledCapacity(max_capacity=10, min_capacity=1),
        ),
    ),
    TableSpec("platform-connections", partition_key="connectionId"),
    TableSpec("platform-sources", partition_key="platformSourceId"),
    TableSpec("source-groups", partition_key="groupId"),
    TableSpec("files", partition_key="fileId", global_indexes=(_by("sourceId"),)),
    TableSpec("activity", single_table=True),  # single-table design where it fits (002#18)
    TableSpec("billing", partition_key="accountId", sort_key="period"),
    TableSpec("oauth-states", partition_key="state", time_to_live_attribute="expiresAt"),
)

# Sync and Backup Queues and 4 proposed ones (002#34, conflict 47).
QUEUES = ("sync", "backup", "export", "analytics", "maintenance", "alert")


def _key(scope: Construct, what: str) -> kms.Key:
    """One customer-managed key per data domain, rotated yearly (002#53, conflict 42)."""
    return kms.Key(
        scope,
        "Key",
        description=f"ListBackup {what}",
        enable_key_rotation=True,
        removal_policy=StageProfile.of(scope).removal_policy,
    )


class CertificatesStack(ServiceStack):
    """us-east-1: CloudFront's certificate for the API name and its CLOUDFRONT WAF (002#3, #48)."""

    def __init__(self, scope: Construct, config: ListBackupConfig) -> None:
        super().__init__(
            scope,
            "infrastructure-certificates",
            config,
            description="edge certificate and WAF (us-east-1)",
            env=config.edge,
            cross_region_references=True,
        )
        self.zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=config.hosted_zone_id, zone_name=DOMAIN
        )
        self.edge = CdnEdge(self, "Edge", domain_names=[config.api_domain], hosted_zone=self.zone)
        self.export("EdgeCertificateArn", self.edge.certificate.certificate_arn)
        self.export("EdgeWebAclArn", self.edge.web_acl_arn)


class DynamoDBStack(ServiceStack):
    """The 17 tables: KMS CMK, point-in-time recovery in every stage (002#21, conflict 8)."""

    def __init__(self, scope: Construct, config: ListBackupConfig) -> None:
        super().__init__(scope, "infrastructure-dynamodb", config, description="DynamoDB tables")
        self.key = _key(self, "table data")
        self.tables: dict[str, DataTable] = tables_from_specs(
            self, TABLES, point_in_time_recovery=True, encryption_key=self.key
        )
        Tags.of(self).add(*next(iter(BACKUP_TAG.items())))
        for name in NAMED_TABLES:
            table = self.tables[name].table
            self.export(f"{name.title()}TableName", table.table_name)
            self.export(f"{name.title()}TableArn", table.table_arn)
        self.export("DataKeyArn", self.key.key_arn)


class SqsStack(ServiceStack):
    """Six FIFO pipelines, 14-day retention, long polling, DLQs; consumers live in core."""

    def __init__(self, scope: Construct, config: ListBackupConfig) -> None:
        super().__init__(scope, "infrastructure-sqs", config, description="SQS FIFO queues")
        self.key = _key(self, "queue messages")
        self.pipelines: dict[str, FifoPipeline] = pipelines_from_specs(
            self,
            [PipelineSpec(f"{queue}-queue") for queue in QUEUES],
            encryption_key=self.key,
            # Consumers run up to 5 minutes (002#10): 6x that before a message reappears.
            consumer_timeout=Duration.minutes(5),
            visibility_timeout=Duration.minutes(30),
        )
        sync = self.pipelines["sync-queue"]
        self.export("SyncQueueUrl", sync.queue.queue_url)
        self.export("SyncQueueArn", sync.queue.queue_arn)
        self.export("QueueKeyArn", self.key.key_arn)


class S3Stack(ServiceStack):
    """Data (versioned, replicated to us-east-1, backed up), assets (behind CloudFront) and
    exports (temporary) buckets, each SSE-S3 (002#23-32)."""

    def __init__(self, scope: Construct, config: ListBackupConfig, *, dr_stack: Stack) -> None:
        super().__init__(scope, "infrastructure-s3", config, description="S3 buckets")
        # The seed's literal names (002#23): global, so change them if they are taken.
        stage = config.stage
        self.access_logs = SecureBucket(self, "AccessLogs", access_log_destination=True,
                                        bucket_name=f"listbackup-access-logs-{stage}")  # fmt: skip
        logged = {"server_access_logs_bucket": self.access_logs}
        self.data = SecureBucket(
            self,
            "Data",
            bucket_name=f"listbackup-data-{stage}",
            versioned=True,
            lifecycle_rules=[
                BucketLifecycleRule(
                    rule_id="tiering-and-old-versions",
                    transitions=[StorageTransition(s3.StorageClass.INTELLIGENT_TIERING, 0)],
                    noncurrent_expiration_days=30,
                    abort_incomplete_multipart_days=7,
                )
            ],
            **logged,  # type: ignore[arg-type]
        )
        self.assets = SecureBucket(
            self,
            "Assets",
            bucket_name=f"listbackup-assets-{stage}",
            versioned=True,
            cdn=CdnOptions(default_certificate_reason=ASSETS_ON_THE_DEFAULT_CERTIFICATE),
            **logged,  # type: ignore[arg-type]
        )
        self.exports = SecureBucket(
            self,
            "Exports",
            bucket_name=f"listbackup-exports-{stage}",
            lifecycle_rules=[
                BucketLifecycleRule(
                    rule_id="temporary", expiration_days=7, abort_incomplete_multipart_days=1
                )
            ],
            **logged,  # type: ignore[arg-type]
        )
        # Cross-region replication of the data bucket and the daily backup plan (002#61-67).
        self.dr = DrReplication(
            self,
            "Dr",
            name="data",
            dr_region=dr_stack.region,
            dr_stack=dr_stack,
            buckets=[self.data],
            selection_tags=BACKUP_TAG,
        )
        for name, bucket in (("Data", self.data), ("Assets", self.assets),
                             ("Exports", self.exports)):  # fmt: skip
            self.export(f"{name}BucketName", bucket.bucket.bucket_name)
        self.export("DataBucketArn", self.data.bucket.bucket_arn)


class EventBridgeStack(ServiceStack):
    """The central bus with its archive and schema discovery (002#41-44); rules live in core."""

    def __init__(self, scope: Construct, config: ListBackupConfig) -> None:
        super().__init__(scope, "infrastructure-eventbridge", config, description="event bus")
        prod = config.stage == "prod"
        self.events = EventBus(
            self,
            "Bus",
            event_bus_name=f"listbackup-{config.stage}",
            archive_retention_days=365 if prod else 7,  # 002#43
        )
        self.export("EventBusName", self.events.event_bus_name)
        self.export("EventBusArn", self.events.event_bus_arn)


class CognitoStack(ServiceStack):
    """The user pool, its web client and the api's sign-in client, groups as roles."""

    def __init__(self, scope: Construct, config: ListBackupConfig) -> None:
        super().__init__(scope, "infrastructure-cognito", config, description="Cognito users")
        web = config.web_origin
        self.auth = AuthPool(
            self,
            "Auth",
            name="users",
            self_sign_up=True,
            groups=[UserGroup("admin", precedence=0), UserGroup("user", precedence=10)],
            # The hosted UI on a prefix domain; a custom one needs a us-east-1 certificate and
            # an A record on the parent domain first (custom_domain=, certificate=; conflict 45).
            domain_prefix=Naming.of(self).name("auth", ResourceKind.COGNITO_DOMAIN_PREFIX),
            mfa_opt_out_reason=(
                "customers sign themselves up through the API and TOTP stays optional for "
                "them; every user can enrol, and email verification, the password policy and "
                "threat protection still apply"
            ),
            clients=[
                AppClient("web", callback_urls=[f"{web}/auth/callback"], logout_urls=[f"{web}/"]),
                # The auth service signs users in for the app (AdminInitiateAuth, 002#45).
                AppClient("api", oauth=False, backend_password_auth=True),
            ],
        )
        self.export("UserPoolId", self.auth.user_pool.user_pool_id)
        self.export("UserPoolArn", self.auth.user_pool.user_pool_arn)
        self.export("UserPoolClientId", self.auth.clients["api"].user_pool_client_id)
