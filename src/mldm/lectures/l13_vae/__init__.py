"""L13 (second half) From EM to the variational autoencoder (course-notes lines 5838-5896).

The lecture rewrites EM's decomposition log p(x) = ELBO + KL(q || p(z|x)) with the ELBO as
reconstruction − KL(q || p(z)) (lines 5846-5866), then makes q an encoder q_φ(z|x) trained
with the decoder p_θ(x|z) on the ELBO in one step (lines 5868-5896). Here: the link shown with
the EM lecture's Gaussian mixture (random q, the E-step's posterior, the M-step through Q);
the VAE's terms against torch (Gaussian KL, Bernoulli likelihood, the reparameterization
gradient); a 16-D VAE on binarized MNIST (nats per image, beside the independent-pixel model
and the published PyTorch example, a different scale) with the importance-weighted bound
over k; a 2-D VAE whose log p(x) and posterior KL a grid integrates, so the ELBO's gap is
measured as the KL the lecture names; and β, the weight on the KL, swept over seeds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l13_vae import em_link, experiments, figures
from mldm.lectures.l13_vae.claims import CLAIMS
from mldm.lectures.l13_vae.params import Params

if TYPE_CHECKING:
    from mldm.lectures.base import Context

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "Params", "evaluate", "train"]

TITLE = "From EM to the variational autoencoder"
LINES = "5838-5896"
DATASETS = ("mnist", "iris")


def train(ctx: Context) -> None:
    experiments.train(ctx)


def evaluate(ctx: Context) -> None:
    em_link.evaluate(ctx)
    figures.draw(ctx, experiments.evaluate(ctx))
