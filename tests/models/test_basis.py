"""L04 basis functions: polynomial, sigmoid and hard-sigmoid features against oracles.

Oracles: ``sklearn.preprocessing.PolynomialFeatures``, ``scipy.special.expit``,
``torch.sigmoid`` / ``torch.relu``, ``np.interp`` (the polyline claim) and
``sklearn.linear_model.Ridge`` behind ``PolynomialFeatures`` (a pipeline).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.special import expit
from sklearn.linear_model import Ridge as SkRidge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.models import BasisFunctions, Ridge
from mldm.models.basis import hard_sigmoid_features, polynomial_features, sigmoid_features
from mldm.models.persistence import load_estimator, save_estimator


def data(n=50, m=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, m)) * rng.uniform(0.5, 3, size=m) + rng.normal(size=m)


# ------------------------------------------------ polynomial (lines 962, 978-983)


def test_polynomial_interactions_match_sklearn():
    X = data(m=3)
    sk = PolynomialFeatures(degree=3, include_bias=False).fit(X)
    ours = BasisFunctions(kind="polynomial", degree=3, interactions=True).fit(X)
    Phi = ours.transform(X)
    assert Phi.shape == (50, 19) and ours.n_output_features_ == 19  # C(3+3, 3) - 1
    np.testing.assert_allclose(Phi, sk.transform(X), rtol=1e-13, atol=0)
    np.testing.assert_array_equal(ours.get_feature_names_out(), sk.get_feature_names_out())
    names = ["a", "b", "c"]
    np.testing.assert_array_equal(
        ours.get_feature_names_out(names), sk.get_feature_names_out(names)
    )
    np.testing.assert_allclose(polynomial_features(X, 3, interactions=True), Phi, rtol=1e-15)


def test_polynomial_without_interactions_is_the_pure_powers_grouped_by_power():
    """Oracle: PolynomialFeatures' columns whose ``powers_`` row has a single nonzero entry,
    sorted by (power, feature)."""
    X = data(m=3, seed=1)
    sk = PolynomialFeatures(degree=4, include_bias=False).fit(X)
    P = sk.powers_
    pure = np.flatnonzero((P > 0).sum(axis=1) == 1)
    order = sorted(pure, key=lambda c: (P[c].max(), P[c].argmax()))
    ours = BasisFunctions(degree=4).fit(X)  # interactions=False is the default
    np.testing.assert_allclose(ours.transform(X), sk.transform(X)[:, order], rtol=1e-13)
    np.testing.assert_array_equal(ours.get_feature_names_out(), sk.get_feature_names_out()[order])


@pytest.mark.parametrize("interactions", [False, True])
def test_polynomial_one_feature_is_x_x2_x3(interactions):
    """The slide's [x] -> [x, x^2, x^3]: both modes agree for a single feature."""
    x = np.linspace(-2, 3, 11)[:, None]
    Phi = BasisFunctions(degree=3, interactions=interactions).fit_transform(x)
    np.testing.assert_allclose(
        Phi, PolynomialFeatures(3, include_bias=False).fit_transform(x), rtol=1e-15
    )
    np.testing.assert_allclose(Phi, np.hstack([x, x * x, x * x * x]), rtol=1e-15)


def test_polynomial_basis_model_is_sklearn_poly_ridge():
    """phi(x) w with the L04 basis and the L04 ridge = sklearn's own pipeline."""
    X = data(m=2, seed=2)
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    ours = make_pipeline(BasisFunctions(degree=3, interactions=True), Ridge(alpha=0.5)).fit(X, y)
    sk = make_pipeline(PolynomialFeatures(3, include_bias=False), SkRidge(alpha=0.5)).fit(X, y)
    np.testing.assert_allclose(ours.predict(X), sk.predict(X), rtol=1e-10)


# ------------------------------------------------ sigmoid (lines 966-972)


def test_sigmoid_is_expit_of_the_formula():
    X = data(m=3, seed=3)
    est = BasisFunctions(kind="sigmoid", n_basis=6, width=0.7).fit(X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    # centres evenly spaced over [min, max]; s_j = width * spacing_j
    np.testing.assert_allclose(est.centers_, np.linspace(lo, hi, 6, axis=1), rtol=1e-15)
    np.testing.assert_allclose(est.scales_, 0.7 * (hi - lo) / 5, rtol=1e-15)

    X_new = data(n=40, m=3, seed=4) * 3  # also far outside the training range
    Phi = est.transform(X_new)
    assert Phi.shape == (40, 18)
    ref = np.hstack(
        [
            expit((X_new[:, [j]] - est.centers_[j]) / est.scales_[j])  # sigma((x_j - c)/s)
            for j in range(3)
        ]
    )
    np.testing.assert_allclose(Phi, ref, rtol=1e-13, atol=0)


def test_sigmoid_is_the_slides_sigmoid_b_plus_wx():
    """sigmoid(b + w x) with w = 1/s, b = -c/s, via torch.sigmoid (lines 966-972)."""
    x = np.linspace(-3, 5, 30)
    c, s = np.array([-1.0, 0.5, 2.0]), 0.4
    w, b = 1 / s, -c / s
    ref = torch.sigmoid(torch.tensor(b)[None, :] + w * torch.tensor(x)[:, None]).numpy()
    np.testing.assert_allclose(sigmoid_features(x, c, s), ref, rtol=1e-12, atol=0)


def test_sigmoid_tails_are_accurate_without_overflow():
    z = np.array([-800.0, -40.0, -1.0, 0.0, 1.0, 40.0, 800.0])
    with np.errstate(over="raise", invalid="raise"):  # exp(800) would overflow
        out = sigmoid_features(z, [0.0], 1.0).ravel()
    np.testing.assert_allclose(out, expit(z), rtol=1e-14, atol=0)
    assert out[1] > 0  # ~4e-18, not rounded to 0


# ------------------------------------------------ hard sigmoid (lines 930-964)


def test_hard_sigmoid_is_a_difference_of_relus():
    """Piece k = (relu(x - c_k) - relu(x - c_{k+1})) / (c_{k+1} - c_k), uneven knots."""
    knots = np.array([-1.0, -0.2, 0.5, 2.0, 2.1])
    x = torch.linspace(-3, 4, 101, dtype=torch.float64)
    c = torch.tensor(knots)
    ref = (torch.relu(x[:, None] - c[:-1]) - torch.relu(x[:, None] - c[1:])) / (c[1:] - c[:-1])
    Phi = hard_sigmoid_features(x.numpy(), knots)
    np.testing.assert_allclose(Phi, ref.numpy(), rtol=1e-14, atol=1e-15)
    est = BasisFunctions(kind="hard_sigmoid", knots=knots).fit(x.numpy()[:, None])
    np.testing.assert_array_equal(est.transform(x.numpy()[:, None]), Phi)
    assert est.n_output_features_ == 4


def test_hard_sigmoid_default_knots_per_feature():
    X = data(m=2, seed=5)
    est = BasisFunctions(kind="hard_sigmoid", n_basis=4).fit(X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    np.testing.assert_allclose(est.centers_, np.linspace(lo, hi, 5, axis=1), rtol=1e-15)
    Phi = est.transform(X)
    assert Phi.shape == (50, 8)
    # feature-major: the first 4 columns depend on x_1 only
    ref = (X[:, [0]] - est.centers_[0, :-1]) / np.diff(est.centers_[0])
    np.testing.assert_allclose(Phi[:, :4], np.clip(ref, 0, 1), rtol=1e-15)


def test_hard_sigmoids_span_the_polyline():
    """Lines 934-948: red polyline = constant + sum of hard sigmoids. Knots at B+1 sorted
    sample points; least squares of y on [1, phi(x)] (B+1 unknowns) interpolates them, and
    between knots it is np.interp's linear interpolation (flat outside, like np.interp)."""
    rng = np.random.default_rng(6)
    knots = np.sort(rng.uniform(-2, 2, size=9))
    y = rng.normal(size=9)
    est = BasisFunctions(kind="hard_sigmoid", knots=knots).fit(knots[:, None])

    def design(x):
        return np.hstack([np.ones((len(x), 1)), est.transform(x[:, None])])

    coef, *_ = np.linalg.lstsq(design(knots), y, rcond=None)
    np.testing.assert_allclose(design(knots) @ coef, y, rtol=0, atol=1e-10)
    x_new = rng.uniform(knots[0], knots[-1], size=200)
    np.testing.assert_allclose(design(x_new) @ coef, np.interp(x_new, knots, y), atol=1e-10)
    x_out = np.array([knots[0] - 5, knots[-1] + 5])
    np.testing.assert_allclose(design(x_out) @ coef, y[[0, -1]], atol=1e-10)


def test_shared_knots_are_used_for_every_feature():
    X = data(m=3, seed=7)
    knots = np.array([-1.0, 0.0, 1.5])
    sig = BasisFunctions(kind="sigmoid", knots=knots, width=2.0, n_basis=99).fit(X)
    np.testing.assert_array_equal(sig.centers_, np.tile(knots, (3, 1)))
    np.testing.assert_allclose(sig.scales_, 2.0 * 1.25)  # width * mean gap
    assert sig.transform(X).shape == (50, 9)
    names = sig.get_feature_names_out(["a", "b", "c"])
    assert list(names[:4]) == ["a_sigmoid_0", "a_sigmoid_1", "a_sigmoid_2", "b_sigmoid_0"]


def test_constant_feature_gets_a_unit_range():
    X = np.c_[np.full(10, 3.0), np.arange(10.0)]
    est = BasisFunctions(kind="sigmoid", n_basis=3).fit(X)
    np.testing.assert_allclose(est.centers_[0], [2.5, 3.0, 3.5])
    assert np.all(np.isfinite(est.transform(X)))
    hard = BasisFunctions(kind="hard_sigmoid", n_basis=2).fit(X)
    np.testing.assert_allclose(hard.centers_[0], [2.5, 3.0, 3.5])


# ------------------------------------------------ estimator API


@pytest.mark.parametrize(
    "params",
    [
        dict(kind="spline"),
        dict(kind="polynomial", degree=0),
        dict(kind="sigmoid", n_basis=0),
        dict(kind="hard_sigmoid", n_basis=0),
        dict(kind="sigmoid", width=0.0),
        dict(kind="hard_sigmoid", knots=[0.0, 1.0, 1.0]),
        dict(kind="sigmoid", knots=[1.0, 0.0]),
        dict(kind="sigmoid", knots=[1.0]),
        dict(kind="hard_sigmoid", knots=[[0.0, 1.0]]),
    ],
)
def test_invalid_params_raise(params):
    with pytest.raises(ValueError, match="kind|degree|n_basis|width|knots"):
        BasisFunctions(**params).fit(data())
    if "degree" in params:
        with pytest.raises(ValueError, match="degree"):
            polynomial_features(data(), params["degree"])


@pytest.mark.parametrize("kind", ["polynomial", "sigmoid", "hard_sigmoid"])
def test_persistence_round_trip(kind, tmp_path):
    X = data(seed=8)
    est = BasisFunctions(kind=kind, n_basis=5, interactions=True).fit(X)
    save_estimator(est, tmp_path / "basis")
    back = load_estimator(tmp_path / "basis")
    X_new = data(n=20, seed=9)
    np.testing.assert_array_equal(back.transform(X_new), est.transform(X_new))


@parametrize_with_checks(
    [
        BasisFunctions(),
        BasisFunctions(interactions=True, degree=2),
        BasisFunctions(kind="sigmoid", n_basis=4),
        BasisFunctions(kind="hard_sigmoid", n_basis=4),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
