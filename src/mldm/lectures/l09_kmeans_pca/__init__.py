"""L09 K-means clustering and PCA (course-notes lines 3499-4052).

K-means (Lloyd) as the slides write it: assign each point to its nearest centre, move each
centre to its cluster's mean (lines 3577-3595). The objective J = Σ r_nk ||x_n − μ_k||²
never increases (lines 3600-3617) — measured on every run, every initialization (random,
farthest point, random + distance, lines 3636-3660). J falls with K, so K comes from the
elbow (lines 3625-3635): on blobs with a known K the elbow finds it. Soft K-means (lines
3664-3690) tends to hard K-means as the stiffness β grows. scikit-learn's KMeans started
from the same centres is the oracle. PCA is computed both ways the lecture derives it
(eigenvectors of S and the SVD of the centred data) and checked against scikit-learn; the
three views (minimum reconstruction error, maximum variance, SVD; lines 3745-4000) are
checked numerically on the same faces, the slide's 7×5 SVD example (line 3976) is
reproduced, eigenfaces are drawn from skimage's faces (lines 3890-3900), and 12×12 patches
of a photograph are compressed and denoised (lines 4006-4045).

Experiments, in the lecture's order: :mod:`.kmeans` (the elbow, J per step, the
initializations, scikit-learn as oracle), :mod:`.soft_kmeans` (the stiffness β),
:mod:`.pca_views` (eigenvectors vs SVD, the three views), :mod:`.svd_example` (the slide's
7×5 matrix), :mod:`.eigenfaces`, :mod:`.patches` (compression and denoising);
:mod:`.common` holds the blobs the first two share, :mod:`.figures` draws their results. The
elbow rule is :func:`mldm.models.clustering.elbow`, the reconstruction from k components
:func:`mldm.models.pca.reconstruct`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l09_kmeans_pca import (
    eigenfaces,
    figures,
    kmeans,
    patches,
    pca_views,
    soft_kmeans,
    svd_example,
)
from mldm.lectures.l09_kmeans_pca.claims import CLAIMS
from mldm.lectures.l09_kmeans_pca.params import Params

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "K-means clustering and PCA"
LINES = "3499-4052"
DATASETS = ("digits", "lfw_faces", "camera")

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "Params", "evaluate", "train"]


def train(ctx: Context) -> None:
    kmeans.train(ctx)
    soft_kmeans.train(ctx)
    pca_views.train(ctx)
    patches.train(ctx)


def evaluate(ctx: Context) -> None:
    figures.kmeans(ctx, kmeans.evaluate(ctx))
    figures.soft_kmeans(ctx, soft_kmeans.evaluate(ctx))
    pca_views.evaluate(ctx)
    svd_example.evaluate(ctx)
    figures.eigenfaces(ctx, eigenfaces.evaluate(ctx))
    figures.patches(ctx, *patches.evaluate(ctx))
