"""CLIP as the lecture uses it (lines 5320-5380), on the contrastive model of
:mod:`.objectives` (seed 0): zero-shot classification by prompts on the held-out
(shape, colour) combinations and on digit scenes (line 5335), image -> text and text -> image
retrieval at R@1/5/10, and a linear probe of its image features beside raw pixels (line 5364)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.data import captions as cap
from mldm.lectures.l12_multimodal import common, objectives

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l12_multimodal.common import Scenes

KS = (1, 5, 10)


def held_out(a: dict[str, np.ndarray]) -> np.ndarray:
    """Rows that are shape scenes of a (shape, colour) pair never seen in training."""
    pair = a["shape"] * len(cap.COLOURS) + a["colour"]
    held = np.array([s * len(cap.COLOURS) + c for s, c in cap.HELD_OUT])
    return (a["kind"] == 0) & np.isin(pair, held)


def same_record(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> np.ndarray:
    """(N_a, N_b) True where two scenes have the same attribute record (then each's caption,
    in any template, describes the other too: a positive in retrieval); on Flickr8k (records
    with an ``image`` key only) where two rows are the same photo (its five captions)."""
    keys = ("image",) if "image" in a else cap.RECORD
    ka = np.stack([a[k] for k in keys], 1)
    kb = np.stack([b[k] for k in keys], 1)
    return (ka[:, None, :] == kb[None, :, :]).all(2)


def loss_gap(clip, img, txt, n: int = 256) -> float:
    """|our contrastive loss - torch's cross-entropy over rows and columns, averaged| on the
    first ``n`` test pairs' logits."""
    import torch
    from torch.nn.functional import cross_entropy

    from mldm.models.clip import contrastive_loss

    logits = (clip.scale * img[:n] @ txt[:n].T).double()
    labels = torch.arange(len(logits))
    ref = (cross_entropy(logits, labels) + cross_entropy(logits.T, labels)) / 2
    return float((contrastive_loss(logits) - ref).abs())


def features(model, x, batch: int = 1024):
    """The image encoder's pooled features (before the projection)."""
    import torch

    with torch.no_grad():
        return torch.cat([model.image_encoder(x[i : i + batch]) for i in range(0, len(x), batch)])


@dataclass(frozen=True)
class ClipResults:
    zero_shot: dict[str, float]
    retrieval: dict[str, dict[int, float]]
    examples: dict[str, Any]  # images, their true captions, their top-3 retrieved texts


def evaluate(ctx: Context, s: Scenes) -> ClipResults:
    import torch

    from mldm.evaluation.representation import linear_probe

    clip = objectives.load(ctx, "contrastive").clip
    a = s.a_test
    zs: dict[str, float] = {}
    with torch.no_grad():
        img = clip.encode_image(s.x_test)
        for task, rows, y, n in (
            ("held_out_combinations", held_out(a), s.y_test, common.N_SHAPE_CLASSES),
            (
                "seen_combinations",
                (a["kind"] == 0) & ~held_out(a),
                s.y_test,
                common.N_SHAPE_CLASSES,
            ),
            ("digits", a["kind"] == 1, a["digit"], 10),
        ):
            tok, grp = common.prompts("digits" if task == "digits" else "shapes")
            w = clip.zero_shot_weights(tok, grp, n)
            pred = (img[rows] @ w.T).argmax(1).numpy()
            zs[task] = float((pred == y[rows]).mean())
            ctx.record(
                "zero_shot",
                task,
                test_accuracy=zs[task],
                chance=1 / n,
                n_images=int(rows.sum()),
                n_prompts=len(tok),
            )
        txt = clip.encode_text(s.tokens_test)
        ctx.measure("contrastive_loss_is_symmetric_cross_entropy", loss_gap(clip, img, txt))
    ctx.measure("zero_shot_held_out_above_chance", zs["held_out_combinations"] * 24)
    digits = _digits_over_seeds(ctx, s)
    ctx.record("zero_shot", "digits_over_seeds", **digits.metrics("test_accuracy"),
               seeds=digits.n, chance=0.1)  # fmt: skip
    ctx.measure("zero_shot_digits_above_chance", (digits.mean - 2 * digits.se) * 10)

    sim = (img @ txt.T).numpy()
    retrieval = record_retrieval(ctx, sim, same_record(a, a))

    # linear probe of the digit class on digit scenes: CLIP's image features vs raw pixels
    tr, te = s.a_train["kind"] == 1, a["kind"] == 1
    f_tr, f_te = features(clip, s.x_train[tr]), features(clip, s.x_test[te])
    y_tr, y_te = s.a_train["digit"][tr], a["digit"][te]
    raw = (s.x_train[tr].flatten(1), s.x_test[te].flatten(1))
    for name, (h_tr, h_te) in {"clip_image_features": (f_tr, f_te), "raw_pixels": raw}.items():
        r = linear_probe(h_tr, y_tr, h_te, y_te, seed=ctx.seed)
        ctx.record("linear_probe", name, test_accuracy=r.test_accuracy,
                   weight_decay=r.weight_decay, n_features=r.n_features)  # fmt: skip
    ctx.record("reference", "open_clip_vit_b32_zero_shot_mnist", test_accuracy=0.484)

    ex = np.flatnonzero(held_out(a))[:4].tolist() + np.flatnonzero(a["kind"] == 1)[:4].tolist()
    top = np.argsort(-sim[ex], axis=1, kind="stable")
    texts = common.decode(s.tokens_test)
    examples = {
        "images": s.x_test[ex].numpy(),
        "truth": [texts[i] for i in ex],
        "retrieved": [[texts[j] for j in _distinct(top[r], texts, 3)] for r in range(len(ex))],
    }
    return ClipResults(zs, retrieval, examples)


def record_retrieval(ctx: Context, sim: np.ndarray, pos: np.ndarray) -> dict:
    """R@1/5/10 image -> text and text -> image of the (images, texts) similarity ``sim``
    with positives ``pos``, recorded with the chance level of R@1."""
    from mldm.evaluation.representation import recall_at_k

    retrieval = {
        "image_to_text": recall_at_k(sim, KS, positives=pos),
        "text_to_image": recall_at_k(sim.T, KS, positives=pos.T),
    }
    for direction, r in retrieval.items():
        ctx.record("retrieval", direction, **{f"r{k}": float(v) for k, v in r.items()})
    # the chance level of R@1 with these positives: the mean share of positives per query
    ctx.record("retrieval", "chance", r1=float(pos.mean(1).mean()))
    return retrieval


def _digits_over_seeds(ctx: Context, s: Scenes):
    """Zero-shot accuracy on the digit scenes of every contrastive seed's CLIP."""
    import torch

    from mldm.evaluation.seeds import over_seeds

    rows = s.a_test["kind"] == 1
    tok, grp = common.prompts("digits")
    acc = []
    for run in range(ctx.params.objectives.seeds):
        c = objectives.load(ctx, "contrastive", run).clip
        with torch.no_grad():
            pred = (c.encode_image(s.x_test[rows]) @ c.zero_shot_weights(tok, grp, 10).T).argmax(1)
        acc.append(float((pred.numpy() == s.a_test["digit"][rows]).mean()))
    return over_seeds(acc)


def _distinct(order, texts, n: int) -> list[int]:
    """The first ``n`` indices of ``order`` with distinct texts."""
    seen: dict[str, int] = {}
    for j in order:
        seen.setdefault(texts[j], int(j))
        if len(seen) == n:
            break
    return list(seen.values())
