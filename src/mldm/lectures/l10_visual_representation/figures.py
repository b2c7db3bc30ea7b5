"""L10's figures (matplotlib only): the augmented views, reconstructions, the MI bound per
epoch, the probe table, the batch sweep, a 2-D map of the learned features."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l10_visual_representation.autoencoders import Reconstructions
    from mldm.lectures.l10_visual_representation.probing import Probes
    from mldm.lectures.l10_visual_representation.vit_mae import VitMae


def _rows(images) -> np.ndarray:
    """(rows, cols, 1, R, R) -> one image with a 1-pixel white gap."""
    x = np.asarray(images).mean(2)  # grey: the mean over channels (one for digits)
    rows, cols, r, _ = x.shape
    out = np.zeros((rows * (r + 1), cols * (r + 1)))
    for i in range(rows):
        for j in range(cols):
            out[i * (r + 1) : i * (r + 1) + r, j * (r + 1) : j * (r + 1) + r] = x[i, j]
    return out


def views(ctx: Context, x, drawn) -> None:
    grid = np.concatenate([np.asarray(x)[:, None], np.asarray(drawn)], 1)
    with ctx.figure("views", size=(4.5, 5.0)) as (_, ax):
        ax.imshow(_rows(grid), cmap="gray_r", vmin=0, vmax=1)
        ax.set(xticks=[], yticks=[], title="x (left) and draws of aug(x) (kornia, batched)")


def reconstructions(ctx: Context, r: Reconstructions) -> None:
    grid = np.stack([np.asarray(v) for v in (r.images, r.pca, r.linear, r.conv)])
    with ctx.figure("reconstructions", ncols=2, size=(5.0, 3.0)) as (_, ax):
        ax[0].imshow(_rows(grid), cmap="gray_r", vmin=0, vmax=1)
        ax[0].set(xticks=[], yticks=[], title="test digits; PCA; linear AE; conv AE")
        ax[1].bar(np.arange(1, len(r.angles_deg) + 1), r.angles_deg)
        ax[1].set(xlabel="i", ylabel="degrees", title="principal angles: linear AE vs PCA top-k")


def mi_bound(ctx: Context, p: Probes) -> None:
    with ctx.figure("mi_bound") as (_, ax):
        for name, c in p.mi["curves"].items():
            if name.endswith("seed0") or name == "simclr":
                (line,) = ax.plot(c["epoch"], c["mi_bound"], marker="o", ms=3, label=name)
                ax.axhline(p.mi["log"][name], color=line.get_color(), ls=":", lw=0.8)
        ax.set(
            xlabel="epoch",
            ylabel="nats",
            title="log(2N-1) - Loss (dotted: log(2N-1));\nsweep: one point after its steps",
        )
        ax.legend(fontsize=7)


def probes(ctx: Context, p: Probes) -> None:
    names = list(p.table)
    lin = [p.table[n]["linear_probe_test_accuracy"] for n in names]
    knn = [p.table[n]["knn_test_accuracy"] for n in names]
    with ctx.figure("probes", ncols=2, size=(5.5, 3.8)) as (_, ax):
        y = np.arange(len(names))
        ax[0].barh(y - 0.2, lin, 0.4, label="linear probe")
        ax[0].barh(y + 0.2, knn, 0.4, label="kNN (cosine)")
        ax[0].set(yticks=y, yticklabels=names, xlim=(min(lin + knn) - 0.05, 1.0))
        ax[0].set_title("frozen features, all training labels")
        ax[0].legend(fontsize=7)
        s = p.sweep
        for key, label in (("h", "h = f(x)"), ("z", "z = g(h)")):
            m = [v["mean"] for v in s[key]]
            sd = [v["sd"] for v in s[key]]
            ax[1].errorbar(s["batch_size"], m, sd, marker="o", capsize=3, label=label)
        ax[1].set(xscale="log", xlabel="batch size N (same number of steps)")
        ax[1].set(xticks=s["batch_size"], xticklabels=[str(n) for n in s["batch_size"]])
        ax[1].minorticks_off()
        ax[1].set_ylabel("linear probe accuracy")
        ax[1].set_title("SimCLR batch size (mean ± sd over seeds)")
        ax[1].legend(fontsize=7)


def embedding(ctx: Context, p: Probes) -> None:
    shown = [n for n in ("random_init", "supervised", "simclr", "moco_v1") if n in p.embedding]
    with ctx.figure("embedding", ncols=len(shown), size=(3.2, 3.2)) as (_, ax):
        for a, name in zip(ax, shown, strict=True):
            e = p.embedding[name]
            a.scatter(e[:, 0], e[:, 1], c=p.y_test, cmap="tab10", s=3)
            a.set(xticks=[], yticks=[], title=f"{name}: PCA of test h")


def vit_mae(ctx: Context, v: VitMae) -> None:
    grid = np.stack([np.asarray(a) for a in (v.images, v.masked, v.reconstructed)])
    with ctx.figure("mae_vit", ncols=2, size=(4.6, 3.2)) as (_, ax):
        ax[0].imshow(_rows(grid), cmap="gray_r", vmin=0, vmax=1)
        ax[0].set(
            xticks=[],
            yticks=[],
            title="MAE, 75% of 3x3 patches hidden:\ntest; visible; reconstruction",
        )
        sizes = list(v.accuracy["vit"])
        x = np.arange(len(sizes))
        ax[1].bar(x - 0.2, [v.accuracy["cnn"][s] for s in sizes], 0.4, label="CNN")
        ax[1].bar(x + 0.2, [v.accuracy["vit"][s] for s in sizes], 0.4, label="ViT")
        lo = min(min(a.values()) for a in v.accuracy.values())
        ax[1].set(xticks=x, xticklabels=[f"{s} labelled set" for s in sizes], ylim=(lo - 0.05, 1))
        ax[1].set_title("from scratch: test accuracy")
        ax[1].legend(fontsize=7)


def tsne(ctx: Context, p: Probes) -> None:
    """t-SNE (scikit-learn, PCA init, seeded) of the first test digits' h, coloured by digit:
    random init, the supervised CNN, SimCLR."""
    from sklearn.manifold import TSNE

    shown = list(p.tsne_features)
    with ctx.figure("tsne", ncols=len(shown), size=(3.2, 3.2)) as (_, ax):
        for a, name in zip(ax, shown, strict=True):
            h = p.tsne_features[name]
            e = TSNE(2, perplexity=30.0, init="pca", random_state=ctx.seed).fit_transform(h)
            a.scatter(e[:, 0], e[:, 1], c=p.y_test[: len(h)], cmap="tab10", s=4)
            a.set(xticks=[], yticks=[], title=f"{name}: t-SNE of test h")


def moco_ablation(ctx: Context, p: Probes) -> None:
    """The MoCo v2 table at this scale: each case's linear probe, mean ± sd over seeds."""
    cases = list(p.ablation)
    m = [p.ablation[c]["mean"] for c in cases]
    sd = [p.ablation[c]["sd"] for c in cases]
    labels = {"v1": "MoCo v1", "mlp": "+ MLP", "aug": "+ aug+", "cos": "+ cos", "v2": "v2 (all)"}
    with ctx.figure("moco_ablation", size=(4.6, 3.2)) as (_, ax):
        x = np.arange(len(cases))
        ax.bar(x, m, 0.6, yerr=sd, capsize=3)
        ax.axhline(p.ablation["v1"]["mean"], color="k", ls=":", lw=0.8)
        ax.set(xticks=x, xticklabels=[labels.get(c, c) for c in cases])
        ax.set(ylim=(min(m) - 2 * max(sd) - 0.02, min(1.0, max(m) + 2 * max(sd) + 0.02)))
        ax.set(ylabel="linear probe accuracy", title="MoCo ablation (mean ± sd over seeds)")
