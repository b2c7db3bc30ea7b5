"""L04 pieces the end-to-end lecture test does not pin down: the synthetic generator, the
mcycle dataset, the params block, and the K-fold objective the ``l04_poly_ridge`` study runs
(called here with a fake trial context, as mldm.tuning would call it)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError

from mldm.data import load
from mldm.data.synthetic import noisy_polynomial, polynomial
from mldm.lectures import l04_model_selection as l04
from mldm.lectures.l04_model_selection.by_degree import to_nearer_end
from mldm.lectures.l04_model_selection.common import poly_ridge
from mldm.lectures.l04_model_selection.params import PolyRidge
from mldm.lectures.l04_model_selection.regularization import orthonormal_shrinkage
from mldm.lectures.l04_model_selection.tuning import poly_ridge_objective

COEF = [0.5, -2.0, 0.5, 3.0]


# --- the synthetic setting ----------------------------------------------------------------
def test_noisy_polynomial_is_deterministic_given_the_seed():
    a = noisy_polynomial(20, COEF, 0.3, (-1.0, 1.0), seed=(0, 0))
    b = noisy_polynomial(20, COEF, 0.3, (-1.0, 1.0), seed=(0, 0))
    c = noisy_polynomial(20, COEF, 0.3, (-1.0, 1.0), seed=(0, 1))
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    assert not np.array_equal(a[0], c[0])
    x, y = a
    assert x.shape == y.shape == (20,) and x.dtype == y.dtype == np.float64
    assert np.all(np.diff(x) >= 0) and -1 <= x.min() and x.max() <= 1


def test_noisy_polynomial_is_the_curve_plus_gaussian_noise():
    x, y = noisy_polynomial(50, COEF, 0.0, (-2.0, 3.0), seed=4)
    np.testing.assert_allclose(y, 0.5 - 2 * x + 0.5 * x**2 + 3 * x**3, rtol=1e-12, atol=1e-12)
    x, y = noisy_polynomial(20_000, COEF, 0.3, seed=5)
    resid = y - polynomial(x, COEF)
    assert abs(resid.mean()) < 0.01 and abs(resid.std() - 0.3) < 0.01


@pytest.mark.parametrize(
    "kwargs", [{"n": 0}, {"noise": -0.1}, {"x_range": (1.0, 1.0)}, {"x_range": (2.0, -1.0)}]
)
def test_noisy_polynomial_rejects_bad_arguments(kwargs):
    args = {"n": 10, "coef": COEF, "noise": 0.1, "x_range": (-1.0, 1.0), "seed": 0, **kwargs}
    with pytest.raises(ValueError):
        noisy_polynomial(**args)


# --- data and params ------------------------------------------------------------------------
def test_mcycle_is_mass_mcycle(prepared_root):
    d = load("mcycle", prepared_root)
    assert d.feature_names == ["times"] and d.target_names == ["accel"]
    assert len(d.y_train) + len(d.y_test) == 133
    assert d.X_train.min() >= 2.4 and d.X_train.max() <= 57.6


def test_params_bounds():
    assert l04.Params().poly_ridge.degree == 8
    for bad in ({"degree": 0}, {"degree": 31}, {"alpha": -1.0}):
        with pytest.raises(ValidationError):
            PolyRidge(**bad)
    with pytest.raises(ValidationError, match="l2_degree"):
        l04.Params(max_degree=6, l2_degree=9)
    with pytest.raises(ValidationError, match="n_train"):
        l04.Params(synthetic={"n_train": 12}, max_degree=12)


# --- the tuning objective -----------------------------------------------------------------
def _ctx(prepared_root, report=lambda v, s: None, seed=0, k=5):
    return SimpleNamespace(
        data=lambda name: load(name, prepared_root),
        seed=seed,
        lecture=l04.Params(k=k),
        report=report,
    )


def test_tunable_exports_the_objective():
    assert l04.TUNABLE["poly_ridge"].objective is poly_ridge_objective
    assert l04.TUNABLE["poly_ridge"].reads == ("k",)  # K of the K-fold CV, nothing else


def test_objective_is_kfold_cv_of_the_pipeline(prepared_root):
    from sklearn.model_selection import KFold, cross_val_score

    reported = []
    block = PolyRidge(degree=5, alpha=0.1)
    ctx = _ctx(prepared_root, report=lambda v, s: reported.append((s, v)), seed=3, k=4)
    out = poly_ridge_objective(ctx, block)
    assert set(out) == {"cv_mse", "cv_mse_std"}
    d = load("mcycle", prepared_root)
    folds = -cross_val_score(
        poly_ridge(block),
        d.X_train,
        d.y_train,
        cv=KFold(4, shuffle=True, random_state=3),
        scoring="neg_mean_squared_error",
    )
    assert out["cv_mse"] == pytest.approx(folds.mean(), rel=1e-12)
    assert out["cv_mse_std"] == pytest.approx(folds.std(), rel=1e-9)
    # one report per fold: the running mean, steps 0..K-1
    assert [s for s, _ in reported] == [0, 1, 2, 3]
    np.testing.assert_allclose([v for _, v in reported], np.cumsum(folds) / np.arange(1, 5))
    assert poly_ridge_objective(ctx, block) == out  # deterministic


def test_objective_reacts_to_the_trial_values(prepared_root):
    ctx = _ctx(prepared_root)
    low = poly_ridge_objective(ctx, PolyRidge(degree=1, alpha=0.0))
    good = poly_ridge_objective(ctx, PolyRidge(degree=8, alpha=0.1))
    assert good["cv_mse"] < 0.6 * low["cv_mse"]  # a straight line underfits mcycle


def test_objective_stops_when_report_raises(prepared_root):
    class Pruned(Exception):
        pass

    steps = []

    def report(value, step):
        steps.append(step)
        if step == 1:
            raise Pruned

    with pytest.raises(Pruned):
        poly_ridge_objective(_ctx(prepared_root, report=report), PolyRidge())
    assert steps == [0, 1]


def test_to_nearer_end_is_zero_only_at_the_ends_of_the_sweep():
    assert [to_nearer_end(d, 12) for d in (1, 2, 4, 11, 12)] == [0, 1, 3, 1, 0]
    assert to_nearer_end(8, 8) == 0  # a shorter sweep moves the end


def test_orthonormal_shrinkage_holds_for_our_ridge_and_lasso():
    g = np.random.default_rng(0)
    X = g.normal(size=(60, 5))
    y = X @ np.array([3.0, -2.0, 0.5, 0.1, 0.0]) + g.normal(scale=0.5, size=60)
    assert orthonormal_shrinkage(X, y, 0.4) < 1e-10
