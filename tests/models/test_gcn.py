"""Lecture 6 GCN (course notes lines 2568-2587) against dense matrices and networkx."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import torch
from torch.nn.functional import cross_entropy

from mldm.models.gcn import (
    GCN,
    GCNLayer,
    NodeMLP,
    NodeRows,
    graph_from_networkx,
    karate_club,
    normalized_adjacency,
    propagate,
    stochastic_block_model,
)

F64 = torch.float64


def _graph(name):
    if name == "karate":
        return nx.karate_club_graph()
    if name == "isolated":  # an isolated node: d̃ = 1, no division by zero
        G = nx.path_graph(4)
        G.add_node(4)
        return G
    return nx.gnp_random_graph(30, 0.15, seed=1)


def _dense_a_hat(G):
    """D̃^{-1/2}(A + I)D̃^{-1/2} written densely from the adjacency matrix."""
    A = torch.from_numpy(nx.to_numpy_array(G, weight=None)).to(F64)
    Ã = A + torch.eye(len(A), dtype=F64)
    d̃ = Ã.sum(1)
    return Ã / torch.sqrt(d̃[:, None] * d̃[None, :])


GRAPHS = ["karate", "random", "isolated"]


@pytest.mark.parametrize("name", GRAPHS)
def test_propagate_equals_dense_normalized_adjacency(name):
    G = _graph(name)
    edge_index, n = graph_from_networkx(G)
    h = torch.randn(n, 5, dtype=F64, generator=torch.Generator().manual_seed(0))
    out = propagate(h, edge_index, n)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out, _dense_a_hat(G) @ h, atol=1e-12, rtol=0)


@pytest.mark.parametrize("name", GRAPHS)
def test_normalized_adjacency_is_identity_minus_normalized_laplacian(name):
    G = _graph(name)
    edge_index, n = graph_from_networkx(G)
    G_loops = nx.Graph(G)
    G_loops.add_edges_from((v, v) for v in G.nodes)
    L = nx.normalized_laplacian_matrix(G_loops, weight=None).toarray()
    Â = normalized_adjacency(edge_index, n, dtype=F64)
    assert Â.is_sparse and Â.is_coalesced()
    torch.testing.assert_close(Â.to_dense(), torch.from_numpy(np.eye(n) - L), atol=1e-12, rtol=0)


def test_normalized_adjacency_ignores_duplicates_and_self_loops():
    G = _graph("random")
    edge_index, n = graph_from_networkx(G)
    loops = torch.arange(n).repeat(2, 1)
    noisy = torch.cat([edge_index, edge_index[:, :10], loops], dim=1)
    torch.testing.assert_close(
        normalized_adjacency(noisy, n, F64).to_dense(),
        normalized_adjacency(edge_index, n, F64).to_dense(),
    )


def test_graph_from_networkx_both_directions():
    edge_index, n = graph_from_networkx(nx.Graph([("a", "b"), ("b", "c"), ("c", "c")]))
    assert n == 3
    pairs = set(map(tuple, edge_index.T.tolist()))
    assert pairs == {(0, 1), (1, 0), (1, 2), (2, 1)}  # self-loop dropped


def test_karate_club():
    d = karate_club()
    assert d["num_nodes"] == 34 and d["x"].shape == (34, 34)
    torch.testing.assert_close(d["x"], torch.eye(34))
    assert d["edge_index"].shape == (2, 2 * 78)
    assert torch.bincount(d["y"]).tolist() == [17, 17]
    assert d["y"][0] == 0 and d["y"][33] == 1  # Mr. Hi and the Officer lead their clubs
    assert d["train_mask"].nonzero().flatten().tolist() == [0, 33]
    assert d["test_mask"].sum() == 32


def test_stochastic_block_model():
    sizes = (30, 20, 10)
    d = stochastic_block_model(sizes, 0.3, 0.02, n_features=8, feature_noise=1.0, seed=3)
    n = sum(sizes)
    assert d["num_nodes"] == n and d["x"].shape == (n, 8)
    assert torch.bincount(d["y"]).tolist() == list(sizes)
    masks = torch.stack([d["train_mask"], d["val_mask"], d["test_mask"]])
    assert torch.all(masks.sum(0) == 1)  # a partition of the nodes
    assert masks.sum(1).tolist() == [6, 12, 42]  # 10% / 20% / 70%
    again = stochastic_block_model(sizes, 0.3, 0.02, n_features=8, feature_noise=1.0, seed=3)
    for k in ("x", "edge_index", "train_mask"):
        assert torch.equal(d[k], again[k])  # seeded
    src, dst = d["edge_index"]
    assert (d["y"][src] == d["y"][dst]).float().mean() > 0.8  # mostly within-block edges


@pytest.mark.parametrize("n_layers", [1, 2, 3])
def test_gcn_output_shape(n_layers):
    d = karate_club()
    model = GCN(34, 16, 2, n_layers=n_layers, dropout=0.5, generator=torch.Generator())
    logits = model(d["x"], d["edge_index"])
    assert logits.shape == (34, 2)
    assert len(model.layers) == n_layers


@pytest.mark.parametrize("bias", [True, False])
def test_gcn_layer_is_permutation_equivariant(bias):
    G = _graph("random")
    edge_index, n = graph_from_networkx(G)
    g = torch.Generator().manual_seed(0)
    layer = GCNLayer(4, 3, bias=bias, generator=g).double()
    h = torch.randn(n, 4, dtype=F64, generator=g)
    π = torch.randperm(n, generator=g)  # new node i is old node π[i]
    inv = torch.argsort(π)  # old node v is new node inv[v]
    out = layer(h, edge_index)
    out_perm = layer(h[π], inv[edge_index])
    torch.testing.assert_close(out_perm, out[π], atol=1e-12, rtol=0)


def test_gcn_beats_features_alone_on_sbm():
    """The graph carries the signal the noisy features lack (the lecture's point)."""
    d = stochastic_block_model((40, 40, 40), 0.2, 0.01, n_features=8, feature_noise=3.0, seed=0)
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)  # the MLP baseline draws from the global RNG
    gcn = GCN(8, 16, 3, generator=g)
    mlp = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    m, y = d["train_mask"], d["y"]
    for model, f in ((gcn, lambda: gcn(d["x"], d["edge_index"])), (mlp, lambda: mlp(d["x"]))):
        opt = torch.optim.Adam(model.parameters(), lr=0.02)
        for _ in range(100):
            opt.zero_grad()
            cross_entropy(f()[m], y[m]).backward()
            opt.step()
    t = d["test_mask"]
    acc_gcn = (gcn(d["x"], d["edge_index"])[t].argmax(1) == y[t]).float().mean()
    acc_mlp = (mlp(d["x"])[t].argmax(1) == y[t]).float().mean()
    assert acc_gcn > 0.9 and acc_gcn > acc_mlp + 0.2


def test_node_rows_are_the_gcn_rows():
    g = karate_club()
    torch.manual_seed(0)
    gcn = GCN(34, 4, 2)
    model = NodeRows(gcn, np.asarray(g["x"]), np.asarray(g["edge_index"]))
    rows = torch.tensor([[33.0], [0.0], [5.0]])
    full = gcn(torch.as_tensor(np.asarray(g["x"]), dtype=torch.float32), model.edge_index)
    torch.testing.assert_close(model(rows), full[[33, 0, 5]])
    assert set(model.state_dict()) >= {"x", "edge_index"}  # the graph travels with the weights


def test_node_mlp_ignores_the_graph():
    g = stochastic_block_model((10, 10), seed=0)
    torch.manual_seed(0)
    mlp = NodeMLP(16, 8, 2)
    no_edges = torch.zeros(2, 0, dtype=torch.long)
    torch.testing.assert_close(mlp(g["x"], g["edge_index"]), mlp(g["x"], no_edges))
    torch.testing.assert_close(mlp(g["x"], no_edges), mlp.mlp(g["x"]))
