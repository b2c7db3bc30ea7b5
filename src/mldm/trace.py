"""What a run really imported and read, for the test that keeps DVC's dependencies exact.

With ``MLDM_TRACE=<dir>`` set, :func:`mldm.errors.run_cli` calls :func:`trace_to`, and at
exit the stage writes ``<dir>/<stage>.<pid>.json``: the ``mldm`` files in ``sys.modules`` and
the prepared sets :func:`mldm.data.load` read. :func:`mldm.stages.check_traces` (run by the
smoke end-to-end test) checks both against the stage's manifests. Kept apart from
:mod:`mldm.dependencies` so that every stage imports only these few lines.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
from pathlib import Path

_datasets: set[str] = set()


def note_dataset(name: str) -> None:
    """Called by :func:`mldm.data.load` for each prepared set this process reads."""
    _datasets.add(name)


def trace_to(directory: str | os.PathLike, stage: str) -> None:
    """At exit, write ``<directory>/<stage>.<pid>.json`` with the imported ``mldm`` files and the
    prepared sets read."""
    package = Path(__file__).resolve().parent

    def dump() -> None:
        files = sorted(
            {
                str(Path(m.__file__).resolve())
                for m in list(sys.modules.values())
                if getattr(m, "__file__", None)
                and Path(m.__file__).resolve().is_relative_to(package)
            }
        )
        path = Path(directory) / f"{stage}.{os.getpid()}.json"  # a study's workers too
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"files": files, "datasets": sorted(_datasets)}, indent=1))

    atexit.register(dump)
