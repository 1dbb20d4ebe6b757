"""examples/listbackup reproduces seed 002 (ListBackup.ai) in dev, staging and prod.

Every template-checkable item of checklist section 002 is asserted here, on one synthesis per
stage shared by the session (bundling skipped: templates are the same); deploy-time items are
declared in examples/listbackup/listbackup/checklist.py. The handlers run on the local cloud in
tests/examples/listbackup.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from listbackup.infrastructure import NAMED_TABLES, QUEUES, TABLES
from stateful_manifest import check_stateful_manifest

import listbackup
from petplatform_constructs.testing import SynthCache, SynthResult, find_resources, make_app, synth

Json = dict[str, Any]
SERVICES = (
    "infrastructure-certificates", "infrastructure-dynamodb", "infrastructure-sqs",
    "infrastructure-s3", "infrastructure-eventbridge", "infrastructure-cognito", "core",
    "api-gateway", "api-auth", "api-users", "api-accounts",
)  # fmt: skip
EXTRA = ("dr", "monitoring", "cicd")
EDGES = {  # 002#83: producer -> consumer
    ("infrastructure-certificates", "api-gateway"), ("infrastructure-dynamodb", "core"),
    ("infrastructure-sqs", "core"), ("infrastructure-s3", "core"),
    ("infrastructure-eventbridge", "core"), ("infrastructure-cognito", "api-auth"),
    ("core", "api-gateway"), ("api-gateway", "api-auth"), ("api-gateway", "api-users"),
    ("api-gateway", "api-accounts"),
}  # fmt: skip
PROPOSED_TABLES = (
    "user-accounts", "teams", "team-members", "clients", "client-accounts", "platforms",
    "platform-connections", "platform-sources", "source-groups", "files", "activity", "billing",
    "oauth-states",
)  # fmt: skip
API_FUNCTIONS = ("health", "auth", "getUsers", "accounts")
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"


@pytest.fixture(scope="session", params=listbackup.STAGES)
def stage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def result(synth_cache: SynthCache, stage: str) -> SynthResult:
    return synth_cache.get(
        ("listbackup", stage),
        lambda: synth(make_app(bundling=False), lambda app: listbackup.build(app, stage)),
    )


class Lb:
    """One stage's templates, by service."""

    def __init__(self, result: SynthResult, stage: str) -> None:
        self.result, self.stage = result, stage

    def stack(self, service: str) -> str:
        return f"listbackup-{self.stage}-{service}"

    def template(self, service: str) -> Json:
        return self.result.template_json(self.stack(service))

    def of_type(self, service: str, rtype: str) -> dict[str, Json]:
        return find_resources(self.template(service), rtype)

    def one(self, service: str, rtype: str) -> Json:
        (resource,) = self.of_type(service, rtype).values()
        props: Json = resource["Properties"]
        return props

    def functions(self) -> dict[str, Json]:
        """Our functions by name (CDK's own helper functions left out)."""
        found = {}
        for service in SERVICES:
            for f in self.of_type(service, "AWS::Lambda::Function").values():
                name = f["Properties"].get("FunctionName", "")
                if isinstance(name, str) and name.startswith("listbackup-"):
                    found[name.rsplit("-", 1)[-1]] = f["Properties"]
        return found

    def statements(self, service: str) -> Iterator[Json]:
        for rtype in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for policy in self.of_type(service, rtype).values():
                yield from policy["Properties"]["PolicyDocument"]["Statement"]

    def tables(self) -> dict[str, Json]:
        tables = self.of_type("infrastructure-dynamodb", "AWS::DynamoDB::GlobalTable")
        prefix = f"listbackup-{self.stage}-"
        return {t["Properties"]["TableName"].removeprefix(prefix): t for t in tables.values()}

    def bucket(self, name: str, service: str = "infrastructure-s3") -> Json:
        wanted = f"listbackup-{name}-{self.stage}"
        (props,) = [
            b["Properties"]
            for b in self.of_type(service, "AWS::S3::Bucket").values()
            if b["Properties"].get("BucketName") == wanted
        ]
        return props  # type: ignore[no-any-return]

    def queues(self) -> dict[str, Json]:
        queues = self.of_type("infrastructure-sqs", "AWS::SQS::Queue").values()
        return {q["Properties"]["QueueName"]: q["Properties"] for q in queues}


@pytest.fixture(scope="session")
def lb(result: SynthResult, stage: str) -> Lb:
    return Lb(result, stage)


def _actions(statement: Json) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def _text(value: object) -> str:
    return json.dumps(value)


# -- M. services, dependencies, deployment ----------------------------------------------------


@pytest.mark.checklist("002#81", "002#82", "002#84")
def test_the_eleven_services_and_three_more_stacks(lb: Lb) -> None:
    names = set(lb.result.stack_names.values())
    assert names == {lb.stack(s) for s in (*SERVICES, *EXTRA)}


@pytest.mark.checklist("002#5", "002#61")
def test_regional_stacks_in_us_west_2_edge_and_dr_in_us_east_1(lb: Lb) -> None:
    manifest = json.loads((lb.result.outdir / "manifest.json").read_text())["artifacts"]
    regions = {
        name.removeprefix(f"listbackup-{lb.stage}-"): a["environment"].rsplit("/", 1)[-1]
        for name, a in manifest.items()
        if a["type"] == "aws:cloudformation:stack"
    }
    east = {"infrastructure-certificates", "dr"}
    assert {s for s, r in regions.items() if r == "us-east-1"} == east
    assert {s for s, r in regions.items() if r == "us-west-2"} == set(SERVICES + EXTRA) - east


@pytest.mark.checklist("002#83")
def test_dependencies_are_exactly_the_seeds_ten_edges(lb: Lb) -> None:
    manifest = json.loads((lb.result.outdir / "manifest.json").read_text())["artifacts"]
    prefix = f"listbackup-{lb.stage}-"
    edges = {
        (dep.removeprefix(prefix), name.removeprefix(prefix))
        for name, artifact in manifest.items()
        if artifact["type"] == "aws:cloudformation:stack"
        for dep in artifact.get("dependencies", [])
        if dep in manifest and manifest[dep]["type"] == "aws:cloudformation:stack"
    }
    assert {e for e in edges if set(e) <= set(SERVICES)} == EDGES
    # The extra stacks: replicas exist before replication, monitoring watches, CI/CD stands apart.
    extra = {e for e in edges if not set(e) <= set(SERVICES)}
    assert extra == {("dr", "infrastructure-s3")} | {
        (s, "monitoring") for s in SERVICES if s not in ("infrastructure-certificates", "core")
    } | {("core", "monitoring")}


@pytest.mark.checklist("002#83", "002#87")
def test_named_exports_and_outputs_for_ci(lb: Lb) -> None:
    exports = {
        o["Export"]["Name"]
        for s in SERVICES
        for o in lb.template(s).get("Outputs", {}).values()
        if "Export" in o and isinstance(o["Export"]["Name"], str)
    }
    named = {f"{t.title()}Table{a}" for t in NAMED_TABLES for a in ("Arn", "Name")} | {
        "DataBucketName", "DataBucketArn", "AssetsBucketName", "ExportsBucketName",
        "SyncQueueUrl", "SyncQueueArn", "EventBusName", "EventBusArn", "UserPoolId",
        "UserPoolArn", "UserPoolClientId", "ApiKeysSecretArn", "HttpApiId", "HttpApiUrl",
        "ApiDomainName",
    }  # fmt: skip
    assert {f"listbackup-{lb.stage}-{n}" for n in named} <= exports
    for service in (*SERVICES, *EXTRA):
        assert lb.template(service).get("Outputs"), service


@pytest.mark.checklist("002#85")
def test_each_stage_is_isolated(lb: Lb) -> None:
    others = {"dev", "staging", "prod"} - {lb.stage}
    for service in (*SERVICES, *EXTRA):
        text = _text(lb.template(service))
        assert f"listbackup-{lb.stage}" in text or service == "cicd"
        for other in others:
            assert f"listbackup-{other}-" not in text and f"-{other}.fifo" not in text


@pytest.mark.checklist("002#86")
def test_github_actions_assume_a_deploy_role_through_oidc(lb: Lb) -> None:
    providers = lb.of_type("cicd", "AWS::IAM::OIDCProvider")
    if lb.stage == "dev":  # one provider per account: dev creates it, the others trust it
        (provider,) = providers.values()
        assert provider["Properties"]["Url"] == "https://token.actions.githubusercontent.com"
        assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]
    else:
        assert providers == {}
    role = lb.one("cicd", "AWS::IAM::Role")
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    conditions = trust["Condition"]
    assert conditions["StringEquals"]["token.actions.githubusercontent.com:aud"] == (
        "sts.amazonaws.com"
    )
    subject = "repo:listbackup/listbackup.ai:" + (
        "environment:prod" if lb.stage == "prod" else "ref:refs/heads/main"
    )
    assert subject in _text(conditions)
    (assume,) = [s for s in lb.statements("cicd") if "sts:AssumeRole" in _actions(s)]
    assert all(":role/cdk-" in _text(r) for r in assume["Resource"])
    assert "*" not in [assume["Resource"]]


# -- A. global infrastructure -----------------------------------------------------------------


def _api_distribution(lb: Lb) -> Json:
    config: Json = lb.one("api-gateway", "AWS::CloudFront::Distribution")["DistributionConfig"]
    return config


def _api_domain(stage: str) -> str:
    return "api.listbackup.ai" if stage == "prod" else f"{stage}.api.listbackup.ai"


@pytest.mark.checklist("002#1")
def test_route53_alias_records_to_cloudfront_in_the_imported_zone(lb: Lb) -> None:
    records = lb.of_type("api-gateway", "AWS::Route53::RecordSet").values()
    assert sorted(r["Properties"]["Type"] for r in records) == ["A", "AAAA"]
    for record in records:
        assert record["Properties"]["Name"] == f"{_api_domain(lb.stage)}."
        assert "CdnDistribution" in _text(record["Properties"]["AliasTarget"]["DNSName"])
    for service in (*SERVICES, *EXTRA):
        assert lb.of_type(service, "AWS::Route53::HostedZone") == {}


@pytest.mark.checklist("002#2")
def test_cloudfront_in_front_of_the_http_api(lb: Lb) -> None:
    config = _api_distribution(lb)
    (origin,) = config["Origins"]
    assert "Fn::Select" in origin["DomainName"] and "ApiEndpoint" in _text(origin["DomainName"])
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert config["Aliases"] == [_api_domain(lb.stage)]


@pytest.mark.checklist("002#3", "002#52")
def test_acm_certificates_edge_in_us_east_1_origin_in_us_west_2(lb: Lb) -> None:
    edge = lb.one("infrastructure-certificates", "AWS::CertificateManager::Certificate")
    assert (edge["DomainName"], edge["ValidationMethod"]) == (_api_domain(lb.stage), "DNS")
    origin = lb.one("api-gateway", "AWS::CertificateManager::Certificate")
    assert origin["DomainName"] == f"origin-{_api_domain(lb.stage)}"
    viewer = _api_distribution(lb)["ViewerCertificate"]
    assert viewer["SslSupportMethod"] == "sni-only"
    assert viewer["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert "/cdk/exports/" in _text(viewer["AcmCertificateArn"])  # from us-east-1


@pytest.mark.checklist("002#4", "002#26")
def test_assets_bucket_private_behind_cloudfront_with_oac(lb: Lb) -> None:
    distribution = lb.one("infrastructure-s3", "AWS::CloudFront::Distribution")
    (origin,) = distribution["DistributionConfig"]["Origins"]
    assert "S3OriginConfig" in origin and "OriginAccessControlId" in origin
    assets = lb.bucket("assets")
    assert set(assets["PublicAccessBlockConfiguration"].values()) == {True}
    policies = lb.of_type("infrastructure-s3", "AWS::S3::BucketPolicy").values()
    cloudfront = [
        s
        for p in policies
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    (read,) = cloudfront
    assert read["Action"] == "s3:GetObject" and "AWS:SourceArn" in _text(read["Condition"])


# -- B. regional compute ----------------------------------------------------------------------


@pytest.mark.checklist("002#6")
def test_one_http_api_and_no_rest_api(lb: Lb) -> None:
    assert lb.one("api-gateway", "AWS::ApiGatewayV2::Api")["ProtocolType"] == "HTTP"
    for service in SERVICES:
        assert lb.of_type(service, "AWS::ApiGateway::RestApi") == {}
        if service != "api-gateway":
            assert lb.of_type(service, "AWS::ApiGatewayV2::Api") == {}


@pytest.mark.checklist("002#7", "002#11", "002#9", "002#8")
def test_go_and_node_functions_on_arm64_with_1_gb(lb: Lb) -> None:
    functions = lb.functions()
    assert set(functions) == {*API_FUNCTIONS, "syncProcessor"}
    go = functions["syncProcessor"]
    assert (go["Runtime"], go["Handler"]) == ("provided.al2023", "bootstrap")
    for name in API_FUNCTIONS:
        assert functions[name]["Runtime"] == "nodejs22.x"
        assert functions[name]["FunctionName"] == f"listbackup-api-{lb.stage}-{name}"
    assert go["FunctionName"] == f"listbackup-core-{lb.stage}-syncProcessor"
    assert all(f["Architectures"] == ["arm64"] for f in functions.values())
    assert all(f["MemorySize"] == 1024 for f in functions.values())


@pytest.mark.checklist("002#10")
def test_processing_functions_run_5_minutes_api_functions_29_seconds(lb: Lb) -> None:
    functions = lb.functions()
    assert functions["syncProcessor"]["Timeout"] == 300
    assert all(functions[name]["Timeout"] == 29 for name in API_FUNCTIONS)


@pytest.mark.checklist("002#12", "002#14")
def test_live_aliases_and_provisioned_concurrency_in_prod_only(lb: Lb) -> None:
    aliases = {}
    for service in ("api-gateway", "api-auth", "api-users", "api-accounts"):
        assert len(lb.of_type(service, "AWS::Lambda::Version")) == 1
        (alias,) = lb.of_type(service, "AWS::Lambda::Alias").values()
        assert alias["Properties"]["Name"] == "live"
        (integration,) = lb.of_type(service, "AWS::ApiGatewayV2::Integration").values()
        assert "Alias" in _text(integration["Properties"]["IntegrationUri"])
        aliases[service] = alias["Properties"].get("ProvisionedConcurrencyConfig")
    warm = {"ProvisionedConcurrentExecutions": 2} if lb.stage == "prod" else None
    assert aliases == {
        "api-gateway": None, "api-auth": warm, "api-users": warm, "api-accounts": None
    }  # fmt: skip


# -- C. DynamoDB ------------------------------------------------------------------------------


@pytest.mark.checklist("002#15", "002#16", "002#17")
def test_seventeen_tables_named_per_stage(lb: Lb) -> None:
    tables = lb.tables()
    assert len(tables) == len(TABLES) == 17
    assert set(tables) == {*NAMED_TABLES, *PROPOSED_TABLES}
    assert lb.tables()["users"]["Properties"]["TableName"] == f"listbackup-{lb.stage}-users"


@pytest.mark.checklist("002#18")
def test_single_table_design_where_it_fits(lb: Lb) -> None:
    activity = lb.tables()["activity"]["Properties"]
    assert activity["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]


@pytest.mark.checklist("002#19")
def test_indexes_with_appropriate_projections(lb: Lb) -> None:
    projections = {
        (name, index["IndexName"]): index["Projection"]
        for name, table in lb.tables().items()
        for index in table["Properties"].get("GlobalSecondaryIndexes", [])
    }
    assert projections[("users", "email-index")] == {"ProjectionType": "KEYS_ONLY"}
    assert projections[("accounts", "ownerUserId-index")] == {"ProjectionType": "ALL"}
    assert projections[("sources", "accountId-index")] == {"ProjectionType": "ALL"}
    assert projections[("jobs", "sourceId-index")] == {
        "ProjectionType": "INCLUDE", "NonKeyAttributes": ["status", "createdAt"]
    }  # fmt: skip


@pytest.mark.checklist("002#20", "002#77")
def test_on_demand_by_default_autoscaled_where_predictable(lb: Lb) -> None:
    tables = lb.tables()
    for name, table in tables.items():
        billing = table["Properties"]["BillingMode"]
        assert billing == ("PROVISIONED" if name == "platforms" else "PAY_PER_REQUEST"), name
    write = tables["platforms"]["Properties"]["WriteProvisionedThroughputSettings"]
    scaling = write["WriteCapacityAutoScalingSettings"]
    assert (scaling["MinCapacity"], scaling["MaxCapacity"]) == (1, 10)
    assert scaling["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70
    (replica,) = tables["platforms"]["Properties"]["Replicas"]
    assert "ReadCapacityAutoScalingSettings" in _text(replica)


@pytest.mark.checklist("002#21", "002#63")
def test_point_in_time_recovery_on_every_table_in_every_stage(lb: Lb) -> None:
    for table in lb.tables().values():
        (replica,) = table["Properties"]["Replicas"]
        assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


@pytest.mark.checklist("002#22", "002#53")
def test_tables_encrypted_with_the_rotated_customer_key(lb: Lb) -> None:
    (key_id,) = lb.of_type("infrastructure-dynamodb", "AWS::KMS::Key")
    assert lb.one("infrastructure-dynamodb", "AWS::KMS::Key")["EnableKeyRotation"] is True
    for table in lb.tables().values():
        assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS"}
        (replica,) = table["Properties"]["Replicas"]
        assert key_id in _text(replica["SSESpecification"]["KMSMasterKeyId"])


# -- D. S3 ------------------------------------------------------------------------------------


@pytest.mark.checklist("002#23", "002#28")
def test_three_buckets_by_concern_named_resource_then_stage(lb: Lb) -> None:
    names = {
        b["Properties"].get("BucketName")
        for b in lb.of_type("infrastructure-s3", "AWS::S3::Bucket").values()
    }
    expected = {f"listbackup-{n}-{lb.stage}" for n in ("data", "assets", "exports", "access-logs")}
    assert names == expected | {None}  # None: CloudFront's standard-logging bucket (ACLs on)


@pytest.mark.checklist("002#25", "002#29", "002#30")
def test_data_and_assets_versioned_every_bucket_sse_s3_and_private(lb: Lb) -> None:
    for name in ("data", "assets", "exports", "access-logs"):
        bucket = lb.bucket(name)
        (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
        assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    for name in ("data", "assets"):
        assert lb.bucket(name)["VersioningConfiguration"] == {"Status": "Enabled"}


@pytest.mark.checklist("002#27")
def test_exports_expire_after_seven_days(lb: Lb) -> None:
    (rule,) = lb.bucket("exports")["LifecycleConfiguration"]["Rules"]
    assert (rule["ExpirationInDays"], rule["Status"]) == (7, "Enabled")


@pytest.mark.checklist("002#31", "002#32")
def test_data_lifecycle_intelligent_tiering_and_old_versions(lb: Lb) -> None:
    (rule,) = lb.bucket("data")["LifecycleConfiguration"]["Rules"]
    assert rule["Transitions"] == [{"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


@pytest.mark.checklist("002#52")
def test_every_bucket_refuses_requests_without_tls(lb: Lb) -> None:
    for service in ("infrastructure-s3", "dr"):
        for policy in lb.of_type(service, "AWS::S3::BucketPolicy").values():
            statements = policy["Properties"]["PolicyDocument"]["Statement"]
            assert any(
                s["Effect"] == "Deny"
                and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                for s in statements
            )


# -- E. SQS -----------------------------------------------------------------------------------


@pytest.mark.checklist("002#24", "002#34", "002#35", "002#36")
def test_six_fifo_queues_and_six_fifo_dead_letter_queues(lb: Lb) -> None:
    queues = lb.queues()
    names = {f"listbackup-{q}-queue{dlq}-{lb.stage}.fifo" for q in QUEUES for dlq in ("", "-dlq")}
    assert set(queues) == names and len(queues) == 12
    for name, queue in queues.items():
        assert queue["FifoQueue"] is True
        assert queue["ContentBasedDeduplication"] is True
        if "-dlq-" not in name:
            redrive = queue["RedrivePolicy"]
            assert redrive["maxReceiveCount"] == 3
            assert "DeadLetterQueue" in _text(redrive["deadLetterTargetArn"])
    assert f"listbackup-sync-queue-{lb.stage}.fifo" in queues


@pytest.mark.checklist("002#37", "002#38", "002#40", "002#53")
def test_long_polling_14_day_retention_and_kms(lb: Lb) -> None:
    (key_id,) = lb.of_type("infrastructure-sqs", "AWS::KMS::Key")
    assert lb.one("infrastructure-sqs", "AWS::KMS::Key")["EnableKeyRotation"] is True
    for queue in lb.queues().values():
        assert queue["ReceiveMessageWaitTimeSeconds"] == 20
        assert queue["MessageRetentionPeriod"] == 1209600
        assert key_id in _text(queue["KmsMasterKeyId"])


@pytest.mark.checklist("002#39", "002#76", "002#10")
def test_the_sync_queue_feeds_its_consumer_in_core(lb: Lb) -> None:
    mapping = lb.one("core", "AWS::Lambda::EventSourceMapping")
    assert "SyncQueue" in _text(mapping["EventSourceArn"])
    assert mapping["BatchSize"] <= 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 10}
    sync = lb.queues()[f"listbackup-sync-queue-{lb.stage}.fifo"]
    assert sync["VisibilityTimeout"] == 1800  # 6 x the consumer's 300 s


# -- F. EventBridge ---------------------------------------------------------------------------


@pytest.mark.checklist("002#41", "002#42", "002#43", "002#44")
def test_bus_archive_and_schema_discovery(lb: Lb) -> None:
    bus = lb.one("infrastructure-eventbridge", "AWS::Events::EventBus")
    assert bus["Name"] == f"listbackup-{lb.stage}"
    archive = lb.one("infrastructure-eventbridge", "AWS::Events::Archive")
    assert "Bus" in _text(archive["SourceArn"])
    assert archive["RetentionDays"] == (365 if lb.stage == "prod" else 7)
    discoverer = lb.one("infrastructure-eventbridge", "AWS::EventSchemas::Discoverer")
    assert "Bus" in _text(discoverer["SourceArn"])


@pytest.mark.checklist("002#42")
def test_completed_jobs_are_routed_on_to_analytics(lb: Lb) -> None:
    (rule,) = [
        r["Properties"]
        for r in lb.of_type("core", "AWS::Events::Rule").values()
        if "EventBusName" in r["Properties"]
    ]
    assert rule["EventPattern"] == {"source": ["listbackup.sync"], "detail-type": ["Job Completed"]}
    (target,) = rule["Targets"]
    assert "AnalyticsQueue" in _text(target["Arn"])
    assert target["SqsParameters"] == {"MessageGroupId": "jobs"}
    assert "DeadLetterConfig" in target


# -- G. security ------------------------------------------------------------------------------


@pytest.mark.checklist("002#45", "002#51")
def test_user_pool_clients_groups_and_exports(lb: Lb) -> None:
    service = "infrastructure-cognito"
    assert len(lb.of_type(service, "AWS::Cognito::UserPool")) == 1
    clients = [
        c["Properties"] for c in lb.of_type(service, "AWS::Cognito::UserPoolClient").values()
    ]
    assert len(clients) == 2
    assert any("ALLOW_ADMIN_USER_PASSWORD_AUTH" in c["ExplicitAuthFlows"] for c in clients)
    groups = lb.of_type(service, "AWS::Cognito::UserPoolGroup").values()
    assert {g["Properties"]["GroupName"] for g in groups} == {"admin", "user"}
    # The hosted UI's prefix domain, unique per stage (conflict 45: custom domain optional).
    assert (
        lb.one(service, "AWS::Cognito::UserPoolDomain")["Domain"] == f"listbackup-{lb.stage}-auth"
    )


@pytest.mark.checklist("002#46", "002#53", "002#92")
def test_api_keys_secret_with_the_core_key(lb: Lb) -> None:
    secret = lb.one("core", "AWS::SecretsManager::Secret")
    assert secret["Name"] == f"listbackup/{lb.stage}/api-keys"
    (key_id,) = [
        k for k, v in lb.of_type("core", "AWS::KMS::Key").items()
        if v["Properties"]["Description"] == "ListBackup secrets"
    ]  # fmt: skip
    assert secret["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    key = lb.of_type("core", "AWS::KMS::Key")[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    (read,) = [s for s in lb.statements("core") if "secretsmanager:GetSecretValue" in _actions(s)]
    (secret_id,) = lb.of_type("core", "AWS::SecretsManager::Secret")
    assert read["Resource"] == {"Ref": secret_id}


@pytest.mark.checklist("002#47")
def test_one_role_per_function_and_no_wildcard_resource_for_data(lb: Lb) -> None:
    for service in SERVICES:
        functions = [
            f["Properties"]
            for f in lb.of_type(service, "AWS::Lambda::Function").values()
            if str(f["Properties"].get("FunctionName", "")).startswith("listbackup-")
        ]
        roles = [_text(f["Role"]) for f in functions]
        assert len(set(roles)) == len(roles)
        for statement in lb.statements(service):
            services = {a.split(":")[0] for a in _actions(statement)}
            if services & {"dynamodb", "s3", "sqs"}:
                assert statement["Resource"] != "*", statement


@pytest.mark.checklist("002#48")
def test_cloudfront_waf_with_managed_rules_and_a_rate_rule(lb: Lb) -> None:
    acl = lb.one("infrastructure-certificates", "AWS::WAFv2::WebACL")
    assert acl["Scope"] == "CLOUDFRONT"
    rules = _text(acl["Rules"])
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                  "AWSManagedRulesAmazonIpReputationList"):  # fmt: skip
        assert group in rules
    assert "RateBasedStatement" in rules
    assert "/cdk/exports/" in _text(_api_distribution(lb)["WebACLId"])


@pytest.mark.checklist("002#49")
def test_security_headers_on_every_response(lb: Lb) -> None:
    config = _api_distribution(lb)
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ResponseHeadersPolicyId"] == SECURITY_HEADERS for b in behaviors)


@pytest.mark.checklist("002#51")
def test_jwt_authorizer_of_the_user_pool_on_every_private_route(lb: Lb) -> None:
    authorizer = lb.one("api-gateway", "AWS::ApiGatewayV2::Authorizer")
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    issuer = _text(authorizer["JwtConfiguration"]["Issuer"])
    assert "https://cognito-idp.us-west-2.amazonaws.com/" in issuer
    assert f"listbackup-{lb.stage}-UserPoolId" in issuer
    public = {"GET /health", "GET /public/status", "POST /auth/register", "POST /auth/login",
              "POST /auth/refresh"}  # fmt: skip
    for service in ("api-gateway", "api-auth", "api-users", "api-accounts"):
        for route in lb.of_type(service, "AWS::ApiGatewayV2::Route").values():
            props = route["Properties"]
            expected = "NONE" if props["RouteKey"] in public else "JWT"
            assert props.get("AuthorizationType", "NONE") == expected, props["RouteKey"]
            if expected == "JWT":
                assert "Authorizer" in _text(props["AuthorizerId"])


# -- H. API Gateway ---------------------------------------------------------------------------


@pytest.mark.checklist("002#54", "002#52")
def test_regional_custom_domain_per_stage_behind_the_cloudfront_alias(lb: Lb) -> None:
    domain = lb.one("api-gateway", "AWS::ApiGatewayV2::DomainName")
    assert domain["DomainName"] == f"origin-{_api_domain(lb.stage)}"
    (configuration,) = domain["DomainNameConfigurations"]
    assert configuration["EndpointType"] == "REGIONAL"
    assert configuration["SecurityPolicy"] == "TLS_1_2"
    assert "OriginCertificate" in _text(configuration["CertificateArn"])
    assert len(lb.of_type("api-gateway", "AWS::ApiGatewayV2::ApiMapping")) == 1


@pytest.mark.checklist("002#56", "002#60")
def test_stage_throttling_and_json_access_logs(lb: Lb) -> None:
    stage = lb.one("api-gateway", "AWS::ApiGatewayV2::Stage")
    rate, burst = (1000, 2000) if lb.stage == "prod" else (100, 200)
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == rate
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == burst
    logs = stage["AccessLogSettings"]
    assert "AccessLogs" in _text(logs["DestinationArn"])
    assert json.loads(logs["Format"])["requestId"] == "$context.requestId"


@pytest.mark.checklist("002#57")
def test_cors_for_the_web_app(lb: Lb) -> None:
    cors = lb.one("api-gateway", "AWS::ApiGatewayV2::Api")["CorsConfiguration"]
    origin = (
        "https://app.listbackup.ai"
        if lb.stage == "prod"
        else (f"https://{lb.stage}.app.listbackup.ai")
    )
    assert cors["AllowOrigins"] == [origin]
    assert cors["AllowMethods"] == ["DELETE", "GET", "POST", "PUT"]
    assert {"Authorization", "Content-Type"} <= set(cors["AllowHeaders"])
    assert cors["MaxAge"] == 3600


@pytest.mark.checklist("002#58")
def test_public_paths_cached_at_the_edge_the_rest_never(lb: Lb) -> None:
    config = _api_distribution(lb)
    assert config["DefaultCacheBehavior"]["CachePolicyId"] == CACHING_DISABLED
    (public,) = config["CacheBehaviors"]
    assert public["PathPattern"] == "/public/*"
    policy = lb.one("api-gateway", "AWS::CloudFront::CachePolicy")["CachePolicyConfig"]
    assert policy["DefaultTTL"] > 0
    assert "CachePolicy" in _text(public["CachePolicyId"])


@pytest.mark.checklist("002#59")
def test_routes_of_auth_users_and_accounts_are_lambda_proxies(lb: Lb) -> None:
    routes = {
        service: {
            r["Properties"]["RouteKey"]
            for r in lb.of_type(f"api-{service}", "AWS::ApiGatewayV2::Route").values()
        }
        for service in ("auth", "users", "accounts")
    }
    assert routes["auth"] == {"POST /auth/login", "POST /auth/register", "POST /auth/refresh"}
    assert routes["users"] == {"GET /users", "GET /users/me", "PUT /users/me"}
    assert {"GET /accounts", "POST /accounts", "GET /accounts/{accountId}"} <= routes["accounts"]
    for service in ("api-gateway", "api-auth", "api-users", "api-accounts"):
        integration = lb.one(service, "AWS::ApiGatewayV2::Integration")
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert integration["PayloadFormatVersion"] == "2.0"
    users = lb.one("api-users", "AWS::ApiGatewayV2::Integration")
    assert "FunctiongetUsers" in _text(users["IntegrationUri"])


# -- I. disaster recovery ---------------------------------------------------------------------


@pytest.mark.checklist("002#61", "002#62", "002#29")
def test_data_bucket_replicates_to_a_versioned_bucket_in_us_east_1(lb: Lb) -> None:
    (replica,) = [
        b["Properties"]
        for b in lb.of_type("dr", "AWS::S3::Bucket").values()
        if "data-replica" in _text(b["Properties"].get("BucketName"))
    ]
    assert replica["VersioningConfiguration"] == {"Status": "Enabled"}
    replication = lb.bucket("data")["ReplicationConfiguration"]
    (rule,) = replication["Rules"]
    assert rule["Status"] == "Enabled"
    replica_name = f"listbackup-data-replica-0-{lb.stage}-123456789012-us-east-1"
    assert replica["BucketName"] == replica_name  # unique: named with account and region
    assert f":s3:::{replica_name}" in _text(rule["Destination"]["Bucket"])
    roles = lb.of_type("infrastructure-s3", "AWS::IAM::Role").values()
    assert any("s3.amazonaws.com" in _text(r["Properties"]["AssumeRolePolicyDocument"])
               for r in roles)  # fmt: skip
    actions = {a for s in lb.statements("infrastructure-s3") for a in _actions(s)}
    assert {"s3:ReplicateObject", "s3:ReplicateDelete", "s3:GetReplicationConfiguration"} <= actions


@pytest.mark.checklist("002#65")
def test_rpo_and_rto_are_stated(lb: Lb) -> None:
    outputs = lb.template("infrastructure-s3")["Outputs"]
    values = {k[:-8]: o["Value"] for k, o in outputs.items() if k.startswith(("DrRpo", "DrRto"))}
    assert sorted(values.values()) == sorted(["24 hours", "1 hour"]) or len(values) == 2


@pytest.mark.checklist("002#66", "002#67")
def test_daily_backups_kept_30_days_and_copied_to_us_east_1(lb: Lb) -> None:
    plan = lb.one("infrastructure-s3", "AWS::Backup::BackupPlan")["BackupPlan"]
    (rule,) = plan["BackupPlanRule"]
    assert rule["ScheduleExpression"] == "cron(0 5 * * ? *)"
    assert rule["Lifecycle"]["DeleteAfterDays"] == 30
    (copy,) = rule["CopyActions"]
    assert "us-east-1" in _text(copy["DestinationBackupVaultArn"])
    selections = lb.of_type("infrastructure-s3", "AWS::Backup::BackupSelection").values()
    text = _text([s["Properties"] for s in selections])
    assert "DataBucket" in text and '"backup"' in text and '"daily"' in text
    tags = lb.tables()["users"]["Properties"]["Replicas"][0]["Tags"]
    assert {"Key": "backup", "Value": "daily"} in tags  # the 17 tables are selected by tag
    assert len(lb.of_type("dr", "AWS::Backup::BackupVault")) == 1


# -- J. monitoring ----------------------------------------------------------------------------


@pytest.mark.checklist("002#68")
def test_one_log_group_with_retention_per_function(lb: Lb) -> None:
    for name, function in lb.functions().items():
        service = next(
            s for s in SERVICES
            if any(f["Properties"] == function
                   for f in lb.of_type(s, "AWS::Lambda::Function").values())
        )  # fmt: skip
        groups = lb.of_type(service, "AWS::Logs::LogGroup").values()
        assert any(
            g["Properties"].get("LogGroupName") == f"/aws/lambda/{function['FunctionName']}"
            and g["Properties"]["RetentionInDays"] > 0
            for g in groups
        ), name


@pytest.mark.checklist("002#69", "002#70", "002#71")
def test_dashboard_with_dynamodb_and_application_metrics(lb: Lb) -> None:
    dashboard = lb.one("monitoring", "AWS::CloudWatch::Dashboard")
    assert dashboard["DashboardName"] == f"listbackup-{lb.stage}"
    body = _text(dashboard["DashboardBody"])
    assert "AWS/DynamoDB" in body and "ThrottledRequests" in body
    assert f"ListBackup/{lb.stage}" in body and "JobsCompleted" in body


@pytest.mark.checklist("002#72", "002#73", "002#74", "002#75", "002#79", "002#36")
def test_alarms_to_sns_with_email_slack_and_pagerduty(lb: Lb) -> None:
    topic = lb.one("monitoring", "AWS::SNS::Topic")
    assert topic["TopicName"] == f"listbackup-{lb.stage}-alerts"
    subscriptions = [
        s["Properties"] for s in lb.of_type("monitoring", "AWS::SNS::Subscription").values()
    ]
    protocols = {s["Protocol"]: s["Endpoint"] for s in subscriptions}
    assert protocols["email"] == "oncall@listbackup.ai"
    slack = lb.of_type("monitoring", "AWS::Chatbot::SlackChannelConfiguration")
    alarms = [a["Properties"] for a in lb.of_type("monitoring", "AWS::CloudWatch::Alarm").values()]
    if lb.stage == "dev":  # alarms and on-call channels from staging up
        assert alarms == [] and slack == {} and "https" not in protocols
        return
    assert protocols["https"].startswith("https://events.pagerduty.com/integration/")
    (channel,) = slack.values()
    assert channel["Properties"]["SnsTopicArns"] == [{"Ref": next(iter(
        lb.of_type("monitoring", "AWS::SNS::Topic")))}]  # fmt: skip
    topic_id = next(iter(lb.of_type("monitoring", "AWS::SNS::Topic")))
    assert all(a["AlarmActions"] == [{"Ref": topic_id}] for a in alarms)
    by_metric = {(a.get("Namespace"), a.get("MetricName"), a.get("Threshold")) for a in alarms}
    assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", 1000) in by_metric
    assert ("AWS/Lambda", "ConcurrentExecutions", 800) in by_metric
    dlq_alarms = [a for a in alarms if "DeadLetterQueue" in _text(a.get("Dimensions", []))]
    assert len(dlq_alarms) == 7  # the 6 queues' and the event rule's
    assert all(a["MetricName"] == "ApproximateNumberOfMessagesVisible" for a in dlq_alarms)


# -- N. data flows (grants) -------------------------------------------------------------------


def _grants(lb: Lb, service: str) -> list[tuple[set[str], str]]:
    return [(set(_actions(s)), _text(s["Resource"])) for s in lb.statements(service)]


@pytest.mark.checklist("002#88")
def test_functions_read_and_write_users_and_accounts(lb: Lb) -> None:
    for service, table in (("api-users", "Users"), ("api-accounts", "Accounts"),
                           ("api-auth", "Users")):  # fmt: skip
        assert any(
            {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"} <= actions
            and f"listbackup-{lb.stage}-{table}TableArn" in resource
            for actions, resource in _grants(lb, service)
        ), service


@pytest.mark.checklist("002#89")
def test_the_sync_processor_puts_backups_in_the_data_bucket(lb: Lb) -> None:
    assert any(
        actions == {"s3:PutObject"} and "DataBucket" in resource and "/backups/*" in resource
        for actions, resource in _grants(lb, "core")
    )


@pytest.mark.checklist("002#90", "002#39")
def test_the_accounts_service_sends_to_the_sync_queue(lb: Lb) -> None:
    assert any(
        "sqs:SendMessage" in actions and f"listbackup-{lb.stage}-SyncQueueArn" in resource
        for actions, resource in _grants(lb, "api-accounts")
    )


@pytest.mark.checklist("002#91", "002#45")
def test_the_auth_service_signs_users_in_through_cognito(lb: Lb) -> None:
    (cognito,) = [(a, r) for a, r in _grants(lb, "api-auth") if any("cognito-idp" in x for x in a)]
    assert "cognito-idp:AdminInitiateAuth" in cognito[0]
    assert ("cognito-idp:AdminConfirmSignUp" in cognito[0]) == (lb.stage == "dev")
    assert "UserPool" in cognito[1]


@pytest.mark.checklist("002#93", "002#41")
def test_the_sync_processor_puts_events_on_the_bus(lb: Lb) -> None:
    assert any(
        actions == {"events:PutEvents"} and "Bus" in resource
        for actions, resource in _grants(lb, "core")
    )


# -- compliance -------------------------------------------------------------------------------


def test_cdk_nag_aws_solutions_clean(result: SynthResult) -> None:
    assert result.error is None
    assert [str(f) for f in result.findings] == []


def test_stateful_resources_keep_their_logical_ids(result: SynthResult, stage: str) -> None:
    check_stateful_manifest("listbackup", stage, result.templates)
