"""The ``tune@<name>`` stage: prepare the study, run its workers, write its outputs; and the
extra worker (``--join``) and ``apply`` commands."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mldm import config as config_mod
from mldm import lectures, progress
from mldm.errors import MldmError
from mldm.tuning.identity import study_name
from mldm.tuning.logger import TrialLogger
from mldm.tuning.outputs import write_outputs
from mldm.tuning.queue import prepare, work
from mldm.tuning.spec import Study, resolve_study
from mldm.tuning.storage import STORAGE_ENV, open_storage, storage_url

OUT_ROOT = Path("tuning")


def dataset_hashes(study: Study) -> dict[str, str]:
    from mldm.lectures.runner import dataset_hashes as hashes

    lecture = study.spec.lecture
    return hashes(study.cfg, lectures.datasets(lecture, study.cfg.lecture(lecture)))


@contextmanager
def _progress(total: int, label: str, setting: str) -> Iterator[Callable[[int], None]]:
    """Trials done of ``total``: a bar in a terminal, else one line per trial (mldm.progress)."""
    shown = progress.ModelProgress(label, progress.resolve(setting), total, unit="trial")

    def finished(n: int) -> None:
        for _ in range(n):
            shown.done(f"trial {len(shown.names)}")

    try:
        yield finished
    finally:
        shown.close()


def _load(params_path: str, name: str) -> config_mod.Config:
    """The config with the block of the study's lecture only (not the whole course)."""
    studies = config_mod.load(params_path, lectures=()).studies
    lecture = studies[name].lecture if name in studies else None
    return config_mod.load(params_path, lectures=(lecture,) if lecture else ())


def run_stage(name: str, params_path: str = "params.yaml", root: str | Path = ".") -> Path:
    """``tune@<name>``: prepare the study, run its workers, write ``tuning/<name>/``."""
    root = Path(root)
    cfg = _load(params_path, name)
    study = resolve_study(cfg, name)
    hashes = dataset_hashes(study)  # fails early if data is missing
    url = storage_url(study.spec, root)
    storage = open_storage(url)
    storage_name = study_name(study, hashes)

    from mldm import tracking
    from mldm.training import seed_everything

    seed_everything(cfg.seed, cfg.runtime.num_threads)
    ostudy = prepare(study, storage, storage_name)
    tags = {
        "profile": cfg.profile,
        "study": name,
        "optuna_study": storage_name,
        "lecture": study.spec.lecture,
    }
    with tracking.stage_run(
        study.spec.lecture, f"tune@{name}", tags, params=study.spec.model_dump(), root=root
    ) as tracker:
        parent = tracker.active_run_id()
        ostudy.set_user_attr("mlflow_parent_run_id", parent)
        helpers = [
            subprocess.Popen(
                [sys.executable, "-m", "mldm.tuning", "work", name, "--params", params_path],
                cwd=root,
                env={**os.environ, STORAGE_ENV: url, "MLFLOW_TRACKING_URI": tracker.uri},
            )
            for _ in range(study.spec.workers - 1)
        ]
        logger = TrialLogger(tracker.uri, tracker.experiment_id, parent, tracker.tags)
        left = _queued(ostudy)
        with _progress(left, f"tune@{name}", cfg.runtime.progress) as bar:
            work(study, storage, storage_name, logger, progress=bar)
        codes = [p.wait() for p in helpers]
        if any(codes):
            raise MldmError(f"study '{name}': a worker process failed (exit codes {codes})")
        _drain(study, storage, storage_name, logger)
        best = write_outputs(study, ostudy, root / OUT_ROOT / name)
        tracker.log_metrics(
            {
                "best_value": best.get("best", {}).get("value"),
                "default_value": best.get("default", {}).get("value"),
                **{f"trials_{k}": v for k, v in best["trials"].items()},
            }
        )
    return root / OUT_ROOT / name


def _queued(ostudy) -> int:
    from optuna.trial import TrialState

    return len(ostudy.get_trials(deepcopy=False, states=(TrialState.WAITING,)))


def _drain(study: Study, storage, storage_name: str, logger, timeout_s: float = 3600.0) -> None:
    """Trials still RUNNING belong to workers elsewhere (``tune.py --join``): wait for them,
    and run the retries of those whose worker died (stale heartbeat, RDB storage only)."""
    from optuna.trial import TrialState

    deadline = time.monotonic() + timeout_s
    while True:
        work(study, storage, storage_name, logger)  # fails stale trials, runs their retries
        running = [
            t
            for t in storage.get_all_trials(
                storage.get_study_id_from_name(storage_name), deepcopy=False
            )
            if t.state in (TrialState.RUNNING, TrialState.WAITING)
        ]
        if not running:
            return
        if time.monotonic() > deadline:
            nums = ", ".join(str(t.number) for t in running)
            raise MldmError(f"trials {nums} are still running elsewhere after {timeout_s:.0f} s")
        time.sleep(2.0)


def join(name: str, params_path: str = "params.yaml", root: str | Path = ".") -> int:
    """An extra worker on a study the stage has prepared (this or another machine)."""
    import optuna

    root = Path(root)
    cfg = _load(params_path, name)
    study = resolve_study(cfg, name)
    url = storage_url(study.spec, root)
    storage = open_storage(url)
    storage_name = study_name(study, dataset_hashes(study))
    try:
        ostudy = optuna.load_study(study_name=storage_name, storage=storage)
    except KeyError:
        raise MldmError(
            f"study '{storage_name}' is not in '{url}': the stage creates it first "
            f"(dvc repro tune@{name})"
        ) from None

    from mldm import tracking
    from mldm.training import seed_everything

    seed_everything(cfg.seed, cfg.runtime.num_threads)
    uri = tracking.tracking_uri(root)
    parent = ostudy.user_attrs.get("mlflow_parent_run_id")
    logger = None
    if parent:
        import mlflow

        mlflow.set_tracking_uri(uri)
        exp_id = mlflow.MlflowClient(uri).get_run(parent).info.experiment_id
        logger = TrialLogger(uri, exp_id, parent, {"study": name, "profile": cfg.profile})
    return work(study, storage, storage_name, logger)


def apply_args(name: str, root: str | Path = ".") -> str:
    """The ``-S key=value`` arguments that put a finished study's best params into params."""
    from mldm.io import read_json

    path = Path(root) / OUT_ROOT / name / "best.json"
    if not path.is_file():
        raise MldmError(f"no results for study '{name}' in '{path}' (run: dvc repro tune@{name})")
    best = read_json(path)
    if "apply" not in best:
        raise MldmError(f"study '{name}' has no completed trial")
    return best["apply"].removeprefix("dvc exp run ")
