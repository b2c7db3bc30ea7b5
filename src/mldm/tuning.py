"""Optuna studies declared in params.yaml (``studies.<name>``), run as ``tune@<name>``.

A study tunes one *tunable model* of a lecture: the lecture exports
``TUNABLE = {"<block>": objective}``, where ``<block>`` is a sub-block of its params (for
L04, ``lectures.l04_model_selection.poly_ridge``) and ``objective(ctx, block) -> metrics``
trains and scores that model with the trial's values in the block. The study names which
returned metric to optimize, the search space (a subset of the block's fields), the trial
budget, the seeded sampler and the pruner. Lectures never import Optuna: an objective
reports intermediate values with ``ctx.report(value, step)``, and a Lightning-trained model
is pruned on its logged ``val_loss`` by a callback this module installs in every trainer.

How trials are run, so that the budget is exact and a killed study resumes:

1. **Prepare** (once, before any worker; the stage does it): create or load the study with
   ``load_if_exists``. Its storage name carries a hash of the definition (space, budget,
   sampler, pruner, the lecture's params, profile, seed, data), so changing any of them
   starts a fresh study and rerunning the same one resumes it. Trials left RUNNING by a
   killed worker are marked FAIL and their parameters re-queued; then the queue is topped
   up with WAITING trials so that finished + queued = ``n_trials``. Trial 0 is the
   lecture's default parameters, so the study shows tuned against default.
2. **Work** (any number of processes, on any machines sharing the storage): pop a WAITING
   trial (an atomic state change in the storage, so no two workers get the same trial),
   sample the rest of its parameters, run the objective, tell the result. A worker stops
   when the queue is empty; it never creates trials, so the budget cannot be overrun.
   Each trial samples with ``seed + trial.number`` (a retry: the number of the trial it
   repeats): its parameters depend only on the
   finished trials before it, so a single-worker study is deterministic and a resumed one
   follows the same path as an uninterrupted one.
3. **Write** ``tuning/<study>/best.json`` (best and default trials, the ``dvc exp run -S``
   line that applies the best parameters), ``trials.csv`` and Optuna's standard plots.

Storage: ``studies.<name>.storage`` or ``$MLDM_OPTUNA_STORAGE``, else an embedded journal
file (``optuna.journal``; Optuna's file storage for several processes on one machine). Any
RDB URL (``postgresql://...``) works for workers on several machines; its row locks make
the queue pop atomic. A plain ``sqlite:///`` URL is accepted but is only safe for one worker
(SQLite has no row locks, so two workers can pop the same trial).

Every trial is an MLflow run nested under the stage's run (params, value, all returned
metrics, the intermediate curve).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldm import config as config_mod
from mldm import lectures
from mldm.errors import MldmError

STORAGE_ENV = "MLDM_OPTUNA_STORAGE"
DEFAULT_STORAGE = "optuna.journal"
OUT_ROOT = Path("tuning")
RDB_PREFIXES = ("sqlite:", "postgresql", "mysql", "oracle", "mssql")


# --- the study definition ------------------------------------------------------------------
@dataclass(frozen=True)
class Study:
    """A validated study definition, bound to its lecture's tunable model."""

    name: str
    spec: config_mod.StudySpec
    cfg: config_mod.Config
    objective: Callable[..., dict[str, float]]
    block: Any  # the lecture's params sub-block (pydantic) holding the default values

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: getattr(self.block, k) for k in self.spec.space}

    def block_with(self, values: dict[str, Any]):
        """The params block with a trial's values in it, validated like params.yaml."""
        from pydantic import ValidationError

        try:
            return type(self.block).model_validate({**self.block.model_dump(), **values})
        except ValidationError as e:
            first = e.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            raise MldmError(
                f"study '{self.name}': {self.target}.{key} = {first.get('input')!r} is not "
                f"allowed: {first['msg'].lower()}"
            ) from None

    @property
    def target(self) -> str:
        return f"lectures.{self.spec.lecture}.{self.spec.model}"

    def definition_hash(self, dataset_hashes: dict[str, str]) -> str:
        blob = {
            "spec": self.spec.model_dump(exclude={"storage", "workers"}),
            "lecture": self.cfg.lecture(self.spec.lecture).model_dump(),
            "profile": self.cfg.profile,
            "seed": self.cfg.seed,
            "data": self.cfg.data.model_dump(),
            "datasets": dataset_hashes,
        }
        return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:10]


def resolve_study(cfg: config_mod.Config, name: str) -> Study:
    """Check a study definition against its lecture; one-line :class:`MldmError` if wrong."""
    import difflib

    if name not in cfg.studies:
        close = difflib.get_close_matches(name, list(cfg.studies), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        known = ", ".join(cfg.studies) or "none"
        raise MldmError(f"unknown study '{name}'{hint}; params.yaml declares: {known}")
    spec = cfg.studies[name]
    where = f"studies.{name}"
    if spec.lecture not in lectures.IDS:
        close = difflib.get_close_matches(spec.lecture, lectures.IDS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise MldmError(f"{where}.lecture: unknown lecture '{spec.lecture}'{hint}")
    tunable = getattr(lectures.get(spec.lecture), "TUNABLE", {})
    if spec.model not in tunable:
        known = ", ".join(tunable) or "none"
        raise MldmError(
            f"{where}.model: lecture '{spec.lecture}' has no tunable model '{spec.model}' "
            f"(tunable: {known})"
        )
    block = getattr(cfg.lecture(spec.lecture), spec.model)
    fields = type(block).model_fields
    for key in spec.space:
        if key not in fields:
            raise MldmError(
                f"{where}.space.{key}: not a parameter of lectures.{spec.lecture}.{spec.model} "
                f"(parameters: {', '.join(fields)})"
            )
    study = Study(name, spec, cfg, tunable[spec.model], block)
    for key, dim in spec.space.items():  # the whole range must be valid params
        ends = dim.choices if dim.type == "categorical" else (dim.low, dim.high)
        for value in ends:
            v = int(value) if dim.type == "int" else value
            study.block_with({key: v})
        # trial 0 replays the current value, so it must be a point of the space
        current = getattr(block, key)
        if dim.type == "categorical":
            inside = current in dim.choices
        else:
            inside = dim.low <= current <= dim.high
        if not inside:
            space = dim.choices if dim.type == "categorical" else f"[{dim.low:g}, {dim.high:g}]"
            raise MldmError(
                f"{where}.space.{key}: the current value lectures.{spec.lecture}.{spec.model}."
                f"{key} = {current!r} (trial 0) is not in the search space {space}"
            )
    return study


# --- storage ------------------------------------------------------------------------------
def storage_url(spec: config_mod.StudySpec, root: str | os.PathLike = ".") -> str:
    return os.environ.get(STORAGE_ENV) or spec.storage or str(Path(root) / DEFAULT_STORAGE)


def open_storage(url: str):
    """An Optuna storage for ``url`` (RDB URL or journal file); one-line error if unusable."""
    import optuna

    if url.startswith("postgresql://"):  # SQLAlchemy 2.1 would pick psycopg 3; we ship psycopg2
        url = "postgresql+psycopg2://" + url.removeprefix("postgresql://")
    try:
        if url.startswith(RDB_PREFIXES):
            return optuna.storages.RDBStorage(url, engine_kwargs=_engine_kwargs(url))
        if "://" in url:
            raise ValueError("not an RDB URL (postgresql://, mysql://, sqlite:///) or a file")
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        Path(url).parent.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(url))
    except Exception as e:  # sqlalchemy, drivers, file system ...
        reason = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise MldmError(f"Optuna storage '{url}' cannot be used: {reason}") from None


def _engine_kwargs(url: str) -> dict[str, Any]:
    if url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": 10}}
    if url.startswith("sqlite:"):
        return {"connect_args": {"timeout": 30}}
    return {}


# --- prepare: create once, fail stale trials, fill the queue ---------------------------------
RETRY_OF = "retry_of"
KILLED = "killed"


def prepare(study: Study, storage, storage_name: str):
    """Create/load the study, fail trials a killed worker left RUNNING, top the queue up.

    Must run while no worker is running on this study (the stage runs it first)."""
    import optuna
    from optuna.trial import TrialState

    spec = study.spec
    ostudy = optuna.create_study(
        study_name=storage_name,
        storage=storage,
        direction=spec.direction,
        load_if_exists=True,
    )
    trials = ostudy.get_trials(deepcopy=False)
    if not trials:
        ostudy.set_user_attr("definition", spec.model_dump(exclude={"storage", "workers"}))
        ostudy.set_user_attr("target", study.target)
    for t in trials:
        if t.state == TrialState.RUNNING:  # its worker is gone: retry the same parameters
            storage.set_trial_user_attr(t._trial_id, KILLED, True)
            storage.set_trial_state_values(t._trial_id, TrialState.FAIL)
            ostudy.enqueue_trial(t.params, user_attrs={RETRY_OF: t.number})
    trials = ostudy.get_trials(deepcopy=False)
    used = sum(1 for t in trials if not (t.state == TrialState.FAIL and t.user_attrs.get(KILLED)))
    if not trials:
        ostudy.enqueue_trial(study.defaults, user_attrs={"default": True})
        used = 1
    for _ in range(spec.n_trials - used):
        ostudy.enqueue_trial({})  # parameters are sampled when a worker pops it
    return ostudy


# --- work: pop, sample, run, tell -------------------------------------------------------------
@dataclass
class TrialContext:
    """What an objective gets: data, the lecture's params, the seed, and ``report``."""

    cfg: config_mod.Config
    lecture_id: str
    trial: Any  # optuna.Trial

    @property
    def seed(self) -> int:
        return self.cfg.seed

    @property
    def lecture(self):
        return self.cfg.lecture(self.lecture_id)

    def data(self, name: str):
        from mldm import data as datasets

        return datasets.load(name, self.cfg.data.root)

    def report(self, value: float, step: int) -> None:
        """An intermediate value; raises ``optuna.TrialPruned`` if the pruner stops it."""
        import optuna

        self.trial.report(float(value), step)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned at step {step}")


def make_sampler(spec: config_mod.StudySpec, trial_number: int):
    import optuna

    seed = spec.sampler.seed + trial_number
    if spec.sampler.name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=spec.sampler.n_startup_trials)


def make_pruner(spec: config_mod.StudySpec):
    import optuna

    if spec.pruner.name == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=spec.pruner.n_startup_trials,
            n_warmup_steps=spec.pruner.n_warmup_steps,
        )
    return optuna.pruners.NopPruner()


def suggest(trial, name: str, dim: config_mod.SearchDim):
    if dim.type == "categorical":
        return trial.suggest_categorical(name, dim.choices)
    if dim.type == "int":
        step = int(dim.step) if dim.step else 1
        return trial.suggest_int(name, int(dim.low), int(dim.high), step=step, log=dim.log)
    return trial.suggest_float(name, dim.low, dim.high, step=dim.step, log=dim.log)


def _pop(ostudy, storage):
    """Atomically claim a WAITING trial (re-queued retries first); None if none is left."""
    from optuna.trial import TrialState

    # read through the study, so that a caching wrapper around an RDB storage sees the trial
    waiting = ostudy.get_trials(deepcopy=False, states=(TrialState.WAITING,))
    waiting.sort(key=lambda t: (RETRY_OF not in t.user_attrs, t.number))
    for t in waiting:
        # WAITING -> RUNNING succeeds for exactly one worker (the storage checks the state)
        if storage.set_trial_state_values(t._trial_id, TrialState.RUNNING):
            return t
    return None


def work(
    study: Study,
    storage,
    storage_name: str,
    trial_logger: TrialLogger | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Run trials of a prepared study until its queue is empty; the number this worker ran."""
    import optuna
    from optuna.trial import TrialState

    from mldm.training import trainer_defaults

    spec = study.spec
    ostudy = optuna.load_study(study_name=storage_name, storage=storage)
    ostudy.pruner = make_pruner(spec)
    done = 0
    while (frozen := _pop(ostudy, storage)) is not None:
        # a retry samples as the trial it repeats would have (its params were maybe not drawn
        # yet when its worker was killed)
        ostudy.sampler = make_sampler(spec, frozen.user_attrs.get(RETRY_OF, frozen.number))
        trial = optuna.Trial(ostudy, frozen._trial_id)
        metrics: dict[str, float] = {}
        try:  # from here on the trial is RUNNING: every way out must finish it
            values = {name: suggest(trial, name, dim) for name, dim in spec.space.items()}
            block = study.block_with(values)
            ctx = TrialContext(study.cfg, spec.lecture, trial)
            callbacks = _pruning_callbacks(trial) if spec.pruner.name != "none" else ()
            with trainer_defaults(callbacks=callbacks, logger_factory=None):
                metrics = dict(study.objective(ctx, block))
            if spec.metric not in metrics:
                raise MldmError(
                    f"study '{study.name}': the objective returned {sorted(metrics)}, "
                    f"not the study's metric '{spec.metric}'"
                )
            ostudy.tell(trial, float(metrics[spec.metric]))
        except optuna.TrialPruned:
            ostudy.tell(trial, state=TrialState.PRUNED)
        except (KeyboardInterrupt, SystemExit):  # interrupted, not failed: prepare retries it
            storage.set_trial_user_attr(frozen._trial_id, KILLED, True)
            ostudy.tell(trial, state=TrialState.FAIL)
            raise
        except BaseException:
            ostudy.tell(trial, state=TrialState.FAIL)
            raise
        finally:
            if trial_logger is not None:
                trial_logger.log(storage.get_trial(frozen._trial_id), metrics)
        done += 1
        if progress is not None:
            progress(1)
    return done


def _pruning_callbacks(trial) -> tuple:
    """Report a Lightning model's logged ``val_loss`` after every epoch to the pruner."""
    from optuna_integration import PyTorchLightningPruningCallback

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (PyTorchLightningPruningCallback(trial, monitor="val_loss"),)


class TrialLogger:
    """Each finished trial as an MLflow run nested under the study's stage run.

    Written with the client API (not the fluent active-run stack), so it works the same in
    the stage process and in a worker process on another machine."""

    def __init__(self, uri: str, experiment_id: str, parent_run_id: str, tags: dict[str, str]):
        from mlflow import MlflowClient

        self.client = MlflowClient(uri)
        self.experiment_id = experiment_id
        self.parent = parent_run_id
        self.tags = tags

    def log(self, frozen, metrics: dict[str, float]) -> None:
        from mlflow.entities import Metric, Param

        tags = {
            **self.tags,
            "mlflow.parentRunId": self.parent,
            "trial_number": str(frozen.number),
            "trial_state": frozen.state.name,
        }
        run = self.client.create_run(
            self.experiment_id, run_name=f"trial-{frozen.number}", tags=tags
        )
        rid = run.info.run_id
        now = int(time.time() * 1000)
        values = [Metric(k, float(v), now, 0) for k, v in metrics.items() if _finite(v)]
        if frozen.value is not None:
            values.append(Metric("value", float(frozen.value), now, 0))
        values += [
            Metric("intermediate", float(v), now, int(step))
            for step, v in sorted(frozen.intermediate_values.items())
        ]
        params = [Param(k, str(v)) for k, v in frozen.params.items()]
        self.client.log_batch(rid, metrics=values, params=params)
        self.client.set_terminated(rid, "FINISHED" if frozen.state.name != "FAIL" else "FAILED")


def _finite(v) -> bool:
    import math

    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


# --- outputs ------------------------------------------------------------------------------
def summary(study: Study, ostudy) -> dict[str, Any]:
    """best.json: the best and the default trial, counts, and how to apply the best."""
    from optuna.trial import TrialState

    trials = ostudy.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    counts = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
    default = next((t for t in trials if t.user_attrs.get("default")), None)
    if default is not None and default.state == TrialState.FAIL:
        default = next((t for t in trials if t.user_attrs.get(RETRY_OF) == default.number), None)
    out: dict[str, Any] = {
        "study": study.name,
        "target": study.target,
        "metric": study.spec.metric,
        "direction": study.spec.direction,
        "n_trials": study.spec.n_trials,
        "trials": counts,
    }
    if complete:
        best = ostudy.best_trial
        out["best"] = {"trial": best.number, "value": best.value, "params": best.params}
        out["apply"] = "dvc exp run " + " ".join(
            f"-S {study.target}.{k}={v}" for k, v in best.params.items()
        )
    if default is not None:
        out["default"] = {
            "trial": default.number,
            "value": default.value,
            "params": default.params,
            "state": default.state.name.lower(),
        }
    return out


def trials_table(ostudy):
    import pandas as pd

    rows = []
    for t in sorted(ostudy.get_trials(deepcopy=False), key=lambda t: t.number):
        rows.append(
            {
                "number": t.number,
                "state": t.state.name.lower(),
                "value": t.value,
                **{f"params_{k}": v for k, v in t.params.items()},
                "steps_reported": len(t.intermediate_values),
                "retry_of": t.user_attrs.get(RETRY_OF),
                "default": bool(t.user_attrs.get("default", False)),
            }
        )
    return pd.DataFrame(rows)


def write_outputs(study: Study, ostudy, out_dir: Path) -> dict[str, Any]:
    from mldm.io import atomic_dir, atomic_path, write_json

    table = trials_table(ostudy)
    with atomic_path(out_dir / "trials.csv") as tmp:
        table.to_csv(tmp, index=False)
    with atomic_dir(out_dir / "figures") as tmp:
        _plots(study, ostudy, Path(tmp))
    best = summary(study, ostudy)
    write_json(out_dir / "best.json", best)
    return best


def _plots(study: Study, ostudy, out: Path) -> None:
    """Optuna's standard plots (matplotlib backend: offline, no plotly)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import optuna.visualization.matplotlib as ovm
    from optuna.importance import FanovaImportanceEvaluator
    from optuna.trial import TrialState

    complete = [t for t in ostudy.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    names = list(study.spec.space)
    plots: dict[str, Callable[[], Any]] = {"history": lambda: ovm.plot_optimization_history(ostudy)}
    if len(complete) >= 2:
        plots["slice"] = lambda: ovm.plot_slice(ostudy, params=names)
        plots["param_importances"] = lambda: ovm.plot_param_importances(
            ostudy, evaluator=FanovaImportanceEvaluator(seed=study.spec.sampler.seed)
        )
        if len(names) >= 2:
            plots["contour"] = lambda: ovm.plot_contour(ostudy, params=names[:2])
    if any(t.intermediate_values for t in ostudy.get_trials(deepcopy=False)):
        plots["intermediate_values"] = lambda: ovm.plot_intermediate_values(ostudy)
    for name, draw in plots.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # experimental API, tight_layout on colorbars
            ax = draw()
            fig = (ax.flat[0] if hasattr(ax, "flat") else ax).get_figure()
            if name != "slice":  # slice sizes itself by the number of parameters
                fig.set_size_inches(7, 4.5)
            fig.tight_layout()
        fig.savefig(out / f"{name}.png", dpi=100, metadata={"Software": None})
        plt.close(fig)


# --- the stage ----------------------------------------------------------------------------
def dataset_hashes(study: Study) -> dict[str, str]:
    from mldm.lectures.runner import dataset_hashes as hashes

    lecture = study.spec.lecture
    return hashes(study.cfg, lectures.datasets(lecture, study.cfg.lecture(lecture)))


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    from tqdm.auto import tqdm

    with tqdm(total=total, desc=label, unit="trial", disable=None) as bar:
        yield bar.update


def run_stage(name: str, params_path: str = "params.yaml", root: str | Path = ".") -> Path:
    """``tune@<name>``: prepare the study, run its workers, write ``tuning/<name>/``."""
    root = Path(root)
    cfg = config_mod.load(params_path)
    study = resolve_study(cfg, name)
    hashes = dataset_hashes(study)  # fails early if data is missing
    url = storage_url(study.spec, root)
    storage = open_storage(url)
    storage_name = f"{name}-{study.definition_hash(hashes)}"

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
        with _progress(left, f"tune@{name}") as bar:
            work(study, storage, storage_name, logger, progress=bar)
        codes = [p.wait() for p in helpers]
        if any(codes):
            raise MldmError(f"study '{name}': a worker process failed (exit codes {codes})")
        _wait_for_running(ostudy)
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


def _wait_for_running(ostudy, timeout_s: float = 3600.0) -> None:
    """Trials still RUNNING belong to workers elsewhere (``tune.py --join``): wait for them."""
    from optuna.trial import TrialState

    deadline = time.monotonic() + timeout_s
    while running := ostudy.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if time.monotonic() > deadline:
            nums = ", ".join(str(t.number) for t in running)
            raise MldmError(f"trials {nums} are still running elsewhere after {timeout_s:.0f} s")
        time.sleep(2.0)


def join(name: str, params_path: str = "params.yaml", root: str | Path = ".") -> int:
    """An extra worker on a study the stage has prepared (this or another machine)."""
    import optuna

    root = Path(root)
    cfg = config_mod.load(params_path)
    study = resolve_study(cfg, name)
    url = storage_url(study.spec, root)
    storage = open_storage(url)
    storage_name = f"{name}-{study.definition_hash(dataset_hashes(study))}"
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


def cli(argv: list[str] | None = None) -> None:
    """``python -m mldm.tuning {run,work,apply} <study> [--params params.yaml]``."""
    import argparse

    from mldm.errors import run_cli

    parser = argparse.ArgumentParser(prog="python -m mldm.tuning", description=__doc__)
    parser.add_argument("command", choices=("run", "work", "apply"))
    parser.add_argument("study")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)

    def main() -> None:
        if args.command == "run":
            print(f"tune@{args.study}: wrote {run_stage(args.study, args.params)}")
        elif args.command == "work":
            print(f"tune@{args.study}: this worker ran {join(args.study, args.params)} trials")
        else:
            print(apply_args(args.study))

    run_cli(main)


if __name__ == "__main__":
    cli()
