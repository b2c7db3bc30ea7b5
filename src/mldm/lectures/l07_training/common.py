"""What several L07 experiments share: MNIST-1D as L06 trains it, and the plain MLP."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def mnist1d(ctx: Context):
    """MNIST-1D in float32, one global scale (as L06 trains it)."""
    return ctx.data("mnist1d").standardized(per_feature=False).astype(np.float32)


def mlp(sizes, activation: str = "relu"):
    from mldm.models.neural import MLP

    return MLP(sizes, activation=activation)
