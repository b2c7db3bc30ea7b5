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
- A killed worker's RUNNING trial is failed and re-queued by :func:`prepare`.
  ``optuna.storages.RetryFailedTrialCallback`` needs heartbeats, which only ``RDBStorage``
  implements (Optuna 5.0's ``JournalStorage`` is not a ``BaseHeartbeat``), and it retries
  in a new trial appended after the others, so the retry would not sample as the killed
  trial would have: a resumed study would not follow the uninterrupted one's path.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mldm import config as config_mod
from mldm.errors import MldmError

if TYPE_CHECKING:
    from mldm.tuning.logger import TrialLogger
    from mldm.tuning.spec import Study

RETRY_OF = "retry_of"
KILLED = "killed"


def _trial_id(storage, storage_name: str, number: int) -> int:
    study_id = storage.get_study_id_from_name(storage_name)
    return storage.get_trial_id_from_study_id_trial_number(study_id, number)


# --- prepare: create once, fail stale trials, fill the queue ---------------------------------
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
            storage.set_trial_user_attr(_trial_id(storage, storage_name, t.number), KILLED, True)
            ostudy.tell(t.number, state=TrialState.FAIL)
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
    """What an objective gets: data, the lecture keys it declared, the seed, and ``report``."""

    cfg: config_mod.Config
    lecture_id: str
    trial: Any  # optuna.Trial
    lecture: Any = None  # the declared keys of the lecture block (Study.lecture_view)

    @property
    def seed(self) -> int:
        return self.cfg.seed

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
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

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
    from optuna.trial import TrialState

    from mldm.training import trainer_defaults

    spec = study.spec
    ostudy = optuna.load_study(study_name=storage_name, storage=storage)
    ostudy.pruner = make_pruner(spec)
    done = 0
    while (claimed := _pop(ostudy, storage, storage_name)) is not None:
        frozen, trial_id = claimed
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
