"""L12 Multimodal perception and understanding: ViT, CLIP and BLIP (course notes lines
5148-5503).

Image-text pairs (generated, captions true by construction, 30% of the training captions
corrupted on purpose: ``mldm.data.captions``) and the lecture's models on them: the three
pretraining objectives at equal compute (exact caption, bag of words, contrastive) with
zero-shot accuracy after every epoch; the contrastive one as CLIP (the lecture's ViT as image
encoder, lecture 6's Transformer blocks as text encoder): zero-shot classification by prompts on
held-out (shape, colour) combinations and on MNIST-digit scenes, retrieval R@1/5/10 both ways,
a linear probe, its robustness to a shifted rendering beside a supervised ViT; BLIP (ITC + ITM
+ LM with cross-attention) with hard vs random ITM negatives, its captions scored by attribute
accuracy and BLEU-4; CapFilt on the noisy pairs (the C/F ablation by retrieval R@1).

Protocol (default profile): 16×16 RGB scenes, 4,000 training pairs (3,000 shape scenes of 18
seen shape × colour pairs, 1,000 digit scenes), 1,360 test scenes (all 24 pairs, digits from a
disjoint half of the bundled MNIST); ViT 4×4 patches, width 32, 2 blocks; one text block;
Adam, batch 128, CPU, one thread. ``full``: Flickr8k (``data: flickr8k``), a larger ViT, longer
training; what is measured there and what is not: :mod:`.flickr`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l12_multimodal import (
    blip,
    capfilt,
    clip,
    figures,
    flickr,
    objectives,
    robustness,
)
from mldm.lectures.l12_multimodal.claims import CLAIMS
from mldm.lectures.l12_multimodal.common import scenes
from mldm.lectures.l12_multimodal.params import Params

if TYPE_CHECKING:
    from mldm.lectures.base import Context

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "Params", "datasets", "evaluate", "train"]

TITLE = "Multimodal: ViT, CLIP and BLIP"
LINES = "5148-5503"
DATASETS = ("captions",)  # or flickr8k with params.data (the full profile): see datasets()


def datasets(params: Params) -> tuple[str, ...]:
    """The prepared set this lecture reads with ``params``: the scenes, or Flickr8k (full)."""
    return (params.data,)


def train(ctx: Context) -> None:
    if ctx.params.data == "flickr8k":
        flickr.train(ctx, flickr.pairs(ctx))
        return
    s = scenes(ctx)
    objectives.train(ctx, s)
    robustness.train(ctx, s)
    capfilt.train(ctx, s, blip.train(ctx, s))


def evaluate(ctx: Context) -> None:
    if ctx.params.data == "flickr8k":
        flickr.evaluate(ctx, flickr.pairs(ctx))
        return
    s = scenes(ctx)
    figures.examples(ctx, s)
    figures.objectives(ctx, objectives.evaluate(ctx, s))
    figures.retrieval(ctx, clip.evaluate(ctx, s))
    figures.robustness(ctx, robustness.evaluate(ctx, s))
    figures.captions(ctx, blip.evaluate(ctx, s))
    figures.capfilt(ctx, capfilt.evaluate(ctx, s))
