"""Nothing importable from petplatform_constructs brings in moto, boto3, botocore or pytest.

Those belong to petplatform-localcloud (the local cloud, the CDK CLI helper, the pytest plugin).
Every module of the package is imported in a fresh interpreter, which then reports what got
loaded: a library user pays for aws_cdk and nothing of the test tooling.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

FORBIDDEN = ("moto", "boto3", "botocore", "pytest", "petplatform_localcloud")

SCRIPT = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    import petplatform_constructs

    package = petplatform_constructs
    modules = [
        info.name for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    ]
    for name in modules:
        importlib.import_module(name)
    forbidden = set(sys.argv[1:])
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in forbidden)
    print(json.dumps({"modules": modules, "loaded": loaded}))
    """
)


def test_no_module_of_the_library_imports_moto_boto3_or_pytest() -> None:
    run = subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT, *FORBIDDEN],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    modules = set(report["modules"])
    # The walk reached every layer, testing included (synth helpers and the manifest stay here).
    assert {
        "petplatform_constructs.core.errors",
        "petplatform_constructs.compute.serverless_api.construct",
        "petplatform_constructs.runtime.auth",
        "petplatform_constructs.testing",
        "petplatform_constructs.testing.manifest",
    } <= modules
    assert not any(name.startswith("petplatform_constructs.testing.localcloud") for name in modules)
    assert report["loaded"] == []
