"""Rules for an HTTP API shared between ServerlessApis, its custom domain and function aliases.

One ``ServerlessApi`` creates the HTTP API (stage, authorizer, domain, access logs); others,
possibly in other stacks, add their own functions and routes to it with
``existing_http_api``. Aliases (``alias_name``) give every function a published version and
an alias that the API calls, which provisioned concurrency needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Stack, Token
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_certificatemanager as acm
from constructs import IConstruct

from petplatform_constructs.compute.serverless_api.functions import FunctionSpec
from petplatform_constructs.compute.serverless_api.props import ApiKind, ServerlessApiProps
from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.existing import check_existing
from petplatform_constructs.core.rules import certificate_region, check_domain_name

__all__ = ["SHARED_API_CREATION_PROPS", "SharingPlan", "plan_sharing"]

SHARED_API_CREATION_PROPS = (
    "user_pool", "jwt_issuer", "jwt_audience", "name", "stage_name", "cors_origins",
    "cors_allow_headers", "cors_allow_methods", "cors_max_age", "throttling_rate_limit",
    "throttling_burst_limit", "execution_log_level", "cloud_watch_role", "waf", "web_acl_arn",
    "domain_name", "certificate", "export_prefix",
)  # fmt: skip
"""Props that configure the API itself: the ServerlessApi that created it owns them."""

_ALIAS = re.compile(r"(?!\d+$)[A-Za-z0-9_-]{1,128}")


@dataclass(frozen=True)
class SharingPlan:
    """The checked sharing, domain and alias inputs."""

    existing_api: apigatewayv2.IHttpApi | None
    existing_authorizer: apigatewayv2.IHttpRouteAuthorizer | None
    domain_name: str | None
    certificate: acm.ICertificate | None
    alias_name: str | None
    cors_methods: tuple[str, ...] = ()


def plan_sharing(
    scope: IConstruct,
    problems: Problems,
    props: ServerlessApiProps,
    kind: ApiKind,
    specs: Sequence[FunctionSpec],
) -> SharingPlan:
    """Record every problem of the sharing, domain and alias props; return them checked."""
    existing = props.get("existing_http_api")
    authorizer = props.get("existing_authorizer")
    given = {prop: props.get(prop) for prop in SHARED_API_CREATION_PROPS}
    check_existing(problems, "existing_http_api", existing, given)
    if existing is not None:
        problems.check(
            kind is ApiKind.HTTP,
            "kind",
            kind.value,
            "ApiKind.HTTP: existing_http_api adds routes to an HTTP API",
        )
    problems.check(
        authorizer is None or existing is not None,
        "existing_authorizer",
        authorizer,
        "only with existing_http_api; a created API makes its own authorizer from user_pool "
        "or jwt_issuer",
    )
    domain, certificate = props.get("domain_name"), props.get("certificate")
    if existing is None:
        _check_domain(scope, problems, kind, domain, certificate)
    alias = props.get("alias_name")
    if alias is not None:
        problems.check(
            bool(_ALIAS.fullmatch(alias)),
            "alias_name",
            alias,
            "1-128 letters, digits, '_' and '-', not only digits (e.g. 'live')",
        )
    for spec in specs:
        if getattr(spec, "provisioned_concurrency", None) is not None:
            problems.check(
                alias is not None,
                f"functions[{spec.name}].provisioned_concurrency",
                spec.provisioned_concurrency,
                "needs alias_name: provisioned concurrency applies to a published version, "
                "through the alias the API calls",
            )
    methods = tuple(m.upper() for m in props.get("cors_allow_methods") or ())
    allowed = {m.name for m in apigatewayv2.CorsHttpMethod} - {"ANY"}
    for method in methods:
        problems.check(
            method in allowed,
            "cors_allow_methods",
            method,
            f"one of {', '.join(sorted(allowed))}",
        )
    return SharingPlan(existing, authorizer, domain, certificate, alias, methods)


def _check_domain(
    scope: IConstruct,
    problems: Problems,
    kind: ApiKind,
    domain: str | None,
    certificate: acm.ICertificate | None,
) -> None:
    if domain is None and certificate is None:
        return
    problems.check(
        kind is ApiKind.HTTP,
        "domain_name",
        domain,
        "ApiKind.HTTP: custom domains are built for HTTP APIs (put CloudFront in front of a "
        "REST API for one)",
    )
    check_domain_name(problems, "domain_name", domain)
    problems.check(
        domain is not None and certificate is not None,
        "domain_name" if domain is None else "certificate",
        domain if domain is None else None,
        "domain_name and certificate go together: a regional custom domain is served with an "
        "ACM certificate that covers it",
    )
    if certificate is None:
        return
    region, here = certificate_region(certificate), Stack.of(scope).region
    problems.check(
        region is None or Token.is_unresolved(here) or region == here,
        "certificate",
        certificate.certificate_arn,
        f"an ACM certificate in the API's region ({here}): regional custom domains use "
        "certificates of their own region",
    )
