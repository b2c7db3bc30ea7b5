"""L14's figures (matplotlib only): samples, the denoising trajectory, loss curves, the
posterior weights of the lecture's figure and λ_t."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l14_diffusion.ddpm import Samples
    from mldm.lectures.l14_diffusion.fidelity import SampleQuality
    from mldm.lectures.l14_diffusion.forward import PosteriorWeights


def _grid(images, rows: int, cols: int) -> np.ndarray:
    x = np.asarray(images)[: rows * cols, 0]
    n, r, _ = x.shape
    out = np.ones((rows * (r + 1), cols * (r + 1)))
    for i in range(n):
        a, b = divmod(i, cols)
        out[a * (r + 1) : a * (r + 1) + r, b * (r + 1) : b * (r + 1) + r] = x[i]
    return out


def samples(ctx: Context, s: Samples) -> None:
    shown = ["real test digits", "simple_ema", "simple_raw", "weighted_ema"]
    sets = {"real test digits": s.real} | {k: s.grids[k] for k in shown[1:]}
    with ctx.figure("samples", ncols=len(sets), size=(3.2, 3.4)) as (_, ax):
        for a, (name, x) in zip(ax, sets.items(), strict=True):
            a.imshow(_grid(x, 8, 8), cmap="gray_r", vmin=0, vmax=1)
            label = (
                name if name not in s.distances else f"{name}\npixel dist {s.distances[name]:.3f}"
            )
            a.set(title=label, xticks=[], yticks=[])
    ts, xs = s.trajectory
    with ctx.figure("trajectory", size=(1.0 * len(ts), 6.0)) as (_, ax):
        frames = np.asarray(xs)  # (steps, n, 1, R, R)
        r = frames.shape[-1]
        rows = [np.concatenate([f[i, 0] for f in frames], 1) for i in range(frames.shape[1])]
        ax.imshow(np.concatenate(rows, 0), cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=np.arange(len(ts)) * r + r / 2, xticklabels=[f"t={t}" for t in ts], yticks=[])
        ax.set_title("Algorithm 2: x_T → x_0")
    from mldm.lectures.base import plot_curves

    with ctx.figure("loss_curves", ncols=2) as (_, ax):
        plot_curves(ax[0], s.curves, "train_loss", log=True, title="training loss (own objective)")
        plot_curves(ax[1], s.curves, "test_ema_loss", log=True, title="test loss, EMA weights")


def sample_quality(ctx: Context, q: SampleQuality) -> None:
    """One 6x6 grid per row of the sample-quality table, titled with its Fréchet distance."""
    with ctx.figure("sample_quality", ncols=len(q.rows), size=(2.6, 3.2)) as (_, ax):
        for a, (label, (x, fd)) in zip(ax, q.rows.items(), strict=True):
            a.imshow(_grid(x, 6, 6), cmap="gray_r", vmin=0, vmax=1)
            a.set(title=f"{label}\nFréchet {fd:.3g}", xticks=[], yticks=[])


def forward(ctx: Context, w: PosteriorWeights) -> None:
    with ctx.figure("posterior_weights", ncols=2) as (_, ax):
        ax[0].plot(w.t, w.w_x0, label="√ᾱ_{t-1}β_t/(1-ᾱ_t)  (x_0)")
        ax[0].plot(w.t, w.w_xt, label="√(1-β_t)(1-ᾱ_{t-1})/(1-ᾱ_t)  (x_t)")
        ax[0].axvline(20, color="grey", ls=":")
        ax[0].set(title="weights in μ̃_t, β_t = 0.01", xlabel="t")
        ax[0].legend(fontsize=7)
        ax[1].semilogy(w.lam_t, w.lam_last)
        ax[1].set(title="λ_t of the bound (our schedule)", xlabel="t")
