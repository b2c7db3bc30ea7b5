"""Exact DVC dependencies (mldm.dependencies, mldm.stages): each stage's manifest names the
code it may run and the data it reads, and not the rest of the course."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mldm import config, lectures, stages
from mldm.dependencies import PACKAGE_DIR, closure, digest, file_key, find, scan


@pytest.fixture(scope="module")
def cfg(root):
    return config.load(root / "params.yaml")


def _files(stage: str, cfg, root: Path) -> set[str]:
    modules, scripts = stages.entry_points(stage, cfg, root)
    return {file_key(p, root.resolve()) for p in closure(modules, scripts)}


def test_a_lecture_stage_runs_its_own_lecture_only(cfg, root):
    for lid in lectures.IDS:
        for kind in stages.LECTURE_STAGES:
            files = _files(f"{kind}@{lid}", cfg, root)
            others = {f for f in files if f.startswith("src/mldm/lectures/l") and lid not in f}
            assert not others, f"{kind}@{lid} depends on other lectures: {sorted(others)}"
            assert not any(f.startswith("src/mldm/tuning/") for f in files - _tuning_spec())
            assert f"pipelines/{kind}.py" in files
            assert "src/mldm/lectures/runner.py" in files
            # reading a prepared set needs no dataset table: a new set reruns no old lecture
            assert not {"src/mldm/data/registry.py", "src/mldm/data/sources.py"} & files


def _tuning_spec() -> set[str]:
    # a lecture with a study declares its Tunable, not the trial loop, storage or Optuna
    return {"src/mldm/tuning/__init__.py", "src/mldm/tuning/tunable.py"}


def test_lazy_packages_cost_only_the_modules_named(cfg, root):
    files = _files("train@l09_kmeans_pca", cfg, root)
    assert "src/mldm/models/clustering.py" in files and "src/mldm/models/pca.py" in files
    assert "src/mldm/models/svm.py" not in files  # mldm.models imports nothing eagerly
    assert "src/mldm/models/ensemble.py" not in files


def test_a_lazy_table_counts_by_the_rows_a_stage_uses(cfg, root):
    modules, scripts = stages.entry_points("train@l09_kmeans_pca", cfg, root)
    rows = find(modules, scripts).lazy_rows[PACKAGE_DIR / "models" / "__init__.py"]
    assert rows["KMeans"] == "mldm.models.clustering" and "SVC" not in rows


def test_digest_ignores_table_rows_nobody_uses_but_not_the_rest(tmp_path):
    init = tmp_path / "__init__.py"
    body = '"""Doc."""\n\n_LAZY = {{\n{rows}}}\nX = 1\n'
    init.write_text(body.format(rows='    "A": "mldm.a",\n'))
    used = {"A": "mldm.a"}
    before = digest(init, used)
    init.write_text(body.format(rows='    "A": "mldm.a",\n    "New": "mldm.new",\n'))
    assert digest(init, used) == before  # a new lecture's export reruns nothing old
    assert digest(init, {"A": "mldm.b"}) != before  # a re-pointed row that is used does
    init.write_text(body.format(rows='    "A": "mldm.a",\n').replace("X = 1", "X = 2"))
    assert digest(init, used) != before  # code beside the table counts whole
    plain = tmp_path / "mod.py"
    plain.write_text("_LAZY = {}\n")
    assert digest(plain, used) == digest(plain)  # only package __init__ files are lazy


def test_prepare_needs_neither_lectures_nor_torch_code(cfg, root):
    files = _files("prepare@iris", cfg, root)
    assert not {f for f in files if f.startswith("src/mldm/lectures/l")}
    assert not {f for f in files if f.startswith(("src/mldm/models/", "src/mldm/training/"))}


def test_a_study_and_the_report_see_their_lecture_code(cfg, root):
    for name, spec in cfg.studies.items():
        files = _files(f"tune@{name}", cfg, root)
        assert any(spec.lecture in f for f in files)
        assert "src/mldm/tuning/queue.py" in files
    report = _files("report", cfg, root)
    for lid in lectures.IDS:  # the report prints every lecture's title
        assert any(lid in f for f in report)
    assert any(f.startswith("src/mldm/report/templates/") for f in report)  # package data


def test_lazy_attribute_resolves_through_the_package_table(tmp_path):
    # `from mldm.models import SVC` -> mldm.models.svm; a use of a lazy name through the
    # package object counts as well
    src = tmp_path / "entry.py"
    src.write_text("from mldm import models\n\ndef f():\n    return models.SVC\n")
    files = {p.name for p in closure((), (src,))}
    assert "svm.py" in files and "ensemble.py" not in files
    s = scan(Path(lectures.__file__).parent.parent / "models" / "__init__.py", "mldm.models")
    assert dict(s.lazy)["SVC"] == "mldm.models.svm"
    assert "mldm.models.svm" not in s.imports


def test_each_stage_reads_the_sets_of_its_lecture(cfg):
    assert stages.datasets("train@l01_linear_regression", cfg) == ("house", "diabetes")
    assert stages.datasets("prepare@house", cfg) == ()
    name, spec = next(iter(cfg.studies.items()))
    assert stages.datasets(f"tune@{name}", cfg) == stages.datasets(f"train@{spec.lecture}", cfg)


def test_resolved_params_are_the_merged_values(root, tmp_path):
    import yaml

    raw = yaml.safe_load((root / "params.yaml").read_text())
    raw["profile"] = "smoke"
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    shutil.copytree(root / "pipelines", tmp_path / "pipelines")
    stages.write_resolved(tmp_path / "params.yaml", root=tmp_path)

    def resolved(stage):
        return json.loads((tmp_path / "resolved" / "params" / f"{stage}.json").read_text())

    smoke = raw["profiles"]["smoke"]["lectures"]["l01_linear_regression"]["unbiased_draws"]
    train = resolved("train@l01_linear_regression")
    assert train["lecture"]["unbiased_draws"] == smoke and train["profile"] == "smoke"
    assert resolved("evaluate@l01_linear_regression") == train
    assert resolved("prepare@house") == {"seed": raw["seed"], "data": raw["data"]}
    # a study depends on the keys its objective reads, not on its whole lecture block
    study = resolved("tune@l04_poly_ridge")["study"]
    assert set(study["reads"]) == {"k"} and "l2_lambda" not in json.dumps(study)
    manifest = json.loads((tmp_path / "resolved" / "code" / "train@l05_svm.json").read_text())
    assert manifest["datasets"] == list(lectures.get("l05_svm").DATASETS)


def test_data_manifest_without_prepared_data_is_one_line(root, tmp_path):
    shutil.copytree(root / "pipelines", tmp_path / "pipelines")
    stages.write_resolved(root / "params.yaml", root=tmp_path)
    proc = subprocess.run(
        [sys.executable, str(root / "pipelines" / "resolve.py"), "--data"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: dataset '") and proc.stderr.count("\n") == 1
