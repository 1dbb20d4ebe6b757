"""The README's quick start is real code: it runs, and the quickstart example is clean."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import quickstart
from petplatform_constructs.testing import SynthCache, make_app, synth

ROOT = Path(__file__).resolve().parent.parent


def test_readme_quick_start_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    assert len(code.group(1).splitlines()) <= 20
    # The built-in template validation (~3 s) is checked elsewhere; skip it here.
    source = code.group(1).replace("App()", "App(builtin_cloud_formation_validation=False)")
    assert source.count("builtin_cloud_formation_validation") == 1
    namespace: dict[str, object] = {}
    exec(compile(source, "README.md", "exec"), namespace)
    outdir = Path(namespace["app"].outdir)  # type: ignore[attr-defined]
    assert (outdir / "PetPals-dev.template.json").exists()


@pytest.mark.parametrize("stage", quickstart.STAGES)
def test_quickstart_example_is_clean(synth_cache: SynthCache, stage: str) -> None:
    result = synth_cache.get(
        ("quickstart", stage), lambda: synth(make_app(), lambda app: quickstart.build(app, stage))
    )
    assert [str(f) for f in result.findings] == []
    template = result.template(f"PetPals-{stage}")
    template.resource_count_is("AWS::DynamoDB::GlobalTable", 1)
    template.has_resource_properties(
        "AWS::DynamoDB::GlobalTable",
        {"TableName": "profiles" if stage == "dev" else f"profiles-{stage}"},
    )
