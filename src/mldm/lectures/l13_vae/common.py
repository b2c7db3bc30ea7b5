"""What the VAE experiments share: binarized MNIST (one fixed Bernoulli draw of every pixel,
the split shuffled since the prepared rows are sorted by digit), the models, a seeded
generator per use, mean ± sd over seeds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l13_vae.params import Net


def generator(ctx: Context, *key: int):
    """A torch generator seeded by (seed, lecture 13, key): every draw is reproducible."""
    import torch

    return torch.Generator().manual_seed(
        int(np.random.default_rng([ctx.seed, 13, *key]).integers(2**31))
    )


@dataclass(frozen=True)
class Digits:
    """Binary MNIST: ``train`` and ``test`` (N, 784) float32 tensors of 0/1, test labels, and
    ``eval_idx``, the shuffled test images IWAE and quadrature use."""

    train: Any
    test: Any
    y_test: np.ndarray
    eval_idx: np.ndarray


def digits(ctx: Context) -> Digits:
    import torch

    from mldm.models.vae import binarize

    p = ctx.params
    d = ctx.data("mnist").subsample(p.n_train, seed=[ctx.seed, 13, 0])
    g = generator(ctx, 1)
    train = binarize(torch.as_tensor(d.X_train, dtype=torch.float32), g)
    test = binarize(torch.as_tensor(d.X_test, dtype=torch.float32), g)
    idx = np.random.default_rng([ctx.seed, 13, 2]).permutation(len(test))[: p.n_eval]
    return Digits(train, test, np.asarray(d.y_test), idx)


def vae(net: Net, n_inputs: int = 784):
    from mldm.models.vae import VAE

    return VAE(n_inputs, net.latent_dim, net.hidden)
