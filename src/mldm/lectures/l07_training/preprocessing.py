"""Preprocessing the inputs (lines 2706-2716): centering and standardization, PCA and ZCA
whitening (covariance I), the condition number they lower, and softmax regression trained on
each view of the digits with the same SGD."""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation import worst
from mldm.lectures.l07_training.common import mlp

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l07_training.params import Preprocessing


def _rows(X_train, y_train, X_test, y_test):
    return types.SimpleNamespace(
        X_train=X_train.astype(np.float32),
        y_train=y_train,
        X_test=X_test.astype(np.float32),
        y_test=y_test,
    )


def digits_views(ctx: Context) -> dict[str, Any]:
    """digits raw (0-16), standardized, PCA- and ZCA-whitened (fit on the training split)."""
    from mldm.models.preprocessing import Standardization, Whitening

    d = ctx.data("digits")
    keep = d.X_train.std(0) > 0  # constant border pixels carry nothing and make Σ singular
    X, Xt = d.X_train[:, keep], d.X_test[:, keep]
    views = {"raw": (X, Xt)}
    for name, t in (
        ("standardized", Standardization()),
        ("pca_whitened", Whitening("pca", eps=0.0)),
        ("zca_whitened", Whitening("zca", eps=0.0)),
    ):
        t.fit(X)
        views[name] = (t.transform(X), t.transform(Xt))
    return {k: _rows(a, d.y_train, b, d.y_test) for k, (a, b) in views.items()}


def train(ctx: Context, p: Preprocessing) -> None:
    from mldm.training import GradientDescent

    for name, v in digits_views(ctx).items():
        ctx.seeded(1)
        ctx.train_classifier(
            f"digits_{name}",
            mlp([v.X_train.shape[1], 10]),
            v,
            optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


def evaluate(ctx: Context) -> dict[str, Any]:
    """The claims; returns each view's training curve (``{view: DataFrame}``)."""
    views = digits_views(ctx)

    def identity_gaps():
        for name in ("pca_whitened", "zca_whitened"):
            Z = views[name].X_train.astype(np.float64)
            C = np.cov(Z, rowvar=False, bias=True)
            yield float(np.abs(C - np.eye(len(C))).max())

    ctx.measure("whitened_covariance_is_identity", worst(identity_gaps()))
    cond = {
        k: float(np.linalg.cond(np.cov(v.X_train.astype(np.float64), rowvar=False)))
        for k, v in views.items()
    }
    ctx.measure("preprocessing_lowers_condition_number", cond["raw"] / cond["standardized"])
    curves = ctx.curves(views, prefix="digits_")
    mean = {k: float(c["train_loss"].mean()) for k, c in curves.items()}
    ctx.measure("standardized_inputs_train_faster", mean["raw"] / mean["standardized"])
    ctx.record_final("preprocessing", curves)
    for k in views:
        ctx.record("preprocessing", k, condition_number=cond[k], mean_train_loss=mean[k])
    return curves
