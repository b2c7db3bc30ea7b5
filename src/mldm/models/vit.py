r"""The Vision Transformer (ViT): lecture 10 (course notes lines 4472-4506), again in lecture 12
(lines 5163-5200).

An image becomes a sequence of "words" (line 4475): cut into $N$ patches of $P \times P$ pixels,
each flattened to $\mathbf{x}_p^i \in \mathbb{R}^{P^2 C}$ and projected, $\mathbf{z}_0^i =
\mathbf{x}_p^i \mathbf{E}$ (line 4481). A learnable [class] token $\mathbf{x}_{class}$ (line
4487, BERT's [CLS]) goes first and learnable 1-D position embeddings $\mathbf{E}_{pos} \in
\mathbb{R}^{(N+1) \times D}$ (line 4488) are added:

$$\mathbf{z}_0 = [\mathbf{x}_{class}; \mathbf{x}_p^1 \mathbf{E}; \dots; \mathbf{x}_p^N \mathbf{E}]
+ \mathbf{E}_{pos}$$

then $L$ pre-norm blocks (lines 4496-4498), the multi-head attention of lecture 6
(:class:`~mldm.models.attention.MultiHeadSelfAttention`):

$$\mathbf{z}'_\ell = \mathrm{MSA}(\mathrm{LN}(\mathbf{z}_{\ell-1})) + \mathbf{z}_{\ell-1}, \qquad
\mathbf{z}_\ell = \mathrm{MLP}(\mathrm{LN}(\mathbf{z}'_\ell)) + \mathbf{z}'_\ell$$

and the image representation is $\mathrm{LN}(\mathbf{z}_L^0)$, the class token's output.

MAE (lecture 10, lines 4557-4600) encodes only the visible patches: ``keep`` selects them
after the position embeddings are added, so each kept patch still knows where it sits and
the encoder never sees a mask token. The block's oracle is torch's
``nn.TransformerEncoderLayer(norm_first=True, activation="gelu")`` with copied weights.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.functional import dropout as _dropout
from torch.nn.functional import gelu

from mldm.models.attention import LayerNorm, MultiHeadSelfAttention, _affine, _copy_, _param

__all__ = ["PreNormBlock", "ViT", "patchify", "unpatchify"]


def patchify(x: Tensor, patch: int) -> Tensor:
    """Images (N, C, H, W) -> patches (N, H/P * W/P, P*P*C), row-major over the patch grid,
    each patch flattened as (P, P, C) (the lecture's $\\mathbf{x}_p^i$)."""
    N, C, H, W = x.shape
    if H % patch or W % patch:
        raise ValueError(f"image size {H}x{W} is not a multiple of patch={patch}")
    h, w = H // patch, W // patch
    x = x.reshape(N, C, h, patch, w, patch).permute(0, 2, 4, 3, 5, 1)  # N, h, w, P, P, C
    return x.reshape(N, h * w, patch * patch * C)


def unpatchify(patches: Tensor, patch: int, channels: int, grid: tuple[int, int]) -> Tensor:
    """The inverse of :func:`patchify`: (N, h*w, P*P*C) -> (N, C, h*P, w*P)."""
    N = patches.shape[0]
    h, w = grid
    x = patches.reshape(N, h, w, patch, patch, channels).permute(0, 5, 1, 3, 2, 4)
    return x.reshape(N, channels, h * patch, w * patch)


class PreNormBlock(nn.Module):
    r"""One ViT block (lines 4496-4498): $\mathbf{z}' = \mathrm{MSA}(\mathrm{LN}_1(\mathbf{z})) +
    \mathbf{z}$, $\mathbf{z} = \mathrm{MLP}(\mathrm{LN}_2(\mathbf{z}')) + \mathbf{z}'$ with
    $\mathrm{MLP}(u) = W_2\,\mathrm{GELU}(W_1 u + b_1) + b_2$. Unlike lecture 6's post-norm block,
    the residual path is never normalized, which is what lets deep ViTs train without warm-up
    tricks."""

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        d_ff: int,
        dropout: float = 0.0,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.p = dropout
        self.ln_1, self.ln_2 = LayerNorm(d_model), LayerNorm(d_model)
        self.attn = MultiHeadSelfAttention(d_model, n_heads, generator=generator)
        # nn.Linear's default init: U(±1/√fan_in) for weight and bias.
        self.W_1 = _param((d_ff, d_model), 1 / math.sqrt(d_model), generator)
        self.b_1 = _param((d_ff,), 1 / math.sqrt(d_model), generator)
        self.W_2 = _param((d_model, d_ff), 1 / math.sqrt(d_ff), generator)
        self.b_2 = _param((d_model,), 1 / math.sqrt(d_ff), generator)

    def _drop(self, x: Tensor) -> Tensor:
        return _dropout(x, self.p, self.training) if self.p else x

    def forward(self, z: Tensor) -> Tensor:
        """z (N, T, D) -> (N, T, D)."""
        a, _ = self.attn(self.ln_1(z))
        z = z + self._drop(a)  # z' = MSA(LN(z)) + z
        u = self._drop(gelu(_affine(self.ln_2(z), self.W_1, self.b_1)))
        return z + self._drop(_affine(u, self.W_2, self.b_2))  # z = MLP(LN(z')) + z'

    def attention(self, z: Tensor) -> Tensor:
        """The block's attention weights on input z, averaged over heads: (N, T, T)."""
        return self.attn(self.ln_1(z))[1]

    def load_torch(self, layer: nn.TransformerEncoderLayer) -> PreNormBlock:
        """Copy a pre-norm, GELU ``nn.TransformerEncoderLayer``'s weights."""
        if not layer.norm_first or layer.activation_relu_or_gelu != 2:
            raise ValueError("only norm_first=True, activation='gelu' layers match this block")
        self.attn.load_torch(layer.self_attn)
        _copy_(self.W_1, layer.linear1.weight)
        _copy_(self.b_1, layer.linear1.bias)
        _copy_(self.W_2, layer.linear2.weight)
        _copy_(self.b_2, layer.linear2.bias)
        self.ln_1.load_torch(layer.norm1)
        self.ln_2.load_torch(layer.norm2)
        return self


class ViT(nn.Module):
    r"""Vision Transformer (lines 4472-4498) for images (N, C, H, W).

    ``forward(x)`` is the representation $\mathrm{LN}(\mathbf{z}_L^0)$ (N, D), or the logits
    of a linear head on it when ``num_classes`` is given; :meth:`encode` returns every token.
    ``E`` is a linear map with bias (a $P \times P$ convolution with stride $P$ in the paper's
    code); $\mathbf{x}_{class}$ and $\mathbf{E}_{pos}$ start from $\mathcal{N}(0, 0.02^2)$ as
    in the reference implementation.
    """

    def __init__(
        self,
        image_size: int = 28,
        patch: int = 7,
        channels: int = 1,
        d_model: int = 64,
        depth: int = 4,
        n_heads: int = 4,
        d_ff: int = 128,
        num_classes: int | None = None,
        dropout: float = 0.0,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if image_size % patch:
            raise ValueError(f"image_size={image_size} is not a multiple of patch={patch}")
        self.image_size, self.patch, self.channels = image_size, patch, channels
        self.d_model = d_model
        self.grid = (image_size // patch, image_size // patch)
        self.n_patches = self.grid[0] * self.grid[1]
        patch_dim = patch * patch * channels
        self.E = _param((d_model, patch_dim), 1 / math.sqrt(patch_dim), generator)
        self.b_E = _param((d_model,), 1 / math.sqrt(patch_dim), generator)
        self.x_class = nn.Parameter(0.02 * torch.randn(d_model, generator=generator))
        E_pos = 0.02 * torch.randn(self.n_patches + 1, d_model, generator=generator)
        self.E_pos = nn.Parameter(E_pos)  # positions 0 (class), 1..N
        self.blocks = nn.ModuleList(
            PreNormBlock(d_model, n_heads, d_ff, dropout, generator=generator) for _ in range(depth)
        )
        self.ln = LayerNorm(d_model)
        self.head = None
        if num_classes is not None:
            self.head = nn.Linear(d_model, num_classes)
            with torch.no_grad():
                b = 1 / math.sqrt(d_model)
                self.head.weight.uniform_(-b, b, generator=generator)
                self.head.bias.uniform_(-b, b, generator=generator)

    def embed(self, x: Tensor, keep: Tensor | None = None) -> Tensor:
        r"""$\mathbf{z}_0$ (N, 1 + N_kept, D). ``keep`` (N, n) long: the visible patches' indices
        (MAE); the position embeddings are added before the others are dropped."""
        z = _affine(patchify(x, self.patch), self.E, self.b_E) + self.E_pos[1:]  # x_p^i E + E_pos^i
        if keep is not None:
            z = torch.gather(z, 1, keep[..., None].expand(-1, -1, self.d_model))
        cls = (self.x_class + self.E_pos[0]).expand(z.shape[0], 1, -1)
        return torch.cat([cls, z], dim=1)

    def encode(self, x: Tensor, keep: Tensor | None = None) -> Tensor:
        """Every token after the last block and the final LN: (N, 1 + N_kept, D)."""
        z = self.embed(x, keep)
        for block in self.blocks:
            z = block(z)
        return self.ln(z)

    def forward(self, x: Tensor) -> Tensor:
        h = self.encode(x)[:, 0]  # the [class] token's output is the image representation
        return h if self.head is None else self.head(h)

    @torch.no_grad()
    def attention_maps(self, x: Tensor) -> list[Tensor]:
        """Each block's head-averaged attention weights (N, 1+N, 1+N), for figures."""
        z, maps = self.embed(x), []
        for block in self.blocks:
            maps.append(block.attention(z))
            z = block(z)
        return maps
