"""GithubOidc: the provider, exact trust conditions, bootstrap-only permissions, errors, cdk-nag."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam

from petplatform_constructs import (
    DeployRole,
    GithubOidc,
    GithubSubject,
    PropError,
    configure_platform,
)
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.identity.github_oidc import ECR_PUSH_ACTIONS
from petplatform_constructs.testing import SynthResult, make_app

ENV = Environment(account="123456789012", region="us-east-1")
SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"
PARTITION = {"Ref": "AWS::Partition"}


def iam_arn(account: str, rest: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", PARTITION, f":iam::{account}:{rest}"]]}


def bootstrap(kind: str, account: str = "123456789012", region: str = "us-east-1") -> object:
    return iam_arn(account, f"role/cdk-hnb659fds-{kind}-role-{account}-{region}")


def at_path(template: dict[str, Any], path: str) -> dict[str, Any]:
    (resource,) = [
        r
        for r in template["Resources"].values()
        if r.get("Metadata", {}).get("aws:cdk:path") in (path, f"{path}/Resource")
    ]
    return resource


def trust(template: dict[str, Any], path: str) -> dict[str, Any]:
    (statement,) = at_path(template, path)["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    return statement  # type: ignore[no-any-return]


def statements(template: dict[str, Any], path: str) -> list[dict[str, Any]]:
    return at_path(template, path)["Properties"]["PolicyDocument"]["Statement"]  # type: ignore[no-any-return]


# -- builders ------------------------------------------------------------------------------


def build_main(stack: Stack) -> None:
    """A created provider with a main/prod deploy role and an image-push role."""
    oidc = GithubOidc(
        stack,
        "Ci",
        roles=[
            DeployRole(
                "deploy",
                subjects=[
                    GithubSubject.branch("acme/pet-api"),
                    GithubSubject.environment("acme/pet-api", "prod"),
                ],
            ),
            DeployRole(
                "images",
                subjects=[GithubSubject.any_context("acme/pet-api")],
                bootstrap_roles=(),
                max_session_duration=Duration.hours(2),
            ),
            DeployRole(
                "cross",
                subjects=[GithubSubject.tag("acme/pet-api", "v*")],
                accounts=["111111111111", "222222222222"],
                regions=["us-west-2", "us-east-1"],
                qualifier="pets",
                bootstrap_roles=("deploy", "lookup"),
                tag_session=True,
                role_name="acme-release",
            ),
        ],
        export_prefix="PetCi",
    )
    repository = ecr.Repository(stack, "Images", image_scan_on_push=True)
    oidc.grant_ecr_push(repository, role="images")


def build_imported(stack: Stack) -> None:
    """Existing providers (by ARN and as an IOidcProvider), org-wide opt-in, a user wildcard."""
    GithubOidc(
        stack,
        "ByArn",
        existing_provider_arn=GithubOidc.provider_arn_of(stack),
        roles=[
            DeployRole(
                "org",
                subjects=[GithubSubject.organization("acme", "ref:refs/heads/main")],
                allow_wildcard_repositories=True,
                policy_statements=[
                    iam.PolicyStatement(
                        actions=["s3:GetObject"], resources=["arn:aws:s3:::acme-artifacts/*"]
                    )
                ],
            )
        ],
    )
    provider = iam.OidcProviderNative.from_oidc_provider_arn(
        stack,
        "Existing",
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    )
    GithubOidc(
        stack,
        "ByProvider",
        existing_provider=provider,
        roles=[DeployRole("pr", subjects=[GithubSubject.pull_request("acme/web")])],
    )


def build_dev_provider(stack: Stack) -> None:
    GithubOidc(
        stack,
        "Ci",
        thumbprints=["6938fd4d98bab03faadb97b34396831e3780aea1"],
        roles=[DeployRole("deploy", subjects=["repo:acme/pet-api:ref:refs/heads/develop"])],
    )


@pytest.fixture(scope="module")
def main(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("github_oidc_main", build_main, stage="prod")


@pytest.fixture(scope="module")
def imported(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("github_oidc_imported", build_imported)


@pytest.fixture(scope="module")
def dev_provider(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("github_oidc_dev", build_dev_provider)


# -- the provider --------------------------------------------------------------------------


@pytest.mark.checklist("002#86", "004#98")
def test_provider_is_the_native_github_provider_retained_in_prod(main: SynthResult) -> None:
    template = main.template_json("Test")
    providers = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::OIDCProvider"]
    assert len(providers) == 1
    (provider,) = providers
    props = provider["Properties"]
    assert props["Url"] == "https://token.actions.githubusercontent.com"
    assert props["ClientIdList"] == ["sts.amazonaws.com"]
    # IAM validates GitHub through its trusted root CAs: no thumbprint to pin and rotate.
    assert "ThumbprintList" not in props
    assert provider["DeletionPolicy"] == "Retain"


def test_dev_provider_is_deleted_with_the_stack_and_takes_thumbprints(
    dev_provider: SynthResult,
) -> None:
    provider = at_path(dev_provider.template_json("Test"), "Test/Ci/Provider")
    assert provider["DeletionPolicy"] == "Delete"
    assert provider["Properties"]["ThumbprintList"] == ["6938fd4d98bab03faadb97b34396831e3780aea1"]


@pytest.mark.checklist("002#86", "004#98")
def test_existing_provider_creates_none_and_is_trusted(imported: SynthResult) -> None:
    template = imported.template_json("Test")
    imported.template("Test").resource_count_is("AWS::IAM::OIDCProvider", 0)
    by_arn = trust(template, "Test/ByArn/Role-org")["Principal"]["Federated"]
    assert by_arn == iam_arn("123456789012", "oidc-provider/token.actions.githubusercontent.com")
    by_provider = trust(template, "Test/ByProvider/Role-pr")["Principal"]["Federated"]
    assert by_provider == (
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    )


# -- trust ---------------------------------------------------------------------------------


@pytest.mark.checklist("002#86", "004#98")
def test_trust_is_web_identity_for_the_audience_and_exact_subjects(main: SynthResult) -> None:
    template = main.template_json("Test")
    provider_id = next(
        k for k, r in template["Resources"].items() if r["Type"] == "AWS::IAM::OIDCProvider"
    )
    assert trust(template, "Test/Ci/Role-deploy") == {
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Effect": "Allow",
        "Principal": {"Federated": {"Ref": provider_id}},
        "Condition": {
            "StringEquals": {
                AUD: "sts.amazonaws.com",
                SUB: [
                    "repo:acme/pet-api:ref:refs/heads/main",
                    "repo:acme/pet-api:environment:prod",
                ],
            }
        },
    }


@pytest.mark.checklist("002#86", "004#98")
def test_wildcard_subjects_use_string_like_and_the_audience_stays_exact(
    main: SynthResult, imported: SynthResult
) -> None:
    assert trust(main.template_json("Test"), "Test/Ci/Role-images")["Condition"] == {
        "StringEquals": {AUD: "sts.amazonaws.com"},
        "StringLike": {SUB: "repo:acme/pet-api:*"},
    }
    assert trust(main.template_json("Test"), "Test/Ci/Role-cross")["Condition"] == {
        "StringEquals": {AUD: "sts.amazonaws.com"},
        "StringLike": {SUB: "repo:acme/pet-api:ref:refs/tags/v*"},
    }
    assert trust(imported.template_json("Test"), "Test/ByArn/Role-org")["Condition"] == {
        "StringEquals": {AUD: "sts.amazonaws.com"},
        "StringLike": {SUB: "repo:acme/*:ref:refs/heads/main"},
    }


def test_subject_helpers_write_githubs_default_forms() -> None:
    assert GithubSubject.branch("o/r") == "repo:o/r:ref:refs/heads/main"
    assert GithubSubject.branch("o/r", "release/*") == "repo:o/r:ref:refs/heads/release/*"
    assert GithubSubject.tag("o/r", "v1") == "repo:o/r:ref:refs/tags/v1"
    assert GithubSubject.environment("o/r", "prod") == "repo:o/r:environment:prod"
    assert GithubSubject.pull_request("o/r") == "repo:o/r:pull_request"
    assert GithubSubject.any_context("o/r") == "repo:o/r:*"
    assert GithubSubject.organization("o") == "repo:o/*"


# -- permissions ---------------------------------------------------------------------------


@pytest.mark.checklist("002#86")
def test_deploy_role_may_only_assume_the_cdk_bootstrap_roles(main: SynthResult) -> None:
    template = main.template_json("Test")
    assert statements(template, "Test/Ci/Permissions-deploy") == [
        {
            "Sid": "AssumeCdkBootstrapRoles",
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Resource": [
                bootstrap(kind)
                for kind in ("deploy", "file-publishing", "image-publishing", "lookup")
            ],
        }
    ]
    role = at_path(template, "Test/Ci/Role-deploy")["Properties"]
    assert "ManagedPolicyArns" not in role and "Policies" not in role
    assert role["MaxSessionDuration"] == 3600
    assert role["RoleName"] == "pettest-prod-deploy"  # through the naming strategy in scope


def test_bootstrap_roles_of_other_accounts_regions_and_qualifier(main: SynthResult) -> None:
    template = main.template_json("Test")
    (statement,) = statements(template, "Test/Ci/Permissions-cross")
    assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    assert statement["Resource"] == [
        iam_arn(account, f"role/cdk-pets-{kind}-role-{account}-{region}")
        for account in ("111111111111", "222222222222")
        for region in ("us-west-2", "us-east-1")
        for kind in ("deploy", "lookup")
    ]
    assert at_path(template, "Test/Ci/Role-cross")["Properties"]["RoleName"] == "acme-release"


@pytest.mark.checklist("004#98")
def test_ecr_push_is_scoped_to_the_repository(main: SynthResult) -> None:
    template = main.template_json("Test")
    repository_id = next(
        k for k, r in template["Resources"].items() if r["Type"] == "AWS::ECR::Repository"
    )
    assert statements(template, "Test/Ci/Permissions-images") == [
        {
            "Action": list(ECR_PUSH_ACTIONS),
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [repository_id, "Arn"]},
        },
        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
    ]
    assert at_path(template, "Test/Ci/Role-images")["Properties"]["MaxSessionDuration"] == 7200


def test_outputs_export_the_provider_and_role_arns(main: SynthResult) -> None:
    outputs = main.template_json("Test")["Outputs"]
    exported = {o["Export"]["Name"] for o in outputs.values()}
    assert exported == {
        "PetCi-ProviderArn",
        "PetCi-RoleArn-deploy",
        "PetCi-RoleArn-images",
        "PetCi-RoleArn-cross",
    }
    role_output = next(o for k, o in outputs.items() if k.startswith("CiRoleArndeployOutput"))
    assert role_output["Value"]["Fn::GetAtt"][1] == "Arn"


# -- compliance ----------------------------------------------------------------------------


@pytest.mark.checklist("002#86", "004#98")
def test_cdk_nag_clean_with_only_the_ecr_token_acknowledged(main: SynthResult) -> None:
    assert main.findings_for("Test") == []
    manifest = json.loads((main.outdir / "manifest.json").read_text())
    metadata_file = manifest["artifacts"]["Test"]["additionalMetadataFile"]
    metadata = json.loads((main.outdir / metadata_file).read_text())
    acknowledged = {
        path: sorted(key.split("::", 1)[1] for key in entry["data"])
        for path, entries in metadata.items()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
    }
    assert acknowledged == {
        "/Test/Ci/Permissions-images/Resource": ["AwsSolutions-IAM5[Resource::*]"]
    }


def test_a_wildcard_the_user_adds_is_still_reported(imported: SynthResult) -> None:
    findings = imported.findings_for("Test")
    assert [(f.rule, f.path) for f in findings] == [
        (
            "AwsSolutions-IAM5[Resource::arn:aws:s3:::acme-artifacts/*]",
            "Test/ByArn/Role-org/DefaultPolicy/Resource",
        )
    ]


# -- synth-time errors ---------------------------------------------------------------------


def new_stack() -> Stack:
    app = make_app()
    configure_platform(app, project="PetTest", stage="dev", compliance=())
    return Stack(app, "Test", env=ENV)


def error_of(**kwargs: Any) -> PropError:
    with pytest.raises(PropError) as caught:
        GithubOidc(new_stack(), "Ci", **kwargs)
    return caught.value


def role(*subjects: str, **fields: Any) -> list[DeployRole]:
    return [DeployRole("deploy", subjects=list(subjects), **fields)]


@pytest.mark.checklist("002#86")
@pytest.mark.parametrize(
    ("subject", "says"),
    [
        ("*", "trusts every repository on GitHub"),
        ("repo:*", "the owner must be a literal"),
        ("repo:*/api:pull_request", "the owner must be a literal"),
        ("repo:acme/*", "set allow_wildcard_repositories=True"),
        ("repo:acme/api-*:environment:prod", "set allow_wildcard_repositories=True"),
        ("acme/api", "start with 'repo:'"),
        ("repo:acme/api", "names no context"),
        ("repo:-acme/api:pull_request", "not a GitHub user or organization"),
        ("repo:acme/my api:pull_request", "not a GitHub repository name"),
        ("repo:acme:ref:refs/heads/main", "the owner must be a literal"),
        ("repo:acme/api:ref:refs/pull/1/merge", "refs/heads/BRANCH or refs/tags/TAG"),
        ("repo:acme/api:ref:refs/heads/a..b", "not a git branch or tag name"),
        ("repo:acme/api:workflow:deploy", "unknown context"),
    ],
)
def test_bad_subjects_are_refused_naming_prop_value_and_rule(subject: str, says: str) -> None:
    error = error_of(roles=role(subject))
    assert (error.prop, error.value) == ("roles[deploy].subjects", subject)
    assert says in error.allowed


def test_a_wildcard_owner_is_refused_even_with_the_opt_in() -> None:
    error = error_of(roles=role("repo:*", allow_wildcard_repositories=True))
    assert "repo:*' trusts every account on GitHub" in error.allowed


def test_no_roles_or_no_subjects_are_refused() -> None:
    assert error_of().prop == "roles"
    assert error_of(roles=[]).prop == "roles"
    error = error_of(roles=role())
    assert (error.prop, error.value) == ("roles[deploy].subjects", [])


def test_wrong_python_types_are_refused() -> None:
    error = error_of(roles="deploy")
    assert (error.prop, error.value) == ("roles", "deploy")
    error = error_of(roles=[DeployRole("deploy", subjects="repo:acme/api:pull_request")])
    assert error.prop == "roles[deploy].subjects"
    assert "list of str" in error.allowed
    error = error_of(roles=role("repo:a/b:*", max_session_duration=3600))
    assert error.prop == "roles[deploy].max_session_duration"
    error = error_of(roles=role("repo:a/b:*"), thumbprints="abc")
    assert error.prop == "thumbprints"
    error = error_of(roles=role("repo:a/b:*"), existing_provider_arn=123)
    assert (error.prop, error.value) == ("existing_provider_arn", 123)
    error = error_of(roles=role("repo:a/b:*"), retain=True)
    assert "not a prop of GithubOidc" in error.allowed


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PropErrors) as caught:
        GithubOidc(
            new_stack(),
            "Ci",
            thumbprints=["not-hex"],
            roles=[
                DeployRole(
                    "deploy",
                    subjects=["*", "repo:acme/*"],
                    accounts=["12345"],
                    regions=["Mars"],
                    qualifier="way-too-long-qualifier",
                    max_session_duration=Duration.hours(13),
                ),
                DeployRole("deploy", subjects=["repo:acme/api:pull_request"]),
            ],
        )
    found = {(e.prop, str(e.value)) for e in caught.value.errors}
    assert found == {
        ("thumbprints", "not-hex"),
        ("roles", "deploy"),  # the duplicate
        ("roles[deploy].subjects", "*"),
        ("roles[deploy].subjects", "repo:acme/*"),
        ("roles[deploy].accounts", "12345"),
        ("roles[deploy].regions", "Mars"),
        ("roles[deploy].qualifier", "way-too-long-qualifier"),
        ("roles[deploy].max_session_duration", "13 hours"),
    }
    assert "Ci: 8 invalid props" in str(caught.value)


def test_existing_provider_refuses_provider_props_and_foreign_arns() -> None:
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error = error_of(existing_provider_arn=arn, thumbprints=[], roles=role("repo:a/b:*"))
    assert (error.prop, "remove thumbprints") == ("existing_provider_arn", "remove thumbprints")
    assert "remove thumbprints" in error.allowed
    error = error_of(
        existing_provider_arn="arn:aws:iam::123456789012:oidc-provider/gitlab.com",
        roles=role("repo:a/b:*"),
    )
    assert error.prop == "existing_provider_arn"
    assert "token.actions.githubusercontent.com" in error.allowed
    stack = new_stack()
    provider = iam.OidcProviderNative.from_oidc_provider_arn(stack, "P", arn)
    with pytest.raises(PropError) as caught:
        GithubOidc(
            stack,
            "Ci",
            existing_provider=provider,
            existing_provider_arn=arn,
            roles=role("repo:a/b:*"),
        )
    assert caught.value.prop == "existing_provider_arn"
    assert "not both" in caught.value.allowed


def test_grant_needs_a_role_name_when_there_are_several() -> None:
    stack = new_stack()
    oidc = GithubOidc(
        stack,
        "Ci",
        roles=[
            DeployRole("a", subjects=["repo:acme/api:pull_request"]),
            DeployRole("b", subjects=["repo:acme/api:pull_request"]),
        ],
    )
    assert not oidc.imported
    repository = ecr.Repository.from_repository_name(stack, "R", "images")
    with pytest.raises(PropError) as caught:
        oidc.grant_ecr_push(repository)
    assert (caught.value.prop, caught.value.value) == ("role", None)
    with pytest.raises(PropError) as caught:
        oidc.grant_ecr_push(repository, role="c")
    assert "one of ['a', 'b']" in caught.value.allowed
