"""Lecture 6 CNNs (course notes lines 2232-2421) against torch.nn.functional and nn.Conv*."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mldm.models.cnn import (
    SLIDE_CONV_EXAMPLE,
    SLIDE_CONV_INPUT,
    SLIDE_CONV_KERNEL,
    SLIDE_CONV_PRINTED,
    CNN1d,
    Conv1d,
    Conv2d,
    LeNet,
    ResidualBlock,
    SmallResNet,
    VGGBlock,
    avg_pool2d,
    conv1d,
    conv2d,
    conv_params,
    count_params,
    dense_params,
    global_avg_pool2d,
    max_pool2d,
    receptive_field,
    slide_conv_example,
)

TOL = {"rtol": 1e-10, "atol": 1e-10}


def _rand(*shape, g):
    return torch.randn(*shape, dtype=torch.float64, generator=g).requires_grad_()


def _grads(out, inputs, seed=0):
    """Vector-Jacobian product with a fixed random cotangent (tests every output's gradient)."""
    g = torch.Generator().manual_seed(seed)
    v = torch.randn(out.shape, dtype=out.dtype, generator=g)
    return torch.autograd.grad(out, inputs, v)


# --- convolution from the definition (L06 lines 2290-2313) ------------------------------------

CONV2D_CASES = [  # N, C_in, C_out, H, W, (k_h, k_w), stride, padding, bias
    (2, 1, 1, 5, 5, (3, 3), 1, 0, False),
    (3, 3, 4, 8, 7, (3, 3), 1, 1, True),
    (2, 2, 5, 9, 9, (5, 5), 2, 2, True),
    (1, 4, 2, 10, 8, (2, 3), (2, 1), (0, 1), True),
    (2, 3, 3, 7, 7, (1, 1), 3, 0, False),
    (1, 2, 3, 6, 6, (6, 6), 1, 0, True),
]


def _assert_conv_matches(ours_fn, torch_fn, x, w, b, stride, padding):
    """Our convolution equals torch's, outputs and the gradients of x, w (and b)."""
    ours = ours_fn(x, w, b, stride=stride, padding=padding)
    ref = torch_fn(x, w, b, stride=stride, padding=padding)
    torch.testing.assert_close(ours, ref, **TOL)
    inputs = [x, w] + ([b] if b is not None else [])
    for a, r in zip(_grads(ours, inputs), _grads(ref, inputs), strict=True):
        torch.testing.assert_close(a, r, **TOL)


@pytest.mark.parametrize("N, c_in, c_out, H, W, k, stride, padding, bias", CONV2D_CASES)
def test_conv2d_matches_torch_with_gradients(N, c_in, c_out, H, W, k, stride, padding, bias):
    g = torch.Generator().manual_seed(H * W + c_out)
    x = _rand(N, c_in, H, W, g=g)
    w = _rand(c_out, c_in, *k, g=g)
    b = _rand(c_out, g=g) if bias else None
    _assert_conv_matches(conv2d, F.conv2d, x, w, b, stride, padding)


CONV1D_CASES = [  # N, C_in, C_out, T, k, stride, padding, bias
    (2, 1, 3, 12, 3, 1, 0, True),
    (3, 2, 4, 40, 5, 2, 1, True),
    (2, 4, 2, 9, 4, 3, 2, False),
    (1, 3, 3, 5, 5, 1, 0, True),
]


@pytest.mark.parametrize("N, c_in, c_out, T, k, stride, padding, bias", CONV1D_CASES)
def test_conv1d_matches_torch_with_gradients(N, c_in, c_out, T, k, stride, padding, bias):
    g = torch.Generator().manual_seed(T + k)
    x = _rand(N, c_in, T, g=g)
    w = _rand(c_out, c_in, k, g=g)
    b = _rand(c_out, g=g) if bias else None
    _assert_conv_matches(conv1d, F.conv1d, x, w, b, stride, padding)


# --- pooling (L06 lines 2363-2372) ------------------------------------------------------------


@pytest.mark.parametrize("H, W, k, stride", [(8, 8, 2, None), (9, 7, 3, 2), (6, 10, (2, 3), 1)])
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pools_match_torch(H, W, k, stride, kind):
    g = torch.Generator().manual_seed(H + W)
    x = _rand(2, 3, H, W, g=g)
    ours_f, ref_f = (max_pool2d, F.max_pool2d) if kind == "max" else (avg_pool2d, F.avg_pool2d)
    ours, ref = ours_f(x, k, stride), ref_f(x, k, stride)
    torch.testing.assert_close(ours, ref, **TOL)
    torch.testing.assert_close(_grads(ours, [x])[0], _grads(ref, [x])[0], **TOL)


def test_global_avg_pool():
    x = torch.randn(2, 3, 5, 4, dtype=torch.float64)
    torch.testing.assert_close(global_avg_pool2d(x), F.adaptive_avg_pool2d(x, 1)[:, :, 0, 0])


# --- the worked example (L06 lines 2300-2308) -------------------------------------------------


def test_slide_worked_example():
    true = torch.tensor([[7.0, -4.0], [0.0, 0.0]], dtype=torch.float64)
    torch.testing.assert_close(slide_conv_example(), true, rtol=0, atol=0)
    assert SLIDE_CONV_EXAMPLE["input"] == SLIDE_CONV_INPUT == [[-1, 1, 1], [1, -2, 1], [1, -1, 1]]
    x = torch.tensor(SLIDE_CONV_INPUT, dtype=torch.float64)[None, None]
    w = torch.tensor(SLIDE_CONV_KERNEL, dtype=torch.float64)[None, None]
    torch.testing.assert_close(F.conv2d(x, w)[0, 0], true, rtol=0, atol=0)
    # The final frame's "7 4" drops the minus sign: only that entry differs.
    printed = torch.tensor(SLIDE_CONV_PRINTED, dtype=torch.float64)
    assert ((printed != true).nonzero().tolist()) == [[0, 1]] and printed[0, 1] == -true[0, 1]
    # Frames 3-4 print the first row as 1 -1 1; the bottom outputs (the 0s) do not see it.
    x34 = x.clone()
    x34[0, 0, 0] = torch.tensor([1.0, -1.0, 1.0])
    torch.testing.assert_close(conv2d(x34, w)[0, 0, 1], true[1], rtol=0, atol=0)


# --- parameter counts (L06 lines 2256-2258, 2356-2358) ----------------------------------------


def test_slide_parameter_counts():
    assert dense_params(200 * 200 * 3, 200 * 200 * 3) == 14_400_000_000  # 14.4 billion
    assert conv_params(5, 5, 3, 200) == 15000
    assert dense_params(4, 3, bias=True) == 15 and conv_params(3, 3, 2, 4, bias=True) == 76


def test_count_params_lenet_equals_formula():
    lenet = LeNet()
    expected = (
        conv_params(5, 5, 1, 6, bias=True)
        + conv_params(5, 5, 6, 16, bias=True)
        + dense_params(16 * 5 * 5, 120, bias=True)
        + dense_params(120, 84, bias=True)
        + dense_params(84, 10, bias=True)
    )
    assert count_params(lenet) == expected == 61706


@pytest.mark.parametrize("c_in, c_out, n_convs", [(1, 8, 1), (3, 16, 2), (8, 8, 3)])
def test_count_params_vgg_block_equals_formula(c_in, c_out, n_convs):
    block = VGGBlock(c_in, c_out, n_convs)
    expected = conv_params(3, 3, c_in, c_out, bias=True) + (n_convs - 1) * conv_params(
        3, 3, c_out, c_out, bias=True
    )
    assert count_params(block) == expected
    x = torch.randn(2, c_in, 8, 6)
    assert block(x).shape == (2, c_out, 4, 3)  # 3×3 pad 1 keeps H, W; the 2×2 pool halves them


def test_two_3x3_have_the_receptive_field_of_one_5x5_with_fewer_weights():
    assert receptive_field([3, 3]) == receptive_field([5]) == 5
    assert receptive_field([5, 2, 5, 2], [1, 2, 1, 2]) == 16  # LeNet's conv-pool-conv-pool
    C = 7
    assert 2 * conv_params(3, 3, C, C) == 18 * C * C < 25 * C * C == conv_params(5, 5, C, C)
    # Empirical check: the centre output of two stacked 3×3 convs depends on a 5×5 window.
    x = torch.zeros(1, 1, 11, 11, dtype=torch.float64, requires_grad=True)
    w = torch.ones(1, 1, 3, 3, dtype=torch.float64)
    y = conv2d(conv2d(x, w, padding=1), w, padding=1)
    (gx,) = torch.autograd.grad(y[0, 0, 5, 5], x)
    rows, cols = gx[0, 0].nonzero().unbind(1)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (3, 7, 3, 7)


# --- modules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("k, stride, padding, bias", [(3, 1, 1, True), (5, 2, 0, False)])
def test_conv2d_module_equals_nn_conv2d(k, stride, padding, bias):
    torch.manual_seed(9)
    ours = Conv2d(3, 4, k, stride=stride, padding=padding, bias=bias).double()
    torch.manual_seed(9)
    ref = nn.Conv2d(3, 4, k, stride=stride, padding=padding, bias=bias).double()
    for a, r in zip(ours.parameters(), ref.parameters(), strict=True):
        assert torch.equal(a, r)  # same U(±1/√fan_in) init, same RNG order
    ref.load_state_dict(ours.state_dict())  # same names: weights copy over
    x = torch.randn(2, 3, 11, 9, dtype=torch.float64)
    torch.testing.assert_close(ours(x), ref(x), **TOL)


def test_conv1d_module_equals_nn_conv1d():
    torch.manual_seed(10)
    ours = Conv1d(2, 5, 3, stride=2, padding=1).double()
    torch.manual_seed(10)
    ref = nn.Conv1d(2, 5, 3, stride=2, padding=1).double()
    x = torch.randn(3, 2, 17, dtype=torch.float64)
    torch.testing.assert_close(ours(x), ref(x), **TOL)


def test_residual_block_is_identity_plus_residual():
    block = ResidualBlock(4).double()
    x = torch.randn(2, 4, 6, 6, dtype=torch.float64)
    c1, c2 = block.conv1, block.conv2
    F_x = F.conv2d(
        F.relu(F.conv2d(x, c1.weight, c1.bias, padding=1)), c2.weight, c2.bias, padding=1
    )
    torch.testing.assert_close(block(x), F.relu(x + F_x), **TOL)
    with torch.no_grad():
        for p in block.parameters():
            p.zero_()
    torch.testing.assert_close(block(x), F.relu(x))  # F = 0: the shortcut passes x through


def test_network_output_shapes_and_gradients():
    torch.manual_seed(11)
    lenet, resnet, cnn1d = LeNet(), SmallResNet(), CNN1d()
    assert lenet(torch.randn(3, 784)).shape == (3, 10)
    assert lenet(torch.randn(3, 1, 28, 28)).shape == (3, 10)
    lenet_rgb = LeNet(in_channels=3, num_classes=5, image_size=32)
    assert lenet_rgb(torch.randn(2, 3, 32, 32)).shape == (2, 5)
    out = resnet(torch.randn(3, 1, 28, 28))
    assert out.shape == (3, 10) and resnet(torch.randn(3, 784)).shape == (3, 10)
    assert count_params(resnet) <= 60_000
    assert count_params(SmallResNet(blocks=4)) <= 60_000
    out.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in resnet.parameters())
    assert cnn1d(torch.randn(3, 40)).shape == (3, 10)
    # mnist1d's ConvBase: conv(1→25, k5) conv(25→25, k3) ×2, linear 25·5 → 10
    expected = (
        conv_params(5, 1, 1, 25, bias=True)
        + 2 * conv_params(3, 1, 25, 25, bias=True)
        + dense_params(125, 10, bias=True)
    )
    assert count_params(cnn1d) == expected == 5210


def test_cnn1d_matches_torch_layers():
    torch.manual_seed(12)
    ours = CNN1d().double()
    x = torch.randn(4, 40, dtype=torch.float64)
    h = x[:, None]
    for conv in ours.convs:
        h = F.relu(F.conv1d(h, conv.weight, conv.bias, stride=2, padding=1))
    ref = F.linear(h.flatten(1), ours.fc.weight, ours.fc.bias)
    torch.testing.assert_close(ours(x), ref, **TOL)


def test_small_resnet_without_shortcuts_has_the_same_layers():
    torch.manual_seed(0)
    res = SmallResNet(blocks=2, shortcut=True)
    plain = SmallResNet(blocks=2, shortcut=False)
    plain.load_state_dict(res.state_dict())
    x = torch.randn(3, 1, 28, 28)
    assert count_params(res) == count_params(plain)
    assert not torch.allclose(res(x), plain(x))
