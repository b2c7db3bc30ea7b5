"""L06's figures (matplotlib only), each drawing what one experiment's ``evaluate`` returned."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l06_neural_networks.activations import GradientFlow
    from mldm.lectures.l06_neural_networks.deep import ShortcutStudy
    from mldm.lectures.l06_neural_networks.gcn import KarateSplit
    from mldm.lectures.l06_neural_networks.images import ImageComparison
    from mldm.lectures.l06_neural_networks.reference import ReferenceTable
    from mldm.lectures.l06_neural_networks.regression import SineFit


def activations(ctx: Context, r: GradientFlow) -> None:
    import torch

    from mldm.lectures.base import plot_curves
    from mldm.models.neural import ACTIVATIONS as FUNCS

    with ctx.figure("activations", ncols=3, size=(4.6, 3.6)) as (_, ax):
        x = torch.linspace(-4, 4, 401)
        for a in r.curves:
            f, _df = FUNCS[a]
            ax[0].plot(x, f(x), label=a)
            ax[1].semilogy(r.norms["layer"], r.norms[a], "o-", label=a)
        ax[0].set(title="a(x)", xlabel="x")
        ax[1].set(
            title=f"‖∂l/∂W_ℓ‖ at init ({r.depth} hidden layers)", xlabel="layer ℓ (input → output)"
        )
        for a_ in ax[:2]:
            a_.legend(fontsize=7)
        plot_curves(ax[2], r.curves, title="training loss, same SGD")


def sine_regression(ctx: Context, r: SineFit) -> None:
    with ctx.figure("sine_regression", ncols=2) as (_, ax):
        order = np.argsort(r.x_test[:, 0])
        ax[0].scatter(r.x[:, 0], r.y, s=6, c="grey", label="train")
        ax[0].plot(r.x_test[order, 0], r.mlp[order], "C1", label="MLP")
        ax[0].plot(r.x_test[order, 0], r.linear[order], "C0--", label="linear")
        ax[0].legend()
        ax[0].set(title="regression head", xlabel="x")
        ax[1].semilogy(r.curve["epoch"], r.curve["train_mse"], label="train")
        ax[1].semilogy(r.curve["epoch"], r.curve["test_mse"], label="test")
        ax[1].set(title="l_r = (1/N)Σ|y − ŷ|²", xlabel="epoch")
        ax[1].legend()


def deep_stack(ctx: Context, r: ShortcutStudy) -> None:
    from mldm.lectures.base import plot_curves

    with ctx.figure("deep_stack") as (_, ax):
        plot_curves(
            ax,
            r.curves,
            title=f"{r.depth} ReLU layers, with and without shortcuts",
            ylabel="training loss",
        )


def image_models(ctx: Context, rows: tuple[ImageComparison, ...]) -> None:
    with ctx.figure("mnist_models", ncols=2, nrows=len(rows)) as (_, ax):
        for row, r in enumerate(rows):
            loss, acc = ax[2 * row], ax[2 * row + 1]
            for name, c in r.curves.items():
                label = f"{name} ({r.parameters[name]:,} params)"
                loss.plot(c["epoch"], c["train_loss"], label=label)
                acc.plot(c["epoch"], c["test_accuracy"], label=label)
            loss.set(title=f"{r.dataset} training loss", xlabel="epoch")
            acc.set(title=f"{r.dataset} test accuracy", xlabel="epoch")
            acc.legend(fontsize=7)


def reference_table(ctx: Context, r: ReferenceTable) -> None:
    from mldm.lectures.l06_neural_networks.reference import PAPER_MNIST1D

    names = list(r.accuracy)
    with ctx.figure("mnist1d_reference", ncols=3, size=(4.6, 3.6)) as (_, ax):
        for n, c in r.curves.items():
            ax[0].plot(c["epoch"], c["test_accuracy"], label=n)
        ax[0].set(title="MNIST-1D test accuracy", xlabel="epoch")
        ax[0].legend(fontsize=7)
        xs = np.arange(len(names))
        ax[1].bar(xs - 0.2, [100 * r.accuracy[n].mean for n in names], 0.4, label="ours")
        ax[1].bar(xs + 0.2, [PAPER_MNIST1D.get(n, np.nan) for n in names], 0.4, label="paper")
        ax[1].set_xticks(xs, names, rotation=45, fontsize=7)
        ax[1].set(title="test accuracy (%)")
        ax[1].legend(fontsize=7)
        T = len(r.step_accuracy)
        ax[2].plot(np.arange(1, T + 1), r.step_accuracy)
        ax[2].set(title="many-to-many RNN: accuracy of y_t", xlabel="t", ylabel="test accuracy")


def gcn_karate(ctx: Context, r: KarateSplit) -> None:
    import networkx as nx

    with ctx.figure("gcn_karate", size=(5.0, 4.0)) as (_, ax):
        G = nx.karate_club_graph()
        pos = nx.spring_layout(G, seed=ctx.seed)
        colors = np.where(r.predicted == r.club, r.predicted, 2)
        nx.draw_networkx(
            G,
            pos,
            ax=ax,
            node_color=[("C0", "C1", "red")[c] for c in colors],
            node_size=[300 if not r.unlabelled[v] else 120 for v in G.nodes],
            font_size=6,
            width=0.4,
        )
        ax.set(title=f"GCN on the karate club: {r.accuracy:.0%} of 32 unlabelled (red: wrong)")
        ax.axis("off")
