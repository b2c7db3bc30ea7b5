"""``make help`` lists every target; ``make ui`` / ``make studies`` resolve their store the way
the stages write it, and fail in one line when they cannot serve (the pages themselves:
tests/test_browser.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import yaml

from mldm import ui
from mldm.errors import MldmError


def _phony(makefile: str) -> list[str]:
    return [t for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.M) for t in line.split()]


def test_make_help_lists_every_phony_target(root):
    if not shutil.which("make"):
        pytest.skip("no make on this machine")
    makefile = (root / "Makefile").read_text()
    phony = _phony(makefile)
    assert {"help", "ui", "studies", "screenshots", "repro", "test"} <= set(phony)
    out = subprocess.run(
        ["make", "-s", "help"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    listed = re.findall(r"^  make (\S+) +\S", out, re.M)
    assert sorted(listed) == sorted(phony)  # every target, each with its description
    # and every target in the Makefile that is not a file is declared .PHONY
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    assert targets <= set(phony), targets - set(phony)


def test_make_targets_run_the_ui_module(root):
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^ui: .*\n\t\$\(BIN\)/python -m mldm.ui mlflow", makefile, re.M)
    assert re.search(
        r"^studies: \$\(UI_STAMP\).*\n\t\$\(BIN\)/python -m mldm.ui studies", makefile, re.M
    )
    pyproject = (root / "pyproject.toml").read_text()
    core = pyproject.split("[project.optional-dependencies]")[0]
    assert "optuna-dashboard" not in core and "playwright" not in core  # an extra, not core
    assert re.search(r'^ui = \[.*"optuna-dashboard==', pyproject, re.M)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("MLFLOW_TRACKING_URI", "DVC_ROOT", "MLDM_OPTUNA_STORAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_mlflow_command_on_the_embedded_store(clean_env, monkeypatch):
    with pytest.raises(MldmError, match="no MLflow runs in 'sqlite:///.*mlflow.db' yet"):
        ui.mlflow_command(clean_env)
    (clean_env / "mlflow.db").write_bytes(b"")
    cmd = ui.mlflow_command(clean_env, port=5123)
    assert cmd[1:4] == ["ui", "--backend-store-uri", f"sqlite:///{clean_env / 'mlflow.db'}"]
    assert cmd[cmd.index("--port") + 1] == "5123"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    assert ui.mlflow_command(clean_env) is None  # a server has its own UI


def _params(root, tmp_path, storages: dict[str, str]):
    params = yaml.safe_load((root / "params.yaml").read_text())
    for name, url in storages.items():
        params["studies"][name]["storage"] = url
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


def test_studies_storage_follows_the_tuning_stage(root, clean_env, monkeypatch):
    path = _params(root, clean_env, {})
    assert ui.studies_storage(path) == "optuna.journal"  # embedded, beside the workspace
    monkeypatch.setenv("MLDM_OPTUNA_STORAGE", "postgresql://u@db/optuna")
    assert ui.studies_storage(path) == "postgresql://u@db/optuna"
    monkeypatch.delenv("MLDM_OPTUNA_STORAGE")
    names = list(yaml.safe_load(path.read_text())["studies"])
    every = _params(root, clean_env, dict.fromkeys(names, "sqlite:///s.db"))
    assert ui.studies_storage(every) == "sqlite:///s.db"
    split = _params(root, clean_env, {names[0]: "sqlite:///other.db"})
    with pytest.raises(MldmError, match=r"the studies use 2 storages .*: pass one with --storage"):
        ui.studies_storage(split)


def test_serve_studies_fails_in_one_line(clean_env, monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna_dashboard", None)  # not installed
    with pytest.raises(MldmError, match=r"optuna-dashboard is not installed .*make studies"):
        ui.serve_studies("optuna.journal")
    monkeypatch.setitem(sys.modules, "optuna_dashboard", type(sys)("optuna_dashboard"))
    with pytest.raises(MldmError, match=r"no studies in 'optuna.journal' yet .*dvc repro tune@"):
        ui.serve_studies("optuna.journal")
    out = subprocess.run(
        [sys.executable, "-m", "mldm.ui", "studies", "--storage", "nowhere.journal"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
