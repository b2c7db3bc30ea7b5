"""params.yaml -> one validated, frozen :class:`Config`.

``params.yaml`` holds the ``default`` values; ``profiles.smoke`` and ``profiles.full`` are
overlays merged on top (OmegaConf: nested mappings merge, anything else is replaced) when
``profile:`` names them. Every block is a pydantic model with ``extra="forbid"``, so a
mistyped key, a wrong type, or a value out of range stops a stage with one line that names
the key (:class:`mldm.errors.MldmError`).

Each lecture declares its own block as ``Params`` in ``mldm.lectures.lNN_*``; this module
only assembles them, and only those a caller asks for: a stage of lecture 5 validates and
imports lecture 5, not the course (``load(path, lectures=("l05_svm",))``).

An edit to a base value that the active overlay also sets would be silently overridden
(``dvc exp run -S lectures.l05_svm.C=10`` under ``profile: smoke`` when the smoke overlay
sets ``C``). :func:`load` refuses it with one line naming the overlay key to set instead;
"an edit" is a difference from the experiment's baseline commit (``DVC_EXP_BASELINE_REV``,
else ``HEAD``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import subprocess
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)

from mldm.errors import MldmError

PROFILES = ("smoke", "default", "full")
DEFAULT_PARAMS = Path("params.yaml")


class Strict(BaseModel):
    """Base of every params block: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LectureParams(Strict):
    """Base of a lecture's params block (``lectures.<lecture_id>``)."""


class Runtime(Strict):
    accelerator: Literal["cpu", "gpu", "cuda", "mps", "auto"] = "cpu"
    devices: int | Literal["auto"] = Field(1)
    strategy: Literal["auto", "ddp", "ddp_spawn"] = "auto"  # devices > 1: DDP (gloo on CPU)
    num_threads: int = Field(1, ge=1, le=256)
    deterministic: bool = True
    # auto: bars in a terminal, one line per model otherwise (mldm.progress)
    progress: Literal["auto", "bar", "lines", "off"] = "auto"
    # each trained model also logged in its MLflow flavour (a few s per stage)
    log_models: bool = True


class DataParams(Strict):
    root: str = "data/prepared"
    test_size: float = Field(0.25, gt=0.0, lt=1.0)
    # "embedded": only data that ships in installed packages (offline); "download": a dataset
    # with a downloadable full version (MNIST: 70,000 digits) fetches it (the full profile)
    source: Literal["embedded", "download"] = "embedded"


class SearchDim(Strict):
    """One dimension of a study's search space (``studies.<name>.space.<param>``)."""

    type: Literal["int", "float", "categorical"]
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = Field(None, gt=0)
    choices: list[str | int | float | bool] | None = None

    @model_validator(mode="after")
    def _check(self) -> SearchDim:
        if self.type == "categorical":
            if not self.choices:
                raise ValueError("a categorical dimension needs a non-empty 'choices' list")
            return self
        if self.low is None or self.high is None:
            raise ValueError(f"an {self.type} dimension needs 'low' and 'high'")
        if not self.low < self.high:
            raise ValueError(f"low must be < high (got {self.low} and {self.high})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log dimension needs low > 0 (got {self.low})")
        if self.log and self.step is not None:
            raise ValueError("'log' and 'step' cannot be combined")
        return self


class SamplerSpec(Strict):
    name: Literal["tpe", "random"] = "tpe"
    seed: int = Field(0, ge=0, le=2**32 - 1)
    n_startup_trials: int = Field(5, ge=0, description="random trials before TPE models")


class PrunerSpec(Strict):
    name: Literal["none", "median"] = "none"
    n_startup_trials: int = Field(3, ge=0, description="trials completed before pruning")
    n_warmup_steps: int = Field(0, ge=0, description="steps of a trial before it can be pruned")


class StudySpec(Strict):
    """An Optuna study (``studies.<name>``): what is tuned, over which space, how."""

    lecture: str
    model: str = Field(description="the lecture's tunable model = its params sub-block")
    metric: str
    direction: Literal["minimize", "maximize"]
    n_trials: int = Field(ge=1, le=10_000)
    workers: int = Field(1, ge=1, le=64, description="worker processes the stage runs")
    sampler: SamplerSpec = SamplerSpec()
    pruner: PrunerSpec = PrunerSpec()
    space: dict[str, SearchDim] = Field(min_length=1)
    storage: str | None = Field(
        None, description="RDB URL or journal file; default: $MLDM_OPTUNA_STORAGE or optuna.journal"
    )


class Config(Strict):
    """The resolved configuration of one run (profile overlay applied)."""

    profile: Literal["smoke", "default", "full"]
    seed: int = Field(ge=0, le=2**32 - 1)
    runtime: Runtime = Runtime()
    data: DataParams = DataParams()
    lectures: BaseModel
    studies: dict[str, StudySpec] = {}
    profiles: dict[str, Any] = {}

    def lecture(self, lecture_id: str) -> LectureParams:
        return getattr(self.lectures, lecture_id)

    def params_hash(self, lecture_id: str | None = None) -> str:
        """Short sha256 of the resolved params a run depends on (all, or one lecture's)."""
        block = self.model_dump(exclude={"profiles"})
        if lecture_id is not None:
            block = {k: block[k] for k in ("profile", "seed", "runtime", "data")}
            block["lecture"] = self.lecture(lecture_id).model_dump()
        blob = json.dumps(block, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]


@cache
def _config_model(lecture_ids: tuple[str, ...]) -> type[Config]:
    """The Config model with the params blocks of ``lecture_ids`` (their modules imported)."""
    from mldm import lectures

    fields = {lid: (lectures.get(lid).Params, lectures.get(lid).Params()) for lid in lecture_ids}
    lectures_model = create_model("Lectures", __base__=Strict, **fields)
    return create_model(
        "ResolvedConfig", __base__=Config, lectures=(lectures_model, lectures_model())
    )


def merge(base: dict, overlay: dict) -> dict:
    """``overlay`` on top of ``base`` (OmegaConf: mappings merge, other values are replaced)."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    try:
        merged = OmegaConf.merge(OmegaConf.create(base), OmegaConf.create(overlay))
    except OmegaConfBaseException as e:
        key = getattr(e, "full_key", "") or "?"
        raise MldmError(f"profile overlay key '{key}' does not fit the base params") from None
    return OmegaConf.to_container(merged)


def flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": 1}`` (lists are leaves)."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _lecture_ids(raw: dict, where: str = "") -> list[str]:
    """The lecture blocks named in ``raw``; an unknown one is a one-line error."""
    from mldm.lectures import IDS

    blocks = raw.get("lectures") or {}
    if not isinstance(blocks, dict):
        raise MldmError(f"params key '{where}lectures' must be a mapping of lecture blocks")
    for lid in blocks:
        if lid not in IDS:
            close = difflib.get_close_matches(str(lid), IDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise MldmError(f"unknown params key '{where}lectures.{lid}'{hint}")
    return list(blocks)


def _only(raw: dict, lecture_ids: Iterable[str]) -> dict:
    """``raw`` with only the lecture blocks of ``lecture_ids``."""
    keep = set(lecture_ids)
    blocks = raw.get("lectures") or {}
    return {**raw, "lectures": {k: v for k, v in blocks.items() if k in keep}}


def _one_line(err: ValidationError, model: type[BaseModel], prefix: str = "") -> str:
    first = err.errors()[0]
    loc = tuple(first["loc"])
    key = prefix + ".".join(str(p) for p in loc)
    more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
    if first["type"] == "extra_forbidden":
        hint = _did_you_mean(model, loc)
        return f"unknown params key '{key}'{hint}{more}"
    if first["type"] == "missing":
        return f"missing params key '{key}'{more}"
    got = first.get("input")
    got_text = "" if isinstance(got, dict) else f" (got {got!r})"
    return f"params key '{key}': {first['msg'].lower()}{got_text}{more}"


def _did_you_mean(model: type[BaseModel], loc: tuple) -> str:
    node: Any = model
    for part in loc[:-1]:
        field = getattr(node, "model_fields", {}).get(str(part))
        if field is None or not isinstance(field.annotation, type):
            return ""
        node = field.annotation
    names = list(getattr(node, "model_fields", {}))
    close = difflib.get_close_matches(str(loc[-1]), names, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def read_params(path: str | os.PathLike = DEFAULT_PARAMS) -> dict:
    path = Path(path)
    if not path.is_file():
        raise MldmError(f"params file '{path}' not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise MldmError(f"params file '{path}' is not valid YAML{where}") from None
    if not isinstance(raw, dict):
        raise MldmError(f"params file '{path}' must be a mapping of keys")
    return raw


def active_overlay(raw: dict) -> dict:
    """The overlay that ``profile:`` picks (``{}`` for default); unknown overlays are errors."""
    overlays = raw.get("profiles") or {}
    unknown = sorted(set(overlays) - set(PROFILES))
    if unknown:
        raise MldmError(f"unknown profile overlay 'profiles.{unknown[0]}' (expected smoke or full)")
    if overlays.get("default"):  # present, empty, so that dvc.yaml can name profiles.${profile}
        raise MldmError(
            "params key 'profiles.default' must be empty: the base values are the default"
        )
    profile = raw.get("profile", "default")
    overlay = (overlays.get(profile) or {}) if profile in ("smoke", "full") else {}
    if not isinstance(overlay, dict):
        raise MldmError(f"params key 'profiles.{profile}' must be a mapping")
    return overlay


def resolve(raw: dict, lectures: Iterable[str] | None = None) -> Config:
    """Validate the base params, apply the profile overlay, validate the result.

    ``lectures``: the lecture blocks to validate (and whose modules to import); all by
    default. The other blocks are left out of the returned Config.
    """
    ids = _lecture_ids(raw)
    overlay = active_overlay(raw)
    profile = raw.get("profile")
    _lecture_ids(overlay, where=f"profiles.{profile}.")
    wanted = tuple(ids if lectures is None else lectures)
    model = _config_model(wanted)
    try:
        base = model.model_validate(_only(raw, wanted))
    except ValidationError as e:
        raise MldmError(_one_line(e, model)) from None
    if base.profile == "default":
        return base
    try:
        return model.model_validate(merge(_only(raw, wanted), _only(overlay, wanted)))
    except ValidationError as e:
        raise MldmError(_one_line(e, model, prefix=f"profiles.{base.profile}.")) from None


def shadowed_edits(raw: dict, baseline: dict) -> list[tuple[str, str]]:
    """Base keys edited since ``baseline`` that the active overlay overrides:
    ``[(base_key, overlay_key)]``. Those edits would not be the values a stage runs with."""
    overlay = flatten(active_overlay(raw))
    if not overlay:
        return []
    now = flatten({k: v for k, v in raw.items() if k not in ("profile", "profiles")})
    then = flatten({k: v for k, v in baseline.items() if k not in ("profile", "profiles")})
    prefix = f"profiles.{raw.get('profile')}."
    out = []
    for key, value in now.items():
        if key in then and then[key] == value:
            continue
        # the overlay sets this key, or a mapping above it (which replaces it whole)
        hit = next((k for k in overlay if key == k or key.startswith(k + ".")), None)
        if hit is not None:
            out.append((key, prefix + hit))
    return out


def _baseline_params(path: Path) -> dict | None:
    """params.yaml as committed in the experiment's baseline (or HEAD); None outside git."""
    rev = os.environ.get("DVC_EXP_BASELINE_REV") or "HEAD"
    try:
        proc = subprocess.run(
            ["git", "show", f"{rev}:./{path.name}"],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    try:
        old = yaml.safe_load(proc.stdout)
    except yaml.YAMLError:
        return None
    return old if isinstance(old, dict) else None


def load(path: str | os.PathLike = DEFAULT_PARAMS, lectures: Iterable[str] | None = None) -> Config:
    """Read, merge and validate ``params.yaml``; raise :class:`MldmError` on any problem.

    ``lectures``: validate only these lecture blocks (a stage passes its own lecture).
    """
    path = Path(path)
    raw = read_params(path)
    baseline = _baseline_params(path)
    if baseline is not None:
        shadowed = shadowed_edits(raw, baseline)
        if shadowed:
            key, overlay_key = shadowed[0]
            raise MldmError(
                f"params key '{key}' was changed but the active profile "
                f"'{raw.get('profile')}' sets '{overlay_key}', which wins: set that key "
                f"instead (dvc exp run -S {overlay_key}=...)"
            )
    return resolve(raw, lectures)


def set_profile(profile: str, path: str | os.PathLike = DEFAULT_PARAMS) -> bool:
    """Rewrite the ``profile:`` line of params.yaml in place (comments kept); True if changed."""
    from mldm.io import write_text

    if profile not in PROFILES:
        raise MldmError(f"unknown profile '{profile}' (expected one of {', '.join(PROFILES)})")
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("profile:"):
            comment = line[line.index("#") :].rstrip("\n") if "#" in line else ""
            new = f"profile: {profile}" + (f"  {comment}" if comment else "") + "\n"
            if new == line:
                return False
            lines[i] = new
            write_text(path, "".join(lines))
            return True
    raise MldmError(f"params file '{path}' has no top-level 'profile:' line")


if __name__ == "__main__":  # python -m mldm.config set-profile smoke
    import sys

    from mldm.errors import run_cli

    def _main() -> None:
        if len(sys.argv) != 3 or sys.argv[1] != "set-profile":
            raise MldmError("usage: python -m mldm.config set-profile {smoke,default,full}")
        set_profile(sys.argv[2])
        load()  # fail now, not in the middle of dvc repro

    run_cli(_main)
