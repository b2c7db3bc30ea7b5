"""L05 pieces the end-to-end lecture test does not pin down: the LP separability test, the
primal QP, the brute-force margin and 0-1 searches, the explicit feature maps, and the
digits objective of the ``l05_svm_rbf`` study."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError
from sklearn import svm as libsvm
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel

from mldm.evaluation.svm_reference import (
    best_margin_over_directions,
    geometric_margin,
    primal_hard_margin,
    separability,
    zero_one_search,
)
from mldm.lectures import l05_svm as l05
from mldm.lectures.l05_svm.params import DigitsRBF
from mldm.lectures.l05_svm.setting import toy
from mldm.lectures.l05_svm.tuning import digits_rbf_objective
from mldm.models.kernel_maps import gaussian_feature_map, poly2_features


@pytest.fixture
def blobs():
    return toy(l05.Params(), seed=0)


def test_blobs_are_balanced_deterministic_and_separable_only_when_narrow(blobs):
    again = toy(l05.Params(), seed=0)
    for (_, d), (_, e) in zip(blobs.sets(), again.sets(), strict=True):
        for a, b in ((d.X, e.X), (d.y, e.y), (d.Xt, e.Xt), (d.yt, e.yt)):
            np.testing.assert_array_equal(a, b)
        assert set(np.unique(d.y)) == {-1, 1}
        assert d.y.sum() == 0
    assert separability(blobs.sep.X, blobs.sep.y) == "feasible"
    assert separability(blobs.over.X, blobs.over.y) == "infeasible"


def test_primal_qp_matches_libsvm_hard_margin(blobs):
    X, y = blobs.sep.X, blobs.sep.y
    w, b = primal_hard_margin(X, y)
    sk = libsvm.SVC(kernel="linear", C=1e8, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(w, sk.coef_.ravel(), rtol=1e-4, atol=1e-5)
    assert b == pytest.approx(sk.intercept_[0], abs=1e-4)
    # all constraints hold, at least one tightly: the margin is exactly 1/||w||
    assert np.min(y * (X @ w + b)) == pytest.approx(1.0, abs=1e-6)
    assert geometric_margin(w, b, X, y) == pytest.approx(1 / np.linalg.norm(w), rel=1e-6)


def test_brute_force_margin_never_beats_the_qp_and_gets_close(blobs):
    X, y = blobs.sep.X, blobs.sep.y
    w, b = primal_hard_margin(X, y)
    best = best_margin_over_directions(X, y)
    svm = 1 / np.linalg.norm(w)
    assert best <= svm * (1 + 1e-9)
    assert best > svm * (1 - 1e-3)
    # a coarse grid is worse: the search really searches
    assert best_margin_over_directions(X, y, 8) < best


def test_zero_one_search_finds_the_fewest_errors_of_any_line():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(30, 2))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=30) > 0, 1, -1)
    u, b = zero_one_search(X, y, n_directions=720)
    errors = np.mean(np.sign(X @ u + b) != y)
    # brute force over every line through two points, shifted slightly both ways
    best = 1.0
    for i in range(30):
        for j in range(i + 1, 30):
            d = X[j] - X[i]
            n = np.array([-d[1], d[0]])
            for s in (1, -1):
                for eps in (1e-9, -1e-9):
                    pred = np.sign(s * ((X - X[i]) @ n) + eps)
                    best = min(best, np.mean(pred != y))
    assert errors <= best + 1 / 30  # a direction grid may miss the exact optimum by one point
    assert errors < np.mean(np.sign(X[:, 1]) != y)


def test_feature_maps_reproduce_their_kernels():
    x = np.linspace(-2, 2, 41)
    phi = gaussian_feature_map(x, sigma=0.8, terms=40)
    np.testing.assert_allclose(
        phi @ phi.T, rbf_kernel(x[:, None], gamma=1 / (2 * 0.8**2)), atol=1e-10
    )
    assert (
        np.abs(
            gaussian_feature_map(x, 0.8, 3) @ gaussian_feature_map(x, 0.8, 3).T
            - rbf_kernel(x[:, None], gamma=1 / (2 * 0.8**2))
        ).max()
        > 1e-3
    )
    X = np.random.default_rng(0).normal(size=(25, 2))
    Phi = poly2_features(X)
    np.testing.assert_allclose(
        Phi @ Phi.T, polynomial_kernel(X, degree=2, gamma=1.0, coef0=1.0), rtol=1e-10, atol=1e-12
    )


def test_params_reject_bad_grids():
    with pytest.raises(ValidationError, match="C_grid"):
        l05.Params(C_grid=[1.0, 0.1, 10.0])
    with pytest.raises(ValidationError, match="gamma_grid"):
        l05.Params(gamma_grid=(1.0, 0.1, 5))
    with pytest.raises(ValidationError):
        l05.Params(tol=0)


def test_train_refuses_overlapping_separable_blobs(tmp_path):
    from mldm.errors import MldmError

    p = l05.Params(toy={"separable_std": 3.0})
    ctx = SimpleNamespace(params=p, seed=0)
    with pytest.raises(MldmError, match="separable_std"):
        l05.train(ctx)


def test_package_import_is_light():
    # every module of the package, figures included: heavy libraries load inside functions
    code = (
        "import importlib, pkgutil, sys\n"
        "import mldm.lectures.l05_svm as m\n"
        "for i in pkgutil.iter_modules(m.__path__):\n"
        "    importlib.import_module(f'{m.__name__}.{i.name}')\n"
        "print(sorted(k for k in ('optuna', 'torch', 'sklearn', 'matplotlib') if k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_tunable_exports_the_objective():
    assert l05.TUNABLE["digits_rbf"].objective is digits_rbf_objective
    assert l05.TUNABLE["digits_rbf"].reads == ("k", "tol")


def test_digits_objective_reports_every_fold_and_returns_cv_accuracy(prepared_root):
    from mldm.data import load

    reports = []
    ctx = SimpleNamespace(
        data=lambda name: load(name, prepared_root),
        lecture=l05.Params(k=3),
        seed=0,
        report=lambda value, step: reports.append((step, value)),
    )
    out = digits_rbf_objective(ctx, DigitsRBF())
    assert [s for s, _ in reports] == [0, 1, 2]
    assert reports[-1][1] == pytest.approx(out["cv_accuracy"])
    assert 0.9 < out["cv_accuracy"] <= 1.0
    worse = digits_rbf_objective(ctx, DigitsRBF(gamma=1.0))
    assert worse["cv_accuracy"] < out["cv_accuracy"] - 0.2  # a tiny σ memorizes
