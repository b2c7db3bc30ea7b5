"""Evaluation protocols and metrics shared by the lectures.

Metric names follow the project convention: split first, snake_case
(``test_mse``, ``train_accuracy``, ``test_r2``). Model selection (L04: validation set,
leave-one-out, K-fold cross validation, AIC/BIC) lives in :mod:`mldm.evaluation.selection`.
"""

from mldm.evaluation.metrics import (
    accuracy,
    classification_metrics,
    regression_metrics,
    relative_error,
    worst,
)
from mldm.evaluation.selection import (
    aic,
    bic,
    cross_val_mse,
    cross_val_scores,
    gaussian_log_likelihood,
    holdout_split,
    kfold_splits,
    least_squares_criteria,
    leave_one_out_splits,
    loo_mse,
    loo_residuals,
    select_min,
)

__all__ = [
    "accuracy",
    "aic",
    "bic",
    "classification_metrics",
    "cross_val_mse",
    "cross_val_scores",
    "gaussian_log_likelihood",
    "holdout_split",
    "kfold_splits",
    "least_squares_criteria",
    "leave_one_out_splits",
    "loo_mse",
    "loo_residuals",
    "regression_metrics",
    "relative_error",
    "select_min",
    "worst",
]
