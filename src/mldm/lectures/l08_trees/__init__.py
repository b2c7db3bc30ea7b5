"""L08 Decision trees and ensembles (course-notes lines 2851-3498).

ID3 is run on the lecture's own tables: every entropy, conditional entropy and information
gain the slides print for the movie table (lines 3088-3181) is recomputed beside the slide's
number, and the trees they draw come out for the movie and the play-tennis tables (lines
2918-2945; temperature never appears). A real-valued tree (thresholds, entropy, the stopping
rules of lines 3192-3200) overfits a training set with noisy labels as it grows (lines
3201-3207); reduced-error pruning on a validation set (lines 3208-3245) shrinks it without
losing validation accuracy. Bagging (bootstrap + majority vote, lines 3295-3330) and the
random forest (a random attribute subset per node, lines 3335-3350) beat one tree, their
members are less correlated in the forest, and the out-of-bag estimate tracks the test
accuracy. AdaBoost with stumps (lines 3373-3449) reproduces the slide's classifier weights
a = ½ ln((1 − ε)/ε) and its exponential loss (lines 3461-3475) bounds the training error
and falls every round. Every model is checked against scikit-learn's on breast_cancer, wine
and digits.

Experiments, in the lecture's order: :mod:`.id3` (the slide tables), :mod:`.pruning`
(overfitting and reduced-error pruning), :mod:`.ensembles` (the tree and the ensembles against
scikit-learn), :mod:`.forest` (bagging and the random forest on digits), :mod:`.boosting`
(AdaBoost); :mod:`.figures` draws their results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l08_trees import boosting, ensembles, figures, forest, id3, pruning
from mldm.lectures.l08_trees.claims import CLAIMS
from mldm.lectures.l08_trees.params import Params

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Decision trees and ensembles"
LINES = "2851-3498"
DATASETS = ("breast_cancer", "wine", "digits")

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "Params", "evaluate", "train"]


def train(ctx: Context) -> None:
    id3.train(ctx)
    pruning.train(ctx)
    ensembles.train(ctx, DATASETS)
    boosting.train(ctx)


def evaluate(ctx: Context) -> None:
    figures.id3_trees(ctx, id3.evaluate(ctx))
    figures.overfitting_and_pruning(ctx, pruning.evaluate(ctx))
    figures.trees_in_the_vote(ctx, forest.evaluate(ctx, ensembles.evaluate(ctx, DATASETS)))
    figures.adaboost_curves(ctx, boosting.evaluate(ctx))
