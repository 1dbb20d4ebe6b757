"""The ``watch_*`` methods of the pack: one per kind of AWS resource, each with its overrides.

Each method checks its per-resource overrides (every problem at once), resolves the defaults from
the pack's :class:`AlarmThresholds`, and hands the service's plan (from
:mod:`petplatform_constructs.observability.plans`) to the pack, which renders it. A construct
calls them from ``register_observability(watcher)``; the pack never needs to know the construct.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_cdk import Annotations, Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_apigatewayv2 as apigatewayv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.resources import TableLike, as_table
from petplatform_constructs.core.watch import BucketMetrics, Observable, UserPoolMetrics, WatchPlan
from petplatform_constructs.observability.plans.apigateway import http_api_plan, rest_api_plan
from petplatform_constructs.observability.plans.cloudfront import distribution_plan
from petplatform_constructs.observability.plans.cognito import user_pool_plan
from petplatform_constructs.observability.plans.dynamodb import table_plan
from petplatform_constructs.observability.plans.lambda_ import function_plan
from petplatform_constructs.observability.plans.s3 import bucket_plan
from petplatform_constructs.observability.plans.sqs import queue_plan
from petplatform_constructs.observability.settings import (
    AlarmThresholds,
    AlarmWindow,
    check_duration,
    check_percent,
    check_positive,
    check_statistic,
)

__all__ = ["LAMBDA_DEFAULT_TIMEOUT", "ServiceWatches"]

LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3)
"""Lambda's timeout when a function sets none."""

_T = TypeVar("_T")
_Check = Callable[[Problems, str, Any], bool]


def _or(value: _T | None, default: _T) -> _T:
    return default if value is None else value


class ServiceWatches:
    """The ``watch_*`` methods of :class:`~petplatform_constructs.ObservabilityPack`.

    A mixin of the pack, which provides what is declared here.
    """

    window: AlarmWindow
    thresholds: AlarmThresholds
    _owner: str

    def _watch(
        self,
        subject: IConstruct,
        build: Callable[[str], WatchPlan],
        *,
        variant: str | None = None,
    ) -> list[cloudwatch.Alarm]:
        raise NotImplementedError  # the pack renders

    def _register(self, thing: Observable) -> list[cloudwatch.Alarm]:
        raise NotImplementedError  # the pack registers

    def is_watched(self, subject: IConstruct, variant: str | None = None) -> bool:
        raise NotImplementedError  # the pack knows

    def _check(self, *overrides: tuple[_Check, str, object]) -> None:
        """Raise every problem of ``(check, prop, value)`` overrides at once."""
        problems = Problems(self._owner)
        for check, prop, value in overrides:
            if value is not None:
                check(problems, prop, value)
        problems.raise_if_any()

    def watch_table(
        self, table: TableLike, *, throttle_threshold: int | None = None
    ) -> list[cloudwatch.Alarm]:
        """DynamoDB: alarm on read + write throttle events per table, dashboard.

        Args:
            table: a DataTable, or any ``ITable``/``ITableV2``.
            throttle_threshold: throttle events per period that alarm. Default
                ``thresholds.table_throttle_events`` (1).
        """
        self._check((check_positive, "throttle_threshold", throttle_threshold))
        events = _or(throttle_threshold, self.thresholds.table_throttle_events)
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
        self._check((check_positive, "throttle_threshold", throttle_threshold))
        throttles = _or(throttle_threshold, self.thresholds.sign_in_throttles)
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
        metrics = cast(BucketMetrics, bucket)
        return self._watch(
            cast(IConstruct, bucket),
            lambda label: bucket_plan(metrics, label=label, period=self.window.period),
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
        self._check(
            (check_percent, "error_rate_percent", error_rate_percent),
            (check_positive, "throttle_threshold", throttle_threshold),
            (check_duration, "duration_threshold", duration_threshold),
        )
        rate = _or(error_rate_percent, self.thresholds.lambda_error_rate_percent)
        throttles = _or(throttle_threshold, self.thresholds.lambda_throttles)
        duration_ms: float | None = None
        if duration_threshold is not None:
            duration_ms = duration_threshold.to_milliseconds()
        elif isinstance(function, lambda_.Function):
            timeout = function.timeout or LAMBDA_DEFAULT_TIMEOUT
            fraction = self.thresholds.lambda_duration_timeout_fraction
            duration_ms = round(timeout.to_milliseconds() * fraction)
        else:
            Annotations.of(cast(IConstruct, self)).add_warning_v2(
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
        self._check(
            (check_duration, "max_age", max_age),
            (_work_queue_only, "max_age", max_age if dlq else None),
        )
        age = max_age.to_seconds() if max_age else self.thresholds.queue_oldest_message_age_seconds
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
        return self._watch_api(
            api,
            rest_api_plan,
            stage_name=stage_name,
            error_rate_percent=error_rate_percent,
            latency=latency,
            latency_statistic=latency_statistic,
            api_name=api_name,
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
        return self._watch_api(
            api,
            http_api_plan,
            stage_name=stage_name,
            error_rate_percent=error_rate_percent,
            latency=latency,
            latency_statistic=latency_statistic,
        )

    def watch_distribution(
        self,
        distribution: cloudfront.IDistribution,
        *,
        error_rate_percent: float | None = None,
    ) -> list[cloudwatch.Alarm]:
        """CloudFront: 5xx, 4xx and total error rates; an alarm on the 5xx rate.

        CloudFront's metrics live in us-east-1: a pack in another region (or in a
        region-agnostic stack) graphs them with the threshold drawn, and creates no alarm.

        Args:
            distribution: the distribution (a ``Cdn`` registers its own).
            error_rate_percent: Default ``thresholds.distribution_5xx_error_rate_percent`` (5).
        """
        self._check((check_percent, "error_rate_percent", error_rate_percent))
        rate = _or(error_rate_percent, self.thresholds.distribution_5xx_error_rate_percent)
        return self._watch(
            cast(IConstruct, distribution),
            lambda label: distribution_plan(
                distribution.distribution_id,
                label=label,
                error_rate_percent=rate,
                period=self.window.period,
            ),
        )

    def _watch_api(
        self,
        api: IConstruct,
        plan: Callable[..., WatchPlan],
        *,
        stage_name: str | None,
        error_rate_percent: float | None,
        latency: Duration | None,
        latency_statistic: str | None,
        **extra: str | None,
    ) -> list[cloudwatch.Alarm]:
        """REST and HTTP APIs alike: the same overrides, one section per API (and stage)."""
        self._check(
            (check_percent, "error_rate_percent", error_rate_percent),
            (check_duration, "latency", latency),
            (check_statistic, "latency_statistic", latency_statistic),
        )
        rate = _or(error_rate_percent, self.thresholds.api_error_rate_percent)
        latency_ms = latency.to_milliseconds() if latency else self.thresholds.api_latency_ms
        statistic = _or(latency_statistic, self.thresholds.api_latency_statistic)
        return self._watch(
            api,
            lambda label: plan(
                api,
                label=label,
                stage_name=stage_name,
                error_rate_percent=rate,
                latency_ms=latency_ms,
                latency_statistic=statistic,
                period=self.window.period,
                **extra,
            ),
            variant=stage_name,
        )


def _work_queue_only(problems: Problems, prop: str, value: Duration) -> bool:
    return problems.check(
        False,
        prop,
        value.to_human_string() if isinstance(value, Duration) else value,
        "applies to work queues only; a dead-letter queue alarms on its first message",
    )
