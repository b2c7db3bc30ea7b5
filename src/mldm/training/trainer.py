"""The one trainer factory, and stage-wide defaults for it.

A stage sets the defaults once (``with trainer_defaults(...)``): accelerator and devices
from params, the progress bar, and a ``logger_factory`` that binds Lightning to the MLflow
run that is active at fit time. Models call :func:`make_trainer` and never learn about any
of that.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import os
import random
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import lightning as L


@dataclasses.dataclass(frozen=True)
class TrainerDefaults:
    accelerator: str = "cpu"
    devices: int | str = 1
    strategy: str = "auto"
    deterministic: bool = True
    progress_bar: bool = False
    logger_factory: Callable[[], Any] | None = None
    root_dir: str | None = None
    callbacks: tuple[Any, ...] = ()  # added to every trainer (e.g. a tuning study's pruner)


_DEFAULTS: contextvars.ContextVar[TrainerDefaults] = contextvars.ContextVar(
    "mldm_trainer_defaults", default=TrainerDefaults()
)


def current_defaults() -> TrainerDefaults:
    return _DEFAULTS.get()


@contextlib.contextmanager
def trainer_defaults(**changes) -> Iterator[TrainerDefaults]:
    """Temporarily change the defaults every :func:`make_trainer` call uses."""
    token = _DEFAULTS.set(dataclasses.replace(_DEFAULTS.get(), **changes))
    try:
        yield _DEFAULTS.get()
    finally:
        _DEFAULTS.reset(token)


def seed_everything(seed: int, num_threads: int | None = None) -> None:
    """Seed python, numpy and torch; pin the CPU thread count (2 cores oversubscribe easily).

    Exactly what ``lightning.seed_everything(seed, workers=True)`` does, without importing
    Lightning (about 3 s), nor torch (about 1 s) for a stage whose models never use it: torch
    is seeded when it is imported (at once if it already is), before anything can draw from it,
    so its generator starts in the same state either way.

    ``num_threads`` pins torch's intra-op pool and the BLAS / OpenMP pools of numpy, SciPy and
    scikit-learn (threadpoolctl), each as its library loads: OpenBLAS threads spin while they
    wait, and beside another busy process on 2 cores they made L02's evaluation 4x slower;
    one thread also makes BLAS reductions the same on any number of cores."""
    import wrapt

    os.environ["PL_GLOBAL_SEED"] = str(int(seed))
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PL_SEED_WORKERS"] = "1"

    def seed_torch(torch) -> None:
        torch.manual_seed(seed)
        if num_threads is not None:
            torch.set_num_threads(num_threads)

    wrapt.register_post_import_hook(seed_torch, "torch")
    if num_threads is not None:

        def pin_pools(module) -> None:  # the pools loaded so far; each hook sees its own
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=num_threads)

        for module in ("numpy", "scipy.linalg", "sklearn", "torch"):
            wrapt.register_post_import_hook(pin_pools, module)


def seed_model(seed: int, lecture_id: str, *key: int, run: int = 0) -> None:
    """Seed torch before building a model, so its initial weights are fixed by (seed, lecture,
    key) whatever ran before; the ``run``-th repeat of a multi-seed experiment starts from
    seed + run. Stage and trial contexts both seed this way (``ctx.seeded``), so a study's
    trial 0 starts from the weights the stage's model starts from."""
    import torch

    lecture = int(lecture_id[1:3])  # "l07_training" -> 7
    torch.manual_seed(int(np.random.default_rng([seed + run, lecture, *key]).integers(2**31)))


# Lightning's rank-zero notes ("GPU available: False", "TPU available", a tip, "fit stopped"),
# three or four lines per trainer: a stage builds hundreds, and shows its own progress
# (mldm.progress). Whichever of lightning / pytorch_lightning (imported by mlflow.pytorch) was
# imported last logs them under its name; warnings still show.
_CHATTY_LOGGERS = tuple(
    f"{package}.utilities.rank_zero"
    for package in (
        "lightning.pytorch",
        "lightning.fabric",
        "pytorch_lightning",
        "lightning_fabric",
    )
)


def make_trainer(max_epochs: int, callbacks: Sequence[Any] = (), **overrides) -> L.Trainer:
    """A Lightning trainer with the project's defaults; ``overrides`` win."""
    import logging

    import lightning as L  # noqa: N812 (lazy: see seed_everything)

    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)

    d = current_defaults()
    logger = d.logger_factory() if d.logger_factory is not None else False
    kwargs: dict[str, Any] = dict(
        max_epochs=max_epochs,
        accelerator=d.accelerator,
        devices=d.devices,
        strategy=d.strategy,
        deterministic=d.deterministic,
        logger=logger,
        callbacks=[*callbacks, *d.callbacks],
        enable_checkpointing=any(
            isinstance(c, L.pytorch.callbacks.ModelCheckpoint) for c in callbacks
        ),
        enable_progress_bar=d.progress_bar,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        log_every_n_steps=1,
        default_root_dir=d.root_dir or tempfile.gettempdir(),
    )
    kwargs.update(overrides)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*(GPU|TPU|HPU) available.*")
        return L.Trainer(**kwargs)
