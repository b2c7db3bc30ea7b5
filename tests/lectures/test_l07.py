"""L07 helpers: the trajectory comparison, the deep nets, the tuning protocol."""

from __future__ import annotations

import dataclasses
import types

import numpy as np
import pytest
import torch

from mldm.lectures.l07_training.optimizers import trajectory
from mldm.lectures.l07_training.params import TunedMLP
from mldm.lectures.l07_training.tuning import tuned_mlp_objective
from mldm.training.optim import Momentum

pytestmark = pytest.mark.usefixtures("one_thread")


def test_trajectory_is_zero_for_the_same_rule_and_catches_a_different_one():
    same = trajectory(
        lambda ps: Momentum(ps, lr=0.01, rho=0.9),
        lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9),
        30,
        0,
    )
    assert same < 1e-12
    # torch's default dampening=0 is the slide's rule; dampening 0.1 is not
    other = trajectory(
        lambda ps: Momentum(ps, lr=0.01, rho=0.9),
        lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9, dampening=0.1),
        30,
        0,
    )
    assert other > 1e-6


def test_tuning_objective_never_reads_the_test_split(prepared_root, monkeypatch):
    from mldm.data import load

    d = load("mnist1d", prepared_root)
    poisoned = dataclasses.replace(d, X_test=np.full_like(d.X_test, np.nan))
    from mldm.training import seed_model

    ctx = types.SimpleNamespace(
        seed=0, data=lambda name: poisoned, seeded=lambda *k: seed_model(0, "l07_training", *k)
    )
    params = TunedMLP(lr=0.05, batch_size=200, max_epochs=2, hidden=16, val_fraction=0.2)
    out = tuned_mlp_objective(ctx, params)
    assert np.isfinite(out["val_loss"]) and 0.0 <= out["val_accuracy"] <= 1.0
