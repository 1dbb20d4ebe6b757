"""ImageBuckets: HomeForPup's S3 stack (000#23-32, 000#57, 000#60) in every stage and mode."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

import pytest
from aws_cdk import Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from petplatform_constructs import CdnOptions, PropError, acknowledge
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.storage.image_buckets import ImageBuckets
from petplatform_constructs.testing import SynthResult
from storage_support import JsonDict, at_path, bare_stack, cases

CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/4444-5555"
ROLES = ("Images", "Uploads", "AccessLogs")
UNIQUE = "-123456789012-us-east-1"
"""What a short name gets appended: the test stack's account and region (S3 names are global)."""


# -- builders ------------------------------------------------------------------------------------


def build_default(stack: Stack) -> None:
    ImageBuckets(stack, "S3")


def build_public(stack: Stack) -> None:
    ImageBuckets(stack, "S3", public_read=True, export_prefix="HomeForPup")


def build_cdn(stack: Stack) -> None:
    """Fully featured: CDN with custom domain, KMS, origins, exports and every grant."""
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    buckets = ImageBuckets(
        stack,
        "S3",
        cdn=True,
        custom_domain="images.homeforpup.example",
        certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN),
        cors_origins=["https://homeforpup.example"],
        encryption_key=key,
        export_prefix="HomeForPup",
    )
    api = iam.Role(stack, "Api", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    processor = iam.Role(
        stack, "Processor", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
    )
    buckets.grant_upload(api)
    buckets.grant_read_images(api)
    buckets.grant_process_uploads(processor)
    _acknowledge_test_roles(stack, buckets, api, processor)


def build_minimal(stack: Stack) -> None:
    ImageBuckets(stack, "S3", image_name=None, upload_name=None, access_logs=False, metrics=False)


def _acknowledge_test_roles(stack: Stack, buckets: ImageBuckets, *roles: iam.Role) -> None:
    """The test roles' own IAM5 findings: object grants are ``bucket/*`` wildcards by nature."""
    arns = [
        f"<{stack.get_logical_id(b.bucket.node.default_child)}.Arn>"  # type: ignore[arg-type]
        for b in (buckets.image_bucket, buckets.upload_bucket)
    ]
    findings = [
        *(f"Resource::{arn}/*" for arn in arns),
        f"Resource::{arns[1]}/uploads/*",
        *(
            f"Action::{action}"
            for action in (
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "s3:GetObject*",
                "s3:GetBucket*",
                "s3:List*",
                "s3:DeleteObject*",
                "s3:Abort*",
            )
        ),
    ]
    for role in roles:
        for finding in findings:
            acknowledge(
                role.node.find_child("DefaultPolicy"),
                f"AwsSolutions-IAM5[{finding}]",
                "test role: grants scoped to the image and upload buckets",
            )


def _suffixed(stage: str) -> Naming:
    return Naming.suffixed(stage)


@pytest.fixture(scope="module")
def synth(stack_synth: Callable[..., SynthResult]) -> Callable[..., SynthResult]:
    """``synth(mode, stage)``: one synthesis per mode and stage for the whole session."""
    builders = {
        "default": (build_default, None),
        "public": (build_public, _suffixed),
        "cdn": (build_cdn, None),
        "minimal": (build_minimal, None),
    }

    def run(mode: str, stage: str) -> SynthResult:
        builder, naming = builders[mode]
        return stack_synth(
            f"image-buckets-{mode}",
            builder,
            stage=stage,
            naming=naming(stage) if naming else None,
        )

    return run


SYNTHS = [
    ("default", "dev"),
    ("default", "staging"),
    ("default", "prod"),
    ("public", "dev"),
    ("public", "prod"),
    ("cdn", "dev"),
    ("cdn", "prod"),
    ("minimal", "dev"),
]


# -- helpers -------------------------------------------------------------------------------------


def _bucket(result: SynthResult, role: str) -> JsonDict:
    return at_path(result, f"S3/{role}/Bucket/Resource")[1]


def _props(result: SynthResult, role: str) -> JsonDict:
    return _bucket(result, role)["Properties"]  # type: ignore[no-any-return]


def _statements(result: SynthResult, role: str) -> list[JsonDict]:
    policy = at_path(result, f"S3/{role}/Bucket/Policy/Resource")[1]
    return policy["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


def _lifecycle(result: SynthResult, role: str) -> list[JsonDict]:
    return _props(result, role)["LifecycleConfiguration"]["Rules"]  # type: ignore[no-any-return]


# -- compliance ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "stage"), SYNTHS)
def test_no_unacknowledged_findings(
    synth: Callable[..., SynthResult], mode: str, stage: str
) -> None:
    """cdk-nag AwsSolutions everywhere; DataProtection too in staging and prod."""
    result = synth(mode, stage)
    assert result.error is None
    assert [str(f) for f in result.findings] == []


@pytest.mark.checklist("000#57")
@pytest.mark.parametrize("role", ROLES)
def test_every_bucket_is_encrypted_and_tls_only(
    synth: Callable[..., SynthResult], role: str
) -> None:
    result = synth("default", "prod")
    sse = _props(result, role)["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert {
        "Effect": "Deny",
        "Action": "s3:*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }.items() <= _statements(result, role)[0].items()


# -- structure -----------------------------------------------------------------------------------


@pytest.mark.checklist("000#23")
def test_image_upload_and_log_buckets(synth: Callable[..., SynthResult]) -> None:
    synth("default", "dev").template("Test").resource_count_is("AWS::S3::Bucket", 3)


@pytest.mark.checklist("000#23")
def test_exactly_two_buckets_without_access_logs(synth: Callable[..., SynthResult]) -> None:
    result = synth("minimal", "dev")
    template = result.template("Test")
    template.resource_count_is("AWS::S3::Bucket", 2)
    for role in ("Images", "Uploads"):
        props = _props(result, role)
        assert "BucketName" not in props  # generated names (conflict 7)
        assert "LoggingConfiguration" not in props
        assert "MetricsConfigurations" not in props


@pytest.mark.checklist("000#53", "000#55", "000#56")
@pytest.mark.parametrize(("stage", "suffix"), [("dev", ""), ("prod", "-prod")])
def test_short_names_follow_the_naming_strategy(
    synth: Callable[..., SynthResult], stage: str, suffix: str
) -> None:
    result = synth("public", stage)
    assert _props(result, "Images")["BucketName"] == f"images{suffix}{UNIQUE}"
    assert _props(result, "Uploads")["BucketName"] == f"uploads{suffix}{UNIQUE}"
    assert _props(result, "AccessLogs")["BucketName"] == f"access-logs{suffix}{UNIQUE}"


def test_default_naming_is_service_stage_resource(synth: Callable[..., SynthResult]) -> None:
    assert _props(synth("default", "staging"), "Images")["BucketName"] == (
        f"pettest-staging-images{UNIQUE}"
    )


# -- image bucket --------------------------------------------------------------------------------


@pytest.mark.checklist("000#25")
def test_image_cors_for_web_uploads(synth: Callable[..., SynthResult]) -> None:
    synth("default", "dev").template("Test").has_resource_properties(
        "AWS::S3::Bucket",
        {
            "BucketName": f"pettest-dev-images{UNIQUE}",
            "CorsConfiguration": {
                "CorsRules": [
                    Match.object_like(
                        {
                            "AllowedMethods": ["GET", "PUT", "POST", "HEAD"],
                            "AllowedOrigins": ["*"],
                            "AllowedHeaders": ["*"],
                        }
                    )
                ]
            },
        },
    )


@pytest.mark.checklist("000#26", "000#64")
@pytest.mark.parametrize(
    ("stage", "versioned"), [("dev", False), ("staging", True), ("prod", True)]
)
def test_image_versioning_only_in_prod_like_stages(
    synth: Callable[..., SynthResult], stage: str, versioned: bool
) -> None:
    props = _props(synth("default", stage), "Images")
    assert props.get("VersioningConfiguration") == ({"Status": "Enabled"} if versioned else None)


@pytest.mark.checklist("000#27")
def test_image_lifecycle_per_stage(synth: Callable[..., SynthResult]) -> None:
    base = {
        "Id": "OptimizeImageStorage",
        "Status": "Enabled",
        "Transitions": [{"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 90}],
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    }
    # Noncurrent versions exist only where the bucket is versioned.
    assert _lifecycle(synth("default", "dev"), "Images") == [base]
    assert _lifecycle(synth("default", "prod"), "Images") == [
        {**base, "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}
    ]


@pytest.mark.checklist("000#24")
def test_public_read_mode(synth: Callable[..., SynthResult]) -> None:
    result = synth("public", "dev")
    assert _props(result, "Images")["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": False,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": False,
    }
    image_id, _ = at_path(result, "S3/Images/Bucket/Resource")
    result.template("Test").has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": image_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Sid": "PublicReadGetObject",
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Resource": {
                                "Fn::Join": ["", [{"Fn::GetAtt": [image_id, "Arn"]}, "/*"]]
                            },
                        }
                    ]
                )
            },
        },
    )
    result.template("Test").resource_count_is("AWS::CloudFront::Distribution", 0)


@pytest.mark.checklist("000#24", "000#67")
def test_private_by_default(synth: Callable[..., SynthResult]) -> None:
    result = synth("default", "dev")
    for role in ROLES:
        assert _props(result, role)["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert not [
            s for s in _statements(result, role) if s["Effect"] == "Allow" and s["Principal"] == "*"
        ]


@pytest.mark.checklist("000#67", "000#28")
@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_cdn_mode(synth: Callable[..., SynthResult], stage: str) -> None:
    result = synth("cdn", stage)
    template = result.template("Test")
    template.resource_count_is("AWS::CloudFront::Distribution", 1)
    template.resource_count_is("AWS::CloudFront::OriginAccessControl", 1)
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": Match.object_like(
                {
                    "Aliases": ["images.homeforpup.example"],
                    "ViewerCertificate": Match.object_like(
                        {"MinimumProtocolVersion": "TLSv1.2_2021", "SslSupportMethod": "sni-only"}
                    ),
                }
            )
        },
    )
    assert _props(result, "Images")["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True
    template.has_output("*", {"Value": "images.homeforpup.example"})
    # The key policy lets CloudFront decrypt KMS-encrypted images (OAC).
    template.has_resource_properties(
        "AWS::KMS::Key",
        {
            "KeyPolicy": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Principal": {"Service": "cloudfront.amazonaws.com"},
                                "Action": "kms:Decrypt",
                            }
                        )
                    ]
                )
            }
        },
    )
    # CloudFront access logs land in the access-log bucket (standard logging v2).
    logs_id, _ = at_path(result, "S3/AccessLogs/Bucket/Resource")
    template.has_resource_properties(
        "AWS::Logs::DeliveryDestination",
        {"DestinationResourceArn": {"Fn::GetAtt": [logs_id, "Arn"]}},
    )


@pytest.mark.checklist("000#28")
def test_regional_domain_name_output(synth: Callable[..., SynthResult]) -> None:
    result = synth("default", "dev")
    image_id, _ = at_path(result, "S3/Images/Bucket/Resource")
    result.template("Test").has_output(
        "*", {"Value": {"Fn::GetAtt": [image_id, "RegionalDomainName"]}}
    )


# -- upload bucket -------------------------------------------------------------------------------


@pytest.mark.checklist("000#29", "000#57")
def test_upload_bucket_is_private(synth: Callable[..., SynthResult]) -> None:
    result = synth("public", "prod")  # even when the image bucket is public
    assert _props(result, "Uploads")["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert not [
        s
        for s in _statements(result, "Uploads")
        if s["Principal"] == "*" and s["Effect"] == "Allow"
    ]


@pytest.mark.checklist("000#30", "000#31")
@pytest.mark.parametrize("stage", ["dev", "staging", "prod"])
def test_uploads_expire_after_seven_days_and_are_never_versioned(
    synth: Callable[..., SynthResult], stage: str
) -> None:
    result = synth("default", stage)
    assert _lifecycle(result, "Uploads") == [
        {
            "Id": "ExpireTemporaryUploads",
            "Status": "Enabled",
            "ExpirationInDays": 7,
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }
    ]
    assert "VersioningConfiguration" not in _props(result, "Uploads")


def test_upload_cors_allows_browser_puts(synth: Callable[..., SynthResult]) -> None:
    rules = _props(synth("cdn", "dev"), "Uploads")["CorsConfiguration"]["CorsRules"]
    assert rules[0]["AllowedMethods"] == ["PUT", "POST"]
    assert rules[0]["AllowedOrigins"] == ["https://homeforpup.example"]


# -- stage behaviour -----------------------------------------------------------------------------


@pytest.mark.checklist("000#32", "000#54")
def test_dev_buckets_are_destroyed_and_emptied(synth: Callable[..., SynthResult]) -> None:
    template = synth("default", "dev").template("Test")
    template.resource_count_is("Custom::S3AutoDeleteObjects", 3)  # one per bucket
    for bucket in template.find_resources("AWS::S3::Bucket").values():
        assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Delete", "Delete")


@pytest.mark.checklist("000#32", "000#56")
@pytest.mark.parametrize("stage", ["staging", "prod"])
def test_prod_like_buckets_are_retained(synth: Callable[..., SynthResult], stage: str) -> None:
    template = synth("default", stage).template("Test")
    template.resource_count_is("Custom::S3AutoDeleteObjects", 0)
    buckets = template.find_resources("AWS::S3::Bucket")
    assert len(buckets) == 3
    for bucket in buckets.values():
        assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")


# -- access logs and metrics ---------------------------------------------------------------------


@pytest.mark.checklist("000#60")
@pytest.mark.parametrize("role", ["Images", "Uploads"])
def test_access_logs_and_metrics_on_image_and_upload(
    synth: Callable[..., SynthResult], role: str
) -> None:
    result = synth("default", "prod")
    logs_id, _ = at_path(result, "S3/AccessLogs/Bucket/Resource")
    props = _props(result, role)
    assert props["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logs_id}
    assert props["MetricsConfigurations"] == [{"Id": "EntireBucket"}]


@pytest.mark.parametrize(("stage", "days"), [("dev", 7), ("staging", 30), ("prod", 365)])
def test_log_bucket_expires_logs_by_stage(
    synth: Callable[..., SynthResult], stage: str, days: int
) -> None:
    result = synth("default", stage)
    props = _props(result, "AccessLogs")
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == days
    # versioned in prod-like stages; old versions expire after the same retention
    if stage == "dev":
        assert "VersioningConfiguration" not in props
        assert "NoncurrentVersionExpiration" not in rule
    else:
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}
        assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": days}
    assert "LoggingConfiguration" not in props  # it would log into itself
    assert "MetricsConfigurations" not in props


# -- grants and exports --------------------------------------------------------------------------


def _policy_statements(result: SynthResult, role_id: str) -> list[JsonDict]:
    for resource in result.template_json("Test")["Resources"].values():
        if (
            resource.get("Metadata", {}).get("aws:cdk:path")
            == f"Test/{role_id}/DefaultPolicy/Resource"
        ):
            return resource["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]
    raise LookupError(role_id)


def test_grant_upload_is_put_only_under_the_prefix(synth: Callable[..., SynthResult]) -> None:
    result = synth("cdn", "dev")
    uploads_id, _ = at_path(result, "S3/Uploads/Bucket/Resource")
    statements = _policy_statements(result, "Api")
    assert {
        "Action": "s3:PutObject",
        "Effect": "Allow",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [uploads_id, "Arn"]}, "/uploads/*"]]},
    } in statements
    actions = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert not {"s3:DeleteObject*", "s3:PutObject*", "s3:*"} & actions


def test_grant_process_uploads(synth: Callable[..., SynthResult]) -> None:
    result = synth("cdn", "dev")
    images_id, _ = at_path(result, "S3/Images/Bucket/Resource")
    uploads_id, _ = at_path(result, "S3/Uploads/Bucket/Resource")
    statements = _policy_statements(result, "Processor")
    by_resource: dict[str, set[str]] = {}
    for statement in statements:
        resources = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        for resource in resources:
            by_resource.setdefault(repr(resource), set()).update(actions)
    uploads_objects = repr({"Fn::Join": ["", [{"Fn::GetAtt": [uploads_id, "Arn"]}, "/*"]]})
    images_objects = repr({"Fn::Join": ["", [{"Fn::GetAtt": [images_id, "Arn"]}, "/*"]]})
    assert {"s3:GetObject*", "s3:DeleteObject*"} <= by_resource[uploads_objects]
    assert "s3:PutObject" in by_resource[images_objects]
    assert not {"s3:GetObject*", "s3:DeleteObject*"} & by_resource[images_objects]


def test_exports(synth: Callable[..., SynthResult]) -> None:
    template = synth("cdn", "prod").template("Test")
    for role in ROLES:
        template.has_output("*", {"Export": {"Name": f"HomeForPup-{role}-BucketName"}})
        template.has_output("*", {"Export": {"Name": f"HomeForPup-{role}-BucketArn"}})
    template.has_output("*", {"Export": {"Name": "HomeForPup-Images-DistributionId"}})


# -- construction-only behaviour -----------------------------------------------------------------


def test_attributes() -> None:
    stack = bare_stack()
    buckets = ImageBuckets(stack, "S3", cdn=True)
    assert buckets.cdn is buckets.image_bucket.cdn is not None
    assert buckets.distribution is buckets.cdn.distribution
    assert buckets.log_bucket is not None
    assert buckets.buckets == (buckets.image_bucket, buckets.upload_bucket, buckets.log_bucket)
    assert isinstance(buckets.image_bucket.bucket, s3.Bucket)


def test_a_literal_name_replaces_the_default_short_name() -> None:
    stack = bare_stack()
    literal = ImageBuckets(
        stack, "Literal", image_bucket_name="hfp-images-123", upload_name=None, access_logs=False
    )
    assert literal.log_bucket is None
    assert literal.cdn is None and literal.distribution is None
    names = {
        bucket.node.id: stack.resolve(
            cast(s3.CfnBucket, bucket.bucket.node.default_child).bucket_name
        )
        for bucket in literal.buckets
    }
    assert names == {"Images": "hfp-images-123", "Uploads": None}


def test_cdn_options_reach_the_image_distribution() -> None:
    """An option declared only in CdnOptions reaches ImageBuckets with no second declaration."""
    stack = bare_stack()
    policy = cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS
    buckets = ImageBuckets(stack, "S3", cdn=CdnOptions(response_headers_policy=policy))
    assert buckets.cdn is not None
    (distribution,) = (
        Template.from_stack(stack).find_resources("AWS::CloudFront::Distribution").values()
    )
    behavior = distribution["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behavior["ResponseHeadersPolicyId"] == policy.response_headers_policy_id


def test_localhost_and_wildcard_subdomain_origins_are_accepted() -> None:
    stack = bare_stack()
    ImageBuckets(stack, "S3", cors_origins=["http://localhost:3000", "https://*.homeforpup.com"])
    for bucket in Template.from_stack(stack).find_resources("AWS::S3::Bucket").values():
        rules = bucket["Properties"].get("CorsConfiguration", {}).get("CorsRules", [])
        assert all(
            rule["AllowedOrigins"] == ["http://localhost:3000", "https://*.homeforpup.com"]
            for rule in rules
        )


BAD_INPUTS: list[tuple[str, dict[str, Any], str]] = [
    ("no cors origins", {"cors_origins": []}, r"ImageBuckets Test/S3: invalid cors_origins=\[\]"),
    (
        "cors origin over plain http",
        {"cors_origins": ["http://staging.homeforpup.com"]},
        r"cors_origins='http://staging.homeforpup.com'; https://host",
    ),
    (
        "cors header with a space",
        {"cors_headers": ["Content Type"]},
        r"cors_headers='Content Type'; HTTP header names",
    ),
    ("upload expiry 0", {"upload_expiration_days": 0}, r"upload_expiration_days=0; days must"),
    (
        "IA before 30 days",
        {"image_storage_class": s3.StorageClass.INFREQUENT_ACCESS, "image_transition_days": 14},
        r"image_transition_days=14; S3 moves objects to STANDARD_IA only after at least 30",
    ),
    (
        "noncurrent 0",
        {"image_noncurrent_expiration_days": 0},
        r"image_noncurrent_expiration_days=0",
    ),
    (
        "underscore literal",
        {"image_bucket_name": "HomeForPup_Images"},
        r"ImageBuckets Test/S3: invalid image_bucket_name='HomeForPup_Images'",
    ),
    (
        "short name and literal",
        {"upload_name": "uploads", "upload_bucket_name": "hfp-uploads"},
        r"upload_bucket_name='hfp-uploads'; give either upload_name='uploads'",
    ),
    (
        "log name without logs",
        {"access_logs": False, "log_bucket_name": "hfp-logs"},
        r"log_bucket_name='hfp-logs'; only meaningful with access_logs=True",
    ),
    (
        "log short name without logs",
        {"access_logs": False, "log_name": "logs"},
        r"log_name='logs'; only meaningful with access_logs=True",
    ),
    ("log retention 0", {"access_log_retention_days": 0}, r"access_log_retention_days=0"),
    (
        "public read and cdn",
        {"public_read": True, "cdn": True},
        r"SecureBucket Test/S3/Images: invalid public_read=True; public_read and cdn contradict",
    ),
    (
        "short name invalid for S3",
        {"upload_name": "Uploads_Tmp"},
        r"SecureBucket Test/S3/Uploads: invalid name='Uploads_Tmp'",
    ),
    (
        "domain without cdn",
        {"custom_domain": "images.example.com"},
        r"custom_domain='images.example.com'; needs cdn=True",
    ),
    (
        "bad country in the cdn options",
        {"cdn": CdnOptions(geo_allowlist=["usa"])},
        r"SecureBucket Test/S3/Images: invalid cdn\.geo_allowlist='usa'",
    ),
]


@pytest.mark.parametrize(("props", "message"), cases(BAD_INPUTS))
def test_bad_input_is_rejected(props: dict[str, Any], message: str) -> None:
    with pytest.raises(PropError, match=message) as raised:
        ImageBuckets(bare_stack(), "S3", **props)
    assert not isinstance(raised.value, PropErrors), str(raised.value)


WRONG_TYPES: list[tuple[str, dict[str, Any], str]] = [
    (
        "string as days",
        {"image_transition_days": "90"},
        r"image_transition_days='90'; expected int \(got str\)",
    ),
    (
        "one origin as a string",
        {"cors_origins": "https://homeforpup.com"},
        r"cors_origins='https://homeforpup.com'; expected a list of str \(got str\)",
    ),
    ("string as flag", {"access_logs": "no"}, r"access_logs='no'; expected bool \(got str\)"),
    ("string as cdn", {"cdn": "yes"}, r"cdn='yes'; expected bool or CdnOptions \(got str\)"),
    ("misspelled prop", {"image_nmae": "pics"}, r"image_nmae='pics'; not a prop of ImageBuckets"),
]


@pytest.mark.parametrize(("props", "message"), cases(WRONG_TYPES))
def test_wrong_python_types_raise_prop_error_naming_the_prop(
    props: dict[str, Any], message: str
) -> None:
    with pytest.raises(PropError, match=rf"ImageBuckets Test/S3: invalid {message}"):
        ImageBuckets(bare_stack(), "S3", **props)


def test_every_invalid_prop_of_the_group_is_reported_in_one_error() -> None:
    with pytest.raises(PropErrors) as raised:
        ImageBuckets(
            bare_stack(),
            "S3",
            cors_origins=["https://homeforpup.com/"],
            upload_expiration_days=0,
            access_logs=False,
            access_log_retention_days=30,
            metrics="yes",  # type: ignore[typeddict-item]
        )
    assert [error.prop for error in raised.value.errors] == [
        "metrics",
        "access_log_retention_days",
        "cors_origins",
        "upload_expiration_days",
    ]
    assert str(raised.value).startswith("ImageBuckets Test/S3: 4 invalid props:")


def test_upload_grant_rejects_an_open_prefix() -> None:
    stack = bare_stack()
    buckets = ImageBuckets(stack, "S3")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(PropError, match=re.escape("key_prefix=''")):
        buckets.grant_upload(role, "")
