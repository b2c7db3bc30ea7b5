"""Robustness to a shift of the data distribution, in miniature (lines 5327-5337, the
lecture's ImageNet -> ImageNet-R / Sketch table): CLIP's zero-shot classifier beside a
supervised classifier, the same ViT trained on the same training images with their scene labels
for the same number of steps as the contrastive model. Both classify test shape scenes into
the 24 (shape, colour) classes, first rendered as in training, then in a shifted rendering
(``mldm.data.captions.shifted``: darker shades of the same colour names, or a striped fill);
the same scenes in every rendering. Only (shape, colour) pairs seen in training are scored:
the supervised classifier has never seen a held-out pair's label.

The lecture's comparison is at equal accuracy on ImageNet ("Δ Score"); here the two models do
not start equal, so what is compared is the share of its own accuracy each keeps under the
shift (shifted / clean, the "effective robustness" of Radford et al. in its simplest form)."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from mldm.data import captions as cap
from mldm.lectures.l12_multimodal import common, objectives

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l12_multimodal.common import Scenes

SHIFTS = tuple(st for st in cap.STYLES if st != "solid")
MODELS = ("zero_shot_clip", "supervised_vit")


def name(run: int) -> str:
    return "supervised_vit" if run == 0 else f"supervised_vit_seed{run}"


def classifier(p):
    """The CLIP image encoder's ViT with a linear head over every scene class."""
    from mldm.models.vit import ViT

    e = p.encoders
    d = e.d_model
    return ViT(cap.SIDE, e.patch, cap.CHANNELS, d, e.depth, e.n_heads, e.d_ff, cap.N_CLASSES)


def train(ctx: Context, s: Scenes) -> None:
    """One supervised ViT per contrastive seed, for as many epochs (equal steps)."""
    import torch

    p = ctx.params
    data = SimpleNamespace(X_train=s.x_train, y_train=s.y_train, X_test=s.x_test, y_test=s.y_test)
    for run in range(p.objectives.seeds):
        ctx.seeded(30, run=run)
        ctx.train_classifier(
            name(run),
            classifier(p),
            data,
            eval_sets=("test",),
            optimizer=lambda params: torch.optim.Adam(params, lr=p.lr),
            max_epochs=p.objectives.epochs,
            batch_size=p.batch_size,
            seed=ctx.seed + run,
        )


def scenes(n: int, seen_only: bool = True):
    """The same ``n`` test shape scenes in every rendering: ``{style: (images, y)}``, only
    the seen (shape, colour) pairs kept."""
    import torch

    out = {}
    for style in cap.STYLES:
        X, y = cap.shifted(n, style)
        images, a = cap.split_columns(X)
        keep = ~np.isin(y, [sh * len(cap.COLOURS) + c for sh, c in cap.HELD_OUT])
        keep = keep if seen_only else np.ones_like(keep)
        out[style] = (torch.as_tensor(images[keep]), y[keep])
    return out


@dataclass(frozen=True)
class Robustness:
    """Accuracy per model and rendering: ``{model: {style: (seeds,)}}``."""

    accuracy: dict[str, dict[str, np.ndarray]]
    examples: dict[str, np.ndarray]  # style -> the first scenes in that rendering


def evaluate(ctx: Context, s: Scenes) -> Robustness:
    import torch

    from mldm.evaluation.seeds import over_seeds, separated_gap

    p = ctx.params
    sets = scenes(p.robustness.n_images)
    tok, grp = common.prompts("shapes")
    acc = {m: {st: [] for st in cap.STYLES} for m in MODELS}
    for run in range(p.objectives.seeds):
        clip = objectives.load(ctx, "contrastive", run).clip
        sup = ctx.load_module(name(run), classifier(p))
        with torch.no_grad():
            w = clip.zero_shot_weights(tok, grp, common.N_SHAPE_CLASSES)
            for style, (x, y) in sets.items():
                zs = (clip.encode_image(x) @ w.T).argmax(1).numpy()
                # the supervised head's 24 shape classes (a shape scene is never a digit)
                sv = sup(x)[:, : common.N_SHAPE_CLASSES].argmax(1).numpy()
                acc["zero_shot_clip"][style].append(float((zs == y).mean()))
                acc["supervised_vit"][style].append(float((sv == y).mean()))
    kept = {}
    for m in MODELS:
        a = {st: np.array(v) for st, v in acc[m].items()}
        acc[m] = a
        # per seed: the share of the clean accuracy kept, averaged over the shifts
        kept[m] = over_seeds(np.mean([a[st] / a["solid"] for st in SHIFTS], axis=0))
        stats = {}
        for st in cap.STYLES:
            stats |= over_seeds(a[st]).metrics(f"{st}_accuracy")
        ctx.record(
            "robustness",
            m,
            seeds=p.objectives.seeds,
            n_images=len(sets["solid"][1]),
            **stats,
            **kept[m].metrics("accuracy_kept_under_shift"),
        )
    ctx.measure(
        "zero_shot_degrades_less_under_shift",
        separated_gap(kept["supervised_vit"], kept["zero_shot_clip"]),
    )
    return Robustness(acc, {st: x[:4].numpy() for st, (x, _) in sets.items()})
