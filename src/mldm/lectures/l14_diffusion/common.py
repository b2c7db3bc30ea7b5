"""What L14's experiments share: the digits at the lecture's resolution, the schedule from
params, the trained models' names."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.data.digits import Digits, small_digits

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l14_diffusion.params import Params

VARIANTS = ("simple", "weighted")  # L_simple (λ_t = 1) and the bound's λ_t weighting


def digits(ctx: Context, p: Params | None = None) -> Digits:
    """The digits L14 trains and scores on: the central 24x24 pixels of the 28x28 images,
    averaged down to ``p.resolution`` (12: 2x2 blocks), random ``n_train``/``n_test`` subsets."""
    p = p or ctx.params
    return small_digits(ctx.data("mnist"), p.resolution, p.n_train, p.n_test, (ctx.seed, 14, 0))


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
