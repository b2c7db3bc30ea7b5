"""The grown tree and the three ensembles, ours against scikit-learn's, on three datasets.

Our entropy tree (lines 3192-3200), bagging (bootstrap + majority vote, lines 3295-3330), the
random forest (a random attribute subset per node, lines 3335-3350) and AdaBoost with stumps
(lines 3373-3449) are fitted on breast_cancer, wine and digits; scikit-learn's, with the same
settings, are the oracle. One test set is too small to compare randomized ensembles, so their
gap is averaged over ``oracle_seeds`` seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l08_trees.params import Params

MODELS = ("tree", "bagging", "random_forest", "adaboost")


@dataclass(frozen=True)
class Scores:
    """Our models' accuracies, ``{dataset: {model: accuracy}}`` (out-of-bag: the bagged ones)."""

    test_accuracy: dict[str, dict[str, float]]
    oob_accuracy: dict[str, dict[str, float]]


def models(p: Params, seed: int, library: str = "mldm") -> dict:
    """The four classifiers compared on every dataset, ours or scikit-learn's (same settings)."""
    if library == "mldm":
        from mldm.models import (
            AdaBoostClassifier,
            BaggingClassifier,
            DecisionTreeClassifier,
            RandomForestClassifier,
        )
    else:
        from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, RandomForestClassifier
        from sklearn.tree import DecisionTreeClassifier
    f = p.forest
    tree = DecisionTreeClassifier(criterion=p.criterion, random_state=seed)
    return {
        "tree": tree,
        "bagging": BaggingClassifier(
            DecisionTreeClassifier(criterion=p.criterion),
            n_estimators=f.n_estimators,
            oob_score=True,
            random_state=seed,
        ),
        "random_forest": RandomForestClassifier(
            n_estimators=f.n_estimators,
            criterion=p.criterion,
            max_features=f.max_features,
            oob_score=True,
            random_state=seed,
        ),
        "adaboost": AdaBoostClassifier(
            DecisionTreeClassifier(criterion=p.criterion, max_depth=1),
            n_estimators=p.boosting.n_estimators,
            random_state=seed,
        ),
    }


def train(ctx: Context, datasets: tuple[str, ...]) -> None:
    p = ctx.params
    for name in datasets:
        d = ctx.data(name)
        with ctx.run(name, n_estimators=p.forest.n_estimators):
            for key, model in models(p, ctx.seed).items():
                model.fit(d.X_train, d.y_train)
                ctx.save_model(f"{name}_{key}", model, example=d.X_train[:5])


def evaluate(ctx: Context, datasets: tuple[str, ...]) -> Scores:
    from mldm.evaluation import accuracy

    p = ctx.params
    gaps: dict[str, dict[str, list[float]]] = {key: {} for key in MODELS}
    test: dict[str, dict[str, float]] = {}
    oob: dict[str, dict[str, float]] = {}
    for name in datasets:
        d = ctx.data(name)
        ours = {key: ctx.load_model(f"{name}_{key}") for key in MODELS}
        theirs = models(p, ctx.seed, "sklearn")
        for key, est in ours.items():
            sk = theirs[key].fit(d.X_train, d.y_train)
            row = {
                "test_accuracy": accuracy(d.y_test, est.predict(d.X_test)),
                "sklearn_test_accuracy": accuracy(d.y_test, sk.predict(d.X_test)),
            }
            if hasattr(sk, "oob_score_"):
                row |= {
                    "oob_accuracy": float(est.oob_score_),
                    "sklearn_oob_accuracy": float(sk.oob_score_),
                }
                oob.setdefault(name, {})[key] = row["oob_accuracy"]
            if key == "tree":
                row |= {"leaves": int(est.get_n_leaves()), "sklearn_leaves": int(sk.get_n_leaves())}
            test.setdefault(name, {})[key] = row["test_accuracy"]
            gaps[key][name] = [row["test_accuracy"] - row["sklearn_test_accuracy"]]
            ctx.record(f"{name}_vs_sklearn", key, **row)
        for s in range(1, p.oracle_seeds):  # the randomized ones again, seeds seed + 1, ...
            ours_s, theirs_s = models(p, ctx.seed + s), models(p, ctx.seed + s, "sklearn")
            for key in MODELS[1:]:
                a = ours_s[key].fit(d.X_train, d.y_train).score(d.X_test, d.y_test)
                b = theirs_s[key].fit(d.X_train, d.y_train).score(d.X_test, d.y_test)
                gaps[key][name].append(a - b)
    ctx.measure("tree_matches_sklearn", max(abs(v[0]) for v in gaps["tree"].values()))
    ctx.measure(
        "ensembles_match_sklearn",
        max(abs(float(np.mean(v))) for key in MODELS[1:] for v in gaps[key].values()),
    )
    for key in MODELS[1:]:
        ctx.record(
            "mean_accuracy_gap_vs_sklearn",
            key,
            **{name: float(np.mean(v)) for name, v in gaps[key].items()},
            seeds=p.oracle_seeds,
        )
    return Scores(test, oob)
