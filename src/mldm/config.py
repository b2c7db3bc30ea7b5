"""params.yaml -> one validated, frozen :class:`Config`.

``params.yaml`` holds the ``default`` values; ``profiles.smoke`` and ``profiles.full`` are
overlays deep-merged on top when ``profile:`` names them. Every block is a pydantic model
with ``extra="forbid"``, so a mistyped key, a wrong type, or a value out of range stops a
stage with one line that names the key (:class:`mldm.errors.MldmError`).

Each lecture declares its own block as ``Params`` in ``mldm.lectures.lNN_*``; this module
only assembles them.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
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
    progress_bar: bool = False


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
def _config_model() -> type[Config]:
    from mldm import lectures

    fields = {lid: (lectures.get(lid).Params, lectures.get(lid).Params()) for lid in lectures.IDS}
    lectures_model = create_model("Lectures", __base__=Strict, **fields)
    return create_model(
        "ResolvedConfig", __base__=Config, lectures=(lectures_model, lectures_model())
    )


def deep_merge(base: dict, overlay: dict) -> dict:
    """``overlay`` on top of ``base``; nested dicts merge, everything else is replaced."""
    out = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


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


def resolve(raw: dict) -> Config:
    """Validate the base params, apply the profile overlay, validate the result."""
    model = _config_model()
    try:
        base = model.model_validate(raw)
    except ValidationError as e:
        raise MldmError(_one_line(e, model)) from None
    overlays = raw.get("profiles") or {}
    unknown = sorted(set(overlays) - {"smoke", "full"})
    if unknown:
        raise MldmError(f"unknown profile overlay 'profiles.{unknown[0]}' (expected smoke or full)")
    if base.profile == "default":
        return base
    overlay = overlays.get(base.profile) or {}
    try:
        return model.model_validate(deep_merge(raw, overlay))
    except ValidationError as e:
        raise MldmError(_one_line(e, model, prefix=f"profiles.{base.profile}.")) from None


def load(path: str | os.PathLike = DEFAULT_PARAMS) -> Config:
    """Read, merge and validate ``params.yaml``; raise :class:`MldmError` on any problem."""
    return resolve(read_params(path))


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
