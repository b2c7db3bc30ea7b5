"""The L05 reference solvers: the primal QP against libsvm, the brute-force margin and 0-1
searches against exhaustive enumeration, the libsvm twin and the KKT measure."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import svm as libsvm

from mldm.evaluation.svm_reference import (
    best_margin_over_directions,
    geometric_margin,
    libsvm_twin,
    max_kkt_violation,
    primal_hard_margin,
    separability,
    zero_one_search,
)
from mldm.models import SVC


def _blobs(std: float, n: int = 60, seed: int = 0):
    """Balanced y ∈ {−1, +1} around ±1.5·(1, 1), as L05's toy setting."""
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 2 == 0, 1, -1)
    return y[:, None] * 1.5 + std * rng.standard_normal((n, 2)), y


@pytest.fixture
def blobs():
    return _blobs(0.45)


def test_separability_is_decided_by_the_lp(blobs):
    assert separability(*blobs) == "feasible"
    assert separability(*_blobs(1.4)) == "infeasible"


def test_primal_qp_matches_libsvm_hard_margin(blobs):
    X, y = blobs
    w, b = primal_hard_margin(X, y)
    sk = libsvm.SVC(kernel="linear", C=1e8, tol=1e-8).fit(X, y)
    np.testing.assert_allclose(w, sk.coef_.ravel(), rtol=1e-4, atol=1e-5)
    assert b == pytest.approx(sk.intercept_[0], abs=1e-4)
    # all constraints hold, at least one tightly: the margin is exactly 1/||w||
    assert np.min(y * (X @ w + b)) == pytest.approx(1.0, abs=1e-6)
    assert geometric_margin(w, b, X, y) == pytest.approx(1 / np.linalg.norm(w), rel=1e-6)


def test_brute_force_margin_never_beats_the_qp_and_gets_close(blobs):
    X, y = blobs
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


def test_libsvm_twin_copies_the_hyperparameters_and_makes_an_infinite_c_finite():
    ours = SVC(kernel="poly", C=np.inf, degree=2, gamma=0.5, coef0=1.0, tol=1e-4)
    twin = libsvm_twin(ours).get_params()
    assert twin["C"] == 1e6
    assert {k: twin[k] for k in ("kernel", "degree", "gamma", "coef0", "tol")} == {
        "kernel": "poly",
        "degree": 2,
        "gamma": 0.5,
        "coef0": 1.0,
        "tol": 1e-4,
    }
    assert libsvm_twin(SVC(C=2.0)).get_params()["C"] == 2.0


def test_max_kkt_violation_is_zero_at_the_solution_and_sees_a_broken_one():
    X, y = _blobs(1.4)
    est = SVC(kernel="linear", C=1.0, tol=1e-3).fit(X, y)
    assert max_kkt_violation(est, X, y) < 1e-9
    # the same labels as {0, 1}: mapped to ±1 by classes_, the same measure
    est01 = SVC(kernel="linear", C=1.0, tol=1e-3).fit(X, (y + 1) // 2)
    assert max_kkt_violation(est01, X, (y + 1) // 2) < 1e-9
    est.alpha_ = est.alpha_ * 1.5  # off the solution: Σ a y and the margins move
    assert max_kkt_violation(est, X, y) > 1e-3
