"""ServerlessApi refuses bad input at synth time: every problem at once, each naming its prop.

One input mistake gives one problem; several mistakes give one ``PropErrors`` listing all of
them; wrong Python types (in props and in the specs' fields) are refused before anything else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Duration, Environment, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_

from petplatform_constructs import Naming, PropError, Stage, use_naming, use_stage_profile
from petplatform_constructs.compute.serverless_api import (
    ApiKind,
    FunctionSpec,
    RouteSpec,
    ServerlessApi,
    TableAccess,
    WafRules,
)
from petplatform_constructs.compute.serverless_api.waf import MIN_RATE_LIMIT
from petplatform_constructs.core.errors import PropErrors
from petplatform_constructs.testing import make_app

CODE = Path(__file__).parent / "fixtures" / "lambda_echo"
POOL_ID = "us-east-1_DogCare1"
SHARED_ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/11111111-2222-3333"
DOG = {"title": "Dog", "type": "object", "properties": {"name": {"type": "string"}}}
ECHO = FunctionSpec("echo", CODE)
GET_ECHO = RouteSpec("GET", "/echo", "echo")
HTTP: dict[str, Any] = {"kind": ApiKind.HTTP, "jwt_audience": ["c"]}
TABLE = dynamodb.TableV2.from_table_name(Stack(make_app(), "Tables"), "Dogs", "dogs")


def _stack() -> Stack:
    stack = Stack(make_app(), "Bad", env=Environment(account="123456789012", region="us-east-1"))
    use_stage_profile(stack, Stage.DEV)
    use_naming(stack, Naming.service_stage_resource("pettest", Stage.DEV))
    return stack


def _pool(stack: Stack) -> cognito.IUserPool:
    return cognito.UserPool.from_user_pool_id(stack, "Pool", POOL_ID)


def _build(props: dict[str, Any], stack: Stack | None = None) -> ServerlessApi:
    """A ServerlessApi with one echo function and route, a user pool, and ``props`` on top."""
    stack = stack or _stack()
    kwargs: dict[str, Any] = {"functions": [ECHO], "routes": [GET_ECHO], **props}
    if kwargs.get("user_pool", "pool") == "pool":
        kwargs["user_pool"] = _pool(stack)
    return ServerlessApi(stack, "Api", **kwargs)


def _problems(props: dict[str, Any]) -> list[PropError]:
    with pytest.raises(PropError) as raised:
        _build(props)
    error = raised.value
    assert error.owner == "ServerlessApi Bad/Api"
    return list(error.errors) if isinstance(error, PropErrors) else [error]


BAD_INPUT = [
    pytest.param(
        {"routes": [GET_ECHO, RouteSpec("get", "/echo", "echo")]},
        r"invalid routes='GET /echo'; duplicate route",
        id="duplicate route",
    ),
    pytest.param(
        {"routes": [RouteSpec("GET", "/dogs/{id}/photo$", "echo")]},
        r"routes\[GET /dogs/\{id\}/photo\$\]\.path='/dogs/\{id\}/photo\$'",
        id="invalid path characters",
    ),
    pytest.param(
        {"routes": [RouteSpec("GET", "dogs", "echo")]},
        r"path='dogs'; a path starting with '/'",
        id="path without leading slash",
    ),
    pytest.param(
        {"routes": [RouteSpec("GET", "/dogs", "echo", request_model=DOG)]},
        r"request_model='Dog'; GET requests have no body",
        id="request model on GET",
    ),
    pytest.param(
        {"routes": [GET_ECHO, RouteSpec("DELETE", "/dogs/{id}", "echo", request_model=DOG)]},
        r"request_model='Dog'; DELETE requests have no body",
        id="request model on DELETE",
    ),
    pytest.param(
        {"routes": [GET_ECHO, RouteSpec("GET", "/dogs", "dogs")]},
        r"function='dogs'; the name of one of the API's functions: \['echo'\]",
        id="unknown function",
    ),
    pytest.param(
        {"integration_timeout": Duration.seconds(35)},
        r"integration_timeout='35 s'; 50 ms to 29 s: the REST API integration timeout quota",
        id="REST integration timeout over 29 s",
    ),
    pytest.param(
        {
            "kind": ApiKind.HTTP,
            "jwt_audience": ["c"],
            "functions": [FunctionSpec("echo", CODE, timeout=Duration.minutes(5))],
        },
        r"functions\[echo\]\.timeout='300 s'; at most 30 s, the HTTP API integration timeout "
        r"hard limit",
        id="HTTP function timeout over 30 s",
    ),
    pytest.param(
        {"waf": WafRules(ip_rate_limit=5)},
        rf"waf\.ip_rate_limit=5; AWS WAF rate-based rules take {MIN_RATE_LIMIT} to",
        id="WAF rate limit below the minimum",
    ),
    pytest.param(
        {"waf": WafRules(evaluation_window_seconds=30)},
        r"waf\.evaluation_window_seconds=30; one of \[60, 120, 300, 600\]",
        id="WAF window not allowed",
    ),
    pytest.param(
        {"kind": ApiKind.HTTP, "jwt_audience": ["c"], "waf": WafRules()},
        r"invalid waf=.*HTTP APIs cannot be associated with a WAF web ACL:",
        id="WAF with an HTTP API",
    ),
    pytest.param(
        {"user_pool": None},
        r"routes\[GET /echo\]\.authorization='cognito'; cognito authorization needs a user pool",
        id="cognito route without a user pool",
    ),
    pytest.param(
        {
            "kind": ApiKind.HTTP,
            "jwt_audience": ["c"],
            "routes": [RouteSpec("POST", "/dogs", "echo", request_model=DOG)],
        },
        r"request_model='Dog'; HTTP APIs have no request validation:",
        id="request model on an HTTP API",
    ),
    pytest.param(
        {
            "routes": [
                RouteSpec("GET", "/dogs/{id}", "echo"),
                RouteSpec("GET", "/dogs/{dogId}/walks", "echo"),
            ]
        },
        r"another route uses \{id\} at /dogs",
        id="clashing path variables",
    ),
    pytest.param(
        {"functions": [ECHO, FunctionSpec("unused", CODE)]},
        r"functions\[unused\]='unused'; every function serves at least one route",
        id="function serving no route",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, environment={"PAYMENT_API_KEY": "sk_live_123"})]},
        r"environment\[PAYMENT_API_KEY\]='<redacted>'; environment variables must not hold secret",
        id="secret value in the environment",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, environment={"AWS_REGION": "us-east-1"})]},
        r"environment='AWS_REGION'; a name the Lambda runtime reserves",
        id="reserved environment variable",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, handler="main.handler")]},
        r"handler='main.handler'; module 'main' must exist",
        id="handler module missing",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE / "missing")]},
        r"code_path='.*missing'; an existing directory",
        id="code path missing",
    ),
    pytest.param(
        {"waf": WafRules(), "web_acl_arn": SHARED_ACL},
        r"web_acl_arn='arn:aws:wafv2.*'; give waf= .* or web_acl_arn=",
        id="WAF and an existing web ACL",
    ),
    pytest.param(
        {"cors_origins": ["https://app.example.com/"]},
        r"cors_origins='https://app.example.com/'; https://host\[:port\]",
        id="CORS origin with a path",
    ),
    pytest.param(
        {
            "routes": [
                RouteSpec("GET", "/health", "echo", authorization="none", required_group="admin")
            ]
        },
        r"required_group='admin'; a group can only be checked on an authenticated route",
        id="group on a public route",
    ),
    pytest.param(
        {"jwt_issuer": "https://issuer.example.com"},
        r"jwt_issuer='https://issuer.example.com'; REST APIs authorize with the Cognito user pool",
        id="JWT issuer on a REST API",
    ),
    pytest.param(
        {
            "kind": "http",
            "jwt_audience": ["c"],
            "routes": [RouteSpec("POST", "/pay", "echo", required_headers=["Idempotency-Key"])],
        },
        r"required_headers=\['Idempotency-Key'\]; HTTP APIs have no request validation",
        id="required headers on an HTTP API",
    ),
    pytest.param({"kind": "GRPC"}, r"kind='GRPC'; ApiKind.REST or ApiKind.HTTP", id="unknown kind"),
    pytest.param(
        {"throttling_rate_limit": 0},
        r"throttling_rate_limit=0; requests per second above 0",
        id="zero rate limit",
    ),
    # -- props of the wrong type, and unknown props ------------------------------------------
    pytest.param(
        {"routes": GET_ECHO},
        r"routes=RouteSpec\(.*\); expected a list of RouteSpec "
        r"\(got RouteSpec\)",
        id="one route instead of a list",
    ),
    pytest.param(
        {"cors_origins": "https://app.example.com"},
        r"cors_origins='https://app"
        r"\.example\.com'; expected a list of str \(got str\)",
        id="origin as a string",
    ),
    pytest.param(
        {"throttling_burst_limit": 2.5},
        r"throttling_burst_limit=2\.5; expected int",
        id="fractional burst",
    ),
    pytest.param({"runtime_layer": "no"}, r"runtime_layer='no'; expected bool", id="layer flag"),
    pytest.param(
        {"routez": [GET_ECHO]},
        r"routez=.*; not a prop of ServerlessApi; known props: "
        r"alias_name, certificate, cloud_watch_role, cors_allow_headers",
        id="unknown prop",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, memory_mb="512")]},
        r"functions\[echo\]\.memory_mb='512'; expected int \(got str\)",
        id="memory as a string",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, timeout=30)]},
        r"functions\[echo\]\.timeout=30; expected Duration \(got int\)",
        id="timeout as int",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, tables={"T": "dogs"})]},
        r"functions\[echo\]\.tables=\{'T': 'dogs'\}; expected a mapping of str to "
        r"TableAccess or dynamodb\.ITable",
        id="table as a name",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, tables={"T": TableAccess(TABLE, "write")})]},
        r"functions\[echo\]\.tables\[T\]\.access='write'; expected 'read' or "
        r"'read_write'",
        id="table access mode",
    ),
    pytest.param(
        {"functions": [FunctionSpec(7, CODE)]},
        r"functions\[0\]\.name=7; expected str",
        id="function name as a number",
    ),
    pytest.param(
        {"routes": [RouteSpec("GET", "/echo", "echo", authorization="public")]},
        r"routes\[0\]\.authorization='public'; expected 'cognito' or 'none'",
        id="unknown authorization",
    ),
    pytest.param(
        {"routes": [RouteSpec("GET", "/echo", "echo", required_headers="Idempotency-Key")]},
        r"routes\[0\]\.required_headers='Idempotency-Key'; expected a list of str",
        id="one header as a string",
    ),
    pytest.param(
        {"waf": WafRules(ip_rate_limit="1000")},
        r"waf\.ip_rate_limit='1000'; expected int \(got str\)",
        id="WAF limit as a string",
    ),
    pytest.param(
        {"waf": WafRules(logging="yes")},
        r"waf\.logging='yes'; expected bool \(got str\)",
        id="WAF logging as a string",
    ),
    pytest.param(
        {"log_encryption_key": "alias/logs"},
        r"log_encryption_key='alias/logs'; expected .*IKey",
        id="log key as an alias name",
    ),
    # -- functions ---------------------------------------------------------------------------
    pytest.param({"functions": []}, r"functions=\[\]; at least one FunctionSpec", id="no function"),
    pytest.param(
        {"functions": [ECHO, FunctionSpec("echo", CODE, memory_mb=256)]},
        r"functions\.name='echo'; function names are unique",
        id="duplicate function",
    ),
    pytest.param(
        {"functions": [FunctionSpec("1echo", CODE)], "routes": [RouteSpec("GET", "/e", "1echo")]},
        r"functions\[1echo\]\.name='1echo'; 1-64 letters",
        id="function name format",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, handler="handler")]},
        r"handler='handler'; 'module\.function'",
        id="handler without module",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, memory_mb=64)]},
        r"memory_mb=64; 128 to 10240 MB",
        id="memory too small",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, timeout=Duration.minutes(16))]},
        r"timeout='960 s'; 1 s to 900 s",
        id="timeout over Lambda's limit",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, reserved_concurrency=0)]},
        r"reserved_concurrency=0; at least 1",
        id="zero reserved concurrency",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, environment={"1X": "y"})]},
        r"environment='1X'; environment variable names",
        id="variable name format",
    ),
    pytest.param(
        {
            "functions": [FunctionSpec("echo", CODE, environment={"CORS_ALLOWED_ORIGINS": "*"})],
            "cors_origins": ["*"],
        },
        r"environment='CORS_ALLOWED_ORIGINS'; the variable is already set by "
        r"ServerlessApi",
        id="variable the API sets",
    ),
    pytest.param(
        {"functions": [FunctionSpec("echo", CODE, runtime=lambda_.Runtime.PYTHON_3_8)]},
        r"functions\[echo\]\.runtime='python3\.8'; the runtime layer "
        r"\(petplatform_runtime\) needs python3\.9 or newer",
        id="runtime too old for the layer",
    ),
    # -- routes ------------------------------------------------------------------------------
    pytest.param({"routes": []}, r"routes=\[\]; at least one RouteSpec", id="no route"),
    pytest.param(
        {"routes": [GET_ECHO, RouteSpec("OPTIONS", "/echo", "echo")]},
        r"method='OPTIONS'; OPTIONS is the CORS preflight",
        id="OPTIONS route",
    ),
    pytest.param(
        {"routes": [RouteSpec("TRACE", "/echo", "echo")]},
        r"method='TRACE'; one of \['GET'",
        id="unknown method",
    ),
    pytest.param(
        {"routes": [RouteSpec("GET", "/a/{id}/b/{id}", "echo")]},
        r"path variable \{id\} appears twice",
        id="variable twice in a path",
    ),
    pytest.param(
        {"routes": [RouteSpec("GET", "/a/{rest+}/b", "echo")]},
        r"path='/a/\{rest\+\}/b'; a path starting with '/'",
        id="greedy variable not last",
    ),
    pytest.param(
        {"routes": [RouteSpec("GET", "/admin", "echo", required_group="ad min")]},
        r"required_group='ad min'; a Cognito group name",
        id="group name format",
    ),
    pytest.param(
        {"routes": [RouteSpec("POST", "/dogs", "echo", request_model={**DOG, "title": "Dog-1"})]},
        r"request_model\.title='Dog-1'; API Gateway model names",
        id="model title format",
    ),
    pytest.param(
        {
            "routes": [
                RouteSpec(
                    "POST",
                    "/dogs",
                    "echo",
                    request_model={
                        **DOG,
                        "$schema": "https://json-schema.org/draft/2020-12/schema",
                    },
                )
            ]
        },
        r"\$schema='https://json-schema.org/draft/2020-12/schema'; API Gateway models "
        r"support JSON Schema draft 4 only",
        id="schema version",
    ),
    pytest.param(
        {"routes": [RouteSpec("POST", "/dogs", "echo", request_model={**DOG, "x": {1, 2}})]},
        r"request_model='Dog'; a JSON-serializable schema",
        id="schema not JSON",
    ),
    pytest.param(
        {
            "routes": [
                RouteSpec("POST", "/dogs", "echo", request_model=DOG),
                RouteSpec("PUT", "/dogs", "echo", request_model={**DOG, "required": ["name"]}),
            ]
        },
        r"title='Dog'; another route declares a different schema",
        id="two schemas, one title",
    ),
    pytest.param(
        {"routes": [RouteSpec("POST", "/pay", "echo", required_headers=["Idem Key"])]},
        r"required_headers='Idem Key'; HTTP header names",
        id="header name format",
    ),
    # -- authorizers -------------------------------------------------------------------------
    pytest.param(
        {"jwt_audience": ["client"]},
        r"jwt_audience=\['client'\]; REST APIs authorize "
        r"with the Cognito user pool",
        id="JWT audience on a REST API",
    ),
    pytest.param(
        {**HTTP, "jwt_issuer": "https://issuer.example.com"},
        r"jwt_issuer='https://issuer.example.com'; give user_pool .* or jwt_issuer, not both",
        id="user pool and issuer",
    ),
    pytest.param(
        {**HTTP, "user_pool": None, "jwt_issuer": "http://issuer.example.com"},
        r"jwt_issuer='http://issuer.example.com'; an https:// issuer URL",
        id="issuer over http",
    ),
    pytest.param(
        {"kind": ApiKind.HTTP},
        r"jwt_audience=\[\]; a JWT authorizer needs both an issuer",
        id="issuer without audience",
    ),
    # -- CORS --------------------------------------------------------------------------------
    pytest.param(
        {"cors_origins": ["http://staging.example.com"]},
        r"cors_origins='http://staging\.example\.com'; https://host\[:port\], or "
        r"http://localhost",
        id="plain http origin",
    ),
    pytest.param(
        {"cors_origins": ["*", "https://app.example.com"]},
        r"'\*' allows every origin, so it stands alone",
        id="wildcard with another origin",
    ),
    pytest.param(
        {"cors_allow_headers": ["X Trace"]},
        r"cors_allow_headers='X Trace'; HTTP header names",
        id="allowed header format",
    ),
    # -- stage, timeouts, logging ------------------------------------------------------------
    pytest.param(
        {**HTTP, "integration_timeout": Duration.seconds(31)},
        r"integration_timeout='31 s'; 50 ms to 30 s: the HTTP API integration timeout "
        r"hard limit",
        id="HTTP integration timeout over 30 s",
    ),
    pytest.param(
        {"integration_timeout": Duration.millis(20)},
        r"integration_timeout='0.02 s'; 50 ms to 29 s",
        id="integration timeout under 50 ms",
    ),
    pytest.param(
        {"stage_name": "$default"},
        r"stage_name='\$default'; 1-128 letters",
        id="default stage on a REST API",
    ),
    pytest.param(
        {"throttling_burst_limit": 0}, r"throttling_burst_limit=0; a whole number", id="zero burst"
    ),
    pytest.param(
        {"execution_log_level": apigateway.MethodLoggingLevel.OFF},
        r"execution_log_level=.*; MethodLoggingLevel\.INFO or ERROR",
        id="execution logs off",
    ),
    pytest.param(
        {**HTTP, "execution_log_level": apigateway.MethodLoggingLevel.INFO},
        r"execution_log_level=.*; HTTP APIs have no execution logs",
        id="execution logs on HTTP",
    ),
    pytest.param(
        {**HTTP, "cloud_watch_role": True},
        r"cloud_watch_role=True; HTTP APIs write access logs through a service-linked role",
        id="account role on HTTP",
    ),
    pytest.param(
        {"export_prefix": "Dog Care"},
        r"export_prefix='Dog Care'; letters, digits",
        id="export prefix format",
    ),
    # -- WAF ---------------------------------------------------------------------------------
    pytest.param(
        {**HTTP, "web_acl_arn": SHARED_ACL},
        r"web_acl_arn=.*; HTTP APIs cannot be "
        r"associated with a WAF web ACL",
        id="web ACL on HTTP",
    ),
    pytest.param(
        {"web_acl_arn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/1"},
        r"the ARN of a REGIONAL WAFv2 web ACL",
        id="CloudFront web ACL",
    ),
    pytest.param(
        {"waf": WafRules(managed_rule_groups=["CommonRuleSet"])},
        r"waf\.managed_rule_groups='CommonRuleSet'; an AWS managed rule group name",
        id="managed group name",
    ),
    pytest.param(
        {"waf": WafRules(managed_rule_groups=["AWSManagedRulesCommonRuleSet"] * 2)},
        r"managed_rule_groups=.*; each rule group once",
        id="managed group twice",
    ),
    pytest.param(
        {"waf": WafRules(ip_rate_limit=None, managed_rule_groups=())},
        r"waf=WafRules\(.*\); at least one rule",
        id="WAF without rules",
    ),
]


@pytest.mark.parametrize(("props", "message"), BAD_INPUT)
def test_one_bad_input_is_one_prop_error(props: dict[str, Any], message: str) -> None:
    problems = _problems(props)
    assert len(problems) == 1, [str(p) for p in problems]
    with pytest.raises(PropError, match=message):
        raise problems[0]


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems(
        {
            "functions": [FunctionSpec("echo", CODE, memory_mb=64), FunctionSpec("idle", CODE)],
            "routes": [GET_ECHO, RouteSpec("GET", "/echo", "echo"), RouteSpec("GET", "x", "echo")],
            "cors_origins": ["http://staging.example.com"],
            "throttling_rate_limit": 0,
            "waf": WafRules(ip_rate_limit=5),
        }
    )
    assert [(p.prop, p.value) for p in problems] == [
        ("routes", "GET /echo"),
        ("routes[GET x].path", "x"),
        ("cors_origins", "http://staging.example.com"),
        ("functions[echo].memory_mb", 64),
        ("functions[idle]", "idle"),
        ("throttling_rate_limit", 0),
        ("waf.ip_rate_limit", 5),
    ]


def test_wrong_types_are_reported_with_the_other_problems() -> None:
    problems = _problems(
        {
            "functions": [FunctionSpec("echo", CODE, memory_mb="512")],
            "routes": GET_ECHO,
            "stage_name": "dev stage",
        }
    )
    assert [(p.prop, p.allowed.split(";")[0]) for p in problems] == [
        ("routes", "expected a list of RouteSpec (got RouteSpec)"),
        ("functions[echo].memory_mb", "expected int (got str)"),
        ("stage_name", "1-128 letters, digits, '_' and '-'"),
    ]


def test_the_shared_cors_rule_accepts_local_development_origins() -> None:
    api = _build({"cors_origins": ["http://localhost:3000", "http://127.0.0.1:8080"]})
    assert api.functions["echo"] is not None


def test_lambda_function_names_are_unique_in_the_app() -> None:
    stack = _stack()
    pool = _pool(stack)
    ServerlessApi(stack, "Api", user_pool=pool, functions=[ECHO], routes=[GET_ECHO])
    with pytest.raises(
        PropError,
        match=r"functions\[echo\]\.name='pettest-dev-echo'; a unique "
        r"Lambda function name: Bad/Api already uses it",
    ):
        ServerlessApi(stack, "Other", user_pool=pool, functions=[ECHO], routes=[GET_ECHO])


def test_a_user_pool_wrapper_is_accepted_where_a_user_pool_is() -> None:
    stack = _stack()

    class Wrapper:  # what AuthPool offers: a user_pool attribute
        user_pool = _pool(stack)

    api = ServerlessApi(stack, "Api", user_pool=Wrapper(), functions=[ECHO], routes=[GET_ECHO])
    assert api.authorizer is not None


def test_tables_are_accepted_as_l2_tables_wrappers_or_table_access() -> None:
    stack = _stack()
    table = dynamodb.TableV2.from_table_name(stack, "T", "things")

    class Wrapper:  # what DataTable offers: a table attribute
        table = dynamodb.TableV2.from_table_name(stack, "W", "wrapped")

    spec = FunctionSpec(
        "echo",
        CODE,
        tables={"A": table, "B": Wrapper(), "C": TableAccess.read(table)},
    )
    api = ServerlessApi(stack, "Api", user_pool=_pool(stack), functions=[spec], routes=[GET_ECHO])
    assert set(api.functions) == {"echo"}
