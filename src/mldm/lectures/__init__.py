"""The lectures: the only place that knows what "lecture 5" means.

Each module ``lNN_<name>`` declares its ``TITLE``, ``LINES`` (in the course notes),
``DATASETS`` (and, where its params add more, ``datasets(params)``), ``CODE`` (the model
modules it uses, for DVC deps), ``Params`` (its block in params.yaml), ``CLAIMS`` (every claim
it checks, in one place), and two functions, ``train(ctx)`` and ``evaluate(ctx)``, that take a
:class:`mldm.lectures.base.Context`.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from mldm.errors import MldmError

IDS = (
    "l01_linear_regression",
    "l02_linear_classifiers",
    "l03_probabilistic_view",
    "l04_model_selection",
    "l05_svm",
    "l06_neural_networks",
    "l07_training",
    "l08_trees",
    "l09_kmeans_pca",
    "l13_gmm_em",
)


def get(lecture_id: str) -> ModuleType:
    if lecture_id not in IDS:
        raise MldmError(f"unknown lecture '{lecture_id}' (known: {', '.join(IDS)})")
    return importlib.import_module(f"mldm.lectures.{lecture_id}")


def datasets(lecture_id: str, params) -> tuple[str, ...]:
    """The datasets a lecture reads with its params block ``params``."""
    module = get(lecture_id)
    return module.datasets(params) if hasattr(module, "datasets") else module.DATASETS
