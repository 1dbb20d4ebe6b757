"""AppRole: trust, grants derived from given resources, least privilege, cdk-nag, existing role."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Match

from petplatform_constructs import (
    AuthPool,
    DataTable,
    PropError,
    SecureBucket,
    configure_platform,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.core.iam import flatten_cfn_reference
from petplatform_constructs.identity.app_role import COGNITO_READ_ACTIONS, AppRole
from petplatform_constructs.testing import (
    Finding,
    SynthCache,
    SynthResult,
    make_app,
    resource_named,
    synth,
)

ENV = Environment(account="123456789012", region="us-east-1")
PARTITION = {"Ref": "AWS::Partition"}
DYNAMODB_RW = [
    "dynamodb:BatchGetItem",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
]
DYNAMODB_ALL = [*DYNAMODB_RW, "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:Scan"]
S3_RW = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
S3_ALL = [*S3_RW, "s3:DeleteObject"]
LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
SES = ["ses:SendEmail", "ses:SendRawEmail"]


# -- helpers -------------------------------------------------------------------------------


def arn(service: str, rest: str) -> dict[str, Any]:
    """The ``Fn::Join`` that ``Stack.format_arn`` produces in us-east-1 / 123456789012."""
    return {"Fn::Join": ["", ["arn:", PARTITION, f":{service}:us-east-1:123456789012:{rest}"]]}


def get_att(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


def joined(base: object, suffix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [base, suffix]]}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


def least_privilege_violations(template: dict[str, Any]) -> list[str]:
    """Allow statements of every AWS::IAM::Policy with ``*``/``svc:*`` actions or ``*`` resources.

    ``NotAction``/``NotResource`` count too: they grant everything except a list.
    """
    problems = []
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Effect") != "Allow":
                continue
            for key in ("NotAction", "NotResource"):
                if key in statement:
                    problems.append(f"{logical_id}: {key} {statement[key]}")
            for action in as_list(statement.get("Action", [])):
                if action == "*" or action.endswith(":*"):
                    problems.append(f"{logical_id}: Action {action}")
            for res in as_list(statement.get("Resource", [])):
                if res == "*":
                    problems.append(f"{logical_id}: Resource *")
    return problems


def policy_statements(template: dict[str, Any], path_part: str) -> list[dict[str, Any]]:
    """Statements of the IAM policies whose construct path contains ``path_part``."""
    return [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        and path_part in resource.get("Metadata", {}).get("aws:cdk:path", "")
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
    ]


def granted(statements: list[dict[str, Any]], resource: object) -> set[str]:
    """Every action the Allow statements grant on ``resource`` (statements may be merged)."""
    return {
        action
        for s in statements
        if s.get("Effect") == "Allow" and resource in as_list(s["Resource"])
        for action in as_list(s["Action"])
    }


def resource_at(template: dict[str, Any], resource_type: str, path: str) -> tuple[str, Any]:
    """The one resource of ``resource_type`` at construct path ``path`` (e.g. ``Test/X/Role``)."""
    (match,) = [
        (logical_id, r)
        for logical_id, r in template["Resources"].items()
        if r["Type"] == resource_type
        and r.get("Metadata", {}).get("aws:cdk:path") in (f"{path}/Resource", path)
    ]
    return match


def findings_under(result: SynthResult, *prefixes: str) -> list[Finding]:
    """Findings on the constructs the test is about (fixtures such as plain L2 buckets aside)."""
    return [f for f in result.findings if f.path.startswith(prefixes)]


def acknowledged_ids(result: SynthResult, stack: str) -> dict[str, set[str]]:
    """Acknowledged rule ids per construct path, read from the cloud assembly."""
    manifest = json.loads((result.outdir / "manifest.json").read_text())
    metadata_file = manifest["artifacts"][stack]["additionalMetadataFile"]
    metadata = json.loads((result.outdir / metadata_file).read_text())
    acks: dict[str, set[str]] = {}
    for path, entries in metadata.items():
        for entry in entries:
            if entry["type"] == "aws:cdk:acknowledged-rules":
                ids = {key.split("::", 1)[1] for key in entry["data"]}
                acks.setdefault(path, set()).update(ids)
    return acks


# -- builders ------------------------------------------------------------------------------


def build_homeforpup(stack: Stack) -> None:
    """A fully featured role next to a default one, fed by plain L2 fixtures."""
    key = kms.Key(stack, "DataKey", enable_key_rotation=True)
    profiles = dynamodb.TableV2(
        stack,
        "Profiles",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        global_secondary_indexes=[
            dynamodb.GlobalSecondaryIndexPropsV2(
                index_name="byOwner",
                partition_key=dynamodb.Attribute(
                    name="ownerId", type=dynamodb.AttributeType.STRING
                ),
            )
        ],
    )
    dogs = dynamodb.TableV2(
        stack,
        "Dogs",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        encryption=dynamodb.TableEncryptionV2.customer_managed_key(key),
    )
    images = s3.Bucket(stack, "Images", enforce_ssl=True)
    uploads = s3.Bucket(stack, "Uploads", enforce_ssl=True, encryption_key=key)
    pool = cognito.UserPool(stack, "Users")
    AppRole(
        stack,
        "AppRole",
        principals=["lambda.amazonaws.com", "ec2.amazonaws.com"],
        tables=[profiles, dogs],
        buckets=[images, uploads],
        data_access=["read", "write", "delete", "scan"],
        log_groups=["/aws/lambda/homeforpup-api"],
        user_pools=[pool],
        name="app",
        description="HomeForPup application role",
        max_session_duration=Duration.hours(2),
        permissions_boundary=iam.ManagedPolicy.from_managed_policy_name(
            stack, "Boundary", "app-boundary"
        ),
        from_address="*@homeforpup.com",
        export_prefix="HomeForPup-IAM",
    )
    AppRole(stack, "DefaultRole")


def build_lambda_only(stack: Stack) -> None:
    """Lambda-only role with literal name, explicit SES identity, custom logs and user grants."""
    extra = dynamodb.TableV2(
        stack,
        "Audit",
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
    )
    role = AppRole(
        stack,
        "AppRole",
        principals=["lambda.amazonaws.com"],
        role_name="homeforpup-api-role",
        ses_identity_arns=["arn:aws:ses:us-east-1:123456789012:identity/homeforpup.com"],
        log_group_prefixes=["/homeforpup/api/"],
    )
    extra.grant_read_data(role)  # AppRole is an IGrantable
    role.add_to_policy(
        iam.PolicyStatement(
            actions=["sqs:SendMessage"],
            resources=["arn:aws:sqs:us-east-1:123456789012:jobs-*"],
        )
    )


def build_imported(stack: Stack) -> None:
    existing = iam.Role.from_role_arn(
        stack, "Imported", "arn:aws:iam::123456789012:role/legacy-app-role"
    )
    bucket = s3.Bucket(stack, "Images", enforce_ssl=True)
    AppRole(stack, "AppRole", existing_role=existing, buckets=[bucket], send_email=False)


@pytest.fixture(scope="module")
def homeforpup(stack_synth: Callable[..., SynthResult]) -> Callable[[str], SynthResult]:
    return lambda stage: stack_synth("app_role_homeforpup", build_homeforpup, stage=stage)


@pytest.fixture(scope="module")
def dev(homeforpup: Callable[[str], SynthResult]) -> SynthResult:
    return homeforpup("dev")


@pytest.fixture(scope="module")
def lambda_only(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("app_role_lambda_only", build_lambda_only)


@pytest.fixture(scope="module")
def imported(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("app_role_imported", build_imported)


@pytest.fixture(scope="module")
def cross_stack(synth_cache: SynthCache) -> SynthResult:
    """HomeForPup's layout: the table in a Data stack, the role in an IAM stack."""

    def factory() -> SynthResult:
        app = make_app()
        configure_platform(app, project="HomeForPup", stage="dev")
        data = Stack(app, "Data", env=ENV)
        table = dynamodb.TableV2(
            data,
            "Profiles",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            global_secondary_indexes=[
                dynamodb.GlobalSecondaryIndexPropsV2(
                    index_name="byOwner",
                    partition_key=dynamodb.Attribute(
                        name="ownerId", type=dynamodb.AttributeType.STRING
                    ),
                )
            ],
        )
        AppRole(Stack(app, "IAM", env=ENV), "AppRole", tables=[table])
        return synth(app)

    return synth_cache.get(("app_role_cross_stack", "dev"), factory)


# -- trust and instance profile ------------------------------------------------------------


@pytest.mark.checklist("000#43")
def test_role_is_assumable_by_lambda_and_ec2_with_an_instance_profile(dev: SynthResult) -> None:
    template = dev.template_json("Test")

    def services(path: str) -> tuple[str, Any]:
        role_id, role = resource_at(template, "AWS::IAM::Role", path)
        statements = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        return role_id, [
            s["Principal"]["Service"]
            for s in statements
            if s["Action"] == "sts:AssumeRole" and s["Effect"] == "Allow"
        ]

    # by default Lambda only: EC2 trust comes only when asked for
    default_id, default = services("Test/DefaultRole/Role")
    assert default == ["lambda.amazonaws.com"]
    role_id, asked = services("Test/AppRole/Role")
    assert asked == ["lambda.amazonaws.com", "ec2.amazonaws.com"]
    assert "RoleName" not in template["Resources"][default_id]["Properties"]  # generated
    dev.template("Test").resource_count_is("AWS::IAM::InstanceProfile", 1)  # the EC2 role's
    _, profile = resource_at(template, "AWS::IAM::InstanceProfile", "Test/AppRole/InstanceProfile")
    assert profile["Properties"]["Roles"] == [{"Ref": role_id}]


@pytest.mark.checklist("000#43")
def test_lambda_only_role_has_literal_name_and_no_instance_profile(
    lambda_only: SynthResult,
) -> None:
    template = lambda_only.template("Test")
    template.resource_count_is("AWS::IAM::InstanceProfile", 0)
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "RoleName": "homeforpup-api-role",
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {
                        "Action": "sts:AssumeRole",
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    }
                ]
            },
        },
    )


def test_full_role_props_reach_the_role_and_outputs(dev: SynthResult) -> None:
    template = dev.template("Test")
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "RoleName": "pettest-dev-app",  # name= through the scope's naming strategy
            "Description": "HomeForPup application role",
            "MaxSessionDuration": 7200,
            "PermissionsBoundary": {
                "Fn::Join": ["", ["arn:", PARTITION, ":iam::123456789012:policy/app-boundary"]]
            },
        },
    )
    outputs = dev.template_json("Test")["Outputs"]
    exports = {o["Export"]["Name"] for o in outputs.values() if "Export" in o}
    assert {
        "HomeForPup-IAM-RoleArn",
        "HomeForPup-IAM-RoleName",
        "HomeForPup-IAM-InstanceProfileArn",
        "HomeForPup-IAM-InstanceProfileName",
    } <= exports


# -- grants --------------------------------------------------------------------------------


@pytest.mark.checklist("000#44")
def test_tables_get_read_write_data_including_indexes(dev: SynthResult) -> None:
    template = dev.template_json("Test")
    profiles, _ = resource_named(template, "AWS::DynamoDB::GlobalTable", "Profiles")
    dogs, _ = resource_named(template, "AWS::DynamoDB::GlobalTable", "Dogs")
    statements = policy_statements(template, "/AppRole/")
    assert granted(statements, get_att(profiles)) == set(DYNAMODB_ALL)
    assert granted(statements, joined(get_att(profiles), "/index/*")) == set(DYNAMODB_ALL)
    assert granted(statements, get_att(dogs)) == set(DYNAMODB_ALL)
    # a table without indexes gets no /index/* grant
    assert not granted(statements, joined(get_att(dogs), "/index/*"))
    # its customer-managed key is usable for the data, nothing else
    key_id, _ = resource_named(template, "AWS::KMS::Key", "DataKey")
    key_actions = {
        a for s in statements if s["Resource"] == get_att(key_id) for a in as_list(s["Action"])
    }
    assert key_actions and all(a.startswith("kms:") for a in key_actions)
    assert "kms:ScheduleKeyDeletion" not in key_actions and "kms:PutKeyPolicy" not in key_actions


@pytest.mark.checklist("000#45")
def test_buckets_get_object_read_write_and_no_bucket_configuration(dev: SynthResult) -> None:
    template = dev.template_json("Test")
    statements = policy_statements(template, "/AppRole/")
    for name in ("Images", "Uploads"):
        bucket, _ = resource_named(template, "AWS::S3::Bucket", name)
        assert granted(statements, joined(get_att(bucket), "/*")) == set(S3_ALL)
        assert granted(statements, get_att(bucket)) == {"s3:ListBucket"}
    actions = {a for s in statements for a in as_list(s["Action"])}
    assert not {a for a in actions if a.startswith(("s3:PutBucket", "s3:DeleteBucket"))}


@pytest.mark.checklist("000#46")
def test_user_pools_are_read_only(dev: SynthResult) -> None:
    template = dev.template_json("Test")
    pool, _ = resource_named(template, "AWS::Cognito::UserPool", "Users")
    statements = policy_statements(template, "/AppRole/")
    assert granted(statements, get_att(pool)) == set(COGNITO_READ_ACTIONS)
    cognito_actions = {
        a for s in statements for a in as_list(s["Action"]) if a.startswith("cognito-idp:")
    }
    assert not {
        a for a in cognito_actions if a.startswith(("cognito-idp:AdminCreate",
        "cognito-idp:AdminDelete", "cognito-idp:AdminUpdate"))
    }  # fmt: skip
    assert not any(a.endswith("*") for a in cognito_actions)


@pytest.mark.checklist("000#47")
def test_ses_defaults_to_account_identities_with_from_address_condition(dev: SynthResult) -> None:
    template = dev.template("Test")
    template.has_resource_properties(
        "AWS::IAM::ManagedPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": SES,
                            "Effect": "Allow",
                            "Resource": arn("ses", "identity/*"),
                            "Condition": {"StringLike": {"ses:FromAddress": "*@homeforpup.com"}},
                        }
                    ]
                )
            }
        },
    )
    # the default role: same identities, no condition
    assert {"Action": SES, "Effect": "Allow", "Resource": arn("ses", "identity/*")} in (
        policy_statements(dev.template_json("Test"), "/DefaultRole/")
    )


@pytest.mark.checklist("000#47")
def test_ses_can_name_identities_or_be_turned_off(
    lambda_only: SynthResult, imported: SynthResult
) -> None:
    assert {
        "Action": SES,
        "Effect": "Allow",
        "Resource": "arn:aws:ses:us-east-1:123456789012:identity/homeforpup.com",
    } in policy_statements(lambda_only.template_json("Test"), "/AppRole/")
    imported_actions = {
        a for s in policy_statements(imported.template_json("Test"), "/AppRole/")
        for a in as_list(s["Action"])
    }  # fmt: skip
    assert imported_actions and not {a for a in imported_actions if a.startswith("ses:")}


@pytest.mark.checklist("000#48")
def test_logs_are_scoped_to_log_group_prefixes_without_managed_policies(
    dev: SynthResult, lambda_only: SynthResult
) -> None:
    # by default no logging grant at all; named log groups only when asked for
    default_statements = policy_statements(dev.template_json("Test"), "/DefaultRole/")
    assert not [s for s in default_statements if "logs:PutLogEvents" in s["Action"]]
    assert {
        "Action": LOGS,
        "Effect": "Allow",
        "Resource": [
            arn("logs", "log-group:/aws/lambda/homeforpup-api"),
            arn("logs", "log-group:/aws/lambda/homeforpup-api:*"),
        ],
    } in policy_statements(dev.template_json("Test"), "/AppRole/")
    assert {
        "Action": LOGS,
        "Effect": "Allow",
        "Resource": arn("logs", "log-group:/homeforpup/api/*"),
    } in policy_statements(lambda_only.template_json("Test"), "/AppRole/")
    for result in (dev, lambda_only):
        for role in result.template("Test").find_resources("AWS::IAM::Role").values():
            assert "ManagedPolicyArns" not in role["Properties"]


def test_app_role_is_a_grantable_and_takes_extra_statements(lambda_only: SynthResult) -> None:
    template = lambda_only.template_json("Test")
    audit, _ = resource_named(template, "AWS::DynamoDB::GlobalTable", "Audit")
    statements = policy_statements(template, "/AppRole/")
    assert any(
        s["Resource"] == get_att(audit) and "dynamodb:GetItem" in s["Action"] for s in statements
    )
    assert {
        "Action": "sqs:SendMessage",
        "Effect": "Allow",
        "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs-*",
    } in statements


# -- least privilege and compliance --------------------------------------------------------


def test_least_privilege_walker_catches_broad_statements() -> None:
    broad = {
        "Resources": {
            "P": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyDocument": {
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"},
                            {"Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": "*"},
                            {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:x"},
                            {"Effect": "Deny", "Action": "*", "Resource": "*"},
                        ]
                    }
                },
            }
        }
    }
    assert least_privilege_violations(broad) == [
        "P: Action s3:*",
        "P: Resource *",
        "P: NotAction iam:*",
    ]


@pytest.mark.checklist("000#49")
def test_no_policy_has_wildcard_actions_or_resources(
    dev: SynthResult, lambda_only: SynthResult, imported: SynthResult, cross_stack: SynthResult
) -> None:
    for result, stack in ((dev, "Test"), (lambda_only, "Test"), (imported, "Test"),
                          (cross_stack, "IAM")):  # fmt: skip
        template = result.template_json(stack)
        assert template["Resources"], stack
        assert least_privilege_violations(template) == []


@pytest.mark.parametrize("stage", ["dev", "staging", "prod"])
def test_nag_clean_for_default_and_full_roles_in_every_stage(
    homeforpup: Callable[[str], SynthResult], stage: str
) -> None:
    result = homeforpup(stage)
    assert findings_under(result, "Test/AppRole/", "Test/DefaultRole/") == []
    # a role has no stage settings: only the stage in its naming-strategy name differs
    result.template("Test").has_resource_properties(
        "AWS::IAM::Role", {"RoleName": f"pettest-{stage}-app"}
    )
    assert _iam_resources(result) == _iam_resources(homeforpup("dev"))


def _iam_resources(result: SynthResult) -> dict[str, Any]:
    return {
        logical_id: {k: v for k, v in r["Properties"].items() if k not in ("Tags", "RoleName")}
        for logical_id, r in result.template_json("Test")["Resources"].items()
        if r["Type"].startswith("AWS::IAM::")
    }


def test_only_the_inherent_wildcards_are_acknowledged(dev: SynthResult) -> None:
    template = dev.template_json("Test")
    bucket, _ = resource_named(template, "AWS::S3::Bucket", "Images")
    uploads, _ = resource_named(template, "AWS::S3::Bucket", "Uploads")
    profiles, _ = resource_named(template, "AWS::DynamoDB::GlobalTable", "Profiles")
    acks = acknowledged_ids(dev, "Test")
    default_role = acks["/Test/DefaultRole/Permissions/Resource"]
    assert default_role == {
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:us-east-1:123456789012:identity/*]",
    }
    full = acks["/Test/AppRole/Permissions/Resource"]
    assert full == {
        f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/*]",
        f"AwsSolutions-IAM5[Resource::<{uploads}.Arn>/*]",
        f"AwsSolutions-IAM5[Resource::<{profiles}.Arn>/index/*]",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:us-east-1:123456789012:"
        "log-group:/aws/lambda/homeforpup-api:*]",
        "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
        "AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
        "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:us-east-1:123456789012:identity/*]",
    }
    # nothing is acknowledged on the role's own (default) policy
    assert not [path for path in acks if "/DefaultPolicy/" in path]
    all_ids = {i for ids in acks.values() for i in ids}
    assert all(i.startswith("AwsSolutions-IAM5[") for i in all_ids), all_ids


def test_wildcards_the_user_adds_are_still_reported(lambda_only: SynthResult) -> None:
    assert [f.rule for f in findings_under(lambda_only, "Test/AppRole/")] == [
        "AwsSolutions-IAM5[Resource::arn:aws:sqs:us-east-1:123456789012:jobs-*]"
    ]


def build_user_wildcards(stack: Stack) -> None:
    """A role whose library grants have wildcards, and a user who adds the same kinds."""
    images = s3.Bucket(stack, "Images", enforce_ssl=True)
    other = s3.Bucket(stack, "Other", enforce_ssl=True)
    role = AppRole(
        stack,
        "AppRole",
        buckets=[images],
        data_access=["read", "write", "delete"],
        ses_identity_arns=["arn:aws:ses:us-east-1:123456789012:identity/homeforpup.com"],
    )
    # a hand-added delete wildcard on another bucket ...
    role.add_to_policy(
        iam.PolicyStatement(actions=["s3:DeleteObject*"], resources=[other.arn_for_objects("*")])
    )
    # ... and one whose finding id is the very one acknowledged for the library's statement
    role.role.add_to_principal_policy(
        iam.PolicyStatement(actions=["s3:PutObjectAcl"], resources=[images.arn_for_objects("*")])
    )


def test_acknowledgements_do_not_leak_to_statements_the_user_adds(
    stack_synth: Callable[..., SynthResult],
) -> None:
    """Negative control: the library's acknowledgements cover its own policy only."""
    result = stack_synth("app_role_user_wildcards", build_user_wildcards)
    template = result.template_json("Test")
    images, _ = resource_named(template, "AWS::S3::Bucket", "Images")
    other, _ = resource_named(template, "AWS::S3::Bucket", "Other")
    assert result.error is not None and "ValidationFailed" in result.error  # synthesis fails
    user_policy = "Test/AppRole/Role/DefaultPolicy/Resource"
    assert sorted(f.rule for f in result.findings if f.path == user_policy) == [
        "AwsSolutions-IAM5[Action::s3:DeleteObject*]",
        f"AwsSolutions-IAM5[Resource::<{images}.Arn>/*]",
        f"AwsSolutions-IAM5[Resource::<{other}.Arn>/*]",
    ]
    # the library's own statement on the same objects is acknowledged, on its policy only
    acks = acknowledged_ids(result, "Test")
    assert acks == {
        "/Test/AppRole/Permissions/Resource": {f"AwsSolutions-IAM5[Resource::<{images}.Arn>/*]"}
    }
    assert not findings_under(result, "Test/AppRole/Permissions/")


@pytest.mark.parametrize(
    ("access", "table_actions", "object_actions"),
    [
        (None, DYNAMODB_RW, S3_RW),
        (["read"], DYNAMODB_RW[:5], ["s3:GetObject"]),
        (["read", "delete"], [*DYNAMODB_RW[:5], "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
         ["s3:GetObject", "s3:DeleteObject"]),
        (["read", "scan"], [*DYNAMODB_RW[:5], "dynamodb:Scan"], ["s3:GetObject"]),
    ],
)  # fmt: skip
def test_read_write_delete_and_scan_are_separate_choices(
    access: list[str] | None, table_actions: list[str], object_actions: list[str]
) -> None:
    stack = _stack()
    table = dynamodb.TableV2(
        stack, "T", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING)
    )
    bucket = s3.Bucket(stack, "B", enforce_ssl=True)
    extra = {} if access is None else {"data_access": access}
    role = AppRole(stack, "AppRole", tables=[table], buckets=[bucket], **extra)  # type: ignore[arg-type]
    assert role.policy is not None
    statements = stack.resolve(role.policy.document.to_json())["Statement"]
    actions = [as_list(s["Action"]) for s in statements]
    assert table_actions in actions
    assert object_actions in actions
    everything = {a for group in actions for a in group}
    if access is None:  # the default: no deletes, no Scan
        assert not {"s3:DeleteObject", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                    "dynamodb:Scan"} & everything  # fmt: skip
    assert not [a for a in everything if a.startswith(("s3:", "dynamodb:")) and "*" in a]


# -- import mode and cross-stack -----------------------------------------------------------


def test_existing_role_receives_the_grants(imported: SynthResult) -> None:
    template = imported.template("Test")
    template.resource_count_is("AWS::IAM::Role", 0)
    template.resource_count_is("AWS::IAM::InstanceProfile", 0)
    template.has_resource_properties("AWS::IAM::ManagedPolicy", {"Roles": ["legacy-app-role"]})
    statements = policy_statements(imported.template_json("Test"), "/AppRole/")
    bucket, _ = resource_named(imported.template_json("Test"), "AWS::S3::Bucket", "Images")
    assert granted(statements, joined(get_att(bucket), "/*")) == set(S3_RW)
    assert not [s for s in statements if "logs:PutLogEvents" in s["Action"]]  # only if asked
    assert findings_under(imported, "Test/AppRole/", "Test/Imported/") == []


@pytest.mark.checklist("000#44", "000#49")
def test_tables_of_another_stack_are_imported_and_the_iam_stack_depends_on_it(
    cross_stack: SynthResult,
) -> None:
    manifest = json.loads((cross_stack.outdir / "manifest.json").read_text())
    assert "Data" in manifest["artifacts"]["IAM"]["dependencies"]
    statements = policy_statements(cross_stack.template_json("IAM"), "/AppRole/")
    dynamodb_statement = next(s for s in statements if set(s["Action"]) == set(DYNAMODB_RW))
    assert not [s for s in statements if "dynamodb:Scan" in s["Action"]]  # only when asked
    imported_arn = dynamodb_statement["Resource"][0]
    assert set(imported_arn) == {"Fn::ImportValue"}
    assert dynamodb_statement["Resource"][1] == joined(imported_arn, "/index/*")
    # the /index/* finding names the import, and is acknowledged as such
    assert cross_stack.findings_for("IAM") == []
    acks = acknowledged_ids(cross_stack, "IAM")["/IAM/AppRole/Permissions/Resource"]
    assert f"AwsSolutions-IAM5[Resource::{imported_arn['Fn::ImportValue']}/index/*]" in acks


def test_flatten_cfn_reference_matches_cdk_nag() -> None:
    assert flatten_cfn_reference(joined(get_att("T"), "/index/*")) == "<T.Arn>/index/*"
    assert flatten_cfn_reference(arn("ses", "identity/*")) == (
        "arn:<AWS::Partition>:ses:us-east-1:123456789012:identity/*"
    )
    assert flatten_cfn_reference({"Fn::ImportValue": "Data:Export"}) == "Data:Export"
    assert flatten_cfn_reference({"Fn::Sub": "arn:${AWS::Partition}:s3:::b/*"}) == (
        "arn:<AWS::Partition>:s3:::b/*"
    )


# -- bad input -----------------------------------------------------------------------------


def _stack() -> Stack:
    app = make_app()
    configure_platform(app, project="PetTest", stage="dev", compliance=None)
    return Stack(app, "Bad", env=ENV)


def _table(stack: Stack) -> dynamodb.TableV2:
    return dynamodb.TableV2(
        stack, "T", partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING)
    )


BAD_INPUT: list[tuple[str, Callable[[Stack], dict[str, Any]], str]] = [
    (
        "existing role with creation props",
        lambda s: {
            "existing_role": iam.Role.from_role_arn(s, "R", "arn:aws:iam::123456789012:role/x"),
            "principals": ["lambda.amazonaws.com"],
            "role_name": "x",
        },
        r"existing_role=.*remove principals, role_name",
    ),
    ("unknown principal", lambda s: {"principals": ["lambda"]}, r"principals='lambda'"),
    (
        "account principal",
        lambda s: {"principals": ["arn:aws:iam::123456789012:root"]},
        r"principals='arn:aws:iam::123456789012:root'",
    ),
    ("empty principals", lambda s: {"principals": []}, r"principals=\[\]"),
    (
        "unknown data access",
        lambda s: {"data_access": ["read", "admin"]},
        r"data_access=\['read', 'admin'\]; expected a list of 'read' or 'write' or 'delete' or "
        r"'scan'",
    ),
    (
        "no data access with tables",
        lambda s: {"tables": [_table(s)], "data_access": []},
        r"data_access=\[\]; at least one of 'read', 'write', 'delete', 'scan'",
    ),
    (
        "log group with a wildcard",
        lambda s: {"log_groups": ["/aws/lambda/*"]},
        r"log_groups='/aws/lambda/\*'",
    ),
    (
        "bucket passed as a table",
        lambda s: {"tables": [s3.Bucket(s, "B")]},
        r"tables=\[<aws_cdk\.aws_s3\.Bucket .*\]; expected a list of dynamodb\.ITable or "
        r"dynamodb\.ITableV2 or HasTable \(got list\)$",
    ),
    (
        "table passed as a bucket",
        lambda s: {"buckets": [_table(s)]},
        r"buckets=\[<aws_cdk\.aws_dynamodb\.TableV2 .*\]; expected a list of s3\.IBucket",
    ),
    (
        "table passed as a user pool",
        lambda s: {"user_pools": [_table(s)]},
        r"user_pools=\[<aws_cdk\.aws_dynamodb\.TableV2 .*\]; expected a list of "
        r"cognito\.IUserPool",
    ),
    (
        "SNS ARN as SES identity",
        lambda s: {"ses_identity_arns": ["arn:aws:sns:us-east-1:123456789012:topic"]},
        r"ses_identity_arns='arn:aws:sns:us-east-1:123456789012:topic'",
    ),
    ("no SES identity", lambda s: {"ses_identity_arns": []}, r"ses_identity_arns=\[\]"),
    (
        "SES identities with sending off",
        lambda s: {
            "send_email": False,
            "ses_identity_arns": ["arn:aws:ses:us-east-1:123456789012:identity/a.com"],
        },
        r"ses_identity_arns=\[.*send_email=True",
    ),
    ("from address", lambda s: {"from_address": "noreply"}, r"from_address='noreply'"),
    ("role name too long", lambda s: {"role_name": "r" * 65}, r"role_name='r{65}'.*1-64"),
    (
        "role_name and name",
        lambda s: {"role_name": "app-role", "name": "app"},
        r"role_name='app-role'.*not both",
    ),
    (
        "log prefix with a wildcard",
        lambda s: {"log_group_prefixes": ["/aws/lambda/*"]},
        r"log_group_prefixes='/aws/lambda/\*'",
    ),
    (
        "log prefix with a space",
        lambda s: {"log_group_prefixes": ["/my app/"]},
        r"log_group_prefixes='/my app/'",
    ),
    (
        "log prefix of separators",
        lambda s: {"log_group_prefixes": ["/"]},
        r"log_group_prefixes='/'",
    ),
    (
        "session of 13 hours",
        lambda s: {"max_session_duration": Duration.hours(13)},
        r"max_session_duration='13 hours'",
    ),
    ("export prefix", lambda s: {"export_prefix": "Home For Pup"}, r"export_prefix='Home For Pup'"),
    (
        "instance_profile=False with an existing role",
        lambda s: {
            "existing_role": iam.Role.from_role_arn(s, "R", "arn:aws:iam::123456789012:role/x"),
            "instance_profile": False,
        },
        r"existing_role=.*; an existing resource takes no creation props; remove "
        r"instance_profile or drop existing_role$",
    ),
    (
        "an ARN as the existing role",
        lambda s: {"existing_role": "arn:aws:iam::123456789012:role/x"},
        r"existing_role=\"'arn:aws:iam::123456789012:role/x'\"; an IRole",
    ),
    (
        "a description IAM refuses",
        lambda s: {"description": "x" * 1001},
        r"description='x{1001}'; at most 1000",
    ),
    (
        "from address with sending off",
        lambda s: {"send_email": False, "from_address": "noreply@example.com"},
        r"from_address='noreply@example.com'; only allowed with send_email=True",
    ),
]


@pytest.mark.parametrize(
    ("props", "match"), [(p, m) for _, p, m in BAD_INPUT], ids=[i for i, _, _ in BAD_INPUT]
)
def test_bad_input_raises_prop_error(props: Callable[[Stack], dict[str, Any]], match: str) -> None:
    stack = _stack()
    with pytest.raises(PropError, match=rf"^AppRole Bad/AppRole: invalid {match}"):
        AppRole(stack, "AppRole", **props(stack))


@pytest.mark.checklist("000#43")
def test_instance_profile_can_be_skipped_and_exists_only_with_ec2() -> None:
    stack = _stack()
    both = ["lambda.amazonaws.com", "ec2.amazonaws.com"]
    assert AppRole(stack, "Both", principals=both).instance_profile is not None
    no_profile = AppRole(stack, "NoProfile", principals=both, instance_profile=False)
    assert no_profile.instance_profile is None
    assert AppRole(stack, "Default").instance_profile is None  # Lambda only by default
    assert stack.node.find_child("NoProfile").node.try_find_child("InstanceProfile") is None


@pytest.mark.parametrize(
    ("props", "match"),
    [
        pytest.param(
            {"tables": "profiles"},
            r"tables='profiles'; expected a list of dynamodb\.ITable or dynamodb\.ITableV2 or "
            r"HasTable \(got str\)$",
            id="a table name instead of a table",
        ),
        pytest.param(
            {"principals": "lambda.amazonaws.com"},
            r"principals='lambda\.amazonaws\.com'; expected a list of str \(got str\)$",
            id="one principal where a list is expected",
        ),
        pytest.param(
            {"send_email": "yes"},
            r"send_email='yes'; expected bool \(got str\)$",
            id="flag as str",
        ),
        pytest.param(
            {"max_session_duration": 3600},
            r"max_session_duration=3600; expected Duration \(got int\)$",
            id="seconds instead of a Duration",
        ),
        pytest.param(
            {"role_description": "app"},
            r"role_description='app'; not a prop of AppRole; known props: buckets, ",
            id="misspelled prop",
        ),
    ],
)
def test_wrong_python_types_are_refused_naming_the_prop(props: dict[str, Any], match: str) -> None:
    with pytest.raises(PropError, match=rf"^AppRole Bad/AppRole: invalid {match}"):
        AppRole(_stack(), "AppRole", **props)


def test_every_problem_is_reported_in_one_error() -> None:
    with pytest.raises(PropErrors) as raised:
        AppRole(
            _stack(),
            "AppRole",
            tables="profiles",  # type: ignore[arg-type]
            principals=["lambda", "ec2.amazonaws.com"],
            role_name="r" * 65,
            max_session_duration=Duration.hours(13),
            from_address="noreply",
            log_group_prefixes=["/"],
            export_prefix="Home For Pup",
        )
    assert [(e.prop, e.value) for e in raised.value.errors] == [
        ("tables", "profiles"),
        ("export_prefix", "Home For Pup"),
        ("principals", "lambda"),
        ("role_name", "r" * 65),
        ("max_session_duration", "13 hours"),
        ("from_address", "noreply"),
        ("log_group_prefixes", "/"),
    ]
    assert str(raised.value).startswith("AppRole Bad/AppRole: 7 invalid props:")


def test_two_roles_cannot_share_a_name_in_one_account() -> None:
    stack = _stack()
    AppRole(stack, "First", role_name="homeforpup-app")
    with pytest.raises(
        PropError, match=r"role_name='homeforpup-app'; a unique IAM role name: Bad/First already"
    ):
        AppRole(Stack(stack.node.root, "Other", env=ENV), "Second", role_name="homeforpup-app")


def test_attributes_and_outputs() -> None:
    stack = _stack()
    role = AppRole(
        stack,
        "AppRole",
        principals=["lambda.amazonaws.com", "ec2.amazonaws.com"],
        export_prefix="HomeForPup-IAM",
    )
    assert not role.imported and role.role.node.id == "Role"
    assert sorted(role.outputs) == [
        "InstanceProfileArn",
        "InstanceProfileName",
        "RoleArn",
        "RoleName",
    ]
    existing = iam.Role.from_role_arn(stack, "Existing", "arn:aws:iam::123456789012:role/x")
    wrapped = AppRole(stack, "Wrapped", existing_role=existing, send_email=False)
    assert wrapped.imported and wrapped.role is existing and wrapped.outputs == {}


# -- the library's wrappers are accepted where L2s are ---------------------------------------


def build_wrappers(stack: Stack) -> None:
    """The same grants from the library's constructs and from the L2s they hold."""
    key = kms.Key(stack, "DataKey", enable_key_rotation=True)
    profiles = DataTable(stack, "Profiles", partition_key="userId", encryption_key=key)
    images = SecureBucket(stack, "Images")
    users = AuthPool(stack, "Users")
    AppRole(stack, "Wrapped", tables=[profiles], buckets=[images], user_pools=[users])
    AppRole(
        stack,
        "Plain",
        tables=[profiles.table],
        buckets=[images.bucket],
        user_pools=[users.user_pool],
    )


def test_wrappers_get_the_same_grants_as_their_l2s(stack_synth: Callable[..., SynthResult]) -> None:
    result = stack_synth("app_role_wrappers", build_wrappers)
    template = result.template_json("Test")
    wrapped = policy_statements(template, "/Wrapped/")
    assert wrapped == policy_statements(template, "/Plain/")
    key_id, _ = resource_named(template, "AWS::KMS::Key", "DataKey")
    assert any(s["Resource"] == get_att(key_id) for s in wrapped)  # the table's own key
    # the KMS data-key wildcards on that key are acknowledged, through the wrapper too
    assert findings_under(result, "Test/Wrapped/", "Test/Plain/") == []
    acks = acknowledged_ids(result, "Test")["/Test/Wrapped/Permissions/Resource"]
    assert "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]" in acks


TYPED_USE = """
    from aws_cdk import App, Stack
    from aws_cdk import aws_cognito as cognito

    from petplatform_constructs import AppClient, AppRole, AuthPool, DataTable, SecureBucket

    stack = Stack(App(), "Typed")
    profiles = DataTable(stack, "Profiles", partition_key="userId")
    images = SecureBucket(stack, "Images")
    users = AuthPool(stack, "Users", mfa=cognito.Mfa.REQUIRED, clients=[AppClient("web")])
    AppRole(stack, "AppRole", tables=[profiles], buckets=[images], user_pools=[users])
    AppRole(
        stack,
        "Mixed",
        tables=[profiles, profiles.table],
        buckets=[images.bucket],
        user_pools=[users.user_pool],
    )

    # mypy --strict must refuse these (an unneeded ignore is an error in strict mode)
    AppRole(stack, "A", tables="profiles")  # type: ignore[arg-type]
    AppRole(stack, "B", tables=[images])  # type: ignore[list-item]
    AuthPool(stack, "C", mfa="on")  # type: ignore[arg-type]
    AuthPool(stack, "D", clients=AppClient("web"))  # type: ignore[arg-type]
    AppRole(stack, "E", role_description="x")  # type: ignore[call-arg]
"""


@pytest.mark.slow
def test_typed_use_passes_mypy_strict(tmp_path: Path) -> None:
    """The documented forms type-check under ``mypy --strict``; wrong types do not.

    Runs in the project root, so the project's mypy settings and cache apply (``make types``
    warms the cache; a cold run takes a couple of minutes).
    """
    source = tmp_path / "typed_use.py"
    source.write_text(textwrap.dedent(TYPED_USE))
    root = Path(__file__).resolve().parent.parent
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(source)],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
