"""CapFilt (lines 5445-5470): the training pairs are the "web" set {(I_w, T_w)}, 30% of
whose captions belong to another scene (known by a flag); ``n_clean`` of them with their true
captions play the human-annotated {(I_h, T_h)}. The BLIP of :mod:`.blip` (``CAPTIONER``)
is fine-tuned on (I_h, T_h); its decoder captions every web image (T_s) and its ITM
head filters both the web and the synthetic captions. A CLIP is then trained, for the same
number of steps, on each bootstrapped set: the lecture's C/F ablation (its Table 1) in
miniature, scored by retrieval R@1 on the test scenes. All of it once per BLIP seed (the
random-negative BLIPs of :mod:`.blip`), the claims on the mean over seeds."""

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
SETS = "capfilt_sets"


def suffix(run: int) -> str:
    return "" if run == 0 else f"_seed{run}"


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


def train(ctx: Context, s: Scenes, models) -> None:
    """``models``: the pretrained BLIPs (random negatives, one per seed), each fine-tuned here
    in place."""
    for run, model in enumerate(models):
        _train(ctx, s, model, run)


def _train(ctx: Context, s: Scenes, model, run: int) -> None:
    import torch

    from mldm.io import save_npz
    from mldm.models.clip import ContrastiveObjective

    p = ctx.params
    c = p.capfilt
    sfx = suffix(run)
    human, web = _split(s, c.n_clean)
    model.train()
    ctx.seeded(20, run=run)
    common.train(
        ctx,
        FINETUNED + sfx,
        model,
        s.x_train[human],
        s.true_train[human],
        epochs=c.finetune_epochs,
        seed=ctx.seed + run,
        meaning=common.caption_meaning(s, human, given=False),
        spec=s.spec,
    )
    ctx.save_module(FINETUNED + sfx, model)
    model.eval()
    with torch.no_grad():
        web_p = model.match_probability(s.x_train[web], s.tokens_train[web]).numpy()
        synthetic = model.generate(s.x_train[web], s.spec.max_len)
        syn_p = model.match_probability(s.x_train[web], synthetic).numpy()
    sets = {
        "n_clean": np.array(len(human)),
        "web_p": web_p,
        "web_keep": web_p >= c.threshold,
        "synthetic": synthetic.numpy(),
        "synthetic_p": syn_p,
        "synthetic_keep": syn_p >= c.threshold,
    }
    save_npz(ctx.out_dir / f"{SETS}{sfx}.npz", **sets)

    for i, setting in enumerate(SETTINGS):
        x, tok = bootstrap(s, sets, setting)
        # the same number of steps on every set: c.steps batches drawn from it
        rows = np.random.default_rng([ctx.seed, 12, 30 + i, run]).integers(
            0, len(x), c.steps * p.batch_size
        )
        ctx.seeded(30 + i, run=run)
        obj = ContrastiveObjective(common.clip(p, spec=s.spec))
        common.train(
            ctx,
            f"clip_{setting}{sfx}",
            obj,
            x[rows],
            tok[rows],
            epochs=1,
            seed=ctx.seed + run,
            spec=s.spec,
            setting=setting,
            n_pairs=len(x),
        )
        ctx.save_module(f"clip_{setting}{sfx}", obj)


@dataclass(frozen=True)
class CapFiltResults:
    """Means over the BLIP seeds."""

    noise_removed: float
    clean_kept: float
    recall_at_1: dict[str, dict[str, float]]  # setting -> direction -> R@1
    n_pairs: dict[str, int]


def _filter(s: Scenes, sets) -> dict[str, float]:
    """What the filter did to the web pairs and the synthetic captions of one seed."""
    _, web = _split(s, int(sets["n_clean"]))
    corrupted = s.a_train["corrupted"][web].astype(bool)
    keep = sets["web_keep"]
    out = {
        "noise_removed": float((~keep[corrupted]).mean()) if corrupted.any() else float("nan"),
        "clean_kept": float(keep[~corrupted].mean()),
        "web_pairs_kept": float(keep.mean()),
        "corrupted_share": float(corrupted.mean()),
        "synthetic_kept": float(sets["synthetic_keep"].mean()),
    }
    if s.spec is common.SCENES:  # Flickr8k has no attribute records to score captions by
        stated = blip.parse(sets["synthetic"])
        truth = {k: v[web] for k, v in s.a_train.items()}
        acc = blip.attribute_accuracy(stated, truth)["all"]
        out["synthetic_caption_all_attributes_accuracy"] = acc
    return out


def evaluate(ctx: Context, s: Scenes) -> CapFiltResults:
    import torch

    from mldm.evaluation.representation import recall_at_k
    from mldm.evaluation.seeds import over_seeds, separated_gap
    from mldm.io import load_npz
    from mldm.lectures.l12_multimodal.clip import same_record
    from mldm.models.clip import ContrastiveObjective

    p = ctx.params
    runs = range(p.blip.seeds)
    pos = same_record(s.a_test, s.a_test)
    filt: list[dict[str, float]] = []
    recall = {k: {"image_to_text": [], "text_to_image": []} for k in SETTINGS}
    n_pairs: dict[str, list[int]] = {k: [] for k in SETTINGS}
    for run in runs:
        sets = load_npz(ctx.artifacts_dir / f"{SETS}{suffix(run)}.npz")
        filt.append(_filter(s, sets))
        for setting in SETTINGS:
            obj = ContrastiveObjective(common.clip(p, spec=s.spec))
            clip = ctx.load_module(f"clip_{setting}{suffix(run)}", obj).clip
            with torch.no_grad():
                sim = (clip.encode_image(s.x_test) @ clip.encode_text(s.tokens_test).T).numpy()
            recall[setting]["image_to_text"].append(float(recall_at_k(sim, 1, positives=pos)))
            recall[setting]["text_to_image"].append(float(recall_at_k(sim.T, 1, positives=pos.T)))
            n_pairs[setting].append(len(bootstrap(s, sets, setting)[0]))
    stats = {}
    for key in filt[0]:
        stats |= over_seeds([f[key] for f in filt]).metrics(key)
    ctx.record("capfilt", "filter", seeds=len(runs), **stats)
    removed = stats["noise_removed_mean"]
    kept = stats["clean_kept_mean"]
    ctx.measure("capfilt_removes_most_noise", removed)
    ctx.measure("capfilt_keeps_clean_pairs", kept)

    mean_r1 = {}
    for setting, r in recall.items():
        c, f = SETTINGS[setting]
        ctx.record(
            "capfilt",
            setting,
            captioner=int(c),
            filter=int(f),
            seeds=len(runs),
            n_pairs_mean=float(np.mean(n_pairs[setting])),
            **over_seeds(r["image_to_text"]).metrics("image_to_text_r1"),
            **over_seeds(r["text_to_image"]).metrics("text_to_image_r1"),
        )
        # per seed: the mean of the two directions
        mean_r1[setting] = over_seeds(
            (np.array(r["image_to_text"]) + np.array(r["text_to_image"])) / 2
        )
    ctx.measure(
        "capfilt_improves_recall", separated_gap(mean_r1["noisy"], mean_r1["captioner_filter"])
    )
    return CapFiltResults(
        removed,
        kept,
        {k: {d: float(np.mean(v)) for d, v in r.items()} for k, r in recall.items()},
        {k: int(round(np.mean(v))) for k, v in n_pairs.items()},
    )
