"""examples/quickstart: its stateful resources keep their logical ids in every stage."""

from __future__ import annotations

import pytest
from stateful_manifest import check_stateful_manifest

import quickstart
from petplatform_constructs.testing import SynthCache, make_app, synth


@pytest.mark.parametrize("stage", quickstart.STAGES)
def test_stateful_resources_keep_their_logical_ids(synth_cache: SynthCache, stage: str) -> None:
    result = synth_cache.get(
        ("quickstart", stage), lambda: synth(make_app(), lambda app: quickstart.build(app, stage))
    )
    check_stateful_manifest("quickstart", stage, result.templates)
