"""Dataset registry: each named dataset -> prepared, split, hashed files.

``prepare(name, ...)`` writes ``data/prepared/<name>/arrays.npz`` and ``meta.json``;
``load(name)`` reads them back as a :class:`Prepared`.
"""

from mldm._lazy import attributes

_LAZY = {
    "DATASETS": "mldm.data.registry",
    "Dataset": "mldm.data.registry",
    "Prepared": "mldm.data.prepared",
    "load": "mldm.data.prepared",
    "prepare": "mldm.data.registry",
}
__getattr__, __dir__ = attributes(__name__, _LAZY)
__all__ = sorted(_LAZY)
