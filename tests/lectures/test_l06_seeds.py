"""L06's multi-seed experiments: each repeat its own init, mean ± sd, and a claim on the means
that the seeds' spread cannot explain (issue 13)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from mldm.lectures import l06_neural_networks as l06


def test_mean_sd_is_the_sample_standard_deviation():
    s = l06.mean_sd([0.90, 0.92, 0.94])
    assert s["test_accuracy_mean"] == pytest.approx(0.92)
    assert s["test_accuracy_sd"] == pytest.approx(0.02)  # ddof 1; ddof 0 gives 0.0163


def test_separated_gap_needs_the_gap_to_clear_two_standard_errors():
    a = {"test_accuracy_mean": 0.90, "test_accuracy_sd": 0.01}
    wide = {"test_accuracy_mean": 0.95, "test_accuracy_sd": 0.01}
    close = {"test_accuracy_mean": 0.91, "test_accuracy_sd": 0.02}
    assert l06.separated_gap(a, wide, 3) == pytest.approx(0.05 - 2 * np.sqrt(2e-4 / 3))
    assert l06.separated_gap(a, close, 3) < 0 < 0.91 - 0.90  # ahead, but within the spread
    assert l06.separated_gap(wide, a, 3) < 0


def test_each_run_starts_from_its_own_seed():
    ctx = SimpleNamespace(seed=0)

    def init(run):
        l06._seeded(ctx, 3, 1, run=run)
        return torch.nn.Linear(4, 2).weight.detach().clone()

    assert torch.equal(init(0), init(0))
    assert not torch.equal(init(0), init(1))
    # run 0 is the single-seed experiment of before: seed (not seed + 0 of another key)
    torch.manual_seed(int(np.random.default_rng([0, 6, 3, 1]).integers(2**31)))
    before = torch.nn.Linear(4, 2).weight.detach().clone()
    assert torch.equal(init(0), before)
    assert l06.run_name("mnist_lenet", 0) == "mnist_lenet"
    assert l06.run_name("mnist_lenet", 2) == "mnist_lenet_seed2"


def test_params_ask_for_at_least_two_seeds():
    from pydantic import ValidationError

    assert l06.Params().reference.seeds == l06.Params().mnist.seeds == 3
    with pytest.raises(ValidationError):
        l06.Reference(lr=0.01, max_epochs=1, batch_size=10, seeds=1)
