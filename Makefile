# The front door. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=
LINTED := $(wildcard analysis tests benchmarks)

.DEFAULT_GOAL := help
.PHONY: help setup validate reports test lint typecheck unit lab bench clean

help: ## Show this list
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the project (once; again when pyproject.toml changes)

validate: setup ## Check data/raw/ and print every finding (exit 1 on errors)
	$(BIN)/python -m analysis validate

reports: setup ## Validate, then regenerate reports/ and data/processed/ together (ARGS="--target-year 2030 --force" etc.)
	$(BIN)/python -m analysis reports $(ARGS)

lint: setup ## ruff (lint and format check)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: setup ## mypy on analysis/
	$(BIN)/mypy

unit: setup ## pytest only
	$(BIN)/python -m pytest $(ARGS)

test: lint typecheck unit ## Lint, type-check and run every test

lab: setup ## Open JupyterLab on the project (notebooks/*.py open as notebooks)
	$(BIN)/python -c "from analysis.execution import configure_jupyterlab; configure_jupyterlab()"
	$(BIN)/jupyter lab --notebook-dir=. notebooks/explore.py

bench: setup ## Benchmark the pipeline and the arithmetic against the naive way
	$(BIN)/python benchmarks/run.py

clean: ## Remove generated outputs and caches (keeps .venv)
	rm -rf data/processed/*.csv reports/*.html reports/*.xlsx reports/figures reports/.manifest.json reports/.staging .cache
