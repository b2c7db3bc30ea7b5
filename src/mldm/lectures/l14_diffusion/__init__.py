"""L14 Diffusion models (course-notes lines 5897-6375).

The forward process (its closed form checked against the chain, the lecture's two questions,
the posterior q(x_{t-1}|x_t, x_0) against Bayes' rule by simulation, the weights of x_0 and
x_t in μ̃_t), then DDPM: ε_θ a small U-Net with a sinusoidal time embedding, trained with
L_simple (Algorithm 1) over several seeds and with the bound's λ_t weighting beside it, EMA
of the weights, and Algorithm 2's samples and denoising trajectory; then every generator of
lectures 13-14 (Gaussian mixture, VAE, DDPMs) scored on one Fréchet-distance protocol.

Protocol (default profile): the 5,000 bundled MNIST digits (prepared ``mnist``: 3,750 train,
1,250 test; random subsets, the splits being sorted by digit), the central 24x24 pixels
averaged to 12x12, scaled to [-1, 1]; T = 100, β linear 1e-3..0.2 (fewer, larger steps than
the paper's T = 1000, β 1e-4..0.02, to fit a CPU budget), the full profile uses the paper's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l14_diffusion import ddpm, fidelity, figures, forward
from mldm.lectures.l14_diffusion.claims import CLAIMS
from mldm.lectures.l14_diffusion.common import digits
from mldm.lectures.l14_diffusion.params import Params

if TYPE_CHECKING:
    from mldm.lectures.base import Context

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "Params", "evaluate", "train"]

TITLE = "Diffusion models (DDPM)"
LINES = "5897-6375"
DATASETS = ("mnist",)


def train(ctx: Context) -> None:
    d = digits(ctx)
    ddpm.train(ctx, d)
    fidelity.train(ctx, d)


def evaluate(ctx: Context) -> None:
    figures.forward(ctx, forward.evaluate(ctx))
    d = digits(ctx)
    samples = ddpm.evaluate(ctx, d)
    figures.samples(ctx, samples)
    figures.sample_quality(ctx, fidelity.evaluate(ctx, d, samples.grids))
