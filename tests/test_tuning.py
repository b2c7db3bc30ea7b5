"""The tuning stage: study definitions, the exact trial budget, two workers, kill and resume.

The studies here tune L02's softmax regression on digits with few epochs, so a trial takes
a fraction of a second and the mechanics (queue, workers, pruning, outputs) are what is
tested, not the model.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from mldm import config
from mldm.errors import MldmError

STUDY = {
    "lecture": "l02_linear_classifiers",
    "model": "softmax",
    "metric": "val_loss",
    "direction": "minimize",
    "n_trials": 6,
    "sampler": {"name": "tpe", "seed": 0, "n_startup_trials": 3},
    "space": {"lr": {"type": "float", "low": 0.01, "high": 2.0, "log": True}},
}


def _params(tmp_path, studies: dict, epochs: int = 20) -> dict:
    raw = yaml.safe_load(open(tmp_path / "params.yaml"))
    raw["lectures"]["l02_linear_classifiers"]["softmax"]["max_epochs"] = epochs
    raw["profiles"]["smoke"]["lectures"]["l02_linear_classifiers"]["softmax"] = {
        "max_epochs": epochs
    }
    raw["studies"] = studies
    raw["profiles"]["smoke"].pop("studies", None)  # it overlays the real studies
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    return raw


@pytest.fixture
def workspace(tmp_path, monkeypatch, params_file, prepared_root):
    shutil.copytree(prepared_root, tmp_path / "data" / "prepared")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)  # else the store is DVC's repo
    monkeypatch.delenv("MLDM_OPTUNA_STORAGE", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _trials(root, name):
    """(state, number, value) of every trial of the study's current definition."""
    from mldm import tuning

    cfg = config.load(root / "params.yaml")
    study = tuning.resolve_study(cfg, name)
    storage = tuning.open_storage(tuning.storage_url(study.spec, root))
    import optuna

    sname = tuning.study_name(study, tuning.dataset_hashes(study))
    try:
        ostudy = optuna.load_study(study_name=sname, storage=storage)
    except KeyError:
        return []
    return [(t.state.name, t.number, t.value) for t in ostudy.get_trials(deepcopy=False)]


def _finished(trials):
    return [t for t in trials if t[0] in ("COMPLETE", "PRUNED")]


# --- definitions ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lecture": "l99_nothing"}, "unknown lecture 'l99_nothing'"),
        ({"lecture": "l02_linear_clasifiers"}, "did you mean 'l02_linear_classifiers'"),
        ({"model": "svm"}, "has no tunable model 'svm'"),
        ({"space": {"momentum": {"type": "float", "low": 0, "high": 1}}}, "space.momentum"),
        ({"space": {"lr": {"type": "float", "low": 0.0, "high": 1.0}}}, "lr = 0.0 is not allowed"),
        # trial 0 is the current value (softmax lr 0.5): it has to be in the space
        ({"space": {"lr": {"type": "float", "low": 1.0, "high": 2.0}}}, r"lr = 0.5 \(trial 0\)"),
        (
            {"space": {"max_epochs": {"type": "categorical", "choices": [10, 30]}}},
            r"max_epochs = \d+ \(trial 0\) is not in the search space \[10, 30\]",
        ),
    ],
)
def test_bad_study_definitions_name_the_problem(tmp_path, params_file, change, message):
    from mldm import tuning

    _params(tmp_path, {"s": {**STUDY, **change}})
    with pytest.raises(MldmError, match=message):
        tuning.resolve_study(config.load(params_file), "s")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"space": {}}, "studies.s.space"),
        ({"space": {"lr": {"type": "float", "low": 2, "high": 1}}}, "low must be < high"),
        ({"space": {"lr": {"type": "categorical"}}}, "choices"),
        ({"n_trial": 3}, "unknown params key 'studies.s.n_trial'"),
    ],
)
def test_bad_study_params_fail_validation(tmp_path, params_file, change, message):
    _params(tmp_path, {"s": {**STUDY, **change}})
    with pytest.raises(MldmError, match=message):
        config.load(params_file)


def test_unknown_study_and_bad_storage_exit_with_one_line(workspace, root):
    _params(workspace, {"s": {**STUDY, "storage": "postgresql://nobody@127.0.0.1:1/none"}})
    for study, expect in (("t", "unknown study 't'"), ("s", "Optuna storage")):
        out = subprocess.run(
            [sys.executable, str(root / "pipelines" / "tune.py"), study],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 2, out.stderr
        assert expect in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    with pytest.raises(MldmError, match="not an RDB URL"):
        from mldm.tuning import open_storage

        open_storage("ftp://x/y")


# --- the study's identity: what it depends on --------------------------------------------------
L04_STUDY = {
    "lecture": "l04_model_selection",
    "model": "poly_ridge",
    "metric": "cv_mse",
    "direction": "minimize",
    "n_trials": 3,
    "space": {"degree": {"type": "int", "low": 1, "high": 15}},
}


def _l04_identity(tmp_path, params_file, **lecture):
    from mldm import tuning

    raw = _params(tmp_path, {"q": L04_STUDY})
    raw["lectures"]["l04_model_selection"].update(lecture)
    raw["profiles"]["smoke"]["lectures"].get("l04_model_selection", {}).pop("k", None)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    cfg = config.load(params_file)
    return tuning.study_params(cfg, "q"), tuning.study_name(tuning.resolve_study(cfg, "q"), {})


def test_study_depends_only_on_what_the_objective_reads(tmp_path, params_file):
    import json

    base, name = _l04_identity(tmp_path, params_file)
    assert json.loads(json.dumps(base)) == base  # plain JSON, for DVC's params
    assert set(base) == {"spec", "model", "reads", "profile", "seed", "data"}
    assert "storage" not in base["spec"] and "workers" not in base["spec"]
    assert set(base["reads"]) == {"k"}
    l2_lambda = config.load(params_file).lecture("l04_model_selection").l2_lambda
    # a value the objective never reads: the same study (it resumes)
    assert _l04_identity(tmp_path, params_file, l2_lambda=l2_lambda * 10)[1] == name
    # K of the K-fold CV, which it reads: a new study
    k = base["reads"]["k"]
    params, other = _l04_identity(tmp_path, params_file, k=k + 1)
    assert params["reads"] == {"k": k + 1} and other != name


def test_objective_sees_only_the_declared_lecture_keys(tmp_path, params_file):
    from mldm import tuning

    _params(tmp_path, {"q": L04_STUDY})
    study = tuning.resolve_study(config.load(params_file), "q")
    view = study.lecture_view
    assert view.k == config.load(params_file).lecture("l04_model_selection").k
    with pytest.raises(MldmError, match="reads lecture key 'l2_lambda'"):
        view.l2_lambda  # noqa: B018


def test_code_closure_follows_lazy_imports():
    from mldm import tuning

    files = [rel for rel, _ in tuning.source_files("l02_linear_classifiers")]
    assert files == sorted(files)
    # the softmax objective imports mldm.models inside the function; the trial loop is there too
    assert {"lectures/l02_linear_classifiers.py", "models/__init__.py", "tuning/queue.py"} <= set(
        files
    )
    assert not any(f.startswith("lectures/l05_svm") for f in files)  # another lecture is not
    # a lecture package: its table of contents, the objective's module and what that imports
    l04 = {rel for rel, _ in tuning.source_files("l04_model_selection")}
    assert {
        "lectures/l04_model_selection/__init__.py",
        "lectures/l04_model_selection/tuning.py",
        "lectures/l04_model_selection/common.py",
    } <= l04
    # L07's objective gets fit_classifier from mldm.training's lazy table (a module by name)
    assert "training/loop.py" in {rel for rel, _ in tuning.source_files("l07_training")}


def test_changed_code_starts_a_full_study_and_same_code_resumes(workspace, monkeypatch):
    from mldm import tuning
    from mldm.tuning import identity

    n = 3
    _params(workspace, {"s": {**STUDY, "n_trials": n}})
    tuning.run_stage("s", "params.yaml", workspace)
    old = _trials(workspace, "s")
    assert len(_finished(old)) == n
    tuning.run_stage("s", "params.yaml", workspace)  # same code: the finished study, no trial
    assert _trials(workspace, "s") == old

    # a changed source file (here: one more file in the code the study runs)
    extra = workspace / "changed.py"
    extra.write_text("X = 1\n")
    real = identity.source_files
    monkeypatch.setattr(
        identity, "source_files", lambda lecture: [*real(lecture), ("zz_changed.py", extra)]
    )
    tuning.run_stage("s", "params.yaml", workspace)
    new = _trials(workspace, "s")
    assert len(_finished(new)) == n == len(new)  # the whole budget ran again, on the new code
    table = (workspace / "tuning" / "s" / "trials.csv").read_text()
    assert len(table.strip().splitlines()) == n + 1
    extra.write_text("X = 2\n")  # its bytes count, not only its name
    assert _trials(workspace, "s") == []


# --- one worker: budget, default trial, outputs, determinism -----------------------------------
def test_stage_runs_exact_budget_and_writes_outputs(workspace):
    from mldm import tuning
    from mldm.io import read_json

    _params(workspace, {"s": STUDY})
    out = tuning.run_stage("s", "params.yaml", workspace)
    best = read_json(out / "best.json")
    trials = _trials(workspace, "s")
    assert len(_finished(trials)) == STUDY["n_trials"] == len(trials)
    assert best["default"] == {
        "trial": 0,
        "value": trials[0][2],
        "params": {"lr": 0.5},
        "state": "complete",
    }
    values = [v for s, _, v in trials if s == "COMPLETE"]
    assert best["best"]["value"] == min(values)
    assert best["apply"].startswith("dvc exp run -S lectures.l02_linear_classifiers.softmax.lr=")
    assert {p.name for p in (out / "figures").glob("*.png")} >= {
        "history.png",
        "slice.png",
        "param_importances.png",
    }
    table = (out / "trials.csv").read_text()
    assert len(table.strip().splitlines()) == STUDY["n_trials"] + 1

    # rerunning the stage reuses the finished study: no new trial, identical outputs
    before = (out / "best.json").read_bytes(), table
    tuning.run_stage("s", "params.yaml", workspace)
    assert len(_trials(workspace, "s")) == STUDY["n_trials"]
    assert ((out / "best.json").read_bytes(), (out / "trials.csv").read_text()) == before

    # a fresh storage replays the same study: same params, same numbers
    os.remove(workspace / tuning.DEFAULT_STORAGE)
    tuning.run_stage("s", "params.yaml", workspace)
    assert ((out / "best.json").read_bytes(), (out / "trials.csv").read_text()) == before

    # `apply` prints the -S arguments that put the best values into the lecture's params
    args = tuning.apply_args("s", root=workspace)
    assert args == best["apply"].removeprefix("dvc exp run ")
    raw = yaml.safe_load((workspace / "params.yaml").read_text())
    for arg in args.split("-S ")[1:]:
        key, value = arg.strip().split("=")
        *path, leaf = key.split(".")
        node = raw
        for part in path:
            node = node[part]
        node[leaf] = yaml.safe_load(value)
    tuned = config.resolve(raw).lecture("l02_linear_classifiers").softmax
    assert tuned.lr == best["best"]["params"]["lr"]


def test_lightning_model_is_pruned_on_validation_loss(workspace):
    from mldm import tuning
    from mldm.io import read_json

    study = {
        **STUDY,
        "n_trials": 8,
        "sampler": {"name": "random", "seed": 1},
        "pruner": {"name": "median", "n_startup_trials": 2, "n_warmup_steps": 2},
        "space": {"lr": {"type": "float", "low": 1e-4, "high": 2.0, "log": True}},
    }
    _params(workspace, {"p": study}, epochs=15)
    out = tuning.run_stage("p", "params.yaml", workspace)
    best = read_json(out / "best.json")
    assert best["trials"]["pruned"] >= 1
    assert best["trials"]["complete"] + best["trials"]["pruned"] == 8
    import pandas as pd

    table = pd.read_csv(out / "trials.csv")
    pruned = table[table.state == "pruned"]
    complete = table[table.state == "complete"]
    assert (complete.steps_reported == 15).all()  # one val_loss per epoch
    assert (pruned.steps_reported < 15).all()  # stopped early
    assert (out / "figures" / "intermediate_values.png").is_file()


# --- several workers, kill and resume -----------------------------------------------------------
def _worker(root, name):
    return subprocess.Popen(
        [sys.executable, "-m", "mldm.tuning", "work", name],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_workers_finish_the_budget_exactly(workspace):
    from mldm import tuning

    n = 12
    _params(workspace, {"s": {**STUDY, "n_trials": n}})
    cfg = config.load("params.yaml")
    study = tuning.resolve_study(cfg, "s")
    storage = tuning.open_storage(tuning.storage_url(study.spec, workspace))
    tuning.prepare(study, storage, tuning.study_name(study, tuning.dataset_hashes(study)))
    workers = [_worker(workspace, "s") for _ in range(2)]
    outs = [w.communicate(timeout=300) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outs
    trials = _trials(workspace, "s")
    numbers = [t[1] for t in trials]
    assert len(_finished(trials)) == n == len(trials)  # none lost, none extra
    assert sorted(numbers) == list(range(n))  # none duplicated


# The study process under test, with trials from number 3 on held after drawing their
# parameters: the test kills it mid-trial without racing it (an unheld study may finish first).
_HOLD_FOURTH_TRIAL = """
import time
from mldm.tuning import queue
from mldm.tuning.cli import cli

suggest = queue.suggest


def held(trial, name, dim):
    value = suggest(trial, name, dim)
    while trial.number >= 3:
        time.sleep(0.05)
    return value


queue.suggest = held
cli()
"""


def test_killed_study_resumes_to_the_same_result(workspace, tmp_path_factory):
    from mldm import tuning
    from mldm.io import read_json

    n = 10
    _params(workspace, {"s": {**STUDY, "n_trials": n}}, epochs=60)
    proc = subprocess.Popen(  # `python -m mldm.tuning run s`, its 4th trial held until killed
        [sys.executable, "-c", _HOLD_FOURTH_TRIAL, "run", "s"],
        cwd=workspace,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while True:  # kill it mid-trial, once 3 trials are done (it cannot end before)
        now = _trials(workspace, "s")
        if len(_finished(now)) >= 3 and any(t[0] == "RUNNING" for t in now):
            break
        assert proc.poll() is None and time.monotonic() < deadline, "study ended too early"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = _trials(workspace, "s")
    assert 3 <= len(_finished(left)) < n
    stale = [t[1] for t in left if t[0] == "RUNNING"]  # almost always the one it was running

    tuning.run_stage("s", "params.yaml", workspace)
    trials = _trials(workspace, "s")
    states = [t[0] for t in trials]
    assert states.count("COMPLETE") + states.count("PRUNED") == n
    assert "RUNNING" not in states and "WAITING" not in states
    table = __import__("pandas").read_csv(workspace / "tuning" / "s" / "trials.csv")
    for number in stale:  # the killed trial failed and was re-run with the same parameters
        killed = table[table.number == number].iloc[0]
        retry = table[table.retry_of == number].iloc[0]
        assert (killed.state, retry.state) == ("fail", "complete")
        # killed between claiming the trial and drawing lr, it has none: the retry draws it
        # with the killed trial's seed (the uninterrupted run below then matches it)
        assert math.isnan(killed.params_lr) or killed.params_lr == retry.params_lr
    resumed = read_json(workspace / "tuning" / "s" / "best.json")

    # an uninterrupted run of the same study in another directory: the same best trial
    other = tmp_path_factory.mktemp("uninterrupted")
    shutil.copytree(workspace / "data", other / "data")
    shutil.copy(workspace / "params.yaml", other / "params.yaml")
    tuning.run_stage("s", str(other / "params.yaml"), other)
    clean = read_json(other / "tuning" / "s" / "best.json")
    assert resumed["best"]["value"] == pytest.approx(clean["best"]["value"], rel=1e-9)
    assert resumed["best"]["params"] == pytest.approx(clean["best"]["params"], rel=1e-12)


def test_dead_workers_trial_is_retried_on_an_rdb_storage(workspace, monkeypatch):
    """A worker elsewhere claims a trial and dies: its heartbeat goes stale, the stage fails
    the trial and runs a retry with its parameters, and the budget stays exact."""
    from mldm import tuning
    from mldm.tuning import queue, stage

    n = 4
    monkeypatch.setattr(tuning.storage, "HEARTBEAT_S", 1)  # stale after 2 s
    monkeypatch.setenv("MLDM_OPTUNA_STORAGE", f"sqlite:///{workspace}/studies.db")
    _params(workspace, {"s": {**STUDY, "n_trials": n}})
    study = tuning.resolve_study(config.load("params.yaml"), "s")
    storage = tuning.open_storage(tuning.storage_url(study.spec, workspace))
    name = tuning.study_name(study, tuning.dataset_hashes(study))
    ostudy = tuning.prepare(study, storage, name)
    frozen, trial_id = queue._pop(ostudy, storage, name)  # the other worker claims trial 0 ...
    storage.record_heartbeat(trial_id)  # ... beats once, and is killed
    stage._drain(study, storage, name, None, timeout_s=120)
    trials = {t.number: t for t in ostudy.get_trials(deepcopy=False)}
    assert trials[frozen.number].state.name == "FAIL"
    retries = [t for t in trials.values() if t.user_attrs.get(tuning.RETRY_OF) == frozen.number]
    assert [t.state.name for t in retries] == ["COMPLETE"]
    assert retries[0].params == {"lr": 0.5}  # trial 0's parameters: the defaults
    assert len(_finished(_trials(workspace, "s"))) == n == len(trials) - 1
    tuning.prepare(study, storage, name)  # nothing left to queue: the failed one was replaced
    assert len(ostudy.get_trials(deepcopy=False)) == n + 1


# --- several workers on a PostgreSQL storage (the several-machines setup) ------------------------
@pytest.fixture
def postgres_url():
    """A private PostgreSQL cluster on 127.0.0.1 for one test (skipped where none is installed)."""
    import socket

    initdb = shutil.which("initdb")
    bindir = Path(initdb).resolve().parent if initdb else None
    if initdb is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    pytest.importorskip("psycopg2")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # not as root
    import tempfile

    home = Path(tempfile.mkdtemp(prefix="mldm-pg-"))  # pytest's tmp dirs are private to root
    home.chmod(0o777)
    data = home / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def run(*cmd):
        return subprocess.run(
            [*as_user, *cmd], check=True, capture_output=True, cwd=home, timeout=120
        )

    run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres")
    pg_ctl = str(bindir / "pg_ctl")
    opts = f"-p {port} -k {data.parent} -c listen_addresses=127.0.0.1"
    # -l: the server must not inherit our pipes, or waiting for their end never returns
    run(pg_ctl, "-D", str(data), "-l", str(home / "log"), "-o", opts, "-w", "start")
    try:
        run(
            str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
            "-U", "postgres", "mldm",
        )  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/mldm"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


def test_two_workers_on_postgresql(workspace, postgres_url, monkeypatch):
    from mldm import tuning

    n = 10
    _params(workspace, {"s": {**STUDY, "n_trials": n, "workers": 2}})
    monkeypatch.setenv("MLDM_OPTUNA_STORAGE", postgres_url)
    tuning.run_stage("s", "params.yaml", workspace)  # the stage starts a second worker process
    trials = _trials(workspace, "s")
    assert len(_finished(trials)) == n == len(trials)
    assert sorted(t[1] for t in trials) == list(range(n))
    assert not (workspace / tuning.DEFAULT_STORAGE).exists()  # nothing went to the file store
