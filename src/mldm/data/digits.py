"""MNIST digits at a lecture's resolution, as the deep generative and representation lectures
(L10, L14) train on them: the central 24×24 pixels of the 28×28 images (the border is almost
always blank) averaged down to R×R, random subsets of the prepared splits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Digits", "small_digits"]


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


def small_digits(
    d, resolution: int, n_train: int | None, n_test: int | None, stream: Sequence[int]
) -> Digits:
    """The prepared MNIST set ``d`` (a :class:`~mldm.data.Prepared`) at ``resolution``, with
    ``n_train``/``n_test`` rows (None: all) drawn by the seed sequence ``stream``."""
    rng = np.random.default_rng(list(stream))
    tr = rng.permutation(len(d.y_train))[:n_train]
    te = rng.permutation(len(d.y_test))[:n_test]
    return Digits(
        _downsample(d.X_train[tr], resolution),
        _downsample(d.X_test[te], resolution),
        np.asarray(d.y_train[tr], dtype=np.int64),
        np.asarray(d.y_test[te], dtype=np.int64),
    )
