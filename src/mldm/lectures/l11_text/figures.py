"""L11's figures (matplotlib only): the TF-IDF table as a heat map, word2vec's benchmark
scores ours vs gensim, and the cosines of related vs unrelated word pairs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l11_text.counting import TFIDF_DOCS, TFIDF_SLIDE, TFIDF_WORDS

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l11_text.word2vec import Scores


def tfidf(ctx: Context, table: np.ndarray) -> None:
    with ctx.figure("tfidf_table", ncols=2, size=(5.2, 2.8)) as (_, ax):
        for a, (title, m) in zip(ax, [("ours", table), ("slide (line 4751)", TFIDF_SLIDE)], strict=True):
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
        ax[1].set_xticklabels(["SG related", "SG unrelated", "CBOW related", "CBOW unrelated"], fontsize=7)
        ax[1].set(title="cosine of WordSim-353 pairs", ylabel="cos(u_a, u_b)")
