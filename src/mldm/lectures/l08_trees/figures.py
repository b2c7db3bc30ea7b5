"""L08's figures, drawn from the experiments' results (matplotlib only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l08_trees.boosting import BoostingCurves
    from mldm.lectures.l08_trees.forest import VoteCurves
    from mldm.lectures.l08_trees.id3 import Id3Trees
    from mldm.lectures.l08_trees.pruning import Pruning


def id3_trees(ctx: Context, trees: Id3Trees) -> None:
    for name, edges in trees.edges.items():
        with ctx.figure(f"id3_{name}_tree", size=(7.0, 3.6)) as (_, ax):
            draw_tree(ax, edges)


def draw_tree(ax, edges) -> None:
    """A layered drawing: leaves spaced left to right in depth-first order, parents centred."""
    from mldm.models.tree_edges import node_label, tree_children

    children, root = tree_children(edges)
    pos: dict[str, tuple[float, float]] = {}
    next_x = [0.0]

    def place(node, depth):
        kids = children.get(node, [])
        for _, child in kids:
            place(child, depth + 1)
        if kids:
            x = float(np.mean([pos[c][0] for _, c in kids]))
        else:
            x, next_x[0] = next_x[0], next_x[0] + 1.0
        pos[node] = (x, -depth)

    place(root, 0)
    for parent, label, child in edges:
        (x0, y0), (x1, y1) = pos[parent], pos[child]
        ax.annotate(
            "",
            xy=(x1, y1 + 0.15),
            xytext=(x0, y0 - 0.15),
            arrowprops={"arrowstyle": "->", "lw": 0.8},
        )
        mid = ((x0 + x1) / 2, (y0 + y1) / 2)
        ax.text(*mid, label, fontsize=8, ha="center", va="center", backgroundcolor="white")
    for node, (x, y) in pos.items():
        leaf = node not in children
        box = {"boxstyle": "round", "fc": "#d5f6d5" if leaf else "#d5e3f6", "ec": "k", "lw": 0.6}
        ax.text(x, y, node_label(node), ha="center", va="center", fontsize=9, bbox=box)
    xs, ys = zip(*pos.values(), strict=True)
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.5, 0.5)
    ax.axis("off")


def overfitting_and_pruning(ctx: Context, r: Pruning) -> None:
    with ctx.figure("overfitting_and_pruning", ncols=2) as (_, (ax1, ax2)):
        for split, vals in r.depth_accuracy.items():
            ax1.plot(r.depths, vals, "o-", ms=3, label=split)
        ax1.set_xlabel("max depth")
        ax1.set_ylabel("accuracy")
        ax1.set_title(f"breast_cancer, {r.label_noise:.0%} training labels flipped", fontsize=9)
        ax1.legend()
        ax2.plot(r.path_leaves, r.path_train_accuracy, label="train")
        ax2.plot(r.path_leaves, r.path_validation_accuracy, label="validation (prunes)")
        ax2.axvline(
            r.pruned_leaves, c="k", ls="--", lw=0.8, label=f"pruned: {r.pruned_leaves} leaves"
        )
        ax2.set_xscale("log")
        ax2.set_xlabel("leaves (pruning from right to left)")
        ax2.legend(fontsize=8)


def trees_in_the_vote(ctx: Context, v: VoteCurves) -> None:
    with ctx.figure("trees_in_the_vote") as (_, ax):
        for key, curve in v.accuracy.items():
            ax.plot(v.trees, curve, label=key)
        ax.axhline(v.one_tree, c="k", ls="--", lw=0.8, label="one grown tree")
        ax.set_xscale("log")
        ax.set_xlabel("trees in the majority vote")
        ax.set_ylabel("digits test accuracy")
        ax.legend()


def adaboost_curves(ctx: Context, c: BoostingCurves) -> None:
    with ctx.figure("adaboost_curves") as (_, ax):
        ax.plot(c.rounds, c.train_error, label="training error")
        ax.plot(c.rounds, c.test_error, label="test error")
        ax.plot(c.rounds, c.exp_loss, label="(1/N) Σ exp(−y h(x)) (bound)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("weak classifiers (stumps)")
        ax.set_title("AdaBoost on breast_cancer", fontsize=9)
        ax.legend(fontsize=8)
