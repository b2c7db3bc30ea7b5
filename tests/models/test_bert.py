"""The small BERT (L11): mlm_mask's statistics against the lecture's 15% / 80-10-10 and
against transformers' DataCollatorForLanguageModeling; the encoder's pieces against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mldm.models.bert import (
    IGNORE,
    Bert,
    BertClassifier,
    BertPretraining,
    BertTagger,
    mlm_mask,
    pretraining_loss,
    token_loss,
)

SPECIAL = (0, 1, 2, 3, 4)  # [PAD] [UNK] [CLS] [SEP] [MASK]
V = 50


def _batch(n=2000, T=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, V, (n, T), generator=g)
    ids[:, 0], ids[:, -1], ids[:, T // 2] = 2, 3, 3  # [CLS] ... [SEP] ... [SEP]
    ids[: n // 2, -5:-1] = 0  # padding
    return ids


def _rates(ids, inputs, labels):
    chosen = labels != IGNORE
    ordinary = ~torch.isin(ids, torch.tensor(SPECIAL))
    return {
        "chosen": float(chosen.sum() / ordinary.sum()),
        "mask": float((inputs[chosen] == 4).float().mean()),
        "kept": float((inputs[chosen] == ids[chosen]).float().mean()),
        "specials_chosen": int((chosen & ~ordinary).sum()),
    }


def test_mlm_mask_rates_are_the_lectures():
    ids = _batch()
    inputs, labels = mlm_mask(ids, 4, V, SPECIAL, torch.Generator().manual_seed(1))
    r = _rates(ids, inputs, labels)
    n = int((labels != IGNORE).sum())
    assert r["specials_chosen"] == 0
    assert abs(r["chosen"] - 0.15) < 4 * np.sqrt(0.15 * 0.85 / (ids.numel() * 0.8))
    assert abs(r["mask"] - 0.8) < 4 * np.sqrt(0.16 / n)
    # kept: 10% unchanged + random draws that hit the same id (1/45 of the 10%)
    assert abs(r["kept"] - (0.1 + 0.1 / (V - 5))) < 4 * np.sqrt(0.09 / n)
    chosen = labels != IGNORE
    assert torch.equal(labels[chosen], ids[chosen]) and torch.equal(inputs[~chosen], ids[~chosen])
    rand = chosen & (inputs != 4) & (inputs != ids)
    assert not torch.isin(inputs[rand], torch.tensor(SPECIAL)).any()  # random ids are words


def test_mlm_mask_is_repeatable_by_generator():
    ids = _batch(50)
    a = mlm_mask(ids, 4, V, SPECIAL, torch.Generator().manual_seed(3))
    b = mlm_mask(ids, 4, V, SPECIAL, torch.Generator().manual_seed(3))
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_mlm_mask_matches_transformers_collator_statistics():
    """DataCollatorForLanguageModeling (the HF implementation of the same rule) on the same
    batch: the same rates within sampling error."""
    from transformers import DataCollatorForLanguageModeling

    class Tok:  # the few attributes the collator reads
        mask_token, mask_token_id, pad_token_id, _pad_token = "[MASK]", 4, 0, "[PAD]"

        def __len__(self):
            return V

        def get_special_tokens_mask(self, ids, already_has_special_tokens=True):
            return [int(i in SPECIAL) for i in ids]

        def convert_tokens_to_ids(self, t):
            return 4

    ids = _batch(seed=5)
    torch.manual_seed(0)
    col = DataCollatorForLanguageModeling(Tok(), mlm_probability=0.15, return_tensors="pt")
    hf_inputs, hf_labels = col.torch_mask_tokens(ids.clone())
    ours = _rates(ids, *mlm_mask(ids, 4, V, SPECIAL, torch.Generator().manual_seed(5)))
    theirs = _rates(ids, hf_inputs, hf_labels)
    assert ours["chosen"] == pytest.approx(theirs["chosen"], abs=0.005)
    assert ours["mask"] == pytest.approx(theirs["mask"], abs=0.02)
    assert ours["specials_chosen"] == theirs["specials_chosen"] == 0


def test_embeddings_are_the_sum_of_three():
    torch.manual_seed(0)
    b = Bert(V, 16, 2, 32, 1, max_len=8, dropout=0.0).eval()
    ids = torch.tensor([[2, 7, 8, 3, 9, 3, 0, 0]])
    seg = torch.tensor([[0, 0, 0, 0, 1, 1, 0, 0]])
    x = b.token.weight[ids] + b.segment.weight[seg] + b.PE[:8]
    ln = torch.nn.functional.layer_norm(x, (16,), b.ln.γ, b.ln.β)
    torch.testing.assert_close(b.embed(ids, seg), ln)


def test_padding_does_not_change_outputs():
    torch.manual_seed(0)
    b = Bert(V, 16, 2, 32, 2, max_len=8, dropout=0.0).eval()
    ids = torch.tensor([[2, 7, 8, 3, 9, 3, 0, 0]])
    seg = torch.tensor([[0, 0, 0, 0, 1, 1, 0, 0]])
    ids2 = ids.clone()
    ids2[0, 6:] = 0
    torch.testing.assert_close(b(ids, seg)[:, :6], b(ids2, seg)[:, :6])
    torch.testing.assert_close(b(ids, seg)[:, :6], b(ids[:, :6], seg[:, :6]))


def test_pretraining_loss_is_mlm_plus_nsp_cross_entropy():
    torch.manual_seed(0)
    model = BertPretraining(Bert(V, 16, 2, 32, 1, max_len=8, dropout=0.0)).eval()
    ids = torch.randint(5, V, (3, 8))
    labels = torch.full_like(ids, IGNORE)
    labels[:, 2] = ids[:, 2]
    x = torch.cat([ids, torch.zeros_like(ids), labels], 1)
    out = model(x)
    h = model.bert(ids, torch.zeros_like(ids))
    logits = h[:, 2] @ model.bert.token.weight.T + model.mlm_bias
    torch.testing.assert_close(out[0], logits)
    y = torch.tensor([0, 1, 1])
    expected = torch.nn.functional.cross_entropy(
        logits, ids[:, 2]
    ) + torch.nn.functional.cross_entropy(model.nsp(h[:, 0]), y)
    torch.testing.assert_close(pretraining_loss(out, y), expected)
    assert BertClassifier(model.bert, 2)(torch.cat([ids, torch.zeros_like(ids)], 1)).shape == (3, 2)


def test_tagger_is_one_linear_head_per_token_and_token_loss_skips_ignored():
    """BertTagger: the same linear map on every token's output (line 5116); token_loss: the
    mean cross-entropy over labelled tokens, as torch's CrossEntropyLoss(ignore_index) does."""
    torch.manual_seed(0)
    bert = Bert(V, 16, 2, 32, 1, 12).eval()
    tagger = BertTagger(bert, 3).eval()
    ids = _batch(4, 12)
    x = torch.cat([ids, torch.zeros_like(ids)], 1)
    z = tagger(x)
    assert z.shape == (4, 12, 3)
    h = bert(ids, torch.zeros_like(ids))
    torch.testing.assert_close(z, h @ tagger.head.weight.T + tagger.head.bias)
    y = torch.randint(0, 3, (4, 12))
    y[:, ::3] = IGNORE
    oracle = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)(z.permute(0, 2, 1), y)
    torch.testing.assert_close(token_loss(z, y), oracle)
    kept = y != IGNORE
    manual = -z.log_softmax(-1)[kept].gather(1, y[kept][:, None]).mean()
    torch.testing.assert_close(token_loss(z, y), manual)
