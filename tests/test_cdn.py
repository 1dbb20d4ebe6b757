"""Cdn: CloudFront with Origin Access Control in front of a bucket, its ids, nag and bad input."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import Duration, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match, Template

from petplatform_constructs import Cdn, PropError, SecureBucket
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.testing import SynthResult
from storage_support import JsonDict, bare_stack, cases, certificate, logical_id

CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/6666-7777"
WEB_ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/8888"
SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"
DEFAULT_CERT_REASON = "Test assets only, no custom domain; viewers reach it over TLS 1.2."


# -- builders ------------------------------------------------------------------------------------


def build(stack: Stack) -> None:
    """A fully configured Cdn in front of a SecureBucket, and one with every default."""
    logs = SecureBucket(stack, "Logs", access_log_destination=True)
    site = SecureBucket(stack, "Site", server_access_logs_bucket=logs)
    Cdn(
        stack,
        "Cdn",
        bucket=site,
        custom_domain="www.example.com",
        certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN),
        geo_allowlist=["US", "CA"],
        web_acl_arn=WEB_ACL_ARN,
        price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
        access_logs_bucket=logs,
        cors_cache_key=True,
        comment="Site assets",
        export_prefix="PetTest-Site",
        response_headers_policy=cloudfront.ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
    )
    plain = SecureBucket(stack, "Plain", server_access_logs_bucket=logs)
    Cdn(stack, "PlainCdn", bucket=plain.bucket, default_certificate_reason=DEFAULT_CERT_REASON)


@pytest.fixture(scope="module")
def dev(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("cdn", build, stage="dev")


@pytest.fixture(scope="module")
def prod(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("cdn", build, stage="prod")


# -- helpers -------------------------------------------------------------------------------------


def _config(result: SynthResult, cdn_id: str) -> JsonDict:
    resource = result.template_json("Test")["Resources"][
        logical_id(result, f"{cdn_id}/Distribution/Resource")
    ]
    return resource["Properties"]["DistributionConfig"]  # type: ignore[no-any-return]


# -- the template --------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["dev", "prod"])
def test_no_unacknowledged_findings(fixture: str, request: pytest.FixtureRequest) -> None:
    result: SynthResult = request.getfixturevalue(fixture)
    assert result.error is None
    assert [str(f) for f in result.findings] == []


def test_construct_ids_give_stable_logical_ids(dev: SynthResult) -> None:
    assert logical_id(dev, "Cdn/Distribution/Resource").startswith("CdnDistribution")
    assert logical_id(dev, "Cdn/Distribution/Origin1/S3OriginAccessControl/Resource").startswith(
        "CdnDistributionOrigin1S3OriginAccessControl"
    )
    assert logical_id(dev, "Cdn/CorsCachePolicy/Resource").startswith("CdnCorsCachePolicy")
    assert logical_id(dev, "Cdn/CdnAccessLogs/Delivery").startswith("CdnCdnAccessLogsDelivery")


def test_origin_access_control_signs_every_request(dev: SynthResult) -> None:
    dev.template("Test").has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {
            "OriginAccessControlConfig": Match.object_like(
                {"OriginAccessControlOriginType": "s3", "SigningBehavior": "always"}
            )
        },
    )


def test_the_bucket_admits_only_its_distribution(dev: SynthResult) -> None:
    template = dev.template_json("Test")
    policy = template["Resources"][logical_id(dev, "Site/Bucket/Policy/Resource")]
    reads = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert len(reads) == 1
    assert reads[0]["Action"] == "s3:GetObject"
    distribution_id = logical_id(dev, "Cdn/Distribution/Resource")
    assert distribution_id in repr(reads[0]["Condition"]["StringEquals"]["AWS:SourceArn"])
    site = template["Resources"][logical_id(dev, "Site/Bucket/Resource")]
    assert site["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True


def test_defaults_https_get_head_options_security_headers(dev: SynthResult) -> None:
    config = _config(dev, "PlainCdn")
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD", "OPTIONS"]
    assert behavior["CachedMethods"] == ["GET", "HEAD", "OPTIONS"]
    assert behavior["Compress"] is True
    assert behavior["ResponseHeadersPolicyId"] == SECURITY_HEADERS_POLICY_ID
    assert (config["HttpVersion"], config["PriceClass"]) == ("http2and3", "PriceClass_100")
    assert config["Comment"] == "Test/PlainCdn via Origin Access Control"
    assert "Aliases" not in config
    assert "Restrictions" not in config
    assert "WebACLId" not in config
    # Access logs are on by default, to a bucket of the Cdn's own (standard logging).
    assert config["Logging"] == {
        "Bucket": {
            "Fn::GetAtt": [
                logical_id(dev, "PlainCdn/AccessLogsBucket/Resource"),
                "RegionalDomainName",
            ]
        },
        "Prefix": "cloudfront/",
    }


def test_custom_domain_enforces_tls_1_2_with_sni(dev: SynthResult) -> None:
    config = _config(dev, "Cdn")
    assert config["Aliases"] == ["www.example.com"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": CERT_ARN,
        "MinimumProtocolVersion": "TLSv1.2_2021",
        "SslSupportMethod": "sni-only",
    }


def test_geo_allowlist_web_acl_price_class_and_comment(dev: SynthResult) -> None:
    config = _config(dev, "Cdn")
    assert config["Restrictions"] == {
        "GeoRestriction": {"Locations": ["US", "CA"], "RestrictionType": "whitelist"}
    }
    assert config["WebACLId"] == WEB_ACL_ARN
    assert config["PriceClass"] == "PriceClass_All"
    assert config["Comment"] == "Site assets"


def test_a_response_headers_policy_replaces_security_headers(dev: SynthResult) -> None:
    behavior = _config(dev, "Cdn")["DefaultCacheBehavior"]
    assert behavior["ResponseHeadersPolicyId"] == "60669652-455b-4ae9-85a4-c4c02393f86c"


def test_cors_cache_key_caches_per_origin_and_preflight_headers(dev: SynthResult) -> None:
    policy_id = logical_id(dev, "Cdn/CorsCachePolicy/Resource")
    behavior = _config(dev, "Cdn")["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == {"Ref": policy_id}
    dev.template("Test").has_resource_properties(
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
    dev.template("Test").resource_count_is("AWS::CloudFront::CachePolicy", 1)


def test_access_logs_use_standard_logging_v2(dev: SynthResult) -> None:
    template = dev.template("Test")
    template.resource_count_is("AWS::Logs::DeliverySource", 1)
    template.has_resource_properties(
        "AWS::Logs::DeliverySource",
        {
            "LogType": "ACCESS_LOGS",
            "ResourceArn": Match.object_like({"Fn::Join": Match.any_value()}),
        },
    )
    logs_id = logical_id(dev, "Logs/Bucket/Resource")
    template.has_resource_properties(
        "AWS::Logs::DeliveryDestination",
        {"DestinationResourceArn": {"Fn::GetAtt": [logs_id, "Arn"]}},
    )
    logs_policy = dev.template_json("Test")["Resources"][
        logical_id(dev, "Logs/Bucket/Policy/Resource")
    ]
    delivery_statement = next(
        s
        for s in logs_policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "delivery.logs.amazonaws.com"}
    )
    assert delivery_statement["Condition"]["StringEquals"] == {
        "s3:x-amz-acl": "bucket-owner-full-control",
        "aws:SourceAccount": "123456789012",
    }


def test_outputs_and_the_distribution_id_export(dev: SynthResult) -> None:
    template = dev.template("Test")
    template.has_output("*", {"Value": "www.example.com"})
    template.has_output("*", {"Export": {"Name": "PetTest-Site-DistributionId"}})
    plain = [k for k in dev.template_json("Test")["Outputs"] if k.startswith("PlainCdn")]
    assert len(plain) == 1  # no custom domain, no export prefix: the domain name only
    assert plain[0].startswith("PlainCdnDistributionDomainName")


# -- construction --------------------------------------------------------------------------------


def test_attributes_grants_and_metrics() -> None:
    stack = bare_stack()
    bucket = s3.Bucket(stack, "Origin")
    cdn = Cdn(stack, "Cdn", bucket=bucket, export_prefix="PetTest-Cdn")
    assert cdn.bucket is bucket
    assert cdn.default_certificate is True
    assert cdn.access_logs is None and cdn.cache_policy is None  # no v2 delivery
    assert cdn.log_bucket is not None and cdn.web_acl is None
    assert list(cdn.outputs) == ["DistributionId"]
    assert stack.resolve(cdn.distribution_id) == stack.resolve(cdn.distribution.distribution_id)
    assert cdn.metric_requests().metric_name == "Requests"
    assert cdn.metric_5xx_error_rate(period=Duration.minutes(1)).metric_name == "5xxErrorRate"
    role = iam.Role(stack, "Deployer", assumed_by=iam.AccountRootPrincipal())
    cdn.grant_create_invalidation(role)
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [Match.object_like({"Action": "cloudfront:CreateInvalidation"})]
            }
        },
    )


def test_a_custom_certificate_is_not_the_default_one() -> None:
    stack = bare_stack()
    cdn = Cdn(
        stack,
        "Cdn",
        bucket=s3.Bucket(stack, "Origin"),
        custom_domain="www.example.com",
        certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN),
    )
    assert cdn.default_certificate is False


BAD_INPUTS: list[tuple[str, Callable[[Stack], dict[str, Any]], str]] = [
    ("not a bucket", lambda s: {"bucket": "my-bucket"}, r"bucket='my-bucket'; an s3.IBucket"),
    (
        "domain without certificate",
        lambda s: {"custom_domain": "www.example.com"},
        r"certificate=None; custom_domain='www.example.com' needs an ACM certificate",
    ),
    (
        "certificate without domain",
        lambda s: {"certificate": certificate(s)},
        r"custom_domain=None; a certificate was given without custom_domain",
    ),
    (
        "certificate outside us-east-1",
        lambda s: {"custom_domain": "www.example.com", "certificate": certificate(s, "eu-west-1")},
        r"certificate='arn:aws:acm:eu-west-1.*from us-east-1 only",
    ),
    (
        "domain with a trailing dot",
        lambda s: {"custom_domain": "www.example.com.", "certificate": certificate(s)},
        r"custom_domain='www.example.com.'; a lowercase DNS name",
    ),
    ("bad country", lambda s: {"geo_allowlist": ["GER"]}, r"geo_allowlist='GER'; ISO 3166-1"),
    (
        "regional web acl",
        lambda s: {"web_acl_arn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/1"},
        r"web_acl_arn='arn:aws:wafv2:us-east-1:123456789012:regional.*CLOUDFRONT scope",
    ),
    ("long comment", lambda s: {"comment": "x" * 129}, r"comment='x+'; at most 128 characters"),
    ("bad export prefix", lambda s: {"export_prefix": "pet_test"}, r"export_prefix='pet_test'"),
]


@pytest.mark.parametrize(("props", "message"), cases(BAD_INPUTS))
def test_bad_input_is_rejected(props: Callable[[Stack], dict[str, Any]], message: str) -> None:
    stack = bare_stack()
    given = {"bucket": s3.Bucket(stack, "Origin"), **props(stack)}
    with pytest.raises(PropError) as raised:
        Cdn(stack, "Cdn", **given)
    assert not isinstance(raised.value, PropErrors), str(raised.value)
    assert raised.value.owner == "Cdn Test/Cdn"
    assert re.search(message, str(raised.value)), str(raised.value)


@pytest.mark.parametrize(("region", "shown"), [("eu-west-1", "eu-west-1"), (None, "not set")])
def test_access_logs_need_a_us_east_1_stack(region: str | None, shown: str) -> None:
    stack = bare_stack(region)
    logs = s3.Bucket(stack, "Logs")
    with pytest.raises(PropError, match=rf"access_logs_bucket=.*region is {shown}; deploy"):
        Cdn(stack, "Cdn", bucket=s3.Bucket(stack, "Origin"), access_logs_bucket=logs)


WRONG_TYPES: list[tuple[str, dict[str, Any], str]] = [
    ("string as list", {"geo_allowlist": "US"}, r"geo_allowlist='US'; expected a list of str"),
    (
        "string as price class",
        {"price_class": "PriceClass_100"},
        r"price_class='PriceClass_100'; expected cloudfront\.PriceClass \(got str\)",
    ),
    (
        "arn instead of a certificate",
        {"custom_domain": "www.example.com", "certificate": CERT_ARN},
        r"certificate='arn:aws:acm:.*expected certificatemanager\.ICertificate \(got str\)",
    ),
    ("string as flag", {"cors_cache_key": "yes"}, r"cors_cache_key='yes'; expected bool"),
    ("misspelled prop", {"domain": "www.example.com"}, r"domain=.*not a prop of Cdn"),
]


@pytest.mark.parametrize(("props", "message"), cases(WRONG_TYPES))
def test_wrong_python_types_raise_prop_error_naming_the_prop(
    props: dict[str, Any], message: str
) -> None:
    stack = bare_stack()
    with pytest.raises(PropError, match=message):
        Cdn(stack, "Cdn", bucket=s3.Bucket(stack, "Origin"), **props)


def test_every_invalid_prop_is_reported_in_one_error() -> None:
    stack = bare_stack()
    with pytest.raises(PropErrors) as raised:
        Cdn(
            stack,
            "Cdn",
            bucket=s3.Bucket(stack, "Origin"),
            custom_domain="www.example.com",
            geo_allowlist=["usa"],
            price_class="all",  # type: ignore[typeddict-item]
            comment="c" * 200,
        )
    assert [error.prop for error in raised.value.errors] == [
        "price_class",
        "certificate",
        "geo_allowlist",
        "comment",
    ]
    assert str(raised.value).startswith("Cdn Test/Cdn: 4 invalid props:")
