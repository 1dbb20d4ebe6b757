"""``AWS::CloudWatch::Alarm``, single-metric or metric math: no model in moto 5.2."""

from __future__ import annotations

from typing import Any

from moto.cloudwatch.models import (
    Dimension,
    Metric,
    MetricDataQuery,
    MetricStat,
    cloudwatch_backends,
)

from petplatform_localcloud.moto_extensions.records import Json, Record, cfn_tags

__all__ = ["EXTENSIONS", "Alarm"]


def _dimensions(metric: Json) -> list[Dimension]:
    return [Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions", [])]


def _metric_queries(metrics: list[Json]) -> list[MetricDataQuery]:
    queries = []
    for query in metrics:
        stat = query.get("MetricStat")
        metric_stat = None
        if stat:
            metric = stat["Metric"]
            metric_stat = MetricStat(
                metric=Metric(metric["MetricName"], metric["Namespace"], _dimensions(metric)),
                period=str(stat["Period"]),
                stat=stat["Stat"],
                unit=stat.get("Unit"),
            )
        queries.append(
            MetricDataQuery(
                query_id=query["Id"],
                label=query.get("Label"),  # type: ignore[arg-type]  # moto accepts None
                period=str(query["Period"]) if "Period" in query else None,  # type: ignore[arg-type]
                return_data=str(query.get("ReturnData", True)).lower(),
                expression=query.get("Expression"),
                metric_stat=metric_stat,
            )
        )
    return queries


class Alarm(Record):
    """``AWS::CloudWatch::Alarm``, single-metric or metric math (``Ref`` is the alarm name)."""

    attributes = ("Arn",)

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudWatch::Alarm"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "AlarmName"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Alarm:
        props = cloudformation_json["Properties"]
        name = props.get("AlarmName", resource_name)
        metrics = props.get("Metrics")
        backend: Any = cloudwatch_backends[account_id][region_name]  # optional args typed as not
        alarm = backend.put_metric_alarm(
            name=name,
            namespace=props.get("Namespace"),
            metric_name=props.get("MetricName"),
            comparison_operator=props["ComparisonOperator"],
            evaluation_periods=int(props["EvaluationPeriods"]),
            period=int(props["Period"]) if "Period" in props else None,
            threshold=float(props["Threshold"]) if "Threshold" in props else None,
            statistic=props.get("Statistic"),
            description=props.get("AlarmDescription"),
            dimensions=list(props.get("Dimensions", [])),
            alarm_actions=list(props.get("AlarmActions", [])),
            metric_data_queries=_metric_queries(metrics) if metrics else None,
            datapoints_to_alarm=(
                int(props["DatapointsToAlarm"]) if "DatapointsToAlarm" in props else None
            ),
            extended_statistic=props.get("ExtendedStatistic"),
            ok_actions=list(props.get("OKActions", [])),
            insufficient_data_actions=list(props.get("InsufficientDataActions", [])),
            unit=props.get("Unit"),
            actions_enabled=bool(props.get("ActionsEnabled", True)),
            treat_missing_data=props.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=props.get("EvaluateLowSampleCountPercentile"),
            threshold_metric_id=props.get("ThresholdMetricId"),
            tags=cfn_tags(props),
        )
        return cls(name, {"Arn": alarm.alarm_arn})

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Record,
        new_resource_name: str,
        cloudformation_json: Json,
        account_id: str,
        region_name: str,
    ) -> Record:
        """``PutMetricAlarm`` overwrites an alarm of the same name; a new name replaces it."""
        props = cloudformation_json["Properties"]
        name = props.get("AlarmName", original_resource.physical_resource_id)
        if name != original_resource.physical_resource_id:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name
            )
        return cls.create_from_cloudformation_json(
            name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Json, account_id: str, region_name: str
    ) -> None:
        cloudwatch_backends[account_id][region_name].delete_alarms([resource_name])


EXTENSIONS = (Alarm,)
