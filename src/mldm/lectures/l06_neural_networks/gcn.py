"""A GCN from the propagation rule (lines 2574-2587): trained on the karate club with two
labelled members (the instructor and the officer), and beside an MLP that ignores the graph
on a stochastic block model whose node features are weak."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.evaluation import accuracy

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l06_neural_networks.params import Gcn

# (saved name, graph, net): the experiment's three models, in training (and seeding) order
MODELS = (("gcn_karate", "karate", "gcn"), ("gcn_sbm", "sbm", "gcn"), ("mlp_sbm", "sbm", "mlp"))


def graphs(p: Gcn, seed: int) -> dict[str, dict]:
    """``{"karate": ..., "sbm": ...}`` with numpy values (the node rows go through the array
    loaders like any dataset)."""
    from mldm.models.gcn import karate_club, stochastic_block_model

    sbm = stochastic_block_model(
        p.sbm_sizes, p.p_in, p.p_out, p.n_features, p.feature_noise, seed=seed
    )
    return {
        name: {k: np.asarray(v) if hasattr(v, "shape") else v for k, v in g.items()}
        for name, g in (("karate", karate_club()), ("sbm", sbm))
    }


def node_model(net: str, g: dict, p: Gcn):
    """``NodeRows`` around a GCN or the graph-blind MLP, sized for graph ``g``."""
    from mldm.models.gcn import GCN, NodeMLP, NodeRows

    x = np.asarray(g["x"], dtype=np.float32)
    k = int(np.max(g["y"])) + 1
    inner = GCN(x.shape[1], p.hidden, k) if net == "gcn" else NodeMLP(x.shape[1], p.hidden, k)
    return NodeRows(inner, x, g["edge_index"])


def train(ctx: Context, p: Gcn) -> None:
    from mldm.training.optim import Adam

    g = graphs(p, ctx.seed)
    for i, (name, graph, net) in enumerate(MODELS):
        ctx.seeded(4, i)
        model = node_model(net, g[graph], p)
        idx = np.flatnonzero(np.asarray(g[graph]["train_mask"])).astype(np.float32)[:, None]
        y = np.asarray(g[graph]["y"])[idx[:, 0].astype(int)]
        rows = types.SimpleNamespace(X_train=idx, y_train=y, X_test=idx, y_test=y)
        ctx.train_classifier(
            name,
            model,
            rows,
            eval_sets=(),
            optimizer=lambda ps: Adam(ps, lr=p.lr, bias_correction=True),
            max_epochs=p.max_epochs,
            batch_size=None,  # full graph: one step per epoch
        )


@dataclass(frozen=True)
class KarateSplit:
    """The GCN's predicted club for every member, the true clubs, and who was unlabelled."""

    predicted: np.ndarray
    club: np.ndarray
    unlabelled: np.ndarray
    accuracy: float


def evaluate(ctx: Context) -> KarateSplit:
    import torch

    p = ctx.params.gcn
    g = graphs(p, ctx.seed)
    pred = {}
    for name, graph, net in MODELS:
        model = ctx.load_module(name, node_model(net, g[graph], p))
        with torch.no_grad():
            rows = torch.arange(len(g[graph]["x"]), dtype=torch.float32)[:, None]
            pred[name] = model(rows).argmax(1).numpy()

    y = np.asarray(g["karate"]["y"])
    unlabelled = ~np.asarray(g["karate"]["train_mask"])
    acc_karate = accuracy(y[unlabelled], pred["gcn_karate"][unlabelled])
    ctx.measure("gcn_karate_two_labels", acc_karate)
    ctx.record("gcn", "karate", test_accuracy=acc_karate)

    test, ys = np.asarray(g["sbm"]["test_mask"]), np.asarray(g["sbm"]["y"])
    acc = {name: accuracy(ys[test], pred[name][test]) for name in ("gcn_sbm", "mlp_sbm")}
    for name, a in acc.items():
        ctx.record("gcn", name.replace("_sbm", "_on_sbm"), test_accuracy=a)
    ctx.measure("gcn_beats_mlp_on_sbm", acc["gcn_sbm"] - acc["mlp_sbm"])
    return KarateSplit(pred["gcn_karate"], y, unlabelled, acc_karate)
