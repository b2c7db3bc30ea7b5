r"""L2 and L1 regularization, lecture 4 (L04, ``course-notes.zh.txt`` lines 1230-1334).

Besides fitting the data, put a preference on the parameters (lines 1247-1255):

.. math:: \tilde L(\mathbf{w}) = L(\mathbf{w}) + \lambda\|\mathbf{w}\|_2^2
          \quad (L_2), \qquad
          \tilde L(\mathbf{w}) = L(\mathbf{w}) + \lambda\|\mathbf{w}\|_1 \quad (L_1,
          \text{lines 1309-1314}),

with L the L01 loss :math:`\frac1N\|\mathbf{X}\mathbf{w}-\mathbf{y}\|^2`. L2 shrinks every
weight towards zero ("weight decay", line 1262); L1 shrinks too but gives **sparse** w
(lines 1328-1329): its corners in the contour picture (lines 1316-1326) sit on the axes.

The estimators here use scikit-learn's parameter names and objective scaling, so that
``mldm.models.Ridge(alpha)`` and ``sklearn.linear_model.Ridge(alpha)`` (likewise Lasso)
solve the same problem:

* :class:`Ridge`: :math:`\|\mathbf{y}-\mathbf{X}\mathbf{w}-b\|^2 + \alpha\|\mathbf{w}\|_2^2`,
  which is N times the lecture's :math:`\tilde L` with :math:`\lambda = \alpha/N`;
* :class:`Lasso`: :math:`\frac{1}{2N}\|\mathbf{y}-\mathbf{X}\mathbf{w}-b\|^2
  + \alpha\|\mathbf{w}\|_1`, which is half the lecture's :math:`\tilde L` with
  :math:`\lambda = 2\alpha`.

The intercept b is never penalized: with ``fit_intercept`` the data are centred, w is fitted
without b, and :math:`b = \bar y - \bar{\mathbf{x}}\mathbf{w}` (the zero of
:math:`\partial/\partial b`).
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

from mldm.models.linear_regression import gradient_descent

__all__ = [
    "Lasso",
    "Ridge",
    "lasso_alpha_max",
    "lasso_objective",
    "regularization_path",
    "ridge_objective",
    "soft_threshold",
]

RIDGE_SOLVERS = ("closed", "gd")
LASSO_SOLVERS = ("cd", "ista")
PENALTIES = ("l1", "l2")


# ----------------------------------------------------------------------------------------
# Pure functions
# ----------------------------------------------------------------------------------------


def _center(X: np.ndarray, y: np.ndarray, fit_intercept: bool):
    """(Xc, yc, x̄, ȳ): centred data when the intercept is fitted, else the data and zeros."""
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    x_mean, y_mean = X.mean(axis=0), float(y.mean())
    return X - x_mean, y - y_mean, x_mean, y_mean


def soft_threshold(z, t):
    r"""The soft-thresholding operator :math:`S(z, t) = \mathrm{sign}(z)\max(|z| - t, 0)`,
    elementwise.

    It is the proximal map of :math:`t|w|`: :math:`\arg\min_w \tfrac12(w-z)^2 + t|w|`. Every
    :math:`|z| \le t` lands exactly on 0, which is where L1's sparsity (L04 lines 1328-1329)
    comes from.
    """
    z = np.asarray(z, dtype=np.float64)
    return np.sign(z) * np.maximum(np.abs(z) - t, 0.0)


def ridge_objective(X, y, coef, intercept=0.0, alpha=1.0) -> float:
    r"""scikit-learn's ridge objective
    :math:`\|\mathbf{y}-\mathbf{X}\mathbf{w}-b\|^2 + \alpha\|\mathbf{w}\|_2^2`
    (N times L04's :math:`\tilde L` of lines 1247-1255 with :math:`\lambda=\alpha/N`)."""
    w = np.asarray(coef, dtype=np.float64)
    e = np.asarray(y, dtype=np.float64) - np.asarray(X, dtype=np.float64) @ w - intercept
    return float(e @ e + alpha * (w @ w))


def lasso_objective(X, y, coef, intercept=0.0, alpha=1.0) -> float:
    r"""scikit-learn's lasso objective
    :math:`\frac{1}{2N}\|\mathbf{y}-\mathbf{X}\mathbf{w}-b\|^2 + \alpha\|\mathbf{w}\|_1`
    (half L04's :math:`\tilde L` of lines 1309-1314 with :math:`\lambda=2\alpha`)."""
    w = np.asarray(coef, dtype=np.float64)
    e = np.asarray(y, dtype=np.float64) - np.asarray(X, dtype=np.float64) @ w - intercept
    return float(e @ e / (2 * len(e)) + alpha * np.abs(w).sum())


def lasso_alpha_max(X, y, fit_intercept: bool = True) -> float:
    r"""The smallest α whose lasso solution is w = 0,
    :math:`\alpha_{\max} = \|\mathbf{X}_c^T\mathbf{y}_c\|_\infty/N`.

    w = 0 is optimal iff 0 is in the subgradient there,
    :math:`-\frac1N\mathbf{X}_c^T\mathbf{y}_c + \alpha\,\partial\|\mathbf{0}\|_1`, i.e. iff
    :math:`|\mathbf{x}_j^T\mathbf{y}_c|/N \le \alpha` for every feature j.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    Xc, yc, _, _ = _center(X, y, fit_intercept)
    return float(np.abs(Xc.T @ yc).max() / len(yc))


def _ridge_closed(Xc: np.ndarray, yc: np.ndarray, alpha: float) -> np.ndarray:
    r""":math:`(\mathbf{X}_c^T\mathbf{X}_c + \alpha I)\mathbf{w} = \mathbf{X}_c^T\mathbf{y}_c`."""
    if alpha == 0:  # plain least squares; X^T X may be singular, lstsq gives min-norm w
        return np.linalg.lstsq(Xc, yc, rcond=None)[0]
    A = Xc.T @ Xc
    A[np.diag_indices_from(A)] += alpha  # + alpha I: positive definite, always solvable
    return np.linalg.solve(A, Xc.T @ yc)


def _lasso_gap(Xc, yc, w, R, alpha: float) -> float:
    r"""Duality gap of the lasso, in the objective's own (1/N) units.

    Primal :math:`P(\mathbf{w}) = \frac{1}{2N}\|\mathbf{R}\|^2 + \alpha\|\mathbf{w}\|_1`,
    :math:`\mathbf{R} = \mathbf{y}_c - \mathbf{X}_c\mathbf{w}`. Its dual is
    :math:`D(\mathbf{v}) = \frac1N(\mathbf{y}_c^T\mathbf{v} - \tfrac12\|\mathbf{v}\|^2)` over
    :math:`\|\mathbf{X}_c^T\mathbf{v}\|_\infty \le N\alpha`; the residual scaled into that
    set, :math:`\mathbf{v} = s\mathbf{R}` with
    :math:`s = \min(1, N\alpha/\|\mathbf{X}_c^T\mathbf{R}\|_\infty)`, is feasible, so
    :math:`P(\mathbf{w}) - P(\mathbf{w}^*) \le P(\mathbf{w}) - D(\mathbf{v})`, a computable
    bound on the suboptimality that is 0 at the optimum (where :math:`\mathbf{v}^*=\mathbf{R}`).

    α = 0 has no feasible dual point besides the projection of y; then, like scikit-learn,
    the first-order condition :math:`\|\mathbf{X}_c^T\mathbf{R}\|^2/N` stands in for the gap.
    """
    n = len(yc)
    XtR = Xc.T @ R
    if alpha == 0:
        return float(XtR @ XtR / n)
    dual_norm = np.abs(XtR).max()
    s = min(1.0, n * alpha / dual_norm) if dual_norm > 0 else 1.0
    primal = R @ R / (2 * n) + alpha * np.abs(w).sum()
    dual = (s * (R @ yc) - 0.5 * s * s * (R @ R)) / n
    return float(primal - dual)


def _lasso_cd(Xc, yc, alpha, w0, max_iter, tol):
    r"""Cyclic coordinate descent; returns (w, n_iter, gap, objective after every sweep).

    Minimizing :math:`\frac{1}{2N}\|\mathbf{R}\|^2 + \alpha\|\mathbf{w}\|_1` over :math:`w_j`
    alone, with the partial residual :math:`\mathbf{R}_{-j} = \mathbf{R} + \mathbf{x}_j w_j`,
    is a 1-D problem :math:`\frac{\|\mathbf{x}_j\|^2}{2N}w_j^2 - \rho_j w_j + \alpha|w_j|`
    with :math:`\rho_j = \mathbf{x}_j^T\mathbf{R}_{-j}/N`, solved exactly by

    .. math:: w_j \leftarrow \frac{S(\rho_j, \alpha)}{\|\mathbf{x}_j\|^2/N} .

    The residual is updated in place after each coordinate (:math:`O(N)`, not a full
    :math:`\mathbf{X}\mathbf{w}`). Each coordinate step can only lower the objective, so the
    per-sweep objective never increases. Stop when the duality gap
    (:func:`_lasso_gap`) is at most :math:`\text{tol}\cdot\|\mathbf{y}_c\|^2/N`, scikit-learn's
    criterion, checked at the start (0 sweeps when the start already passes) and after every
    sweep. At w = 0 the gap is :math:`(1 - \alpha/\alpha_{\max})^2\|\mathbf{y}_c\|^2/(2N)`
    (:func:`lasso_alpha_max`), so just below :math:`\alpha_{\max}` a loose tol accepts w = 0.
    """
    n = len(yc)
    w = w0.copy()
    R = yc - Xc @ w  # running residual y - X w
    col_sq = (Xc * Xc).sum(axis=0) / n  # ||x_j||^2 / N
    Xf = np.asfortranarray(Xc)  # contiguous columns for the x_j reads
    stop = tol * (yc @ yc) / n
    curve, gap = [], _lasso_gap(Xc, yc, w, R, alpha)
    if gap <= stop:  # the start is already optimal enough (e.g. w = 0 for alpha >= alpha_max)
        return w, 0, gap, curve
    for it in range(1, max_iter + 1):
        for j in range(len(w)):  # a sweep over features: CD is inherently sequential
            if col_sq[j] == 0.0:  # a constant column carries no information
                w[j] = 0.0
                continue
            x_j, w_old = Xf[:, j], w[j]
            rho = x_j @ R / n + col_sq[j] * w_old  # x_j^T R_{-j} / N
            w[j] = soft_threshold(rho, alpha) / col_sq[j]
            if w[j] != w_old:
                R -= x_j * (w[j] - w_old)
        curve.append(R @ R / (2 * n) + alpha * np.abs(w).sum())
        gap = _lasso_gap(Xc, yc, w, R, alpha)
        if gap <= stop:
            return w, it, gap, curve
    return w, max_iter, gap, curve


def _lasso_ista(Xc, yc, alpha, w0, max_iter, tol):
    r"""Proximal gradient (ISTA); returns (w, n_iter, gap, objective after every iteration).

    The smooth part :math:`\frac{1}{2N}\|\mathbf{R}\|^2` has gradient
    :math:`-\mathbf{X}_c^T\mathbf{R}/N` and Lipschitz constant
    :math:`L = \lambda_{\max}(\mathbf{X}_c^T\mathbf{X}_c/N)`. One gradient step with
    :math:`t = 1/L`, then the prox of :math:`t\alpha\|\cdot\|_1`:

    .. math:: \mathbf{w} \leftarrow S(\mathbf{w} - t\nabla, t\alpha) .

    With t = 1/L every step lowers the objective. Same stopping rule as :func:`_lasso_cd`.
    """
    n = len(yc)
    w = w0.copy()
    L = float(np.linalg.eigvalsh(Xc.T @ Xc / n)[-1]) if Xc.shape[1] else 0.0
    if L == 0.0:  # X_c = 0: the data term is flat, the penalty alone puts w at 0
        w[:] = 0.0
        return w, 0, _lasso_gap(Xc, yc, w, yc.copy(), alpha), []
    t = 1.0 / L
    stop = tol * (yc @ yc) / n
    curve, gap = [], _lasso_gap(Xc, yc, w, yc - Xc @ w, alpha)
    if gap <= stop:
        return w, 0, gap, curve
    for it in range(1, max_iter + 1):
        R = yc - Xc @ w
        w = soft_threshold(w + t * (Xc.T @ R) / n, t * alpha)  # w - t * grad, then prox
        R = yc - Xc @ w
        curve.append(R @ R / (2 * n) + alpha * np.abs(w).sum())
        gap = _lasso_gap(Xc, yc, w, R, alpha)
        if gap <= stop:
            return w, it, gap, curve
    return w, max_iter, gap, curve


_LASSO = {"cd": _lasso_cd, "ista": _lasso_ista}


def regularization_path(
    X,
    y,
    alphas,
    penalty: str = "l1",
    fit_intercept: bool = True,
    max_iter: int = 1000,
    tol: float = 1e-4,
) -> np.ndarray:
    r"""Coefficients for every α, shape ``(n_alphas, n_features)``, row i for ``alphas[i]``.

    ``"l2"``: :class:`Ridge`'s closed form per α. ``"l1"``: :class:`Lasso` by coordinate
    descent, from the largest α down, each fit warm-started at the previous solution (nearby
    α have nearby w, so each fit needs few sweeps); ``max_iter`` and ``tol`` are
    :class:`Lasso`'s. The picture to draw from it (L04 lines
    1328-1329): the L1 path has exact zeros, the L2 path only small weights.
    """
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    if np.any(alphas < 0):
        raise ValueError("alphas must be >= 0")
    Xc, yc, _, _ = _center(X, y, fit_intercept)
    coefs = np.zeros((len(alphas), X.shape[1]))
    if penalty == "l2":
        for i, a in enumerate(alphas):
            coefs[i] = _ridge_closed(Xc, yc, a)
        return coefs
    w = np.zeros(X.shape[1])
    stop = float(tol) * (yc @ yc) / len(yc)  # Lasso's criterion on the duality gap
    short = []
    for i in np.argsort(-alphas, kind="stable"):  # large alpha (w = 0) first
        w, n_iter, gap, _ = _lasso_cd(Xc, yc, alphas[i], w, int(max_iter), float(tol))
        coefs[i] = w
        if n_iter == int(max_iter) and gap > stop:
            short.append(f"alpha={alphas[i]:.3g} (gap {gap:.2e})")
    if short:
        warnings.warn(
            f"regularization_path: coordinate descent did not converge for {len(short)} "
            f"alphas, duality gap > tol ||y_c||^2/N = {stop:.2e}: {', '.join(short[:3])}"
            f"{', ...' if len(short) > 3 else ''}; raise max_iter or tol",
            ConvergenceWarning,
            stacklevel=2,
        )
    return coefs


# ----------------------------------------------------------------------------------------
# Estimators
# ----------------------------------------------------------------------------------------


def _squared_error(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((pred - y) ** 2).mean()  # L = 1/N ||X w - y||^2


def _check_common(alpha, max_name: str, max_value) -> None:
    if not (np.isfinite(alpha) and alpha >= 0):
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
    if int(max_value) < 1:
        raise ValueError(f"{max_name} must be >= 1, got {max_value!r}")


class Ridge(RegressorMixin, BaseEstimator):
    r"""L2-regularized least squares (L04 lines 1247-1262), scikit-learn's objective

    .. math:: \min_{\mathbf{w}, b}\; \|\mathbf{y} - \mathbf{X}\mathbf{w} - b\|^2
              + \alpha\|\mathbf{w}\|_2^2 .

    Divided by N this is the lecture's :math:`\tilde L(\mathbf{w}) = L(\mathbf{w})
    + \lambda\|\mathbf{w}\|_2^2` with :math:`L = \frac1N\|\cdot\|^2` and
    :math:`\lambda = \alpha/N`, so both have the same minimizer. b is not penalized.

    Parameters
    ----------
    alpha : float >= 0
        Penalty strength α (α = 0: least squares).
    fit_intercept : bool
        Fit an unpenalized b (on centred data) or none.
    solver : {"closed", "gd"}
        ``"closed"``: the zero of the gradient,
        :math:`(\mathbf{X}_c^T\mathbf{X}_c + \alpha I)\mathbf{w} = \mathbf{X}_c^T\mathbf{y}_c`,
        then :math:`b = \bar y - \bar{\mathbf{x}}\mathbf{w}`.
        ``"gd"``: "weight decay" (line 1262), full-batch gradient descent on
        :math:`L = \frac1N\|\mathbf{X}_c\mathbf{w} - \mathbf{y}_c\|^2` from w = 0 through
        :func:`~mldm.models.linear_regression.gradient_descent` with
        :class:`~mldm.training.GradientDescent`'s ``weight_decay`` λ', whose update is
        :math:`\mathbf{w} \leftarrow \mathbf{w} - r(\nabla L + \lambda'\mathbf{w})`. The
        objective over N has gradient
        :math:`\frac2N\mathbf{X}_c^T\mathbf{e} + \frac{2\alpha}{N}\mathbf{w} = \nabla L
        + \frac{2\alpha}{N}\mathbf{w}`, hence :math:`\lambda' = 2\alpha/N = 2\lambda`
        (``torch.optim.SGD(weight_decay=λ')`` is the same update). The Hessian is
        :math:`\mathbf{H} = \frac2N\mathbf{X}_c^T\mathbf{X}_c + \lambda' I`; GD converges iff
        :math:`r < 2/\lambda_{\max}(\mathbf{H})`, at the rate
        :math:`\max|1 - r\lambda(\mathbf{H})|` per epoch, so a larger α also speeds it up.
    lr : float
        Learning rate r (gd).
    max_epochs : int
        Epochs (gd).
    rtol : float
        gd's convergence criterion, checked after the fixed ``max_epochs`` (which it does not
        shorten): the penalized objective's gradient
        :math:`\nabla L + \lambda'\mathbf{w}` ends at most ``rtol`` times its norm at w = 0,
        else a ``ConvergenceWarning`` names the gap.

    Attributes
    ----------
    coef_ : ndarray (n_features,)
    intercept_ : float
    n_iter_ : int or None
        Epochs run (gd); None for the closed form, as in scikit-learn.
    loss_curve_ : ndarray (max_epochs,)
        gd only: the training MSE :math:`L` (without the penalty) after every epoch; on
        centred data it equals :math:`\frac1N\|\mathbf{y}-\mathbf{X}\mathbf{w}-b\|^2` with
        :math:`b = \bar y - \bar{\mathbf{x}}\mathbf{w}`. Only the penalized objective is
        sure to fall every epoch (for small enough r); this data term may rise as the decay
        pulls w off the least-squares fit.
    """

    def __init__(
        self,
        alpha: float = 1.0,
        fit_intercept: bool = True,
        solver: str = "closed",
        lr: float = 0.1,
        max_epochs: int = 1000,
        rtol: float = 1e-3,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.lr = lr
        self.max_epochs = max_epochs
        self.rtol = rtol

    def _check_params(self) -> None:
        if self.solver not in RIDGE_SOLVERS:
            raise ValueError(f"solver must be one of {RIDGE_SOLVERS}, got {self.solver!r}")
        _check_common(self.alpha, "max_epochs", self.max_epochs)
        if self.solver == "gd" and not self.lr > 0:
            raise ValueError(f"lr (r) must be > 0, got {self.lr!r}")
        if not self.rtol >= 0:
            raise ValueError(f"rtol must be >= 0, got {self.rtol!r}")

    def fit(self, X, y):
        self._check_params()
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        Xc, yc, x_mean, y_mean = _center(X, y, self.fit_intercept)
        alpha = float(self.alpha)
        if self.solver == "closed":
            self.coef_ = _ridge_closed(Xc, yc, alpha)
            self.n_iter_ = None
        else:
            n = len(yc)
            self.coef_, curve = gradient_descent(
                np.zeros(X.shape[1]),  # w^(0) = 0
                _squared_error,
                Xc,  # no bias column: b is not penalized, it comes from the means below
                yc,
                lr=float(self.lr),
                max_epochs=int(self.max_epochs),
                weight_decay=2.0 * alpha / n,  # lambda' = 2 alpha / N
                rtol=float(self.rtol),
                who="Ridge(solver='gd')",
            )
            self.loss_curve_ = np.asarray(curve, dtype=np.float64)
            self.n_iter_ = int(self.max_epochs)
        self.intercept_ = float(y_mean - x_mean @ self.coef_)  # b = ybar - xbar w
        return self

    def predict(self, X) -> np.ndarray:
        r""":math:`\hat y = \mathbf{x}\mathbf{w} + b`."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_


class Lasso(RegressorMixin, BaseEstimator):
    r"""L1-regularized least squares (L04 lines 1309-1329), scikit-learn's objective

    .. math:: \min_{\mathbf{w}, b}\; \frac{1}{2N}\|\mathbf{y} - \mathbf{X}\mathbf{w} - b\|^2
              + \alpha\|\mathbf{w}\|_1 ,

    half the lecture's :math:`\tilde L = L + \lambda\|\mathbf{w}\|_1` with
    :math:`\lambda = 2\alpha`. :math:`\|\mathbf{w}\|_1` has no derivative at 0, so instead of
    plain gradient descent both solvers use the soft-thresholding operator
    (:func:`soft_threshold`), which sets weights exactly to 0 -- the sparse solutions of
    lines 1328-1329. For :math:`\alpha \ge` :func:`lasso_alpha_max` the solution is w = 0.

    Parameters
    ----------
    alpha : float >= 0
        Penalty strength α.
    fit_intercept : bool
        Fit an unpenalized b (on centred data) or none.
    solver : {"cd", "ista"}
        ``"cd"``: cyclic coordinate descent, one exact 1-D minimization per weight
        (:func:`_lasso_cd`). ``"ista"``: proximal gradient with step 1/L
        (:func:`_lasso_ista`); it needs many more iterations on ill-conditioned X.
    max_iter : int
        Sweeps over the features (cd) or iterations (ista).
    tol : float
        Stop when the duality gap is at most :math:`\text{tol}\cdot\|\mathbf{y}_c\|^2/N`
        (scikit-learn's criterion); checked at the start and after every sweep /
        iteration, so ``n_iter_`` is 0 when the start passes.
    warm_start : bool
        Start from the previous ``coef_`` (same number of features) instead of 0.

    Attributes
    ----------
    coef_ : ndarray (n_features,)
    intercept_ : float
    n_iter_ : int
        Sweeps / iterations run.
    dual_gap_ : float
        The duality gap at the end, in the objective's units (scikit-learn's ``dual_gap_``).
    objective_curve_ : ndarray (n_iter_,)
        The objective after every sweep (cd) or iteration (ista).
    """

    def __init__(
        self,
        alpha: float = 1.0,
        fit_intercept: bool = True,
        solver: str = "cd",
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
    ):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start

    def _check_params(self) -> None:
        if self.solver not in LASSO_SOLVERS:
            raise ValueError(f"solver must be one of {LASSO_SOLVERS}, got {self.solver!r}")
        _check_common(self.alpha, "max_iter", self.max_iter)
        if not self.tol >= 0:
            raise ValueError(f"tol must be >= 0, got {self.tol!r}")

    def fit(self, X, y):
        self._check_params()
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        Xc, yc, x_mean, y_mean = _center(X, y, self.fit_intercept)
        warm = self.warm_start and getattr(self, "coef_", np.empty(0)).shape == (X.shape[1],)
        w0 = np.array(self.coef_, dtype=np.float64) if warm else np.zeros(X.shape[1])
        w, n_iter, gap, curve = _LASSO[self.solver](
            Xc, yc, float(self.alpha), w0, int(self.max_iter), float(self.tol)
        )
        if n_iter == int(self.max_iter) and gap > self.tol * (yc @ yc) / len(yc):
            warnings.warn(
                f"Lasso ({self.solver}) did not converge in {n_iter} iterations: duality gap "
                f"{gap:.3e} > tol ||y_c||^2/N = {self.tol * (yc @ yc) / len(yc):.3e}; "
                "raise max_iter or tol",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.coef_ = w
        self.intercept_ = float(y_mean - x_mean @ w)  # b = ybar - xbar w
        self.n_iter_ = int(n_iter)
        self.dual_gap_ = float(gap)
        self.objective_curve_ = np.asarray(curve, dtype=np.float64)
        return self

    def predict(self, X) -> np.ndarray:
        r""":math:`\hat y = \mathbf{x}\mathbf{w} + b`."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_
