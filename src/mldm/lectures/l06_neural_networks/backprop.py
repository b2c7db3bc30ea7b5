"""The MLP's backprop in the lecture's matrix form against autograd (lines 2146-2235), the
binary cross-entropy's output gradient (lines 2199-2206), and the network without activations
collapsing to one matrix (lines 2066-2072). Evaluate only: nothing is trained."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.evaluation import worst

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def evaluate(ctx: Context) -> None:
    import torch
    import torch.nn.functional as F

    from mldm.models.neural import MLP, bce_output_grad

    g = np.random.default_rng([ctx.seed, 6, 10])
    deviation = worst(
        d for _ in range(ctx.params.backprop_draws) for d in _relative_errors(g, torch)
    )
    ctx.measure("backprop_matches_autograd", deviation)

    h = torch.linspace(0.05, 0.95, 19, dtype=torch.float64, requires_grad=True)
    y = (torch.arange(19) % 2).double()
    (auto,) = torch.autograd.grad(F.binary_cross_entropy(h, y, reduction="sum"), h)
    h = h.detach()
    ours = bce_output_grad(h, y)  # (h_L − y)/(h_L(1 − h_L))
    ctx.measure("bce_gradient_matches_autograd", float(((ours - auto).abs() / auto.abs()).max()))
    slide = (h - y) / h  # the slide's line 2206, kept only to show how far off it is
    ctx.record(
        "backprop",
        "ours",
        worst_relative_error=deviation,
        bce_grad_max_error=float((ours - auto).abs().max()),
        slide_bce_grad_max_relative_error=float(((slide - auto).abs() / auto.abs()).max()),
    )

    torch.manual_seed(int(g.integers(2**31)))
    lin = MLP([5, 7, 6, 3], activation="identity", head="regression").double()
    x = torch.randn(50, 5, dtype=torch.float64)
    W = lin.weights
    with torch.no_grad():
        # the biases chain through too: y = W3(W2(W1 x + b1) + b2) + b3
        b = _biases(lin)
        A = W[2] @ W[1] @ W[0]
        c = W[2] @ (W[1] @ b[0] + b[1]) + b[2]
        ctx.measure("no_activation_is_linear", float((lin(x) - (x @ A.T + c)).abs().max()))


def _relative_errors(g, torch):
    """One random MLP (depth, widths, activation, head, bias drawn from ``g``): the relative
    error of each of our backprop's gradients against autograd's."""
    from mldm.models.neural import MLP, backprop, classification_loss
    from mldm.models.neural import regression_loss as mse

    depth = int(g.integers(1, 5))
    sizes = [int(s) for s in g.integers(1, 9, depth + 1)]
    act = str(g.choice(["sigmoid", "tanh", "relu", "leaky_relu"]))
    head = str(g.choice(["regression", "classification"]))
    n = int(g.integers(1, 12))
    torch.manual_seed(int(g.integers(2**31)))
    model = MLP(sizes, activation=act, head=head, bias=bool(g.integers(2))).double()
    x = torch.randn(n, sizes[0], dtype=torch.float64)
    if head == "classification":
        y = torch.randint(0, sizes[-1], (n,))
        loss = classification_loss(model(x), y)
    else:
        y = torch.randn(n, sizes[-1], dtype=torch.float64)
        loss = mse(model(x), y)
    auto = torch.autograd.grad(loss, list(model.parameters()))
    _, ours = backprop(model, x, y)
    return [
        float((a - o).abs().max()) / max(float(a.abs().max()), 1e-12)
        for a, o in zip(auto, _flat_grads(ours), strict=True)
    ]


def _flat_grads(grads):
    """backprop's gradients in ``model.parameters()`` order."""
    if isinstance(grads, dict):
        return list(grads.values())
    out = []
    for g in grads:
        if isinstance(g, dict):
            out += [g[k] for k in ("W", "b") if g.get(k) is not None]
        else:
            out.append(g)
    return out


def _biases(mlp):
    import torch

    return [
        b if b is not None else torch.zeros(W.shape[0], dtype=W.dtype)
        for W, b in zip(mlp.weights, mlp.biases, strict=True)
    ]
