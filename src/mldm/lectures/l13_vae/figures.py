"""The VAE's figures: training curves, samples from p(z), reconstructions, the 2-D latent map
(test means by digit, and the decoder over a grid of z), interpolations between two test
digits in latent space, the IWAE bound against k, and the β trade-off (mean ± sd)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l13_vae.common import generator

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l13_vae.experiments import Results


def _tile(images, rows: int, cols: int, side: int = 28) -> np.ndarray:
    images = np.asarray(images).reshape(rows, cols, side, side)
    return images.transpose(0, 2, 1, 3).reshape(rows * side, cols * side)


def draw(ctx: Context, r: Results) -> None:
    import torch

    from mldm.lectures.base import plot_curves

    with ctx.figure("training", ncols=2) as (fig, (a1, a2)):
        plot_curves(a1, r.curves, "test_loss", ylabel="test −ELBO (nats / image)")
        for name, c in r.curves.items():
            a2.plot(c["epoch"], c["test_kl"], label=f"{name} KL")
        a2.set(xlabel="epoch", ylabel="test KL(q||p(z)) (nats)")
        a2.legend(fontsize=7)
    model, d = r.model, r.digits
    with torch.no_grad():
        samples = model.sample(64, generator(ctx, 60)).numpy()
        x = d.test[d.eval_idx[:16]]
        recon = torch.sigmoid(model.decode(model.encode(x)[0])).numpy()
        mu = model.encode(d.test[d.eval_idx[:2]])[0]
        w = torch.linspace(0, 1, 10)[:, None]
        interp = torch.sigmoid(model.decode((1 - w) * mu[0] + w * mu[1])).numpy()
    with ctx.figure("samples", size=(5, 5)) as (fig, ax):
        ax.imshow(_tile(samples, 8, 8), cmap="gray")
        ax.set_title("p(x|z) probabilities, z ~ N(0, I)", fontsize=9)
        ax.axis("off")
    with ctx.figure("reconstructions", size=(8, 2)) as (fig, ax):
        ax.imshow(_tile(np.concatenate([x.numpy(), recon]), 2, 16), cmap="gray")
        ax.set_title("test digits (top) and decode(μ_φ(x)) (bottom)", fontsize=9)
        ax.axis("off")
    with ctx.figure("interpolation", size=(8, 1.4)) as (fig, ax):
        ax.imshow(_tile(interp, 1, 10), cmap="gray")
        ax.set_title("decode((1 − w) μ(x₁) + w μ(x₂)), w = 0 … 1", fontsize=9)
        ax.axis("off")
    _latent_map(ctx, r)
    with ctx.figure("iwae_and_beta", ncols=2) as (fig, (a1, a2)):
        ks = list(r.iwae)
        a1.semilogx(ks, [r.iwae[k] for k in ks], "o-", label="IWAE bound")
        a1.axhline(-r.elbo, c="k", ls="--", lw=0.8, label="ELBO (1 draw)")
        a1.set(xlabel="k", ylabel="test mean (nats / image)")
        a1.legend(fontsize=7)
        b = np.asarray(r.beta)
        a2.errorbar(b[:, 3], b[:, 1], xerr=b[:, 4], yerr=b[:, 2], fmt="o-")
        for row in b:
            a2.annotate(f"β={row[0]:g}", (row[3], row[1]), fontsize=7)
        a2.set(xlabel="test KL(q||p(z)) (nats)", ylabel="test reconstruction −log p(x|z)")
        a2.set_title("β trade-off, mean ± sd over seeds", fontsize=9)


def _latent_map(ctx: Context, r: Results) -> None:
    import torch

    model, d = r.model2d, r.digits
    with torch.no_grad():
        mu = model.encode(d.test)[0].numpy()
        axis = torch.linspace(-2.5, 2.5, 12)
        z = torch.cartesian_prod(axis.flip(0), axis)[:, [1, 0]]
        grid = torch.sigmoid(model.decode(z)).numpy()
    with ctx.figure("latent_2d", ncols=2, size=(5, 5)) as (fig, (a1, a2)):
        sc = a1.scatter(mu[:, 0], mu[:, 1], c=d.y_test, cmap="tab10", s=4)
        fig.colorbar(sc, ax=a1, label="digit")
        a1.set(xlabel="μ₁", ylabel="μ₂", title="2-D latent: test means")
        a2.imshow(_tile(grid, 12, 12), cmap="gray", extent=(-2.5, 2.5, -2.5, 2.5))
        a2.set_title("decoder over z in [−2.5, 2.5]²", fontsize=9)
