"""Benchmark: what the library costs over aws-cdk-lib for one table, wall time, cold process.

Each sample is a fresh Python process that imports, builds and synthesizes one app, as
``cdk synth`` would run it:

* ``library``: ``configure_platform`` (no cdk-nag) and one ``ProfilesTable`` in prod;
* ``baseline``: the same ``TableV2`` written with aws-cdk-lib directly.

Both run with ``CDK_VALIDATION=false``, in back-to-back pairs that alternate which goes first.
The script checks that the two templates declare the same table, then prints the median wall
time of each and the median of the per-pair ratios. The target is a ratio of
at most 1.10.

    python benchmarks/synth_overhead.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 1.10

LIBRARY = """
from aws_cdk import App, Stack
from petplatform_constructs import ProfilesTable, configure_platform
from petplatform_constructs.platform.naming import Naming

app = App(outdir={outdir!r})
configure_platform(app, project="Pets", stage="prod", naming=Naming.suffixed("prod"),
                   compliance=None, data_protection=False)
stack = Stack(app, "Pets")
ProfilesTable(stack, "Profiles")
app.synth()
"""

BASELINE = """
from aws_cdk import App, RemovalPolicy, Stack, Tags
from aws_cdk import aws_dynamodb as dynamodb

app = App(outdir={outdir!r})
app.node.set_context("@aws-cdk/core:defaultCrossStackReferences", "strong")
Tags.of(app).add("Project", "Pets")
Tags.of(app).add("Environment", "prod")
stack = Stack(app, "Pets")
dynamodb.TableV2(
    stack, "Table",
    table_name="profiles-prod",
    partition_key=dynamodb.Attribute(name="userId", type=dynamodb.AttributeType.STRING),
    global_secondary_indexes=[dynamodb.GlobalSecondaryIndexPropsV2(
        index_name="email-index",
        partition_key=dynamodb.Attribute(name="email", type=dynamodb.AttributeType.STRING),
        projection_type=dynamodb.ProjectionType.ALL,
    )],
    billing=dynamodb.Billing.on_demand(),
    point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
        point_in_time_recovery_enabled=True),
    dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    encryption=dynamodb.TableEncryptionV2.aws_managed_key(),
    contributor_insights_specification=dynamodb.ContributorInsightsSpecification(enabled=False),
    deletion_protection=True,
    removal_policy=RemovalPolicy.RETAIN,
)
app.synth()
"""


def _run(source: str, outdir: Path) -> float:
    env = {**os.environ, "CDK_VALIDATION": "false"}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", source.format(outdir=str(outdir))], check=True, env=env)
    return time.perf_counter() - start


def _table(outdir: Path) -> dict[str, object]:
    template = json.loads((outdir / "Pets.template.json").read_text())
    tables = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::GlobalTable"
    ]
    assert len(tables) == 1, tables
    return dict(tables[0]["Properties"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {"library": [], "baseline": []}
    with tempfile.TemporaryDirectory() as tmp:
        pair = (("baseline", BASELINE), ("library", LIBRARY))
        for index in range(args.runs):  # interleaved, alternating who goes first
            for name, source in pair if index % 2 == 0 else pair[::-1]:
                outdir = Path(tmp) / f"{name}-{index}"
                samples[name].append(_run(source, outdir))
        library, baseline = _table(Path(tmp) / "library-0"), _table(Path(tmp) / "baseline-0")
    if library != baseline:
        print("error: the two apps declare different tables", file=sys.stderr)
        print(json.dumps({"library": library, "baseline": baseline}, indent=1), file=sys.stderr)
        return 2
    medians = {name: statistics.median(values) for name, values in samples.items()}
    # The median of the per-pair ratios: each pair ran back to back, so load that comes and goes
    # (other processes on a shared machine) affects both sides of a pair alike.
    ratio = statistics.median(
        lib / base for lib, base in zip(samples["library"], samples["baseline"], strict=True)
    )
    print(f"baseline (aws-cdk-lib TableV2): {medians['baseline']:.2f} s median of {args.runs}")
    print(f"library  (ProfilesTable):       {medians['library']:.2f} s median of {args.runs}")
    print(f"ratio (median of pairs): {ratio:.2f}x (target <= {TARGET_RATIO:.2f}x)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
