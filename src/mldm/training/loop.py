"""Fit a :class:`SupervisedTask` on data loaders: the call every estimator's ``fit`` makes."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader

from mldm.training.tasks import SupervisedTask
from mldm.training.trainer import make_trainer

for _name in ("lightning.pytorch", "lightning.fabric", "lightning"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def fit(
    model: nn.Module,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: Callable[..., torch.optim.Optimizer],
    train_loader: DataLoader,
    max_epochs: int,
    eval_loaders: Mapping[str, DataLoader] | None = None,
    metrics: Mapping[str, Callable] | None = None,
    ckpt_dir: str | Path | None = None,
) -> SupervisedTask:
    """Train ``model`` for ``max_epochs``; evaluate each named loader after every epoch.

    With ``ckpt_dir``, a copy of the last epoch is kept there (``last.ckpt``) and a killed
    run resumes from it.
    """
    eval_loaders = dict(eval_loaders or {})
    task = SupervisedTask(model, loss, optimizer, eval_names=list(eval_loaders), metrics=metrics)
    callbacks, ckpt_path = [], None
    if ckpt_dir is not None:
        from lightning.pytorch.callbacks import ModelCheckpoint

        callbacks.append(ModelCheckpoint(dirpath=ckpt_dir, save_last=True, save_top_k=0))
        last = Path(ckpt_dir) / "last.ckpt"
        ckpt_path = str(last) if last.is_file() else None
    trainer = make_trainer(
        max_epochs, callbacks=callbacks, limit_val_batches=1.0 if eval_loaders else 0
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*does not have many workers.*")
        warnings.filterwarnings("ignore", ".*must be a positive integer.*")
        warnings.filterwarnings("ignore", ".*isinstance.treespec, LeafSpec.*")  # torch 2.13
        trainer.fit(
            task,
            train_dataloaders=train_loader,
            val_dataloaders=list(eval_loaders.values()) or None,
            ckpt_path=ckpt_path,
        )
    return task
