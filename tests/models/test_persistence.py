"""Model files without pickle: what JSON cannot hold (inf params, nested estimators) comes
back as it was, and a file naming a class outside mldm is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mldm.models import SVC, AdaBoostClassifier
from mldm.models.persistence import load_estimator, save_estimator


def test_infinite_param_round_trips(tmp_path):
    X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [2.0, 1.0]])
    y = np.array([-1, -1, 1, 1])
    est = SVC(kernel="linear", C=np.inf).fit(X, y)  # the hard margin
    save_estimator(est, tmp_path / "hard")
    spec = json.loads((tmp_path / "hard.json").read_text())
    assert spec["params"]["C"] == {"__float__": "inf"}
    back = load_estimator(tmp_path / "hard")
    assert back.C == np.inf and isinstance(back.C, float)
    np.testing.assert_array_equal(back.decision_function(X), est.decision_function(X))


def test_nested_estimators_round_trip(tmp_path):
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    est = AdaBoostClassifier(n_estimators=5, random_state=0).fit(X, y)
    save_estimator(est, tmp_path / "boost")
    back = load_estimator(tmp_path / "boost")
    assert len(back.estimators_) == len(est.estimators_)
    np.testing.assert_array_equal(back.decision_function(X), est.decision_function(X))


def test_refuses_classes_outside_mldm(tmp_path):
    est = SVC().fit([[0.0], [1.0]], [0, 1])
    save_estimator(est, tmp_path / "m")
    spec = json.loads((tmp_path / "m.json").read_text())
    spec["class"] = "os.system"
    (tmp_path / "m.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="outside mldm"):
        load_estimator(tmp_path / "m")
