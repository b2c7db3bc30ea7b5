"""L10 Visual representation learning (course-notes lines 4053-4686).

Supervised features from a CNN trained with labels (and the same encoder at random init),
autoencoders (PCA as a linear autoencoder; a conv autoencoder), contrastive learning (SimCLR
with kornia views and the lecture's loss over 2N views, the mutual-information bound per epoch,
the batch size, h before g against z after it; MoCo with its queue and momentum key encoder, v1
against v2, and the MoCo v2 table's ablation: v1, + MLP head, + aug+, + cosine schedule, all
three, over seeds), every encoder frozen and probed (linear probe, weighted kNN; a PCA and a
t-SNE map of the features) with all labels and with 1% / 10% of them beside the same CNN
trained from scratch and SimCLR's f fine-tuned end to end on them; then a ViT against the CNN
at two training-set sizes (the small one over seeds), and MAE pre-training (reconstructions;
fine-tune against probe).

Protocol (default profile): the 5,000 bundled MNIST digits (prepared ``mnist``: 3,750 train,
1,250 test), the central 24x24 pixels averaged to 12x12 in [0, 1]; one encoder f (two VGG
blocks 16-32 and a dense layer to h ∈ R^64) for every method, so probes compare methods, not
architectures. Published figures (ImageNet, ResNet-50) are another scale; the ``full`` profile
runs the same experiments on CIFAR-10 (downloaded; offline it stops in one line) with a
ResNet-18 with the CIFAR stem (:class:`mldm.models.ResNet18Encoder`), ``accelerator: auto`` and
longer schedules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l10_visual_representation import (
    autoencoders,
    contrastive,
    figures,
    probing,
    supervised,
    vit_mae,
)
from mldm.lectures.l10_visual_representation.claims import CLAIMS
from mldm.lectures.l10_visual_representation.common import digits
from mldm.lectures.l10_visual_representation.params import Params

if TYPE_CHECKING:
    from mldm.lectures.base import Context

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "Params", "datasets", "evaluate", "train"]

TITLE = "Visual representation learning (autoencoders, SimCLR, MoCo, ViT, MAE)"
LINES = "4053-4686"
DATASETS = ("mnist",)  # or cifar10 with params.dataset (the full profile): see datasets()


def datasets(params: Params) -> tuple[str, ...]:
    """The prepared set this lecture reads with ``params``: MNIST, or CIFAR-10 (full)."""
    return (params.dataset,)


def train(ctx: Context) -> None:
    d = digits(ctx)
    supervised.train(ctx, d)
    autoencoders.train(ctx, d)
    simclr_f = contrastive.train(ctx, d)
    supervised.finetune(ctx, d, simclr_f)
    vit_mae.train(ctx, d)


def evaluate(ctx: Context) -> None:
    d = digits(ctx)
    figures.reconstructions(ctx, autoencoders.evaluate(ctx, d))
    figures.views(ctx, *contrastive.views(ctx, d))
    p = probing.evaluate(ctx, d)
    figures.mi_bound(ctx, p)
    figures.probes(ctx, p)
    figures.embedding(ctx, p)
    figures.tsne(ctx, p)
    figures.moco_ablation(ctx, p)
    figures.vit_mae(ctx, vit_mae.evaluate(ctx, d))
    probing.published(ctx, p, ctx.params.label_fractions)
