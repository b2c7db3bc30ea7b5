"""L01 linear regression: closed forms, gradients and the four solvers against oracles.

Oracles: ``numpy.linalg.lstsq``, ``sklearn.linear_model.LinearRegression``, ``numpy.polyfit``,
torch autograd, and plain numpy loops of the slide's update rules.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.datasets import load_diabetes
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.models.linear_regression import (
    LinearRegression,
    add_bias,
    minibatch_gradients,
    mse,
    mse_gradient,
    normal_equation,
    single_feature_fit,
)

# L01 lines 19-23: size (ft^2), bedrooms, floors, age (years) -> price ($1000)
HOUSE_X = np.array(
    [[2104, 5, 1, 45], [1416, 3, 2, 40], [1534, 3, 2, 30], [852, 2, 1, 36]], dtype=np.float64
)
HOUSE_Y = np.array([460, 232, 315, 178], dtype=np.float64)


def rel(a, b) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)) / np.linalg.norm(b))


@pytest.fixture(scope="module")
def diabetes():
    return load_diabetes(return_X_y=True)


@pytest.fixture(scope="module")
def diabetes_std(diabetes):
    """Standardized features (raw target): the well-conditioned setting for gd/sgd."""
    X, y = diabetes
    X = StandardScaler().fit_transform(X)
    w_star, _ = normal_equation(add_bias(X), y)
    return X, y, w_star


def random_problem(n=200, m=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, m)) * rng.uniform(0.5, 5, size=m) + rng.normal(size=m)
    y = 3.0 + X @ rng.normal(size=m) + 0.5 * rng.normal(size=n)
    return X, y


# ------------------------------------------------ closed forms (lines 66-157)


@pytest.mark.parametrize("data", ["diabetes", "random"])
def test_normal_equation_matches_lstsq_and_sklearn(data, diabetes):
    X, y = diabetes if data == "diabetes" else random_problem()
    Xb = add_bias(X)
    assert Xb.shape == (X.shape[0], X.shape[1] + 1) and np.all(Xb[:, 0] == 1)

    w, rank = normal_equation(Xb, y)
    assert rank == Xb.shape[1]
    assert rel(w, np.linalg.lstsq(Xb, y, rcond=None)[0]) < 1e-8
    sk = SkLinearRegression().fit(X, y)
    assert rel(w, np.r_[sk.intercept_, sk.coef_]) < 1e-8

    est = LinearRegression(solver="normal").fit(X, y)
    assert rel(est.w_, w) < 1e-12 and est.rank_ == rank
    assert est.intercept_ == pytest.approx(w[0]) and rel(est.coef_, w[1:]) < 1e-12
    assert est.loss_curve_.shape == (1,) and est.loss_curve_[0] == pytest.approx(mse(Xb, y, w))
    assert rel(est.predict(X), sk.predict(X)) < 1e-8
    assert est.score(X, y) == pytest.approx(sk.score(X, y), rel=1e-10)


def test_optimum_residual_orthogonal_to_span_of_x(diabetes):
    """Lines 188-194: X^T (X w* - y) = 0, i.e. y - X w* is orthogonal to every column of X."""
    X, y = diabetes
    Xb = add_bias(X)
    w, _ = normal_equation(Xb, y)
    assert np.abs(Xb.T @ (y - Xb @ w)).max() < 1e-8 * np.abs(Xb.T @ y).max()
    g0 = mse_gradient(Xb, y, np.zeros_like(w))
    assert np.linalg.norm(mse_gradient(Xb, y, w)) < 1e-9 * np.linalg.norm(g0)


def test_single_feature_fit_equals_normal_equation():
    x = HOUSE_X[:, 0]  # size vs price, lines 19-23
    w0, w1 = single_feature_fit(x, HOUSE_Y)
    w, rank = normal_equation(add_bias(x), HOUSE_Y)
    assert rank == 2
    np.testing.assert_allclose([w0, w1], w, rtol=1e-10)
    np.testing.assert_allclose([w1, w0], np.polyfit(x, HOUSE_Y, 1), rtol=1e-10)

    x, y = random_problem(n=50, m=1, seed=3)
    np.testing.assert_allclose(
        single_feature_fit(x, y), normal_equation(add_bias(x), y)[0], rtol=1e-10
    )
    with pytest.raises(ValueError, match="constant"):
        single_feature_fit(np.ones(5), np.arange(5.0))


def test_house_table_singular_min_norm():
    """All 4 features, 4 houses, 5 weights (lines 133-139): X^T X has rank 4 < 5."""
    Xb = add_bias(HOUSE_X)
    w, rank = normal_equation(Xb, HOUSE_Y)
    assert rank == 4
    np.testing.assert_allclose(Xb @ w, HOUSE_Y, rtol=1e-10)  # 4 equations, interpolated exactly
    # minimum norm: w has no component in null(X), so any other solution is longer
    null = np.linalg.svd(Xb)[2][-1]
    np.testing.assert_allclose(Xb @ null, 0, atol=1e-9)
    assert abs(w @ null) < 1e-10 * np.linalg.norm(w)
    assert np.linalg.norm(w + 0.1 * null) > np.linalg.norm(w)
    np.testing.assert_allclose(w, np.linalg.lstsq(Xb, HOUSE_Y, rcond=None)[0], rtol=1e-8)

    est = LinearRegression(solver="normal").fit(HOUSE_X, HOUSE_Y)
    assert est.rank_ == 4
    np.testing.assert_allclose(est.predict(HOUSE_X), HOUSE_Y, rtol=1e-10)
    # Newton with a singular Hessian takes the pseudo-inverse step: the same min-norm w
    newton = LinearRegression(solver="newton").fit(HOUSE_X, HOUSE_Y)
    np.testing.assert_allclose(newton.w_, w, rtol=1e-6)


# ------------------------------------------------ gradients (lines 143-186, 224-267)


def test_mse_and_gradient_match_autograd():
    X, y = random_problem(n=60, m=5, seed=1)
    Xb = add_bias(X)
    w = np.random.default_rng(2).normal(size=Xb.shape[1])
    Xt, yt = torch.from_numpy(Xb), torch.from_numpy(y)
    wt = torch.tensor(w, requires_grad=True)
    L = ((Xt @ wt - yt) ** 2).mean()
    L.backward()
    assert mse(Xb, y, w) == pytest.approx(L.item(), rel=1e-12)
    assert rel(mse_gradient(Xb, y, w), wt.grad.numpy()) < 1e-10


@pytest.mark.parametrize("order", ["shuffle", "segment"])
def test_minibatch_gradients_one_epoch_average_is_full_gradient(order):
    X, y = random_problem(n=120, m=4, seed=4)
    Xb = add_bias(X)
    w = np.random.default_rng(5).normal(size=Xb.shape[1])
    G = minibatch_gradients(Xb, y, w, batch_size=30, order=order, seed=7)
    assert G.shape == (4, Xb.shape[1])
    full = mse_gradient(Xb, y, w)
    # equal-size batches partition the data: the mean of batch means is the full mean
    assert rel(G.mean(axis=0), full) < 1e-12
    # each single batch is only an estimate
    assert min(rel(g, full) for g in G) > 1e-3
    if order == "segment":  # 分段: consecutive rows in stored order
        for t in range(4):
            s = slice(30 * t, 30 * (t + 1))
            assert rel(G[t], mse_gradient(Xb[s], y[s], w)) < 1e-12
    else:  # 乱序: a different partition for another seed, a fixed one for the same seed
        assert rel(minibatch_gradients(Xb, y, w, 30, order, seed=8)[0], G[0]) > 1e-3
        np.testing.assert_array_equal(minibatch_gradients(Xb, y, w, 30, order, seed=7), G)


def test_minibatch_gradient_is_unbiased_over_shuffled_epochs():
    """Lines 265-267: E_B[batch gradient] = dL/dw. batch_size 7 does not divide n = 100, so
    no single epoch averages out exactly; the average over many shuffled epochs does."""
    X, y = random_problem(n=100, m=3, seed=6)
    Xb = add_bias(X)
    w = np.random.default_rng(7).normal(size=Xb.shape[1])
    full = mse_gradient(Xb, y, w)
    G = np.concatenate([minibatch_gradients(Xb, y, w, 7, "shuffle", seed=s) for s in range(3000)])
    assert len(G) == 3000 * 15  # 14 batches of 7 and one of 2 per epoch
    assert rel(minibatch_gradients(Xb, y, w, 7, "shuffle", seed=0).mean(0), full) > 1e-3
    mean, se = G.mean(axis=0), G.std(axis=0) / np.sqrt(len(G))
    assert np.all(np.abs(mean - full) < 5 * se)
    assert rel(mean, full) < 0.02


# ------------------------------------------------ GD / SGD through Lightning (206-267)


def hessian(X) -> np.ndarray:
    Xb = add_bias(X)
    return 2.0 / len(Xb) * Xb.T @ Xb  # H = 2/n X^T X


def test_gd_is_the_slide_update_exactly(diabetes_std):
    """Lightning + GradientDescent = the numpy loop w <- w - r * 2/n X^T(Xw - y), from w = 0,
    and loss_curve_ is the full-data MSE after every epoch."""
    X, y, _ = diabetes_std
    Xb, r, epochs = add_bias(X), 0.2, 15
    est = LinearRegression(solver="gd", lr=r, max_epochs=epochs).fit(X, y)
    w, curve = np.zeros(Xb.shape[1]), []
    for _ in range(epochs):
        w = w - r * mse_gradient(Xb, y, w)
        curve.append(mse(Xb, y, w))
    assert rel(est.w_, w) < 1e-12
    assert est.loss_curve_.shape == (epochs,) and rel(est.loss_curve_, curve) < 1e-12
    assert est.rank_ is None


def test_sgd_segment_is_the_slide_update_exactly(diabetes_std):
    X, y, _ = diabetes_std
    Xb, r, b, epochs = add_bias(X), 0.05, 32, 3
    est = LinearRegression(
        solver="sgd", lr=r, batch_size=b, batch_order="segment", max_epochs=epochs
    ).fit(X, y)
    w = np.zeros(Xb.shape[1])
    for _ in range(epochs):
        for s in range(0, len(y), b):  # 分段: B_t = rows s .. s+b-1, last one shorter
            w = w - r * mse_gradient(Xb[s : s + b], y[s : s + b], w)
    assert rel(est.w_, w) < 1e-12
    assert est.loss_curve_[-1] == pytest.approx(mse(Xb, y, w), rel=1e-12)


def test_gd_converges_to_normal_equation(diabetes_std):
    """H = 2/n X^T X has lambda_max ~ 8.05 and lambda_min ~ 0.017 here, so GD is stable for
    r < 2/lambda_max ~ 0.2485 and needs ~ln(1e3)/(r lambda_min) epochs; r = 0.24 is close to the
    best rate 2/(lambda_min + lambda_max) ~ 0.248, giving 1e-3 in ~1400 epochs."""
    X, y, w_star = diabetes_std
    lam = np.linalg.eigvalsh(hessian(X))
    assert 0.24 < 2 / lam[-1] < 0.25
    est = LinearRegression(solver="gd", lr=0.24, max_epochs=1500).fit(X, y)
    assert rel(est.w_, w_star) < 1e-3
    curve = est.loss_curve_
    assert curve.shape == (1500,)
    assert np.all(np.diff(curve) <= 1e-9 * curve[0])  # r < 2/lambda_max: monotone
    assert curve[-1] == pytest.approx(mse(add_bias(X), y, w_star), rel=1e-6)


def test_gd_diverges_above_two_over_lambda_max(diabetes_std):
    X, y, _ = diabetes_std
    r = 1.1 * 2 / np.linalg.eigvalsh(hessian(X))[-1]  # |1 - r lambda_max| = 1.2 > 1
    curve = LinearRegression(solver="gd", lr=r, max_epochs=60).fit(X, y).loss_curve_
    assert curve[-1] > 100 * curve[0]


@pytest.mark.parametrize("order", ["shuffle", "segment"])
def test_sgd_hovers_near_normal_equation(order, diabetes_std):
    """With a constant r the mini-batch gradient stays noisy at w* (it is zero only on
    average), so SGD does not converge to w*: it hovers in an O(r) neighbourhood (shuffle), or
    settles on an O(r) limit cycle (segment: the same batch sequence every epoch). Hence 5e-2
    relative on w and 5% on the loss instead of GD's 1e-3 (over 20 shuffle seeds a numpy
    replica ends at <= 3.9% on w and <= 2% on the loss). r = 0.05 is well inside the
    stability limit of the 32-row batch Hessians, 2/lambda_max ~ 0.18; r = 0.1 hovers ~2x wider.
    """
    X, y, w_star = diabetes_std
    est = LinearRegression(
        solver="sgd", lr=0.05, batch_size=32, batch_order=order, max_epochs=200, random_state=0
    ).fit(X, y)
    assert est.loss_curve_.shape == (200,)
    assert rel(est.w_, w_star) < 5e-2
    L_star = mse(add_bias(X), y, w_star)
    assert L_star <= est.loss_curve_[-1] < 1.05 * L_star
    assert est.loss_curve_[0] < 0.5 * mse(add_bias(X), y, np.zeros_like(w_star))


# ------------------------------------------------ Newton (lines 269-284)


@pytest.mark.parametrize("data", ["diabetes", "random"])
def test_newton_one_step_is_the_optimum(data, diabetes):
    X, y = diabetes if data == "diabetes" else random_problem(seed=9)
    Xb = add_bias(X)
    w_star, _ = normal_equation(Xb, y)
    est = LinearRegression(solver="newton").fit(X, y)
    assert rel(est.w_, w_star) < 1e-10
    assert est.loss_curve_.shape == (2,)
    assert est.loss_curve_[0] == pytest.approx(mse(Xb, y, np.zeros_like(w_star)), rel=1e-12)
    assert est.loss_curve_[1] == pytest.approx(mse(Xb, y, w_star), rel=1e-12)
    more = LinearRegression(solver="newton", newton_steps=3).fit(X, y)
    assert more.loss_curve_.shape == (4,)
    np.testing.assert_allclose(more.loss_curve_[1:], more.loss_curve_[1], rtol=1e-12)


# ------------------------------------------------ estimator API


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="bfgs"),
        dict(solver="sgd", batch_order="rand"),
        dict(solver="gd", lr=0.0),
        dict(solver="newton", newton_steps=0),
    ],
)
def test_invalid_params_raise(params):
    X, y = random_problem(n=20, m=2)
    with pytest.raises(ValueError):
        LinearRegression(**params).fit(X, y)


@parametrize_with_checks([LinearRegression(solver="normal"), LinearRegression(solver="newton")])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
