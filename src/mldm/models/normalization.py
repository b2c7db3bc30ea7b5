r"""Dropout and normalization layers, L07 lines 2734-2822, written from the slides' formulas.

- :class:`Dropout` (lines 2734-2762): zero each unit with probability p while training.
- :class:`BatchNorm` (lines 2764-2812): normalize each feature (channel) over the mini-batch,
  then scale and shift, :math:`\gamma \odot (\tilde{h} - \mu) \oslash \sigma + \beta`.
- :class:`LayerNorm` (line 2814): the same formula, statistics over each sample's features.
- :class:`InstanceNorm` (line 2819): statistics over each (sample, channel)'s H×W.

Every variance here is the biased :math:`\frac1N` one of the slides (line 2773); ε inside the
root keeps a constant feature finite. Parameter and buffer names (``weight`` = γ,
``bias`` = β, ``running_mean``, ``running_var``, ``num_batches_tracked``) are torch's, so
``state_dict`` keys match ``nn.BatchNorm1d/2d``, ``nn.LayerNorm``, ``nn.InstanceNorm2d``.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import torch
from torch import nn

__all__ = ["BatchNorm", "Dropout", "InstanceNorm", "LayerNorm", "exact_statistics_", "normalize"]

DROPOUT_MODES = ("inverted", "test_scaling")


def normalize(x: torch.Tensor, dims: tuple[int, ...], eps: float) -> tuple[torch.Tensor, ...]:
    r""":math:`\hat{h} = (\tilde{h} - \mu) / \sqrt{\sigma^2 + \epsilon}` with μ, σ² (biased)
    over ``dims``; returns (ĥ, μ, σ²), μ and σ² keeping dims for broadcasting."""
    μ = x.mean(dim=dims, keepdim=True)  # μ = (1/N) Σ h̃
    σ2 = ((x - μ) ** 2).mean(dim=dims, keepdim=True)  # σ² = (1/N) Σ (h̃ - μ)²
    return (x - μ) / torch.sqrt(σ2 + eps), μ, σ2


def _check_eps(eps: float) -> float:
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps >= 0:
        raise ValueError(f"eps must be >= 0, got {eps!r}")
    return float(eps)


class Dropout(nn.Module):
    r"""Dropout, L07 lines 2734-2762: in each forward pass while training, zero every unit with
    the *drop* probability p (0.5 is common, line 2737):

    .. math:: \mathbf{m} \sim \mathrm{Bernoulli}(1-p), \qquad
              \text{train: } \mathbf{h} \odot \mathbf{m} / c, \qquad
              c = \begin{cases} 1-p & \text{inverted} \\ 1 & \text{test\_scaling}\end{cases}

    At test time all units are on (line 2748) and the expected input of the next layer must
    match training's, :math:`\mathbb{E}[\mathbf{h}\odot\mathbf{m}] = (1-p)\mathbf{h}`:

    - ``"test_scaling"`` (the slide, line 2760): eval output :math:`(1-p)\mathbf{h}`;
    - ``"inverted"`` (torch's ``nn.Dropout``): divide by 1−p while training, eval is identity.

    The slide writes :math:`\sigma(p\cdot\mathbf{W}_\ell\mathbf{h}_{\ell-1})` with p the drop
    probability, but the factor that equalizes the expectation is the *keep* probability 1−p;
    with the slide's p = 0.5 the two coincide, which is why the slide's formula works there.
    """

    def __init__(self, p: float = 0.5, mode: str = "inverted", generator=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
            raise ValueError(f"drop probability p must be in [0, 1), got {p!r}")
        if mode not in DROPOUT_MODES:
            raise ValueError(f"mode must be one of {DROPOUT_MODES}, got {mode!r}")
        self.p, self.mode, self.generator = float(p), mode, generator

    def mask(self, h: torch.Tensor) -> torch.Tensor:
        """m ~ Bernoulli(1 − p), elementwise, same shape as h (1 keeps a unit)."""
        keep = torch.full_like(h, 1 - self.p)
        return torch.bernoulli(keep, generator=self.generator)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        q = 1 - self.p  # keep probability
        if not self.training:
            return h if self.mode == "inverted" else h * q  # E[h ⊙ m] = (1-p) h
        m = self.mask(h)
        return h * m / q if self.mode == "inverted" else h * m  # h ⊙ m / (1-p)  or  h ⊙ m

    def extra_repr(self) -> str:
        return f"p={self.p}, mode={self.mode!r}"


def _affine_parameters(module: nn.Module, num_features: int, affine: bool) -> None:
    """γ (``weight``, ones) and β (``bias``, zeros) of length ``num_features``, or None."""
    if affine:
        module.weight = nn.Parameter(torch.ones(num_features))  # γ
        module.bias = nn.Parameter(torch.zeros(num_features))  # β
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


class BatchNorm(nn.Module):
    r"""Batch normalization, L07 lines 2764-2812.

    Train mode, over the mini-batch B (and, ``spatial=True``, over H×W too):

    .. math:: \mu_\ell = \frac{1}{|B|}\sum_{i\in B}\tilde{h}^{(i)}_\ell, \quad
              \sigma^2_\ell = \frac{1}{|B|}\sum_{i\in B}(\tilde{h}^{(i)}_\ell - \mu_\ell)^2,
              \quad \mathrm{BN}(\tilde{h}) = \gamma_\ell \odot (\tilde{h} - \mu_\ell)
              \oslash \sqrt{\sigma_\ell^2 + \epsilon} + \beta_\ell .

    ``spatial=False``: x is N×D and μ, σ, γ, β are 1×D (``nn.BatchNorm1d``, line 2805);
    ``spatial=True``: x is N×C×H×W and they are 1×C×1×1 (``nn.BatchNorm2d``, line 2812).
    γ = σ, β = μ would give back the input (line 2779), so normalizing costs no expressiveness.

    The slide's first formula (line 2769) writes :math:`(\tilde{h} - \mu)\odot\sigma`; it means
    :math:`\oslash\sigma`, as its own line 2795 and the N×D / N×C×H×W boxes write.

    Test time must not depend on which mini-batch a sample comes with (line 2786). The slide
    offers (lines 2790-2791) the exact training-set statistics (:func:`exact_statistics_`) or
    a moving average of the batch statistics, which is what training does here, exactly like
    torch (``momentum`` = the weight of the new batch; ``None``: cumulative average):

    .. math:: \hat\mu \leftarrow (1-m)\hat\mu + m\,\mu_B, \qquad
              \hat\sigma^2 \leftarrow (1-m)\hat\sigma^2 + m\,\tfrac{|B|}{|B|-1}\sigma^2_B .

    Note the running variance averages the *unbiased* batch variance (torch's choice), while
    the batch itself is normalized with the biased one. Eval mode uses
    :math:`\hat\mu, \hat\sigma^2` in place of the batch statistics.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        spatial: bool = False,
    ):
        super().__init__()
        if num_features < 1:
            raise ValueError(f"num_features must be >= 1, got {num_features}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be None or in [0, 1], got {momentum}")
        self.num_features, self.eps = num_features, _check_eps(eps)
        self.momentum, self.affine, self.spatial = momentum, affine, spatial
        _affine_parameters(self, num_features, affine)
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

    @property
    def gamma(self) -> torch.Tensor | None:
        return self.weight

    @property
    def beta(self) -> torch.Tensor | None:
        return self.bias

    def _shape(self) -> tuple[int, ...]:
        return (1, -1, 1, 1) if self.spatial else (1, -1)  # 1×C×1×1 or 1×D

    def _check_input(self, x: torch.Tensor) -> tuple[int, ...]:
        ndim = 4 if self.spatial else 2
        if x.dim() != ndim or x.shape[1] != self.num_features:
            want = "N×C×H×W" if self.spatial else "N×D"
            raise ValueError(
                f"expected {want} input with {self.num_features} features, got {tuple(x.shape)}"
            )
        return (0, 2, 3) if self.spatial else (0,)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dims = self._check_input(x)
        shape = self._shape()
        if self.training:
            n = x.numel() // self.num_features  # |B| (× H × W)
            if n < 2:
                raise ValueError(f"expected more than 1 value per feature in training, got {n}")
            h, μ, σ2 = normalize(x, dims, self.eps)  # batch μ, biased σ²
            self._update_running(μ.reshape(-1), σ2.reshape(-1), n)
        else:
            μ, σ2 = self.running_mean.view(shape), self.running_var.view(shape)
            h = (x - μ) / torch.sqrt(σ2 + self.eps)  # the same map with the stored statistics
        if self.affine:
            h = self.weight.view(shape) * h + self.bias.view(shape)  # γ ⊙ ĥ + β
        return h

    @torch.no_grad()
    def _update_running(self, μ: torch.Tensor, σ2: torch.Tensor, n: int) -> None:
        self.num_batches_tracked.add_(1)
        m = 1.0 / self.num_batches_tracked.item() if self.momentum is None else self.momentum
        self.running_mean.mul_(1 - m).add_(μ, alpha=m)  # μ̂ ← (1-m) μ̂ + m μ_B
        unbiased = σ2 * (n / (n - 1))  # |B|/(|B|-1) σ²_B
        self.running_var.mul_(1 - m).add_(unbiased, alpha=m)  # σ̂² ← (1-m) σ̂² + m σ²_unb

    def reset_running_stats(self) -> None:
        self.running_mean.zero_()
        self.running_var.fill_(1)
        self.num_batches_tracked.zero_()

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, spatial={self.spatial}"
        )


def _is_batchnorm(m: nn.Module) -> bool:
    return isinstance(m, BatchNorm | nn.modules.batchnorm._BatchNorm)


@torch.no_grad()
def exact_statistics_(
    model: nn.Module, data: torch.Tensor | Iterable[torch.Tensor | Sequence[torch.Tensor]]
) -> nn.Module:
    r"""The slide's first test-time option (line 2790): set every batch-norm layer's running
    statistics to the exact training-set ones,

    .. math:: \mu_\ell = \frac1N\sum_{i=1}^N\tilde{h}_\ell^{(i)}, \qquad
              \sigma_\ell^2 = \frac1N\sum_{i=1}^N(\tilde{h}_\ell^{(i)} - \mu_\ell)^2

    — the *biased* 1/N variance, as the slide writes it, so that with ``data`` a single tensor
    X, ``model.eval()(X)`` equals the train-mode output on X as one batch. ``data`` is a tensor
    or an iterable of batches (a tensor, or a tuple whose first item is the input). Each
    layer's inputs are computed with the other BN layers in train mode (batch statistics, as in
    training) and everything else in eval mode (no dropout); over several batches the per-batch
    (count, mean, M2) are merged exactly (Chan et al.). Works for :class:`BatchNorm` and torch's
    ``BatchNorm*d``. Train/eval flags and ``num_batches_tracked`` are restored.
    """
    bns = [m for m in model.modules() if _is_batchnorm(m) and m.running_mean is not None]
    if not bns:
        raise ValueError("model has no batch-norm layer")
    acc: dict[nn.Module, list] = {}

    def hook(module, args):
        x = args[0].detach().to(torch.float64)
        dims = [d for d in range(x.dim()) if d != 1]
        n_b = x.numel() // x.shape[1]
        μ_b = x.mean(dim=dims)
        m2_b = ((x - μ_b.view(1, -1, *[1] * (x.dim() - 2))) ** 2).sum(dim=dims)
        if module not in acc:
            acc[module] = [n_b, μ_b, m2_b]
            return
        n_a, μ_a, m2_a = acc[module]
        n, δ = n_a + n_b, μ_b - μ_a
        acc[module] = [n, μ_a + δ * n_b / n, m2_a + m2_b + δ**2 * n_a * n_b / n]  # Chan merge

    flags = {m: m.training for m in model.modules()}
    saved = {m: m.num_batches_tracked.clone() for m in bns if m.num_batches_tracked is not None}
    handles = [m.register_forward_pre_hook(hook) for m in bns]
    try:
        model.eval()
        for m in bns:
            m.train()
        batches = [data] if isinstance(data, torch.Tensor) else data
        for batch in batches:
            model(batch if isinstance(batch, torch.Tensor) else batch[0])
    finally:
        for h in handles:
            h.remove()
        for m, flag in flags.items():
            m.train(flag)
    for m in bns:
        n, μ, m2 = acc[m]
        m.running_mean.copy_(μ)  # μ = (1/N) Σ h̃
        m.running_var.copy_(m2 / n)  # σ² = (1/N) Σ (h̃ - μ)²  (biased, the slide's)
        if m in saved:
            m.num_batches_tracked.copy_(saved[m])
    return model


class LayerNorm(nn.Module):
    r"""Layer normalization, L07 line 2814: the BN formula with μ, σ² taken over each sample's
    own features (the last ``len(normalized_shape)`` dims), so it behaves the same in train
    and eval and does not depend on the batch:

    .. math:: y = \gamma \odot (x - \mu) \oslash \sqrt{\sigma^2 + \epsilon} + \beta,
              \qquad \mu, \sigma^2 \text{ per sample}.

    γ, β have shape ``normalized_shape`` (``nn.LayerNorm``'s ``elementwise_affine``).
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
    ):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape, self.eps = tuple(int(s) for s in shape), _check_eps(eps)
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(self.normalized_shape))  # γ
            self.bias = nn.Parameter(torch.zeros(self.normalized_shape))  # β
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k = len(self.normalized_shape)
        if tuple(x.shape[-k:]) != self.normalized_shape:
            raise ValueError(
                f"expected trailing shape {self.normalized_shape}, got {tuple(x.shape)}"
            )
        h, _, _ = normalize(x, tuple(range(-k, 0)), self.eps)  # per-sample μ, σ²
        return self.weight * h + self.bias if self.elementwise_affine else h  # γ ⊙ ĥ + β

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class InstanceNorm(nn.Module):
    r"""Instance normalization, L07 line 2819: the BN formula with μ, σ² taken over each
    (sample, channel)'s H×W, for N×C×H×W input; γ, β per channel (1×C×1×1):

    .. math:: y_{nc} = \gamma_c (x_{nc} - \mu_{nc}) / \sqrt{\sigma^2_{nc} + \epsilon} + \beta_c .

    Like ``nn.InstanceNorm2d`` with its default ``track_running_stats=False``: no running
    statistics, train and eval are the same map (``affine=True`` here by default).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, affine: bool = True):
        super().__init__()
        self.num_features, self.eps, self.affine = num_features, _check_eps(eps), affine
        _affine_parameters(self, num_features, affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != self.num_features:
            raise ValueError(
                f"expected N×C×H×W input with C={self.num_features}, got {tuple(x.shape)}"
            )
        h, _, _ = normalize(x, (2, 3), self.eps)  # μ, σ² over H×W of each (n, c)
        if self.affine:
            h = self.weight.view(1, -1, 1, 1) * h + self.bias.view(1, -1, 1, 1)  # γ ⊙ ĥ + β
        return h

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, affine={self.affine}"
