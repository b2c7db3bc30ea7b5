"""L07 Training and optimizing neural networks (course-notes lines 2588-2850).

The slides' optimizers (SGD, momentum, RMSProp, Adam with and without bias correction) as
``torch.optim.Optimizer`` subclasses, checked step by step against torch.optim and compared on
an ill-conditioned quadratic and on the same MLP; centering, standardization, PCA and ZCA
whitening; the initialization rules and the activation statistics they give; dropout with the
slide's test-time scaling vs inverted dropout; batch norm (train vs eval, 1-D vs 2-D), layer
and instance norm against torch.nn; and the train/validation/test protocol for choosing the
learning rate and batch size (``TUNABLE``: the ``l07_mlp_lr_batch`` Optuna study).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l07_training import (
    dropout,
    figures,
    initialization,
    normalization,
    optimizers,
    preprocessing,
    protocol,
)
from mldm.lectures.l07_training.claims import CLAIMS
from mldm.lectures.l07_training.common import mnist1d
from mldm.lectures.l07_training.params import Params
from mldm.lectures.l07_training.tuning import TUNABLE

if TYPE_CHECKING:
    from mldm.lectures.base import Context

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "TUNABLE", "Params", "evaluate", "train"]

TITLE = "Training and optimizing neural networks"
LINES = "2588-2850"
DATASETS = ("mnist1d", "digits", "mnist")


def train(ctx: Context) -> None:
    p = ctx.params
    d = mnist1d(ctx)
    optimizers.train(ctx, p.optimizers, d)
    preprocessing.train(ctx, p.preprocessing)
    initialization.train(ctx, p.init, d)
    dropout.train(ctx, p.dropout)
    normalization.train(ctx, p.norm, d)
    protocol.train_lr_sweep(ctx, p, d)
    protocol.train_tuned(ctx, p.mlp, d)


def evaluate(ctx: Context) -> None:
    import torch

    torch.manual_seed(ctx.seed)
    p = ctx.params
    optimizers.checks(ctx, p.optimizers)
    figures.valley(ctx, optimizers.valley(ctx, p.optimizers))
    figures.optimizers(ctx, optimizers.curves(ctx))
    figures.preprocessing(ctx, preprocessing.evaluate(ctx))
    figures.init(ctx, initialization.evaluate(ctx, p.init))
    figures.dropout(ctx, dropout.evaluate(ctx, p.dropout))
    normalization.checks(ctx)
    figures.batch_norm(ctx, normalization.training(ctx))
    figures.lr_sweep(ctx, protocol.lr_sweep(ctx, p))
    protocol.tuned(ctx, p.mlp)
