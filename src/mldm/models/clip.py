r"""CLIP: contrastive image-text pretraining, lecture 12 (course notes lines 5290-5380).

The lecture (after Radford et al., ICML 2021) names three ways to pretrain on (image, text)
pairs (lines 5316-5319), all three here on one image encoder:

1. image -> the exact text (image captioning): :class:`CaptionObjective` over the image-grounded
   decoder of :mod:`mldm.models.blip` (the "Transformer Language Model" of line 5349);
2. image -> the bag of words of its text, one binary prediction per word (line 5318):
   :class:`BagOfWordsObjective`, $-\sum_w [y_w \log\sigma(s_w) + (1-y_w)\log(1-\sigma(s_w))]$;
3. contrastive learning between images and texts (lines 5320-5324): :class:`CLIP`. An image
   encoder and a text encoder, linear projections $W_i, W_t$ into a shared space,
   L2-normalized: $I_e = \mathrm{norm}(f_I(x) W_i)$, $T_e = \mathrm{norm}(f_T(t) W_t)$;
   logits $= I_e T_e^\top \cdot e^{t}$ with a learnable temperature $t$; the loss is taken
   along both dimensions (line 5324, "分别沿文本和图像维度进行对比训练"):
   $\mathcal{L} = \tfrac12[\mathrm{CE}_{rows}(\text{logits}, i)
   + \mathrm{CE}_{cols}(\text{logits}, i)]$,
   the i-th image's text being the i-th (the paper's pseudo-code, Figure 3).

Zero-shot classification (lines 5335-5337): the class names become prompts, their text
embeddings the classifier's weights; the prediction is the prompt closest to the image.

The text encoder is lecture 6's post-norm :class:`~mldm.models.attention.TransformerEncoderBlock`
stack over word embeddings plus the sinusoidal encoding; the sentence feature is the mean of
its token states (a [CLS] token, BERT's, line 5169, is kept first; at this scale its state
alone learned only the caption's word order and position words). The image encoder is any
module giving one feature vector per image (the lecture's ViT, :class:`mldm.models.ViT`, in
the L12 stage).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from mldm.models.attention import TransformerEncoderBlock, sinusoidal_positional_encoding

__all__ = [
    "CLIP",
    "BagOfWordsObjective",
    "ContrastiveObjective",
    "TextTransformer",
    "bag_of_words_log_likelihood",
    "contrastive_loss",
    "cross_entropy_rows",
]

PAD, CLS, EOS = 0, 1, 2  # special token ids shared by every text module of L12


def cross_entropy_rows(logits: Tensor, target: Tensor) -> Tensor:
    r"""$-\frac1N\sum_i \log \mathrm{softmax}(\text{logits}_i)_{y_i}$, written out:
    $\log\mathrm{softmax}(s)_y = s_y - \log\sum_j e^{s_j}$ (log-sum-exp for stability)."""
    s_y = logits.gather(1, target[:, None])[:, 0]
    return (torch.logsumexp(logits, dim=1) - s_y).mean()


def contrastive_loss(logits: Tensor) -> Tensor:
    r"""CLIP's symmetric loss on an (N, N) similarity matrix whose diagonal holds the true
    pairs: the mean of cross-entropy over rows (image -> its text among N texts) and over
    columns (text -> its image among N images)."""
    labels = torch.arange(len(logits), device=logits.device)
    loss_i = cross_entropy_rows(logits, labels)  # each image picks its text
    loss_t = cross_entropy_rows(logits.T, labels)  # each text picks its image
    return (loss_i + loss_t) / 2


class TextTransformer(nn.Module):
    r"""Text encoder: word embeddings $+$ sinusoidal positions, ``n_layers`` of lecture 6's
    :class:`TransformerEncoderBlock` (padding masked out), all token states returned;
    position 0 holds [CLS], whose state is the sentence's feature."""

    def __init__(
        self,
        vocab_size: int,
        d_model: int = 64,
        n_heads: int = 4,
        d_ff: int = 128,
        n_layers: int = 2,
        max_len: int = 16,
    ) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model, padding_idx=PAD)
        self.register_buffer("PE", sinusoidal_positional_encoding(max_len, d_model))
        self.blocks = nn.ModuleList(
            TransformerEncoderBlock(d_model, n_heads, d_ff) for _ in range(n_layers)
        )
        self.d_model = d_model

    def forward(self, tokens: Tensor) -> Tensor:
        """tokens (N, T) int64, [CLS] first, [PAD] = 0 after [EOS] -> (N, T, d_model)."""
        z = self.embed(tokens) * math.sqrt(self.d_model) + self.PE[: tokens.shape[1]]
        pad = tokens == PAD
        for block in self.blocks:
            z = block(z, pad)
        return z

    def pool(self, tokens: Tensor) -> Tensor:
        """The sentence feature (N, d_model): the mean of the non-padding token states
        ([CLS] and [EOS] included)."""
        keep = (tokens != PAD).unsqueeze(-1).to(self.PE.dtype)
        return (self.forward(tokens) * keep).sum(1) / keep.sum(1)


class CLIP(nn.Module):
    r"""$\text{logits} = e^{t}\, I_e T_e^\top$ with $I_e = \mathrm{norm}(f_I(x) W_i)$,
    $T_e = \mathrm{norm}(\bar f_T(\text{text}) W_t)$ (the mean of the text's token states);
    $t$ starts at $\log(1/0.07)$ (the paper's) and $e^t$ is capped at 100 as in the paper."""

    def __init__(
        self,
        image_encoder: nn.Module,
        text_encoder: TextTransformer,
        d_image: int,
        d_embed: int = 64,
        temperature: float = 0.07,
    ) -> None:
        super().__init__()
        self.image_encoder, self.text_encoder = image_encoder, text_encoder
        self.W_i = nn.Linear(d_image, d_embed, bias=False)
        self.W_t = nn.Linear(text_encoder.d_model, d_embed, bias=False)
        self.t = nn.Parameter(torch.tensor(math.log(1 / temperature)))

    @property
    def scale(self) -> Tensor:
        return self.t.exp().clamp(max=100.0)

    def encode_image(self, x: Tensor) -> Tensor:
        return nn.functional.normalize(self.W_i(self.image_encoder(x)), dim=-1)

    def encode_text(self, tokens: Tensor) -> Tensor:
        return nn.functional.normalize(self.W_t(self.text_encoder.pool(tokens)), dim=-1)

    def forward(self, x: Tensor, tokens: Tensor) -> Tensor:
        """(N, N) logits between the N images and the N texts."""
        return self.scale * self.encode_image(x) @ self.encode_text(tokens).T

    def zero_shot_weights(self, prompts: Tensor, groups: Tensor, n_classes: int) -> Tensor:
        """One classifier weight per class: the normalized mean of its prompts' embeddings
        (prompt ensembling), ``groups[j]`` the class of prompt j."""
        e = self.encode_text(prompts)
        w = torch.zeros(n_classes, e.shape[1], dtype=e.dtype, device=e.device)
        w = w.index_add_(0, groups, e)
        return nn.functional.normalize(w, dim=-1)


class ContrastiveObjective(nn.Module):
    """The stage-facing loss of :class:`CLIP` on one batch of (image, tokens)."""

    def __init__(self, clip: CLIP) -> None:
        super().__init__()
        self.clip = clip

    def forward(self, x: Tensor, tokens: Tensor) -> Tensor:
        return contrastive_loss(self.clip(x, tokens))


def bag_of_words(tokens: Tensor, vocab_size: int) -> Tensor:
    """(N, T) token ids -> (N, V) 0/1 presence of each word (special tokens dropped)."""
    bag = torch.zeros(len(tokens), vocab_size, device=tokens.device).scatter_(1, tokens, 1.0)
    bag[:, : EOS + 1] = 0
    return bag


def bag_of_words_log_likelihood(scores: Tensor, bags: Tensor) -> Tensor:
    r"""$\sum_w y_w\log\sigma(s_w) + (1-y_w)\log(1-\sigma(s_w))$ for every (image, bag) pair:
    scores (N, V), bags (M, V) -> (N, M); special tokens (ids <= EOS) left out."""
    s = scores[:, EOS + 1 :]
    y = bags[:, EOS + 1 :]
    log_p, log_q = nn.functional.logsigmoid(s), nn.functional.logsigmoid(-s)
    return log_p @ y.T + log_q @ (1 - y).T


class BagOfWordsObjective(nn.Module):
    """Image -> one logit per vocabulary word, trained to predict which words its caption
    uses (binary cross-entropy per word, mean over words and images)."""

    def __init__(self, image_encoder: nn.Module, d_image: int, vocab_size: int) -> None:
        super().__init__()
        self.image_encoder = image_encoder
        self.head = nn.Linear(d_image, vocab_size)
        self.vocab_size = vocab_size

    def scores(self, x: Tensor) -> Tensor:
        return self.head(self.image_encoder(x))

    def forward(self, x: Tensor, tokens: Tensor) -> Tensor:
        s = self.scores(x)[:, EOS + 1 :]
        y = bag_of_words(tokens, self.vocab_size)[:, EOS + 1 :]
        return nn.functional.binary_cross_entropy_with_logits(s, y)
