"""The maximum-margin hyperplane (lines 1370-1690) on the separable blobs: the hard-margin
primal QP by a generic solver and its dual by our SMO give the same hyperplane; no direction
has a wider margin; logistic regression's line has a narrower one; the multipliers are sparse,
the support vectors sit on the margin (KKT) and b* is the slide's average over them, as
libsvm finds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .common import TIGHT_TOL, Split, svc, toy

if TYPE_CHECKING:
    from mldm.lectures.base import Context


@dataclass(frozen=True)
class HardMargin:
    """The margins the figure prints, and the SVM's largest KKT violation."""

    svm_margin: float
    logistic_margin: float
    kkt: float


def train(ctx: Context) -> None:
    from mldm.errors import MldmError
    from mldm.evaluation.svm_reference import separability
    from mldm.models import LogisticRegression

    p = ctx.params
    sep = toy(p, ctx.seed).sep
    if separability(sep.X, sep.y) != "feasible":
        raise MldmError(
            f"lectures.l05_svm.toy.separable_std={p.toy.separable_std} is too large for the "
            "'separable' blobs: they overlap, so the hard margin has no solution"
        )
    with ctx.run("hard_margin", C="inf"):
        # solved tightly: this is the lecture's exact optimum, compared with a QP and a sweep
        ctx.save_model("sep_hard", svc("linear", np.inf, p, tol=TIGHT_TOL).fit(sep.X, sep.y))
        # a few Newton steps: on separable data the likelihood has no finite maximizer
        ctx.save_model("sep_logistic", LogisticRegression(max_iter=6).fit(sep.X, sep.y))


def evaluate(ctx: Context, data: Split) -> HardMargin:
    from mldm.evaluation import accuracy
    from mldm.evaluation.svm_reference import (
        best_margin_over_directions,
        geometric_margin,
        libsvm_twin,
        max_kkt_violation,
        primal_hard_margin,
        separability,
    )

    X, y, Xt, yt = data.X, data.y, data.Xt, data.yt
    svm, lr = ctx.load_model("sep_hard"), ctx.load_model("sep_logistic")
    ctx.measure("hard_margin_feasible_on_separable", separability(X, y))
    w, b = svm.coef_.ravel(), float(svm.intercept_[0])
    w_p, b_p = primal_hard_margin(X, y)
    ctx.measure(
        "primal_equals_dual", float(np.abs(np.r_[w - w_p, b - b_p]).max() / np.linalg.norm(w))
    )
    margin = geometric_margin(w, b, X, y)
    best = best_margin_over_directions(X, y)
    ctx.measure("margin_is_maximal", (best - margin) / margin)
    lr_margin = geometric_margin(lr.coef_.ravel(), float(lr.intercept_[0]), X, y)
    ctx.measure("margin_wider_than_logistic", margin - lr_margin)
    f = svm.decision_function(X[svm.support_])
    ctx.measure("support_vectors_on_margin", float(np.abs(y[svm.support_] * f - 1).max()))
    ctx.measure("multipliers_sparse", len(svm.support_) / len(y))
    sk = libsvm_twin(svm).fit(X, y)
    ctx.measure("same_support_vectors_as_libsvm", bool(np.array_equal(svm.support_, sk.support_)))
    ctx.measure("b_star_from_support_vectors", abs(b - float(sk.intercept_[0])))
    for name, est, ww, bb in (
        ("svm_dual_smo", svm, w, b),
        ("svm_primal_slsqp", None, w_p, b_p),
        ("libsvm", sk, sk.coef_.ravel(), float(sk.intercept_[0])),
        ("logistic_regression", lr, lr.coef_.ravel(), float(lr.intercept_[0])),
    ):
        row = {
            "w1": float(ww[0]),
            "w2": float(ww[1]),
            "b": bb,
            "margin": geometric_margin(ww, bb, X, y),
            "test_accuracy": accuracy(yt, np.sign(Xt @ ww + bb)),
        }
        if est is not None and hasattr(est, "support_"):
            row["n_support"] = len(est.support_)
        ctx.record("separable_blobs_hard_margin", name, **row)
    ctx.record("separable_blobs_hard_margin", "brute_force_best_direction", margin=best)
    return HardMargin(margin, lr_margin, max_kkt_violation(svm, X, y))
