"""word2vec (L11): pairs and windows against a plain enumeration, subsampling and noise
against their formulas and gensim's, the negative-sampling loss against its definition."""

from __future__ import annotations

import numpy as np
import torch

from mldm.models.word2vec import (
    Word2Vec,
    cbow_windows,
    keep_probability,
    negative_sampling_loss,
    noise_distribution,
    skipgram_pairs,
)


def _loops(tokens, sentence, b):
    """Every (centre, context) by explicit loops, the lecture's enumeration (lines 4845-4858)."""
    out = []
    for t in range(len(tokens)):
        for j in range(-b[t], b[t] + 1):
            if j and 0 <= t + j < len(tokens) and sentence[t + j] == sentence[t]:
                out.append((tokens[t], tokens[t + j]))
    return sorted(out)


def test_skipgram_pairs_are_the_lecture_enumeration():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 20, 200)
    sentence = np.repeat(np.arange(20), 10)
    pairs = skipgram_pairs(tokens, sentence, 3, np.random.default_rng(1))
    b = np.random.default_rng(1).integers(1, 4, size=200)
    assert sorted(map(tuple, pairs.tolist())) == _loops(tokens, sentence, b)


def test_quick_brown_fox_window_two():
    """The slide's example: 'brown' with m = 2 predicts the, quick, fox, jumps."""
    words = "the quick brown fox jumps over the lazy dog".split()
    vocab = sorted(set(words))
    ids = np.array([vocab.index(w) for w in words])

    class Full:  # radius always m
        def integers(self, lo, hi, size):
            return np.full(size, hi - 1)

    pairs = skipgram_pairs(ids, np.zeros(len(ids), int), 2, Full())
    ctx = sorted(vocab[o] for c, o in pairs if vocab[c] == "brown")
    assert ctx == ["fox", "jumps", "quick", "the"]
    win = cbow_windows(ids, np.zeros(len(ids), int), 2, Full())
    brown = win[2]
    assert vocab[brown[-1]] == "brown"
    assert sorted(vocab[i] for i in brown[:-1] if i >= 0) == ["fox", "jumps", "quick", "the"]


def test_keep_probability_is_gensims_formula():
    counts = np.array([10_000, 1000, 10, 1])
    s = 1e-3
    f = counts / counts.sum()
    expected = np.minimum((np.sqrt(f / s) + 1) * s / f, 1)
    np.testing.assert_allclose(keep_probability(counts, s), expected)
    assert keep_probability(counts, 0).tolist() == [1, 1, 1, 1]
    assert keep_probability(counts, s)[0] < 0.5  # the frequent word is thinned


def test_noise_is_three_quarter_power():
    p = noise_distribution([16, 1])
    np.testing.assert_allclose(p.numpy(), [8 / 9, 1 / 9])


def test_scores_and_loss_match_the_definition():
    g = torch.Generator().manual_seed(0)
    m = Word2Vec(30, 8, noise_distribution(np.ones(30)), negatives=4, generator=g)
    torch.nn.init.normal_(m.W_out, generator=g)
    x = torch.tensor([[1, 2], [3, 4], [5, 6]])
    s = m(x)
    assert s.shape == (3, 5)
    np.testing.assert_allclose(
        s[:, 0].detach(), (m.U[[1, 3, 5]] * m.W_out[[2, 4, 6]]).sum(1).detach(), rtol=1e-6
    )
    loss = negative_sampling_loss(s)
    sig = torch.sigmoid
    manual = -(torch.log(sig(s[:, 0])) + torch.log(sig(-s[:, 1:])).sum(1)).mean()
    torch.testing.assert_close(loss, manual)


def test_cbow_hidden_is_mean_of_present_context():
    g = torch.Generator().manual_seed(0)
    m = Word2Vec(10, 4, noise_distribution(np.ones(10)), cbow=True, generator=g)
    h = m.hidden(torch.tensor([[1, -1, 3, -1]]))
    torch.testing.assert_close(h[0], (m.U[1] + m.U[3]).detach() / 2)


def test_cbow_gradient_is_the_mean_context_share():
    """CBOW's h is the mean of the present context vectors: each present context row gets
    dL/dh / |C_t| (once per occurrence), empty slots (-1, gathered as row 0 and masked) none."""
    g = torch.Generator().manual_seed(0)
    m = Word2Vec(10, 4, noise_distribution(np.ones(10)), 2, cbow=True, generator=g)
    torch.nn.init.normal_(m.W_out, generator=g)
    x = torch.tensor([[3, 5, -1, -1, 7], [-1, 2, 3, -1, 1]])
    h = m.hidden(x[:, :-1])
    torch.testing.assert_close(h, torch.stack([(m.U[3] + m.U[5]) / 2, (m.U[2] + m.U[3]) / 2]))
    h.retain_grad()
    negative_sampling_loss((m.W_out[x[:, -1]] * h).sum(1, keepdim=True)).backward()
    grad = m.U.grad.coalesce().to_dense()
    expected = torch.zeros_like(grad)
    for row, ctx in enumerate(([3, 5], [2, 3])):
        for w in ctx:
            expected[w] += h.grad[row] / len(ctx)
    torch.testing.assert_close(grad, expected)
    assert grad[0].abs().sum() == 0
