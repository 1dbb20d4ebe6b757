"""Naming strategies reproduce each seed's convention literally; AWS rules fail at synth time."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack

from petplatform_constructs import Naming, PropError, ResourceKind, use_naming, validate_name

K = ResourceKind


@pytest.mark.checklist("000#53", "000#55", "000#56")
@pytest.mark.parametrize(
    ("stage", "expected"),
    [("dev", "profiles"), ("staging", "profiles-staging"), ("prod", "profiles-prod")],
)
def test_suffix_style_homeforpup(stage: str, expected: str) -> None:
    assert Naming.suffixed(stage).name("profiles", K.DYNAMODB_TABLE) == expected


def test_service_stage_resource_with_per_kind_variants_listbackup() -> None:
    naming = Naming.service_stage_resource(
        "listbackup",
        "dev",
        per_kind={
            K.S3_BUCKET: "{service}-{resource}-{stage}",
            K.SQS_FIFO_QUEUE: "{service}-{resource}-{stage}.fifo",
            K.LAMBDA_FUNCTION: "{service}-api-{stage}-{resource}",
        },
    )
    assert naming.name("users", K.DYNAMODB_TABLE) == "listbackup-dev-users"
    assert naming.name("data", K.S3_BUCKET) == "listbackup-data-dev"
    assert naming.name("sync-queue", K.SQS_FIFO_QUEUE) == "listbackup-sync-queue-dev.fifo"
    assert naming.name("getUsers", K.LAMBDA_FUNCTION) == "listbackup-api-dev-getUsers"


def test_templated_myapp_forms() -> None:
    naming = Naming.templated(
        "{project}-{resource}-{env}",
        per_kind={K.ECS_CLUSTER: "{project}_cluster_{env}"},
        project="myapp",
        env="prod",
    )
    assert naming.name("cluster", K.ECS_CLUSTER) == "myapp_cluster_prod"
    assert naming.name("assets", K.S3_BUCKET) == "myapp-assets-prod"


def test_naming_is_inherited_from_the_scope() -> None:
    app = App()
    use_naming(app, Naming.suffixed("staging"))
    assert Naming.of(Stack(app, "S")).name("dogs") == "dogs-staging"


def test_missing_naming_says_how_to_set_one() -> None:
    with pytest.raises(PropError, match=r"naming=None; no naming strategy in scope"):
        Naming.of(Stack(App(), "S"))


def test_unknown_placeholder_lists_the_available_ones() -> None:
    with pytest.raises(PropError, match=r"unknown placeholder\(s\) \['region'\]; available"):
        Naming.templated("{project}-{region}-{resource}", project="p")


@pytest.mark.parametrize(
    ("kind", "name", "rule"),
    [
        (K.S3_BUCKET, "ab", "length must be 3-63"),
        (K.S3_BUCKET, "x" * 64, "length must be 3-63"),
        (K.S3_BUCKET, "My_Bucket", "lowercase letters"),
        (K.S3_BUCKET, "my..bucket", "lowercase letters"),
        (K.S3_BUCKET, "192.168.1.1", "no IP-address form"),
        (K.S3_BUCKET, "-leading", "starting and ending"),
        (K.DYNAMODB_TABLE, "ab", "length must be 3-255"),
        (K.DYNAMODB_TABLE, "pets table", r"letters, digits, _ \. -"),
        (K.SQS_FIFO_QUEUE, "orders", r"ending in '\.fifo'"),
        (K.SQS_FIFO_QUEUE, "q" * 76 + ".fifo", "length must be 6-80"),
        (K.SQS_QUEUE, "orders.fifo", r"no \.fifo suffix"),
        (K.COGNITO_DOMAIN_PREFIX, "homeforpup-cognito", "must not contain 'aws'"),
        (K.COGNITO_DOMAIN_PREFIX, "my-amazon-auth", "must not contain 'aws'"),
        (K.COGNITO_DOMAIN_PREFIX, "Auth", "lowercase letters"),
        (K.IAM_ROLE, "r" * 65, "length must be 1-64"),
        (K.IAM_ROLE, "app role", r"letters, digits and \+=,\.@_-"),
        (K.LAMBDA_FUNCTION, "fn.name", "letters, digits, _ -"),
        (K.ECR_REPOSITORY, "MyApp", "lowercase letters"),
        (K.CLOUDWATCH_DASHBOARD, "pets dashboard", "letters, digits, '-' and '_'"),
        (K.BUDGET, "pets:monthly", r"no ':'"),
    ],
)
def test_invalid_names_fail_with_resource_name_and_rule(kind: K, name: str, rule: str) -> None:
    label = kind.value.label
    with pytest.raises(PropError, match=rf"{label} name: invalid name='.*'; .*{rule}"):
        validate_name(kind, name)


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (K.S3_BUCKET, "homeforpup-images-prod"),
        (K.S3_BUCKET, "assets.example.com"),
        (K.DYNAMODB_TABLE, "message-threads-staging"),
        (K.SQS_FIFO_QUEUE, "listbackup-sync-queue-dev.fifo"),
        (K.COGNITO_DOMAIN_PREFIX, "homeforpup-staging"),
        (K.ECS_CLUSTER, "myapp_cluster_dev"),
        (K.ECR_REPOSITORY, "myapp_backend"),
        (K.SSM_PARAMETER, "/dev/myapp/db/password"),
    ],
)
def test_valid_names_pass_unchanged(kind: K, name: str) -> None:
    assert validate_name(kind, name) == name


def test_generated_names_are_validated_too() -> None:
    with pytest.raises(PropError, match=r"S3 bucket name: invalid name='Images'"):
        Naming.suffixed("dev").name("Images", K.S3_BUCKET)


def test_constructs_can_report_the_prop_that_received_the_name() -> None:
    with pytest.raises(PropError, match=r"^ObservabilityPack: invalid dashboard_name='a b'; "):
        validate_name(
            K.CLOUDWATCH_DASHBOARD, "a b", owner="ObservabilityPack", prop="dashboard_name"
        )
