"""L12 CLIP and BLIP (course notes lines 5290-5440) against torch.nn: the symmetric
contrastive loss against a direct cross-entropy, cross-attention against
nn.MultiheadAttention with copied weights, the bag-of-words likelihood against BCE, the
ITM negatives' mining."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from mldm.models.blip import BLIP, MultiHeadAttention, itm_negatives, no_negatives
from mldm.models.clip import (
    CLIP,
    TextTransformer,
    bag_of_words,
    bag_of_words_log_likelihood,
    contrastive_loss,
)


def test_contrastive_loss_is_mean_of_row_and_column_cross_entropy():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(7, 7, generator=g, dtype=torch.float64) * 3
    labels = torch.arange(7)
    ref = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
    assert contrastive_loss(logits).item() == pytest.approx(ref.item(), rel=1e-12)
    # not symmetric in general: rows and columns both count
    assert F.cross_entropy(logits, labels).item() != pytest.approx(ref.item(), rel=1e-3)


def test_clip_logits_are_scaled_cosines_and_temperature_learns():
    torch.manual_seed(0)
    enc = nn.Sequential(nn.Flatten(), nn.Linear(12, 8))
    clip = CLIP(enc, TextTransformer(10, 16, 2, 32, 1, 6), d_image=8, d_embed=5)
    x = torch.randn(4, 3, 2, 2)
    tok = torch.tensor([[1, 4, 5, 2, 0, 0]] * 2 + [[1, 6, 2, 0, 0, 0]] * 2)
    logits = clip(x, tok)
    i = F.normalize(clip.W_i(enc(x)), dim=-1)
    t = F.normalize(clip.W_t(clip.text_encoder.pool(tok)), dim=-1)
    assert torch.allclose(logits, (1 / 0.07) * i @ t.T, atol=1e-5)
    contrastive_loss(logits).backward()
    assert clip.t.grad is not None and clip.t.grad.abs() > 0


def test_padding_does_not_change_the_text_feature():
    torch.manual_seed(1)
    enc = TextTransformer(10, 16, 2, 32, 2, 8).eval()
    a = enc.pool(torch.tensor([[1, 4, 5, 2]]))
    b = enc.pool(torch.tensor([[1, 4, 5, 2, 0, 0, 0, 0]]))
    assert torch.allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("causal", [False, True])
def test_cross_attention_matches_torch_multihead(causal):
    torch.manual_seed(2)
    d, d_c, h = 16, 12, 4
    ref = nn.MultiheadAttention(d, h, kdim=d_c, vdim=d_c, batch_first=True)
    nn.init.normal_(ref.in_proj_bias)
    ours = MultiHeadAttention(d, h, d_c).load_torch(ref)
    x, c = torch.randn(3, 5, d), torch.randn(3, 7, d_c)
    want, _ = ref(x, c, c, need_weights=False)
    assert torch.allclose(ours(x, c), want, atol=1e-5)
    # self-attention with a causal mask (the decoder): torch's mask says True = blocked
    ref_s = nn.MultiheadAttention(d, h, batch_first=True)
    nn.init.normal_(ref_s.in_proj_bias)
    mine = MultiHeadAttention(d, h).load_torch(ref_s)
    keep = torch.ones(5, 5, dtype=torch.bool).tril() if causal else torch.ones(5, 5).bool()
    want, _ = ref_s(x, x, x, attn_mask=~keep, need_weights=False)
    assert torch.allclose(mine(x, x, keep), want, atol=1e-5)


def test_bag_of_words_likelihood_is_minus_bce():
    g = torch.Generator().manual_seed(3)
    s = torch.randn(4, 9, generator=g, dtype=torch.float64)
    tok = torch.tensor([[1, 3, 4, 2, 0], [1, 5, 5, 8, 2]])
    bags = bag_of_words(tok, 9).double()
    ll = bag_of_words_log_likelihood(s, bags)
    for i in range(4):
        for j in range(2):
            ref = -F.binary_cross_entropy_with_logits(s[i, 3:], bags[j, 3:], reduction="sum")
            assert ll[i, j].item() == pytest.approx(ref.item(), rel=1e-12)
    assert bags[1].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 1]


def test_itm_negatives_never_the_positive_and_hard_follow_similarity():
    g = torch.Generator().manual_seed(4)
    sim = torch.zeros(6, 6)
    sim[torch.arange(6), (torch.arange(6) + 1) % 6] = 30.0  # one near-duplicate per row
    hard = torch.stack([itm_negatives(sim, True, g) for _ in range(50)])
    rand = torch.stack([itm_negatives(sim, False, g) for _ in range(50)])
    assert (hard != torch.arange(6)).all() and (rand != torch.arange(6)).all()
    assert (hard == (torch.arange(6) + 1) % 6).float().mean() > 0.99
    assert (rand == (torch.arange(6) + 1) % 6).float().mean() < 0.5
    same = torch.zeros(6, 6, dtype=torch.bool)
    same[torch.arange(6), (torch.arange(6) + 1) % 6] = True  # the near-duplicate is the caption
    banned = torch.stack([itm_negatives(sim, True, g, same) for _ in range(50)])
    assert (banned != (torch.arange(6) + 1) % 6).all() and (banned != torch.arange(6)).all()


def test_no_negatives_excludes_paraphrases_and_true_descriptions_of_the_image():
    # image 0 shows scene 7 but its caption is corrupted (says 3); text 1 says 7: no negative
    meaning = torch.tensor([[3, 7], [7, 7], [3, 3], [5, 5]])
    same = no_negatives(torch.zeros(4, 2, dtype=torch.long), meaning)
    assert same[0, 1] and same[0, 2] and not same[0, 3]  # true description, paraphrase, other
    assert same[2, 0] and not same[1, 0] and not same[3, 0]
    g = torch.Generator().manual_seed(0)
    sim = torch.zeros(4, 4)
    sim[0, 1] = 30.0  # ITC finds the true description of image 0 first
    neg = torch.stack([itm_negatives(sim, True, g, same)[0] for _ in range(50)])
    assert (neg == 3).all()
    one = no_negatives(torch.zeros(4, 2, dtype=torch.long), meaning[:, 0])
    assert torch.equal(one, meaning[:, None, 0] == meaning[None, :, 0])


def test_blip_losses_and_greedy_captions_shapes():
    torch.manual_seed(5)

    class Tokens(nn.Module):  # a stand-in image encoder: 4 tokens of 8 features
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(3, 8)

        def forward(self, x):
            return self.lin(x.flatten(2).transpose(1, 2))

    enc = Tokens()
    clip = CLIP(lambda x: enc(x)[:, 0], TextTransformer(12, 16, 2, 32, 1, 8), 8, 6)
    clip.add_module("enc", enc)
    blip = BLIP(clip, enc, d_image=8, n_heads=2, d_ff=32, n_layers=1, max_len=8)
    x = torch.randn(5, 3, 2, 2)
    tok = torch.tensor([[1, 4, 5, 2, 0, 0]] * 5)
    loss = blip(x, tok)
    loss.backward()
    assert torch.isfinite(loss) and blip.itm_head.weight.grad is not None
    caps = blip.generate(x, 6)
    assert caps.shape == (5, 6) and (caps[:, 0] == 1).all()
    ll = blip.lm_log_likelihood(tok, enc(x))
    assert ll.shape == (5,) and (ll < 0).all()
