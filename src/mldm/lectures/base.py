"""What a lecture's ``train`` and ``evaluate`` get: data, params, a place to write, tracking.

The :class:`Context` hides DVC paths and MLflow from the lecture code: a lecture asks for a
dataset by name, opens a run per model (``with ctx.run("gd", lr=0.1):``), saves models and
curves, records metrics, measures claims, and draws figures. The stage runner
(:mod:`mldm.lectures.runner`) builds it and makes every write atomic.
"""

from __future__ import annotations

import contextlib
import time
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
    progress: Any = None  # a mldm.progress.ModelProgress: told when each run() ends
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

    def seeded(self, *key: int, run: int = 0) -> None:
        """Seed torch before building a model (:func:`mldm.training.seed_model`)."""
        from mldm.training import seed_model

        seed_model(self.seed, self.lecture_id, *key, run=run)

    # --- data ---------------------------------------------------------------------------
    def data(self, name: str) -> datasets.Prepared:
        return datasets.load(name, self.cfg.data.root)

    # --- runs, models, curves -------------------------------------------------------------
    @contextlib.contextmanager
    def run(self, name: str, **params: Any) -> Iterator[None]:
        """A nested tracking run for one model/configuration."""
        started = time.perf_counter()
        with self.tracker.child(name, params):
            yield
        if self.progress is not None:
            self.progress.done(name, time.perf_counter() - started)

    def save_model(self, name: str, estimator, example=None) -> None:
        """Save a fitted estimator; with ``example`` (a few input rows) it is also logged to
        the tracker in its MLflow flavour, with the signature ``example`` -> prediction."""
        save_estimator(estimator, self.out_dir / "models" / name)
        if example is not None:
            self.tracker.log_model(name, estimator, example)

    def load_model(self, name: str):
        return load_estimator(self.artifacts_dir / "models" / name)

    def save_module(self, name: str, module, example=None) -> None:
        """A torch module's ``state_dict`` as ``models/<name>.pt`` (atomically); with
        ``example`` (a few inputs) also logged to the tracker as in :meth:`save_model`."""
        import io

        import torch

        # into memory first: saved to a path, torch names the zip's root folder after the
        # file, here a random temporary name, and identical weights would differ in bytes
        buffer = io.BytesIO()
        torch.save(module.state_dict(), buffer)
        path = self.out_dir / "models" / f"{name}.pt"
        with atomic_path(path) as tmp:
            tmp.write_bytes(buffer.getvalue())
        if example is not None:
            self.tracker.log_model(name, module, example)

    def load_module(self, name: str, module):
        """Load what :meth:`save_module` wrote into ``module`` (built with the same shape);
        returned in eval mode."""
        import torch

        path = self.artifacts_dir / "models" / f"{name}.pt"
        module.load_state_dict(torch.load(path, weights_only=True))
        return module.eval()

    def train_classifier(
        self, name: str, model, data, *, eval_sets=("train", "test"), **fit
    ) -> dict[str, list[float]]:
        """Train a torch classifier (logits out) with :func:`mldm.training.fit_classifier` in its
        own tracking run; save its weights and its per-epoch curves. ``data`` is a
        :class:`~mldm.data.Prepared` (or anything with ``X_train``/``y_train``/``X_test``/
        ``y_test``); ``fit`` goes to ``fit_classifier`` (optimizer, max_epochs, batch_size ...).
        Returns the history (``step_loss`` and ``<set>_loss``, ``<set>_accuracy`` per epoch for
        each of ``eval_sets``)."""
        from mldm.training import fit_classifier

        sets = {"train": (data.X_train, data.y_train), "test": (data.X_test, data.y_test)}
        fit.setdefault("seed", self.seed)
        params = {k: v for k, v in fit.items() if not callable(v)}
        with self.run(name, model=type(model).__name__, **params):
            task = fit_classifier(
                model, data.X_train, data.y_train, eval_sets={k: sets[k] for k in eval_sets}, **fit
            )
            history = {k: list(v) for k, v in task.history.items()}
            if history:  # already in the run, per epoch, through Lightning's logger
                n = len(next(iter(history.values())))
                self.save_curve(name, log=False, epoch=np.arange(1, n + 1), **history)
            self.save_module(name, model, example=data.X_train[:5])
        return history

    def save_curve(self, name: str, log: bool = True, **columns) -> Path:
        """A CSV of equal-length columns (``epoch=..., loss=...``); with ``log``, each column
        after the first is logged as a curve (``loss`` per step) in model ``name``'s run."""
        import pandas as pd

        frame = pd.DataFrame({k: np.asarray(v) for k, v in columns.items()})
        path = self.out_dir / f"{name}.csv"
        with atomic_path(path) as tmp:
            frame.to_csv(tmp, index=False)
        if log:
            for col in list(columns)[1:]:
                self.tracker.log_curve(col, frame[col].to_numpy(), model=name)
        return path

    def curves(self, names, prefix: str = "") -> dict[str, Any]:
        """The CSVs :meth:`save_curve` wrote for ``<prefix><name>``, as ``{name: DataFrame}``."""
        import pandas as pd

        return {n: pd.read_csv(self.artifacts_dir / f"{prefix}{n}.csv") for n in names}

    # --- evaluation outputs ---------------------------------------------------------------
    def record_final(
        self, experiment: str, curves: dict[str, Any], columns=("train_loss", "test_accuracy")
    ) -> dict[str, dict[str, float]]:
        """Record each curve's last-epoch ``columns`` as ``metrics[experiment][name]``;
        returns them (``final[name][column]``)."""
        final = {n: {k: float(c[k].iloc[-1]) for k in columns} for n, c in curves.items()}
        for name, values in final.items():
            self.record(experiment, name, **values)
        return final

    def record(self, experiment: str, model: str, **metrics: float) -> None:
        """``metrics[experiment][model] = {...}``, also logged in the model's run (one per
        experiment and model, with the same metric names for every model)."""
        self.metrics.setdefault(experiment, {}).setdefault(model, {}).update(metrics)
        self.tracker.record(experiment, model, metrics)

    def table(self, name: str, columns, rows, note: str | None = None) -> None:
        """A worked-example table for the report: ``columns``, ``rows`` (one list per row) and
        an optional ``note`` under ``worked_example[name]``."""
        entry: dict[str, Any] = {"columns": list(columns), "rows": rows}
        if note is not None:
            entry["note"] = note
        self.worked_example[name] = entry

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


def sweep_key(sweep: str, i: int, n: int) -> str:
    """The metrics key of point ``i`` of an ``n``-point sweep, ``sweep[i]`` zero-padded so the
    sorted JSON keeps grid order. Keys name a role, never a value: the swept value goes beside
    the numbers, so changing a grid changes numbers under the same keys in ``dvc metrics diff``."""
    return f"{sweep}[{i:0{len(str(max(n - 1, 0)))}d}]"


def plot_curves(ax, curves: dict[str, Any], column: str = "train_loss", log: bool = False, **set_):
    """One line per curve, ``column`` against epoch (log-scaled if ``log``), labelled by name;
    ``set_`` goes to ``ax.set`` (title, ylabel ...)."""
    for name, c in curves.items():
        (ax.semilogy if log else ax.plot)(c["epoch"], c[column], label=name)
    ax.set(xlabel="epoch", **set_)
    ax.legend(fontsize=7)
