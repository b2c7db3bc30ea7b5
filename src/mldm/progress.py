"""What a long stage shows while it runs.

In a terminal: a bar of the lecture's models done of N (N is the count of the stage's last run,
kept beside its outputs as ``runs.json``), and Lightning's epoch bar under it. Not in a terminal
(CI logs, ``dvc repro > log``): one line per model, with its time, and no bars.
``runtime.progress`` in params.yaml picks: ``auto`` (by whether stderr is a terminal),
``bar``, ``lines`` or ``off``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Literal

from mldm.io import read_json

Mode = Literal["bar", "lines", "off"]
MANIFEST = "runs.json"


def resolve(setting: str, stream=None) -> Mode:
    """``auto`` -> ``bar`` when ``stream`` (stderr) is a terminal, else ``lines``."""
    if setting != "auto":
        return setting  # type: ignore[return-value]
    stream = sys.stderr if stream is None else stream
    return "bar" if getattr(stream, "isatty", lambda: False)() else "lines"


def previous_count(out_dir: Path) -> int | None:
    """How many models the stage's last run trained (its ``runs.json``), if it ran before."""
    path = Path(out_dir) / MANIFEST
    try:
        return len(read_json(path)["runs"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


class ModelProgress:
    """Counts the models (or trials) a stage has finished and shows them as :func:`resolve`
    says."""

    def __init__(
        self, label: str, mode: Mode, total: int | None = None, stream=None, unit: str = "model"
    ):
        self.label, self.mode, self.total = label, mode, total
        self.stream = sys.stderr if stream is None else stream
        self.names: list[str] = []
        self._last = time.perf_counter()
        self._bar = None
        if mode == "bar":
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=label, unit=unit, file=self.stream, leave=True)

    def done(self, name: str, seconds: float | None = None) -> None:
        """``name`` finished, in ``seconds`` (default: since the last one finished)."""
        now = time.perf_counter()
        seconds, self._last = (now - self._last if seconds is None else seconds), now
        self.names.append(name)
        if self._bar is not None:
            self._bar.set_postfix_str(name, refresh=False)
            self._bar.update(1)
        elif self.mode == "lines":
            of = f"/{self.total}" if self.total else ""
            print(f"{self.label} [{len(self.names)}{of}] {name}: {seconds:.1f} s", file=self.stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
