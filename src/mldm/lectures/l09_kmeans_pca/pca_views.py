"""PCA on the faces, both ways the lecture derives it, and its three views (lines 3700-4000).

The eigenvectors of S and the SVD of the centred data give the same components, which equal
scikit-learn's. The three views agree numerically on the same faces: minimum reconstruction
error E(M) = Σ_{i>M} λ_i, variance of the projections on u_i = λ_i, and λ_i = σ_i²/N from the
SVD (lines 3795-4000); no random orthonormal basis of the same size reconstructs better.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context

RANDOM_BASES = 200  # random orthonormal bases tried against PCA's
M = 7  # components kept in that comparison


def random_orthonormal(d: int, m: int, rng) -> np.ndarray:
    """``m`` orthonormal directions in R^d (rows), from the QR of a Gaussian matrix."""
    Q, _ = np.linalg.qr(rng.standard_normal((d, m)))
    return Q.T


def train(ctx: Context) -> None:
    from mldm.models import PCA

    faces = ctx.data("lfw_faces")
    with ctx.run("eigenfaces"):
        ctx.save_model("faces_pca_eig", PCA(solver="eig").fit(faces.X_train))
        ctx.save_model("faces_pca_svd", PCA(solver="svd").fit(faces.X_train))


def evaluate(ctx: Context) -> None:
    from sklearn import decomposition

    from mldm.evaluation import worst

    X = ctx.data("lfw_faces").X_train
    eig, svd = ctx.load_model("faces_pca_eig"), ctx.load_model("faces_pca_svd")
    # N = 75 faces of 625 pixels: only N − 1 directions have variance; the rest are any
    # orthonormal completion, so only those with λ > 0 are compared
    r = int(np.sum(eig.eigenvalues_ > 1e-10 * eig.eigenvalues_[0]))
    ctx.measure("eig_equals_svd", float(np.abs(eig.components_[:r] - svd.components_[:r]).max()))
    sk = decomposition.PCA(svd_solver="full").fit(X)

    def rel(a, b):
        return float(np.abs(a - b).max() / np.abs(b).max())

    ctx.measure(
        "pca_matches_sklearn",
        worst(
            (
                rel(eig.components_[:r], sk.components_[:r]),
                rel(eig.explained_variance_[:r], sk.explained_variance_[:r]),
                rel(eig.transform(X)[:, :r], sk.transform(X)[:, :r]),
            )
        ),
    )
    _three_views(ctx, X, eig)


def _three_views(ctx: Context, X: np.ndarray, eig) -> None:
    """The three views on the same data, and PCA against random bases."""
    from mldm.evaluation import worst
    from mldm.models.pca import reconstruction_errors

    lam = eig.eigenvalues_
    Xc = X - X.mean(0)
    N = len(X)
    E_direct = np.array(  # E(M) = (1/N) Σ_n ||x̃_n − Σ_{i<=M} a_i u_i||², for every M
        [
            np.mean(np.sum((Xc - Xc @ eig.components_[:m].T @ eig.components_[:m]) ** 2, axis=1))
            for m in range(len(lam) + 1)
        ]
    )
    view1 = np.abs(E_direct - reconstruction_errors(X)).max()  # E(M) = Σ_{i>M} λ_i
    view2 = np.abs((Xc @ eig.components_.T).var(axis=0) - lam).max()  # var(u_iᵀx̃) = λ_i
    sigma = np.linalg.svd(Xc, compute_uv=False)[: len(lam)]
    view3 = np.abs(sigma**2 / N - lam).max()  # λ_i = σ_i²/N
    ctx.measure("three_views_agree", float(worst((view1, view2, view3)) / lam[0]))
    rng = np.random.default_rng([ctx.seed, 10])
    E_pca = E_direct[M]
    E_rand = min(
        np.mean(np.sum((Xc - Xc @ B.T @ B) ** 2, axis=1))
        for B in (random_orthonormal(X.shape[1], M, rng) for _ in range(RANDOM_BASES))
    )
    ctx.measure("pca_beats_random_bases", float(E_rand - E_pca))
    ctx.record(
        "faces_three_views",
        "pca",
        n_components=M,
        reconstruction_error=float(E_pca),
        sum_of_dropped_eigenvalues=float(lam[M:].sum()),
        best_random_basis_error=float(E_rand),
        max_variance_view_gap=float(view2),
        svd_view_gap=float(view3),
    )
