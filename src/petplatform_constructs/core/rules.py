"""Rules that several constructs apply to the same kind of value, written once.

CORS origins, HTTP header names, DNS names and the region of an ACM certificate are checked the
same way wherever they are accepted, so a value that one construct accepts no other refuses.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from aws_cdk import Arn, ArnFormat, Token

from petplatform_constructs.core.errors import Problems

if TYPE_CHECKING:
    from aws_cdk import aws_certificatemanager as acm

__all__ = [
    "CLOUDFRONT_REGION",
    "certificate_region",
    "check_certificate",
    "check_cors_origins",
    "check_domain_name",
    "check_header_names",
]

CLOUDFRONT_REGION = "us-east-1"
"""CloudFront (and so Cognito custom domains) use ACM certificates from this region only."""

_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
_WILDCARD_HOST = r"(?:\*\.)?" + _HOST
_PORT = r"(?::\d{1,5})?"
_LOCAL = r"http://(?:localhost|127\.0\.0\.1)" + _PORT
_ORIGIN = re.compile(rf"https://{_HOST}{_PORT}|{_LOCAL}")
_WILDCARD_ORIGIN = re.compile(rf"https://{_WILDCARD_HOST}{_PORT}|{_LOCAL}")
_HEADER_NAME = re.compile(r"[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_DOMAIN = re.compile(r"(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
ORIGIN_RULE = (
    "https://host[:port], or http://localhost[:port] / http://127.0.0.1[:port] for development, "
    "or '*' alone; no path and no trailing slash (browsers never send one)"
)


def check_cors_origins(
    problems: Problems, prop: str, origins: object, *, wildcard_subdomains: bool = False
) -> None:
    """Browser origins for CORS: HTTPS (or local HTTP), no path, ``'*'`` only alone.

    ``wildcard_subdomains`` also allows ``https://*.example.com`` where the service supports it
    (S3 CORS rules do; API Gateway does not).
    """
    if not problems.check_sequence(prop, origins, str, "origin strings"):
        return
    items = list(origins)  # type: ignore[call-overload] # a list or tuple, checked above
    if "*" in items:
        problems.check(items == ["*"], prop, items, "'*' allows every origin, so it stands alone")
        return
    pattern = _WILDCARD_ORIGIN if wildcard_subdomains else _ORIGIN
    rule = ORIGIN_RULE + (", or https://*.example.com" if wildcard_subdomains else "")
    for origin in items:
        problems.check(bool(pattern.fullmatch(origin)), prop, origin, rule)


def check_header_names(problems: Problems, prop: str, headers: object) -> None:
    """HTTP header names (RFC 9110 tokens), as CORS allow-headers take them."""
    if not problems.check_sequence(prop, headers, str, "header names"):
        return
    for header in headers:  # type: ignore[attr-defined] # a list or tuple, checked above
        problems.check(
            bool(_HEADER_NAME.fullmatch(header)),
            prop,
            header,
            "HTTP header names (letters, digits and !#$%&'*+.^_`|~-)",
        )


def check_domain_name(problems: Problems, prop: str, domain: str | None) -> bool:
    """A lowercase DNS name such as ``images.example.com`` (a leading ``*.`` is allowed)."""
    if domain is None or Token.is_unresolved(domain):
        return True
    return problems.check(
        isinstance(domain, str) and bool(_DOMAIN.fullmatch(domain)),
        prop,
        domain,
        "a lowercase DNS name such as images.example.com (a leading '*.' is allowed)",
    )


def certificate_region(certificate: acm.ICertificate) -> str | None:
    """The certificate's region when known at synth time, else ``None``."""
    arn = certificate.certificate_arn
    if not Token.is_unresolved(arn):
        return Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).region
    region = certificate.env.region
    return None if Token.is_unresolved(region) else region


def check_certificate(
    problems: Problems,
    *,
    certificate: acm.ICertificate | None,
    domain: str | None,
    certificate_prop: str = "certificate",
    domain_prop: str = "custom_domain",
    served_by: str = "CloudFront",
) -> None:
    """A custom domain and its certificate go together, and the certificate is in us-east-1.

    ``served_by`` names the service in the message (CloudFront, or a Cognito domain, which
    CloudFront serves).
    """
    check_domain_name(problems, domain_prop, domain)
    if domain is not None and certificate is None:
        problems.add(
            certificate_prop,
            None,
            f"{domain_prop}={domain!r} needs an ACM certificate ({CLOUDFRONT_REGION}) that "
            f"covers it: {served_by} serves a custom domain only with a matching certificate",
        )
    if certificate is None:
        return
    if domain is None:
        problems.add(
            domain_prop,
            None,
            f"a {certificate_prop} was given without {domain_prop}; give the domain it covers",
        )
    region = certificate_region(certificate)
    problems.check(
        region is None or region == CLOUDFRONT_REGION,
        certificate_prop,
        certificate.certificate_arn,
        f"{served_by} uses ACM certificates from {CLOUDFRONT_REGION} only (create it in a "
        f"{CLOUDFRONT_REGION} stack with cross_region_references=True)",
    )
