r"""Self-attention and the Transformer encoder: lecture 6 (course notes lines 2520-2563).

The RNN's problems (L06 lines 2523-2525): long-range dependencies are hard to capture and the
steps run one after another. Self-attention (L06 lines 2534-2566) relates every token to every
other token in one batched product:

1. query, key, value (line 2537): $Q = X W_Q^\top$, $K = X W_K^\top$, $V = X W_V^\top$;
2. query-key similarity (line 2543): $S = Q K^\top / \sqrt{d_k}$;
3. attention weights (line 2554): $A = \mathrm{softmax}(S)$ row-wise;
4. output (line 2560): $A V$;
5. multi-head attention (lines 2564-2566): $h$ heads of size $d_k = d_{model}/h$, each free
   to capture a different meaning, concatenated and mixed by $W_O$.

BERT and GPT (L06 line 2526) stack Transformer blocks; the block, the sinusoidal positional
encoding and the post-norm layout follow Vaswani et al. (2017), "Attention is all you need",
which is also torch's default ``nn.TransformerEncoderLayer`` (the test oracle).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.functional import dropout as _dropout

__all__ = [
    "LayerNorm",
    "MultiHeadSelfAttention",
    "TransformerClassifier",
    "TransformerEncoderBlock",
    "layer_norm",
    "scaled_dot_product_attention",
    "sinusoidal_positional_encoding",
]


# ---------------------------------------------------------------------------------------------
# Parameter helpers
# ---------------------------------------------------------------------------------------------


def _param(shape: tuple[int, ...], bound: float, generator: torch.Generator | None) -> nn.Parameter:
    """U(−bound, bound) parameter (bound 0 gives zeros)."""
    return nn.Parameter(torch.empty(shape).uniform_(-bound, bound, generator=generator))


def _xavier(n_out: int, n_in: int, generator: torch.Generator | None) -> nn.Parameter:
    """Glorot-uniform W (n_out, n_in): bound √(6/(n_in + n_out)), as nn.MultiheadAttention."""
    return _param((n_out, n_in), math.sqrt(6.0 / (n_in + n_out)), generator)


def _affine(x: Tensor, W: Tensor, b: Tensor | None) -> Tensor:
    """x Wᵀ + b over the last dim (rows of x are tokens)."""
    return x @ W.T if b is None else x @ W.T + b


def _copy_(dst: Tensor | None, src: Tensor | None) -> None:
    if dst is None or src is None:
        if (dst is None) != (src is None):
            raise ValueError("bias mismatch between our module and torch's")
        return
    with torch.no_grad():
        dst.copy_(src.detach())


# ---------------------------------------------------------------------------------------------
# Attention
# ---------------------------------------------------------------------------------------------


def scaled_dot_product_attention(
    Q: Tensor, K: Tensor, V: Tensor, mask: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    r"""$\mathrm{out} = A V$, $A = \mathrm{softmax}(Q K^\top / \sqrt{d_k})$ (L06 lines 2537-2563).

    Q (..., T_q, d_k), K (..., T_k, d_k), V (..., T_k, d_v), batched over the leading dims.
    ``mask`` broadcasts to (..., T_q, T_k): boolean, ``True`` = may attend (torch's
    ``F.scaled_dot_product_attention`` convention), ``False`` scores become $-\infty$ so their
    weight is exactly 0; a float mask is added to the scores. Returns (out, A).
    """
    d_k = Q.shape[-1]
    S = Q @ K.transpose(-2, -1) / math.sqrt(d_k)  # query-key similarity; √d_k keeps var(S) ≈ 1
    if mask is not None:
        S = S.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else S + mask
    A = torch.softmax(S, dim=-1)  # attention weights, each row sums to 1
    return A @ V, A


class MultiHeadSelfAttention(nn.Module):
    r"""Multi-head self-attention (L06 lines 2564-2566).

    $\mathrm{head}_i = \mathrm{Attention}(X W_Q^{(i)\top}, X W_K^{(i)\top}, X W_V^{(i)\top})$,
    $\mathrm{out} = [\mathrm{head}_1, \dots, \mathrm{head}_h] W_O^\top$: the $d_{model}$ rows
    of $W_Q, W_K, W_V$ split into $h$ heads of $d_k = d_{model}/h$ rows. Init like
    ``nn.MultiheadAttention`` (Glorot weights, zero biases).
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        bias: bool = True,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model, self.n_heads, self.d_k = d_model, n_heads, d_model // n_heads
        # torch draws its (3d, d) in_proj as one Glorot matrix; the bound uses fan_out = 3d.
        bound = math.sqrt(6.0 / (4 * d_model))
        self.W_Q, self.W_K, self.W_V = (
            _param((d_model, d_model), bound, generator) for _ in range(3)
        )
        self.W_O = _xavier(d_model, d_model, generator)
        zeros = (lambda: nn.Parameter(torch.zeros(d_model))) if bias else (lambda: None)
        self.b_Q, self.b_K, self.b_V, self.b_O = zeros(), zeros(), zeros(), zeros()

    def _heads(self, x: Tensor) -> Tensor:
        """(N, T, d_model) -> (N, h, T, d_k)."""
        N, T, _ = x.shape
        return x.view(N, T, self.n_heads, self.d_k).transpose(1, 2)

    def forward(self, x: Tensor, key_padding_mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """x (N, T, d_model) -> (out (N, T, d_model), A averaged over heads (N, T, T)).

        ``key_padding_mask`` (N, T) bool, ``True`` = padding token that no query attends to
        (``nn.MultiheadAttention``'s convention).
        """
        N, T, _ = x.shape
        Q = self._heads(_affine(x, self.W_Q, self.b_Q))  # (N, h, T, d_k)
        K = self._heads(_affine(x, self.W_K, self.b_K))
        V = self._heads(_affine(x, self.W_V, self.b_V))
        mask = None if key_padding_mask is None else ~key_padding_mask[:, None, None, :]
        heads, A = scaled_dot_product_attention(Q, K, V, mask)  # (N, h, T, d_k), (N, h, T, T)
        concat = heads.transpose(1, 2).reshape(N, T, self.d_model)  # [head_1, ..., head_h]
        return _affine(concat, self.W_O, self.b_O), A.mean(dim=1)

    def load_torch(self, mha: nn.MultiheadAttention) -> MultiHeadSelfAttention:
        """Copy an ``nn.MultiheadAttention``'s weights: ``in_proj_weight`` = [W_Q; W_K; W_V]."""
        if mha.embed_dim != self.d_model or mha.num_heads != self.n_heads:
            raise ValueError("embed_dim / num_heads differ")
        if not mha._qkv_same_embed_dim or mha.bias_k is not None:
            raise ValueError("only plain self-attention (kdim = vdim = embed_dim, no bias_kv)")
        for dst, src in zip(
            (self.W_Q, self.W_K, self.W_V), mha.in_proj_weight.chunk(3), strict=True
        ):
            _copy_(dst, src)
        b_in = (None,) * 3 if mha.in_proj_bias is None else mha.in_proj_bias.chunk(3)
        for dst, src in zip((self.b_Q, self.b_K, self.b_V), b_in, strict=True):
            _copy_(dst, src)
        _copy_(self.W_O, mha.out_proj.weight)
        _copy_(self.b_O, mha.out_proj.bias)
        return self


def sinusoidal_positional_encoding(
    T: int, d_model: int, dtype: torch.dtype | None = None
) -> Tensor:
    r"""(T, d_model) positional encoding of Vaswani et al. (2017).

    $PE_{t,2i} = \sin(t / 10000^{2i/d})$, $PE_{t,2i+1} = \cos(t / 10000^{2i/d})$: each pair of
    columns is a rotation at its own frequency, so $PE_{t+k}$ is a linear function of $PE_t$.
    Self-attention alone is permutation-equivariant; PE tells it the token order.
    """
    t = torch.arange(T, dtype=torch.float64)[:, None]  # (T, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # 2i
    angle = t / 10000.0 ** (two_i / d_model)  # (T, ⌈d/2⌉)
    PE = torch.empty(T, d_model, dtype=torch.float64)
    PE[:, 0::2] = torch.sin(angle)
    PE[:, 1::2] = torch.cos(angle[:, : d_model // 2])  # odd d: the last sin has no cos
    return PE.to(dtype or torch.get_default_dtype())


# ---------------------------------------------------------------------------------------------
# Transformer encoder
# ---------------------------------------------------------------------------------------------


def layer_norm(x: Tensor, γ: Tensor, β: Tensor, eps: float = 1e-5) -> Tensor:
    r"""$\gamma \odot (x - \mu)/\sqrt{\sigma^2 + \epsilon} + \beta$ over the last dim.

    $\mu, \sigma^2$ are the mean and *biased* variance of each token's features (as torch).
    """
    μ = x.mean(dim=-1, keepdim=True)
    σ2 = ((x - μ) ** 2).mean(dim=-1, keepdim=True)  # biased: divide by d, not d − 1
    return γ * (x - μ) / torch.sqrt(σ2 + eps) + β


class LayerNorm(nn.Module):
    """Learnable :func:`layer_norm`; γ = 1, β = 0 at init."""

    def __init__(self, d: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.γ = nn.Parameter(torch.ones(d))
        self.β = nn.Parameter(torch.zeros(d))

    def forward(self, x: Tensor) -> Tensor:
        return layer_norm(x, self.γ, self.β, self.eps)

    def load_torch(self, ln: nn.LayerNorm) -> LayerNorm:
        _copy_(self.γ, ln.weight)
        _copy_(self.β, ln.bias)
        self.eps = ln.eps
        return self


class TransformerEncoderBlock(nn.Module):
    r"""Post-norm Transformer encoder block (Vaswani et al.; torch's default layout).

    $x \leftarrow \mathrm{LN}_1(x + \mathrm{MHA}(x))$,
    $x \leftarrow \mathrm{LN}_2(x + W_2\,\mathrm{ReLU}(W_1 x + b_1) + b_2)$.
    Dropout (``F.dropout``, training only) sits where torch puts it: on the attention output,
    after the ReLU and on the feed-forward output.
    """

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
        self.attn = MultiHeadSelfAttention(d_model, n_heads, generator=generator)
        # nn.Linear's default init: U(±1/√fan_in) for weight and bias.
        self.W_1 = _param((d_ff, d_model), 1 / math.sqrt(d_model), generator)
        self.b_1 = _param((d_ff,), 1 / math.sqrt(d_model), generator)
        self.W_2 = _param((d_model, d_ff), 1 / math.sqrt(d_ff), generator)
        self.b_2 = _param((d_model,), 1 / math.sqrt(d_ff), generator)
        self.ln_1, self.ln_2 = LayerNorm(d_model), LayerNorm(d_model)

    def _drop(self, x: Tensor) -> Tensor:
        return _dropout(x, self.p, self.training) if self.p else x

    def forward(self, x: Tensor, key_padding_mask: Tensor | None = None) -> Tensor:
        """x (N, T, d_model) -> (N, T, d_model)."""
        a, _ = self.attn(x, key_padding_mask)
        x = self.ln_1(x + self._drop(a))  # residual + post-norm
        f = _affine(self._drop(torch.relu(_affine(x, self.W_1, self.b_1))), self.W_2, self.b_2)
        return self.ln_2(x + self._drop(f))  # position-wise feed-forward, residual + post-norm

    def load_torch(self, layer: nn.TransformerEncoderLayer) -> TransformerEncoderBlock:
        """Copy a post-norm, ReLU ``nn.TransformerEncoderLayer``'s weights."""
        if layer.norm_first or layer.activation_relu_or_gelu != 1:
            raise ValueError("only norm_first=False, activation='relu' layers match this block")
        self.attn.load_torch(layer.self_attn)
        _copy_(self.W_1, layer.linear1.weight)
        _copy_(self.b_1, layer.linear1.bias)
        _copy_(self.W_2, layer.linear2.weight)
        _copy_(self.b_2, layer.linear2.bias)
        self.ln_1.load_torch(layer.norm1)
        self.ln_2.load_torch(layer.norm2)
        return self


class TransformerClassifier(nn.Module):
    r"""Transformer encoder for a 1-D signal (MNIST-1D: (N, 40)), a small ViT in 1-D.

    Tokens: the signal cut into ``length/patch`` patches of ``patch`` samples;
    $z_0 = x_{patch} W_E^\top + b_E + PE$; ``n_layers`` :class:`TransformerEncoderBlock`;
    mean pool over tokens; logits $W_{out} \bar z + b_{out}$.
    """

    def __init__(
        self,
        length: int = 40,
        d_model: int = 32,
        n_heads: int = 4,
        d_ff: int = 64,
        n_layers: int = 2,
        num_classes: int = 10,
        patch: int = 1,
        dropout: float = 0.0,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if length % patch:
            raise ValueError(f"length={length} is not a multiple of patch={patch}")
        self.length, self.patch = length, patch
        self.W_E = _param((d_model, patch), 1 / math.sqrt(patch), generator)
        self.b_E = _param((d_model,), 1 / math.sqrt(patch), generator)
        self.register_buffer("PE", sinusoidal_positional_encoding(length // patch, d_model))
        self.blocks = nn.ModuleList(
            TransformerEncoderBlock(d_model, n_heads, d_ff, dropout, generator=generator)
            for _ in range(n_layers)
        )
        self.W_out = _param((num_classes, d_model), 1 / math.sqrt(d_model), generator)
        self.b_out = _param((num_classes,), 1 / math.sqrt(d_model), generator)

    def forward(self, x: Tensor) -> Tensor:
        """x (N, length) (or (N, length, 1)) -> logits (N, num_classes)."""
        N = x.shape[0]
        tokens = x.reshape(N, self.length // self.patch, self.patch)  # (N, T, patch)
        z = _affine(tokens, self.W_E, self.b_E) + self.PE.to(x.dtype)  # (N, T, d_model)
        for block in self.blocks:
            z = block(z)
        return _affine(z.mean(dim=1), self.W_out, self.b_out)  # mean pool over tokens
