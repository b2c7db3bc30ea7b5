"""The shared input checks (``mldm.models.validation``) keep scikit-learn's rules without
its private helpers: wrong ``sample_weight`` and wrong ``input_features`` fail with a one-line
ValueError naming the problem, in the estimators that use them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.preprocessing import PolynomialFeatures

from mldm.models import SVC, BasisFunctions, DecisionTreeClassifier
from mldm.models.validation import feature_names_in, sample_weights


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(40, 3, centers=2, random_state=0)


def test_sample_weights_defaults_and_scalars():
    np.testing.assert_array_equal(sample_weights(None, 3), np.ones(3))
    np.testing.assert_array_equal(sample_weights(2, 3), np.full(3, 2.0))
    w = sample_weights([1, 0, 3], 3)
    assert w.dtype == np.float64
    np.testing.assert_array_equal(w, [1.0, 0.0, 3.0])


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones(39), r"sample_weight\.shape == \(39,\), expected \(40,\)"),
        (np.ones((40, 1)), r"sample_weight\.shape == \(40, 1\), expected \(40,\)"),
        (np.r_[-1.0, np.ones(39)], "Negative values in sample_weight"),
        (np.zeros(40), "sample_weight is all zero"),
        (np.r_[np.nan, np.ones(39)], "sample_weight"),
    ],
)
@pytest.mark.parametrize("model", [SVC, DecisionTreeClassifier])
def test_bad_sample_weight_is_a_one_line_error(blobs, model, weights, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message) as err:
        model().fit(X, y, sample_weight=weights)
    assert "\n" not in str(err.value).strip()


def test_svc_weights_scale_the_box(blobs):
    """A scalar weight w is C·w: the same fit as C = w (C_n = C w_n)."""
    X, y = blobs
    a, b = SVC(C=1.0).fit(X, y, sample_weight=0.5), SVC(C=0.5).fit(X, y)
    np.testing.assert_allclose(a.dual_coef_, b.dual_coef_, rtol=1e-12)


def _fitted(X):
    return BasisFunctions(kind="polynomial", degree=2, interactions=True).fit(X)


def test_feature_names_follow_get_feature_names_out_rules():
    X = np.random.default_rng(0).normal(size=(10, 3))
    ours, sk = _fitted(X), PolynomialFeatures(2, include_bias=False).fit(X)
    np.testing.assert_array_equal(feature_names_in(ours), ["x0", "x1", "x2"])
    np.testing.assert_array_equal(ours.get_feature_names_out(), sk.get_feature_names_out())
    with pytest.raises(ValueError, match=r"length equal to number of features \(3\), got 2"):
        ours.get_feature_names_out(["a", "b"])
    with pytest.raises(ValueError, match="length equal to number of features"):
        sk.get_feature_names_out(["a", "b"])  # the oracle refuses it too
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    named, sk_named = _fitted(frame), PolynomialFeatures(2, include_bias=False).fit(frame)
    np.testing.assert_array_equal(named.get_feature_names_out(), sk_named.get_feature_names_out())
    np.testing.assert_array_equal(
        named.get_feature_names_out(["a", "b", "c"]), sk_named.get_feature_names_out()
    )
    for est in (named, sk_named):
        with pytest.raises(ValueError, match="input_features is not equal to feature_names_in_"):
            est.get_feature_names_out(["a", "b", "z"])


def test_feature_names_need_a_fitted_width():
    with pytest.raises(ValueError, match="without n_features_in_"):
        feature_names_in(BasisFunctions())


def _private_sklearn_imports(source: str) -> list[str]:
    """``module.name`` of every private scikit-learn name or module an import reaches."""
    import ast

    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sklearn"):
            private_module = any(p.startswith("_") for p in node.module.split("."))
            found += [
                f"{node.module}.{a.name}"
                for a in node.names
                if private_module or a.name.startswith("_")
            ]
        elif isinstance(node, ast.Import):
            found += [
                a.name
                for a in node.names
                if a.name.startswith("sklearn")
                and any(p.startswith("_") for p in a.name.split("."))
            ]
    return found


def test_no_private_sklearn_helpers_in_src():
    from pathlib import Path

    assert _private_sklearn_imports(
        "from sklearn.utils.validation import _check_sample_weight, validate_data"
    ) == ["sklearn.utils.validation._check_sample_weight"]
    src = Path(__file__).resolve().parents[2] / "src"
    found = {
        str(f.relative_to(src)): hits
        for f in sorted(src.rglob("*.py"))
        if (hits := _private_sklearn_imports(f.read_text(encoding="utf-8")))
    }
    assert found == {}, f"private scikit-learn helpers imported: {found}"
