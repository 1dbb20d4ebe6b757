"""The moto extensions live as long as a local cloud: installed when it starts, and every patched
moto attribute put back exactly when it stops, so that the next cloud (or anything else using
moto in the process) starts from moto as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs petplatform-localcloud (moto[server], boto3)")

from localcloud_templates import Json, write_assembly
from moto.cloudformation import parsing
from moto.s3.models import FakeBucket

from petplatform_localcloud import LocalCloud, LocalCloudError, deploy, moto_extensions, server
from petplatform_localcloud.moto_extensions.patching import PatchSet, replace, wrap

pytestmark = pytest.mark.localcloud
_ABSENT = object()


def _own_attributes() -> list[Any]:
    """What each patched owner holds itself under each patched name (not what it inherits)."""
    return [vars(owner).get(name, _ABSENT) for owner, name in moto_extensions.patch_targets()]


def _changed(before: list[Any], after: list[Any]) -> list[str]:
    targets = moto_extensions.patch_targets()
    return [
        f"{getattr(owner, '__name__', owner)}.{name}"
        for (owner, name), old, new in zip(targets, before, after, strict=True)
        if old is not new
    ]


def test_stopping_a_local_cloud_puts_every_patched_moto_attribute_back() -> None:
    assert not moto_extensions.is_installed()
    before = _own_attributes()
    models = dict(parsing.get_model_map())
    # Importing the extensions changes none of moto's resource types: they only act installed.
    assert models["AWS::S3::Bucket"] is FakeBucket
    assert "AWS::DynamoDB::GlobalTable" not in models

    with LocalCloud(log=None):
        assert moto_extensions.is_installed()
        during = _own_attributes()
        assert len(_changed(before, during)) == len(before)  # every target is patched
        assert "AWS::DynamoDB::GlobalTable" in parsing.get_model_map()

    assert not moto_extensions.is_installed()
    assert _changed(before, _own_attributes()) == []
    assert parsing.get_model_map() == models
    assert parsing.get_model_map()["AWS::S3::Bucket"] is FakeBucket


def test_a_cloud_that_fails_to_start_leaves_moto_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _own_attributes()

    def refuse(port: int) -> Any:
        raise LocalCloudError("cannot listen (test)")

    monkeypatch.setattr(server, "_start_server", refuse)
    with pytest.raises(LocalCloudError, match="cannot listen"):
        LocalCloud(log=None).start()
    assert not moto_extensions.is_installed()
    assert _changed(before, _own_attributes()) == []


def _table_stack() -> Json:
    """A ``GlobalTable``: a type only the extensions give moto."""
    table = {
        "Type": "AWS::DynamoDB::GlobalTable",
        "Properties": {
            "TableName": "lifetime-table",
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "Replicas": [{"Region": "us-east-1"}],
        },
    }
    return {
        "Resources": {"Table": table},
        "Outputs": {"TableArn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}}},
    }


def test_two_local_clouds_one_after_the_other_both_work(tmp_path: Path) -> None:
    root = write_assembly(tmp_path, "Lifetime", _table_stack())
    for round_ in ("first", "second"):
        with LocalCloud(log=None) as cloud:
            report = deploy(cloud, root)
            assert [s.action for s in report.stacks] == ["create"], round_  # nothing left over
            assert report.outputs("Lifetime")["TableArn"].endswith(":table/lifetime-table")
            dynamodb = cloud.client("dynamodb")
            dynamodb.put_item(TableName="lifetime-table", Item={"id": {"S": round_}})
            items = dynamodb.scan(TableName="lifetime-table")["Items"]
            assert items == [{"id": {"S": round_}}]
        assert not moto_extensions.is_installed()


def test_installs_nest_and_the_last_uninstall_restores() -> None:
    before = _own_attributes()
    with moto_extensions.installed():
        with moto_extensions.installed():
            assert moto_extensions.is_installed()
        assert moto_extensions.is_installed()
        assert _changed(before, _own_attributes())
    assert not moto_extensions.is_installed()
    assert _changed(before, _own_attributes()) == []
    with pytest.raises(RuntimeError, match="not installed"):
        moto_extensions.uninstall()


class _Base:
    @staticmethod
    def answer() -> int:
        return 1

    @property
    def name(self) -> str:
        return "base"


class _Child(_Base):
    pass


def test_a_patch_set_restores_descriptors_and_removes_what_was_only_inherited() -> None:
    own_answer = vars(_Base)["answer"]  # the staticmethod object, not the function
    patches = PatchSet(
        [
            replace(_Base, "answer", staticmethod(lambda: 2)),
            wrap(_Child, "name", lambda inherited: property(lambda self: "child")),
        ]
    )
    patches.apply()
    assert (_Base.answer(), _Child().name, _Base().name) == (2, "child", "base")
    patches.undo()
    assert vars(_Base)["answer"] is own_answer
    assert "name" not in vars(_Child)
    assert (_Base.answer(), _Child().name) == (1, "base")
    assert not patches.applied
