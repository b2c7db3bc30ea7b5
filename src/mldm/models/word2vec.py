r"""word2vec: skip-gram and CBOW, L11 course-notes lines 4800-4895.

Skip-gram (lines 4835-4868) uses the t-th word :math:`w_t` to predict the words around it,

.. math:: J(\theta) = -\frac1T \sum_{t=1}^T \sum_{-m \le j \le m, j \ne 0}
          \log P(w_{t+j} \mid w_t; \theta), \qquad
          P(o \mid c) = \frac{\exp(u_c^\top v_o)}{\sum_{w \in \mathcal V} \exp(u_c^\top v_w)}

(line 4862). The lecture writes one embedding :math:`u_w` on both sides; word2vec (Mikolov et
al. 2013) and gensim, the oracle, keep two, the input vector :math:`u_w` (the embedding
reported) and an output vector :math:`v_w`, which we follow. The sum over :math:`\mathcal V` in
the softmax costs :math:`|\mathcal V|` per pair; negative sampling (Mikolov et al.) replaces
:math:`\log P(o \mid c)` by

.. math:: \log \sigma(u_c^\top v_o) + \sum_{k=1}^K \log \sigma(-u_c^\top v_{n_k}),
          \qquad n_k \sim P_n(w) \propto \mathrm{count}(w)^{3/4},

and frequent words are subsampled: each occurrence of :math:`w` is kept with probability
:math:`(\sqrt{f_w/s} + 1)\, s / f_w` (``sample`` :math:`s`, :math:`f_w` the word's share of
the corpus; gensim's form). The window is word2vec's dynamic one: for each centre a radius
:math:`b_t` uniform in :math:`1..m`, so near words count more.

CBOW (lines 4884-4888) predicts the centre from the mean of its context's input vectors,
:math:`h = \frac{1}{|C_t|} \sum_{j \in C_t} u_{w_{t+j}}`, with the same negative sampling on
:math:`h^\top v_{w_t}`.

Pairs and windows are built with one gather per offset :math:`j` (2m of them), negatives are
drawn per batch inside :meth:`Word2Vec.forward`; a batch is one tensor op per step.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F  # noqa: N812

__all__ = [
    "Word2Vec",
    "cbow_windows",
    "keep_probability",
    "negative_sampling_loss",
    "noise_distribution",
    "skipgram_pairs",
    "subsample",
]


def keep_probability(counts: np.ndarray, sample: float) -> np.ndarray:
    """P(keep an occurrence of w) = (√(f_w/s) + 1)·s/f_w, capped at 1 (``sample`` = 0: keep
    all)."""
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    threshold = sample * counts.sum()
    return np.minimum((np.sqrt(counts / threshold) + 1) * threshold / counts, 1.0)


def subsample(tokens, sentence, keep: np.ndarray, rng: np.random.Generator):
    """Drop each occurrence of w with probability 1 - keep[w] (before windows are cut, as
    word2vec does: a dropped word brings its neighbours closer)."""
    tokens, sentence = np.asarray(tokens), np.asarray(sentence)
    kept = rng.random(len(tokens)) < keep[tokens]
    return tokens[kept], sentence[kept]


def _radii(n: int, window: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(1, window + 1, size=n)  # word2vec's dynamic window b_t ∈ 1..m


def skipgram_pairs(tokens, sentence, window: int, rng: np.random.Generator) -> np.ndarray:
    """(P, 2) pairs (centre w_t, context w_{t+j}) for 0 < |j| <= b_t within a sentence."""
    tokens, sentence = np.asarray(tokens), np.asarray(sentence)
    n, b = len(tokens), _radii(len(tokens), window, rng)
    t = np.arange(n)
    parts = []
    for j in [*range(-window, 0), *range(1, window + 1)]:  # 2m offsets, not the samples
        src = t[(t + j >= 0) & (t + j < n)]
        ok = (abs(j) <= b[src]) & (sentence[src] == sentence[src + j])
        parts.append(np.stack([tokens[src[ok]], tokens[src[ok] + j]], 1))
    return np.concatenate(parts).astype(np.int64)


def cbow_windows(tokens, sentence, window: int, rng: np.random.Generator) -> np.ndarray:
    """(N', 2m + 1): each centre's context ids (-1 where there is none) and, last, the centre;
    centres without any context are dropped."""
    tokens, sentence = np.asarray(tokens), np.asarray(sentence)
    n, b = len(tokens), _radii(len(tokens), window, rng)
    t = np.arange(n)
    cols = []
    for j in [*range(-window, 0), *range(1, window + 1)]:
        s = np.clip(t + j, 0, n - 1)
        ok = (t + j >= 0) & (t + j < n) & (abs(j) <= b) & (sentence[s] == sentence)
        cols.append(np.where(ok, tokens[s], -1))
    ctx = np.stack(cols, 1)
    has = (ctx >= 0).any(1)
    return np.concatenate([ctx[has], tokens[has, None]], 1).astype(np.int64)


def noise_distribution(counts, exponent: float = 0.75) -> Tensor:
    """P_n(w) ∝ count(w)^{3/4}."""
    p = torch.as_tensor(np.asarray(counts, dtype=np.float64)) ** exponent
    return p / p.sum()


def negative_sampling_loss(scores: Tensor, _y: Tensor | None = None) -> Tensor:
    """-[log σ(s_pos) + Σ_k log σ(-s_neg_k)], mean over the batch; ``scores`` (B, 1 + K) with
    the true pair's score first (what :meth:`Word2Vec.forward` returns)."""
    return -(F.logsigmoid(scores[:, 0]) + F.logsigmoid(-scores[:, 1:]).sum(1)).mean()


class Word2Vec(nn.Module):
    """Input vectors ``U`` (V, d) and output vectors ``W_out`` (V, d) of skip-gram or CBOW.

    ``forward(x)``: ``x`` (B, C + 1) int, the input side (a centre for skip-gram, C = 1; the
    2m context slots for CBOW, -1 = empty) then the target; returns (B, 1 + K) scores
    :math:`h^\\top v_{target}` and :math:`h^\\top v_{n_k}` for K negatives drawn from
    ``noise`` (with ``generator``, so a seeded run is repeatable). Init as word2vec:
    :math:`u \\sim U(\\pm 0.5/d)`, :math:`v = 0`. Sparse gradients (``torch.optim.SparseAdam``):
    a step touches only the rows in its batch.
    """

    def __init__(
        self,
        V: int,
        d: int,
        noise: Tensor,
        negatives: int = 5,
        cbow: bool = False,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.cbow, self.K = cbow, negatives
        self.U = nn.Parameter((torch.rand(V, d, generator=generator) - 0.5) / d)
        self.W_out = nn.Parameter(torch.zeros(V, d))
        self.register_buffer("noise", noise.float())
        self.generator = torch.Generator().manual_seed(
            int(torch.randint(2**31, (1,), generator=generator))
        )

    def hidden(self, inputs: Tensor) -> Tensor:
        """h: the centre's u (skip-gram), the mean of the context's u (CBOW)."""
        if not self.cbow:
            return F.embedding(inputs[:, 0], self.U, sparse=True)
        mask = (inputs >= 0).unsqueeze(-1).to(self.U.dtype)
        u = F.embedding(inputs.clamp(min=0), self.U, sparse=True) * mask
        return u.sum(1) / mask.sum(1).clamp(min=1)

    def forward(self, x: Tensor) -> Tensor:
        h = self.hidden(x[:, :-1])  # (B, d)
        neg = torch.multinomial(self.noise, len(x) * self.K, True, generator=self.generator)
        out = torch.cat([x[:, -1:], neg.view(len(x), self.K).to(x.device)], 1)  # (B, 1 + K)
        v = F.embedding(out, self.W_out, sparse=True)  # (B, 1 + K, d)
        return (v * h.unsqueeze(1)).sum(-1)  # h^T v per slot (einsum -> bmm of 1xd blocks is slow)

    @property
    def vectors(self) -> np.ndarray:
        """The embeddings u_w (V, d), the vectors whose cosines the lecture compares."""
        return self.U.detach().cpu().numpy()
