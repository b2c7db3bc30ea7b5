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


def test_each_model_has_its_run_with_shared_metric_names(store):
    """``record`` puts each (table, model) in its own nested run, so the compare view lines
    models up by metric name; the experiment says it is model training."""
    import mlflow

    with tracking.stage_run("l99_test", "evaluate@l99_test", {}, root=store) as tracker:
        tracker.record("probe", "simclr", {"test_accuracy": 0.9})
        tracker.record("probe", "moco", {"test_accuracy": 0.8})
        tracker.record("probe", "simclr", {"val_accuracy": 0.85})
        tracker.log_curve("train_loss", [2.0, 1.0], model="moco_curve")
    client = mlflow.tracking.MlflowClient(tracking.tracking_uri(store))
    exp = client.get_experiment_by_name("l99_test")
    assert exp.tags["mlflow.experimentKind"] == "custom_model_development"
    runs = {r.info.run_name: r for r in client.search_runs([exp.experiment_id])}
    parent = runs.pop("evaluate@l99_test")
    assert set(runs) == {"probe/simclr", "probe/moco", "moco_curve"}
    assert runs["probe/simclr"].data.metrics == {"test_accuracy": 0.9, "val_accuracy": 0.85}
    assert runs["probe/moco"].data.metrics == {"test_accuracy": 0.8}
    for run in runs.values():
        assert run.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert run.info.status == "FINISHED"
    assert parent.data.metrics == {}


def test_models_load_back_through_pyfunc(store):
    """A torch module and an sklearn-API estimator, logged with a signature, load with
    ``mlflow.pyfunc.load_model`` from their run and predict what the originals predict."""
    import mlflow
    import numpy as np
    import torch

    from mldm.models import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    logistic = LogisticRegression().fit(X, y)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    with tracking.stage_run("l99_test", "train@l99_test", {}, root=store) as tracker:
        tracker.log_model("logistic", logistic, X[:5])
        with tracker.child("mlp"):
            tracker.log_model("mlp", net, X[:5])
    client = mlflow.tracking.MlflowClient(tracking.tracking_uri(store))
    exp = client.get_experiment_by_name("l99_test")
    runs = {r.info.run_name: r.info.run_id for r in client.search_runs([exp.experiment_id])}
    sk = mlflow.pyfunc.load_model(f"runs:/{runs['logistic']}/logistic")
    np.testing.assert_array_equal(sk.predict(X), logistic.predict(X))
    assert sk.metadata.signature.inputs.to_dict()[0]["tensor-spec"]["shape"] == (-1, 3)
    th = mlflow.pyfunc.load_model(f"runs:/{runs['mlp']}/mlp")
    with torch.no_grad():
        expected = net(torch.as_tensor(X, dtype=torch.float32)).numpy()
    np.testing.assert_allclose(th.predict(X.astype(np.float32)), expected, rtol=1e-6)
    assert th.metadata.signature is not None


def test_a_model_of_token_ids_keeps_integer_inputs(store):
    """A text model's example is token ids: logged as integers, not cast to the weights' dtype."""
    import mlflow
    import numpy as np
    import torch

    net = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Flatten(), torch.nn.Linear(12, 2))
    ids = np.arange(15).reshape(5, 3) % 10
    with tracking.stage_run("l99_test", "train@l99_test", {}, root=store) as tracker:
        with tracker.child("bag"):
            tracker.log_model("bag", net, ids)
    client = mlflow.tracking.MlflowClient(tracking.tracking_uri(store))
    exp = client.get_experiment_by_name("l99_test")
    run = next(r for r in client.search_runs([exp.experiment_id]) if r.info.run_name == "bag")
    loaded = mlflow.pyfunc.load_model(f"runs:/{run.info.run_id}/bag")
    assert loaded.metadata.signature.inputs.to_dict()[0]["tensor-spec"]["dtype"] == "int64"
    with torch.no_grad():
        np.testing.assert_allclose(
            loaded.predict(ids), net(torch.as_tensor(ids)).numpy(), rtol=1e-6
        )


def test_models_are_not_logged_when_the_profile_says_so(store):
    import mlflow

    from mldm.models import LogisticRegression

    X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    with tracking.stage_run("l99_test", "train@l99_test", {}, root=store, log_models=False) as t:
        t.log_model("logistic", LogisticRegression().fit(X, y), X[:2])
    client = mlflow.tracking.MlflowClient(tracking.tracking_uri(store))
    exp = client.get_experiment_by_name("l99_test")
    assert [r.info.run_name for r in client.search_runs([exp.experiment_id])] == ["train@l99_test"]


def test_model_names_mlflow_refuses_are_spelled_safely():
    assert tracking.model_name("lr_0.001") == "lr_0_001"
    assert tracking.model_name("probe/simclr:1") == "probe_simclr_1"
    assert tracking.model_name("digits_rbf") == "digits_rbf"
