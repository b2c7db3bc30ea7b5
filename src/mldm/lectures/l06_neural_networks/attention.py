"""Self-attention softmax(QKᵀ/√d_k)V and a Transformer encoder block from the formulas
(lines 2520-2570), each against torch.nn with the same weights. Evaluate only."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def evaluate(ctx: Context) -> None:
    import torch
    from torch import nn

    from mldm.models.attention import MultiHeadSelfAttention, TransformerEncoderBlock

    ctx.seeded(12)
    x = torch.randn(3, 7, 16, dtype=torch.float64)
    mask = torch.zeros(3, 7, dtype=torch.bool)
    mask[0, 5:] = True
    theirs = nn.MultiheadAttention(16, 4, batch_first=True).double().eval()
    ours = MultiHeadSelfAttention(16, 4).double()
    ours.load_torch(theirs)
    o, w = ours(x, key_padding_mask=mask)
    t, tw = theirs(x, x, x, key_padding_mask=mask)
    ctx.measure(
        "attention_matches_torch",
        max(float((o - t).abs().max()), float((w - tw).abs().max())),
    )
    layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True).double().eval()
    block = TransformerEncoderBlock(16, 4, 32).double().eval()
    block.load_torch(layer)
    with torch.no_grad():
        ctx.measure("transformer_block_matches_torch", float((block(x) - layer(x)).abs().max()))
