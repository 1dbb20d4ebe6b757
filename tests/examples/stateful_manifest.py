"""The committed logical-ID manifest of every example and stage, and the check against it.

Accept additions (or a reviewed change) with ``make manifest``: it rewrites
``stateful-manifest.json`` from a fresh synthesis of every example and stage.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from petplatform_constructs.testing.manifest import (
    Manifest,
    compare_manifests,
    stateful_manifest,
    write_manifest,
)

MANIFEST = Path(__file__).with_name("stateful-manifest.json")
ACCEPT = os.environ.get("ACCEPT_STATEFUL_MANIFEST") == "1"


def _load() -> dict[str, dict[str, Manifest]]:
    if not MANIFEST.exists():
        return {}
    data: dict[str, dict[str, Manifest]] = json.loads(MANIFEST.read_text())
    return data


def check_stateful_manifest(
    example: str, stage: str, templates: Mapping[str, Mapping[str, Any]]
) -> None:
    """Fail when a stateful resource of ``example`` in ``stage`` was lost or replaced."""
    actual = stateful_manifest(templates)
    committed = _load()
    if ACCEPT:
        committed.setdefault(example, {})[stage] = actual
        write_manifest(MANIFEST, committed)
        return
    expected = committed.get(example, {}).get(stage)
    assert expected is not None, f"no manifest for {example}/{stage}: run `make manifest`"
    problems = compare_manifests(expected, actual)
    assert not problems, "\n".join(problems)
