r"""Masked autoencoder (MAE): lecture 10 (course notes lines 4557-4640).

A ViT (:class:`mldm.models.ViT`) pre-trained without labels by reconstructing hidden patches:

* **masking** (line 4566, table (f) lines 4628-4636): a ratio (75%) of the N patches is hidden;
  :func:`random_masking` draws them uniformly per image (the lecture's best),
  :func:`block_masking` hides a square of neighbouring patches, :func:`grid_masking` keeps
  a regular grid;
* **asymmetric encoder-decoder** (lines 4562-4566, table (c) line 4612): the encoder sees only
  the visible patches (no mask token [M] in the encoder: :meth:`mldm.models.ViT.encode` with
  ``keep``); a light decoder gets the encoded visible tokens plus a shared learned mask token
  at every hidden position, its own position embeddings, a few pre-norm blocks, and predicts
  each patch's pixels;
* **objective** (line 4568): predict the masked patches from the unmasked ones, the mean
  squared error on the masked patches only.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from mldm.models.attention import LayerNorm
from mldm.models.vit import PreNormBlock, ViT, patchify, unpatchify

__all__ = ["MAE", "block_masking", "grid_masking", "random_masking"]


def _split(order: Tensor, n_keep: int) -> tuple[Tensor, Tensor]:
    """(keep, masked) indices, each sorted, from a per-row ordering of the patches."""
    keep, _ = order[:, :n_keep].sort(1)
    masked, _ = order[:, n_keep:].sort(1)
    return keep, masked


def random_masking(n: int, n_patches: int, ratio: float, generator=None) -> tuple[Tensor, Tensor]:
    """Each row: ``round(ratio · n_patches)`` patches hidden uniformly at random (MAE's
    "random" sampling). Returns (keep, masked) index tensors (n, ·), sorted per row."""
    n_keep = n_patches - int(round(ratio * n_patches))
    order = torch.rand(n, n_patches, generator=generator).argsort(1)
    return _split(order, n_keep)


def block_masking(n: int, grid: int, ratio: float, generator=None) -> tuple[Tensor, Tensor]:
    """Each row: a random square block of about ``ratio`` of the grid×grid patches hidden
    (MAE's "block" sampling), the rest visible."""
    side = max(1, min(grid, int(round(math.sqrt(ratio * grid * grid)))))
    top = torch.randint(0, grid - side + 1, (n,), generator=generator)
    left = torch.randint(0, grid - side + 1, (n,), generator=generator)
    r = torch.arange(grid)
    rows = (r[None] >= top[:, None]) & (r[None] < top[:, None] + side)  # (n, grid)
    cols = (r[None] >= left[:, None]) & (r[None] < left[:, None] + side)
    hidden = (rows[:, :, None] & cols[:, None, :]).reshape(n, -1)
    # a stable sort puts the visible patches (False) first, each group in index order
    order = hidden.to(torch.int8).argsort(dim=1, stable=True)
    return _split(order, grid * grid - side * side)


def grid_masking(n: int, grid: int, ratio: float = 0.75) -> tuple[Tensor, Tensor]:
    """Every row the same regular grid: one patch of each 2×2 cell kept (ratio 0.75, MAE's
    "grid" sampling)."""
    if abs(ratio - 0.75) > 1e-9:
        raise ValueError("grid masking keeps one patch in four: ratio must be 0.75")
    r = torch.arange(grid)
    visible = ((r[:, None] % 2 == 0) & (r[None, :] % 2 == 0)).reshape(-1)
    order = (~visible).to(torch.int8).argsort(dim=0, stable=True)
    return _split(order.expand(n, -1), int(visible.sum()))


class MAE(nn.Module):
    """MAE on a :class:`~mldm.models.ViT` encoder. ``forward(x)`` masks, encodes the visible
    patches, decodes all of them and returns the per-image loss: the mean squared error over
    the pixels of the masked patches. ``mask`` is ``"random"``, ``"block"`` or ``"grid"``."""

    def __init__(
        self,
        encoder: ViT,
        decoder_dim: int = 32,
        decoder_depth: int = 1,
        decoder_heads: int = 4,
        mask_ratio: float = 0.75,
        mask: str = "random",
    ):
        super().__init__()
        if mask not in ("random", "block", "grid"):
            raise ValueError(f"mask must be random, block or grid, got {mask!r}")
        if not 0 < mask_ratio < 1:
            raise ValueError(f"mask_ratio must be in (0, 1), got {mask_ratio!r}")
        self.encoder, self.mask, self.mask_ratio = encoder, mask, float(mask_ratio)
        n, patch_dim = encoder.n_patches, encoder.patch**2 * encoder.channels
        self.embed = nn.Linear(encoder.d_model, decoder_dim)
        self.mask_token = nn.Parameter(0.02 * torch.randn(decoder_dim))
        self.pos = nn.Parameter(0.02 * torch.randn(n + 1, decoder_dim))
        self.blocks = nn.ModuleList(
            PreNormBlock(decoder_dim, decoder_heads, 2 * decoder_dim) for _ in range(decoder_depth)
        )
        self.norm = LayerNorm(decoder_dim)
        self.predict = nn.Linear(decoder_dim, patch_dim)

    def masks(self, n: int, generator=None) -> tuple[Tensor, Tensor]:
        g, r = self.encoder.grid[0], self.mask_ratio
        if self.mask == "random":
            return random_masking(n, g * g, r, generator)
        if self.mask == "block":
            return block_masking(n, g, r, generator)
        return grid_masking(n, g, r)

    def reconstruct(self, x: Tensor, keep: Tensor) -> Tensor:
        """Predicted pixels of every patch (n, N, P²C) from the patches ``keep`` only."""
        latent = self.embed(self.encoder.encode(x, keep))  # (n, 1 + n_keep, D_dec)
        n, n_patches = len(x), self.encoder.n_patches
        tokens = self.mask_token.expand(n, n_patches, -1).clone()
        index = keep[..., None].expand(-1, -1, tokens.shape[-1])
        tokens = tokens.scatter(1, index, latent[:, 1:])  # visible tokens back in place
        z = torch.cat([latent[:, :1], tokens], 1) + self.pos
        for block in self.blocks:
            z = block(z)
        return self.predict(self.norm(z))[:, 1:]

    def loss_at(self, x: Tensor, keep: Tensor, masked: Tensor) -> Tensor:
        """Per-image mean squared error over the masked patches' pixels."""
        pred = self.reconstruct(x, keep)
        target = patchify(x, self.encoder.patch)
        index = masked[..., None].expand(-1, -1, pred.shape[-1])
        err = (torch.gather(pred, 1, index) - torch.gather(target, 1, index)).pow(2)
        return err.flatten(1).mean(1)

    def forward(self, x: Tensor) -> Tensor:
        keep, masked = self.masks(len(x))
        return self.loss_at(x, keep.to(x.device), masked.to(x.device))

    @torch.no_grad()
    def show(self, x: Tensor, generator=None) -> tuple[Tensor, Tensor]:
        """(masked input, reconstruction with the visible patches pasted back) as images."""
        keep, masked = self.masks(len(x), generator)
        target = patchify(x, self.encoder.patch)
        pred = self.reconstruct(x, keep)
        index = keep[..., None].expand(-1, -1, pred.shape[-1])
        visible = torch.zeros_like(target).scatter(1, index, torch.gather(target, 1, index))
        pasted = pred.scatter(1, index, torch.gather(target, 1, index))
        args = (self.encoder.patch, self.encoder.channels, self.encoder.grid)
        return unpatchify(visible, *args), unpatchify(pasted, *args).clamp(0, 1)
