"""The lecture's three ways to pretrain on (image, text) pairs (lines 5316-5319) at equal
compute: the same ViT, the same pairs, batches and steps, trained to (1) predict the exact
caption (an image-grounded Transformer LM), (2) predict its bag of words, (3) match images and
texts contrastively (CLIP). Zero-shot accuracy on test scenes is measured after every epoch;
the lecture's figure (line 5345-5351) has the contrastive one fastest and best."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l12_multimodal import common

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l12_multimodal.common import Scenes

OBJECTIVES = ("caption", "bag_of_words", "contrastive")


def name(objective: str, run: int) -> str:
    return objective if run == 0 else f"{objective}_seed{run}"


def build(p, objective: str, spec: common.Spec = common.SCENES):
    if objective == "caption":
        return common.blip(p, losses=("lm",), spec=spec)
    if objective == "bag_of_words":
        return common.bag_of_words(p, spec)
    if objective == "contrastive":
        from mldm.models.clip import ContrastiveObjective

        return ContrastiveObjective(common.clip(p, spec=spec))
    raise ValueError(f"unknown objective {objective!r}")


def _by_class(scores, groups, n_classes: int, pool: str):
    """(N, P) prompt scores -> (N, C): log-sum-exp over each class's prompts (``"lse"``,
    a marginal likelihood) or their mean (``"mean"``)."""
    import torch

    member = groups[None, :] == torch.arange(n_classes, device=groups.device)[:, None]  # (C, P)
    if pool == "lse":
        s = scores[:, None, :].masked_fill(~member[None], float("-inf"))
        return torch.logsumexp(s, dim=2)
    return (scores @ member.T.to(scores.dtype)) / member.sum(1)


def zero_shot_scores(objective: str, model, x, prompt_tokens, groups, n_classes: int):
    """(N, C) class scores of images ``x`` for one trained objective: contrastive, the cosine
    to each class's mean prompt embedding (CLIP's prompt ensembling); the two predictive ones,
    the log-likelihood of the class's prompts under the model (log-sum-exp over prompts)."""
    import torch

    from mldm.models.clip import bag_of_words, bag_of_words_log_likelihood

    with torch.no_grad():
        if objective == "contrastive":
            clip = model.clip
            return clip.encode_image(x) @ clip.zero_shot_weights(prompt_tokens, groups, n_classes).T
        if objective == "bag_of_words":
            bags = bag_of_words(prompt_tokens, model.vocab_size)
            return _by_class(
                bag_of_words_log_likelihood(model.scores(x), bags), groups, n_classes, "lse"
            )
        T = int((prompt_tokens != 0).sum(1).max())
        tok = prompt_tokens[:, :T]
        image = model.image_tokens(x)  # (N, S, d)
        N, P = len(x), len(tok)
        ll = model.lm_log_likelihood(tok.repeat(N, 1), image.repeat_interleave(P, dim=0)).reshape(
            N, P
        )
        return _by_class(ll, groups, n_classes, "lse")


def accuracy(scores, y) -> float:
    return float((scores.argmax(1) == y).float().mean())


def eval_set(s: Scenes, n: int):
    """The first ``n`` test shape scenes and their class (24 shape × colour classes)."""
    import torch

    idx = np.flatnonzero(s.a_test["kind"] == 0)[:n]
    return s.x_test[idx], torch.as_tensor(s.y_test[idx])


def eval_task(s: Scenes, n: int):
    """What is scored after every epoch: ``(images, their class, prompts, each prompt's
    class, number of classes)``. On the scenes, zero-shot classification of the first ``n``
    test shape scenes by one prompt per (shape, colour); on Flickr8k (no classes), the first
    ``n`` test images, each its own class with its five captions as prompts: image -> text
    retrieval among ``n`` images, an image's captions pooled as a class's prompts are."""
    import torch

    if s.spec is common.SCENES:
        tok, grp = common.prompts("shapes", templates=(0,))
        return (*eval_set(s, n), tok, grp, common.N_SHAPE_CLASSES)
    ids, first = np.unique(s.a_test["image"], return_index=True)
    ids, first = ids[:n], first[:n]
    rows = np.flatnonzero(np.isin(s.a_test["image"], ids))
    cls = torch.as_tensor(np.searchsorted(ids, s.a_test["image"][rows]))
    return s.x_test[first], torch.arange(len(ids)), s.tokens_test[rows], cls, len(ids)


def chunked_scores(objective: str, model, x, prompt_tokens, groups, n_classes: int, chunk=16):
    """:func:`zero_shot_scores` over chunks of ``chunk`` images (the caption model scores
    every (image, prompt) pair: thousands of prompts at once do not fit)."""
    import torch

    return torch.cat(
        [
            zero_shot_scores(objective, model, x[i : i + chunk], prompt_tokens, groups, n_classes)
            for i in range(0, len(x), chunk)
        ]
    )


def train(ctx: Context, s: Scenes) -> None:
    p = ctx.params
    o = p.objectives
    x_ev, y_ev, tok, grp, n_classes = eval_task(s, o.eval_images)
    score = zero_shot_scores if s.spec is common.SCENES else chunked_scores
    for i, objective in enumerate(OBJECTIVES):
        for run in range(o.seeds):
            ctx.seeded(i, run=run)
            model = build(p, objective, s.spec)

            def on_epoch(model=model, objective=objective):
                at = next(model.parameters()).device  # the trainer's (a GPU under full)
                ev = (x_ev.to(at), tok.to(at), grp.to(at))
                return accuracy(score(objective, model, *ev, n_classes).cpu(), y_ev)

            common.train(
                ctx,
                name(objective, run),
                model,
                s.x_train,
                s.tokens_train,
                epochs=o.epochs,
                seed=ctx.seed + run,
                on_epoch=on_epoch,
                spec=s.spec,
                objective=objective,
            )
            ctx.save_module(name(objective, run), model)


def load(ctx: Context, objective: str, run: int = 0, spec: common.Spec = common.SCENES):
    return ctx.load_module(name(objective, run), build(ctx.params, objective, spec))


@dataclass(frozen=True)
class Curves:
    """Zero-shot accuracy against epoch, per objective: mean and sd over seeds (E,)."""

    epochs: np.ndarray
    mean: dict[str, np.ndarray]
    sd: dict[str, np.ndarray]
    chance: float
    steps_per_epoch: int
    label: str = "zero-shot accuracy (24 classes)"  # what the curve measures


def evaluate(ctx: Context, s: Scenes) -> Curves:
    from mldm.evaluation.seeds import over_seeds, separated_gap

    p = ctx.params
    o = p.objectives
    mean, sd, final, early = {}, {}, {}, {}
    half = max(1, o.epochs // 2)
    for objective in OBJECTIVES:
        runs = ctx.curves([name(objective, r) for r in range(o.seeds)])
        acc = np.stack([c["on_epoch"].to_numpy() for c in runs.values()])  # (seeds, E)
        mean[objective] = acc.mean(0)
        sd[objective] = acc.std(0, ddof=1) if len(acc) > 1 else np.zeros(acc.shape[1])
        final[objective] = over_seeds(acc[:, -1])
        # how fast it learns: the accuracy averaged over the first half of the epochs (the
        # area under the early curve), per seed; less noisy than one checkpoint
        early[objective] = over_seeds(acc[:, :half].mean(1))
        # the area under the accuracy-epoch curve, per seed: how fast it learns
        speed = over_seeds(acc.mean(1))
        ctx.record(
            "objectives",
            objective,
            zero_shot_accuracy_mean=final[objective].mean,
            zero_shot_accuracy_sd=final[objective].sd,
            zero_shot_accuracy_over_epochs_mean=speed.mean,
            zero_shot_accuracy_over_epochs_sd=speed.sd,
            **early[objective].metrics("zero_shot_accuracy_first_half"),
            seeds=o.seeds,
            epochs=o.epochs,
        )
    c = final["contrastive"]
    gaps = [separated_gap(final[b], c) for b in ("caption", "bag_of_words")]
    ctx.measure("contrastive_best_at_equal_steps", float(min(gaps)))
    c = early["contrastive"]
    gaps = [separated_gap(early[b], c) for b in ("caption", "bag_of_words")]
    ctx.measure("contrastive_fastest", float(min(gaps)))
    n = len(s.x_train)
    chance = 1 / (
        common.N_SHAPE_CLASSES
        if s.spec is common.SCENES
        else min(o.eval_images, len(np.unique(s.a_test["image"])))
    )
    label = (
        "zero-shot accuracy (24 classes)"
        if s.spec is common.SCENES
        else f"image -> text R@1 among {round(1 / chance)} test images"
    )
    return Curves(np.arange(1, o.epochs + 1), mean, sd, chance, -(-n // p.batch_size), label)
