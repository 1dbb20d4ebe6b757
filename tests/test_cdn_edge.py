"""Cdn completed: API origins, the us-east-1 edge stack (certificate and CLOUDFRONT WAF) wired by
cross-region references, Route 53 aliases, and the edge's bad input."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, Stack
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from aws_cdk.assertions import Match

from petplatform_constructs import (
    Cdn,
    CdnEdge,
    NagPack,
    PropError,
    SecureBucket,
    configure_platform,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth

ACCOUNT = "123456789012"
API = "abc123.execute-api.us-west-2.amazonaws.com"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"
JsonDict = dict[str, Any]


def build() -> SynthResult:
    app = make_app()
    configure_platform(app, project="ListBackup", stage="prod", compliance=(NagPack.AWS_SOLUTIONS,))
    east = Environment(account=ACCOUNT, region="us-east-1")
    west = Environment(account=ACCOUNT, region="us-west-2")
    edge_stack = Stack(app, "Edge", env=east, cross_region_references=True)
    edge_zone = route53.HostedZone.from_hosted_zone_attributes(
        edge_stack, "Zone", hosted_zone_id="Z123", zone_name="listbackup.ai"
    )
    edge = CdnEdge(
        edge_stack, "Edge", domain_names=["api.listbackup.ai", "assets.listbackup.ai"],
        hosted_zone=edge_zone,
    )  # fmt: skip
    stack = Stack(app, "Api", env=west, cross_region_references=True)
    zone = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id="Z123", zone_name="listbackup.ai"
    )
    Cdn(
        stack,
        "ApiCdn",
        api_domain=API,
        custom_domain="api.listbackup.ai",
        certificate=edge.certificate,
        web_acl_arn=edge.web_acl_arn,
        hosted_zone=zone,
        api_cached_paths=["/public/*"],
    )
    logs = SecureBucket(stack, "Logs", access_log_destination=True)
    site = SecureBucket(stack, "Site", server_access_logs_bucket=logs)
    Cdn(
        stack, "SiteCdn", bucket=site, api_domain=API, api_origin_path="/prod",
        web_acl_arn=edge.web_acl_arn,
    )  # fmt: skip
    return synth(app)


@pytest.fixture(scope="module")
def result(synth_cache: SynthCache) -> SynthResult:
    return synth_cache.get(("cdn-edge",), build)


def _distribution(result: SynthResult, hint: str) -> JsonDict:
    (config,) = [
        v["Properties"]["DistributionConfig"]
        for k, v in result.template_json("Api")["Resources"].items()
        if v["Type"] == "AWS::CloudFront::Distribution" and k.startswith(hint)
    ]
    return config  # type: ignore[no-any-return]


@pytest.mark.checklist("002#2")
def test_an_api_origin_forwards_all_but_host_and_caches_nothing(result: SynthResult) -> None:
    config = _distribution(result, "ApiCdn")
    (origin,) = config["Origins"]
    assert origin["DomainName"] == API
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    behavior = config["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == CACHING_DISABLED
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST
    assert behavior["ViewerProtocolPolicy"] == "https-only"
    assert len(behavior["AllowedMethods"]) == 7


@pytest.mark.checklist("002#49", "002#52")
def test_security_headers_and_tls_1_2_with_the_edge_certificate(result: SynthResult) -> None:
    config = _distribution(result, "ApiCdn")
    assert config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == SECURITY_HEADERS
    assert config["Aliases"] == ["api.listbackup.ai"]
    viewer = config["ViewerCertificate"]
    assert viewer["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert viewer["SslSupportMethod"] == "sni-only"
    assert "Fn::GetAtt" in str(viewer["AcmCertificateArn"])  # the cross-region reader
    assert "/cdk/exports/" in str(viewer["AcmCertificateArn"])


@pytest.mark.checklist("002#58")
def test_public_api_paths_are_cached_on_path_and_query_only(result: SynthResult) -> None:
    config = _distribution(result, "ApiCdn")
    (public,) = config["CacheBehaviors"]
    assert public["PathPattern"] == "/public/*"
    assert public["TargetOriginId"] == config["Origins"][0]["Id"]
    assert len(public["AllowedMethods"]) == 3  # GET, HEAD, OPTIONS: read-only
    (policy,) = [
        r["Properties"]["CachePolicyConfig"]
        for r in result.template_json("Api")["Resources"].values()
        if r["Type"] == "AWS::CloudFront::CachePolicy"
    ]
    assert policy["DefaultTTL"] == 300
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}  # never Authorization
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_DISABLED


def test_a_bucket_and_an_api_share_one_distribution(result: SynthResult) -> None:
    config = _distribution(result, "SiteCdn")
    (api,) = config["CacheBehaviors"]
    assert api["PathPattern"] == "/api/*"
    assert api["CachePolicyId"] == CACHING_DISABLED
    origins = {o["Id"]: o for o in config["Origins"]}
    assert any(o.get("OriginPath") == "/prod" for o in origins.values())
    assert any("S3OriginConfig" in o for o in origins.values())


@pytest.mark.checklist("002#3", "002#48")
def test_the_edge_stack_holds_the_certificate_and_a_cloudfront_waf(result: SynthResult) -> None:
    edge = result.template("Edge")
    edge.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        {
            "DomainName": "api.listbackup.ai",
            "SubjectAlternativeNames": ["assets.listbackup.ai"],
            "ValidationMethod": "DNS",
        },
    )
    (acl,) = [
        v["Properties"]
        for v in result.template_json("Edge")["Resources"].values()
        if v["Type"] == "AWS::WAFv2::WebACL"
    ]
    assert acl["Scope"] == "CLOUDFRONT"
    names = [r["Name"] for r in acl["Rules"]]
    assert names == [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "RateLimitPerIp",
    ]
    assert acl["Rules"][-1]["Statement"]["RateBasedStatement"]["Limit"] == 2000
    assert "WebACLId" in _distribution(result, "ApiCdn")


def test_cross_region_references_wire_the_edge_stack(result: SynthResult) -> None:
    types = {v["Type"] for v in result.template_json("Edge")["Resources"].values()}
    assert "Custom::CrossRegionExportWriter" in types
    types = {v["Type"] for v in result.template_json("Api")["Resources"].values()}
    assert "Custom::CrossRegionExportReader" in types


@pytest.mark.checklist("002#1")
def test_route53_alias_records_point_at_the_distribution(result: SynthResult) -> None:
    api = result.template("Api")
    for record_type in ("A", "AAAA"):
        api.has_resource_properties(
            "AWS::Route53::RecordSet",
            {
                "Name": "api.listbackup.ai.",
                "Type": record_type,
                "HostedZoneId": "Z123",
                "AliasTarget": Match.object_like({"DNSName": Match.any_value()}),
            },
        )
    assert "AWS::Route53::HostedZone" not in str(result.template_json("Api"))


def test_nag_keeps_only_what_is_honestly_open(result: SynthResult) -> None:
    assert [str(f) for f in result.findings if "CFR4" not in f.rule] == []


def test_api_domain_of_reads_an_http_api_endpoint() -> None:
    stack = Stack(App(), "S", env=Environment(account=ACCOUNT, region="us-west-2"))
    api = apigwv2.HttpApi(stack, "Api")
    domain = stack.resolve(Cdn.api_domain_of(api))
    assert domain["Fn::Select"][0] == 2


# -- bad input ----------------------------------------------------------------------------------


def _east_certificate(stack: Stack, domain: str) -> acm.Certificate:
    edge = Stack(stack.node.root, "E", env=Environment(account=ACCOUNT, region="us-east-1"))  # type: ignore[arg-type]
    return acm.Certificate(edge, "C", domain_name=domain)


@pytest.mark.parametrize(
    ("build_bad", "prop", "message"),
    [
        (
            lambda s: Cdn(
                s,
                "C",
                api_domain=API,
                custom_domain="api.example.com",
                certificate=acm.Certificate.from_certificate_arn(
                    s, "C2", "arn:aws:acm:us-west-2:123456789012:certificate/x"
                ),
            ),
            "certificate",
            "us-east-1 only",
        ),
        (
            lambda s: Cdn(
                s,
                "C",
                api_domain=API,
                custom_domain="api.example.com",
                certificate=_east_certificate(s, "www.example.com"),
            ),
            "custom_domain",
            "covers",
        ),
        (
            lambda s: Cdn(
                s,
                "C",
                api_domain=API,
                web_acl_arn="arn:aws:wafv2:us-west-2:123456789012:regional/webacl/x/1",
            ),
            "web_acl_arn",
            "CLOUDFRONT scope",
        ),
        (lambda s: Cdn(s, "C"), "bucket", "an origin"),
        (lambda s: Cdn(s, "C", api_domain="https://x.example.com/prod"), "api_domain", "domain"),
        (lambda s: CdnEdge(s, "E", domain_names=["api.example.com"]), "scope", "us-east-1"),
        (
            lambda s: Cdn(
                s,
                "C",
                api_domain=API,
                hosted_zone=route53.HostedZone.from_hosted_zone_attributes(
                    s, "Z", hosted_zone_id="Z1", zone_name="example.com"
                ),
            ),
            "hosted_zone",
            "custom_domain",
        ),
    ],
)
def test_bad_input_fails_at_synth(build_bad: Any, prop: str, message: str) -> None:
    app = App()
    stack = Stack(app, "S", env=Environment(account=ACCOUNT, region="us-west-2"))
    with pytest.raises(PropError) as info:
        build_bad(stack)
    assert info.value.prop == prop and message in str(info.value), str(info.value)


def test_the_edge_refuses_a_bad_rule_group_and_rate() -> None:
    stack = Stack(App(), "S", env=Environment(account=ACCOUNT, region="us-east-1"))
    with pytest.raises(PropError) as info:
        CdnEdge(
            stack, "E", domain_names=["api.example.com"], managed_rule_groups=["MyRules"],
            rate_limit=5,
        )  # fmt: skip
    assert {e.prop for e in getattr(info.value, "errors", [info.value])} == {
        "managed_rule_groups",
        "rate_limit",
    }


def test_bad_cached_paths_fail_at_synth() -> None:
    stack = Stack(App(), "S", env=Environment(account=ACCOUNT, region="us-west-2"))
    with pytest.raises(PropErrors) as info:
        Cdn(stack, "C", api_domain=API, api_cached_paths=["/*", "public/*"],
            api_cache_ttl=Duration.days(2))  # fmt: skip
    assert [e.prop for e in info.value.errors] == [
        "api_cached_paths", "api_cached_paths", "api_cache_ttl"
    ]  # fmt: skip
