"""Where a study lives: an RDB URL (several machines) or a journal file (one machine)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

from mldm import config as config_mod
from mldm.errors import MldmError

STORAGE_ENV = "MLDM_OPTUNA_STORAGE"
DEFAULT_STORAGE = "optuna.journal"
RDB_PREFIXES = ("sqlite:", "postgresql", "mysql", "oracle", "mssql")
# an RDB worker records a heartbeat this often while it runs a trial; a trial silent for twice
# as long belongs to a dead worker and is failed and re-queued (queue.requeue) by any worker
HEARTBEAT_S = 30


def storage_url(spec: config_mod.StudySpec, root: str | os.PathLike = ".") -> str:
    return os.environ.get(STORAGE_ENV) or spec.storage or str(Path(root) / DEFAULT_STORAGE)


def open_storage(url: str):
    """An Optuna storage for ``url`` (RDB URL or journal file); one-line error if unusable."""
    import optuna

    if url.startswith("postgresql://"):  # SQLAlchemy 2.1 would pick psycopg 3; we ship psycopg2
        url = "postgresql+psycopg2://" + url.removeprefix("postgresql://")
    try:
        if url.startswith(RDB_PREFIXES):
            from mldm.tuning.queue import requeue

            with warnings.catch_warnings():  # heartbeats are "experimental" in Optuna 5.0
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(
                    url,
                    engine_kwargs=_engine_kwargs(url),
                    heartbeat_interval=HEARTBEAT_S,
                    heartbeat_stale_trial_callback=requeue,
                )
        if "://" in url:
            raise ValueError("not an RDB URL (postgresql://, mysql://, sqlite:///) or a file")
        from optuna.storages.journal import JournalFileBackend, JournalStorage

        Path(url).parent.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(url))
    except Exception as e:  # sqlalchemy, drivers, file system ...
        reason = str(e).strip().splitlines()[0][:200] if str(e).strip() else type(e).__name__
        raise MldmError(f"Optuna storage '{url}' cannot be used: {reason}") from None


def _engine_kwargs(url: str) -> dict[str, Any]:
    if url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": 10}}
    if url.startswith("sqlite:"):
        return {"connect_args": {"timeout": 30}}
    return {}
