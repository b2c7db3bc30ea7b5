"""Metric keys name a configuration by its role, never by a parameter value (issue 13).

A key such as ``"C=1, gamma=0.015625"`` is renamed when tuned values are applied, so
``dvc metrics diff`` shows one key removed and another added instead of a changed number. Keys
are snake_case identifiers, optionally indexed into a sweep (``C_grid[3]``); the parameter
values sit beside the numbers in the same dict (``{"C": 1.0, "test_accuracy": ...}``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mldm.config import set_profile
from mldm.io import read_json

# snake_case, optionally one sweep index: C_grid[3]
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\[\d+\])?$")
# a whole _-separated token that is a number (lr_0, trees_100); 2d, k3, 7x5 are names
NUMBER_TOKEN = re.compile(r"(^|_)\d+(_|\[|$)")

# The lectures whose metrics keys were renamed, and the prepared datasets each reads.
LECTURES = {
    "l03_probabilistic_view": ("diabetes", "breast_cancer", "iris"),
    "l04_model_selection": ("diabetes", "mcycle"),
    "l05_svm": ("breast_cancer", "digits", "wine"),
    "l07_training": ("digits", "mnist", "mnist1d"),
    "l09_kmeans_pca": ("digits", "lfw_faces", "camera"),
    "l13_gmm_em": ("iris", "wine"),
}


def bad_keys(tree, path: str = "") -> list[str]:
    """Every key path below ``tree`` whose last key carries a value or is not snake_case."""
    bad = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            here = f"{path}/{key}"
            if not KEY.match(key) or NUMBER_TOKEN.search(key):
                bad.append(here)
            bad += bad_keys(value, here)
    return bad


def test_bad_keys_catches_values_in_keys():
    metrics = {
        "sweep": {"C=1, gamma=0.015625": {}, "lr_0.01": {}, "trees_100": {}, "K=3": {}},
        "l2": {"lasso CD (λ=2)": {"test_r2": 0.5}, "sigma2=0.01·var": {}},
        "good": {"C_grid[3]": {"C": 1.0}, "breast_cancer_2d": {}, "svd_7x5": {}, "k3": {}},
    }
    assert sorted(bad_keys(metrics)) == [
        "/l2/lasso CD (λ=2)",
        "/l2/sigma2=0.01·var",
        "/sweep/C=1, gamma=0.015625",
        "/sweep/K=3",
        "/sweep/lr_0.01",
        "/sweep/trees_100",
    ]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """Only the datasets these lectures read, prepared once for the module."""
    from mldm.data import prepare

    out = tmp_path_factory.mktemp("prepared")
    for name in sorted({d for ds in LECTURES.values() for d in ds}):
        prepare(name, out, seed=0, test_size=0.25)
    return out


@pytest.mark.parametrize("lecture_id", sorted(LECTURES))
def test_smoke_metrics_keys_name_roles(lecture_id, root, prepared, tmp_path, monkeypatch):
    """The smoke run's metrics of each lecture: no key carries a parameter value."""
    from mldm.lectures.runner import run_stage

    shutil.copyfile(root / "params.yaml", tmp_path / "params.yaml")
    set_profile("smoke", tmp_path / "params.yaml")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "prepared").symlink_to(prepared)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    run_stage("train", lecture_id, "params.yaml", tmp_path)
    run_stage("evaluate", lecture_id, "params.yaml", tmp_path)
    metrics = read_json(tmp_path / "metrics" / f"{lecture_id}.json")
    assert not bad_keys(metrics)
