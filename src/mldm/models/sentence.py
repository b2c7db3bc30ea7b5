r"""Sentence embeddings from word embeddings: L11, course-notes lines 4869-4906.

A sentence is a row of word ids (``(n, T)``, id 0 the padding, real words first); ``E`` is a
``(V, d)`` table of word vectors whose row 0 (the padding) is not a word. The lecture's four
ways (line 4872: "sentence embeddings can be obtained from word embeddings in many ways"):

1. **average** (lines 4874-4882): :math:`s = \frac1T \sum_{t=1}^T u_{w_t}` (the slide's
   "Average" row of "coffee or tea ?");
2. **concatenation** (lines 4884-4891): :math:`s = [u_{w_1}; u_{w_2}; \dots; u_{w_T}]`, a
   ``T·d`` vector (here the first ``length`` words, zeros after the sentence's end);
3. **TextCNN** (lines 4896-4900; Kim 2014): for each width :math:`k` and filter
   :math:`f`, :math:`c_{f,i} = \mathrm{ReLU}(w_f^\top [u_{w_i}; \dots; u_{w_{i+k-1}}] + b_f)`
   over the windows of the sentence, max-over-time pooling :math:`\hat c_f = \max_i c_{f,i}`,
   the :math:`\hat c` of all widths concatenated and read out linearly;
4. **RNN** (lines 4902-4906): the lecture-6 vanilla RNN
   :math:`h_t = \tanh(W_{hh} h_{t-1} + W_{xh} u_{w_t} + b_h)` over the words,
   :math:`s = h_T` at the sentence's last word, read out linearly.

"The parameters of the CNN / RNN are optimized with the downstream task" (lines 4900, 4906):
:class:`TextCNN` and :class:`RNNSentence` are trained end to end with their linear head, the
word vectors ``E`` frozen (the word2vec vectors are what the four ways share).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn
from torch.nn import functional as F

from mldm.models.sequence import RNN

__all__ = ["RNNSentence", "TextCNN", "compact", "concat_embedding", "mean_embedding"]


def compact(ids: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Rows of ids with the words where ``keep[id]`` is False dropped and the rest moved to the
    front (order kept), padded with 0: one stable sort per row, no loop over rows."""
    ids = np.asarray(ids)
    ok = keep[ids] & (ids != 0)
    order = np.argsort(~ok, axis=1, kind="stable")  # kept words first, in order
    out = np.take_along_axis(np.where(ok, ids, 0), order, axis=1)
    return out


def mean_embedding(E, ids) -> np.ndarray:
    """(n, d): :math:`\\frac1T \\sum_t u_{w_t}` over each row's words (id 0 is padding and
    not counted); a row without words gets the zero vector."""
    E, ids = np.asarray(E, dtype=np.float64), np.asarray(ids)
    mask = (ids != 0)[..., None]
    total = (E[ids] * mask).sum(1)
    return total / np.maximum(mask.sum(1), 1)


def concat_embedding(E, ids, length: int) -> np.ndarray:
    """(n, length·d): :math:`[u_{w_1}; \\dots; u_{w_{length}}]` of each row's first ``length``
    positions, the padding's positions zero."""
    E, ids = np.asarray(E, dtype=np.float64), np.asarray(ids)[:, :length]
    if ids.shape[1] < length:
        ids = np.pad(ids, ((0, 0), (0, length - ids.shape[1])))
    X = E[ids] * (ids != 0)[..., None]
    return X.reshape(len(ids), -1)


def _frozen_embedding(E) -> nn.Embedding:
    E = torch.as_tensor(np.asarray(E), dtype=torch.float32)
    return nn.Embedding.from_pretrained(E, freeze=True, padding_idx=0)


def _lengths(ids: Tensor) -> Tensor:
    return (ids != 0).sum(1)


class TextCNN(nn.Module):
    """Kim's TextCNN (lines 4896-4900) on frozen word vectors: ``filters`` feature maps per
    window width, ReLU, max over time, a linear read-out of the concatenated maxima."""

    def __init__(
        self, E, widths=(3, 4, 5), filters: int = 32, n_classes: int = 2, dropout: float = 0.5
    ) -> None:
        super().__init__()
        self.embed = _frozen_embedding(E)
        d = self.embed.embedding_dim
        self.widths = tuple(widths)
        # w_f for all filters of width k as one (F, k·d) matrix, b_f as (F,)
        self.W = nn.ParameterList(
            [nn.Parameter(torch.randn(filters, k * d) / np.sqrt(k * d)) for k in self.widths]
        )
        self.b = nn.ParameterList([nn.Parameter(torch.zeros(filters)) for _ in self.widths])
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(filters * len(self.widths), n_classes)

    def features(self, ids: Tensor) -> Tensor:
        """(n, F·len(widths)): the max-over-time features :math:`\\hat c`."""
        ids = ids.long()
        x = self.embed(ids)  # (n, T, d)
        n, T, d = x.shape
        length = _lengths(ids)
        out = []
        for k, W, b in zip(self.widths, self.W, self.b, strict=True):
            if T < k:
                x = F.pad(x, (0, 0, 0, k - T))
            windows = x.unfold(1, k, 1).transpose(2, 3).reshape(n, -1, k * d)  # (n, T-k+1, k·d)
            c = torch.relu(windows @ W.T + b)  # c_{f,i} = ReLU(w_f · x_{i:i+k-1} + b_f)
            # windows that start past the sentence's last full window are padding only
            valid = torch.arange(c.shape[1]) < (length - k + 1).clamp(min=1)[:, None]
            out.append(c.masked_fill(~valid[..., None], float("-inf")).amax(1))  # max over i
        return torch.cat(out, 1)

    def forward(self, ids: Tensor) -> Tensor:
        return self.head(self.drop(self.features(ids)))


class RNNSentence(nn.Module):
    """The lecture-6 vanilla RNN over frozen word vectors (lines 4902-4906); the sentence is
    :math:`h_T` at its last word (rows are padded after their words), read out linearly."""

    def __init__(self, E, hidden: int = 64, n_classes: int = 2) -> None:
        super().__init__()
        self.embed = _frozen_embedding(E)
        self.rnn = RNN(self.embed.embedding_dim, hidden)
        self.head = nn.Linear(hidden, n_classes)

    def features(self, ids: Tensor) -> Tensor:
        ids = ids.long()
        h = self.rnn(self.embed(ids))  # (n, T, H): h_t = tanh(W_hh h_{t-1} + W_xh u_t + b_h)
        last = (_lengths(ids) - 1).clamp(min=0)
        return h[torch.arange(len(ids)), last]  # h_T of each sentence

    def forward(self, ids: Tensor) -> Tensor:
        return self.head(self.features(ids))
