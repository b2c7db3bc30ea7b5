"""Bagging and the random forest on digits (lines 3295-3350).

Bagged trees beat one grown tree, and more trees in the vote help (the slides' 1, 5, 25, 100);
the forest's random attribute subsets make its members agree less than bagging's; the
out-of-bag estimate tracks the test accuracy without a held-out set (lines 3302-3330).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l08_trees.ensembles import Scores

VOTERS = ("bagging", "random_forest")


@dataclass(frozen=True)
class VoteCurves:
    """Digits test accuracy of the vote of the first k members, k = 1..K, per ensemble, and
    of one grown tree (the line to beat)."""

    trees: np.ndarray
    accuracy: dict[str, np.ndarray]
    one_tree: float


def evaluate(ctx: Context, scores: Scores) -> VoteCurves:
    from mldm.evaluation.ensembles import vote_curve
    from mldm.lectures.base import sweep_key

    p = ctx.params
    d = ctx.data("digits")
    test, oob = scores.test_accuracy["digits"], scores.oob_accuracy["digits"]
    ctx.measure("bagging_beats_one_tree", test["bagging"] - test["tree"])
    ensembles = {key: ctx.load_model(f"digits_{key}") for key in VOTERS}
    curves, agreement = {}, {}
    for key, est in ensembles.items():
        P = np.searchsorted(est.classes_, est.member_predictions(d.X_test))  # (K, n) indices
        y_idx = np.searchsorted(est.classes_, d.y_test)
        curves[key] = vote_curve(P, y_idx, len(est.classes_))
        agreement[key] = est.mean_pairwise_agreement(d.X_test)
    K = len(curves["bagging"])
    ks = [k for k in p.forest.curve if k <= K]
    for i, k in enumerate(p.forest.curve):  # keyed by the point of forest.curve, k beside
        if k <= K:
            ctx.record(
                "digits_trees_in_the_vote",
                sweep_key("curve", i, len(p.forest.curve)),
                trees=k,
                **{key: float(curve[k - 1]) for key, curve in curves.items()},
            )
    ctx.measure("more_trees_help", float(curves["bagging"][ks[-1] - 1] - curves["bagging"][0]))
    ctx.record("digits_member_agreement", "mean_pairwise", **agreement)
    ctx.measure("forest_decorrelates_trees", agreement["bagging"] - agreement["random_forest"])
    ctx.measure("oob_tracks_test", abs(oob["random_forest"] - test["random_forest"]))
    n = np.arange(1, K + 1)
    ctx.save_curve("digits_vote_curve", trees=n, **curves)
    return VoteCurves(n, curves, test["tree"])
