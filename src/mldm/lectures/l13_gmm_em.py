"""L13 (first half) Latent-variable models and EM: the Gaussian mixture (course-notes lines
5504-5840).

A Gaussian mixture p(x) = Σ_k π_k N(x; μ_k, Σ_k) is a latent-variable model with a one-hot
z (lines 5600-5660); its log-likelihood has a sum inside the log (line 5670), so it is fitted
by EM. The decomposition log p(x; θ) = L(q, θ) + KL(q || p(z|x; θ)) behind EM (lines
5700-5720) is checked numerically for arbitrary q, and with q the posterior the KL term
vanishes. EM then never lowers the likelihood (lines 5730-5775): measured on every run, full
and diagonal covariances, two initializations. On a synthetic mixture EM recovers the true
parameters; BIC (the L04 criterion, ``mldm.evaluation``) finds the true number of
components; one Gaussian alone fits held-out data far worse (the lecture's reason for latent
variables, lines 5530-5560). With a shared isotropic covariance σ²I that shrinks, EM becomes
K-means (L09). scikit-learn's GaussianMixture, started from the same parameters, is the
oracle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, model_validator

from mldm.config import LectureParams, Strict
from mldm.lectures.claims import Claim, ClaimSet, equals, gt, lt

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Latent-variable models and EM: the Gaussian mixture"
LINES = "5504-5840"
DATASETS = ("iris", "wine")
COVARIANCES = ("full", "diag")
INITS = ("kmeans", "random")


class Mixture(Strict):
    """The true 2-D mixture the synthetic data are drawn from."""

    weights: list[float] = Field([0.5, 0.3, 0.2], min_length=2)
    means: list[tuple[float, float]] = [(0.0, 0.0), (4.0, 4.0), (-4.0, 4.0)]
    covariances: list[tuple[float, float, float]] = Field(
        [(1.0, 0.5, 1.0), (1.0, -0.6, 1.5), (0.5, 0.0, 0.5)],
        description="(σ11, σ12, σ22) of each component",
    )
    n_train: int = Field(3000, ge=50)
    n_test: int = Field(3000, ge=50)

    @model_validator(mode="after")
    def _check(self) -> Mixture:
        k = len(self.weights)
        if len(self.means) != k or len(self.covariances) != k:
            raise ValueError("weights, means and covariances need one entry per component")
        if abs(sum(self.weights) - 1) > 1e-9 or min(self.weights) <= 0:
            raise ValueError("weights must be positive and sum to 1")
        for s11, s12, s22 in self.covariances:
            if s11 <= 0 or s11 * s22 - s12**2 <= 0:
                raise ValueError(f"covariance ({s11}, {s12}, {s22}) is not positive definite")
        return self

    def covariance_matrices(self) -> np.ndarray:
        return np.array([[[a, b], [b, c]] for a, b, c in self.covariances])


class Params(LectureParams):
    mixture: Mixture = Mixture()
    k_max: int = Field(6, ge=2, description="BIC / AIC over K = 1..k_max")
    restarts: int = Field(3, ge=1, description="EM runs per K; the best likelihood is kept")
    seeds: int = Field(10, ge=1, description="runs per covariance type and init (monotonicity)")
    max_iter: int = Field(300, ge=1)
    tol: float = Field(1e-8, gt=0, description="stop when the mean log-likelihood gains less")
    sigma2_grid: list[float] = Field(
        [1.0, 0.3, 0.1, 0.03, 0.01, 1e-3, 1e-4],
        min_length=2,
        description="shared isotropic σ², as a share of the data variance (→ K-means)",
    )


CLAIMS = ClaimSet(
    Claim(
        "log_likelihood_decomposes",
        "log p(x; θ) = L(q, θ) + KL(q || p(z|x; θ)) for random q, and KL >= 0 (max |Δ| over "
        "samples and draws of q; log p from our score_samples, p(x, z) from log_gaussian, "
        "p(z|x) from our E-step)",
        "5700-5720",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "posterior_closes_the_gap",
        "With q = p(z|x; θ) (the E-step) the KL term is 0 and L(q, θ) = log p(x; θ) (max |Δ|)",
        "5730-5745",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "em_never_decreases_likelihood",
        "The log-likelihood never falls over EM iterations (number of falls over every run: "
        "full and diag, k-means and random starts, synthetic and iris)",
        "5745-5775",
        equals(0),
        kind="effect",
    ),
    Claim(
        "em_matches_sklearn",
        "scikit-learn's GaussianMixture from the same initial parameters reaches the same "
        "mean log-likelihood (max |Δ| per sample, synthetic full and wine diag)",
        "5776-5835",
        lt(1e-4),
        kind="oracle",
    ),
    Claim(
        "em_recovers_parameters",
        "On data drawn from a known 3-component mixture EM recovers it: largest error over "
        "the weights, means and covariance entries (matched components)",
        "5600-5660",
        lt(0.2),
        kind="effect",
    ),
    Claim(
        "bic_finds_true_k",
        "BIC = M log N − 2 log l (L04) over K = 1..k_max picks the true number of components "
        "(picked K minus the true K)",
        "5600-5660",
        equals(0),
        kind="effect",
    ),
    Claim(
        "mixture_beats_one_gaussian",
        "Held-out mean log-likelihood: the fitted mixture minus a single Gaussian (the "
        "lecture's reason for latent variables)",
        "5530-5560",
        gt(0.3),
        kind="effect",
    ),
    Claim(
        "kmeans_is_the_limit",
        "EM with a shared isotropic covariance σ²I, σ² → 0, ends at K-means' centres from the "
        "same start (max |Δ| / data std at the smallest σ²)",
        "5504-5840",
        lt(1e-6),
        kind="identity",
    ),
)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------


def sample_mixture(m: Mixture, n: int, seed) -> tuple[np.ndarray, np.ndarray]:
    """n draws of (x, z) from the mixture: z ~ Cat(π), x | z = k ~ N(μ_k, Σ_k)."""
    rng = np.random.default_rng(seed)
    z = rng.choice(len(m.weights), size=n, p=m.weights)
    L = np.linalg.cholesky(m.covariance_matrices())  # (K, 2, 2)
    eps = rng.standard_normal((n, 2))
    return np.asarray(m.means)[z] + np.einsum("nij,nj->ni", L[z], eps), z


def _synthetic(p: Params, seed: int):
    X, z = sample_mixture(p.mixture, p.mixture.n_train, [seed, 13, 0])
    Xt, zt = sample_mixture(p.mixture, p.mixture.n_test, [seed, 13, 1])
    return X, z, Xt, zt


def _gmm(p: Params, k: int, **kw):
    from mldm.models import GaussianMixture

    return GaussianMixture(k, max_iter=p.max_iter, tol=p.tol, **kw)


def _best_of(p: Params, k: int, X, seed: int, **kw):
    """EM from ``restarts`` starts; the run with the highest likelihood (EM finds local
    maxima only)."""
    fits = [_gmm(p, k, random_state=seed + r, **kw).fit(X) for r in range(p.restarts)]
    return max(fits, key=lambda g: g.lower_bound_)


# ---------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------


def train(ctx: Context) -> None:
    p = ctx.params
    X, _, _, _ = _synthetic(p, ctx.seed)
    with ctx.run("synthetic_by_k", k_max=p.k_max, restarts=p.restarts):
        for k in range(1, p.k_max + 1):
            ctx.save_model(f"synthetic_k{k}", _best_of(p, k, X, ctx.seed))
    iris = ctx.data("iris").standardized()
    with ctx.run("iris"):
        for cov in COVARIANCES:
            model = _best_of(p, 3, iris.X_train, ctx.seed, covariance_type=cov)
            ctx.save_model(f"iris_{cov}", model)


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


def evaluate(ctx: Context) -> None:
    p = ctx.params
    X, z, Xt, zt = _synthetic(p, ctx.seed)
    k_true = len(p.mixture.weights)
    _decomposition(ctx, ctx.load_model(f"synthetic_k{k_true}"), Xt[:500])
    _monotone(ctx, X)
    _against_sklearn(ctx, X)
    _recovery(ctx, X, Xt)
    _kmeans_limit(ctx, X)


def _log_joint(gmm, X) -> np.ndarray:
    """log p(x, z = k; θ) = log π_k + log N(x; μ_k, Σ_k), (N, K)."""
    from mldm.models.mixture import log_gaussian

    return np.log(gmm.weights_) + log_gaussian(X, gmm.means_, gmm.covariances_, gmm.covariance_type)


def _decomposition(ctx: Context, gmm, X) -> None:
    """L(q, θ) = Σ_z q log(p(x, z)/q) and KL(q || p(z|x)) for random q and for the posterior.

    Three code paths: log p(x) from the model's score_samples, log p(x, z) from log_gaussian
    on the fitted parameters, and p(z|x) the model's E-step responsibilities (predict_proba).
    With log p(z|x) defined as log p(x, z) − log p(x) instead, L + KL = log p would hold for
    any numbers at all."""
    log_p = gmm.score_samples(X)
    log_joint = _log_joint(gmm, X)
    with np.errstate(divide="ignore"):  # a responsibility that underflows to 0 fails loudly
        log_post = np.log(gmm.predict_proba(X))
    from mldm.evaluation import worst

    rng = np.random.default_rng([ctx.seed, 13, 2])
    deviations = []
    for _ in range(5):
        q = rng.dirichlet(np.ones(log_joint.shape[1]), size=len(X))
        L = np.sum(q * (log_joint - np.log(q)), axis=1)
        KL = np.sum(q * (np.log(q) - log_post), axis=1)
        # log p = L + KL, and KL >= 0
        deviations += [np.abs(log_p - (L + KL)).max(), max(0.0, -KL.min())]
    ctx.measure("log_likelihood_decomposes", worst(deviations))
    post = np.exp(log_post)
    L_post = np.sum(
        post * (log_joint - np.where(post > 0, np.log(np.maximum(post, 1e-300)), 0)), axis=1
    )
    ctx.measure("posterior_closes_the_gap", float(np.abs(L_post - log_p).max()))


def _monotone(ctx: Context, X) -> None:
    p = ctx.params
    iris = ctx.data("iris").standardized().X_train
    falls, curves = 0, []
    for data, k in ((X, len(p.mixture.weights)), (iris, 3)):
        for cov in COVARIANCES:
            for init in INITS:
                for s in range(p.seeds):
                    # pure EM (reg_covar = 0): the usual εI added after the M-step makes it
                    # a regularized update, which near convergence can lower the plain
                    # likelihood (measured: by 1e-7 on iris)
                    g = _gmm(
                        p,
                        k,
                        covariance_type=cov,
                        init_params=init,
                        random_state=ctx.seed + s,
                        reg_covar=0.0,
                    )
                    curve = np.asarray(g.fit(data).log_likelihood_curve_)
                    falls += int(np.sum(np.diff(curve) < -1e-10))
                    if data is X and cov == "full" and init == "random":
                        curves.append(curve)
    ctx.measure("em_never_decreases_likelihood", falls)
    with ctx.figure("em_log_likelihood") as (fig, ax):
        for c in curves:
            ax.plot(np.arange(1, len(c) + 1), c, lw=1)
        ax.set_xscale("log")
        ax.set_xlabel("EM iteration")
        ax.set_ylabel("mean log-likelihood")
        ax.set_title(f"{len(curves)} random starts, synthetic mixture: never falls", fontsize=9)


def _against_sklearn(ctx: Context, X) -> None:
    from sklearn.mixture import GaussianMixture as SkMixture

    from mldm.evaluation import worst

    p = ctx.params
    wine = ctx.data("wine").standardized().X_train
    gaps = []
    for name, data, cov, k in (
        ("synthetic", X, "full", len(p.mixture.weights)),
        ("wine", wine, "diag", 3),
    ):
        rng = np.random.default_rng([ctx.seed, 13, 3])
        d = data.shape[1]
        init = {
            "weights_init": np.full(k, 1 / k),
            "means_init": data[rng.choice(len(data), k, replace=False)],
            "precisions_init": np.stack([np.eye(d)] * k) if cov == "full" else np.ones((k, d)),
        }
        ours = _gmm(p, k, covariance_type=cov, **init).fit(data)
        sk = SkMixture(
            k, covariance_type=cov, tol=p.tol, max_iter=p.max_iter, reg_covar=ours.reg_covar, **init
        ).fit(data)
        gap = abs(ours.score(data) - sk.score(data))
        gaps.append(gap)
        ctx.record(
            "em_vs_sklearn_same_start",
            f"{name}_{cov}",  # dataset and covariance type; K beside
            k=k,
            mean_log_likelihood=float(ours.score(data)),
            sklearn_mean_log_likelihood=float(sk.score(data)),
            iterations=int(ours.n_iter_),
            sklearn_iterations=int(sk.n_iter_),
            # the same start: the components come out in the same order
            max_mean_difference=float(np.abs(ours.means_ - sk.means_).max()),
        )
    ctx.measure("em_matches_sklearn", worst(gaps))
    for cov in COVARIANCES:
        g = ctx.load_model(f"iris_{cov}")
        data = ctx.data("iris").standardized()
        ctx.record(
            "iris_k3",
            cov,
            train_mean_log_likelihood=float(g.score(data.X_train)),
            test_mean_log_likelihood=float(g.score(data.X_test)),
            bic=float(g.bic(data.X_train)),
            parameters=int(g.n_parameters()),
        )


def _recovery(ctx: Context, X, Xt) -> None:
    from scipy.optimize import linear_sum_assignment

    from mldm.evaluation import worst
    from mldm.lectures.base import sweep_key

    p = ctx.params
    m = p.mixture
    k_true = len(m.weights)
    gmm = ctx.load_model(f"synthetic_k{k_true}")
    true_means = np.asarray(m.means)
    cost = ((gmm.means_[:, None] - true_means[None]) ** 2).sum(-1)
    rows, cols = linear_sum_assignment(cost)
    order = rows[np.argsort(cols)]  # our component matched to true component j
    errors = {
        "weights": float(np.abs(gmm.weights_[order] - np.asarray(m.weights)).max()),
        "means": float(np.abs(gmm.means_[order] - true_means).max()),
        "covariances": float(np.abs(gmm.covariances_[order] - m.covariance_matrices()).max()),
    }
    ctx.record("synthetic_recovery", "true_k", k=k_true, **errors)
    ctx.measure("em_recovers_parameters", worst(errors.values()))

    ks = np.arange(1, p.k_max + 1)
    models = [ctx.load_model(f"synthetic_k{k}") for k in ks]
    bic = np.array([g.bic(X) for g in models])
    aic = np.array([g.aic(X) for g in models])
    for k, g, b, a in zip(ks, models, bic, aic, strict=True):
        ctx.record(
            "synthetic_choose_k",
            sweep_key("k_range", int(k) - 1, p.k_max),
            k=int(k),
            train_mean_log_likelihood=float(g.score(X)),
            test_mean_log_likelihood=float(g.score(Xt)),
            parameters=int(g.n_parameters()),
            aic=float(a),
            bic=float(b),
        )
    ctx.measure("bic_finds_true_k", int(ks[np.argmin(bic)]) - k_true)
    ctx.measure(
        "mixture_beats_one_gaussian", float(models[k_true - 1].score(Xt) - models[0].score(Xt))
    )
    with ctx.figure("choose_k", ncols=2) as (fig, (ax1, ax2)):
        ax1.plot(ks, bic, "o-", label="BIC")
        ax1.plot(ks, aic, "s-", label="AIC")
        ax1.axvline(k_true, c="k", ls="--", lw=0.8, label=f"true K = {k_true}")
        ax1.set_xlabel("K")
        ax1.legend()
        _draw_mixture(ax2, X, gmm, m)


def _ellipse(ax, mean, cov, **kw) -> None:
    from matplotlib.patches import Ellipse

    vals, vecs = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vecs[1, 1], vecs[0, 1]))
    w, h = 2 * 2 * np.sqrt(vals[::-1])  # 2 standard deviations
    ax.add_patch(Ellipse(mean, w, h, angle=angle, fill=False, **kw))


def _draw_mixture(ax, X, gmm, m: Mixture) -> None:
    ax.scatter(*X.T, s=3, c=gmm.predict(X), cmap="tab10", alpha=0.5)
    for mean, cov in zip(m.means, m.covariance_matrices(), strict=True):
        _ellipse(ax, mean, cov, ec="k", ls="--", lw=1.2)
    for mean, cov in zip(gmm.means_, gmm.covariances_, strict=True):
        _ellipse(ax, mean, cov, ec="r", lw=1.2)
    ax.set_title("true (dashed) and EM (red) components, 2σ", fontsize=9)


def _kmeans_limit(ctx: Context, X) -> None:
    from mldm.lectures.base import sweep_key
    from mldm.models import KMeans
    from mldm.models.clustering import init_centres
    from mldm.models.mixture import em_isotropic_shared

    p = ctx.params
    k = len(p.mixture.weights)
    start = init_centres(X, k, "random_distance", ctx.seed)
    km = KMeans(k, init=start).fit(X)
    var, std = float(X.var()), float(X.std())
    gaps = []
    for i, share in enumerate(p.sigma2_grid):
        means, resp, n_iter = em_isotropic_shared(X, start, share * var, max_iter=p.max_iter)
        gaps.append(float(np.abs(means - km.cluster_centers_).max() / std))
        ctx.record(
            "kmeans_limit",
            sweep_key("sigma2_grid", i, len(p.sigma2_grid)),
            sigma2_over_var=float(share),
            centre_gap_to_kmeans=gaps[-1],
            mean_largest_responsibility=float(resp.max(axis=1).mean()),
            iterations=int(n_iter),
        )
    ctx.measure("kmeans_is_the_limit", gaps[int(np.argmin(p.sigma2_grid))])
    with ctx.figure("kmeans_limit") as (fig, ax):
        ax.loglog(p.sigma2_grid, np.maximum(gaps, 1e-16), "o-")
        ax.set_xlabel("shared σ² / data variance")
        ax.set_ylabel("max |EM centres − K-means centres| / std")
        ax.invert_xaxis()
