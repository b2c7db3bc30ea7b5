"""L04 model selection (course notes lines 1156-1237): splitters, cross validation, closed-form
leave-one-out and AIC/BIC against oracles.

Oracles: sklearn ``train_test_split`` / ``KFold`` / ``LeaveOneOut`` (the index arrays),
``cross_val_score`` and ``cross_val_predict`` (fold scores, brute-force leave-one-out refits of
``LinearRegression`` and ``Ridge``), and statsmodels ``OLS`` (``llf``, ``aic``, ``bic``).
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.model_selection import (
    KFold,
    LeaveOneOut,
    cross_val_predict,
    cross_val_score,
    train_test_split,
)
from statsmodels.tools.sm_exceptions import SingularMatrixWarning
from threadpoolctl import threadpool_limits

from mldm.evaluation import (
    aic,
    bic,
    cross_val_mse,
    cross_val_scores,
    gaussian_log_likelihood,
    holdout_split,
    kfold_splits,
    least_squares_criteria,
    leave_one_out_splits,
    loo_mse,
    loo_residuals,
    select_min,
)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # tiny matrices and hundreds of refits: BLAS threads only add overhead on a busy box
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


def _rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _sine(n=30, seed=0):
    """A 1-D problem for polynomial degrees: y = sin(2 pi x) + noise, x in [0, 1]."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0.0, 1.0, n))
    return x, np.sin(2 * np.pi * x) + 0.3 * rng.normal(size=n)


def _poly(x, degree):
    """Columns x, x^2, ..., x^degree (no constant: the intercept is added separately)."""
    return np.vander(x, degree + 1, increasing=True)[:, 1:]


def _assert_same_splits(ours, ref):
    ref = list(ref)
    assert len(ours) == len(ref)
    for (tr, va), (rtr, rva) in zip(ours, ref, strict=True):
        assert tr.dtype.kind == va.dtype.kind == "i"
        np.testing.assert_array_equal(tr, rtr)
        np.testing.assert_array_equal(va, rva)


# ---------------------------------------------------------------- splitters (lines 1167-1218)


def test_holdout_split_matches_train_test_split():
    for n in (2, 7, 10, 30, 101, 442):
        for frac in (0.1, 0.2, 0.25, 0.3, 0.5):
            for seed in (0, 1, 42):
                tr, va = holdout_split(n, val_fraction=frac, seed=seed)
                rtr, rva = train_test_split(np.arange(n), test_size=frac, random_state=seed)
                assert tr.dtype.kind == va.dtype.kind == "i"
                np.testing.assert_array_equal(tr, rtr)  # same samples in the same order
                np.testing.assert_array_equal(va, rva)
                assert np.array_equal(np.sort(np.r_[tr, va]), np.arange(n))


def test_holdout_split_rounds_the_float_product_up_like_sklearn():
    # 0.07 * 100 = 7.000000000000001: sklearn's ceil holds out 8 samples, not 7
    tr, va = holdout_split(100, val_fraction=0.07, seed=0)
    assert (len(tr), len(va)) == (92, 8)
    assert len(train_test_split(np.arange(100), test_size=0.07, random_state=0)[1]) == 8


@pytest.mark.parametrize("shuffle", [True, False])
def test_kfold_splits_match_kfold(shuffle):
    for n, k in [(10, 2), (10, 3), (23, 5), (23, 7), (442, 10), (12, 12)]:
        for seed in (0, 3):
            ref = KFold(n_splits=k, shuffle=shuffle, random_state=seed if shuffle else None)
            ours = kfold_splits(n, k=k, shuffle=shuffle, seed=seed)
            _assert_same_splits(ours, ref.split(np.zeros((n, 1))))
            sizes = [len(va) for _, va in ours]  # the first n mod k folds get one extra
            assert sizes == [n // k + 1] * (n % k) + [n // k] * (k - n % k)


def test_shuffle_seed_changes_the_folds():
    a, b = kfold_splits(23, k=5, seed=0), kfold_splits(23, k=5, seed=1)
    assert any(not np.array_equal(va, vb) for (_, va), (_, vb) in zip(a, b, strict=True))


def test_leave_one_out_splits_match_leave_one_out():
    for n in (2, 5, 13):
        ours = leave_one_out_splits(n)
        _assert_same_splits(ours, LeaveOneOut().split(np.zeros((n, 1))))
        assert [va.tolist() for _, va in ours] == [[i] for i in range(n)]


# ---------------------------------------------------------------- cross-validated scores


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("estimator", [LinearRegression(), Ridge(alpha=0.1)], ids=repr)
def test_cross_val_scores_match_sklearn_cross_val_score(diabetes, estimator, shuffle):
    X, y = diabetes
    seed = 0 if shuffle else None
    for k in (3, 5, 10):
        ours = cross_val_scores(estimator, X, y, kfold_splits(len(y), k, shuffle=shuffle))
        ref = -cross_val_score(
            estimator,
            X,
            y,
            scoring="neg_mean_squared_error",
            cv=KFold(n_splits=k, shuffle=shuffle, random_state=seed),
        )
        assert ours.shape == (k,) and ours.dtype == np.float64
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=0)
        np.testing.assert_array_equal(
            cross_val_mse(estimator, X, y, kfold_splits(len(y), k, shuffle=shuffle)), ours
        )
    assert not hasattr(estimator, "coef_")  # every fold fitted a clone


def test_cross_val_scores_accuracy_and_callable_scoring():
    X, y = load_iris(return_X_y=True)
    clf = LogisticRegression(max_iter=1000)
    cv = KFold(n_splits=5, shuffle=True, random_state=0)
    ours = cross_val_scores(clf, X, y, kfold_splits(len(y), 5), scoring="accuracy")
    np.testing.assert_allclose(ours, cross_val_score(clf, X, y, scoring="accuracy", cv=cv))
    assert 0.8 < ours.mean() < 1.0  # not a degenerate all-ones check

    X, y = load_diabetes(return_X_y=True)
    mae = cross_val_scores(
        LinearRegression(), X, y, kfold_splits(len(y), 5), lambda t, p: np.mean(np.abs(t - p))
    )
    ref = -cross_val_score(LinearRegression(), X, y, scoring="neg_mean_absolute_error", cv=cv)
    np.testing.assert_allclose(mae, ref, rtol=1e-10)


# ---------------------------------------------------------------- closed-form leave-one-out


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0, 30.0])
def test_loo_closed_form_matches_brute_force_refits(diabetes, alpha, fit_intercept):
    X, y = diabetes[0][:80], diabetes[1][:80]
    est = (
        LinearRegression(fit_intercept=fit_intercept)
        if alpha == 0
        else Ridge(alpha=alpha, fit_intercept=fit_intercept)
    )
    # N refits, each predicting its held-out sample
    r_ref = y - cross_val_predict(est, X, y, cv=LeaveOneOut())
    r = loo_residuals(X, y, alpha=alpha, fit_intercept=fit_intercept)
    assert _rel(r, r_ref) < 1e-8
    assert loo_mse(X, y, alpha=alpha, fit_intercept=fit_intercept) == pytest.approx(
        np.mean(r_ref**2), rel=1e-8
    )
    # the LOO residual is larger than the training residual: 1 / (1 - h_ii) > 1
    e = y - est.fit(X, y).predict(X)
    assert np.all(np.abs(r) > np.abs(e))


def test_loo_closed_form_on_polynomial_degrees():
    # Raw monomials on [0, 1]: cond(X~) reaches ~6e6 at degree 9. The oracle needs tol=0:
    # since sklearn 1.9, LinearRegression passes tol (default 1e-6) to scipy lstsq as `cond`,
    # so from degree 9 on the default truncates singular values and is off by ~100%.
    x, y = _sine(n=25)
    for degree in range(1, 10):
        X = _poly(x, degree)
        r_ref = y - cross_val_predict(LinearRegression(tol=0.0), X, y, cv=LeaveOneOut())
        assert _rel(loo_residuals(X, y), r_ref) < 1e-8, degree


def test_loo_rank_deficient_least_squares_is_the_projection(diabetes):
    # a duplicated column: X~^T X~ is singular, but the fitted values (and LOO) are unique
    X, y = diabetes[0][:60, :4], diabetes[1][:60]
    Xd = np.c_[X, X[:, 1]]
    r_ref = y - cross_val_predict(LinearRegression(), X, y, cv=LeaveOneOut())
    assert _rel(loo_residuals(Xd, y), r_ref) < 1e-8


def test_loo_rejects_a_sample_with_leverage_one():
    x, y = _sine(n=6)
    with pytest.raises(ValueError, match="leverage"):
        loo_residuals(_poly(x, 5), y)  # 6 parameters for 6 samples: every h_ii = 1


# ---------------------------------------------------------------- AIC / BIC (lines 1222-1237)


def _check_against_statsmodels(X, y):
    res = sm.OLS(y, sm.add_constant(X, has_constant="raise")).fit()
    c = least_squares_criteria(X, y)
    assert c["N"] == len(y) and c["M"] == res.df_model + res.k_constant
    assert c["log_likelihood"] == pytest.approx(res.llf, rel=1e-6)
    assert c["aic"] == pytest.approx(res.aic, rel=1e-6)
    assert c["bic"] == pytest.approx(res.bic, rel=1e-6)
    return c, res


def test_criteria_match_statsmodels_on_polynomial_degrees():
    x, y = _sine(n=40)
    ours, ref = {}, {}
    for degree in range(1, 10):
        c, res = _check_against_statsmodels(_poly(x, degree), y)
        assert c["M"] == degree + 1  # coefficients w_0..w_degree
        ours[degree], ref[degree] = (c["aic"], c["bic"]), (res.aic, res.bic)
    for j in (0, 1):  # the degree each criterion picks
        picked = select_min({d: v[j] for d, v in ours.items()})
        assert picked == select_min({d: v[j] for d, v in ref.items()})
        assert 3 <= picked <= 7  # a sine needs a cubic or so; neither a line nor degree 9


def test_criteria_match_statsmodels_on_diabetes(diabetes):
    X, y = diabetes
    for m in (1, 3, 6, 10):
        c, _ = _check_against_statsmodels(X[:, :m], y)
        assert c["M"] == m + 1
    # degree 2 on the first 4 features: sex is binary, so sex^2 is collinear with [1, sex];
    # M is then the rank, as statsmodels counts it
    Xq = np.c_[X[:, :4], X[:, :4] ** 2]
    with pytest.warns(SingularMatrixWarning):  # statsmodels sees the rank deficiency too
        c, _ = _check_against_statsmodels(Xq, y)
    assert c["M"] == Xq.shape[1]  # 1 + 8 columns, one of them redundant


def test_information_criteria_formulas():
    assert aic(-10.0, 3) == 2 * 3 + 20.0
    assert bic(-10.0, 3, 100) == pytest.approx(3 * np.log(100) + 20.0)
    e = np.array([1.0, -2.0, 0.5, 0.25])
    sigma_hat = np.sqrt(e @ e / len(e))  # the MLE sqrt(RSS / N)
    ref = stats.norm.logpdf(e, scale=sigma_hat).sum()
    assert gaussian_log_likelihood(e) == pytest.approx(ref, rel=1e-12)
    # counting sigma^2 as one more parameter shifts every model alike: same selection
    x, y = _sine(n=40)
    crit = {d: least_squares_criteria(_poly(x, d), y) for d in range(1, 10)}
    for f in (
        lambda c, extra: aic(c["log_likelihood"], c["M"] + extra),
        lambda c, extra: bic(c["log_likelihood"], c["M"] + extra, c["N"]),
    ):
        assert select_min({d: f(c, 0) for d, c in crit.items()}) == select_min(
            {d: f(c, 1) for d, c in crit.items()}
        )


def test_select_min():
    assert select_min({1: 3.0, 2: 1.5, 3: 2.0}) == 2
    assert select_min({"a": 1.0, "b": 1.0}) == "a"  # ties: the first listed


# ---------------------------------------------------------------- bad inputs


BAD_IDS = [
    "k<2",
    "k>n",
    "loo-n=1",
    "fraction-0",
    "fraction-1",
    "no-train",
    "holdout-n=1",
    "scoring",
    "no-splits",
    "X-y-mismatch",
    "alpha<0",
    "y-shape",
    "rss-0",
    "no-residuals",
    "bic-N=0",
    "select-empty",
    "select-nan",
]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: kfold_splits(10, k=1), "k >= 2"),
        (lambda: kfold_splits(10, k=11), "k <= n"),
        (lambda: leave_one_out_splits(1), "at least 2"),
        (lambda: holdout_split(10, val_fraction=0.0), r"\(0, 1\)"),
        (lambda: holdout_split(10, val_fraction=1.0), r"\(0, 1\)"),
        (lambda: holdout_split(2, val_fraction=0.6), "no training sample"),
        (lambda: holdout_split(1), "at least 2"),
        (
            lambda: cross_val_scores(
                LinearRegression(), np.ones((4, 1)), np.ones(4), kfold_splits(4, 2), scoring="r2"
            ),
            "scoring",
        ),
        (lambda: cross_val_scores(LinearRegression(), np.ones((4, 1)), np.ones(4), []), "split"),
        (
            lambda: cross_val_scores(
                LinearRegression(), np.ones((4, 1)), np.ones(5), kfold_splits(4, 2)
            ),
            "samples",
        ),
        (lambda: loo_residuals(np.ones((4, 1)), np.ones(4), alpha=-1.0), "alpha"),
        (lambda: loo_residuals(np.ones((4, 1)), np.ones(3)), "y must be"),
        (lambda: gaussian_log_likelihood(np.zeros(5)), "RSS = 0"),
        (lambda: gaussian_log_likelihood([]), "at least one"),
        (lambda: bic(-1.0, 2, 0), "N must be"),
        (lambda: select_min({}), "at least one"),
        (lambda: select_min({1: 1.0, 2: float("nan")}), "NaN"),
    ],
    ids=BAD_IDS,
)
def test_bad_inputs_raise_value_error(call, match):
    with pytest.raises(ValueError, match=match):
        call()
