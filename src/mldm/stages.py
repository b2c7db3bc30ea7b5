"""The DVC stages, and exactly what each one reads: resolved params, code, prepared data.

dvc.yaml's ``foreach`` stages cannot list a different set of files per item, and a stage that
depended on all of ``src/`` or ``data/prepared`` would rerun the whole course for a one-line
change in one lecture. So each stage depends on three small files written by two cheap stages
(no torch, well under a second of work):

``resolve`` (reads params.yaml and the code) writes
    ``resolved/params/<stage>.json``: the params the stage runs with after the profile overlay
    is merged (a lecture's block; a study's :func:`mldm.tuning.study_params`, the values its
    objective reads), so editing an overlay that is not active, or a lecture key no objective
    reads, changes nothing a stage depends on. A file dependency, not DVC ``params:``: DVC
    would copy every stage's values into dvc.lock, and it re-parses and rewrites the whole
    lock (pure-Python YAML) after each stage; with the values in the lock a smoke run spent
    0.5 s more per stage in DVC (benchmarks/results.json ``pipeline_smoke``). ``resolve``'s own
    ``params:`` keep the raw values of params.yaml for ``dvc params diff`` and ``dvc exp show``;
    ``resolved/code/<stage>.json``: the sha256 of every file the stage may run, the static
    import closure of its entry point (:mod:`mldm.dependencies`);
``resolve_data`` (reads the prepared sets) writes
    ``resolved/data/<stage>.json``: the content hash of each prepared set the stage reads.

What a run really imported and read is recorded under ``MLDM_TRACE`` and checked against these
manifests by the smoke end-to-end test (tests/test_pipeline.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mldm import config, dependencies
from mldm.errors import MldmError
from mldm.io import read_json, write_json

RESOLVED = Path("resolved")
SCRIPTS = Path("pipelines")
LECTURE_STAGES = ("train", "evaluate")


def stage_names(cfg: config.Config) -> list[str]:
    """Every stage of the pipeline for a fully loaded ``cfg``, as DVC names them."""
    from mldm import lectures
    from mldm.data import DATASETS

    return [
        *(f"prepare@{d}" for d in DATASETS),
        *(f"{kind}@{lid}" for kind in LECTURE_STAGES for lid in lectures.IDS),
        *(f"tune@{s}" for s in cfg.studies),
        "report",
    ]


def entry_points(stage: str, cfg: config.Config, root: Path = Path(".")) -> tuple[tuple, tuple]:
    """``(modules, scripts)`` a stage starts from: its script in pipelines/, plus the modules
    it imports by a name computed at run time (a lecture, a study's lecture)."""
    from mldm import lectures

    kind, _, item = stage.partition("@")
    script = root / SCRIPTS / f"{kind}.py"
    if kind == "prepare":
        return (), (script,)
    if kind in LECTURE_STAGES:
        return (f"mldm.lectures.{item}",), (script,)
    if kind == "tune":
        return (f"mldm.lectures.{cfg.studies[item].lecture}",), (script,)
    if kind == "report":  # titles and line ranges of every lecture
        return tuple(f"mldm.lectures.{lid}" for lid in lectures.IDS), (script,)
    raise MldmError(f"unknown stage '{stage}'")


def datasets(stage: str, cfg: config.Config) -> tuple[str, ...]:
    """The prepared sets a stage reads (a prepare stage writes, not reads, its set)."""
    from mldm import lectures

    kind, _, item = stage.partition("@")
    if kind in LECTURE_STAGES:
        return tuple(lectures.datasets(item, cfg.lecture(item)))
    if kind == "tune":
        lid = cfg.studies[item].lecture
        return tuple(lectures.datasets(lid, cfg.lecture(lid)))
    return ()


def stage_params(stage: str, cfg: config.Config) -> dict[str, Any]:
    """The merged values ``stage`` runs with: nothing it does not read, so that editing
    another lecture, another study or an inactive overlay leaves its file byte-identical."""
    from mldm.tuning.spec import study_params

    kind, _, item = stage.partition("@")
    if kind == "prepare":
        return {"seed": cfg.seed, "data": cfg.data.model_dump(mode="json")}
    runtime = cfg.runtime.model_dump(mode="json")
    if kind in LECTURE_STAGES:
        block = cfg.lecture(item).model_dump(mode="json")
        return {"profile": cfg.profile, "seed": cfg.seed, "runtime": runtime, "lecture": block}
    if kind == "tune":
        return {"runtime": runtime, "study": study_params(cfg, item)}
    if kind == "report":
        return {"profile": cfg.profile, "seed": cfg.seed}
    raise MldmError(f"unknown stage '{stage}'")


def write_resolved(params_path: str | Path = "params.yaml", root: str | Path = ".") -> Path:
    """Stage ``resolve``: ``resolved/params/<stage>.json`` and ``resolved/code/<stage>.json``."""
    root = Path(root)
    cfg = config.load(params_path)
    out = root / RESOLVED
    code, params = out / "code", out / "params"
    for stage in stage_names(cfg):
        write_json(params / f"{stage}.json", stage_params(stage, cfg))
        modules, scripts = entry_points(stage, cfg, root)
        manifest = {
            "stage": stage,
            "datasets": list(datasets(stage, cfg)),
            "files": dependencies.manifest(dependencies.find(modules, scripts), root.resolve()),
        }
        write_json(code / f"{stage}.json", manifest)
    for folder in (code, params):
        _remove_stale(folder, {f"{s}.json" for s in stage_names(cfg)})
    return out


def write_data_manifests(root: str | Path = ".", data_root: str | Path | None = None) -> Path:
    """Stage ``resolve_data``: ``resolved/data/<stage>.json``, the content hash of each
    prepared set the stage reads (from the ``meta.json`` prepare wrote)."""
    root = Path(root)
    data_root = Path(data_root) if data_root else root / "data" / "prepared"
    out = root / RESOLVED / "data"
    names = set()
    for path in sorted((root / RESOLVED / "code").glob("*.json")):
        manifest = read_json(path)
        hashes = {}
        for name in manifest["datasets"]:
            meta = data_root / name / "meta.json"
            if not meta.is_file():
                raise MldmError(
                    f"dataset '{name}' is not prepared in '{meta.parent}' "
                    f"(run: dvc repro prepare@{name})"
                )
            hashes[name] = read_json(meta).get("content_hash", "unavailable")
        write_json(out / path.name, {"stage": manifest["stage"], "datasets": hashes})
        names.add(path.name)
    _remove_stale(out, names)
    return out


def _remove_stale(folder: Path, keep: set[str]) -> None:
    for path in folder.glob("*.json"):
        if path.name not in keep:
            path.unlink()


def check_traces(trace_dir: str | Path, root: str | Path = ".") -> tuple[set[str], list[str]]:
    """Check what stages really imported and read (``MLDM_TRACE``, :mod:`mldm.trace`) against
    their manifests: ``(stages checked, one line per file or set a manifest lacks)``."""
    root = Path(root).resolve()
    checked, problems = set(), []
    for path in sorted(Path(trace_dir).glob("*.json")):
        stage = path.name.rsplit(".", 2)[0]
        if stage == "resolve":
            continue  # depends on all of src/ and pipelines/ by definition
        trace = read_json(path)
        manifest = read_json(root / RESOLVED / "code" / f"{stage}.json")
        imported = {dependencies.file_key(Path(f), root) for f in trace["files"]}
        problems += [f"{stage} imported {f}" for f in sorted(imported - set(manifest["files"]))]
        unread = sorted(set(trace["datasets"]) - set(manifest["datasets"]))
        problems += [f"{stage} read prepared set {d}" for d in unread]
        checked.add(stage)
    return checked, problems
