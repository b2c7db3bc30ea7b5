r"""The deep nets of lecture 7's experiments (course notes lines 2718-2821), built from
``nn.Linear`` and our layers so a notebook can rebuild what the L07 stage trained.

:func:`deep_net` places batch norm where the lecture does (lines 2764-2772): between the
linear map and the activation of every hidden layer,

.. math:: \mathbf h_\ell = a\big(\mathrm{BN}(\tilde{\mathbf h}_\ell)\big), \qquad
          \tilde{\mathbf h}_\ell = \mathbf W_\ell \mathbf h_{\ell-1} + \mathbf b_\ell,

and :func:`dropout_mlp` puts our :class:`~mldm.models.normalization.Dropout` after each hidden
activation (lines 2734-2762), in either of its test-time conventions.
"""

from __future__ import annotations

from torch import Tensor, nn

from mldm.models.neural import ACTIVATIONS
from mldm.models.normalization import BatchNorm, Dropout

__all__ = ["Act", "deep_net", "dropout_mlp"]


class Act(nn.Module):
    """The activation ``a(·)`` of :data:`mldm.models.neural.ACTIVATIONS` as a layer."""

    def __init__(self, activation: str) -> None:
        super().__init__()
        self.activation = activation
        self.a = ACTIVATIONS[activation][0]

    def forward(self, x: Tensor) -> Tensor:
        return self.a(x)

    def extra_repr(self) -> str:
        return self.activation


def deep_net(
    depth: int, width: int, n_in: int, n_out: int, activation: str, norm: bool = False
) -> nn.Sequential:
    """Linear → [BatchNorm] → activation, ``depth`` times, then a linear head (normalize
    h̃_ℓ before the activation, L07 lines 2764-2772)."""
    layers, n = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(n, width), *([BatchNorm(width)] if norm else []), Act(activation)]
        n = width
    return nn.Sequential(*layers, nn.Linear(n, n_out))


def dropout_mlp(n_in: int, hidden: int, n_out: int, p: float, mode: str | None) -> nn.Sequential:
    """Two ReLU hidden layers of ``hidden`` units, each followed by dropout with drop
    probability ``p`` in ``mode`` ("test_scaling": the slide's h·(1−p) at test time, line
    2760; "inverted": h·m/(1−p) while training), or no dropout at all (``mode`` None)."""

    def drop():
        return [Dropout(p, mode=mode)] if mode else []

    return nn.Sequential(
        nn.Linear(n_in, hidden),
        nn.ReLU(),
        *drop(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        *drop(),
        nn.Linear(hidden, n_out),
    )
