r"""DDPM, L14 (course-notes lines 5897-6375): the forward noising chain, its closed form, the
posterior q(x_{t-1} | x_t, x_0), the ε-prediction objectives and Algorithm 2's sampler.

Time counts as the lecture counts, t = 1..T: ``schedule.beta[t]`` is β_t, and index 0 holds
the values at t = 0 (β_0 = 0, ᾱ_0 = 1), so ``alpha_bar[t - 1]`` is ᾱ_{t-1} with no shift.
(diffusers' ``DDPMScheduler`` counts from 0: its timestep k is our t = k + 1.)

- forward step (6078-6090): x_t = √(1-β_t) x_{t-1} + √β_t ε_t
- closed form (6114-6136): q(x_t | x_0) = N(√ᾱ_t x_0, (1-ᾱ_t) I), ᾱ_t = ∏_{s≤t} (1-β_s)
- posterior (6170-6186, derived 6198-6207):
  μ̃_t = √ᾱ_{t-1} β_t/(1-ᾱ_t) x_0 + √(1-β_t)(1-ᾱ_{t-1})/(1-ᾱ_t) x_t, β̃_t = (1-ᾱ_{t-1})/(1-ᾱ_t) β_t
- ε-parameterized mean (6300-6312): μ_θ = (x_t - β_t/√(1-ᾱ_t) ε_θ(x_t, t)) / √(1-β_t)
- λ_t-weighted loss (6316-6325) and L_simple (6330-6334, Algorithm 1 6346-6358)
- Algorithm 2 (6362-6372): x_{t-1} = μ_θ(x_t, t) + √β̃_t z, z = 0 at t = 1
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


class NoiseSchedule:
    """A linear β schedule β_1..β_T (float64 tensors of length T + 1, index = the lecture's t)."""

    def __init__(self, T: int, beta_1: float = 1e-4, beta_T: float = 0.02):  # noqa: N803
        if T < 1 or not 0 < beta_1 <= beta_T < 1:
            raise ValueError(f"need T >= 1, 0 < beta_1 <= beta_T < 1: {T}, {beta_1}, {beta_T}")
        self.T = T
        beta = torch.linspace(beta_1, beta_T, T, dtype=torch.float64)
        self.beta = torch.cat([torch.zeros(1, dtype=torch.float64), beta])  # β_0 = 0
        self.alpha = 1 - self.beta  # α_t = 1 - β_t
        self.alpha_bar = torch.cumprod(self.alpha, 0)  # ᾱ_0 = 1, ᾱ_t = ∏_{s=1}^t α_s
        # β̃_t = (1-ᾱ_{t-1})/(1-ᾱ_t) β_t for t >= 1 (β̃_1 = 0); index 0 unused (0)
        tilde = torch.zeros_like(self.beta)
        tilde[1:] = (1 - self.alpha_bar[:-1]) / (1 - self.alpha_bar[1:]) * self.beta[1:]
        self.beta_tilde = tilde

    def _at(self, values: torch.Tensor, t: torch.Tensor | int, like: torch.Tensor) -> torch.Tensor:
        """``values[t]`` shaped to broadcast over ``like`` (batch first), in its dtype."""
        return _bcast(values[torch.as_tensor(t).long().cpu()], like)

    def q_step(self, x_prev: torch.Tensor, t, noise: torch.Tensor) -> torch.Tensor:
        """One forward step, x_t = √(1-β_t) x_{t-1} + √β_t ε_t (lines 6078-6090)."""
        b = self._at(self.beta, t, x_prev)
        return (1 - b).sqrt() * x_prev + b.sqrt() * noise

    def q_sample(self, x0: torch.Tensor, t, noise: torch.Tensor) -> torch.Tensor:
        """x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε, the closed form of q(x_t | x_0) (lines 6114-6136)."""
        ab = self._at(self.alpha_bar, t, x0)
        return ab.sqrt() * x0 + (1 - ab).sqrt() * noise

    def posterior_weights(self, t) -> tuple[torch.Tensor, torch.Tensor]:
        """The weights of x_0 and x_t in μ̃_t:
        (√ᾱ_{t-1} β_t/(1-ᾱ_t), √(1-β_t)(1-ᾱ_{t-1})/(1-ᾱ_t))."""
        t = torch.as_tensor(t).long()
        ab, ab_prev, b = self.alpha_bar[t], self.alpha_bar[t - 1], self.beta[t]
        return ab_prev.sqrt() * b / (1 - ab), (1 - b).sqrt() * (1 - ab_prev) / (1 - ab)

    def q_posterior(
        self, x0: torch.Tensor, xt: torch.Tensor, t
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """q(x_{t-1} | x_t, x_0) = N(μ̃_t, β̃_t I) (lines 6170-6186): returns (μ̃_t, β̃_t)."""
        w0, wt = self.posterior_weights(t)
        w0, wt = _bcast(w0, x0), _bcast(wt, x0)
        return w0 * x0 + wt * xt, _bcast(self.beta_tilde[torch.as_tensor(t).long()], x0)

    def lambda_t(self, t) -> torch.Tensor:
        """λ_t = β_t²/(2 β̃_t (1-β_t)(1-ᾱ_t)) (line 6321), = β_t/(2(1-β_t)(1-ᾱ_{t-1})); infinite
        at t = 1 (β̃_1 = 0). The slide's simplified form drops the 2."""
        t = torch.as_tensor(t).long()
        b, bt, ab = self.beta[t], self.beta_tilde[t], self.alpha_bar[t]
        return b**2 / (2 * bt * (1 - b) * (1 - ab))

    def mean_from_eps(self, xt: torch.Tensor, t, eps: torch.Tensor) -> torch.Tensor:
        """μ_θ(x_t, t) = (x_t - β_t/√(1-ᾱ_t) ε_θ) / √(1-β_t) (lines 6300-6312)."""
        b, ab = self._at(self.beta, t, xt), self._at(self.alpha_bar, t, xt)
        return (xt - b / (1 - ab).sqrt() * eps) / (1 - b).sqrt()


def _bcast(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    v = v.to(device=like.device, dtype=like.dtype)
    return v.reshape(*v.shape, *([1] * (like.dim() - v.dim()))) if v.dim() else v


def loss_weights(schedule: NoiseSchedule, weighting: str) -> torch.Tensor:
    """Per-t loss weights (index t = 1..T; index 0 unused): ``simple`` is λ_t = 1 (L_simple);
    ``lambda`` is the variational bound's λ_t (line 6321), with λ_1 (infinite: β̃_1 = 0) set to
    λ_2, normalized to mean 1 over t so both objectives take steps of one scale."""
    w = torch.ones(schedule.T + 1, dtype=torch.float64)
    if weighting == "lambda":
        t = torch.arange(2, schedule.T + 1)
        w[2:] = schedule.lambda_t(t)
        w[1] = w[2] if schedule.T > 1 else 1.0
        w[1:] = w[1:] / w[1:].mean()
    elif weighting != "simple":
        raise ValueError(f"weighting must be 'simple' or 'lambda', got {weighting!r}")
    w[0] = 0
    return w


class EpsilonObjective(nn.Module):
    r"""Algorithm 1's per-sample loss as a module: for each x_0 draw t ~ U{1..T} and ε ~ N(0, I)
    and return w_t ‖ε - ε_θ(√ᾱ_t x_0 + √(1-ᾱ_t) ε, t)‖² / D (mean over pixels), with w_t = 1
    for L_simple or λ_t (:func:`loss_weights`). ``model`` is ε_θ(x, t) with integer t."""

    def __init__(self, model: nn.Module, schedule: NoiseSchedule, weighting: str = "simple"):
        super().__init__()
        self.model = model
        self.schedule = schedule
        self.register_buffer("weights", loss_weights(schedule, weighting).float(), persistent=False)

    def forward(self, x0: torch.Tensor) -> torch.Tensor:
        t = torch.randint(1, self.schedule.T + 1, (len(x0),), device=x0.device)
        eps = torch.randn_like(x0)
        return self.loss_at(x0, t, eps)

    def loss_at(self, x0: torch.Tensor, t: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        xt = self.schedule.q_sample(x0, t, eps)
        err = (eps - self.model(xt, t)).pow(2).flatten(1).mean(1)
        return self.weights[t] * err


def _noise(shape, generator: torch.Generator | None, dtype: torch.dtype) -> torch.Tensor:
    """N(0, I) drawn where ``generator`` lives (the CPU by default), so a seeded generator gives
    the same samples whichever device the model runs on."""
    device = generator.device if generator is not None else None
    return torch.randn(shape, generator=generator, dtype=dtype, device=device)


@torch.no_grad()
def p_sample(
    model: Callable, schedule: NoiseSchedule, xt: torch.Tensor, t: int, generator=None
) -> torch.Tensor:
    """One reverse step of Algorithm 2: x_{t-1} = μ_θ(x_t, t) + √β̃_t z, z ~ N(0, I) (z = 0 at
    t = 1)."""
    tt = torch.full((len(xt),), t, dtype=torch.long, device=xt.device)
    mean = schedule.mean_from_eps(xt, t, model(xt, tt))
    if t == 1:
        return mean
    z = _noise(xt.shape, generator, xt.dtype).to(xt.device)
    return mean + schedule.beta_tilde[t].sqrt().to(xt.dtype) * z


@torch.no_grad()
def sample(
    model: Callable,
    schedule: NoiseSchedule,
    shape: tuple[int, ...],
    generator: torch.Generator | None = None,
    return_trajectory: bool = False,
    keep: int = 10,
    dtype: torch.dtype = torch.float32,
):
    """Algorithm 2: x_T ~ N(0, I), then x_{t-1} ~ p_θ(x_{t-1} | x_t) for t = T..1; returns x_0.
    With ``return_trajectory``, also ``(ts, xs)``: ``keep`` states x_t (t from T down to 0,
    evenly spaced) for the denoising figure. Runs on the model's device; the noise comes from
    ``generator`` (see :func:`_noise`)."""
    was = getattr(model, "training", False)
    if isinstance(model, nn.Module):
        model.eval()
    params = next(model.parameters(), None) if isinstance(model, nn.Module) else None
    x = _noise(shape, generator, dtype).to(params.device if params is not None else "cpu")
    T = schedule.T  # noqa: N806
    marks = set(torch.linspace(T, 0, keep).round().long().tolist()) if return_trajectory else set()
    ts, xs = [], []
    if T in marks:
        ts.append(T)
        xs.append(x.clone())
    for t in range(T, 0, -1):
        x = p_sample(model, schedule, x, t, generator)
        if t - 1 in marks:
            ts.append(t - 1)
            xs.append(x.clone())
    if isinstance(model, nn.Module):
        model.train(was)
    return (x, (ts, torch.stack(xs).cpu())) if return_trajectory else x
