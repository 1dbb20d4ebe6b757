"""AuthPool privileged_groups: MFA required for privileged groups, enforced at token issuance.

The template (trigger, least-privilege lookup, no dependency cycle, cdk-nag), the rules, and the
trigger's handler on realistic Cognito V2_0 events (the local cloud runs no Cognito trigger).
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aws_cdk import Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from petplatform_constructs import AuthPool, PropError, UserGroup, configure_platform
from petplatform_constructs.runtime.triggers import privileged_mfa
from petplatform_constructs.testing import SynthResult, make_app

POOL_ID = "us-east-1_AbCdEf123"
ADMIN_ROLE = iam.Role.from_role_arn(
    Stack(), "AdminRole", "arn:aws:iam::123456789012:role/admin", mutable=False
)
ENV = Environment(account="123456789012", region="us-east-1")


def build_prod(stack: Stack) -> None:
    AuthPool(
        stack,
        "Auth",
        name="users",
        groups=["admin", UserGroup("vets", precedence=1), "owners"],
        privileged_groups=["admin", "vets"],
    )


@pytest.fixture(scope="module")
def prod(stack_synth: Callable[..., SynthResult]) -> SynthResult:
    return stack_synth("auth_pool_mfa_guard_prod", build_prod, stage="prod")


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def references(value: object) -> Iterator[str]:
    """The logical ids that a CloudFormation value refers to (Ref and Fn::GetAtt)."""
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield value["Ref"]
        if "Fn::GetAtt" in value:
            yield value["Fn::GetAtt"][0]
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def cycle_in(template: dict[str, Any]) -> list[str] | None:
    """A dependency cycle among the template's resources, as CloudFormation would see it."""
    resources = template["Resources"]
    edges = {
        logical_id: {
            *(r for r in references(resource.get("Properties", {})) if r in resources),
            *resource.get("DependsOn", []),
        }
        for logical_id, resource in resources.items()
    }
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                return [*path, node, target]
            if target not in state and (found := visit(target, [*path, node])):
                return found
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node, [])):
            return found
    return None


# -- the template --------------------------------------------------------------------------


def test_pool_is_optional_totp_with_a_v2_pre_token_trigger(prod: SynthResult) -> None:
    template = prod.template_json("Test")
    ((pool_id, pool),) = of_type(template, "AWS::Cognito::UserPool").items()
    ((function_id, function),) = of_type(template, "AWS::Lambda::Function").items()
    assert pool["Properties"]["MfaConfiguration"] == "OPTIONAL"
    assert pool["Properties"]["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    # V2_0: the access token's cognito:groups is rewritten too, not only the ID token's.
    assert pool["Properties"]["LambdaConfig"] == {
        "PreTokenGenerationConfig": {
            "LambdaArn": {"Fn::GetAtt": [function_id, "Arn"]},
            "LambdaVersion": "V2_0",
        }
    }
    props = function["Properties"]
    assert props["Handler"] == "privileged_mfa.handler"
    assert props["FunctionName"] == "pettest-prod-users-mfa-guard"  # the pool's name, + naming
    assert props["Timeout"] == 5  # Cognito waits at most 5 seconds for a trigger
    assert props["Runtime"] == max(
        (r.name for r in lambda_.Runtime.ALL if re.fullmatch(r"python3\.\d+", r.name)),
        key=lambda name: int(name.split(".")[1]),
    )  # standard library only: the newest Python (cdk-nag L1)
    assert json.loads(props["Environment"]["Variables"]["PRIVILEGED_GROUPS"]) == ["admin", "vets"]
    ((_, permission),) = of_type(template, "AWS::Lambda::Permission").items()
    assert permission["Properties"]["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["Properties"]["SourceArn"] == {"Fn::GetAtt": [pool_id, "Arn"]}


def test_the_trigger_may_only_write_its_logs_and_look_users_up_in_this_pool(
    prod: SynthResult,
) -> None:
    template = prod.template_json("Test")
    (pool_id,) = of_type(template, "AWS::Cognito::UserPool")
    (log_group_id,) = of_type(template, "AWS::Logs::LogGroup")
    ((role_id, role),) = of_type(template, "AWS::IAM::Role").items()
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
        }
    ]
    assert "ManagedPolicyArns" not in role["Properties"]  # no AWSLambdaBasicExecutionRole
    assert of_type(template, "AWS::IAM::Policy") == {}  # no inline policy at all
    ((_, policy),) = of_type(template, "AWS::IAM::ManagedPolicy").items()
    assert policy["Properties"]["Roles"] == [{"Ref": role_id}]
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [log_group_id, "Arn"]},
        },
        {
            "Action": "cognito-idp:AdminGetUser",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [pool_id, "Arn"]},
        },
    ]


def test_the_pool_function_and_lookup_policy_form_no_dependency_cycle(prod: SynthResult) -> None:
    assert cycle_in(prod.template_json("Test")) is None


def test_cycle_detector_finds_a_cycle() -> None:
    template = {
        "Resources": {
            "A": {"Type": "X", "Properties": {"B": {"Ref": "B"}}},
            "B": {"Type": "X", "Properties": {"A": {"Fn::GetAtt": ["A", "Arn"]}}},
        }
    }
    assert cycle_in(template) == ["A", "B", "A"]


def test_prod_is_nag_clean_and_says_why_mfa_is_optional(prod: SynthResult) -> None:
    assert prod.findings_for("Test") == []


def test_prod_with_privileged_groups_needs_no_opt_out_and_warns_nothing() -> None:
    auth = AuthPool(_stack("prod"), "Auth", groups=["admin"], privileged_groups=["admin"])
    assert auth.mfa_guard is not None
    assert auth.privileged_groups == ("admin",)
    metadata = [entry for node in auth.node.find_all() for entry in node.node.metadata]
    assert [e.data for e in metadata if e.type == "aws:cdk:warning"] == []
    reasons = {
        key.split("::", 1)[1]: str(reason)
        for entry in metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for key, reason in dict(entry.data).items()
    }
    assert reasons["AwsSolutions-COG2"] == (
        "MFA OPTIONAL: MFA is enforced for the privileged groups ['admin']: a "
        "pre-token-generation trigger removes them from the ID and access tokens of a member "
        "without an enabled MFA factor; optional for other users"
    )


def test_pools_without_privileged_groups_get_no_trigger() -> None:
    auth = AuthPool(_stack("dev"), "Auth", groups=["admin"])
    assert auth.mfa_guard is None
    assert auth.privileged_groups == ()
    assert auth.created_user_pool is not None
    assert auth.created_user_pool.node.try_find_child("PreTokenGenerationConfigCognito") is None


# -- rules ---------------------------------------------------------------------------------


def _stack(stage: str) -> Stack:
    app = make_app()
    configure_platform(app, project="PetTest", stage=stage, compliance=())
    return Stack(app, "S", env=ENV)


@pytest.mark.parametrize(
    ("props", "prop", "value", "says"),
    [
        (
            {"groups": ["admin"], "privileged_groups": ["admins"]},
            "privileged_groups",
            "admins",
            "names of the pool's groups: ['admin']",
        ),
        (
            {"privileged_groups": ["admin"]},
            "privileged_groups",
            "admin",
            "none declared in groups",
        ),
        (
            {"groups": ["admin"], "privileged_groups": ["admin"], "mfa": cognito.Mfa.REQUIRED},
            "privileged_groups",
            ["admin"],
            "needs mfa=Mfa.OPTIONAL (got REQUIRED)",
        ),
        (
            {"groups": ["admin"], "privileged_groups": ["admin"], "mfa": cognito.Mfa.OFF},
            "privileged_groups",
            ["admin"],
            "with OFF no member could enrol",
        ),
        ({"privileged_groups": "admin"}, "privileged_groups", "admin", "a list of str"),
        (
            {"groups": [UserGroup("admin", role=ADMIN_ROLE)], "privileged_groups": ["admin"]},
            "groups[admin].role",
            ADMIN_ROLE,
            "a privileged group carries no IAM role",
        ),
    ],
)
def test_privileged_groups_are_checked(
    props: dict[str, Any], prop: str, value: object, says: str
) -> None:
    with pytest.raises(PropError) as raised:
        AuthPool(_stack("prod"), "Auth", **props)
    assert (raised.value.prop, raised.value.value) == (prop, value)
    assert says in raised.value.allowed


def test_optional_mfa_in_prod_still_needs_privileged_groups_or_a_reason() -> None:
    with pytest.raises(PropError) as raised:
        AuthPool(_stack("prod"), "Auth", groups=["admin"], mfa=cognito.Mfa.OPTIONAL)
    assert raised.value.prop == "mfa"
    assert "Mfa.OPTIONAL with privileged_groups" in raised.value.allowed


def test_an_existing_pool_cannot_take_privileged_groups() -> None:
    with pytest.raises(PropError) as raised:
        AuthPool(
            _stack("dev"),
            "Auth",
            existing_user_pool_id=POOL_ID,
            groups=["admin"],
            privileged_groups=["admin"],
        )
    assert "remove privileged_groups" in raised.value.allowed


# -- the trigger's handler -----------------------------------------------------------------


def v2_event(groups: list[str], roles: list[str] | None = None) -> dict[str, Any]:
    """A PreTokenGeneration_Config event version 2 as Cognito sends it."""
    return {
        "version": "2",
        "triggerSource": "TokenGeneration_Authentication",
        "region": "us-east-1",
        "userPoolId": POOL_ID,
        "userName": "9f1c2d3e-1111-2222-3333-444455556666",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "1example23"},
        "request": {
            "userAttributes": {
                "sub": "9f1c2d3e-1111-2222-3333-444455556666",
                "email": "ada@example.com",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED",
            },
            "groupConfiguration": {
                "groupsToOverride": groups,
                "iamRolesToOverride": roles or [],
                "preferredRole": (roles or [None])[0],
            },
            "scopes": ["openid", "email", "aws.cognito.signin.user.admin"],
        },
        "response": {"claimsAndScopeOverrideDetails": None},
    }


PRIVILEGED = frozenset({"admin", "vets"})
ROLE = "arn:aws:iam::123456789012:role/owners-role"


def lookup(answer: bool) -> Callable[[str, str], bool]:
    calls: list[tuple[str, str]] = []

    def has_mfa(pool_id: str, user_name: str) -> bool:
        calls.append((pool_id, user_name))
        return answer

    has_mfa.calls = calls  # type: ignore[attr-defined]
    return has_mfa


def test_a_privileged_member_without_mfa_loses_the_privileged_groups() -> None:
    has_mfa = lookup(False)
    event = privileged_mfa.guard(v2_event(["owners", "admin"], [ROLE]), has_mfa, PRIVILEGED)
    assert event["response"]["claimsAndScopeOverrideDetails"] == {
        "groupOverrideDetails": {
            "groupsToOverride": ["owners"],
            "iamRolesToOverride": [ROLE],  # the owners' role: a privileged group has none
            "preferredRole": ROLE,
        }
    }
    assert has_mfa.calls == [(POOL_ID, "9f1c2d3e-1111-2222-3333-444455556666")]  # type: ignore[attr-defined]


def test_a_privileged_member_with_mfa_keeps_every_group() -> None:
    original = v2_event(["owners", "admin"], [ROLE])
    event = privileged_mfa.guard(copy.deepcopy(original), lookup(True), PRIVILEGED)
    assert event == original


def test_other_users_are_not_looked_up() -> None:
    has_mfa = lookup(False)
    original = v2_event(["owners"])
    assert privileged_mfa.guard(copy.deepcopy(original), has_mfa, PRIVILEGED) == original
    assert has_mfa.calls == []  # type: ignore[attr-defined]


def test_a_failed_lookup_fails_closed() -> None:
    def broken(pool_id: str, user_name: str) -> bool:
        raise TimeoutError("cognito-idp did not answer")

    event = privileged_mfa.guard(v2_event(["vets"]), broken, PRIVILEGED)
    details = event["response"]["claimsAndScopeOverrideDetails"]
    assert details["groupOverrideDetails"]["groupsToOverride"] == []


def test_handler_reads_the_privileged_groups_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRIVILEGED_GROUPS", '["admin"]')
    monkeypatch.setattr(privileged_mfa, "user_has_mfa", lambda pool_id, user_name: False)
    event = privileged_mfa.handler(v2_event(["admin", "owners"]), None)
    groups = event["response"]["claimsAndScopeOverrideDetails"]["groupOverrideDetails"]
    assert groups["groupsToOverride"] == ["owners"]


def test_the_request_signature_is_botocores_sigv4() -> None:
    botocore = pytest.importorskip("botocore")
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    env = {
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "AWS_SESSION_TOKEN": "session-token",
    }
    url = "https://cognito-idp.us-east-1.amazonaws.com"
    body = json.dumps({"UserPoolId": POOL_ID, "Username": "ada"}).encode()
    now = datetime.datetime(2026, 12, 4, 19, 30, 5, tzinfo=datetime.timezone.utc)
    headers = privileged_mfa.signed_headers(url, body, "us-east-1", env, now)
    ours = headers.pop("authorization")
    request = AWSRequest(method="POST", url=url + "/", data=body, headers=headers)
    request.context["timestamp"] = "20261204T193005Z"
    signer = SigV4Auth(
        Credentials(
            env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]
        ),
        "cognito-idp",
        "us-east-1",
    )
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    assert botocore is not None
    assert ours.endswith(f"Signature={signature}")
    assert "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target" in ours
