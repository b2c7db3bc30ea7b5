"""MLflow tracking: one experiment per lecture, nested runs, the agreed tags, clear failures."""

from __future__ import annotations

import pytest

from mldm import tracking
from mldm.errors import MldmError


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
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
