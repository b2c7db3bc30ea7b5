"""ε-prediction trained with L_simple (Algorithm 1, lines 6330-6358) beside the bound's
λ_t-weighted loss (6316-6325), EMA of the weights, and Algorithm 2's samples: the lecture's
claim that λ_t = 1 samples better, measured by pixel statistics and held-out losses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation.seeds import over_seeds
from mldm.lectures.l14_diffusion.common import (
    base_name,
    model_name,
    runs,
    schedule,
    to_model_space,
    to_pixels,
    trained_names,
    unet,
)

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l14_diffusion.common import Digits


def _mean_loss(out, _y):
    return out.mean()


def train(ctx: Context, d: Digits) -> None:
    import torch

    from mldm.models.diffusion import EpsilonObjective
    from mldm.training import array_loader, ema_callback, fit

    p = ctx.params
    s = schedule(p)
    X, Xt = to_model_space(d.train), to_model_space(d.test)
    f32 = torch.float32
    for i, (variant, run) in enumerate(runs(p)):
        ctx.seeded(i, run=run)
        net = unet(p)
        obj = EpsilonObjective(net, s, "lambda" if variant == "weighted" else "simple")
        ema = ema_callback(p.ema_decay)
        name = base_name(variant, run)
        with ctx.run(name, variant=variant, T=p.T, lr=p.lr, ema_decay=p.ema_decay):
            task = fit(
                obj,
                _mean_loss,
                lambda params: torch.optim.Adam(params, lr=p.lr),
                array_loader(
                    X,
                    np.zeros(len(X)),
                    p.batch_size,
                    order="shuffle",
                    seed=ctx.seed + run,
                    dtype=f32,
                ),
                p.max_epochs,
                eval_loaders={
                    "test": array_loader(Xt, np.zeros(len(Xt)), 1024, order="segment", dtype=f32)
                },
                callbacks=[ema],
            )
            h = task.history
            ctx.save_curve(
                name,
                epoch=np.arange(1, len(h["step_loss"]) + 1),
                train_loss=h["step_loss"],
                test_ema_loss=h["test_loss"],
            )
        ctx.save_module(model_name(variant, run, ema=True), net)
        obj.load_state_dict(ema.raw)  # the raw weights (the objective wraps net)
        ctx.save_module(model_name(variant, run, ema=False), net)


def _generator(ctx: Context, key):
    import torch

    key = key if isinstance(key, tuple | list) else (key,)
    seed = int(np.random.default_rng([ctx.seed, 14, *map(int, key)]).integers(2**31))
    return torch.Generator().manual_seed(seed)


def load(ctx: Context, name: str):
    return ctx.load_module(name, unet(ctx.params))


def _device(ctx: Context) -> str:
    """Where sampling runs: the GPU when ``runtime.accelerator`` asks for one (or ``auto`` finds
    one), else the CPU; the samples are the same either way up to float rounding."""
    import torch

    acc = ctx.cfg.runtime.accelerator
    gpu = acc in ("gpu", "cuda") or (acc == "auto" and torch.cuda.is_available())
    return "cuda" if gpu else "cpu"


def draw(ctx: Context, name: str, n: int, key, return_trajectory: bool = False):
    """``n`` samples (n, 1, R, R) in [0, 1] of the saved model ``name`` by Algorithm 2,
    deterministic given ``key`` (an int or a tuple of ints)."""
    import torch

    from mldm.models import sample

    p = ctx.params
    with torch.no_grad():
        out = sample(
            load(ctx, name).to(_device(ctx)),
            schedule(p),
            (n, 1, p.resolution, p.resolution),
            _generator(ctx, key),
            return_trajectory=return_trajectory,
        )
    if return_trajectory:
        x, (ts, xs) = out
        return to_pixels(x.cpu()), (ts, to_pixels(xs))
    return to_pixels(out.cpu())


def samples(ctx: Context, n: int) -> dict[str, Any]:
    """``n`` samples of every trained model (EMA and raw), ``{name: tensor}``."""
    return {name: draw(ctx, name, n, (1, i)) for i, name in enumerate(trained_names(ctx.params))}


def pixel_distance(a, b) -> float:
    """Wasserstein-1 between the pixel-value distributions of two image sets (all pixels
    pooled; quantiles on a 512-point grid) plus the RMS difference of their mean images."""
    qs = np.linspace(0, 1, 512)
    qa = np.quantile(np.asarray(a).ravel(), qs)
    qb = np.quantile(np.asarray(b).ravel(), qs)
    mean_gap = np.sqrt(np.mean((np.asarray(a).mean(0) - np.asarray(b).mean(0)) ** 2))
    return float(np.abs(qa - qb).mean() + mean_gap)


@dataclass(frozen=True)
class Samples:
    grids: dict[str, Any]  # name -> (n, 1, R, R) samples in [0, 1]
    real: Any
    trajectory: tuple[list[int], Any]
    distances: dict[str, float]
    curves: dict[str, Any]


def _test_losses(ctx: Context, name: str, x0, t, eps) -> dict[str, float]:
    """L_simple and λ_t-weighted losses on the test digits at fixed (t, ε) draws."""
    import torch

    from mldm.models.diffusion import EpsilonObjective

    s = schedule(ctx.params)
    net = load(ctx, name)
    out = {}
    with torch.no_grad():
        for w in ("simple", "lambda"):
            loss = EpsilonObjective(net, s, w).loss_at(x0, t, eps)
            out[f"test_{w}_loss"] = float(loss.mean())
    return out


def evaluate(ctx: Context, d: Digits) -> Samples:
    import torch

    p = ctx.params
    x0 = to_model_space(d.test)
    g = _generator(ctx, 0)
    t = torch.randint(1, p.T + 1, (len(x0),), generator=g)
    eps = torch.randn(x0.shape, generator=g)
    grids = samples(ctx, p.n_samples)
    distances = {}
    for name, x in grids.items():
        distances[name] = pixel_distance(x.numpy(), d.test.numpy())
        ctx.record(
            "ddpm", name, pixel_distance=distances[name], **_test_losses(ctx, name, x0, t, eps)
        )
    simple = over_seeds([distances[model_name("simple", r, True)] for r in range(p.seeds)])
    ctx.record(
        "ddpm",
        "simple_ema_over_seeds",
        **simple.metrics("pixel_distance"),
    )
    ctx.measure(
        "simple_loss_samples_better", distances[model_name("weighted", 0, True)] - simple.mean
    )
    trajectory = draw(ctx, model_name("simple", 0, True), 8, 2, return_trajectory=True)[1]
    curves = ctx.curves([base_name(v, r) for v, r in runs(p)])
    return Samples(grids, d.test[: p.n_samples], trajectory, distances, curves)
