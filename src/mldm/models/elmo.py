r"""ELMo-style contextual word vectors: L11, course-notes lines 4909-4941.

Word2vec gives a word one vector whatever its context ("open a *bank* account" / "on the
river *bank*", lines 4913-4918); ELMo (lines 4925-4941) "1) trains a bidirectional RNN on a
large corpus, 2) passes the sentence of interest through the pre-trained RNN, left to right
and right to left, 3) takes the concatenation of the hidden states as the word's embedding".

* :class:`LSTM`, the RNN ELMo uses (Hochreiter & Schmidhuber; gates as torch orders them):

  .. math:: i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i),\ f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f),
            \ g_t = \tanh(W_g x_t + U_g h_{t-1} + b_g),\ o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o),

  .. math:: c_t = f_t \odot c_{t-1} + i_t \odot g_t, \qquad h_t = o_t \odot \tanh(c_t).

* :class:`BiLM`: a forward LM :math:`p(w_{t+1} \mid w_1..w_t)` read from the forward LSTM's
  :math:`\overrightarrow h_t` and a backward LM :math:`p(w_{t-1} \mid w_t..w_T)` from the
  backward LSTM's :math:`\overleftarrow h_t`, sharing the word embedding and the softmax
  (Peters et al. 2018); the loss is the mean of both cross-entropies. The softmax is the full
  one or, with ``cutoffs``, torch's adaptive softmax (Grave et al. 2017: frequent words in a
  head, rarer ones in smaller clusters behind it; still a normalized distribution over every
  word, so the cross-entropy is exact). Its representations of
  word :math:`t` are :math:`R_{t,0} = [x_t; x_t]` (the context-free embedding) and
  :math:`R_{t,j} = [\overrightarrow h_{t,j}; \overleftarrow h_{t,j}]` for layers
  :math:`j = 1..L` (the lecture's concatenation).
* :class:`ScalarMix`, ELMo's task-specific combination of the layers,
  :math:`\mathrm{ELMo}_t = \gamma \sum_{j=0}^{L} s_j R_{t,j}` with
  :math:`s = \mathrm{softmax}(a)` (Peters et al. eq. 1; the lecture stops at the
  concatenation of step 3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.nn import functional as F

__all__ = ["LSTM", "BiLM", "ScalarMix", "bilm_loss", "reverse_padded"]


class LSTM(nn.Module):
    """One LSTM layer (the equations above); ``W`` (4H, D), ``U`` (4H, H), one bias ``b``
    (torch's ``b_ih + b_hh``), gates in torch's order i, f, g, o; initialised like
    ``nn.LSTM`` (all :math:`U(\\pm 1/\\sqrt H)`); :math:`h_0 = c_0 = 0`."""

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        k = 1.0 / math.sqrt(hidden_size)
        self.hidden_size = hidden_size
        self.W = nn.Parameter(torch.empty(4 * hidden_size, input_size).uniform_(-k, k))
        self.U = nn.Parameter(torch.empty(4 * hidden_size, hidden_size).uniform_(-k, k))
        self.b = nn.Parameter(torch.empty(4 * hidden_size).uniform_(-k, k))

    def forward(self, x: Tensor) -> Tensor:
        """x (N, T, D) -> h_1..h_T (N, T, H)."""
        N, T, _ = x.shape
        xW = x @ self.W.T + self.b  # W x_t + b for every t in one matmul
        h = x.new_zeros(N, self.hidden_size)
        c = x.new_zeros(N, self.hidden_size)
        hs = []
        for t in range(T):  # the recurrence in t only
            i, f, g, o = (xW[:, t] + h @ self.U.T).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)  # c_t = f⊙c + i⊙g
            h = torch.sigmoid(o) * torch.tanh(c)  # h_t = o ⊙ tanh(c_t)
            hs.append(h)
        return torch.stack(hs, 1)


def reverse_padded(x: Tensor, lengths: Tensor) -> Tensor:
    """Reverse each row's first ``lengths[n]`` positions along dim 1, padding left in place
    (so the backward LSTM reads a sentence from its last word, its padding after)."""
    T = x.shape[1]
    t = torch.arange(T)
    idx = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)  # (N, T)
    if x.ndim == 3:
        idx = idx[..., None].expand(-1, -1, x.shape[2])
    return x.gather(1, idx)


class BiLM(nn.Module):
    """Forward and backward ``layers``-layer LSTM language models over word ids (0: padding),
    sharing the embedding (size ``hidden``, so that :math:`R_0 = [x; x]` has the layers'
    width 2H) and the softmax read-out.

    ``cutoffs`` (ids sorted by corpus count, most frequent first): an adaptive softmax with
    these cluster boundaries instead of the full softmax. Over a Zipfian vocabulary most
    targets are in the head, so a step costs a fraction of the full softmax's (the full one
    over 9k words is about 80% of a step at H = 64)."""

    def __init__(
        self, vocab: int, hidden: int = 64, layers: int = 2, cutoffs: Sequence[int] = ()
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden, padding_idx=0)
        self.fwd = nn.ModuleList([LSTM(hidden, hidden) for _ in range(layers)])
        self.bwd = nn.ModuleList([LSTM(hidden, hidden) for _ in range(layers)])
        if hidden < 4 ** len(cutoffs):  # the last cluster's projection would be 0-wide
            raise ValueError(f"hidden={hidden} is too narrow for {len(cutoffs)} tail clusters")
        if cutoffs:
            self.out = nn.AdaptiveLogSoftmaxWithLoss(hidden, vocab, list(cutoffs), div_value=4.0)
        else:
            self.out = nn.Linear(hidden, vocab)

    def states(self, ids: Tensor) -> tuple[list[Tensor], list[Tensor], Tensor]:
        """The embedding x (N, T, H) and each layer's forward and backward states (N, T, H),
        the backward ones put back in reading order."""
        ids = ids.long()
        lengths = (ids != 0).sum(1)
        x = self.embed(ids)
        fs, bs = [], []
        h = x
        for lstm in self.fwd:
            h = lstm(h)
            fs.append(h)
        h = reverse_padded(x, lengths)
        for lstm in self.bwd:
            h = lstm(h)
            bs.append(reverse_padded(h, lengths))
        return fs, bs, x

    def representations(self, ids: Tensor) -> Tensor:
        """(L+1, N, T, 2H): :math:`R_{t,0} = [x_t; x_t]`, :math:`R_{t,j} = [\\overrightarrow
        h_{t,j}; \\overleftarrow h_{t,j}]`."""
        fs, bs, x = self.states(ids)
        return torch.stack(
            [torch.cat([x, x], -1)] + [torch.cat(p, -1) for p in zip(fs, bs, strict=True)]
        )

    def log_prob(self, h: Tensor) -> Tensor:
        """(..., H) states -> (..., V) log-probabilities of the next (or previous) word."""
        if isinstance(self.out, nn.Linear):
            return F.log_softmax(self.out(h), -1)
        return self.out.log_prob(h.reshape(-1, h.shape[-1])).view(*h.shape[:-1], -1)

    def forward(self, ids: Tensor) -> tuple[Tensor, Tensor]:
        r"""The negative log-likelihoods (2, N, T-1) of the forward LM's next word
        :math:`-\log p(w_{t+1} \mid w_1..w_t)` at 1..T-1 and the backward LM's previous word
        :math:`-\log p(w_{t-1} \mid w_t..w_T)` at 2..T (0 where the target is padding), and
        the ids they predict (-100 where the target is padding)."""
        ids = ids.long()
        fs, bs, _ = self.states(ids)
        h = torch.stack([fs[-1][:, :-1], bs[-1][:, 1:]])  # (2, N, T-1, H)
        tgt = torch.stack([ids[:, 1:], ids[:, :-1]])
        valid = (ids[:, 1:] != 0).expand_as(tgt)  # no prediction of, or from, padding
        nll = h.new_zeros(tgt.shape)
        if isinstance(self.out, nn.Linear):
            nll[valid] = F.cross_entropy(self.out(h[valid]), tgt[valid], reduction="none")
        else:  # only the clusters the targets fall in are evaluated
            nll[valid] = -self.out(h[valid], tgt[valid]).output
        return nll, tgt.masked_fill(~valid, -100)


def bilm_loss(out, _y=None) -> Tensor:
    """Mean of the forward and backward LMs' cross-entropies (nats per predicted word; both
    directions predict the same number of words)."""
    nll, tgt = out
    return nll[tgt != -100].mean()


class ScalarMix(nn.Module):
    """:math:`\\gamma \\sum_j \\mathrm{softmax}(a)_j R_j` over the L+1 layers (``a`` = 0:
    the plain mean of the layers, γ = 1)."""

    def __init__(self, n_layers: int) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.zeros(n_layers))
        self.gamma = nn.Parameter(torch.ones(()))

    def forward(self, R: Tensor) -> Tensor:
        s = torch.softmax(self.a, 0)  # s_j, softmax-normalized
        return self.gamma * torch.einsum("j,j...->...", s, R)
