"""Lecture 6 self-attention / Transformer (course notes lines 2520-2566) against torch."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.nn.functional import scaled_dot_product_attention as torch_sdpa

from mldm.models.attention import (
    LayerNorm,
    MultiHeadSelfAttention,
    TransformerClassifier,
    TransformerEncoderBlock,
    scaled_dot_product_attention,
    sinusoidal_positional_encoding,
)

F64 = torch.float64


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def _randn(*shape, seed=0):
    return torch.randn(*shape, dtype=F64, generator=_gen(seed))


def _padding_mask(N, T):
    """(N, T) bool, True = padding; sample n has its last n % T tokens padded (never all)."""
    lengths = T - torch.arange(N) % T
    return torch.arange(T)[None, :] >= lengths[:, None]


# ---------------------------------------------------------------------------------------------
# Scaled dot-product attention
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize(
    ("lead", "T_q", "T_k", "d_k", "d_v"), [((2, 3), 5, 7, 4, 6), ((), 4, 4, 8, 8)]
)
def test_sdpa_matches_torch(masked, lead, T_q, T_k, d_k, d_v):
    Q, K = _randn(*lead, T_q, d_k, seed=1), _randn(*lead, T_k, d_k, seed=2)
    V = _randn(*lead, T_k, d_v, seed=3)
    mask = None
    if masked:
        mask = torch.rand(*lead, T_q, T_k, generator=_gen(4)) < 0.7
        mask[..., 0] = True  # every query attends to something
    out, A = scaled_dot_product_attention(Q, K, V, mask)
    torch.testing.assert_close(out, torch_sdpa(Q, K, V, attn_mask=mask), atol=1e-12, rtol=0)
    torch.testing.assert_close(A.sum(-1), torch.ones(*lead, T_q, dtype=F64), atol=1e-12, rtol=0)
    if masked:
        assert torch.all(A[~mask] == 0)


def test_sdpa_float_mask_is_additive():
    Q, K, V = _randn(3, 4, seed=1), _randn(5, 4, seed=2), _randn(5, 2, seed=3)
    bias = _randn(3, 5, seed=4)
    out, _ = scaled_dot_product_attention(Q, K, V, bias)
    torch.testing.assert_close(out, torch_sdpa(Q, K, V, attn_mask=bias), atol=1e-12, rtol=0)


# ---------------------------------------------------------------------------------------------
# Multi-head self-attention
# ---------------------------------------------------------------------------------------------


def _mha_pair(d_model, n_heads, bias=True, seed=0):
    torch.manual_seed(seed)
    ref = nn.MultiheadAttention(d_model, n_heads, bias=bias, batch_first=True, dtype=F64)
    with torch.no_grad():  # torch zeroes the biases at init: randomise them to test the copy
        for p in ref.parameters():
            p.copy_(torch.randn_like(p) * 0.5)
    ours = MultiHeadSelfAttention(d_model, n_heads, bias=bias).double().load_torch(ref)
    return ours, ref


@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize(
    ("d_model", "n_heads", "bias"), [(8, 2, True), (12, 3, False), (6, 1, True)]
)
def test_mha_matches_torch(d_model, n_heads, bias, padded):
    ours, ref = _mha_pair(d_model, n_heads, bias)
    N, T = 4, 5
    x = _randn(N, T, d_model, seed=1)
    kpm = _padding_mask(N, T) if padded else None
    out, A = ours(x, key_padding_mask=kpm)
    out_ref, A_ref = ref(x, x, x, key_padding_mask=kpm)  # need_weights: averaged over heads
    assert out.shape == (N, T, d_model) and A.shape == (N, T, T)
    torch.testing.assert_close(out, out_ref, atol=1e-10, rtol=0)
    torch.testing.assert_close(A, A_ref, atol=1e-10, rtol=0)
    torch.testing.assert_close(A.sum(-1), torch.ones(N, T, dtype=F64), atol=1e-12, rtol=0)
    if padded:
        assert torch.all(A.masked_select(kpm[:, None, :].expand(N, T, T)) == 0)


def test_mha_gradients_match_torch():
    ours, ref = _mha_pair(8, 4)
    x = _randn(3, 6, 8, seed=2)
    ours(x)[0].square().sum().backward()
    ref(x, x, x)[0].square().sum().backward()
    W_in_grad = torch.cat([ours.W_Q.grad, ours.W_K.grad, ours.W_V.grad])
    torch.testing.assert_close(W_in_grad, ref.in_proj_weight.grad, atol=1e-10, rtol=0)
    torch.testing.assert_close(ours.W_O.grad, ref.out_proj.weight.grad, atol=1e-10, rtol=0)


def test_mha_rejects_indivisible_heads():
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadSelfAttention(10, 3)


def test_self_attention_is_permutation_equivariant():
    """Without positional encoding, permuting the tokens permutes the outputs (and weights)."""
    mha = MultiHeadSelfAttention(8, 2, generator=_gen(3)).double()
    x = _randn(2, 7, 8, seed=4)
    perm = torch.randperm(7, generator=_gen(5))
    out, A = mha(x)
    out_p, A_p = mha(x[:, perm])
    torch.testing.assert_close(out_p, out[:, perm], atol=1e-12, rtol=0)
    torch.testing.assert_close(A_p, A[:, perm][:, :, perm], atol=1e-12, rtol=0)


# ---------------------------------------------------------------------------------------------
# Positional encoding
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("T", "d_model"), [(40, 32), (10, 7), (1, 2)])
def test_positional_encoding_values(T, d_model):
    PE = sinusoidal_positional_encoding(T, d_model, dtype=F64)
    assert PE.shape == (T, d_model)
    expected_0 = torch.tensor([0.0, 1.0] * (d_model // 2) + [0.0] * (d_model % 2), dtype=F64)
    torch.testing.assert_close(PE[0], expected_0)  # sin 0 = 0, cos 0 = 1
    assert PE.abs().max() <= 1
    for t in range(min(T, 3)):  # the formula written out by hand
        for j in range(d_model):
            angle = t / 10000 ** (2 * (j // 2) / d_model)
            ref = math.sin(angle) if j % 2 == 0 else math.cos(angle)
            assert PE[t, j].item() == pytest.approx(ref, abs=1e-14)


# ---------------------------------------------------------------------------------------------
# Transformer encoder
# ---------------------------------------------------------------------------------------------


def test_layer_norm_matches_torch():
    ref = nn.LayerNorm(6, dtype=F64)
    with torch.no_grad():
        ref.weight.copy_(_randn(6, seed=1))
        ref.bias.copy_(_randn(6, seed=2))
    ours = LayerNorm(6).double().load_torch(ref)
    x = _randn(3, 4, 6, seed=3) * 5 + 2
    torch.testing.assert_close(ours(x), ref(x), atol=1e-10, rtol=0)


@pytest.mark.parametrize("padded", [False, True])
def test_encoder_block_matches_torch(padded):
    torch.manual_seed(0)
    ref = nn.TransformerEncoderLayer(
        16, 4, dim_feedforward=24, dropout=0.0, batch_first=True, dtype=F64
    ).eval()
    with torch.no_grad():
        for p in ref.parameters():
            p.add_(torch.randn_like(p) * 0.1)  # non-trivial LN γ, β and attention biases
    ours = TransformerEncoderBlock(16, 4, 24).double().eval().load_torch(ref)
    x = _randn(3, 5, 16, seed=1)
    kpm = _padding_mask(3, 5) if padded else None
    out = ours(x, key_padding_mask=kpm)
    out_ref = ref(x, src_key_padding_mask=kpm)
    torch.testing.assert_close(out, out_ref, atol=1e-10, rtol=0)


def test_encoder_block_refuses_pre_norm():
    layer = nn.TransformerEncoderLayer(8, 2, 16, norm_first=True, batch_first=True)
    with pytest.raises(ValueError, match="norm_first"):
        TransformerEncoderBlock(8, 2, 16).load_torch(layer)


@pytest.mark.parametrize("patch", [1, 4, 8])
def test_transformer_classifier_shape_and_seed(patch):
    model = TransformerClassifier(patch=patch, generator=_gen(0))
    twin = TransformerClassifier(patch=patch, generator=_gen(0))
    x = torch.randn(6, 40, generator=_gen(1))
    logits = model(x)
    assert logits.shape == (6, 10)
    torch.testing.assert_close(logits, twin(x), atol=0, rtol=0)
    logits.sum().backward()
    assert all(p.grad is not None for p in model.parameters())


def test_transformer_classifier_learns_a_toy_task():
    """Class = position of a bump: needs the positional encoding (mean pooling alone is blind)."""
    g = _gen(2)
    N, L = 200, 40
    y = torch.randint(0, 4, (N,), generator=g)
    x = 0.1 * torch.randn(N, L, generator=g)
    x[torch.arange(N), 5 + 10 * y] += 3.0
    model = TransformerClassifier(
        length=L,
        d_model=16,
        n_heads=2,
        d_ff=32,
        n_layers=1,
        num_classes=4,
        patch=4,
        generator=_gen(3),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(60):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    assert (model(x).argmax(1) == y).float().mean() > 0.9
