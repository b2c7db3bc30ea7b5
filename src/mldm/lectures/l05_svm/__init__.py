"""L05 Support vector machines (course-notes lines 1335-2018).

The maximum-margin hyperplane, solved as the lecture does: the hard-margin primal QP
min ½||w||² s.t. y(wᵀx + b) >= 1 (lines 1496-1500) by a generic QP solver, and its dual
max 1ᵀa − ½aᵀMa s.t. a >= 0, Σ a_n y_n = 0 (lines 1551-1560) by our SMO
(:class:`mldm.models.SVC`); both give the same hyperplane, the multipliers are sparse, the
support vectors sit on the margin (KKT, lines 1656-1690) and b* is the slide's average over
them (line 1578). No other direction has a wider margin (a brute-force sweep over every
direction in 2-D), and logistic regression's separating line has a narrower one (lines
1370-1410). On overlapping classes the hard margin is infeasible (an LP says so, lines
1715-1725), the soft margin trades margin for slack as C grows (lines 1735-1790). Kernels
(lines 1800-1905): the polynomial kernel is an explicit basis, the Gaussian kernel the limit of
the slide's infinite feature map, both pass Mercer's test; the rbf γ sweep shows under- and
over-fitting. On breast_cancer, wine and digits our SVC is checked against scikit-learn's
libsvm (accuracy, predictions, decision values, KKT). Last, the four losses of lines
1915-2018 (hinge, logistic, 0-1, hard constraint) are plotted and trained side by side.
``TUNABLE["digits_rbf"]`` is the K-fold objective of the ``l05_svm_rbf`` Optuna study.

The reference solvers (primal QP, brute-force margin, 0-1 search, libsvm twin, KKT measure)
live in :mod:`mldm.evaluation.svm_reference`, the explicit feature maps in
:mod:`mldm.models.kernel_maps`, so a notebook can use them without a stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .claims import CLAIMS
from .common import REAL_SETS
from .params import Params
from .tuning import TUNABLE

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Support vector machines"
LINES = "1335-2018"
DATASETS = REAL_SETS  # breast_cancer, wine, digits; the 2-D sets are generated

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "TUNABLE", "Params", "evaluate", "train"]


def train(ctx: Context) -> None:
    from . import hard_margin, kernels, losses, real_sets, soft_margin

    hard_margin.train(ctx)  # separable blobs: our SMO at C = ∞, and logistic regression
    soft_margin.train(ctx)  # overlapping blobs: the C grid
    kernels.train(ctx)  # moons: each kernel, the rbf γ grid, (xᵀx' + 1)² both ways
    real_sets.train(ctx)  # breast_cancer, wine, digits: each kernel; the tuned digits rbf
    losses.train(ctx)  # overlapping blobs: hinge and logistic at the same C


def evaluate(ctx: Context) -> None:
    from . import figures, hard_margin, kernels, losses, real_sets, soft_margin
    from .common import moons, toy

    blobs, moon = toy(ctx.params, ctx.seed), moons(ctx.params, ctx.seed)
    hard = hard_margin.evaluate(ctx, blobs.sep)  # lines 1370-1690
    sweep = soft_margin.evaluate(ctx, blobs.over)  # lines 1715-1790
    kern = kernels.evaluate(ctx, moon)  # lines 1800-1905
    real_kkt = real_sets.evaluate(ctx)  # libsvm as oracle
    soft_margin.measure_kkt(ctx, hard.kkt, *sweep.kkt, *real_kkt)
    losses.evaluate(ctx, blobs)  # lines 1915-2018

    figures.maximum_margin(ctx, blobs.sep, hard)
    figures.soft_margin(ctx, blobs.over, sweep)
    figures.kernels(ctx, moon, kern)
    figures.losses(ctx)
    figures.decision_values(ctx)
