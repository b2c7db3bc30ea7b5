"""L07's figures (matplotlib only), each drawing what one experiment's evaluation returned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l07_training.initialization import ActivationScales
    from mldm.lectures.l07_training.optimizers import Valley


def valley(ctx: Context, v: Valley) -> None:
    with ctx.figure("valley", size=(6.0, 3.6)) as (_, ax):
        g = np.linspace(-1.2, 1.2, 200)
        W1, W2 = np.meshgrid(g, g)
        ax.contour(W1, W2, 0.5 * (W1**2 + v.kappa * W2**2), levels=15, linewidths=0.5)
        t_sgd, t_mom = v.steps["sgd"], v.steps["momentum"]
        ax.plot(*v.paths["sgd"][:200].T, "C0.-", ms=2, label=f"SGD ({t_sgd} steps)")
        ax.plot(
            *v.paths["momentum"][:200].T, "C1.-", ms=2, label=f"momentum ρ={v.rho} ({t_mom} steps)"
        )
        ax.set(title=f"f = ½(w₁² + {v.kappa:g}w₂²), lr = 1/κ", xlabel="w₁", ylabel="w₂")
        ax.legend(fontsize=7)


def optimizers(ctx: Context, curves: dict[str, Any]) -> None:
    from mldm.lectures.base import plot_curves

    with ctx.figure("optimizers") as (_, ax):
        plot_curves(
            ax, curves, log=True, title="MNIST-1D MLP, same initial weights", ylabel="training loss"
        )


def preprocessing(ctx: Context, curves: dict[str, Any]) -> None:
    from mldm.lectures.base import plot_curves

    with ctx.figure("preprocessing") as (_, ax):
        plot_curves(
            ax, curves, log=True, title="digits softmax regression, same SGD", ylabel="train loss"
        )


def init(ctx: Context, s: ActivationScales) -> None:
    with ctx.figure("init", ncols=2) as (_, ax):
        for k, std in s.std.items():
            ax[0 if k.endswith("tanh") else 1].semilogy(
                np.arange(1, len(std) + 1), std, "o-", label=k
            )
        for a, act in zip(ax, ("tanh", "relu"), strict=True):
            a.set(title=f"activation std per layer ({act})", xlabel="layer")
            a.legend(fontsize=7)


def dropout(ctx: Context, curves: dict[str, Any]) -> None:
    from mldm.lectures.base import plot_curves

    with ctx.figure("dropout", ncols=2) as (_, ax):
        plot_curves(ax[0], curves, "test_loss", title="test cross-entropy (1000 MNIST digits)")
        plot_curves(ax[1], curves, title="training loss")


def batch_norm(ctx: Context, curves: dict[str, Any]) -> None:
    from mldm.lectures.base import plot_curves

    with ctx.figure("batch_norm") as (_, ax):
        plot_curves(ax, curves, title="8 sigmoid layers, same SGD", ylabel="training loss")


def lr_sweep(ctx: Context, curves: dict[str, Any]) -> None:
    with ctx.figure("lr_sweep") as (_, ax):
        for name, v in curves.items():
            ax.semilogy(v["epoch"], v["train_loss"].clip(upper=1e3), label=name.replace("_", "="))
        ax.set(title="SGD training loss by learning rate", xlabel="epoch", ylabel="train loss")
        ax.legend(fontsize=7)
