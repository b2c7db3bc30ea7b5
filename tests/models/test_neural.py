"""Lecture 6 MLP and backprop (course notes lines 2019-2230) against torch's layers and autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mldm.models.neural import (
    ACTIVATIONS,
    LEAKY_SLOPE,
    MLP,
    Linear,
    backprop,
    bce_output_grad,
    classification_loss,
    layer_gradient_norms,
    regression_loss,
)

ORACLES = {  # torch's own activations, the reference for ours
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, LEAKY_SLOPE),
    "identity": lambda x: x,
}
ORACLE_MODULES = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE),
    "identity": nn.Identity,
}


def _grid():
    g = torch.Generator().manual_seed(0)
    wide = torch.tensor([-800.0, -50.0, -1e-3, 0.0, 1e-3, 50.0, 800.0], dtype=torch.float64)
    return torch.cat([wide, 4 * torch.randn(200, dtype=torch.float64, generator=g)])


def _oracle_net(mlp: MLP) -> nn.Sequential:
    """nn.Sequential of nn.Linear with the MLP's weights copied, torch activations between."""
    layers = []
    for l, (W, b) in enumerate(zip(mlp.weights, mlp.biases, strict=True), 1):
        lin = nn.Linear(W.shape[1], W.shape[0], bias=b is not None).double()
        with torch.no_grad():
            lin.weight.copy_(W)
            if b is not None:
                lin.bias.copy_(b)
        layers.append(lin)
        if l < mlp.n_layers:
            layers.append(ORACLE_MODULES[mlp.activation]())
    return nn.Sequential(*layers)


def _problem(sizes, head, seed):
    g = torch.Generator().manual_seed(seed)
    N = 7
    x = torch.randn(N, sizes[0], dtype=torch.float64, generator=g)
    if head == "classification":
        y = torch.randint(0, sizes[-1], (N,), generator=g)
    else:
        y = torch.randn(N, sizes[-1], dtype=torch.float64, generator=g)
    return x, y


# --- activations (L06 lines 2091-2125) ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch(name):
    a, _ = ACTIVATIONS[name]
    x = _grid()
    torch.testing.assert_close(a(x), ORACLES[name](x), rtol=1e-14, atol=1e-15)
    assert torch.isfinite(a(x)).all()


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivative_matches_autograd(name):
    a, da = ACTIVATIONS[name]
    x = _grid().requires_grad_()
    (ref,) = torch.autograd.grad(ORACLES[name](x).sum(), x) if name != "identity" else (None,)
    if ref is None:
        ref = torch.ones_like(x)
    torch.testing.assert_close(da(x.detach()), ref, rtol=1e-12, atol=1e-15)
    (ours,) = torch.autograd.grad(a(x).sum(), x)  # autograd through our formula agrees too
    torch.testing.assert_close(ours, ref, rtol=1e-12, atol=1e-15)


def test_sigmoid_derivative_at_most_a_quarter():
    _, da = ACTIVATIONS["sigmoid"]
    x = _grid()
    assert da(x).max() <= 0.25
    assert da(torch.zeros(1, dtype=torch.float64)).item() == pytest.approx(0.25)


# --- losses (L06 lines 2127-2138) -------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 3])
def test_regression_loss_is_mean_squared_norm(d):
    g = torch.Generator().manual_seed(1)
    y_hat = torch.randn(9, d, dtype=torch.float64, generator=g)
    y = torch.randn(9, d, dtype=torch.float64, generator=g)
    # (1/N) Σ |y − ŷ|²: the squared norm over d outputs, F.mse_loss averages over N·d entries
    torch.testing.assert_close(
        regression_loss(y_hat, y), d * F.mse_loss(y_hat, y), rtol=1e-14, atol=0
    )
    if d == 1:  # (N,) targets against an (N, 1) output: no (N, N) broadcast
        torch.testing.assert_close(regression_loss(y_hat, y[:, 0]), F.mse_loss(y_hat, y))


@pytest.mark.parametrize("scale", [1.0, 1e3])
def test_classification_loss_matches_cross_entropy(scale):
    g = torch.Generator().manual_seed(2)
    logits = scale * torch.randn(11, 5, dtype=torch.float64, generator=g)
    y = torch.randint(0, 5, (11,), generator=g)
    ours = classification_loss(logits, y)
    assert torch.isfinite(ours)  # log-sum-exp: no overflow at logits ~ 1e3
    torch.testing.assert_close(ours, F.cross_entropy(logits, y), rtol=1e-12, atol=0)


# --- MLP ------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("bias", [True, False])
def test_mlp_forward_equals_sequential_of_linears(activation, bias):
    torch.manual_seed(3)
    mlp = MLP([6, 8, 5, 3], activation=activation, bias=bias).double()
    x = torch.randn(10, 6, dtype=torch.float64)
    torch.testing.assert_close(mlp(x), _oracle_net(mlp)(x), rtol=1e-12, atol=1e-14)
    h_tilde, h = mlp.forward_cache(x)
    assert len(h_tilde) == 3 and len(h) == 4 and h[0] is not None
    torch.testing.assert_close(h[0], x)
    torch.testing.assert_close(h[-1], h_tilde[-1])  # no output activation


def test_mlp_init_matches_nn_linear_and_parameter_order():
    sizes = [5, 7, 4]
    torch.manual_seed(4)
    mlp = MLP(sizes)
    torch.manual_seed(4)
    ref = nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 4))
    assert [n for n, _ in mlp.named_parameters()] == ["W_1", "b_1", "W_2", "b_2"]
    for ours, theirs in zip(mlp.parameters(), ref.parameters(), strict=True):
        assert torch.equal(ours, theirs)  # same U(±1/√n_in) draws in the same order
    assert [W.shape for W in mlp.weights] == [(7, 5), (4, 7)]
    assert mlp.activation == "relu"
    g1, g2 = torch.Generator().manual_seed(0), torch.Generator().manual_seed(0)
    assert torch.equal(MLP(sizes, generator=g1).W_1, MLP(sizes, generator=g2).W_1)


def test_mlp_flattens_images_and_validates():
    mlp = MLP([4, 3, 2])
    assert mlp(torch.randn(5, 1, 2, 2)).shape == (5, 2)
    with pytest.raises(ValueError):
        MLP([4, 2], activation="softplus")
    with pytest.raises(ValueError):
        MLP([4, 2], head="ranking")
    with pytest.raises(ValueError):
        MLP([4])


def test_linear_layer_equals_nn_linear():
    torch.manual_seed(5)
    ours = Linear(6, 3)
    torch.manual_seed(5)
    ref = nn.Linear(6, 3)
    x = torch.randn(4, 6)
    assert torch.equal(ours.weight, ref.weight) and torch.equal(ours.bias, ref.bias)
    torch.testing.assert_close(ours(x), ref(x))


# --- backprop (L06 lines 2146-2230) -----------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("head", ["classification", "regression"])
@pytest.mark.parametrize("bias", [True, False])
def test_backprop_equals_autograd(depth, activation, head, bias):
    seed = depth * 100 + len(activation) * 10 + (head == "regression") * 2 + bias
    g = torch.Generator().manual_seed(seed)
    widths = torch.randint(2, 9, (depth + 1,), generator=g).tolist()
    sizes = [widths[0], *widths[1:-1], max(widths[-1], 2)]
    torch.manual_seed(seed)
    mlp = MLP(sizes, activation=activation, head=head, bias=bias).double()
    x, y = _problem(sizes, head, seed)

    loss, grads = backprop(mlp, x, y)

    # Oracle: torch's layers and losses, differentiated by autograd.
    ref = _oracle_net(mlp)
    out = ref(x)
    if head == "classification":
        ref_loss = F.cross_entropy(out, y)
    else:
        ref_loss = F.mse_loss(out, y, reduction="sum") / len(x)  # (1/N) Σ |y − ŷ|²
    ref_loss.backward()
    torch.testing.assert_close(loss, ref_loss.detach(), rtol=1e-12, atol=1e-14)
    ref_grads = [p.grad for p in ref.parameters()]
    assert len(grads) == len(ref_grads) == len(list(mlp.parameters()))
    for ours, theirs, p in zip(grads, ref_grads, mlp.parameters(), strict=True):
        assert ours.shape == p.shape
        torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-12)
    assert not loss.requires_grad and all(not gr.requires_grad for gr in grads)


def test_backprop_grads_drive_an_optimizer():
    torch.manual_seed(6)
    mlp = MLP([3, 16, 1], activation="tanh", head="regression").double()
    x = torch.randn(64, 3, dtype=torch.float64)
    y = torch.sin(x.sum(1))
    opt = torch.optim.SGD(mlp.parameters(), lr=0.1)
    first, _ = backprop(mlp, x, y)
    for _ in range(50):
        loss, grads = backprop(mlp, x, y)
        for p, gr in zip(mlp.parameters(), grads, strict=True):
            p.grad = gr
        opt.step()
    assert loss < 0.5 * first


@pytest.mark.parametrize("head", ["classification", "regression"])
def test_backprop_accepts_numpy(head):
    torch.manual_seed(9)
    mlp = MLP([4, 5, 3], activation="tanh", head=head).double()
    x, y = _problem([4, 5, 3], head, 9)
    loss, grads = backprop(mlp, x.numpy(), y.numpy())
    ref_loss, ref_grads = backprop(mlp, x, y)
    assert loss == ref_loss
    assert all(torch.equal(a, b) for a, b in zip(grads, ref_grads, strict=True))
    norms = layer_gradient_norms(mlp, x.numpy(), y.numpy())
    np.testing.assert_array_equal(norms, layer_gradient_norms(mlp, x, y))


# --- binary cross-entropy output gradient (slide line 2206) -----------------------------------


def test_bce_output_grad_matches_autograd_and_slide_is_wrong():
    g = torch.Generator().manual_seed(7)
    h = (0.05 + 0.9 * torch.rand(50, dtype=torch.float64, generator=g)).requires_grad_()
    y = (torch.rand(50, generator=g) < 0.5).double()
    L = -y * torch.log(h) - (1 - y) * torch.log(1 - h)
    (ref,) = torch.autograd.grad(L.sum(), h)
    h = h.detach()
    torch.testing.assert_close(bce_output_grad(h, y), ref, rtol=1e-12, atol=1e-14)
    slide = (h - y) / h  # L06 line 2206
    assert not torch.allclose(slide, ref, rtol=1e-2)
    assert (slide - ref).abs().min() > 1e-3  # wrong at every point with h ≠ y
    # With a sigmoid output the chain rule gives ∂L/∂h̃ = h − y.
    torch.testing.assert_close(bce_output_grad(h, y) * h * (1 - h), h - y)


# --- vanishing gradients (slide lines 2098, 2115) ---------------------------------------------


def test_sigmoid_gradients_vanish_toward_the_input():
    sizes = [20, *[32] * 8, 10]
    x, y = _problem(sizes, "classification", 8)
    ratios = {}
    for activation in ("sigmoid", "relu"):
        torch.manual_seed(8)
        mlp = MLP(sizes, activation=activation).double()
        norms = layer_gradient_norms(mlp, x, y)
        assert isinstance(norms, np.ndarray) and norms.shape == (9,) and (norms > 0).all()
        _, grads = backprop(mlp, x, y)
        np.testing.assert_allclose(norms[0], torch.linalg.norm(grads[0]).item())
        ratios[activation] = norms[0] / norms[-1]  # first layer / last layer
    assert ratios["sigmoid"] < 0.1 * ratios["relu"]
    assert ratios["sigmoid"] < 1e-3


def test_deep_stack_shortcut_is_the_only_difference():
    from mldm.models.neural import DeepStack

    torch.manual_seed(0)
    res = DeepStack(5, 4, 3, 2, shortcut=True).double()
    plain = DeepStack(5, 4, 3, 2, shortcut=False).double()
    plain.load_state_dict(res.state_dict())
    x = torch.randn(7, 5, dtype=torch.float64)
    h = torch.relu(res.inp(x))
    hp = h
    for layer in res.hidden:
        h, hp = torch.relu(h + layer(h)), torch.relu(layer(hp))
    torch.testing.assert_close(res(x), res.out(h))
    torch.testing.assert_close(plain(x), res.out(hp))
    # with F = 0 every residual layer is the identity on h (h >= 0 after the ReLU)
    with torch.no_grad():
        for layer in res.hidden:
            layer.weight.zero_()
            layer.bias.zero_()
    torch.testing.assert_close(res(x), res.out(torch.relu(res.inp(x))))
