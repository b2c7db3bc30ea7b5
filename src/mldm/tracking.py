"""MLflow: where runs go, how they are named and tagged, what they log.

- The store is embedded (``sqlite:///mlflow.db``, artifacts under ``mlartifacts/``) unless
  ``MLFLOW_TRACKING_URI`` names another (e.g. a PostgreSQL-backed server): no code change.
- One experiment per lecture; one parent run per stage (``train``/``evaluate``), one nested
  run per model/configuration, named by the model, with metrics named by what they measure
  (``test_accuracy``, ``train_loss`` per epoch): the same names in every model's run, so MLflow's
  compare view lines models up. Trained models are logged in their MLflow flavour (pytorch or
  sklearn) with a signature, loadable with ``mlflow.pyfunc.load_model("runs:/<run>/<name>")``.
- Every run is tagged with git commit, whether the tree was dirty, DVC stage, profile, params
  hash and dataset hash.
- ``dvc exp run --temp``/``--queue`` run the stage in a temporary copy of the repository; DVC
  exports the repository that started it as ``DVC_ROOT`` (``dvc/repo/experiments/queue/base.py``
  overrides it for the executor; ``dvc/stage/run.py`` sets it to the stage's own repo otherwise),
  so the embedded store resolves there and no run is lost with the copy.

Only stages import this module; models and lectures see a :class:`Tracker`-like object.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mldm.errors import MldmError

# Nothing may phone home or wait on a network that is not there.
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
os.environ.setdefault("DO_NOT_TRACK", "1")

DB_FILE = "mlflow.db"
ARTIFACTS_DIR = "mlartifacts"


def store_root(root: str | os.PathLike = ".") -> Path:
    """Where the embedded store lives: the repository DVC ran the stage for (``DVC_ROOT``,
    which for ``dvc exp run --temp``/``--queue`` names the workspace, not the temporary copy),
    else ``root``."""
    dvc_root = os.environ.get("DVC_ROOT")
    if dvc_root and Path(dvc_root).is_dir():
        return Path(dvc_root).resolve()
    return Path(root).resolve()


def tracking_uri(root: str | os.PathLike = ".") -> str:
    """``MLFLOW_TRACKING_URI`` if set, else the embedded sqlite store under :func:`store_root`."""
    env = os.environ.get("MLFLOW_TRACKING_URI")
    if env:
        return env
    return f"sqlite:///{store_root(root) / DB_FILE}"


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5, check=True)
        return out.stdout
    except (OSError, subprocess.SubprocessError):
        return None


def git_commit() -> str:
    out = _git("rev-parse", "HEAD")
    return out.strip() if out else "unknown"


def git_dirty() -> str:
    """``"true"`` if tracked files differ from HEAD or untracked, not ignored, files exist
    (the run's code is then not exactly ``git_commit``); ``"unknown"`` outside git."""
    out = _git("status", "--porcelain")
    return "unknown" if out is None else str(bool(out.strip())).lower()


def git_tags() -> dict[str, str]:
    """The code a run used: commit, dirtiness and, inside ``dvc exp run``, the experiment's
    baseline commit and name (DVC exports them to the stage)."""
    tags = {"git_commit": git_commit(), "git_dirty": git_dirty()}
    for env, tag in (("DVC_EXP_BASELINE_REV", "dvc_exp_baseline"), ("DVC_EXP_NAME", "dvc_exp")):
        if os.environ.get(env):
            tags[tag] = os.environ[env]
    return tags


class Tracker:
    """Logs to the stage's run and to one nested run per model."""

    def __init__(self, experiment: str, uri: str, tags: dict[str, str], log_models: bool = True):
        import mlflow

        self._mlflow = mlflow
        self._client = mlflow.tracking.MlflowClient(uri)
        self.experiment = experiment
        self.experiment_id = mlflow.get_experiment_by_name(experiment).experiment_id
        self.uri = uri
        self.tags = tags
        self.log_models = log_models
        self._stage_run_id = mlflow.active_run().info.run_id
        self._model_runs: dict[tuple[str | None, str], str] = {}

    def active_run_id(self) -> str:
        return self._mlflow.active_run().info.run_id

    @contextlib.contextmanager
    def child(self, name: str, params: dict[str, Any] | None = None) -> Iterator[str]:
        """A run nested under the stage's run, for one model or configuration."""
        tags = {**self.tags, "model": name}
        with self._mlflow.start_run(run_name=name, nested=True, tags=tags) as run:
            if params:
                self.log_params(params)
            yield run.info.run_id

    def model_run(self, name: str, table: str | None = None) -> str:
        """The run a model's numbers go to: the open :meth:`child` run if there is one, else a
        run nested under the stage's, one per (table, model), made on first use and ended with
        the stage. Every model of a table then has its own run, with the same metric names."""
        active = self.active_run_id()
        if active != self._stage_run_id:
            return active
        key = (table, name)
        if key not in self._model_runs:
            tags = {**self.tags, "mlflow.parentRunId": self._stage_run_id, "model": name}
            if table:
                tags["table"] = table
            run_name = f"{table}/{name}" if table else name
            run = self._client.create_run(self.experiment_id, run_name=run_name, tags=tags)
            self._model_runs[key] = run.info.run_id
        return self._model_runs[key]

    def close(self, status: str = "FINISHED") -> None:
        """End the runs :meth:`model_run` opened."""
        for run_id in self._model_runs.values():
            self._client.set_terminated(run_id, status)
        self._model_runs.clear()

    def log_params(self, params: dict[str, Any]) -> None:
        self._mlflow.log_params({k: str(v)[:500] for k, v in _flatten(params).items()})

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        clean = _numbers(metrics)
        if clean:
            self._mlflow.log_metrics(clean, step=step)

    def record(self, table: str, model: str, metrics: dict[str, float]) -> None:
        """``metrics`` of ``model`` in ``table`` (one row of a results table), in its run."""
        from mlflow.entities import Metric

        now = _now_ms()
        batch = [Metric(k, v, now, 0) for k, v in _numbers(metrics).items()]
        if batch:
            self._client.log_batch(self.model_run(model, table), metrics=batch)

    def log_curve(self, name: str, values, model: str | None = None) -> None:
        """One metric logged at steps 0..n-1 (a loss curve per epoch), in ``model``'s run
        (:meth:`model_run`), else in the active run."""
        from mlflow.entities import Metric

        run_id = self.model_run(model) if model else self.active_run_id()
        now = _now_ms()
        metrics = [Metric(name, float(v), now, i) for i, v in enumerate(values)]
        for i in range(0, len(metrics), _LOG_BATCH):
            self._client.log_batch(run_id, metrics=metrics[i : i + _LOG_BATCH])

    def log_artifact(self, path: str | os.PathLike, folder: str | None = None) -> None:
        self._mlflow.log_artifact(str(path), artifact_path=folder)

    def log_model(self, name: str, model, example) -> None:
        """``model`` in its MLflow flavour (a ``torch.nn.Module``: pytorch, else sklearn, whose
        API our estimators follow) with the signature ``example`` -> its prediction, in
        ``name``'s run (:meth:`model_run`): ``mlflow.pyfunc.load_model("runs:/<run>/<name>")``
        then loads it (``name`` as :func:`model_name` spells it). Off when the profile says so
        (``runtime.log_models``)."""
        if not self.log_models:
            return
        import numpy as np
        from mlflow.models import infer_signature

        run_id = self.model_run(name)
        # the flavours warn on every call that pickles run code on load: ours is the package's
        with _quiet("mlflow.pytorch", "mlflow.sklearn"), _in_run(self._mlflow, run_id):
            if _is_torch_module(model):
                import mlflow.pytorch
                import torch

                x = torch.as_tensor(np.asarray(example))
                if x.is_floating_point():  # token ids stay integers
                    x = x.to(next(model.parameters(), torch.empty(0)).dtype)
                training = model.training
                with torch.no_grad():
                    y = model.eval()(x).numpy()
                model.train(training)
                signature = infer_signature(x.numpy(), y)
                # pickle, not pt2: tracing a graph costs seconds per model and our modules are
                # importable from the installed package anyway
                mlflow.pytorch.log_model(
                    model, name=model_name(name), signature=signature, pip_requirements=[],
                    serialization_format="pickle",
                )  # fmt: skip
            else:
                import mlflow.sklearn

                x = np.asarray(example)
                signature = infer_signature(x, np.asarray(model.predict(x)))
                mlflow.sklearn.log_model(
                    model, name=model_name(name), signature=signature, pip_requirements=[],
                    serialization_format="cloudpickle",
                )  # fmt: skip

    def lightning_logger(self):
        """A Lightning MLflow logger writing into the active nested run."""
        run = self._mlflow.active_run()
        return _buffered_logger_class()(
            experiment_name=self.experiment,
            tracking_uri=self.uri,
            run_id=run.info.run_id if run else None,
        )


_LOG_BATCH = 1000  # MLflow's log_batch limit on metrics per call


def model_name(name: str) -> str:
    """``name`` as a logged model's name: MLflow refuses ``/ : . % " '`` in it (``lr_0.001``
    becomes ``lr_0_001``)."""
    return re.sub(r"[/:.%\"']", "_", name)


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)


def _is_torch_module(model) -> bool:
    import sys

    torch = sys.modules.get("torch")
    return torch is not None and isinstance(model, torch.nn.Module)


@contextlib.contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Only errors from ``loggers`` while inside."""
    import logging

    levels = {name: logging.getLogger(name).level for name in loggers}
    for name in loggers:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


@contextlib.contextmanager
def _in_run(mlflow, run_id: str) -> Iterator[None]:
    """Make ``run_id`` the active run for a call that logs to the active run (``log_model``);
    a no-op if it already is."""
    active = mlflow.active_run()
    if active is not None and active.info.run_id == run_id:
        yield
        return
    mlflow.start_run(run_id=run_id, nested=True)
    try:
        yield
    finally:
        mlflow.end_run()


@functools.cache
def _buffered_logger_class():
    """Lightning's ``MLFlowLogger`` that sends metrics in batches when training ends.

    The stock logger makes one store transaction per ``log`` call: a few ms each on sqlite,
    which for a small model trained for hundreds of epochs costs more than the training.
    Epoch-level metrics are stepped by epoch (Lightning adds ``epoch`` to them), not by
    optimizer step, so runs with different batch sizes line up in the compare view.
    """
    from lightning.pytorch.loggers import MLFlowLogger
    from lightning.pytorch.utilities import rank_zero_only

    class BufferedMLFlowLogger(MLFlowLogger):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pending = []

        @rank_zero_only
        def log_metrics(self, metrics, step=None):
            from mlflow.entities import Metric

            now = _now_ms()
            step = int(metrics.get("epoch", step or 0))
            self._pending += [Metric(k, float(v), now, step) for k, v in metrics.items()]

        @rank_zero_only
        def finalize(self, status: str = "success") -> None:
            for i in range(0, len(self._pending), _LOG_BATCH):
                self.experiment.log_batch(self.run_id, metrics=self._pending[i : i + _LOG_BATCH])
            self._pending = []
            super().finalize(status)

    return BufferedMLFlowLogger


class NullTracker:
    """The same interface, logging nothing (notebooks, unit tests)."""

    @contextlib.contextmanager
    def child(self, name: str, params: dict[str, Any] | None = None) -> Iterator[None]:
        yield None

    def log_params(self, params) -> None: ...
    def log_metrics(self, metrics, step=None) -> None: ...
    def record(self, table, model, metrics) -> None: ...
    def log_curve(self, name, values, model=None) -> None: ...
    def log_artifact(self, path, folder=None) -> None: ...
    def log_model(self, name, model, example) -> None: ...
    def close(self, status="FINISHED") -> None: ...

    def lightning_logger(self):
        return False


def _numbers(metrics: dict[str, Any]) -> dict[str, float]:
    """The numeric leaves of ``metrics``, flattened to dotted names."""
    return {k: float(v) for k, v in _flatten(metrics).items() if _is_number(v)}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _flatten(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, f"{key}."))
        else:
            out[key] = v
    return out


# MLflow's UI asks what an untagged experiment is for (GenAI or model training) and shows
# the GenAI views first; ours are model training, with the runs table and compare view.
EXPERIMENT_TAGS = {"mlflow.experimentKind": "custom_model_development"}


def _experiment_id(mlflow, name: str, root: Path) -> str:
    exp = mlflow.get_experiment_by_name(name)
    if exp is None:
        location = (root / ARTIFACTS_DIR / name).resolve().as_uri()
        return mlflow.create_experiment(name, artifact_location=location, tags=EXPERIMENT_TAGS)
    for key, value in EXPERIMENT_TAGS.items():  # a store made before the tag was set
        if exp.tags.get(key) != value:
            mlflow.tracking.MlflowClient().set_experiment_tag(exp.experiment_id, key, value)
    return exp.experiment_id


@contextlib.contextmanager
def stage_run(
    experiment: str,
    stage: str,
    tags: dict[str, str],
    params: dict[str, Any] | None = None,
    root: str | os.PathLike = ".",
    log_models: bool = True,
) -> Iterator[Tracker]:
    """Open the stage's parent run in the lecture's experiment; fail in one line if the
    store cannot be reached. A failed stage ends its runs as FAILED (nothing is deleted).
    ``log_models``: whether :meth:`Tracker.log_model` logs (``runtime.log_models``)."""
    import mlflow

    uri = tracking_uri(root)
    mlflow.set_tracking_uri(uri)
    try:
        exp_id = _experiment_id(mlflow, experiment, store_root(root))
    except Exception as e:  # any backend: sqlalchemy, REST, file permissions ...
        reason = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise MldmError(f"MLflow tracking store '{uri}' cannot be used: {reason}") from None
    mlflow.set_experiment(experiment_id=exp_id)  # nested runs land in it too
    all_tags = {**git_tags(), "dvc_stage": stage, **tags}
    with mlflow.start_run(experiment_id=exp_id, run_name=stage, tags=all_tags):
        tracker = Tracker(experiment, uri, all_tags, log_models=log_models)
        if params:
            tracker.log_params(params)
        try:
            yield tracker
        except BaseException:
            tracker.close("FAILED")
            raise
        tracker.close()
