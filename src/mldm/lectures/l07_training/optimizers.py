"""The slides' optimizers (lines 2599-2698): SGD, momentum, RMSProp, Adam with and without bias
correction, each checked step by step against torch.optim; the moving average behind RMSProp
and Adam; momentum on an ill-conditioned quadratic valley (lines 2618-2640); and all five on
the same MLP from the same initial weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation import worst
from mldm.lectures.l07_training.common import mlp

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l07_training.params import Optimizers

OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam_slide", "adam")


def optimizer(name: str, p: Optimizers):
    from mldm.training.optim import Adam, GradientDescent, Momentum, RMSProp

    lr = getattr(p.lrs, name)
    return {
        "sgd": lambda ps: GradientDescent(ps, lr=lr),
        "momentum": lambda ps: Momentum(ps, lr=lr, rho=p.rho),
        # ρ = β2: RMSProp is then exactly Adam without m_t (the slide's β1 = 0 remark)
        "rmsprop": lambda ps: RMSProp(ps, lr=lr, rho=0.999),
        "adam_slide": lambda ps: Adam(ps, lr=lr, bias_correction=False),
        "adam": lambda ps: Adam(ps, lr=lr, bias_correction=True),
    }[name]


def train(ctx: Context, p: Optimizers, d) -> None:
    for name in OPTIMIZERS:
        ctx.seeded(0)  # the same initial weights for every optimizer
        ctx.train_classifier(
            f"optimizer_{name}",
            mlp([40, 100, 100, 10]),
            d,
            optimizer=optimizer(name, p),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


def trajectory(make_ours, make_theirs, steps: int, seed: int) -> float:
    """Max abs parameter difference over ``steps`` optimizer steps of the same float64 model
    and batch under two optimizers."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    x, y = torch.randn(64, 6, dtype=torch.float64), torch.randn(64, 2, dtype=torch.float64)
    a = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 2)).double()
    b = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 2)).double()
    b.load_state_dict(a.state_dict())
    oa, ob = make_ours(a.parameters()), make_theirs(b.parameters())

    def differences():
        for _ in range(steps):
            for net, opt in ((a, oa), (b, ob)):
                opt.zero_grad()
                ((net(x) - y) ** 2).mean().backward()
                opt.step()
            yield from [
                float((pa - pb).abs().max())
                for pa, pb in zip(a.parameters(), b.parameters(), strict=True)
            ]

    return worst(differences())


def checks(ctx: Context, p: Optimizers) -> None:
    """Each optimizer against its torch.optim twin, the slide's Adam's first step, and the
    moving average's weights."""
    import torch

    from mldm.training.optim import Adam, GradientDescent, Momentum, RMSProp

    n, lr = p.check_steps, 0.01
    pairs = {
        "sgd_matches_torch": (
            lambda ps: GradientDescent(ps, lr=lr),
            lambda ps: torch.optim.SGD(ps, lr=lr),
        ),
        "momentum_matches_torch": (
            lambda ps: Momentum(ps, lr=lr, rho=p.rho),
            lambda ps: torch.optim.SGD(ps, lr=lr, momentum=p.rho),
        ),
        "rmsprop_matches_torch": (
            lambda ps: RMSProp(ps, lr=lr, rho=p.rho),
            lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=p.rho),
        ),
        "adam_matches_torch": (
            lambda ps: Adam(ps, lr=lr, bias_correction=True),
            lambda ps: torch.optim.Adam(ps, lr=lr),
        ),
        "adam_beta1_zero_is_rmsprop": (
            lambda ps: Adam(ps, lr=lr, betas=(0.0, p.rho), bias_correction=False),
            lambda ps: RMSProp(ps, lr=lr, rho=p.rho),
        ),
    }
    for claim, (ours, theirs) in pairs.items():
        diff = trajectory(ours, theirs, n, ctx.seed)
        ctx.measure(claim, diff)
        ctx.record("optimizer_checks", claim.removesuffix("_matches_torch"), max_abs_diff=diff)

    w = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt = Adam([w], lr=1e-3, bias_correction=False)
    (w**2).sum().backward()
    before = w.detach().clone()
    opt.step()
    ctx.measure("slide_adam_first_step", float((before - w.detach()).abs().max() / 1e-3))
    # s_t = ρ s_{t−1} + (1−ρ) g² with g = 1 unrolls to Σ_k (1−ρ)ρ^(t−k) = 1 − ρᵗ (line 2676)
    rho, n = 0.9, 200
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = RMSProp([w], lr=1e-3, rho=rho)

    def gaps():
        for t in range(1, n + 1):
            w.grad = torch.ones_like(w)
            opt.step()
            yield float((opt.state[w]["s"] - (1 - rho**t)).abs().max())

    ctx.measure("moving_average_weights_sum", worst(gaps()))


@dataclass(frozen=True)
class Valley:
    """f(w) = ½(w₁² + κw₂²) descended from (1, 1) by SGD and momentum with lr = 1/κ: the steps
    each took to f < 1e-6 and its path (steps + 1, 2)."""

    kappa: float
    rho: float
    steps: dict[str, int]
    paths: dict[str, np.ndarray]


def valley(ctx: Context, p: Optimizers) -> Valley:
    """The step size is capped by the steep direction (lr < 2/κ), so SGD crawls along the flat
    one; momentum accumulates the consistent flat-direction gradient."""
    import torch

    from mldm.training.optim import GradientDescent, Momentum

    kappa = p.condition
    curv = torch.tensor([1.0, kappa], dtype=torch.float64)
    lr = 1.0 / kappa

    def run(make, steps=20000):
        w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
        opt, path = make([w]), [w.detach().clone()]
        for t in range(steps):
            opt.zero_grad()
            f = 0.5 * (curv * w**2).sum()
            if float(f) < 1e-6:
                return t, torch.stack(path).numpy()
            f.backward()
            opt.step()
            path.append(w.detach().clone())
        return steps, torch.stack(path).numpy()

    t_sgd, path_sgd = run(lambda ps: GradientDescent(ps, lr=lr))
    t_mom, path_mom = run(lambda ps: Momentum(ps, lr=lr, rho=p.rho))
    ctx.measure("momentum_beats_sgd_on_ill_conditioned_valley", t_sgd / t_mom)
    ctx.record("valley", "sgd", steps_to_converge=t_sgd)
    ctx.record("valley", "momentum", steps_to_converge=t_mom)
    return Valley(
        kappa, p.rho, {"sgd": t_sgd, "momentum": t_mom}, {"sgd": path_sgd, "momentum": path_mom}
    )


def curves(ctx: Context) -> dict[str, Any]:
    """The five optimizers' training curves on the same MLP (``{name: DataFrame}``)."""
    curves = ctx.curves(OPTIMIZERS, prefix="optimizer_")
    final = ctx.record_final("optimizers", curves)
    ctx.measure(
        "adaptive_optimizers_beat_sgd", final["sgd"]["train_loss"] - final["adam"]["train_loss"]
    )
    return curves
