r"""Encoders and autoencoders: lecture 10 (course notes lines 4180-4233).

* **Supervised features** (lines 4180-4200): a CNN trained on image-label pairs; the output
  of its last convolutional block (or its penultimate dense layer) is the representation.
  :class:`ConvEncoder` is that CNN body, built from lecture 6's layers (two :class:`VGGBlock`
  s, conv 3×3 - ReLU - max pool 2, then a dense layer): the one encoder f that every method of
  the lecture trains (supervised, autoencoder, SimCLR, MoCo), so that probes compare methods,
  not architectures. :func:`classifier` puts a linear layer on it.
* **Autoencoder** (lines 4215-4225): train an encoder and a decoder to reconstruct the
  unlabelled x, keep the encoder. **PCA is a linear autoencoder** (line 4222):
  :class:`LinearAutoencoder` :math:`\hat x = W_d(W_e (x - b) ) + b` with MSE; its optimum's
  decoder columns span the top-k principal subspace (Baldi & Hornik 1989), checked with
  :func:`mldm.evaluation.principal_angles` against :class:`mldm.models.PCA`.
  :class:`ConvAutoencoder`: :class:`ConvEncoder` and a decoder that mirrors it (dense,
  nearest-neighbour upsampling, conv 3×3), sigmoid output for pixels in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from mldm.models.cnn import Conv2d, VGGBlock
from mldm.models.neural import relu

__all__ = ["ConvAutoencoder", "ConvEncoder", "LinearAutoencoder", "classifier"]


class ConvEncoder(nn.Module):
    """f: ``len(channels)`` VGG blocks (lecture 6: conv 3×3 pad 1 - ReLU - max pool 2), flatten,
    a dense layer to ``dim`` and ReLU. On 12×12 with channels (16, 32): 12 -> 6 -> 3, so the last
    conv block's output is 32·3·3 = 288 numbers and h has ``dim`` (64). Flat inputs
    (N, C·S²) are reshaped to (N, C, S, S), C = ``in_channels``."""

    def __init__(
        self,
        image_size: int = 12,
        channels: Sequence[int] = (16, 32),
        dim: int = 64,
        in_channels: int = 1,
    ):
        super().__init__()
        self.image_size, self.dim, self.in_channels = image_size, dim, in_channels
        cs = [in_channels, *channels]
        self.blocks = nn.Sequential(*(VGGBlock(a, b, 1) for a, b in zip(cs, cs[1:], strict=False)))
        side = image_size // 2 ** len(channels)
        if side < 1:
            raise ValueError(f"{len(channels)} pooling blocks need images of {2 ** len(channels)}+")
        self.conv_shape = (cs[-1], side, side)
        self.fc = nn.Linear(cs[-1] * side * side, dim)

    def conv_features(self, x: Tensor) -> Tensor:
        """The last conv block's output, flattened (the lecture's "last conv layer" features)."""
        x = x.reshape(len(x), self.in_channels, self.image_size, self.image_size)
        return self.blocks(x).flatten(1)

    def forward(self, x: Tensor) -> Tensor:
        return relu(self.fc(self.conv_features(x)))


def classifier(encoder: ConvEncoder, num_classes: int = 10) -> nn.Module:
    """The encoder with a linear layer on h: logits for cross-entropy (the supervised CNN)."""
    return nn.Sequential(encoder, nn.Linear(encoder.dim, num_classes))


class LinearAutoencoder(nn.Module):
    r"""x̂ = W_d W_e (x - b) + b: a k-dimensional linear code of D-dimensional x (no
    non-linearity), trained with MSE. ``forward`` returns the per-sample squared error
    ‖x̂ - x‖²/D; :meth:`encode` is the code W_e(x - b). The centring b is learned (at the optimum
    it is the mean, and the decoder's columns span PCA's top-k directions)."""

    def __init__(self, d: int, k: int):
        super().__init__()
        self.encoder = nn.Linear(d, k, bias=False)
        self.decoder = nn.Linear(k, d, bias=False)
        self.b = nn.Parameter(torch.zeros(d))

    def encode(self, x: Tensor) -> Tensor:
        return self.encoder(x.flatten(1) - self.b)

    def reconstruct(self, x: Tensor) -> Tensor:
        return self.decoder(self.encode(x)) + self.b

    def forward(self, x: Tensor) -> Tensor:
        return (self.reconstruct(x) - x.flatten(1)).pow(2).mean(1)


class ConvAutoencoder(nn.Module):
    """:class:`ConvEncoder` -> h -> dense -> (C, S/4, S/4) -> [upsample ×2 - conv 3×3 - ReLU]
    -> [upsample ×2 - conv 3×3] -> sigmoid. ``forward`` returns the per-image MSE ‖x̂ - x‖²/D,
    so it trains with the generic task; :meth:`reconstruct` is x̂, :meth:`representation` is h.
    Any encoder with ``dim``, ``image_size``, ``in_channels`` and ``conv_shape`` (C, s, s)
    works (:class:`mldm.models.resnet.ResNet18Encoder`): one ×2 upsampling per halving of S."""

    def __init__(self, encoder: ConvEncoder):
        super().__init__()
        self.encoder = encoder
        c, s, _ = encoder.conv_shape
        self.fc = nn.Linear(encoder.dim, c * s * s)
        ups = max(1, math.ceil(math.log2(encoder.image_size / s)))
        # channels halve through the decoder, down to the image's (c, c/2, ..., C)
        chans = [c] + [max(c // 2 ** (i + 1), 1) for i in range(ups - 1)] + [encoder.in_channels]
        self.up = nn.ModuleList(
            Conv2d(a, b, 3, padding=1) for a, b in zip(chans, chans[1:], strict=False)
        )

    def representation(self, x: Tensor) -> Tensor:
        return self.encoder(x)

    def reconstruct(self, x: Tensor) -> Tensor:
        c, s, _ = self.encoder.conv_shape
        y = relu(self.fc(self.encoder(x))).view(len(x), c, s, s)
        for i, conv in enumerate(self.up):
            y = conv(F.interpolate(y, scale_factor=2, mode="nearest"))
            y = relu(y) if i < len(self.up) - 1 else torch.sigmoid(y)
        n = self.encoder.image_size
        return y if y.shape[-1] == n else F.interpolate(y, size=(n, n), mode="nearest")

    def forward(self, x: Tensor) -> Tensor:
        n = self.encoder.image_size
        x = x.reshape(len(x), self.encoder.in_channels, n, n)
        return (self.reconstruct(x) - x).pow(2).flatten(1).mean(1)
