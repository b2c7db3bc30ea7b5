"""L11's figures (matplotlib only): the TF-IDF table as a heat map, word2vec's benchmark
scores ours vs gensim, and the cosines of related vs unrelated word pairs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l11_text.counting import TFIDF_DOCS, TFIDF_SLIDE, TFIDF_WORDS

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l11_text.bert import BertResults
    from mldm.lectures.l11_text.elmo import ElmoResults
    from mldm.lectures.l11_text.sentence import SentenceResults
    from mldm.lectures.l11_text.word2vec import Scores


def tfidf(ctx: Context, table: np.ndarray) -> None:
    with ctx.figure("tfidf_table", ncols=2, size=(5.2, 2.8)) as (_, ax):
        for a, (title, m) in zip(
            ax, [("ours", table), ("slide (line 4751)", TFIDF_SLIDE)], strict=True
        ):
            a.imshow(m, cmap="Blues", vmin=0, vmax=0.35)
            for (i, j), v in np.ndenumerate(m):
                a.text(j, i, f"{v:.3g}" if v else "0", ha="center", va="center", fontsize=7)
            a.set(title=title, xticks=range(len(TFIDF_WORDS)), yticks=range(len(TFIDF_DOCS)))
            a.set_xticklabels(TFIDF_WORDS, rotation=45, fontsize=7)
            a.set_yticklabels([f"doc {i + 1}" for i in range(len(TFIDF_DOCS))], fontsize=7)


def word2vec(ctx: Context, s: Scores) -> None:
    shown = ["skipgram", "gensim_skipgram", "cbow", "gensim_cbow"]
    metrics = ["analogy_accuracy", "wordsim353_spearman", "simlex999_spearman"]
    with ctx.figure("word2vec_vs_gensim", ncols=2, size=(5.2, 3.6)) as (_, ax):
        x = np.arange(len(metrics))
        for k, name in enumerate(shown):
            ax[0].bar(x + 0.2 * k - 0.3, [s.table[name][m] for m in metrics], 0.2, label=name)
        ax[0].set_xticks(x)
        ax[0].set_xticklabels(["analogy acc.", "WordSim-353 ρ", "SimLex-999 ρ"], fontsize=8)
        ax[0].legend(fontsize=7)
        ax[0].set(title="ours vs gensim (same corpus, settings)")
        data = [v for n in ("skipgram", "cbow") for v in (s.related[n], s.unrelated[n])]
        ax[1].boxplot(data)
        ax[1].set_xticks(range(1, 5))
        ax[1].set_xticklabels(
            ["SG related", "SG unrelated", "CBOW related", "CBOW unrelated"], fontsize=7
        )
        ax[1].set(title="cosine of WordSim-353 pairs", ylabel="cos(u_a, u_b)")


def bert(ctx: Context, r: BertResults) -> None:
    with ctx.figure("bert_attention", ncols=len(r.attention), size=(4.2, 4.0)) as (_, ax):
        ax = np.atleast_1d(ax)
        for layer, (a, m) in enumerate(zip(ax, r.attention, strict=True)):
            a.imshow(m, cmap="viridis", vmin=0)
            a.set_xticks(range(len(r.tokens)))
            a.set_yticks(range(len(r.tokens)))
            a.set_xticklabels(r.tokens, rotation=90, fontsize=7)
            a.set_yticklabels(r.tokens, fontsize=7)
            a.set(title=f"layer {layer + 1} attention (mean of heads)")
    with ctx.figure("bert_finetune", size=(5.2, 3.6)) as (_, ax):
        budgets = sorted(next(iter(r.finetune.values())))
        x = np.arange(len(budgets))
        for k, (init, by) in enumerate(r.finetune.items()):
            ax.bar(
                x + 0.27 * k - 0.27,
                [by[b]["mean"] for b in budgets],
                0.27,
                yerr=[by[b]["sd"] for b in budgets],
                label=init,
            )
        ax.axhline(r.majority, color="k", ls="--", lw=1, label="majority class")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{b} labels" for b in budgets])
        ax.set(
            ylim=(0.5, 1.0),
            ylabel="test accuracy (mean ± sd over seeds)",
            title="Amazon reviews: fine-tuned [CLS] head",
        )
        ax.legend(fontsize=7, ncol=2)
    t = r.tasks
    what = {"pair": ("pair: B in A?", "pairs"), "token": ("token: name?", "lines")}
    groups = [(task, n) for task, by in t.table.items() for n in by]
    with ctx.figure("bert_tasks", size=(1.4 + 1.3 * len(groups), 3.6)) as (_, ax):
        inits = list(t.table[groups[0][0]][groups[0][1]])
        for k, init in enumerate(inits):
            ax.bar(
                np.arange(len(groups)) + 0.27 * k - 0.27,
                [t.table[task][n][init]["mean"] for task, n in groups],
                0.27,
                yerr=[t.table[task][n][init]["sd"] for task, n in groups],
                label=init,
            )
        ax.axhline(0.5, color="k", ls="--", lw=1, label="chance")
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels(
            [f"{what[task][0]}\n{n} labelled {what[task][1]}" for task, n in groups], fontsize=8
        )
        ax.set(
            ylim=(0.4, 1.08),  # room above the bars for a one-row legend
            ylabel="test accuracy (mean ± sd over seeds)",
            title="Shakespeare tasks: fine-tuned BERT vs scratch vs MiniLM",
        )
        ax.legend(fontsize=7, ncol=4, loc="upper center")


def sentence(ctx: Context, s: SentenceResults, e: ElmoResults) -> None:
    with ctx.figure("sentence_embeddings", ncols=2, size=(5.6, 3.4)) as (_, ax):
        ways = list(s.accuracy)
        ax[0].bar(
            range(len(ways)),
            [s.accuracy[w]["mean"] for w in ways],
            yerr=[s.accuracy[w]["sd"] for w in ways],
        )
        ax[0].axhline(s.majority, color="k", ls="--", lw=1, label="majority class")
        ax[0].set_xticks(range(len(ways)))
        ax[0].set_xticklabels(ways, fontsize=8)
        ax[0].set(
            ylim=(0.5, 1.0), ylabel="test accuracy", title="Amazon reviews, skip-gram vectors"
        )
        ax[0].legend(fontsize=7)
        for k, sense in ((1, "noun (my will)"), (0, "verb (I will)")):
            pts = e.projection[e.labels == k]
            ax[1].scatter(pts[:, 0], pts[:, 1], s=4, alpha=0.5, label=sense)
        ax[1].set(title=f'biLM top layer: contexts of "{e.word}" (PCA)')
        ax[1].legend(fontsize=7)
