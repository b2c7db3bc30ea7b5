"""Every source file opens with its docstring, and no docstring hides after a statement.

A string placed after an import (``make_trainer`` once had one) is not a docstring: Python
drops it, ``help()`` shows nothing. Attribute docstrings (a string right after an assignment,
the Sphinx convention) are allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
FILES = sorted(SRC.rglob("*.py"))
SCOPES = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _is_string(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def misplaced_docstrings(source: str) -> list[str]:
    """``name:line`` of every bare string that is neither a scope's first statement nor an
    attribute docstring (right after an assignment)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, SCOPES):
            continue
        for before, stmt in zip(node.body, node.body[1:], strict=False):
            if _is_string(stmt) and not isinstance(before, (ast.Assign, ast.AnnAssign)):
                found.append(f"{getattr(node, 'name', '<module>')}:{stmt.lineno}")
    return found


def test_the_check_catches_a_docstring_after_an_import():
    source = 'def f():\n    import os\n\n    """Doc."""\n    return os\n'
    assert misplaced_docstrings(source) == ["f:4"]
    assert misplaced_docstrings('X = 1\n"""What X is."""\n') == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_module_docstring_first_and_none_misplaced(path: Path):
    source = path.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(source)), f"{path.name}: no module docstring first"
    assert misplaced_docstrings(source) == [], f"{path.name}: string after a statement"
