"""notebooks/: one jupytext pair per lecture, in sync and committed unexecuted, each citing its
lecture and with its slider; a failing slider fails the run. Executing every notebook on the
smoke outputs is the slow test in tests/test_pipeline.py (it reuses that smoke workspace)."""

from __future__ import annotations

import os

import jupytext
import nbformat
import pytest

from mldm import lectures
from mldm.notebook import execute, notebooks, repo_root


def test_every_lecture_has_a_notebook(root):
    assert set(notebooks(root)) == set(lectures.IDS)
    for lid, py in notebooks(root).items():
        assert py.with_suffix(".ipynb").is_file(), f"{lid}: no paired .ipynb"
        text = py.read_text()
        assert "formats: ipynb,py:percent" in text  # the pairing, in the .py header
        assert f'open_lecture("{lid}")' in text
        assert "slider(" in text  # the one interactive hyperparameter
        module = lectures.get(lid)
        assert f"lines {module.LINES}" in text, f"{lid}: cite the course-notes lines"


@pytest.mark.parametrize("lid", lectures.IDS)
def test_py_and_ipynb_are_in_sync_and_unexecuted(root, lid):
    py = root / "notebooks" / f"{lid}.py"
    ipynb = nbformat.read(py.with_suffix(".ipynb"), as_version=4)
    source = jupytext.read(py)
    assert [(c.cell_type, c.source) for c in ipynb.cells] == [
        (c.cell_type, c.source) for c in source.cells
    ], f"out of sync: run jupytext --sync notebooks/{lid}.py"
    for cell in ipynb.cells:  # committed without outputs
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None


def test_repo_root_walks_up(root, tmp_path):
    assert repo_root(root / "notebooks") == root
    assert repo_root(root) == root
    with pytest.raises(FileNotFoundError):
        repo_root(tmp_path)


def test_a_failing_slider_fails_the_notebook(tmp_path, monkeypatch):
    from nbclient.exceptions import CellExecutionError

    (tmp_path / "dvc.yaml").write_text("stages: {}\n")
    nb = tmp_path / "notebooks" / "broken.py"
    nb.parent.mkdir()
    nb.write_text(
        "# %%\nfrom mldm.notebook import repo_root, slider\n"
        "print(repo_root())\n\n\ndef f(k):\n"
        "    if k == 2:\n        raise RuntimeError('boom')\n\n\n"
        "slider(f, 'k', [1, 2], value=2)\n"
    )
    with pytest.raises(CellExecutionError, match="boom"):
        execute(nb, timeout=120, env={"PYTHONPATH": os.environ.get("PYTHONPATH", "")})
