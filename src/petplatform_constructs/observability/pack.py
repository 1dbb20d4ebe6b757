"""ObservabilityPack: one alert topic, one dashboard, alarms with runbooks, and cost budgets.

The pack watches the resources of a platform: tables, user pools, buckets, Lambda functions,
queues and APIs. For each, it adds a dashboard section and, when alarms are enabled (prod-like
stages by default), alarms that notify the alert topic on ALARM and on OK. Each alarm description
ends with a runbook line. What to watch on a kind of resource is a *plan* (see
:mod:`petplatform_constructs.observability.plans`); this module only renders plans, dispatches
resources to them, and finds this library's constructs in a construct tree.

Discovery walks the tree when it is called (:meth:`ObservabilityPack.watch_all_in`, or
``discover=True`` at construction), not in an Aspect: alarms created by Aspects exist only from
the prepare phase on, so nobody could list, test or extend them before synthesis. The price is a
call order: create (or call ``watch_all_in``) after the constructs it should find.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias, cast

from aws_cdk import Annotations, CfnOutput, Duration, Stack, Token, aws_budgets
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from petplatform_constructs.core.errors import PropError, require, require_sequence
from petplatform_constructs.core.exports import add_exports, check_export_prefix
from petplatform_constructs.core.resources import TableLike, as_table
from petplatform_constructs.core.watch import BucketMetrics, Observable, UserPoolMetrics
from petplatform_constructs.observability.alerting import (
    allow_budgets_to_publish,
    create_alert_topic,
    create_budget,
)
from petplatform_constructs.observability.plans import (
    ACCESS_DENIED_FILTER_PATTERN,
    AlarmRule,
    Panel,
    WatchPlan,
    access_denied_plan,
    bucket_plan,
    function_plan,
    http_api_plan,
    queue_plan,
    rest_api_plan,
    table_plan,
    user_pool_plan,
)
from petplatform_constructs.observability.settings import (
    AlarmThresholds,
    AlarmWindow,
    BudgetSpec,
    check_email,
    check_percent,
    check_positive,
    check_statistic,
)
from petplatform_constructs.platform.naming import Naming, ResourceKind, validate_name
from petplatform_constructs.platform.stage import StageProfile

__all__ = [
    "ACCESS_DENIED_METRIC_NAMESPACE",
    "DASHBOARD_CONSTRUCT_ID",
    "TOPIC_CONSTRUCT_ID",
    "TOPIC_KEY_CONSTRUCT_ID",
    "AlarmRule",
    "AlarmThresholds",
    "AlarmWindow",
    "BudgetSpec",
    "ObservabilityPack",
    "Panel",
    "SupportsObservability",
    "WatchPlan",
    "Watchable",
]

TOPIC_CONSTRUCT_ID = "AlertTopic"
"""Construct id of the created SNS topic. Public contract: subscriptions hang off it."""
TOPIC_KEY_CONSTRUCT_ID = "AlertTopicKey"
"""Construct id of the KMS key created for the topic."""
DASHBOARD_CONSTRUCT_ID = "Dashboard"
"""Construct id of the CloudWatch dashboard."""
ACCESS_DENIED_METRIC_NAMESPACE = "CloudTrailMetrics"
"""Namespace of the access-denied metric; its name is ``AccessDenied-{stage}``."""

_LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3)
_SYMBOLS = {
    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD: ">",
    cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD: ">=",
    cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD: "<",
    cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD: "<=",
}
_GRAPH_WIDTH = 6
_GRAPH_HEIGHT = 6
_SUPPORTED = (
    "a construct of this library (or any construct with register_observability(watcher)), "
    "a dynamodb ITable, lambda IFunction, sqs IQueue, apigateway IRestApi or apigatewayv2 "
    "IHttpApi"
)


SupportsObservability = Observable
"""Former name of :class:`~petplatform_constructs.core.watch.Observable`."""


Watchable: TypeAlias = (
    "Observable | TableLike | lambda_.IFunction | sqs.IQueue | apigateway.IRestApi "
    "| apigatewayv2.IHttpApi"
)
"""Anything :meth:`ObservabilityPack.watch` accepts."""


class ObservabilityPack(Construct):
    """Alert topic, dashboard, alarms with runbooks and cost budgets for a platform.

    Stable construct ids: ``AlertTopic`` (SNS topic; email subscriptions below it),
    ``AlertTopicKey`` (its KMS key), ``Dashboard``, ``Budget-{name}`` per budget,
    ``AccessDenied`` (``MetricFilter``, ``Alarm``, ``CloudTrailLogGroup``), and one section per
    watched resource, ``{Kind}-{path below its stack}`` (e.g. ``Table-Profiles``), holding its
    alarms (``Throttles``, ``ErrorRate``, ``Latency``...). Alarms hold no data: renaming a
    watched construct replaces its alarms and loses only their history.

    Args:
        scope: parent construct.
        id: construct id.
        name: short name of the topic and the dashboard, through the naming strategy in scope.
            Default: CloudFormation-generated names.
        alarm_email_addresses: email subscriptions of the created topic. Each address
            must confirm the subscription from the email AWS sends. Default none.
        alert_topic: an existing topic to notify instead of creating one. Not with
            ``alarm_email_addresses``, ``topic_name`` or ``encryption_key``. Its owner must let
            CloudWatch (and AWS Budgets, with budgets) publish and use its key.
        topic_name: literal topic name; overrides ``name`` for the topic.
        encryption_key: KMS key of the created topic. Default: a new key with rotation,
            retained in prod-like stages. (The AWS-managed ``alias/aws/sns`` key cannot work:
            CloudWatch may not use it.)
        dashboard_name: literal dashboard name (letters, digits, ``-`` and ``_``); overrides
            ``name`` for the dashboard.
        alarms_enabled: create alarms. Default: ``StageProfile.alarms_enabled`` (off in dev).
            The dashboard and budgets exist either way.
        alarm_window: M of N datapoints for alarms. Default: 3 of 5 one-minute periods.
        thresholds: default thresholds; ``watch_*`` arguments override them per resource.
        watch: resources to watch now, as with :meth:`watch`. Default none.
        discover: also watch every construct of this library found below ``scope`` now, as
            with :meth:`watch_all_in` (so create the pack after them). Default False.
        budgets: monthly cost budgets notifying the topic, e.g.
            ``[BudgetSpec.monthly_cost_alerts(50, 100)]``. Default none.
        access_denied_log_group: CloudTrail's log group (an ``ILogGroup`` or its name) to count
            access-denied API calls in, with a metric filter and an alarm.
            Trails are per account: configure it in one pack per account and region. Default:
            none, and no filter.
        export_prefix: export ``{prefix}-AlertTopicArn`` and ``{prefix}-DashboardName``.
            Default: no outputs.
        stage_profile: Default: the profile in scope.
        naming: Default: the naming strategy in scope (used with ``name`` and budget names;
            names are used literally when the app has none).

    Attributes:
        alert_topic: the topic every alarm notifies.
        created_topic: the created topic, ``None`` with ``alert_topic``.
        topic_key: the key of the created topic, ``None`` with ``alert_topic``.
        dashboard: the dashboard.
        alarms: every alarm created so far, in creation order.
        alarms_enabled: whether alarms are created.
        budgets: the ``AWS::Budgets::Budget`` resources by budget spec name.
        access_denied_filter: the metric filter on the CloudTrail log group, if any.
        watched: the constructs watched (or registered) so far.
        outputs: the exported outputs by construct id (with ``export_prefix``).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str | None = None,
        alarm_email_addresses: Sequence[str] = (),
        alert_topic: sns.ITopic | None = None,
        topic_name: str | None = None,
        encryption_key: kms.IKey | None = None,
        dashboard_name: str | None = None,
        alarms_enabled: bool | None = None,
        alarm_window: AlarmWindow | None = None,
        thresholds: AlarmThresholds | None = None,
        watch: Sequence[Watchable] = (),
        discover: bool = False,
        budgets: Sequence[BudgetSpec] = (),
        access_denied_log_group: logs.ILogGroup | str | None = None,
        export_prefix: str | None = None,
        stage_profile: StageProfile | None = None,
        naming: Naming | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._owner = f"ObservabilityPack '{self.node.path}'"
        profile = StageProfile.of(self, stage_profile)
        self._naming = _naming_or_none(self, naming)
        self.window = alarm_window or AlarmWindow()
        """The alarm window in force."""
        self.thresholds = thresholds or AlarmThresholds()
        """The default thresholds in force."""
        self.window.check(self._owner)
        self.thresholds.check(self._owner)
        emails = self._check_emails(alarm_email_addresses)
        if alert_topic is not None:
            creation = {
                "alarm_email_addresses": emails or None,
                "topic_name": topic_name,
                "encryption_key": encryption_key,
            }
            conflicting = sorted(k for k, v in creation.items() if v is not None)
            require(
                not conflicting,
                self._owner,
                "alert_topic",
                alert_topic.node.path,
                f"an existing topic takes no topic-creation props; remove "
                f"{', '.join(conflicting)} (subscribe addresses on the topic itself)",
            )
        resolved_topic_name = self._topic_name(name, topic_name)
        resolved_dashboard_name = self._dashboard_name(name, dashboard_name)
        require_sequence(self._owner, "budgets", budgets)
        budget_names = self._check_budgets(budgets)
        if isinstance(access_denied_log_group, str):
            try:
                validate_name(ResourceKind.LOG_GROUP, access_denied_log_group)
            except PropError as exc:
                raise PropError(
                    self._owner, "access_denied_log_group", access_denied_log_group, exc.allowed
                ) from exc
        check_export_prefix(self._owner, export_prefix)
        require_sequence(self._owner, "watch", watch)

        self.alarms_enabled: bool = (
            profile.alarms_enabled if alarms_enabled is None else alarms_enabled
        )
        self.outputs: dict[str, CfnOutput] = {}
        self.alarms: list[cloudwatch.Alarm] = []
        self.watched: list[IConstruct] = []
        self._watched_keys: set[str] = set()
        self._registered: set[str] = set()
        self._stage = profile.stage.value

        self.created_topic: sns.Topic | None = None
        self.topic_key: kms.IKey | None = None
        if alert_topic is None:
            self.created_topic, self.topic_key = create_alert_topic(
                self,
                topic_name=resolved_topic_name,
                encryption_key=encryption_key,
                email_addresses=emails,
                removal_policy=profile.removal_policy,
            )
            alert_topic = self.created_topic
        self.alert_topic: sns.ITopic = alert_topic
        self._action = cloudwatch_actions.SnsAction(alert_topic)

        self.dashboard = cloudwatch.Dashboard(
            self,
            DASHBOARD_CONSTRUCT_ID,
            dashboard_name=resolved_dashboard_name,
            default_interval=Duration.hours(3),
        )
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(markdown=self._dashboard_intro(), width=24, height=2)
        )

        self.budgets: dict[str, aws_budgets.CfnBudget] = {}
        if budgets:
            allow_budgets_to_publish(self, alert_topic, self.topic_key)
        for spec, budget_name in zip(budgets, budget_names, strict=True):
            self.budgets[spec.name] = create_budget(
                self, f"Budget-{spec.name}", spec, budget_name=budget_name, topic=alert_topic
            )

        self.access_denied_filter: logs.MetricFilter | None = None
        if access_denied_log_group is not None:
            self._watch_access_denied(access_denied_log_group)

        self.watch(*watch)
        if discover:
            self.watch_all_in(scope)
        if export_prefix is not None:
            self._export(export_prefix)

    # -- generic registration -------------------------------------------------------------------
    def watch(self, *things: Watchable) -> list[cloudwatch.Alarm]:
        """Watch each of ``things`` with the ``watch_*`` method of its type, default settings.

        Returns:
            The alarms created (empty when alarms are disabled).
        """
        created: list[cloudwatch.Alarm] = []
        for thing in things:
            created.extend(self._dispatch(thing))
        return created

    def watch_all_in(self, scope: IConstruct) -> list[IConstruct]:
        """Watch every construct of this library below ``scope`` that is not watched yet.

        Finds DataTable (ProfilesTable), AuthPool, ImageBuckets, SecureBucket and constructs
        implementing :class:`SupportsObservability`, by walking the construct tree now: call it
        after creating them. Resources watched already (explicitly, or by their parent
        construct) are skipped, so explicit settings win when given first.

        Returns:
            The constructs it started watching.
        """
        own_prefix = self.node.path + "/"
        found: list[IConstruct] = []
        for construct in scope.node.find_all():
            path = construct.node.path
            if path == self.node.path or path.startswith(own_prefix):
                continue
            if not _is_discoverable(construct) or self._covered(construct):
                continue
            self._dispatch(construct)  # type: ignore[arg-type] # narrowed by _is_discoverable
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
        """Watched, or registered through :class:`SupportsObservability`: discovery skips it."""
        return self.is_watched(construct) or construct.node.addr in self._registered

    # -- resource types -------------------------------------------------------------------------
    def watch_table(
        self, table: TableLike, *, throttle_threshold: int | None = None
    ) -> list[cloudwatch.Alarm]:
        """DynamoDB: alarm on read + write throttle events per table, dashboard.

        Args:
            table: a DataTable, or any ``ITable``/``ITableV2``.
            throttle_threshold: throttle events per period that alarm. Default
                ``thresholds.table_throttle_events`` (1).
        """
        events = self._positive(
            "throttle_threshold", throttle_threshold, self.thresholds.table_throttle_events
        )
        l2 = as_table(table)
        return self._watch(
            cast(IConstruct, table),
            lambda label: table_plan(
                l2, label=label, throttle_events=events, period=self.window.period
            ),
        )

    def watch_user_pool(
        self, pool: UserPoolMetrics, *, throttle_threshold: int | None = None
    ) -> list[cloudwatch.Alarm]:
        """Cognito: sign-in/sign-up/token-refresh successes, alarm on sign-in throttles.

        Args:
            pool: the AuthPool; its app clients are watched one by one.
            throttle_threshold: throttled sign-ins per period that alarm. Default
                ``thresholds.sign_in_throttles`` (1).
        """
        throttles = self._positive(
            "throttle_threshold", throttle_threshold, self.thresholds.sign_in_throttles
        )
        return self._watch(
            cast(IConstruct, pool),
            lambda label: user_pool_plan(
                pool, label=label, sign_in_throttles=throttles, period=self.window.period
            ),
        )

    def watch_bucket(self, bucket: BucketMetrics | Observable) -> list[cloudwatch.Alarm]:
        """S3: storage and (with request metrics) requests and errors; dashboard only.

        A group of buckets (an ImageBuckets) is watched bucket by bucket.
        """
        if not hasattr(bucket, "metric_bucket_size_bytes") and isinstance(bucket, Observable):
            return self._register(bucket)
        subject = cast(IConstruct, bucket)
        metrics = cast(BucketMetrics, bucket)
        return self._watch(
            subject, lambda label: bucket_plan(metrics, label=label, period=self.window.period)
        )

    def watch_lambda(
        self,
        function: lambda_.IFunction,
        *,
        error_rate_percent: float | None = None,
        throttle_threshold: int | None = None,
        duration_threshold: Duration | None = None,
    ) -> list[cloudwatch.Alarm]:
        """Lambda: error rate, throttles and p99 duration alarms, dashboard.

        Args:
            function: the function.
            error_rate_percent: ``100 * Errors / Invocations`` above which to alarm. Default
                ``thresholds.lambda_error_rate_percent`` (5).
            throttle_threshold: throttles per period that alarm. Default 1.
            duration_threshold: p99 duration above which to alarm. Default: the function's
                timeout times ``thresholds.lambda_duration_timeout_fraction`` (0.8) for a
                ``lambda_.Function``; an imported function has no known timeout, so it gets no
                duration alarm unless this is given (a warning says so).
        """
        rate = self._percent(
            "error_rate_percent", error_rate_percent, self.thresholds.lambda_error_rate_percent
        )
        throttles = self._positive(
            "throttle_threshold", throttle_threshold, self.thresholds.lambda_throttles
        )
        duration_ms: float | None = None
        if duration_threshold is not None:
            duration_ms = duration_threshold.to_milliseconds()
            check_positive(self._owner, "duration_threshold", duration_ms)
        elif isinstance(function, lambda_.Function):
            timeout = function.timeout or _LAMBDA_DEFAULT_TIMEOUT
            fraction = self.thresholds.lambda_duration_timeout_fraction
            duration_ms = round(timeout.to_milliseconds() * fraction)
        else:
            Annotations.of(self).add_warning_v2(
                "petplatform:observability-no-duration-alarm",
                f"{function.node.path} has no known timeout (imported), so it gets no duration "
                "alarm: pass duration_threshold= to watch_lambda.",
            )
        return self._watch(
            function,
            lambda label: function_plan(
                function,
                label=label,
                error_rate_percent=rate,
                throttles=throttles,
                duration_threshold_ms=duration_ms,
                period=self.window.period,
            ),
        )

    def watch_queue(
        self, queue: sqs.IQueue, *, dlq: bool = False, max_age: Duration | None = None
    ) -> list[cloudwatch.Alarm]:
        """SQS: age of the oldest message of a work queue, or any message in a dead-letter queue.

        A created ``sqs.Queue`` with a dead-letter queue gets that one watched too (as a DLQ),
        unless it is watched already.

        Args:
            queue: the queue.
            dlq: ``queue`` is a dead-letter queue: alarm on the first visible message.
            max_age: oldest-message age that alarms (work queues only). Default
                ``thresholds.queue_oldest_message_age_seconds`` (300 s).
        """
        require(
            not (dlq and max_age is not None),
            self._owner,
            "max_age",
            max_age.to_human_string() if max_age else None,
            "applies to work queues only; a dead-letter queue alarms on its first message",
        )
        age = self._positive(
            "max_age",
            max_age.to_seconds() if max_age else None,
            self.thresholds.queue_oldest_message_age_seconds,
        )
        created = self._watch(
            queue,
            lambda label: queue_plan(
                queue,
                label=label,
                dead_letter_queue=dlq,
                oldest_message_age_seconds=age,
                dlq_messages=self.thresholds.dlq_messages,
                period=self.window.period,
            ),
        )
        dead_letters = queue.dead_letter_queue if isinstance(queue, sqs.Queue) else None
        if not dlq and dead_letters is not None and not self.is_watched(dead_letters.queue):
            created += self.watch_queue(dead_letters.queue, dlq=True)
        return created

    def watch_rest_api(
        self,
        api: apigateway.IRestApi,
        *,
        stage_name: str | None = None,
        api_name: str | None = None,
        error_rate_percent: float | None = None,
        latency: Duration | None = None,
        latency_statistic: str | None = None,
    ) -> list[cloudwatch.Alarm]:
        """API Gateway REST API: 5XX error rate and latency alarms, dashboard.

        Args:
            api: the API.
            stage_name: watch one stage (dimensions ``ApiName`` + ``Stage``). Default: all
                stages together (dimension ``ApiName``).
            api_name: the API's name, for an imported API (CloudWatch keys REST API metrics by
                name, which an imported ``IRestApi`` does not know). Default: ``rest_api_name``.
            error_rate_percent: ``100 * 5XXError / Count`` above which to alarm. Default
                ``thresholds.api_error_rate_percent`` (5).
            latency: latency above which to alarm. Default ``thresholds.api_latency_ms`` (2 s).
            latency_statistic: Default ``thresholds.api_latency_statistic`` (p90).
        """
        rate, latency_ms, statistic = self._api_thresholds(
            error_rate_percent, latency, latency_statistic
        )
        return self._watch(
            api,
            lambda label: rest_api_plan(
                api,
                label=label,
                stage_name=stage_name,
                api_name=api_name,
                error_rate_percent=rate,
                latency_ms=latency_ms,
                latency_statistic=statistic,
                period=self.window.period,
            ),
            variant=stage_name,
        )

    def watch_http_api(
        self,
        api: apigatewayv2.IHttpApi,
        *,
        stage_name: str | None = None,
        error_rate_percent: float | None = None,
        latency: Duration | None = None,
        latency_statistic: str | None = None,
    ) -> list[cloudwatch.Alarm]:
        """API Gateway HTTP API: 5XX error rate and latency alarms, dashboard.

        Args:
            api: the API.
            stage_name: watch one stage (dimensions ``ApiId`` + ``Stage``). Default: the whole
                API (dimension ``ApiId``).
            error_rate_percent: Default ``thresholds.api_error_rate_percent`` (5).
            latency: Default ``thresholds.api_latency_ms`` (2 s).
            latency_statistic: Default ``thresholds.api_latency_statistic`` (p90).
        """
        rate, latency_ms, statistic = self._api_thresholds(
            error_rate_percent, latency, latency_statistic
        )
        return self._watch(
            api,
            lambda label: http_api_plan(
                api,
                label=label,
                stage_name=stage_name,
                error_rate_percent=rate,
                latency_ms=latency_ms,
                latency_statistic=statistic,
                period=self.window.period,
            ),
            variant=stage_name,
        )

    # -- rendering ------------------------------------------------------------------------------
    def _dispatch(self, thing: Watchable) -> list[cloudwatch.Alarm]:
        if isinstance(thing, Observable):
            return self._register(thing)
        # L2 interfaces are jsii protocols, which isinstance cannot check: look at their API.
        if _has(thing, "metric_invocations", "function_arn"):
            return self.watch_lambda(thing)  # type: ignore[arg-type]
        if _has(thing, "metric_approximate_age_of_oldest_message"):
            return self.watch_queue(thing)  # type: ignore[arg-type]
        if _has(thing, "metric_consumed_read_capacity_units", "table_name"):
            return self.watch_table(thing)  # type: ignore[arg-type]
        if _has(thing, "rest_api_id"):
            return self.watch_rest_api(thing)  # type: ignore[arg-type]
        if _has(thing, "api_id", "metric_server_error", "add_vpc_link"):
            return self.watch_http_api(thing)  # type: ignore[arg-type]
        node = getattr(thing, "node", None)
        raise PropError(
            self._owner,
            "watch",
            f"{type(thing).__name__} at {node.path if node else '?'}",
            f"supported: {_SUPPORTED}",
        )

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
        self._check_plan(plan)
        self._mark(subject, variant)
        section = Construct(self, self._section_id(plan.kind, subject, variant))
        return self._render(plan, section)

    def _render(self, plan: WatchPlan, section: Construct) -> list[cloudwatch.Alarm]:
        alarms = (
            [self._alarm(section, rule) for rule in plan.alarm_rules] if self.alarms_enabled else []
        )
        heading = f"### {plan.title}" + (f"\n{plan.note}" if plan.note else "")
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(markdown=heading, width=24, height=2 if plan.note else 1)
        )
        widgets: list[cloudwatch.IWidget] = [_graph(panel) for panel in plan.panels]
        if alarms:
            widgets.append(
                cloudwatch.AlarmStatusWidget(
                    alarms=list(alarms), title="Alarms", width=_GRAPH_WIDTH, height=_GRAPH_HEIGHT
                )
            )
        if widgets:
            self.dashboard.add_widgets(*widgets)
        self.alarms.extend(alarms)
        return alarms

    def _alarm(self, section: Construct, rule: AlarmRule) -> cloudwatch.Alarm:
        alarm = cloudwatch.Alarm(
            section,
            rule.id,
            metric=rule.metric,
            threshold=rule.threshold,
            comparison_operator=rule.comparison,
            evaluation_periods=rule.evaluation_periods or self.window.evaluation_periods,
            datapoints_to_alarm=rule.datapoints_to_alarm or self.window.datapoints_to_alarm,
            treat_missing_data=rule.treat_missing_data,
            alarm_description=rule.description,
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        return alarm

    def _check_plan(self, plan: WatchPlan) -> None:
        ids = [rule.id for rule in plan.alarm_rules]
        require(
            len(set(ids)) == len(ids), self._owner, "plan.alarm ids", ids, "unique within a plan"
        )
        for rule in plan.alarm_rules:
            AlarmWindow(
                period=self.window.period,
                evaluation_periods=rule.evaluation_periods or self.window.evaluation_periods,
                datapoints_to_alarm=rule.datapoints_to_alarm or self.window.datapoints_to_alarm,
            ).check(self._owner, f"plan {plan.kind} alarm {rule.id}")
            require(
                len(rule.description) <= 1024,
                self._owner,
                f"plan {plan.kind} alarm {rule.id} description",
                rule.description[:60] + "...",
                "at most 1024 characters (CloudWatch limit)",
            )

    def _section_id(self, kind: str, subject: IConstruct, variant: str | None) -> str:
        own_stack = Stack.of(self).node.path
        path = subject.node.path
        if Stack.of(subject).node.path == own_stack and path.startswith(own_stack + "/"):
            path = path[len(own_stack) + 1 :]
        return f"{kind}-{path.replace('/', '-')}" + (f"-{variant}" if variant else "")

    def _mark(self, subject: IConstruct, variant: str | None) -> None:
        self._watched_keys.add(_key(subject, variant))
        if subject not in self.watched:
            self.watched.append(subject)

    def _dashboard_intro(self) -> str:
        alarms = (
            "Alarms notify the alert topic on ALARM and OK; each description ends with a runbook."
            if self.alarms_enabled
            else f"Alarms are off in stage {self._stage} (StageProfile.alarms_enabled): "
            "thresholds are drawn for reference."
        )
        return f"# {self.node.path}\n{alarms}"

    # -- CloudTrail -------------------------------------------------------------------------
    def _watch_access_denied(self, log_group: logs.ILogGroup | str) -> None:
        section = Construct(self, "AccessDenied")
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

    # -- validation helpers -----------------------------------------------------------------
    def _positive(self, prop: str, value: float | None, default: float) -> float:
        if value is None:
            return default
        check_positive(self._owner, prop, value)
        return value

    def _percent(self, prop: str, value: float | None, default: float) -> float:
        if value is None:
            return default
        check_percent(self._owner, prop, value)
        return value

    def _api_thresholds(
        self, rate: float | None, latency: Duration | None, statistic: str | None
    ) -> tuple[float, float, str]:
        resolved_statistic = statistic or self.thresholds.api_latency_statistic
        check_statistic(self._owner, "latency_statistic", resolved_statistic)
        return (
            self._percent("error_rate_percent", rate, self.thresholds.api_error_rate_percent),
            self._positive(
                "latency",
                latency.to_milliseconds() if latency else None,
                self.thresholds.api_latency_ms,
            ),
            resolved_statistic,
        )

    def _check_emails(self, addresses: Sequence[str]) -> list[str]:
        require_sequence(self._owner, "alarm_email_addresses", addresses)
        for address in addresses:
            check_email(self._owner, "alarm_email_addresses", address)
        duplicates = sorted({a for a in addresses if list(addresses).count(a) > 1})
        require(
            not duplicates, self._owner, "alarm_email_addresses", duplicates, "each address once"
        )
        return list(addresses)

    def _check_budgets(self, specs: Sequence[BudgetSpec]) -> list[str]:
        for index, spec in enumerate(specs):
            spec.check(self._owner, f"budgets[{index}]")
        names = [spec.name for spec in specs]
        physical = [self._naming.name(n) if self._naming else n for n in names]
        for prop, values in (("budgets[].name", names), ("budgets[] physical name", physical)):
            duplicates = sorted({v for v in values if values.count(v) > 1})
            require(
                not duplicates,
                self._owner,
                prop,
                duplicates,
                "budget names are unique per account: give each budget its own name",
            )
        for name in physical:
            require(
                len(name) <= 100 and not set(name) & {":", "\\"},
                self._owner,
                "budgets[].name",
                name,
                "the named budget must be 1-100 characters without ':' or '\\'",
            )
        return physical

    def _topic_name(self, name: str | None, literal: str | None) -> str | None:
        if literal is not None:
            return self._valid(ResourceKind.SNS_TOPIC, "topic_name", literal)
        if name is None:
            return None
        full = self._naming.name(name, ResourceKind.SNS_TOPIC) if self._naming else name
        return self._valid(ResourceKind.SNS_TOPIC, "name", full)

    def _dashboard_name(self, name: str | None, literal: str | None) -> str | None:
        prop = "dashboard_name" if literal is not None else "name"
        full = literal if literal is not None else name
        if full is None:
            return None
        if literal is None and self._naming is not None:
            full = self._naming.name(full)
        if not Token.is_unresolved(full):
            validate_name(ResourceKind.CLOUDWATCH_DASHBOARD, full, owner=self._owner, prop=prop)
        return full

    def _valid(self, kind: ResourceKind, prop: str, value: str) -> str:
        if Token.is_unresolved(value):
            return value
        try:
            return validate_name(kind, value)
        except PropError as exc:
            raise PropError(self._owner, prop, value, exc.allowed) from exc

    def _export(self, prefix: str) -> None:
        self.outputs.update(
            add_exports(
                self,
                prefix,
                {
                    "AlertTopicArn": self.alert_topic.topic_arn,
                    "DashboardName": self.dashboard.dashboard_name,
                },
            )
        )


# -- module helpers ------------------------------------------------------------------------------
def _graph(panel: Panel) -> cloudwatch.GraphWidget:
    rule = panel.alarm
    annotations = (
        [
            cloudwatch.HorizontalAnnotation(
                value=rule.threshold,
                label=f"{rule.id} {_SYMBOLS.get(rule.comparison, '?')} {rule.threshold:g}",
            )
        ]
        if rule
        else None
    )
    return cloudwatch.GraphWidget(
        title=panel.title,
        left=list(panel.metrics),
        left_annotations=annotations,
        left_y_axis=cloudwatch.YAxisProps(min=0),
        width=_GRAPH_WIDTH,
        height=_GRAPH_HEIGHT,
    )


def _key(subject: IConstruct, variant: str | None) -> str:
    return subject.node.addr + (f"#{variant}" if variant else "")


def _has(thing: object, *attributes: str) -> bool:
    return all(hasattr(thing, attribute) for attribute in attributes)


def _is_discoverable(construct: IConstruct) -> bool:
    return isinstance(construct, Observable)


def _naming_or_none(scope: Construct, naming: Naming | None) -> Naming | None:
    """The naming in force, or ``None`` when the app has none (short names are then literal)."""
    try:
        return Naming.of(scope, naming)
    except PropError:
        return None
