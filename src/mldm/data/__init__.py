"""Dataset registry: each named dataset -> prepared, split, hashed files.

``prepare(name, ...)`` writes ``data/prepared/<name>/arrays.npz`` and ``meta.json``;
``load(name)`` reads them back as a :class:`Prepared`.
"""

from mldm.data.registry import DATASETS, Dataset, Prepared, load, prepare

__all__ = ["DATASETS", "Dataset", "Prepared", "load", "prepare"]
