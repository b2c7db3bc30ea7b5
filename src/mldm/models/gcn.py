r"""Graph convolutional network: lecture 6 (course notes lines 2568-2587).

The hidden representation of node $v$ in layer $\ell + 1$ (L06 lines 2570-2573):

$$\mathbf{h}_v^{\ell+1} = \sigma\Big(\mathbf{W}^{\ell+1} \sum_{u \in \mathcal{N}(v) \cup v}
  \frac{\mathbf{h}_u^\ell}{\sqrt{|\mathcal{N}(u)|\,|\mathcal{N}(v)|}}\Big).$$

The slide leaves $|\mathcal{N}(\cdot)|$ implicit. We read it as the degree *counted with the
self-loop*, $\tilde d_v = d_v + 1$, as Kipf & Welling (2017) do with $\tilde D = D + I$: in
matrix form the sum is $\tilde D^{-1/2}(A + I)\tilde D^{-1/2} H$. The degree without the
self-loop would divide by zero for an isolated node (whose sum still holds its own $h_v$).

Data helpers build the two graphs of the lecture's demo: Zachary's karate club (two clubs, one
labelled node each) and a stochastic block model whose node features carry a weak signal, so
the graph structure has to do the work. :class:`NodeRows` turns full-graph node
classification into rows (node indices) so it trains in the same loop as every model, and
:class:`NodeMLP` is the baseline that ignores the graph.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import torch
from torch import Tensor, nn
from torch.nn.functional import dropout as _dropout

from mldm.models.neural import MLP

__all__ = [
    "GCN",
    "GCNLayer",
    "NodeMLP",
    "NodeRows",
    "gcn_edges",
    "graph_from_networkx",
    "karate_club",
    "normalized_adjacency",
    "propagate",
    "stochastic_block_model",
]


def gcn_edges(edge_index: Tensor, num_nodes: int) -> tuple[Tensor, Tensor, Tensor]:
    r"""Edges of $A + I$ and their weights $1/\sqrt{\tilde d_u \tilde d_v}$: (src, dst, norm).

    ``edge_index`` (2, E) long, row 0 = source $u$, row 1 = target $v$, both directions of
    every undirected edge. Existing self-loops and duplicate edges are dropped first so that
    $A$ is binary and $I$ is added exactly once.
    """
    src, dst = edge_index.to(torch.long)
    keep = src != dst
    edges = torch.unique(torch.stack([src[keep], dst[keep]]), dim=1)  # binary A
    loops = torch.arange(num_nodes, device=edge_index.device)
    src, dst = torch.cat([edges, torch.stack([loops, loops])], dim=1)  # A + I: u ∈ N(v) ∪ {v}
    d̃ = torch.bincount(dst, minlength=num_nodes).double()  # d̃_v = |N(v)| + 1 ≥ 1
    norm = (d̃[src] * d̃[dst]).rsqrt()  # 1/√(d̃_u d̃_v)
    return src, dst, norm


def normalized_adjacency(
    edge_index: Tensor, num_nodes: int, dtype: torch.dtype | None = None
) -> Tensor:
    r"""$\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$ as a coalesced sparse COO (n, n).

    $\hat A_{vu} = 1/\sqrt{\tilde d_u \tilde d_v}$ for $u \in \mathcal{N}(v) \cup v$, so
    $(\hat A H)_v$ is the slide's sum. Equals $I - \mathcal{L}_{sym}$ of the graph with
    self-loops.
    """
    src, dst, norm = gcn_edges(edge_index, num_nodes)
    values = norm.to(dtype or torch.get_default_dtype())
    # Indices are built in range above, so torch's (optional) invariant check is skipped.
    Â = torch.sparse_coo_tensor(
        torch.stack([dst, src]), values, (num_nodes,) * 2, check_invariants=False
    )
    return Â.coalesce()


def propagate(h: Tensor, edge_index: Tensor, num_nodes: int | None = None) -> Tensor:
    r"""Message pass $\sum_{u \in \mathcal{N}(v) \cup v} h_u / \sqrt{\tilde d_u \tilde d_v}$.

    Each edge $u \to v$ carries the message $h_u \cdot$ norm (a gather of ``h[src]``); each
    node sums its incoming messages (``index_add`` into ``dst``). h (n, F) -> (n, F).
    """
    n = h.shape[0] if num_nodes is None else num_nodes
    src, dst, norm = gcn_edges(edge_index, n)
    messages = h[src] * norm.to(h.dtype)[:, None]  # (E + n, F)
    return h.new_zeros(n, h.shape[1]).index_add(0, dst, messages)


class GCNLayer(nn.Module):
    r"""One GCN layer without σ: $W^{\ell+1} \sum_{u} h_u^\ell/\sqrt{\tilde d_u \tilde d_v} + b$.

    The nonlinearity σ is applied by :class:`GCN` (the last layer outputs logits). The bias is
    not on the slide (Kipf & Welling have one). Glorot-uniform W, zero b.
    """

    def __init__(
        self, n_in: int, n_out: int, bias: bool = True, *, generator: torch.Generator | None = None
    ) -> None:
        super().__init__()
        bound = math.sqrt(6.0 / (n_in + n_out))
        self.W = nn.Parameter(torch.empty(n_out, n_in).uniform_(-bound, bound, generator=generator))
        self.b = nn.Parameter(torch.zeros(n_out)) if bias else None

    def forward(self, h: Tensor, edge_index: Tensor) -> Tensor:
        """h (n, n_in) -> (n, n_out)."""
        z = propagate(h, edge_index) @ self.W.T  # W · Σ_u h_u/√(d̃_u d̃_v)
        return z if self.b is None else z + self.b


class GCN(nn.Module):
    r"""Stack of :class:`GCNLayer`: $h^{\ell+1} = \mathrm{ReLU}(\text{layer}(h^\ell))$, logits out.

    ``n_layers`` layers: n_in -> hidden -> ... -> hidden -> n_classes. Dropout (training only)
    on each layer's input, as Kipf & Welling.
    """

    def __init__(
        self,
        n_in: int,
        hidden: int,
        n_classes: int,
        n_layers: int = 2,
        dropout: float = 0.0,
        *,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if n_layers < 1:
            raise ValueError("n_layers must be >= 1")
        dims = [n_in] + [hidden] * (n_layers - 1) + [n_classes]
        self.p = dropout
        self.layers = nn.ModuleList(
            GCNLayer(a, b, generator=generator) for a, b in zip(dims[:-1], dims[1:], strict=True)
        )

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        """x (n, n_in), edge_index (2, E) -> logits (n, n_classes)."""
        h = x
        for ℓ, layer in enumerate(self.layers):
            if self.p:
                h = _dropout(h, self.p, self.training)
            h = layer(h, edge_index)
            if ℓ < len(self.layers) - 1:
                h = torch.relu(h)  # σ between layers; the last layer gives logits
        return h


# ---------------------------------------------------------------------------------------------
# Node classification as rows (L06 lines 2574-2587)
# ---------------------------------------------------------------------------------------------


class NodeRows(nn.Module):
    r"""A model of (features, graph) whose input rows are node indices.

    The slide's $h_v^{\ell+1}$ depends on $v$'s neighbours, so every forward pass runs the
    wrapped ``net(x, edge_index)`` over the whole graph and returns the logits of the rows
    asked for. Node classification then trains like any classifier on (index, label) rows, in
    the same Lightning loop as every model. ``x`` (n, F) and ``edge_index`` (2, E) are buffers:
    they move with the model and are saved in its ``state_dict``.
    """

    def __init__(self, net: nn.Module, x, edge_index) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("x", torch.as_tensor(x, dtype=torch.float32))
        self.register_buffer("edge_index", torch.as_tensor(edge_index))

    def forward(self, rows: Tensor) -> Tensor:
        """rows (N,) or (N, 1) node indices -> logits (N, n_classes)."""
        logits = self.net(self.x, self.edge_index)  # every node: h depends on neighbours
        return logits[rows.reshape(-1).long()]


class NodeMLP(nn.Module):
    """The baseline that ignores the graph: an MLP (one ReLU hidden layer) on each node's own
    features, with :class:`GCN`'s call signature so :class:`NodeRows` wraps either."""

    def __init__(self, n_in: int, hidden: int, n_out: int) -> None:
        super().__init__()
        self.mlp = MLP([n_in, hidden, n_out], activation="relu")

    def forward(self, x: Tensor, edge_index: Tensor) -> Tensor:
        return self.mlp(x)


# ---------------------------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------------------------


def graph_from_networkx(G: nx.Graph) -> tuple[Tensor, int]:
    """(edge_index (2, 2E) long with both directions, no self-loops; num_nodes).

    Nodes are numbered in ``G.nodes`` order.
    """
    index = {v: i for i, v in enumerate(G.nodes)}
    uv = np.array([(index[u], index[v]) for u, v in G.edges if u != v], dtype=np.int64)
    uv = uv.reshape(-1, 2).T  # (2, E), also for an edgeless graph
    edge_index = torch.from_numpy(np.concatenate([uv, uv[::-1]], axis=1).copy())
    return edge_index, G.number_of_nodes()


def karate_club() -> dict[str, Tensor | int]:
    """Zachary's karate club: 34 members, 78 friendships, split into two clubs.

    ``x`` identity features (34, 34) (each node only knows who it is), ``y`` club
    (0 = "Mr. Hi", 1 = "Officer"), ``train_mask`` with only the two leaders (nodes 0 and 33)
    labelled, ``test_mask`` the other 32 nodes, ``edge_index``, ``num_nodes``.
    """
    G = nx.karate_club_graph()
    edge_index, n = graph_from_networkx(G)
    y = torch.tensor([G.nodes[v]["club"] == "Officer" for v in G.nodes], dtype=torch.long)
    train_mask = torch.zeros(n, dtype=torch.bool)
    train_mask[[0, 33]] = True
    return {
        "x": torch.eye(n),
        "y": y,
        "edge_index": edge_index,
        "num_nodes": n,
        "train_mask": train_mask,
        "test_mask": ~train_mask,
    }


def _split_masks(
    n: int, fractions: tuple[float, float], rng: np.random.Generator
) -> tuple[Tensor, ...]:
    """Random train/val/test node masks: the first fractions go to train, val; the rest test."""
    perm = torch.from_numpy(rng.permutation(n))
    n_train, n_val = round(fractions[0] * n), round(fractions[1] * n)
    masks = []
    for lo, hi in ((0, n_train), (n_train, n_train + n_val), (n_train + n_val, n)):
        m = torch.zeros(n, dtype=torch.bool)
        m[perm[lo:hi]] = True
        masks.append(m)
    return tuple(masks)


def stochastic_block_model(
    sizes: tuple[int, ...] = (100, 100, 100),
    p_in: float = 0.1,
    p_out: float = 0.01,
    n_features: int = 16,
    feature_noise: float = 3.0,
    seed: int = 0,
    split: tuple[float, float] = (0.1, 0.2),
) -> dict[str, Tensor | int]:
    r"""A stochastic block model with weakly informative node features.

    Edges: ``nx.stochastic_block_model`` with probability ``p_in`` inside a block and ``p_out``
    between blocks. Features: the one-hot block, projected to ``n_features`` by a random
    Gaussian matrix $P$ (B, F), plus noise, $x_v = P_{y_v} + \text{feature\_noise}\cdot
    \varepsilon_v$, $\varepsilon_v \sim \mathcal N(0, I)$. Large noise makes an MLP on features
    weak while a GCN averages the noise away over same-block neighbours. ``split`` gives the
    train and val fractions (the rest is test). Returns the keys of :func:`karate_club` plus
    ``val_mask``.
    """
    B = len(sizes)
    p = np.full((B, B), p_out) + np.eye(B) * (p_in - p_out)
    G = nx.stochastic_block_model(list(sizes), p.tolist(), seed=seed)
    edge_index, n = graph_from_networkx(G)
    y_np = np.array([G.nodes[v]["block"] for v in G.nodes], dtype=np.int64)
    rng = np.random.default_rng(seed)
    P = rng.normal(size=(B, n_features))  # block centroids in feature space
    x = P[y_np] + feature_noise * rng.normal(size=(n, n_features))
    train_mask, val_mask, test_mask = _split_masks(n, split, rng)
    return {
        "x": torch.from_numpy(x).to(torch.get_default_dtype()),
        "y": torch.from_numpy(y_np),
        "edge_index": edge_index,
        "num_nodes": n,
        "train_mask": train_mask,
        "val_mask": val_mask,
        "test_mask": test_mask,
    }
