"""L09's figures, drawn from the experiments' results (matplotlib only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l09_kmeans_pca.eigenfaces import Eigenfaces
    from mldm.lectures.l09_kmeans_pca.kmeans import KMeansCurves
    from mldm.lectures.l09_kmeans_pca.patches import Denoising, PatchCompression
    from mldm.lectures.l09_kmeans_pca.soft_kmeans import SoftAssignments

# one colour per cluster (matplotlib's first four); a point's colour mixes them by r_nk
PALETTE = np.array([[0.12, 0.47, 0.71], [1.0, 0.5, 0.05], [0.17, 0.63, 0.17], [0.84, 0.15, 0.16]])


def kmeans(ctx: Context, c: KMeansCurves) -> None:
    with ctx.figure("elbow", ncols=2) as (_, (ax1, ax2)):
        ax1.plot(np.arange(1, len(c.blobs_j) + 1), c.blobs_j, "o-")
        ax1.axvline(c.elbow_k, c="k", ls="--", lw=0.8, label=f"elbow K = {c.elbow_k}")
        ax1.set_title(f"blobs (true K = {c.true_k})", fontsize=9)
        ax1.set_xlabel("K")
        ax1.set_ylabel("J")
        ax1.legend()
        ax2.plot(np.arange(1, len(c.digits_j) + 1), c.digits_j, "o-")
        ax2.set_title("digits (10 classes): no clear elbow", fontsize=9)
        ax2.set_xlabel("K")
    with ctx.figure("j_per_step") as (_, ax):
        ax.plot(c.j_per_step, ".-")
        ax.set_xlabel("half-step (assignment, update, assignment, ...)")
        ax.set_ylabel("J")
        ax.set_title("K-means on digits: J never rises", fontsize=9)


def soft_kmeans(ctx: Context, s: SoftAssignments) -> None:
    with ctx.figure("soft_kmeans", ncols=len(s.betas), size=(3.6, 3.4)) as (_, axes):
        for ax, beta, r, centres in zip(axes, s.betas, s.responsibilities, s.centres, strict=False):
            colors = r @ np.resize(PALETTE, (r.shape[1], 3))
            ax.scatter(*s.X.T, s=6, c=np.clip(colors, 0, 1))
            ax.scatter(*centres.T, marker="x", c="k", s=60)
            ax.set_title(f"β = {beta:g}", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])


def eigenfaces(ctx: Context, e: Eigenfaces) -> None:
    side, cols = e.side, 5
    rows = 1 + (len(e.eigenfaces) + cols - 1) // cols
    with ctx.figure("eigenfaces", ncols=cols, nrows=rows, size=(1.6, 1.7)) as (_, axes):
        for ax in axes:
            ax.axis("off")
        axes[0].imshow(e.mean_face.reshape(side, side), cmap="gray")
        axes[0].set_title("mean face", fontsize=8)
        for i, u in enumerate(e.eigenfaces):
            axes[cols + i].imshow(u.reshape(side, side), cmap="gray")
            axes[cols + i].set_title(f"u{i + 1}", fontsize=8)
    n, ks = len(e.held_out), e.ks
    with ctx.figure("face_reconstructions", ncols=len(ks) + 1, nrows=n, size=(1.5, 1.6)) as (
        _,
        axes,
    ):
        axes = np.asarray(axes).reshape(n, len(ks) + 1)
        for r, (x, recs) in enumerate(zip(e.held_out, e.reconstructions, strict=True)):
            axes[r, 0].imshow(x.reshape(side, side), cmap="gray")
            for c, (k, rec) in enumerate(zip(ks, recs, strict=True), start=1):
                axes[r, c].imshow(rec.reshape(side, side), cmap="gray")
                if r == 0:
                    axes[r, c].set_title(f"k = {k}", fontsize=8)
            if r == 0:
                axes[r, 0].set_title("held out", fontsize=8)
        for ax in axes.ravel():
            ax.axis("off")


def patches(ctx: Context, c: PatchCompression, d: Denoising) -> None:
    with ctx.figure("patch_compression", ncols=len(c.shown) + 2, size=(3.2, 3.4)) as (_, axes):
        axes[0].imshow(c.image, cmap="gray", vmin=0, vmax=255)
        axes[0].set_title("original", fontsize=9)
        for ax, (k, rec) in zip(axes[1:], c.shown.items(), strict=False):
            ax.imshow(rec, cmap="gray", vmin=0, vmax=255)
            ax.set_title(f"{k} components: {c.psnr_db[c.ks.index(k)]:.1f} dB", fontsize=9)
        axes[-1].plot(c.ks, c.psnr_db, "o-")
        axes[-1].set_xlabel("components")
        axes[-1].set_ylabel("PSNR (dB)")
        for ax in axes[:-1]:
            ax.axis("off")
    with ctx.figure("patch_components", ncols=6, size=(1.4, 1.5)) as (_, axes):
        for i, ax in enumerate(axes):
            ax.imshow(c.components[i].reshape(c.size, c.size), cmap="gray")
            ax.set_title(f"u{i + 1}", fontsize=8)
            ax.axis("off")
    with ctx.figure("denoising", ncols=3, size=(3.2, 3.4)) as (_, axes):
        for ax, (title, im) in zip(
            axes,
            (
                ("clean", d.clean),
                (f"noisy σ = {d.noise_sigma:g}: {d.psnr_noisy_db:.1f} dB", d.noisy),
                (f"top {d.n_components}: {d.psnr_denoised_db:.1f} dB", d.denoised),
            ),
            strict=True,
        ):
            ax.imshow(im, cmap="gray", vmin=0, vmax=255)
            ax.set_title(title, fontsize=9)
            ax.axis("off")
