"""Weight initialization (lines 2718-2732): zero init never breaks the symmetry, N(0, 0.01²)
vanishes with depth, σ_i = 1/√(n_{i−1}) (and Xavier, He) keeps the activation scale, and a
deep ReLU net trains from He init but not from the naive one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.lectures.l07_training.common import mlp, mnist1d

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l07_training.params import Init

INITS = ("naive", "lecture", "xavier", "he")


def train(ctx: Context, p: Init, d) -> None:
    from mldm.models.deep_nets import deep_net
    from mldm.models.init import init_linear_
    from mldm.training import GradientDescent

    for scheme in ("naive", "he"):
        ctx.seeded(2)
        net = deep_net(p.depth, p.width, 40, 10, "relu")
        init_linear_(net, scheme)
        ctx.train_classifier(
            f"init_{scheme}_relu",
            net,
            d,
            optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )
    ctx.seeded(3)
    net = mlp([40, 32, 10], activation="tanh")
    init_linear_(net, "zero")
    ctx.train_classifier(
        "init_zero",
        net,
        d,
        optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
        max_epochs=p.max_epochs,
        batch_size=p.batch_size,
    )


@dataclass(frozen=True)
class ActivationScales:
    """The activation std per layer at init of every ``"<scheme>/<activation>"`` net."""

    std: dict[str, np.ndarray]


def evaluate(ctx: Context, p: Init) -> ActivationScales:
    import torch

    from mldm.models.deep_nets import deep_net
    from mldm.models.init import activation_stats, init_linear_, symmetric_units

    d = mnist1d(ctx)
    x = torch.as_tensor(d.X_train[:1000])
    stats, ratio = {}, {}
    for scheme in INITS:
        for act in ("tanh", "relu"):
            ctx.seeded(8)
            net = deep_net(p.depth, p.width, 40, 10, act)
            init_linear_(net, scheme)
            s = np.asarray(activation_stats(net, x)["std"], dtype=float)
            stats[f"{scheme}/{act}"] = s
            ratio[f"{scheme}/{act}"] = float(s[-1] / s[0])
            ctx.record("init", f"{scheme}_{act}", last_over_first_std=ratio[f"{scheme}/{act}"])
    ctx.measure("naive_init_vanishes_in_deep_nets", ratio["naive/tanh"])
    ctx.measure(
        "scaled_init_keeps_activations",
        min(ratio["lecture/tanh"], ratio["xavier/tanh"], ratio["he/relu"]),
    )
    curves: dict[str, Any] = ctx.curves(("naive_relu", "he_relu"), prefix="init_")
    last = {k: float(c["train_loss"].iloc[-1]) for k, c in curves.items()}
    ctx.measure("he_init_trains_deep_relu_net", last["naive_relu"] - last["he_relu"])
    zero = ctx.load_module("init_zero", mlp([40, 32, 10], activation="tanh"))
    ctx.measure("zero_init_is_symmetric", int(symmetric_units(zero.weights[0].detach(), 1e-6)))
    return ActivationScales(stats)
