"""A Cdn's access logs: to a log bucket it creates (standard logging, from any region), or to an
existing bucket through standard logging v2 (CloudWatch vended logs, us-east-1 stacks only).

Standard logging writes with the ``awslogsdelivery`` account and an ACL, so the bucket the Cdn
creates has ACLs enabled (``BucketOwnerPreferred``: log objects still belong to the bucket
owner) and every Block Public Access flag on, and holds nothing but CloudFront logs. The only
other ACL-enabled bucket the library creates is one asked for with
``SecureBucket(cloudfront_log_destination=True)``, for the same reason.
"""

from __future__ import annotations

from typing import cast

from aws_cdk import Duration, Names, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from petplatform_constructs.platform.compliance import acknowledge
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "ACCESS_LOGS_CONSTRUCT_ID",
    "LOG_BUCKET_CONSTRUCT_ID",
    "LOG_FILE_PREFIX",
    "create_log_bucket",
    "deliver_access_logs",
]

ACCESS_LOGS_CONSTRUCT_ID = "CdnAccessLogs"
"""Construct id of the access-log delivery (``Source``, ``Destination``, ``Delivery``)."""
LOG_BUCKET_CONSTRUCT_ID = "AccessLogsBucket"
"""Construct id of the log bucket a Cdn creates (stateful: never change it)."""
LOG_FILE_PREFIX = "cloudfront/"
"""Key prefix of the log files in the created bucket."""


def create_log_bucket(scope: Construct, profile: StageProfile) -> s3.Bucket:
    """The Cdn's own log bucket: SSE-S3, TLS-only, private, retention and versioning by stage."""
    removal = profile.removal_policy
    days = Duration.days(profile.log_retention_days)
    bucket = s3.Bucket(
        scope,
        LOG_BUCKET_CONSTRUCT_ID,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        # Standard logging needs ACLs; objects written with them still belong to the owner.
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
        versioned=profile.bucket_versioning,
        lifecycle_rules=[
            s3.LifecycleRule(
                id="ExpireAccessLogs",
                expiration=days,
                noncurrent_version_expiration=days if profile.bucket_versioning else None,
                abort_incomplete_multipart_upload_after=Duration.days(1),
            )
        ],
        removal_policy=removal,
        auto_delete_objects=profile.auto_delete_objects and removal == RemovalPolicy.DESTROY,
    )
    acknowledge(
        cast(s3.CfnBucket, bucket.node.default_child),
        "AwsSolutions-S1",
        "This bucket only receives CloudFront access logs; logging its own S3 access would need "
        "yet another log bucket, and reads of the logs can be audited with CloudTrail data "
        "events.",
    )
    return bucket


def deliver_access_logs(
    scope: Construct, distribution_arn: str, log_bucket: s3.IBucket
) -> logs.CfnDelivery:
    """Standard logging v2: delivery source, S3 destination, delivery, and the bucket grant."""
    parent = Construct(scope, ACCESS_LOGS_CONSTRUCT_ID)
    name = Names.unique_resource_name(parent, max_length=60)
    source = logs.CfnDeliverySource(
        parent, "Source", name=name, log_type="ACCESS_LOGS", resource_arn=distribution_arn
    )
    destination = logs.CfnDeliveryDestination(
        parent, "Destination", name=name, destination_resource_arn=log_bucket.bucket_arn
    )
    delivery = logs.CfnDelivery(
        parent,
        "Delivery",
        delivery_source_name=name,
        delivery_destination_arn=destination.attr_arn,
    )
    delivery.add_resource_dependency(source)
    result = log_bucket.add_to_resource_policy(
        iam.PolicyStatement(
            principals=[iam.ServicePrincipal("delivery.logs.amazonaws.com")],
            actions=["s3:PutObject"],
            resources=[log_bucket.arn_for_objects("*")],
            conditions={
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": Stack.of(scope).account,
                },
                "ArnLike": {"aws:SourceArn": source.attr_arn},
            },
        )
    )
    if result.policy_dependable is not None:
        delivery.node.add_dependency(result.policy_dependable)
    return delivery
