"""Shared fixtures: the repository root, a smoke-profile config, prepared data in a temp dir."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DVC_NO_ANALYTICS", "1")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def params_file(tmp_path) -> Path:
    """A copy of the real params.yaml, switched to the smoke profile."""
    from mldm.config import set_profile

    path = tmp_path / "params.yaml"
    shutil.copyfile(ROOT / "params.yaml", path)
    set_profile("smoke", path)
    return path


@pytest.fixture(scope="session")
def prepared_root(tmp_path_factory) -> Path:
    """Every registered dataset prepared once per session (the prepare stage's code)."""
    from mldm.data import DATASETS, prepare

    out = tmp_path_factory.mktemp("prepared")
    for name in DATASETS:
        prepare(name, out, seed=0, test_size=0.25)
    return out


@pytest.fixture(scope="module")
def one_thread():
    """One torch/BLAS thread: these problems are tiny, and with 2 intra-op threads on 2 busy
    cores every call waits on a descheduled worker (100 GD epochs on digits: 3 s -> 0.02 s)."""
    import torch
    from threadpoolctl import threadpool_limits

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    torch.set_num_threads(n)
