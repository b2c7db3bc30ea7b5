"""A prepared dataset as the stages read it: ``data/prepared/<name>/{arrays.npz,meta.json}``,
checked against the content hash ``prepare`` recorded."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mldm.errors import MldmError
from mldm.io import load_npz, read_json

ARRAYS = ("X_train", "y_train", "X_test", "y_test")


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


def content_hash(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(f"{key}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def load(name: str, root: str | Path = "data/prepared") -> Prepared:
    """Read a prepared dataset; a clear error if its stage has not run."""
    from mldm.trace import note_dataset

    note_dataset(name)
    folder = Path(root) / name
    marker = folder / "meta.json"
    if marker.is_file() and (meta := read_json(marker)).get("available") is False:
        raise MldmError(
            f"dataset '{name}' ({meta['source']}) has no offline copy: it is downloaded only "
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
