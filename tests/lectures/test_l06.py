"""L06 helpers: the MNIST-1D table's models, the activation study's inits, graph rows."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mldm.lectures import l06_neural_networks as l06

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("name", [*l06.REFERENCE_MODELS, "rnn_many_to_many"])
def test_reference_models_take_mnist1d_rows(name):
    torch.manual_seed(0)
    model = l06.reference_model(name, l06.Reference(lr=0.01, max_epochs=1, batch_size=10))
    out = model(torch.randn(5, 40))
    assert out.shape == ((5, 40, 10) if name == "rnn_many_to_many" else (5, 10))


def test_paper_gru_reads_all_states_bidirectionally():
    p = l06.Reference(lr=0.01, max_epochs=1, batch_size=10)
    gru = l06.reference_model("gru", p)
    assert gru.rnn.bidirectional and gru.rnn.hidden_size == 6
    assert gru.head.in_features == 2 * 6 * 40  # the paper's linear map of all 40 states


@pytest.mark.parametrize(("act", "gain"), [("relu", 2.0), ("sigmoid", None)])
def test_activation_mlp_uses_the_init_made_for_it(act, gain):
    torch.manual_seed(0)
    p = l06.Activations(lr=0.1, max_epochs=1, batch_size=10, depth=3, width=400)
    W = l06.activation_mlp(act, p).weights[1]  # 400 x 400
    expected = np.sqrt(gain / 400) if gain else np.sqrt(2 / 800)  # He, Xavier
    assert float(W.std()) == pytest.approx(expected, rel=0.02)


def test_node_rows_are_the_gcn_rows():
    from mldm.models.gcn import GCN, karate_club

    g = karate_club()
    torch.manual_seed(0)
    gcn = GCN(34, 4, 2)
    model = l06.node_rows(gcn, np.asarray(g["x"]), np.asarray(g["edge_index"]))
    rows = torch.tensor([[33.0], [0.0], [5.0]])
    full = gcn(torch.as_tensor(np.asarray(g["x"]), dtype=torch.float32), model.edge_index)
    torch.testing.assert_close(model(rows), full[[33, 0, 5]])


def test_regression_data_is_seeded():
    p = l06.Regression(
        lr=0.1, max_epochs=1, batch_size=10, n_train=20, n_test=30, noise=0.1, hidden=4
    )
    (a, b), (c, d) = l06._regression_data(p, 0)
    (a2, _), _ = l06._regression_data(p, 0)
    (a3, _), _ = l06._regression_data(p, 1)
    np.testing.assert_array_equal(a, a2)
    assert not np.array_equal(a, a3) and a.shape == (20, 1) and c.shape == (30, 1)
