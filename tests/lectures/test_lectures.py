"""Each lecture end to end (in-process, its own MLflow store).

On the default profile every claim the lecture makes must pass with the numbers we ship. The
neural-network lectures train for minutes on the default profile, which ``dvc repro`` and the
committed metrics cover (``test_committed_metrics_pass``); here they run on the smoke profile,
where their exact claims (identities, oracle comparisons) must pass."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from mldm import lectures
from mldm.config import set_profile
from mldm.io import read_json
from mldm.lectures.runner import run_stage

SMOKE_ONLY = {
    "l06_neural_networks",
    "l07_training",
    "l10_visual_representation",
    "l11_text",
    "l12_multimodal",
    "l13_vae",
    "l14_diffusion",
}


@pytest.fixture
def workspace(tmp_path, monkeypatch, root, prepared_root, request):
    shutil.copyfile(root / "params.yaml", tmp_path / "params.yaml")
    set_profile(
        "smoke" if request.node.callspec.id in SMOKE_ONLY else "default", tmp_path / "params.yaml"
    )
    shutil.copytree(prepared_root, tmp_path / "data" / "prepared")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)  # else the store is DVC's repo
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("lecture_id", lectures.IDS)
def test_lecture_claims_hold_on_default_profile(workspace, lecture_id):
    run_stage("train", lecture_id, "params.yaml", workspace)
    run_stage("evaluate", lecture_id, "params.yaml", workspace)
    metrics = read_json(workspace / "metrics" / f"{lecture_id}.json")
    claims = lectures.get(lecture_id).CLAIMS.claims
    must = [k for k in claims if lecture_id not in SMOKE_ONLY or claims[k].exact]
    failed = {
        k: metrics["claims"][k]["measured"] for k in must if not metrics["claims"][k]["passed"]
    }
    assert not failed, failed
    assert set(metrics["claims"]) == set(lectures.get(lecture_id).CLAIMS.claims)
    assert list((workspace / "plots" / lecture_id).glob("*.png"))
    assert (workspace / "mlflow.db").is_file()


# Lecture claims the default profile measures and does not reproduce at its scale: the report
# shows them as FAIL with the measured value, the README says why. Listed here so that a new
# failure still fails the suite, and so that one that starts to pass is taken off the list.
NOT_REPRODUCED: dict[str, dict[str, str]] = {
    "l11_text": {
        "pretraining_beats_scratch": "a 2-layer BERT pre-trained for minutes on CPU is only "
        "0.09 nats below the unigram model; its fine-tuned mean is above scratch at 100 and 400 "
        "labels, but not by two standard errors. A lower fine-tuning step (3e-4, 30 epochs) "
        "leaves it at the majority class (0.640 / 0.604 vs scratch 0.642 / 0.666), and the "
        "frozen pre-trained encoder's mean-pooled features probe below the majority class "
        "(0.574 / 0.625): pre-training at this scale carries no sentiment to fine-tune",
    },
    "l12_multimodal": {
        "zero_shot_digits_above_chance": "a 2-block ViT on 16x16 scenes barely learns digits "
        "(its features probe them at 0.34, raw pixels at 0.52); more digit scenes cost the "
        "shape claims at the same budget",
        "contrastive_best_at_equal_steps": "on a 38-word vocabulary bag of words ties "
        "contrastive at the end (0.41 vs 0.39 ± 0.05); contrastive is still the fastest",
        "itm_hard_negatives_better": "with 30% corrupted captions, a matcher that only ever "
        "sees hard negatives learns that unrelated captions often match (0.78 vs 0.90)",
    },
}


@pytest.mark.parametrize("lecture_id", sorted(SMOKE_ONLY))
def test_committed_metrics_pass(root, lecture_id):
    """The metrics ``dvc repro`` committed for the default profile: every claim passed but
    those :data:`NOT_REPRODUCED` names, which still fail."""
    metrics = read_json(root / "metrics" / f"{lecture_id}.json")
    assert set(metrics["claims"]) == set(lectures.get(lecture_id).CLAIMS.claims)
    known = NOT_REPRODUCED.get(lecture_id, {})
    failed = {k: c["measured"] for k, c in metrics["claims"].items() if not c["passed"]}
    assert not failed.keys() - known.keys(), failed
    reproduced = sorted(known.keys() - failed.keys())
    assert not reproduced, f"{reproduced} pass now: take them off NOT_REPRODUCED"


def test_importing_the_lectures_loads_no_heavy_library():
    # every lecture and every module of a lecture package, figures included: torch, Lightning,
    # MLflow, Optuna, scikit-learn and matplotlib load inside the functions that use them, so
    # the config (which imports a lecture for its Params) and the resolve stage stay cheap
    code = (
        "import importlib, pkgutil, sys\n"
        "from mldm import lectures\n"
        "for lid in lectures.IDS:\n"
        "    m = importlib.import_module(f'mldm.lectures.{lid}')\n"
        "    for i in pkgutil.iter_modules(getattr(m, '__path__', [])):\n"
        "        importlib.import_module(f'{m.__name__}.{i.name}')\n"
        "heavy = ('optuna', 'torch', 'sklearn', 'matplotlib', 'lightning', 'mlflow')\n"
        "print(sorted(k for k in heavy if k in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
