"""L04 regularization: Ridge (closed form, weight decay) and Lasso (CD, ISTA) against oracles.

Oracles: ``sklearn.linear_model.Ridge`` / ``Lasso`` / ``lasso_path`` / ``LinearRegression``
(same objectives, same parameter names), ``torch.optim.SGD(weight_decay)``, and a numpy loop
of the weight-decay update.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.models import Lasso, Ridge
from mldm.models.persistence import load_estimator, save_estimator
from mldm.models.regularized import (
    lasso_alpha_max,
    lasso_objective,
    regularization_path,
    ridge_objective,
    soft_threshold,
)
from mldm.training import GradientDescent


def rel(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(b))


def max_rel(a, b) -> float:
    """max |a - b| over the largest |b|: the coefficients' own scale."""
    return float(np.abs(np.asarray(a) - b).max() / max(1.0, np.abs(b).max()))


@pytest.fixture(scope="module")
def diabetes():
    """sklearn's scaled diabetes (every column has the same norm, mean 0)."""
    return load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def diabetes_raw():
    """The original units (age, sex 1/2, bmi, ...): uncentred, condition number ~ 8e4."""
    return load_diabetes(return_X_y=True, scaled=False)


@pytest.fixture(scope="module")
def diabetes_std(diabetes):
    X, y = diabetes
    return StandardScaler().fit_transform(X), y


def test_soft_threshold():
    z = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0])
    np.testing.assert_array_equal(soft_threshold(z, 1.0), [-2.0, 0, 0, 0, 0, 0, 2.0])
    # the prox of t|w|: argmin_w 1/2 (w - z)^2 + t |w|, checked on a grid
    grid = np.linspace(-5, 5, 100001)
    for zi in (-2.3, -0.4, 0.7, 1.9):
        best = grid[np.argmin(0.5 * (grid - zi) ** 2 + 0.8 * np.abs(grid))]
        assert soft_threshold(zi, 0.8) == pytest.approx(best, abs=1e-4)


# ------------------------------------------------ Ridge, closed form (lines 1236-1262)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [1e-3, 0.1, 1.0, 10.0, 100.0])
def test_ridge_closed_matches_sklearn(alpha, fit_intercept, diabetes, diabetes_raw):
    for X, y in (diabetes, diabetes_raw):
        ours = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
        ref = sk.Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
        assert max_rel(ours.coef_, ref.coef_) < 1e-10
        assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-10, abs=1e-10)
        assert ours.n_iter_ is None
        # the objective: ours is at least as low as sklearn's solution, to rounding
        f = ridge_objective(X, y, ours.coef_, ours.intercept_, alpha)
        assert f <= ridge_objective(X, y, ref.coef_, ref.intercept_, alpha) * (1 + 1e-12)


def test_ridge_objective_and_optimality(diabetes_raw):
    X, y = diabetes_raw
    est = Ridge(alpha=3.0).fit(X, y)
    w, b = est.coef_, est.intercept_
    e = y - X @ w - b
    assert ridge_objective(X, y, w, b, 3.0) == pytest.approx(e @ e + 3.0 * w @ w, rel=1e-14)
    # zero gradient in w (2 alpha w - 2 X^T e) and in the unpenalized b (-2 sum e)
    assert np.abs(3.0 * w - X.T @ e).max() < 1e-8 * np.abs(X.T @ y).max()
    assert abs(e.sum()) < 1e-9 * np.abs(y).sum()
    # b is not penalized: it is the least-squares intercept for this w
    assert b == pytest.approx(np.mean(y - X @ w), rel=1e-12)


def test_ridge_alpha_zero_is_least_squares(diabetes_raw):
    X, y = diabetes_raw
    ours, ref = Ridge(alpha=0.0).fit(X, y), sk.LinearRegression().fit(X, y)
    assert max_rel(ours.coef_, ref.coef_) < 1e-9
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-9)


def test_ridge_norm_shrinks_as_alpha_grows(diabetes):
    X, y = diabetes
    alphas = np.logspace(-3, 4, 15)
    norms = [np.linalg.norm(Ridge(alpha=a).fit(X, y).coef_) for a in alphas]
    assert np.all(np.diff(norms) < 0)
    assert norms[-1] < 0.05 * norms[0]


# ------------------------------------------------ Ridge, weight decay (line 1262)


def test_weight_decay_is_torch_sgd_weight_decay():
    """GradientDescent(weight_decay) and torch.optim.SGD(weight_decay, momentum=0): the same
    parameter trajectory over 50 steps of a small float64 model."""
    torch.manual_seed(0)

    def net():
        return torch.nn.Sequential(
            torch.nn.Linear(4, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)
        ).double()

    ours_m, ref_m, plain_m = net(), net(), net()
    ref_m.load_state_dict(ours_m.state_dict())
    plain_m.load_state_dict(ours_m.state_dict())
    opts = [
        GradientDescent(ours_m.parameters(), lr=0.1, weight_decay=0.3),
        torch.optim.SGD(ref_m.parameters(), lr=0.1, weight_decay=0.3, momentum=0),
        torch.optim.SGD(plain_m.parameters(), lr=0.1),  # no decay: must end elsewhere
    ]
    X, y = torch.randn(32, 4, dtype=torch.float64), torch.randn(32, 1, dtype=torch.float64)
    worst = 0.0
    for _ in range(50):
        for model, opt in zip((ours_m, ref_m, plain_m), opts, strict=True):
            opt.zero_grad()
            ((model(X) - y) ** 2).mean().backward()
            opt.step()
        with torch.no_grad():
            for p, q in zip(ours_m.parameters(), ref_m.parameters(), strict=True):
                worst = max(worst, float((p - q).abs().max()))
    assert worst <= 1e-15
    with torch.no_grad():
        params = zip(ours_m.parameters(), plain_m.parameters(), strict=True)
        assert max(float((p - q).abs().max()) for p, q in params) > 1e-2


def test_ridge_gd_epochs_are_the_weight_decay_update(diabetes_std):
    """Each epoch is w <- w - r (2/N Xc^T (Xc w - yc) + 2 alpha/N w), from w = 0."""
    X, y = diabetes_std
    alpha, r, epochs = 30.0, 0.2, 12
    est = Ridge(alpha=alpha, solver="gd", lr=r, max_epochs=epochs).fit(X, y)
    Xc, yc, n = X - X.mean(0), y - y.mean(), len(y)
    w, curve = np.zeros(X.shape[1]), []
    for _ in range(epochs):
        w = w - r * (2 / n * Xc.T @ (Xc @ w - yc) + 2 * alpha / n * w)
        curve.append(np.mean((y - X @ w - (y.mean() - X.mean(0) @ w)) ** 2))
    assert rel(est.coef_, w) < 1e-12
    assert est.intercept_ == pytest.approx(y.mean() - X.mean(0) @ w, rel=1e-12)
    assert est.loss_curve_.shape == (epochs,) and rel(est.loss_curve_, curve) < 1e-12
    assert est.n_iter_ == epochs


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("alpha", [50.0, 100.0])
def test_ridge_gd_converges_to_closed_form(alpha, fit_intercept, diabetes_std):
    """H = 2/N Xc^T Xc + 2 alpha/N I has lambda in [0.24, 8.28] at alpha = 50 and
    [0.47, 8.50] at alpha = 100, so r = 0.22 < 2/lambda_max ~ 0.235 and the error contracts
    by max|1 - r lambda| <= 0.947 per epoch: 1e-7 after ~300 epochs (~1 s)."""
    X, y = diabetes_std
    Xc = X - X.mean(0) if fit_intercept else X
    lam = np.linalg.eigvalsh(2 / len(y) * Xc.T @ Xc) + 2 * alpha / len(y)
    r = 0.22
    assert r < 2 / lam[-1]
    gd = Ridge(alpha=alpha, solver="gd", lr=r, max_epochs=300, fit_intercept=fit_intercept)
    gd.fit(X, y)
    closed = Ridge(alpha=alpha, fit_intercept=fit_intercept).fit(X, y)
    assert np.abs(gd.coef_ - closed.coef_).max() < 1e-6
    assert gd.intercept_ == pytest.approx(closed.intercept_, abs=1e-6)
    # loss_curve_ is the data term alone: it ends at the ridge solution's MSE (under weight
    # decay it need not fall monotonically, only the penalized objective does)
    mse_star = np.mean((y - closed.predict(X)) ** 2)
    assert gd.loss_curve_.shape == (300,)
    assert gd.loss_curve_[-1] == pytest.approx(mse_star, rel=1e-10)


# ------------------------------------------------ Lasso (lines 1300-1322)


SK_EXACT = dict(tol=1e-12, max_iter=100000)


# On raw diabetes (condition number ~8e4) ISTA's linear rate is too slow below 0.01 alpha_max
# (not converged after 1e5 iterations): coordinate descent only there.
LASSO_CASES = [
    (data, frac, solver)
    for data in ("std", "raw")
    for frac in (0.5, 0.1, 0.01, 0.001)
    for solver in ("cd", "ista")
    if not (solver == "ista" and data == "raw" and frac < 0.01)
]


@pytest.mark.parametrize("data, frac, solver", LASSO_CASES)
def test_lasso_matches_sklearn(data, frac, solver, diabetes_std, diabetes_raw):
    """alpha = frac * alpha_max, against sklearn run to tol = 1e-12."""
    X, y = diabetes_std if data == "std" else diabetes_raw
    alpha = frac * lasso_alpha_max(X, y)
    ref = sk.Lasso(alpha=alpha, **SK_EXACT).fit(X, y)
    ours = Lasso(alpha=alpha, solver=solver, tol=1e-12, max_iter=20000).fit(X, y)
    assert max_rel(ours.coef_, ref.coef_) < 1e-6  # measured <= 2e-10
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-8)
    np.testing.assert_array_equal(ours.coef_ == 0, ref.coef_ == 0)  # the same sparsity
    assert ours.dual_gap_ <= 1e-12 * np.var(y) * (1 + 1e-9)  # tol * ||yc||^2 / N
    assert ours.objective_curve_.shape == (ours.n_iter_,)
    assert ours.objective_curve_[-1] == pytest.approx(
        lasso_objective(X, y, ours.coef_, ours.intercept_, alpha), rel=1e-12
    )


@pytest.mark.parametrize("solver", ["cd", "ista"])
def test_lasso_objective_never_increases(solver, diabetes_raw):
    X, y = diabetes_raw
    alpha = 0.01 * lasso_alpha_max(X, y)
    curve = Lasso(alpha=alpha, solver=solver, tol=1e-10, max_iter=20000).fit(X, y)
    curve = curve.objective_curve_
    assert len(curve) > 100
    assert np.all(np.diff(curve) <= 1e-13 * curve[0])  # each step minimizes; rounding only
    assert curve[0] < lasso_objective(X, y, np.zeros(X.shape[1]), y.mean(), alpha)


def test_dual_gap_bounds_the_suboptimality(diabetes_raw):
    """Stopped early (tol = 1e-3), P(w) - P(w*) <= dual_gap_, with P(w*) from sklearn."""
    X, y = diabetes_raw
    alpha = 0.001 * lasso_alpha_max(X, y)
    ref = sk.Lasso(alpha=alpha, **SK_EXACT).fit(X, y)
    p_star = lasso_objective(X, y, ref.coef_, ref.intercept_, alpha)
    for solver in ("cd", "ista"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est = Lasso(alpha=alpha, solver=solver, tol=1e-3, max_iter=300).fit(X, y)
        sub = lasso_objective(X, y, est.coef_, est.intercept_, alpha) - p_star
        assert 0 < sub <= est.dual_gap_
    est = Lasso(alpha=alpha, tol=1e-3).fit(X, y)
    assert est.dual_gap_ <= 1e-3 * np.var(y) < est.objective_curve_[0] - p_star


def test_lasso_warm_start(diabetes_raw):
    X, y = diabetes_raw
    alpha = 0.001 * lasso_alpha_max(X, y)
    est = Lasso(alpha=alpha, tol=1e-8, warm_start=True).fit(X, y)
    first, coef = est.n_iter_, est.coef_.copy()
    est.fit(X, y)  # already converged: the gap at the start certifies it
    assert est.n_iter_ == 0 < first
    np.testing.assert_allclose(est.coef_, coef, rtol=1e-6)
    cold = Lasso(alpha=alpha, tol=1e-8).fit(X, y)
    assert cold.fit(X, y).n_iter_ == first


def test_lasso_does_not_converge_warns(diabetes_raw):
    X, y = diabetes_raw
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        Lasso(alpha=0.1, solver="ista", max_iter=5).fit(X, y)


@pytest.mark.parametrize("data", ["std", "raw"])
def test_alpha_max_is_where_lasso_turns_on(data, diabetes_std, diabetes_raw):
    X, y = diabetes_std if data == "std" else diabetes_raw
    a_max = lasso_alpha_max(X, y)
    # sklearn's path starts at the same alpha_max (it does not centre: give it centred data)
    Xc, yc = X - X.mean(0), y - y.mean()
    assert sk.lasso_path(Xc, yc, alphas=3)[0][0] == pytest.approx(a_max, rel=1e-12)
    for solver in ("cd", "ista"):
        for a in (a_max, 1.5 * a_max):
            assert np.all(Lasso(alpha=a, solver=solver).fit(X, y).coef_ == 0)
        below = Lasso(alpha=0.99 * a_max, solver=solver, tol=1e-8).fit(X, y)
        assert np.count_nonzero(below.coef_) >= 1
    # sklearn checks the duality gap at w = 0 before the first sweep: so close to alpha_max
    # that gap is already below its default tol and it returns zeros; a tight tol does not
    assert np.count_nonzero(sk.Lasso(alpha=0.99 * a_max, tol=1e-12).fit(X, y).coef_) >= 1


@pytest.mark.parametrize("solver", ["cd", "ista"])
def test_gap_at_zero_decides_like_sklearn(solver, diabetes):
    """At w = 0 the gap is (1 - alpha/alpha_max)^2 ||yc||^2 / (2N): at alpha = 0.9 alpha_max
    that is 0.005 ||yc||^2 / N, so tol = 0.0051 accepts w = 0 and tol = 0.0049 does not --
    for sklearn's Lasso too (it also checks the gap before the first sweep)."""
    X, y = diabetes
    alpha = 0.9 * lasso_alpha_max(X, y)
    for tol, zero in ((0.0051, True), (0.0049, False)):
        ours = Lasso(alpha=alpha, solver=solver, tol=tol).fit(X, y)
        ref = sk.Lasso(alpha=alpha, tol=tol).fit(X, y)
        assert (ours.n_iter_ == 0) is zero and bool(np.all(ours.coef_ == 0)) is zero
        assert bool(np.all(ref.coef_ == 0)) is zero
        assert ours.dual_gap_ <= tol * np.var(y)
    zero = Lasso(alpha=alpha, solver=solver, tol=0.0051).fit(X, y)
    assert zero.dual_gap_ == pytest.approx(0.005 * np.var(y), rel=1e-9)
    assert zero.objective_curve_.shape == (0,)


# ------------------------------------------------ regularization paths


def test_paths_match_sklearn_and_l1_is_sparse(diabetes_raw):
    X, y = diabetes_raw
    a_max = lasso_alpha_max(X, y)
    alphas = a_max * np.array([0.05, 1.2, 0.5, 0.001, 0.01])  # unsorted on purpose
    l1 = regularization_path(X, y, alphas, penalty="l1", tol=1e-12, max_iter=100000)
    assert l1.shape == (5, X.shape[1])
    Xc, yc = X - X.mean(0), y - y.mean()
    sk_alphas, ref, _ = sk.lasso_path(Xc, yc, alphas=alphas, **SK_EXACT)
    order = np.argsort(-alphas)  # lasso_path returns the alphas sorted, largest first
    np.testing.assert_array_equal(sk_alphas, alphas[order])
    assert max_rel(l1[order], ref.T) < 1e-6
    assert np.all(l1[1] == 0)  # above alpha_max

    ridge_alphas = np.array([0.01, 1.0, 100.0])
    l2 = regularization_path(X, y, ridge_alphas, penalty="l2")
    ref2 = np.array([sk.Ridge(alpha=a).fit(X, y).coef_ for a in ridge_alphas])
    assert max_rel(l2, ref2) < 1e-10

    # at a middle alpha L1 zeroes weights exactly, L2 only shrinks them (lines 1318-1322)
    mid = 0.05 * a_max
    l1_mid = regularization_path(X, y, [mid], penalty="l1")[0]
    l2_mid = regularization_path(X, y, [mid], penalty="l2")[0]
    assert np.count_nonzero(l1_mid == 0) > 0
    assert np.count_nonzero(l2_mid == 0) == 0
    assert np.count_nonzero(l1_mid) > 0


def test_path_without_intercept(diabetes_raw):
    X, y = diabetes_raw
    alphas = [1.0, 10.0]
    l1 = regularization_path(X, y, alphas, fit_intercept=False, tol=1e-12, max_iter=100000)
    ref = [sk.Lasso(alpha=a, fit_intercept=False, **SK_EXACT).fit(X, y).coef_ for a in alphas]
    assert max_rel(l1, np.array(ref)) < 1e-6


# ------------------------------------------------ estimator API


@pytest.mark.parametrize(
    "est",
    [
        Ridge(alpha=-1.0),
        Ridge(alpha=np.inf),
        Ridge(solver="svd"),
        Ridge(solver="gd", lr=0.0),
        Ridge(solver="gd", max_epochs=0),
        Lasso(alpha=-0.1),
        Lasso(solver="lars"),
        Lasso(max_iter=0),
        Lasso(tol=-1.0),
    ],
)
def test_invalid_params_raise(est, diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="alpha|solver|lr|max_epochs|max_iter|tol"):
        est.fit(X[:20], y[:20])


def test_invalid_path_args_raise(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="penalty"):
        regularization_path(X, y, [1.0], penalty="l0")
    with pytest.raises(ValueError, match="alphas"):
        regularization_path(X, y, [-1.0])


@pytest.mark.parametrize(
    "est",
    [
        Ridge(alpha=2.0),
        Ridge(alpha=2.0, solver="gd", lr=0.2, max_epochs=5),
        Lasso(alpha=0.5),
        Lasso(alpha=0.5, solver="ista", fit_intercept=False),
    ],
    ids=["ridge-closed", "ridge-gd", "lasso-cd", "lasso-ista"],
)
def test_persistence_round_trip(est, diabetes_std, tmp_path):
    X, y = diabetes_std
    est.fit(X[:300], y[:300])
    save_estimator(est, tmp_path / "model")
    back = load_estimator(tmp_path / "model")
    assert type(back) is type(est) and back.get_params() == est.get_params()
    np.testing.assert_array_equal(back.predict(X[300:]), est.predict(X[300:]))


@parametrize_with_checks(
    [
        Ridge(),
        Ridge(fit_intercept=False),
        Ridge(solver="gd", max_epochs=30),
        Lasso(),
        Lasso(solver="ista"),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
