"""Every example passes the CDK's built-in CloudFormation validation in strict mode.

Strict mode (``@aws-cdk/core:strictCfnValidateErrors``) turns its warnings into failures. It
costs about 3 s per example, so it runs once per example, on its most protected stage.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from petplatform_constructs.testing import make_app, synth

EXAMPLES = sorted(
    p.parent.name for p in (Path(__file__).resolve().parents[2] / "examples").glob("*/app.py")
)


@pytest.mark.parametrize("name", EXAMPLES)
def test_strict_builtin_validation(name: str) -> None:
    example = importlib.import_module(name)
    stage = example.STAGES[-1]
    app = make_app(strict=True, bundling=False)  # Go builds would not change the templates
    example.build(app, stage)
    result = synth(app)
    assert result.error is None
    assert [str(f) for f in result.findings] == []
    assert result.templates
