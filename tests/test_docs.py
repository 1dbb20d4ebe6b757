"""The Sphinx site builds with warnings as errors, and every construct has its page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         str(ROOT / "docs"), str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    pages = {p.stem for p in (tmp_path / "constructs").glob("*.html")}
    assert {"data_table", "profiles_table", "secure_bucket", "image_buckets", "cdn", "auth_pool",
            "app_role", "github_oidc"} <= pages  # fmt: skip
    assert "DataProtectionCheck" in (tmp_path / "api.html").read_text()
