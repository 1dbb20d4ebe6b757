"""ObservabilityPack: one alert topic, one dashboard, alarms with runbooks, and cost budgets.

The pack watches the resources of a platform. For each, it adds a dashboard section and, when
alarms are enabled (prod-like stages by default), alarms that notify the alert topic on ALARM and
on OK. What to watch on a kind of resource is a *plan*
(:mod:`petplatform_constructs.observability.plans`); constructs say what they have through
``register_observability(watcher)`` (:class:`~petplatform_constructs.core.watch.Observable`), so
the pack imports no construct and needs no edit for a new one.

Discovery walks the tree when it is called (:meth:`ObservabilityPack.watch_all_in`, or
``discover=True`` at construction), not in an Aspect: alarms created by Aspects exist only from
the prepare phase on, so nobody could list, test or extend them before synthesis. The price is a
call order: create (or call ``watch_all_in``) after the constructs it should find.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from aws_cdk import CfnOutput, Duration, aws_budgets
from aws_cdk import aws_chatbot as chatbot
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from constructs import Construct, IConstruct
from typing_extensions import Unpack

from petplatform_constructs.core.errors import Problems, require
from petplatform_constructs.core.existing import check_existing, describe
from petplatform_constructs.core.exports import add_exports
from petplatform_constructs.core.props import receive
from petplatform_constructs.core.watch import Observable, WatchPlan
from petplatform_constructs.observability.alerting import (
    allow_budgets_to_publish,
    create_alert_topic,
    create_budget,
    warn_without_subscribers,
)
from petplatform_constructs.observability.channels import subscribe_channels
from petplatform_constructs.observability.pack.props import (
    TOPIC_CREATION_PROPS,
    ObservabilityPackProps,
    Watchable,
)
from petplatform_constructs.observability.pack.rendering import (
    Renderer,
    dashboard_intro,
    section_id,
)
from petplatform_constructs.observability.pack.services import ServiceWatches
from petplatform_constructs.observability.pack.validation import (
    SUPPORTED,
    plan_pack,
    watch_method,
)
from petplatform_constructs.observability.plans.cloudtrail import (
    ACCESS_DENIED_FILTER_PATTERN,
    access_denied_plan,
)
from petplatform_constructs.platform.stage import StageProfile

if TYPE_CHECKING:
    from petplatform_constructs.core.watch import Watcher

__all__ = [
    "ACCESS_DENIED_CONSTRUCT_ID",
    "ACCESS_DENIED_METRIC_NAMESPACE",
    "DASHBOARD_CONSTRUCT_ID",
    "ObservabilityPack",
    "SupportsObservability",
]

DASHBOARD_CONSTRUCT_ID = "Dashboard"
"""Construct id of the CloudWatch dashboard."""
ACCESS_DENIED_CONSTRUCT_ID = "AccessDenied"
"""Construct id of the access-denied section (its filter, alarm and imported log group)."""
ACCESS_DENIED_METRIC_NAMESPACE = "CloudTrailMetrics"
"""Namespace of the access-denied metric; its name is ``AccessDenied-{stage}``."""

SupportsObservability = Observable
"""Former name of :class:`~petplatform_constructs.core.watch.Observable`."""


class ObservabilityPack(Construct, ServiceWatches):
    """Alert topic, dashboard, alarms with runbooks and cost budgets for a platform.

    Stable construct ids: ``AlertTopic`` (SNS topic; email subscriptions below it),
    ``AlertTopicKey`` (its KMS key), ``Dashboard``, ``Budget-{name}`` per budget,
    ``AccessDenied`` (``MetricFilter``, ``Alarm``, ``CloudTrailLogGroup``), and one section per
    watched resource, ``{Kind}-{path below its stack}`` (e.g. ``Table-Profiles``), holding its
    alarms (``Throttles``, ``ErrorRate``, ``Latency``...). Alarms hold no data: renaming a
    watched construct replaces its alarms and loses only their history. Outputs (with
    ``export_prefix``): ``AlertTopicArnOutput``, ``DashboardNameOutput``.

    Args:
        scope: parent construct.
        id: construct id.
        existing_alert_topic: an existing topic to notify instead of creating one; it takes none of
            ``alarm_email_addresses``, ``topic_name`` and ``encryption_key``. Its owner must let
            CloudWatch (and AWS Budgets, with budgets) publish and use its key. Default: create
            an encrypted topic.
        props: see :class:`ObservabilityPackProps`; every prop is optional and documents its
            default.

    Raises:
        PropError: every invalid prop at once, each with the value received and what is allowed.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        existing_alert_topic: sns.ITopic | None = None,
        **props: Unpack[ObservabilityPackProps],
    ) -> None:
        super().__init__(scope, id)
        self._owner = f"{type(self).__name__} {self.node.path}"
        received = receive(self._owner, ObservabilityPackProps, props)
        problems, valid = received.problems, received.valid
        alert_topic = existing_alert_topic
        if alert_topic is not None and not hasattr(alert_topic, "topic_arn"):
            problems.add("existing_alert_topic", alert_topic, "an sns.ITopic")
        creation = {p: props.get(p) for p in TOPIC_CREATION_PROPS}
        wraps = check_existing(problems, "existing_alert_topic", alert_topic, creation)
        profile = StageProfile.of(self, valid.get("stage_profile"))
        plan = plan_pack(self, problems, valid, wraps=wraps)
        problems.raise_if_any()

        self.window = plan.window
        """The alarm window in force."""
        self.thresholds = plan.thresholds
        """The default thresholds in force."""
        enabled = valid.get("alarms_enabled")
        self.alarms_enabled: bool = profile.alarms_enabled if enabled is None else enabled
        """Whether alarms are created."""
        self.outputs: dict[str, CfnOutput] = {}
        """The exported outputs by attribute (``AlertTopicArn``, ``DashboardName``)."""
        self.alarms: list[cloudwatch.Alarm] = []
        """Every alarm created so far, in creation order."""
        self.watched: list[IConstruct] = []
        """The constructs watched (or registered) so far."""
        self._watched_keys: set[str] = set()
        self._registered: set[str] = set()
        self._stage = profile.stage.value

        self.created_topic: sns.Topic | None = None
        """The created topic; ``None`` with ``existing_alert_topic``."""
        self.topic_key: kms.IKey | None = None
        """The key of the created topic; ``None`` with ``existing_alert_topic``."""
        self.slack_channel: chatbot.CfnSlackChannelConfiguration | None = None
        """The Slack channel configuration, with ``slack_channel``."""
        self.imported = existing_alert_topic is not None
        """Whether the pack notifies an existing topic instead of one it created."""
        if alert_topic is None:
            self.created_topic, self.topic_key = create_alert_topic(
                self,
                topic_name=plan.topic_name,
                encryption_key=valid.get("encryption_key"),
                email_addresses=plan.email_addresses,
                removal_policy=profile.removal_policy,
            )
            alert_topic = self.created_topic
            self.slack_channel = subscribe_channels(
                self,
                self.created_topic,
                valid.get("slack_channel"),
                valid.get("alarm_https_endpoints") or (),
            )
            if profile.prod_like:
                warn_without_subscribers(self, self.created_topic)
        self.alert_topic: sns.ITopic = alert_topic
        """The topic every alarm notifies."""

        self.dashboard = cloudwatch.Dashboard(
            self,
            DASHBOARD_CONSTRUCT_ID,
            dashboard_name=plan.dashboard_name,
            default_interval=Duration.hours(3),
        )
        """The dashboard."""
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown=dashboard_intro(
                    self, alarms_enabled=self.alarms_enabled, stage=self._stage
                ),
                width=24,
                height=2,
            )
        )
        self._renderer = Renderer(
            self.dashboard,
            self.window,
            cloudwatch_actions.SnsAction(alert_topic),
            alarms_enabled=self.alarms_enabled,
        )

        budgets = valid.get("budgets") or ()
        self.budgets: dict[str, aws_budgets.CfnBudget] = {}
        """The ``AWS::Budgets::Budget`` resources by budget spec name."""
        if budgets:
            allow_budgets_to_publish(self, alert_topic, self.topic_key)
        for spec, budget_name in zip(budgets, plan.budget_names, strict=True):
            self.budgets[spec.name] = create_budget(
                self, f"Budget-{spec.name}", spec, budget_name=budget_name, topic=alert_topic
            )

        self.access_denied_filter: logs.MetricFilter | None = None
        """The metric filter on the CloudTrail log group, if any."""
        log_group = valid.get("access_denied_log_group")
        if log_group is not None:
            self._watch_access_denied(log_group)

        self.watch(*(valid.get("watch") or ()))
        if valid.get("discover"):
            self.watch_all_in(scope)
        export_prefix = valid.get("export_prefix")
        if export_prefix is not None:
            self.outputs.update(
                add_exports(
                    self,
                    export_prefix,
                    {
                        "AlertTopicArn": self.alert_topic.topic_arn,
                        "DashboardName": self.dashboard.dashboard_name,
                    },
                )
            )

    # -- registration -----------------------------------------------------------------------
    def watch(self, *things: Watchable) -> list[cloudwatch.Alarm]:
        """Watch each of ``things``: an :class:`Observable` registers its own parts; an L2
        resource is watched with the ``watch_*`` method of its type, default settings.

        Returns:
            The alarms created (empty when alarms are disabled).
        """
        created: list[cloudwatch.Alarm] = []
        for thing in things:
            created.extend(self._dispatch(thing))
        return created

    def watch_all_in(self, scope: IConstruct) -> list[IConstruct]:
        """Watch every :class:`Observable` construct below ``scope`` that is not watched yet.

        Finds every construct implementing ``register_observability(watcher)`` (the library's
        DataTable, ProfilesTable, AuthPool, SecureBucket, ImageBuckets, ServerlessApi, and
        yours) by walking the construct tree now: call it after creating them. Resources
        watched already (explicitly, or by their parent construct) are skipped, so explicit
        settings win when given first.

        Returns:
            The constructs it started watching.
        """
        own_prefix = self.node.path + "/"
        found: list[IConstruct] = []
        for construct in scope.node.find_all():
            path = construct.node.path
            if path == self.node.path or path.startswith(own_prefix):
                continue
            if not isinstance(construct, Observable) or self._covered(construct):
                continue
            self._register(construct)
            found.append(construct)
        return found

    def add_plan(
        self, subject: IConstruct, plan: WatchPlan, *, variant: str | None = None
    ) -> list[cloudwatch.Alarm]:
        """Render a custom :class:`WatchPlan` for ``subject``: a dashboard section and alarms.

        For constructs whose metrics the pack does not know; ``variant`` distinguishes two
        plans of one subject (e.g. two API stages).
        """
        return self._watch(subject, lambda _label: plan, variant=variant)

    def is_watched(self, subject: IConstruct, variant: str | None = None) -> bool:
        """Whether ``subject`` (in ``variant``) is watched already."""
        return _key(subject, variant) in self._watched_keys

    def _covered(self, construct: IConstruct) -> bool:
        """Watched, or registered through :class:`Observable`: discovery skips it."""
        return self.is_watched(construct) or construct.node.addr in self._registered

    def _dispatch(self, thing: Watchable) -> list[cloudwatch.Alarm]:
        method = watch_method(thing)
        require(
            method is not None, self._owner, "watch", describe(thing), f"supported: {SUPPORTED}"
        )
        watch: Callable[[Watchable], list[cloudwatch.Alarm]] = getattr(self, str(method))
        return watch(thing)

    def _register(self, thing: Observable) -> list[cloudwatch.Alarm]:
        """Let ``thing`` hand its parts to this pack (once per construct)."""
        require(
            thing.node.addr not in self._registered,
            self._owner,
            "watch",
            thing.node.path,
            "each construct once: it is watched already",
        )
        # Registered, not watched: the construct may still add a plan for itself.
        self._registered.add(thing.node.addr)
        self.watched.append(cast(IConstruct, thing))
        before = len(self.alarms)
        thing.register_observability(self)
        return self.alarms[before:]

    def _watch(
        self,
        subject: IConstruct,
        build: Callable[[str], WatchPlan],
        *,
        variant: str | None = None,
    ) -> list[cloudwatch.Alarm]:
        require(
            not self.is_watched(subject, variant),
            self._owner,
            "watch",
            subject.node.path + (f" ({variant})" if variant else ""),
            "each resource once: it is watched already (explicitly, by its parent construct or "
            "by discovery); give explicit settings before calling watch_all_in",
        )
        plan = build(subject.node.path)
        problems = Problems(self._owner)
        self._renderer.check(problems, plan)
        problems.raise_if_any()
        self._watched_keys.add(_key(subject, variant))
        if subject not in self.watched:
            self.watched.append(subject)
        section = Construct(self, section_id(self, plan.kind, subject, variant))
        return self._render(plan, section)

    def _render(self, plan: WatchPlan, section: Construct) -> list[cloudwatch.Alarm]:
        alarms = self._renderer.render(plan, section)
        self.alarms.extend(alarms)
        return alarms

    def _watch_access_denied(self, log_group: logs.ILogGroup | str) -> None:
        """A metric filter counting denied API calls in CloudTrail's log group, and its plan."""
        section = Construct(self, ACCESS_DENIED_CONSTRUCT_ID)
        if isinstance(log_group, str):
            label = log_group
            group = logs.LogGroup.from_log_group_name(section, "CloudTrailLogGroup", log_group)
        else:
            label = log_group.node.path
            group = log_group
        self.access_denied_filter = logs.MetricFilter(
            section,
            "MetricFilter",
            log_group=group,
            filter_pattern=logs.FilterPattern.literal(ACCESS_DENIED_FILTER_PATTERN),
            metric_namespace=ACCESS_DENIED_METRIC_NAMESPACE,
            metric_name=f"AccessDenied-{self._stage}",
            metric_value="1",
        )
        metric = self.access_denied_filter.metric(statistic="Sum", period=self.window.period)
        self._render(
            access_denied_plan(
                metric, log_group_label=label, events=self.thresholds.access_denied_events
            ),
            section,
        )


def _key(subject: IConstruct, variant: str | None) -> str:
    return subject.node.addr + (f"#{variant}" if variant else "")


if TYPE_CHECKING:

    def _is_a_watcher(pack: ObservabilityPack) -> Watcher:
        return pack  # mypy checks that the pack implements the Watcher protocol
