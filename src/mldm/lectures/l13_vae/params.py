"""L13 VAE's block in params.yaml (``lectures.l13_vae``); its defaults are the default profile's.

Sizes were chosen by measuring on 2 busy CPU cores (one thread), MNIST 5,000 (3,750 train):
the 16-D VAE (784-256-16) runs about 0.2-0.3 s per epoch and its test -ELBO levels off near
115 nats after 50 epochs (it overfits the 3,750 images after that); the 2-D model's about 170
nats after 30; IWAE with k = 1000 on 500 test images takes about 9 s. Measured: default train
45 s + evaluate 44 s (quadrature on a 401² grid included), smoke about 6 s + 5 s. ``full``
(params.yaml) is the PyTorch example's size: 20-D latent, 400 hidden, MNIST 60k.
"""

from __future__ import annotations

from pydantic import Field

from mldm.config import LectureParams, Strict


class Net(Strict):
    latent_dim: int = Field(ge=1)
    hidden: int = Field(ge=1)
    max_epochs: int = Field(ge=1)
    batch_size: int = Field(100, ge=1)
    lr: float = Field(1e-3, gt=0)


class Beta(Strict):
    """β (the weight on the KL) swept over ``grid`` with the main VAE's size, ``seeds`` runs
    each: the reconstruction/KL trade-off as mean ± sd."""

    grid: list[float] = Field([0.25, 1.0, 4.0], min_length=2)
    seeds: int = Field(3, ge=2)
    max_epochs: int = Field(20, ge=1)


class Params(LectureParams):
    n_train: int | None = Field(None, ge=100, description="subsample of the training split")
    beta: float = Field(1.0, ge=0, description="the main VAE's KL weight (1: the ELBO)")
    vae: Net = Net(latent_dim=16, hidden=256, max_epochs=50)
    latent2d: Net = Net(latent_dim=2, hidden=256, max_epochs=30)
    sweep: Beta = Beta()
    iwae_k: list[int] = Field([1, 10, 100, 1000], min_length=2, description="increasing k")
    n_eval: int = Field(500, ge=10, description="test images for IWAE and quadrature")
    elbo_draws: int = Field(200, ge=1, description="z draws per image for the MC ELBO (2-D)")
    quadrature_points: int = Field(401, ge=11, description="grid points per latent axis")
    quadrature_limit: float = Field(4.0, gt=0)
    kl_draws: int = Field(20000, ge=100, description="z draws per image, MC KL and gradient")
    gmm_components: int = Field(3, ge=2, description="the EM lecture's mixture on iris")
    em_step: int = Field(3, ge=1, description="the EM step t whose M-step is checked")
