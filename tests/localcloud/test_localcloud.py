"""The local-cloud harness itself: lifecycle, deploy errors, and each moto extension.

Templates here are written by hand into a minimal cloud assembly, so no synthesis is needed.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from botocore.exceptions import ClientError

from petplatform_localcloud import (
    DeployError,
    LocalCloud,
    LocalCloudError,
    deploy,
    destroy,
    read_assembly,
)
from petplatform_localcloud.moto_extensions import (
    MotoVersionError,
    check_moto_version,
    cloudfront,
    cognito,
    custom_resources,
    dynamodb,
    iam,
    s3,
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


@pytest.mark.parametrize("version", ["5.2.5", "5.2.6", "5.2.10.dev0"])
def test_releases_in_the_supported_range_are_accepted(version: str) -> None:
    check_moto_version(version)


@pytest.mark.parametrize("version", ["5.2.4", "5.3.0", "5.3.0rc1", "6.0.0", "4.2.14"])
def test_any_moto_outside_the_supported_range_is_refused(version: str) -> None:
    expected = rf"moto>=5\.2\.5,<5\.3.*moto {re.escape(version)} is installed"
    with pytest.raises(MotoVersionError, match=expected):
        check_moto_version(version)


def test_the_cli_deploys_an_assembly_and_prints_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from petplatform_localcloud.__main__ import main

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
        "AWS::CloudFormation::CustomResource", "AWS::CDK::Metadata", "AWS::IAM::OIDCProvider",
    }  # fmt: skip
    # Bucket, BucketPolicy, UserPoolClient/Domain and CachePolicy: test_homeforpup_local.py;
    # CDK::Metadata: the change-set tests below and test_cdk_deploy.py; OIDCProvider:
    # tests/examples/listbackup/test_local_scenario.py (the cicd stack, read back from IAM).
    modules = (dynamodb, s3, iam, cognito, cloudfront, custom_resources)
    assert {model.cloudformation_type() for m in modules for model in m.EXTENSIONS} == exercised


# ---- engine fixes: change sets (what `cdk deploy` uses), template URLs, deleted stacks --------


def _exporter(suffix: str, *, topic_name: str = "cs-topic") -> Json:
    """A bucket policy listed before the bucket it names by a literal (only ``DependsOn``
    orders them), a resource whose ``Condition`` is false, CDK's metadata, and two outputs
    with the same value, one exported."""
    bucket = f"cs-bucket-{suffix}"
    return {
        "Conditions": {"Never": {"Fn::Equals": ["a", "b"]}},
        "Resources": {
            "Policy": {
                "Type": "AWS::S3::BucketPolicy",
                "DependsOn": ["Bucket"],
                "Properties": {
                    "Bucket": bucket,
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": []},
                },
            },
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}},
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": topic_name}},
            "Skipped": {"Type": "AWS::SNS::Topic", "Condition": "Never"},
            "CDKMetadata": {"Type": "AWS::CDK::Metadata", "Properties": {"Analytics": "v2:x"}},
        },
        "Outputs": {
            "BucketArn": {
                "Value": {"Fn::GetAtt": ["Bucket", "Arn"]},
                "Export": {"Name": f"cs-{suffix}-bucket-arn"},
            },
            "SameArn": {"Value": {"Fn::GetAtt": ["Bucket", "Arn"]}},
            "TopicArn": {"Value": {"Ref": "Topic"}},
        },
    }


def _importer(suffix: str) -> Json:
    return {
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"cs-q-{suffix}"}}
        },
        "Outputs": {"Imported": {"Value": {"Fn::ImportValue": f"cs-{suffix}-bucket-arn"}}},
    }


def _change_set(cfn: Any, stack: str, template: Json | None, kind: str, **kwargs: Any) -> str:
    body = {"TemplateBody": json.dumps(template)} if template is not None else {}
    created = cfn.create_change_set(
        StackName=stack, ChangeSetName=f"cs-{kind.lower()}", ChangeSetType=kind, **body, **kwargs
    )
    cfn.execute_change_set(ChangeSetName=created["Id"])
    change_set_id: str = created["Id"]
    return change_set_id


def _stack(cfn: Any, name: str) -> Json:
    stack: Json = cfn.describe_stacks(StackName=name)["Stacks"][0]
    return stack


def test_a_create_change_set_creates_in_dependency_order_with_outputs_and_exports(
    cloud: LocalCloud,
) -> None:
    cfn = cloud.client("cloudformation")
    _change_set(cfn, "CsExporter", _exporter("a"), "CREATE")
    stack = _stack(cfn, "CsExporter")
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o for o in stack["Outputs"]}
    assert outputs["BucketArn"]["OutputValue"] == "arn:aws:s3:::cs-bucket-a"
    # Each output carries its own export name, not the first export with the same value.
    assert outputs["BucketArn"]["ExportName"] == "cs-a-bucket-arn"
    assert "ExportName" not in outputs["SameArn"]
    assert outputs["TopicArn"]["OutputValue"].endswith(":cs-topic")
    assert cloud.client("s3").get_bucket_policy(Bucket="cs-bucket-a")
    resources = cfn.describe_stack_resources(StackName="CsExporter")["StackResources"]
    assert sorted(r["LogicalResourceId"] for r in resources) == [
        "Bucket", "CDKMetadata", "Policy", "Topic",
    ]  # fmt: skip
    events = cfn.describe_stack_events(StackName="CsExporter")["StackEvents"]
    assert [e["ResourceStatus"] for e in reversed(events)][:3] == [
        "REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE",
    ]  # fmt: skip

    _change_set(cfn, "CsImporter", _importer("a"), "CREATE")
    importer = _stack(cfn, "CsImporter")
    assert importer["Outputs"][0]["OutputValue"] == "arn:aws:s3:::cs-bucket-a"

    # An UPDATE change set updates the resources and the outputs.
    _change_set(cfn, "CsExporter", _exporter("a", topic_name="cs-topic-2"), "UPDATE")
    updated = _stack(cfn, "CsExporter")
    assert updated["StackStatus"] == "UPDATE_COMPLETE"
    topic_arn = {o["OutputKey"]: o["OutputValue"] for o in updated["Outputs"]}["TopicArn"]
    assert topic_arn.endswith(":cs-topic-2")
    topics = [t["TopicArn"] for t in cloud.client("sns").list_topics()["Topics"]]
    assert topic_arn in topics and not any(t.endswith(":cs-topic") for t in topics)

    cfn.delete_stack(StackName="CsImporter")
    cfn.delete_stack(StackName="CsExporter")


def test_a_failing_create_change_set_rolls_back_and_names_the_resource(
    cloud: LocalCloud,
) -> None:
    cfn = cloud.client("cloudformation")
    template = _exporter("b")
    del template["Resources"]["Bucket"]
    template["Resources"]["Policy"]["DependsOn"] = ["Topic"]
    del template["Outputs"]["BucketArn"], template["Outputs"]["SameArn"]
    template["Outputs"]["Exported"] = {"Value": "x", "Export": {"Name": "cs-b-exported"}}
    _change_set(cfn, "CsBroken", template, "CREATE")
    stack = _stack(cfn, "CsBroken")
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName="CsBroken")["StackEvents"]
    (failed,) = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed["LogicalResourceId"] == "Policy"
    assert "bucket does not exist" in failed["ResourceStatusReason"]
    assert "cs-b-exported" not in {e["Name"] for e in cfn.list_exports()["Exports"]}
    topics = [t["TopicArn"] for t in cloud.client("sns").list_topics()["Topics"]]
    assert not any(t.endswith(":cs-topic") for t in topics)  # rolled back
    cfn.delete_stack(StackName="CsBroken")


def test_a_template_url_on_the_loopback_endpoint_is_read_path_style(cloud: LocalCloud) -> None:
    """The CDK CLI uploads templates over 50 KiB and passes http://127.0.0.1:PORT/bucket/key."""
    s3, cfn = cloud.client("s3"), cloud.client("cloudformation")
    s3.create_bucket(Bucket="cs-templates")
    s3.put_object(Bucket="cs-templates", Key="t/big.json", Body=json.dumps(_exporter("c")))
    url = f"{cloud.endpoint_url}/cs-templates/t/big.json"
    assert url.startswith("http://127.0.0.1:")
    _change_set(cfn, "CsFromUrl", None, "CREATE", TemplateURL=url)
    assert _stack(cfn, "CsFromUrl")["StackStatus"] == "CREATE_COMPLETE"
    cfn.delete_stack(StackName="CsFromUrl")
    cfn.create_stack(StackName="CsFromUrlDirect", TemplateURL=url)
    assert _stack(cfn, "CsFromUrlDirect")["StackStatus"] == "CREATE_COMPLETE"
    cfn.delete_stack(StackName="CsFromUrlDirect")


def test_a_deleted_stack_described_by_id_does_not_come_back(cloud: LocalCloud) -> None:
    """The CDK CLI polls DescribeStacks with the stack id until DELETE_COMPLETE."""
    cfn = cloud.client("cloudformation")
    created = cfn.create_stack(StackName="CsDeleted", TemplateBody=json.dumps(_exporter("d")))
    cfn.delete_stack(StackName=created["StackId"])
    (deleted,) = cfn.describe_stacks(StackName=created["StackId"])["Stacks"]
    assert deleted["StackStatus"] == "DELETE_COMPLETE"
    assert "cs-bucket-d" not in {b["Name"] for b in cloud.client("s3").list_buckets()["Buckets"]}
    assert cfn.describe_stack_resources(StackName=created["StackId"])["StackResources"] == []


def test_change_sets_are_found_by_name_on_their_own_stack(cloud: LocalCloud) -> None:
    """The CDK CLI names every change set ``cdk-deploy-change-set``."""
    cfn = cloud.client("cloudformation")
    template = {
        "Parameters": {
            "Version": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cs/version"}
        },
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {"Version": {"Value": {"Ref": "Version"}}},
    }
    cloud.client("ssm").put_parameter(Name="/cs/version", Value="33", Type="String")
    for stack in ("CsOne", "CsTwo"):
        cfn.create_change_set(
            StackName=stack, ChangeSetName="same", ChangeSetType="CREATE",
            TemplateBody=json.dumps(template),
        )  # fmt: skip
    one = cfn.describe_change_set(StackName="CsOne", ChangeSetName="same")
    assert one["StackName"] == "CsOne"
    listed = cfn.list_change_sets(StackName="CsTwo")["Summaries"]
    assert [(c["StackName"], c["ChangeSetName"]) for c in listed] == [("CsTwo", "same")]
    cfn.execute_change_set(StackName="CsOne", ChangeSetName="same")
    assert _stack(cfn, "CsOne")["StackStatus"] == "CREATE_COMPLETE"
    assert _stack(cfn, "CsTwo")["StackStatus"] == "REVIEW_IN_PROGRESS"
    with pytest.raises(ClientError) as executed_twice:
        cfn.execute_change_set(StackName="CsOne", ChangeSetName="same")
    assert executed_twice.value.response["Error"]["Code"] == "InvalidChangeSetStatus"

    cfn.delete_change_set(StackName="CsTwo", ChangeSetName="same")
    with pytest.raises(ClientError) as gone:
        cfn.describe_change_set(StackName="CsTwo", ChangeSetName="same")
    assert gone.value.response["Error"]["Code"] == "ChangeSetNotFound"
    assert cfn.describe_change_set(StackName="CsOne", ChangeSetName="same")["StackName"] == "CsOne"

    # An update that keeps the SSM-typed parameter (as the CLI does for BootstrapVersion)
    # resolves the parameter's name again, not the previous value.
    cloud.client("ssm").put_parameter(Name="/cs/version", Value="34", Type="String", Overwrite=True)
    template["Resources"]["Other"] = {"Type": "AWS::SNS::Topic"}
    cfn.create_change_set(
        StackName="CsOne", ChangeSetName="update", ChangeSetType="UPDATE",
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "Version", "UsePreviousValue": True}],
    )  # fmt: skip
    cfn.execute_change_set(StackName="CsOne", ChangeSetName="update")
    updated = _stack(cfn, "CsOne")
    assert updated["StackStatus"] == "UPDATE_COMPLETE"
    assert updated["Outputs"][0]["OutputValue"] == "34"
    for stack in ("CsOne", "CsTwo"):
        cfn.delete_stack(StackName=stack)


def test_the_cdk_cli_environment_reaches_only_the_local_cloud(tmp_path: Path) -> None:
    from petplatform_localcloud.cdk_cli import local_cloud_env

    base = {
        "PATH": "/usr/bin",
        "HOME": "/home/me",
        "AWS_PROFILE": "production",
        "AWS_SESSION_TOKEN": "real-token",
        "AWS_ACCESS_KEY_ID": "AKIAREAL",
        "CDK_DEFAULT_ACCOUNT": "999999999999",
    }
    with LocalCloud(endpoint_url="http://127.0.0.1:4566", account_id="210987654321") as remote:
        env = local_cloud_env(remote, base=base)
        assert local_cloud_env(remote, base=base, cdk_home=tmp_path)["CDK_HOME"] == str(tmp_path)
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env
    assert env["AWS_ACCESS_KEY_ID"] == "testing"
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4566"
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == env["AWS_CONFIG_FILE"] == os.devnull
    assert env["CDK_DEFAULT_ACCOUNT"] == "210987654321"
    assert env["CDK_HOME"].endswith("petplatform-cdk-home-210987654321")
    assert env["PATH"].split(os.pathsep) == [str(Path(sys.executable).parent), "/usr/bin"]
    assert env["HOME"] == "/home/me"
