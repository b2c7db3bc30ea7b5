"""L14's block in params.yaml (``lectures.l14_diffusion``); defaults are the default profile's.

Sizes were chosen by measuring on 2 CPU cores: 12×12 digits, T = 100 and a [16, 32, 64] U-Net
for 15 epochs give recognisable digits (test L_simple 0.066) inside the budget. Default train
85 s (four U-Nets, the LeNet extractor, the mixture, the VAE) + evaluate 44 s (500 samples from
each of 8 models by Algorithm 2, the Fréchet table); smoke 5 s + 1 s. ``full`` (params.yaml)
is the paper's schedule (T = 1000, β 1e-4..0.02) at 24×24 with a [64, 128, 256] U-Net, on a GPU.
"""

from __future__ import annotations

from pydantic import Field

from mldm.config import LectureParams, Strict


class Fidelity(Strict):
    """What the sample-quality table (:mod:`.fidelity`) trains beside the DDPMs: the LeNet
    whose features and predictions score every generator, the EM lecture's mixture (in a PCA
    space) and the VAE of lecture 13, on the same digits."""

    extractor_epochs: int = Field(10, ge=1)
    extractor_lr: float = Field(2e-3, gt=0)
    extractor_batch_size: int = Field(128, ge=1)
    gmm_pca: int = Field(30, ge=1, description="PCA components the mixture is fitted in")
    gmm_components: int = Field(10, ge=1)
    vae_latent: int = Field(16, ge=1)
    vae_hidden: int = Field(256, ge=1)
    vae_epochs: int = Field(30, ge=1)
    vae_batch_size: int = Field(128, ge=1)
    vae_lr: float = Field(1e-3, gt=0)


class Params(LectureParams):
    resolution: int = Field(
        12, ge=4, description="image side R: the central 24x24 of the 28x28 digits averaged to RxR"
    )
    n_train: int | None = Field(None, ge=10, description="random subsample of the training split")
    n_test: int | None = Field(500, ge=10, description="random subsample of the test split")
    T: int = Field(100, ge=2, description="diffusion steps")
    beta_1: float = Field(1e-3, gt=0, lt=1)
    beta_T: float = Field(0.2, gt=0, lt=1)  # noqa: N815 (the lecture's β_T)
    channels: list[int] = Field(default_factory=lambda: [16, 32, 64])
    max_epochs: int = Field(15, ge=1)
    batch_size: int = Field(128, ge=1)
    lr: float = Field(2e-3, gt=0)
    ema_decay: float = Field(0.99, gt=0, lt=1)
    seeds: int = Field(3, ge=1, description="L_simple models (seeds seed, seed+1, ...)")
    n_samples: int = Field(
        500, ge=4, description="samples per model (pixel statistics, Fréchet distance)"
    )
    draws: int = Field(200_000, ge=1000, description="Monte Carlo draws of the forward checks")
    fidelity: Fidelity = Fidelity()
