"""A plain boto3 CloudFormation deploy of a synthesized app, stack by stack (what it did:
:mod:`.report`)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from petplatform_localcloud.assembly import AssemblyStack, read_assembly
from petplatform_localcloud.report import DeployError, DeployReport, FailedResource, StackResult

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_constructs.testing import SynthResult
    from petplatform_localcloud.server import LocalCloud

__all__ = ["deploy", "deployed", "destroy", "region_of"]

_CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
_CUSTOM_TYPES = ("AWS::CloudFormation::CustomResource",)
_BOOTSTRAP_VERSION = "30"
_TIMEOUT_SECONDS = 300.0
Json = dict[str, Any]


def _stacks(assembly: Path | str | SynthResult) -> list[AssemblyStack]:
    outdir = getattr(assembly, "outdir", assembly)
    return read_assembly(Path(str(outdir)))


def _select(stacks: list[AssemblyStack], names: Sequence[str] | None) -> list[AssemblyStack]:
    if names is None:
        return stacks
    known = {s.stack_name: s for s in stacks} | {s.display_name: s for s in stacks}
    missing = [n for n in names if n not in known]
    if missing:
        raise KeyError(f"no stacks {missing}; stacks: {[s.stack_name for s in stacks]}")
    wanted = {known[n].artifact_id for n in names}
    return [s for s in stacks if s.artifact_id in wanted]


def region_of(cloud: LocalCloud, stack: AssemblyStack) -> str:
    """The region ``stack`` deploys to: its environment's, or the cloud's when it has none."""
    return stack.region or cloud.region


def _substitute(value: str, cloud: LocalCloud, region: str) -> str:
    return (
        value.replace("${AWS::AccountId}", cloud.account_id)
        .replace("${AWS::Region}", region)
        .replace("${AWS::Partition}", "aws")
    )


def _bootstrap(cloud: LocalCloud, stacks: Sequence[AssemblyStack]) -> None:
    """What ``cdk bootstrap`` + asset publishing leave behind, in each stack's region: the
    version parameter and the file assets in the staging bucket."""
    parameters: set[tuple[str, str]] = set()
    buckets: set[str] = set()
    for stack in stacks:
        region = region_of(cloud, stack)
        s3 = cloud.client("s3", region=region)
        for param in stack.template().get("Parameters", {}).values():
            if str(param.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
                parameters.add((region, param["Default"]))
        for asset in stack.assets:
            bucket = _substitute(asset.bucket, cloud, region)
            if bucket not in buckets:
                buckets.add(bucket)
                try:
                    s3.head_bucket(Bucket=bucket)
                except ClientError:
                    cloud.create_bucket(bucket, region=region)
            if asset.source.exists():
                key = _substitute(asset.key, cloud, region)
                s3.put_object(Bucket=bucket, Key=key, Body=asset.body())
    for region, name in sorted(parameters):
        if name.startswith("/cdk-bootstrap/"):
            cloud.client("ssm", region=region).put_parameter(
                Name=name, Value=_BOOTSTRAP_VERSION, Type="String", Overwrite=True
            )


def _check_supported(cloud: LocalCloud, stack: AssemblyStack, template: Json) -> None:
    if not cloud.emulated:
        return
    from petplatform_localcloud.moto_extensions import supported_types

    supported = supported_types()
    missing: dict[str, list[str]] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        rtype = str(resource.get("Type"))
        if rtype.startswith("Custom::") or rtype in supported:
            continue
        missing.setdefault(rtype, []).append(logical_id)
    if missing:
        failures = [
            FailedResource(
                ids[0],
                rtype,
                "NOT_SUPPORTED",
                f"no moto CloudFormation model ({len(ids)} resources)",
            )
            for rtype, ids in sorted(missing.items())
        ]
        raise DeployError(
            stack.stack_name,
            "NOT_ATTEMPTED",
            failures,
            detail="add a model to petplatform_localcloud.moto_extensions",
        )


_EMULATED_CUSTOM = ("Custom::CrossRegionExportWriter", "Custom::CrossRegionExportReader")


def _custom_resources(template: Json) -> tuple[str, ...]:
    """Custom resources whose handlers do not run (cross-region exports are emulated)."""
    return tuple(
        logical_id
        for logical_id, r in template.get("Resources", {}).items()
        if (str(r.get("Type")).startswith("Custom::") or r.get("Type") in _CUSTOM_TYPES)
        and r.get("Type") not in _EMULATED_CUSTOM
    )


def _describe(cfn: Any, name: str) -> Json | None:
    try:
        stacks: list[Json] = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    live = [s for s in stacks if s["StackStatus"] != "DELETE_COMPLETE"]
    return live[0] if live else None


def _wait(cfn: Any, name: str) -> Json:
    deadline = time.monotonic() + _TIMEOUT_SECONDS
    delay = 0.02
    while True:
        stack = _describe(cfn, name)
        if stack is None:
            return {"StackName": name, "StackStatus": "DELETE_COMPLETE"}
        if not stack["StackStatus"].endswith("_IN_PROGRESS"):
            return stack
        if time.monotonic() > deadline:
            raise DeployError(
                name, stack["StackStatus"], detail=f"timed out after {_TIMEOUT_SECONDS:.0f} s"
            )
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _failures(cfn: Any, name: str) -> list[FailedResource]:
    try:
        events: list[Json] = cfn.describe_stack_events(StackName=name)["StackEvents"]
    except ClientError:
        return []
    failed = [e for e in events if e["ResourceStatus"].endswith("_FAILED")]
    # The resources that failed, or else the stack itself (a template rejected as a whole).
    named = [e for e in failed if e.get("ResourceType") != "AWS::CloudFormation::Stack"]
    return [
        FailedResource(
            e["LogicalResourceId"],
            e.get("ResourceType", "?"),
            e["ResourceStatus"],
            e.get("ResourceStatusReason", ""),
        )
        for e in named or failed
    ]


_OK = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}


def _deploy_stack(cloud: LocalCloud, stack: AssemblyStack) -> StackResult:
    cfn = cloud.client("cloudformation", region=region_of(cloud, stack))
    template = stack.template()
    _check_supported(cloud, stack, template)
    body = stack.template_body()
    started = time.perf_counter()
    existing = _describe(cfn, stack.stack_name)
    tags = [{"Key": k, "Value": v} for k, v in stack.tags.items()]
    try:
        if existing is None:
            action = "create"
            cfn.create_stack(
                StackName=stack.stack_name, TemplateBody=body, Capabilities=_CAPABILITIES, Tags=tags
            )
        else:
            current = cfn.get_template(StackName=stack.stack_name)["TemplateBody"]
            if _same_template(current, template):
                action = "unchanged"
            else:
                action = "update"
                cfn.update_stack(
                    StackName=stack.stack_name,
                    TemplateBody=body,
                    Capabilities=_CAPABILITIES,
                    Tags=tags,
                )
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise DeployError(
            stack.stack_name, "REJECTED", detail=f"{error.get('Code')}: {error.get('Message')}"
        ) from exc
    described = _wait(cfn, stack.stack_name)
    status = described["StackStatus"]
    if status not in _OK:
        raise DeployError(stack.stack_name, status, _failures(cfn, stack.stack_name))
    resources = cfn.describe_stack_resources(StackName=stack.stack_name)["StackResources"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    return StackResult(
        stack_name=stack.stack_name,
        action=action,
        status=status,
        resources=len(resources),
        seconds=time.perf_counter() - started,
        outputs=outputs,
        skipped=_custom_resources(template) if cloud.emulated else (),
    )


def _same_template(current: object, template: Json) -> bool:
    if isinstance(current, str):
        try:
            current = json.loads(current)
        except ValueError:
            return False
    return current == template


def deploy(
    cloud: LocalCloud,
    assembly: Path | str | SynthResult,
    *,
    stacks: Sequence[str] | None = None,
) -> DeployReport:
    """Create or update the assembly's stacks (or ``stacks``, by name) in dependency order.

    Each stack deploys to the region of its environment (an environment-agnostic stack to the
    cloud's ``region``), so one app may span regions. Cross-stack references resolve through
    CloudFormation exports, as in AWS. One progress line
    per stack goes to the cloud's log.

    Raises:
        DeployError: a stack failed; its failing resources and their reasons are in the message
            (and printed). Stacks deployed before it stay deployed: use :func:`deployed` or
            :func:`destroy` to clean up.
    """
    selected = _select(_stacks(assembly), stacks)
    started = time.perf_counter()
    _bootstrap(cloud, selected)
    results = []
    for stack in selected:
        try:
            result = _deploy_stack(cloud, stack)
        except DeployError as exc:
            cloud.say(f"  {stack.stack_name:<30} FAILED ({exc.status})")
            for failure in exc.failures:
                cloud.say(f"    {failure}")
            raise
        cloud.say(result.line())
        results.append(result)
    return DeployReport(tuple(results), time.perf_counter() - started)


def destroy(
    cloud: LocalCloud, assembly: Path | str | SynthResult, *, stacks: Sequence[str] | None = None
) -> DeployReport:
    """Delete the assembly's stacks in reverse dependency order; absent stacks are skipped."""
    selected = _select(_stacks(assembly), stacks)
    started = time.perf_counter()
    results = []
    for stack in reversed(selected):
        cfn = cloud.client("cloudformation", region=region_of(cloud, stack))
        begin = time.perf_counter()
        existing = _describe(cfn, stack.stack_name)
        if existing is None:
            continue
        count = len(cfn.describe_stack_resources(StackName=stack.stack_name)["StackResources"])
        cfn.delete_stack(StackName=stack.stack_name)
        status = _wait(cfn, stack.stack_name)["StackStatus"]
        if status != "DELETE_COMPLETE":
            raise DeployError(stack.stack_name, status, _failures(cfn, stack.stack_name))
        result = StackResult(stack.stack_name, "delete", status, count, time.perf_counter() - begin)
        cloud.say(result.line())
        results.append(result)
    return DeployReport(tuple(results), time.perf_counter() - started)


@contextmanager
def deployed(
    cloud: LocalCloud, assembly: Path | str | SynthResult, *, stacks: Sequence[str] | None = None
) -> Iterator[DeployReport]:
    """Deploy on entry and destroy on exit, even when the deploy or the body fails."""
    try:
        yield deploy(cloud, assembly, stacks=stacks)
    finally:
        destroy(cloud, assembly, stacks=stacks)
