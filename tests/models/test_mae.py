"""MAE (L10): the three mask samplers, the encoder seeing only visible patches (no mask token,
its output blind to the hidden pixels), and the loss on masked patches only."""

from __future__ import annotations

import pytest
import torch

from mldm.models import MAE, ViT
from mldm.models.mae import block_masking, grid_masking, random_masking
from mldm.models.vit import patchify


def _g(seed=0):
    return torch.Generator().manual_seed(seed)


def _partition(keep, masked, n_patches):
    both = torch.cat([keep, masked], 1).sort(1).values
    assert torch.equal(both, torch.arange(n_patches).expand_as(both))


def test_random_masking_hides_the_ratio_uniformly():
    keep, masked = random_masking(500, 16, 0.75, _g())
    assert keep.shape == (500, 4) and masked.shape == (500, 12)
    _partition(keep, masked, 16)
    assert len({tuple(r) for r in keep.tolist()}) > 400  # a fresh draw per image
    share = torch.bincount(keep.flatten(), minlength=16) / 500
    assert share.min() > 0.15 and share.max() < 0.35  # each patch visible ~1/4 of the time


def test_block_and_grid_masking():
    keep, masked = block_masking(50, 4, 0.5, _g())
    _partition(keep, masked, 16)
    assert masked.shape[1] == 9  # a 3×3 block (round(√8) = 3)
    r, c = masked // 4, masked % 4
    assert ((r.max(1).values - r.min(1).values) == 2).all()
    assert ((c.max(1).values - c.min(1).values) == 2).all()
    keep, masked = grid_masking(3, 4)
    assert keep.tolist() == [[0, 2, 8, 10]] * 3
    with pytest.raises(ValueError, match="0.75"):
        grid_masking(3, 4, 0.5)


def _mae(**kw):
    torch.manual_seed(0)
    return MAE(ViT(image_size=12, patch=3, d_model=16, depth=2, n_heads=2, d_ff=32), 8, 1, 2, **kw)


def test_encoder_never_sees_the_masked_patches():
    mae = _mae().eval()
    x = torch.rand(4, 1, 12, 12, generator=_g())
    keep, masked = random_masking(4, 16, 0.75, _g(1))
    # change every hidden patch's pixels: the encoder's output on the visible ones is the same
    p = patchify(x, 3)
    noise = torch.rand(p.shape, generator=_g(2))
    hidden = torch.zeros(4, 16, dtype=torch.bool).scatter(1, masked, True)
    x2 = torch.where(hidden[..., None], noise, p).reshape(4, 4, 4, 3, 3).permute(0, 1, 3, 2, 4)
    x2 = x2.reshape(4, 1, 12, 12)
    assert not torch.equal(x, x2)
    torch.testing.assert_close(mae.encoder.encode(x, keep), mae.encoder.encode(x2, keep))
    assert mae.encoder.encode(x, keep).shape == (4, 1 + 4, 16)  # class token + 4 visible


def test_loss_is_mse_on_masked_patches_only():
    mae = _mae().eval()
    x = torch.rand(3, 1, 12, 12, generator=_g())
    keep, masked = random_masking(3, 16, 0.75, _g(1))
    with torch.no_grad():
        pred = mae.reconstruct(x, keep)
        target = patchify(x, 3)
        for i in range(3):  # row by row, as the lecture states it
            ref = ((pred[i, masked[i]] - target[i, masked[i]]) ** 2).mean()
            torch.testing.assert_close(mae.loss_at(x, keep, masked)[i], ref)
    assert pred.shape == (3, 16, 9)
    v, r = mae.show(x, _g(3))
    assert v.shape == r.shape == x.shape
    with pytest.raises(ValueError, match="mask"):
        _mae(mask="checker")


def test_mae_trains_and_masks_by_kind():
    for kind in ("random", "block", "grid"):
        mae = _mae(mask=kind)
        loss = mae(torch.rand(5, 1, 12, 12, generator=_g()))
        assert loss.shape == (5,) and torch.isfinite(loss).all()
        loss.mean().backward()
        assert mae.encoder.E.grad is not None and mae.mask_token.grad is not None
