"""The objective of the ``l04_poly_ridge`` Optuna study (``tune@l04_poly_ridge``)."""

from __future__ import annotations

import numpy as np

from mldm.tuning.tunable import Tunable

from .common import poly_ridge
from .params import PolyRidge


def poly_ridge_objective(ctx, params: PolyRidge) -> dict[str, float]:
    """K-fold CV MSE of BasisFunctions(degree) + Ridge(alpha) on mcycle's training split.

    x is standardized inside each fold (a pipeline), the folds are
    ``kfold_splits(N, K, shuffle=True, seed)`` with the lecture's K and the run's seed, and the
    running mean after each fold is reported to the pruner (``ctx.report``; it raises to stop
    the trial). Returns ``{"cv_mse": mean, "cv_mse_std": std}`` over the K folds.
    """
    from mldm.evaluation import cross_val_scores, kfold_splits

    d = ctx.data("mcycle")
    pipe = poly_ridge(params)
    scores = []
    for step, split in enumerate(kfold_splits(len(d.y_train), ctx.lecture.k, True, ctx.seed)):
        scores.append(float(cross_val_scores(pipe, d.X_train, d.y_train, [split])[0]))
        ctx.report(float(np.mean(scores)), step)
    return {"cv_mse": float(np.mean(scores)), "cv_mse_std": float(np.std(scores))}


TUNABLE = {"poly_ridge": Tunable(poly_ridge_objective, reads=("k",))}  # K of the K-fold CV
