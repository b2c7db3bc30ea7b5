"""What code a stage runs, found statically: the import closure of its entry points.

DVC reruns a stage when one of its dependencies changes, so the dependencies must be exactly
the code the stage runs: missing one leaves a stale output that ``dvc status`` calls up to
date; listing every file reruns the whole course for a one-line change in one lecture. This
module computes the set from the source, without importing it:

- the files an entry point imports, at the top or inside a function (lectures import their
  models lazily), and transitively the files those import, with every package above each
  (a package's ``__init__`` runs before its modules);
- a lazy package attribute (a package ``__init__`` with a ``_LAZY = {name: module}`` table,
  as :mod:`mldm.models` has) counts only where it is used: ``from mldm.models import SVC``
  or ``models.SVC`` (``models`` bound to the package) depends on ``mldm.models.svm``, not on
  every model; a string constant naming an ``mldm`` module counts as an import of it;
- and the table itself counts only by the rows a stage uses: a lazy ``__init__`` is hashed
  with its ``_LAZY`` table cut down to those rows (:func:`digest`), so a new lecture that
  exports new models reruns none of the old lectures, while renaming or re-pointing a row a
  stage uses reruns that stage;
- the non-Python files a package ships (``report/templates/``) go with that package.

The set is a superset of what one run imports (every lazy import in a file counts, taken or
not), so a change may rerun a stage needlessly, never the reverse. What a run really imported
is recorded with ``MLDM_TRACE`` (:mod:`mldm.trace`), and the smoke end-to-end test checks that
it stays inside this set.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import mldm

PACKAGE = "mldm"
PACKAGE_DIR = Path(mldm.__file__).resolve().parent
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


@dataclass(frozen=True)
class Scan:
    """What one file says statically: the ``mldm`` names it imports (``mldm.models`` or
    ``mldm.models.SVC``, the latter also for ``models.SVC`` with ``models`` bound to the
    package), and (for a package ``__init__``) its lazy attribute table."""

    imports: frozenset[str]
    lazy: tuple[tuple[str, str], ...]


def _lazy_node(tree: ast.Module) -> ast.Assign | None:
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "_LAZY" for t in node.targets)
            and isinstance(node.value, ast.Dict)
        ):
            return node
    return None


def _lazy_table(tree: ast.Module) -> dict[str, str]:
    if (node := _lazy_node(tree)) is None:
        return {}
    return {
        k.value: v.value
        for k, v in zip(node.value.keys, node.value.values, strict=True)
        if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
    }


@cache
def scan(path: Path, name: str) -> Scan:
    """Parse the file of module ``name`` (cached per process: files do not change mid-run)."""
    tree = ast.parse(path.read_bytes(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    lazy = _lazy_table(tree)
    lazy_targets = set(lazy.values())
    found: set[str] = set()
    aliases: dict[str, str] = {}  # local name -> the mldm module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
            aliases.update((a.asname, a.name) for a in node.names if a.asname)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the package, one level up per extra dot
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{node.module}" if node.module else anchor
            else:
                base = node.module or ""
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
            aliases.update((a.asname or a.name, f"{base}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            # a lazy import by name; a package's own _LAZY table is resolved per use instead
            if _DOTTED.fullmatch(node.value) and node.value not in lazy_targets:
                found.add(node.value)
    for node in ast.walk(tree):  # `training.fit(...)` with `from mldm import training`
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (bound := aliases.get(node.value.id)) is not None:
                found.add(f"{bound}.{node.attr}")
    return Scan(
        imports=frozenset(m for m in found if m == PACKAGE or m.startswith(PACKAGE + ".")),
        lazy=tuple(sorted(lazy.items())),
    )


def _package_data(package_file: Path) -> list[Path]:
    """Files other than Python that a package ships in its non-package subfolders."""
    out = []
    for sub in sorted(package_file.parent.iterdir()):
        if sub.is_dir() and not (sub / "__init__.py").exists() and sub.name != "__pycache__":
            files = sorted(sub.rglob("*"))
            out += [p for p in files if p.is_file() and "__pycache__" not in p.parts]
    return out


@dataclass(frozen=True)
class Closure:
    """The files an entry point may run, and the rows of each lazy package's ``_LAZY`` table
    it uses (``{package __init__: {name: module or None}}``; None: a name the table lacks)."""

    files: tuple[Path, ...]
    lazy_rows: dict[Path, dict[str, str | None]]


def closure(roots: tuple[str, ...], scripts: tuple[Path, ...] = ()) -> list[Path]:
    """Every file the modules ``roots`` and the files ``scripts`` (entry points outside the
    package) may run, sorted."""
    return list(find(roots, scripts).files)


def find(roots: tuple[str, ...], scripts: tuple[Path, ...] = ()) -> Closure:
    """:func:`closure` with the lazy-table rows used (what :func:`manifest` hashes)."""
    return _closure(tuple(roots), tuple(Path(s).resolve() for s in scripts))


@cache
def _closure(roots: tuple[str, ...], scripts: tuple[Path, ...]) -> Closure:
    files: dict[str, Path] = {}
    rows: dict[Path, dict[str, str | None]] = {}
    todo = list(roots)
    for script in scripts:
        todo += sorted(_uses(scan(script, "__main__"), rows))
    while todo:
        name = todo.pop()
        if name in files or (path := module_file(name)) is None:
            continue
        files[name] = path
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # packages run first
        todo += sorted(_uses(scan(path, name), rows))
    out = set(files.values()) | set(scripts)
    for path in list(files.values()):
        if path.name == "__init__.py":
            out.update(_package_data(path))
    return Closure(files=tuple(sorted(out)), lazy_rows=rows)


def _uses(s: Scan, rows: dict[Path, dict[str, str | None]]) -> set[str]:
    """The modules a scanned file needs: its imports, each lazy package attribute resolved to
    the module that defines it (and recorded in ``rows``)."""
    out = set(s.imports)
    for name in s.imports:
        package, _, attr = name.rpartition(".")
        if package and module_file(name) is None:
            table = _lazy_of(package)
            out.add(table.get(attr, package))
            if table:
                rows.setdefault(module_file(package), {})[attr] = table.get(attr)
    return out


def _lazy_of(package: str) -> dict[str, str]:
    path = module_file(package)
    if path is None or path.name != "__init__.py":
        return {}
    return dict(scan(path, package).lazy)


def file_key(path: Path, root: Path) -> str:
    """How a manifest names a file: relative to the repository ``root``, or, for the package
    imported from elsewhere (an installed copy), ``src/mldm/...`` as in the repository."""
    path = Path(path).resolve()
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    if path.is_relative_to(PACKAGE_DIR):
        return f"src/{PACKAGE}/{path.relative_to(PACKAGE_DIR).as_posix()}"
    return path.as_posix()


def digest(path: Path, lazy_rows: dict[str, str | None] | None = None) -> str:
    """sha256 of a file; for a lazy package ``__init__``, of its text with the ``_LAZY`` table
    replaced by the rows ``lazy_rows`` a stage uses (none used: the table drops out)."""
    data = Path(path).read_bytes()
    if path.name != "__init__.py" or (node := _lazy_node(ast.parse(data))) is None:
        return hashlib.sha256(data).hexdigest()
    lines = data.decode().splitlines(keepends=True)
    used = json.dumps(dict(sorted((lazy_rows or {}).items())))
    before, after = lines[: node.lineno - 1], lines[node.end_lineno :]
    text = "".join(before) + f"_LAZY = {used}\n" + "".join(after)
    return hashlib.sha256(text.encode()).hexdigest()


def manifest(c: Closure, root: Path) -> dict[str, str]:
    """``{file_key: digest}`` of a closure: what a stage's DVC dependency records."""
    return {file_key(p, root): digest(p, c.lazy_rows.get(p)) for p in c.files}
