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


@pytest.mark.parametrize("stage", quickstart.STAGES)
def test_bucket_names_carry_the_account_and_region(synth_cache: SynthCache, stage: str) -> None:
    """``images``, ``uploads`` and ``access-logs`` alone are almost surely taken in S3's global
    namespace (issue 10, section 3: bucket names)."""
    result = synth_cache.get(
        ("quickstart", stage), lambda: synth(make_app(), lambda app: quickstart.build(app, stage))
    )
    (template,) = result.templates.values()
    names = [
        resource["Properties"]["BucketName"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::S3::Bucket"
    ]
    assert len(names) == 3
    suffix = [{"Ref": "AWS::AccountId"}, "-", {"Ref": "AWS::Region"}]
    for name in names:
        base, *rest = name["Fn::Join"][1]
        assert base.endswith("-") and rest == suffix, name
