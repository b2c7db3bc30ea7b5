"""L07 preprocessing (lines 2706-2716): centering, standardization, PCA / ZCA whitening.

Oracles: ``sklearn.preprocessing.StandardScaler`` (with_std False/True),
``sklearn.decomposition.PCA(whiten=True)``, the identity covariance, and sklearn's own
estimator checks.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import decomposition as skd
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.models.preprocessing import Centering, Standardization, Whitening


def correlated(n=400, d=5, seed=0) -> np.ndarray:
    """Full-rank, strongly correlated, off-centre, unequal scales."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(d, d)) * np.logspace(0, 1.5, d)
    return rng.normal(size=(n, d)) @ A + rng.normal(scale=5, size=d)


def cov(Z: np.ndarray) -> np.ndarray:
    Zc = Z - Z.mean(0)
    return Zc.T @ Zc / len(Z)  # the lecture's 1/N


@pytest.mark.parametrize("with_std", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_centering_standardization_match_standard_scaler(with_std, seed):
    X = correlated(seed=seed)
    ours = (Standardization() if with_std else Centering()).fit(X)
    ref = StandardScaler(with_std=with_std).fit(X)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-14)
    if with_std:
        np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-12)
        np.testing.assert_allclose(ours.scale_, ref.scale_, rtol=1e-12)


def test_standardization_constant_feature_and_eps():
    X = correlated()
    X[:, 2] = 3.7  # constant: scale 1 (StandardScaler), output ≈ 0, not NaN
    Z = Standardization().fit_transform(X)
    np.testing.assert_allclose(Z, StandardScaler().fit_transform(X), rtol=0, atol=1e-12)
    assert np.abs(Z[:, 2]).max() < 1e-12  # rounding of μ only, as in sklearn
    Ze = Standardization(eps=1.0).fit(X)
    np.testing.assert_allclose(Ze.scale_[[0, 1]], np.sqrt(X[:, [0, 1]].var(0) + 1.0))


@pytest.mark.parametrize("method", ["pca", "zca"])
@pytest.mark.parametrize("seed", [0, 3])
def test_whitened_covariance_is_identity(method, seed):
    X = correlated(seed=seed)
    assert np.abs(cov(X) - np.diag(np.diag(cov(X)))).max() > 1  # the input is correlated
    Z = Whitening(method=method, eps=0.0).fit_transform(X)
    assert np.abs(Z.mean(0)).max() < 1e-10
    assert np.abs(cov(Z) - np.eye(X.shape[1])).max() < 1e-8


def test_pca_whitening_is_sklearn_times_sqrt_n_over_n_minus_1():
    X = correlated()
    n = len(X)
    ours = Whitening("pca", eps=0.0).fit(X)
    ref = skd.PCA(whiten=True, svd_solver="full").fit(X)
    Z, Zr = ours.transform(X), ref.transform(X)
    # sklearn divides by the unbiased 1/(N-1) std, the lecture's Σ by 1/N: Z = Zr·√(N/(N-1))
    signs = np.sign(np.sum(Z * Zr, axis=0))
    np.testing.assert_array_equal(signs, 1)  # same sign convention (largest |u_i| entry > 0)
    np.testing.assert_allclose(Z * np.sqrt((n - 1) / n), Zr, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.components_, ref.components_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.eigenvalues_ * n / (n - 1), ref.explained_variance_, rtol=1e-12)


def test_pca_whitening_n_components_matches_sklearn():
    X = correlated(d=6)
    n = len(X)
    Z = Whitening("pca", eps=0.0, n_components=3).fit_transform(X)
    Zr = skd.PCA(n_components=3, whiten=True, svd_solver="full").fit_transform(X)
    assert Z.shape == (n, 3)
    np.testing.assert_allclose(Z * np.sqrt((n - 1) / n), Zr, rtol=0, atol=1e-10)


def test_zca_is_symmetric_and_closest_to_input():
    X = correlated()
    zca, pca = Whitening("zca", eps=0.0).fit(X), Whitening("pca", eps=0.0).fit(X)
    W = zca.whitening_
    np.testing.assert_allclose(W, W.T, rtol=0, atol=1e-12)  # W = U Λ^{-1/2} Uᵀ = Wᵀ
    # W² = Σ^{-1}: the ZCA matrix is the symmetric inverse square root of Σ
    np.testing.assert_allclose(W @ W @ cov(X), np.eye(X.shape[1]), rtol=0, atol=1e-9)
    Xc = X - X.mean(0)
    d_zca = np.linalg.norm(zca.transform(X) - Xc, axis=1).mean()
    d_pca = np.linalg.norm(pca.transform(X) - Xc, axis=1).mean()
    assert d_zca < d_pca
    # and closer than any other rotation R Λ^{-1/2} Uᵀ of the PCA-whitened data
    rng = np.random.default_rng(0)
    for _ in range(20):
        R, _r = np.linalg.qr(rng.normal(size=(5, 5)))
        Zr = pca.transform(X) @ R.T
        np.testing.assert_allclose(cov(Zr), np.eye(5), atol=1e-8)
        assert d_zca < np.linalg.norm(Zr - Xc, axis=1).mean()


@pytest.mark.parametrize(
    "est",
    [
        Centering(),
        Standardization(),
        Standardization(eps=1e-3),
        Whitening("pca", eps=0.0),
        Whitening("zca", eps=0.0),
        Whitening("pca", eps=1e-3),
        Whitening("zca", eps=1e-3),
    ],
    ids=repr,
)
def test_inverse_transform_round_trip(est):
    X = correlated()
    Z = est.fit_transform(X)
    np.testing.assert_allclose(est.inverse_transform(Z), X, rtol=0, atol=1e-9)


def test_digits_rank_deficient_needs_eps():
    X = load_digits().data  # constant-0 border pixels: Σ is singular
    with pytest.raises(ValueError, match="singular"):
        Whitening("zca", eps=0.0).fit(X)
    for method in ("pca", "zca"):
        Z = Whitening(method, eps=1e-5).fit_transform(X)
        assert np.all(np.isfinite(Z))
        lam = Whitening(method, eps=1e-5).fit(X).eigenvalues_
        # an axis of variance λ comes out with variance λ/(λ+ε): ≈ 1 where λ ≫ ε, 0 on null axes
        got = np.sort(np.linalg.eigvalsh(cov(Z)))[::-1]
        np.testing.assert_allclose(got, lam / (lam + 1e-5), rtol=0, atol=1e-9)
        assert np.sum(got > 0.99) >= 55 and np.sum(got < 1e-6) >= 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "svd"},
        {"eps": -1.0},
        {"n_components": 0},
        {"n_components": 6},
        {"n_components": 2.5},
    ],
)
def test_whitening_bad_params(kwargs):
    with pytest.raises(ValueError):
        Whitening(**kwargs).fit(correlated())


def test_standardization_bad_eps():
    with pytest.raises(ValueError, match="eps"):
        Standardization(eps=-1).fit(correlated())


@parametrize_with_checks(
    [
        Centering(),
        Standardization(),
        Whitening(),
        Whitening(method="zca"),
        Whitening(n_components=2),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
