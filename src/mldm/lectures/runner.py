"""Run one lecture stage (``train`` or ``evaluate``) as DVC calls it.

Writes are atomic: ``artifacts/<lecture>/`` and ``plots/<lecture>/`` are built in a
temporary directory and swapped in only when the lecture code returns; ``metrics/<lecture>.json``
is written last, by rename.
"""

from __future__ import annotations

import time
from pathlib import Path

from mldm import config, lectures, progress
from mldm.data import prepared
from mldm.errors import MldmError
from mldm.io import atomic_dir, write_json

STAGES = ("train", "evaluate")


def dataset_hashes(cfg: config.Config, names) -> dict[str, str]:
    return {name: prepared.load(name, cfg.data.root).meta["content_hash"][:12] for name in names}


def run_stage(
    stage: str, lecture_id: str, params_path: str = "params.yaml", root: str | Path = "."
) -> Path:
    if stage not in STAGES:
        raise MldmError(f"unknown stage '{stage}' (expected one of {', '.join(STAGES)})")
    cfg = config.load(params_path, lectures=(lecture_id,))
    module = lectures.get(lecture_id)
    root = Path(root)
    # fails early if data is missing
    hashes = dataset_hashes(cfg, lectures.datasets(lecture_id, cfg.lecture(lecture_id)))
    artifacts = root / "artifacts" / lecture_id
    if stage == "evaluate" and not artifacts.is_dir():
        raise MldmError(
            f"no artifacts for '{lecture_id}' in '{artifacts}' (run: dvc repro train@{lecture_id})"
        )
    # heavy imports (Lightning, MLflow) only once the inputs are known to be good
    from mldm import tracking
    from mldm.lectures.base import Context
    from mldm.models import convergence
    from mldm.training import seed_everything, trainer_defaults

    seed_everything(cfg.seed, cfg.runtime.num_threads)
    tags = {
        "profile": cfg.profile,
        "params_hash": cfg.params_hash(lecture_id),
        "dataset_hash": ",".join(f"{k}:{v}" for k, v in hashes.items()),
        "lecture": lecture_id,
    }
    started = time.perf_counter()
    out = artifacts if stage == "train" else root / "plots" / lecture_id
    mode = progress.resolve(cfg.runtime.progress)
    shown = progress.ModelProgress(f"{stage}@{lecture_id}", mode, progress.previous_count(out))
    with (
        tracking.stage_run(
            lecture_id,
            f"{stage}@{lecture_id}",
            tags,
            params=cfg.lecture(lecture_id).model_dump(),
            root=root,
            log_models=cfg.runtime.log_models,
        ) as tracker,
        trainer_defaults(
            accelerator=cfg.runtime.accelerator,
            devices=cfg.runtime.devices,
            strategy=cfg.runtime.strategy,
            deterministic=cfg.runtime.deterministic,
            progress_bar=mode == "bar",
            logger_factory=tracker.lightning_logger,
        ),
    ):
        with atomic_dir(out) as tmp:
            ctx = Context(
                lecture_id, cfg, out_dir=tmp, artifacts_dir=artifacts, tracker=tracker,
                progress=shown,
            )  # fmt: skip
            try:
                with convergence.summarized():  # one line per estimator, not one per fit
                    getattr(module, stage)(ctx)
            finally:
                shown.close()
            # the runs in order: what the next run's progress counts to
            write_json(tmp / progress.MANIFEST, {"runs": shown.names})
        if stage == "evaluate":
            metrics = dict(ctx.metrics)
            metrics["claims"] = module.CLAIMS.results(ctx.measured)
            if ctx.worked_example:
                metrics["worked_example"] = ctx.worked_example
            path = root / "metrics" / f"{lecture_id}.json"
            write_json(path, metrics)
            claims = metrics["claims"].values()
            tracker.log_metrics(
                {"claims_passed": sum(c["passed"] for c in claims), "claims_total": len(claims)}
            )
            tracker.log_artifact(path)
        tracker.log_metrics({"stage_seconds": time.perf_counter() - started})
    return out


def cli(stage: str) -> None:
    """``python pipelines/<stage>.py <lecture> [--params params.yaml]``."""
    import argparse

    from mldm.errors import run_cli

    parser = argparse.ArgumentParser(prog=f"{stage}.py", description=f"DVC stage {stage}@<lecture>")
    parser.add_argument("lecture", help=f"lecture id, one of: {', '.join(lectures.IDS)}")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args()

    def main() -> None:
        out = run_stage(stage, args.lecture, args.params)
        print(f"{stage}@{args.lecture}: wrote {out}")

    run_cli(main)
