"""Smoke checks for a deployed HomeForPup stage, usable from pytest and from ``make demo``.

Each check takes the local cloud, the stage and the :class:`DeployReport` of that stage, exercises
the deployed resources with boto3, and raises ``AssertionError`` with a message saying what is
wrong. ``CHECKS`` lists them with the seed checklist items they cover. Needs the ``local`` extra::

    with LocalCloud() as cloud:
        report = deploy(cloud, synth(make_app(), lambda app: homeforpup.build(app, "dev")))
        for check in CHECKS:
            check.run(cloud, "dev", report)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from petplatform_constructs import StageProfile
from petplatform_localcloud import DeployReport, LocalCloud
from petplatform_localcloud.cognito import srp_sign_in

from .config import HomeForPupConfig

__all__ = ["CHECKS", "STRONG_PASSWORD", "TABLES", "WEAK_PASSWORDS", "Check", "Deployment"]

SUFFIX = {"dev": "", "staging": "-staging", "prod": "-prod"}
TABLES = (
    "profiles", "dogs", "kennels", "litters", "messages", "message-threads", "favorites",
    "activities", "breeds", "breeds-simple", "vet-visits", "veterinarians",
)  # fmt: skip
STRONG_PASSWORD = "Str0ng!Passw0rd"
# One per rule of the pool's policy: length 8, lower, upper, digit, symbol.
WEAK_PASSWORDS = ("Sh0rt!", "alllowercase1!", "ALLUPPERCASE1!", "NoDigitsHere!", "NoSymbols123")


class Deployment:
    """What a check reads from one deployed stage: outputs by stack family, physical names."""

    def __init__(self, stage: str, report: DeployReport) -> None:
        self.stage = stage
        self.report = report

    def stack_name(self, family: str) -> str:
        return f"HomeForPup-{family}{SUFFIX[self.stage]}"

    def output(self, family: str, prefix: str) -> str:
        outputs = self.report.outputs(self.stack_name(family))
        found = [v for k, v in outputs.items() if k.startswith(prefix)]
        assert len(found) == 1, (
            f"{self.stack_name(family)}: expected one output starting with {prefix!r}, "
            f"found {sorted(outputs)}"
        )
        return found[0]

    def table(self, name: str) -> str:
        return f"{name}{SUFFIX[self.stage]}"


CheckFunction = Callable[[LocalCloud, str, DeployReport], None]


class Check(NamedTuple):
    """A smoke check: its name, the checklist items it covers, and the function to run."""

    name: str
    items: tuple[str, ...]
    run: CheckFunction


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# ---- DynamoDB ----------------------------------------------------------------------------------


def tables_are_on_demand_and_encrypted(cloud: LocalCloud, stage: str, report: DeployReport) -> None:
    """All twelve tables exist, ACTIVE, on-demand, encrypted at rest."""
    dynamodb = cloud.client("dynamodb")
    deployment = Deployment(stage, report)
    for name in TABLES:
        table = dynamodb.describe_table(TableName=deployment.table(name))["Table"]
        assert table["TableStatus"] == "ACTIVE", f"{table['TableName']}: {table['TableStatus']}"
        billing = table.get("BillingModeSummary", {}).get("BillingMode")
        assert billing == "PAY_PER_REQUEST", f"{table['TableName']}: billing mode {billing}"
        sse = table.get("SSEDescription", {}).get("Status")
        assert sse == "ENABLED", f"{table['TableName']}: server-side encryption {sse}"


def items_are_queried_back_through_a_gsi(
    cloud: LocalCloud, stage: str, report: DeployReport
) -> None:
    """Dogs put into the table come back by key and through the kennelId GSI."""
    dogs = cloud.resource("dynamodb").Table(Deployment(stage, report).table("dogs"))
    kennel = _unique("kennel")
    for i, breed in enumerate(("beagle", "poodle", "beagle")):
        dogs.put_item(Item={"dogId": f"{kennel}-dog{i}", "kennelId": kennel, "breed": breed})
    item = dogs.get_item(Key={"dogId": f"{kennel}-dog1"}).get("Item")
    assert item and item["breed"] == "poodle", f"get_item by key returned {item}"
    by_kennel = dogs.query(
        IndexName="kennelId-index",
        KeyConditionExpression="kennelId = :k",
        ExpressionAttributeValues={":k": kennel},
    )["Items"]
    found = sorted(str(item["dogId"]) for item in by_kennel)
    expected = [f"{kennel}-dog{i}" for i in range(3)]
    assert found == expected, f"kennelId-index returned {found}, expected {expected}"


def a_composite_gsi_orders_by_its_sort_key(
    cloud: LocalCloud, stage: str, report: DeployReport
) -> None:
    """Messages of a thread come back newest first through threadId-index (sort key createdAt)."""
    messages = cloud.resource("dynamodb").Table(Deployment(stage, report).table("messages"))
    thread = _unique("thread")
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
    order = [m["createdAt"] for m in newest_first]
    assert order == ["2024-03-01", "2024-02-01", "2024-01-01"], f"threadId-index order: {order}"


def a_profile_write_is_read_from_the_stream(
    cloud: LocalCloud, stage: str, report: DeployReport
) -> None:
    """A profile put into the table is read back from its NEW_AND_OLD_IMAGES stream."""
    name = Deployment(stage, report).table("profiles")
    table = cloud.client("dynamodb").describe_table(TableName=name)["Table"]
    view = table.get("StreamSpecification", {}).get("StreamViewType")
    assert view == "NEW_AND_OLD_IMAGES", f"{name}: stream view type {view}"
    user_id = _unique("user")
    cloud.resource("dynamodb").Table(name).put_item(
        Item={"userId": user_id, "email": f"{user_id}@example.com"}
    )
    streams = cloud.client("dynamodbstreams")
    arn = table["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    inserted = [
        r for r in records
        if r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["userId"]["S"] == user_id
    ]  # fmt: skip
    assert len(inserted) == 1, f"{name}: {len(inserted)} INSERT records for {user_id} in stream"
    email = inserted[0]["dynamodb"]["NewImage"]["email"]["S"]
    assert email == f"{user_id}@example.com", f"stream record carries email {email}"


# ---- S3 ----------------------------------------------------------------------------------------


def an_image_is_uploaded_and_fetched(cloud: LocalCloud, stage: str, report: DeployReport) -> None:
    """An image round-trips; versioning, lifecycle, CORS, public-access block and policy read
    back as configured for the stage."""
    s3 = cloud.client("s3")
    bucket = Deployment(stage, report).output("S3", "StorageImagesBucketNameOutput")
    versioned = StageProfile.for_stage(stage).bucket_versioning
    body = b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes
    s3.put_object(Bucket=bucket, Key="dogs/rex.png", Body=body, ContentType="image/png")
    fetched = s3.get_object(Bucket=bucket, Key="dogs/rex.png")
    assert fetched["Body"].read() == body, f"{bucket}: fetched body differs from uploaded"
    assert fetched["ContentType"] == "image/png", f"content type {fetched['ContentType']}"

    versioning = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    expected_versioning = "Enabled" if versioned else None
    assert versioning == expected_versioning, f"{bucket}: versioning {versioning}"
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert len(rules) == 1, f"{bucket}: lifecycle rules {rules}"
    rule = rules[0]
    assert (rule["ID"], rule["Status"]) == ("OptimizeImageStorage", "Enabled"), rule
    tiering = [{"Days": 90, "StorageClass": "INTELLIGENT_TIERING"}]
    assert rule.get("Transitions") == tiering, f"{bucket}: transitions {rule.get('Transitions')}"
    if versioned:
        noncurrent = rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")
        assert noncurrent == 30, f"{bucket}: noncurrent versions expire after {noncurrent} days"
    cors = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    origin = HomeForPupConfig.for_stage(stage).web_origin
    assert [c["AllowedOrigins"] for c in cors] == [[origin]], f"{bucket}: CORS {cors}"
    methods = set(cors[0]["AllowedMethods"])
    assert methods == {"GET", "PUT", "POST", "HEAD"}, f"{bucket}: CORS methods {methods}"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4, f"{bucket}: public access block {block}"
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    assert '"aws:SecureTransport": "false"' in policy, f"{bucket}: policy lacks the TLS deny"
    assert "cloudfront.amazonaws.com" in policy, f"{bucket}: policy lacks the CDN (OAC) grant"


def an_upload_carries_the_seven_day_expiry(
    cloud: LocalCloud, stage: str, report: DeployReport
) -> None:
    """An object in the upload bucket falls under a prefix-less 7-day expiry rule."""
    s3 = cloud.client("s3")
    bucket = Deployment(stage, report).output("S3", "StorageUploadsBucketNameOutput")
    s3.put_object(Bucket=bucket, Key="tmp/upload.jpg", Body=b"jpeg")
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert len(rules) == 1, f"{bucket}: lifecycle rules {rules}"
    rule = rules[0]
    assert rule.get("Expiration") == {"Days": 7}, f"{bucket}: expiration {rule.get('Expiration')}"
    assert rule["Status"] == "Enabled", f"{bucket}: rule {rule['Status']}"
    abort = rule.get("AbortIncompleteMultipartUpload")
    assert abort == {"DaysAfterInitiation": 1}, f"{bucket}: abort multipart {abort}"
    # No filter prefix: the rule covers every object, this upload included.
    prefix = rule.get("Filter", {}).get("Prefix", "")
    assert prefix == "", f"{bucket}: the rule only covers {prefix!r}"
    assert s3.head_object(Bucket=bucket, Key="tmp/upload.jpg")["ContentLength"] == 4


# ---- Cognito -----------------------------------------------------------------------------------


def a_user_signs_up_is_confirmed_and_signs_in(
    cloud: LocalCloud, stage: str, report: DeployReport
) -> None:
    """Self sign-up, confirmation, SRP sign-in; the backend sets ``custom:userType``, the token's
    user carries it, and the user's own token cannot change it (the app client may not write
    it), while it can change the user's profile."""
    idp = cloud.client("cognito-idp")
    deployment = Deployment(stage, report)
    pool_id = deployment.output("Cognito", "AuthUserPoolIdOutput")
    client_id = deployment.output("Cognito", "AuthUserPoolClientIdwebOutput")
    client = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]
    flows = set(client.get("ExplicitAuthFlows", []))
    assert flows == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}, f"auth flows {flows}"
    assert client.get("AllowedOAuthFlows") == ["code"], f"OAuth {client.get('AllowedOAuthFlows')}"
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool.get("UsernameAttributes") == ["email"], f"{pool.get('UsernameAttributes')}"
    admin_only = pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"]
    assert admin_only is False, "self sign-up is off (AllowAdminCreateUserOnly)"

    email = f"{_unique('breeder')}@example.com"
    signed_up = idp.sign_up(ClientId=client_id, Username=email, Password=STRONG_PASSWORD)
    assert signed_up["UserConfirmed"] is False, "a new user is confirmed before verification"
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
    status = idp.admin_get_user(UserPoolId=pool_id, Username=email)["UserStatus"]
    assert status == "CONFIRMED", f"user status after confirmation: {status}"
    # userType drives authorization: the backend writes it, with the admin API
    idp.admin_update_user_attributes(
        UserPoolId=pool_id,
        Username=email,
        UserAttributes=[{"Name": "custom:userType", "Value": "breeder"}],
    )

    tokens = srp_sign_in(idp, client_id, email)

    def attributes() -> dict[str, str]:
        me = idp.get_user(AccessToken=tokens["AccessToken"])
        return {a["Name"]: a["Value"] for a in me["UserAttributes"]}

    mine = attributes()
    assert mine.get("custom:userType") == "breeder", f"user attributes {mine}"
    assert mine.get("email") == email, f"user attributes {mine}"
    assert mine.get("sub") == signed_up["UserSub"], "the token's user is not the new user"
    # the user may change their profile with their own token, but not promote themselves
    profile = [{"Name": "given_name", "Value": "Ada"}]
    idp.update_user_attributes(AccessToken=tokens["AccessToken"], UserAttributes=profile)
    try:
        idp.update_user_attributes(
            AccessToken=tokens["AccessToken"],
            UserAttributes=[{"Name": "custom:userType", "Value": "admin"}],
        )
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        assert code == "NotAuthorizedException", f"userType change refused with {code}"
    else:
        raise AssertionError("a user token changed its own custom:userType")
    mine = attributes()
    assert mine.get("custom:userType") == "breeder", f"user attributes {mine}"
    assert mine.get("given_name") == "Ada", f"user attributes {mine}"


def a_weak_password_is_rejected(cloud: LocalCloud, stage: str, report: DeployReport) -> None:
    """Sign-up with a password breaking each rule of the policy fails with
    InvalidPasswordException."""
    idp = cloud.client("cognito-idp")
    client_id = Deployment(stage, report).output("Cognito", "AuthUserPoolClientIdwebOutput")
    for password in WEAK_PASSWORDS:
        try:
            idp.sign_up(
                ClientId=client_id,
                Username=f"{_unique('weak')}@example.com",
                Password=password,
            )
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            assert code == "InvalidPasswordException", f"{password!r} rejected with {code}"
        else:
            raise AssertionError(f"sign-up accepted the weak password {password!r}")


# ---- IAM ---------------------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def the_app_role_allows_the_tables_and_buckets_only(
    cloud: LocalCloud, stage: str, report: DeployReport
) -> None:
    """The role's policies name every deployed table and the image objects by their real ARNs
    (imports resolved), with no wildcard action and no ``*`` resource."""
    iam = cloud.client("iam")
    deployment = Deployment(stage, report)
    role = deployment.output("IAM", "AppRoleRoleName")
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
    statements = [s for d in documents for s in _as_list(d["Statement"])]
    assert statements, f"role {role} has no policy statements"
    resources = {str(r) for s in statements for r in _as_list(s["Resource"])}
    dynamodb = cloud.client("dynamodb")
    for name in TABLES:
        arn = dynamodb.describe_table(TableName=deployment.table(name))["Table"]["TableArn"]
        assert arn in resources, f"role {role} does not grant the table {arn}"
    images = deployment.output("S3", "StorageImagesBucketNameOutput")
    assert f"arn:aws:s3:::{images}/*" in resources, f"role {role} does not grant {images}/*"
    unresolved = [r for r in resources if "ImportValue" in r or "${" in r]
    assert not unresolved, f"role {role}: unresolved references {unresolved}"
    for statement in statements:
        actions = [str(a) for a in _as_list(statement["Action"])]
        broad = [a for a in actions if a == "*" or a.endswith(":*")]
        assert not broad, f"role {role}: wildcard actions {broad}"
        assert "*" not in _as_list(statement["Resource"]), f"role {role}: '*' in {statement}"


CHECKS: list[Check] = [
    Check("tables", ("000#4", "000#5", "000#17", "000#21"), tables_are_on_demand_and_encrypted),
    Check("gsi-query", ("000#6", "000#20"), items_are_queried_back_through_a_gsi),
    Check("gsi-sort-order", ("000#9", "000#20"), a_composite_gsi_orders_by_its_sort_key),
    Check("profiles-stream", ("000#19",), a_profile_write_is_read_from_the_stream),
    Check(
        "image-roundtrip",
        ("000#23", "000#25", "000#26", "000#27", "000#29"),
        an_image_is_uploaded_and_fetched,
    ),
    Check("upload-expiry", ("000#30",), an_upload_carries_the_seven_day_expiry),
    Check(
        "sign-up-and-in",
        ("000#34", "000#36", "000#37", "000#40", "000#42"),
        a_user_signs_up_is_confirmed_and_signs_in,
    ),
    Check("weak-password", ("000#38",), a_weak_password_is_rejected),
    Check("app-role", ("000#2", "000#43"), the_app_role_allows_the_tables_and_buckets_only),
]
