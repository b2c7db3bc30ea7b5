"""L06's multi-seed experiments: each repeat its own init, mean ± sd, and a claim on the means
that the seeds' spread cannot explain (issue 13)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mldm.lectures.base import Context
from mldm.lectures.l06_neural_networks.common import run_name
from mldm.lectures.l06_neural_networks.params import Params, Reference


def test_each_run_starts_from_its_own_seed(tmp_path):
    ctx = Context("l06_neural_networks", SimpleNamespace(seed=0), tmp_path, tmp_path)

    def init(run):
        ctx.seeded(3, 1, run=run)
        return torch.nn.Linear(4, 2).weight.detach().clone()

    assert torch.equal(init(0), init(0))
    assert not torch.equal(init(0), init(1))
    # run 0 is the single-seed experiment of before: seed (not seed + 0 of another key), and
    # the key is the one L06's private _seeded used: [seed + run, 6, *key]
    torch.manual_seed(int(np.random.default_rng([0, 6, 3, 1]).integers(2**31)))
    before = torch.nn.Linear(4, 2).weight.detach().clone()
    assert torch.equal(init(0), before)
    torch.manual_seed(int(np.random.default_rng([2, 6, 3, 1]).integers(2**31)))
    third = torch.nn.Linear(4, 2).weight.detach().clone()
    assert torch.equal(init(2), third)
    assert run_name("mnist_lenet", 0) == "mnist_lenet"
    assert run_name("mnist_lenet", 2) == "mnist_lenet_seed2"


def test_params_ask_for_at_least_two_seeds():
    from pydantic import ValidationError

    assert Params().reference.seeds == Params().mnist.seeds == 3
    with pytest.raises(ValidationError):
        Reference(lr=0.01, max_epochs=1, batch_size=10, seeds=1)
