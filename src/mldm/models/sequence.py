r"""Recurrent neural networks: lecture 6 (course notes lines 2456-2518).

* **Vanilla RNN** (L06 lines 2456-2477): a hidden state updated by $h_t = f_h(h_{t-1}, x_t)$
  and read out by $y_t = f_o(h_t)$, e.g.

  $$h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t), \qquad y_t = W_{hy} h_t.$$

* **Output types** (L06 lines 2481-2518): *many-to-many* (one output per step, e.g. frame
  classification) and *many-to-one* (one output for the whole sequence, e.g. sentiment).
  :class:`RNNClassifier` does both.

For MNIST-1D a sample is a signal of 40 values: the models read it as $T = 40$ steps of a
$D = 1$ input. :class:`GRUClassifier` and :class:`LSTMClassifier` are *baselines* that wrap
torch's gated cells (not in the lecture) for comparison with the vanilla RNN.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.functional import log_softmax

__all__ = [
    "RNN",
    "GRUClassifier",
    "LSTMClassifier",
    "RNNClassifier",
    "as_sequence",
    "many_to_many_loss",
    "stepwise_accuracy",
]


def _uniform(shape: tuple[int, ...], bound: float, generator: torch.Generator | None) -> Tensor:
    """U(−bound, bound) parameter, drawn from ``generator`` (global RNG if ``None``)."""
    return nn.Parameter(torch.empty(shape).uniform_(-bound, bound, generator=generator))


def as_sequence(x: Tensor) -> Tensor:
    """(N, T) signal -> (N, T, 1): each sample value is one time step with D = 1."""
    return x.unsqueeze(-1) if x.ndim == 2 else x


class RNN(nn.Module):
    r"""Vanilla (Elman) RNN, L06 lines 2466-2470: $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b_h)$.

    The slide has no bias; we keep one, $b_h$, so the layer can shift the tanh. torch's
    ``nn.RNN`` has two, ``b_ih + b_hh``: our $b_h$ plays their sum. $h_0 = 0$.
    Initialised like ``nn.RNN``: every parameter $\sim U(\pm 1/\sqrt{H})$.
    """

    def __init__(
        self, input_size: int, hidden_size: int, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        k = 1.0 / math.sqrt(hidden_size)
        self.W_xh = _uniform((hidden_size, input_size), k, generator)  # (H, D)
        self.W_hh = _uniform((hidden_size, hidden_size), k, generator)  # (H, H)
        self.b_h = _uniform((hidden_size,), k, generator)  # (H,)

    def forward(self, x: Tensor, h_0: Tensor | None = None) -> Tensor:
        """x (N, T, D) -> all hidden states h_1..h_T, (N, T, H)."""
        N, T, _ = x.shape
        # W_xh x_t + b_h does not depend on h: one matmul for all t, only W_hh h_{t-1} recurs.
        xW = x @ self.W_xh.T + self.b_h  # (N, T, H)
        h = x.new_zeros(N, self.hidden_size) if h_0 is None else h_0
        hs = []
        for t in range(T):  # the recurrence is sequential in t (L06 line 2524: no parallelism)
            h = torch.tanh(h @ self.W_hh.T + xW[:, t])  # h_t = tanh(W_hh h_{t-1} + W_xh x_t + b_h)
            hs.append(h)
        return torch.stack(hs, dim=1)


class RNNClassifier(nn.Module):
    r"""RNN + linear read-out $y_t = W_{hy} h_t + b_y$ (L06 lines 2470-2518).

    ``mode="many_to_one"``: logits $W_{hy} h_T$, shape (N, K) (sequence classification).
    ``mode="many_to_many"``: logits $W_{hy} h_t$ for every $t$, shape (N, T, K); train with
    :func:`many_to_many_loss`. The softmax of the slide is left to the loss. Input (N, T, D), or
    (N, T) read as D = 1 (MNIST-1D).
    """

    MODES = ("many_to_one", "many_to_many")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        mode: str = "many_to_one",
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if mode not in self.MODES:
            raise ValueError(f"mode must be one of {self.MODES}, got {mode!r}")
        self.mode = mode
        self.rnn = RNN(input_size, hidden_size, generator=generator)
        k = 1.0 / math.sqrt(hidden_size)  # nn.Linear's default bound
        self.W_hy = _uniform((num_classes, hidden_size), k, generator)  # (K, H)
        self.b_y = _uniform((num_classes,), k, generator)

    def forward(self, x: Tensor) -> Tensor:
        h = self.rnn(as_sequence(x))  # (N, T, H)
        if self.mode == "many_to_one":
            h = h[:, -1]  # h_T summarises the whole sequence
        return h @ self.W_hy.T + self.b_y  # y = W_hy h (+ b_y)


class _GatedBaseline(nn.Module):
    """Many-to-one classifier on the last hidden state of a torch gated RNN (baseline)."""

    cell: type[nn.Module]

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        bidirectional: bool = False,
        length: int | None = None,
    ) -> None:
        """``length=None``: the head reads h_T (many-to-one). ``length=T``: it reads all T
        states, flattened — the MNIST-1D paper's GRU (hidden 6, bidirectional, T = 40)."""
        super().__init__()
        self.rnn = self.cell(input_size, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.length = length
        width = hidden_size * (2 if bidirectional else 1)
        self.head = nn.Linear(width * (length or 1), num_classes)

    def forward(self, x: Tensor) -> Tensor:
        out, _ = self.rnn(as_sequence(x))  # (N, T, H); LSTM's cell state is not read out
        return self.head(out[:, -1] if self.length is None else out.flatten(1))


class GRUClassifier(_GatedBaseline):
    """Baseline: ``nn.GRU`` (batch_first) + linear head on h_T. Input (N, T, D) or (N, T)."""

    cell = nn.GRU


class LSTMClassifier(_GatedBaseline):
    """Baseline: ``nn.LSTM`` (batch_first) + linear head on h_T. Input (N, T, D) or (N, T)."""

    cell = nn.LSTM


def many_to_many_loss(logits: Tensor, y: Tensor) -> Tensor:
    r"""Mean cross-entropy of the sequence label at every step (label repeated over time).

    $L = -\frac{1}{NT}\sum_n \sum_t \log \mathrm{softmax}(y_t^{(n)})_{c_n}$, logits (N, T, K),
    y (N,) class indices $c_n$.
    """
    log_p = log_softmax(logits, dim=-1)  # (N, T, K)
    idx = y.view(-1, 1, 1).expand(-1, logits.shape[1], 1)  # c_n at every t
    return -log_p.gather(-1, idx).mean()


def stepwise_accuracy(logits: Tensor, y: Tensor) -> Tensor:
    """Accuracy of argmax_k y_t at each step t, logits (N, T, K), y (N,) -> (T,).

    Shows how much of the signal the RNN must have read before it can classify.
    """
    return (logits.argmax(dim=-1) == y[:, None]).float().mean(dim=0)
