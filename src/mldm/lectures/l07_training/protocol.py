"""Choosing the learning rate and batch size (lines 2823-2850): the training-loss picture of an
SGD learning-rate sweep (too small: slow; too large: diverges), and the MLP whose lr and batch
size the train/validation/test protocol chose (the ``l07_mlp_lr_batch`` study in
:mod:`~mldm.lectures.l07_training.tuning`), scored once on the test set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation import accuracy
from mldm.lectures.l07_training.common import mlp, mnist1d

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l07_training.params import Params, TunedMLP


def train_lr_sweep(ctx: Context, p: Params, d) -> None:
    from mldm.training import GradientDescent

    for lr in p.lr_sweep:
        ctx.seeded(6)
        ctx.train_classifier(
            f"lr_{lr:g}",
            mlp([40, 100, 100, 10]),
            d,
            eval_sets=("train",),
            optimizer=lambda ps, lr=lr: GradientDescent(ps, lr=lr),
            max_epochs=p.optimizers.max_epochs,
            batch_size=p.optimizers.batch_size,
        )


def train_tuned(ctx: Context, p: TunedMLP, d) -> None:
    from mldm.training import GradientDescent

    ctx.seeded(9)  # the objective's key: the final fit starts from the trials' weights
    ctx.train_classifier(
        "mlp_final",
        mlp([40, p.hidden, p.hidden, 10]),
        d,
        optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
        max_epochs=p.max_epochs,
        batch_size=p.batch_size,
    )


def lr_sweep(ctx: Context, p: Params) -> dict[str, Any]:
    """The sweet-spot claim; returns the sweep's curves (``{"lr_<lr>": DataFrame}``)."""
    from mldm.lectures.base import sweep_key

    curves = ctx.curves([f"lr_{lr:g}" for lr in p.lr_sweep])  # the train stage's CSV names
    n = len(p.lr_sweep)
    loss = [float(c["train_loss"].iloc[-1]) for c in curves.values()]
    for i, (lr, last) in enumerate(zip(p.lr_sweep, loss, strict=True)):
        ctx.record("lr_sweep", sweep_key("lr_sweep", i, n), lr=float(lr), train_loss=last)
    best = int(np.argmin([x if np.isfinite(x) else np.inf for x in loss]))
    ctx.measure("learning_rate_sweet_spot", 0 < best < len(loss) - 1)
    return curves


def tuned(ctx: Context, p: TunedMLP) -> None:
    from mldm.training import predict_logits

    d = mnist1d(ctx)
    model = ctx.load_module("mlp_final", mlp([40, p.hidden, p.hidden, 10]))
    acc = accuracy(d.y_test, predict_logits(model, d.X_test).argmax(1))
    ctx.record("tuned_mlp", "mlp", test_accuracy=acc, lr=p.lr, batch_size=p.batch_size)
