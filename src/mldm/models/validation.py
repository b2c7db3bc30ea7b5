"""Input checks the estimators share, written on scikit-learn's public API and numpy (never
its private ``_check_*`` helpers, which change without notice), with scikit-learn's rules.

* :func:`sample_weights`: the ``sample_weight`` argument of ``fit`` (trees, SVC);
* :func:`feature_names_in`: the input names behind ``get_feature_names_out`` (basis
  functions).
"""

from __future__ import annotations

from numbers import Number

import numpy as np
from sklearn.utils.validation import check_array

__all__ = ["feature_names_in", "sample_weights"]


def sample_weights(sample_weight, n: int) -> np.ndarray:
    """(n,) float64 weights: ones for None, a scalar repeated, or a finite non-negative
    1-d array of length n, not all zero (scikit-learn's rules, through its public
    ``check_array``); anything else is a one-line ``ValueError`` naming the problem."""
    if sample_weight is None:
        return np.ones(n)
    if isinstance(sample_weight, Number):
        return np.full(n, float(sample_weight))
    w = check_array(sample_weight, ensure_2d=False, dtype=np.float64, input_name="sample_weight")
    if w.shape != (n,):
        raise ValueError(f"sample_weight.shape == {w.shape}, expected ({n},)!")
    if (w < 0).any():
        raise ValueError("Negative values in sample_weight")
    if not (w > 0).any():
        raise ValueError("sample_weight is all zero: no row to learn from")
    return w


def feature_names_in(estimator, input_features=None) -> np.ndarray:
    """The input feature names, as scikit-learn's ``get_feature_names_out`` reads them: the
    given ``input_features`` (which must match ``feature_names_in_`` if the estimator was fitted
    on named columns, and have ``n_features_in_`` entries), else ``feature_names_in_``, else
    ``x0, x1, ...``. An object array."""
    names_in = getattr(estimator, "feature_names_in_", None)
    n_in = getattr(estimator, "n_features_in_", None)
    if input_features is None:
        if names_in is not None:
            return np.asarray(names_in, dtype=object)
        if n_in is None:
            raise ValueError("Unable to generate feature names without n_features_in_")
        return np.asarray([f"x{i}" for i in range(n_in)], dtype=object)
    names = np.asarray(input_features, dtype=object)
    if names_in is not None and not np.array_equal(names_in, names):
        raise ValueError("input_features is not equal to feature_names_in_")
    if n_in is not None and len(names) != n_in:
        raise ValueError(
            f"input_features should have length equal to number of features ({n_in}), "
            f"got {len(names)}"
        )
    return names
