"""CapFilt (lines 5445-5470): the training pairs are the "web" set {(I_w, T_w)}, 30% of
whose captions belong to another scene (known by a flag); ``n_clean`` of them with their true
captions play the human-annotated {(I_h, T_h)}. The BLIP of :mod:`.blip` (``CAPTIONER``)
is fine-tuned on (I_h, T_h); its decoder captions every web image (T_s) and its ITM
head filters both the web and the synthetic captions. A CLIP is then trained, for the same
number of steps, on each bootstrapped set: the lecture's C/F ablation (its Table 1) in
miniature, scored by retrieval R@1 on the test scenes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l12_multimodal import blip, common

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l12_multimodal.common import Scenes

# (captioner, filter) of each bootstrapped set, the lecture's C and F columns
SETTINGS = {
    "noisy": (False, False),
    "filter": (False, True),
    "captioner": (True, False),
    "captioner_filter": (True, True),
}
FINETUNED = "capfilt_blip"
SETS = "capfilt_sets.npz"


def _split(s: Scenes, n_clean: int):
    """(human rows, web rows) of the training pairs."""
    n = len(s.x_train)
    return np.arange(min(n_clean, n // 2)), np.arange(min(n_clean, n // 2), n)


def bootstrap(s: Scenes, sets: dict[str, np.ndarray], setting: str):
    """The (images, tokens) of one bootstrapped set."""
    import torch

    use_c, use_f = SETTINGS[setting]
    human, web = _split(s, int(sets["n_clean"]))
    keep = sets["web_keep"] if use_f else np.ones(len(web), bool)
    xs = [s.x_train[human], s.x_train[web[keep]]]
    ts = [s.true_train[human], s.tokens_train[web[keep]]]
    if use_c:
        syn_keep = sets["synthetic_keep"] if use_f else np.ones(len(web), bool)
        xs.append(s.x_train[web[syn_keep]])
        ts.append(torch.as_tensor(sets["synthetic"])[syn_keep])
    return torch.cat(xs), torch.cat(ts)


def train(ctx: Context, s: Scenes, model) -> None:
    """``model``: the pretrained BLIP (:data:`.blip.CAPTIONER`), fine-tuned here in place."""
    import torch

    from mldm.io import save_npz
    from mldm.models.clip import ContrastiveObjective

    p = ctx.params
    c = p.capfilt
    human, web = _split(s, c.n_clean)
    model.train()
    ctx.seeded(20)
    common.train(
        ctx,
        FINETUNED,
        model,
        s.x_train[human],
        s.true_train[human],
        epochs=c.finetune_epochs,
        seed=ctx.seed,
        meaning=common.meaning({k: v[human] for k, v in s.a_train.items()}),
    )
    ctx.save_module(FINETUNED, model)
    model.eval()
    with torch.no_grad():
        web_p = model.match_probability(s.x_train[web], s.tokens_train[web]).numpy()
        synthetic = model.generate(s.x_train[web], common.MAX_LEN)
        syn_p = model.match_probability(s.x_train[web], synthetic).numpy()
    sets = {
        "n_clean": np.array(len(human)),
        "web_p": web_p,
        "web_keep": web_p >= c.threshold,
        "synthetic": synthetic.numpy(),
        "synthetic_p": syn_p,
        "synthetic_keep": syn_p >= c.threshold,
    }
    save_npz(ctx.out_dir / SETS, **sets)

    for i, setting in enumerate(SETTINGS):
        x, tok = bootstrap(s, sets, setting)
        # the same number of steps on every set: c.steps batches drawn from it
        rows = np.random.default_rng([ctx.seed, 12, 30 + i]).integers(
            0, len(x), c.steps * p.batch_size
        )
        ctx.seeded(30 + i)
        obj = ContrastiveObjective(common.clip(p))
        common.train(
            ctx,
            f"clip_{setting}",
            obj,
            x[rows],
            tok[rows],
            epochs=1,
            seed=ctx.seed,
            setting=setting,
            n_pairs=len(x),
        )
        ctx.save_module(f"clip_{setting}", obj)


@dataclass(frozen=True)
class CapFiltResults:
    noise_removed: float
    clean_kept: float
    recall_at_1: dict[str, dict[str, float]]  # setting -> direction -> R@1
    n_pairs: dict[str, int]


def evaluate(ctx: Context, s: Scenes) -> CapFiltResults:
    import torch

    from mldm.evaluation.representation import recall_at_k
    from mldm.io import load_npz
    from mldm.lectures.l12_multimodal.clip import same_record
    from mldm.models.clip import ContrastiveObjective

    p = ctx.params
    sets = load_npz(ctx.artifacts_dir / SETS)
    human, web = _split(s, int(sets["n_clean"]))
    corrupted = s.a_train["corrupted"][web].astype(bool)
    keep = sets["web_keep"]
    removed = float((~keep[corrupted]).mean()) if corrupted.any() else float("nan")
    kept = float(keep[~corrupted].mean())
    stated = blip.parse(sets["synthetic"])
    truth = {k: v[web] for k, v in s.a_train.items()}
    syn_acc = blip.attribute_accuracy(stated, truth)
    ctx.record(
        "capfilt",
        "filter",
        noise_removed=removed,
        clean_kept=kept,
        web_pairs_kept=float(keep.mean()),
        corrupted_share=float(corrupted.mean()),
        synthetic_kept=float(sets["synthetic_keep"].mean()),
        synthetic_caption_all_attributes_accuracy=syn_acc["all"],
    )
    ctx.measure("capfilt_removes_most_noise", removed)
    ctx.measure("capfilt_keeps_clean_pairs", kept)

    pos = same_record(s.a_test, s.a_test)
    recall, n_pairs = {}, {}
    for setting in SETTINGS:
        clip = ctx.load_module(f"clip_{setting}", ContrastiveObjective(common.clip(p))).clip
        with torch.no_grad():
            sim = (clip.encode_image(s.x_test) @ clip.encode_text(s.tokens_test).T).numpy()
        r = {
            "image_to_text": float(recall_at_k(sim, 1, positives=pos)),
            "text_to_image": float(recall_at_k(sim.T, 1, positives=pos.T)),
        }
        recall[setting] = r
        n_pairs[setting] = len(bootstrap(s, sets, setting)[0])
        c, f = SETTINGS[setting]
        ctx.record(
            "capfilt",
            setting,
            captioner=int(c),
            filter=int(f),
            n_pairs=n_pairs[setting],
            image_to_text_r1=r["image_to_text"],
            text_to_image_r1=r["text_to_image"],
        )
    mean = {k: (v["image_to_text"] + v["text_to_image"]) / 2 for k, v in recall.items()}
    ctx.measure("capfilt_improves_recall", mean["captioner_filter"] - mean["noisy"])
    return CapFiltResults(removed, kept, recall, n_pairs)
