"""DDPM (L14): the schedule's closed form against the chain, the posterior against Bayes' rule
by simulation, diffusers' DDPMScheduler as oracle (its timestep k is our t = k + 1)."""

from __future__ import annotations

import pytest
import torch

from mldm.models import NoiseSchedule, UNet, sample
from mldm.models.diffusion import EpsilonObjective, loss_weights, p_sample


@pytest.fixture
def sched():
    return NoiseSchedule(50, 1e-3, 0.2)


def test_closed_form_matches_the_chain(sched):
    g = torch.Generator().manual_seed(0)
    x0 = torch.tensor([1.5, -0.5, 0.0], dtype=torch.float64).repeat(200_000, 1)
    x = x0.clone()
    for t in range(1, 21):
        x = sched.q_step(x, t, torch.randn(x.shape, generator=g, dtype=torch.float64))
    ab = sched.alpha_bar[20]
    assert torch.allclose(x.mean(0), ab.sqrt() * x0[0], atol=0.01)
    assert torch.allclose(x.var(0), (1 - ab).expand(3), atol=0.01)
    xt = sched.q_sample(x0, 20, torch.randn(x0.shape, generator=g, dtype=torch.float64))
    assert torch.allclose(xt.mean(0), x.mean(0), atol=0.01)


def test_posterior_matches_bayes_by_simulation(sched):
    # draw (x_{t-1}, x_t) from the chain given x_0; keep pairs with x_t near a value
    g = torch.Generator().manual_seed(1)
    t, x0, target = 5, torch.tensor(1.0, dtype=torch.float64), 0.6
    n = 2_000_000
    prev = sched.q_sample(x0, t - 1, torch.randn(n, generator=g, dtype=torch.float64))
    xt = sched.q_step(prev, t, torch.randn(n, generator=g, dtype=torch.float64))
    near = (xt - target).abs() < 0.005
    mu, var = sched.q_posterior(x0, torch.tensor(target, dtype=torch.float64), t)
    assert near.sum() > 2000
    assert abs(prev[near].mean() - mu) < 0.01
    assert abs(prev[near].var() - var) / var < 0.1


def test_variance_preserved_and_q_xt_standard_normal():
    s = NoiseSchedule(1000, 1e-4, 0.02)
    g = torch.Generator().manual_seed(2)
    x = torch.randn(100_000, generator=g, dtype=torch.float64)
    for t in range(1, 101):
        x = s.q_step(x, t, torch.randn(x.shape, generator=g, dtype=torch.float64))
    assert abs(x.var() - 1) < 0.02
    assert s.alpha_bar[-1] < 1e-4


def test_lambda_simplified_form(sched):
    t = torch.arange(2, sched.T + 1)
    b, ab_prev = sched.beta[t], sched.alpha_bar[t - 1]
    assert torch.allclose(sched.lambda_t(t), b / (2 * (1 - b) * (1 - ab_prev)))
    w = loss_weights(sched, "lambda")
    assert w[0] == 0 and torch.isclose(w[1:].mean(), torch.tensor(1.0, dtype=torch.float64))
    assert w[2] > w[-1]
    assert torch.equal(loss_weights(sched, "simple")[1:], torch.ones(sched.T, dtype=torch.float64))
    with pytest.raises(ValueError):
        loss_weights(sched, "vlb")


def _oracle(sched):
    from diffusers import DDPMScheduler

    return DDPMScheduler(
        num_train_timesteps=sched.T,
        beta_start=float(sched.beta[1]),
        beta_end=float(sched.beta[-1]),
        beta_schedule="linear",
        variance_type="fixed_small",
        clip_sample=False,
    )


def test_against_diffusers(sched):
    pytest.importorskip("diffusers")
    d = _oracle(sched)
    assert torch.allclose(sched.alpha_bar[1:].float(), d.alphas_cumprod, atol=1e-6)
    g = torch.Generator().manual_seed(3)
    x0 = torch.randn(4, 1, 6, 6, generator=g)
    eps = torch.randn(4, 1, 6, 6, generator=g)
    t = torch.tensor([1, 10, 30, 50])
    assert torch.allclose(sched.q_sample(x0, t, eps), d.add_noise(x0, eps, t - 1), atol=1e-5)
    for k in (1, 9, 29, 49):  # diffusers' β̃ at k is ours at t = k + 1
        assert torch.isclose(sched.beta_tilde[k + 1].float(), d._get_variance(k), rtol=1e-4)
    # the step's mean: diffusers with noise 0 vs μ_θ (t = 1 has no noise in both)
    d.set_timesteps(sched.T)
    xt, e = torch.randn(2, 1, 6, 6, generator=g), torch.randn(2, 1, 6, 6, generator=g)
    for k in (0, 20, 49):
        ours = sched.mean_from_eps(xt, k + 1, e).float()
        theirs = d.step(e, k, xt).pred_original_sample  # x̂_0, then its posterior mean
        mu, _ = sched.q_posterior(theirs.double(), xt.double(), k + 1)
        assert torch.allclose(ours, mu.float(), atol=1e-4)
        if k == 0:
            assert torch.allclose(ours, d.step(e, k, xt).prev_sample, atol=1e-4)


def test_mean_from_eps_is_the_posterior_mean_with_true_noise(sched):
    g = torch.Generator().manual_seed(4)
    x0 = torch.randn(3, 5, generator=g, dtype=torch.float64)
    eps = torch.randn(3, 5, generator=g, dtype=torch.float64)
    for t in (2, 20, 50):
        xt = sched.q_sample(x0, t, eps)
        assert torch.allclose(sched.mean_from_eps(xt, t, eps), sched.q_posterior(x0, xt, t)[0])


def test_sampler_is_deterministic_and_objective_trains():
    torch.manual_seed(0)
    s = NoiseSchedule(10, 1e-3, 0.2)
    net = UNet(1, [8, 16])
    a = sample(net, s, (3, 1, 8, 8), torch.Generator().manual_seed(5))
    b, (ts, xs) = sample(
        net, s, (3, 1, 8, 8), torch.Generator().manual_seed(5), return_trajectory=True, keep=4
    )
    assert torch.equal(a, b) and ts[0] == 10 and ts[-1] == 0 and torch.equal(xs[-1], a)
    x = p_sample(lambda x, t: torch.zeros_like(x), s, torch.ones(2, 3), 1)
    assert torch.allclose(x, torch.ones(2, 3) / (1 - s.beta[1]).sqrt().float())
    obj = EpsilonObjective(net, s)
    loss = obj(torch.rand(4, 1, 8, 8)).mean()
    loss.backward()
    assert net.inp.weight.grad is None or torch.isfinite(net.inp.weight.grad).all()


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_sampler_on_the_gpu_draws_the_cpu_samples():
    # the noise comes from the CPU generator, so only float rounding separates the two devices
    torch.manual_seed(0)
    s, net = NoiseSchedule(10, 1e-3, 0.2), UNet(1, [8, 16])
    cpu = sample(net, s, (3, 1, 8, 8), torch.Generator().manual_seed(5))
    gpu, (_, xs) = sample(
        net.cuda(), s, (3, 1, 8, 8), torch.Generator().manual_seed(5), return_trajectory=True
    )
    assert gpu.is_cuda and xs.device.type == "cpu"
    assert torch.allclose(gpu.cpu(), cpu, atol=1e-4)
