"""Every rule an ObservabilityPack's props must meet, checked together before anything is created.

:func:`plan_pack` resolves the props into what the pack builds (physical names, the window, the
thresholds) and records every problem in one :class:`~petplatform_constructs.core.errors.Problems`,
so a user sees all their mistakes in one synth. :func:`watch_method` says which ``watch_*``
method handles a resource, for :meth:`ObservabilityPack.watch` and for the ``watch`` prop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from aws_cdk import Token
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems, PropError
from petplatform_constructs.core.existing import describe
from petplatform_constructs.core.names import NameStrategy, ResourceKind, physical_name
from petplatform_constructs.core.watch import Observable
from petplatform_constructs.observability.channels import check_channels
from petplatform_constructs.observability.pack.props import ObservabilityPackProps
from petplatform_constructs.observability.settings import (
    AlarmThresholds,
    AlarmWindow,
    BudgetSpec,
    check_email,
)
from petplatform_constructs.platform.naming import Naming, validate_name

__all__ = ["SUPPORTED", "PackPlan", "naming_strategy", "plan_pack", "watch_method"]

SUPPORTED = (
    "a construct of this library (or any construct with register_observability(watcher)), "
    "a dynamodb ITable, lambda IFunction, sqs IQueue, apigateway IRestApi, apigatewayv2 "
    "IHttpApi or cloudfront IDistribution"
)
"""What :meth:`ObservabilityPack.watch` accepts, for error messages."""

# L2 interfaces are jsii protocols, which isinstance cannot check: recognise them by their API.
_WATCH_METHODS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("watch_lambda", ("metric_invocations", "function_arn")),
    ("watch_queue", ("metric_approximate_age_of_oldest_message",)),
    ("watch_table", ("metric_consumed_read_capacity_units", "table_name")),
    ("watch_rest_api", ("rest_api_id",)),
    ("watch_http_api", ("api_id", "metric_server_error", "add_vpc_link")),
    ("watch_distribution", ("distribution_id", "distribution_domain_name")),
    ("watch_table", ("table",)),  # a wrapper of a table that does not register itself
)


def watch_method(thing: object) -> str | None:
    """The pack method that watches ``thing``, or ``None`` when nothing does.

    An :class:`~petplatform_constructs.core.watch.Observable` registers itself (``_register``);
    an L2 resource goes to the ``watch_*`` method of its service.
    """
    if isinstance(thing, Observable):
        return "_register"
    for method, attributes in _WATCH_METHODS:
        if all(hasattr(thing, attribute) for attribute in attributes):
            return method
    return None


@dataclass(frozen=True)
class PackPlan:
    """The checked inputs of the resources a pack creates."""

    topic_name: str | None
    dashboard_name: str | None
    email_addresses: tuple[str, ...]
    budget_names: tuple[str, ...]
    """The physical name of each budget, in the order of the ``budgets`` prop."""
    window: AlarmWindow
    thresholds: AlarmThresholds


class _Literal:
    """Without a naming strategy in the app, short names are used as they are (validated)."""

    def name(self, resource: str, kind: ResourceKind = ResourceKind.GENERIC) -> str:
        return validate_name(kind, resource)


def naming_strategy(scope: IConstruct, naming: Naming | None) -> NameStrategy:
    """The naming in force at ``scope``, or names used literally when the app has none."""
    try:
        return Naming.of(scope, naming)
    except PropError:
        return _Literal()


def plan_pack(
    scope: IConstruct, problems: Problems, props: ObservabilityPackProps, *, wraps: bool
) -> PackPlan:
    """Check ``props`` (without those already rejected) and resolve them.

    ``wraps``: the pack notifies an existing topic, so no topic name is resolved.
    """
    window = props.get("alarm_window") or AlarmWindow()
    window.check(problems)
    thresholds = props.get("thresholds") or AlarmThresholds()
    thresholds.check(problems)
    emails = tuple(props.get("alarm_email_addresses") or ())
    _check_emails(problems, emails)
    check_channels(
        problems, props.get("slack_channel"), tuple(props.get("alarm_https_endpoints") or ())
    )
    strategy = naming_strategy(scope, props.get("naming"))
    name = props.get("name")

    def resolve(kind: ResourceKind, literal_prop: str) -> str | None:
        literal = cast("str | None", props.get(literal_prop))
        return physical_name(
            scope,
            problems,
            kind,
            name=name if literal is None else None,  # a literal overrides name for its resource
            literal=literal,
            literal_prop=literal_prop,
            strategy=lambda: strategy,
        )

    topic_name = None if wraps else resolve(ResourceKind.SNS_TOPIC, "topic_name")
    dashboard_name = resolve(ResourceKind.CLOUDWATCH_DASHBOARD, "dashboard_name")
    budget_names = _budget_names(scope, problems, props.get("budgets") or (), strategy)
    log_group = props.get("access_denied_log_group")
    if isinstance(log_group, str) and not Token.is_unresolved(log_group):
        with problems.collecting("access_denied_log_group", log_group):
            validate_name(ResourceKind.LOG_GROUP, log_group)
    _check_watch(problems, props.get("watch") or ())
    return PackPlan(
        topic_name=topic_name,
        dashboard_name=dashboard_name,
        email_addresses=emails,
        budget_names=budget_names,
        window=window,
        thresholds=thresholds,
    )


def _check_emails(problems: Problems, addresses: Sequence[str]) -> None:
    for address in addresses:
        check_email(problems, "alarm_email_addresses", address)
    duplicates = sorted({a for a in addresses if addresses.count(a) > 1})
    problems.check(not duplicates, "alarm_email_addresses", duplicates, "each address once")


def _budget_names(
    scope: IConstruct, problems: Problems, specs: Sequence[BudgetSpec], strategy: NameStrategy
) -> tuple[str, ...]:
    """Each budget's physical name; budget names are unique per account."""
    names: list[str] = []
    for index, spec in enumerate(specs):
        prop = f"budgets[{index}]"
        resolved = None
        if spec.check(problems, prop):
            resolved = physical_name(
                scope,
                problems,
                ResourceKind.BUDGET,
                name=spec.name,
                literal=None,
                literal_prop=f"{prop}.name",
                name_prop=f"{prop}.name",
                strategy=lambda: strategy,
            )
        names.append(resolved or spec.name)
    short = [spec.name for spec in specs]
    for prop, values in (("budgets[].name", short), ("budgets[] physical name", names)):
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if not problems.check(
            not duplicates,
            prop,
            duplicates,
            "budget names are unique per account: give each budget its own name",
        ):
            break  # the same duplicates, once
    return tuple(names)


def _check_watch(problems: Problems, things: Sequence[object]) -> None:
    for index, thing in enumerate(things):
        problems.check(
            watch_method(thing) is not None,
            f"watch[{index}]",
            describe(thing),
            f"supported: {SUPPORTED}",
        )
    paths = [node.path for node in (getattr(t, "node", None) for t in things) if node]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    problems.check(not duplicates, "watch", duplicates, "each resource once")
