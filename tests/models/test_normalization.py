"""L07 dropout and normalization layers (lines 2734-2822) against torch's modules.

Oracles: ``nn.BatchNorm1d/2d`` (outputs, running stats, gradients, eval), ``nn.LayerNorm``,
``nn.InstanceNorm2d(affine=True)``, ``torch.nn.functional.dropout``'s eval behaviour, and the
Monte-Carlo expectation of the training output (CLT tolerance).
"""

from __future__ import annotations

import copy
import math

import pytest
import torch
from torch import nn

from mldm.models.normalization import (
    BatchNorm,
    Dropout,
    InstanceNorm,
    LayerNorm,
    exact_statistics_,
)

TOL = {"rtol": 0.0, "atol": 1e-10}
F64 = torch.float64


def gen(seed=0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape, seed=0, scale=3.0, shift=2.0) -> torch.Tensor:
    return torch.randn(*shape, generator=gen(seed), dtype=F64) * scale + shift


def _pair(spatial: bool, affine=True, momentum=0.1):
    C = 5
    ours = BatchNorm(C, momentum=momentum, affine=affine, spatial=spatial).double()
    ref_cls = nn.BatchNorm2d if spatial else nn.BatchNorm1d
    ref = ref_cls(C, momentum=momentum, affine=affine).double()
    if affine:  # non-trivial γ, β
        with torch.no_grad():
            ours.weight.copy_(randn(C, seed=11, scale=1, shift=1))
            ours.bias.copy_(randn(C, seed=12, scale=1, shift=0))
        ref.load_state_dict(ours.state_dict())
    return ours, ref


def _input(spatial: bool, seed: int) -> torch.Tensor:
    return randn(*((6, 5, 4, 3) if spatial else (16, 5)), seed=seed)


@pytest.mark.parametrize("spatial", [False, True])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batchnorm_matches_torch_train_and_eval(spatial, affine, momentum):
    ours, ref = _pair(spatial, affine, momentum)
    assert ours.state_dict().keys() == ref.state_dict().keys()
    ours.train(), ref.train()
    for b in range(3):
        x1 = _input(spatial, seed=b).requires_grad_(True)
        x2 = x1.detach().clone().requires_grad_(True)
        y1, y2 = ours(x1), ref(x2)
        torch.testing.assert_close(y1, y2, **TOL)
        w = randn(*y1.shape, seed=100 + b, scale=1, shift=0)  # a generic upstream gradient
        (y1 * w).sum().backward()
        (y2 * w).sum().backward()
        torch.testing.assert_close(x1.grad, x2.grad, **TOL)
        if affine:
            torch.testing.assert_close(ours.weight.grad, ref.weight.grad, **TOL)
            torch.testing.assert_close(ours.bias.grad, ref.bias.grad, **TOL)
    # running stats after 3 batches (running_var from the unbiased batch variance)
    for key, val in ref.state_dict().items():
        torch.testing.assert_close(ours.state_dict()[key], val, **TOL)
    assert ours.num_batches_tracked.item() == 3
    ours.eval(), ref.eval()
    x = _input(spatial, seed=9)
    torch.testing.assert_close(ours(x), ref(x), **TOL)


def test_batchnorm_train_normalizes_with_biased_variance():
    bn = BatchNorm(5, affine=False, eps=0.0).double()
    y = bn(_input(False, 0))
    torch.testing.assert_close(y.mean(0), torch.zeros(5, dtype=F64), **TOL)
    torch.testing.assert_close(y.var(0, unbiased=False), torch.ones(5, dtype=F64), **TOL)


def test_batchnorm_identity_when_gamma_sigma_beta_mu():
    # line 2779: γ = σ, β = μ gives back the input
    x = _input(False, 3)
    bn = BatchNorm(5, eps=0.0).double()
    with torch.no_grad():
        bn.weight.copy_(x.std(0, unbiased=False))
        bn.bias.copy_(x.mean(0))
    torch.testing.assert_close(bn(x), x, **TOL)


@pytest.mark.parametrize("spatial", [False, True])
def test_eval_output_of_one_sample_is_batch_independent(spatial):
    bn, _ = _pair(spatial)
    for s in range(3):
        bn(_input(spatial, seed=s))  # some running statistics
    x, other = _input(spatial, seed=20), _input(spatial, seed=21)
    mixed = torch.cat([x[:1], other[1:]])
    bn.eval()
    torch.testing.assert_close(bn(x)[:1], bn(mixed)[:1], rtol=0, atol=0)
    bn.train()
    assert (bn(x)[:1] - bn(mixed)[:1]).abs().max() > 1e-3  # train: depends on the batch


def test_batchnorm_bad_input():
    with pytest.raises(ValueError, match="more than 1 value"):
        BatchNorm(3).double()(torch.ones(1, 3, dtype=F64))
    with pytest.raises(ValueError, match="N×C×H×W"):
        BatchNorm(3, spatial=True)(torch.ones(4, 3))
    with pytest.raises(ValueError, match="N×D"):
        BatchNorm(3)(torch.ones(4, 2))
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm(3, momentum=1.5)


@pytest.mark.parametrize("spatial", [False, True])
def test_exact_statistics_single_tensor(spatial):
    C = 5
    if spatial:
        net = nn.Sequential(
            nn.Conv2d(C, C, 1),
            BatchNorm(C, spatial=True),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Conv2d(C, C, 1),
            BatchNorm(C, spatial=True),
        )
    else:
        net = nn.Sequential(
            nn.Linear(C, C),
            BatchNorm(C),
            nn.ReLU(),
            nn.Dropout(0.5),
            nn.Linear(C, C),
            nn.BatchNorm1d(C),
        )  # ours and torch's
    net = net.double()
    X = randn(*((40, C, 4, 4) if spatial else (200, C)), seed=4)
    net.train()
    exact_statistics_(net, X)
    assert net.training and all(m.num_batches_tracked.item() == 0 for m in (net[1], net[5]))
    dims = (0, 2, 3) if spatial else (0,)
    h = net[0](X)
    torch.testing.assert_close(net[1].running_mean, h.mean(dims), **TOL)
    torch.testing.assert_close(net[1].running_var, h.var(dims, unbiased=False), **TOL)
    # biased 1/N statistics: eval on X == train-mode normalization of X as one batch
    net.eval()
    y_eval = net(X)
    net.train()
    net[3].p = 0.0  # compare without dropout noise
    torch.testing.assert_close(y_eval, net(X), **TOL)


def test_exact_statistics_loader_merges_batches():
    bn = BatchNorm(3).double()
    X = randn(90, 3, seed=6)
    exact_statistics_(bn, [(X[i : i + 25], None) for i in range(0, 90, 25)])  # 25,25,25,15
    torch.testing.assert_close(bn.running_mean, X.mean(0), **TOL)
    torch.testing.assert_close(bn.running_var, X.var(0, unbiased=False), **TOL)
    with pytest.raises(ValueError, match="no batch-norm"):
        exact_statistics_(nn.Linear(2, 2), X)


@pytest.mark.parametrize("shape", [(5,), (4, 5)])
def test_layernorm_matches_torch(shape):
    x1 = randn(3, 2, 4, 5, seed=1).requires_grad_(True)
    x2 = x1.detach().clone().requires_grad_(True)
    ours, ref = LayerNorm(shape).double(), nn.LayerNorm(shape).double()
    with torch.no_grad():
        ours.weight.copy_(randn(*shape, seed=2, scale=1, shift=1))
        ours.bias.copy_(randn(*shape, seed=3, scale=1, shift=0))
    ref.load_state_dict(ours.state_dict())
    y1, y2 = ours(x1), ref(x2)
    torch.testing.assert_close(y1, y2, **TOL)
    w = randn(*y1.shape, seed=4, scale=1, shift=0)
    (y1 * w).sum().backward()
    (y2 * w).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, **TOL)
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad, **TOL)
    ours.eval()
    torch.testing.assert_close(ours(x1[:1]), y1[:1], **TOL)  # no batch dependence


@pytest.mark.parametrize("affine", [True, False])
def test_instancenorm_matches_torch(affine):
    x1 = randn(3, 4, 5, 6, seed=5).requires_grad_(True)
    x2 = x1.detach().clone().requires_grad_(True)
    ours = InstanceNorm(4, affine=affine).double()
    ref = nn.InstanceNorm2d(4, affine=affine).double()
    if affine:
        with torch.no_grad():
            ours.weight.copy_(randn(4, seed=6, scale=1, shift=1))
            ours.bias.copy_(randn(4, seed=7, scale=1, shift=0))
        ref.load_state_dict(ours.state_dict())
    assert ours.state_dict().keys() == ref.state_dict().keys()
    y1, y2 = ours(x1), ref(x2)
    torch.testing.assert_close(y1, y2, **TOL)
    (y1 * randn(*y1.shape, seed=8)).sum().backward()
    (y2 * randn(*y2.shape, seed=8)).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad, **TOL)
    ours.eval(), ref.eval()
    torch.testing.assert_close(ours(x1), ref(x2), **TOL)


# ----------------------------------------------------------------------------------------
# Dropout
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.8])
def test_dropout_eval(p):
    h = randn(4, 7, seed=1)
    torch.testing.assert_close(Dropout(p, "inverted").eval()(h), h, rtol=0, atol=0)
    torch.testing.assert_close(Dropout(p, "test_scaling").eval()(h), (1 - p) * h, rtol=0, atol=0)
    torch.testing.assert_close(
        Dropout(p).eval()(h), nn.functional.dropout(h, p, training=False), rtol=0, atol=0
    )


@pytest.mark.parametrize("mode", ["inverted", "test_scaling"])
@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_train_expectation_equals_eval(mode, p):
    n, h = 20000, randn(6, seed=2)
    drop = Dropout(p, mode, generator=gen(3)).train()
    out = drop(h.expand(n, -1))  # n independent draws of the mask
    m = out != 0
    # every output is 0 or h/c: the mask, and c, are what the docstring says
    c = (1 - p) if mode == "inverted" else 1.0
    torch.testing.assert_close(out[m], (h.expand(n, -1) / c)[m], **TOL)
    # E[out] = eval output; out = h m / c with Var = h²p(1-p)/c², so 5 standard errors
    se = h.abs() * math.sqrt(p * (1 - p)) / c / math.sqrt(n)
    expected = drop.eval()(h)
    assert torch.all((out.mean(0) - expected).abs() < 5 * se), (out.mean(0) - expected) / se
    # drop rate ≈ p
    rate = 1 - m.double().mean().item()
    assert abs(rate - p) < 5 * math.sqrt(p * (1 - p) / m.numel())


def test_dropout_slide_factor_p_equals_keep_only_at_half():
    # the slide's σ(p·W h) uses the drop probability p; the expectation needs 1 - p
    h = torch.ones(20000, dtype=F64)
    for p in (0.2, 0.5):
        mean = Dropout(p, "test_scaling", generator=gen(0)).train()(h).mean().item()
        assert abs(mean - (1 - p)) < 0.02
        assert (abs(mean - p) < 0.02) == (p == 0.5)


def test_dropout_reproducible_and_bad_args():
    h = randn(50, seed=0)
    a = Dropout(0.5, generator=gen(1))(h)
    b = Dropout(0.5, generator=gen(1))(h)
    assert torch.equal(a, b)
    for bad in (-0.1, 1.0, 2):
        with pytest.raises(ValueError, match="p must be"):
            Dropout(bad)
    with pytest.raises(ValueError, match="mode"):
        Dropout(0.5, mode="slide")


def test_modules_are_deep_copyable_and_repr():
    for m in (BatchNorm(3, spatial=True), LayerNorm(3), InstanceNorm(3), Dropout(0.3)):
        assert type(copy.deepcopy(m)) is type(m)
        assert repr(m)
