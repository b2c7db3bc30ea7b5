"""Fixtures shared by the model tests."""

from __future__ import annotations

import pytest
import torch
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    # These problems are tiny: with 2 intra-op threads on 2 busy cores every torch/BLAS call
    # waits on a descheduled worker (measured: 100 GD epochs on digits 3 s -> 0.02 s).
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    torch.set_num_threads(n)
