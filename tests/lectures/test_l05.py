"""L05 pieces the end-to-end lecture test does not pin down: the blob settings, the params
block, and the digits objective of the ``l05_svm_rbf`` study. The reference solvers are tested
in tests/evaluation/test_svm_reference.py, the feature maps in tests/models/test_kernel_maps.py."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from pydantic import ValidationError

from mldm.evaluation.svm_reference import separability
from mldm.lectures import l05_svm as l05
from mldm.lectures.l05_svm.common import toy
from mldm.lectures.l05_svm.params import DigitsRBF
from mldm.lectures.l05_svm.tuning import digits_rbf_objective


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
