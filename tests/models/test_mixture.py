"""L13 Gaussian mixture by EM against oracles.

Oracles: ``scipy.stats.multivariate_normal.logpdf`` (the density), ``sklearn.mixture.
GaussianMixture`` from the same initialization (the whole EM trajectory), the known
parameters of synthetic data (recovery, model selection), a plain Lloyd K-means loop (the
σ² → 0 limit), and the lecture's identity log p = L(q, θ) + KL(q || p(z|x)).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.stats import multivariate_normal
from sklearn import mixture as sk
from sklearn.datasets import load_iris, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.evaluation import aic, bic
from mldm.models.clustering import KMeans, SoftKMeans
from mldm.models.mixture import GaussianMixture, em_isotropic_shared, log_gaussian
from mldm.models.persistence import load_estimator, save_estimator

# A known 2-D mixture: three well-separated, differently shaped components.
PI = np.array([0.5, 0.3, 0.2])
MU = np.array([[0.0, 0.0], [7.0, 1.0], [1.0, 7.0]])
SIGMA = np.array([[[1.0, 0.5], [0.5, 1.0]], [[1.5, -0.3], [-0.3, 0.5]], [[0.6, 0.0], [0.0, 1.2]]])


def make_mixture(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    z = rng.choice(3, size=n, p=PI)
    L = np.linalg.cholesky(SIGMA)
    return MU[z] + np.einsum("nij,nj->ni", L[z], rng.standard_normal((n, 2))), z


def random_spd(rng, K, d):
    A = rng.standard_normal((K, d, d))
    return A @ np.swapaxes(A, 1, 2) + 0.5 * np.eye(d)


def same_init(X, K, covariance_type, seed=0):
    """weights_init / means_init / precisions_init that fix θ^(0) for both implementations:
    K random samples as means, uniform weights, the data's (co)variance for every Σ_k."""
    rng = np.random.default_rng(seed)
    means = X[rng.choice(len(X), K, replace=False)]
    if covariance_type == "full":
        precisions = np.repeat(np.linalg.inv(np.cov(X.T, bias=True))[None], K, axis=0)
    else:
        precisions = np.tile(1.0 / X.var(axis=0), (K, 1))
    return dict(weights_init=np.full(K, 1.0 / K), means_init=means, precisions_init=precisions)


@pytest.fixture(scope="module")
def synthetic():
    return make_mixture(600, seed=1)[0]


@pytest.fixture(scope="module")
def iris():
    return load_iris().data


@pytest.fixture(scope="module")
def wine_std():
    return StandardScaler().fit_transform(load_wine().data)


# ------------------------------------------------ the Gaussian density


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_log_gaussian_matches_scipy(covariance_type):
    rng = np.random.default_rng(0)
    K, d = 4, 5
    X = rng.standard_normal((60, d)) * 3
    means = rng.standard_normal((K, d))
    if covariance_type == "full":
        covs = random_spd(rng, K, d)
        dense = covs
    else:
        covs = rng.uniform(0.2, 4.0, size=(K, d))
        dense = np.array([np.diag(c) for c in covs])
    ours = log_gaussian(X, means, covs, covariance_type)
    ref = np.stack([multivariate_normal(means[k], dense[k]).logpdf(X) for k in range(K)], 1)
    assert ours.shape == (60, K)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-10)


def test_log_gaussian_rejects_bad_input():
    with pytest.raises(ValueError, match="positive definite"):
        log_gaussian(np.zeros((3, 2)), np.zeros((1, 2)), -np.eye(2)[None], "full")
    with pytest.raises(ValueError, match="shapes"):
        log_gaussian(np.zeros((3, 2)), np.zeros((1, 2)), np.ones((1, 3)), "diag")
    with pytest.raises(ValueError, match="covariance_type"):
        log_gaussian(np.zeros((3, 2)), np.zeros((1, 2)), np.ones((1, 2)), "tied")


def test_evidence_decomposition(synthetic):
    """Lines 5698-5720: log p(x) = L(q, θ) + KL(q || p(z|x; θ)) for any q, and KL = 0 at
    q = γ (the E-step), per sample."""
    est = GaussianMixture(3, random_state=0).fit(synthetic)
    X = synthetic[:100]
    log_joint = log_gaussian(X, est.means_, est.covariances_, "full") + np.log(est.weights_)
    log_px, gamma = est.score_samples(X), est.predict_proba(X)
    q = np.random.default_rng(0).dirichlet(np.ones(3), size=len(X))
    elbo = (q * (log_joint - np.log(q))).sum(1)
    kl = (q * (np.log(q) - np.log(gamma))).sum(1)
    np.testing.assert_allclose(elbo + kl, log_px, rtol=1e-10)
    assert kl.min() > 0  # q is not the posterior
    np.testing.assert_allclose((gamma * (log_joint - np.log(gamma))).sum(1), log_px, rtol=1e-10)
    np.testing.assert_allclose(gamma.sum(1), 1.0, rtol=1e-12)


# ------------------------------------------------ oracle: scikit-learn from the same θ^(0)

ORACLE_CASES = [
    ("synthetic", "full", 3),
    ("synthetic", "diag", 3),
    ("iris", "full", 3),
    ("iris", "diag", 3),
    ("wine_std", "diag", 3),
]


@pytest.mark.parametrize(("data", "covariance_type", "K"), ORACLE_CASES)
def test_em_matches_sklearn(data, covariance_type, K, request):
    X = request.getfixturevalue(data)
    kw = dict(
        n_components=K,
        covariance_type=covariance_type,
        tol=1e-8,
        max_iter=1000,
        reg_covar=1e-6,
        **same_init(X, K, covariance_type),
    )
    ours, ref = GaussianMixture(**kw).fit(X), sk.GaussianMixture(**kw).fit(X)
    assert ours.converged_ and ref.converged_
    assert ours.n_iter_ == ref.n_iter_
    # the final mean log-likelihood, and the whole trajectory ℓ(θ^(0)), ..., ℓ(θ^(T-1))
    assert abs(ours.lower_bound_ - ref.score(X)) < 1e-4
    assert np.abs(ours.log_likelihood_curve_[:-1] - np.asarray(ref.lower_bounds_)).max() < 1e-4
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_"):
        a, b = getattr(ours, name), getattr(ref, name)
        assert np.abs(a - b).max() < 1e-3 * max(1.0, np.abs(b).max()), name
    Xn = X + np.random.default_rng(0).normal(scale=0.1, size=X.shape)  # unseen points
    np.testing.assert_allclose(ours.score_samples(Xn), ref.score_samples(Xn), atol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(Xn), ref.predict_proba(Xn), atol=1e-3)
    assert ours.n_parameters() == ref._n_parameters()


def test_sklearn_scores_our_parameters(iris):
    """precisions_cholesky_ is scikit-learn's factor: a scikit-learn model given our fitted
    arrays scores every sample as we do."""
    ours = GaussianMixture(3, random_state=0).fit(iris)
    ref = sk.GaussianMixture(3)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_", "precisions_"):
        setattr(ref, name, getattr(ours, name))
    ref.n_features_in_ = iris.shape[1]
    np.testing.assert_allclose(ours.score_samples(iris), ref.score_samples(iris), rtol=1e-12)
    np.testing.assert_array_equal(ours.predict(iris), ref.predict(iris))


# ------------------------------------------------ EM never decreases the likelihood


@pytest.mark.parametrize("init_params", ["kmeans", "random"])
@pytest.mark.parametrize("covariance_type", ["full", "diag"])
@pytest.mark.parametrize("data", ["synthetic", "iris"])
def test_log_likelihood_never_decreases(data, covariance_type, init_params, request):
    X = request.getfixturevalue(data)
    for seed in range(10):
        est = GaussianMixture(
            3, covariance_type=covariance_type, init_params=init_params, random_state=seed
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X)
        curve = est.log_likelihood_curve_
        assert curve.shape == (est.n_iter_ + 1,)
        assert np.diff(curve).min() >= -1e-10, (seed, np.diff(curve).min())
        assert est.lower_bound_ == curve[-1]
        assert est.score(X) == pytest.approx(curve[-1], rel=1e-12)
        assert curve[-1] > curve[0]


# ------------------------------------------------ recovery of known parameters


def test_recovers_known_mixture():
    X, _ = make_mixture(3000, seed=0)
    est = GaussianMixture(3, random_state=0).fit(X)
    # match fitted components to the true ones by their means
    cost = ((est.means_[:, None, :] - MU[None, :, :]) ** 2).sum(-1)
    rows, cols = linear_sum_assignment(cost)
    order = rows[np.argsort(cols)]  # fitted component matched to true component k
    assert np.abs(est.weights_[order] - PI).max() < 0.02
    assert np.abs(est.means_[order] - MU).max() < 0.1
    assert np.abs(est.covariances_[order] - SIGMA).max() < 0.15


# ------------------------------------------------ initialization


def test_means_init_gives_uniform_weights_and_hard_assignment_covariances(synthetic):
    X, reg = synthetic, 1e-6
    means = X[[0, 1, 2]]
    est = GaussianMixture(3, means_init=means, max_iter=0, reg_covar=reg).fit(X)
    assert est.n_iter_ == 0 and not est.converged_ and est.log_likelihood_curve_.shape == (1,)
    np.testing.assert_array_equal(est.means_, means)
    np.testing.assert_allclose(est.weights_, 1 / 3)
    labels = ((X[:, None] - means[None]) ** 2).sum(-1).argmin(1)
    for k in range(3):
        D = X[labels == k] - means[k]  # about the given mean
        np.testing.assert_allclose(
            est.covariances_[k], D.T @ D / len(D) + reg * np.eye(2), rtol=1e-10
        )
    # weights_init and precisions_init override
    P = np.repeat(np.eye(2)[None] * 2.0, 3, axis=0)
    w = np.array([0.2, 0.3, 0.5])
    est = GaussianMixture(3, means_init=means, weights_init=w, precisions_init=P, max_iter=0)
    est.fit(X)
    np.testing.assert_array_equal(est.weights_, w)
    np.testing.assert_allclose(est.covariances_, np.linalg.inv(P), rtol=1e-12)
    np.testing.assert_allclose(est.precisions_, P, rtol=1e-12)


@pytest.mark.parametrize(
    "kw",
    [
        dict(covariance_type="tied"),
        dict(init_params="k-means++"),
        dict(n_components=0),
        dict(tol=-1.0),
        dict(weights_init=[0.5, 0.6]),
        dict(means_init=np.zeros((3, 2))),
        dict(precisions_init=-np.ones((2, 2, 2))),
        dict(n_components=700),
    ],
)
def test_invalid_params_raise(kw, synthetic):
    with pytest.raises(ValueError):
        GaussianMixture(**{"n_components": 2, **kw}).fit(synthetic)


# ------------------------------------------------ K-means as the σ² → 0 limit


def lloyd(X, centres):
    """Plain Lloyd K-means (L09 lines 3580-3597) until the assignment is stable."""
    labels = None
    while True:
        new = ((X[:, None] - centres[None]) ** 2).sum(-1).argmin(1)
        if labels is not None and np.array_equal(new, labels):
            return centres, labels
        labels = new
        centres = np.stack([X[labels == k].mean(0) for k in range(len(centres))])


@pytest.fixture(scope="module")
def blobs_and_kmeans():
    X, _ = make_mixture(300, seed=3)
    init = X[np.random.default_rng(0).choice(len(X), 3, replace=False)]  # L09 init 1)
    return X, init, lloyd(X, init)


def test_em_isotropic_small_variance_is_kmeans(blobs_and_kmeans):
    X, init, (centres, labels) = blobs_and_kmeans
    means, resp, n_iter = em_isotropic_shared(X, init, 1e-4 * X.var())
    assert n_iter < 100
    assert np.abs(means - centres).max() < 1e-6
    assert np.abs(resp - np.eye(3)[labels]).max() < 1e-6


def test_lloyd_is_mldm_kmeans(blobs_and_kmeans):
    X, init, (centres, labels) = blobs_and_kmeans
    km = KMeans(3, init=init).fit(X)
    np.testing.assert_allclose(km.cluster_centers_, centres, rtol=1e-12)
    np.testing.assert_array_equal(km.labels_, labels)


def test_em_isotropic_is_soft_kmeans(blobs_and_kmeans):
    """E-step = L09's soft K-means with β = 1/(2σ²): the same fixed point from the same init."""
    X, init, _ = blobs_and_kmeans
    s2 = 3.0
    means, resp, n_iter = em_isotropic_shared(X, init, s2, max_iter=1000)
    assert n_iter < 1000
    soft = SoftKMeans(3, beta=1 / (2 * s2), init=init, tol=1e-24, max_iter=1000).fit(X)
    np.testing.assert_allclose(means, soft.cluster_centers_, atol=1e-8)
    np.testing.assert_allclose(resp, soft.responsibilities_, atol=1e-8)


def test_em_isotropic_large_variance_is_soft(blobs_and_kmeans):
    X, init, (centres, labels) = blobs_and_kmeans
    means, resp, _ = em_isotropic_shared(X, init, X.var())
    assert np.abs(resp - np.eye(3)[labels]).max() > 0.1
    assert np.abs(means - centres).max() > 0.1


def test_em_isotropic_step_is_the_mixture_posterior(blobs_and_kmeans):
    """One step from init, by hand: γ is the GMM posterior with π_k = 1/K, Σ_k = σ²I, and μ
    the γ-weighted means."""
    X, init, _ = blobs_and_kmeans
    s2 = 2.0
    means, resp, n_iter = em_isotropic_shared(X, init, s2, max_iter=1)
    assert n_iter == 1
    lj = log_gaussian(X, init, np.full((3, 2), s2), "diag")
    gamma = np.exp(lj - lj.max(1, keepdims=True))
    gamma /= gamma.sum(1, keepdims=True)
    np.testing.assert_allclose(means, gamma.T @ X / gamma.sum(0)[:, None], rtol=1e-12)
    lj = log_gaussian(X, means, np.full((3, 2), s2), "diag")
    np.testing.assert_allclose(resp, np.exp(lj - np.logaddexp.reduce(lj, 1)[:, None]), atol=1e-14)


# ------------------------------------------------ model selection (L04 AIC / BIC)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bic_picks_the_true_number_of_components(synthetic):
    X = synthetic
    scores = {}
    for K in range(1, 7):
        fits = [GaussianMixture(K, random_state=s).fit(X) for s in range(3)]
        best = max(fits, key=lambda e: e.lower_bound_)
        scores[K] = best.bic(X)
    assert min(scores, key=scores.get) == 3, scores


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_aic_bic_and_n_parameters(covariance_type, iris):
    for K in (1, 2, 4):
        est = GaussianMixture(K, covariance_type=covariance_type, random_state=0).fit(iris)
        ref = sk.GaussianMixture(K, covariance_type=covariance_type).fit(iris)
        M, N = est.n_parameters(), len(iris)
        assert M == ref._n_parameters()
        log_l = est.score(iris) * N
        assert est.aic(iris) == pytest.approx(aic(log_l, M), rel=1e-12)
        assert est.bic(iris) == pytest.approx(bic(log_l, M, N), rel=1e-12)
        assert est.aic(iris) == pytest.approx(2 * M - 2 * log_l, rel=1e-12)
        assert est.bic(iris) == pytest.approx(M * np.log(N) - 2 * log_l, rel=1e-12)


# ------------------------------------------------ sampling, persistence, determinism


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_sample_moments(covariance_type, synthetic):
    est = GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(synthetic)
    Xs, z = est.sample(40000)
    assert Xs.shape == (40000, 2)
    np.testing.assert_array_equal(est.sample(40000)[0], Xs)  # seeded
    assert np.abs(np.bincount(z, minlength=3) / len(z) - est.weights_).max() < 0.01
    cov = (
        est.covariances_
        if covariance_type == "full"
        else np.stack([np.diag(c) for c in est.covariances_])
    )
    mean = est.weights_ @ est.means_
    second = np.einsum(
        "k,kij->ij", est.weights_, cov + est.means_[:, :, None] * est.means_[:, None]
    )
    assert np.abs(Xs.mean(0) - mean).max() < 0.05
    assert np.abs(np.cov(Xs.T, bias=True) - (second - np.outer(mean, mean))).max() < 0.2


@pytest.mark.parametrize("covariance_type", ["full", "diag"])
def test_persistence_round_trip(covariance_type, iris, tmp_path):
    est = GaussianMixture(
        3, covariance_type=covariance_type, random_state=0, means_init=iris[[0, 50, 100]]
    ).fit(iris)
    save_estimator(est, tmp_path / "gmm")
    back = load_estimator(tmp_path / "gmm")
    assert type(back) is GaussianMixture
    np.testing.assert_array_equal(back.score_samples(iris), est.score_samples(iris))
    np.testing.assert_array_equal(back.predict_proba(iris), est.predict_proba(iris))
    np.testing.assert_array_equal(back.sample(10)[0], est.sample(10)[0])
    assert back.converged_ == est.converged_ and back.n_iter_ == est.n_iter_


def test_deterministic(iris):
    for init in ("kmeans", "random"):
        a = GaussianMixture(3, init_params=init, random_state=7).fit(iris)
        b = GaussianMixture(3, init_params=init, random_state=7).fit(iris)
        np.testing.assert_array_equal(a.means_, b.means_)
        np.testing.assert_array_equal(a.log_likelihood_curve_, b.log_likelihood_curve_)
    c = GaussianMixture(3, init_params="random", random_state=8).fit(iris)
    assert not np.array_equal(a.log_likelihood_curve_, c.log_likelihood_curve_)


# ------------------------------------------------ scikit-learn API


@parametrize_with_checks(
    [
        GaussianMixture(n_components=2, random_state=0),
        GaussianMixture(n_components=2, covariance_type="diag", random_state=0),
    ]
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


# ------------------------------------------------ speed (reported, not asserted)


def test_speed_vs_sklearn():
    rng = np.random.default_rng(0)
    K, d, n = 5, 10, 5000
    centres = rng.normal(scale=4.0, size=(K, d))
    X = centres[rng.integers(K, size=n)] + rng.standard_normal((n, d))
    times = {}
    for ctype in ("full", "diag"):
        kw = dict(
            n_components=K, covariance_type=ctype, tol=0.0, max_iter=50, **same_init(X, K, ctype)
        )
        for name, cls in (("mldm", GaussianMixture), ("sklearn", sk.GaussianMixture)):
            best = np.inf
            for _ in range(2):
                est = cls(**kw)
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    est.fit(X)
                best = min(best, time.perf_counter() - t0)
            times[ctype, name] = (best, est)
        ours, ref = times[ctype, "mldm"][1], times[ctype, "sklearn"][1]
        assert np.abs(ours.means_ - ref.means_).max() < 1e-6  # same 50 EM steps
        print(
            f"\nGMM {ctype} 5000x10 K=5, 50 EM iterations: mldm {times[ctype, 'mldm'][0]:.3f} s,"
            f" sklearn {times[ctype, 'sklearn'][0]:.3f} s"
        )


def test_convergence_warning_names_the_gap_and_is_silent_when_converged(synthetic):
    with pytest.warns(ConvergenceWarning, match=r"max_iter=2 .*changed by .*tol=.*raise max_iter"):
        GaussianMixture(3, max_iter=2, tol=1e-12, random_state=0).fit(synthetic)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        GaussianMixture(3, random_state=0).fit(synthetic)


def test_defaults_are_sklearns():
    from sklearn.mixture import GaussianMixture as SkMixture

    ours, ref = GaussianMixture().get_params(), SkMixture().get_params()
    for name in ("tol", "max_iter", "reg_covar", "covariance_type", "init_params"):
        assert ours[name] == ref[name], name
