"""The VAE's pieces against torch.distributions / torch.nn.functional, and the bounds' order:
ELBO ≤ IWAE_k ≤ log p(x), the latter by quadrature for a 2-D latent."""

from __future__ import annotations

import pytest
import torch
from torch.distributions import Bernoulli, Normal, kl_divergence
from torch.nn.functional import binary_cross_entropy_with_logits

from mldm.models import VAE, binarize, fit_vae, gaussian_kl, iwae_log_likelihood, negative_elbo
from mldm.models.vae import (
    bernoulli_log_likelihood,
    gaussian_kl_monte_carlo,
    posterior_kl_quadrature,
    quadrature_log_likelihood,
)


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def test_gaussian_kl_matches_torch_and_monte_carlo():
    mu = torch.randn(20, 5, generator=_g(), dtype=torch.float64)
    logvar = torch.randn(20, 5, generator=_g(1), dtype=torch.float64)
    ours = gaussian_kl(mu, logvar)
    ref = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(ours, ref, rtol=0, atol=1e-12)
    mc = gaussian_kl_monte_carlo(mu, logvar, 200_000, _g(2))
    torch.testing.assert_close(mc, ours, rtol=0.02, atol=0.05)
    assert gaussian_kl(torch.zeros(3, 4), torch.zeros(3, 4)).abs().max() == 0


def test_bernoulli_log_likelihood_is_minus_bce():
    logits = 30 * torch.randn(8, 50, generator=_g(), dtype=torch.float64)
    x = torch.rand(8, 50, generator=_g(1), dtype=torch.float64).round()
    ours = bernoulli_log_likelihood(logits, x)
    bce = -binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
    torch.testing.assert_close(ours, bce, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(ours, Bernoulli(logits=logits).log_prob(x).sum(-1))


def test_binarize_and_api_shapes():
    x = torch.rand(100, 12, generator=_g())
    b = binarize(x, _g(1))
    assert set(b.unique().tolist()) <= {0.0, 1.0}
    torch.testing.assert_close(b, binarize(x, _g(1)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binarize(x + 1)
    m = VAE(12, latent_dim=3, hidden=7)
    mu, logvar = m.encode(b)
    assert mu.shape == logvar.shape == (100, 3) and m.decode(mu).shape == (100, 12)
    s = m.sample(5, _g())
    assert s.shape == (5, 12) and float(s.min()) >= 0 and float(s.max()) <= 1
    t = negative_elbo(m, b, beta=2.0, generator=_g())
    torch.testing.assert_close(t.total, t.reconstruction + 2.0 * t.kl)


@pytest.fixture(scope="module")
def trained_2d():
    torch.manual_seed(0)
    X = binarize(torch.rand(1, 36).expand(300, 36).clamp(0.05, 0.95), _g(3))
    m = VAE(36, latent_dim=2, hidden=32)
    task = fit_vae(m, X, max_epochs=15, batch_size=50, lr=3e-3, eval_sets={"train": X})
    return m.eval(), X, task


def test_fit_lowers_the_negative_elbo(trained_2d):
    _, _, task = trained_2d
    h = task.history
    assert h["train_loss"][-1] < h["train_loss"][0]
    torch.testing.assert_close(
        torch.tensor(h["train_loss"]),
        torch.tensor(h["train_reconstruction"]) + torch.tensor(h["train_kl"]),
    )


def test_bounds_order_and_quadrature(trained_2d):
    m, X, _ = trained_2d
    x = X[:40]
    log_p = quadrature_log_likelihood(m, x, limit=6.0, points=301)
    iwae = {k: iwae_log_likelihood(m, x, k, _g(k)).mean() for k in (1, 1000)}
    with torch.no_grad():
        elbo = -torch.stack([negative_elbo(m, x, generator=_g(i)).total for i in range(300)])
    elbo = elbo.double().mean(0)
    assert elbo.mean() < iwae[1000] <= log_p.mean() + 0.02
    assert abs(float(iwae[1000] - log_p.mean())) < 0.1
    # log p(x) − ELBO = KL(q || p(z|x))
    kl = posterior_kl_quadrature(m, x, log_p)
    assert (kl > -1e-6).all()
    assert abs(float((log_p - elbo - kl).mean())) < 0.1


def test_quadrature_needs_a_2d_latent():
    with pytest.raises(ValueError, match="2-D latent"):
        quadrature_log_likelihood(VAE(4, latent_dim=3, hidden=4), torch.zeros(1, 4))
