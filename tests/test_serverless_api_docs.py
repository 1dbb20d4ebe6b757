"""Every Python snippet of the ServerlessApi page type-checks with ``mypy --strict``.

The snippets are checked as users would run them: the library from ``src`` (the project's mypy
settings) and, for handler code, ``petplatform_runtime`` from the runtime layer's ``python/``
directory, which is what Lambda puts on the path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from petplatform_constructs.compute.serverless_api import runtime_layer_directory

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "constructs" / "serverless_api.md"
SNIPPET = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


@pytest.mark.slow
def test_every_python_snippet_passes_mypy_strict(tmp_path: Path) -> None:
    snippets = SNIPPET.findall(PAGE.read_text())
    assert len(snippets) >= 4
    files = []
    for index, snippet in enumerate(snippets):
        path = tmp_path / f"serverless_api_snippet_{index}.py"
        path.write_text(snippet)
        files.append(str(path))
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *files],
        cwd=ROOT,  # the project's mypy settings and cache
        env={**os.environ, "MYPYPATH": str(runtime_layer_directory() / "python")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
