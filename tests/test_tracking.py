"""MLflow tracking: one experiment per lecture, nested runs, the agreed tags, clear failures."""

from __future__ import annotations

import pytest

from mldm import tracking
from mldm.errors import MldmError


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)  # tests may run inside a DVC stage
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_stage_run_nests_model_runs_with_tags(store):
    import mlflow

    tags = {"profile": "smoke", "params_hash": "abc", "dataset_hash": "iris:123"}
    with tracking.stage_run(
        "l99_test", "train@l99_test", tags, params={"a": {"b": 1}}, root=store
    ) as tracker:
        with tracker.child("model_a", {"lr": 0.1}):
            tracker.log_metrics({"test_accuracy": 0.9, "nested": {"x": 1.0}, "name": "skip"})
            tracker.log_curve("loss", [3.0, 2.0, 1.0])
    assert tracking.tracking_uri(store) == f"sqlite:///{store / 'mlflow.db'}"
    client = mlflow.tracking.MlflowClient(tracking.tracking_uri(store))
    exp = client.get_experiment_by_name("l99_test")
    assert exp.artifact_location.endswith("mlartifacts/l99_test")
    runs = {r.info.run_name: r for r in client.search_runs([exp.experiment_id])}
    parent, child = runs["train@l99_test"], runs["model_a"]
    assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
    for run in (parent, child):
        for key in ("git_commit", "dvc_stage", "profile", "params_hash", "dataset_hash"):
            assert key in run.data.tags
    assert parent.data.params == {"a.b": "1"}
    assert child.data.metrics == {"test_accuracy": 0.9, "nested.x": 1.0, "loss": 1.0}
    history = client.get_metric_history(child.info.run_id, "loss")
    assert [m.value for m in sorted(history, key=lambda m: m.step)] == [3.0, 2.0, 1.0]


def test_env_var_switches_store_without_code_change(store, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store / 'other.db'}")
    with tracking.stage_run("l99_env", "evaluate@l99_env", {}, root=store):
        pass
    assert (store / "other.db").exists() and not (store / "mlflow.db").exists()


@pytest.mark.parametrize("kind", ["http", "sqlite"])
def test_unreachable_store_is_one_line(store, monkeypatch, kind):
    (store / "a_file").write_text("not a directory")
    uri = {"http": "http://127.0.0.1:9", "sqlite": f"sqlite:///{store / 'a_file' / 'x.db'}"}[kind]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    with pytest.raises(MldmError, match="MLflow tracking store .* cannot be used") as err:
        with tracking.stage_run("l99_down", "train@l99_down", {}, root=store):
            pass
    assert "\n" not in str(err.value)


def test_runs_are_tagged_with_commit_and_dirtiness(tmp_path, monkeypatch):
    import subprocess

    import mlflow

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], check=True)
    (tmp_path / ".gitignore").write_text("mlflow.db\nmlartifacts/\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    with tracking.stage_run("l99_git", "clean", {}, root=tmp_path):
        pass
    (tmp_path / "edit.py").write_text("x = 1\n")
    with tracking.stage_run("l99_git", "dirty", {}, root=tmp_path):
        pass
    client = mlflow.tracking.MlflowClient(tracking.tracking_uri(tmp_path))
    exp = client.get_experiment_by_name("l99_git")
    tags = {r.info.run_name: r.data.tags for r in client.search_runs([exp.experiment_id])}
    assert tags["clean"]["git_commit"] == tags["dirty"]["git_commit"] == head.strip()
    assert (tags["clean"]["git_dirty"], tags["dirty"]["git_dirty"]) == ("false", "true")


def test_dvc_root_names_the_store(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    copy, workspace = tmp_path / "copy", tmp_path / "workspace"
    copy.mkdir(), workspace.mkdir()
    monkeypatch.setenv("DVC_ROOT", str(workspace))
    assert tracking.tracking_uri(copy) == f"sqlite:///{workspace.resolve() / 'mlflow.db'}"
    monkeypatch.delenv("DVC_ROOT")
    assert tracking.tracking_uri(copy) == f"sqlite:///{copy.resolve() / 'mlflow.db'}"


_STAGE = """
from mldm import tracking
with tracking.stage_run("l99_temp", "train@l99_temp", {}, root="."):
    pass
open("out.txt", "w").write("done")
"""


@pytest.mark.slow
def test_temp_experiment_lands_in_workspace_store(tmp_path, monkeypatch):
    """``dvc exp run --temp`` runs the stage in a temporary copy; its run must reach the
    workspace's store, not die with the copy."""
    import os
    import shutil
    import subprocess
    import sys

    import mlflow

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    env = {
        **os.environ,
        "DVC_NO_ANALYTICS": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    dvc = shutil.which("dvc", path=os.path.dirname(sys.executable)) or "dvc"

    def sh(*cmd):
        subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=120)

    sh("git", "init", "-q")
    sh(dvc, "init", "-q")
    (tmp_path / "stage.py").write_text(_STAGE)
    (tmp_path / "dvc.yaml").write_text(
        f"stages:\n  s:\n    cmd: {sys.executable} stage.py\n    deps: [stage.py]\n"
        "    outs: [out.txt]\n"
    )
    (tmp_path / ".gitignore").write_text("mlflow.db\nmlartifacts/\n")
    sh("git", "add", ".")
    sh("git", "-c", "commit.gpgsign=false", "commit", "-qm", "init")
    sh(dvc, "exp", "run", "--temp")
    client = mlflow.tracking.MlflowClient(tracking.tracking_uri(tmp_path))
    exp = client.get_experiment_by_name("l99_temp")
    assert exp is not None, "the --temp run did not reach the workspace store"
    (run,) = client.search_runs([exp.experiment_id])
    assert run.data.tags["dvc_exp"] and run.data.tags["git_commit"] != "unknown"
    assert exp.artifact_location.startswith(tmp_path.resolve().as_uri())
