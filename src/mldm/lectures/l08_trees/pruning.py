"""A real-valued tree overfits noisy labels as it grows; reduced-error pruning cuts it back.

The tree of lines 3192-3200 (thresholds, entropy, stopping rules) is grown on breast_cancer with
a share of its training labels flipped: deeper trees fit the noise (lines 3201-3207).
Reduced-error pruning on a validation set (lines 3208-3245) shrinks the fully grown tree
without losing validation accuracy, and on fresh data it does better.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class Pruning:
    """The depth sweep's accuracies per split, and the pruning path (accuracies against the
    number of leaves as nodes are cut) down to the pruned tree's ``pruned_leaves``."""

    label_noise: float
    depths: np.ndarray
    depth_accuracy: dict[str, list[float]]  # split -> accuracy at each depth
    path_leaves: np.ndarray
    path_train_accuracy: np.ndarray
    path_validation_accuracy: np.ndarray
    pruned_leaves: int


def noisy_breast_cancer(ctx: Context):
    """breast_cancer with a share of training labels flipped, split into fit / validation:
    ``(X_fit, y_fit, X_val, y_val, X_test, y_test)``."""
    from mldm.evaluation import holdout_split

    p = ctx.params.pruning
    d = ctx.data("breast_cancer")
    rng = np.random.default_rng([ctx.seed, 8])
    y = d.y_train.copy()
    flip = rng.random(len(y)) < p.label_noise
    y[flip] = 1 - y[flip]
    fit, val = holdout_split(len(y), p.val_fraction, ctx.seed)
    return d.X_train[fit], y[fit], d.X_train[val], y[val], d.X_test, d.y_test


def train(ctx: Context) -> None:
    from mldm.models import DecisionTreeClassifier

    p = ctx.params
    Xf, yf, Xv, yv, _, _ = noisy_breast_cancer(ctx)
    with ctx.run("noisy_breast_cancer", label_noise=p.pruning.label_noise):
        for depth in range(1, p.max_depth + 1):
            tree = DecisionTreeClassifier(criterion=p.criterion, max_depth=depth)
            ctx.save_model(f"noisy_depth{depth}", tree.fit(Xf, yf))
        full = DecisionTreeClassifier(criterion=p.criterion).fit(Xf, yf)
        ctx.save_model("noisy_full", full)
        ctx.save_model("noisy_pruned", full.prune(Xv, yv))


def evaluate(ctx: Context) -> Pruning:
    from mldm.evaluation import accuracy

    p = ctx.params
    Xf, yf, Xv, yv, Xt, yt = noisy_breast_cancer(ctx)
    sets = dict(zip(SPLITS, ((Xf, yf), (Xv, yv), (Xt, yt)), strict=True))
    depth: dict[str, list[float]] = {split: [] for split in SPLITS}
    for dep in range(1, p.max_depth + 1):
        est = ctx.load_model(f"noisy_depth{dep}")
        for split, (X, y) in sets.items():
            depth[split].append(accuracy(y, est.predict(X)))
    full, pruned = ctx.load_model("noisy_full"), ctx.load_model("noisy_pruned")
    rows = {}
    for name, est in (("unpruned", full), ("pruned", pruned)):
        rows[name] = {
            "leaves": int(est.get_n_leaves()),
            "depth": int(est.get_depth()),
            **{f"{split}_accuracy": accuracy(y, est.predict(X)) for split, (X, y) in sets.items()},
        }
        ctx.record("noisy_breast_cancer_pruning", name, **rows[name])
    u, q = rows["unpruned"], rows["pruned"]
    ctx.measure("grown_tree_overfits", u["train_accuracy"] - u["test_accuracy"])
    ctx.measure("pruning_shrinks_tree", q["leaves"] / u["leaves"])
    ctx.measure(
        "pruning_keeps_validation_accuracy", q["validation_accuracy"] - u["validation_accuracy"]
    )
    ctx.measure("pruning_helps_test", q["test_accuracy"] - u["test_accuracy"])
    path = full.pruning_path(Xv, yv, Xf, yf)
    ctx.save_curve(
        "pruning_path",
        n_leaves=path["n_leaves"],
        train_accuracy=path["train_accuracy"],
        validation_accuracy=path["val_accuracy"],
    )
    return Pruning(
        label_noise=p.pruning.label_noise,
        depths=np.arange(1, p.max_depth + 1),
        depth_accuracy=depth,
        path_leaves=np.asarray(path["n_leaves"]),
        path_train_accuracy=np.asarray(path["train_accuracy"]),
        path_validation_accuracy=np.asarray(path["val_accuracy"]),
        pruned_leaves=q["leaves"],
    )
