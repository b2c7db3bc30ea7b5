"""The VAE on binarized MNIST (lines 5868-5896): the 16-D model's ELBO and its importance-
weighted bound, the 2-D model whose log p(x) and posterior KL a grid integrates exactly, the
KL and reconstruction terms against torch, and the β sweep over seeds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation.seeds import over_seeds
from mldm.lectures.l13_vae.common import digits, generator, vae

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def _train_one(ctx: Context, name: str, net, d, beta: float, key: int, run: int = 0, epochs=None):
    from mldm.models.vae import fit_vae

    ctx.seeded(key, run=run)
    model = vae(net)
    with ctx.run(name, latent_dim=net.latent_dim, hidden=net.hidden, beta=beta):
        task = fit_vae(
            model,
            d.train,
            max_epochs=epochs or net.max_epochs,
            batch_size=net.batch_size,
            lr=net.lr,
            beta=beta,
            eval_sets={"test": d.test},
            seed=ctx.seed + run,
        )
    h = task.history
    ctx.save_curve(name, epoch=np.arange(1, len(h["step_loss"]) + 1), **h)
    ctx.save_module(name, model)


def sweep_name(i: int, run: int) -> str:
    return f"beta{i}_seed{run}"


def train(ctx: Context) -> None:
    p = ctx.params
    d = digits(ctx)
    _train_one(ctx, "vae", p.vae, d, p.beta, key=0)
    _train_one(ctx, "vae2d", p.latent2d, d, 1.0, key=1)
    for i, beta in enumerate(p.sweep.grid):
        for run in range(p.sweep.seeds):
            _train_one(ctx, sweep_name(i, run), p.vae, d, beta, 2, run, p.sweep.max_epochs)


@dataclass(frozen=True)
class Results:
    """What the figures draw."""

    model: Any
    model2d: Any
    digits: Any
    iwae: dict[int, float]
    elbo: float
    beta: list[tuple[float, float, float, float, float]]  # β, recon mean, sd, KL mean, sd
    curves: dict[str, Any]


def _load(ctx: Context, name: str, net):
    return ctx.load_module(name, vae(net))


def _nelbo(model, X, g):
    import torch

    from mldm.models.vae import negative_elbo

    with torch.no_grad():
        return negative_elbo(model, X, generator=g)


def evaluate(ctx: Context) -> Results:
    p = ctx.params
    d = digits(ctx)
    model = _load(ctx, "vae", p.vae)
    _oracles(ctx, model, d)
    terms = _nelbo(model, d.test, generator(ctx, 10))
    elbo = float(terms.total.mean())  # −ELBO, nats per image (β of the model's training)
    pixel = d.train.mean(0).clamp(1e-3, 1 - 1e-3)  # independent Bernoulli pixels, ML fit
    baseline = float(-(d.test * pixel.log() + (1 - d.test) * (1 - pixel).log()).sum(1).mean())
    ctx.measure("vae_beats_independent_pixels", baseline - elbo)
    iwae = _iwae(ctx, model, d)
    ctx.record(
        "mnist_vae",
        "default",
        test_negative_elbo=elbo,
        test_reconstruction=float(terms.reconstruction.mean()),
        test_kl=float(terms.kl.mean()),
        independent_pixels_test_nll=baseline,
        latent_dim=p.vae.latent_dim,
        hidden=p.vae.hidden,
        n_train=len(d.train),
    )
    ctx.table(
        "published_reference",
        ["model", "setting", "test −ELBO (nats / image)"],
        [
            [
                "PyTorch examples VAE (published)",
                "20-D latent, 400 hidden, MNIST 60k, grey pixels as Bernoulli targets",
                104.0,
            ],
            [
                "ours",
                f"{p.vae.latent_dim}-D latent, {p.vae.hidden} hidden, MNIST {len(d.train)} "
                "train, binarized pixels",
                round(elbo, 1),
            ],
        ],
        note="different scale: grey targets give a cross-entropy, not the log-likelihood of "
        "binary pixels, and the training sets differ in size; not comparable",
    )
    model2d = _load(ctx, "vae2d", p.latent2d)
    _quadrature(ctx, model2d, d)
    beta = _beta(ctx, d)
    names = ["vae", "vae2d"]
    return Results(model, model2d, d, iwae, elbo, beta, ctx.curves(names))


def _oracles(ctx: Context, model, d) -> None:
    import torch
    from torch.distributions import Bernoulli, Normal, kl_divergence
    from torch.nn.functional import binary_cross_entropy_with_logits

    from mldm.evaluation import worst
    from mldm.models.vae import (
        bernoulli_log_likelihood,
        gaussian_kl,
        gaussian_kl_monte_carlo,
        reparameterize,
    )

    p = ctx.params
    x = d.test[d.eval_idx]
    with torch.no_grad():
        mu, logvar = (t.double() for t in model.encode(x))
        logits = model.decode(mu.float()).double()
    ours = gaussian_kl(mu, logvar)
    torch_kl = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(-1)
    ctx.measure("gaussian_kl_matches_torch", float((ours - torch_kl).abs().max()))
    mc = gaussian_kl_monte_carlo(mu[:50], logvar[:50], p.kl_draws, generator(ctx, 11))
    ctx.measure(
        "gaussian_kl_is_an_expectation", float(abs(mc.mean() - ours[:50].mean()) / ours[:50].mean())
    )
    xd = x.double()
    ll = bernoulli_log_likelihood(logits, xd)
    bce = -binary_cross_entropy_with_logits(logits, xd, reduction="none").sum(-1)
    bern = Bernoulli(logits=logits).log_prob(xd).sum(-1)
    ctx.measure(
        "reconstruction_is_bernoulli_log_likelihood",
        worst([(ll - bce).abs().max(), (ll - bern).abs().max()]),
    )
    # ∂/∂(μ, log σ²) E_q‖z‖² = (2μ, σ²), through z = μ + σε
    m, lv = mu[:20].clone().requires_grad_(), logvar[:20].clone().requires_grad_()
    n = p.kl_draws
    z = reparameterize(m.expand(n, *m.shape), lv.expand(n, *m.shape), generator(ctx, 12))
    z.pow(2).sum(-1).mean(0).sum().backward()
    mu_, sd = m.detach(), (0.5 * lv.detach()).exp()
    # each error over its Monte Carlo scale: 2σ for ∂/∂μ, σ(σ + |μ|) for ∂/∂log σ²
    ctx.measure(
        "reparameterization_gradient",
        worst(
            [
                float(((m.grad - 2 * mu_) / (2 * sd)).abs().max()),
                float(((lv.grad - sd**2) / (sd * (sd + mu_.abs()))).abs().max()),
            ]
        ),
    )


def _iwae(ctx: Context, model, d) -> dict[int, float]:
    from mldm.lectures.base import sweep_key
    from mldm.models.vae import iwae_log_likelihood

    p = ctx.params
    x = d.test[d.eval_idx]
    values = {}
    for i, k in enumerate(p.iwae_k):
        values[k] = float(iwae_log_likelihood(model, x, k, generator(ctx, 20, i)).mean())
        ctx.record(
            "iwae_bound",
            sweep_key("iwae_k", i, len(p.iwae_k)),
            k=int(k),
            test_log_likelihood_bound=values[k],
        )
    ks = list(p.iwae_k)
    ctx.measure(
        "iwae_tightens_with_k", min(values[b] - values[a] for a, b in zip(ks, ks[1:], strict=False))
    )
    ctx.record("mnist_vae", "default", test_iwae_gap=values[ks[-1]] - values[ks[0]])
    return values


def _quadrature(ctx: Context, model, d) -> None:
    import torch

    from mldm.models.vae import (
        iwae_log_likelihood,
        posterior_kl_quadrature,
        quadrature_log_likelihood,
    )

    p = ctx.params
    x = d.test[d.eval_idx]
    log_p = quadrature_log_likelihood(
        model, x, limit=p.quadrature_limit, points=p.quadrature_points
    )
    kl_post = posterior_kl_quadrature(model, x, log_p)
    g = generator(ctx, 30)
    neg = torch.stack([_nelbo(model, x, g).total for _ in range(p.elbo_draws)]).double()
    elbo = -neg.mean(0)
    ctx.measure("elbo_gap_is_posterior_kl", float((log_p - elbo - kl_post).mean().abs()))
    iwae = iwae_log_likelihood(model, x, max(p.iwae_k), generator(ctx, 31))
    closed = (iwae.mean() - elbo.mean()) / (log_p.mean() - elbo.mean())
    ctx.measure("iwae_closes_the_gap", float(closed))
    ctx.record(
        "vae_2d",
        "default",
        test_log_likelihood_quadrature=float(log_p.mean()),
        test_elbo=float(elbo.mean()),
        test_posterior_kl_quadrature=float(kl_post.mean()),
        test_iwae=float(iwae.mean()),
    )


def _beta(ctx: Context, d) -> list:
    from mldm.lectures.base import sweep_key

    p = ctx.params
    rows = []
    for i, beta in enumerate(p.sweep.grid):
        recon, kl = [], []
        for run in range(p.sweep.seeds):
            model = _load(ctx, sweep_name(i, run), p.vae)
            t = _nelbo(model, d.test, generator(ctx, 40, i, run))
            recon.append(float(t.reconstruction.mean()))
            kl.append(float(t.kl.mean()))
        r, k = over_seeds(recon), over_seeds(kl)
        rows.append((beta, r.mean, r.sd, k.mean, k.sd))
        ctx.record(
            "beta_sweep",
            sweep_key("beta_grid", i, len(p.sweep.grid)),
            beta=float(beta),
            seeds=p.sweep.seeds,
            **r.metrics("test_reconstruction"),
            **k.metrics("test_kl"),
        )
    n = p.sweep.seeds
    steps = []
    for (_, r0, rs0, k0, ks0), (_, r1, rs1, k1, ks1) in zip(rows, rows[1:], strict=False):
        steps.append(r1 - r0 - 2 * np.sqrt((rs0**2 + rs1**2) / n))  # reconstruction rises
        steps.append(k0 - k1 - 2 * np.sqrt((ks0**2 + ks1**2) / n))  # KL falls
    ctx.measure("beta_trades_reconstruction_for_kl", float(min(steps)))
    return rows
