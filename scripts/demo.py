"""`make demo`: synthesize every example app for every stage it declares, and summarize.

Each example lives in ``examples/<name>/`` with an ``app.py`` for the CDK CLI and a package
``<name>`` that exports ``STAGES`` and ``build(app, stage)``. For each stack the table shows its
resource count and its unacknowledged compliance findings (cdk-nag and the data-protection check).
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from petplatform_constructs.testing import make_app, synth

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def main() -> int:
    rows: list[tuple[str, str, str, int, int]] = []
    started = time.perf_counter()
    for app_file in sorted(EXAMPLES.glob("*/app.py")):
        name = app_file.parent.name
        sys.path.insert(0, str(app_file.parent))
        example = importlib.import_module(name)
        for stage in example.STAGES:
            app = make_app(bundling=False)  # the local-cloud part builds the Go functions
            example.build(app, stage)
            result = synth(app)
            for stack in result.templates:
                findings = len(result.findings_for(stack))
                rows.append(
                    (name, stage, result.stack_names[stack], result.resource_count(stack), findings)
                )
    if not rows:
        print("error: no example apps found under examples/*/app.py", file=sys.stderr)
        return 1
    headers = ("example", "stage", "stack", "resources", "findings")
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for row in rows:
        print(line.format(*row))
    total_findings = sum(r[4] for r in rows)
    elapsed = time.perf_counter() - started
    print(f"\n{len(rows)} stacks synthesized in {elapsed:.1f} s; {total_findings} findings")
    return 1 if total_findings else 0


if __name__ == "__main__":
    sys.exit(main())
