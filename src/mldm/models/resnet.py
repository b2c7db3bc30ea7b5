r"""ResNet-18 with the CIFAR stem: the encoder f of lecture 10's ``full`` profile (CIFAR-10).

Lecture 6's residual block (course notes lines 2410-2421), :math:`y = \mathrm{ReLU}(F(x) +
\mathrm{shortcut}(x))`, with :math:`F` = conv 3×3 - BN - ReLU - conv 3×3 - BN (He et al. 2016,
"basic block"), stacked 2-2-2-2 with 64-128-256-512 channels: ResNet-18. The SSL papers' CIFAR
variant (SimCLR appendix B.9; solo-learn, lightly) replaces ImageNet's stem (conv 7×7 stride 2
and a 3×3 max pool, which would leave a 32×32 image 8×8 before the first block) by one conv
3×3 stride 1 and no max pool, so layer4's map is 4×4. With a 10-way linear layer it has
11,173,962 parameters: torchvision's ``resnet18`` (11,689,512) less the 7×7 stem's extra
7,680 weights and with a 10-class head instead of 1,000.

Written with torch.nn layers (the lecture's own :class:`~mldm.models.cnn.Conv2d` is the
readable version; this one is for GPU-scale runs). :class:`ResNet18Encoder` has the interface
of :class:`~mldm.models.ConvEncoder` (``dim``, ``image_size``, ``in_channels``,
``conv_shape``, :meth:`conv_features`), so every L10 method trains it unchanged.
"""

from __future__ import annotations

from torch import Tensor, nn
from torch.nn import functional as F  # noqa: N812

__all__ = ["BasicBlock", "ResNet18Encoder"]


class BasicBlock(nn.Module):
    """y = ReLU(BN(conv(ReLU(BN(conv(x))))) + shortcut(x)); the shortcut is the identity,
    or conv 1×1 (stride ``stride``) + BN where the shape changes."""

    def __init__(self, c_in: int, c_out: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.shortcut = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.shortcut = nn.Sequential(
                nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out)
            )

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))  # y = ReLU(F(x) + x)


class ResNet18Encoder(nn.Module):
    """f: CIFAR stem (conv 3×3 stride 1 - BN - ReLU, no max pool), four stages of two
    :class:`BasicBlock` s (64, 128, 256, 512 channels; strides 1, 2, 2, 2), global average
    pool: h ∈ R^512. Flat inputs (N, C·S²) are reshaped to (N, C, S, S)."""

    widths = (64, 128, 256, 512)

    def __init__(self, image_size: int = 32, in_channels: int = 3):
        super().__init__()
        self.image_size, self.in_channels, self.dim = image_size, in_channels, self.widths[-1]
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()
        )
        layers, c = [], 64
        for i, w in enumerate(self.widths):
            stride = 1 if i == 0 else 2
            layers.append(nn.Sequential(BasicBlock(c, w, stride), BasicBlock(w, w, 1)))
            c = w
        self.layers = nn.Sequential(*layers)
        side = image_size // 2 ** (len(self.widths) - 1)
        self.conv_shape = (c, side, side)

    def feature_map(self, x: Tensor) -> Tensor:
        """layer4's output, (N, 512, S/8, S/8)."""
        x = x.reshape(len(x), self.in_channels, self.image_size, self.image_size)
        return self.layers(self.stem(x))

    def conv_features(self, x: Tensor) -> Tensor:
        """The last conv block's output average-pooled to 2×2 (2,048 numbers: the full 4×4
        map of 50,000 images would be 8,192 columns of float64 for the probe)."""
        return F.adaptive_avg_pool2d(self.feature_map(x), 2).flatten(1)

    def forward(self, x: Tensor) -> Tensor:
        return self.feature_map(x).mean((2, 3))  # global average pool -> h
