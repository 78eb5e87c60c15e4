# The front door. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=
LINTED := $(wildcard analysis tests benchmarks)

.DEFAULT_GOAL := help
.PHONY: help setup validate reports test lint typecheck unit lab bench lock clean

help: ## Show this list
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

# Exact versions with hashes from requirements.lock (regenerate with `make lock`), then the
# project itself without dependencies: every machine gets the same libraries, so the
# reports are the same bytes wherever they are built (for one Python version).
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the locked versions (once; again when the lock changes)

validate: setup ## Check data/raw/ and print every finding (exit 1 on errors)
	$(BIN)/python -m analysis validate

reports: setup ## Validate, then regenerate reports/ and data/processed/ together (ARGS="--target-year 2030 --force" etc.)
	$(BIN)/python -m analysis reports $(ARGS)

lint: setup ## ruff (lint and format check)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: setup ## mypy on analysis/
	$(BIN)/mypy

unit: setup ## pytest only, in parallel (pytest-xdist)
	$(BIN)/python -m pytest $(ARGS)

test: lint typecheck unit ## Lint, type-check and run every test

lab: setup ## Open JupyterLab on the project (notebooks/*.py open as notebooks)
	$(BIN)/python -c "from analysis.execution import configure_jupyterlab; configure_jupyterlab()"
	$(BIN)/jupyter lab --notebook-dir=. notebooks/explore.py

bench: setup ## Benchmark the pipeline and the arithmetic against the naive way
	$(BIN)/python benchmarks/run.py

lock: ## Regenerate requirements.lock from pyproject.toml (newest versions, every OS, with hashes)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv>=0.5"
	$(BIN)/python -m uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
		--python-version 3.11 --quiet -o requirements.lock

clean: ## Remove generated outputs and caches (keeps .venv)
	rm -rf data/processed/*.csv reports/*.html reports/*.xlsx reports/figures reports/.manifest.json reports/.staging .cache
