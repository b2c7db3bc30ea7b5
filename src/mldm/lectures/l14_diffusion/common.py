"""What L14's experiments share: the digits at the lecture's resolution, the schedule from
params, the trained models' names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l14_diffusion.params import Params

VARIANTS = ("simple", "weighted")  # L_simple (λ_t = 1) and the bound's λ_t weighting


@dataclass(frozen=True)
class Digits:
    """MNIST digits as (N, 1, R, R) float32 in [0, 1] with their int64 labels (random subsets
    of the prepared splits, which are sorted by digit)."""

    train: Any
    test: Any
    y_train: np.ndarray
    y_test: np.ndarray


def _downsample(X: np.ndarray, r: int):
    import torch
    from torch.nn import functional as F  # noqa: N812

    x = torch.as_tensor(X, dtype=torch.float32).reshape(-1, 1, 28, 28)[:, :, 2:26, 2:26]
    return F.adaptive_avg_pool2d(x, r).clamp(0, 1)


def digits(ctx: Context, p: Params | None = None) -> Digits:
    """The digits L14 trains and scores on: the central 24x24 pixels of the 28x28 images,
    averaged down to ``p.resolution`` (12: 2x2 blocks), random ``n_train``/``n_test`` subsets."""
    p = p or ctx.params
    d = ctx.data("mnist")
    rng = np.random.default_rng([ctx.seed, 14, 0])
    tr = rng.permutation(len(d.y_train))[: p.n_train]
    te = rng.permutation(len(d.y_test))[: p.n_test]
    return Digits(
        _downsample(d.X_train[tr], p.resolution),
        _downsample(d.X_test[te], p.resolution),
        np.asarray(d.y_train[tr], dtype=np.int64),
        np.asarray(d.y_test[te], dtype=np.int64),
    )


def schedule(p: Params):
    from mldm.models import NoiseSchedule

    return NoiseSchedule(p.T, p.beta_1, p.beta_T)


def unet(p: Params):
    from mldm.models import UNet

    return UNet(1, p.channels)


def runs(p: Params) -> list[tuple[str, int]]:
    """(variant, run) of every trained model: ``seeds`` L_simple runs, one λ_t-weighted."""
    return [("simple", r) for r in range(p.seeds)] + [("weighted", 0)]


def base_name(variant: str, run: int) -> str:
    return variant if run == 0 else f"{variant}_seed{run}"


def model_name(variant: str, run: int, ema: bool) -> str:
    """``simple_ema``, ``simple_seed1_raw``, ``weighted_ema`` ..."""
    return f"{base_name(variant, run)}_{'ema' if ema else 'raw'}"


def trained_names(p: Params) -> list[str]:
    """Every saved model (EMA and raw weights of each trained run)."""
    return [model_name(v, r, ema) for v, r in runs(p) for ema in (True, False)]


def to_model_space(x):
    """[0, 1] pixels -> [-1, 1], the scale the forward process starts from."""
    return 2 * x - 1


def to_pixels(x):
    return ((x + 1) / 2).clamp(0, 1)
