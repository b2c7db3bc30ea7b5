"""MLflow: where runs go, how they are named and tagged, what they log.

- The store is embedded (``sqlite:///mlflow.db``, artifacts under ``mlartifacts/``) unless
  ``MLFLOW_TRACKING_URI`` names another (e.g. a PostgreSQL-backed server): no code change.
- One experiment per lecture; one parent run per stage (``train``/``evaluate``), one nested
  run per model/configuration.
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
    """Logs to the active (nested) MLflow run of one stage."""

    def __init__(self, experiment: str, uri: str, tags: dict[str, str]):
        import mlflow

        self._mlflow = mlflow
        self.experiment = experiment
        self.experiment_id = mlflow.get_experiment_by_name(experiment).experiment_id
        self.uri = uri
        self.tags = tags

    def active_run_id(self) -> str:
        return self._mlflow.active_run().info.run_id

    @contextlib.contextmanager
    def child(self, name: str, params: dict[str, Any] | None = None) -> Iterator[str]:
        """A run nested under the stage's run, for one model or configuration."""
        with self._mlflow.start_run(run_name=name, nested=True, tags=self.tags) as run:
            if params:
                self.log_params(params)
            yield run.info.run_id

    def log_params(self, params: dict[str, Any]) -> None:
        self._mlflow.log_params({k: str(v)[:500] for k, v in _flatten(params).items()})

    def log_metrics(self, metrics: dict[str, float], step: int | None = None) -> None:
        clean = {k: float(v) for k, v in _flatten(metrics).items() if _is_number(v)}
        if clean:
            self._mlflow.log_metrics(clean, step=step)

    def log_curve(self, name: str, values) -> None:
        """One metric logged at steps 0..n-1 (a loss curve)."""
        from mlflow.entities import Metric

        run = self._mlflow.active_run()
        metrics = [Metric(name, float(v), 0, i) for i, v in enumerate(values)]
        self._mlflow.tracking.MlflowClient(self.uri).log_batch(run.info.run_id, metrics=metrics)

    def log_artifact(self, path: str | os.PathLike, folder: str | None = None) -> None:
        self._mlflow.log_artifact(str(path), artifact_path=folder)

    def lightning_logger(self):
        """A Lightning MLflow logger writing into the active nested run."""
        run = self._mlflow.active_run()
        return _buffered_logger_class()(
            experiment_name=self.experiment,
            tracking_uri=self.uri,
            run_id=run.info.run_id if run else None,
        )


@functools.cache
def _buffered_logger_class():
    """Lightning's ``MLFlowLogger`` that sends metrics in batches when training ends.

    The stock logger makes one store transaction per ``log`` call: a few ms each on sqlite,
    which for a small model trained for hundreds of epochs costs more than the training.
    """
    import time

    from lightning.pytorch.loggers import MLFlowLogger
    from lightning.pytorch.utilities import rank_zero_only

    class BufferedMLFlowLogger(MLFlowLogger):
        _BATCH = 1000  # MLflow's log_batch limit on metrics per call

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pending = []

        @rank_zero_only
        def log_metrics(self, metrics, step=None):
            from mlflow.entities import Metric

            now = int(time.time() * 1000)
            self._pending += [Metric(k, float(v), now, step or 0) for k, v in metrics.items()]

        @rank_zero_only
        def finalize(self, status: str = "success") -> None:
            for i in range(0, len(self._pending), self._BATCH):
                self.experiment.log_batch(self.run_id, metrics=self._pending[i : i + self._BATCH])
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
    def log_curve(self, name, values) -> None: ...
    def log_artifact(self, path, folder=None) -> None: ...

    def lightning_logger(self):
        return False


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


def _experiment_id(mlflow, name: str, root: Path) -> str:
    exp = mlflow.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    location = (root / ARTIFACTS_DIR / name).resolve().as_uri()
    return mlflow.create_experiment(name, artifact_location=location)


@contextlib.contextmanager
def stage_run(
    experiment: str,
    stage: str,
    tags: dict[str, str],
    params: dict[str, Any] | None = None,
    root: str | os.PathLike = ".",
) -> Iterator[Tracker]:
    """Open the stage's parent run in the lecture's experiment; fail in one line if the
    store cannot be reached. A failed stage ends its run as FAILED (nothing is deleted)."""
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
        tracker = Tracker(experiment, uri, all_tags)
        if params:
            tracker.log_params(params)
        yield tracker
