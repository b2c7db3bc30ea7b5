"""ViT (L10 lines 4472-4498): patches, the pre-norm block against torch's, MAE's visible-only
encoding, and that a small one learns digits."""

import pytest
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.nn.functional import unfold

from mldm.models.vit import PreNormBlock, ViT, patchify, unpatchify

F64 = torch.float64


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_patchify_matches_unfold_and_inverts():
    x = torch.randn(2, 3, 8, 12, generator=_gen(0))
    P = 4
    ours = patchify(x, P)
    # unfold gives (N, C*P*P, L) ordered (C, P, P); the lecture's x_p^i is flattened (P, P, C)
    ref = unfold(x, P, stride=P).reshape(2, 3, P, P, -1).permute(0, 4, 2, 3, 1).reshape(2, 6, -1)
    torch.testing.assert_close(ours, ref, atol=0, rtol=0)
    torch.testing.assert_close(unpatchify(ours, P, 3, (2, 3)), x, atol=0, rtol=0)


def test_patchify_refuses_a_ragged_grid():
    with pytest.raises(ValueError, match="multiple of patch"):
        patchify(torch.zeros(1, 1, 10, 10), 4)


def test_pre_norm_block_matches_torch():
    torch.manual_seed(0)
    ref = nn.TransformerEncoderLayer(
        16,
        4,
        dim_feedforward=24,
        dropout=0.0,
        activation="gelu",
        norm_first=True,
        batch_first=True,
        dtype=F64,
    ).eval()
    with torch.no_grad():
        for p in ref.parameters():
            p.add_(torch.randn_like(p) * 0.1)  # non-trivial LN γ, β and attention biases
    ours = PreNormBlock(16, 4, 24).double().eval().load_torch(ref)
    x = torch.randn(3, 5, 16, dtype=F64, generator=_gen(1))
    torch.testing.assert_close(ours(x), ref(x), atol=1e-10, rtol=0)


def test_pre_norm_block_refuses_post_norm():
    with pytest.raises(ValueError, match="norm_first=True"):
        PreNormBlock(8, 2, 16).load_torch(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True))


def test_vit_shapes_seed_and_gradients():
    size = dict(image_size=8, patch=4, channels=3, d_model=16, depth=2, n_heads=2, d_ff=32)
    vit, twin = (ViT(**size, num_classes=5, generator=_gen(0)) for _ in range(2))
    x = torch.randn(4, 3, 8, 8, generator=_gen(1))
    logits = vit(x)
    assert logits.shape == (4, 5)
    torch.testing.assert_close(logits, twin(x), atol=0, rtol=0)
    assert vit.encode(x).shape == (4, 1 + 4, 16)
    assert [a.shape for a in vit.attention_maps(x)] == [(4, 5, 5)] * 2
    logits.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in vit.parameters())


def test_position_embedding_makes_the_class_token_see_patch_order():
    """Without E_pos a ViT is permutation invariant over patches; with it, it is not."""
    vit = ViT(image_size=8, patch=4, d_model=16, depth=1, n_heads=2, d_ff=32, generator=_gen(0))
    x = torch.randn(2, 1, 8, 8, generator=_gen(1))
    swapped = x.clone()
    swapped[..., :4, :4], swapped[..., 4:, 4:] = x[..., 4:, 4:], x[..., :4, :4]
    assert not torch.allclose(vit(x), vit(swapped))
    with torch.no_grad():
        vit.E_pos.zero_()
    torch.testing.assert_close(vit(x), vit(swapped), atol=1e-6, rtol=0)


def test_mae_encoding_sees_only_the_kept_patches():
    vit = ViT(image_size=8, patch=2, d_model=16, depth=2, n_heads=2, d_ff=32, generator=_gen(0))
    x = torch.randn(3, 1, 8, 8, generator=_gen(1))
    keep = torch.stack([torch.randperm(16, generator=_gen(i))[:4] for i in range(3)])
    z = vit.encode(x, keep)
    assert z.shape == (3, 1 + 4, 16)
    # the kept tokens carry their own position embeddings
    full = vit.embed(x)
    torch.testing.assert_close(vit.embed(x, keep)[:, 1:], full[torch.arange(3)[:, None], 1 + keep])
    # pixels of masked patches cannot change the encoding
    visible = torch.zeros(3, 16, dtype=torch.bool)
    visible[torch.arange(3)[:, None], keep] = True
    mask = unpatchify(visible[..., None].float().expand(-1, -1, 4), 2, 1, (4, 4)).bool()
    noisy = torch.where(mask, x, torch.randn(x.shape, generator=_gen(9)))
    torch.testing.assert_close(vit.encode(noisy, keep), z, atol=1e-6, rtol=0)


def test_small_vit_learns_digits():
    X, y = load_digits(return_X_y=True)
    X = torch.tensor(X / 16.0, dtype=torch.float32).reshape(-1, 1, 8, 8)
    y = torch.tensor(y)
    train, test = slice(0, 1400), slice(1400, None)
    vit = ViT(
        image_size=8,
        patch=2,
        d_model=32,
        depth=2,
        n_heads=4,
        d_ff=64,
        num_classes=10,
        generator=_gen(0),
    )
    opt = torch.optim.AdamW(vit.parameters(), lr=3e-3)
    g = _gen(1)
    for _ in range(8):
        for idx in torch.randperm(1400, generator=g).split(100):
            loss = nn.functional.cross_entropy(vit(X[train][idx]), y[train][idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    with torch.no_grad():
        accuracy = (vit(X[test]).argmax(1) == y[test]).float().mean().item()
    assert accuracy > 0.85
