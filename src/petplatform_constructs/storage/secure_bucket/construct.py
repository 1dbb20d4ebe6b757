"""SecureBucket: one S3 bucket with every safety decision already made, or a wrapped one.

The general bucket construct of the library: HomeForPup's image/upload buckets, ListBackup's
data/assets/exports buckets and myapp's backend/assets buckets are all instances. Defaults are
private, encrypted (SSE-S3, stated explicitly), TLS-only, ACL-free and stage-aware; every
exception (public read, a CDN, a custom domain) is one explicit prop, validated at synth time.

S3 server access logs are delivered through the log bucket's *policy*, never an ACL, because
every bucket here is ``BucketOwnerEnforced``. The CDK does that only under the feature flag
``@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy``, so each SecureBucket turns the flag on for
its own subtree. A plain ``s3.Bucket`` used as a log destination needs the flag in ``cdk.json``.
"""

from __future__ import annotations

import re
from typing import cast

from aws_cdk import CfnOutput, Duration, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import require
from petplatform_constructs.core.existing import check_existing
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.watch import Watcher
from petplatform_constructs.edge.cdn import Cdn, accept_cloudfront_logs
from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.context import enable_feature_flag
from petplatform_constructs.platform.stage import StageProfile
from petplatform_constructs.storage.secure_bucket.props import SHARED_ONLY, SecureBucketProps
from petplatform_constructs.storage.secure_bucket.validation import BucketPlan, plan_bucket

__all__ = [
    "BUCKET_CONSTRUCT_ID",
    "CDN_CONSTRUCT_ID",
    "ENTIRE_BUCKET_METRICS_ID",
    "SecureBucket",
]

BUCKET_CONSTRUCT_ID = "Bucket"
"""Construct id of the ``s3.Bucket`` inside every SecureBucket. Public contract: never change it."""

CDN_CONSTRUCT_ID = "Default"
"""Construct id of the ``Cdn`` inside a SecureBucket with ``cdn``. The CDK leaves ``Default``
out of logical ids, so the distribution, its Origin Access Control, cache policy, log delivery
and outputs have the logical ids of ``<bucket>/Distribution`` and so on. Never change it."""

ENTIRE_BUCKET_METRICS_ID = "EntireBucket"
"""Id of the request-metrics configuration that covers the whole bucket."""

_ACCESS_LOGS_FLAG = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"
_NOTIFICATIONS_HANDLER_ID = "BucketNotificationsHandler050a0587b7544547bf325f094a3db834"
_KEY_PREFIX = re.compile(r"[^/*?][^*?]*")
# public_read: the bucket policy may be public, ACLs never.
_PUBLIC_READ_ACCESS = s3.BlockPublicAccess(
    block_public_acls=True,
    ignore_public_acls=True,
    block_public_policy=False,
    restrict_public_buckets=False,
)


class SecureBucket(Construct):
    """An S3 bucket that is private, encrypted, TLS-only and stage-aware unless told otherwise.

    Construct ids (a public contract: renaming them replaces the bucket): ``Bucket``
    (:data:`BUCKET_CONSTRUCT_ID`) and, with ``cdn``, the ``Cdn`` as ``Default``
    (:data:`CDN_CONSTRUCT_ID`) whose children keep the logical ids of ``Distribution``,
    ``CorsCachePolicy`` and ``CdnAccessLogs``; outputs ``RegionalDomainName``,
    ``DistributionDomainName``, ``DistributionAliases`` and, with ``export_prefix``,
    ``BucketNameOutput``, ``BucketArnOutput``, ``DistributionIdOutput``.

    Args:
        scope: parent construct.
        id: construct id of this SecureBucket.
        existing_bucket: wrap this bucket (grants, metrics, exports) and create nothing. Only
            ``export_prefix``, ``stage_profile`` and ``naming`` may come with it. Default:
            create a bucket.
        props: see :class:`SecureBucketProps`; every prop is optional and documents its default.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_bucket: s3.IBucket | None = None,
        **props: Unpack[SecureBucketProps],
    ) -> None:
        super().__init__(scope, id)
        self._owner = f"{type(self).__name__} {self.node.path}"
        self.outputs: dict[str, CfnOutput] = {}
        """Exported CfnOutputs by attribute (``BucketName``, ``BucketArn``, ``DistributionId``)."""
        self.imported = existing_bucket is not None
        """Whether this construct wraps an existing bucket instead of creating one."""
        self.cdn: Cdn | None = None
        """The ``Cdn`` in front of the bucket (``cdn``), else None."""

        received = receive(self._owner, SecureBucketProps, props)
        problems, valid = received.problems, received.valid
        creation = {k: v for k, v in props.items() if k not in SHARED_ONLY}
        wraps = check_existing(problems, "existing_bucket", existing_bucket, creation)
        plan: BucketPlan | None = None
        if not wraps:
            profile = StageProfile.of(self, valid.get("stage_profile"))
            plan = plan_bucket(self, problems, valid, profile, received.rejected)
        problems.raise_if_any()

        self.metrics_enabled = bool(valid.get("metrics"))
        """Whether the ``EntireBucket`` request metrics exist (see :meth:`metric_requests`)."""
        if existing_bucket is not None:
            self.bucket: s3.IBucket = existing_bucket
            """The bucket: the created ``s3.Bucket``, or the wrapped ``IBucket``."""
            self.encryption_key: kms.IKey | None = existing_bucket.encryption_key
            """The bucket's KMS key, None with SSE-S3."""
        else:
            assert plan is not None  # no problems, so the plan exists
            self.encryption_key = valid.get("encryption_key")
            self.bucket = self._create(plan, valid)
            CfnOutput(
                self,
                "RegionalDomainName",
                value=self.bucket.bucket_regional_domain_name,
                description=f"Regional domain name of {self.node.path} (origin for a CDN or DNS)",
            )
        export_prefix = valid.get("export_prefix")
        if export_prefix is not None:
            attributes = {"BucketName": self.bucket_name, "BucketArn": self.bucket_arn}
            if self.cdn is not None:
                attributes["DistributionId"] = self.cdn.distribution_id
            self.outputs.update(add_exports(self, export_prefix, attributes))

    def _create(self, plan: BucketPlan, props: SecureBucketProps) -> s3.Bucket:
        key = props.get("encryption_key")
        public_read = bool(props.get("public_read"))
        # Log delivery through the bucket policy (ACLs are disabled on every SecureBucket).
        enable_feature_flag(self, _ACCESS_LOGS_FLAG)
        bucket = s3.Bucket(
            self,
            BUCKET_CONSTRUCT_ID,
            bucket_name=plan.physical_name,
            versioned=plan.versioned,
            cors=plan.cors_rules or None,
            lifecycle_rules=plan.lifecycle_rules or None,
            encryption=s3.BucketEncryption.KMS if key else s3.BucketEncryption.S3_MANAGED,
            encryption_key=key,
            bucket_key_enabled=True if key is not None else None,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            block_public_access=(
                _PUBLIC_READ_ACCESS if public_read else s3.BlockPublicAccess.BLOCK_ALL
            ),
            object_ownership=(
                s3.ObjectOwnership.BUCKET_OWNER_PREFERRED
                if props.get("cloudfront_log_destination")
                else s3.ObjectOwnership.BUCKET_OWNER_ENFORCED
            ),
            server_access_logs_bucket=plan.log_bucket,
            server_access_logs_prefix=plan.log_prefix,
            target_object_key_format=(
                s3.TargetObjectKeyFormat.partitioned_prefix(s3.PartitionDateSource.EVENT_TIME)
                if plan.log_bucket
                else None
            ),
            metrics=[s3.BucketMetrics(id=ENTIRE_BUCKET_METRICS_ID)]
            if props.get("metrics")
            else None,
            event_bridge_enabled=props.get("event_bridge") or None,
            removal_policy=plan.removal_policy,
            auto_delete_objects=plan.auto_delete_objects,
        )
        cfn_bucket = cast(s3.CfnBucket, bucket.node.default_child)
        if props.get("cloudfront_log_destination"):
            accept_cloudfront_logs(bucket)
        if plan.log_bucket is None:
            acknowledge(
                cfn_bucket,
                "AwsSolutions-S1",
                "This bucket is the destination of S3 server access logs; logging it into itself "
                "would loop and a second log bucket would only move the gap. Reads of the logs "
                "can be audited with CloudTrail data events."
                if props.get("access_log_destination")
                else "Server access logging is opt-in for SecureBucket because it needs a log "
                "bucket and adds storage cost; enable it with server_access_logs_bucket= "
                "(ImageBuckets does so by default with access_logs=True).",
            )
        if props.get("event_bridge"):
            self._acknowledge_notifications_handler()
        if public_read:
            self._grant_anonymous_read(bucket, cfn_bucket)
        if plan.cdn is not None:
            self.cdn = Cdn(self, CDN_CONSTRUCT_ID, bucket=bucket, **plan.cdn)
        return bucket

    def _acknowledge_notifications_handler(self) -> None:
        """The CDK's per-stack Lambda that switches on EventBridge notifications."""
        handler = Stack.of(self).node.try_find_child(_NOTIFICATIONS_HANDLER_ID)
        role = handler.node.try_find_child("Role") if handler is not None else None
        if role is not None:
            acknowledge(
                role,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "aws-cdk-lib's BucketNotificationsHandler (it turns on EventBridge delivery at "
                "deploy time) uses AWSLambdaBasicExecutionRole only to write its own logs; its "
                "S3 permission is a separate policy scoped to the buckets that use it.",
            )

    @staticmethod
    def _grant_anonymous_read(bucket: s3.Bucket, cfn_bucket: s3.CfnBucket) -> None:
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="PublicReadGetObject",
                principals=[iam.StarPrincipal()],
                actions=["s3:GetObject"],
                resources=[bucket.arn_for_objects("*")],
            )
        )
        acknowledge(
            cfn_bucket,
            "AwsSolutions-S2",
            "public_read=True was explicitly requested: only BlockPublicPolicy and "
            "RestrictPublicBuckets are off so that the GetObject-only public policy applies; "
            "ACLs stay blocked and disabled (BucketOwnerEnforced).",
        )

    # -- attributes ---------------------------------------------------------------------------
    @property
    def bucket_name(self) -> str:
        """Physical bucket name (a token for created buckets)."""
        return self.bucket.bucket_name

    @property
    def bucket_arn(self) -> str:
        """Bucket ARN."""
        return self.bucket.bucket_arn

    @property
    def distribution(self) -> cloudfront.Distribution | None:
        """The CloudFront distribution (``cdn``), else None."""
        return self.cdn.distribution if self.cdn is not None else None

    @property
    def cdn_access_logs(self) -> logs.CfnDelivery | None:
        """CloudFront access-log delivery to the log bucket, when one was configured."""
        return self.cdn.access_logs if self.cdn is not None else None

    # -- grants -------------------------------------------------------------------------------
    def register_observability(self, watcher: Watcher) -> None:
        """Watched as a bucket: storage, and requests and errors with request metrics on; and
        its CDN's error rates."""
        watcher.watch_bucket(self)
        if self.cdn is not None:
            self.cdn.register_observability(watcher)

    def grant_read(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Read objects (and decrypt with the bucket's KMS key, if any)."""
        return self.bucket.grant_read(grantee, objects_key_pattern)

    def grant_write(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Write and delete objects."""
        return self.bucket.grant_write(grantee, objects_key_pattern)

    def grant_read_write(
        self, grantee: iam.IGrantable, objects_key_pattern: str = "*"
    ) -> iam.Grant:
        """Read, write and delete objects."""
        return self.bucket.grant_read_write(grantee, objects_key_pattern)

    def grant_put(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Put objects (no read, no delete)."""
        return self.bucket.grant_put(grantee, objects_key_pattern)

    def grant_delete(self, grantee: iam.IGrantable, objects_key_pattern: str = "*") -> iam.Grant:
        """Delete objects."""
        return self.bucket.grant_delete(grantee, objects_key_pattern)

    def grant_presigned_upload(
        self, grantee: iam.IGrantable, key_prefix: str = "uploads/"
    ) -> iam.Grant:
        """Allow ``grantee`` to sign upload URLs for keys under ``key_prefix`` only.

        A presigned URL carries its signer's permissions, so the signer gets exactly
        ``s3:PutObject`` on ``bucket/{key_prefix}*`` (plus encrypt on the bucket's KMS key):
        browsers holding the URL can then create objects there and nothing else.
        """
        require(
            isinstance(key_prefix, str) and bool(_KEY_PREFIX.fullmatch(key_prefix)),
            self._owner,
            "key_prefix",
            key_prefix,
            "a non-empty key prefix such as 'uploads/', not starting with '/' and without "
            "'*' or '?' (an empty prefix would open the whole bucket)",
        )
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["s3:PutObject"],
            resource_arns=[self.bucket.arn_for_objects(f"{key_prefix}*")],
        )
        if self.encryption_key is not None:
            self.encryption_key.grant_encrypt(grantee)
        return grant

    # -- metrics ------------------------------------------------------------------------------
    def metric_bucket_size_bytes(
        self, *, storage_type: str = "StandardStorage", period: Duration | None = None
    ) -> cloudwatch.Metric:
        """Daily storage metric ``BucketSizeBytes`` of one storage type (free, once a day)."""
        return self._storage_metric("BucketSizeBytes", storage_type, period)

    def metric_number_of_objects(self, *, period: Duration | None = None) -> cloudwatch.Metric:
        """Daily storage metric ``NumberOfObjects`` (all storage types)."""
        return self._storage_metric("NumberOfObjects", "AllStorageTypes", period)

    def metric_requests(
        self,
        metric_name: str = "AllRequests",
        *,
        statistic: str = "Sum",
        period: Duration | None = None,
    ) -> cloudwatch.Metric:
        """A request metric: ``AllRequests``, ``4xxErrors``, ``5xxErrors``, ``FirstByteLatency``...

        Needs ``metrics=True`` on a created bucket: S3 publishes request metrics only for a
        metrics configuration, here the ``EntireBucket`` one.
        """
        require(
            self.imported or self.metrics_enabled,
            self._owner,
            "metrics",
            self.metrics_enabled,
            "request metrics exist only with metrics=True",
        )
        return cloudwatch.Metric(
            namespace="AWS/S3",
            metric_name=metric_name,
            dimensions_map={"BucketName": self.bucket_name, "FilterId": ENTIRE_BUCKET_METRICS_ID},
            statistic=statistic,
            period=period or Duration.minutes(5),
        )

    def _storage_metric(
        self, metric_name: str, storage_type: str, period: Duration | None
    ) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace="AWS/S3",
            metric_name=metric_name,
            dimensions_map={"BucketName": self.bucket_name, "StorageType": storage_type},
            statistic="Average",
            period=period or Duration.days(1),
        )
