"""The built wheel works on its own: installed into a clean location, it imports and synthesizes.

The wheel is installed with ``--no-deps`` into an empty target directory and run with ``-I -S``
(no site processing), so the package can only come from the wheel; its dependencies are taken
from the dev environment's site-packages as plain paths, which is what pip would install.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

from petplatform_constructs import __version__

ROOT = Path(__file__).resolve().parent.parent

SMALL_APP = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [TARGET, SITE]
    import petplatform_constructs as pc
    assert pc.__file__.startswith(TARGET), pc.__file__
    from aws_cdk import Stack, aws_sqs as sqs
    from petplatform_constructs.testing import make_app, synth
    app = make_app()
    pc.configure_platform(app, project="Wheel", stage="staging",
                          naming=pc.Naming.suffixed("staging"), compliance=None)
    stack = Stack(app, "S")
    sqs.Queue(stack, "Q", queue_name=pc.Naming.of(stack).name("jobs", pc.ResourceKind.SQS_QUEUE),
              removal_policy=pc.StageProfile.of(stack).removal_policy, enforce_ssl=True)
    queue = next(iter(synth(app).template_json("S")["Resources"].values()))
    print(pc.__version__, queue["Properties"]["QueueName"], queue["DeletionPolicy"])
    """
)


@pytest.mark.slow
def test_wheel_installs_imports_and_synthesizes(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    wheels = list(dist.glob("petplatform_constructs-*.whl"))
    assert [w.name for w in wheels] == [f"petplatform_constructs-{__version__}-py3-none-any.whl"]

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         str(wheels[0])],
        check=True, capture_output=True,
    )  # fmt: skip
    assert (target / "petplatform_constructs" / "py.typed").exists()

    script = f"TARGET = {str(target)!r}\nSITE = {sysconfig.get_paths()['purelib']!r}\n" + SMALL_APP
    run = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == [__version__, "jobs-staging", "Retain"]


def _build(project: Path, outdir: Path, *kinds: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", *kinds, "--no-isolation", "--outdir", str(outdir),
         str(project)],
        check=True, capture_output=True,
    )  # fmt: skip


def _metadata(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return archive.read(name).decode().splitlines()


@pytest.mark.slow
def test_each_distribution_ships_its_own_package_only(tmp_path: Path) -> None:
    """petplatform-constructs: no local cloud (its `local` extra installs petplatform-localcloud,
    no moto pin); petplatform-localcloud: the local cloud, its moto range, the library."""
    dist = tmp_path / "dist"
    _build(ROOT, dist, "--sdist", "--wheel")
    _build(ROOT / "localcloud", dist, "--wheel")

    (sdist,) = dist.glob("petplatform_constructs-*.tar.gz")
    with tarfile.open(sdist) as archive:
        members = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    assert "src/petplatform_constructs/testing/manifest.py" in members
    assert not [m for m in members if m.startswith("localcloud/") or "petplatform_localcloud" in m]

    (library,) = dist.glob("petplatform_constructs-*.whl")
    with zipfile.ZipFile(library) as archive:
        names = archive.namelist()
    assert not [n for n in names if "localcloud" in n or n.endswith(("cdk_cli.py", "plugin.py"))]
    requires = [line for line in _metadata(library) if line.startswith("Requires-Dist:")]
    assert "Requires-Dist: petplatform-localcloud>=0.1.0; extra == 'local'" in requires
    assert not [line for line in requires if "moto" in line or "boto3" in line]

    (localcloud,) = dist.glob("petplatform_localcloud-*.whl")
    with zipfile.ZipFile(localcloud) as archive:
        names = archive.namelist()
    assert {
        "petplatform_localcloud/py.typed",
        "petplatform_localcloud/pytest_plugin.py",
        "petplatform_localcloud/cdk_cli.py",
        "petplatform_localcloud/moto_extensions/s3.py",
    } <= set(names)
    assert not [n for n in names if n.startswith("petplatform_constructs/")]
    requires = [line for line in _metadata(localcloud) if line.startswith("Requires-Dist:")]
    assert {
        "Requires-Dist: moto[server]<5.3,>=5.2.5",
        "Requires-Dist: boto3>=1.35",
        "Requires-Dist: petplatform-constructs>=0.1.0",
    } <= set(requires)
