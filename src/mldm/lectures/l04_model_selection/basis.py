"""Basis functions (lines 941-955, 986-1038): f(x) = φ(x)w is linear regression with X
replaced by Φ, w* = (ΦᵀΦ)⁻¹Φᵀy, equal to scikit-learn's PolynomialFeatures +
LinearRegression; and a constant plus hard sigmoids draws the slide's red polyline exactly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .common import POLYLINE_KNOTS, POLYLINE_VALUES, SLIDE_DEGREES, Split, ls, polyline_grid

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def evaluate(ctx: Context, syn: Split) -> None:
    from sklearn.linear_model import LinearRegression as SkLinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    from mldm.evaluation import relative_error, worst
    from mldm.models.basis import hard_sigmoid_features

    gaps = []
    for d in range(1, max(SLIDE_DEGREES) + 1):
        ours = ctx.load_model(f"synthetic_deg{d}")
        sk = make_pipeline(PolynomialFeatures(d, include_bias=False), SkLinearRegression())
        sk = sk.fit(syn.X, syn.y)[-1]
        gaps.append(relative_error(ours.w_, np.r_[sk.intercept_, sk.coef_]))
    ctx.measure("basis_model_is_linear_regression", worst(gaps))

    # constant + Σ_k w_k hard_sigmoid_k, the weights found by least squares on Φ
    grid, target = polyline_grid()
    H = hard_sigmoid_features(grid[:, None], POLYLINE_KNOTS)
    model = ls().fit(H, target)
    ctx.measure("hard_sigmoids_make_polyline", float(np.abs(model.predict(H) - target).max()))
    ctx.table(
        "red_polyline",
        ["piece k", "ramp from knot", "to knot", "rise of the polyline", "fitted weight w_k"],
        [
            [
                k,
                POLYLINE_KNOTS[k],
                POLYLINE_KNOTS[k + 1],
                POLYLINE_VALUES[k + 1] - POLYLINE_VALUES[k],
                float(model.coef_[k]),
            ]
            for k in range(len(POLYLINE_KNOTS) - 1)
        ],
        note=(
            f"Constant (bias) fitted: {model.intercept_:.6g}, the polyline's value "
            f"{POLYLINE_VALUES[0]:g} left of the first knot. The slide draws the red curve "
            "without numbers; these knots and values are ours. Each hard sigmoid's weight is "
            "the rise of its segment, so constant + Σ hard sigmoids is the polyline."
        ),
    )
