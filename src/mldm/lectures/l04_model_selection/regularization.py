"""Regularization (lines 1247-1329): L2 in closed form and as weight decay by gradient
descent tames the degree-12 fit and shrinks ||w|| as λ grows; L1 (coordinate descent with soft
thresholding) gives exact zeros on diabetes where L2 with the same λ only shrinks.

λ is the lecture's: Ridge α = Nλ, Lasso α = λ/2 (see :mod:`.params`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .common import Split, lambdas, mse, phi, synthetic
from .selection import Replicates

if TYPE_CHECKING:
    from mldm.lectures.base import Context


@dataclass(frozen=True)
class SyntheticL2:
    """The degree-``l2_degree`` synthetic fit: our Ridge vs scikit-learn's, and ||w|| along
    the λ grid."""

    vs_sklearn: float
    lambdas: np.ndarray
    norms: np.ndarray

    @property
    def norm_increases(self) -> int:
        return int(np.sum(np.diff(self.norms) > 1e-12 * self.norms[:-1]))


@dataclass(frozen=True)
class DiabetesPaths:
    """Diabetes: the closed-form Ridge vs scikit-learn's, the weight-decay GD fit, and the L2
    and L1 regularization paths (one row of weights per λ)."""

    ridge_vs_sklearn: float
    gd: Any  # the Ridge fitted by gradient descent, with its loss_curve_
    lambdas: np.ndarray
    l2_path: np.ndarray
    l1_lambdas: np.ndarray
    l1_path: np.ndarray
    data: Any  # the standardized diabetes Prepared

    @property
    def norm_increases(self) -> int:
        norms = np.linalg.norm(self.l2_path, axis=1)
        return int(np.sum(np.diff(norms) > 1e-12 * norms[:-1]))


def train(ctx: Context) -> None:
    from mldm.models import Lasso, Ridge

    p = ctx.params
    syn = synthetic(p, ctx.seed)
    with ctx.run("synthetic_l2", degree=p.l2_degree, lam=p.l2_lambda):
        Phi = phi(p.l2_degree, syn.X)
        ctx.save_model("synthetic_ridge", Ridge(alpha=len(syn.y) * p.l2_lambda).fit(Phi, syn.y))

    d = ctx.data("diabetes").standardized()
    N = len(d.y_train)
    wd = p.weight_decay
    with ctx.run("ridge_weight_decay", lam=wd.lam, lr=wd.lr, max_epochs=wd.max_epochs):
        # w ← w − r(∇L + 2λw), L the training MSE
        gd = Ridge(alpha=N * wd.lam, solver="gd", lr=wd.lr, max_epochs=wd.max_epochs)
        gd.fit(d.X_train, d.y_train)
        ctx.save_model("diabetes_ridge_gd", gd)
        ctx.save_model("diabetes_ridge_closed", Ridge(alpha=N * wd.lam).fit(d.X_train, d.y_train))
        ctx.save_curve(
            "loss_ridge_weight_decay",
            epoch=np.arange(1, len(gd.loss_curve_) + 1),
            train_mse=gd.loss_curve_,
        )
    lam = p.sparsity_lambda
    with ctx.run("l1_vs_l2", lam=lam):
        lasso = Lasso(alpha=lam / 2, tol=1e-10, max_iter=100_000)  # α = λ/2
        ctx.save_model("diabetes_lasso", lasso.fit(d.X_train, d.y_train))
        ctx.save_model("diabetes_ridge_same_lambda", Ridge(alpha=N * lam).fit(d.X_train, d.y_train))


def evaluate(ctx: Context, syn: Split, rep: Replicates) -> tuple[SyntheticL2, DiabetesPaths]:
    syn_l2 = l2_synthetic(ctx, syn, rep)
    reg = l2_l1_diabetes(ctx)
    ctx.measure("ridge_matches_sklearn", max(syn_l2.vs_sklearn, reg.ridge_vs_sklearn))
    ctx.measure("weight_norm_shrinks", syn_l2.norm_increases + reg.norm_increases)
    return syn_l2, reg


def l2_synthetic(ctx: Context, syn: Split, rep: Replicates) -> SyntheticL2:
    """The degree-12 fit without and with L2 on this draw and over the replicates."""
    from sklearn.linear_model import Ridge as SkRidge

    from mldm.evaluation import relative_error
    from mldm.models.regularized import regularization_path

    p = ctx.params
    N = len(syn.y)
    Phi, Phit = phi(p.l2_degree, syn.X), phi(p.l2_degree, syn.Xt)
    plain = ctx.load_model(f"synthetic_deg{p.l2_degree}")
    ridge = ctx.load_model("synthetic_ridge")
    sk = SkRidge(alpha=N * p.l2_lambda, solver="cholesky").fit(Phi, syn.y)
    vs_sklearn = relative_error(
        np.r_[ridge.intercept_, ridge.coef_], np.r_[sk.intercept_, sk.coef_]
    )
    for name, model, lam in (
        ("no_penalty", plain, 0.0),
        ("l2_penalty", ridge, p.l2_lambda),
    ):
        ctx.record(
            "synthetic_l2",
            name,
            degree=p.l2_degree,
            lambda_=lam,
            train_mse=mse(syn.y, model.predict(Phi)),
            test_mse=mse(syn.yt, model.predict(Phit)),
            weight_norm=float(np.linalg.norm(model.coef_)),
        )
    ratios = rep.l2_ratio
    ctx.measure("l2_rescues_high_degree", float(np.median(ratios)))
    ctx.record(
        "synthetic_l2",
        "replicates_no_penalty_over_l2",  # test MSE ratio over the replicates
        lambda_=p.l2_lambda,
        test_mse_ratio_median=float(np.median(ratios)),
        test_mse_ratio_q10=float(np.quantile(ratios, 0.1)),
        test_mse_ratio_q90=float(np.quantile(ratios, 0.9)),
    )
    lams = lambdas(p)
    path = regularization_path(Phi, syn.y, N * lams, penalty="l2")
    return SyntheticL2(vs_sklearn, lams, np.linalg.norm(path, axis=1))


def orthonormal_shrinkage(X, y, lam: float) -> float:
    """With XᵀX = N·I (centred) both penalties act weight by weight on w_LS = Xᵀy/N: L2
    (α = Nλ) minimizes |y − Xw|² + Nλ|w|², so w = Xᵀy/(N + Nλ) = w_LS/(1 + λ); L1 (α = λ/2)
    minimizes |y − Xw|²/2N + (λ/2)|w|₁ = Σ_j (w_j²/2 − w_j w_LS,j + (λ/2)|w_j|) + const, so
    w_j = sign(w_LS,j)(|w_LS,j| − λ/2)₊. Max |ours − that| relative to max |w_LS|."""
    from mldm.models.regularized import Lasso, Ridge

    N = len(y)
    Q, _ = np.linalg.qr(X - X.mean(axis=0))  # centred, QᵀQ = I
    Xo = np.sqrt(N) * Q  # XᵀX = N·I, columns still mean 0
    w_ls = Xo.T @ (y - y.mean()) / N
    ridge = Ridge(alpha=N * lam).fit(Xo, y).coef_
    lasso = Lasso(alpha=lam / 2, tol=1e-12, max_iter=10_000).fit(Xo, y).coef_
    soft = np.sign(w_ls) * np.maximum(np.abs(w_ls) - lam / 2, 0.0)
    gap = max(np.abs(ridge - w_ls / (1 + lam)).max(), np.abs(lasso - soft).max())
    return float(gap / np.abs(w_ls).max())


def l2_l1_diabetes(ctx: Context) -> DiabetesPaths:
    """Weight decay = ridge; our Lasso vs scikit-learn's; exact zeros; the paths."""
    from sklearn.linear_model import Lasso as SkLasso
    from sklearn.linear_model import Ridge as SkRidge

    from mldm.evaluation import regression_metrics, relative_error
    from mldm.models.regularized import lasso_alpha_max, regularization_path

    p = ctx.params
    d = ctx.data("diabetes").standardized()
    N = len(d.y_train)
    wd = p.weight_decay
    gd, closed = ctx.load_model("diabetes_ridge_gd"), ctx.load_model("diabetes_ridge_closed")
    sk = SkRidge(alpha=N * wd.lam, solver="cholesky").fit(d.X_train, d.y_train)
    w_closed = np.r_[closed.intercept_, closed.coef_]
    ctx.measure("weight_decay_is_ridge", relative_error(np.r_[gd.intercept_, gd.coef_], w_closed))
    lam = p.sparsity_lambda
    lasso, ridge = ctx.load_model("diabetes_lasso"), ctx.load_model("diabetes_ridge_same_lambda")
    sk_lasso = SkLasso(alpha=lam / 2, tol=1e-10, max_iter=100_000).fit(d.X_train, d.y_train)
    ctx.measure("lasso_matches_sklearn", float(np.abs(lasso.coef_ - sk_lasso.coef_).max()))
    ctx.measure("l1_gives_exact_zeros", int(np.sum(lasso.coef_ == 0)))
    ctx.measure("l2_shrinks_l1_thresholds", orthonormal_shrinkage(d.X_train, d.y_train, lam))

    rows = (
        ("ridge_closed_form", closed, wd.lam),
        ("ridge_weight_decay_gd", gd, wd.lam),
        ("sklearn_ridge", sk, wd.lam),
        ("lasso_cd", lasso, lam),
        ("sklearn_lasso", sk_lasso, lam),
        ("ridge_same_lambda", ridge, lam),
    )
    for name, model, lambda_ in rows:
        ctx.record(
            "diabetes_l2_l1",
            name,
            lambda_=lambda_,
            **regression_metrics("test", d.y_test, model.predict(d.X_test)),
            weight_norm=float(np.linalg.norm(model.coef_)),
            zero_weights=int(np.sum(model.coef_ == 0)),
        )
    lams = lambdas(p)
    l2_path = regularization_path(d.X_train, d.y_train, N * lams, penalty="l2")
    alpha_max = lasso_alpha_max(d.X_train, d.y_train)
    l1_lams = np.geomspace(2 * alpha_max * 1e-4, 2 * alpha_max * 1.2, len(lams))
    l1_path = regularization_path(d.X_train, d.y_train, l1_lams / 2, penalty="l1", tol=1e-8)
    ctx.save_curve(
        "ridge_path_diabetes",
        lam=lams,
        weight_norm=np.linalg.norm(l2_path, axis=1),
        **{f"w_{n}": l2_path[:, j] for j, n in enumerate(d.feature_names)},
    )
    ctx.save_curve(
        "lasso_path_diabetes",
        lam=l1_lams,
        nonzero_weights=(l1_path != 0).sum(1),
        **{f"w_{n}": l1_path[:, j] for j, n in enumerate(d.feature_names)},
    )
    return DiabetesPaths(
        ridge_vs_sklearn=relative_error(w_closed, np.r_[sk.intercept_, sk.coef_]),
        gd=gd,
        lambdas=lams,
        l2_path=l2_path,
        l1_lambdas=l1_lams,
        l1_path=l1_path,
        data=d,
    )
