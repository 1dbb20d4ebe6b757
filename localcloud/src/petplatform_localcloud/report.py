"""What a deploy did: per-stack results, the report, its summary table, and deploy errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "DemoResult",
    "DeployError",
    "DeployReport",
    "FailedResource",
    "StackResult",
    "format_summary",
]


@dataclass(frozen=True)
class FailedResource:
    logical_id: str
    resource_type: str
    status: str
    reason: str

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.resource_type}) {self.status}: {self.reason}"


class DeployError(RuntimeError):
    """A stack failed to deploy; ``failures`` names the failing resources and their reasons."""

    def __init__(
        self,
        stack_name: str,
        status: str,
        failures: Sequence[FailedResource] = (),
        detail: str = "",
    ) -> None:
        self.stack_name = stack_name
        self.status = status
        self.failures = tuple(failures)
        lines = [f"stack {stack_name} failed to deploy ({status})"]
        lines += [f"  {failure}" for failure in self.failures]
        if detail:
            lines.append(f"  {detail}")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class StackResult:
    """What happened to one stack."""

    stack_name: str
    action: str  # "create", "update", "unchanged" or "delete"
    status: str
    resources: int
    seconds: float
    outputs: Mapping[str, str] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()  # custom resources whose handlers did not run

    def line(self) -> str:
        skipped = f", {len(self.skipped)} custom skipped" if self.skipped else ""
        return (
            f"  {self.stack_name:<30} {self.action:<9} {self.status:<18} "
            f"{self.resources:>3} resources{skipped}  {self.seconds:6.2f} s"
        )


@dataclass(frozen=True)
class DeployReport:
    stacks: tuple[StackResult, ...]
    seconds: float

    def outputs(self, stack_name: str) -> Mapping[str, str]:
        for result in self.stacks:
            if result.stack_name == stack_name:
                return result.outputs
        raise KeyError(f"no stack {stack_name!r}; stacks: {[s.stack_name for s in self.stacks]}")

    @property
    def resource_count(self) -> int:
        return sum(result.resources for result in self.stacks)


def format_summary(report: DeployReport, title: str = "Deployed") -> str:
    """A plain-text table: stack, action, status, resources, skipped, seconds."""
    header = ("Stack", "Action", "Status", "Resources", "Skipped", "Seconds")
    rows = [
        (
            r.stack_name,
            r.action,
            r.status,
            str(r.resources),
            str(len(r.skipped)),
            f"{r.seconds:.2f}",
        )
        for r in report.stacks
    ]
    rows.append(
        (
            "total",
            "",
            "",
            str(report.resource_count),
            str(sum(len(r.skipped) for r in report.stacks)),
            f"{report.seconds:.2f}",
        )
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(w) if i >= 3 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([title, fmt(header), rule, *map(fmt, rows[:-1]), rule, fmt(rows[-1])])


@dataclass(frozen=True)
class DemoResult:
    """What an example's local scenario (``run_demo(stage)``) did, for ``make demo``'s table:
    its deployment and each step as ``(name, passed, detail)``."""

    stage: str
    report: DeployReport
    steps: list[tuple[str, bool, str]]
    scenario_seconds: float

    @property
    def passed(self) -> int:
        return sum(1 for _, ok, _ in self.steps if ok)

    @property
    def failures(self) -> list[str]:
        return [f"{name}: {detail}" for name, ok, detail in self.steps if not ok]
