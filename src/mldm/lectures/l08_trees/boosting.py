"""AdaBoost with stumps (lines 3373-3475).

The classifier weights a = ½ ln((1 − ε)/ε) reproduce the slide's (lines 3389-3425); our sample
re-weighting is scikit-learn's SAMME for two classes; the exponential loss (lines 3461-3475)
bounds the training error and falls every round; 200 stumps beat one on breast_cancer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context

SLIDE_ADABOOST = {0.3: 0.42, 0.21: 0.65, 0.14: 0.92}  # ε_k -> a_k, lines 3389-3425


@dataclass(frozen=True)
class BoostingCurves:
    """Per round k = 1..K on breast_cancer: training and test error of the combined
    classifier, and the exponential loss (1/N) Σ exp(−y h(x)) that bounds the first."""

    rounds: np.ndarray
    train_error: np.ndarray
    test_error: np.ndarray
    exp_loss: np.ndarray


def train(ctx: Context) -> None:
    """The single stump AdaBoost is measured against (the boosted stumps are
    :mod:`~mldm.lectures.l08_trees.ensembles`' ``breast_cancer_adaboost``)."""
    from mldm.models import DecisionTreeClassifier

    d = ctx.data("breast_cancer")
    stump = DecisionTreeClassifier(criterion=ctx.params.criterion, max_depth=1)
    stump.fit(d.X_train, d.y_train)
    ctx.save_model("breast_cancer_stump", stump, example=d.X_train[:5])


def slide_weights(ctx: Context) -> None:
    """The slide's a_k from its ε_k, up to its 2-decimal rounding of both."""
    from mldm.models.ensemble import adaboost_weight

    eps = np.array(list(SLIDE_ADABOOST))
    a = adaboost_weight(eps)
    # the slide prints ε and a to 2 decimals: its a must lie within 0.005 of a(ε') for some ε'
    # that rounds to its ε; a(ε) decreases, so those a(ε') fill [a(ε + 0.005), a(ε − 0.005)]
    lo, hi = adaboost_weight(eps + 0.005), adaboost_weight(eps - 0.005)
    printed = np.array(list(SLIDE_ADABOOST.values()))
    ctx.measure(
        "adaboost_weights_match_slide",
        int(np.sum((printed < lo - 0.005) | (printed > hi + 0.005))),
    )
    ctx.table(
        "adaboost_weights",
        ["ε_k", "slide a_k", "ours ½ ln((1−ε)/ε)", "e^{a_k} = √((1−ε)/ε)"],
        [
            [e, SLIDE_ADABOOST[e], float(ak), float(np.exp(ak))]
            for e, ak in zip(eps, a, strict=True)
        ],
        "Lines 3389-3425. Misclassified samples are re-weighted by e^{a_k}, the others by "
        "e^{−a_k}.",
    )


def evaluate(ctx: Context) -> BoostingCurves:
    from sklearn.ensemble import AdaBoostClassifier as SkAdaBoost
    from sklearn.tree import DecisionTreeClassifier as SkTree

    from mldm.evaluation import accuracy
    from mldm.models import AdaBoostClassifier

    slide_weights(ctx)
    p = ctx.params
    d = ctx.data("breast_cancer")
    boost, stump = ctx.load_model("breast_cancer_adaboost"), ctx.load_model("breast_cancer_stump")
    err, bound = np.asarray(boost.train_error_), np.asarray(boost.train_exp_loss_)
    ctx.measure("exp_loss_bounds_training_error", float((err - bound).max()))
    ctx.measure("exp_loss_decreases", int(np.sum(np.diff(bound) > 0)))
    test_err = np.array([np.mean(pred != d.y_test) for pred in boost.staged_predict(d.X_test)])
    stump_acc = accuracy(d.y_test, stump.predict(d.X_test))
    ctx.measure("boosting_beats_stump", (1 - test_err[-1]) - stump_acc)

    # the same stumps through both re-weightings: the weighted errors ε_k must agree
    base = SkTree(criterion=p.criterion, max_depth=1)
    n = p.boosting.n_estimators
    ours = AdaBoostClassifier(base, n_estimators=n, random_state=ctx.seed).fit(d.X_train, d.y_train)
    sk = SkAdaBoost(base, n_estimators=n, random_state=ctx.seed).fit(d.X_train, d.y_train)
    m = min(len(ours.estimator_errors_), len(sk.estimator_errors_))
    ctx.measure(
        "adaboost_update_is_samme",
        float(np.abs(ours.estimator_errors_[:m] - sk.estimator_errors_[:m]).max()),
    )
    ctx.record(
        "breast_cancer_adaboost",
        "last_round",  # after all the rounds fitted, their number beside
        rounds=len(boost.estimators_),
        stump_test_accuracy=stump_acc,
        test_accuracy=float(1 - test_err[-1]),
        train_error=float(err[-1]),
        exp_loss=float(bound[-1]),
        sklearn_same_stumps_prediction_agreement=accuracy(
            sk.predict(d.X_test), ours.predict(d.X_test)
        ),
    )
    k = np.arange(1, len(err) + 1)
    ctx.save_curve("adaboost", rounds=k, train_error=err, test_error=test_err, exp_loss=bound)
    return BoostingCurves(k, err, test_err, bound)
