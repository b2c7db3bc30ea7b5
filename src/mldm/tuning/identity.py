"""A study's identity: its name in the storage is ``<study>-<hash>`` over its params, data and
the ``mldm`` source code its trials run.

Why the code: DVC reruns ``tune@`` when the code changes; if the storage name did not change
with it, the finished study would be reloaded, no trial would run, and ``best.json`` would be
rewritten from trials of the old code. Same code gives the same name, so a killed study still
resumes.

Which code: the static import closure (:mod:`mldm.dependencies`) of the objective's lecture
and of this package (the trial loop): found from the files' import statements, not from
``sys.modules``, because what a process has imported depends on its history (the stage, a
``--join`` worker and a test process load different modules) and all of them must compute the
same name to find the study. It is a superset of what one objective runs, so a change may
start a new study needlessly, never the reverse.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mldm.dependencies import PACKAGE_DIR, digest, find


def _closure(lecture_id: str):
    return find((f"mldm.lectures.{lecture_id}", "mldm.tuning.cli", "mldm.tuning.stage"))


def source_files(lecture_id: str) -> list[tuple[str, Path]]:
    """(path relative to the package, file) of the code a study of ``lecture_id`` runs, sorted."""
    files = _closure(lecture_id).files
    return sorted(
        (p.relative_to(PACKAGE_DIR).as_posix(), p) for p in files if p.is_relative_to(PACKAGE_DIR)
    )


def code_hash(lecture_id: str) -> str:
    """sha256 over (relative path, :func:`~mldm.dependencies.digest`) of every file in
    :func:`source_files` (a lazy package's table counts by the rows the study uses)."""
    rows = _closure(lecture_id).lazy_rows
    h = hashlib.sha256()
    for rel, path in source_files(lecture_id):
        h.update(f"{rel}\0{digest(path, rows.get(path))}\0".encode())
    return h.hexdigest()


def study_name(study, dataset_hashes: dict[str, str]) -> str:
    """The study's name in the storage: ``<study>-<definition hash>``."""
    return f"{study.name}-{study.definition_hash(dataset_hashes)}"
