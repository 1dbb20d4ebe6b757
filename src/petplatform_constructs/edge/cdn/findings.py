"""What a Cdn reports: the CloudFront cdk-nag rules it answers by design, each acknowledged on
the distribution with its reason, and the default certificate, warned about unless accepted."""

from __future__ import annotations

from aws_cdk import Annotations
from aws_cdk import aws_cloudfront as cloudfront

from petplatform_constructs.edge.cdn.props import CdnProps
from petplatform_constructs.platform.compliance import acknowledge

__all__ = ["DEFAULT_CERTIFICATE_WARNING", "report_findings"]

DEFAULT_CERTIFICATE_WARNING = "petplatform:cdn-default-certificate"
"""Id of the synth warning on a distribution serving the default certificate unaccepted."""


def report_findings(
    distribution: cloudfront.Distribution,
    props: CdnProps,
    *,
    access_logs: bool,
    logging_v2: bool,
    geo_allowlist: bool,
    web_acl: bool,
) -> None:
    """Acknowledge the rules answered by design; warn about the default certificate."""
    cfn = distribution.node.default_child
    assert isinstance(cfn, cloudfront.CfnDistribution)
    if access_logs:
        # Standard logging (the created bucket) satisfies CFR3; v2 is invisible to cdk-nag.
        if logging_v2:
            acknowledge(
                cfn,
                "AwsSolutions-CFR3",
                "Access logs are delivered with CloudFront standard logging v2 "
                "(AWS::Logs::Delivery) to the access-log bucket; cdk-nag recognizes only "
                "legacy logging, which needs ACL-enabled buckets.",
            )
    else:
        acknowledge(
            cfn,
            "AwsSolutions-CFR3",
            f"Access logging turned off explicitly: {props['access_logs_disabled_reason']}",
        )
    if not geo_allowlist:
        acknowledge(
            cfn,
            "AwsSolutions-CFR1",
            "Content is served to every country by design; restrict it with geo_allowlist "
            "(SecureBucket: cdn_geo_allowlist=['US', ...]) when a legal or licensing need "
            "exists.",
        )
    if not web_acl and props.get("api_domain") is None:
        acknowledge(
            cfn,
            "AwsSolutions-CFR2",
            "The origin is a private bucket reached only through OAC with GET/HEAD/OPTIONS, "
            "so there is no application layer for WAF rules to protect; attach a CLOUDFRONT "
            "web ACL with waf=True or web_acl_arn (SecureBucket: cdn_web_acl_arn) for rate "
            "limiting or bot control.",
        )
    if props.get("certificate") is not None:
        return
    reason = props.get("default_certificate_reason")
    if reason is not None:
        acknowledge(
            cfn,
            "AwsSolutions-CFR4",
            "The default *.cloudfront.net certificate (TLSv1 still accepted) was accepted "
            f"explicitly: {reason}",
        )
        return
    Annotations.of(distribution).add_warning_v2(
        DEFAULT_CERTIFICATE_WARNING,
        "This distribution serves CloudFront's default *.cloudfront.net certificate, whose "
        "security policy still accepts TLSv1 (AwsSolutions-CFR4). Give custom_domain and a "
        "us-east-1 certificate (CdnEdge) to enforce TLSv1.2_2021, or accept it explicitly with "
        "default_certificate_reason='...'.",
    )
