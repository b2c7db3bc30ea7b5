"""Eigenfaces: held-out faces rebuilt from the top k components (lines 3890-3900).

A face is approximated as x ≈ x̄ + a₁u₁ + ... + a_k u_k; the error on held-out faces never
rises with k, and the top 7 eigenfaces keep most of the variance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context

FACES_SHOWN = 4  # held-out faces in the reconstruction figure


@dataclass(frozen=True)
class Eigenfaces:
    """The mean face and the top eigenfaces (as ``side``×``side`` images' pixels), and a few
    held-out faces with their reconstructions from each k of ``ks``
    (``reconstructions[face][j]`` from ``ks[j]`` components)."""

    side: int
    mean_face: np.ndarray
    eigenfaces: np.ndarray
    ks: tuple[int, ...]
    held_out: np.ndarray
    reconstructions: tuple[tuple[np.ndarray, ...], ...]


def evaluate(ctx: Context) -> Eigenfaces:
    from mldm.lectures.base import sweep_key
    from mldm.models.pca import reconstruct

    p = ctx.params
    faces = ctx.data("lfw_faces")
    pca = ctx.load_model("faces_pca_eig")
    ks = [k for k in p.faces.components if k <= pca.n_components_]
    errors = []
    for i, k in enumerate(ks):
        rec = reconstruct(pca, faces.X_test, k)
        errors.append(float(np.mean(np.sum((faces.X_test - rec) ** 2, axis=1))))
        ctx.record(
            "eigenfaces_held_out",
            sweep_key("components", i, len(ks)),
            k=k,
            reconstruction_mse_per_face=errors[-1],
            explained_variance_ratio=float(pca.explained_variance_ratio_[:k].sum()),
        )
    ctx.measure("faces_reconstruct_better_with_more_components", int(np.sum(np.diff(errors) > 0)))
    ctx.measure("seven_eigenfaces_capture_most", float(pca.explained_variance_ratio_[:7].sum()))
    n_show = min(p.faces.eigenfaces_shown, pca.n_components_)
    shown = faces.X_test[:FACES_SHOWN]
    return Eigenfaces(
        side=int(np.sqrt(faces.X_train.shape[1])),
        mean_face=pca.mean_,
        eigenfaces=pca.components_[:n_show],
        ks=tuple(ks),
        held_out=shown,
        reconstructions=tuple(tuple(reconstruct(pca, x, k) for k in ks) for x in shown),
    )
