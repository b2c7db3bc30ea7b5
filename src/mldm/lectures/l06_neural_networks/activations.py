"""The four activations and the vanishing gradient (lines 2093-2125): the gradient per layer
at initialization from the lecture's backprop, and the same deep, narrow MLP trained with the
same plain SGD once per activation on MNIST-1D."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l06_neural_networks.params import Activations

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")


def activation_mlp(activation: str, p: Activations):
    """A deep MLP, each activation with the init made for it (He for the ReLUs, Xavier for
    sigmoid/tanh; L07 lines 2727-2745), so what differs is a'(·) alone."""
    from mldm.models.init import init_linear_
    from mldm.models.neural import MLP

    mlp = MLP([40, *[p.width] * p.depth, 10], activation=activation)
    return init_linear_(mlp, "he" if "relu" in activation else "xavier")


def train(ctx: Context, p: Activations, d) -> None:
    from mldm.models.neural import layer_gradient_norms
    from mldm.training import GradientDescent

    norms = {}
    for i, act in enumerate(ACTIVATIONS):
        ctx.seeded(1, i)
        model = activation_mlp(act, p)
        # the gradient per layer at initialization, from the lecture's backprop
        X = d.X_train[:500].astype(np.float64)
        norms[act] = layer_gradient_norms(model.double(), X, d.y_train[:500])
        model.float()
        ctx.train_classifier(
            f"activation_{act}",
            model,
            d,
            optimizer=lambda ps, lr=p.lr: GradientDescent(ps, lr=lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )
    ctx.save_curve("gradient_norms", layer=np.arange(1, p.depth + 2), **norms)


@dataclass(frozen=True)
class GradientFlow:
    """What the figure draws: ‖∂l/∂W_ℓ‖ per layer at init (a DataFrame, one column per
    activation) and each activation's training curve."""

    depth: int
    norms: Any
    curves: dict[str, Any]


def evaluate(ctx: Context) -> GradientFlow:
    import pandas as pd

    norms = pd.read_csv(ctx.artifacts_dir / "gradient_norms.csv")
    ratio = {a: float(norms[a].iloc[0] / norms[a].iloc[-1]) for a in ACTIVATIONS}
    ctx.measure("sigmoid_gradient_vanishes", ratio["sigmoid"] / ratio["relu"])
    for a in ACTIVATIONS:
        ctx.record("activations", a, grad_ratio_first_over_last=ratio[a])
    curves = ctx.curves(ACTIVATIONS, prefix="activation_")
    final = ctx.record_final("activations", curves)
    ctx.measure(
        "relu_trains_deep_net_faster_than_sigmoid",
        final["sigmoid"]["train_loss"] - final["relu"]["train_loss"],
    )
    return GradientFlow(ctx.params.activations.depth, norms, curves)
