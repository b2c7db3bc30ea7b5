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
    # the runs the stage opened, in order: the next run's progress counts against them
    assert read_json(workspace / "artifacts" / lecture_id / "runs.json")["runs"]


# Lecture claims the default profile measures and does not reproduce at its scale: the report
# shows them as FAIL with the measured value, the README says why. Listed here so that a new
# failure still fails the suite, and so that one that starts to pass is taken off the list.
NOT_REPRODUCED: dict[str, dict[str, str]] = {
    "l10_visual_representation": {
        # MoCo v2's table, 5 epochs x 3 seeds on 3,750 12x12 digits, 23k-parameter f. Outside
        # the budget, 20 epochs (one seed): v1 0.922, +MLP 0.922, +aug+ 0.931, +cos 0.937, all
        # 0.872: the single-component gaps close or turn positive with longer training
        "moco_mlp_head_helps": "an MLP head lowers MoCo's probe after 5 epochs (0.79 ± 0.08 vs "
        "v1's 0.90 ± 0.005) and makes it unstable across seeds; level with v1 at 20 epochs",
        "moco_aug_plus_helps": "stronger augmentation with blur on 12x12 digits is a harder task "
        "that 5 epochs do not learn: 0.86 ± 0.03 vs 0.90 (+0.009 at 20 epochs, one seed)",
        "moco_cosine_schedule_helps": "over 5 epochs the cosine schedule only lowers the mean "
        "learning rate of a run still far from converged: 0.88 ± 0.007 vs 0.90 (+0.014 at 20 "
        "epochs, one seed)",
        "moco_v2_beats_v1": "the three together: 0.73 ± 0.19 vs 0.90 (one seed collapses); "
        "still below v1 at 10 epochs (0.82 vs 0.93) and 20 (0.87 vs 0.92), one seed each",
    },
    "l11_text": {
        "pretraining_beats_scratch": "the BERT is pre-trained mostly on Shakespeare (20,000 "
        "pairs beside the 4,000 reviews' halves): on the modern reviews it fine-tunes no better "
        "than scratch, and at 50 / 100 labels nothing beats the majority class (0.642), the "
        "frozen MiniLM's probe included (0.637 / 0.653). Pre-trained / scratch means: 0.638 / "
        "0.642 (50), 0.611 / 0.597 (100); at 200 (4 pre-training passes): 0.553 / 0.639; side "
        "runs with the same pre-trained model, 3 seeds: "
        "fine-tuning steps 3e-4 or 1e-4 (head 1e-3), 20 epochs, or 32-token reviews leave both "
        "at the majority class; at 1,000 labels scratch learns and the pre-trained model does "
        "not (0.713 vs 0.647): negative transfer from the plays, not a small margin",
        "pair_pretraining_beats_scratch": "the sentence-pair gain is within the seeds' spread: "
        "0.530 ± 0.038 vs scratch 0.523 ± 0.012 over 3 seeds (4 pre-training passes: 0.539 ± "
        "0.011; 0.558 ± 0.037 from the pre-training at step 1e-3 with dropout; 0.592 ± 0.010 "
        "before the fine-tunings dropped an unused training-set pass, which moved every seed's "
        "data order); the token task's gain (0.744 vs 0.594) holds. Side runs from the same "
        "pre-trained model (plain Adam loop, 3 seeds): 30 epochs at 1e-3 or 3e-4 leave both "
        "near 0.53; 1,000 labelled pairs give "
        "0.560 ± 0.006 vs 0.516 ± 0.012, a gap of 0.029 after 2 s.e., at 5x the fine-tuning "
        "cost the budget has no room for",
    },
    "l12_multimodal": {
        "contrastive_best_at_equal_steps": "at 384 steps the contrastive mean leads (0.62 vs bag "
        "of words 0.55, caption 0.51) but its seeds spread (sd 0.08): the gap is under 2 s.e.",
        "itm_hard_negatives_better": "hard negatives mined from ITC keep the matcher on its "
        "prior for epochs (0.79 vs 0.89 one-word ranking, 3 seeds; 4 warm-up epochs, 16 epochs "
        "or the true captions: 0.83, 0.85, 0.83). BLIP's setting, the encoders started from the "
        "trained contrastive CLIP of the same seed and no warm-up: hard 0.80 vs random 0.89 "
        "(2 seeds); mining from a flatter softmax, cos/0.1 and cos/1 instead of the learned "
        "scale (13.5): 0.87 and 0.89: the harder the mining, the worse the one-word ranking",
    },
}


# Claims whose measurement sits on its bar, so that the same params pass on one machine and
# fail on another (CPUs differ in the last bits of float kernels, and training amplifies
# that): either outcome is accepted, the report and the README say which was measured.
MARGINAL: dict[str, dict[str, str]] = {
    "l11_text": {
        "nsp_above_chance": "NSP is weak at this scale: 0.525 / 0.514 / 0.523 over the 3 "
        "pre-training seeds (4,000 held-out pairs), mean − 2 s.e. 0.514; side runs of the same "
        "params on 8,000 pairs 0.529 / 0.539 / 0.523, and at 4 passes 0.545 / 0.520 / 0.517: "
        "a seed moves it by about 0.01, as a machine's float kernels do",
    },
    "l12_multimodal": {
        "zero_shot_digits_above_chance": "a 2-block ViT on 16x16 scenes barely learns digits: "
        "0.20 +- 0.01 over 3 seeds (2.0x chance, 1.87 after 2 s.e.; its features probe them at "
        "0.34, raw pixels at 0.52); 1,600 digit scenes instead of 1,000 or 16 epochs: 0.22. "
        "Pooling the 36 prompts per digit by their marginal (log-sum-exp of the scaled cosines) "
        "or their max instead of CLIP's mean embedding: 0.197 / 0.203 (same 3 models): the "
        "features, not the prompts, miss the digits. On an AMD EPYC runner the same params "
        "measured 2.04 (> 2, passes); on the earlier runs' machine 1.87",
    },
}


@pytest.mark.parametrize("lecture_id", sorted(SMOKE_ONLY))
def test_committed_metrics_pass(root, lecture_id):
    """The metrics ``dvc repro`` committed for the default profile: every claim passed but
    those :data:`NOT_REPRODUCED` names, which still fail (and :data:`MARGINAL`'s, either)."""
    metrics = read_json(root / "metrics" / f"{lecture_id}.json")
    assert set(metrics["claims"]) == set(lectures.get(lecture_id).CLAIMS.claims)
    known = NOT_REPRODUCED.get(lecture_id, {})
    either = MARGINAL.get(lecture_id, {}).keys()
    failed = {k: c["measured"] for k, c in metrics["claims"].items() if not c["passed"]}
    assert not failed.keys() - known.keys() - either, failed
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


def test_saved_weights_are_byte_identical_and_load_back(tmp_path):
    # DVC hashes the bytes: the same weights saved twice must give the same file (torch names
    # a zip's root folder after the file it writes to, and the write goes to a random temp name)
    import torch

    from mldm.lectures.base import Context

    torch.manual_seed(0)
    net = torch.nn.Linear(3, 2)
    files = []
    for run in ("a", "b"):
        ctx = Context("l06_neural_networks", None, tmp_path / run, tmp_path / run)
        ctx.save_module("net", net)
        files.append((tmp_path / run / "models" / "net.pt").read_bytes())
    assert files[0] == files[1]
    back = ctx.load_module("net", torch.nn.Linear(3, 2))
    assert torch.equal(back.weight, net.weight) and torch.equal(back.bias, net.bias)
