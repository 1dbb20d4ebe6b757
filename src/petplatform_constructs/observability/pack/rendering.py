"""Rendering: a :class:`~petplatform_constructs.core.watch.WatchPlan` becomes a dashboard section
and, when alarms are enabled, alarms that notify the alert topic on ALARM and on OK.

A section is a text heading, one graph per panel (with the alarm threshold drawn on it) and an
alarm-status widget; its alarms live in a construct of their own, ``{Kind}-{path}``, below the
pack.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct, IConstruct

from petplatform_constructs.core.errors import Problems
from petplatform_constructs.core.watch import AlarmRule, Panel, WatchPlan
from petplatform_constructs.observability.settings import AlarmWindow

__all__ = ["GRAPH_HEIGHT", "GRAPH_WIDTH", "Renderer", "dashboard_intro", "graph", "section_id"]

GRAPH_WIDTH = 6
"""Width of a graph, in dashboard grid units (24 per row)."""
GRAPH_HEIGHT = 6
"""Height of a graph, in dashboard grid units."""
_SYMBOLS = {
    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD: ">",
    cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD: ">=",
    cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD: "<",
    cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD: "<=",
}
_MAX_DESCRIPTION = 1024  # CloudWatch's limit on an alarm description


class Renderer:
    """Renders plans into one dashboard and, when ``alarms_enabled``, into alarms.

    Args:
        dashboard: the dashboard that gets a section per plan.
        window: the default M of N window of every alarm.
        action: what an alarm does on ALARM and on OK (notify the alert topic).
        alarms_enabled: create alarms; without, thresholds are only drawn.
    """

    def __init__(
        self,
        dashboard: cloudwatch.Dashboard,
        window: AlarmWindow,
        action: cloudwatch.IAlarmAction,
        *,
        alarms_enabled: bool,
    ) -> None:
        self.dashboard = dashboard
        self.window = window
        self.action = action
        self.alarms_enabled = alarms_enabled

    def check(self, problems: Problems, plan: WatchPlan) -> None:
        """Record what CloudWatch would refuse in ``plan``: alarm ids, windows, descriptions."""
        ids = [rule.id for rule in plan.alarm_rules]
        problems.check(len(set(ids)) == len(ids), "plan.alarm ids", ids, "unique within a plan")
        for rule in plan.alarm_rules:
            prop = f"plan {plan.kind} alarm {rule.id}"
            self._window(rule).check(problems, prop)
            problems.check(
                len(rule.description) <= _MAX_DESCRIPTION,
                f"{prop} description",
                rule.description[:60] + "...",
                f"at most {_MAX_DESCRIPTION} characters (CloudWatch limit)",
            )

    def render(self, plan: WatchPlan, section: Construct) -> list[cloudwatch.Alarm]:
        """Add ``plan``'s section to the dashboard and its alarms to ``section``."""
        elsewhere = plan.region is not None and plan.region != Stack.of(section).region
        alarms = (
            [self._alarm(section, rule) for rule in plan.alarm_rules]
            if self.alarms_enabled and not elsewhere
            else []
        )
        notes = [plan.note] if plan.note else []
        if elsewhere and plan.alarm_rules:
            notes.append(
                f"Metrics from {plan.region}; CloudWatch alarms only on metrics of their own "
                f"region, so these thresholds alarm only in a pack deployed to {plan.region}."
            )
        heading = "\n".join([f"### {plan.title}", *notes])
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(markdown=heading, width=24, height=1 + len(notes))
        )
        widgets: list[cloudwatch.IWidget] = [graph(panel) for panel in plan.panels]
        if alarms:
            widgets.append(
                cloudwatch.AlarmStatusWidget(
                    alarms=list(alarms), title="Alarms", width=GRAPH_WIDTH, height=GRAPH_HEIGHT
                )
            )
        if widgets:
            self.dashboard.add_widgets(*widgets)
        return alarms

    def _window(self, rule: AlarmRule) -> AlarmWindow:
        return AlarmWindow(
            period=self.window.period,
            evaluation_periods=rule.evaluation_periods or self.window.evaluation_periods,
            datapoints_to_alarm=rule.datapoints_to_alarm or self.window.datapoints_to_alarm,
        )

    def _alarm(self, section: Construct, rule: AlarmRule) -> cloudwatch.Alarm:
        window = self._window(rule)
        alarm = cloudwatch.Alarm(
            section,
            rule.id,
            metric=rule.metric,
            threshold=rule.threshold,
            comparison_operator=rule.comparison,
            evaluation_periods=window.evaluation_periods,
            datapoints_to_alarm=window.datapoints_to_alarm,
            treat_missing_data=rule.treat_missing_data,
            alarm_description=rule.description,
        )
        alarm.add_alarm_action(self.action)
        alarm.add_ok_action(self.action)
        return alarm


def graph(panel: Panel) -> cloudwatch.GraphWidget:
    """One panel as a graph; with an alarm, its threshold is drawn as a horizontal line."""
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
        width=GRAPH_WIDTH,
        height=GRAPH_HEIGHT,
    )


def section_id(pack: IConstruct, kind: str, subject: IConstruct, variant: str | None) -> str:
    """``{kind}-{subject's path below the pack's stack}[-{variant}]``, ``/`` as ``-``."""
    own_stack = Stack.of(pack).node.path
    path = subject.node.path
    if Stack.of(subject).node.path == own_stack and path.startswith(own_stack + "/"):
        path = path[len(own_stack) + 1 :]
    return f"{kind}-{path.replace('/', '-')}" + (f"-{variant}" if variant else "")


def dashboard_intro(pack: IConstruct, *, alarms_enabled: bool, stage: str) -> str:
    """The dashboard's first widget: which pack it is and whether alarms are on."""
    alarms = (
        "Alarms notify the alert topic on ALARM and OK; each description ends with a runbook."
        if alarms_enabled
        else f"Alarms are off in stage {stage} (StageProfile.alarms_enabled): "
        "thresholds are drawn for reference."
    )
    return f"# {pack.node.path}\n{alarms}"
