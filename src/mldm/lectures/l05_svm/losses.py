"""Losses (lines 1915-2018): the hinge E_SV(z) = max(0, 1 − z) bounds the 0-1 loss E_Ideal;
minimizing the 0-1 loss directly (a search: it has no gradient) leaves the fewest training
errors; hinge (SVM) and logistic (L02) train classifiers of nearly equal accuracy; the hard
constraint has no minimizer when the classes overlap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .common import Blobs, scored, svc, toy

if TYPE_CHECKING:
    from mldm.lectures.base import Context

# The classifier each loss trains on each blob set; the 0-1 loss is searched directly, and the
# hard constraint has no minimizer on the overlapping set.
LOSS_MODELS = {
    "sep": {"logistic": "sep_logistic", "hard_constraint": "sep_hard"},
    "over": {"hinge": "over_hinge", "logistic": "over_logistic"},
}


def train(ctx: Context) -> None:
    from mldm.models import LogisticRegression

    p = ctx.params
    over = toy(p, ctx.seed).over
    with ctx.run("losses", C=p.C):
        ctx.save_model("over_hinge", svc("linear", p.C, p).fit(over.X, over.y))
        ctx.save_model("over_logistic", LogisticRegression().fit(over.X, over.y))


def evaluate(ctx: Context, blobs: Blobs) -> None:
    from mldm.evaluation import accuracy
    from mldm.evaluation.svm_reference import separability, zero_one_search
    from mldm.models.svm import hinge_loss, zero_one_loss

    z = np.linspace(-3, 3, 6001)
    ctx.measure("hinge_bounds_zero_one", float((hinge_loss(z) - zero_one_loss(z)).min()))
    acc = {}  # acc[set][loss] = (train accuracy, test accuracy)
    for data_name, d in blobs.sets():
        u, b = zero_one_search(d.X, d.y)
        acc[data_name] = {
            "zero_one": (accuracy(d.y, np.sign(d.X @ u + b)), accuracy(d.yt, np.sign(d.Xt @ u + b)))
        }
        for loss, model in LOSS_MODELS[data_name].items():
            est = ctx.load_model(model)
            acc[data_name][loss] = (scored(est, d.X, d.y), scored(est, d.Xt, d.yt))
        for loss, (train, test) in acc[data_name].items():
            ctx.record(
                f"losses_{data_name}",
                loss,  # zero_one: exhaustive search; hinge: soft-margin SVM; logistic: Newton
                train_accuracy=float(train),
                test_accuracy=float(test),
            )
    ctx.record(
        "losses_over",
        "hard_constraint",
        feasible=float(separability(blobs.over.X, blobs.over.y) == "feasible"),
    )
    over = {loss: 1 - train for loss, (train, _) in acc["over"].items()}  # training errors
    ctx.measure(
        "zero_one_search_fewest_errors", over["zero_one"] - min(over["hinge"], over["logistic"])
    )
    ctx.measure("surrogates_agree", abs(acc["over"]["hinge"][1] - acc["over"]["logistic"][1]))
