"""The trial queue: :func:`prepare` fills it once, :func:`work` empties it (any number of
workers). See the package docstring for why trials are queued rather than created by workers.

Optuna's public API, and where it cannot give a guarantee:

- ``study.enqueue_trial`` queues trial 0 (the defaults), the retries and the rest of the
  budget; trial ids come from the public ``storage.get_trial_id_from_study_id_trial_number``.
- The budget is exact because workers only pop queued trials. ``study.ask()`` pops a queued
  trial too, but when the queue is empty it *creates* one: two workers racing for the last
  queued trial would then overrun the budget by one. ``optuna.study.MaxTrialsCallback`` is
  checked only after a trial finishes, so with parallel workers it overruns in the same way.
  So a worker claims a WAITING trial itself (``storage.set_trial_state_values``, atomic: it
  succeeds for exactly one worker) and wraps it in ``optuna.trial.Trial(study, trial_id)``:
  public, but documented as "not recommended"; it is the only way to get a suggest/report/
  should_prune trial for a trial claimed this way.
- A killed worker's RUNNING trial is failed and re-queued (:func:`requeue`) by
  :func:`prepare`, when no worker runs. While workers run, only an ``RDBStorage`` can tell
  a dead worker's trial from a live one: workers record heartbeats
  (``storage.record_heartbeat``) and every worker, before it pops a trial, fails the stale
  ones with ``optuna.storages.fail_stale_trials``, which calls the storage's
  ``heartbeat_stale_trial_callback`` = :func:`requeue`. Optuna 5.0's ``JournalStorage`` has no
  heartbeat, so there a dead remote worker's trial waits for the next :func:`prepare`.
  :func:`requeue` is used rather than ``optuna.storages.RetryFailedTrialCallback`` because
  the retry must carry the number of the trial it repeats in a user attribute that
  :func:`prepare`'s budget count and the sampler's seed read the same way for both storages
  and for retries of retries (``RetryFailedTrialCallback.retried_trial_number`` is only set
  on retries it made itself, and a failed trial can no longer be marked).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mldm import config as config_mod
from mldm.errors import MldmError

if TYPE_CHECKING:
    from mldm.tuning.logger import TrialLogger
    from mldm.tuning.spec import Study

RETRY_OF = "retry_of"  # a retry: the number of the (first) trial it repeats
REPLACES = "replaces"  # a retry: the number of the failed trial it replaces in the budget
QUEUED = "queued_params"  # the parameters a trial was queued with (kept for its retry)
KILLED = "killed"  # a trial interrupted (Ctrl-C), not failed: not counted in the budget


def _trial_id(storage, storage_name: str, number: int) -> int:
    study_id = storage.get_study_id_from_name(storage_name)
    return storage.get_trial_id_from_study_id_trial_number(study_id, number)


# --- prepare: create once, fail stale trials, fill the queue ---------------------------------
def requeue(ostudy, failed) -> None:
    """Queue a retry of a failed trial with its parameters (the storage's
    ``heartbeat_stale_trial_callback`` for trials of dead workers)."""
    # killed before it drew them, a trial has no params yet: the retry gets the queued ones
    params = {**failed.user_attrs.get(QUEUED, {}), **failed.params}
    retry_of = failed.user_attrs.get(RETRY_OF, failed.number)
    _enqueue(ostudy, params, {RETRY_OF: retry_of, REPLACES: failed.number})


def _enqueue(ostudy, params: dict[str, Any], user_attrs: dict[str, Any]) -> None:
    ostudy.enqueue_trial(params, user_attrs={**user_attrs, QUEUED: params})


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
            ostudy.tell(t.number, state=TrialState.FAIL)
            requeue(ostudy, t)
    trials = ostudy.get_trials(deepcopy=False)
    replaced = {t.user_attrs[REPLACES] for t in trials if REPLACES in t.user_attrs}
    used = sum(
        1
        for t in trials
        if not (t.state == TrialState.FAIL and (t.user_attrs.get(KILLED) or t.number in replaced))
    )
    if not trials:
        _enqueue(ostudy, study.defaults, {"default": True})
        used = 1
    for _ in range(spec.n_trials - used):
        _enqueue(ostudy, {}, {})  # parameters are sampled when a worker pops it
    return ostudy


# --- work: pop, sample, run, tell -------------------------------------------------------------
@dataclass
class TrialContext:
    """What an objective gets: data, the lecture keys it declared, the seed, and ``report``."""

    cfg: config_mod.Config
    lecture_id: str
    trial: Any  # optuna.Trial
    lecture: Any = None  # the declared keys of the lecture block (Study.lecture_view)

    @property
    def seed(self) -> int:
        return self.cfg.seed

    def seeded(self, *key: int) -> None:
        """Seed torch as the stage's ``ctx.seeded`` does (trial 0 = the stage's model)."""
        from mldm.training import seed_model

        seed_model(self.seed, self.lecture_id, *key)

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


def _pop(ostudy, storage, storage_name: str):
    """Atomically claim a WAITING trial (re-queued retries first): (frozen trial, trial id),
    or None if none is left."""
    import optuna
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    with warnings.catch_warnings():  # "experimental" in Optuna 5.0
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(ostudy)  # RDB: re-queue dead workers' trials
    # read through the study, so that a caching wrapper around an RDB storage sees the trial
    waiting = ostudy.get_trials(deepcopy=False, states=(TrialState.WAITING,))
    waiting.sort(key=lambda t: (RETRY_OF not in t.user_attrs, t.number))
    for t in waiting:
        trial_id = _trial_id(storage, storage_name, t.number)
        try:  # WAITING -> RUNNING succeeds for exactly one worker (the storage checks the state)
            if storage.set_trial_state_values(trial_id, TrialState.RUNNING):
                return t, trial_id
        except UpdateFinishedTrialError:  # another worker claimed and finished it meanwhile
            continue
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

    ostudy = optuna.load_study(study_name=storage_name, storage=storage)
    ostudy.pruner = make_pruner(study.spec)
    done = 0
    while (claimed := _pop(ostudy, storage, storage_name)) is not None:
        frozen, trial_id = claimed
        with _heartbeat(storage, trial_id):  # from the claim on: a dead worker's trial is stale
            _run_trial(study, ostudy, storage, frozen, trial_id, trial_logger)
        done += 1
        if progress is not None:
            progress(1)
    return done


def _run_trial(study: Study, ostudy, storage, frozen, trial_id: int, trial_logger) -> None:
    """Sample, run the objective and tell the result of a claimed (RUNNING) trial."""
    import optuna
    from optuna.trial import TrialState

    from mldm.training import trainer_defaults

    spec = study.spec
    # a retry samples as the trial it repeats would have (its params were maybe not drawn
    # yet when its worker was killed)
    ostudy.sampler = make_sampler(spec, frozen.user_attrs.get(RETRY_OF, frozen.number))
    trial = optuna.trial.Trial(ostudy, trial_id)  # why not study.ask(): module docstring
    metrics: dict[str, float] = {}
    try:  # from here on the trial is RUNNING: every way out must finish it
        values = {name: suggest(trial, name, dim) for name, dim in spec.space.items()}
        block = study.block_with(values)
        ctx = TrialContext(study.cfg, spec.lecture, trial, study.lecture_view)
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
        trial.set_user_attr(KILLED, True)
        ostudy.tell(trial, state=TrialState.FAIL)
        raise
    except BaseException:
        ostudy.tell(trial, state=TrialState.FAIL)
        raise
    finally:
        if trial_logger is not None:
            trial_logger.log(storage.get_trial(trial_id), metrics)


@contextmanager
def _heartbeat(storage, trial_id: int) -> Iterator[None]:
    """Record the trial's heartbeat while it runs, where the storage has heartbeats (RDB)."""
    interval = getattr(storage, "get_heartbeat_interval", lambda: None)()
    if not interval:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while True:
            storage.record_heartbeat(trial_id)
            if stop.wait(interval):
                return

    thread = threading.Thread(target=beat, name=f"heartbeat-{trial_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _pruning_callbacks(trial) -> tuple:
    """Report a Lightning model's logged ``val_loss`` after every epoch to the pruner."""
    from optuna_integration import PyTorchLightningPruningCallback

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (PyTorchLightningPruningCallback(trial, monitor="val_loss"),)
