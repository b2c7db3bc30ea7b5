r"""BLIP in miniature: lecture 12 (course notes lines 5390-5440).

One model with shared parts, as the lecture draws it (lines 5403-5408): an image encoder
(ViT), a text encoder (the ITC side, :class:`~mldm.models.clip.CLIP`'s), and an
*image-grounded* text transformer whose blocks insert cross-attention to the image tokens
between self-attention and the feed-forward layer. With bidirectional self-attention it is the
image-grounded text encoder (ITM), with causal self-attention the image-grounded decoder (LM).
Shared parts: the image encoder (all three losses), the word embeddings (all three), the text
encoder (ITC, and the ITM encoder's input). BLIP also shares the cross-attention and
feed-forward layers of its encoder and decoder; here that sharing (with or without separate
self-attention) kept ITM at its prior for 12 epochs, the decoder's gradient dominating, so the
encoder and the decoder have their own blocks. Three losses (lines 5430-5440):

- ITC, image-text contrastive: CLIP's symmetric loss (:func:`~mldm.models.clip.contrastive_loss`);
- ITM, image-text matching: binary "match / no match" from the grounded encoder; each
  image gets one negative text and each text one negative image, *hard* negatives drawn with
  probability softmax(ITC similarity) over the batch's other pairs (BLIP's mining), or uniform
  (``hard=False``) for the comparison;
- LM: $-\sum_k \log p(w_k \mid w_{<k}, I)$, next-token cross-entropy of the decoder.

Cross-attention (the grounding): queries from the text, keys and values from the image,
$\mathrm{CA}(X, C) = \mathrm{softmax}\big((XW_Q^\top)(CW_K^\top)^\top/\sqrt{d_k}\big)\,CW_V^\top$
per head, the heads concatenated and mixed by $W_O$ (lecture 6's attention, lines 2537-2566,
with the keys and values taken from another sequence).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from mldm.models.attention import LayerNorm, scaled_dot_product_attention
from mldm.models.clip import CLIP, EOS, PAD, contrastive_loss, cross_entropy_rows

__all__ = ["BLIP", "GroundedText", "MultiHeadAttention", "itm_negatives", "no_negatives"]


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention of queries ``x`` (N, T, d) over a context ``c`` (N, S, d_c):
    cross-attention when ``c`` is another sequence, self-attention when it is ``x``.
    ``mask`` (broadcast to (N, h, T, S), bool, True = may attend). Init as
    ``nn.MultiheadAttention`` with ``kdim = vdim = d_c``."""

    def __init__(self, d_model: int, n_heads: int, d_context: int | None = None) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        d_c = d_context or d_model
        self.h, self.d_k, self.d_model = n_heads, d_model // n_heads, d_model
        self.W_Q = nn.Parameter(torch.empty(d_model, d_model))
        self.W_K = nn.Parameter(torch.empty(d_model, d_c))
        self.W_V = nn.Parameter(torch.empty(d_model, d_c))
        self.W_O = nn.Parameter(torch.empty(d_model, d_model))
        self.b_Q, self.b_K, self.b_V, self.b_O = (
            nn.Parameter(torch.zeros(d_model)) for _ in range(4)
        )
        for W in (self.W_Q, self.W_K, self.W_V, self.W_O):
            nn.init.xavier_uniform_(W)

    def _heads(self, x: Tensor) -> Tensor:
        N, T, _ = x.shape
        return x.view(N, T, self.h, self.d_k).transpose(1, 2)  # (N, h, T, d_k)

    def forward(self, x: Tensor, c: Tensor, mask: Tensor | None = None) -> Tensor:
        Q = self._heads(x @ self.W_Q.T + self.b_Q)  # queries from the text
        K = self._heads(c @ self.W_K.T + self.b_K)  # keys and values from the context
        V = self._heads(c @ self.W_V.T + self.b_V)
        heads, _ = scaled_dot_product_attention(Q, K, V, mask)
        N, _, T, _ = heads.shape
        return heads.transpose(1, 2).reshape(N, T, self.d_model) @ self.W_O.T + self.b_O

    def load_torch(self, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy an ``nn.MultiheadAttention``'s weights (separate or packed in-projections)."""
        with torch.no_grad():
            if mha._qkv_same_embed_dim:
                Wq, Wk, Wv = mha.in_proj_weight.chunk(3)
            else:
                Wq, Wk, Wv = mha.q_proj_weight, mha.k_proj_weight, mha.v_proj_weight
            for dst, src in zip((self.W_Q, self.W_K, self.W_V), (Wq, Wk, Wv), strict=True):
                dst.copy_(src)
            for dst, src in zip(
                (self.b_Q, self.b_K, self.b_V), mha.in_proj_bias.chunk(3), strict=True
            ):
                dst.copy_(src)
            self.W_O.copy_(mha.out_proj.weight)
            self.b_O.copy_(mha.out_proj.bias)
        return self

    def to_torch(self) -> nn.MultiheadAttention:
        """An ``nn.MultiheadAttention`` (batch first) holding a copy of these weights."""
        d_c = self.W_K.shape[1]
        mha = nn.MultiheadAttention(self.d_model, self.h, kdim=d_c, vdim=d_c, batch_first=True)
        with torch.no_grad():
            if mha._qkv_same_embed_dim:
                mha.in_proj_weight.copy_(torch.cat([self.W_Q, self.W_K, self.W_V]))
            else:
                mha.q_proj_weight.copy_(self.W_Q)
                mha.k_proj_weight.copy_(self.W_K)
                mha.v_proj_weight.copy_(self.W_V)
            mha.in_proj_bias.copy_(torch.cat([self.b_Q, self.b_K, self.b_V]))
            mha.out_proj.weight.copy_(self.W_O)
            mha.out_proj.bias.copy_(self.b_O)
        return mha.eval()


class GroundedBlock(nn.Module):
    r"""Pre-norm block: $x \leftarrow x + \mathrm{SA}(\mathrm{LN}(x))$ (causal or not),
    $x \leftarrow x + \mathrm{CA}(\mathrm{LN}(x), I)$,
    $x \leftarrow x + \mathrm{MLP}(\mathrm{LN}(x))$."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, d_image: int) -> None:
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.cross_attn = MultiHeadAttention(d_model, n_heads, d_image)
        self.mlp = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))
        self.ln_1, self.ln_2, self.ln_3 = LayerNorm(d_model), LayerNorm(d_model), LayerNorm(d_model)

    def forward(self, x: Tensor, image: Tensor, self_mask: Tensor) -> Tensor:
        h = self.ln_1(x)
        x = x + self.self_attn(h, h, self_mask)
        x = x + self.cross_attn(self.ln_2(x), image)
        return x + self.mlp(self.ln_3(x))


class GroundedText(nn.Module):
    """The image-grounded text transformer: ``causal=False`` is BLIP's ITM encoder,
    ``causal=True`` its LM decoder (same weights). Word embeddings are the text encoder's."""

    def __init__(
        self,
        embed: nn.Embedding,
        d_image: int,
        n_heads: int = 4,
        d_ff: int = 128,
        n_layers: int = 2,
        max_len: int = 16,
    ) -> None:
        super().__init__()
        d = embed.embedding_dim
        self.embed, self.d_model = embed, d
        self.pos = nn.Parameter(torch.randn(max_len, d) * 0.02)
        self.blocks = nn.ModuleList(
            GroundedBlock(d, n_heads, d_ff, d_image) for _ in range(n_layers)
        )
        self.ln = LayerNorm(d)

    def forward(
        self, tokens: Tensor, image: Tensor, causal: bool, z: Tensor | None = None
    ) -> Tensor:
        """tokens (N, T), image tokens (N, S, d_image) -> (N, T, d). ``z``: the input states
        (default the word embeddings plus positions)."""
        T = tokens.shape[1]
        if z is None:
            z = self.embed(tokens) + self.pos[:T]  # pre-norm: no √d scaling (as GPT)
        keep = (tokens != PAD)[:, None, None, :]  # (N, 1, 1, T): never attend to padding
        if causal:
            keep = keep & torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()
        for block in self.blocks:
            z = block(z, image, keep)
        return self.ln(z)


def itm_negatives(
    sim: Tensor,
    hard: bool,
    generator: torch.Generator | None = None,
    same: Tensor | None = None,
) -> Tensor:
    """For each row i of the (N, N) similarity, one index j != i: drawn with probability
    softmax(sim_i) over j != i (``hard``, BLIP's mining from the ITC similarities) or uniformly.
    ``same`` (N, N) bool marks further pairs that are no negatives (an identical caption: in a
    small closed vocabulary duplicates are common, and the most similar text is often one)."""
    N = len(sim)
    eye = torch.eye(N, dtype=torch.bool, device=sim.device)
    w = torch.softmax(sim.detach().float(), dim=1) if hard else torch.ones(N, N, device=sim.device)
    banned = eye if same is None else same | eye
    w = w.masked_fill(banned, 0)
    off = (~eye).float()
    w = torch.where(w.sum(1, keepdim=True) > 0, w, off)  # a row with nothing left: any j != i
    return torch.multinomial(w, 1, generator=generator)[:, 0]


def no_negatives(tokens: Tensor, meaning: Tensor | None = None) -> Tensor:
    """(N, N) bool, [i, j] True where text j is no negative for image i: an identical caption
    (``meaning`` None), a caption saying the same (``meaning`` (N,), paraphrases equal), or,
    with ``meaning`` (N, 2) (column 0 each caption's meaning, column 1 its image's scene in the
    same keys), also a caption that describes image i (BLIP's same-id exclusion, an image's id
    here its scene): when image i's own caption is corrupted, the true description of image i
    is exactly what mining from the ITC similarities finds, and labelling it "no match" teaches
    the opposite of matching."""
    if meaning is None:
        return (tokens[:, None, :] == tokens[None, :, :]).all(-1)
    if meaning.dim() == 1:
        return meaning[:, None] == meaning[None, :]
    text, scene = meaning[:, 0], meaning[:, 1]
    return (text[:, None] == text[None, :]) | (scene[:, None] == text[None, :])


class BLIP(nn.Module):
    """ITC (a :class:`CLIP`), ITM and LM on one image encoder. The image encoder must give
    token states through ``image_tokens(x)`` (N, S, d_image) (the ViT's, [class] first) and
    its pooled feature through ``clip.image_encoder(x)``."""

    def __init__(
        self,
        clip: CLIP,
        image_tokens,
        d_image: int,
        n_heads: int = 4,
        d_ff: int = 128,
        n_layers: int = 2,
        max_len: int = 16,
        hard_negatives: bool = True,
        losses: tuple[str, ...] = ("itc", "itm", "lm"),
    ) -> None:
        super().__init__()
        self.clip = clip
        self.image_tokens = image_tokens
        emb = clip.text_encoder.embed
        self.grounded = GroundedText(emb, d_image, n_heads, d_ff, n_layers, max_len)  # LM
        self.matcher = GroundedText(emb, d_image, n_heads, d_ff, n_layers, max_len)  # ITM
        self.itm_head = nn.Linear(emb.embedding_dim, 2)
        # untied: the shared embeddings are N(0, 1), their products would start the LM's
        # logits at a scale whose gradient swamps the image encoder's other two losses
        self.lm_head = nn.Linear(emb.embedding_dim, emb.num_embeddings)
        self.hard_negatives = hard_negatives
        self.losses = losses

    def lm_logits(self, tokens: Tensor, image: Tensor) -> Tensor:
        """Next-token logits (N, T, V) of the causal decoder."""
        return self.lm_head(self.grounded(tokens, image, causal=True))

    def itm_logits(self, tokens: Tensor, image: Tensor) -> Tensor:
        """(N, 2) no-match / match logits of the bidirectional grounded encoder run on the text
        encoder's states, read at the mean of its token states (BLIP reads [CLS]; here [CLS]
        stayed on the prior's plateau, loss ln 3 - (2/3) ln 2, for 12 epochs, while the mean,
        whose every word queries the image, learns from the first epoch)."""
        z = self.clip.text_encoder(tokens)  # the unimodal text encoder's states (BLIP's sharing)
        h = self.matcher(tokens, image, causal=False, z=z)
        keep = (tokens != PAD).unsqueeze(-1).to(h.dtype)
        return self.itm_head((h * keep).sum(1) / keep.sum(1))

    def lm_loss(self, tokens: Tensor, image: Tensor) -> Tensor:
        logits = self.lm_logits(tokens[:, :-1], image)
        target = tokens[:, 1:]
        keep = target != PAD
        return cross_entropy_rows(logits[keep], target[keep])

    def lm_log_likelihood(self, tokens: Tensor, image: Tensor) -> Tensor:
        """log p(text | image) per row, summed over its tokens after [CLS]."""
        logp = torch.log_softmax(self.lm_logits(tokens[:, :-1], image), -1)
        target = tokens[:, 1:]
        ll = logp.gather(2, target[..., None])[..., 0]
        return (ll * (target != PAD)).sum(1)

    def forward(self, x: Tensor, tokens: Tensor, meaning: Tensor | None = None) -> Tensor:
        """The summed losses named in ``losses`` on one batch of true pairs. ``meaning`` (N,):
        captions with equal values say the same thing (paraphrases), so never serve as each
        other's ITM negatives; (N, 2): column 0 each caption's meaning, column 1 its image's
        (the scene it shows, in the same keys), and a text is also no negative for an image it
        describes, even when that image's own caption is a corrupted one (else the mining, which
        finds exactly those texts, labels true pairs "no match"); by default only identical
        captions are kept apart."""
        image = self.image_tokens(x)
        loss = x.new_zeros(())
        if "itc" in self.losses or "itm" in self.losses:
            sim = self.clip(x, tokens)
            if "itc" in self.losses:
                loss = loss + contrastive_loss(sim)
        if "itm" in self.losses:
            same = no_negatives(tokens, meaning)
            neg_t = itm_negatives(sim, self.hard_negatives, same=same)  # a text for each image
            neg_i = itm_negatives(sim.T, self.hard_negatives, same=same.T)  # an image per text
            toks = torch.cat([tokens, tokens[neg_t], tokens])
            imgs = torch.cat([image, image, image[neg_i]])
            y = torch.cat([torch.ones(len(x)), torch.zeros(2 * len(x))]).long().to(x.device)
            loss = loss + cross_entropy_rows(self.itm_logits(toks, imgs), y)
        if "lm" in self.losses:
            loss = loss + self.lm_loss(tokens, image)
        return loss

    @torch.no_grad()
    def match_probability(self, x: Tensor, tokens: Tensor) -> Tensor:
        return torch.softmax(self.itm_logits(tokens, self.image_tokens(x)), -1)[:, 1]

    @torch.no_grad()
    def generate(self, x: Tensor, max_len: int) -> Tensor:
        """Greedy captions (N, max_len): [CLS] then the argmax word each step until [EOS]."""
        image = self.image_tokens(x)
        out = torch.full((len(x), 1), 1, dtype=torch.long, device=x.device)  # [CLS] first
        done = torch.zeros(len(x), dtype=torch.bool, device=x.device)
        for _ in range(max_len - 1):
            nxt = self.lm_logits(out, image)[:, -1].argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, PAD), nxt)
            done |= nxt == EOS
            out = torch.cat([out, nxt[:, None]], 1)
        return out
