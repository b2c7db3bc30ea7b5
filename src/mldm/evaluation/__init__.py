"""Evaluation protocols and metrics shared by the lectures.

Metric names follow the project convention: split first, snake_case
(``test_mse``, ``train_accuracy``, ``test_r2``).
"""

from mldm.evaluation.metrics import classification_metrics, regression_metrics, relative_error

__all__ = ["classification_metrics", "regression_metrics", "relative_error"]
