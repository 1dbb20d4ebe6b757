"""Dog Care (dev) deployed to the local cloud and called over HTTP.

The stack is synthesized with a fake payment provider on loopback, deployed once per module, and
its REST API served on 127.0.0.1 by ``LocalRestApi`` (Cognito authorizer, request validation,
CORS preflight, the four functions in-process). The HTTP steps live in
``examples/dogcare/dogcare/local_scenario.py`` so that ``make demo`` runs the same scenario.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from dogcare.checklist import ADMIN_ROUTES, SEED_ROUTES
from dogcare.config import DEFAULT_ACCOUNTS
from dogcare.local_scenario import (
    STEPS,
    FakePaymentProvider,
    Scenario,
    Step,
    run_http_scenario,
    scenario,
)

import dogcare
from dogcare import DogCareConfig
from petplatform_constructs.testing import SynthResult, make_app, synth
from petplatform_localcloud import (
    DeployReport,
    LocalCloud,
    deployed,
)
from petplatform_localcloud.apigateway import authorizer as local_authorizer
from petplatform_localcloud.cognito import srp_sign_in

pytestmark = pytest.mark.localcloud

STACK = "DogCareStack-dev"


@pytest.fixture(scope="module")
def provider() -> Iterator[FakePaymentProvider]:
    with FakePaymentProvider() as started:
        yield started


@pytest.fixture(scope="module")
def result(provider: FakePaymentProvider) -> SynthResult:
    """Dev, with the provider on loopback (plain http is allowed for loopback hosts only)."""
    config = DogCareConfig.for_stage("dev", payment_provider_url=provider.url)
    return synth(make_app(), lambda app: dogcare.build(app, "dev", config))


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(account_id=DEFAULT_ACCOUNTS["dev"]) as started:
        yield started


@pytest.fixture(scope="module")
def report(cloud: LocalCloud, result: SynthResult) -> Iterator[DeployReport]:
    started = time.perf_counter()
    with deployed(cloud, result) as deployed_report:
        cloud.say(f"deployed Dog Care dev in {time.perf_counter() - started:.2f} s")
        yield deployed_report


@pytest.fixture(scope="module")
def served(
    cloud: LocalCloud, report: DeployReport, result: SynthResult, provider: FakePaymentProvider
) -> Iterator[Scenario]:
    with scenario(cloud, report, result, provider) as ready:
        yield ready


# ---- deployment ------------------------------------------------------------------------------


@pytest.mark.checklist("001#1", "001#24", "001#27", "001#47", "001#49", "001#51")
def test_the_whole_stack_deploys_and_its_api_is_served(
    cloud: LocalCloud, report: DeployReport, result: SynthResult, served: Scenario
) -> None:
    (stack,) = report.stacks
    assert (stack.stack_name, stack.status, stack.skipped) == (STACK, "CREATE_COMPLETE", ())
    assert stack.resources == len(result.template_json(STACK)["Resources"])
    routes = set(served.api.routes)
    assert {r for r in routes if r[0] != "OPTIONS"} == SEED_ROUTES | ADMIN_ROUTES
    preflights = {path for method, path in routes if method == "OPTIONS"}
    assert preflights == {path for _, path in SEED_ROUTES | ADMIN_ROUTES}  # CORS everywhere
    assert served.api.stage == "dev"
    assert sorted(f.name for f in served.api.functions.values()) == [
        "dogcare-dev-booking-management", "dogcare-dev-dog-management",
        "dogcare-dev-owner-management", "dogcare-dev-payment-processing",
    ]  # fmt: skip
    assert {f.runtime for f in served.api.functions.values()} == {"python3.11"}

    budgets = cloud.client("budgets")
    (budget,) = budgets.describe_budgets(AccountId=cloud.account_id)["Budgets"]
    assert (budget["BudgetType"], budget["TimeUnit"]) == ("COST", "MONTHLY")
    notifications = budgets.describe_notifications_for_budget(
        AccountId=cloud.account_id, BudgetName=budget["BudgetName"]
    )["Notifications"]
    assert sorted(n["Threshold"] for n in notifications) == [50, 100]
    (subscription,) = cloud.client("sns").list_subscriptions()["Subscriptions"]
    assert subscription["Protocol"] == "email"
    assert cloud.client("cloudwatch").list_dashboards()["DashboardEntries"]


# ---- the HTTP scenario, step by step (the same steps `make demo` prints) ---------------------


@pytest.mark.parametrize(
    "step", [pytest.param(s, marks=pytest.mark.checklist(*s.items), id=s.name) for s in STEPS]
)
def test_http_step(served: Scenario, step: Step) -> None:
    step.run(served)


class _AcceptsEverything:
    """A server that answers every request 200 ``{}``: what each step must catch."""

    invocations: list[object] = []

    def __enter__(self) -> _AcceptsEverything:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = do_PUT = do_DELETE = do_OPTIONS = do_GET  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dev"
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def test_every_step_fails_against_an_api_that_accepts_everything(served: Scenario) -> None:
    """A check that cannot fail is a defect: each step catches a server that says yes to all."""
    with _AcceptsEverything() as stub:
        fake = dataclasses.replace(served, api=stub)  # type: ignore[arg-type]
        for step in STEPS:
            with pytest.raises(AssertionError):
                step.run(fake)


def test_run_http_scenario_reports_every_step(
    cloud: LocalCloud, report: DeployReport, result: SynthResult, provider: FakePaymentProvider
) -> None:
    """The entry point of ``make demo``: every step, each ok, with a detail line; the API it
    served is stopped afterwards."""
    servers_before = _live_threads("petplatform-localapi")
    steps = run_http_scenario(cloud, report, result, provider)
    assert [name for name, _, _ in steps] == [s.name for s in STEPS]
    failed = [(name, detail) for name, ok, detail in steps if not ok]
    assert failed == []
    assert _live_threads("petplatform-localapi") == servers_before


def _live_threads(name: str) -> int:
    return sum(1 for thread in threading.enumerate() if thread.name == name and thread.is_alive())


# ---- the authorizer, in detail -----------------------------------------------------------------


class _Spy:
    """Wraps a LocalFunction's invoke to keep the events it receives."""

    def __init__(self, served: Scenario, function_name: str, monkeypatch: pytest.MonkeyPatch):
        (self.function,) = [f for f in served.api.functions.values() if f.name == function_name]
        self.events: list[dict[str, Any]] = []
        original = self.function.invoke

        def invoke(event: dict[str, Any], **kwargs: Any) -> Any:
            self.events.append(event)
            return original(event, **kwargs)

        monkeypatch.setattr(self.function, "invoke", invoke)


@pytest.mark.checklist("001#39", "001#41")
def test_verified_claims_reach_the_lambda_as_the_rest_authorizer_passes_them(
    served: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = served.user("admin", groups=("admin",))
    spy = _Spy(served, "dogcare-dev-owner-management", monkeypatch)
    answer = served.call("GET", "/admin/owners?limit=5&limit=7", user=admin)
    assert answer.status == 200, answer
    (event,) = spy.events
    claims = event["requestContext"]["authorizer"]["claims"]
    assert claims["sub"] == admin.sub and claims["cognito:username"]
    assert claims["cognito:groups"] == "admin"
    assert (claims["token_use"], claims["aud"]) == ("id", served.client_id)
    assert claims["iss"].endswith(f"/{served.pool_id}")
    assert claims["exp"].endswith(time.strftime("%Y", time.gmtime()))  # "Sun Nov 22 ... 2026"
    assert all(isinstance(v, str) for v in claims.values())
    assert (event["resource"], event["path"], event["httpMethod"]) == (
        "/admin/owners", "/admin/owners", "GET",
    )  # fmt: skip
    assert event["queryStringParameters"] == {"limit": "7"}
    assert event["multiValueQueryStringParameters"] == {"limit": ["5", "7"]}
    assert event["pathParameters"] is None and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert (context["stage"], context["resourcePath"], context["httpMethod"]) == (
        "dev", "/admin/owners", "GET",
    )  # fmt: skip
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["accountId"] == DEFAULT_ACCOUNTS["dev"] and context["requestId"]
    assert event["headers"]["Authorization"] == admin.id_token


def test_path_parameters_and_the_body_reach_the_lambda(
    served: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    alice = served.user("alice")
    spy = _Spy(served, "dogcare-dev-dog-management", monkeypatch)
    assert served.call("PUT", "/dogs/dog-x", user=alice, body={"age": 2}).status == 404
    (event,) = spy.events
    assert (event["resource"], event["path"]) == ("/dogs/{id}", "/dogs/dog-x")
    assert event["pathParameters"] == {"id": "dog-x"}
    assert json.loads(event["body"]) == {"age": 2}


@pytest.mark.checklist("001#39")
def test_tokens_the_authorizer_refuses(served: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    idp = served.cloud.client("cognito-idp")
    alice = served.user("alice")
    before = served.invocation_count()

    # An access token, where methods without authorization scopes want an ID token.
    tokens = srp_sign_in(idp, served.client_id, alice.email)
    answer = served.call("GET", "/dogs", token=tokens["AccessToken"])
    assert (answer.status, answer.body) == (401, {"message": "Unauthorized"})
    assert answer.headers.get("access-control-allow-origin") == "http://localhost:3000"

    # "Bearer <token>" is accepted like the raw token.
    assert served.call("GET", "/dogs", token=f"Bearer {alice.id_token}").status == 200
    before += 1

    # A token of another user pool of the same emulator: another issuer.
    other_pool = idp.create_user_pool(PoolName="elsewhere", UsernameAttributes=["email"])
    other_id = other_pool["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=other_id, ClientName="x", ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=other_id, Username="eve@example.com", MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=other_id, Username="eve@example.com", Password="Elsewhere-Pa55!", Permanent=True
    )
    foreign = srp_sign_in(idp, client, "eve@example.com")["IdToken"]
    assert served.call("GET", "/dogs", token=foreign).status == 401

    # An expired token: the clock moves two hours on (moto's tokens live one hour).
    real_time = time.time
    monkeypatch.setattr(local_authorizer.time, "time", lambda: real_time() + 7200)
    expired = served.call("GET", "/dogs", user=alice)
    assert (expired.status, expired.body) == (401, {"message": "The incoming token has expired"})
    monkeypatch.undo()
    assert served.invocation_count() == before


def test_what_the_gateway_answers_itself(served: Scenario) -> None:
    alice = served.user("alice")
    before = served.invocation_count()
    missing = served.call("GET", "/cats", user=alice)
    assert (missing.status, missing.body) == (403, {"message": "Missing Authentication Token"})
    no_method = served.call("PATCH", "/dogs", user=alice)
    assert (no_method.status, no_method.body) == (403, {"message": "Missing Authentication Token"})
    other_stage = served.api.url.removesuffix("/dev") + "/prod/dogs"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(other_stage, timeout=10)
    with refused.value as answer:
        assert (answer.code, json.loads(answer.read())) == (403, {"message": "Forbidden"})
    assert served.invocation_count() == before
