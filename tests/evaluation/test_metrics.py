"""The standard metrics (sklearn.metrics, float64) against torchmetrics, which computed them
before, and against their formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchmetrics.functional as tmf

from mldm.evaluation import classification_metrics, regression_metrics


def test_regression_metrics_are_mse_and_r2():
    rng = np.random.default_rng(0)
    y = rng.normal(size=40)
    p = y + rng.normal(scale=0.5, size=40)
    got = regression_metrics("test", y, p)
    mse = np.mean((y - p) ** 2)
    assert got["test_mse"] == pytest.approx(mse, rel=1e-12)
    assert got["test_r2"] == pytest.approx(1 - mse / np.var(y), rel=1e-12)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_classification_metrics_agree_with_torchmetrics(k):
    rng = np.random.default_rng(k)
    y, p = rng.integers(0, k, 80), rng.integers(0, k, 80)
    if k == 5:  # a class in neither labels nor predictions is left out of the mean
        y[y == 4], p[p == 4] = 0, 1
    got = classification_metrics("test", y, p, k)
    task = "binary" if k == 2 else "multiclass"
    ty, tp = torch.as_tensor(y), torch.as_tensor(p)
    f1 = tmf.f1_score(tp, ty, task=task, num_classes=k, average="macro")
    assert got["test_accuracy"] == pytest.approx(float((y == p).mean()), rel=1e-12)
    assert got["test_macro_f1"] == pytest.approx(float(f1), abs=1e-6)  # float32 there
