"""Cdn after the audit (issue 10, 002#48, X3 Cdn): access logs always on, a CLOUDFRONT WAF on
the Cdn itself, the default certificate reported unless accepted, and CloudFront alarms."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from aws_cdk.assertions import Annotations, Match

from petplatform_constructs import (
    Cdn,
    CdnOptions,
    ObservabilityPack,
    PropError,
    SecureBucket,
    configure_platform,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.edge.cdn import DEFAULT_CERTIFICATE_WARNING, DEFAULT_MANAGED_RULE_GROUPS
from petplatform_constructs.testing import SynthResult, make_app, synth
from storage_support import JsonDict, bare_stack, logical_id

REASON = "Internal preview of public assets; no custom domain is bought for it."
NO_LOGS = "Throwaway load-test distribution; CloudTrail records its changes."


def build(stack: Stack) -> None:
    """Every default (reported), every acceptance, and a WAF made here."""
    Cdn(stack, "Plain", bucket=s3.Bucket(stack, "PlainOrigin"))
    Cdn(
        stack,
        "Accepted",
        bucket=s3.Bucket(stack, "AcceptedOrigin"),
        default_certificate_reason=REASON,
        access_logs_disabled_reason=NO_LOGS,
        waf=True,
    )


@pytest.fixture(scope="module", params=["dev", "prod"])
def staged(
    request: pytest.FixtureRequest, stack_synth: Callable[..., SynthResult]
) -> tuple[str, SynthResult]:
    return str(request.param), stack_synth("cdn-audit", build, stage=request.param)


@pytest.fixture(scope="module")
def result(staged: tuple[str, SynthResult]) -> SynthResult:
    return staged[1]


def _config(result: SynthResult, cdn_id: str) -> JsonDict:
    resource = result.template_json("Test")["Resources"][
        logical_id(result, f"{cdn_id}/Distribution/Resource")
    ]
    return resource["Properties"]["DistributionConfig"]  # type: ignore[no-any-return]


def _acknowledged(result: SynthResult, path: str) -> dict[str, str]:
    """Acknowledged rule ids of the construct at ``path`` and their reasons, from the assembly."""
    manifest = json.loads((result.outdir / "manifest.json").read_text())
    metadata_file = manifest["artifacts"]["Test"]["additionalMetadataFile"]
    metadata = json.loads((result.outdir / metadata_file).read_text())
    return {
        key.split("::", 1)[1]: str(reason)
        for entry in metadata.get(f"/Test/{path}", [])
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for key, reason in entry["data"].items()
    }


# -- access logs -----------------------------------------------------------------------------


def test_access_logs_are_on_by_default_in_a_bucket_of_the_cdns_own(
    staged: tuple[str, SynthResult],
) -> None:
    stage, result = staged
    prod = stage == "prod"
    bucket_id = logical_id(result, "Plain/AccessLogsBucket/Resource")
    assert _config(result, "Plain")["Logging"]["Bucket"] == {
        "Fn::GetAtt": [bucket_id, "RegionalDomainName"]
    }
    bucket = result.template_json("Test")["Resources"][bucket_id]
    props = bucket["Properties"]
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True}
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == (365 if prod else 7)
    assert ("VersioningConfiguration" in props) is prod
    assert bucket["DeletionPolicy"] == ("Retain" if prod else "Delete")
    policy = next(
        r
        for r in result.template_json("Test")["Resources"].values()
        if r["Type"] == "AWS::S3::BucketPolicy" and r["Properties"]["Bucket"] == {"Ref": bucket_id}
    )
    (deny,) = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"
    ][:1]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_standard_logging_satisfies_cfr3_so_nothing_is_acknowledged(result: SynthResult) -> None:
    assert "AwsSolutions-CFR3" not in _acknowledged(result, "Plain/Distribution/Resource")
    assert not [f for f in result.findings if "CFR3" in f.rule]


def test_turning_logs_off_needs_a_reason_that_becomes_the_acknowledgement(
    result: SynthResult,
) -> None:
    assert "Logging" not in _config(result, "Accepted")
    assert (
        result.template_json("Test")["Resources"]
        .keys()
        .isdisjoint(
            {logical_id(result, "Plain/AccessLogsBucket/Resource").replace("Plain", "Accepted")}
        )
    )
    reason = _acknowledged(result, "Accepted/Distribution/Resource")["AwsSolutions-CFR3"]
    assert NO_LOGS in reason


def test_default_logs_work_from_a_region_agnostic_stack() -> None:
    stack = bare_stack(region=None)
    cdn = Cdn(stack, "Cdn", bucket=s3.Bucket(stack, "Origin"), default_certificate_reason=REASON)
    assert cdn.log_bucket is not None and cdn.access_logs is None


# -- WAF -------------------------------------------------------------------------------------


@pytest.mark.checklist("002#48")
def test_waf_creates_a_cloudfront_web_acl_with_managed_groups_and_a_rate_rule(
    result: SynthResult,
) -> None:
    acl_id = logical_id(result, "Accepted/WebAcl")
    assert _config(result, "Accepted")["WebACLId"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    acl = result.template_json("Test")["Resources"][acl_id]["Properties"]
    assert acl["Scope"] == "CLOUDFRONT"
    groups = [
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in acl["Rules"]
        if "ManagedRuleGroupStatement" in r["Statement"]
    ]
    assert groups == list(DEFAULT_MANAGED_RULE_GROUPS)
    (rate,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"] == {"AggregateKeyType": "IP", "Limit": 2000}
    assert rate["Action"] == {"Block": {}}
    # With a WAF, CFR2 is satisfied rather than acknowledged.
    assert "AwsSolutions-CFR2" not in _acknowledged(result, "Accepted/Distribution/Resource")


def _regional_acl(stack: Stack) -> str:
    return wafv2.CfnWebACL(
        stack,
        "Regional",
        scope="REGIONAL",
        default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
        visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(
            cloud_watch_metrics_enabled=True, metric_name="r", sampled_requests_enabled=True
        ),
    ).attr_arn


WAF_ERRORS: list[tuple[str, str | None, Callable[[Stack], dict[str, Any]], str]] = [
    (
        "waf outside us-east-1",
        "us-west-2",
        lambda s: {"waf": True},
        r"waf=True; a stack in us-east-1.*region is us-west-2.*CdnEdge.*web_acl_arn",
    ),
    (
        "waf in a region-agnostic stack",
        None,
        lambda s: {"waf": True},
        r"waf=True; a stack in us-east-1.*region is not set",
    ),
    (
        "waf and an existing acl",
        "us-east-1",
        lambda s: {
            "waf": True,
            "web_acl_arn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1",
        },
        r"waf=True; either waf .* or web_acl_arn",
    ),
    (
        "a REGIONAL acl of this app",
        "us-east-1",
        lambda s: {"web_acl_arn": _regional_acl(s)},
        r"web_acl_arn='a web ACL of REGIONAL scope'; the ARN of a WAFv2 web ACL with "
        r"CLOUDFRONT scope",
    ),
]


@pytest.mark.parametrize(
    ("region", "props", "message"),
    [pytest.param(region, props, msg, id=case) for case, region, props, msg in WAF_ERRORS],
)
def test_waf_is_refused_where_it_cannot_work(
    region: str | None, props: Callable[[Stack], dict[str, Any]], message: str
) -> None:
    stack = bare_stack(region)
    with pytest.raises(PropError) as raised:
        Cdn(stack, "Cdn", bucket=s3.Bucket(stack, "Origin"), **props(stack))
    assert re.search(message, str(raised.value)), str(raised.value)


# -- the default certificate -----------------------------------------------------------------


def test_the_default_certificate_stays_a_finding_and_warns_without_acceptance(
    result: SynthResult,
) -> None:
    cfr4 = [f for f in result.findings if f.rule.endswith("CFR4")]
    assert [f.path for f in cfr4] == ["Test/Plain/Distribution/Resource"]
    assert "AwsSolutions-CFR4" not in _acknowledged(result, "Plain/Distribution/Resource")


def test_the_default_certificate_warning_names_what_to_do() -> None:
    stack = bare_stack()
    Cdn(stack, "Plain", bucket=s3.Bucket(stack, "PlainOrigin"))
    Cdn(stack, "Ok", bucket=s3.Bucket(stack, "OkOrigin"), default_certificate_reason=REASON)
    annotations = Annotations.from_stack(stack)
    annotations.has_warning(
        "/Test/Plain/Distribution",
        Match.string_like_regexp(
            r"default \*\.cloudfront\.net certificate.*TLSv1.*custom_domain.*"
            rf"default_certificate_reason.*\[ack: {DEFAULT_CERTIFICATE_WARNING}\]"
        ),
    )
    annotations.has_no_warning("/Test/Ok/Distribution", Match.any_value())


def test_an_accepted_default_certificate_is_acknowledged_with_the_given_reason(
    result: SynthResult,
) -> None:
    reason = _acknowledged(result, "Accepted/Distribution/Resource")["AwsSolutions-CFR4"]
    assert REASON in reason


REASON_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    (
        "short certificate reason",
        {"default_certificate_reason": "ok"},
        r"default_certificate_reason='ok'; a reason a security reviewer would accept, at least 20",
    ),
    (
        "reason with a certificate",
        {"default_certificate_reason": REASON, "custom_domain": "www.example.com"},
        r"default_certificate_reason=.*no certificate: the reason accepts what certificate avoids",
    ),
    (
        "short logs reason",
        {"access_logs_disabled_reason": "no"},
        r"access_logs_disabled_reason='no'; a reason .* at least 20",
    ),
]


@pytest.mark.parametrize(
    ("props", "message"), [pytest.param(p, m, id=c) for c, p, m in REASON_ERRORS]
)
def test_acceptances_need_a_real_reason(props: dict[str, Any], message: str) -> None:
    stack = bare_stack()
    if "custom_domain" in props:
        from storage_support import certificate

        props = {**props, "certificate": certificate(stack)}
    with pytest.raises(PropError, match=message):
        Cdn(stack, "Cdn", bucket=s3.Bucket(stack, "Origin"), **props)


def test_logs_off_and_a_log_bucket_contradict() -> None:
    stack = bare_stack()
    with pytest.raises(PropError, match=r"access_logs_disabled_reason=.*no access_logs_bucket"):
        Cdn(
            stack,
            "Cdn",
            bucket=s3.Bucket(stack, "Origin"),
            access_logs_bucket=s3.Bucket(stack, "Logs"),
            access_logs_disabled_reason=NO_LOGS,
        )


def test_regions_standard_logging_cannot_deliver_to_are_refused() -> None:
    stack = bare_stack("me-south-1")
    with pytest.raises(PropError, match=r"cannot deliver to a bucket in me-south-1"):
        Cdn(stack, "Cdn", bucket=s3.Bucket(stack, "Origin"))


# -- observability ---------------------------------------------------------------------------


def _watched(region: str | None) -> tuple[Stack, ObservabilityPack]:
    app: App = make_app()
    configure_platform(app, project="PetTest", stage="prod", compliance=None)
    env = Environment(account="123456789012", region=region) if region else None
    stack = Stack(app, "Test", env=env)
    cdn = Cdn(stack, "Cdn", bucket=s3.Bucket(stack, "Origin"), default_certificate_reason=REASON)
    pack = ObservabilityPack(stack, "Pack", watch=[cdn])
    return stack, pack


def test_a_pack_in_us_east_1_alarms_on_the_5xx_error_rate() -> None:
    stack, pack = _watched("us-east-1")
    assert len(pack.alarms) == 1
    template = synth(stack.node.root).template_json("Test")  # type: ignore[arg-type]
    (alarm,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    props = alarm["Properties"]
    assert (props["Namespace"], props["MetricName"], props["Statistic"]) == (
        "AWS/CloudFront",
        "5xxErrorRate",
        "Average",
    )
    assert {d["Name"]: d["Value"] for d in props["Dimensions"]} == {
        "DistributionId": {"Ref": logical_id_in(template, "Cdn/Distribution/Resource")},
        "Region": "Global",
    }
    assert (props["Threshold"], props["ComparisonOperator"]) == (5, "GreaterThanThreshold")


def logical_id_in(template: JsonDict, path: str) -> str:
    (found,) = [
        k
        for k, v in template["Resources"].items()
        if v.get("Metadata", {}).get("aws:cdk:path") == f"Test/{path}"
    ]
    return str(found)


@pytest.mark.parametrize("region", ["us-west-2", None])
def test_a_pack_elsewhere_graphs_us_east_1_metrics_without_alarms(region: str | None) -> None:
    stack, pack = _watched(region)
    assert pack.alarms == []
    body = str(stack.resolve(pack.dashboard.node.default_child.dashboard_body))  # type: ignore[union-attr]
    assert '"region":"us-east-1"' in body.replace(" ", "") or "us-east-1" in body
    assert "5xxErrorRate" in body and "alarm only in a pack deployed to us-east-1" in body


def test_a_distribution_l2_can_be_watched_directly() -> None:
    stack = bare_stack()
    distribution = Cdn(
        stack, "Cdn", bucket=s3.Bucket(stack, "Origin"), default_certificate_reason=REASON
    ).distribution
    assert isinstance(distribution, cloudfront.Distribution)
    pack = ObservabilityPack(stack, "Pack", watch=[distribution])
    assert pack.is_watched(distribution)


def test_discovery_watches_a_secure_buckets_cdn_once() -> None:
    stack = bare_stack(stage="prod")
    site = SecureBucket(stack, "Site", cdn=CdnOptions(default_certificate_reason=REASON))
    pack = ObservabilityPack(stack, "Pack", discover=True)
    assert site.distribution is not None and pack.is_watched(site.distribution)
    # buckets have no alarm; the distribution's 5xx rate has one (the stack is in us-east-1)
    assert [alarm.node.id for alarm in pack.alarms] == ["5xxErrorRate"]


def test_wrong_types_and_bad_reasons_are_reported_together() -> None:
    stack = bare_stack("us-west-2")
    with pytest.raises(PropErrors) as raised:
        Cdn(
            stack,
            "Cdn",
            bucket=s3.Bucket(stack, "Origin"),
            waf=True,
            default_certificate_reason=3,  # type: ignore[typeddict-item]
            access_logs_disabled_reason="off",
        )
    assert [error.prop for error in raised.value.errors] == [
        "default_certificate_reason",
        "waf",
        "access_logs_disabled_reason",
    ]
    assert "default_certificate_reason=3; expected str" in str(raised.value)
