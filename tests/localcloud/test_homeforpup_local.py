"""HomeForPup deployed to the local cloud (moto on 127.0.0.1) and exercised with boto3.

dev and prod are deployed side by side once per module; staging is deployed, changed and
updated to prove that an update keeps stateful resources and their data.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from botocore.exceptions import ClientError

import homeforpup
from homeforpup import HomeForPupConfig
from petplatform_constructs.testing import SynthCache, SynthResult, make_app, synth
from petplatform_constructs.testing.localcloud import (
    DeployReport,
    LocalCloud,
    deploy,
    destroy,
)

pytestmark = pytest.mark.localcloud

SUFFIX = {"dev": "", "staging": "-staging", "prod": "-prod"}
TABLES = (
    "profiles", "dogs", "kennels", "litters", "messages", "message-threads", "favorites",
    "activities", "breeds", "breeds-simple", "vet-visits", "veterinarians",
)  # fmt: skip
STRONG_PASSWORD = "Str0ng!Passw0rd"


def _synth(cache: SynthCache, stage: str, config: HomeForPupConfig | None = None) -> SynthResult:
    # Same key as tests/examples/test_homeforpup.py, so a full run synthesizes each stage once.
    key = ("homeforpup", stage, repr(config))
    return cache.get(
        key, lambda: synth(make_app(), lambda app: homeforpup.build(app, stage, config))
    )


@dataclass(frozen=True)
class Deployment:
    stage: str
    report: DeployReport

    def outputs(self, family: str) -> dict[str, str]:
        return dict(self.report.outputs(f"HomeForPup-{family}{SUFFIX[self.stage]}"))

    def output(self, family: str, prefix: str) -> str:
        (value,) = [v for k, v in self.outputs(family).items() if k.startswith(prefix)]
        return value

    def table(self, name: str) -> str:
        return f"{name}{SUFFIX[self.stage]}"


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud() as started:
        yield started


@pytest.fixture(scope="module")
def deployments(synth_cache: SynthCache, cloud: LocalCloud) -> Iterator[dict[str, Deployment]]:
    results = {stage: _synth(synth_cache, stage) for stage in ("dev", "prod")}
    started = time.perf_counter()
    deployed = {stage: Deployment(stage, deploy(cloud, r)) for stage, r in results.items()}
    cloud.say(f"deployed dev + prod in {time.perf_counter() - started:.2f} s")
    yield deployed
    for result in results.values():
        destroy(cloud, result)


@pytest.fixture(scope="module")
def dev(deployments: dict[str, Deployment]) -> Deployment:
    return deployments["dev"]


@pytest.fixture(scope="module", params=("dev", "prod"))
def any_stage(request: pytest.FixtureRequest, deployments: dict[str, Deployment]) -> Deployment:
    return deployments[str(request.param)]


# ---- deployment ------------------------------------------------------------------------------


@pytest.mark.checklist("000#1", "000#2")
def test_every_stack_and_resource_is_created(deployments: dict[str, Deployment]) -> None:
    dev_report = deployments["dev"].report
    assert [s.stack_name for s in dev_report.stacks] == [
        "HomeForPup-DynamoDB", "HomeForPup-S3", "HomeForPup-Cognito", "HomeForPup-IAM",
    ]  # fmt: skip
    assert all(s.status == "CREATE_COMPLETE" for s in dev_report.stacks)
    counts = {s.stack_name: s.resources for s in dev_report.stacks}
    assert counts == {
        "HomeForPup-DynamoDB": 12, "HomeForPup-S3": 14, "HomeForPup-Cognito": 3,
        "HomeForPup-IAM": 4,
    }  # fmt: skip
    # The dev buckets' auto-delete custom resources are Node.js handlers: skipped, and reported.
    (s3,) = [s for s in dev_report.stacks if s.stack_name == "HomeForPup-S3"]
    assert len(s3.skipped) == 3
    assert not any(s.skipped for s in deployments["prod"].report.stacks)


@pytest.mark.checklist("000#4", "000#5", "000#17", "000#21")
def test_all_twelve_tables_exist_on_demand_and_encrypted(
    cloud: LocalCloud, any_stage: Deployment
) -> None:
    dynamodb = cloud.client("dynamodb")
    for name in TABLES:
        table = dynamodb.describe_table(TableName=any_stage.table(name))["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["SSEDescription"]["Status"] == "ENABLED"


# ---- DynamoDB ----------------------------------------------------------------------------------


@pytest.mark.checklist("000#6", "000#20")
def test_items_are_put_and_queried_back_through_a_gsi(cloud: LocalCloud, dev: Deployment) -> None:
    dogs = cloud.resource("dynamodb").Table(dev.table("dogs"))
    kennel = f"kennel-{uuid.uuid4().hex[:8]}"
    for i, breed in enumerate(("beagle", "poodle", "beagle")):
        dogs.put_item(Item={"dogId": f"{kennel}-dog{i}", "kennelId": kennel, "breed": breed})
    assert dogs.get_item(Key={"dogId": f"{kennel}-dog1"})["Item"]["breed"] == "poodle"
    by_kennel = dogs.query(
        IndexName="kennelId-index",
        KeyConditionExpression="kennelId = :k",
        ExpressionAttributeValues={":k": kennel},
    )["Items"]
    assert sorted(item["dogId"] for item in by_kennel) == [f"{kennel}-dog{i}" for i in range(3)]


@pytest.mark.checklist("000#9", "000#20")
def test_a_composite_gsi_orders_by_its_sort_key(cloud: LocalCloud, dev: Deployment) -> None:
    messages = cloud.resource("dynamodb").Table(dev.table("messages"))
    thread = f"thread-{uuid.uuid4().hex[:8]}"
    for stamp in ("2024-03-01", "2024-01-01", "2024-02-01"):
        messages.put_item(
            Item={"messageId": f"{thread}-{stamp}", "threadId": thread, "createdAt": stamp}
        )
    newest_first = messages.query(
        IndexName="threadId-index",
        KeyConditionExpression="threadId = :t",
        ExpressionAttributeValues={":t": thread},
        ScanIndexForward=False,
    )["Items"]
    assert [m["createdAt"] for m in newest_first] == ["2024-03-01", "2024-02-01", "2024-01-01"]


@pytest.mark.checklist("000#19")
def test_a_profile_write_is_read_from_the_profiles_stream(
    cloud: LocalCloud, dev: Deployment
) -> None:
    table = cloud.client("dynamodb").describe_table(TableName=dev.table("profiles"))["Table"]
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    user_id = f"user-{uuid.uuid4().hex[:8]}"
    profiles = cloud.resource("dynamodb").Table(dev.table("profiles"))
    profiles.put_item(Item={"userId": user_id, "email": f"{user_id}@example.com"})

    streams = cloud.client("dynamodbstreams")
    shards = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]
    records = []
    for shard in shards["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=table["LatestStreamArn"],
            ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    inserted = [
        r for r in records
        if r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["userId"]["S"] == user_id
    ]  # fmt: skip
    assert len(inserted) == 1
    assert inserted[0]["dynamodb"]["NewImage"]["email"]["S"] == f"{user_id}@example.com"


# ---- S3 ----------------------------------------------------------------------------------------


@pytest.mark.checklist("000#23", "000#25", "000#26", "000#27", "000#29")
def test_an_image_is_uploaded_and_fetched_with_the_bucket_configuration(
    cloud: LocalCloud, any_stage: Deployment
) -> None:
    s3 = cloud.client("s3")
    bucket = any_stage.output("S3", "StorageImagesBucketNameExport")
    body = b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes
    s3.put_object(Bucket=bucket, Key="dogs/rex.png", Body=body, ContentType="image/png")
    fetched = s3.get_object(Bucket=bucket, Key="dogs/rex.png")
    assert fetched["Body"].read() == body
    assert fetched["ContentType"] == "image/png"

    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    assert versioning == ("Enabled" if any_stage.stage == "prod" else None)
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["ID"] == "OptimizeImageStorage"
    assert rule["Status"] == "Enabled"
    assert rule["Transitions"] == [{"Days": 90, "StorageClass": "INTELLIGENT_TIERING"}]
    if any_stage.stage == "prod":
        assert rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    (cors,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    origin = "http://localhost:3000" if any_stage.stage == "dev" else "https://homeforpup.com"
    assert cors["AllowedOrigins"] == [origin]
    assert set(cors["AllowedMethods"]) == {"GET", "PUT", "POST", "HEAD"}
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }  # fmt: skip
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    assert '"aws:SecureTransport": "false"' in policy
    assert "cloudfront.amazonaws.com" in policy  # OAC grant for the CDN (cdn mode)


@pytest.mark.checklist("000#30")
def test_an_upload_carries_the_seven_day_expiry_rule(cloud: LocalCloud, dev: Deployment) -> None:
    s3 = cloud.client("s3")
    bucket = dev.output("S3", "StorageUploadsBucketNameExport")
    s3.put_object(Bucket=bucket, Key="tmp/upload.jpg", Body=b"jpeg")
    (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["Expiration"] == {"Days": 7}
    assert rule["Status"] == "Enabled"
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    # The rule has no filter prefix, so it covers every object, this upload included.
    assert rule.get("Filter", {}).get("Prefix", "") == ""
    assert s3.head_object(Bucket=bucket, Key="tmp/upload.jpg")["ContentLength"] == 4


# ---- Cognito -----------------------------------------------------------------------------------


def _srp_sign_in(idp: Any, client_id: str, username: str) -> dict[str, Any]:
    """USER_SRP_AUTH, the only sign-in flow the web client allows.

    moto runs the SRP exchange without checking the proof, so this proves the flow is allowed
    and the user can sign in; it cannot prove a wrong password fails."""
    challenge = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": username, "SRP_A": uuid.uuid4().hex * 8},
    )
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    params = challenge["ChallengeParameters"]
    answer = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": params["USERNAME"],
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": "c2lnbmF0dXJl",
            "TIMESTAMP": time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime()),
        },
    )
    result: dict[str, Any] = answer["AuthenticationResult"]
    return result


@pytest.mark.checklist("000#34", "000#36", "000#37", "000#40", "000#42")
def test_a_user_with_a_user_type_is_created_confirmed_and_signed_in(
    cloud: LocalCloud, dev: Deployment
) -> None:
    idp = cloud.client("cognito-idp")
    pool_id = dev.output("Cognito", "AuthUserPoolIdOutput")
    client_id = dev.output("Cognito", "AuthClientwebIdOutput")
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["AllowedOAuthFlows"] == ["code"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["UsernameAttributes"] == ["email"]
    # Self sign-up is off (AllowAdminCreateUserOnly), so users are created by the back end.
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True

    email = f"breeder-{uuid.uuid4().hex[:8]}@example.com"
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "custom:userType", "Value": "breeder"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=STRONG_PASSWORD, Permanent=True
    )
    assert idp.admin_get_user(UserPoolId=pool_id, Username=email)["UserStatus"] == "CONFIRMED"

    tokens = _srp_sign_in(idp, client_id, email)
    me = idp.get_user(AccessToken=tokens["AccessToken"])
    attributes = {a["Name"]: a["Value"] for a in me["UserAttributes"]}
    assert attributes["custom:userType"] == "breeder"
    assert attributes["email"] == email


@pytest.mark.checklist("000#38")
@pytest.mark.parametrize(
    "password",
    ["Sh0rt!", "alllowercase1!", "ALLUPPERCASE1!", "NoDigitsHere!", "NoSymbols123"],
)
def test_a_weak_password_is_rejected_by_the_pool_policy(
    cloud: LocalCloud, dev: Deployment, password: str
) -> None:
    idp = cloud.client("cognito-idp")
    pool_id = dev.output("Cognito", "AuthUserPoolIdOutput")
    email = f"weak-{uuid.uuid4().hex[:8]}@example.com"
    idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")
    with pytest.raises(ClientError) as raised:
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=email, Password=password, Permanent=True
        )
    assert raised.value.response["Error"]["Code"] == "InvalidPasswordException"


# ---- IAM ---------------------------------------------------------------------------------------


@pytest.mark.checklist("000#2", "000#43")
def test_the_app_role_allows_exactly_the_deployed_tables_and_buckets(
    cloud: LocalCloud, dev: Deployment
) -> None:
    iam = cloud.client("iam")
    role = dev.output("IAM", "AppRoleRoleName")
    documents = [
        iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
    ]
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
        version = iam.get_policy_version(
            PolicyArn=attached["PolicyArn"], VersionId=policy["DefaultVersionId"]
        )
        documents.append(version["PolicyVersion"]["Document"])
    statements = [s for d in documents for s in d["Statement"]]
    resources = {r for s in statements for r in _as_list(s["Resource"])}
    # Cross-stack references resolved to the real ARNs, not left as imports.
    table_arn = cloud.client("dynamodb").describe_table(TableName="dogs")["Table"]["TableArn"]
    images = dev.output("S3", "StorageImagesBucketNameExport")
    assert table_arn in resources
    assert f"arn:aws:s3:::{images}/*" in resources
    assert not any("Fn::ImportValue" in str(r) for r in resources)
    for statement in statements:
        actions = _as_list(statement["Action"])
        assert "*" not in actions
        assert not any(a.endswith(":*") for a in actions), actions
        assert "*" not in _as_list(statement["Resource"]), statement


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ---- update safety -----------------------------------------------------------------------------


@pytest.mark.checklist("000#22", "000#55")
def test_an_update_keeps_stateful_resources_and_their_data(
    synth_cache: SynthCache, cloud: LocalCloud
) -> None:
    first = _synth(synth_cache, "staging")
    changed_config = HomeForPupConfig(web_origin="https://beta.homeforpup.com")
    changed = synth(make_app(), lambda app: homeforpup.build(app, "staging", changed_config))
    try:
        before = deploy(cloud, first)
        staging = Deployment("staging", before)
        pool_id = staging.output("Cognito", "AuthUserPoolIdOutput")
        bucket = staging.output("S3", "StorageImagesBucketNameExport")
        table_arn = cloud.client("dynamodb").describe_table(TableName="dogs-staging")["Table"][
            "TableArn"
        ]
        cloud.resource("dynamodb").Table("dogs-staging").put_item(Item={"dogId": "kept"})
        cloud.client("s3").put_object(Bucket=bucket, Key="kept.png", Body=b"png")
        cloud.client("cognito-idp").admin_create_user(
            UserPoolId=pool_id, Username="kept@example.com", MessageAction="SUPPRESS"
        )

        after = deploy(cloud, changed)
        actions = {s.stack_name: s.action for s in after.stacks}
        assert actions["HomeForPup-S3-staging"] == "update"
        assert actions["HomeForPup-Cognito-staging"] == "update"
        assert actions["HomeForPup-DynamoDB-staging"] == "unchanged"
        assert all(s.status in ("UPDATE_COMPLETE", "CREATE_COMPLETE") for s in after.stacks)

        updated = Deployment("staging", after)
        assert updated.output("Cognito", "AuthUserPoolIdOutput") == pool_id
        assert updated.output("S3", "StorageImagesBucketNameExport") == bucket
        s3 = cloud.client("s3")
        (cors,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
        assert cors["AllowedOrigins"] == ["https://beta.homeforpup.com"]  # the change applied
        assert s3.get_object(Bucket=bucket, Key="kept.png")["Body"].read() == b"png"
        dogs = cloud.client("dynamodb").describe_table(TableName="dogs-staging")["Table"]
        assert dogs["TableArn"] == table_arn
        assert (
            cloud.resource("dynamodb").Table("dogs-staging").get_item(Key={"dogId": "kept"})["Item"]
        )
        idp = cloud.client("cognito-idp")
        assert idp.admin_get_user(UserPoolId=pool_id, Username="kept@example.com")
        client_id = updated.output("Cognito", "AuthClientwebIdOutput")
        client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        assert client["UserPoolClient"]["CallbackURLs"] == [
            "https://beta.homeforpup.com/auth/callback"
        ]
    finally:
        destroy(cloud, changed)
