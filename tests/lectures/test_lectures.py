"""Each lecture end to end on the default profile (in-process, its own MLflow store): every
claim the lecture makes must pass with the numbers we ship."""

from __future__ import annotations

import shutil

import pytest

from mldm import lectures
from mldm.config import set_profile
from mldm.io import read_json
from mldm.lectures.runner import run_stage


@pytest.fixture
def workspace(tmp_path, monkeypatch, root, prepared_root):
    shutil.copyfile(root / "params.yaml", tmp_path / "params.yaml")
    set_profile("default", tmp_path / "params.yaml")
    shutil.copytree(prepared_root, tmp_path / "data" / "prepared")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("lecture_id", lectures.IDS)
def test_lecture_claims_hold_on_default_profile(workspace, lecture_id):
    run_stage("train", lecture_id, "params.yaml", workspace)
    run_stage("evaluate", lecture_id, "params.yaml", workspace)
    metrics = read_json(workspace / "metrics" / f"{lecture_id}.json")
    failed = {k: c["measured"] for k, c in metrics["claims"].items() if not c["passed"]}
    assert not failed, failed
    assert set(metrics["claims"]) == set(lectures.get(lecture_id).CLAIMS.claims)
    assert list((workspace / "plots" / lecture_id).glob("*.png"))
    assert (workspace / "mlflow.db").is_file()
