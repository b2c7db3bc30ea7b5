"""A small U-Net for ε_θ(x_t, t), L14 lines 6335-6343: ResNet blocks in an encoder-decoder
with skip connections; the time step enters through a sinusoidal position encoding, projected
and *added* to the feature maps inside every residual block (the lecture's "spatial addition")."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812


def sinusoidal_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """The Transformer's position encoding of integer t: [sin(t ω_k), cos(t ω_k)],
    ω_k = 10000^(-k/(dim/2)), k = 0..dim/2-1."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([args.sin(), args.cos()], dim=1)


def _groups(c: int) -> int:
    return 8 if c % 8 == 0 else 1


class ResBlock(nn.Module):
    """h = conv(act(norm(x))) + W e(t); out = x' + conv(act(norm(h))), x' = x or a 1x1 conv."""

    def __init__(self, c_in: int, c_out: int, t_dim: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(_groups(c_in), c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.time = nn.Linear(t_dim, c_out)
        self.norm2 = nn.GroupNorm(_groups(c_out), c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time(e)[:, :, None, None]  # the time step, added over space
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class UNet(nn.Module):
    """ε_θ(x, t) for (N, C, R, R) images, R divisible by 2^(len(channels)-1): one ResBlock per
    level down (average-pool between levels), one in the middle, one per level up
    (nearest upsampling, concatenated skip), a 1x1 conv out (zero-initialized)."""

    def __init__(self, in_channels: int = 1, channels: list[int] | tuple[int, ...] = (16, 32, 64)):
        super().__init__()
        channels = list(channels)
        self.t_dim = 4 * channels[0]
        self.time_mlp = nn.Sequential(
            nn.Linear(channels[0], self.t_dim), nn.SiLU(), nn.Linear(self.t_dim, self.t_dim)
        )
        self.inp = nn.Conv2d(in_channels, channels[0], 3, padding=1)
        self.down = nn.ModuleList()
        c = channels[0]
        for c_out in channels:
            self.down.append(ResBlock(c, c_out, self.t_dim))
            c = c_out
        self.mid = ResBlock(c, c, self.t_dim)
        self.up = nn.ModuleList()
        for c_skip in reversed(channels):
            self.up.append(ResBlock(c + c_skip, c_skip, self.t_dim))
            c = c_skip
        self.out_norm = nn.GroupNorm(_groups(c), c)
        self.out = nn.Conv2d(c, in_channels, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        e = self.time_mlp(sinusoidal_embedding(t, self.inp.out_channels))
        h = self.inp(x)
        skips = []
        for i, block in enumerate(self.down):
            if i > 0:
                h = F.avg_pool2d(h, 2)
            h = block(h, e)
            skips.append(h)
        h = self.mid(h, e)
        for i, block in enumerate(self.up):
            if i > 0:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = block(torch.cat([h, skips.pop()], 1), e)
        return self.out(F.silu(self.out_norm(h)))
