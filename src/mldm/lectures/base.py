"""What a lecture's ``train`` and ``evaluate`` get: data, params, a place to write, tracking.

The :class:`Context` hides DVC paths and MLflow from the lecture code: a lecture asks for a
dataset by name, opens a run per model (``with ctx.run("gd", lr=0.1):``), saves models and
curves, records metrics, measures claims, and draws figures. The stage runner
(:mod:`mldm.lectures.runner`) builds it and makes every write atomic.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mldm import data as datasets
from mldm.config import Config, LectureParams
from mldm.io import atomic_path
from mldm.models.persistence import load_estimator, save_estimator
from mldm.tracking import NullTracker


@dataclass
class Context:
    lecture_id: str
    cfg: Config
    out_dir: Path  # train: the artifacts being written; evaluate: the plots being written
    artifacts_dir: Path  # where train's artifacts are read back from
    tracker: Any = field(default_factory=NullTracker)
    metrics: dict[str, Any] = field(default_factory=dict)
    measured: dict[str, Any] = field(default_factory=dict)
    worked_example: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> LectureParams:
        return self.cfg.lecture(self.lecture_id)

    @property
    def seed(self) -> int:
        return self.cfg.seed

    @property
    def profile(self) -> str:
        return self.cfg.profile

    # --- data ---------------------------------------------------------------------------
    def data(self, name: str) -> datasets.Prepared:
        return datasets.load(name, self.cfg.data.root)

    # --- runs, models, curves -------------------------------------------------------------
    @contextlib.contextmanager
    def run(self, name: str, **params: Any) -> Iterator[None]:
        """A nested tracking run for one model/configuration."""
        with self.tracker.child(name, params):
            yield

    def save_model(self, name: str, estimator) -> None:
        save_estimator(estimator, self.out_dir / "models" / name)

    def load_model(self, name: str):
        return load_estimator(self.artifacts_dir / "models" / name)

    def save_curve(self, name: str, **columns) -> Path:
        """A CSV of equal-length columns (``epoch=..., loss=...``), logged as a curve too."""
        import pandas as pd

        frame = pd.DataFrame({k: np.asarray(v) for k, v in columns.items()})
        path = self.out_dir / f"{name}.csv"
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False)
        for col in list(columns)[1:]:
            self.tracker.log_curve(f"{name}.{col}", frame[col].to_numpy())
        return path

    # --- evaluation outputs ---------------------------------------------------------------
    def record(self, experiment: str, model: str, **metrics: float) -> None:
        """``metrics[experiment][model] = {...}``, also logged to the active run."""
        self.metrics.setdefault(experiment, {}).setdefault(model, {}).update(metrics)
        self.tracker.log_metrics(metrics)

    def measure(self, claim_id: str, value: Any) -> Any:
        """The measured value of one of the lecture's declared claims."""
        if isinstance(value, np.generic):
            value = value.item()
        self.measured[claim_id] = value
        return value

    @contextlib.contextmanager
    def figure(self, name: str, ncols: int = 1, nrows: int = 1, size=(5.0, 3.6)):
        """A matplotlib figure saved as ``<name>.png`` (atomically) and logged."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(
            nrows, ncols, figsize=(size[0] * ncols, size[1] * nrows), squeeze=False
        )
        try:
            yield fig, (axes[0, 0] if axes.size == 1 else axes.ravel())
            fig.tight_layout()
            path = self.out_dir / f"{name}.png"
            with atomic_path(path) as tmp:
                fig.savefig(tmp, dpi=110, format="png", metadata={"Software": None})
            self.tracker.log_artifact(path, "figures")
        finally:
            plt.close(fig)
