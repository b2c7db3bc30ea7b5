"""L07 initialization (lines 2718-2732): the schemes' σ, torch.nn.init as oracle, the symmetry
problem of zero init, and activation scale through a deep net.

Oracles: the formulas' σ (sample std of a large layer), ``torch.nn.init.xavier_normal_`` /
``kaiming_normal_`` drawn from the same generator state, ``torch.optim.SGD`` training.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from mldm.models.init import (
    SCHEMES,
    activation_stats,
    deep_mlp,
    init_linear_,
    init_std,
    symmetric_units,
)

FAN_IN, FAN_OUT = 400, 600


def gen(seed=0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


EXPECTED_STD = {
    "zero": 0.0,
    "naive": 0.01,
    "lecture": 1 / math.sqrt(FAN_IN),
    "xavier": math.sqrt(2 / (FAN_IN + FAN_OUT)),
    "he": math.sqrt(2 / FAN_IN),
}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_scheme_std_matches_formula(scheme):
    layer = nn.Linear(FAN_IN, FAN_OUT, dtype=torch.float64)
    init_linear_(layer, scheme, gen())
    W, σ = layer.weight.detach(), EXPECTED_STD[scheme]
    assert init_std(scheme, FAN_IN, FAN_OUT) == pytest.approx(σ, rel=1e-15)
    assert torch.all(layer.bias == 0)
    if σ == 0:
        assert torch.all(W == 0)
    else:
        assert abs(W.std().item() / σ - 1) < 0.02
        assert abs(W.mean().item()) < 0.02 * σ


@pytest.mark.parametrize(
    ("scheme", "oracle"),
    [
        ("xavier", lambda w, g: nn.init.xavier_normal_(w, generator=g)),
        (
            "he",
            lambda w, g: nn.init.kaiming_normal_(
                w, mode="fan_in", nonlinearity="relu", generator=g
            ),
        ),
    ],
)
@pytest.mark.parametrize("shape", [(30, 20), (8, 3, 5, 5)])
def test_xavier_he_equal_torch_init_from_same_generator(scheme, oracle, shape):
    # torch.nn.init draws tensor.normal_(0, σ, generator): the same stream as randn(g)·σ
    conv = len(shape) == 4
    m = nn.Conv2d(3, 8, 5, dtype=torch.float64) if conv else nn.Linear(20, 30, dtype=torch.float64)
    init_linear_(m, scheme, gen(7))
    ref = torch.empty(shape, dtype=torch.float64)
    oracle(ref, gen(7))
    torch.testing.assert_close(m.weight.detach(), ref, rtol=0, atol=0)


def test_init_visits_every_weight_and_is_reproducible():
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(4 * 6 * 6, 10),
        nn.LayerNorm(10),
        nn.Linear(10, 2),
    ).double()
    a = init_linear_(net, "he", gen(1))
    assert a is net
    first = [p.detach().clone() for p in a.parameters()]
    init_linear_(net, "he", gen(1))
    for p, q in zip(net.parameters(), first, strict=True):
        assert torch.equal(p, q)
    assert torch.all(net[4].weight == 1)  # the LayerNorm γ (1-D) is untouched
    assert all(torch.all(m.bias == 0) for m in (net[0], net[3], net[5]))
    assert abs(net[3].weight.std().item() / math.sqrt(2 / 144) - 1) < 0.05


def test_bad_scheme_raises():
    with pytest.raises(ValueError, match="scheme"):
        init_linear_(nn.Linear(2, 2), "uniform")


def test_symmetric_units_counts_distinct_rows():
    W = torch.tensor([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0], [1.0, 2.0 + 1e-9]], dtype=torch.float64)
    assert symmetric_units(W) == 3
    assert symmetric_units(W, atol=1e-6) == 2
    assert symmetric_units(torch.zeros(7, 3)) == 1


def _train_one_hidden(scheme: str, steps=20) -> nn.Sequential:
    g = gen(3)
    X = torch.randn(64, 5, generator=g, dtype=torch.float64)
    y = torch.randn(64, 1, generator=g, dtype=torch.float64)
    # sigmoid: h = σ(0) = 1/2 ≠ 0, so zero-initialized weights do move (tanh would stay at 0)
    net = nn.Sequential(nn.Linear(5, 16), nn.Sigmoid(), nn.Linear(16, 1)).double()
    init_linear_(net, scheme, gen(4))
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    for _ in range(steps):
        opt.zero_grad()
        ((net(X) - y) ** 2).mean().backward()
        opt.step()
    return net


def test_zero_init_hidden_units_stay_identical():
    net = _train_one_hidden("zero")
    W1, W2 = net[0].weight.detach(), net[2].weight.detach()
    assert W1.abs().max() > 1e-4 and W2.abs().max() > 1e-3  # training did move them
    # ... but all 16 hidden rows are one unit (up to matmul rounding)
    assert symmetric_units(W1, atol=1e-12) == 1
    assert symmetric_units(W2.T, atol=1e-12) == 1
    assert symmetric_units(_train_one_hidden("lecture")[0].weight, atol=1e-3) == 16


X_DEEP = torch.randn(512, 256, generator=gen(5), dtype=torch.float64)


def _stats(scheme, activation):
    net = init_linear_(deep_mlp(256, 10, activation).double(), scheme, gen(6))
    return activation_stats(net, X_DEEP)


def test_naive_init_activations_collapse_with_depth():
    s = _stats("naive", "tanh")
    assert s["std"].shape == (10,)
    assert s["std"][-1] < 1e-3 * s["std"][0]  # each layer ×≈0.01·√256 = 0.16
    assert torch.all(s["std"][1:] < s["std"][:-1])


def test_xavier_tanh_keeps_activation_scale():
    std = _stats("xavier", "tanh")["std"]
    ratio = std[-1] / std[0]
    assert 0.2 < ratio < 5, ratio


@pytest.mark.parametrize("scheme", ["he", "lecture"])
def test_relu_depth(scheme):
    std = _stats(scheme, "relu")["std"]
    if scheme == "he":
        assert torch.all((std > 0.2) & (std < 5)), std  # O(1) at every depth
    else:
        assert std[-1] / std[0] < 0.1  # 1/√n loses the ReLU's factor √2 per layer: (1/√2)^9


def test_activation_stats_layer_rule():
    x = torch.randn(8, 4, generator=gen(0), dtype=torch.float64)
    lin = nn.Linear(4, 4).double()
    s = activation_stats([lin, nn.ReLU(), nn.Linear(4, 3).double()], x)  # one parameter-free
    assert s["mean"].shape == (1,)
    h = torch.relu(lin(x))
    torch.testing.assert_close(s["std"][0], h.std().detach())
    assert activation_stats(lin, x)["std"].shape == (1,)  # no φ: after every module
