"""``TUNABLE``: the train/validation/test protocol of lines 2823-2850 as an Optuna objective
(the ``l07_mlp_lr_batch`` study tunes ``lectures.l07_training.mlp``: lr and batch size)."""

from __future__ import annotations

from mldm.lectures.l07_training.common import mlp, mnist1d
from mldm.lectures.l07_training.params import TunedMLP
from mldm.tuning.tunable import Tunable


def tuned_mlp_objective(ctx, params: TunedMLP) -> dict[str, float]:
    """The lecture's protocol (lines 2823-2850): train on the training set, choose lr and batch
    size by the validation set (the last ``val_fraction`` of MNIST-1D's training split); the
    test set is never seen here. ``val_loss`` is logged after every epoch for the pruner.

    ``ctx`` is a trial's context, seeded as the stage seeds, so trial 0 (the defaults) starts
    from the weights ``mlp_final`` starts from."""
    from mldm.evaluation import holdout_split
    from mldm.training import fit_classifier
    from mldm.training.optim import GradientDescent

    d = mnist1d(ctx)
    fit_idx, val_idx = holdout_split(len(d.y_train), params.val_fraction, seed=ctx.seed)
    ctx.seeded(9)
    model = mlp([40, params.hidden, params.hidden, 10])
    task = fit_classifier(
        model,
        d.X_train[fit_idx],
        d.y_train[fit_idx],
        optimizer=lambda ps: GradientDescent(ps, lr=params.lr),
        max_epochs=params.max_epochs,
        batch_size=params.batch_size,
        eval_sets={"val": (d.X_train[val_idx], d.y_train[val_idx])},
        seed=ctx.seed,
    )
    h = task.history
    return {"val_loss": float(h["val_loss"][-1]), "val_accuracy": float(h["val_accuracy"][-1])}


TUNABLE = {"mlp": Tunable(tuned_mlp_objective)}  # reads only its block, ctx.seed, data
