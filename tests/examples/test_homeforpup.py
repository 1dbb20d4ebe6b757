"""examples/homeforpup reproduces seed 000 (HomeForPup) in dev, staging and prod.

Every template-checkable item of checklist section 000 is asserted here; deploy-time items are
declared in examples/homeforpup/homeforpup/checklist.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from aws_cdk.assertions import Match
from stateful_manifest import check_stateful_manifest

import homeforpup
from homeforpup import HomeForPupConfig
from petplatform_constructs.testing import SynthCache, SynthResult, find_resources, make_app, synth

STAGES = homeforpup.STAGES
SUFFIX = {"dev": "", "staging": "-staging", "prod": "-prod"}
TABLE_NAMES = (
    "profiles", "dogs", "kennels", "litters", "messages", "message-threads", "favorites",
    "activities", "breeds", "breeds-simple", "vet-visits", "veterinarians",
)  # fmt: skip
GLOBAL_TABLE = "AWS::DynamoDB::GlobalTable"
Json = dict[str, Any]


def _synth(cache: SynthCache, stage: str, config: HomeForPupConfig | None = None) -> SynthResult:
    key = ("homeforpup", stage, repr(config))
    return cache.get(
        key, lambda: synth(make_app(), lambda app: homeforpup.build(app, stage, config))
    )


@pytest.fixture(scope="session", params=STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def result(synth_cache: SynthCache, stage: str) -> SynthResult:
    return _synth(synth_cache, stage)


@pytest.fixture(scope="session")
def variant(synth_cache: SynthCache) -> SynthResult:
    """Prod with the seed's alternatives: public-read images, imported pool, custom domain."""
    config = HomeForPupConfig.for_stage(
        "prod",
        image_access="public",
        user_pool_id="us-east-1_AbCdEf123",
        auth_domain="auth.homeforpup.com",
        auth_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
        alarm_email="oncall@homeforpup.com",
        cloudtrail_log_group="aws-cloudtrail-logs-homeforpup",
    )
    return _synth(synth_cache, "prod", config)


def _stack(result: SynthResult, stage: str, family: str) -> str:
    return f"HomeForPup-{family}{SUFFIX[stage]}"


def _resources(result: SynthResult, stage: str, family: str, rtype: str) -> dict[str, Json]:
    return find_resources(result.template_json(_stack(result, stage, family)), rtype)


def _tables(result: SynthResult, stage: str) -> dict[str, Json]:
    tables = _resources(result, stage, "DynamoDB", GLOBAL_TABLE).values()
    return {t["Properties"]["TableName"]: t for t in tables}


def _bucket(result: SynthResult, stage: str, role: str) -> Json:
    buckets = _resources(result, stage, "S3", "AWS::S3::Bucket")
    (bucket,) = [b for lid, b in buckets.items() if lid.startswith(f"Storage{role}Bucket")]
    return bucket


def _policy_statements(result: SynthResult, stage: str) -> Iterator[Json]:
    template = result.template_json(_stack(result, stage, "IAM"))
    for rtype in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for policy in find_resources(template, rtype).values():
            yield from policy["Properties"]["PolicyDocument"]["Statement"]


def _actions(statement: Json) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def _bucket_policy_statements(result: SynthResult, stage: str, role: str) -> list[Json]:
    policies = _resources(result, stage, "S3", "AWS::S3::BucketPolicy")
    return [
        s
        for lid, p in policies.items()
        if lid.startswith(f"Storage{role}BucketPolicy")
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


# -- A. app and stack structure --------------------------------------------------------------


@pytest.mark.checklist("000#1", "000#53", "000#55", "000#56")
def test_four_stacks_named_per_stage(result: SynthResult, stage: str) -> None:
    families = ("DynamoDB", "S3", "Cognito", "IAM")
    assert sorted(result.stack_names.values()) == sorted(
        f"HomeForPup-{f}{SUFFIX[stage]}" for f in families
    )


@pytest.mark.checklist("000#2")
def test_iam_stack_imports_from_and_depends_on_the_others(result: SynthResult, stage: str) -> None:
    manifest = json.loads((result.outdir / "manifest.json").read_text())
    iam = _stack(result, stage, "IAM")
    deps = set(manifest["artifacts"][iam].get("dependencies", []))
    assert {_stack(result, stage, f) for f in ("DynamoDB", "S3", "Cognito")} <= deps
    iam_json = json.dumps(result.template_json(iam))
    for family in ("DynamoDB", "S3", "Cognito"):
        assert f'"Fn::ImportValue": "{_stack(result, stage, family)}:ExportsOutput' in iam_json
        outputs = result.template_json(_stack(result, stage, family))["Outputs"]
        assert any("Export" in o for o in outputs.values())


@pytest.mark.checklist("000#3")
def test_cost_tags_per_service(result: SynthResult, stage: str) -> None:
    profiles = _tables(result, stage)[f"profiles{SUFFIX[stage]}"]
    tags = {t["Key"]: t["Value"] for t in profiles["Properties"]["Replicas"][0]["Tags"]}
    assert tags == {"Project": "HomeForPup", "Environment": stage, "Service": "dynamodb"}
    for family, service in (("S3", "s3"), ("Cognito", "cognito"), ("IAM", "iam")):
        template = result.template(_stack(result, stage, family))
        rtype = {"S3": "AWS::S3::Bucket", "Cognito": "AWS::Cognito::UserPool"}.get(
            family, "AWS::IAM::Role"
        )
        if family == "Cognito":  # user pools carry tags as a map
            expected = {"UserPoolTags": Match.object_like({"Service": service})}
        else:
            expected = {"Tags": Match.array_with([{"Key": "Service", "Value": service}])}
        template.has_resource_properties(rtype, expected)


# -- B. DynamoDB -----------------------------------------------------------------------------


@pytest.mark.checklist(*(f"000#{i}" for i in range(4, 17)), "000#53", "000#55", "000#56")
def test_exactly_the_twelve_tables_with_stage_names(result: SynthResult, stage: str) -> None:
    template = result.template(_stack(result, stage, "DynamoDB"))
    template.resource_count_is(GLOBAL_TABLE, 12)
    template.resource_count_is("AWS::DynamoDB::Table", 0)  # TableV2 from day one
    assert sorted(_tables(result, stage)) == sorted(n + SUFFIX[stage] for n in TABLE_NAMES)


@pytest.mark.checklist("000#17")
def test_on_demand_billing_and_no_autoscaling(result: SynthResult, stage: str) -> None:
    for table in _tables(result, stage).values():
        assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
        assert "WriteProvisionedThroughputSettings" not in table["Properties"]
    template = result.template(_stack(result, stage, "DynamoDB"))
    template.resource_count_is("AWS::ApplicationAutoScaling::ScalableTarget", 0)


@pytest.mark.checklist("000#18", "000#63", "000#55")
def test_pitr_in_prod_like_stages_only(result: SynthResult, stage: str) -> None:
    expected = stage in ("staging", "prod")
    for name, table in _tables(result, stage).items():
        (replica,) = table["Properties"]["Replicas"]
        spec = replica.get("PointInTimeRecoverySpecification", {})
        assert spec.get("PointInTimeRecoveryEnabled", False) is expected, name


@pytest.mark.checklist("000#19")
def test_only_profiles_streams_new_and_old_images(result: SynthResult, stage: str) -> None:
    streams = {
        name: t["Properties"].get("StreamSpecification")
        for name, t in _tables(result, stage).items()
    }
    profiles = f"profiles{SUFFIX[stage]}"
    assert streams.pop(profiles) == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert set(streams.values()) == {None}


EXPECTED_GSIS = {
    "profiles": {"email-index": ["email"]},
    "dogs": {"kennelId-index": ["kennelId"], "breed-index": ["breed"]},
    "kennels": {"ownerId-index": ["ownerId"]},
    "litters": {"kennelId-index": ["kennelId"]},
    "messages": {"threadId-index": ["threadId", "createdAt"]},
    "message-threads": {"participantId-index": ["participantId", "updatedAt"]},
    "favorites": {"userId-index": ["userId"]},
    "activities": {"userId-index": ["userId", "createdAt"]},
    "breeds": {"name-index": ["name"]},
    "breeds-simple": {},
    "vet-visits": {"dogId-index": ["dogId", "visitDate"]},
    "veterinarians": {"name-index": ["name"]},
}


@pytest.mark.checklist("000#20")
def test_global_secondary_indexes_project_all(result: SynthResult, stage: str) -> None:
    for name, table in _tables(result, stage).items():
        gsis = {
            g["IndexName"]: ([k["AttributeName"] for k in g["KeySchema"]], g["Projection"])
            for g in table["Properties"].get("GlobalSecondaryIndexes", [])
        }
        expected = EXPECTED_GSIS[name.removesuffix(SUFFIX[stage]) if SUFFIX[stage] else name]
        assert {k: v[0] for k, v in gsis.items()} == expected, name
        assert all(v[1] == {"ProjectionType": "ALL"} for v in gsis.values())


@pytest.mark.checklist("000#21")
def test_encryption_at_rest_is_explicit(result: SynthResult, stage: str) -> None:
    for table in _tables(result, stage).values():
        assert table["Properties"]["SSESpecification"]["SSEEnabled"] is True


@pytest.mark.checklist("000#22", "000#54", "000#55", "000#56")
def test_tables_retained_in_prod_like_and_deletable_in_dev(result: SynthResult, stage: str) -> None:
    policy = "Delete" if stage == "dev" else "Retain"
    for table in _tables(result, stage).values():
        assert (table.get("DeletionPolicy"), table.get("UpdateReplacePolicy")) == (policy, policy)
        assert table["Properties"]["Replicas"][0]["DeletionProtectionEnabled"] is (stage != "dev")


# -- C. S3 -----------------------------------------------------------------------------------


@pytest.mark.checklist("000#23", "000#60")
def test_image_upload_and_access_log_buckets(result: SynthResult, stage: str) -> None:
    # images, uploads, and the access logs of both and of the images' CDN
    result.template(_stack(result, stage, "S3")).resource_count_is("AWS::S3::Bucket", 3)
    for role in ("Images", "Uploads"):
        props = _bucket(result, stage, role)["Properties"]
        assert props["LoggingConfiguration"]["DestinationBucketName"]["Ref"].startswith(
            "StorageAccessLogsBucket"
        )
        assert props["MetricsConfigurations"] == [{"Id": "EntireBucket"}]


@pytest.mark.checklist("000#24", "000#67", "000#57")
def test_images_private_behind_cloudfront_oac_by_default(result: SynthResult, stage: str) -> None:
    template = result.template(_stack(result, stage, "S3"))
    template.resource_count_is("AWS::CloudFront::Distribution", 1)
    template.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {"OriginAccessControlConfig": Match.object_like({"OriginAccessControlOriginType": "s3"})},
    )
    block = _bucket(result, stage, "Images")["Properties"]["PublicAccessBlockConfiguration"]
    assert set(block.values()) == {True}
    # CDN access logs always on: these stacks are region-agnostic, so standard logging into
    # the access-log bucket, whose ACLs are enabled for it (objects still owned by the owner)
    (config,) = [
        r["Properties"]["DistributionConfig"]
        for r in result.template_json(_stack(result, stage, "S3"))["Resources"].values()
        if r["Type"] == "AWS::CloudFront::Distribution"
    ]
    assert config["Logging"]["Bucket"]["Fn::GetAtt"][0].startswith("StorageAccessLogsBucket")
    assert config["Logging"]["Prefix"] == "cloudfront/"
    log_bucket = _bucket(result, stage, "AccessLogs")["Properties"]
    assert log_bucket["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]
    }
    assert set(log_bucket["PublicAccessBlockConfiguration"].values()) == {True}
    statements = _bucket_policy_statements(result, stage, "Images")
    assert not [s for s in statements if s["Effect"] == "Allow" and s.get("Principal") == "*"]


@pytest.mark.checklist("000#24")
def test_public_read_opt_in_opens_only_get_object(variant: SynthResult) -> None:
    block = _bucket(variant, "prod", "Images")["Properties"]["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True,
        "BlockPublicPolicy": False, "RestrictPublicBuckets": False,
    }  # fmt: skip
    public = [
        s
        for s in _bucket_policy_statements(variant, "prod", "Images")
        if s["Effect"] == "Allow" and s.get("Principal") in ("*", {"AWS": "*"})
    ]
    assert len(public) == 1
    assert public[0]["Action"] == "s3:GetObject"
    assert public[0]["Resource"]["Fn::Join"][1][-1] == "/*"
    controls = _bucket(variant, "prod", "Images")["Properties"]["OwnershipControls"]
    assert controls == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    template = variant.template("HomeForPup-S3-prod")
    template.resource_count_is("AWS::CloudFront::Distribution", 0)


@pytest.mark.checklist("000#25")
def test_image_cors_for_web_uploads(result: SynthResult, stage: str) -> None:
    (rule,) = _bucket(result, stage, "Images")["Properties"]["CorsConfiguration"]["CorsRules"]
    assert {"GET", "PUT", "POST", "HEAD"} <= set(rule["AllowedMethods"])
    assert rule["AllowedOrigins"] == [HomeForPupConfig.for_stage(stage).web_origin]
    assert rule["AllowedHeaders"] == ["*"]


@pytest.mark.checklist("000#26", "000#64", "000#30")
def test_versioning_images_in_prod_like_only_and_never_uploads(
    result: SynthResult, stage: str
) -> None:
    images = _bucket(result, stage, "Images")["Properties"]
    if stage == "dev":
        assert "VersioningConfiguration" not in images
    else:
        assert images["VersioningConfiguration"] == {"Status": "Enabled"}
    assert "VersioningConfiguration" not in _bucket(result, stage, "Uploads")["Properties"]


@pytest.mark.checklist("000#27")
def test_image_lifecycle_rules(result: SynthResult, stage: str) -> None:
    rules = _bucket(result, stage, "Images")["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(
        t == {"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 90}
        for r in rules
        for t in r.get("Transitions", [])
    )
    assert any(r.get("AbortIncompleteMultipartUpload") == {"DaysAfterInitiation": 7} for r in rules)
    noncurrent = [
        r["NoncurrentVersionExpiration"] for r in rules if "NoncurrentVersionExpiration" in r
    ]
    assert noncurrent == ([] if stage == "dev" else [{"NoncurrentDays": 30}])


@pytest.mark.checklist("000#28")
def test_custom_domain_ready_outputs(result: SynthResult, stage: str) -> None:
    outputs = result.template_json(_stack(result, stage, "S3"))["Outputs"]
    values = json.dumps([o["Value"] for o in outputs.values()])
    assert "RegionalDomainName" in values
    assert "DomainName" in values  # the distribution's domain, for a CNAME or alias


@pytest.mark.checklist("000#29", "000#57")
def test_uploads_private(result: SynthResult, stage: str) -> None:
    block = _bucket(result, stage, "Uploads")["Properties"]["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    statements = _bucket_policy_statements(result, stage, "Uploads")
    assert not [s for s in statements if s["Effect"] == "Allow" and s.get("Principal") == "*"]


@pytest.mark.checklist("000#30", "000#31")
def test_uploads_expire_after_seven_days(result: SynthResult, stage: str) -> None:
    rules = _bucket(result, stage, "Uploads")["Properties"]["LifecycleConfiguration"]["Rules"]
    assert any(r.get("ExpirationInDays") == 7 and r["Status"] == "Enabled" for r in rules)
    assert any(r.get("AbortIncompleteMultipartUpload") == {"DaysAfterInitiation": 1} for r in rules)


@pytest.mark.checklist("000#32", "000#54")
def test_auto_delete_in_dev_only(result: SynthResult, stage: str) -> None:
    template = result.template(_stack(result, stage, "S3"))
    template.resource_count_is("Custom::S3AutoDeleteObjects", 3 if stage == "dev" else 0)
    policy = "Delete" if stage == "dev" else "Retain"
    template.all_resources("AWS::S3::Bucket", {"DeletionPolicy": policy})


@pytest.mark.checklist("000#57")
def test_buckets_encrypted_and_ssl_only(result: SynthResult, stage: str) -> None:
    for role in ("Images", "Uploads", "AccessLogs"):
        encryption = _bucket(result, stage, role)["Properties"]["BucketEncryption"]
        default = encryption["ServerSideEncryptionConfiguration"][0][
            "ServerSideEncryptionByDefault"
        ]
        assert default == {"SSEAlgorithm": "AES256"}
        assert any(
            s["Effect"] == "Deny"
            and s.get("Condition", {}).get("Bool") == {"aws:SecureTransport": "false"}
            for s in _bucket_policy_statements(result, stage, role)
        ), role


# -- D. Cognito ------------------------------------------------------------------------------


def _cognito(result: SynthResult, stage: str) -> Any:
    return result.template(_stack(result, stage, "Cognito"))


@pytest.mark.checklist("000#33", "000#34", "000#50")
def test_user_pool_and_public_client(result: SynthResult, stage: str) -> None:
    template = _cognito(result, stage)
    template.resource_count_is("AWS::Cognito::UserPool", 1)
    template.resource_count_is("AWS::Cognito::UserPoolClient", 1)
    template.has_resource_properties("AWS::Cognito::UserPoolClient", {"GenerateSecret": False})


@pytest.mark.checklist("000#33")
def test_existing_pool_is_imported_not_created(variant: SynthResult) -> None:
    template = variant.template("HomeForPup-Cognito-prod")
    template.resource_count_is("AWS::Cognito::UserPool", 0)
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient", {"UserPoolId": "us-east-1_AbCdEf123"}
    )


@pytest.mark.checklist("000#35")
def test_prefix_domain_per_stage(result: SynthResult, stage: str) -> None:
    template = _cognito(result, stage)
    template.resource_count_is("AWS::Cognito::UserPoolDomain", 1)
    template.has_resource_properties(
        "AWS::Cognito::UserPoolDomain", {"Domain": f"homeforpup{SUFFIX[stage]}"}
    )


@pytest.mark.checklist("000#36", "000#37", "000#38", "000#39")
def test_email_sign_in_user_type_password_policy_optional_mfa(
    result: SynthResult, stage: str
) -> None:
    _cognito(result, stage).has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "UsernameAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            # A consumer marketplace: users register themselves.
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
            "Schema": Match.array_with(
                [
                    Match.object_like(
                        {"Name": "userType", "AttributeDataType": "String", "Mutable": True}
                    )
                ]
            ),
            "Policies": {
                "PasswordPolicy": Match.object_like(
                    {
                        # at least the seed's 8; 12 in prod-like stages
                        "MinimumLength": 8 if stage == "dev" else 12,
                        "RequireLowercase": True,
                        "RequireUppercase": True,
                        "RequireNumbers": True,
                        "RequireSymbols": True,
                        "TemporaryPasswordValidityDays": 7,
                    }
                )
            },
            # optional by the seed's choice, said out loud (mfa_opt_out_reason)
            "MfaConfiguration": "OPTIONAL",
            "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
            # threat protection is on in prod-like stages
            "UserPoolTier": "ESSENTIALS" if stage == "dev" else "PLUS",
        },
    )


@pytest.mark.checklist("000#40")
def test_oauth_code_flow(result: SynthResult, stage: str) -> None:
    origin = HomeForPupConfig.for_stage(stage).web_origin
    _cognito(result, stage).has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": Match.array_with(["openid", "email", "profile"]),
            "CallbackURLs": [f"{origin}/auth/callback"],
            "LogoutURLs": [f"{origin}/"],
            "SupportedIdentityProviders": ["COGNITO"],
        },
    )


@pytest.mark.checklist("000#41")
def test_custom_auth_domain_with_certificate(variant: SynthResult) -> None:
    variant.template("HomeForPup-Cognito-prod").has_resource_properties(
        "AWS::Cognito::UserPoolDomain",
        {
            "Domain": "auth.homeforpup.com",
            "CustomDomainConfig": {
                "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc-123"
            },
        },
    )


@pytest.mark.checklist("000#42")
def test_cognito_exports_pool_and_client(result: SynthResult, stage: str) -> None:
    outputs = result.template_json(_stack(result, stage, "Cognito"))["Outputs"]
    exported = {o["Export"]["Name"] for o in outputs.values() if "Export" in o}
    prefix = _stack(result, stage, "Cognito")
    assert {
        f"{prefix}-UserPoolId",
        f"{prefix}-UserPoolArn",
        f"{prefix}-UserPoolClientId-web",
    } <= exported


@pytest.mark.checklist("000#56", "000#65", "000#54")
def test_pool_retained_and_protected_in_prod_like(result: SynthResult, stage: str) -> None:
    pools = find_resources(
        result.template_json(_stack(result, stage, "Cognito")), "AWS::Cognito::UserPool"
    )
    (pool,) = pools.values()
    if stage == "dev":
        assert pool["DeletionPolicy"] == "Delete"
        assert pool["Properties"].get("DeletionProtection", "INACTIVE") == "INACTIVE"
    else:
        assert pool["DeletionPolicy"] == "Retain"
        assert pool["Properties"]["DeletionProtection"] == "ACTIVE"


# -- E. IAM ----------------------------------------------------------------------------------


@pytest.mark.checklist("000#43")
def test_application_role_for_lambda_and_ec2(result: SynthResult, stage: str) -> None:
    template = result.template(_stack(result, stage, "IAM"))
    (role,) = find_resources(
        result.template_json(_stack(result, stage, "IAM")), "AWS::IAM::Role"
    ).values()
    assert role["Properties"]["RoleName"] == f"homeforpup-app{SUFFIX[stage]}"
    principals = {
        p
        for st in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        for p in (
            [st["Principal"]["Service"]]
            if isinstance(st["Principal"]["Service"], str)
            else st["Principal"]["Service"]
        )
    }
    assert principals == {"lambda.amazonaws.com", "ec2.amazonaws.com"}
    template.resource_count_is("AWS::IAM::InstanceProfile", 1)


@pytest.mark.checklist("000#44")
def test_read_write_on_all_twelve_tables_and_indexes(result: SynthResult, stage: str) -> None:
    needed = {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
        "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
    }  # fmt: skip
    table_statements = [s for s in _policy_statements(result, stage) if needed <= set(_actions(s))]
    resources = json.dumps([s["Resource"] for s in table_statements])
    export = f"{_stack(result, stage, 'DynamoDB')}:ExportsOutputFnGetAtt"
    for construct in (
        "Profiles", "Dogs", "Kennels", "Litters", "Messages", "MessageThreads", "Favorites",
        "Activities", "Breeds", "BreedsSimple", "VetVisits", "Veterinarians",
    ):  # fmt: skip
        assert f"{export}{construct}Table" in resources, construct
    assert resources.count("/index/*") == 11  # every table with a GSI (breeds-simple has none)


@pytest.mark.checklist("000#45", "000#52")
def test_object_read_write_on_both_buckets(result: SynthResult, stage: str) -> None:
    s3_statements = [
        s for s in _policy_statements(result, stage) if _actions(s)[0].startswith("s3:")
    ]
    actions = {a for s in s3_statements for a in _actions(s)}
    # each asked for explicitly (read, write, delete), as single actions, no wildcard
    assert {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"} <= actions
    assert not [a for a in actions if "*" in a]
    resources = json.dumps([s["Resource"] for s in s3_statements])
    for role in ("Images", "Uploads"):
        assert f"ExportsOutputFnGetAttStorage{role}Bucket" in resources
    assert "StorageAccessLogs" not in resources


@pytest.mark.checklist("000#46")
def test_read_only_cognito(result: SynthResult, stage: str) -> None:
    cognito = [
        a
        for s in _policy_statements(result, stage)
        for a in _actions(s)
        if a.startswith("cognito-idp:")
    ]
    assert "cognito-idp:DescribeUserPool" in cognito and "cognito-idp:AdminGetUser" in cognito
    assert not [
        a
        for a in cognito
        if a.split(":")[1].startswith(("AdminCreate", "AdminDelete", "AdminUpdate"))
    ]


@pytest.mark.checklist("000#47")
def test_ses_sending(result: SynthResult, stage: str) -> None:
    (ses,) = [s for s in _policy_statements(result, stage) if "ses:SendEmail" in _actions(s)]
    assert set(_actions(ses)) == {"ses:SendEmail", "ses:SendRawEmail"}
    assert ":identity/" in json.dumps(ses["Resource"])


@pytest.mark.checklist("000#48")
def test_log_writing(result: SynthResult, stage: str) -> None:
    logs = [s for s in _policy_statements(result, stage) if "logs:PutLogEvents" in _actions(s)]
    assert {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} <= set(
        _actions(logs[0])
    )


@pytest.mark.checklist("000#49")
def test_the_role_policy_fits_in_one_managed_policy(result: SynthResult, stage: str) -> None:
    """IAM counts at most 6,144 characters (whitespace aside) in a managed policy."""
    template = result.template_json(_stack(result, stage, "IAM"))
    (policy,) = find_resources(template, "AWS::IAM::ManagedPolicy").values()
    document = json.dumps(policy["Properties"]["PolicyDocument"], separators=(",", ":"))
    # every import stands for an ARN of at most 100 characters once deployed
    deployed = re.sub(r'\{"Fn::ImportValue":"[^"]+"\}', '"' + "a" * 100 + '"', document)
    assert len(deployed) < 6144


@pytest.mark.checklist("000#49")
def test_least_privilege_no_wildcard_action_or_resource(result: SynthResult, stage: str) -> None:
    for statement in _policy_statements(result, stage):
        for action in _actions(statement):
            assert action != "*" and not action.endswith(":*"), action
        resources = statement["Resource"]
        assert "*" not in ([resources] if isinstance(resources, str) else resources)


# -- I. monitoring ---------------------------------------------------------------------------


def _alarms(result: SynthResult, stage: str, family: str) -> list[Json]:
    alarms = _resources(result, stage, family, "AWS::CloudWatch::Alarm").values()
    return [a["Properties"] for a in alarms]


def _dashboard_body(result: SynthResult, stage: str, family: str) -> str:
    (dashboard,) = _resources(result, stage, family, "AWS::CloudWatch::Dashboard").values()
    return json.dumps(dashboard["Properties"]["DashboardBody"])


@pytest.mark.checklist("000#59", "000#56")
def test_dynamodb_metrics_and_a_throttling_alarm_per_table(result: SynthResult, stage: str) -> None:
    body = _dashboard_body(result, stage, "DynamoDB")
    assert "AWS/DynamoDB" in body and "ThrottleEvents" in body
    alarms = _alarms(result, stage, "DynamoDB")
    if stage == "dev":
        assert alarms == []  # the dev profile turns alarms off
        return
    assert len(alarms) == 12
    for alarm in alarms:
        metrics = json.dumps(alarm["Metrics"])
        assert "AWS/DynamoDB" in metrics and '"Name": "TableName"' in metrics
        assert alarm["Threshold"] >= 1
        assert alarm["AlarmActions"] and alarm["AlarmDescription"]


@pytest.mark.checklist("000#60")
def test_bucket_metrics_on_a_dashboard(result: SynthResult, stage: str) -> None:
    body = _dashboard_body(result, stage, "S3")
    assert "AWS/S3" in body and "BucketSizeBytes" in body


@pytest.mark.checklist("000#61")
def test_cognito_sign_in_metrics_and_throttle_alarm(result: SynthResult, stage: str) -> None:
    body = _dashboard_body(result, stage, "Cognito")
    for metric in ("SignInSuccesses", "SignUpSuccesses", "TokenRefreshSuccesses"):
        assert metric in body
    alarms = _alarms(result, stage, "Cognito")
    if stage == "dev":
        assert alarms == []
        return
    (throttles,) = alarms
    assert throttles["Namespace"] == "AWS/Cognito"
    assert throttles["MetricName"] == "SignInThrottles"
    dimensions = {d["Name"] for d in throttles["Dimensions"]}
    assert dimensions == {"UserPool", "UserPoolClient"}


@pytest.mark.checklist("000#62")
def test_access_denied_alerts_from_the_cloudtrail_log_group(
    result: SynthResult, stage: str, variant: SynthResult
) -> None:
    # Without a trail there is nothing to watch (conflict 39) ...
    assert not _resources(result, stage, "IAM", "AWS::Logs::MetricFilter")
    # ... and with one, a metric filter on access-denied errors and an alarm on it.
    (metric_filter,) = _resources(variant, "prod", "IAM", "AWS::Logs::MetricFilter").values()
    props = metric_filter["Properties"]
    assert props["LogGroupName"] == "aws-cloudtrail-logs-homeforpup"
    assert "AccessDenied" in props["FilterPattern"]
    assert "UnauthorizedOperation" in props["FilterPattern"]
    transformation = props["MetricTransformations"][0]
    (alarm,) = _alarms(variant, "prod", "IAM")
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        transformation["MetricNamespace"],
        transformation["MetricName"],
    )
    variant.template("HomeForPup-IAM-prod").has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@homeforpup.com"}
    )


# -- G/H. environment strategy and security --------------------------------------------------


@pytest.mark.checklist("000#58")
def test_no_vpc(result: SynthResult, stage: str) -> None:
    for stack in result.templates:
        result.template(stack).resource_count_is("AWS::EC2::VPC", 0)


@pytest.mark.checklist("000#54")
def test_dev_user_pool_and_tables_destroyable(synth_cache: SynthCache) -> None:
    dev = _synth(synth_cache, "dev")
    assert {t.get("DeletionPolicy") for t in _tables(dev, "dev").values()} == {"Delete"}


# -- compliance ------------------------------------------------------------------------------


def test_cdk_nag_and_data_protection_clean(result: SynthResult) -> None:
    assert [str(f) for f in result.findings] == []


def test_variant_is_clean_too(variant: SynthResult) -> None:
    assert [str(f) for f in variant.findings] == []


def test_only_the_documented_synth_warnings(result: SynthResult, stage: str) -> None:
    """CDK annotations are read from the assembly; the warnings left are documented: in
    prod-like stages, MFA is not required, with the seed's reason. The images' CDN logs to a
    bucket of its own from these region-agnostic stacks, and its default certificate is
    accepted with a reason, so neither warns."""
    warnings = [
        (path, entry["data"])
        for metadata in result.outdir.glob("*.metadata.json")
        for path, entries in json.loads(metadata.read_text()).items()
        for entry in entries
        if entry["type"] in ("aws:cdk:warning", "aws:cdk:error")
    ]
    paths = sorted(path.split("/", 2)[2] for path, _ in warnings)
    by_path = {path.split("/", 2)[2]: data for path, data in warnings}
    if stage == "dev":
        assert paths == []
        return
    assert "MFA is not required in a prod-like stage" in by_path["Auth/UserPool"]
    assert "consumer marketplace" in by_path["Auth/UserPool"]
    # no alarm_email by default: each stack's alert topic says that nobody receives it
    assert paths == ["Auth/UserPool", *["Monitoring"] * 3]
    assert "alert topic has no subscriber" in by_path["Monitoring"]


def test_stateful_resources_keep_their_logical_ids(result: SynthResult, stage: str) -> None:
    check_stateful_manifest("homeforpup", stage, result.templates)
