"""Metric keys name a configuration by its role, never by a parameter value (issue 13).

A key such as ``"C=1, gamma=0.015625"`` is renamed when tuned values are applied, so
``dvc metrics diff`` shows one key removed and another added instead of a changed number. Keys
are snake_case identifiers, optionally indexed into a sweep (``C_grid[3]``); the parameter
values sit beside the numbers in the same dict (``{"C": 1.0, "test_accuracy": ...}``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from mldm import lectures
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
    "l08_trees": ("breast_cancer", "wine", "digits"),
    "l09_kmeans_pca": ("digits", "lfw_faces", "camera"),
    "l10_visual_representation": ("mnist",),
    "l12_multimodal": ("captions",),
    "l11_text": ("shakespeare", "amazon_reviews", "analogies", "wordsim353", "simlex999"),
    "l13_gmm_em": ("iris", "wine"),
    "l14_diffusion": ("mnist",),
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
        "votes": {"bagging": {"trees_5": 0.9}, "200 stumps": {}, "mean pairwise": {}},
        "good": {"C_grid[3]": {"C": 1.0}, "breast_cancer_2d": {}, "svd_7x5": {}, "k3": {}},
    }
    assert sorted(bad_keys(metrics)) == [
        "/l2/lasso CD (λ=2)",
        "/l2/sigma2=0.01·var",
        "/sweep/C=1, gamma=0.015625",
        "/sweep/K=3",
        "/sweep/lr_0.01",
        "/sweep/trees_100",
        "/votes/200 stumps",
        "/votes/bagging/trees_5",
        "/votes/mean pairwise",
    ]


@pytest.mark.parametrize("lecture_id", lectures.IDS)
def test_committed_metrics_keys_name_roles(root, lecture_id):
    """What ``dvc metrics diff`` compares: the committed metrics of every lecture, whether or
    not its smoke run is below, carry no parameter value in a key."""
    assert not bad_keys(read_json(root / "metrics" / f"{lecture_id}.json"))


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
    # the dvc.yaml plots of this lecture that the smoke run wrote carry the declared columns
    written = 0
    for path, columns in declared_plot_columns(root).items():
        if f"/{lecture_id}/" in path and (tmp_path / path).is_file():
            header = (tmp_path / path).read_text().splitlines()[0].split(",")
            assert set(columns) <= set(header), path
            written += 1
    assert written or not any(f"/{lecture_id}/" in p for p in declared_plot_columns(root))


def declared_plot_columns(root: Path) -> dict[str, set[str]]:
    """``{csv path: {x and y columns}}`` of dvc.yaml's top-level ``plots:``."""
    out: dict[str, set[str]] = {}
    for entry in yaml.safe_load((root / "dvc.yaml").read_text())["plots"]:
        ((_, props),) = entry.items()
        for path, ys in props["y"].items():
            out.setdefault(path, {props["x"]}).update([ys] if isinstance(ys, str) else ys)
    return out


def _git(work: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=work,
        check=True,
        capture_output=True,
    )


def test_declared_plots_resolve_and_render_offline(root, tmp_path):
    """dvc resolves every top-level plot (x, y, title) and writes a page that loads no script
    from the network: the template in .dvc/config inlines vega, vega-lite and vega-embed."""
    from test_pipeline import _dvc

    work = tmp_path / "repo"
    for rel in ("dvc.yaml", "params.yaml", ".dvc/config", "dvc_plots/offline.html"):
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, work / rel)
    _git(work, "init", "-q")
    # every declared CSV, with its declared columns (stages not run: no dvc.lock, so dvc
    # reads the workspace files)
    declared = declared_plot_columns(root)
    for path, columns in declared.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        cols = sorted(columns)
        rows = [",".join(cols)] + [",".join(str(i + j) for j in range(len(cols))) for i in (1, 2)]
        (work / path).write_text("\n".join(rows) + "\n")
    shown = json.loads(_dvc(work, "plots", "show", "--json").stdout)
    ids = {next(iter(e)) for e in yaml.safe_load((root / "dvc.yaml").read_text())["plots"]}
    # (the evaluate stages' plots/<lecture> folders, absent here, are reported apart)
    errors = [e for e in shown.get("errors", []) if e["name"] in ids]
    assert not errors, errors[:3]
    assert ids <= set(shown["data"])
    assert all(shown["data"][i] for i in ids)
    _dvc(work, "plots", "show", "-o", "out")
    html = (work / "out" / "index.html").read_text()
    assert "vegaEmbed(" in html and "cdn.jsdelivr" not in html
    assert not re.search(r"<script[^>]*\bsrc=", html)


def test_offline_template_is_built_from_the_vendored_builds(root):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", root / "dvc_plots/build_template.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert (root / "dvc_plots/offline.html").read_text(encoding="utf8") == build.template()


@pytest.mark.slow
def test_dvc_exp_run_changes_values_under_the_same_keys(root, tmp_path):
    """Issue 13's check: an L05 param set by ``dvc exp run -S`` shows in ``dvc metrics diff``
    as changed numbers under unchanged keys -- no key removed, none added."""
    from test_pipeline import _copy_repo, _dvc

    work = tmp_path / "repo"
    work.mkdir()
    _copy_repo(root, work)
    set_profile("smoke", work / "params.yaml")
    _dvc(work, "repro", "evaluate@l05_svm")  # and its upstream (prepare@*, train@l05_svm)
    _git(work, "add", "-A")
    _git(work, "commit", "-qm", "baseline")
    _dvc(work, "exp", "run", "-S", "lectures.l05_svm.digits_rbf.C=2.0", "evaluate@l05_svm")
    diff = json.loads(_dvc(work, "metrics", "diff", "--json").stdout)["metrics/l05_svm.json"]
    assert diff["digits_rbf_final.svc_rbf.C"]["new"] == 2.0
    renamed = {k: v for k, v in diff.items() if v.get("old") is None or v.get("new") is None}
    assert not renamed
