"""Kernels (lines 1800-1905) on two moons: the polynomial kernel is an explicit basis, the
Gaussian kernel the limit of the slide's infinite feature map, both pass Mercer's test and
−||x − x'||² does not; a non-linear boundary needs a kernel, and the rbf γ sweep shows under-
and over-fitting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .common import KERNELS, TIGHT_TOL, Split, gammas, moons, scored, svc

if TYPE_CHECKING:
    from mldm.lectures.base import Context


@dataclass(frozen=True)
class KernelResults:
    """Test accuracy per kernel, and train/test accuracy along the γ grid."""

    test_accuracy: dict[str, float]
    gammas: np.ndarray
    gamma_train: np.ndarray
    gamma_test: np.ndarray

    @property
    def best_gamma(self) -> int:
        """Index of the γ with the best test accuracy."""
        return int(np.argmax(self.gamma_test))


def train(ctx: Context) -> None:
    from mldm.models.kernel_maps import poly2_features

    p = ctx.params
    d = moons(p, ctx.seed)
    with ctx.run("moons_kernels", C=p.C):
        for kernel in KERNELS:
            kw = {"coef0": 1.0} if kernel == "poly" else {}
            ctx.save_model(f"moons_{kernel}", svc(kernel, p.C, p, **kw).fit(d.X, d.y))
        for i, g in enumerate(gammas(p)):
            ctx.save_model(f"moons_rbf_g{i}", svc("rbf", p.C, p, gamma=float(g)).fit(d.X, d.y))
        poly2 = {"degree": 2, "gamma": 1.0, "coef0": 1.0, "tol": TIGHT_TOL}
        ctx.save_model("moons_poly2", svc("poly", p.C, p, **poly2).fit(d.X, d.y))
        explicit = svc("linear", p.C, p, tol=TIGHT_TOL)
        ctx.save_model("moons_poly2_explicit", explicit.fit(poly2_features(d.X), d.y))


def feature_maps(ctx: Context, X, Xt) -> None:
    """(xᵀx' + 1)² = φ(x)ᵀφ(x') and the SVCs on either side agree; the truncated Gaussian φ
    reproduces the Gaussian kernel, its error falling factorially with the terms kept."""
    from mldm.models.kernel_maps import gaussian_feature_map, poly2_features
    from mldm.models.svm import kernel_matrix

    Phi = poly2_features(X)
    gram = np.abs(kernel_matrix(X, X, "poly", 1.0, 2, 1.0) - Phi @ Phi.T).max()
    f_k = ctx.load_model("moons_poly2").decision_function(Xt)
    f_phi = ctx.load_model("moons_poly2_explicit").decision_function(poly2_features(Xt))
    rel = float(np.abs(f_k - f_phi).max() / np.abs(f_k).max())
    ctx.measure("poly_kernel_is_explicit_basis", max(rel, float(gram)))

    grid, sigma = np.linspace(-2, 2, 81), 1.0
    exact = np.exp(-((grid[:, None] - grid[None]) ** 2) / (2 * sigma**2))  # k(x, x')

    def error(terms: int) -> float:
        phi = gaussian_feature_map(grid, sigma, terms)
        return float(np.abs(phi @ phi.T - exact).max())

    ctx.measure("gaussian_feature_map", error(30))
    ctx.table(
        "gaussian_feature_map",
        ["terms of φ", "max |φ(x)ᵀφ(x') − k(x, x')| on [−2, 2]²"],
        [[m, error(m)] for m in (1, 2, 5, 10, 20, 30)],
        note="σ = 1. Each extra term adds (xx'/σ²)^m/m!: the error falls factorially.",
    )


def min_eig(K) -> float:
    """Smallest eigenvalue of the symmetrized K over the largest |eigenvalue|."""
    ev = np.linalg.eigvalsh((K + K.T) / 2)
    return float(ev[0] / np.abs(ev).max())


def evaluate(ctx: Context, data: Split) -> KernelResults:
    from mldm.lectures.base import sweep_key
    from mldm.models.svm import kernel_matrix

    X, y, Xt, yt = data.X, data.y, data.Xt, data.yt
    p = ctx.params
    feature_maps(ctx, X, Xt)
    # Mercer: kernel matrices are PSD; −||x − x'||² is not a kernel
    eigs = {
        k: min_eig(kernel_matrix(X, X, k, g, 3, 1.0))
        for k, g in (("linear", 1.0), ("poly", 0.5), ("rbf", 1.0))
    }
    ctx.measure("kernels_are_psd", min(eigs.values()))
    sq = (X**2).sum(1)
    ctx.measure("non_kernel_not_psd", min_eig(-(sq[:, None] + sq[None] - 2 * X @ X.T)))
    acc = {}
    for kernel in KERNELS:
        est = ctx.load_model(f"moons_{kernel}")
        acc[kernel] = scored(est, Xt, yt)
        ctx.record(
            "moons_kernels",
            kernel,
            n_support=len(est.support_),
            train_accuracy=scored(est, X, y),
            test_accuracy=acc[kernel],
            min_eigenvalue_ratio=eigs[kernel],
        )
    ctx.measure("rbf_beats_linear_on_moons", acc["rbf"] - acc["linear"])
    train, test = [], []
    grid = gammas(p)
    for i, g in enumerate(grid):
        est = ctx.load_model(f"moons_rbf_g{i}")
        train.append(scored(est, X, y))
        test.append(scored(est, Xt, yt))
        ctx.record(
            "moons_gamma_sweep",
            sweep_key("gamma_grid", i, len(grid)),
            gamma=float(g),
            n_support=len(est.support_),
            train_accuracy=train[-1],
            test_accuracy=test[-1],
        )
    out = KernelResults(acc, grid, np.array(train), np.array(test))
    best = out.best_gamma
    ctx.measure("small_gamma_underfits", float(out.gamma_test[best] - out.gamma_test[0]))
    gap = out.gamma_train - out.gamma_test
    ctx.measure("large_gamma_overfits", float(gap[-1] - gap[best]))
    ctx.save_curve(
        "gamma_sweep", gamma=grid, train_accuracy=out.gamma_train, test_accuracy=out.gamma_test
    )
    return out
