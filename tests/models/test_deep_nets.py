"""L07's deep nets: batch norm before the activation (lines 2764-2772), dropout after each
hidden activation in both test-time conventions (lines 2734-2762)."""

from __future__ import annotations

import pytest
import torch

from mldm.models.deep_nets import Act, deep_net, dropout_mlp
from mldm.models.neural import ACTIVATIONS
from mldm.models.normalization import BatchNorm, Dropout


def test_deep_net_places_batch_norm_before_the_activation():
    net = deep_net(3, 16, 40, 10, "sigmoid", norm=True)
    kinds = [type(m).__name__ for m in net]
    assert kinds[:3] == ["Linear", "BatchNorm", "Act"] and kinds[-1] == "Linear"
    assert sum(isinstance(m, BatchNorm) for m in net) == 3
    assert net(torch.randn(8, 40)).shape == (8, 10)


def test_deep_net_without_norm_is_linear_then_activation():
    torch.manual_seed(0)
    net = deep_net(2, 5, 3, 2, "tanh")
    assert [type(m).__name__ for m in net] == ["Linear", "Act", "Linear", "Act", "Linear"]
    x = torch.randn(4, 3)
    h = torch.tanh(net[2](torch.tanh(net[0](x))))
    torch.testing.assert_close(net(x), net[4](h))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu"])
def test_act_is_the_lecture_activation(name):
    x = torch.linspace(-3, 3, 13)
    torch.testing.assert_close(Act(name)(x), ACTIVATIONS[name][0](x))


@pytest.mark.parametrize("mode", [None, "test_scaling", "inverted"])
def test_dropout_mlp_drops_after_each_hidden_activation(mode):
    torch.manual_seed(0)
    net = dropout_mlp(20, 8, 3, 0.5, mode)
    drops = [m for m in net if isinstance(m, Dropout)]
    assert len(drops) == (0 if mode is None else 2)
    assert all(d.mode == mode and d.p == 0.5 for d in drops)
    x = torch.randn(6, 20)
    net.eval()
    plain = net[-1](torch.relu(net[2 if mode is None else 3](torch.relu(net[0](x)))))
    if mode == "test_scaling":  # the slide: every hidden activation scaled by 1 − p
        plain = net[-1](0.5 * torch.relu(net[3](0.5 * torch.relu(net[0](x)))))
    torch.testing.assert_close(net(x), plain)
