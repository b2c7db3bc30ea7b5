"""L03 (course notes lines 603-895): log-likelihoods, Gaussian MLE, numerical ML, MAP.

Oracles: scipy.stats (densities / pmfs), sklearn.metrics.log_loss (cross-entropy),
numpy lstsq and statsmodels OLS (least squares and its Gaussian log-likelihood), sklearn Ridge.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import log_loss
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.models.probabilistic import (
    GaussianLinearRegression,
    MAPLinearRegression,
    bernoulli_log_likelihood,
    categorical_log_likelihood,
    gaussian_log_likelihood,
    gaussian_mle,
)


def _rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@pytest.fixture(scope="module")
def diabetes_raw():
    return load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def diabetes_std(diabetes_raw):
    """Standardized X (z-scores) for a well-conditioned likelihood; y stays RAW (mean ~152,
    sd ~77), so sigma^2 ~ 2.9e3 and the test also covers a non-unit noise scale."""
    X, y = diabetes_raw
    return (X - X.mean(0)) / X.std(0), y


@pytest.fixture(scope="module")
def gauss_fit(diabetes_std):
    X, y = diabetes_std
    return GaussianLinearRegression().fit(X, y)


# ---------------------------------------------------------------- log-likelihoods


def test_gaussian_log_likelihood_matches_scipy_norm():
    rng = np.random.default_rng(0)
    y, mean = rng.normal(size=50), rng.normal(size=50)
    for sigma2 in (0.3, 1.0, 7.5):
        ref = stats.norm.logpdf(y, loc=mean, scale=math.sqrt(sigma2)).sum()
        assert gaussian_log_likelihood(y, mean, sigma2) == pytest.approx(ref, rel=1e-12)
    # per-sample variances broadcast too
    s2 = rng.uniform(0.5, 2.0, size=50)
    ref = stats.norm.logpdf(y, loc=mean, scale=np.sqrt(s2)).sum()
    assert gaussian_log_likelihood(y, mean, s2) == pytest.approx(ref, rel=1e-12)


def test_bernoulli_log_likelihood_matches_scipy_and_cross_entropy():
    rng = np.random.default_rng(1)
    pi = rng.uniform(0.01, 0.99, size=200)
    y = (rng.uniform(size=200) < pi).astype(int)
    ll = bernoulli_log_likelihood(y, pi)
    assert ll == pytest.approx(stats.bernoulli.logpmf(y, pi).sum(), rel=1e-12)
    # slide lines 835-841: maximizing log p(y|x) == minimizing cross-entropy
    assert -ll / len(y) == pytest.approx(log_loss(y, y_proba=pi), rel=1e-12, abs=1e-12)


def test_bernoulli_log_likelihood_clips_certain_predictions():
    # pi in {0, 1}: right answers cost ~0, wrong ones log(eps) (finite), not -inf / nan
    assert bernoulli_log_likelihood([1, 0], [1.0, 0.0]) == pytest.approx(0.0, abs=1e-12)
    wrong = bernoulli_log_likelihood([0, 1], [1.0, 0.0])
    assert np.isfinite(wrong) and wrong == pytest.approx(2 * np.log(np.finfo(float).eps))


def test_categorical_log_likelihood_matches_scipy_and_cross_entropy():
    rng = np.random.default_rng(2)
    N, K = 150, 4
    logits = rng.normal(size=(N, K))
    Pi = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)  # softmax, line 868
    labels = np.array([rng.choice(K, p=p) for p in Pi])
    Y = np.eye(K)[labels]
    ll = categorical_log_likelihood(Y, Pi)
    assert ll == pytest.approx(stats.multinomial.logpmf(Y, n=1, p=Pi).sum(), rel=1e-12)
    # slide line 880: log p(y|x) = -cross entropy
    ce = log_loss(labels, y_proba=Pi, labels=np.arange(K))
    assert -ll / N == pytest.approx(ce, rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------- closed-form MLE


def test_gaussian_mle_is_least_squares_with_rss_over_n(diabetes_raw):
    X, y = diabetes_raw
    Xb = np.column_stack([np.ones(len(X)), X])
    w, sigma2 = gaussian_mle(Xb, y)
    w_ls = np.linalg.lstsq(Xb, y, rcond=None)[0]
    np.testing.assert_allclose(w, w_ls, rtol=1e-10, atol=0)
    rss = float(np.sum((y - Xb @ w_ls) ** 2))
    assert sigma2 == pytest.approx(rss / len(y), rel=1e-12)
    # the MLE, not the unbiased RSS/(N - p) that statsmodels reports as `scale`
    res = sm.OLS(y, Xb).fit()
    assert sigma2 * len(y) / (len(y) - Xb.shape[1]) == pytest.approx(res.scale, rel=1e-10)
    assert sigma2 < res.scale
    # statsmodels' llf is the Gaussian log-likelihood at the MLE (w, RSS/N)
    assert gaussian_log_likelihood(y, Xb @ w, sigma2) == pytest.approx(res.llf, rel=1e-8)


def test_gaussian_mle_maximizes_the_likelihood(diabetes_raw):
    X, y = diabetes_raw
    Xb = np.column_stack([np.ones(len(X)), X])
    w, sigma2 = gaussian_mle(Xb, y)
    best = gaussian_log_likelihood(y, Xb @ w, sigma2)
    rng = np.random.default_rng(3)
    for _ in range(20):  # any perturbation of w or sigma^2 lowers the log-likelihood
        dw = 1e-2 * np.abs(w).max() * rng.normal(size=w.shape)
        assert gaussian_log_likelihood(y, Xb @ (w + dw), sigma2) < best
    for f in (0.9, 0.99, 1.01, 1.1):
        assert gaussian_log_likelihood(y, Xb @ w, f * sigma2) < best


# ---------------------------------------------------------------- numerical ML (Lightning)


def test_numerical_mle_reaches_least_squares(gauss_fit, diabetes_std):
    X, y = diabetes_std
    Xb = np.column_stack([np.ones(len(X)), X])
    w_ls = np.linalg.lstsq(Xb, y, rcond=None)[0]
    sigma2_ls = float(np.mean((y - Xb @ w_ls) ** 2))
    m = gauss_fit
    assert _rel(m.w_, w_ls) < 1e-6
    assert abs(m.sigma2_ - sigma2_ls) / sigma2_ls < 1e-6
    assert m.intercept_ == m.w_[0] and np.array_equal(m.coef_, m.w_[1:])
    assert m.n_features_in_ == X.shape[1]
    llf = sm.OLS(y, Xb).fit().llf
    assert m.log_likelihood_ == pytest.approx(llf, rel=1e-8)


def test_numerical_mle_loss_curve(gauss_fit, diabetes_std):
    X, y = diabetes_std
    curve = np.asarray(gauss_fit.loss_curve_)
    assert len(curve) == GaussianLinearRegression().max_epochs
    # L-BFGS with a line search never increases the full-batch objective
    assert np.all(np.diff(curve) <= 1e-12 * np.abs(curve[:-1]))
    assert curve[0] > curve[-1]
    # the last mean NLL is -log-likelihood / N at the optimum
    assert curve[-1] == pytest.approx(-gauss_fit.log_likelihood_ / len(y), rel=1e-10)


def test_numerical_mle_without_intercept():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(80, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.3 * rng.normal(size=80)
    m = GaussianLinearRegression(fit_intercept=False, max_epochs=30).fit(X, y)
    w, sigma2 = gaussian_mle(X, y)
    assert m.intercept_ == 0.0
    assert _rel(m.coef_, w) < 1e-6
    assert m.sigma2_ == pytest.approx(sigma2, rel=1e-6)
    np.testing.assert_allclose(m.predict(X), X @ w, rtol=1e-5, atol=1e-6)


def test_mode_and_numeric_mean_equal_predict(gauss_fit, diabetes_std):
    """Slide lines 633-637: mean vs MAP read-outs of p(y|x); for a Gaussian they coincide."""
    X, _ = diabetes_std
    m = gauss_fit
    sigma = math.sqrt(m.sigma2_)
    pred = m.predict(X)
    n_grid = 2001
    step = 12 * sigma / (n_grid - 1)
    assert m.grid_step(n_grid) == pytest.approx(step)
    mode = m.predict_mode(X, n_grid=n_grid)
    assert mode.shape == pred.shape
    # a shared grid not centred on any mean: the argmax is within half a step, not exact
    assert np.max(np.abs(mode - pred)) <= step / 2 + 1e-9
    assert np.max(np.abs(mode - pred)) > 0
    mean_num = m.predictive_mean_numeric(X, n_grid=n_grid)
    assert np.max(np.abs(mean_num - pred)) <= 1e-6 * sigma
    # a coarser grid still finds the mode within its own (larger) step
    coarse = m.predict_mode(X, n_grid=11)
    assert np.max(np.abs(coarse - pred)) <= 12 * sigma / 10 / 2 + 1e-9
    with pytest.raises(ValueError, match="odd"):
        m.predict_mode(X, n_grid=100)


# ---------------------------------------------------------------- MAP / ridge


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(("sigma2", "tau2"), [(1.0, 1.0), (2.0, 0.1), (0.5, 50.0)])
def test_map_equals_ridge(diabetes_raw, sigma2, tau2, fit_intercept):
    X, y = diabetes_raw
    m = MAPLinearRegression(sigma2=sigma2, tau2=tau2, fit_intercept=fit_intercept).fit(X, y)
    assert m.alpha_ == sigma2 / tau2
    r = Ridge(alpha=sigma2 / tau2, fit_intercept=fit_intercept).fit(X, y)
    np.testing.assert_allclose(m.coef_, r.coef_, rtol=1e-10, atol=1e-10 * np.abs(r.coef_).max())
    assert m.intercept_ == pytest.approx(r.intercept_, rel=1e-10, abs=1e-10)
    np.testing.assert_allclose(m.predict(X), r.predict(X), rtol=1e-10)


def test_map_tends_to_least_squares_as_prior_widens(diabetes_raw):
    X, y = diabetes_raw
    Xb = np.column_stack([np.ones(len(X)), X])
    w_ls = np.linalg.lstsq(Xb, y, rcond=None)[0]
    errs = []
    for tau2 in (1e-1, 1e1, 1e3, 1e5, 1e8):
        m = MAPLinearRegression(sigma2=1.0, tau2=tau2).fit(X, y)
        errs.append(_rel(np.r_[m.intercept_, m.coef_], w_ls))
    assert all(a > b for a, b in zip(errs, errs[1:], strict=False))  # shrinkage fades
    assert errs[-1] < 1e-6
    m = MAPLinearRegression(tau2=np.inf).fit(X, y)  # flat prior: exactly ML / least squares
    assert m.alpha_ == 0.0
    assert _rel(np.r_[m.intercept_, m.coef_], w_ls) < 1e-10


def test_map_rejects_bad_hyperparameters(diabetes_raw):
    X, y = diabetes_raw
    for kw in ({"sigma2": 0.0}, {"sigma2": -1.0}, {"tau2": 0.0}, {"sigma2": np.inf}):
        with pytest.raises(ValueError):
            MAPLinearRegression(**kw).fit(X, y)


@parametrize_with_checks([MAPLinearRegression()])
def test_map_sklearn_compatible(estimator, check):
    check(estimator)
