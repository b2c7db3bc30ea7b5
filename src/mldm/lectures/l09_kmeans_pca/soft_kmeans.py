"""Soft K-means on the blobs: it tends to hard K-means as the stiffness β grows (lines
3664-3690).

From the same start as hard K-means, the softmax assignment with the largest β ends at hard
K-means' centres, and the mean largest responsibility rises with β.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l09_kmeans_pca.common import blobs

if TYPE_CHECKING:
    from mldm.lectures.base import Context


@dataclass(frozen=True)
class SoftAssignments:
    """The blobs, and for a few β of the grid (smallest, middle, largest) the
    responsibilities r_nk and the centres soft K-means ends at."""

    X: np.ndarray
    betas: tuple[float, ...]
    responsibilities: tuple[np.ndarray, ...]
    centres: tuple[np.ndarray, ...]


def train(ctx: Context) -> None:
    from mldm.models import KMeans, SoftKMeans
    from mldm.models.clustering import init_centres

    p = ctx.params
    Xb = blobs(p, ctx.seed)
    start = init_centres(Xb, p.blobs.k, "random_distance", ctx.seed)
    with ctx.run("soft_kmeans", betas=str(p.kmeans.betas)):
        ctx.save_model("blobs_hard", KMeans(p.blobs.k, init=start).fit(Xb))
        for i, beta in enumerate(p.kmeans.betas):
            ctx.save_model(f"blobs_soft{i}", SoftKMeans(p.blobs.k, beta=beta, init=start).fit(Xb))


def evaluate(ctx: Context) -> SoftAssignments:
    from mldm.lectures.base import sweep_key

    p = ctx.params
    Xb = blobs(p, ctx.seed)
    hard = ctx.load_model("blobs_hard")
    scale = float(Xb.std())
    dist, sharp = [], []
    for i, beta in enumerate(p.kmeans.betas):
        soft = ctx.load_model(f"blobs_soft{i}")
        dist.append(float(np.abs(soft.cluster_centers_ - hard.cluster_centers_).max()) / scale)
        sharp.append(float(soft.responsibilities_.max(axis=1).mean()))
        ctx.record(
            "soft_kmeans_by_beta",
            sweep_key("betas", i, len(p.kmeans.betas)),
            beta=float(beta),
            centre_distance_to_hard=dist[-1],
            mean_largest_responsibility=sharp[-1],
            iterations=int(soft.n_iter_),
        )
    ctx.measure("soft_tends_to_hard", dist[-1])
    ctx.measure("stiffness_hardens_assignments", int(np.sum(np.diff(sharp) < -1e-12)))
    picks = sorted({0, len(p.kmeans.betas) // 2, len(p.kmeans.betas) - 1})
    shown = [ctx.load_model(f"blobs_soft{i}") for i in picks]
    return SoftAssignments(
        X=Xb,
        betas=tuple(p.kmeans.betas[i] for i in picks),
        responsibilities=tuple(s.responsibilities_ for s in shown),
        centres=tuple(s.cluster_centers_ for s in shown),
    )
