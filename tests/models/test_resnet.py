"""The CIFAR ResNet-18 (lecture 10's full-profile encoder): shapes, the CIFAR stem, the
published parameter count, and the residual block's identity fallback."""

from __future__ import annotations

import torch
from torch import nn

from mldm.models import ConvAutoencoder, ConvEncoder, ResNet18Encoder
from mldm.models.autoencoder import classifier
from mldm.models.resnet import BasicBlock


def test_maps_32x32x3_to_512_features():
    torch.manual_seed(0)
    f = ResNet18Encoder().eval()
    x = torch.rand(2, 3, 32, 32)
    assert f(x).shape == (2, 512) and f.dim == 512
    assert f.feature_map(x).shape == (2, 512, 4, 4)  # stride 8 overall: 32 -> 4
    assert f.conv_features(x).shape == (2, 2048)
    torch.testing.assert_close(f(x.flatten(1)), f(x))  # flat C·H·W rows, as prepared


def test_cifar_stem_is_one_stride_one_3x3_conv_without_max_pool():
    f = ResNet18Encoder()
    conv = f.stem[0]
    assert conv.kernel_size == (3, 3) and conv.stride == (1, 1) and conv.padding == (1, 1)
    assert not any(isinstance(m, nn.MaxPool2d) for m in f.modules())


def test_parameter_count_is_the_cifar_resnet18s():
    # torchvision's resnet18: 11,689,512 parameters; the 3x3 stem has 64·3·(49 - 9) = 7,680
    # fewer weights, and a 10-way head 513,000 - 5,130 fewer: 11,173,962 (kuangliu/pytorch-cifar)
    n = sum(p.numel() for p in classifier(ResNet18Encoder()).parameters())
    assert n == 11_689_512 - 64 * 3 * (49 - 9) - (512 * 1000 + 1000) + (512 * 10 + 10)
    assert n == 11_173_962


def test_basic_block_falls_back_to_the_identity():
    torch.manual_seed(0)
    block = BasicBlock(8, 8).eval()
    nn.init.zeros_(block.bn2.weight)  # F(x) = 0: y = ReLU(0 + x)
    x = torch.randn(4, 8, 6, 6)
    torch.testing.assert_close(block(x), torch.relu(x))
    down = BasicBlock(8, 16, stride=2).eval()
    assert down(x).shape == (4, 16, 3, 3)


def test_conv_autoencoder_takes_colour_encoders():
    torch.manual_seed(0)
    for f in (ConvEncoder(32, (8, 16), 32, in_channels=3), ResNet18Encoder()):
        ae = ConvAutoencoder(f).eval()
        x = torch.rand(2, 3, 32, 32)
        assert ae.reconstruct(x).shape == (2, 3, 32, 32)
        assert ae(x).shape == (2,)
