"""The pipeline as a user runs it: dvc.yaml matches the registries; `dvc repro` on smoke in a
temp copy builds the report, is a no-op the second time, is deterministic, and a change to
one lecture's params reruns that lecture and the report only; every notebook in notebooks/
runs on that copy's outputs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from mldm import lectures, stages
from mldm.data import DATASETS


def test_dvc_yaml_lists_every_lecture_and_dataset(root):
    spec = yaml.safe_load((root / "dvc.yaml").read_text())
    variables = {k: v for block in spec["vars"] for k, v in block.items()}
    assert variables["lecture_ids"] == list(lectures.IDS)
    assert variables["dataset_ids"] == list(DATASETS)
    params = yaml.safe_load((root / "params.yaml").read_text())
    assert set(params["lectures"]) == set(lectures.IDS)
    # one tune@ stage per study, mapped to the lecture the study tunes
    studies = {name: spec["lecture"] for name, spec in params["studies"].items()}
    assert variables["study_lectures"] == studies


def test_every_declared_study_is_valid(root):
    from mldm import config, tuning

    cfg = config.load(root / "params.yaml")
    assert cfg.studies
    for name in cfg.studies:
        study = tuning.resolve_study(cfg, name)
        assert study.defaults  # trial 0: the lecture's current values


def test_every_lecture_declares_its_interface():
    for lid in lectures.IDS:
        module = lectures.get(lid)
        for attr in ("TITLE", "LINES", "DATASETS", "Params", "CLAIMS", "train", "evaluate"):
            assert hasattr(module, attr), f"{lid} lacks {attr}"
        assert set(module.DATASETS) <= set(DATASETS)
        assert re.fullmatch(r"\d+-\d+", module.LINES)


def _copy_repo(root: Path, dest: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for rel in files:
        if (
            rel.startswith(
                ("data/prepared/", "artifacts/", "plots/", "reports/", "metrics/", "tuning/")
            )
            or rel == "dvc.lock"
            or not (root / rel).is_file()
        ):
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest / rel)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)


def _dvc(
    work: Path, *args: str, warm: bool = False, **extra_env: str
) -> subprocess.CompletedProcess:
    """``dvc <args>`` in the copy; ``warm``: as ``make repro`` runs it (``python -m mldm.warm``)."""
    bin_dir = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTHONPATH": str(work / "src"),  # the copy's code, so editing it is a code change
        "DVC_NO_ANALYTICS": "1",
        **extra_env,
    }
    env.pop("MLFLOW_TRACKING_URI", None)
    command = [str(bin_dir / "dvc"), *args]
    proc = subprocess.run(
        [sys.executable, "-m", "mldm.warm", *command] if warm else command,
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _ran(proc) -> set[str]:
    return set(re.findall(r"Running stage '([^']+)'", proc.stdout))


@dataclass(frozen=True)
class SmokeWorkspace:
    path: Path  # a copy of the repo after one `dvc repro` on smoke
    first: subprocess.CompletedProcess  # that repro
    trace: Path  # what each of its stages imported and read (MLDM_TRACE)


@pytest.fixture(scope="module")
def smoke_workspace(tmp_path_factory, root) -> SmokeWorkspace:
    """The repo copied to a temp dir and reproduced once on the smoke profile as `make repro`
    runs it (warm stages); shared by the end-to-end test (which goes on to edit it and rerun)
    and the notebooks' test."""
    from mldm.config import set_profile

    tmp = tmp_path_factory.mktemp("smoke")
    work = tmp / "repo"
    work.mkdir()
    _copy_repo(root, work)
    set_profile("smoke", work / "params.yaml")
    first = _dvc(work, "repro", warm=True, MLDM_TRACE=str(tmp / "trace"))
    return SmokeWorkspace(work, first, tmp / "trace")


@pytest.mark.slow
def test_dvc_repro_smoke_end_to_end(smoke_workspace, root):
    work, first = smoke_workspace.path, smoke_workspace.first
    assert {f"train@{lid}" for lid in lectures.IDS} <= _ran(first)
    # exact deps: what each stage imported and read is in the manifest its DVC deps hash
    checked, problems = stages.check_traces(smoke_workspace.trace, work)
    assert not problems, "\n".join(problems)
    assert checked == _ran(first) - {"resolve", "resolve_data"}
    studies = yaml.safe_load((work / "params.yaml").read_text())["studies"]
    assert {f"tune@{name}" for name in studies} <= _ran(first)
    html = (work / "reports" / "index.html").read_text()
    for lid in lectures.IDS:
        assert f'id="{lid}"' in html
        assert (work / "metrics" / f"{lid}.json").is_file()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert (work / "mlflow.db").is_file()

    # a second run is a no-op
    assert _ran(_dvc(work, "repro")) == set()

    # deterministic: retraining and re-evaluating a lecture reproduces its outputs byte for
    # byte, in its own process as in the warm server's child that ran it first
    lid = lectures.IDS[0]
    before = (work / "metrics" / f"{lid}.json").read_bytes()
    _dvc(work, "repro", "-f", "-s", f"train@{lid}")
    _dvc(work, "repro", "-f", "-s", f"evaluate@{lid}")
    assert (work / "metrics" / f"{lid}.json").read_bytes() == before
    assert "up to date" in _dvc(work, "status").stdout

    # a study replayed from an empty storage finds the same trials and the same best
    name = next(iter(studies))
    outs = [work / "tuning" / name / f for f in ("best.json", "trials.csv")]
    before = [p.read_bytes() for p in outs]
    (work / "optuna.journal").unlink()
    assert _ran(_dvc(work, "repro", "-f", "-s", f"tune@{name}")) == {f"tune@{name}"}
    assert [p.read_bytes() for p in outs] == before

    # editing an overlay that is not active changes nothing
    params = yaml.safe_load((work / "params.yaml").read_text())
    params["profiles"]["full"]["lectures"]["l05_svm"] = {"C": 123.0}
    (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    assert "up to date" in _dvc(work, "status").stdout

    # one lecture's param reruns that lecture and the report, nothing else; not its study,
    # whose objective does not read it
    params["lectures"]["l02_linear_classifiers"]["far_init"] = 9.0
    (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    assert _ran(_dvc(work, "repro")) == {
        "resolve",
        "train@l02_linear_classifiers",
        "evaluate@l02_linear_classifiers",
        "report",
    }

    # a study's own params rerun that study and the report only
    params["studies"]["l04_poly_ridge"]["space"]["degree"]["high"] = 12
    (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    assert _ran(_dvc(work, "repro")) == {"resolve", "tune@l04_poly_ridge", "report"}

    # a change to one lecture's code reruns that lecture, its study and the report
    code = work / Path(lectures.get("l05_svm").__file__).relative_to(root)
    code.write_text(code.read_text() + "\n# an edit\n")
    assert _ran(_dvc(work, "repro")) == {
        "resolve",
        "resolve_data",
        "train@l05_svm",
        "evaluate@l05_svm",
        "tune@l05_svm_rbf",
        "report",
    }

    metrics = _dvc(work, "metrics", "show", "--json").stdout
    assert "l01_linear_regression" in metrics


@pytest.mark.slow
def test_every_notebook_runs_on_the_smoke_outputs(smoke_workspace, tmp_path):
    """Each notebooks/<lecture>.py executed top to bottom (nbclient, a python3 kernel of this
    venv, headless: each slider runs its default) in the smoke copy; executed copies go to
    tmp_path, never to the repo. Fails on any cell's error."""
    import time

    import nbformat

    from mldm.notebook import execute, notebooks

    work = smoke_workspace.path
    seconds = {}
    for lid, py in notebooks(work).items():
        start = time.perf_counter()
        nb = execute(py, env={"PYTHONPATH": str(work / "src")})
        seconds[lid] = round(time.perf_counter() - start, 1)
        nbformat.write(nb, tmp_path / f"{lid}.ipynb")
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        assert any("image/png" in o.get("data", {}) for o in outputs), f"{lid}: no figure"
    assert set(seconds) == set(lectures.IDS)
    print("notebook seconds:", seconds)


def test_files_the_docs_cite_exist(root):
    # dvc.yaml, then the Makefile, once cited a test file that did not exist
    texts = [root / "dvc.yaml", root / "README.md", root / "Makefile"]
    texts += sorted((root / "src").rglob("*.py"))
    cited = {m for path in texts for m in re.findall(r"\btests/[\w/]+\.py", path.read_text())}
    assert cited and not {c for c in cited if not (root / c).is_file()}
