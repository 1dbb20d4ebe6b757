"""ListBackup (dev) deployed to the local cloud in both regions and used over HTTP.

One synthesis (Go built for this machine) and one deployment for the module; the steps of
``examples/listbackup/listbackup/local_scenario.py`` (what ``make demo`` runs) then run in order,
each a test naming the checklist items it exercises at run time.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("moto", reason="needs the `local` extra (moto[server], boto3)")

from listbackup.config import DEFAULT_ACCOUNT, PRIMARY_REGION
from listbackup.local_scenario import STEPS, Scenario, Step, hosted_zone, serve, synthesize

from petplatform_localcloud import DeployReport, LocalCloud, deployed

pytestmark = pytest.mark.localcloud


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(account_id=DEFAULT_ACCOUNT, region=PRIMARY_REGION) as started:
        yield started


@pytest.fixture(scope="module")
def served(
    cloud: LocalCloud, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DeployReport, Scenario]]:
    result = synthesize(hosted_zone(cloud), str(tmp_path_factory.mktemp("listbackup-dev")))
    with deployed(cloud, result) as deployed_report, serve(cloud, result) as scenario:
        yield deployed_report, scenario


@pytest.fixture(scope="module")
def report(served: tuple[DeployReport, Scenario]) -> DeployReport:
    return served[0]


@pytest.fixture(scope="module")
def scenario(served: tuple[DeployReport, Scenario]) -> Scenario:
    return served[1]


def test_every_stack_deploys_in_its_region(cloud: LocalCloud, report: DeployReport) -> None:
    assert len(report.stacks) == 14
    east = cloud.client("cloudformation", region="us-east-1").describe_stacks()["Stacks"]
    assert sorted(s["StackName"] for s in east) == [
        "listbackup-dev-dr", "listbackup-dev-infrastructure-certificates"
    ]  # fmt: skip
    providers = cloud.client("iam").list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert [p["Arn"].rsplit("/", 1)[-1] for p in providers] == [
        "token.actions.githubusercontent.com"
    ]


@pytest.mark.parametrize(
    "step", [pytest.param(s, id=s.name, marks=pytest.mark.checklist(*s.checklist)) for s in STEPS]
)
def test_step(scenario: Scenario, step: Step) -> None:
    """The steps share state (a user, an account, a job): they run in order."""
    assert step.run(scenario)


@pytest.mark.checklist("002#55")
def test_handlers_validate_what_the_http_api_cannot(scenario: Scenario) -> None:
    """HTTP APIs have no request validators (conflict 12): the functions answer 400."""
    token = scenario.state["token"]
    assert scenario.call("POST", "/accounts", {}, token=token)[0] == 400
    assert scenario.call("POST", "/accounts", {"name": "x" * 300}, token=token)[0] == 400
    assert scenario.call("POST", "/auth/login", {"email": "a@example.com"})[0] == 400
