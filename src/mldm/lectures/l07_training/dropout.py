"""Dropout (lines 2734-2762): the slide's test-time scaling h·(1−p) and inverted dropout
h·m/(1−p) agree in expectation (Monte Carlo), and either reduces overfitting of a wide MLP on
a small MNIST subset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation import worst

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l07_training.params import Dropout

MODES = (None, "test_scaling", "inverted")  # None: no dropout


def mnist_subset(ctx: Context, n: int):
    return ctx.data("mnist").astype(np.float32).subsample(n, seed=[ctx.seed, 7, 4])


def train(ctx: Context, p: Dropout) -> None:
    from mldm.models.deep_nets import dropout_mlp
    from mldm.training.optim import Adam

    d = mnist_subset(ctx, p.n_train)
    for mode in MODES:
        ctx.seeded(4)
        ctx.train_classifier(
            f"dropout_{mode or 'none'}",
            dropout_mlp(784, p.hidden, 10, p.p, mode),
            d,
            optimizer=lambda ps: Adam(ps, lr=p.lr, bias_correction=True),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


def evaluate(ctx: Context, p: Dropout) -> dict[str, Any]:
    """The claims; returns the three nets' curves (``{"none" | mode: DataFrame}``)."""
    import torch

    from mldm.models.normalization import Dropout as Drop

    g = torch.Generator().manual_seed(ctx.seed)
    h = torch.rand(1, 50, generator=g, dtype=torch.float64) + 0.5

    def deviations():
        for mode in ("test_scaling", "inverted"):
            drop = Drop(p.p, mode=mode, generator=g)
            mc = drop.train()(h.expand(p.draws, -1)).mean(0)
            expected = drop.eval()(h)[0]
            # one draw is expected·m/q (m ~ Bernoulli(q), q = 1 − p): relative sd √(p/q)
            se = expected * np.sqrt(p.p / (1 - p.p)) / np.sqrt(p.draws)
            yield float(((mc - expected).abs() / se).max())

    ctx.measure("dropout_scalings_agree_in_expectation", worst(deviations()))
    curves = ctx.curves(("none", "test_scaling", "inverted"), prefix="dropout_")
    final = ctx.record_final("dropout", curves, ("train_accuracy", "test_accuracy", "test_loss"))
    ctx.measure(
        "dropout_reduces_overfitting",
        final["none"]["test_loss"] - final["inverted"]["test_loss"],
    )
    return curves
