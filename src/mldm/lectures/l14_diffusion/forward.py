"""The forward process and its posterior, checked by simulation (lines 6078-6207): the closed
form q(x_t | x_0) against the chain run step by step, the lecture's two questions, the
posterior against Bayes' rule, the "t < 20" remark, and the two forms of λ_t."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l14_diffusion.common import schedule

if TYPE_CHECKING:
    from mldm.lectures.base import Context

FIGURE_BETA = 0.01  # the lecture's figure of the posterior weights: β_t = 0.01 for every t


@dataclass(frozen=True)
class PosteriorWeights:
    t: np.ndarray
    w_x0: np.ndarray
    w_xt: np.ndarray
    lam_t: np.ndarray  # λ_t of the params' schedule, t = 2..T
    lam_last: np.ndarray


def evaluate(ctx: Context) -> PosteriorWeights:
    import torch

    from mldm.models import NoiseSchedule

    p = ctx.params
    s = schedule(p)
    g = torch.Generator().manual_seed(ctx.seed)
    f64 = torch.float64
    n = p.draws

    def randn(*shape):
        return torch.randn(*shape, generator=g, dtype=f64)

    # closed form vs the chain: moments of x_t at t = T/2 over n draws from x_0 = (1, -1, 0.5)
    x0 = torch.tensor([1.0, -1.0, 0.5], dtype=f64)
    t = p.T // 2
    x = x0.repeat(n, 1)
    for k in range(1, t + 1):
        x = s.q_step(x, k, randn(*x.shape))
    ab = s.alpha_bar[t]
    gap = max(
        float((x.mean(0) - ab.sqrt() * x0).abs().max()), float((x.var(0) - (1 - ab)).abs().max())
    )
    ctx.measure("closed_form_matches_chain", gap)
    ctx.record("forward", "closed_form", chain_vs_closed_form_max_moment_gap=gap)

    # Question 1: Var(x_t) stays 1 with the √(1-β_t) factor, grows without it
    x = randn(n)
    y = x.clone()
    for k in range(1, p.T + 1):
        e = randn(n)
        x = s.q_step(x, k, e)
        y = y + s.beta[k].sqrt() * e
    ctx.measure("variance_stays_one", abs(float(x.var()) - 1))
    ctx.measure("variance_explodes_without_factor", float(y.var()))
    ctx.record("forward", "variance", var_x_T=float(x.var()), var_x_T_without_factor=float(y.var()))

    # Question 2: q(x_T | x_0) -> N(0, I): KL(N(√ᾱ_T x0, 1-ᾱ_T) || N(0, 1)) at the worst x0 in
    # [-1, 1], = -log(1-ᾱ_T)/2, on the lecture's chain (β_t = 0.01, T = 1000) and on ours
    def kl(ab: float) -> float:
        return float(-0.5 * np.log1p(-ab))

    lecture_ab = float(NoiseSchedule(1000, FIGURE_BETA, FIGURE_BETA).alpha_bar[-1])
    ctx.measure("q_xT_is_standard_normal", kl(lecture_ab))
    abT = float(s.alpha_bar[-1])
    ctx.record(
        "forward",
        "q_xT",
        alpha_bar_T=abT,
        kl_to_standard_normal=kl(abT),
        lecture_chain_alpha_bar_T=lecture_ab,
        lecture_chain_kl_to_standard_normal=kl(lecture_ab),
    )

    # the posterior against Bayes' rule: keep chain draws whose x_t lands near a value
    t, x0v, target = max(2, p.T // 10), 0.5, 0.3
    prev = s.q_sample(torch.tensor(x0v, dtype=f64), t - 1, randn(10 * n))
    xt = s.q_step(prev, t, randn(10 * n))
    near = (xt - target).abs() < 0.01
    mu, var = s.q_posterior(torch.tensor(x0v, dtype=f64), torch.tensor(target, dtype=f64), t)
    mean_gap = abs(float(prev[near].mean() - mu)) / float(var.sqrt())
    var_ratio = float(prev[near].var() / var)
    ctx.measure("posterior_matches_bayes", max(mean_gap, abs(var_ratio - 1)))
    ctx.record(
        "forward", "posterior", mean_gap_in_sd=mean_gap, var_ratio=var_ratio, kept=int(near.sum())
    )

    # μ_θ written with the true ε is μ̃_t (lines 6300-6312)
    x0 = randn(64)
    eps = randn(64)
    worst = 0.0
    for t in range(2, p.T + 1):
        xt = s.q_sample(x0, t, eps)
        worst = max(
            worst, float((s.mean_from_eps(xt, t, eps) - s.q_posterior(x0, xt, t)[0]).abs().max())
        )
    ctx.measure("mean_from_eps_is_posterior_mean", worst)

    # the lecture's figure: weights of x_0 and x_t in μ̃_t with β_t = 0.01
    fig = NoiseSchedule(100, FIGURE_BETA, FIGURE_BETA)
    ts = torch.arange(1, 101)
    w0, wt = (w.numpy() for w in fig.posterior_weights(ts))
    share = w0 / (w0 + wt)
    ctx.measure("posterior_mean_uses_x0_early", float(share[ts.numpy() < 20].min()))
    ctx.measure("posterior_mean_is_xt_later", float(share[ts.numpy() >= 20].max()))
    ctx.table(
        "posterior_weights",
        ["t", "weight of x_0", "weight of x_t", "x_0's share"],
        [
            [int(k), float(w0[k - 1]), float(wt[k - 1]), float(share[k - 1])]
            for k in (1, 2, 5, 10, 19, 20, 50, 100)
        ],
        note="β_t = 0.01 for all t, the lecture's figure (lines 6189-6196)",
    )

    # λ_t: its definition against the slide's simplified form, and its weight on small t
    tt = torch.arange(2, p.T + 1)
    lam = s.lambda_t(tt)
    slide = s.beta[tt] / ((1 - s.beta[tt]) * (1 - s.alpha_bar[tt - 1]))
    ctx.measure("lambda_slide_form_drops_half", float((2 * lam / slide - 1).abs().max()))
    ctx.measure("lambda_overweights_small_t", float(lam[0] / lam[-1]))
    ctx.record("forward", "lambda_t", lambda_at_t2=float(lam[0]), lambda_at_t_last=float(lam[-1]))
    return PosteriorWeights(ts.numpy(), w0, wt, tt.numpy(), lam.numpy())
