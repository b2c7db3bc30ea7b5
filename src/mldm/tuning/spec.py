"""A study's definition: ``studies.<name>`` checked against its lecture's tunable model.

:func:`study_params` is everything in params.yaml a study's trials depend on (the study spec,
the tuned block, the lecture keys its objective declares it reads, profile, seed, data); the
study's identity hashes it, and DVC can depend on exactly these values."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from mldm import config as config_mod
from mldm import lectures
from mldm.errors import MldmError
from mldm.tuning.tunable import Tunable


@dataclass(frozen=True)
class Study:
    """A validated study definition, bound to its lecture's tunable model."""

    name: str
    spec: config_mod.StudySpec
    cfg: config_mod.Config
    tunable: Tunable
    block: Any  # the lecture's params sub-block (pydantic) holding the default values

    @property
    def objective(self) -> Callable[..., dict[str, float]]:
        return self.tunable.objective

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: getattr(self.block, k) for k in self.spec.space}

    @property
    def lecture_view(self) -> SimpleNamespace:
        """The lecture keys the objective declared (``ctx.lecture``); nothing else."""
        lecture = self.cfg.lecture(self.spec.lecture)
        return _ReadView(self.target, {k: getattr(lecture, k) for k in self.tunable.reads})

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
        """Hash of :func:`study_params`, the prepared data and the code the trials run."""
        from mldm.tuning.identity import code_hash

        blob = {
            "params": study_params(self.cfg, self.name),
            "datasets": dataset_hashes,
            "code": code_hash(self.spec.lecture),
        }
        return hashlib.sha256(json.dumps(blob, sort_keys=True).encode()).hexdigest()[:10]


class _ReadView(SimpleNamespace):
    """Attribute access to the declared keys; any other key is a one-line error."""

    def __init__(self, target: str, values: dict[str, Any]):
        super().__init__(**values)
        object.__setattr__(self, "_target", target)

    def __getattr__(self, key: str):
        raise MldmError(
            f"the objective of {self.__dict__['_target']} reads lecture key '{key}' that its "
            f"Tunable(reads=...) does not declare"
        )


def study_params(cfg: config_mod.Config, name: str) -> dict[str, Any]:
    """The params a study's trials depend on, as plain JSON: the study spec without
    ``storage``/``workers`` (where and how fast it runs changes no result), the tuned block,
    the lecture keys its objective reads, profile, seed and the data block."""
    study = resolve_study(cfg, name)
    lecture = cfg.lecture(study.spec.lecture)
    return {
        "spec": study.spec.model_dump(mode="json", exclude={"storage", "workers"}),
        "model": study.block.model_dump(mode="json"),
        "reads": {k: _plain(getattr(lecture, k)) for k in study.tunable.reads},
        "profile": cfg.profile,
        "seed": cfg.seed,
        "data": cfg.data.model_dump(mode="json"),
    }


def _plain(value: Any) -> Any:
    from pydantic_core import to_jsonable_python

    return to_jsonable_python(value)


def _tunable(module, where: str, model: str) -> Tunable:
    found = getattr(module, "TUNABLE", {})[model]
    if isinstance(found, Tunable):
        unknown = [k for k in found.reads if k not in module.Params.model_fields]
        if unknown:
            raise MldmError(f"{where}: TUNABLE['{model}'] reads unknown lecture keys {unknown}")
        return found
    raise MldmError(f"{where}: TUNABLE['{model}'] is not a mldm.tuning.Tunable")


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
    module = lectures.get(spec.lecture)
    tunable = getattr(module, "TUNABLE", {})
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
    study = Study(name, spec, cfg, _tunable(module, f"lecture '{spec.lecture}'", spec.model), block)
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
