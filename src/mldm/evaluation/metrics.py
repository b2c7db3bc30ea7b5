"""Standard metrics through scikit-learn's ``sklearn.metrics``, named ``<split>_<metric>``.

The arrays here come from numpy estimators (lectures 1-4), whose stages have scikit-learn
loaded already for their oracles; torchmetrics, which imports about 1.8 s of text and
multimodal metrics (and transformers), serves the torch-trained models in the training loop.
"""

from __future__ import annotations

import numpy as np


def regression_metrics(split: str, y_true, y_pred) -> dict[str, float]:
    from sklearn import metrics

    y, p = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    return {
        f"{split}_mse": float(metrics.mean_squared_error(y, p)),
        f"{split}_r2": float(metrics.r2_score(y, p)),
    }


def classification_metrics(split: str, y_true, y_pred, num_classes: int) -> dict[str, float]:
    """Accuracy and F1, in float64. F1 is the positive class's for two classes, else the mean
    over the classes that occur in the labels or the predictions (torchmetrics' choices)."""
    from sklearn import metrics

    y, p = np.asarray(y_true).astype(np.int64), np.asarray(y_pred).astype(np.int64)
    average = "binary" if num_classes == 2 else "macro"
    return {
        f"{split}_accuracy": float(metrics.accuracy_score(y, p)),
        f"{split}_macro_f1": float(metrics.f1_score(y, p, average=average, zero_division=0.0)),
    }


def relative_error(a, b) -> float:
    """``||a - b|| / ||b||``: how far an estimate ``a`` is from a reference ``b``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), np.finfo(float).tiny))


def accuracy(y_true, y_pred) -> float:
    """The share of predictions equal to the labels, ``mean(ŷ_i = y_i)``."""
    return float((np.asarray(y_pred) == np.asarray(y_true)).mean())


def worst(deviations) -> float:
    """The largest of an oracle comparison's deviations (0.0 when there are none): the one
    number a claim such as "ours matches torch.optim within 1e-6 at every step" is judged on."""
    return max((float(d) for d in deviations), default=0.0)
