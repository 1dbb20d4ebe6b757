"""Every Python snippet in README.md and docs/ type-checks with ``mypy --strict``.

A snippet may use ``app`` (an ``App``) and ``self``/``stack`` (a ``Stack`` in it) without
defining them, as CDK docs do; everything else it uses it defines or imports. Handler snippets
import ``petplatform_runtime`` as Lambda code does, from the runtime layer. One mypy run, with
the project's settings (``strict = true``) and ``make types``'s sources, checks all snippets and
reuses the cache that ``make types`` leaves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from petplatform_constructs.compute.serverless_api import runtime_layer_directory

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SNIPPET = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
PREAMBLE = """\
from aws_cdk import App, Stack

app = App()
self = Stack(app, "Snippet")
stack = self
"""


def _snippets() -> dict[str, str]:
    found: dict[str, str] = {}
    for page in PAGES:
        if "_build" in page.parts:
            continue
        for index, match in enumerate(SNIPPET.finditer(page.read_text())):
            name = f"{page.relative_to(ROOT).with_suffix('')}-{index}"
            found[re.sub(r"[^A-Za-z0-9]+", "_", name)] = match.group(1)
    return found


def test_the_docs_have_snippets() -> None:
    assert len(_snippets()) >= 15


def test_every_snippet_passes_mypy_strict(tmp_path: Path) -> None:
    # What the runtime layer puts on a handler's path, beside the snippets.
    shutil.copytree(
        runtime_layer_directory() / "python" / "petplatform_runtime",
        tmp_path / "petplatform_runtime",
    )
    files = []
    for name, code in _snippets().items():
        module = tmp_path / f"{name}.py"
        uses_app = re.search(r"^app = App\(", code, re.MULTILINE)
        module.write_text(code if uses_app else PREAMBLE + code)
        files.append(str(module))
    result = subprocess.run(
        [
            # `make types`'s own invocation plus the snippets: the same settings (strict) and
            # the same sources, so its cache is reused instead of rebuilt.
            sys.executable, "-m", "mypy", "--no-error-summary", "src", "localcloud/src", *files,
        ],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    report = result.stdout.replace(str(tmp_path) + "/", "")
    assert result.returncode == 0, f"mypy --strict on the docs' snippets:\n{report}"


@pytest.mark.parametrize("page", ["README.md"])
def test_a_page_names_its_snippets_language(page: str) -> None:
    """Python examples are fenced as ``python`` (not ``py``), so this test sees them."""
    assert "```py\n" not in (ROOT / page).read_text()
