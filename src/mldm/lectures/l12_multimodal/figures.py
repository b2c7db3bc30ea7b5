"""L12's figures (matplotlib only): example pairs, zero-shot accuracy against epochs for the
three objectives, retrieval examples, robustness under a shifted rendering, generated captions,
the CapFilt table."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l12_multimodal import common

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l12_multimodal.blip import BlipResults
    from mldm.lectures.l12_multimodal.capfilt import CapFiltResults
    from mldm.lectures.l12_multimodal.clip import ClipResults
    from mldm.lectures.l12_multimodal.objectives import Curves
    from mldm.lectures.l12_multimodal.robustness import Robustness


def _show(ax, image, title: str) -> None:
    ax.imshow(np.clip(np.asarray(image).transpose(1, 2, 0), 0, 1))
    ax.set_title("\n".join(textwrap.wrap(title, 26)), fontsize=7)
    ax.set(xticks=[], yticks=[])


def examples(ctx: Context, s) -> None:
    """Training pairs as given: a corrupted caption is marked (noise, known by its flag)."""
    texts = common.decode(s.tokens_train[:12], s.spec)
    with ctx.figure("examples", ncols=6, nrows=2, size=(2.0, 2.3)) as (_, ax):
        for i, a in enumerate(ax):
            bad = " [corrupted]" if s.a_train["corrupted"][i] else ""
            _show(a, s.x_train[i], texts[i] + bad)


def objectives(ctx: Context, c: Curves) -> None:
    with ctx.figure("zero_shot_vs_steps", size=(5.5, 3.8)) as (_, ax):
        steps = c.epochs * c.steps_per_epoch
        for name, m in c.mean.items():
            ax.errorbar(steps, m, yerr=c.sd[name], label=name, capsize=2)
        ax.axhline(c.chance, color="grey", ls=":", label="chance")
        ax.set(
            xlabel="training steps",
            ylabel=c.label,
            title="pretraining objectives at equal compute",
        )
        ax.legend(fontsize=7)


def retrieval(ctx: Context, r: ClipResults) -> None:
    e = r.examples
    n = len(e["truth"])
    with ctx.figure("retrieval_examples", ncols=n, size=(2.2, 3.2)) as (_, ax):
        for i, a in enumerate(ax):
            top = "\n".join(f"{k + 1}. {t}" for k, t in enumerate(e["retrieved"][i]))
            _show(a, e["images"][i], e["truth"][i])
            a.set_xlabel("\n".join(textwrap.fill(x, 28) for x in top.split("\n")), fontsize=6)


def robustness(ctx: Context, r: Robustness) -> None:
    """The renderings (a row each) and each model's accuracy on them (mean ± sd over seeds)."""
    styles = list(r.examples)
    n = len(next(iter(r.examples.values())))
    with ctx.figure("robustness_renderings", ncols=n, nrows=len(styles), size=(1.6, 1.8)) as (
        _,
        ax,
    ):
        for i, st in enumerate(styles):
            for j in range(n):
                _show(ax[i * n + j], r.examples[st][j], st)
    with ctx.figure("robustness", size=(5.5, 3.4)) as (_, ax):
        x = np.arange(len(styles))
        for j, (m, acc) in enumerate(r.accuracy.items()):
            mean = [acc[st].mean() for st in styles]
            sd = [acc[st].std(ddof=1) if len(acc[st]) > 1 else 0.0 for st in styles]
            ax.bar(x + 0.4 * j - 0.2, mean, 0.4, yerr=sd, capsize=2, label=m)
        ax.set_xticks(x, styles)
        ax.axhline(1 / common.N_SHAPE_CLASSES, color="grey", ls=":", label="chance")
        ax.set(ylabel="accuracy (24 classes, seen pairs)", title="under a shifted rendering")
        ax.legend(fontsize=7)


def captions(ctx: Context, b: BlipResults) -> None:
    e = b.examples
    with ctx.figure("captions", ncols=len(e["captions"]), size=(2.2, 2.8)) as (_, ax):
        for i, a in enumerate(ax):
            _show(a, e["images"][i], f"BLIP: {e['captions'][i]}")
            a.set_xlabel(textwrap.fill(f"true: {e['truth'][i]}", 28), fontsize=6)


def capfilt(ctx: Context, c: CapFiltResults) -> None:
    names = list(c.recall_at_1)
    with ctx.figure("capfilt", size=(5.5, 3.4)) as (_, ax):
        x = np.arange(len(names))
        for j, d in enumerate(("image_to_text", "text_to_image")):
            ax.bar(x + 0.4 * j - 0.2, [c.recall_at_1[n][d] for n in names], 0.4, label=d)
        ax.set_xticks(x, [f"{n}\n({c.n_pairs[n]} pairs)" for n in names], fontsize=7)
        ax.set(
            ylabel="test R@1",
            title=f"CapFilt: noise removed {c.noise_removed:.2f}, clean kept {c.clean_kept:.2f}",
        )
        ax.legend(fontsize=7)
