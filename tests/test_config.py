"""params.yaml validation: every user mistake is one line naming the key, and exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from mldm import config
from mldm.errors import MldmError


def _write(path, mutate):
    raw = yaml.safe_load(path.read_text())
    mutate(raw)
    path.write_text(yaml.safe_dump(raw))
    return path


def test_real_params_resolve_in_every_profile(root, tmp_path):
    raw = config.read_params(root / "params.yaml")
    for profile in config.PROFILES:
        cfg = config.resolve({**raw, "profile": profile})
        assert cfg.profile == profile
        assert cfg.lecture("l01_linear_regression").gd.lr > 0


def test_profile_overlay_is_deep_merged(params_file):
    raw = config.read_params(params_file)
    raw["profiles"]["smoke"] = {"lectures": {"l01_linear_regression": {"gd": {"max_epochs": 7}}}}
    cfg = config.resolve(raw)
    l01 = cfg.lecture("l01_linear_regression")
    assert l01.gd.max_epochs == 7
    assert l01.gd.lr == raw["lectures"]["l01_linear_regression"]["gd"]["lr"]  # kept from base


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda r: r["lectures"]["l01_linear_regression"]["gd"].update(lrr=1),
            "unknown params key 'lectures.l01_linear_regression.gd.lrr' (did you mean 'lr'?)",
        ),
        (lambda r: r.update(sed=1), "unknown params key 'sed' (did you mean 'seed'?)"),
        (
            lambda r: r["lectures"]["l01_linear_regression"]["gd"].update(lr=-1.0),
            "params key 'lectures.l01_linear_regression.gd.lr': input should be greater than 0",
        ),
        (
            lambda r: r["lectures"]["l01_linear_regression"]["gd"].update(max_epochs="many"),
            "params key 'lectures.l01_linear_regression.gd.max_epochs': "
            "input should be a valid integer",
        ),
        (lambda r: r.update(profile="huge"), "params key 'profile'"),
        (lambda r: r["profiles"].update(turbo={}), "unknown profile overlay 'profiles.turbo'"),
        (
            lambda r: r["profiles"]["smoke"].update(runtime={"num_threads": 0}),
            "params key 'profiles.smoke.runtime.num_threads': "
            "input should be greater than or equal to 1",
        ),
        (lambda r: r["lectures"].update(l99_magic={}), "unknown params key 'lectures.l99_magic'"),
        (
            lambda r: r["lectures"]["l11_text"]["bert"]["tasks"].update(token_budgets=[50, 5]),
            "params key 'lectures.l11_text.bert.tasks.token_budgets.1': "
            "input should be greater than or equal to 10",
        ),
        (
            lambda r: r["lectures"]["l11_text"]["bert"].update(label_budgets=[]),
            "params key 'lectures.l11_text.bert.label_budgets': list should have at least 1 item",
        ),
    ],
)
def test_bad_params_name_the_key(params_file, mutate, message):
    _write(params_file, mutate)
    with pytest.raises(MldmError) as err:
        config.load(params_file)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(MldmError, match="not found"):
        config.load(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("profile: [smoke\n")
    with pytest.raises(MldmError, match="not valid YAML"):
        config.load(bad)


def test_set_profile_keeps_comments_and_is_idempotent(params_file):
    text = params_file.read_text()
    assert config.set_profile("smoke", params_file) is False
    assert config.set_profile("full", params_file) is True
    new = params_file.read_text()
    assert new.count("\n") == text.count("\n") and "profile: full" in new
    with pytest.raises(MldmError, match="unknown profile 'tiny'"):
        config.set_profile("tiny", params_file)


def test_stage_cli_prints_one_line_and_exits_2(params_file, root):
    _write(params_file, lambda r: r["lectures"]["l01_linear_regression"]["gd"].update(lr=0))
    # the lecture's stage, and `resolve`, which validates the whole file before any stage runs
    # (prepare@ reads the data block only)
    for script, args in (("train.py", ["l01_linear_regression"]), ("resolve.py", [])):
        proc = subprocess.run(
            [sys.executable, str(root / "pipelines" / script), *args, "--params", str(params_file)],
            capture_output=True,
            text=True,
            cwd=params_file.parent,
        )
        assert proc.returncode == 2
        assert proc.stderr.strip().count("\n") == 0
        assert proc.stderr.startswith("error: params key 'lectures.l01_linear_regression.gd.lr'")


def test_unknown_lecture_and_dataset_cli(params_file, root):
    for script, arg, msg in (
        ("train.py", "l42_magic", "unknown lecture 'l42_magic'"),
        ("prepare.py", "mnist9", "unknown dataset 'mnist9'"),
    ):
        proc = subprocess.run(
            [sys.executable, str(root / "pipelines" / script), arg, "--params", str(params_file)],
            capture_output=True,
            text=True,
            cwd=params_file.parent,
        )
        assert proc.returncode == 2, proc.stderr
        assert msg in proc.stderr and proc.stderr.count("\n") == 1


def test_params_hash_changes_only_with_own_lecture(root):
    raw = config.read_params(root / "params.yaml")
    a = config.resolve(raw)
    raw2 = yaml.safe_load(yaml.safe_dump(raw))
    raw2["lectures"]["l01_linear_regression"]["gd"]["lr"] = 0.05
    b = config.resolve(raw2)
    assert a.params_hash("l01_linear_regression") != b.params_hash("l01_linear_regression")
    assert a.params_hash("l02_linear_classifiers") == b.params_hash("l02_linear_classifiers")


def test_a_stage_validates_only_its_own_lecture_block(params_file):
    # a broken L02 block does not stop a stage of L01, which never reads it
    _write(params_file, lambda r: r["lectures"]["l02_linear_classifiers"]["gd"].update(lr=-1))
    cfg = config.load(params_file, lectures=("l01_linear_regression",))
    assert cfg.lecture("l01_linear_regression").gd.lr > 0
    with pytest.raises(MldmError, match="lectures.l02_linear_classifiers.gd.lr"):
        config.load(params_file)


def test_an_edit_the_active_overlay_overrides_is_refused():
    base = {
        "profile": "smoke",
        "lectures": {"l05_svm": {"C": 1.0, "tol": 1e-3}},
        "profiles": {"smoke": {"lectures": {"l05_svm": {"C": 0.5}}}},
    }
    edited = yaml.safe_load(yaml.safe_dump(base))
    edited["lectures"]["l05_svm"]["C"] = 10.0  # what `dvc exp run -S lectures.l05_svm.C=10` does
    assert config.shadowed_edits(edited, base) == [
        ("lectures.l05_svm.C", "profiles.smoke.lectures.l05_svm.C")
    ]
    edited["lectures"]["l05_svm"]["C"] = 1.0
    edited["lectures"]["l05_svm"]["tol"] = 1e-4  # not in the overlay: the stage runs with it
    assert config.shadowed_edits(edited, base) == []
    assert config.shadowed_edits({**edited, "profile": "default"}, base) == []


def test_overlay_merge_is_omegaconf_deep_merge():
    merged = config.merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}, "e": 2})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 1, "e": 2}


def _params_drift(lecture_id: str, block: dict) -> list[str]:
    """``key: code default != params.yaml value`` for every leaf where a lecture's ``Params()``
    defaults and its params.yaml block (validated by the same model) differ."""
    from mldm.lectures import get

    params = get(lecture_id).Params  # a module's or a package's (lNN/params.py) alike
    code = config.flatten(params().model_dump())
    yaml_ = config.flatten(params.model_validate(block).model_dump())
    return [
        f"{lecture_id}.{key}: code {code.get(key)!r} != params.yaml {yaml_.get(key)!r}"
        for key in sorted(set(code) | set(yaml_))
        if code.get(key) != yaml_.get(key)
    ]


def test_drift_is_reported_by_key_path():
    block = {"gd": {"lr": 0.5}, "sgd": {"batch_size": 32}}
    assert _params_drift("l01_linear_regression", block) == [
        "l01_linear_regression.gd.lr: code 0.24 != params.yaml 0.5"
    ]


def test_params_defaults_are_params_yaml_default_profile(root):
    """One meaning for each default: ``Params()`` is the default profile's block (the values
    the pipeline runs with), so a notebook building a lecture's Params gets the same run."""
    from mldm.lectures import IDS

    blocks = config.read_params(root / "params.yaml")["lectures"]
    drift = [line for lid in IDS for line in _params_drift(lid, blocks.get(lid) or {})]
    assert not drift, "Params defaults differ from params.yaml:\n" + "\n".join(drift)


def test_the_committed_params_run_the_default_profile(root):
    # `dvc repro` in a fresh clone is the course on the default profile (make repro sets it too)
    assert config.read_params(root / "params.yaml")["profile"] == "default"
