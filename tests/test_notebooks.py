"""notebooks/: one jupytext pair per lecture, in sync and committed unexecuted, each citing its
lecture and with its slider; a failing slider fails the run. Executing every notebook on the
smoke outputs is the slow test in tests/test_pipeline.py (it reuses that smoke workspace)."""

from __future__ import annotations

import os
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

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


def test_open_lecture_reads_the_stage_outputs(root, tmp_path, monkeypatch):
    """A stand-in repo with one lecture's outputs: params, a saved model, a curve, metrics
    and the course notes come back as the stage wrote them, from a subfolder too."""
    import json
    import shutil

    import numpy as np

    from mldm.models import LinearRegression
    from mldm.models.persistence import save_estimator
    from mldm.notebook import open_lecture

    lid = "l01_linear_regression"
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copyfile(root / name, tmp_path / name)
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "course-notes.zh.txt").write_text("one\ntwo\nthree\n")
    out = tmp_path / "artifacts" / lid
    (out / "models").mkdir(parents=True)
    X = np.arange(12.0).reshape(6, 2) ** 1.5
    model = LinearRegression(solver="normal").fit(X, X @ [1.0, -2.0] + 3)
    save_estimator(model, out / "models" / "normal_equation")
    (out / "loss_gd.csv").write_text("epoch,train_mse\n0,2.0\n1,1.0\n")
    (tmp_path / "metrics").mkdir()
    claims = {"a": {"passed": True}, "b": {"passed": False}}
    (tmp_path / "metrics" / f"{lid}.json").write_text(json.dumps({"claims": claims}))
    (tmp_path / "notebooks").mkdir()

    monkeypatch.chdir(tmp_path / "notebooks")
    lecture = open_lecture(lid)
    assert lecture.root == tmp_path.resolve() and Path.cwd() == lecture.root
    assert (
        lecture.params.gd.lr
        == yaml.safe_load((root / "params.yaml").read_text())["lectures"][lid]["gd"]["lr"]
    )
    np.testing.assert_array_equal(lecture.model("normal_equation").w_, model.w_)
    assert lecture.curve("loss_gd")["train_mse"].tolist() == [2.0, 1.0]
    assert lecture.claims() == {"a": True, "b": False}
    assert lecture.notes("2-3") == "two\nthree"
    assert "claims passed 1/2" in lecture.summary()
    with pytest.raises(ValueError, match="not one of"):
        from mldm.notebook import slider

        slider(print, "k", [1, 2], value=3)
