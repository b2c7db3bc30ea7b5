"""Fixtures shared by the lecture tests."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="module")
def train_on_smoke(tmp_path_factory, root, prepared_root):
    """A function ``lecture_id -> Context``: the lecture's train stage run on the smoke profile
    in a fresh workspace (its own params.yaml, prepared data and MLflow store), and the
    evaluate-side Context reading its artifacts. The working directory is restored after the
    module."""
    from mldm.config import load, set_profile
    from mldm.lectures.base import Context
    from mldm.lectures.runner import run_stage

    mp = pytest.MonkeyPatch()

    def train(lecture_id: str) -> Context:
        ws = tmp_path_factory.mktemp(lecture_id)
        shutil.copyfile(root / "params.yaml", ws / "params.yaml")
        set_profile("smoke", ws / "params.yaml")
        shutil.copytree(prepared_root, ws / "data" / "prepared")
        mp.delenv("MLFLOW_TRACKING_URI", raising=False)
        mp.delenv("DVC_ROOT", raising=False)
        mp.chdir(ws)
        run_stage("train", lecture_id, "params.yaml", ws)
        cfg = load(ws / "params.yaml", lectures=(lecture_id,))
        return Context(lecture_id, cfg, ws / "out", ws / "artifacts" / lecture_id)

    yield train
    mp.undo()
