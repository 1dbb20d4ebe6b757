"""The stateful logical-ID manifest catches a renamed construct, and lets additions pass."""

from __future__ import annotations

from aws_cdk import App, Stack

from petplatform_constructs import ProfilesTable, configure_platform
from petplatform_constructs.testing import make_app, synth
from petplatform_constructs.testing.manifest import compare_manifests, stateful_manifest


def _manifest(table_id: str, *, extra: bool = False) -> dict[str, dict[str, dict[str, str | None]]]:
    def build(app: App) -> None:
        configure_platform(app, project="Pets", stage="prod", compliance=None)
        stack = Stack(app, "Data")
        ProfilesTable(stack, table_id)
        if extra:
            ProfilesTable(stack, "Extra", name="extra")

    return stateful_manifest(synth(make_app(), build).templates)


def test_a_renamed_table_is_reported_as_lost() -> None:
    before = _manifest("Profiles")
    problems = compare_manifests(before, _manifest("Renamed"))
    assert len(problems) == 1
    assert "AWS::DynamoDB::GlobalTable" in problems[0]
    assert "disappeared" in problems[0]
    assert "pets-prod-profiles" in problems[0]


def test_an_added_table_passes_and_the_manifest_names_it() -> None:
    before = _manifest("Profiles")
    after = _manifest("Profiles", extra=True)
    assert compare_manifests(before, after) == []
    names = {entry["name"] for entry in after["Data"].values()}
    assert {"pets-prod-profiles", "pets-prod-extra"} <= names


def test_a_changed_type_or_name_is_a_replacement() -> None:
    before = {"S": {"T": {"type": "AWS::DynamoDB::Table", "name": "a"}}}
    assert (
        "changed type"
        in compare_manifests(
            before, {"S": {"T": {"type": "AWS::DynamoDB::GlobalTable", "name": "a"}}}
        )[0]
    )
    assert (
        "changed physical name"
        in compare_manifests(before, {"S": {"T": {"type": "AWS::DynamoDB::Table", "name": "b"}}})[0]
    )
