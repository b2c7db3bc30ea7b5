"""What L12's experiments share: the scenes and their tokenized captions, the prompts of
zero-shot classification, the model factories and one training call for every objective."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.data import captions as cap

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l12_multimodal.params import Params

MAX_LEN = 16  # [CLS] + the longest caption (12 words) + [EOS], padded
SPECIALS = ("[PAD]", "[CLS]", "[EOS]")  # ids 0, 1, 2 (mldm.models.clip.PAD, CLS, EOS)
N_SHAPE_CLASSES = len(cap.SHAPES) * len(cap.COLOURS)


@dataclass(frozen=True)
class Spec:
    """What the models' shapes follow from the data: image side and channels, the word list
    (token id -> word; ids 0, 1, 2 are [PAD], [CLS], [EOS]) and the caption length."""

    side: int
    channels: int
    vocab: tuple[str, ...]
    max_len: int

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return (self.channels, self.side, self.side)

    @property
    def n_pixels(self) -> int:
        return self.channels * self.side * self.side


# the generated scenes (the default profile)
SCENES = Spec(cap.SIDE, cap.CHANNELS, (*SPECIALS, *cap.vocabulary()), MAX_LEN)


@dataclass(frozen=True)
class Scenes:
    """Images (N, 3, 16, 16) float32 and attribute records of both splits; the training
    captions as given (``tokens_train``: 30% corrupted) and as true (``true_train``)."""

    x_train: Any
    x_test: Any
    a_train: dict[str, np.ndarray]
    a_test: dict[str, np.ndarray]
    y_train: np.ndarray
    y_test: np.ndarray
    tokens_train: Any
    true_train: Any
    tokens_test: Any
    spec: Spec = SCENES  # Flickr8k (the full profile): mldm.lectures.l12_multimodal.flickr


def tokenizer(spec: Spec = SCENES):
    """A word-level tokenizer over the caption vocabulary (HF ``tokenizers``): whitespace
    words, [CLS] ... [EOS], padded with [PAD] to ``spec.max_len`` (an unknown word is
    [PAD] here, where every word is known, and [UNK] on Flickr8k)."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit
    from tokenizers.processors import TemplateProcessing

    vocab = {w: i for i, w in enumerate(spec.vocab)}
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]" if "[UNK]" in vocab else "[PAD]"))
    tok.add_special_tokens([w for w in spec.vocab if w.startswith("[")])
    tok.pre_tokenizer = WhitespaceSplit()
    tok.post_processor = TemplateProcessing(
        single="[CLS] $A [EOS]", special_tokens=[("[CLS]", 1), ("[EOS]", 2)]
    )
    tok.enable_padding(pad_id=0, pad_token="[PAD]", length=spec.max_len)
    return tok


def vocab_size() -> int:
    return len(SPECIALS) + len(cap.vocabulary())


def encode(texts: list[str], spec: Spec = SCENES):
    import torch

    return torch.tensor([e.ids for e in tokenizer(spec).encode_batch(texts)], dtype=torch.long)


def decode(tokens, spec: Spec = SCENES) -> list[str]:
    tok = tokenizer(spec)
    return [tok.decode([int(i) for i in row], skip_special_tokens=True) for row in tokens]


def _keys(records: np.ndarray) -> np.ndarray:
    """One integer per (kind, shape, colour, size, position, digit, template) row."""
    radix = np.array([2, 4, 6, 2, 2, 10, 3])
    return (records * np.concatenate([np.cumprod(radix[::-1])[::-1][1:], [1]])).sum(1)


def caption_tokens(attrs: dict[str, np.ndarray], prefix: str = "", template=None):
    """Token ids (N, MAX_LEN) of the captions of records ``attrs`` (``prefix`` "caption_" for
    what the caption states): each distinct caption rendered and tokenized once, then
    gathered, so the cost does not grow with the number of scenes."""
    t = attrs["template"] if template is None else np.broadcast_to(template, attrs["kind"].shape)
    rec = np.stack([attrs[prefix + a] for a in cap.RECORD] + [t], 1)
    _, first, inverse = np.unique(_keys(rec), return_index=True, return_inverse=True)
    texts = [cap.caption(dict(zip([*cap.RECORD, "template"], rec[i], strict=True))) for i in first]
    return encode(texts)[inverse.ravel()]


def scenes(ctx: Context, p: Params | None = None) -> Scenes:
    """The prepared ``captions`` set as tensors (random ``n_train`` / ``n_test`` subsets if
    asked; the test rows kept in their order)."""
    import torch

    p = p or ctx.params
    d = ctx.data("captions")
    xtr, atr = cap.split_columns(d.X_train)
    xte, ate = cap.split_columns(d.X_test)
    idx = np.random.default_rng([ctx.seed, 12, 0]).permutation(len(xtr))[: p.n_train]
    jdx = np.sort(np.random.default_rng([ctx.seed, 12, 1]).permutation(len(xte))[: p.n_test])
    atr = {k: v[idx] for k, v in atr.items()}
    ate = {k: v[jdx] for k, v in ate.items()}
    return Scenes(
        torch.as_tensor(xtr[idx]),
        torch.as_tensor(xte[jdx]),
        atr,
        ate,
        np.asarray(d.y_train[idx], dtype=np.int64),
        np.asarray(d.y_test[jdx], dtype=np.int64),
        caption_tokens(atr, "caption_"),
        caption_tokens(atr),
        caption_tokens(ate),
    )


# --- zero-shot prompts -------------------------------------------------------------------------


def _grid(**axes) -> dict[str, np.ndarray]:
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    return {k: m.ravel() for k, m in zip(axes, mesh, strict=True)}


def prompts(task: str, templates=(0, 1, 2)):
    """Prompts of a zero-shot task and each prompt's class: ``"shapes"`` (24 shape × colour
    classes, every size, position and template) or ``"digits"`` (10 classes, every colour,
    position and template). Returns (tokens (P, MAX_LEN), class (P,))."""
    import torch

    z = np.zeros(1, dtype=np.int64)
    if task == "shapes":
        g = _grid(
            kind=z,
            shape=np.arange(4),
            colour=np.arange(6),
            size=np.arange(2),
            position=np.arange(2),
            digit=z,
            template=np.asarray(templates),
        )
        cls = g["shape"] * len(cap.COLOURS) + g["colour"]
    elif task == "digits":
        g = _grid(
            kind=z + 1,
            shape=z,
            colour=np.arange(6),
            size=z,
            position=np.arange(2),
            digit=np.arange(10),
            template=np.asarray(templates),
        )
        cls = g["digit"]
    else:
        raise ValueError(f"unknown zero-shot task {task!r}")
    return caption_tokens(g), torch.as_tensor(cls)


# --- models ------------------------------------------------------------------------------------


def vit(p: Params, spec: Spec = SCENES):
    from mldm.models.vit import ViT

    e = p.encoders
    return ViT(spec.side, e.patch, spec.channels, e.d_model, e.depth, e.n_heads, e.d_ff)


def clip(p: Params, image_encoder=None, spec: Spec = SCENES):
    from mldm.models.clip import CLIP, TextTransformer

    e = p.encoders
    n = len(spec.vocab)
    text = TextTransformer(n, e.d_model, e.n_heads, e.d_ff, e.text_layers, spec.max_len)
    return CLIP(image_encoder or vit(p, spec), text, e.d_model, e.d_embed)


def bag_of_words(p: Params, spec: Spec = SCENES):
    from mldm.models.clip import BagOfWordsObjective

    return BagOfWordsObjective(vit(p, spec), p.encoders.d_model, len(spec.vocab))


def blip(p: Params, hard: bool = True, losses=("itc", "itm", "lm"), spec: Spec = SCENES):
    from mldm.models.blip import BLIP

    c = clip(p, spec=spec)
    e = p.encoders
    return BLIP(
        c,
        c.image_encoder.encode,
        e.d_model,
        e.n_heads,
        p.blip.d_ff,
        p.blip.layers,
        spec.max_len,
        hard_negatives=hard,
        losses=losses,
    )


# --- training ----------------------------------------------------------------------------------


def pack(x, tokens, meaning=None):
    """(images, tokens[, meaning]) -> one float32 matrix whose rows the array loader batches;
    ``meaning`` (N,) or (N, k) integer columns (exact in float32: keys < 2**24)."""
    import torch

    cols = [x.reshape(len(x), -1), tokens.float()]
    if meaning is not None:
        m = torch.as_tensor(np.asarray(meaning), dtype=torch.float32)
        cols.append(m[:, None] if m.dim() == 1 else m)
    return torch.cat(cols, 1)


def meaning(attrs: dict[str, np.ndarray], prefix: str = "") -> np.ndarray:
    """One integer per distinct attribute record a caption states (its template left out):
    paraphrases share it."""
    rec = np.stack([attrs[prefix + a] for a in cap.RECORD] + [np.zeros_like(attrs["kind"])], 1)
    return _keys(rec)


def caption_meaning(
    s: Scenes, rows=None, *, given: bool = True, with_image: bool = False
) -> np.ndarray:
    """What BLIP's ITM must not take as a negative, per training pair ``rows`` (all by
    default): one integer per meaning a caption states (:func:`meaning`; on Flickr8k the image
    it was written for), of the caption as given (``given``, corrupted or not) or of the true
    one, and with ``with_image`` a second column, the same key of the pair's own image."""
    a = s.a_train if rows is None else {k: v[rows] for k, v in s.a_train.items()}
    if s.spec is SCENES:
        text, image = meaning(a, "caption_" if given else ""), meaning(a)
    else:
        text, image = a["caption_image" if given else "image"], a["image"]
    return np.stack([text, image], 1) if with_image else text


def _packed(objective, spec: Spec = SCENES):
    """``objective(x, tokens) -> loss`` as a module of the packed rows."""
    import torch
    from torch import nn

    class Packed(nn.Module):
        def __init__(self, f):
            super().__init__()
            self.f = f

        def forward(self, rows):
            x = rows[:, : spec.n_pixels].reshape(-1, *spec.image_shape)
            rest = rows[:, spec.n_pixels :].to(torch.long)
            if rest.shape[1] == spec.max_len:
                return self.f(x, rest)
            m = rest[:, spec.max_len :]  # each caption's meaning (and its image's, for ITM)
            return self.f(x, rest[:, : spec.max_len], m[:, 0] if m.shape[1] == 1 else m)

    return Packed(objective)


def _loss(out, _y):
    return out


def train(
    ctx: Context,
    name: str,
    model,
    x,
    tokens,
    *,
    epochs: int,
    seed: int,
    on_epoch=None,
    lr: float | None = None,
    meaning=None,
    spec: Spec = SCENES,
    **tags,
) -> dict[str, list[float]]:
    """Train ``model`` (an objective, a module ``(x, tokens) -> loss``) on the pairs with Adam and
    Lightning; ``on_epoch()`` runs after every epoch (its values become a column
    ``on_epoch`` of the curve); ``meaning`` (BLIP) goes with each pair to the objective;
    ``spec`` the images' and captions' shapes in the packed rows.
    Saves the curve; returns the history."""
    import torch
    from lightning.pytorch.callbacks import Callback

    from mldm.training import array_loader, fit

    p = ctx.params
    values: list[float] = []

    class Every(Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            model.eval()
            with torch.no_grad():
                values.append(float(on_epoch()))
            model.train()

    rows = pack(x, tokens, meaning)
    loader = array_loader(rows, np.zeros(len(rows)), p.batch_size, seed=seed, dtype=torch.float32)
    with ctx.run(name, epochs=epochs, lr=lr or p.lr, **tags):
        task = fit(
            _packed(model, spec),
            _loss,
            lambda params: torch.optim.Adam(params, lr=lr or p.lr),
            loader,
            epochs,
            callbacks=[Every()] if on_epoch else [],
        )
    h = {"train_loss": list(task.history["step_loss"])}
    if on_epoch:
        h["on_epoch"] = values
    ctx.save_curve(name, epoch=np.arange(1, epochs + 1), **h)
    return h
