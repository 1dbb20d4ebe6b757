"""Storage and edge test helpers: resources by construct path, a bare stack, a certificate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from aws_cdk import Environment, Stack
from aws_cdk import aws_certificatemanager as acm

from petplatform_constructs import configure_platform
from petplatform_constructs.testing import SynthResult, make_app

JsonDict = dict[str, Any]


def at_path(result: SynthResult, path: str, stack: str = "Test") -> tuple[str, JsonDict]:
    """The logical id and resource whose construct path is ``{stack}/{path}``."""
    for logical_id, resource in result.template_json(stack)["Resources"].items():
        if resource.get("Metadata", {}).get("aws:cdk:path") == f"{stack}/{path}":
            return logical_id, resource
    raise LookupError(path)


def logical_id(result: SynthResult, path: str) -> str:
    """The logical id of the resource at construct path ``Test/{path}``."""
    return at_path(result, path)[0]


def resource(result: SynthResult, path: str) -> JsonDict:
    """The resource at construct path ``Test/{path}``."""
    return at_path(result, path)[1]


def bare_stack(region: str | None = "us-east-1", stage: str = "dev") -> Stack:
    """Stack ``Test`` of a configured app without compliance packs, for construction tests."""
    app = make_app()
    configure_platform(app, project="PetTest", stage=stage, compliance=None)
    env = Environment(account="123456789012", region=region) if region else None
    return Stack(app, "Test", env=env)


def certificate(stack: Stack, region: str = "us-east-1") -> acm.ICertificate:
    """An imported ACM certificate in ``region``."""
    return acm.Certificate.from_certificate_arn(
        stack, "Cert", f"arn:aws:acm:{region}:123456789012:certificate/x"
    )


def cases(table: Iterable[tuple[str, Any, str]]) -> list[Any]:
    """``(case, props, message)`` rows as ``pytest.param(props, message, id=case)``."""
    return [pytest.param(props, message, id=case) for case, props, message in table]
