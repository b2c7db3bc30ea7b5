r"""Convolutional neural networks: lecture 6 (course notes lines 2232-2440).

* **Why not an MLP** (lines 2244-2270): a dense first layer on a 200×200×3 image has
  $(200\cdot200\cdot3)^2 = 14.4\cdot10^9$ weights (line 2258): costly and prone to overfit.
* **Convolution** (lines 2290-2313): local connectivity + parameter sharing. A kernel slides
  over the image; each output is a patch-kernel dot product (cross-correlation, as the worked
  example computes it),
  $y[n,o,i,j] = \sum_{c,u,v} x[n,c,i s+u,j s+v]\,w[o,c,u,v] + b[o]$.
  A 5×5 kernel on 3 channels with 200 output maps has $5\cdot5\cdot3\cdot200 = 15000$
  weights (line 2358).
* **Pooling** (lines 2363-2372): max/average over windows; more invariance, smaller maps,
  larger receptive fields.
* **Classic nets** (lines 2376-2421): LeNet conv-pool-conv-pool-fc-fc (line 2384), VGG's stacked
  3×3 convs + 2×2 max pool (line 2408), ResNet's shortcut $y = \mathrm{ReLU}(x + F(x))$
  (lines 2410-2421).

Everything is built from :func:`conv2d` / :func:`conv1d` / the pools below (patches gathered
with ``Tensor.unfold``, then one ``einsum``), never from ``nn.Conv*``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from mldm.models.neural import Linear, relu, uniform_fan_in_

__all__ = [
    "CNN1d",
    "SLIDE_CONV_EXAMPLE",
    "SLIDE_CONV_INPUT",
    "SLIDE_CONV_KERNEL",
    "SLIDE_CONV_PRINTED",
    "Conv1d",
    "Conv2d",
    "LeNet",
    "ResidualBlock",
    "SmallResNet",
    "VGGBlock",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_params",
    "count_params",
    "dense_params",
    "global_avg_pool2d",
    "max_pool2d",
    "receptive_field",
    "slide_conv_example",
]


def _pair(v: int | Sequence[int]) -> tuple[int, int]:
    return (int(v), int(v)) if isinstance(v, int) else (int(v[0]), int(v[1]))


# ---------------------------------------------------------------------------------------------
# Convolution and pooling from the definition (L06 lines 2290-2313, 2363-2372)
# ---------------------------------------------------------------------------------------------


def _patches2d(x: Tensor, k: tuple[int, int], stride: tuple[int, int]) -> Tensor:
    """(N, C, H, W) -> (N, C, H', W', k_h, k_w) view, [..., i, j, u, v] = x[..., i s+u, j s+v]."""
    return x.unfold(2, k[0], stride[0]).unfold(3, k[1], stride[1])


def conv2d(
    x: Tensor,
    w: Tensor,
    b: Tensor | None = None,
    stride: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
) -> Tensor:
    r"""2-D convolution layer (cross-correlation, L06 lines 2290-2308).

    $y[n,o,i,j] = \sum_{c,u,v} x[n,c,i s+u, j s+v]\, w[o,c,u,v] + b[o]$ on the zero-padded
    input; x (N, C_in, H, W), w (C_out, C_in, k_h, k_w) ->
    (N, C_out, ⌊(H+2p−k_h)/s⌋+1, ⌊(W+2p−k_w)/s⌋+1). Differentiable by autograd.
    """
    (s_h, s_w), (p_h, p_w) = _pair(stride), _pair(padding)
    x = F.pad(x, (p_w, p_w, p_h, p_h))  # zeros around the border
    patches = _patches2d(x, (w.shape[2], w.shape[3]), (s_h, s_w))  # (N, C, H', W', k_h, k_w)
    y = torch.einsum("ncijuv,ocuv->noij", patches, w)  # Σ_{c,u,v} x[n,c,is+u,js+v] w[o,c,u,v]
    return y if b is None else y + b[:, None, None]


def conv1d(
    x: Tensor, w: Tensor, b: Tensor | None = None, stride: int = 1, padding: int = 0
) -> Tensor:
    r"""1-D convolution: $y[n,o,t] = \sum_{c,u} x[n,c,t s+u]\, w[o,c,u] + b[o]$;
    x (N, C_in, T), w (C_out, C_in, k) -> (N, C_out, ⌊(T+2p−k)/s⌋+1)."""
    x = F.pad(x, (padding, padding))
    patches = x.unfold(2, w.shape[2], stride)  # (N, C, T', k): [n,c,t,u] = x[n,c,ts+u]
    y = torch.einsum("nctu,ocu->not", patches, w)
    return y if b is None else y + b[:, None]


def max_pool2d(x: Tensor, k: int | Sequence[int], stride: int | Sequence[int] | None = None):
    r"""Max pooling (line 2363): $y[n,c,i,j] = \max_{u,v} x[n,c,i s+u, j s+v]$, $s = k$ by
    default (non-overlapping windows)."""
    k2 = _pair(k)
    return _patches2d(x, k2, _pair(k2 if stride is None else stride)).amax(dim=(-2, -1))


def avg_pool2d(x: Tensor, k: int | Sequence[int], stride: int | Sequence[int] | None = None):
    r"""Average pooling: $y[n,c,i,j] = \frac{1}{k_h k_w}\sum_{u,v} x[n,c,i s+u, j s+v]$."""
    k2 = _pair(k)
    return _patches2d(x, k2, _pair(k2 if stride is None else stride)).mean(dim=(-2, -1))


def global_avg_pool2d(x: Tensor) -> Tensor:
    r"""$y[n,c] = \frac{1}{HW}\sum_{i,j} x[n,c,i,j]$ (average pool over the whole map)."""
    return x.mean(dim=(2, 3))


# ---------------------------------------------------------------------------------------------
# The worked example (L06 lines 2290-2308)
# ---------------------------------------------------------------------------------------------

# L06 lines 2300-2308: input ⊗ kernel (stride 1, no padding), one output per frame.
SLIDE_CONV_INPUT = [[-1.0, 1.0, 1.0], [1.0, -2.0, 1.0], [1.0, -1.0, 1.0]]
SLIDE_CONV_KERNEL = [[-1.0, 1.0], [1.0, -2.0]]
# The slide's final frame (line 2308) prints "7 4 / 0 0". The true map is [[7, -4], [0, 0]]:
# 1+1+1+4 = 7, -1+1-2-2 = -4, -1-2+1+2 = 0, 2+1-1-2 = 0. Typo: the final frame drops the minus
# sign that frames 2-3 (lines 2304-2306) print. Frames 3-4 also print the input's first row as
# 1 -1 1 (not -1 1 1); that row does not enter the bottom outputs, so the 0s stand.
SLIDE_CONV_PRINTED = [[7.0, 4.0], [0.0, 0.0]]
SLIDE_CONV_EXAMPLE = {
    "input": SLIDE_CONV_INPUT,
    "kernel": SLIDE_CONV_KERNEL,
    "printed": SLIDE_CONV_PRINTED,
}


def slide_conv_example() -> Tensor:
    """The worked example's true 2×2 feature map, computed with :func:`conv2d` (float64)."""
    x = torch.tensor(SLIDE_CONV_INPUT, dtype=torch.float64)[None, None]
    w = torch.tensor(SLIDE_CONV_KERNEL, dtype=torch.float64)[None, None]
    return conv2d(x, w)[0, 0]


# ---------------------------------------------------------------------------------------------
# Parameter counts (L06 lines 2258, 2358)
# ---------------------------------------------------------------------------------------------


def dense_params(n_in: int, n_out: int, bias: bool = False) -> int:
    r"""Fully connected layer: $n_{in} n_{out}$ (+ $n_{out}$ biases). Line 2258:
    ``dense_params(200*200*3, 200*200*3)`` $= (200\cdot200\cdot3)^2 = 14.4\cdot10^9$."""
    return n_in * n_out + (n_out if bias else 0)


def conv_params(k_h: int, k_w: int, c_in: int, c_out: int, bias: bool = False) -> int:
    r"""Convolution layer: $k_h k_w c_{in} c_{out}$ (+ $c_{out}$ biases), independent of the
    image size (sharing). Line 2358: ``conv_params(5, 5, 3, 200)`` $= 15000$."""
    return k_h * k_w * c_in * c_out + (c_out if bias else 0)


def count_params(module: nn.Module) -> int:
    """$\\sum$ numel over the module's parameters."""
    return sum(p.numel() for p in module.parameters())


def receptive_field(kernel_sizes: Sequence[int], strides: Sequence[int] | None = None) -> int:
    r"""Receptive field of stacked convs/pools: $r = 1 + \sum_l (k_l - 1)\prod_{j<l} s_j$.

    VGG's argument (line 2408): two 3×3 convs see $1 + 2 + 2 = 5$ pixels, like one 5×5, with
    $2\cdot 9C^2 = 18C^2 < 25C^2$ weights and one more nonlinearity.
    """
    strides = [1] * len(kernel_sizes) if strides is None else list(strides)
    r, jump = 1, 1
    for k, s in zip(kernel_sizes, strides, strict=True):
        r += (k - 1) * jump
        jump *= s
    return r


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------


class Conv2d(nn.Module):
    r"""Convolution layer on :func:`conv2d`: ``weight`` (c_out, c_in, k, k), ``bias`` (c_out),
    both $U(\pm 1/\sqrt{c_{in}k^2})$ like ``nn.Conv2d`` (same names, same RNG order)."""

    def __init__(
        self,
        c_in: int,
        c_out: int,
        k: int | Sequence[int],
        stride: int | Sequence[int] = 1,
        padding: int | Sequence[int] = 0,
        bias: bool = True,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        k_h, k_w = _pair(k)
        fan_in = c_in * k_h * k_w
        self.stride, self.padding = _pair(stride), _pair(padding)
        self.weight = nn.Parameter(
            uniform_fan_in_(torch.empty(c_out, c_in, k_h, k_w), fan_in, generator)
        )
        self.bias = (
            nn.Parameter(uniform_fan_in_(torch.empty(c_out), fan_in, generator)) if bias else None
        )

    def forward(self, x: Tensor) -> Tensor:
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)


class Conv1d(nn.Module):
    r"""Convolution layer on :func:`conv1d`, initialised like ``nn.Conv1d``."""

    def __init__(
        self,
        c_in: int,
        c_out: int,
        k: int,
        stride: int = 1,
        padding: int = 0,
        bias: bool = True,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        self.stride, self.padding = stride, padding
        self.weight = nn.Parameter(
            uniform_fan_in_(torch.empty(c_out, c_in, k), c_in * k, generator)
        )
        self.bias = (
            nn.Parameter(uniform_fan_in_(torch.empty(c_out), c_in * k, generator)) if bias else None
        )

    def forward(self, x: Tensor) -> Tensor:
        return conv1d(x, self.weight, self.bias, self.stride, self.padding)


# ---------------------------------------------------------------------------------------------
# Classic networks (L06 lines 2376-2421)
# ---------------------------------------------------------------------------------------------


class LeNet(nn.Module):
    r"""LeNet (L06 lines 2379-2384): conv-pool-conv-pool-fc-fc(-fc).

    conv 5×5→6 (pad 2) - ReLU - maxpool 2 - conv 5×5→16 - ReLU - maxpool 2 - fc 120 - ReLU -
    fc 84 - ReLU - fc ``num_classes``. On 28×28: 28→28→14→10→5, so fc1 sees 16·5·5 = 400
    (61,706 parameters). Flat (N, C·S²) inputs are reshaped to (N, C, S, S).
    :meth:`features` is the penultimate layer (ReLU of fc 84): the space in which the generative
    lectures measure a Fréchet distance (:mod:`mldm.evaluation.generative`).
    """

    num_features = 84

    def __init__(self, in_channels: int = 1, num_classes: int = 10, image_size: int = 28):
        super().__init__()
        self.in_channels, self.image_size = in_channels, image_size
        side = ((image_size // 2) - 4) // 2  # pad-2 conv keeps S; pool /2; 5×5 conv −4; pool /2
        self.conv1 = Conv2d(in_channels, 6, 5, padding=2)
        self.conv2 = Conv2d(6, 16, 5)
        self.fc1 = Linear(16 * side * side, 120)
        self.fc2 = Linear(120, 84)
        self.fc3 = Linear(84, num_classes)

    def features(self, x: Tensor) -> Tensor:
        x = x.reshape(len(x), self.in_channels, self.image_size, self.image_size)
        h = max_pool2d(relu(self.conv1(x)), 2)
        h = max_pool2d(relu(self.conv2(h)), 2)
        h = relu(self.fc1(h.flatten(1)))
        return relu(self.fc2(h))

    def forward(self, x: Tensor) -> Tensor:
        return self.fc3(self.features(x))


class VGGBlock(nn.Module):
    r"""VGG block (L06 lines 2401-2408): ``n_convs`` stacked 3×3 convs (pad 1) + ReLU, then a
    2×2 max pool (halves H and W)."""

    def __init__(self, c_in: int, c_out: int, n_convs: int):
        super().__init__()
        self.convs = nn.ModuleList(
            Conv2d(c_in if i == 0 else c_out, c_out, 3, padding=1) for i in range(n_convs)
        )

    def forward(self, x: Tensor) -> Tensor:
        for conv in self.convs:
            x = relu(conv(x))
        return max_pool2d(x, 2)


class ResidualBlock(nn.Module):
    r"""ResNet block (L06 lines 2410-2421): $y = \mathrm{ReLU}(x + F(x))$,
    $F$ = conv3×3 - ReLU - conv3×3 (pad 1, ``c`` channels): the shortcut lets the block
    fall back to the identity ($F = 0$), so depth does not hurt trainability.
    ``shortcut=False`` is the plain stack $y = \mathrm{ReLU}(F(x))$ the slide compares with."""

    def __init__(self, c: int, bias: bool = True, shortcut: bool = True):
        super().__init__()
        self.shortcut = shortcut
        self.conv1 = Conv2d(c, c, 3, padding=1, bias=bias)
        self.conv2 = Conv2d(c, c, 3, padding=1, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        F = self.conv2(relu(self.conv1(x)))
        return relu(x + F if self.shortcut else F)  # y = ReLU(x + F(x))


class SmallResNet(nn.Module):
    r"""A small ResNet for 28×28 digits (L06 lines 2410-2421), cheap on one CPU thread.

    stem conv3×3 (``width``) - ReLU - maxpool 2 (28→14) - ⌈blocks/2⌉ residual blocks -
    strided conv3×3 (s = 2, ``2·width``) - ReLU (14→7) - ⌊blocks/2⌋ residual blocks -
    global average pool - linear. width 16, blocks 2: 28,266 parameters. ``shortcut=False``
    drops every shortcut: the same layers as a plain deep CNN (lines 2405-2409).
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        width: int = 16,
        blocks: int = 2,
        image_size: int = 28,
        shortcut: bool = True,
    ):
        super().__init__()
        self.in_channels, self.image_size = in_channels, image_size
        n1 = math.ceil(blocks / 2)
        self.stem = Conv2d(in_channels, width, 3, padding=1)
        self.stage1 = nn.ModuleList(ResidualBlock(width, shortcut=shortcut) for _ in range(n1))
        self.down = Conv2d(width, 2 * width, 3, stride=2, padding=1)  # halves H, W; doubles C
        self.stage2 = nn.ModuleList(
            ResidualBlock(2 * width, shortcut=shortcut) for _ in range(blocks - n1)
        )
        self.fc = Linear(2 * width, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = x.reshape(len(x), self.in_channels, self.image_size, self.image_size)
        h = max_pool2d(relu(self.stem(x)), 2)
        for block in self.stage1:
            h = block(h)
        h = relu(self.down(h))
        for block in self.stage2:
            h = block(h)
        return self.fc(global_avg_pool2d(h))


class CNN1d(nn.Module):
    r"""The MNIST-1D paper's CNN (Greydanus 2020, ``ConvBase`` in its ``notebooks/models.py``).

    3 conv1d layers (stride 2, padding 1, ``channels`` maps, ReLU) with kernels 5, 3, 3 as in the
    published code, then a linear head on the flattened maps. Length 40: 40→19→10→5, so the
    head sees 25·5 = 125 (5,210 parameters). Input (N, T) is viewed as (N, 1, T).
    """

    def __init__(
        self,
        num_classes: int = 10,
        channels: int = 25,
        length: int = 40,
        kernel_sizes: Sequence[int] = (5, 3, 3),
    ):
        super().__init__()
        self.convs = nn.ModuleList(
            Conv1d(1 if i == 0 else channels, channels, k, stride=2, padding=1)
            for i, k in enumerate(kernel_sizes)
        )
        t = length
        for k in kernel_sizes:
            t = (t + 2 - k) // 2 + 1  # ⌊(T + 2p − k)/s⌋ + 1
        self.fc = Linear(channels * t, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        h = x.reshape(len(x), 1, x.shape[-1])
        for conv in self.convs:
            h = relu(conv(h))
        return self.fc(h.flatten(1))
