"""From EM to the VAE (lines 5846-5866), with the EM lecture's own code: a Gaussian mixture
fitted by :class:`mldm.models.GaussianMixture` on iris, its densities (``log_gaussian``) and
its E-step (``predict_proba``, ``score_samples``). The lecture's ELBO, E_q[log p(x|z)] −
KL(q||p(z)), is computed for random q and for the E-step's posterior; the M-step is checked to
raise it through Q(θ; θ^(t)) alone."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def _mixture(ctx: Context, X, max_iter: int):
    from sklearn.exceptions import ConvergenceWarning

    from mldm.models import GaussianMixture

    with warnings.catch_warnings():  # tol 0: exactly max_iter M-steps, on purpose
        warnings.simplefilter("ignore", ConvergenceWarning)
        g = GaussianMixture(
            ctx.params.gmm_components, tol=0.0, max_iter=max_iter, random_state=ctx.seed
        )
        return g.fit(X)


def _log_lik(g, X) -> np.ndarray:
    """log p(x|z = k; θ) = log N(x; μ_k, Σ_k), (N, K)."""
    from mldm.models.mixture import log_gaussian

    return log_gaussian(X, g.means_, g.covariances_, g.covariance_type)


def elbo(g, X, q) -> np.ndarray:
    """The lecture's ELBO (line 5862): E_q[log p(x|z)] − KL(q(z) || p(z)), p(z) = π, (N,);
    0 log 0 = 0 where a responsibility underflows."""
    from scipy.special import xlogy

    reconstruction = np.sum(q * _log_lik(g, X), axis=1)
    kl_prior = np.sum(xlogy(q, q) - q * np.log(g.weights_), axis=1)
    return reconstruction - kl_prior


def q_function(g, X, post) -> float:
    """Q(θ; θ^(t)) = (1/N) Σ_n E_{p(z|x; θ^(t))}[log p(x, z; θ)] (line 5836), ``post`` the
    E-step's responsibilities at θ^(t), θ the mixture ``g``."""
    return float(np.mean(np.sum(post * (np.log(g.weights_) + _log_lik(g, X)), axis=1)))


def evaluate(ctx: Context) -> None:
    from mldm.evaluation import worst

    p = ctx.params
    X = ctx.data("iris").standardized().X_train
    g = _mixture(ctx, X, 100)
    log_p, log_post = g._e(X)  # EM's E-step in logs: log p(x), log p(z|x)
    post = np.exp(log_post)
    rng = np.random.default_rng([ctx.seed, 13, 50])
    deviations = []
    for _ in range(5):
        q = rng.dirichlet(np.ones(p.gmm_components), size=len(X))
        log_joint = np.log(g.weights_) + _log_lik(g, X)
        em_bound = np.sum(q * (log_joint - np.log(q)), axis=1)  # EM's L(q, θ)
        kl_post = np.sum(q * (np.log(q) - log_post), axis=1)  # KL(q || p(z|x))
        e = elbo(g, X, q)
        deviations += [
            np.abs(e - em_bound).max(),
            np.abs(e - (log_p - kl_post)).max(),
            max(0.0, -kl_post.min()),
        ]
    ctx.measure("elbo_is_em_bound", worst(deviations))
    ctx.measure("e_step_makes_elbo_tight", float(np.abs(elbo(g, X, post) - log_p).max()))

    t = p.em_step
    g_t, g_next = _mixture(ctx, X, t), _mixture(ctx, X, t + 1)  # θ^(t), θ^(t+1)
    q_t = g_t.predict_proba(X)  # the E-step at θ^(t)
    rise = elbo(g_next, X, q_t).mean() - elbo(g_t, X, q_t).mean()
    dq = q_function(g_next, X, q_t) - q_function(g_t, X, q_t)
    chain = [
        g_next.score(X) - elbo(g_next, X, q_t).mean(),  # log p(θ^(t+1)) ≥ ELBO(q, θ^(t+1))
        elbo(g_next, X, q_t).mean() - g_t.score(X),  # ELBO(q, θ^(t+1)) ≥ log p(θ^(t))
    ]
    ctx.measure("m_step_raises_elbo_by_q", worst([abs(rise - dq), *(max(0.0, -c) for c in chain)]))
    ctx.record(
        "em_to_elbo",
        "iris_gmm",
        components=p.gmm_components,
        em_step=t,
        mean_log_likelihood=float(g.score(X)),
        elbo_rise_in_m_step=float(rise),
        q_rise_in_m_step=float(dq),
    )
