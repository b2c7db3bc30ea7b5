"""Sentence embeddings and the ELMo biLM (L11): TextCNN's convolutions against
``F.conv1d``, the RNN sentence encoder against ``nn.RNN`` with copied weights, our LSTM
against ``nn.LSTM`` with copied weights, the biLM's shifts and reversals against loops."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from mldm.models.elmo import LSTM, BiLM, ScalarMix, bilm_loss, reverse_padded
from mldm.models.sentence import (
    RNNSentence,
    TextCNN,
    compact,
    concat_embedding,
    mean_embedding,
)


def _ids(n=6, T=9, V=20, seed=0):
    g = np.random.default_rng(seed)
    ids = g.integers(1, V, (n, T))
    lengths = g.integers(1, T + 1, n)
    lengths[0] = T
    ids[np.arange(T) >= lengths[:, None]] = 0
    return ids, lengths


def test_mean_and_concat_against_loops():
    E = np.random.default_rng(1).normal(size=(20, 4))
    ids, lengths = _ids()
    M = mean_embedding(E, ids)
    C = concat_embedding(E, ids, 5)
    for r in range(len(ids)):
        words = ids[r, : lengths[r]]
        np.testing.assert_allclose(M[r], E[words].mean(0))
        want = np.zeros((5, 4))
        k = min(5, lengths[r])
        want[:k] = E[words[:k]]
        np.testing.assert_allclose(C[r], want.ravel())


def test_compact_keeps_order_and_drops():
    ids = np.array([[3, 1, 4, 0, 0], [5, 9, 2, 6, 0]])
    keep = np.ones(10, bool)
    keep[[1, 9]] = False
    np.testing.assert_array_equal(compact(ids, keep), [[3, 4, 0, 0, 0], [5, 2, 6, 0, 0]])


def test_textcnn_features_are_conv1d_max_over_time():
    torch.manual_seed(0)
    E = np.random.default_rng(2).normal(size=(20, 4)).astype(np.float32)
    E[0] = 0
    ids, lengths = _ids(T=10)
    model = TextCNN(E, widths=(2, 3), filters=5)
    got = model.features(torch.as_tensor(ids))
    x = torch.as_tensor(E)[torch.as_tensor(ids)].transpose(1, 2)  # (n, d, T)
    for w_i, (k, W, b) in enumerate(zip(model.widths, model.W, model.b, strict=True)):
        kernel = W.detach().reshape(5, k, 4).transpose(1, 2)  # (F, d, k)
        c = torch.relu(F.conv1d(x, kernel, b.detach()))  # (n, F, T-k+1)
        for r in range(len(ids)):
            last = max(lengths[r] - k + 1, 1)
            want = c[r, :, :last].amax(1)
            torch.testing.assert_close(got[r, w_i * 5 : (w_i + 1) * 5], want)


def test_rnn_sentence_is_torch_rnn_at_the_last_word():
    torch.manual_seed(0)
    E = np.random.default_rng(3).normal(size=(20, 4)).astype(np.float32)
    ids, lengths = _ids()
    model = RNNSentence(E, hidden=6)
    ref = torch.nn.RNN(4, 6, batch_first=True)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(model.rnn.W_xh)
        ref.weight_hh_l0.copy_(model.rnn.W_hh)
        ref.bias_ih_l0.copy_(model.rnn.b_h)
        ref.bias_hh_l0.zero_()
    got = model.features(torch.as_tensor(ids))
    for r in range(len(ids)):
        x = torch.as_tensor(E)[torch.as_tensor(ids[r, : lengths[r]])][None]
        want = ref(x)[0][0, -1]
        torch.testing.assert_close(got[r], want)


@pytest.mark.parametrize(("N", "T", "D", "H"), [(3, 7, 4, 5), (1, 1, 2, 3)])
def test_lstm_matches_torch_outputs_and_gradients(N, T, D, H):
    torch.manual_seed(0)
    ours = LSTM(D, H)
    ref = torch.nn.LSTM(D, H, batch_first=True)
    with torch.no_grad():
        ref.weight_ih_l0.copy_(ours.W)
        ref.weight_hh_l0.copy_(ours.U)
        ref.bias_ih_l0.copy_(ours.b)
        ref.bias_hh_l0.zero_()
    x = torch.randn(N, T, D)
    a, b = ours(x), ref(x)[0]
    torch.testing.assert_close(a, b)
    a.square().sum().backward()
    b.square().sum().backward()
    torch.testing.assert_close(ours.W.grad, ref.weight_ih_l0.grad)
    torch.testing.assert_close(ours.U.grad, ref.weight_hh_l0.grad)


def test_reverse_padded_reverses_each_row_in_place():
    x = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0]])
    torch.testing.assert_close(
        reverse_padded(x, torch.tensor([3, 2])), torch.tensor([[3, 2, 1, 0], [5, 4, 0, 0]])
    )


def test_bilm_backward_states_are_a_right_to_left_lstm():
    torch.manual_seed(0)
    ids, lengths = _ids(V=15)
    model = BiLM(15, hidden=4, layers=2)
    fs, bs, x = model.states(torch.as_tensor(ids))
    for r in range(len(ids)):
        n = lengths[r]
        seq = model.embed(torch.as_tensor(ids[r, :n]))[None]
        f = model.fwd[1](model.fwd[0](seq))
        b = model.bwd[1](model.bwd[0](seq.flip(1))).flip(1)
        torch.testing.assert_close(fs[1][r, :n], f[0])
        torch.testing.assert_close(bs[1][r, :n], b[0])
    R = model.representations(torch.as_tensor(ids))
    assert R.shape == (3, len(ids), ids.shape[1], 8)
    torch.testing.assert_close(R[0][..., :4], R[0][..., 4:])


@pytest.mark.parametrize("cutoffs", [(), (3, 6)])
def test_bilm_loss_predicts_neighbours_and_ignores_padding(cutoffs):
    torch.manual_seed(0)
    ids = torch.tensor([[3, 4, 5, 0], [6, 7, 8, 9]])
    model = BiLM(10, hidden=16, layers=1, cutoffs=cutoffs)
    nll, tgt = model(ids)
    torch.testing.assert_close(tgt[0], torch.tensor([[4, 5, -100], [7, 8, 9]]))
    torch.testing.assert_close(tgt[1], torch.tensor([[3, 4, -100], [6, 7, 8]]))
    fs, bs, _ = model.states(ids)
    # the full distributions: softmax of the linear read-out, or the adaptive softmax's own
    nxt, prv = model.log_prob(fs[-1][:, :-1]), model.log_prob(bs[-1][:, 1:])
    torch.testing.assert_close(nxt.exp().sum(-1), torch.ones(2, 3))
    if not cutoffs:
        torch.testing.assert_close(nxt, F.log_softmax(model.out(fs[-1][:, :-1]), -1))
    fwd = -(
        nxt[0, :2].gather(1, torch.tensor([[4], [5]])).sum() + nxt[1, [0, 1, 2], [7, 8, 9]].sum()
    )
    bwd = -(
        prv[0, :2].gather(1, torch.tensor([[3], [4]])).sum() + prv[1, [0, 1, 2], [6, 7, 8]].sum()
    )
    torch.testing.assert_close(bilm_loss((nll, tgt)), (fwd + bwd) / 10)
    assert (nll[tgt == -100] == 0).all()


def test_scalar_mix_is_softmax_weighted_sum():
    R = torch.randn(3, 2, 5)
    mix = ScalarMix(3)
    torch.testing.assert_close(mix(R), R.mean(0))
    with torch.no_grad():
        mix.a.copy_(torch.tensor([0.0, 1.0, 2.0]))
        mix.gamma.fill_(2.0)
    s = torch.softmax(torch.tensor([0.0, 1.0, 2.0]), 0)
    torch.testing.assert_close(mix(R), 2 * (s[:, None, None] * R).sum(0))


def test_bilm_refuses_a_tail_cluster_too_narrow_to_project_to():
    with pytest.raises(ValueError, match="too narrow for 2 tail clusters"):
        BiLM(10, hidden=8, cutoffs=(3, 6))  # the second tail would get 8 // 16 = 0 dims
