"""AuthPool: Cognito user pool (created or imported), clients, groups, domain, identity pool."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from aws_cdk import App, Duration, Environment, RemovalPolicy, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from petplatform_constructs import Naming, PropError, StageProfile, use_stage_profile
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.identity.auth_pool import (
    READ_ACTIONS,
    USER_MANAGEMENT_ACTIONS,
    AppClient,
    AuthPool,
    UserGroup,
)
from petplatform_constructs.testing import SynthResult, find_resources, resource_named

POOL = "AWS::Cognito::UserPool"
CLIENT = "AWS::Cognito::UserPoolClient"
IMPORTED_POOL_ID = "us-east-1_AbCdEf123"
CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
WEB_CALLBACKS = ["https://app.example.com/callback", "http://localhost:3000/callback"]

Synth = Callable[..., SynthResult]


# -- builders (one synthesis each per stage, shared by the whole session) --------------------


def _default(stack: Stack) -> None:
    AuthPool(stack, "Auth")


def _full(stack: Stack) -> None:
    """Every feature, shaped like HomeForPup + myapp: the instance the nag tests must keep clean."""
    stage = StageProfile.of(stack).stage.value
    admin_role = iam.Role(
        stack, "AdminRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
    )
    auth = AuthPool(
        stack,
        "Auth",
        self_sign_up=True,
        custom_attributes={"userType": cognito.StringAttribute(mutable=True)},
        mfa_sms=True,
        threat_protection=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
        clients=[
            AppClient("web", callback_urls=WEB_CALLBACKS, logout_urls=["https://app.example.com/"]),
            AppClient("dashboard", callback_urls=["https://admin.example.com/callback"]),
            AppClient(
                "mobile",
                callback_urls=["petapp://callback"],
                access_token_validity=Duration.minutes(15),
                refresh_token_validity=Duration.days(7),
            ),
            AppClient("backend", oauth=False, generate_secret=True),
        ],
        groups=["test", UserGroup("admin", description="Operators", precedence=0, role=admin_role)],
        domain_prefix=f"homeforpup-{stage}",
        identity_pool=True,
        export_prefix="PetTest-Cognito",
    )
    reader = iam.Role(stack, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    manager = iam.Role(stack, "Manager", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
    auth.grant_read(reader)
    auth.grant_user_management(manager)
    cloudwatch.Alarm(
        stack,
        "SignInThrottles",
        metric=auth.metric_sign_in_throttles(client="web"),
        threshold=1,
        evaluation_periods=1,
    )


def _custom_domain(stack: Stack) -> None:
    AuthPool(
        stack,
        "Auth",
        name="users",
        mfa=cognito.Mfa.REQUIRED,
        clients=[AppClient("web", callback_urls=["https://app.example.com/callback"])],
        custom_domain="auth.example.com",
        certificate=acm.Certificate.from_certificate_arn(stack, "Cert", CERT_ARN),
    )


def _imported(stack: Stack) -> None:
    AuthPool(
        stack,
        "Imported",
        existing_user_pool_id=IMPORTED_POOL_ID,
        clients=[AppClient("web", callback_urls=["https://app.example.com/callback"])],
        groups=["admin"],
        domain_prefix="homeforpup-dev",
        export_prefix="PetTest-Imported",
    )
    # The interface form.
    AuthPool(
        stack,
        "ImportedByInterface",
        existing_user_pool=cognito.UserPool.from_user_pool_id(stack, "Pool", "us-east-1_Other1"),
        clients=[AppClient("api", oauth=False)],
    )


def _overridden(stack: Stack) -> None:
    """Explicit props beat the prod profile, and the data-protection check catches it."""
    AuthPool(stack, "Auth", removal_policy=RemovalPolicy.DESTROY, deletion_protection=False)


BUILDERS: dict[str, Callable[[Stack], None]] = {
    "default": _default,
    "full": _full,
    "custom-domain": _custom_domain,
    "imported": _imported,
}


def _synth(stack_synth: Synth, builder: str, stage: str = "dev") -> SynthResult:
    return stack_synth(f"auth-pool-{builder}", BUILDERS[builder], stage=stage)


def _template(stack_synth: Synth, builder: str, stage: str = "dev") -> Template:
    return _synth(stack_synth, builder, stage).template("Test")


def _json(stack_synth: Synth, builder: str, stage: str = "dev") -> dict[str, Any]:
    return _synth(stack_synth, builder, stage).template_json("Test")


def _logical_id(template: dict[str, Any], resource_type: str, name: str) -> str:
    return resource_named(template, resource_type, name)[0]


# -- the pool --------------------------------------------------------------------------------


@pytest.mark.checklist("000#33", "000#36")
def test_creates_one_pool_with_verified_email_sign_in(stack_synth: Synth) -> None:
    template = _template(stack_synth, "default")
    template.resource_count_is(POOL, 1)
    template.has_resource_properties(
        POOL,
        {
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": False},
            "AccountRecoverySetting": {
                "RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]
            },
            "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
            "VerificationMessageTemplate": Match.object_like(
                {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
            ),
            # Self sign-up is opt-in.
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        },
    )


def test_self_sign_up_is_an_option(stack_synth: Synth) -> None:
    _template(stack_synth, "full").has_resource_properties(
        POOL, {"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False}}
    )


@pytest.mark.checklist("000#38")
def test_password_policy_is_strong_by_default(stack_synth: Synth) -> None:
    _template(stack_synth, "default").has_resource_properties(
        POOL,
        {
            "Policies": {
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireLowercase": True,
                    "RequireUppercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": 7,
                }
            }
        },
    )


@pytest.mark.checklist("000#39")
def test_mfa_is_optional_totp_without_sms_by_default(stack_synth: Synth) -> None:
    template = _template(stack_synth, "default")
    template.has_resource_properties(
        POOL,
        {
            "MfaConfiguration": "OPTIONAL",
            "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
            "SmsConfiguration": Match.absent(),
        },
    )
    template.resource_count_is("AWS::IAM::Role", 0)


def test_sms_mfa_adds_the_sns_role_cognito_needs(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    role_id = _logical_id(template, "AWS::IAM::Role", "smsRole")
    Template.from_json(template).has_resource_properties(
        POOL,
        {
            "EnabledMfas": Match.array_with(["SMS_MFA", "SOFTWARE_TOKEN_MFA"]),
            "SmsConfiguration": {
                "ExternalId": Match.any_value(),
                "SnsCallerArn": {"Fn::GetAtt": [role_id, "Arn"]},
            },
        },
    )
    trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "cognito-idp.amazonaws.com"}
    assert "sts:ExternalId" in trust["Statement"][0]["Condition"]["StringEquals"]


def test_mfa_can_be_required(stack_synth: Synth) -> None:
    _template(stack_synth, "custom-domain").has_resource_properties(
        POOL, {"MfaConfiguration": "ON", "EnabledMfas": ["SOFTWARE_TOKEN_MFA"]}
    )


@pytest.mark.checklist("000#37")
def test_custom_attribute_user_type(stack_synth: Synth) -> None:
    _template(stack_synth, "full").has_resource_properties(
        POOL,
        {
            "Schema": Match.array_with(
                [{"Name": "userType", "AttributeDataType": "String", "Mutable": True}]
            )
        },
    )


def test_threat_protection_is_off_by_default_and_plus_when_asked(stack_synth: Synth) -> None:
    _template(stack_synth, "default").has_resource_properties(
        POOL, {"UserPoolTier": "ESSENTIALS", "UserPoolAddOns": Match.absent()}
    )
    _template(stack_synth, "full").has_resource_properties(
        POOL,
        {"UserPoolTier": "PLUS", "UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}},
    )


def test_pool_name_goes_through_naming_and_is_generated_otherwise(stack_synth: Synth) -> None:
    _template(stack_synth, "custom-domain").has_resource_properties(
        POOL, {"UserPoolName": "pettest-dev-users"}
    )
    _template(stack_synth, "default").has_resource_properties(
        POOL, {"UserPoolName": Match.absent()}
    )


# -- stages -----------------------------------------------------------------------------------


@pytest.mark.checklist("000#54")
def test_dev_pool_is_disposable(stack_synth: Synth) -> None:
    _template(stack_synth, "default").has_resource(
        POOL,
        {
            "DeletionPolicy": "Delete",
            "UpdateReplacePolicy": "Delete",
            "Properties": Match.object_like({"DeletionProtection": "INACTIVE"}),
        },
    )


@pytest.mark.checklist("000#56", "000#65")
@pytest.mark.parametrize(("builder", "stage"), [("default", "prod"), ("full", "staging")])
def test_prod_like_pool_is_retained_and_deletion_protected(
    stack_synth: Synth, builder: str, stage: str
) -> None:
    _template(stack_synth, builder, stage).has_resource(
        POOL,
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like({"DeletionProtection": "ACTIVE"}),
        },
    )


@pytest.mark.checklist("000#56", "000#65")
def test_data_protection_check_passes_in_prod(stack_synth: Synth) -> None:
    for builder in ("default", "full"):
        result = _synth(stack_synth, builder, "prod")
        assert result.findings_for("Test", plugin="DataProtection") == []
    # The same check does run there: explicit overrides of the profile win, and are caught.
    overridden = stack_synth("auth-pool-overridden", _overridden, stage="prod")
    overridden.template("Test").has_resource(
        POOL,
        {
            "DeletionPolicy": "Delete",
            "Properties": Match.object_like({"DeletionProtection": "INACTIVE"}),
        },
    )
    rules = {f.rule for f in overridden.findings_for("Test", plugin="DataProtection")}
    assert rules == {"PP-DP1", "PP-DP2", "PP-DP3"}


# -- clients ----------------------------------------------------------------------------------


@pytest.mark.checklist("000#34", "000#40")
def test_web_client_uses_code_flow_with_short_lived_tokens(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    _, web = resource_named(template, CLIENT, "Client-web")
    written = web["Properties"].pop("WriteAttributes")
    assert "email" in written and "given_name" in written
    assert not [a for a in written if a.startswith("custom:") or a.endswith("_verified")]
    assert web["Properties"] == {
        "UserPoolId": {"Ref": _logical_id(template, POOL, "UserPool")},
        "ClientName": "pettest-dev-web",
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email", "profile"],
        "CallbackURLs": WEB_CALLBACKS,
        "LogoutURLs": ["https://app.example.com/"],
        "SupportedIdentityProviders": ["COGNITO"],
        "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "AccessTokenValidity": 60,
        "IdTokenValidity": 60,
        "RefreshTokenValidity": 30 * 24 * 60,
        "TokenValidityUnits": {
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "minutes",
        },
    }


def test_many_clients_public_and_confidential(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    assert len(find_resources(template, CLIENT)) == 4
    props = {
        name: resource_named(template, CLIENT, f"Client-{name}")[1]["Properties"]
        for name in ("web", "dashboard", "mobile", "backend")
    }
    assert props["dashboard"]["CallbackURLs"] == ["https://admin.example.com/callback"]
    assert props["mobile"]["CallbackURLs"] == ["petapp://callback"]
    assert (props["mobile"]["AccessTokenValidity"], props["mobile"]["RefreshTokenValidity"]) == (
        15,
        7 * 24 * 60,
    )
    assert all(props[n]["GenerateSecret"] is False for n in ("web", "dashboard", "mobile"))
    backend = props["backend"]
    assert backend["GenerateSecret"] is True
    assert backend["AllowedOAuthFlowsUserPoolClient"] is False
    assert "AllowedOAuthFlows" not in backend and "CallbackURLs" not in backend


def test_client_names_follow_the_stage_naming(stack_synth: Synth) -> None:
    for stage in ("dev", "prod"):
        _template(stack_synth, "full", stage).has_resource_properties(
            CLIENT, {"ClientName": f"pettest-{stage}-dashboard"}
        )


def test_attributes_expose_what_an_authorizer_needs() -> None:
    stack = _stack()
    auth = AuthPool(
        stack,
        "Auth",
        clients=[AppClient("web", callback_urls=["https://a.example.com/cb"]), _sdk("mobile")],
    )
    assert list(auth.clients) == ["web", "mobile"]
    assert auth.client_ids == [c.user_pool_client_id for c in auth.clients.values()]
    assert auth.created_user_pool is auth.user_pool and not auth.imported
    assert stack.resolve(auth.issuer_url) == {
        "Fn::Join": [
            "",
            [
                "https://cognito-idp.us-east-1.amazonaws.com/",
                stack.resolve(auth.user_pool.user_pool_id),
            ],
        ]
    }


# -- groups, domain, identity pool, exports ---------------------------------------------------


def test_groups_with_precedence_and_role(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    role_id = _logical_id(template, "AWS::IAM::Role", "AdminRole")
    assert resource_named(template, "AWS::Cognito::UserPoolGroup", "Group-admin")[1][
        "Properties"
    ] == {
        "GroupName": "admin",
        "Description": "Operators",
        "Precedence": 0,
        "RoleArn": {"Fn::GetAtt": [role_id, "Arn"]},
        "UserPoolId": {"Ref": _logical_id(template, POOL, "UserPool")},
    }
    assert resource_named(template, "AWS::Cognito::UserPoolGroup", "Group-test")[1][
        "Properties"
    ] == {"GroupName": "test", "UserPoolId": {"Ref": _logical_id(template, POOL, "UserPool")}}


@pytest.mark.checklist("000#35")
@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_hosted_ui_prefix_domain_carries_the_stage(stack_synth: Synth, stage: str) -> None:
    template = _template(stack_synth, "full", stage)
    template.resource_count_is("AWS::Cognito::UserPoolDomain", 1)
    template.has_resource_properties(
        "AWS::Cognito::UserPoolDomain",
        {"Domain": f"homeforpup-{stage}", "CustomDomainConfig": Match.absent()},
    )


@pytest.mark.checklist("000#41")
def test_custom_domain_with_us_east_1_certificate(stack_synth: Synth) -> None:
    template = _template(stack_synth, "custom-domain")
    template.resource_count_is("AWS::Cognito::UserPoolDomain", 1)
    template.has_resource_properties(
        "AWS::Cognito::UserPoolDomain",
        {"Domain": "auth.example.com", "CustomDomainConfig": {"CertificateArn": CERT_ARN}},
    )


def test_identity_pool_admits_only_authenticated_users(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    assertions = Template.from_json(template)
    pool_id = _logical_id(template, POOL, "UserPool")
    identity_pool_id = _logical_id(template, "AWS::Cognito::IdentityPool", "IdentityPool")
    assertions.has_resource_properties(
        "AWS::Cognito::IdentityPool",
        {
            "AllowUnauthenticatedIdentities": False,
            "CognitoIdentityProviders": Match.array_with(
                [
                    Match.object_like(
                        {
                            "ClientId": {"Ref": _logical_id(template, CLIENT, "Client-web")},
                            "ProviderName": {
                                "Fn::Join": [
                                    "",
                                    [
                                        "cognito-idp.us-east-1.",
                                        {"Ref": "AWS::URLSuffix"},
                                        "/",
                                        {"Ref": pool_id},
                                    ],
                                ]
                            },
                            "ServerSideTokenCheck": True,
                        }
                    )
                ]
            ),
        },
    )
    role_id = _logical_id(template, "AWS::IAM::Role", "AuthenticatedRole")
    assertions.has_resource_properties(
        "AWS::Cognito::IdentityPoolRoleAttachment",
        {
            "IdentityPoolId": {"Ref": identity_pool_id},
            "Roles": Match.object_like({"authenticated": {"Fn::GetAtt": [role_id, "Arn"]}}),
        },
    )
    trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"] == [
        {
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Effect": "Allow",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Condition": {
                "StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": identity_pool_id}},
                "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
            },
        }
    ]


@pytest.mark.checklist("000#42")
def test_exports_pool_id_arn_and_each_client_id(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    pool_id = _logical_id(template, POOL, "UserPool")
    exports = {
        o["Export"]["Name"]: o["Value"] for o in template["Outputs"].values() if "Export" in o
    }
    assert exports == {
        "PetTest-Cognito-UserPoolId": {"Ref": pool_id},
        "PetTest-Cognito-UserPoolArn": {"Fn::GetAtt": [pool_id, "Arn"]},
        **{
            f"PetTest-Cognito-UserPoolClientId-{name}": {
                "Ref": _logical_id(template, CLIENT, f"Client-{name}")
            }
            for name in ("web", "dashboard", "mobile", "backend")
        },
        "PetTest-Cognito-IdentityPoolId": {
            "Ref": _logical_id(template, "AWS::Cognito::IdentityPool", "IdentityPool")
        },
    }
    assert "Outputs" not in _json(stack_synth, "default")


def test_construct_ids_are_stable(stack_synth: Synth) -> None:
    paths = {
        r["Metadata"]["aws:cdk:path"]
        for r in _json(stack_synth, "full")["Resources"].values()
        if r["Type"].startswith("AWS::Cognito::")
    }
    assert {
        "Test/Auth/UserPool/Resource",
        "Test/Auth/Client-web/Resource",
        "Test/Auth/Client-backend/Resource",
        "Test/Auth/Group-admin/Resource",
        "Test/Auth/Domain/Resource",
        "Test/Auth/IdentityPool/Resource",
    } <= paths


# -- grants and metrics -------------------------------------------------------------------------


def _policy_statements(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    role_id = _logical_id(template, "AWS::IAM::Role", role)
    policies = [
        p
        for p in find_resources(template, "AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    return [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]


@pytest.mark.checklist("000#46")
def test_grant_read_is_read_only_on_the_pool(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    pool_arn = {"Fn::GetAtt": [_logical_id(template, POOL, "UserPool"), "Arn"]}
    statements = _policy_statements(template, "Reader")
    assert statements == [{"Action": list(READ_ACTIONS), "Effect": "Allow", "Resource": pool_arn}]
    assert not [a for a in READ_ACTIONS if re.match(r"cognito-idp:Admin(Create|Delete|Update)", a)]


def test_grant_user_management_on_the_pool(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    pool_arn = {"Fn::GetAtt": [_logical_id(template, POOL, "UserPool"), "Arn"]}
    statements = _policy_statements(template, "Manager")
    assert statements == [
        {"Action": list(USER_MANAGEMENT_ACTIONS), "Effect": "Allow", "Resource": pool_arn}
    ]
    assert {"cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser"} <= set(
        USER_MANAGEMENT_ACTIONS
    )


def test_metrics_are_per_pool_and_client(stack_synth: Synth) -> None:
    template = _json(stack_synth, "full")
    Template.from_json(template).has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/Cognito",
            "MetricName": "SignInThrottles",
            "Statistic": "Sum",
            "Period": 300,
            "Dimensions": [
                {"Name": "UserPool", "Value": {"Ref": _logical_id(template, POOL, "UserPool")}},
                {
                    "Name": "UserPoolClient",
                    "Value": {"Ref": _logical_id(template, CLIENT, "Client-web")},
                },
            ],
        },
    )


def test_metric_helpers_name_the_cognito_metrics() -> None:
    auth = AuthPool(_stack(), "Auth", clients=[_sdk("app")])
    metrics = {
        auth.metric_sign_in_successes().metric_name,
        auth.metric_sign_up_successes().metric_name,
        auth.metric_token_refresh_successes().metric_name,
        auth.metric_sign_in_throttles(period=Duration.minutes(1)).metric_name,
    }
    assert metrics == {
        "SignInSuccesses",
        "SignUpSuccesses",
        "TokenRefreshSuccesses",
        "SignInThrottles",
    }
    assert auth.metric_sign_in_successes(client="app").namespace == "AWS/Cognito"


# -- import mode ------------------------------------------------------------------------------


@pytest.mark.checklist("000#33")
def test_import_creates_no_pool_and_uses_the_literal_id(stack_synth: Synth) -> None:
    template = _template(stack_synth, "imported")
    template.resource_count_is(POOL, 0)
    template.resource_count_is(CLIENT, 2)
    for resource_type in (CLIENT, "AWS::Cognito::UserPoolGroup", "AWS::Cognito::UserPoolDomain"):
        template.has_resource_properties(resource_type, {"UserPoolId": IMPORTED_POOL_ID})
    template.has_output(
        "*",
        {
            "Export": {"Name": "PetTest-Imported-UserPoolId"},
            "Value": IMPORTED_POOL_ID,
        },
    )


def test_imported_pool_attributes() -> None:
    auth = AuthPool(_stack(), "Auth", existing_user_pool_id=IMPORTED_POOL_ID, clients=[_sdk("app")])
    assert auth.imported and auth.created_user_pool is None
    assert auth.user_pool.user_pool_id == IMPORTED_POOL_ID
    assert auth.issuer_url == f"https://cognito-idp.us-east-1.amazonaws.com/{IMPORTED_POOL_ID}"


# -- compliance -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "stage"),
    [
        ("default", "dev"),
        ("default", "prod"),
        ("full", "dev"),
        ("full", "staging"),
        ("full", "prod"),
        ("custom-domain", "dev"),
        ("imported", "dev"),
    ],
)
def test_no_unacknowledged_findings(stack_synth: Synth, builder: str, stage: str) -> None:
    result = _synth(stack_synth, builder, stage)
    assert result.error is None
    assert [str(f) for f in result.findings] == []


def test_optional_mfa_and_plan_are_acknowledged_on_the_pool_only() -> None:
    """COG2 and COG8 are acknowledged only when they would fire, and only on the pool."""
    stack = _stack()
    default = AuthPool(stack, "Default")
    strict = AuthPool(
        stack,
        "Strict",
        mfa=cognito.Mfa.REQUIRED,
        threat_protection=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
    )

    def acknowledged(auth: AuthPool) -> set[tuple[str, str]]:
        return {
            (node.node.path, rule)
            for node in auth.node.find_all()
            for entry in node.node.metadata
            if entry.type == "aws:cdk:acknowledged-rules"
            for rule in re.findall(r"AwsSolutions-\w+", json.dumps(entry.data))
        }

    assert acknowledged(default) == {
        ("S/Default/UserPool/Resource", "AwsSolutions-COG2"),
        ("S/Default/UserPool/Resource", "AwsSolutions-COG8"),
    }
    assert acknowledged(strict) == set()


# -- prod-like defaults ---------------------------------------------------------------------------


def _prod_stack() -> Stack:
    stack = Stack(App(), "S", env=Environment(account="123456789012", region="us-east-1"))
    use_stage_profile(stack, "prod")
    return stack


def _pool_props(auth: AuthPool) -> dict[str, Any]:
    """The pool's settings these tests read, resolved without synthesizing the app."""
    pool = auth.user_pool.node.default_child
    assert isinstance(pool, cognito.CfnUserPool)
    resolve = Stack.of(auth).resolve
    return {
        "MfaConfiguration": pool.mfa_configuration,
        "Policies": resolve(pool.policies),
        "UserPoolTier": pool.user_pool_tier,
        "UserPoolAddOns": resolve(pool.user_pool_add_ons),
    }


def _acknowledged_reasons(auth: AuthPool) -> dict[str, str]:
    return {
        key.split("::", 1)[1]: str(reason)
        for node in auth.node.find_all()
        for entry in node.node.metadata
        if entry.type == "aws:cdk:acknowledged-rules"
        for key, reason in dict(entry.data).items()
    }


def _warnings(auth: AuthPool) -> list[str]:
    return [
        str(entry.data)
        for node in auth.node.find_all()
        for entry in node.node.metadata
        if entry.type == "aws:cdk:warning"
    ]


def test_prod_like_defaults_require_mfa_longer_passwords_and_threat_protection() -> None:
    auth = AuthPool(_prod_stack(), "Auth")
    props = _pool_props(auth)
    assert props["MfaConfiguration"] == "ON"
    assert props["Policies"]["passwordPolicy"]["minimumLength"] == 12
    assert props["UserPoolTier"] == "PLUS"
    assert props["UserPoolAddOns"] == {"advancedSecurityMode": "ENFORCED"}
    assert _acknowledged_reasons(auth) == {}  # nothing to acknowledge
    assert _warnings(auth) == []
    # dev keeps the lighter defaults
    dev = _pool_props(AuthPool(_stack(), "Auth"))
    assert (dev["MfaConfiguration"], dev["Policies"]["passwordPolicy"]["minimumLength"]) == (
        "OPTIONAL",
        8,
    )
    assert dev["UserPoolTier"] == "ESSENTIALS"


def test_prod_like_opt_outs_are_explicit_and_loud() -> None:
    reason = "consumer sign-up must stay frictionless; every user can enrol TOTP"
    costs = "the staging pool has a handful of testers, not worth the PLUS plan"
    auth = AuthPool(
        _prod_stack(),
        "Auth",
        mfa_opt_out_reason=reason,
        threat_protection_opt_out_reason=costs,
    )
    props = _pool_props(auth)
    assert props["MfaConfiguration"] == "OPTIONAL"
    assert props["UserPoolTier"] == "ESSENTIALS"
    reasons = _acknowledged_reasons(auth)
    assert reasons["AwsSolutions-COG2"] == f"MFA OPTIONAL: {reason}"
    assert reasons["AwsSolutions-COG8"] == f"threat protection off: {costs}"
    warnings = _warnings(auth)
    assert len(warnings) == 2
    assert any(reason in w for w in warnings) and any(costs in w for w in warnings)


@pytest.mark.parametrize(
    ("props", "match"),
    [
        ({"mfa": cognito.Mfa.OPTIONAL}, r"invalid mfa=<Mfa\.OPTIONAL.*mfa_opt_out_reason"),
        ({"mfa_opt_out_reason": "too short"}, r"invalid mfa_opt_out_reason='too short'"),
        (
            {"mfa": cognito.Mfa.REQUIRED, "mfa_opt_out_reason": "x" * 30},
            r"invalid mfa_opt_out_reason='x+'; only with mfa OPTIONAL or OFF",
        ),
        (
            {
                "threat_protection": cognito.StandardThreatProtectionMode.AUDIT_ONLY,
                "threat_protection_opt_out_reason": "x" * 30,
            },
            r"invalid threat_protection_opt_out_reason='x+'; turns threat protection off",
        ),
        (
            {"user_writable_attributes": ["userType"]},
            r"invalid user_writable_attributes='userType'; names of custom_attributes",
        ),
    ],
)
def test_prod_like_opt_outs_are_checked(props: dict[str, Any], match: str) -> None:
    with pytest.raises(PropError, match=match):
        AuthPool(_prod_stack(), "Auth", **props)


def test_authorization_attributes_are_not_writable_by_app_clients() -> None:
    stack = _stack()
    auth = AuthPool(
        stack,
        "Auth",
        custom_attributes={
            "userType": cognito.StringAttribute(mutable=True),
            "bio": cognito.StringAttribute(mutable=True),
        },
        user_writable_attributes=["bio"],
        clients=[_sdk("web")],
    )
    client = auth.clients["web"].node.default_child
    assert isinstance(client, cognito.CfnUserPoolClient)
    written = stack.resolve(client.write_attributes)
    assert "custom:bio" in written and "email" in written
    assert "custom:userType" not in written
    assert not [a for a in written if a.endswith("_verified")]


# -- bad input ----------------------------------------------------------------------------------


def _stack() -> Stack:
    stack = Stack(App(), "S", env=Environment(account="123456789012", region="us-east-1"))
    use_stage_profile(stack, "dev")
    return stack


def _sdk(name: str) -> AppClient:
    return AppClient(name, oauth=False)


def _web(**overrides: Any) -> AppClient:
    return AppClient("web", **{"callback_urls": ["https://app.example.com/cb"], **overrides})


BAD_INPUT: list[tuple[str, Callable[[Stack], dict[str, Any]], str]] = [
    (
        "both-imports",
        lambda s: {
            "existing_user_pool_id": "us-east-1_A",
            "existing_user_pool": cognito.UserPool.from_user_pool_id(s, "P", "us-east-1_B"),
        },
        "invalid existing_user_pool_id='us-east-1_A'; pass existing_user_pool_id or "
        "existing_user_pool, not both",
    ),
    (
        "prefix-cognito",
        lambda s: {"domain_prefix": "pets-cognito-dev"},
        "invalid domain_prefix='pets-cognito-dev'; must not contain 'aws'",
    ),
    (
        "prefix-aws",
        lambda s: {"domain_prefix": "myaws-auth"},
        "invalid domain_prefix='myaws-auth'; must not contain 'aws'",
    ),
    (
        "prefix-uppercase",
        lambda s: {"domain_prefix": "MyApp-auth"},
        "invalid domain_prefix='MyApp-auth'; allowed: lowercase",
    ),
    (
        "no-callback",
        lambda s: {"clients": [AppClient("web")]},
        "invalid clients[web].callback_urls=[]; an OAuth client needs at least one callback URL",
    ),
    (
        "implicit-flow",
        lambda s: {"clients": [_web(oauth_flows=("code", "implicit"))]},
        "invalid clients[web].oauth_flows='implicit'; the implicit flow returns tokens in the URL",
    ),
    (
        "client-credentials",
        lambda s: {"clients": [_web(oauth_flows=("client_credentials",))]},
        "invalid clients[web].oauth_flows='client_credentials'; only 'code'",
    ),
    (
        "password-6",
        lambda s: {"password_min_length": 6},
        "invalid password_min_length=6; 8 to 99",
    ),
    (
        "password-100",
        lambda s: {"password_min_length": 100},
        "invalid password_min_length=100; 8 to 99",
    ),
    (
        "prefix-and-custom-domain",
        lambda s: {
            "domain_prefix": "pets-dev",
            "custom_domain": "auth.example.com",
            "certificate": acm.Certificate.from_certificate_arn(s, "C", CERT_ARN),
        },
        "invalid domain_prefix='pets-dev'; give a domain_prefix or a custom_domain",
    ),
    (
        "custom-domain-without-certificate",
        lambda s: {"custom_domain": "auth.example.com"},
        "invalid certificate=None; custom_domain='auth.example.com' needs an ACM certificate "
        "(us-east-1) that covers it",
    ),
    (
        "certificate-outside-us-east-1",
        lambda s: {
            "custom_domain": "auth.example.com",
            "certificate": acm.Certificate.from_certificate_arn(
                s, "C", CERT_ARN.replace("us-east-1", "eu-west-1")
            ),
        },
        "invalid certificate='arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-"
        "4444-555555555555'; Cognito custom domains (served by CloudFront) uses ACM "
        "certificates from us-east-1 only",
    ),
    (
        "duplicate-clients",
        lambda s: {"clients": [_web(), _sdk("mobile"), _sdk("web")]},
        "invalid clients='web'; duplicate name",
    ),
    (
        "bad-client-name",
        lambda s: {"clients": [_sdk("web app")]},
        "invalid clients[0].name='web app'; 1-40 letters, digits and '-'",
    ),
    (
        "groups-as-a-string",
        lambda s: {"groups": "admin"},
        "invalid groups='admin'; expected a list of UserGroup or str (got str)",
    ),
    (
        "callback-as-a-string",
        lambda s: {"clients": [_web(callback_urls="https://app.example.com/cb")]},
        "invalid clients[web].callback_urls='https://app.example.com/cb'; expected a list of "
        "str (got str)",
    ),
    (
        "duplicate-groups",
        lambda s: {"groups": ["admin", UserGroup("admin", precedence=1)]},
        "invalid groups='admin'; duplicate name",
    ),
    (
        "negative-precedence",
        lambda s: {"groups": [UserGroup("admin", precedence=-1)]},
        "invalid groups[admin].precedence=-1; a non-negative integer",
    ),
    (
        "attribute-not-alphanumeric",
        lambda s: {"custom_attributes": {"user-type": cognito.StringAttribute(mutable=True)}},
        "invalid custom_attributes='user-type'; attribute names are 1-20 letters, digits or '_'",
    ),
    (
        "attribute-too-long",
        lambda s: {"custom_attributes": {"a" * 21: cognito.StringAttribute()}},
        f"invalid custom_attributes='{'a' * 21}'; attribute names are 1-20",
    ),
    (
        "http-callback",
        lambda s: {"clients": [_web(callback_urls=["http://app.example.com/cb"])]},
        "invalid clients[web].callback_urls='http://app.example.com/cb'; https:// URLs",
    ),
    (
        "callback-fragment",
        lambda s: {"clients": [_web(callback_urls=["https://app.example.com/#cb"])]},
        "invalid clients[web].callback_urls='https://app.example.com/#cb'; https:// URLs",
    ),
    (
        "javascript-logout",
        lambda s: {"clients": [_web(logout_urls=["javascript:alert(1)"])]},
        "invalid clients[web].logout_urls='javascript:alert(1)'",
    ),
    (
        "email-scope-without-openid",
        lambda s: {"clients": [_web(scopes=("email",))]},
        "invalid clients[web].scopes=['email']; ['email'] require the 'openid' scope",
    ),
    (
        "unknown-scope",
        lambda s: {"clients": [_web(scopes=("openid", "admin"))]},
        "invalid clients[web].scopes='admin'; one of",
    ),
    (
        "access-token-too-short",
        lambda s: {"clients": [_web(access_token_validity=Duration.minutes(2))]},
        "invalid clients[web].access_token_validity='2 minutes'; 5 to 1440 minutes",
    ),
    (
        "id-token-outlives-refresh",
        lambda s: {
            "clients": [
                _web(
                    id_token_validity=Duration.hours(12),
                    refresh_token_validity=Duration.hours(2),
                )
            ]
        },
        "invalid clients[web].id_token_validity='720 minutes'; must not exceed",
    ),
    (
        "sms-without-mfa",
        lambda s: {"mfa": cognito.Mfa.OFF, "mfa_sms": True},
        "invalid mfa_sms=True; SMS is an MFA factor",
    ),
    (
        "threat-protection-no-enforcement",
        lambda s: {"threat_protection": cognito.StandardThreatProtectionMode.NO_ENFORCEMENT},
        "invalid threat_protection=<StandardThreatProtectionMode.NO_ENFORCEMENT",
    ),
    (
        "identity-pool-without-clients",
        lambda s: {"identity_pool": True},
        "invalid identity_pool=True; an identity pool trusts the pool's app clients",
    ),
    (
        "export-prefix",
        lambda s: {"export_prefix": "Pet_Test"},
        "invalid export_prefix='Pet_Test'; letters, digits, ':' and '-'",
    ),
    (
        "temporary-password-days",
        lambda s: {"temporary_password_validity_days": 0},
        "invalid temporary_password_validity_days=0; 1 to 365 days",
    ),
    (
        "pool-name-too-long",
        lambda s: {"name": "u" * 129},
        f"invalid name='{'u' * 129}'; Cognito names are 1-128 letters, digits, spaces",
    ),
    (
        "client-name-too-long-after-naming",
        lambda s: {"naming": Naming.templated("{resource}-" + "x" * 130), "clients": [_sdk("web")]},
        f"invalid clients[web].name='web-{'x' * 130}'; Cognito names are 1-128",
    ),
    (
        "group-name-with-a-space",
        lambda s: {"groups": ["admin team"]},
        "invalid groups[0].name='admin team'; 1-128 letters, digits and _.+=,@-",
    ),
    (
        "custom-domain-not-a-dns-name",
        lambda s: {
            "custom_domain": "Auth.Example.com",
            "certificate": acm.Certificate.from_certificate_arn(s, "C", CERT_ARN),
        },
        "invalid custom_domain='Auth.Example.com'; a lowercase DNS name",
    ),
    (
        "certificate-without-custom-domain",
        lambda s: {"certificate": acm.Certificate.from_certificate_arn(s, "C", CERT_ARN)},
        "invalid custom_domain=None; a certificate was given without custom_domain",
    ),
    (
        "empty-pool-name",
        lambda s: {"name": " "},
        "invalid name=' '; a non-empty short name",
    ),
    (
        "existing-pool-as-an-id-string",
        lambda s: {"existing_user_pool": IMPORTED_POOL_ID},
        f"invalid existing_user_pool=\"'{IMPORTED_POOL_ID}'\"; an IUserPool",
    ),
    (
        "existing-pool-id-not-a-string",
        lambda s: {"existing_user_pool_id": 123},
        "invalid existing_user_pool_id=123; a user pool id string (got int)",
    ),
]


def _errors(error: PropError) -> list[PropError]:
    return error.errors if isinstance(error, PropErrors) else [error]


@pytest.mark.parametrize(
    ("props", "message"), [(p, m) for _, p, m in BAD_INPUT], ids=[i for i, _, _ in BAD_INPUT]
)
def test_bad_input_is_refused(props: Callable[[Stack], dict[str, Any]], message: str) -> None:
    stack = _stack()
    with pytest.raises(PropError) as raised:
        AuthPool(stack, "Auth", **props(stack))
    assert str(raised.value).startswith("AuthPool S/Auth: invalid ")
    [error] = _errors(raised.value)  # one mistake, one problem
    assert f"invalid {error.prop}={error.value!r}; {error.allowed}".startswith(message)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        pytest.param(
            {"mfa": "on"}, r"invalid mfa='on'; expected cognito\.Mfa \(got str\)$", id="mfa as str"
        ),
        pytest.param(
            {"clients": AppClient("web", oauth=False)},
            r"invalid clients=AppClient\(name='web'.*\); expected a list of AppClient "
            r"\(got AppClient\)$",
            id="one client where a list is expected",
        ),
        pytest.param(
            {"self_sign_up": "yes"},
            r"invalid self_sign_up='yes'; expected bool \(got str\)$",
            id="flag as str",
        ),
        pytest.param(
            {"password_min_length": True},
            r"invalid password_min_length=True; expected int \(got bool\)$",
            id="bool as number",
        ),
        pytest.param(
            {"certificate": CERT_ARN, "custom_domain": "auth.example.com"},
            r"invalid certificate='arn:aws:acm:.*'; expected certificatemanager\.ICertificate "
            r"\(got str\)$",
            id="certificate ARN instead of a certificate",
        ),
        pytest.param(
            {"clients": [AppClient("web", oauth="no")]},  # type: ignore[arg-type]
            r"invalid clients\[web\]\.oauth='no'; expected bool \(got str\)$",
            id="client field of the wrong type",
        ),
        pytest.param(
            {"clients": [_sdk("web"), AppClient("api", oauth=False, access_token_validity=15)]},  # type: ignore[arg-type]
            r"invalid clients\[api\]\.access_token_validity=15; expected Duration \(got int\)$",
            id="token validity as a number",
        ),
        pytest.param(
            {"groups": [UserGroup("admin", precedence="1")]},  # type: ignore[arg-type]
            r"invalid groups\[admin\]\.precedence='1'; expected int \(got str\)$",
            id="group precedence as str",
        ),
        pytest.param(
            {"mfa_required": True},
            r"invalid mfa_required=True; not a prop of AuthPool; known props: certificate, ",
            id="misspelled prop",
        ),
    ],
)
def test_wrong_python_types_are_refused_naming_the_prop(
    props: dict[str, Any], message: str
) -> None:
    with pytest.raises(PropError, match=r"^AuthPool S/Auth: " + message):
        AuthPool(_stack(), "Auth", **props)


def test_every_problem_is_reported_in_one_error() -> None:
    with pytest.raises(PropErrors) as raised:
        AuthPool(
            _stack(),
            "Auth",
            mfa="on",  # type: ignore[arg-type]
            password_min_length=6,
            export_prefix="Pet_Test",
            clients=[AppClient("web"), _sdk("api"), _sdk("api")],
            groups=["admin", UserGroup("ops", precedence=-1)],
            domain_prefix="MyAuth",
            identity_pool=True,
        )
    assert [(e.prop, e.value) for e in raised.value.errors] == [
        ("mfa", "on"),
        ("export_prefix", "Pet_Test"),
        ("password_min_length", 6),
        ("clients", "api"),
        ("clients[web].callback_urls", []),
        ("groups[ops].precedence", -1),
        ("domain_prefix", "MyAuth"),
    ]
    assert str(raised.value).startswith("AuthPool S/Auth: 7 invalid props:\n  - invalid mfa='on'")


# -- an existing pool takes no pool props -------------------------------------------------------


def test_existing_pool_refuses_pool_props_naming_each() -> None:
    with pytest.raises(PropError) as raised:
        AuthPool(
            _stack(),
            "Auth",
            existing_user_pool_id=IMPORTED_POOL_ID,
            name="users",
            self_sign_up=False,
            mfa=cognito.Mfa.REQUIRED,
            clients=[_sdk("app")],
        )
    [error] = _errors(raised.value)
    assert (error.prop, error.value) == ("existing_user_pool_id", repr(IMPORTED_POOL_ID))
    assert error.allowed == (
        "an existing resource takes no creation props; remove mfa, name, self_sign_up or drop "
        "existing_user_pool_id"
    )


def test_existing_pool_by_interface_refuses_pool_props_too() -> None:
    stack = _stack()
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", IMPORTED_POOL_ID)
    with pytest.raises(
        PropError,
        match=r"invalid existing_user_pool='.* at S/Pool'; an existing resource takes no "
        r"creation props; remove deletion_protection, removal_policy or drop existing_user_pool",
    ):
        AuthPool(
            stack,
            "Auth",
            existing_user_pool=pool,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )


def test_existing_pool_and_bad_shared_props_are_reported_together() -> None:
    with pytest.raises(PropErrors) as raised:
        AuthPool(
            _stack(),
            "Auth",
            existing_user_pool_id="us-east-1_A",
            existing_user_pool=cognito.UserPool.from_user_pool_id(_stack(), "P", "us-east-1_B"),
            password_min_length=6,
            domain_prefix="aws-auth",
        )
    assert [e.prop for e in raised.value.errors] == [
        "existing_user_pool_id",  # not both
        "existing_user_pool",  # no pool props with it (the password rule is not applied)
        "domain_prefix",
    ]


def test_two_pools_cannot_share_a_domain_prefix() -> None:
    stack = _stack()
    AuthPool(stack, "First", domain_prefix="pets-auth")
    with pytest.raises(
        PropError,
        match=r"invalid domain_prefix='pets-auth'; a unique Cognito domain prefix name: S/First "
        r"already uses it",
    ):
        AuthPool(stack, "Second", domain_prefix="pets-auth")


def test_outputs_are_exposed_by_attribute() -> None:
    stack = _stack()
    auth = AuthPool(
        stack, "Auth", clients=[_sdk("web")], identity_pool=True, export_prefix="PetTest-Cognito"
    )
    assert sorted(auth.outputs) == [
        "IdentityPoolId",
        "UserPoolArn",
        "UserPoolClientId-web",
        "UserPoolId",
    ]
    assert auth.outputs["UserPoolId"].export_name == "PetTest-Cognito-UserPoolId"
    assert AuthPool(stack, "Quiet").outputs == {}


def test_metric_needs_a_client_name_when_several_exist() -> None:
    auth = AuthPool(_stack(), "Auth", clients=[_sdk("web"), _sdk("mobile")])
    with pytest.raises(PropError, match=r"AuthPool S/Auth: invalid client=None; name the app"):
        auth.metric_sign_in_successes()
    with pytest.raises(PropError, match=r"AuthPool S/Auth: invalid client='tv'; one of the app"):
        auth.metric_sign_in_successes(client="tv")


def test_a_client_may_let_a_backend_sign_users_in_with_their_password() -> None:
    stack = _stack()
    AuthPool(stack, "Auth", clients=[AppClient("api", oauth=False, backend_password_auth=True)])
    Template.from_stack(stack).has_resource_properties(
        CLIENT,
        {
            "ExplicitAuthFlows": [
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ]
        },
    )
