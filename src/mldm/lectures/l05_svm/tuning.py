"""The objective of the ``l05_svm_rbf`` Optuna study (``tune@l05_svm_rbf``)."""

from __future__ import annotations

import numpy as np

from mldm.tuning.tunable import Tunable

from .params import DigitsRBF


def digits_rbf_objective(ctx, params: DigitsRBF) -> dict[str, float]:
    """K-fold CV accuracy of standardize -> SVC(rbf, C, γ) on digits' training split; the
    running mean after each fold goes to the pruner (``ctx.report``)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mldm.evaluation import cross_val_scores, kfold_splits
    from mldm.models import SVC

    d = ctx.data("digits")
    pipe = make_pipeline(
        StandardScaler(), SVC(kernel="rbf", C=params.C, gamma=params.gamma, tol=ctx.lecture.tol)
    )
    scores = []
    for step, split in enumerate(kfold_splits(len(d.y_train), ctx.lecture.k, True, ctx.seed)):
        scores.append(float(cross_val_scores(pipe, d.X_train, d.y_train, [split], "accuracy")[0]))
        ctx.report(float(np.mean(scores)), step)
    return {"cv_accuracy": float(np.mean(scores)), "cv_accuracy_std": float(np.std(scores))}


TUNABLE = {"digits_rbf": Tunable(digits_rbf_objective, reads=("k", "tol"))}
