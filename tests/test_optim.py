"""L07 optimizers (lines 2599-2698) against torch.optim, trajectory by trajectory.

Oracles: ``torch.optim.SGD`` (plain and ``momentum=ρ, dampening=0``), ``torch.optim.RMSprop``
(``alpha=ρ``), ``torch.optim.Adam``, our own RMSProp for the slide's "β1 = 0 gives RMSProp",
and hand-computed numbers (Adam's first slide step, the moving-average weight sum).
"""

from __future__ import annotations

import copy
import math

import pytest
import torch
from torch import nn

from mldm.training.optim import Adam, GradientDescent, Momentum, RMSProp, moving_average_weights

STEPS = 100
ATOL = 1e-12


pytestmark = pytest.mark.usefixtures("one_thread")


def _mlp() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1)
    ).to(torch.float64)


def _batch() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    X = torch.randn(32, 4, generator=g, dtype=torch.float64)
    y = torch.sin(X.sum(1, keepdim=True)) + 0.1 * torch.randn(
        32, 1, generator=g, dtype=torch.float64
    )
    return X, y


def _step(model, opt, X, y) -> float:
    opt.zero_grad()
    loss = ((model(X) - y) ** 2).mean()
    loss.backward()
    opt.step()
    return loss.item()


def _assert_same_trajectory(make_ours, make_ref, steps=STEPS, atol=ATOL):
    """Every parameter after every step agrees; and the run actually moved the weights."""
    X, y = _batch()
    m1 = _mlp()
    m2 = copy.deepcopy(m1)
    start = [p.detach().clone() for p in m1.parameters()]
    o1, o2 = make_ours(m1.parameters()), make_ref(m2.parameters())
    losses = []
    for t in range(steps):
        losses.append(_step(m1, o1, X, y))
        _step(m2, o2, X, y)
        for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
            err = (p1 - p2).abs().max().item()
            assert err <= atol, f"step {t + 1}: max |Δw| = {err:.3g}"
    moved = max((p - s).abs().max().item() for p, s in zip(m1.parameters(), start, strict=True))
    assert moved > 1e-2
    assert losses[-1] < losses[0]


CASES = {
    "sgd": (lambda p: GradientDescent(p, lr=0.05), lambda p: torch.optim.SGD(p, lr=0.05)),
    "momentum": (
        lambda p: Momentum(p, lr=0.01, rho=0.9),
        lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, dampening=0, foreach=False),
    ),
    "rmsprop": (
        lambda p: RMSProp(p, lr=1e-3, rho=0.9, eps=1e-8),
        lambda p: torch.optim.RMSprop(p, lr=1e-3, alpha=0.9, eps=1e-8, foreach=False),
    ),
    "rmsprop_big_eps": (
        lambda p: RMSProp(p, lr=1e-2, rho=0.99, eps=1e-3),
        lambda p: torch.optim.RMSprop(p, lr=1e-2, alpha=0.99, eps=1e-3, foreach=False),
    ),
    "adam_standard": (
        lambda p: Adam(p, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, bias_correction=True),
        lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.9, 0.999), eps=1e-8, foreach=False),
    ),
    "adam_standard_other_betas": (
        lambda p: Adam(p, lr=3e-3, betas=(0.5, 0.9), eps=1e-6, bias_correction=True),
        lambda p: torch.optim.Adam(p, lr=3e-3, betas=(0.5, 0.9), eps=1e-6, foreach=False),
    ),
    # L07 line 2698: "β1 = 0, Adam degenerates to RMSProp" (the slide's Adam, no correction)
    "adam_beta1_0_is_rmsprop": (
        lambda p: Adam(p, lr=1e-3, betas=(0.0, 0.999), eps=1e-8, bias_correction=False),
        lambda p: RMSProp(p, lr=1e-3, rho=0.999, eps=1e-8),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_trajectory_matches_oracle(case):
    _assert_same_trajectory(*CASES[case])


def test_slide_adam_first_step_is_lr_times_3_16():
    # m_1 = (1-β1) g, s_1 = (1-β2) g², so Δw = lr (1-β1)|g| / (√(1-β2)|g| + ε) ≈ lr·0.1/√0.001
    lr, g = 1e-3, torch.tensor([3.0, -0.2, 1e-2, 50.0], dtype=torch.float64)
    w = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    opt = Adam([w], lr=lr, eps=0.0)
    w.grad = g.clone()
    opt.step()
    expected = -lr * 0.1 / math.sqrt(0.001) * torch.sign(g)
    torch.testing.assert_close(w.detach(), expected, rtol=1e-14, atol=0)
    assert abs(0.1 / math.sqrt(0.001) - 3.1623) < 1e-4
    # standard Adam's first step is lr·sign(g) instead
    w2 = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    opt2 = Adam([w2], lr=lr, eps=0.0, bias_correction=True)
    w2.grad = g.clone()
    opt2.step()
    torch.testing.assert_close(w2.detach(), -lr * torch.sign(g), rtol=1e-14, atol=0)


def test_rmsprop_eps_keeps_dead_coordinate_finite():
    w = torch.ones(3, dtype=torch.float64, requires_grad=True)
    g = torch.tensor([1.0, 0.0, -2.0], dtype=torch.float64)  # coordinate 1: a dead unit
    for eps, finite in ((1e-8, True), (0.0, False)):
        w.data.fill_(1.0)
        opt = RMSProp([w], lr=0.1, eps=eps)
        for _ in range(3):
            w.grad = g.clone()
            opt.step()
        assert bool(torch.isfinite(w).all()) is finite
        assert w[1].item() == 1.0 or not finite


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9, 0.999])
@pytest.mark.parametrize("n", [1, 3, 50])
def test_moving_average_weights(rho, n):
    weights, total = moving_average_weights(rho, n)
    assert weights.shape == (n,)
    assert math.isclose(weights.sum().item(), 1 - rho**n, rel_tol=1e-12, abs_tol=1e-15)
    assert math.isclose(total, 1 - rho**n, rel_tol=0, abs_tol=0)
    assert torch.all(weights[1:] >= weights[:-1])  # older records decay (line 2672)
    # the weights reproduce the running recursion from s_0 = 0
    g2 = torch.rand(n, dtype=torch.float64, generator=torch.Generator().manual_seed(n))
    s = torch.zeros((), dtype=torch.float64)
    for k in range(n):
        s = rho * s + (1 - rho) * g2[k]
    torch.testing.assert_close(s, (weights * g2).sum(), rtol=1e-12, atol=1e-15)


def test_moving_average_weights_sum_tends_to_one():
    assert moving_average_weights(0.9, 500)[1] == pytest.approx(1.0, abs=1e-15)


BAD = [
    (lambda p: Momentum(p, lr=0.0), "lr"),
    (lambda p: Momentum(p, lr=0.1, rho=1.0), "rho"),
    (lambda p: Momentum(p, lr=0.1, rho=-0.1), "rho"),
    (lambda p: RMSProp(p, lr=-1.0), "lr"),
    (lambda p: RMSProp(p, lr=0.1, rho=1.5), "rho"),
    (lambda p: RMSProp(p, lr=0.1, eps=-1e-8), "eps"),
    (lambda p: Adam(p, lr=0.0), "lr"),
    (lambda p: Adam(p, betas=(1.0, 0.999)), "beta1"),
    (lambda p: Adam(p, betas=(0.9, -0.5)), "beta2"),
    (lambda p: Adam(p, betas=(0.9,)), "betas"),
    (lambda p: Adam(p, eps=-1.0), "eps"),
    (lambda p: moving_average_weights(0.9, 0), "n"),
    (lambda p: moving_average_weights(1.0, 3), "rho"),
]


@pytest.mark.parametrize(("make", "name"), BAD)
def test_bad_arguments_raise(make, name):
    w = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match=name):
        make([w])


def test_closure_and_state_dict_round_trip():
    X, y = _batch()
    m1 = _mlp()
    m2 = copy.deepcopy(m1)
    o1 = Adam(m1.parameters(), lr=1e-2, bias_correction=True)
    for _ in range(5):
        _step(m1, o1, X, y)
    m2.load_state_dict(m1.state_dict())
    o2 = Adam(m2.parameters(), lr=1e-2, bias_correction=True)
    o2.load_state_dict(copy.deepcopy(o1.state_dict()))  # torch shares the state tensors

    def closure(model, opt):
        def f():
            opt.zero_grad()
            loss = ((model(X) - y) ** 2).mean()
            loss.backward()
            return loss

        return f

    l1 = o1.step(closure(m1, o1))
    l2 = o2.step(closure(m2, o2))
    assert l1.item() == l2.item()
    for p1, p2 in zip(m1.parameters(), m2.parameters(), strict=True):
        assert torch.equal(p1, p2)
