"""What to watch on an API Gateway REST or HTTP API: requests, 5XX error rate and latency."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch

from petplatform_constructs.core.watch import Panel, WatchPlan
from petplatform_constructs.observability.plans.common import ABOVE, alarm_panel, percentage

if TYPE_CHECKING:
    from aws_cdk import Duration
    from aws_cdk import aws_apigatewayv2 as apigatewayv2

__all__ = ["http_api_plan", "rest_api_plan"]


@dataclass(frozen=True)
class _ApiMetrics:
    requests: cloudwatch.IMetric
    client_errors: cloudwatch.IMetric
    server_errors: cloudwatch.IMetric
    latency: cloudwatch.IMetric


@dataclass(frozen=True)
class _ApiAlarms:
    error_rate_percent: float
    latency_ms: float
    latency_statistic: str
    period: Duration


def _api_plan(
    kind: str, title: str, label: str, metrics: _ApiMetrics, alarms: _ApiAlarms
) -> WatchPlan:
    """Shared by REST and HTTP APIs: requests, 5XX error rate and latency."""
    rate, latency_ms, statistic = (
        alarms.error_rate_percent,
        alarms.latency_ms,
        alarms.latency_statistic,
    )
    return WatchPlan(
        kind=kind,
        title=title,
        panels=[
            Panel(
                "Requests and errors",
                [metrics.requests, metrics.client_errors, metrics.server_errors],
            ),
            alarm_panel(
                "5XX error rate (%)",
                percentage(
                    ("errors", metrics.server_errors),
                    ("requests", metrics.requests),
                    label="5XX error rate (%)",
                    period=alarms.period,
                ),
                id="ErrorRate",
                threshold=rate,
                comparison=ABOVE,
                summary=f"API {label}: more than {rate:g}% of requests returned 5XX.",
                runbook="check the integrations (Lambda errors and throttles, backend "
                "health) and the execution or access logs of the failing routes; roll back "
                "a bad deployment.",
            ),
            alarm_panel(
                f"Latency {statistic} (ms)",
                metrics.latency,
                id="Latency",
                threshold=latency_ms,
                comparison=ABOVE,
                summary=f"API {label}: {statistic} latency above {latency_ms:g} ms.",
                runbook="compare Latency with IntegrationLatency: a slow integration needs "
                "tracing (X-Ray), cold-start and database checks; otherwise look at "
                "authorizers and payload sizes.",
            ),
        ],
    )


def rest_api_plan(
    api: apigateway.IRestApi,
    *,
    label: str,
    stage_name: str | None,
    api_name: str | None,
    error_rate_percent: float,
    latency_ms: float,
    latency_statistic: str,
    period: Duration,
) -> WatchPlan:
    """A REST API (``AWS/ApiGateway``, dimension ``ApiName``, plus ``Stage`` with a stage).

    Without a stage or an explicit name, the L2's own metric helpers are used (all stages).
    """
    if stage_name is None and api_name is None and isinstance(api, apigateway.RestApiBase):
        metrics = _ApiMetrics(
            requests=api.metric_count(statistic="Sum", period=period),
            client_errors=api.metric_client_error(statistic="Sum", period=period),
            server_errors=api.metric_server_error(statistic="Sum", period=period),
            latency=api.metric_latency(statistic=latency_statistic, period=period),
        )
    else:
        dimensions = {"ApiName": api_name or api.rest_api_name}
        if stage_name is not None:
            dimensions["Stage"] = stage_name

        def metric(name: str, statistic: str = "Sum") -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map=dimensions,
                statistic=statistic,
                period=period,
            )

        metrics = _ApiMetrics(
            requests=metric("Count"),
            client_errors=metric("4XXError"),
            server_errors=metric("5XXError"),
            latency=metric("Latency", latency_statistic),
        )
    stage = f" (stage {stage_name})" if stage_name else ""
    return _api_plan(
        "RestApi",
        f"REST API {label}{stage}",
        label,
        metrics,
        _ApiAlarms(error_rate_percent, latency_ms, latency_statistic, period),
    )


def http_api_plan(
    api: apigatewayv2.IHttpApi,
    *,
    label: str,
    stage_name: str | None,
    error_rate_percent: float,
    latency_ms: float,
    latency_statistic: str,
    period: Duration,
) -> WatchPlan:
    """An HTTP API (``AWS/ApiGateway``, dimension ``ApiId``, plus ``Stage`` with a stage)."""
    dimensions = {"ApiId": api.api_id, "Stage": stage_name} if stage_name is not None else None

    metrics = _ApiMetrics(
        requests=api.metric_count(statistic="Sum", period=period, dimensions_map=dimensions),
        client_errors=api.metric_client_error(
            statistic="Sum", period=period, dimensions_map=dimensions
        ),
        server_errors=api.metric_server_error(
            statistic="Sum", period=period, dimensions_map=dimensions
        ),
        latency=api.metric_latency(
            statistic=latency_statistic, period=period, dimensions_map=dimensions
        ),
    )
    stage = f" (stage {stage_name})" if stage_name else ""
    return _api_plan(
        "HttpApi",
        f"HTTP API {label}{stage}",
        label,
        metrics,
        _ApiAlarms(error_rate_percent, latency_ms, latency_statistic, period),
    )
