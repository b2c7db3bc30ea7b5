"""The lectures: the only place that knows what "lecture 5" means.

Every lecture exposes the same table of contents, which the stage runner, the config and the
report read:

``TITLE``, ``LINES``
    its title and its lines in the course notes (``shared/course/course-notes.zh.txt``);
``DATASETS``
    the prepared sets it reads (``datasets(params)`` instead where its params add more);
``Params``
    its block in params.yaml (``lectures.<id>``), a pydantic model whose defaults are the
    default profile's values (tests/test_config.py checks params.yaml against them);
``CLAIMS``
    every claim it checks, each with its kind, in one place;
``TUNABLE``
    (optional) the objectives its Optuna studies tune, each with the params it reads;
``train(ctx)``, ``evaluate(ctx)``
    the two stages, taking a :class:`mldm.lectures.base.Context`.

A lecture that fits one screenful of concerns is one module, ``lNN_<name>.py``. One that
outgrows it is a package, laid out in the lecture's order::

    lNN_<name>/
        __init__.py     the table of contents above; train/evaluate call the experiments in
                        the order the lecture teaches them, and nothing else
        params.py       Params and its sub-blocks
        claims.py       CLAIMS
        common.py       what several experiments share (the lecture's data settings,
                        small model factories), where they do
        <experiment>.py one module per experiment the lecture shows (its fits, its
                        measurements, the claims it measures); results passed between phases
                        are small frozen dataclasses, not nested dicts
        figures.py      matplotlib only, drawing those dataclasses
        tuning.py       TUNABLE's objectives, where the lecture has a study

Model and oracle code lives in :mod:`mldm.models` and :mod:`mldm.evaluation`, never here, so
a notebook can import it without a stage; what every lecture repeats lives on the
:class:`~mldm.lectures.base.Context` (``seeded``, ``table``, ``record``, ``measure``) or in
:mod:`mldm.evaluation` (``accuracy``, ``worst``, ``relative_error``). A lecture never knows
about DVC paths, MLflow or the report.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType

from mldm.errors import MldmError

# Every ``lNN_<name>`` module or package here, sorted: the course's order. Found, not listed,
# so that adding a lecture changes no file the other stages import (their code hashes, and so
# their DVC stages, stay as they were).
IDS = tuple(
    sorted(m.name for m in pkgutil.iter_modules(__path__) if re.fullmatch(r"l\d\d_\w+", m.name))
)


def get(lecture_id: str) -> ModuleType:
    if lecture_id not in IDS:
        raise MldmError(f"unknown lecture '{lecture_id}' (known: {', '.join(IDS)})")
    return importlib.import_module(f"mldm.lectures.{lecture_id}")


def datasets(lecture_id: str, params) -> tuple[str, ...]:
    """The datasets a lecture reads with its params block ``params``."""
    module = get(lecture_id)
    return module.datasets(params) if hasattr(module, "datasets") else module.DATASETS
