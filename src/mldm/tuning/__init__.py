"""Optuna studies declared in params.yaml (``studies.<name>``), run as ``tune@<name>``.

A study tunes one *tunable model* of a lecture: the lecture exports
``TUNABLE = {"<block>": Tunable(objective, reads=(...))}``, where ``<block>`` is a sub-block
of its params (for L04, ``lectures.l04_model_selection.poly_ridge``),
``objective(ctx, block) -> metrics`` trains and scores that model with the trial's values in
the block, and ``reads`` names the other keys of the lecture block the objective reads
(``ctx.lecture`` shows it only those). The study names which returned metric to optimize, the
search space (a subset of the block's fields), the trial budget, the seeded sampler and the
pruner. Lectures never import Optuna: an objective reports intermediate values with
``ctx.report(value, step)``, and a Lightning-trained model is pruned on its logged
``val_loss`` by a callback installed in every trainer.

How trials are run, so that the budget is exact and a killed study resumes:

1. **Prepare** (once, before any worker; the stage does it; :mod:`.queue`): create or load the
   study with ``load_if_exists``. Its storage name (:func:`study_name`) carries a hash of
   :func:`study_params` (space, budget, sampler, pruner, the tuned block and the lecture keys
   the objective reads, profile, seed, data), of the prepared datasets and of the ``mldm``
   source code the objective runs (:mod:`.identity`), so changing any of them starts a fresh
   study that runs the whole budget, and rerunning the same one resumes it. Trials left
   RUNNING by a killed worker are marked FAIL and their parameters re-queued; then the queue
   is topped up with WAITING trials (``study.enqueue_trial``) so that finished + queued =
   ``n_trials``. Trial 0 is the lecture's default parameters, so the study shows tuned
   against default.
2. **Work** (any number of processes, on any machines sharing the storage): pop a WAITING
   trial (an atomic state change in the storage, so no two workers get the same trial),
   sample the rest of its parameters, run the objective, tell the result. A worker stops
   when the queue is empty; it never creates trials, so the budget cannot be overrun.
   On an RDB storage a worker records a heartbeat while it holds a trial, and every worker
   (and the stage, while it waits for ``--join`` workers) fails and re-queues the trials of
   workers whose heartbeat stopped, so a dead remote worker's trial is retried at once.
   Each trial samples with ``seed + trial.number`` (a retry: the number of the trial it
   repeats): its parameters depend only on the finished trials before it, so a
   single-worker study is deterministic and a resumed one follows the same path as an
   uninterrupted one.
3. **Write** ``tuning/<study>/best.json`` (best and default trials, the ``dvc exp run -S``
   line that applies the best parameters), ``trials.csv`` and Optuna's standard plots
   (:mod:`.outputs`).

Storage (:mod:`.storage`): ``studies.<name>.storage`` or ``$MLDM_OPTUNA_STORAGE``, else an
embedded journal file (``optuna.journal``; Optuna's file storage for several processes on one
machine). Any RDB URL (``postgresql://...``) works for workers on several machines; its row
locks make the queue pop atomic. A plain ``sqlite:///`` URL is accepted but is only safe for
one worker (SQLite has no row locks, so two workers can pop the same trial).

Every trial is an MLflow run nested under the stage's run (params, value, all returned
metrics, the intermediate curve; :mod:`.logger`). Modules: :mod:`.spec` (definition),
:mod:`.identity` (code hash, study name), :mod:`.storage`, :mod:`.queue` (prepare/work),
:mod:`.logger`, :mod:`.outputs`, :mod:`.stage` (``tune@``, ``--join``, ``apply``),
:mod:`.cli`.
"""

from mldm._lazy import attributes

# a lecture declaring its Tunable imports .spec only, not Optuna
_LAZY = {
    "apply_args": "mldm.tuning.stage",
    "cli": "mldm.tuning.cli",
    "code_hash": "mldm.tuning.identity",
    "dataset_hashes": "mldm.tuning.stage",
    "DEFAULT_STORAGE": "mldm.tuning.storage",
    "join": "mldm.tuning.stage",
    "KILLED": "mldm.tuning.queue",
    "make_pruner": "mldm.tuning.queue",
    "make_sampler": "mldm.tuning.queue",
    "open_storage": "mldm.tuning.storage",
    "OUT_ROOT": "mldm.tuning.stage",
    "prepare": "mldm.tuning.queue",
    "resolve_study": "mldm.tuning.spec",
    "RETRY_OF": "mldm.tuning.queue",
    "run_stage": "mldm.tuning.stage",
    "source_files": "mldm.tuning.identity",
    "STORAGE_ENV": "mldm.tuning.storage",
    "storage_url": "mldm.tuning.storage",
    "Study": "mldm.tuning.spec",
    "study_name": "mldm.tuning.identity",
    "study_params": "mldm.tuning.spec",
    "suggest": "mldm.tuning.queue",
    "summary": "mldm.tuning.outputs",
    "TrialContext": "mldm.tuning.queue",
    "TrialLogger": "mldm.tuning.logger",
    "trials_table": "mldm.tuning.outputs",
    "Tunable": "mldm.tuning.tunable",
    "work": "mldm.tuning.queue",
    "write_outputs": "mldm.tuning.outputs",
}
__getattr__, __dir__ = attributes(__name__, _LAZY)
__all__ = sorted(_LAZY)
