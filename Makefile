# The front door on Linux and macOS. Every target calls tasks.py, which does the work on
# every OS (on Windows, without make: `py tasks.py reports`). `make help` lists the targets.
PYTHON ?= python3
ARGS   ?=
TASKS  := $(PYTHON) tasks.py

.DEFAULT_GOAL := help
.PHONY: help setup validate reports pdf proof test test-all lint typecheck unit lab bench bundle lock clean

help: ## Show this list
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

setup: ## Create .venv and install the exact versions of requirements.lock (again when it changes)
	$(TASKS) setup

validate: ## Check data/raw/ and print every finding (exit 1 on errors)
	$(TASKS) validate $(ARGS)

reports: ## Validate, then regenerate reports/ and data/processed/ together (ARGS="--target-year 2030 --force" etc.)
	$(TASKS) reports $(ARGS)

pdf: ## Print every report to an A4 PDF in reports/pdf/ (needs Chromium, Chrome or Edge)
	$(TASKS) pdf $(ARGS)

proof: ## Print every report to PDF and draw all pages on one sheet, reports/pdf/proof.png
	$(TASKS) proof $(ARGS)

lint: ## ruff (lint and format check) and the layer contracts (import-linter)
	$(TASKS) lint

typecheck: ## mypy on analysis/
	$(TASKS) typecheck

unit: ## pytest only, in parallel (pytest-xdist)
	$(TASKS) unit $(ARGS)

test: ## Lint, type-check and run the tests, except those that each rerun the whole pipeline (minutes)
	$(TASKS) test $(ARGS)

test-all: ## Lint, type-check and run every test (what CI runs; about 20 minutes on 2 cores)
	$(TASKS) test-all $(ARGS)

lab: ## Open JupyterLab on the project (notebooks/**/*.py open as notebooks)
	$(TASKS) lab $(ARGS)

bench: ## Benchmark the pipeline and the arithmetic against the naive way
	$(TASKS) bench $(ARGS)

bundle: ## Write dist/analysis-offline.zip for PCs without internet: the project and every locked wheel (Windows x64 3.11-3.13, this machine)
	$(TASKS) bundle $(ARGS)

lock: ## Regenerate requirements.lock from pyproject.toml (newest versions, every OS, with hashes)
	$(TASKS) lock

clean: ## Remove generated outputs and caches (keeps .venv)
	$(TASKS) clean
