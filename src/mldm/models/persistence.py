"""Save and load fitted scikit-learn-API estimators without pickle.

Constructor params go to JSON, fitted attributes (``name_``) to an ``.npz``; nested
estimators (``OneVsAllClassifier.estimators_``) are saved recursively. Only classes from
``mldm.`` are loaded back, so a model file cannot run arbitrary code.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from mldm.io import load_npz, save_npz, write_json

_PREFIX = "mldm."


def _spec(est) -> dict[str, Any]:
    cls = type(est)
    params = {}
    for key, value in est.get_params(deep=False).items():
        if hasattr(value, "get_params"):
            params[key] = {"__estimator__": _spec(value)}
        elif isinstance(value, np.ndarray):
            params[key] = {"__array__": value.tolist()}
        elif isinstance(value, float) and not np.isfinite(value):
            params[key] = {"__float__": repr(value)}  # JSON has no inf (SVC's hard margin C)
        else:
            params[key] = value
    return {"class": f"{cls.__module__}.{cls.__qualname__}", "params": params}


def _build(spec: dict[str, Any]):
    module, _, name = spec["class"].rpartition(".")
    if not module.startswith(_PREFIX):
        raise ValueError(f"refusing to load a class outside mldm: {spec['class']}")
    params = {}
    for key, value in spec["params"].items():
        if isinstance(value, dict) and "__estimator__" in value:
            value = _build(value["__estimator__"])
        elif isinstance(value, dict) and "__array__" in value:
            value = np.asarray(value["__array__"])
        elif isinstance(value, dict) and "__float__" in value:
            value = float(value["__float__"])
        params[key] = value
    return getattr(importlib.import_module(module), name)(**params)


def _file(stem: Path, ext: str) -> Path:
    return stem.with_name(f"{stem.name}{ext}")  # not with_suffix: nested stems contain dots


def save_estimator(est, stem: str | Path) -> None:
    """Write ``<stem>.json`` (class, params, nested) and ``<stem>.npz`` (fitted arrays)."""
    stem = Path(stem)
    arrays, nested, scalars = {}, {}, {}
    for key, value in vars(est).items():
        if not key.endswith("_") or key.startswith("_"):
            continue
        if isinstance(value, list) and value and hasattr(value[0], "get_params"):
            nested[key] = len(value)
            for i, sub in enumerate(value):
                save_estimator(sub, stem.with_name(f"{stem.name}.{key}{i}"))
        elif value is None or isinstance(value, bool | int | float | str):
            scalars[key] = value
        else:
            arrays[key] = np.asarray(value)
    save_npz(_file(stem, ".npz"), **arrays)
    write_json(_file(stem, ".json"), {**_spec(est), "scalars": scalars, "nested": nested})


def load_estimator(stem: str | Path):
    stem = Path(stem)
    spec = json.loads(_file(stem, ".json").read_text())
    est = _build(spec)
    for key, value in load_npz(_file(stem, ".npz")).items():
        setattr(est, key, value)
    for key, value in spec["scalars"].items():
        setattr(est, key, value)
    for key, count in spec["nested"].items():
        setattr(
            est,
            key,
            [load_estimator(stem.with_name(f"{stem.name}.{key}{i}")) for i in range(count)],
        )
    return est
