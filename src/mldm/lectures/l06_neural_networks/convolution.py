"""Convolution from the slide's formula (lines 2290-2308): its worked example and torch's
conv2d as the oracle; then the parameter counts that motivate it (a dense layer on an image,
lines 2254-2258; a conv layer, 2354-2358; VGG's two 3×3 for one 5×5, 2400-2408). Evaluate
only: nothing is trained."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.evaluation import worst

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def evaluate(ctx: Context) -> None:
    import torch

    from mldm.models import cnn

    X = torch.as_tensor(np.asarray(cnn.SLIDE_CONV_INPUT, dtype=np.float64))[None, None]
    K = torch.as_tensor(np.asarray(cnn.SLIDE_CONV_KERNEL, dtype=np.float64))[None, None]
    ours = cnn.conv2d(X, K)[0, 0].numpy()
    truth = np.array([[7.0, -4.0], [0.0, 0.0]])
    ctx.measure("conv_worked_example", float(np.abs(ours - truth).max()))
    printed = np.asarray(cnn.SLIDE_CONV_PRINTED)
    ctx.table(
        "conv_feature_map",
        ["position", "slide", "ours"],
        [
            [f"({i},{j})", float(printed[i, j]), float(ours[i, j])]
            for i in range(2)
            for j in range(2)
        ],
        note="Lines 2300-2308. The slide's frames compute 7, −4, 0, 0; its final frame "
        "prints the map as 7 4 / 0 0, dropping the minus sign of −4.",
    )

    # the draws below use torch's global generator, seeded by evaluate (lecture order matters)
    g = np.random.default_rng([ctx.seed, 6, 11])
    ctx.measure("conv_matches_torch", worst(_conv_difference(g) for _ in range(12)))
    _parameter_counts(ctx)


def _conv_difference(g) -> float:
    """Max abs difference of ours and torch's conv2d on one random shape, stride, padding."""
    import torch
    import torch.nn.functional as F

    from mldm.models import cnn

    n, c_in, c_out, k = (int(v) for v in g.integers(1, 5, 4))
    s, pad = int(g.integers(1, 3)), int(g.integers(0, 3))
    size = int(g.integers(k + 1, 12))
    x = torch.randn(n, c_in, size, size, dtype=torch.float64)
    w = torch.randn(c_out, c_in, k, k, dtype=torch.float64)
    b = torch.randn(c_out, dtype=torch.float64)
    diff = cnn.conv2d(x, w, b, stride=s, padding=pad) - F.conv2d(x, w, b, stride=s, padding=pad)
    return float(diff.abs().max())


def _parameter_counts(ctx: Context) -> None:
    import torch

    from mldm.models import cnn
    from mldm.models.neural import MLP

    # count the weights of our layers (not the formula): on the meta device the 14.4e9-weight
    # layer has shapes but no storage
    with torch.device("meta"):
        dense = MLP([200 * 200 * 3, 200 * 200 * 3], bias=False)
    ctx.measure("dense_layer_params", int(cnn.count_params(dense)))
    ctx.measure("conv_layer_params", int(cnn.count_params(cnn.Conv2d(3, 200, 5, bias=False))))
    C = 64
    two = cnn.count_params(cnn.VGGBlock(C, C, 2)) - 2 * C  # weights only (drop the biases)
    five = cnn.count_params(cnn.Conv2d(C, C, 5, bias=False))
    ctx.measure("vgg_two_3x3_cheaper_than_5x5", two / five)  # 18C²/25C²
