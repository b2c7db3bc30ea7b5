"""What the K-means and soft K-means experiments share: the blobs with a known K."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from mldm.lectures.l09_kmeans_pca.params import Params


def blobs(p: Params, seed: int) -> np.ndarray:
    """Synthetic 2-D clusters drawn from ``p.blobs.k`` centres (the elbow and soft K-means
    pictures)."""
    from sklearn.datasets import make_blobs

    b = p.blobs
    X, _ = make_blobs(b.n, centers=b.k, cluster_std=b.std, random_state=seed)
    return X
