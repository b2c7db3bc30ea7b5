"""A study's identity: its name in the storage is ``<study>-<hash>`` over its params, data and
the ``mldm`` source code its trials run.

Why the code: DVC reruns ``tune@`` when the code changes; if the storage name did not change
with it, the finished study would be reloaded, no trial would run, and ``best.json`` would be
rewritten from trials of the old code. Same code gives the same name, so a killed study still
resumes.

Which code: the source files of the objective's lecture module and of this package (the trial
loop), and, transitively, every ``mldm`` module they import -- at the top of the file or inside
a function (objectives import their models lazily) -- with the packages above each; a string
constant naming an ``mldm`` module counts as an import of it (``mldm.training`` imports its
Lightning code by name, lazily). The set is found statically from the files' import
statements, not by walking ``sys.modules``: what a process has imported depends on its history
(the stage, a ``--join`` worker and a test process load different modules), and all of them
must compute the same name to find the study. It is a superset of what one objective runs
(every lazy import in its lecture counts), so a change may start a new study needlessly, never
the reverse.
"""

from __future__ import annotations

import ast
import hashlib
import re
from functools import cache
from pathlib import Path

import mldm

PACKAGE_DIR = Path(mldm.__file__).resolve().parent
PACKAGE = "mldm"
_DOTTED = re.compile(r"mldm(\.\w+)+")


def module_file(name: str) -> Path | None:
    """The source file of ``mldm`` module ``name``; None if ``name`` is not a module (an
    attribute such as ``mldm.models.SVC``)."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def _imported(name: str, path: Path) -> set[str]:
    """Names of ``mldm`` modules (or their attributes) a file imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the package, one level up per extra dot
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{node.module}" if node.module else anchor
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _DOTTED.fullmatch(node.value):  # a lazy import by name (mldm.training's _LAZY)
                found.add(node.value)
    return {m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")}


def source_files(lecture_id: str) -> list[tuple[str, Path]]:
    """(path relative to the package, file) of the code a study of ``lecture_id`` runs, sorted."""
    return list(_source_files(lecture_id))


@cache  # parsing ~40 files takes ~0.4 s; the bytes are hashed afresh by code_hash
def _source_files(lecture_id: str) -> tuple[tuple[str, Path], ...]:
    todo = [f"{PACKAGE}.lectures.{lecture_id}", f"{PACKAGE}.tuning"]
    files: dict[str, Path] = {}
    while todo:
        name = todo.pop()
        if name in files or (path := module_file(name)) is None:
            continue
        files[name] = path
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # packages run first
        todo += sorted(_imported(name, path))
    return tuple(sorted({(p.relative_to(PACKAGE_DIR).as_posix(), p) for p in files.values()}))


def code_hash(lecture_id: str) -> str:
    """sha256 over (relative path, bytes) of every file in :func:`source_files`."""
    h = hashlib.sha256()
    for rel, path in source_files(lecture_id):
        data = path.read_bytes()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def study_name(study, dataset_hashes: dict[str, str]) -> str:
    """The study's name in the storage: ``<study>-<definition hash>``."""
    return f"{study.name}-{study.definition_hash(dataset_hashes)}"
