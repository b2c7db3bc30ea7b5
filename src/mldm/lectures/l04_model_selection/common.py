"""What every L04 experiment shares: the lecture's settings (the synthetic cubic, mcycle,
diabetes), the basis-function model f(x) = φ(x)w and its MSE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .params import Params, PolyRidge

# The slide's "red polyline" (lines 941-955), flat outside its end knots like a hard sigmoid:
# the knots c_0..c_B and the curve's values there.
POLYLINE_KNOTS = (0.0, 1.0, 2.0, 3.0, 4.0)
POLYLINE_VALUES = (1.0, 2.5, 0.5, 2.0, 1.5)
SLIDE_DEGREES = (1, 3, 5)  # lines 1070-1080 and 1291-1302
CRITERIA = ("holdout", "kfold", "loo", "aic", "bic")


@dataclass(frozen=True)
class Split:
    """One regression set: inputs (N, 1) and targets, training and test."""

    X: np.ndarray
    y: np.ndarray
    Xt: np.ndarray
    yt: np.ndarray


def synthetic(p: Params, seed: int) -> Split:
    """The lecture's setting: a training draw (stream 0) and a test draw (stream 1)."""
    from mldm.data.synthetic import noisy_polynomial

    s = p.synthetic
    x, y = noisy_polynomial(s.n_train, s.coef, s.noise, s.x_range, (seed, 0))
    xt, yt = noisy_polynomial(s.n_test, s.coef, s.noise, s.x_range, (seed, 1))
    return Split(x[:, None], y, xt[:, None], yt)


def mcycle(ctx) -> Split:
    """mcycle with time standardized by the training split's mean and std."""
    d = ctx.data("mcycle").standardized()
    return Split(d.X_train, d.y_train, d.X_test, d.y_test)


def true_degree(p: Params) -> int:
    nz = np.flatnonzero(np.asarray(p.synthetic.coef))
    return int(nz[-1]) if nz.size else 0


def phi(degree: int, X) -> np.ndarray:
    """Φ = [x, x², ..., x^degree] (the bias is the model's)."""
    from mldm.models import BasisFunctions

    return BasisFunctions(kind="polynomial", degree=degree).fit_transform(X)


def mse(y, pred) -> float:
    """(1/N)||y − ŷ||²."""
    e = np.asarray(y, dtype=float) - np.asarray(pred, dtype=float)
    return float(e @ e / len(e))


def ls():
    """The lecture's basis-function regression: the L01 normal equation on Φ."""
    from mldm.models import LinearRegression

    return LinearRegression(solver="normal")


def poly_ridge(block: PolyRidge):
    """standardize x -> [x, x², ..., x^d] -> Ridge(α), as one scikit-learn pipeline."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mldm.models import BasisFunctions, Ridge

    return make_pipeline(
        StandardScaler(),
        BasisFunctions(kind="polynomial", degree=block.degree),
        Ridge(alpha=block.alpha),
    )


def lambdas(p: Params) -> np.ndarray:
    """The λ grid of the regularization paths."""
    lo, hi, n = p.path_lambdas
    return np.geomspace(lo, hi, int(n))


def polyline_grid() -> tuple[np.ndarray, np.ndarray]:
    """A fine grid over the red polyline's knots (one unit beyond each end) and its values."""
    knots = np.asarray(POLYLINE_KNOTS)
    x = np.linspace(knots[0] - 1.0, knots[-1] + 1.0, 601)
    return x, np.interp(x, knots, POLYLINE_VALUES)  # flat outside the end knots, like ours
