"""Standard metrics through torchmetrics, named ``<split>_<metric>``."""

from __future__ import annotations

import numpy as np


def _t(a):
    import torch  # lazy: lecture modules import this at config-load time

    return torch.as_tensor(np.asarray(a))


def regression_metrics(split: str, y_true, y_pred) -> dict[str, float]:
    import torchmetrics.functional as tmf

    y, p = _t(y_true).double(), _t(y_pred).double()
    return {
        f"{split}_mse": float(tmf.mean_squared_error(p, y)),
        f"{split}_r2": float(tmf.r2_score(p, y)),
    }


def classification_metrics(split: str, y_true, y_pred, num_classes: int) -> dict[str, float]:
    import torchmetrics.functional as tmf

    y, p = _t(y_true).long(), _t(y_pred).long()
    task = "binary" if num_classes == 2 else "multiclass"
    return {
        f"{split}_accuracy": float(tmf.accuracy(p, y, task=task, num_classes=num_classes)),
        f"{split}_macro_f1": float(
            tmf.f1_score(p, y, task=task, num_classes=num_classes, average="macro")
        ),
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
