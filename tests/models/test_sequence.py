"""Lecture 6 RNN (course notes lines 2456-2518) against torch's nn.RNN."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn.functional import cross_entropy

from mldm.models.sequence import (
    RNN,
    GRUClassifier,
    LSTMClassifier,
    RNNClassifier,
    many_to_many_loss,
    stepwise_accuracy,
)


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def _oracle(ours: RNN) -> nn.RNN:
    """nn.RNN with our weights: b_ih = b_h, b_hh = 0."""
    ref = nn.RNN(ours.input_size, ours.hidden_size, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(ours.W_xh)
        ref.weight_hh_l0.copy_(ours.W_hh)
        ref.bias_ih_l0.copy_(ours.b_h)
        ref.bias_hh_l0.zero_()
    return ref


@pytest.mark.parametrize(("N", "T", "D", "H"), [(3, 7, 2, 5), (1, 1, 1, 1), (4, 40, 1, 8)])
def test_rnn_matches_torch_outputs_and_gradients(N, T, D, H):
    ours = RNN(D, H, generator=_gen()).double()
    ref = _oracle(ours)
    x = torch.randn(N, T, D, dtype=torch.float64, generator=_gen(1))
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()

    h = ours(x1)
    h_ref, h_T = ref(x2)
    assert h.shape == (N, T, H)
    torch.testing.assert_close(h, h_ref, atol=1e-10, rtol=0)
    torch.testing.assert_close(h[:, -1], h_T[0], atol=1e-10, rtol=0)

    w = torch.randn(N, T, H, dtype=torch.float64, generator=_gen(2))  # random upstream gradient
    (h * w).sum().backward()
    (h_ref * w).sum().backward()
    pairs = [
        (x1.grad, x2.grad),
        (ours.W_xh.grad, ref.weight_ih_l0.grad),
        (ours.W_hh.grad, ref.weight_hh_l0.grad),
        (ours.b_h.grad, ref.bias_ih_l0.grad),
    ]
    for g, g_ref in pairs:
        torch.testing.assert_close(g, g_ref, atol=1e-10, rtol=0)


def test_rnn_init_bound_and_seed():
    a, b = RNN(3, 16, generator=_gen(5)), RNN(3, 16, generator=_gen(5))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
        assert p.abs().max() <= 1 / 16**0.5


@pytest.mark.parametrize(
    ("mode", "x_shape", "out_shape"),
    [
        ("many_to_one", (5, 40), (5, 10)),  # mnist1d: T = 40 steps of D = 1
        ("many_to_many", (5, 40), (5, 40, 10)),
        ("many_to_one", (5, 6, 3), (5, 10)),
        ("many_to_many", (5, 6, 3), (5, 6, 10)),
    ],
)
def test_rnn_classifier_shapes(mode, x_shape, out_shape):
    D = x_shape[2] if len(x_shape) == 3 else 1
    model = RNNClassifier(D, 8, 10, mode=mode, generator=_gen())
    assert model(torch.randn(x_shape)).shape == out_shape


def test_many_to_one_is_last_step_of_many_to_many():
    m1 = RNNClassifier(1, 8, 4, mode="many_to_one", generator=_gen(3))
    mm = RNNClassifier(1, 8, 4, mode="many_to_many", generator=_gen(3))
    x = torch.randn(6, 12)
    torch.testing.assert_close(m1(x), mm(x)[:, -1])


def test_rnn_classifier_rejects_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        RNNClassifier(1, 4, 2, mode="one_to_many")


@pytest.mark.parametrize("cls", [GRUClassifier, LSTMClassifier])
@pytest.mark.parametrize("x_shape", [(5, 40), (5, 7, 1)])
def test_gated_baselines_shapes(cls, x_shape):
    torch.manual_seed(0)
    model = cls(1, 8, 10)
    out = model(torch.randn(x_shape))
    assert out.shape == (5, 10)
    out.sum().backward()  # trainable end to end


def test_many_to_many_loss_is_cross_entropy_of_repeated_label():
    logits = torch.randn(4, 6, 3, dtype=torch.float64, generator=_gen(7))
    y = torch.tensor([0, 2, 1, 2])
    ref = cross_entropy(logits.reshape(-1, 3), y.repeat_interleave(6))
    torch.testing.assert_close(many_to_many_loss(logits, y), ref, atol=1e-12, rtol=0)


def test_stepwise_accuracy_hand_made():
    # 2 sequences, 3 steps, 2 classes; labels y = [0, 1].
    logits = torch.tensor(
        [
            [[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]],  # predicts 0, 1, 0 -> right, wrong, right
            [[1.0, 0.0], [0.0, 1.0], [0.0, 3.0]],  # predicts 0, 1, 1 -> wrong, right, right
        ]
    )
    acc = stepwise_accuracy(logits, torch.tensor([0, 1]))
    torch.testing.assert_close(acc, torch.tensor([0.5, 0.5, 1.0]))
