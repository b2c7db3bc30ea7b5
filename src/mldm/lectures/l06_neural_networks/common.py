"""What several L06 experiments share: MNIST-1D as every model reads it, the Adam they train
with, and the names of a multi-seed experiment's runs (their statistics:
:mod:`mldm.evaluation.seeds`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.evaluation import accuracy

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def mnist1d(ctx: Context):
    """MNIST-1D in float32, standardized with the training split's statistics (one scale for
    all 40 samples: the signal's shape is the information, so every position is scaled alike)."""
    return ctx.data("mnist1d").standardized(per_feature=False).astype(np.float32)


def adam(lr: float):
    from mldm.training.optim import Adam

    # the standard (bias-corrected) Adam of L07, identical to torch.optim.Adam
    return lambda params: Adam(params, lr=lr, bias_correction=True)


def run_name(name: str, run: int) -> str:
    """The saved model/curve of a multi-seed experiment's repeat: run 0 keeps the plain name
    (its figures and dvc plots), later runs get ``_seed<run>``."""
    return name if run == 0 else f"{name}_seed{run}"


def test_accuracy(ctx: Context, name: str, model, d) -> float:
    """The test accuracy of the weights train saved as ``name``, loaded into ``model``."""
    from mldm.training import predict_logits

    ctx.load_module(name, model)
    return accuracy(d.y_test, predict_logits(model, d.X_test).argmax(1))


test_accuracy.__test__ = False  # not a pytest test, whatever its name
