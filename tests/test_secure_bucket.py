"""SecureBucket: safe defaults per stage, every opt-in, nag-clean, and bad input rejected."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import pytest
from aws_cdk import Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from petplatform_constructs import CdnOptions, PropError, acknowledge
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.storage.secure_bucket import (
    BucketLifecycleRule,
    CorsPolicy,
    SecureBucket,
    StorageTransition,
)
from petplatform_constructs.testing import SynthResult
from storage_support import JsonDict, bare_stack, cases, certificate, logical_id, resource

CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/1111-2222"
WEB_ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/images/3333"
UNIQUE = "-123456789012-us-east-1"
"""What a short name gets appended: the test stack's account and region (S3 names are global)."""


# -- builders ------------------------------------------------------------------------------------


def build_default(stack: Stack) -> None:
    SecureBucket(stack, "Plain")


def build_full(stack: Stack) -> None:
    """Every feature once: logs, KMS, CORS, lifecycle, metrics, public read, CDN, import, grants."""
    logs = SecureBucket(
        stack,
        "Logs",
        name="logs",
        access_log_destination=True,
        versioned=False,
        lifecycle_rules=[BucketLifecycleRule(expiration_days=30)],
    )
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    data = SecureBucket(
        stack,
        "Data",
        name="data",
        versioned=True,
        encryption_key=key,
        cors=CorsPolicy(
            allowed_origins=["https://app.example.com", "http://localhost:3000"],
            allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.PUT],
            max_age=Duration.minutes(10),
        ),
        lifecycle_rules=[
            BucketLifecycleRule(
                rule_id="Tiering",
                transitions=[
                    StorageTransition(s3.StorageClass.INFREQUENT_ACCESS, 30),
                    StorageTransition(s3.StorageClass.GLACIER, 90),
                ],
                expiration_days=365,
                noncurrent_expiration_days=30,
                abort_incomplete_multipart_days=7,
            )
        ],
        server_access_logs_bucket=logs.bucket,
        metrics=True,
        event_bridge=True,
        export_prefix="PetTest-Data",
    )
    SecureBucket(
        stack,
        "Kept",
        removal_policy=RemovalPolicy.RETAIN,
        lifecycle_rules=[BucketLifecycleRule(noncurrent_expiration_days=30)],
        server_access_logs_bucket=logs.bucket,
        server_access_logs_prefix="kept/",
    )
    SecureBucket(
        stack,
        "Public",
        bucket_name="pettest-public-assets",
        public_read=True,
        server_access_logs_bucket=logs.bucket,
    )
    SecureBucket(
        stack,
        "Cdn",
        cdn=True,
        cors=CorsPolicy(allowed_origins=["*"], allowed_methods=[s3.HttpMethods.GET]),
        server_access_logs_bucket=logs.bucket,
        custom_domain="images.example.com",
        certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN),
        cdn_geo_allowlist=["US", "DE"],
        cdn_web_acl_arn=WEB_ACL_ARN,
        export_prefix="PetTest-Cdn",
    )
    SecureBucket(
        stack,
        "CdnDefault",
        cdn=CdnOptions(
            default_certificate_reason="Test distribution with no domain; never serves users."
        ),
    )
    SecureBucket(
        stack,
        "Imported",
        existing_bucket=s3.Bucket.from_bucket_name(stack, "External", "external-bucket"),
        export_prefix="PetTest-External",
    )
    uploader = iam.Role(stack, "Uploader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    data.grant_presigned_upload(uploader)
    data.grant_read(uploader)
    # The test role's own findings: object-level grants are wildcards by nature (bucket/*).
    data_arn = f"<{stack.get_logical_id(data.bucket.node.default_child)}.Arn>"  # type: ignore[arg-type]
    policy = uploader.node.find_child("DefaultPolicy")
    for finding in (
        f"Resource::{data_arn}/uploads/*",
        f"Resource::{data_arn}/*",
        "Action::kms:ReEncrypt*",
        "Action::kms:GenerateDataKey*",
        "Action::s3:GetObject*",
        "Action::s3:GetBucket*",
        "Action::s3:List*",
    ):
        acknowledge(policy, f"AwsSolutions-IAM5[{finding}]", "test role: grants of one bucket")


@pytest.fixture(scope="module")
def default_dev(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("secure-bucket-default", build_default, stage="dev")


@pytest.fixture(scope="module")
def default_prod(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("secure-bucket-default", build_default, stage="prod")


@pytest.fixture(scope="module")
def full_dev(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("secure-bucket-full", build_full, stage="dev")


@pytest.fixture(scope="module")
def full_prod(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("secure-bucket-full", build_full, stage="prod")


# -- helpers -------------------------------------------------------------------------------------


def _bucket(result: SynthResult, construct_id: str) -> JsonDict:
    return resource(result, f"{construct_id}/Bucket/Resource")


def _statements(result: SynthResult, construct_id: str) -> list[JsonDict]:
    policy = resource(result, f"{construct_id}/Bucket/Policy/Resource")
    return policy["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


# -- defaults per stage --------------------------------------------------------------------------


@pytest.mark.checklist("000#57")
def test_default_bucket_is_private_encrypted_and_tls_only(default_dev: SynthResult) -> None:
    template = default_dev.template("Test")
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": Match.absent(),
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": BLOCK_ALL,
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "LoggingConfiguration": Match.absent(),
            "MetricsConfigurations": Match.absent(),
            "CorsConfiguration": Match.absent(),
        },
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ),
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"NumericLessThan": {"s3:TlsVersion": 1.2}},
                            }
                        ),
                    ]
                )
            }
        },
    )
    statements = _statements(default_dev, "Plain")
    assert not [s for s in statements if s["Effect"] == "Allow" and s.get("Principal") == "*"]


@pytest.mark.checklist("000#32", "000#54")
def test_dev_bucket_is_disposable_and_unversioned(default_dev: SynthResult) -> None:
    template = default_dev.template("Test")
    template.has_resource(
        "AWS::S3::Bucket",
        {
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": Match.object_like({"VersioningConfiguration": Match.absent()}),
        },
    )
    template.resource_count_is("Custom::S3AutoDeleteObjects", 1)


@pytest.mark.checklist("000#26", "000#56")
def test_prod_bucket_is_retained_and_versioned(default_prod: SynthResult) -> None:
    template = default_prod.template("Test")
    template.has_resource(
        "AWS::S3::Bucket",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like({"VersioningConfiguration": {"Status": "Enabled"}}),
        },
    )
    template.resource_count_is("Custom::S3AutoDeleteObjects", 0)


@pytest.mark.checklist("000#28")
def test_regional_domain_name_is_an_output(default_dev: SynthResult) -> None:
    outputs = default_dev.template("Test").find_outputs("*")
    bucket_id = logical_id(default_dev, "Plain/Bucket/Resource")
    assert {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]} in [
        o["Value"] for o in outputs.values()
    ]


@pytest.mark.parametrize("fixture", ["default_dev", "default_prod", "full_dev", "full_prod"])
def test_no_unacknowledged_findings(fixture: str, request: pytest.FixtureRequest) -> None:
    """cdk-nag AwsSolutions (and DataProtection in prod) pass for default and full instances."""
    result: SynthResult = request.getfixturevalue(fixture)
    assert result.error is None
    assert [str(f) for f in result.findings] == []


# -- the full-featured instance ------------------------------------------------------------------


def test_names_go_through_naming_or_stay_literal(full_dev: SynthResult) -> None:
    assert _bucket(full_dev, "Data")["Properties"]["BucketName"] == f"pettest-dev-data{UNIQUE}"
    assert _bucket(full_dev, "Logs")["Properties"]["BucketName"] == f"pettest-dev-logs{UNIQUE}"
    assert _bucket(full_dev, "Public")["Properties"]["BucketName"] == "pettest-public-assets"
    assert "BucketName" not in _bucket(full_dev, "Kept")["Properties"]


def test_kms_encryption_uses_a_bucket_key(full_dev: SynthResult) -> None:
    full_dev.template("Test").has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": f"pettest-dev-data{UNIQUE}",
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "BucketKeyEnabled": True,
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": Match.any_value(),
                        },
                    }
                ]
            },
        },
    )


@pytest.mark.checklist("000#25")
def test_cors_policy_renders_typed_rule(full_dev: SynthResult) -> None:
    full_dev.template("Test").has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": f"pettest-dev-data{UNIQUE}",
            "CorsConfiguration": {
                "CorsRules": [
                    {
                        "AllowedOrigins": ["https://app.example.com", "http://localhost:3000"],
                        "AllowedMethods": ["GET", "PUT"],
                        "AllowedHeaders": ["*"],
                        "ExposedHeaders": ["ETag"],
                        "MaxAge": 600,
                    }
                ]
            },
        },
    )


@pytest.mark.checklist("000#27")
def test_lifecycle_rule_renders_every_action(full_dev: SynthResult) -> None:
    full_dev.template("Test").has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": f"pettest-dev-data{UNIQUE}",
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "Tiering",
                        "Status": "Enabled",
                        "Transitions": [
                            {"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
                            {"StorageClass": "GLACIER", "TransitionInDays": 90},
                        ],
                        "ExpirationInDays": 365,
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    }
                ]
            },
        },
    )


def test_noncurrent_rule_is_left_out_where_the_profile_disables_versioning(
    full_dev: SynthResult, full_prod: SynthResult
) -> None:
    dev = _bucket(full_dev, "Kept")
    assert "LifecycleConfiguration" not in dev["Properties"]
    assert "VersioningConfiguration" not in dev["Properties"]
    prod = _bucket(full_prod, "Kept")["Properties"]
    assert prod["VersioningConfiguration"] == {"Status": "Enabled"}
    assert prod["LifecycleConfiguration"]["Rules"] == [
        {"NoncurrentVersionExpiration": {"NoncurrentDays": 30}, "Status": "Enabled"}
    ]


def test_explicit_removal_policy_beats_the_profile(full_dev: SynthResult) -> None:
    kept = _bucket(full_dev, "Kept")
    assert kept["DeletionPolicy"] == "Retain"
    assert (
        "Tags" not in kept["Properties"]
        or {
            "Key": "aws-cdk:auto-delete-objects",
            "Value": "true",
        }
        not in kept["Properties"]["Tags"]
    )
    # Logs, Data, Public, Cdn, CdnDefault and its CDN's log bucket auto-delete in dev; Kept
    # does not.
    full_dev.template("Test").resource_count_is("Custom::S3AutoDeleteObjects", 6)


@pytest.mark.checklist("000#60")
def test_access_logs_and_request_metrics(full_dev: SynthResult) -> None:
    logs_id = logical_id(full_dev, "Logs/Bucket/Resource")
    full_dev.template("Test").has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": f"pettest-dev-data{UNIQUE}",
            "LoggingConfiguration": {
                "DestinationBucketName": {"Ref": logs_id},
                "LogFilePrefix": "s3-access-logs/",
                "TargetObjectKeyFormat": {
                    "PartitionedPrefix": {"PartitionDateSource": "EventTime"}
                },
            },
            "MetricsConfigurations": [{"Id": "EntireBucket"}],
            "NotificationConfiguration": Match.absent(),
        },
    )
    assert _bucket(full_dev, "Kept")["Properties"]["LoggingConfiguration"]["LogFilePrefix"] == (
        "kept/"
    )
    # Delivery through the log bucket's policy, never an ACL (BucketOwnerEnforced everywhere).
    data_id = logical_id(full_dev, "Data/Bucket/Resource")
    log_statements = _statements(full_dev, "Logs")
    assert {
        "Action": "s3:PutObject",
        "Condition": {
            "ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [data_id, "Arn"]}},
            "StringEquals": {"aws:SourceAccount": "123456789012"},
        },
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [logs_id, "Arn"]}, "/s3-access-logs/*"]]},
    } in log_statements
    assert "AccessControl" not in _bucket(full_dev, "Logs")["Properties"]


def test_event_bridge_notifications(full_dev: SynthResult) -> None:
    full_dev.template("Test").has_resource_properties(
        "Custom::S3BucketNotifications",
        {"NotificationConfiguration": {"EventBridgeConfiguration": {}}},
    )


@pytest.mark.checklist("000#24")
def test_public_read_opens_the_policy_but_never_acls(full_dev: SynthResult) -> None:
    public = _bucket(full_dev, "Public")["Properties"]
    assert public["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": False,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": False,
    }
    assert public["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    public_id = logical_id(full_dev, "Public/Bucket/Resource")
    allows = [s for s in _statements(full_dev, "Public") if s["Principal"] == "*"]
    assert allows == [
        {
            "Action": "s3:GetObject",
            "Effect": "Allow",
            "Principal": "*",
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [public_id, "Arn"]}, "/*"]]},
            "Sid": "PublicReadGetObject",
        }
    ]


@pytest.mark.checklist("000#67")
def test_cdn_serves_privately_through_oac(full_dev: SynthResult) -> None:
    template = full_dev.template("Test")
    template.resource_count_is("AWS::CloudFront::Distribution", 2)
    template.resource_count_is("AWS::CloudFront::OriginAccessControl", 2)
    assert _bucket(full_dev, "Cdn")["Properties"]["PublicAccessBlockConfiguration"] == BLOCK_ALL
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "Aliases": ["images.example.com"],
                    "DefaultCacheBehavior": Match.object_like(
                        {
                            "ViewerProtocolPolicy": "redirect-to-https",
                            "AllowedMethods": ["GET", "HEAD", "OPTIONS"],
                        }
                    ),
                    "ViewerCertificate": {
                        "AcmCertificateArn": CERT_ARN,
                        "MinimumProtocolVersion": "TLSv1.2_2021",
                        "SslSupportMethod": "sni-only",
                    },
                    "Restrictions": {
                        "GeoRestriction": {
                            "Locations": ["US", "DE"],
                            "RestrictionType": "whitelist",
                        }
                    },
                    "WebACLId": WEB_ACL_ARN,
                    "PriceClass": "PriceClass_100",
                }
            )
        },
    )
    cdn_statements = _statements(full_dev, "Cdn")
    cloudfront_reads = [
        s for s in cdn_statements if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert len(cloudfront_reads) == 1
    assert cloudfront_reads[0]["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in cloudfront_reads[0]["Condition"]["StringEquals"]


def test_cdn_with_cors_keys_the_cache_on_cors_headers(full_dev: SynthResult) -> None:
    full_dev.template("Test").has_resource_properties(
        "AWS::CloudFront::CachePolicy",
        {
            "CachePolicyConfig": Match.object_like(
                {
                    "ParametersInCacheKeyAndForwardedToOrigin": Match.object_like(
                        {
                            "HeadersConfig": {
                                "HeaderBehavior": "whitelist",
                                "Headers": [
                                    "Origin",
                                    "Access-Control-Request-Method",
                                    "Access-Control-Request-Headers",
                                ],
                            }
                        }
                    )
                }
            )
        },
    )


def test_cdn_access_logs_use_standard_logging_v2(full_dev: SynthResult) -> None:
    template = full_dev.template("Test")
    template.resource_count_is("AWS::Logs::DeliverySource", 1)
    template.has_resource_properties("AWS::Logs::DeliverySource", {"LogType": "ACCESS_LOGS"})
    logs_id = logical_id(full_dev, "Logs/Bucket/Resource")
    template.has_resource_properties(
        "AWS::Logs::DeliveryDestination",
        {"DestinationResourceArn": {"Fn::GetAtt": [logs_id, "Arn"]}},
    )
    delivery = resource(full_dev, "Cdn/Default/CdnAccessLogs/Delivery")
    assert logical_id(full_dev, "Logs/Bucket/Policy/Resource") in delivery["DependsOn"]
    assert (
        next(
            s
            for s in _statements(full_dev, "Logs")
            if s.get("Principal") == {"Service": "delivery.logs.amazonaws.com"}
        )["Condition"]["StringEquals"]["s3:x-amz-acl"]
        == "bucket-owner-full-control"
    )


def test_cdn_outputs_and_exports(full_dev: SynthResult) -> None:
    template = full_dev.template("Test")
    outputs = template.find_outputs("*")
    assert {"Value": "images.example.com"}.items() <= next(
        o for k, o in outputs.items() if k.startswith("CdnDistributionAliases")
    ).items()
    template.has_output("*", {"Export": {"Name": "PetTest-Cdn-DistributionId"}})
    template.has_output("*", {"Export": {"Name": "PetTest-Data-BucketName"}})
    template.has_output("*", {"Export": {"Name": "PetTest-Data-BucketArn"}})


def test_cloudfront_resources_keep_their_logical_ids(full_dev: SynthResult) -> None:
    """The Cdn is the bucket's child ``Default``, which the CDK leaves out of logical ids."""
    assert {
        path: logical_id(full_dev, f"Cdn/Default/{path}")
        for path in (
            "Distribution/Resource",
            "Distribution/Origin1/S3OriginAccessControl/Resource",
            "CorsCachePolicy/Resource",
            "CdnAccessLogs/Delivery",
        )
    } == {  # the logical ids of Cdn/Distribution... before the Cdn construct existed
        "Distribution/Resource": "CdnDistribution149FA6C8",
        "Distribution/Origin1/S3OriginAccessControl/Resource": (
            "CdnDistributionOrigin1S3OriginAccessControlFA39EED2"
        ),
        "CorsCachePolicy/Resource": "CdnCorsCachePolicy0B7105DE",
        "CdnAccessLogs/Delivery": "CdnCdnAccessLogsDeliveryDE29E447",
    }
    outputs = full_dev.template_json("Test")["Outputs"]
    assert {
        "CdnDistributionDomainName3A88042B",
        "CdnDistributionAliases44D2FD06",
        "CdnDistributionIdOutputC7B82171",
    } <= set(outputs)


def test_import_mode_creates_nothing_but_exports(full_dev: SynthResult) -> None:
    template = full_dev.template("Test")
    # Logs, Data, Kept, Public, Cdn, CdnDefault (and its CDN's log bucket): nothing for Imported.
    template.resource_count_is("AWS::S3::Bucket", 7)
    template.has_output(
        "*", {"Value": "external-bucket", "Export": {"Name": "PetTest-External-BucketName"}}
    )


def test_presigned_upload_grant_is_put_only_on_the_prefix(full_dev: SynthResult) -> None:
    data_id = logical_id(full_dev, "Data/Bucket/Resource")
    full_dev.template("Test").has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": "s3:PutObject",
                            "Effect": "Allow",
                            "Resource": {
                                "Fn::Join": [
                                    "",
                                    [{"Fn::GetAtt": [data_id, "Arn"]}, "/uploads/*"],
                                ]
                            },
                        },
                        Match.object_like(
                            {"Action": Match.array_with(["kms:Encrypt", "kms:GenerateDataKey*"])}
                        ),
                    ]
                )
            }
        },
    )


def test_prod_retains_every_created_bucket(full_prod: SynthResult) -> None:
    template = full_prod.template("Test")
    assert all(
        bucket["DeletionPolicy"] == "Retain"
        for bucket in template.find_resources("AWS::S3::Bucket").values()
    )
    template.resource_count_is("Custom::S3AutoDeleteObjects", 0)


# -- behaviour without synthesis -----------------------------------------------------------------


def test_cdn_options_reach_the_distribution() -> None:
    stack = bare_stack()
    bucket = SecureBucket(
        stack,
        "Assets",
        cdn=CdnOptions(
            geo_allowlist=["CA"],
            price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
            response_headers_policy=cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
        ),
    )
    assert bucket.cdn is not None and bucket.distribution is bucket.cdn.distribution
    Template.from_stack(stack).has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "PriceClass": "PriceClass_All",
                    "Restrictions": {
                        "GeoRestriction": {"Locations": ["CA"], "RestrictionType": "whitelist"}
                    },
                    "DefaultCacheBehavior": Match.object_like(
                        {"ResponseHeadersPolicyId": "60669652-455b-4ae9-85a4-c4c02393f86c"}
                    ),
                }
            )
        },
    )


def test_wrapped_bucket_is_flagged_and_exports_by_attribute() -> None:
    stack = bare_stack()
    wrapped = SecureBucket(
        stack,
        "Wrapped",
        existing_bucket=s3.Bucket.from_bucket_name(stack, "Ext", "external-bucket"),
        export_prefix="PetTest-Ext",
    )
    created = SecureBucket(stack, "Created", cdn=True, export_prefix="PetTest-Created")
    assert (wrapped.imported, created.imported) == (True, False)
    assert list(wrapped.outputs) == ["BucketName", "BucketArn"]
    assert list(created.outputs) == ["BucketName", "BucketArn", "DistributionId"]
    assert wrapped.cdn is None and wrapped.distribution is None


def test_a_secure_bucket_is_accepted_as_the_log_bucket() -> None:
    stack = bare_stack()
    logs = SecureBucket(stack, "Logs", access_log_destination=True)
    SecureBucket(stack, "Data", server_access_logs_bucket=logs)
    Template.from_stack(stack).has_resource_properties(
        "AWS::S3::Bucket",
        {"LoggingConfiguration": Match.object_like({"LogFilePrefix": "s3-access-logs/"})},
    )


@pytest.mark.parametrize("region", ["eu-west-1", None])
def test_outside_us_east_1_the_cdn_logs_to_a_bucket_of_its_own(region: str | None) -> None:
    """The shared log bucket has ACLs disabled, and standard logging v2 needs us-east-1."""
    stack = bare_stack(region)
    logs = SecureBucket(stack, "Logs", access_log_destination=True)
    cdn = SecureBucket(stack, "Cdn", cdn=True, server_access_logs_bucket=logs.bucket)
    assert cdn.cdn is not None and cdn.cdn_access_logs is None
    assert cdn.cdn.log_bucket is not None and cdn.cdn.log_bucket is not logs.bucket
    assert cdn.cdn.node.try_find_child("AccessLogsBucket") is not None


@pytest.mark.parametrize("region", ["eu-west-1", None])
def test_a_cloudfront_log_destination_takes_the_cdns_standard_logs(region: str | None) -> None:
    stack = bare_stack(region)
    logs = SecureBucket(stack, "Logs", access_log_destination=True, cloudfront_log_destination=True)
    cdn = SecureBucket(stack, "Cdn", cdn=True, server_access_logs_bucket=logs.bucket)
    assert cdn.cdn is not None and cdn.cdn.log_bucket is logs.bucket
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::S3::Bucket", 2)
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}},
    )
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {"Logging": Match.object_like({"Prefix": "cloudfront/"})}
            )
        },
    )


def test_a_cloudfront_log_destination_is_an_access_log_destination() -> None:
    stack = bare_stack()
    with pytest.raises(PropError, match=r"cloudfront_log_destination=True; needs access_log_dest"):
        SecureBucket(stack, "Logs", cloudfront_log_destination=True)


def test_metric_helpers() -> None:
    stack = bare_stack()
    bucket = SecureBucket(stack, "Data", metrics=True)
    size = bucket.metric_bucket_size_bytes()
    assert (size.namespace, size.metric_name, size.statistic) == (
        "AWS/S3",
        "BucketSizeBytes",
        "Average",
    )
    assert size.period.to_days() == 1
    assert stack.resolve(size.dimensions)["StorageType"] == "StandardStorage"
    errors = bucket.metric_requests("5xxErrors")
    assert stack.resolve(errors.dimensions)["FilterId"] == "EntireBucket"
    assert bucket.metric_number_of_objects().metric_name == "NumberOfObjects"
    no_metrics = SecureBucket(stack, "Quiet")
    with pytest.raises(PropError, match=r"metrics=False; request metrics exist only"):
        no_metrics.metric_requests()


# -- bad input -----------------------------------------------------------------------------------


def _cors(**overrides: Any) -> CorsPolicy:
    values: dict[str, Any] = {"allowed_origins": ["*"], "allowed_methods": [s3.HttpMethods.GET]}
    values.update(overrides)
    return CorsPolicy(**values)


def _key(stack: Stack) -> kms.IKey:
    return kms.Key(stack, "Key")


def _ia(storage_class: s3.StorageClass, days: int) -> list[BucketLifecycleRule]:
    return [BucketLifecycleRule(transitions=[StorageTransition(storage_class, days)])]


BAD_INPUTS: list[tuple[str, Callable[[Stack], dict[str, Any]], str]] = [
    (
        "both names",
        lambda s: {"name": "data", "bucket_name": "x-data"},
        r"bucket_name='x-data'; give either name='data'",
    ),
    ("underscore", lambda s: {"bucket_name": "my_bucket"}, r"bucket_name='my_bucket'.*lowercase"),
    ("uppercase", lambda s: {"bucket_name": "MyBucket"}, r"bucket_name='MyBucket'"),
    (
        "short name",
        lambda s: {"name": "Images_1"},
        r"name='Images_1'; the naming strategy produced 'pettest-dev-Images_1'",
    ),
    (
        "import + props",
        lambda s: {
            "existing_bucket": s3.Bucket.from_bucket_name(s, "Ext", "ext"),
            "cors": _cors(),
            "versioned": True,
        },
        r"existing_bucket=.*remove cors, versioned or drop existing_bucket",
    ),
    (
        "cors without origins",
        lambda s: {"cors": _cors(allowed_origins=[])},
        r"cors\[0\]\.allowed_origins=\[\]; at least one origin",
    ),
    (
        "cors origins as one string",
        lambda s: {"cors": _cors(allowed_origins="https://app.example.com")},
        r"cors\[0\]\.allowed_origins='https://app.example.com'; a list or tuple",
    ),
    (
        "cors without methods",
        lambda s: {"cors": _cors(allowed_methods=[])},
        r"cors\[0\]\.allowed_methods=\[\]",
    ),
    (
        "cors origin with path",
        lambda s: {"cors": _cors(allowed_origins=["https://app.example.com/"])},
        r"allowed_origins='https://app.example.com/'; https://host\[:port\]",
    ),
    (
        "cors origin over plain http",
        lambda s: {"cors": _cors(allowed_origins=["http://staging.example.com"])},
        r"allowed_origins='http://staging.example.com'; https://host",
    ),
    (
        "cors wildcard with other origins",
        lambda s: {"cors": _cors(allowed_origins=["*", "https://app.example.com"])},
        r"allowed_origins=\['\*', 'https://app.example.com'\]; '\*' allows every origin",
    ),
    (
        "cors header with two wildcards",
        lambda s: {"cors": _cors(allowed_headers=["x-*-*"])},
        r"cors\[0\]\.allowed_headers='x-\*-\*'; at most one '\*' each",
    ),
    (
        "cors header with a space",
        lambda s: {"cors": _cors(exposed_headers=["E Tag"])},
        r"cors\[0\]\.exposed_headers='E Tag'; HTTP header names",
    ),
    (
        "expiration before transition",
        lambda s: {
            "lifecycle_rules": [
                BucketLifecycleRule(
                    transitions=[StorageTransition(s3.StorageClass.INTELLIGENT_TIERING, 90)],
                    expiration_days=60,
                )
            ]
        },
        r"lifecycle_rules\[0\]\.expiration_days=60; expiration must come after",
    ),
    (
        "expiration equal to transition",
        lambda s: {
            "lifecycle_rules": [
                BucketLifecycleRule(
                    transitions=[StorageTransition(s3.StorageClass.GLACIER, 30)],
                    expiration_days=30,
                )
            ]
        },
        r"lifecycle_rules\[0\]\.expiration_days=30",
    ),
    (
        "IA before 30 days",
        lambda s: {"lifecycle_rules": _ia(s3.StorageClass.INFREQUENT_ACCESS, 10)},
        r"transitions\[STANDARD_IA\]\.after_days=10; .*at least 30 days",
    ),
    (
        "one-zone IA before 30 days",
        lambda s: {"lifecycle_rules": _ia(s3.StorageClass.ONE_ZONE_INFREQUENT_ACCESS, 29)},
        r"transitions\[ONEZONE_IA\]\.after_days=29",
    ),
    (
        "negative transition",
        lambda s: {"lifecycle_rules": _ia(s3.StorageClass.GLACIER, -1)},
        r"transitions\[GLACIER\]\.after_days=-1; days must be >= 0",
    ),
    (
        "storage class as a string",
        lambda s: {"lifecycle_rules": _ia("GLACIER", 30)},  # type: ignore[arg-type]
        r"transitions\[0\]\.storage_class='GLACIER'; an s3.StorageClass \(got str\)",
    ),
    (
        "rule id as a number",
        lambda s: {"lifecycle_rules": [BucketLifecycleRule(rule_id=1, expiration_days=1)]},  # type: ignore[arg-type]
        r"lifecycle_rules\[0\]\.rule_id=1; a string \(got int\)",
    ),
    (
        "one storage class twice",
        lambda s: {
            "lifecycle_rules": [
                BucketLifecycleRule(
                    transitions=[
                        StorageTransition(s3.StorageClass.GLACIER, 30),
                        StorageTransition(s3.StorageClass.GLACIER, 60),
                    ]
                )
            ]
        },
        r"lifecycle_rules\[0\]\.transitions='GLACIER'; each storage class at most once",
    ),
    (
        "zero days",
        lambda s: {"lifecycle_rules": [BucketLifecycleRule(expiration_days=0)]},
        r"lifecycle_rules\[0\]\.expiration_days=0; days must be >= 1",
    ),
    (
        "empty rule",
        lambda s: {"lifecycle_rules": [BucketLifecycleRule(rule_id="Nothing")]},
        r"lifecycle_rules\[0\]=.*at least one action",
    ),
    (
        "noncurrent without versioning",
        lambda s: {
            "versioned": False,
            "lifecycle_rules": [BucketLifecycleRule(noncurrent_expiration_days=30)],
        },
        r"noncurrent_expiration_days=30; noncurrent versions exist only in versioned",
    ),
    (
        "public_read + cdn",
        lambda s: {"public_read": True, "cdn": True},
        r"public_read=True; public_read and cdn contradict",
    ),
    (
        "public_read + kms",
        lambda s: {"public_read": True, "encryption_key": _key(s)},
        r"public_read=True; anonymous readers cannot decrypt",
    ),
    (
        "custom domain without cdn",
        lambda s: {"custom_domain": "images.example.com"},
        r"custom_domain='images.example.com'; needs cdn=True",
    ),
    (
        "custom domain without certificate",
        lambda s: {"cdn": True, "custom_domain": "images.example.com"},
        r"certificate=None; custom_domain='images.example.com' needs an ACM certificate",
    ),
    (
        "certificate without custom domain",
        lambda s: {"cdn": True, "certificate": certificate(s)},
        r"custom_domain=None; a certificate was given without custom_domain",
    ),
    (
        "custom domain in uppercase",
        lambda s: {
            "cdn": True,
            "custom_domain": "Images.Example.com",
            "certificate": certificate(s),
        },
        r"custom_domain='Images.Example.com'; a lowercase DNS name",
    ),
    (
        "certificate outside us-east-1",
        lambda s: {
            "cdn": True,
            "custom_domain": "images.example.com",
            "certificate": certificate(s, "eu-west-1"),
        },
        r"certificate='arn:aws:acm:eu-west-1.*CloudFront uses ACM certificates from us-east-1",
    ),
    (
        "bad country",
        lambda s: {"cdn": True, "cdn_geo_allowlist": ["usa"]},
        r"cdn_geo_allowlist='usa'; ISO 3166-1 alpha-2",
    ),
    (
        "regional web acl",
        lambda s: {
            "cdn": True,
            "cdn_web_acl_arn": "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1",
        },
        r"cdn_web_acl_arn='arn:aws:wafv2:eu-west-1.*CLOUDFRONT scope",
    ),
    (
        "bad country in the cdn options",
        lambda s: {"cdn": CdnOptions(geo_allowlist=["usa"])},
        r"cdn\.geo_allowlist='usa'; ISO 3166-1 alpha-2",
    ),
    (
        "unknown cdn option",
        lambda s: {"cdn": {"geo_allow": ["US"]}},
        r"cdn\.geo_allow=\['US'\]; not a prop of CdnOptions",
    ),
    (
        "cdn option given twice",
        lambda s: {
            "cdn": CdnOptions(price_class=cloudfront.PriceClass.PRICE_CLASS_ALL),
            "cdn_price_class": cloudfront.PriceClass.PRICE_CLASS_200,
        },
        r"cdn_price_class=.*cdn\.price_class is given too; give it once",
    ),
    (
        "auto-delete a retained bucket",
        lambda s: {"auto_delete_objects": True, "removal_policy": RemovalPolicy.RETAIN},
        r"auto_delete_objects=True; .*RemovalPolicy.DESTROY",
    ),
    (
        "log prefix without log bucket",
        lambda s: {"server_access_logs_prefix": "logs/"},
        r"server_access_logs_prefix='logs/'; needs server_access_logs_bucket",
    ),
    (
        "KMS log destination",
        lambda s: {"access_log_destination": True, "encryption_key": _key(s)},
        r"invalid encryption_key=.*access-log destination must stay",
    ),
    (
        "log destination behind a cdn",
        lambda s: {"access_log_destination": True, "cdn": True},
        r"invalid cdn=True; an access-log destination must stay",
    ),
    (
        "log to a KMS bucket",
        lambda s: {
            "server_access_logs_bucket": s3.Bucket(s, "KmsLogs", encryption_key=_key(s)),
        },
        r"server_access_logs_bucket='Test/KmsLogs'; S3 delivers server access logs only",
    ),
    ("bad export prefix", lambda s: {"export_prefix": "pet_test"}, r"export_prefix='pet_test'"),
]


@pytest.mark.parametrize(("props", "message"), cases(BAD_INPUTS))
def test_bad_input_is_rejected(props: Callable[[Stack], dict[str, Any]], message: str) -> None:
    """Each bad input is one problem, naming the bucket, the prop and what is allowed."""
    stack = bare_stack()
    with pytest.raises(PropError) as raised:
        SecureBucket(stack, "Bucket", **props(stack))
    assert not isinstance(raised.value, PropErrors), str(raised.value)
    assert raised.value.owner == "SecureBucket Test/Bucket"
    assert re.search(message, str(raised.value)), str(raised.value)


WRONG_TYPES: list[tuple[str, dict[str, Any], str]] = [
    ("string as flag", {"versioned": "yes"}, r"versioned='yes'; expected bool \(got str\)"),
    (
        "string as cors",
        {"cors": "https://app.example.com"},
        r"cors='https://app.example.com'; expected CorsPolicy or a list of CorsPolicy \(got str\)",
    ),
    (
        "one rule where a list is expected",
        {"lifecycle_rules": BucketLifecycleRule(expiration_days=1)},
        r"lifecycle_rules=.*expected a list of BucketLifecycleRule \(got BucketLifecycleRule\)",
    ),
    (
        "key alias instead of a key",
        {"encryption_key": "alias/mine"},
        r"encryption_key='alias/mine'; expected kms\.IKey \(got str\)",
    ),
    ("string as cdn", {"cdn": "yes"}, r"cdn='yes'; expected bool or CdnOptions \(got str\)"),
    (
        "string as country list",
        {"cdn": True, "cdn_geo_allowlist": "US"},
        r"cdn_geo_allowlist='US'; expected a list of str \(got str\)",
    ),
    (
        "bucket name instead of a bucket",
        {"server_access_logs_bucket": "logs"},
        r"server_access_logs_bucket='logs'; expected s3\.IBucket or HasBucket \(got str\)",
    ),
    ("misspelled prop", {"versionned": True}, r"versionned=True; not a prop of SecureBucket"),
]


@pytest.mark.parametrize(("props", "message"), cases(WRONG_TYPES))
def test_wrong_python_types_raise_prop_error_naming_the_prop(
    props: dict[str, Any], message: str
) -> None:
    with pytest.raises(PropError, match=message) as raised:
        SecureBucket(bare_stack(), "Typed", **props)
    assert not isinstance(raised.value, PropErrors), str(raised.value)


def test_a_single_cors_policy_and_wildcard_subdomains_are_accepted() -> None:
    stack = bare_stack()
    SecureBucket(
        stack,
        "Assets",
        cors=CorsPolicy(
            allowed_origins=["https://*.example.com", "http://127.0.0.1:8080"],
            allowed_methods=(s3.HttpMethods.GET,),
        ),
    )
    rules = Template.from_stack(stack).find_resources("AWS::S3::Bucket")
    (bucket,) = rules.values()
    assert bucket["Properties"]["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"] == [
        "https://*.example.com",
        "http://127.0.0.1:8080",
    ]


def test_every_invalid_prop_is_reported_in_one_error() -> None:
    with pytest.raises(PropErrors) as raised:
        SecureBucket(
            bare_stack(),
            "Bad",
            bucket_name="Bad_Name",
            versioned="yes",  # type: ignore[typeddict-item]
            cors=_cors(allowed_origins=["http://staging.example.com"]),
            lifecycle_rules=[BucketLifecycleRule(expiration_days=0)],
            public_read=True,
            cdn=True,
            cdn_geo_allowlist=["usa"],
        )
    assert [error.prop for error in raised.value.errors] == [
        "versioned",
        "bucket_name",
        "public_read",
        "cors[0].allowed_origins",
        "lifecycle_rules[0].expiration_days",
        "cdn_geo_allowlist",
    ]
    assert str(raised.value).startswith("SecureBucket Test/Bad: 6 invalid props:")


def test_two_buckets_with_one_physical_name_fail_at_synth() -> None:
    stack = bare_stack()
    SecureBucket(stack, "First", bucket_name="pettest-shared")
    other = Stack(stack.node.root, "Other", env=Environment(region="eu-west-1"))
    with pytest.raises(PropError, match=r"'pettest-shared'; a unique S3 bucket name: Test/First"):
        SecureBucket(other, "Second", bucket_name="pettest-shared")


@pytest.mark.parametrize("prefix", ["", "/uploads/", "uploads/*"])
def test_presigned_upload_prefix_must_scope_the_grant(prefix: str) -> None:
    stack = bare_stack()
    bucket = SecureBucket(stack, "Data")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(PropError, match=re.escape(f"key_prefix={prefix!r}")):
        bucket.grant_presigned_upload(role, prefix)


# -- global names: suffixed with the account and region unless literal -------------------------


def _name(bucket: SecureBucket) -> object:
    cfn = cast(s3.CfnBucket, bucket.bucket.node.default_child)
    return Stack.of(bucket).resolve(cfn.bucket_name)


def test_a_short_name_gets_the_deploy_time_account_and_region() -> None:
    stack = bare_stack(region=None)  # an environment-agnostic stack, like the quickstart's
    images = SecureBucket(stack, "Images", name="images")
    exact = SecureBucket(stack, "Exact", bucket_name="listbackup-data-dev")
    account, region = {"Ref": "AWS::AccountId"}, {"Ref": "AWS::Region"}
    assert _name(images) == {"Fn::Join": ["", ["pettest-dev-images-", account, "-", region]]}
    assert _name(exact) == "listbackup-data-dev"  # a literal stays exact


def test_the_same_short_name_in_two_regions_is_two_buckets() -> None:
    stack = bare_stack()
    SecureBucket(stack, "Images", name="images")
    env = Environment(account="123456789012", region="eu-west-1")
    other = SecureBucket(Stack(stack.node.root, "Other", env=env), "Images", name="images")
    assert _name(other) == "pettest-dev-images-123456789012-eu-west-1"


def test_a_short_name_too_long_with_the_suffix_is_refused_naming_the_prop() -> None:
    stack = bare_stack(region=None)
    name = "x" * 30  # fits S3's 63 characters alone, not with the account and the longest region
    with pytest.raises(PropError, match=r"name='x{30}'; with the account and region appended"):
        SecureBucket(stack, "Long", name=name)
