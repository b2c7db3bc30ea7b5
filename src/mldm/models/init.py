r"""Parameter initialization, L07 lines 2718-2732, and the depth experiments behind it.

Every scheme draws :math:`W_l \sim \mathcal{N}(0, \sigma_l^2)` (biases 0) with

================  =====================================================  ====================
scheme            :math:`\sigma_l`                                       source
================  =====================================================  ====================
``"zero"``        0 (all hidden units stay identical: the symmetry       why init is random
                  problem, :func:`symmetric_units`)
``"naive"``       0.01                                                   slide rule 1, l. 2722
``"lecture"``     :math:`1/\sqrt{n_{l-1}}`, :math:`n_{l-1}` = fan-in     slide rule 2, l. 2732
``"xavier"``      :math:`\sqrt{2/(n_{in} + n_{out})}`                    Glorot & Bengio 2010
``"he"``          :math:`\sqrt{2/n_{in}}`                                He et al. 2015 (ReLU)
================  =====================================================  ====================

Why σ matters (lines 2724, 2730): with :math:`\mathbf{h}_l = \phi(\mathbf{W}_l\mathbf{h}_{l-1})`
and independent zero-mean weights, :math:`\mathrm{Var}[(\mathbf{W}_l\mathbf{h}_{l-1})_j] =
n_{l-1}\sigma_l^2\,\mathbb{E}[h_{l-1}^2]`, so each layer multiplies the activation scale by
about :math:`\sqrt{n_{l-1}}\sigma_l`. The fixed 0.01 makes that factor ≪ 1 for moderate widths
and the activations collapse geometrically with depth (fine for < 8 layers, line 2724);
:math:`\sigma_l = 1/\sqrt{n_{l-1}}` makes it 1 (tanh: near-linear at 0), and ReLU, which zeroes
half of its inputs, needs the extra factor 2 of He. :func:`activation_stats` measures it.

For a convolution weight (out, in, k...) the fans are ``in·∏k`` and ``out·∏k``, as in torch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["SCHEMES", "activation_stats", "deep_mlp", "init_linear_", "init_std", "symmetric_units"]

SCHEMES = ("zero", "naive", "lecture", "xavier", "he")


def fans(shape: Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of shape (out, in, k...): in·∏k and out·∏k."""
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def init_std(scheme: str, fan_in: int, fan_out: int) -> float:
    r"""σ of the scheme's :math:`\mathcal{N}(0, \sigma^2)` (see the module table)."""
    if scheme == "zero":
        return 0.0
    if scheme == "naive":
        return 0.01  # W ~ N(0, 0.01²), line 2722
    if scheme == "lecture":
        return 1 / math.sqrt(fan_in)  # σ_l = 1/√n_{l-1}, line 2732
    if scheme == "xavier":
        return math.sqrt(2 / (fan_in + fan_out))  # Var = 2/(n_in + n_out)
    if scheme == "he":
        return math.sqrt(2) / math.sqrt(fan_in)  # Var = 2/n_in (√2/√n: torch's rounding)
    raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")


@torch.no_grad()
def init_linear_(
    module: nn.Module, scheme: str, generator: torch.Generator | None = None
) -> nn.Module:
    r"""Re-initialize, in place, every weight of shape (out, in[, k...]) in ``module``
    (``nn.Linear``, convolutions) as :math:`W_l = \sigma_l\,\mathbf{Z}`,
    :math:`\mathbf{Z} \sim \mathcal{N}(0, I)` drawn from ``generator``; their biases to 0.

    Modules are visited in ``module.modules()`` order, so a seeded generator gives the same
    network every time (and, for "xavier"/"he", the tensors ``torch.nn.init.xavier_normal_``
    / ``kaiming_normal_`` draw from the same generator state). 1-D weights (norm layers'
    γ) are left alone. Returns ``module``.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    for W, b in _weights_and_biases(module):
        σ = init_std(scheme, *fans(W.shape))
        Z = torch.randn(W.shape, generator=generator, dtype=W.dtype, device=W.device)
        W.copy_(Z * σ)  # W ~ N(0, σ²)
        if isinstance(b, torch.Tensor):
            b.zero_()
    return module


def _weights_and_biases(module: nn.Module):
    """(W, b) of every layer: torch's ``weight``/``bias`` modules, and the ``W_l``/``b_l`` of
    :class:`mldm.models.neural.MLP` (its ``weights``/``biases``)."""
    for m in module.modules():
        if isinstance(getattr(m, "weights", None), list) and hasattr(m, "biases"):
            yield from zip(m.weights, m.biases, strict=True)
        W = getattr(m, "weight", None)
        if isinstance(W, torch.Tensor) and W.dim() >= 2:
            yield W, getattr(m, "bias", None)


def deep_mlp(
    width: int, depth: int, activation: str = "tanh", in_features: int | None = None
) -> nn.Sequential:
    """``depth`` hidden layers Linear(width) → φ, φ ∈ {tanh, relu, sigmoid}: the deep net of the
    "activations collapse / explode with depth" picture (no output layer)."""
    acts = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid}
    if activation not in acts:
        raise ValueError(f"activation must be one of {tuple(acts)}, got {activation!r}")
    if width < 1 or depth < 1:
        raise ValueError(f"width and depth must be >= 1, got {width}, {depth}")
    layers: list[nn.Module] = []
    for l in range(depth):
        n_prev = (in_features or width) if l == 0 else width
        layers += [nn.Linear(n_prev, width), acts[activation]()]
    return nn.Sequential(*layers)


def _has_weights(m: nn.Module) -> bool:
    return any(True for _ in m.parameters())


@torch.no_grad()
def activation_stats(layers: Sequence[nn.Module] | nn.Module, x: torch.Tensor) -> dict:
    r"""Mean and std of each hidden layer's activations :math:`\mathbf{h}_l` on the batch x.

    ``layers`` is a sequence of modules (an ``nn.Sequential``, e.g. :func:`deep_mlp`) applied in
    order. A hidden layer ends at each parameter-free module (the nonlinearity φ in
    :math:`\mathbf{h}_l = \phi(\mathbf{W}_l\mathbf{h}_{l-1})`); if there is none, after every
    module. Returns ``{"mean": tensor (L,), "std": tensor (L,)}`` over all units and samples.
    """
    single = isinstance(layers, nn.Module) and not isinstance(layers, nn.Sequential | nn.ModuleList)
    mods = [layers] if single else list(layers)
    ends = [not _has_weights(m) for m in mods]
    if not any(ends):
        ends = [True] * len(mods)
    means, stds = [], []
    h = x
    for m, end in zip(mods, ends, strict=True):
        h = m(h)
        if end:
            means.append(h.mean())
            stds.append(h.std())
    return {"mean": torch.stack(means), "std": torch.stack(stds)}


def symmetric_units(W: torch.Tensor, atol: float = 0.0) -> int:
    r"""Number of distinct hidden units: rows of W (one per unit's incoming weights) that differ
    from every earlier row by more than ``atol`` in max-norm.

    With "zero" init every hidden unit computes the same function, gets the same gradient and
    stays equal forever (1 distinct unit), so a wide layer is as good as one unit.
    """
    W = W.detach().reshape(len(W), -1)
    D = torch.cdist(W, W, p=float("inf")) if len(W) else W.new_zeros(0, 0)
    same_as_earlier = torch.tril(D <= atol, diagonal=-1).any(dim=1)  # row i ≈ some row j < i
    return int((~same_as_earlier).sum())
