"""Cdn across regions on the local cloud: the us-east-1 edge stack (certificate, CLOUDFRONT web
ACL) and a us-west-2 distribution wired to it by cross-region references, with its Route 53
alias records; and a us-east-1 Cdn with its own web ACL. One deployment for the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from aws_cdk import Environment, Stack
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3

from petplatform_constructs import Cdn, CdnEdge, configure_platform
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth
from petplatform_localcloud import DeployReport, LocalCloud, deployed

pytestmark = pytest.mark.localcloud

ACCOUNT = "123456789012"
DOMAIN = "api.listbackup.test"


def _build(zone_id: str) -> SynthResult:
    app = make_app()
    configure_platform(app, project="CdnLocal", stage="dev")
    edge_stack = Stack(
        app, "CdnLocalEdge", env=Environment(account=ACCOUNT, region="us-east-1"),
        cross_region_references=True,
    )  # fmt: skip
    edge = CdnEdge(edge_stack, "Edge", domain_names=[DOMAIN])
    # A Cdn in the us-east-1 stack makes its own CLOUDFRONT web ACL (waf=True).
    Cdn(
        edge_stack, "SiteCdn", bucket=s3.Bucket(edge_stack, "Site"), waf=True,
        default_certificate_reason="Local-cloud test distribution; never serves viewers.",
    )  # fmt: skip
    stack = Stack(
        app, "CdnLocalApi", env=Environment(account=ACCOUNT, region="us-west-2"),
        cross_region_references=True,
    )  # fmt: skip
    zone = route53.HostedZone.from_hosted_zone_attributes(
        stack, "Zone", hosted_zone_id=zone_id, zone_name="listbackup.test"
    )
    Cdn(
        stack, "ApiCdn", api_domain="abc123.execute-api.us-west-2.amazonaws.com",
        custom_domain=DOMAIN, certificate=edge.certificate, web_acl_arn=edge.web_acl_arn,
        hosted_zone=zone,
    )  # fmt: skip
    return synth(app)


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(region="us-west-2") as started:
        yield started


@pytest.fixture(scope="module")
def zone_id(cloud: LocalCloud) -> str:
    zone = cloud.client("route53").create_hosted_zone(
        Name="listbackup.test", CallerReference="cdn-local"
    )
    return str(zone["HostedZone"]["Id"]).rpartition("/")[2]


@pytest.fixture(scope="module")
def report(cloud: LocalCloud, zone_id: str, synth_cache: SynthCache) -> Iterator[DeployReport]:
    assembly = synth_cache.get(("cdn-local", zone_id), lambda: _build(zone_id))
    with deployed(cloud, assembly) as result:
        yield result


def test_the_edge_deploys_in_us_east_1_before_the_distribution(report: DeployReport) -> None:
    assert [r.stack_name for r in report.stacks] == ["CdnLocalEdge", "CdnLocalApi"]
    assert {r.status for r in report.stacks} == {"CREATE_COMPLETE"}


def test_the_certificate_is_issued_at_once(cloud: LocalCloud, report: DeployReport) -> None:
    acm = cloud.client("acm", region="us-east-1")
    (summary,) = acm.list_certificates()["CertificateSummaryList"]
    described = acm.describe_certificate(CertificateArn=summary["CertificateArn"])
    assert described["Certificate"]["Status"] == "ISSUED"
    assert described["Certificate"]["DomainName"] == DOMAIN


def test_cross_region_references_carry_the_certificate_and_acl(
    cloud: LocalCloud, report: DeployReport
) -> None:
    ssm = cloud.client("ssm", region="us-west-2")
    names = [p["Name"] for p in ssm.describe_parameters()["Parameters"]]
    exports = [n for n in names if n.startswith("/cdk/exports/CdnLocalApi/")]
    assert len(exports) == 2
    values = [ssm.get_parameter(Name=n)["Parameter"]["Value"] for n in exports]
    assert any(v.startswith("arn:aws:acm:us-east-1:") for v in values)
    assert any(":wafv2:" in v or "global" in v for v in values)


def test_the_alias_records_exist(cloud: LocalCloud, zone_id: str, report: DeployReport) -> None:
    records = cloud.client("route53").list_resource_record_sets(HostedZoneId=zone_id)
    types = {r["Type"] for r in records["ResourceRecordSets"] if r["Name"] == DOMAIN + "."}
    assert {"A", "AAAA"} <= types


def test_the_cdns_own_log_bucket_accepts_standard_logs(
    cloud: LocalCloud, report: DeployReport
) -> None:
    """Outside us-east-1 the Cdn logs with standard logging into a bucket it creates, with
    ACLs enabled for CloudFront (distributions are stack records only on the local cloud)."""
    resources = cloud.client("cloudformation", region="us-west-2").list_stack_resources(
        StackName="CdnLocalApi"
    )["StackResourceSummaries"]
    (bucket,) = [
        r["PhysicalResourceId"]
        for r in resources
        if r["LogicalResourceId"].startswith("ApiCdnAccessLogsBucket")
        and r["ResourceType"] == "AWS::S3::Bucket"
    ]
    s3 = cloud.client("s3", region="us-west-2")
    controls = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert controls["Rules"] == [{"ObjectOwnership": "BucketOwnerPreferred"}]
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }


def test_a_us_east_1_cdn_deploys_its_own_cloudfront_web_acl(
    cloud: LocalCloud, report: DeployReport
) -> None:
    resources = cloud.client("cloudformation", region="us-east-1").list_stack_resources(
        StackName="CdnLocalEdge"
    )["StackResourceSummaries"]
    acls = {
        r["LogicalResourceId"].split("WebAcl")[0]: r["ResourceStatus"]
        for r in resources
        if r["ResourceType"] == "AWS::WAFv2::WebACL"
    }
    assert acls == {"Edge": "CREATE_COMPLETE", "SiteCdn": "CREATE_COMPLETE"}
