"""The layout rules of docs/architecture.md, checked on the source tree.

Imports are read statically (ast), so a rule broken in a module no test imports still fails.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import petplatform_constructs

PACKAGE = Path(petplatform_constructs.__file__).parent
ROOT_NAME = "petplatform_constructs"
LAYERS = ("core", "platform")  # shared by everything, depending on no construct
DOMAINS = (
    "data", "storage", "identity", "compute", "integration", "network", "edge", "delivery",
    "resilience",
)  # fmt: skip
MAX_LINES = 450
REQUIREMENT_REFERENCE = re.compile(r"\b\d{3}#\d+|\b[Cc]onflicts? \d+")


def _modules() -> dict[str, Path]:
    return {
        str(path.relative_to(PACKAGE)): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def _imports(path: Path) -> set[str]:
    """Absolute names of the package's own modules that ``path`` imports (at any depth)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith(ROOT_NAME + "."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith(ROOT_NAME + "."))
    return found


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_core_and_platform_import_no_construct_and_no_observability() -> None:
    offenders = {
        rel: sorted(m for m in _imports(path) if _area(m) not in LAYERS)
        for rel, path in _modules().items()
        if rel.split("/")[0] in LAYERS
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_platform_reads_or_writes_construct_context() -> None:
    context_calls = re.compile(r"\.(?:try_get_context|set_context|get_context)\(")
    offenders = sorted(
        rel
        for rel, path in _modules().items()
        if not rel.startswith("platform/") and context_calls.search(path.read_text())
    )
    assert offenders == []


def test_core_never_imports_platform() -> None:
    offenders = {
        rel: sorted(m for m in _imports(path) if _area(m) == "platform")
        for rel, path in _modules().items()
        if rel.startswith("core/")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def _construct_home(module: str) -> str | None:
    """``petplatform_constructs.<domain>.<construct>`` of a module inside a construct."""
    parts = module.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 and parts[1] in DOMAINS else None


def test_a_construct_uses_others_only_through_their_public_face() -> None:
    """Another construct's package (or single module) yes; its props/validation/... never."""
    offenders: dict[str, list[str]] = {}
    for rel, path in _modules().items():
        if rel.split("/")[0] not in DOMAINS:
            continue
        own = _construct_home(f"{ROOT_NAME}." + rel.removesuffix(".py").replace("/", "."))
        bad = []
        for m in _imports(path):
            area = _area(m)
            if area in (*LAYERS, "runtime") or m.startswith(f"{ROOT_NAME}.observability.plans"):
                continue
            if area not in DOMAINS:
                bad.append(m)  # e.g. the observability pack, or testing
            elif _construct_home(m) != own and m != _construct_home(m):
                bad.append(m)  # inside another construct
        if bad:
            offenders[rel] = sorted(bad)
    assert offenders == {}


def test_the_observability_pack_imports_no_construct() -> None:
    offenders = {
        rel: sorted(m for m in _imports(path) if _area(m) in DOMAINS)
        for rel, path in _modules().items()
        if rel.startswith("observability/")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_module_is_over_the_size_rule() -> None:
    sizes = {rel: len(path.read_text().splitlines()) for rel, path in _modules().items()}
    assert {rel: n for rel, n in sizes.items() if n > MAX_LINES} == {}


LOCALCLOUD = PACKAGE.parents[1] / "localcloud" / "src" / "petplatform_localcloud"


def test_the_local_cloud_distribution_keeps_the_size_rule() -> None:
    sizes = {
        str(path.relative_to(LOCALCLOUD)): len(path.read_text().splitlines())
        for path in LOCALCLOUD.rglob("*.py")
    }
    assert sizes, LOCALCLOUD
    assert {rel: n for rel, n in sizes.items() if n > MAX_LINES} == {}


def test_shipped_code_cites_no_requirement_list() -> None:
    shipped = [*_modules().values(), *LOCALCLOUD.rglob("*.py")]
    cited = {str(path): REQUIREMENT_REFERENCE.findall(path.read_text()) for path in shipped}
    assert {k: v for k, v in cited.items() if v} == {}


def test_importing_the_package_loads_no_construct_and_no_service_module() -> None:
    code = (
        "import json, sys; import petplatform_constructs; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('aws_cdk', "
        "'petplatform_constructs.')))))"
    )
    loaded = json.loads(subprocess.check_output([sys.executable, "-c", code], text=True))
    assert loaded == ["petplatform_constructs.__about__"]


def test_every_public_name_resolves_to_its_home_module() -> None:
    home = petplatform_constructs._HOME
    assert set(home) | {"__version__"} == set(petplatform_constructs.__all__)
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    typed = {
        alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module != f"{ROOT_NAME}.__about__"
        for alias in node.names
        if node.module and node.module.startswith(ROOT_NAME)
    }
    assert typed == home, "the TYPE_CHECKING imports and _HOME disagree"


@pytest.mark.parametrize("name", sorted(petplatform_constructs._HOME))
def test_a_public_name_imports(name: str) -> None:
    assert getattr(petplatform_constructs, name) is not None


def _construct_classes() -> dict[str, type]:
    from constructs import Construct

    classes = {}
    for name in petplatform_constructs._HOME:
        value = getattr(petplatform_constructs, name)
        if isinstance(value, type) and issubclass(value, Construct):
            classes[name] = value
    return classes


def test_every_construct_signature_is_scope_id_then_keywords() -> None:
    import inspect

    shapes = {}
    for name, cls in _construct_classes().items():
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        shapes[name] = positional
    assert len(shapes) >= 9
    assert {n: p for n, p in shapes.items() if p != ["scope", "id"]} == {}


def test_a_construct_that_wraps_existing_resources_says_so_with_imported() -> None:
    import inspect

    wrapping = {
        name: cls
        for name, cls in _construct_classes().items()
        if any(p.startswith("existing_") for p in inspect.signature(cls.__init__).parameters)
    }
    assert {"DataTable", "SecureBucket", "AuthPool", "AppRole"} <= set(wrapping)
    missing = sorted(
        name
        for name, cls in wrapping.items()
        if not any(
            "self.imported" in inspect.getsource(base)
            for base in cls.__mro__
            if base.__module__.startswith(ROOT_NAME)
        )
    )
    assert missing == []


# Every name the root exported before the layout by domain: user code imports them from the root.
EXPORTED_BEFORE_THE_LAYOUT = (
    "AlarmRule",
    "AlarmThresholds",
    "AlarmWindow",
    "ApiKind",
    "AppClient",
    "AppRole",
    "AuthPool",
    "AutoscaledCapacity",
    "BucketLifecycleRule",
    "BudgetSpec",
    "CorsPolicy",
    "DataProtectionCheck",
    "DataTable",
    "FunctionSpec",
    "ImageBuckets",
    "IndexSpec",
    "NagPack",
    "Naming",
    "ObservabilityPack",
    "Panel",
    "PlatformConfig",
    "ProfilesTable",
    "PropError",
    "ProvisionedCapacity",
    "ResourceKind",
    "RouteSpec",
    "SecureBucket",
    "ServerlessApi",
    "Stage",
    "StageProfile",
    "StorageTransition",
    "SupportsObservability",
    "TableAccess",
    "TableSpec",
    "UserGroup",
    "WafRules",
    "WatchPlan",
    "Watchable",
    "__version__",
    "acknowledge",
    "apply_standard_tags",
    "configure_platform",
    "enable_compliance",
    "mark_stateful",
    "tables_from_specs",
    "use_naming",
    "use_stage_profile",
    "validate_name",
)


def test_every_name_exported_before_the_layout_still_imports_from_the_root() -> None:
    missing = [n for n in EXPORTED_BEFORE_THE_LAYOUT if not hasattr(petplatform_constructs, n)]
    assert missing == []
    assert set(EXPORTED_BEFORE_THE_LAYOUT) <= set(petplatform_constructs.__all__)
