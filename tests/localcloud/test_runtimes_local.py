"""Go (``provided.al2023``, arm64 in the template) and Node.js 22 functions really run locally.

One app, deployed once for the module: a REST API (payload 1.0) and an HTTP API (payload 2.0,
JWT authorizer on a Cognito pool) with Go and Node.js routes, a FIFO pipeline whose consumer is
the same Go program, and an EventBus rule targeting the Node.js function. The
app is synthesized with ``GO_BUILD_CONTEXT``, so the Go ``bootstrap`` is built for this machine
while the template keeps ``arm64``. The Go program speaks the Lambda Runtime API with
``net/http``: this is the suite's only module that builds a ``net/http`` program (a cold build
compiles the standard library once per machine, about 20 s; cached afterwards).
"""

from __future__ import annotations

import base64
import json
import os
import platform
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

from petplatform_constructs import (
    ApiKind,
    EventBus,
    FifoPipeline,
    FunctionSpec,
    FunctionTarget,
    Naming,
    RouteSpec,
    RuleSpec,
    ServerlessApi,
    configure_platform,
)
from petplatform_constructs.testing import SynthResult, find_resources, make_app, synth
from petplatform_localcloud import (
    GO_BUILD_CONTEXT,
    DeployReport,
    FunctionError,
    LambdaRuntimeError,
    LocalCloud,
    LocalFunction,
    LocalRestApi,
    deployed,
    lambda_processes,
)
from petplatform_localcloud.apigateway.http_api import LocalHttpApi
from petplatform_localcloud.event_sources import LocalEventSources

pytestmark = pytest.mark.localcloud

ACCOUNT = "123456789012"
REGION = "us-west-2"  # not the cloud's default region: every local server takes a region
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtimes"
GO_API = FIXTURES / "go" / "cmd" / "api"
NODE = FIXTURES / "node"
QUEUE = "rt-jobs-dev.fifo"
DLQ = "rt-jobs-dlq-dev.fifo"
TABLE = "rt-items-dev"
HOST = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine().lower()]


def _go(name: str, **kwargs: Any) -> FunctionSpec:
    return FunctionSpec(
        name=name,
        code_path=GO_API,
        runtime=lambda_.Runtime.PROVIDED_AL2023,
        architecture=lambda_.Architecture.ARM_64,
        **kwargs,
    )


def _build(app: Any) -> None:
    naming = Naming.templated("rt-{resource}-{stage}", stage="dev")
    configure_platform(app, project="rt", stage="dev", naming=naming)
    stack = Stack(app, "Runtimes", env=Environment(account=ACCOUNT, region=REGION))
    table = dynamodb.TableV2(
        stack,
        "Items",
        table_name=TABLE,
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
    )
    api = ServerlessApi(
        stack,
        "Api",
        name="api",
        functions=[
            _go("go-api", tables={"TABLE_NAME": table}),
            FunctionSpec(
                "node-api", NODE, runtime=lambda_.Runtime.NODEJS_22_X, tables={"TABLE_NAME": table}
            ),
        ],
        routes=[
            RouteSpec("GET", "/go", "go-api", authorization="none"),
            RouteSpec("POST", "/go", "go-api", authorization="none"),
            RouteSpec("GET", "/node", "node-api", authorization="none"),
            RouteSpec("POST", "/node", "node-api", authorization="none"),
        ],
    )
    pool = cognito.UserPool(stack, "Users", user_pool_name="rt-users")
    client = pool.add_client("Web", auth_flows=cognito.AuthFlow(user_password=True))
    ServerlessApi(
        stack,
        "Http",
        name="http",
        kind=ApiKind.HTTP,
        user_pool=pool,
        jwt_audience=[client.user_pool_client_id],
        cors_origins=["https://app.example.com"],
        functions=[
            _go("go-http"),
            FunctionSpec("node-http", NODE, runtime=lambda_.Runtime.NODEJS_22_X),
        ],
        routes=[
            RouteSpec("GET", "/items/{id}", "go-http"),
            RouteSpec("GET", "/public", "node-http", authorization="none"),
            RouteSpec("POST", "/public", "node-http", authorization="none"),
        ],
    )
    FifoPipeline(
        stack,
        "Jobs",
        name="jobs",
        consumer=_go("go-consumer", timeout=Duration.seconds(10)),
        max_receive_count=2,
    )
    EventBus(
        stack,
        "Events",
        name="events",
        rules=[
            RuleSpec("audit", {"source": ["rt.test"]}, [FunctionTarget(api.functions["node-api"])])
        ],
    )


@pytest.fixture(scope="module")
def result() -> SynthResult:
    return synth(make_app(context=GO_BUILD_CONTEXT), _build)


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(account_id=ACCOUNT, log=None) as started:
        yield started


@pytest.fixture(scope="module")
def report(cloud: LocalCloud, result: SynthResult) -> Iterator[DeployReport]:
    with deployed(cloud, result) as deployed_report:
        yield deployed_report


@pytest.fixture(scope="module")
def api(cloud: LocalCloud, report: DeployReport, result: SynthResult) -> Iterator[LocalRestApi]:
    with LocalRestApi(cloud, result, stack="Runtimes", region=REGION) as served:
        yield served


@pytest.fixture(scope="module")
def http(cloud: LocalCloud, report: DeployReport, result: SynthResult) -> Iterator[LocalHttpApi]:
    with LocalHttpApi(cloud, result, stack="Runtimes", region=REGION) as served:
        yield served


@pytest.fixture(scope="module")
def id_token(cloud: LocalCloud, report: DeployReport) -> str:
    idp = cloud.client("cognito-idp", region=REGION)
    (pool,) = [
        p for p in idp.list_user_pools(MaxResults=10)["UserPools"] if p["Name"] == "rt-users"
    ]
    (client,) = idp.list_user_pool_clients(UserPoolId=pool["Id"])["UserPoolClients"]
    user, password = "ada@example.com", "Str0ng!Passw0rd-local"
    idp.sign_up(ClientId=client["ClientId"], Username=user, Password=password)
    idp.admin_confirm_sign_up(UserPoolId=pool["Id"], Username=user)
    tokens = idp.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user, "PASSWORD": password},
    )["AuthenticationResult"]
    return str(tokens["IdToken"])


@pytest.fixture(scope="module")
def sources(cloud: LocalCloud, report: DeployReport, result: SynthResult) -> Iterator[Any]:
    with LocalEventSources(cloud, result, region=REGION) as started:
        yield started


def _call(
    api: LocalRestApi | LocalHttpApi,
    method: str,
    path: str,
    body: str | None = None,
    token: str | None = None,
) -> tuple[int, Any]:
    data = body.encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = Request(f"{api.url}{path}", data=data, method=method, headers=headers)
    try:
        with urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _function(api: LocalRestApi | LocalHttpApi, name: str) -> LocalFunction:
    return next(f for f in api.functions.values() if f.name == name)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# -- the template keeps arm64 ------------------------------------------------------------------


def test_template_declares_arm64_while_the_bootstrap_is_built_for_this_machine(
    result: SynthResult,
) -> None:
    functions = find_resources(result.template_json("Runtimes"), "AWS::Lambda::Function")
    go = [f for f in functions.values() if f["Properties"]["Runtime"] == "provided.al2023"]
    assert len(go) == 3
    assert all(f["Properties"]["Architectures"] == ["arm64"] for f in go)
    asset = Path(str(result.outdir)) / f"asset.{go[0]['Properties']['Code']['S3Key'][:-4]}"
    machine = int.from_bytes((asset / "bootstrap").read_bytes()[18:20], "little")
    assert machine == {"amd64": 0x3E, "arm64": 0xB7}[HOST]


# -- API Gateway routes ------------------------------------------------------------------------


def test_go_route_runs_the_bootstrap_with_the_function_environment(
    cloud: LocalCloud, api: LocalRestApi
) -> None:
    status, body = _call(api, "GET", "/go")
    assert status == 200, body
    assert body["runtime"] == "go"
    assert body["goarch"] == HOST
    assert body["resource"] == "/go"  # a REST (payload 1.0) proxy event
    function = _function(api, "rt-go-api-dev")
    assert body["functionArn"] == function.arn
    assert body["traceId"].startswith("Root=1-")
    assert int(body["deadlineMs"]) > time.time() * 1000
    assert body["env"] == {
        "AWS_LAMBDA_FUNCTION_NAME": "rt-go-api-dev",
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": cloud.endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "LAMBDA_TASK_ROOT": str(function.code_dir),
        "_HANDLER": "bootstrap",
        "TABLE_NAME": TABLE,  # resolved by the deployed stack
    }


def test_go_process_stays_warm_between_invocations(api: LocalRestApi) -> None:
    first = _call(api, "GET", "/go")[1]
    second = _call(api, "GET", "/go")[1]
    assert second["pid"] == first["pid"]
    assert second["invocations"] == first["invocations"] + 1
    assert second["requestId"] != first["requestId"]
    assert _function(api, "rt-go-api-dev").processes.started == 1


def test_go_handler_error_is_a_502_and_keeps_the_process(api: LocalRestApi) -> None:
    pid = _call(api, "GET", "/go")[1]["pid"]
    status, body = _call(api, "POST", "/go", "please fail")
    assert (status, body) == (502, {"message": "Internal server error"})
    invocation = api.invocations[-1]
    assert invocation.status == 502
    assert invocation.error is not None and "go handler failed on purpose" in invocation.error
    assert _call(api, "GET", "/go")[1]["pid"] == pid


def test_node_route_calls_the_handler_module(cloud: LocalCloud, api: LocalRestApi) -> None:
    status, body = _call(api, "GET", "/node")
    assert status == 200, body
    assert body["runtime"] == "nodejs"
    assert body["resource"] == "/node"
    assert body["functionName"] == "rt-node-api-dev"
    assert body["functionArn"] == _function(api, "rt-node-api-dev").arn
    assert 0 < body["remainingMs"] <= 30_000
    env = body["env"]
    assert env["AWS_ENDPOINT_URL"] == cloud.endpoint_url
    assert env["TABLE_NAME"] == TABLE
    assert env["_HANDLER"] == "index.handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_nodejs22.x"
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=1-")


def test_node_handler_error_is_a_502(api: LocalRestApi) -> None:
    status, _ = _call(api, "POST", "/node", "fail now")
    assert status == 502
    error = api.invocations[-1].error
    assert error is not None and "TypeError: node handler failed on purpose" in error


def test_http_api_gives_go_a_payload_2_event_with_verified_claims(
    http: LocalHttpApi, id_token: str
) -> None:
    assert _call(http, "GET", "/items/i-1")[0] == 401  # no token
    assert _call(http, "GET", "/items/i-1", token=id_token[:-4] + "AAAA")[0] == 401  # forged
    status, body = _call(http, "GET", "/items/i-1?x=1", token=id_token)
    assert status == 200, body
    assert (body["runtime"], body["goarch"], body["version"]) == ("go", HOST, "2.0")
    assert (body["routeKey"], body["rawPath"]) == ("GET /items/{id}", "/items/i-1")
    assert body["path"] == {"id": "i-1"}
    claims = json.loads(base64.urlsafe_b64decode(id_token.split(".")[1] + "==").decode())
    assert body["sub"] == claims["sub"]


def test_http_api_node_route_and_its_error(http: LocalHttpApi) -> None:
    status, body = _call(http, "GET", "/public")
    assert status == 200, body
    assert (body["runtime"], body["version"], body["routeKey"]) == ("nodejs", "2.0", "GET /public")
    assert _call(http, "POST", "/public", "fail") == (500, {"message": "Internal Server Error"})
    assert _call(http, "GET", "/nowhere") == (404, {"message": "Not Found"})


def test_http_api_answers_cors_as_the_gateway_does(http: LocalHttpApi) -> None:
    preflight = Request(
        f"{http.url}/items/i-1",
        method="OPTIONS",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"},
    )
    with urlopen(preflight, timeout=30) as answer:
        assert answer.status == 204
        assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert "GET" in answer.headers["Access-Control-Allow-Methods"]
        assert "authorization" in answer.headers["Access-Control-Allow-Headers"].lower()
    simple = Request(f"{http.url}/public", headers={"Origin": "https://app.example.com"})
    with urlopen(simple, timeout=30) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    other = Request(f"{http.url}/public", headers={"Origin": "https://evil.example"})
    with urlopen(other, timeout=30) as answer:
        assert answer.headers["Access-Control-Allow-Origin"] is None


# -- SQS and EventBridge -----------------------------------------------------------------------


def test_go_consumer_reports_batch_item_failures(cloud: LocalCloud, sources: Any) -> None:
    sqs = cloud.client("sqs", region=REGION)
    url = sqs.get_queue_url(QueueName=QUEUE)["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=DLQ)["QueueUrl"]
    for group, body in (("a", "job ok-1"), ("b", "job poison-1")):
        sqs.send_message(
            QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=body
        )
    consumer = sources.functions["rt-go-consumer-dev"]
    assert any("job ok-1" in line for line in consumer.processes.output)
    dead = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    assert [m["Body"] for m in dead.get("Messages", [])] == ["job poison-1"]
    left = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert left["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_eventbridge_rule_invokes_the_node_function(cloud: LocalCloud, sources: Any) -> None:
    cloud.client("events", region=REGION).put_events(
        Entries=[
            {
                "EventBusName": "rt-events-dev",
                "Source": "rt.test",
                "DetailType": "Job Completed",
                "Detail": json.dumps({"job": "j-1"}),
            }
        ]
    )
    node = sources.functions["rt-node-api-dev"]
    assert 'event rt.test Job Completed {"job":"j-1"}' in node.processes.output


def test_lambda_invoke_runs_go_and_node_functions(cloud: LocalCloud, sources: Any) -> None:
    lam = cloud.client("lambda", region=REGION)
    records = {"Records": [{"messageId": "m-1", "body": "poison pill"}]}
    answer = lam.invoke(FunctionName="rt-go-consumer-dev", Payload=json.dumps(records))
    assert "FunctionError" not in answer
    assert json.loads(answer["Payload"].read()) == {
        "batchItemFailures": [{"itemIdentifier": "m-1"}]
    }
    failed = lam.invoke(FunctionName="rt-node-http-dev", Payload=json.dumps({"body": "fail"}))
    assert failed["FunctionError"] == "Unhandled"
    error = json.loads(failed["Payload"].read())
    assert (error["errorType"], error["errorMessage"]) == (
        "TypeError",
        "node handler failed on purpose",
    )


# -- failures and cleanup ------------------------------------------------------------------------


def test_processes_stop_with_their_owner(
    cloud: LocalCloud, report: DeployReport, result: SynthResult
) -> None:
    with LocalEventSources(cloud, result, region=REGION) as own:
        consumer = own.functions["rt-go-consumer-dev"]
        assert consumer.invoke({"Records": []}) == {"batchItemFailures": []}
        pids = consumer.processes.pids
        assert len(pids) == 1 and _alive(pids[0])
    assert not _alive(pids[0])
    assert consumer.processes.pids == []


def _node_function(tmp_path: Path, source: str, timeout: float = 5.0) -> LocalFunction:
    (tmp_path / "index.mjs").write_text(source)
    return LocalFunction(
        name="direct",
        arn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:direct",
        handler="index.handler",
        code_dir=tmp_path,
        environment={},
        endpoint_url="http://127.0.0.1:9",
        region="us-east-1",
        runtime="nodejs22.x",
        timeout_seconds=timeout,
    )


def test_node_timeout_stops_the_sandbox(tmp_path: Path) -> None:
    function = _node_function(
        tmp_path,
        "export const handler = async (e) => new Promise((r) => setTimeout(() => r(e), e.ms));",
        timeout=1.0,
    )
    try:
        assert function.invoke({"ms": 1}) == {"ms": 1}
        (pid,) = function.processes.pids
        with pytest.raises(FunctionError, match=r"Task timed out after 1\.00 seconds"):
            function.invoke({"ms": 5000})
        assert not _alive(pid)
        assert function.invoke({"ms": 1}) == {"ms": 1}  # a new sandbox
        assert function.processes.started == 2
    finally:
        function.close()


def test_callback_style_and_init_errors(tmp_path: Path) -> None:
    function = _node_function(
        tmp_path, "exports.handler = (event, context, cb) => cb(null, { cb: event.n + 1 });"
    )
    (tmp_path / "index.mjs").rename(tmp_path / "index.cjs")
    try:
        assert function.invoke({"n": 1}) == {"cb": 2}
    finally:
        function.close()
    (tmp_path / "broken").mkdir()
    broken = _node_function(tmp_path / "broken", "export const other = 1;")
    try:
        with pytest.raises(FunctionError, match=r"Runtime\.HandlerNotFound"):
            broken.invoke({})
    finally:
        broken.close()


def test_a_bootstrap_for_another_architecture_is_refused(tmp_path: Path) -> None:
    other = {"amd64": 0xB7, "arm64": 0x3E}[HOST]
    header = b"\x7fELF" + bytes(14) + other.to_bytes(2, "little")
    (tmp_path / "bootstrap").write_bytes(header + bytes(64))
    with pytest.raises(lambda_processes.SandboxError, match="petplatform:go-build-architecture"):
        lambda_processes.command_for("fn", "provided.al2023", tmp_path)
    (tmp_path / "bootstrap").unlink()
    (tmp_path / "main.go").write_text("package main\n")
    function = LocalFunction(
        name="unbuilt",
        arn="arn",
        handler="bootstrap",
        code_dir=tmp_path,
        environment={},
        endpoint_url="http://127.0.0.1:9",
        region="us-east-1",
        runtime="provided.al2023",
    )
    with pytest.raises(LambdaRuntimeError, match="bundling skipped"):
        function.invoke({})


def test_stop_all_stops_every_function_process(api: LocalRestApi, tmp_path: Path) -> None:
    """What LocalCloud.close() calls first: every Go and Node.js process of this Python process
    (last in the module, as it stops the module's warm processes too)."""
    function = _node_function(tmp_path, "export const handler = async () => ({ ok: true });")
    assert function.invoke({}) == {"ok": True}
    go_pid = _call(api, "GET", "/go")[1]["pid"]
    pids = [*function.processes.pids, go_pid]
    assert all(_alive(pid) for pid in pids)
    lambda_processes.stop_all()
    assert not any(_alive(pid) for pid in pids)
