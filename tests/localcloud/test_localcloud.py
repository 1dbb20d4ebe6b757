"""The local-cloud harness itself: lifecycle, deploy errors, and each moto extension.

Templates here are written by hand into a minimal cloud assembly, so no synthesis is needed.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from petplatform_constructs.testing.localcloud import (
    DeployError,
    LocalCloud,
    LocalCloudError,
    deploy,
    destroy,
    read_assembly,
)
from petplatform_constructs.testing.localcloud.moto_extensions import (
    EXTENSIONS,
    PINNED_MOTO_VERSION,
    MotoVersionError,
    check_moto_version,
)

pytestmark = pytest.mark.localcloud
Json = dict[str, Any]


def write_assembly(
    root: Path, stacks: dict[str, Json], deps: dict[str, list[str]] | None = None
) -> Path:
    """A cloud assembly with one template per stack, as ``cdk synth`` lays it out."""
    root.mkdir(parents=True, exist_ok=True)
    artifacts: Json = {}
    for name, template in stacks.items():
        (root / f"{name}.template.json").write_text(json.dumps(template))
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": f"{name}.template.json", "stackName": name},
            "dependencies": (deps or {}).get(name, []),
        }
    (root / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": artifacts}))
    return root


def _template(resources: Json, outputs: Json | None = None) -> Json:
    return {"Resources": resources, **({"Outputs": outputs} if outputs else {})}


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(log=None) as started:
        yield started


# ---- lifecycle (before the module's shared cloud starts) --------------------------------------


def test_a_taken_port_falls_back_to_a_free_one_and_nothing_is_left_behind() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with LocalCloud(port=port, log=None) as local:
            assert local.endpoint_url.startswith("http://127.0.0.1:")
            assert not local.endpoint_url.endswith(f":{port}")
            assert local.client("sts").get_caller_identity()["Account"] == "123456789012"
            endpoint_port = int(local.endpoint_url.rsplit(":", 1)[1])
    assert not any(t.name == "petplatform-localcloud" for t in threading.enumerate())
    with socket.socket() as again:  # the emulator's port is released
        again.bind(("127.0.0.1", endpoint_port))
    with pytest.raises(LocalCloudError, match="not started"):
        _ = local.endpoint_url


def test_the_account_id_is_the_one_given() -> None:
    with LocalCloud(account_id="210987654321", log=None) as local:
        assert local.client("sts").get_caller_identity()["Account"] == "210987654321"


def test_only_one_emulated_cloud_runs_per_process() -> None:
    with LocalCloud(log=None), pytest.raises(LocalCloudError, match="another emulated"):
        LocalCloud(log=None).start()


def test_an_endpoint_override_starts_nothing() -> None:
    with LocalCloud(endpoint_url="http://localhost:4566", log=None) as remote:
        assert remote.endpoint_url == "http://localhost:4566"
        assert not remote.emulated
    assert not any(t.name == "petplatform-localcloud" for t in threading.enumerate())


def test_any_moto_but_the_pinned_version_is_refused() -> None:
    check_moto_version(PINNED_MOTO_VERSION)
    with pytest.raises(MotoVersionError, match=r"moto==5\.2\.5.*moto 5\.3\.0 is installed"):
        check_moto_version("5.3.0")


def test_the_cli_deploys_an_assembly_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from petplatform_constructs.testing.localcloud.__main__ import main

    table = _global_table(with_gsi=False)
    root = write_assembly(tmp_path, {"CliStack": _template({"Table": table})})
    assert main(["deploy", str(root)]) == 0
    printed = capsys.readouterr().out
    assert "local cloud stopped" in printed
    assert "CliStack" in printed and "CREATE_COMPLETE" in printed
    assert printed.rstrip().splitlines()[-1].split()[:2] == ["total", "1"]
    assert not any(t.name == "petplatform-localcloud" for t in threading.enumerate())
    assert main(["deploy", str(tmp_path / "missing")]) == 2


# ---- assembly ---------------------------------------------------------------------------------


def test_stacks_come_in_dependency_order(tmp_path: Path) -> None:
    empty = _template({"Topic": {"Type": "AWS::SNS::Topic"}})
    root = write_assembly(
        tmp_path, {"App": empty, "Data": empty, "Net": empty}, {"App": ["Data"], "Data": ["Net"]}
    )
    assert [s.stack_name for s in read_assembly(root)] == ["Net", "Data", "App"]


def test_a_dependency_cycle_is_reported(tmp_path: Path) -> None:
    empty = _template({"Topic": {"Type": "AWS::SNS::Topic"}})
    root = write_assembly(tmp_path, {"A": empty, "B": empty}, {"A": ["B"], "B": ["A"]})
    with pytest.raises(ValueError, match="cycle: A -> B -> A"):
        read_assembly(root)


# ---- deploy errors ----------------------------------------------------------------------------


def test_a_failing_resource_is_named_with_its_reason_and_rolled_back(
    cloud: LocalCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = _template(
        {
            "Table": {
                "Type": "AWS::DynamoDB::GlobalTable",
                "Properties": {
                    "TableName": "rollback-me",
                    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST",
                    "Replicas": [{"Region": "us-east-1"}],
                },
            },
            "Policy": {
                "Type": "AWS::S3::BucketPolicy",
                "DependsOn": ["Table"],
                "Properties": {
                    "Bucket": "no-such-bucket",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": []},
                },
            },
        }
    )
    root = write_assembly(tmp_path, {"Broken": template})
    loud = LocalCloud(log=None)
    loud._endpoint, loud._log = cloud.endpoint_url, __import__("sys").stdout
    with pytest.raises(DeployError) as raised:
        deploy(loud, root)
    (failure,) = raised.value.failures
    assert (failure.logical_id, failure.resource_type) == ("Policy", "AWS::S3::BucketPolicy")
    assert failure.status == "CREATE_FAILED"
    assert "bucket does not exist" in failure.reason
    assert raised.value.status == "ROLLBACK_COMPLETE"
    printed = capsys.readouterr().out
    assert "Broken" in printed and "FAILED (ROLLBACK_COMPLETE)" in printed
    assert "Policy (AWS::S3::BucketPolicy) CREATE_FAILED" in printed
    tables = cloud.client("dynamodb").list_tables()["TableNames"]
    assert "rollback-me" not in tables  # the resources created before the failure are gone
    destroy(cloud, root)


def test_an_unsupported_resource_type_fails_before_anything_is_created(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    template = _template({"Thing": {"Type": "AWS::Made::Up", "Properties": {}}})
    root = write_assembly(tmp_path, {"Unsupported": template})
    with pytest.raises(DeployError, match=r"Thing \(AWS::Made::Up\) NOT_SUPPORTED"):
        deploy(cloud, root)
    assert cloud.client("cloudformation").list_stacks()["StackSummaries"] == [] or all(
        s["StackName"] != "Unsupported"
        for s in cloud.client("cloudformation").list_stacks()["StackSummaries"]
    )


def test_a_rejected_template_is_a_clear_error(cloud: LocalCloud, tmp_path: Path) -> None:
    template = _template(
        {"Topic": {"Type": "AWS::SNS::Topic"}},
        {"Out": {"Value": {"Fn::ImportValue": "nobody-exports-this"}}},
    )
    root = write_assembly(tmp_path, {"Importer": template})
    with pytest.raises(DeployError, match="nobody-exports-this"):
        deploy(cloud, root)
    destroy(cloud, root)


# ---- each extension ---------------------------------------------------------------------------

GSI = {
    "IndexName": "by-owner",
    "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"},
}


def _global_table(with_gsi: bool) -> Json:
    attributes = [{"AttributeName": "id", "AttributeType": "S"}]
    if with_gsi:
        attributes.append({"AttributeName": "owner", "AttributeType": "S"})
    return {
        "Type": "AWS::DynamoDB::GlobalTable",
        "Properties": {
            "TableName": "ext-table",
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "AttributeDefinitions": attributes,
            "GlobalSecondaryIndexes": [GSI] if with_gsi else [],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamViewType": "KEYS_ONLY"},
            "SSESpecification": {"SSEEnabled": True},
            "Replicas": [
                {
                    "Region": {"Ref": "AWS::Region"},
                    "DeletionProtectionEnabled": False,
                    "Tags": [{"Key": "team", "Value": "pets"}],
                }
            ],
        },
    }


def _extension_template(version: int) -> Json:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    if version == 2:
        statement["Action"] = ["s3:GetObject", "s3:PutObject"]
    return _template(
        {
            "Table": _global_table(with_gsi=version == 2),
            "Pool": {
                "Type": "AWS::Cognito::UserPool",
                "Properties": {
                    "UserPoolName": "ext-pool",
                    "Policies": {"PasswordPolicy": {"MinimumLength": 12}},
                },
            },
            "Group": {
                "Type": "AWS::Cognito::UserPoolGroup",
                "Properties": {
                    "UserPoolId": {"Ref": "Pool"},
                    "GroupName": "breeders",
                    "Precedence": 1,
                },
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "RoleName": "ext-role",
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                },
            },
            "Managed": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
                    "Roles": [{"Ref": "Role"}],
                },
            },
            "Oac": {
                "Type": "AWS::CloudFront::OriginAccessControl",
                "Properties": {
                    "OriginAccessControlConfig": {
                        "Name": "ext-oac",
                        "OriginAccessControlOriginType": "s3",
                        "SigningBehavior": "always",
                        "SigningProtocol": "sigv4",
                    }
                },
            },
            "Cdn": {
                "Type": "AWS::CloudFront::Distribution",
                "Properties": {"DistributionConfig": {}},
            },
            "Custom": {"Type": "Custom::Anything", "Properties": {"ServiceToken": "arn:x"}},
        },
        {
            "TableArn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}},
            "StreamArn": {"Value": {"Fn::GetAtt": ["Table", "StreamArn"]}},
            "PoolArn": {"Value": {"Fn::GetAtt": ["Pool", "Arn"]}},
            "ProviderUrl": {"Value": {"Fn::GetAtt": ["Pool", "ProviderURL"]}},
            "GroupName": {"Value": {"Ref": "Group"}},
            "OacId": {"Value": {"Fn::GetAtt": ["Oac", "Id"]}},
            "CdnDomain": {"Value": {"Fn::GetAtt": ["Cdn", "DomainName"]}},
            "ManagedArn": {"Value": {"Ref": "Managed"}},
        },
    )


def test_extensions_create_update_and_delete_real_resources(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    v1 = write_assembly(tmp_path / "v1", {"Ext": _extension_template(1)})
    v2 = write_assembly(tmp_path / "v2", {"Ext": _extension_template(2)})
    dynamodb, idp, iam = cloud.client("dynamodb"), cloud.client("cognito-idp"), cloud.client("iam")

    created = deploy(cloud, v1)
    (stack,) = created.stacks
    assert stack.skipped == ("Custom",)
    out = stack.outputs
    table = dynamodb.describe_table(TableName="ext-table")["Table"]
    assert out["TableArn"] == table["TableArn"]
    assert out["StreamArn"] == table["LatestStreamArn"]
    assert table["StreamSpecification"]["StreamViewType"] == "KEYS_ONLY"
    tags = dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    assert {"Key": "team", "Value": "pets"} in tags
    pool_id = out["PoolArn"].rsplit("/", 1)[1]
    assert out["ProviderUrl"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert idp.get_group(UserPoolId=pool_id, GroupName="breeders")["Group"]["Precedence"] == 1
    attached = iam.list_attached_role_policies(RoleName="ext-role")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [out["ManagedArn"]]
    assert cloud.client("cloudfront").get_origin_access_control(Id=out["OacId"])
    assert out["CdnDomain"].endswith(".cloudfront.net")
    dynamodb.put_item(TableName="ext-table", Item={"id": {"S": "1"}, "owner": {"S": "ann"}})

    updated = deploy(cloud, v2)
    assert updated.stacks[0].status == "UPDATE_COMPLETE"
    table = dynamodb.describe_table(TableName="ext-table")["Table"]
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["by-owner"]
    assert dynamodb.get_item(TableName="ext-table", Key={"id": {"S": "1"}})["Item"]
    policy = iam.get_policy(PolicyArn=out["ManagedArn"])["Policy"]
    document = iam.get_policy_version(
        PolicyArn=out["ManagedArn"], VersionId=policy["DefaultVersionId"]
    )["PolicyVersion"]["Document"]
    assert document["Statement"][0]["Action"] == ["s3:GetObject", "s3:PutObject"]
    assert idp.describe_user_pool(UserPoolId=pool_id)  # kept, not replaced
    assert updated.stacks[0].outputs["PoolArn"] == out["PoolArn"]

    destroy(cloud, v2)
    assert "ext-table" not in dynamodb.list_tables()["TableNames"]
    assert all(p["Id"] != pool_id for p in idp.list_user_pools(MaxResults=60)["UserPools"])
    assert all(r["RoleName"] != "ext-role" for r in iam.list_roles()["Roles"])
    assert all(p["Arn"] != out["ManagedArn"] for p in iam.list_policies(Scope="Local")["Policies"])


def test_every_extension_is_exercised_by_a_test() -> None:
    exercised = {
        "AWS::DynamoDB::GlobalTable", "AWS::S3::Bucket", "AWS::S3::BucketPolicy",
        "AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::Cognito::UserPool",
        "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolDomain",
        "AWS::Cognito::UserPoolGroup", "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::CachePolicy", "AWS::CloudFront::Distribution",
        "AWS::CloudFormation::CustomResource",
    }  # fmt: skip
    # Bucket, BucketPolicy, UserPoolClient/Domain and CachePolicy: test_homeforpup_local.py.
    assert {model.cloudformation_type() for model in EXTENSIONS} == exercised
