r"""Model selection, lecture 4 (L04, ``course-notes.zh.txt`` lines 1156-1237).

Model selection (lines 1156-1163): from candidates :math:`\{\mathcal M_1, \dots, \mathcal M_m\}`
pick the one that does best on *unseen* data, never by the training error. The lecture gives
two families of tools.

Held-out estimates of the test error

* a **validation set** (lines 1167-1186): hold out 20%-30% of the training data
  (:func:`holdout_split`);
* **leave-one-out** (lines 1188-1200): every sample is the validation set once
  (:func:`leave_one_out_splits`; for least squares and ridge in closed form, :func:`loo_mse`);
* **K-fold cross validation** (lines 1204-1218): split into K near-equal folds, train on K-1,
  evaluate on the remaining one, K times (:func:`kfold_splits`, :func:`cross_val_scores`).

The splitters return the same index arrays as scikit-learn's ``train_test_split``, ``KFold``
and ``LeaveOneOut`` for the same seed, so results can be checked against it fold by fold.

Information criteria of a probabilistic model (lines 1222-1237), smaller is better:

.. math:: \mathrm{AIC} = 2M - 2\log l, \qquad \mathrm{BIC} = M\log N - 2\log l,

with M parameters, N training samples and l the maximized likelihood (:func:`aic`,
:func:`bic`; :func:`least_squares_criteria` for a Gaussian least-squares fit).

Slide typos this module fixes:

* line 1233 labels the BIC formula "AIC"; it is BIC (the bullet above it, line 1231);
* line 1229 calls l the *log*-likelihood, but the formula takes :math:`\log l`, so l is the
  likelihood and :math:`\log l` the log-likelihood, which is what :func:`aic` / :func:`bic`
  take as ``log_l``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence

import numpy as np

__all__ = [
    "aic",
    "bic",
    "cross_val_mse",
    "cross_val_scores",
    "gaussian_log_likelihood",
    "holdout_split",
    "kfold_splits",
    "least_squares_criteria",
    "leave_one_out_splits",
    "loo_mse",
    "loo_residuals",
    "select_min",
]

Split = tuple[np.ndarray, np.ndarray]  # (train_idx, val_idx)

# 1 - h_ii below this: sample i is fitted exactly by a parameter of its own (leverage 1), and
# the model refitted without it is not unique, so its leave-one-out residual is undefined.
_LEVERAGE_GAP = 1e-10


def _check_n(n, minimum: int = 2) -> int:
    n = int(n)
    if n < minimum:
        raise ValueError(f"need at least {minimum} samples, got n={n}")
    return n


# ----------------------------------------------------------------------------------------
# Splitters (lines 1167-1218)
# ----------------------------------------------------------------------------------------


def holdout_split(n: int, val_fraction: float = 0.25, seed: int = 0) -> Split:
    r"""One validation set (L04 lines 1167-1186): ``ceil(val_fraction * n)`` random samples
    are held out, the rest is the training set.

    The same arrays as ``sklearn.model_selection.train_test_split(np.arange(n),
    test_size=val_fraction, random_state=seed)``: permute ``0..n-1`` with
    ``np.random.RandomState(seed)``; the first :math:`n_{val} = \lceil f n \rceil` entries are
    the validation indices, the others the training indices (both in permuted order). The
    ceiling keeps at least one validation sample; note it is taken of the float product, so
    e.g. ``0.07 * 100 = 7.000000000000001`` holds out 8, exactly as sklearn does.
    """
    n = _check_n(n)
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    n_val = math.ceil(val_fraction * n)  # sklearn rounds the test size up
    if n_val >= n:
        raise ValueError(f"val_fraction={val_fraction} of n={n} leaves no training sample")
    perm = np.random.RandomState(seed).permutation(n)
    return perm[n_val:], perm[:n_val]


def kfold_splits(n: int, k: int = 5, shuffle: bool = True, seed: int = 0) -> list[Split]:
    r"""K-fold cross validation (L04 lines 1204-1218): the K (train, validation) index pairs.

    "Divide the training set evenly into K subsets": the order ``0..n-1`` (shuffled in place
    by ``np.random.RandomState(seed)`` when ``shuffle``) is cut into K consecutive folds of
    sizes :math:`\lfloor n/K \rfloor`, the first :math:`n \bmod K` one larger. Fold j is the
    validation set of split j, the other K-1 folds its training set; both index arrays are
    sorted. Identical to ``KFold(n_splits=k, shuffle=shuffle,
    random_state=seed if shuffle else None).split``.
    """
    n, k = int(n), int(k)
    if k < 2:
        raise ValueError(f"K-fold needs k >= 2 folds, got k={k}")
    if k > n:
        raise ValueError(f"k={k} folds cannot be made from n={n} samples (need k <= n)")
    order = np.arange(n)
    if shuffle:
        np.random.RandomState(seed).shuffle(order)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1  # the first n mod k folds take one extra sample
    fold = np.empty(n, dtype=np.intp)
    fold[order] = np.repeat(np.arange(k), sizes)  # fold label of every sample
    return [(np.flatnonzero(fold != j), np.flatnonzero(fold == j)) for j in range(k)]


def leave_one_out_splits(n: int) -> list[Split]:
    """Leave-one-out (L04 lines 1188-1200): split i validates on sample i alone and trains on
    the other n-1. It is K-fold with K = n, unshuffled; equal to sklearn ``LeaveOneOut``."""
    n = _check_n(n)
    return kfold_splits(n, k=n, shuffle=False)


# ----------------------------------------------------------------------------------------
# Cross-validated scores
# ----------------------------------------------------------------------------------------


def _mse(y_true, y_pred) -> float:
    d = np.asarray(y_true, dtype=np.float64) - np.asarray(y_pred, dtype=np.float64)
    return float(np.mean(d * d))


def _accuracy(y_true, y_pred) -> float:
    return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))


SCORINGS: dict[str, Callable] = {"mse": _mse, "accuracy": _accuracy}


def cross_val_scores(
    estimator, X, y, splits: Sequence[Split], scoring: str | Callable = "mse"
) -> np.ndarray:
    """One validation score per split (L04 lines 1178-1179 and 1213-1218).

    For each ``(train_idx, val_idx)`` a fresh ``sklearn.base.clone`` of ``estimator`` is fitted
    on the training rows and scored on the validation rows, so no state leaks between folds.
    ``scoring`` is ``"mse"`` (mean squared error, lower is better), ``"accuracy"`` (higher is
    better) or a callable ``(y_true, y_pred) -> float``. The K-fold estimate of the test error
    is the mean of the returned array.
    """
    if callable(scoring):
        score = scoring
    elif scoring in SCORINGS:
        score = SCORINGS[scoring]
    else:
        raise ValueError(f"scoring must be one of {tuple(SCORINGS)} or a callable, got {scoring!r}")
    splits = list(splits)
    if not splits:
        raise ValueError("cross_val_scores needs at least one (train_idx, val_idx) split")
    from sklearn.base import clone  # lazy: lecture modules import this at config-load time

    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X and y have different numbers of samples: {len(X)} != {len(y)}")
    scores = np.empty(len(splits), dtype=np.float64)
    for j, (tr, va) in enumerate(splits):  # a loop over folds, not samples
        model = clone(estimator).fit(X[tr], y[tr])
        scores[j] = score(y[va], model.predict(X[va]))
    return scores


def cross_val_mse(estimator, X, y, splits: Sequence[Split]) -> np.ndarray:
    """:func:`cross_val_scores` with ``scoring="mse"``: the validation MSE of every fold."""
    return cross_val_scores(estimator, X, y, splits, scoring="mse")


# ----------------------------------------------------------------------------------------
# Closed-form leave-one-out for least squares and ridge
# ----------------------------------------------------------------------------------------


def _design(X, fit_intercept: bool) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]  # a 1-D X is one feature
    # X~ = [1, X]: the bias is the first weight (L01 lines 100-103)
    return np.hstack([np.ones((X.shape[0], 1)), X]) if fit_intercept else X


def _targets(y, n: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"y must be 1-D with one value per row of X ({n}), got {y.shape}")
    return y


def loo_residuals(X, y, alpha: float = 0.0, fit_intercept: bool = True) -> np.ndarray:
    r"""Leave-one-out residuals :math:`y_i - \hat y_{-i}` of least squares (``alpha=0``) or
    ridge, without refitting: :math:`e_i / (1 - h_{ii})` (L04 lines 1188-1200).

    The fit minimizes :math:`\|\mathbf y - \tilde{\mathbf X}\mathbf w\|^2
    + \alpha\,\mathbf w^T\tilde{\mathbf I}\mathbf w` with :math:`\tilde{\mathbf X} = [1, \mathbf X]`
    and :math:`\tilde{\mathbf I}` the identity with a 0 at the intercept, i.e. scikit-learn
    Ridge's :math:`\|\mathbf y - \mathbf X\mathbf w - b\|^2 + \alpha\|\mathbf w\|^2` (the
    intercept is not penalized). With :math:`\mathbf A = \tilde{\mathbf X}^T\tilde{\mathbf X}
    + \alpha\tilde{\mathbf I}` the fit is :math:`\mathbf w = \mathbf A^{-1}\tilde{\mathbf X}^T
    \mathbf y`, the fitted values are :math:`\hat{\mathbf y} = \mathbf H\mathbf y` with the hat
    matrix :math:`\mathbf H = \tilde{\mathbf X}\mathbf A^{-1}\tilde{\mathbf X}^T`, and
    :math:`e_i = y_i - \hat y_i`.

    **Why** :math:`e_i/(1-h_{ii})`. Write :math:`\mathbf x_i` for row i of
    :math:`\tilde{\mathbf X}` (a column vector here) and :math:`h = h_{ii}
    = \mathbf x_i^T\mathbf A^{-1}\mathbf x_i`. Dropping sample i removes one rank-one term:
    :math:`\mathbf A_{-i} = \mathbf A - \mathbf x_i\mathbf x_i^T` and
    :math:`\mathbf w_{-i} = \mathbf A_{-i}^{-1}(\tilde{\mathbf X}^T\mathbf y - \mathbf x_i y_i)`.
    Sherman-Morrison gives

    .. math:: \mathbf A_{-i}^{-1} = \mathbf A^{-1}
              + \frac{\mathbf A^{-1}\mathbf x_i\mathbf x_i^T\mathbf A^{-1}}{1 - h},
              \qquad\text{so}\qquad
              \mathbf x_i^T\mathbf A_{-i}^{-1} = \frac{\mathbf x_i^T\mathbf A^{-1}}{1 - h}.

    Hence :math:`\hat y_{-i} = \mathbf x_i^T\mathbf w_{-i} = (\hat y_i - h\,y_i)/(1-h)` and

    .. math:: y_i - \hat y_{-i} = \frac{(1-h)\,y_i - \hat y_i + h\,y_i}{1-h}
              = \frac{e_i}{1 - h_{ii}}.

    The same α is used for the N-1 sample refit, as sklearn's Ridge objective is a sum, not
    a mean. One fit replaces N refits.

    **How.** Only diag(H) is needed, and the N x N matrix is never formed. A is written as
    :math:`\mathbf Z^T\mathbf Z` with :math:`\mathbf Z = [\tilde{\mathbf X};
    \sqrt\alpha\,\tilde{\mathbf I}]` (the penalty as extra rows of zero target), whose thin
    SVD is :math:`\mathbf Z = \mathbf U\mathbf S\mathbf V^T`. Then H is the top-left N x N
    block of :math:`\mathbf Z\mathbf A^{-1}\mathbf Z^T = \mathbf U\mathbf U^T`, so with
    :math:`\mathbf U_N` the first N rows of U, :math:`h_{ii} = \|\mathbf U_{N,i}\|^2` (an
    einsum) and :math:`\hat{\mathbf y} = \mathbf U_N\mathbf U_N^T\mathbf y`. This never forms
    :math:`\tilde{\mathbf X}^T\tilde{\mathbf X}`, whose condition number is the square of
    :math:`\tilde{\mathbf X}`'s (it matters for polynomial features), and when ``alpha=0`` and
    :math:`\tilde{\mathbf X}` is rank deficient, dropping the negligible singular values (the
    ``lstsq`` cut-off) still gives the unique projection onto span(X~). A sample with
    leverage :math:`h_{ii} = 1` (fitted by a parameter of its own) has no defined
    leave-one-out residual and raises ``ValueError``.
    """
    if not alpha >= 0:
        raise ValueError(f"alpha must be >= 0, got {alpha}")
    Xt = _design(X, fit_intercept)
    N, p = Xt.shape
    y = _targets(y, N)
    penalized = np.ones(p, dtype=bool)
    penalized[0] = not fit_intercept  # I~: no penalty on the intercept
    # Z = [X~; sqrt(alpha) I~] without I~'s zero rows, so that Z^T Z = X~^T X~ + alpha I~
    Z = np.vstack([Xt, math.sqrt(alpha) * np.eye(p)[penalized]]) if alpha > 0 else Xt
    U, s, _ = np.linalg.svd(Z, full_matrices=False)
    keep = s > (s[0] if s.size else 0.0) * max(Z.shape) * np.finfo(np.float64).eps
    U_N = U[:N, keep]  # rows of the data part; H = U_N U_N^T
    h = np.einsum("ij,ij->i", U_N, U_N)  # h_ii = ||U_N,i||^2
    e = y - U_N @ (U_N.T @ y)  # e = y - H y
    gap = 1.0 - h
    if np.any(gap < _LEVERAGE_GAP):
        i = int(np.argmin(gap))
        raise ValueError(
            f"sample {i} has leverage h_ii = {h[i]:.12g} ~ 1: it is fitted by a parameter of "
            "its own and its leave-one-out residual is undefined (too few samples for the model?)"
        )
    return e / gap


def loo_mse(X, y, alpha: float = 0.0, fit_intercept: bool = True) -> float:
    r"""Leave-one-out MSE :math:`\frac1N\sum_i \big(e_i/(1-h_{ii})\big)^2` of least squares or
    ridge in closed form (see :func:`loo_residuals`); equals the mean of N refits."""
    r = loo_residuals(X, y, alpha=alpha, fit_intercept=fit_intercept)
    return float(r @ r / len(r))


# ----------------------------------------------------------------------------------------
# Information criteria (lines 1222-1237)
# ----------------------------------------------------------------------------------------


def gaussian_log_likelihood(residuals) -> float:
    r"""The maximized Gaussian log-likelihood :math:`\log l` of a least-squares fit.

    With :math:`y_i \sim \mathcal N(\mathbf x_i\mathbf w, \sigma^2)` (L03 lines 739, 767-779)
    the log-likelihood is :math:`-\frac N2\log(2\pi\sigma^2) - \frac{RSS}{2\sigma^2}`; at the
    maximizer :math:`\hat\sigma^2 = RSS/N` it is

    .. math:: \log l = -\frac N2\Big(\log\frac{2\pi\,RSS}{N} + 1\Big),

    which is statsmodels' ``OLS(...).fit().llf``. It only depends on the residuals
    :math:`e = y - \tilde{\mathbf X}\hat{\mathbf w}`. (Not to be confused with
    :func:`mldm.models.probabilistic.gaussian_log_likelihood`, which evaluates the density at
    a given mean and variance.)
    """
    e = np.asarray(residuals, dtype=np.float64).ravel()
    N = e.size
    if N == 0:
        raise ValueError("gaussian_log_likelihood needs at least one residual")
    rss = float(e @ e)
    if not rss > 0:
        raise ValueError("RSS = 0: the fit is exact, sigma^2 = 0 and the likelihood is unbounded")
    return -0.5 * N * (math.log(2.0 * math.pi * rss / N) + 1.0)


def aic(log_l: float, M: int) -> float:
    r""":math:`\mathrm{AIC} = 2M - 2\log l` (L04 line 1226): M parameters, :math:`\log l` the
    maximized log-likelihood. Smaller is better."""
    return 2.0 * M - 2.0 * float(log_l)


def bic(log_l: float, M: int, N: int) -> float:
    r""":math:`\mathrm{BIC} = M\log N - 2\log l` (L04 line 1233, where the slide mislabels it
    "AIC"): N training samples. Its penalty per parameter, :math:`\log N`, exceeds AIC's 2 once
    N > 7 (:math:`e^2 \approx 7.39`), so BIC picks simpler models. Smaller is better."""
    if int(N) < 1:
        raise ValueError(f"N must be >= 1, got {N}")
    return float(M) * math.log(N) - 2.0 * float(log_l)


def least_squares_criteria(X, y, fit_intercept: bool = True) -> dict:
    r"""Fit :math:`\tilde{\mathbf X}\mathbf w \approx \mathbf y` by least squares
    (``np.linalg.lstsq``) and return ``{"log_likelihood", "aic", "bic", "M", "N"}``.

    **What M counts.** M is the number of regression coefficients, the intercept included
    (precisely: the rank of :math:`\tilde{\mathbf X}`, which is the column count unless the
    columns are collinear). That is how statsmodels counts them: ``OLS(...).fit().aic`` is
    :math:`-2\,\mathrm{llf} + 2(\mathrm{df\_model} + k_{const})`, without the noise variance
    :math:`\sigma^2`, although it is a fitted parameter too. Counting :math:`\sigma^2` adds
    the same constant to every candidate (2 to AIC, :math:`\log N` to BIC), so the model each
    criterion selects is the same either way.
    """
    Xt = _design(X, fit_intercept)
    N = Xt.shape[0]
    y = _targets(y, N)
    w, _, rank, _ = np.linalg.lstsq(Xt, y, rcond=None)
    log_l = gaussian_log_likelihood(y - Xt @ w)
    M = int(rank)
    return {"log_likelihood": log_l, "aic": aic(log_l, M), "bic": bic(log_l, M, N), "M": M, "N": N}


def select_min(scores: Mapping[Hashable, float]):
    """The key with the smallest score, e.g. the polynomial degree a criterion (validation MSE,
    AIC, BIC) picks; on ties, the first in iteration order (the simplest if listed first)."""
    if not scores:
        raise ValueError("select_min needs at least one score")
    if any(math.isnan(v) for v in scores.values()):
        raise ValueError("select_min: a score is NaN")
    return min(scores, key=scores.__getitem__)
