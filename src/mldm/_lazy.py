"""Lazy package attributes: ``from mldm.models import SVC`` imports ``mldm.models.svm`` only.

A package lists its public names in ``_LAZY = {name: module}`` and sets
``__getattr__, __dir__ = attributes(__name__, _LAZY)``. Two reasons: a stage pays only for
the modules it uses (torch, Lightning and MLflow take seconds to import), and
:mod:`mldm.dependencies` reads the same table to make a stage depend on the modules it names,
not on the whole package.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def attributes(package: str, table: dict[str, str]) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for ``package`` resolving ``table``'s names on first use."""

    def __getattr__(name: str):  # noqa: N807 (the module hook's name)
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(table[name]), name)
        setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(set(vars(sys.modules[package])) | set(table))

    return __getattr__, __dir__
