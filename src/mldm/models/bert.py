r"""BERT, small: L11 course-notes lines 4990-5075.

- Input (lines 5030-5040): the sum of three embeddings per token, token + segment (sentence
  A or B) + position, :math:`PE(pos, 2i) = \sin(pos / 10000^{2i/d})` (line 5038; the cosine
  on odd i as in lecture 6's :func:`~mldm.models.attention.sinusoidal_positional_encoding`),
  then layer normalization as in BERT.
- Encoder (lines 4995-5005): lecture 6's post-norm
  :class:`~mldm.models.attention.TransformerEncoderBlock` stacked ``n_layers`` times, every
  token attending to every other ("fully connected" through attention).
- Pre-training task 1, masked language model (lines 5008-5020), :func:`mlm_mask`: 15% of the
  (non-special) tokens are chosen; of those 80% become [MASK], 10% a random token, 10% stay;
  the model predicts the original token at the chosen positions only. The output layer is tied
  to the token embedding: :math:`\mathrm{logits} = h E_{tok}^\top + b`.
- Pre-training task 2, next sentence prediction (lines 5022-5028): is B the sentence after A
  (50%)? A linear classifier on the [CLS] token's output.

Fine-tuning (lines 5110-5118): a linear classifier on [CLS] (:class:`BertClassifier`) for a
sentence or a sentence pair (A [SEP] B with segment ids, line 5112), and for a token-level task
an independent linear classifier on every token's output (:class:`BertTagger`, line 5116).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F  # noqa: N812

from mldm.models.attention import LayerNorm, TransformerEncoderBlock, sinusoidal_positional_encoding

__all__ = [
    "Bert",
    "BertClassifier",
    "BertPretraining",
    "BertTagger",
    "IGNORE",
    "mlm_mask",
    "pretraining_loss",
    "token_loss",
]

IGNORE = -100  # label of a position the MLM loss skips (torch's cross_entropy ignore_index)


def mlm_mask(
    tokens: Tensor,
    mask_id: int,
    vocab_size: int,
    special_ids,
    generator: torch.Generator | None = None,
    p: float = 0.15,
) -> tuple[Tensor, Tensor]:
    """BERT's masking (lines 5010-5018) of a (N, T) batch of token ids.

    Each non-special token is chosen with probability ``p``; a chosen token becomes
    ``mask_id`` with probability 0.8, a uniformly random non-special id with 0.1, and stays
    with 0.1. Returns ``(inputs, labels)``: labels hold the original id at chosen positions and
    :data:`IGNORE` elsewhere. Special tokens ([CLS], [SEP], [PAD] ...) are never chosen.
    """
    special = torch.isin(tokens, torch.as_tensor(list(special_ids), dtype=tokens.dtype))
    u = torch.rand(tokens.shape, generator=generator)
    chosen = (u < p) & ~special
    labels = torch.where(chosen, tokens, torch.full_like(tokens, IGNORE))
    r = torch.rand(tokens.shape, generator=generator)
    masked = chosen & (r < 0.8)
    randomized = chosen & (r >= 0.8) & (r < 0.9)
    normal = torch.ones(vocab_size)
    normal[list(special_ids)] = 0
    rand_ids = torch.multinomial(normal, tokens.numel(), True, generator=generator)
    inputs = torch.where(masked, torch.full_like(tokens, mask_id), tokens)
    inputs = torch.where(randomized, rand_ids.view(tokens.shape).to(tokens.dtype), inputs)
    return inputs, labels


class Bert(nn.Module):
    """Embeddings (token + segment + position, then LN) and ``n_layers`` encoder blocks.

    ``forward(ids, segments)`` -> (N, T, d) outputs; ``pad_id`` tokens are masked out of
    attention (``key_padding_mask``). ``attention(ids, segments)`` returns each layer's
    attention maps (averaged over heads) for the report's figure.
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 64,
        n_heads: int = 4,
        d_ff: int = 128,
        n_layers: int = 2,
        max_len: int = 64,
        pad_id: int = 0,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.pad_id = pad_id
        self.token = nn.Embedding(vocab_size, d_model)
        self.segment = nn.Embedding(2, d_model)
        self.register_buffer("PE", sinusoidal_positional_encoding(max_len, d_model))
        self.ln = LayerNorm(d_model)
        self.p = dropout
        self.blocks = nn.ModuleList(
            TransformerEncoderBlock(d_model, n_heads, d_ff, dropout) for _ in range(n_layers)
        )
        nn.init.normal_(self.token.weight, std=0.02)
        nn.init.normal_(self.segment.weight, std=0.02)

    def embed(self, ids: Tensor, segments: Tensor) -> Tensor:
        x = self.token(ids) + self.segment(segments) + self.PE[: ids.shape[1]]  # line 5034
        return F.dropout(self.ln(x), self.p, self.training)

    def forward(self, ids: Tensor, segments: Tensor) -> Tensor:
        x, pad = self.embed(ids, segments), ids == self.pad_id
        for block in self.blocks:
            x = block(x, pad)
        return x

    @torch.no_grad()
    def attention(self, ids: Tensor, segments: Tensor) -> list[Tensor]:
        x, pad, maps = self.embed(ids, segments), ids == self.pad_id, []
        for block in self.blocks:
            maps.append(block.attn(x, pad)[1])
            x = block(x, pad)
        return maps


class BertPretraining(nn.Module):
    """MLM (tied output layer, logits at the chosen positions only) and NSP on [CLS].

    ``forward(x)`` with ``x`` (N, 3T): masked input ids, segment ids, MLM labels (IGNORE where
    not chosen), concatenated so one array loader carries them. Returns (MLM logits (M, V) at
    the M chosen positions, their targets (M,), NSP logits (N, 2)).
    """

    def __init__(self, bert: Bert) -> None:
        super().__init__()
        self.bert = bert
        V, d = bert.token.weight.shape
        self.mlm_bias = nn.Parameter(torch.zeros(V))
        self.nsp = nn.Linear(d, 2)

    def forward(self, x: Tensor):
        ids, segments, labels = x.chunk(3, dim=1)
        h = self.bert(ids, segments)
        chosen = labels != IGNORE
        logits = h[chosen] @ self.bert.token.weight.T + self.mlm_bias
        return logits, labels[chosen], self.nsp(h[:, 0])


def pretraining_loss(out, is_next: Tensor, nsp_weight: float = 1.0) -> Tensor:
    """Mean MLM cross-entropy over the chosen tokens + the NSP cross-entropy."""
    logits, targets, nsp = out
    return F.cross_entropy(logits, targets) + nsp_weight * F.cross_entropy(nsp, is_next)


class BertClassifier(nn.Module):
    """Fine-tuning for a sentence task (line 5114): a linear classifier on the [CLS] output.
    ``forward(x)`` with ``x`` (N, 2T): ids then segment ids."""

    def __init__(self, bert: Bert, n_classes: int) -> None:
        super().__init__()
        self.bert = bert
        self.head = nn.Linear(bert.token.weight.shape[1], n_classes)

    def forward(self, x: Tensor) -> Tensor:
        ids, segments = x.chunk(2, dim=1)
        return self.head(self.bert(ids, segments)[:, 0])


class BertTagger(BertClassifier):
    """Fine-tuning for a token-level task (line 5116): the same linear classifier applied to
    every token's output, :math:`z_t = W h_t + b`. ``forward(x)`` with ``x`` (N, 2T): ids then
    segment ids; returns (N, T, C) logits."""

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.bert(*x.chunk(2, dim=1)))


def token_loss(logits: Tensor, labels: Tensor) -> Tensor:
    """Mean cross-entropy over the labelled tokens of (N, T, C) logits and (N, T) labels,
    :data:`IGNORE` positions (padding, specials, unlabelled tokens) skipped."""
    return F.cross_entropy(logits.flatten(0, 1), labels.flatten(), ignore_index=IGNORE)
