"""What a notebook in ``notebooks/`` needs to explore one lecture's stage outputs.

``lecture = open_lecture("l04_model_selection")`` finds the repository (the folder holding
``dvc.yaml``, walking up from the working directory, so a notebook runs from ``notebooks/`` or
the root), makes it the working directory (the paths in ``params.yaml`` are relative to it),
and gives the lecture's params, prepared data, saved models, curves and metrics as the stages
wrote them (``artifacts/<lecture>/``, ``metrics/<lecture>.json``). :func:`slider` is the one
interactive control each notebook has: an ipywidgets slider over a hyperparameter; run
headless (nbclient, the tests) the function runs once with the default value.

Nothing here trains or evaluates: a notebook refits only small models from ``mldm.models``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

MARKER = "dvc.yaml"


def repo_root(start: str | os.PathLike | None = None) -> Path:
    """The nearest folder at or above ``start`` (the working directory) holding ``dvc.yaml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    raise FileNotFoundError(f"no {MARKER} in {here} or above: open the notebook inside the repo")


@dataclass
class Lecture:
    """One lecture's stage outputs, read from the repository at ``root``."""

    id: str
    root: Path

    @cached_property
    def module(self):
        from mldm import lectures

        return lectures.get(self.id)

    @property
    def title(self) -> str:
        return self.module.TITLE

    @property
    def lines(self) -> str:
        """The course-notes line range the lecture implements (``"896-1334"``)."""
        return self.module.LINES

    @cached_property
    def cfg(self):
        from mldm import config

        return config.load(self.root / "params.yaml", lectures=(self.id,))

    @property
    def params(self):
        """The lecture's validated params on the active profile."""
        return self.cfg.lecture(self.id)

    @property
    def profile(self) -> str:
        return self.cfg.profile

    @property
    def seed(self) -> int:
        """The course seed (params.yaml ``seed``), as the stages' ``ctx.seed``."""
        return self.cfg.seed

    @cached_property
    def context(self):
        """A :class:`~mldm.lectures.base.Context` reading this lecture's artifacts, for the
        lecture's own loaders (``ddpm.load(ctx, name)``); it writes nothing to the repo."""
        import tempfile

        from mldm.lectures.base import Context

        out = Path(tempfile.mkdtemp(prefix=f"mldm-{self.id}-"))
        return Context(self.id, self.cfg, out_dir=out, artifacts_dir=self.artifacts)

    @property
    def artifacts(self) -> Path:
        return self.root / "artifacts" / self.id

    def data(self, name: str):
        """A prepared dataset (:func:`mldm.data.load`)."""
        from mldm import data

        return data.load(name, self.root / self.cfg.data.root)

    def model(self, name: str):
        """A saved scikit-learn-API estimator (``artifacts/<lecture>/models/<name>``)."""
        return self.context.load_model(name)

    def module_weights(self, name: str, module):
        """Load the saved weights ``models/<name>.pt`` into ``module``; returned in eval mode."""
        return self.context.load_module(name, module)

    def curve(self, name: str):
        """A curve the stage saved (``artifacts/<lecture>/<name>.csv``) as a DataFrame."""
        import pandas as pd

        return pd.read_csv(self.artifacts / f"{name}.csv")

    @cached_property
    def metrics(self) -> dict[str, Any]:
        """``metrics/<lecture>.json``: the recorded numbers and the checked claims."""
        return json.loads((self.root / "metrics" / f"{self.id}.json").read_text())

    def claims(self) -> dict[str, bool]:
        """Each claim's id -> whether it passed on this profile."""
        return {k: bool(v.get("passed")) for k, v in self.metrics.get("claims", {}).items()}

    def notes(self, lines: str | None = None) -> str:
        """The course-notes text of ``lines`` (``"900-910"``; the lecture's range by default)."""
        first, last = (int(x) for x in (lines or self.lines).split("-"))
        text = (self.root / "course" / "course-notes.zh.txt").read_text(encoding="utf-8")
        return "\n".join(text.splitlines()[first - 1 : last])

    def summary(self) -> str:
        passed = self.claims()
        return (
            f"{self.id}: {self.title} (course notes lines {self.lines}); profile "
            f"{self.profile}; claims passed {sum(passed.values())}/{len(passed)}"
        )


def open_lecture(lecture_id: str, start: str | os.PathLike | None = None) -> Lecture:
    """The lecture's outputs in the repository found from ``start``; the working directory
    becomes the repository root."""
    root = repo_root(start)
    os.chdir(root)
    lecture = Lecture(lecture_id, root)
    lecture.module  # noqa: B018  (an unknown id fails here, not in a later cell)
    return lecture


HEADLESS = "MLDM_NOTEBOOK_HEADLESS"


def slider(fn: Callable[..., Any], name: str, values: Sequence[Any], value: Any):
    """``fn(name=value)`` under a slider over ``values`` (ipywidgets ``interact``); ``value``
    is the default, the one a headless run executes. An error in that first call is raised
    (``interact`` alone would only print it), so an executed notebook fails on it.

    With ``MLDM_NOTEBOOK_HEADLESS`` set (tests/test_notebooks.py sets it) the slider is built
    and ``fn`` is called once with the default, its output going straight to the cell: with no
    frontend, ipywidgets' output capture can leave the executor waiting for the cell to end."""
    import functools

    import ipywidgets as widgets

    values = list(values)
    if value not in values:
        raise ValueError(f"default {value!r} is not one of {values}")
    control = widgets.SelectionSlider(
        options=values, value=value, description=name, continuous_update=False
    )
    if os.environ.get(HEADLESS):
        fn(**{name: value})
        return control
    errors: list[BaseException] = []

    @functools.wraps(fn)
    def guarded(**kwargs):
        try:
            return fn(**kwargs)
        except Exception as err:
            errors.append(err)
            raise

    shown = widgets.interact(guarded, **{name: control})
    if errors:
        raise errors[0]
    return shown


def notebooks(root: str | os.PathLike) -> dict[str, Path]:
    """lecture id -> its notebook source ``notebooks/<lecture>.py`` under ``root``."""
    return {p.stem: p for p in sorted(Path(root, "notebooks").glob("l*.py"))}


def execute(path: str | os.PathLike, timeout: int = 600, env: dict[str, str] | None = None):
    """Run the notebook ``path`` (its jupytext ``.py``) top to bottom in a fresh ``python3``
    kernel started in its folder, headless (:data:`HEADLESS`); returns the executed notebook.
    A failing cell raises ``nbclient.exceptions.CellExecutionError``."""
    import jupytext
    import nbclient

    path = Path(path)
    nb = jupytext.read(path)
    kernel_env = {**os.environ, **(env or {}), HEADLESS: "1"}
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=kernel_env)
    return nb
