"""word2vec (lines 4800-4895): skip-gram and CBOW with negative sampling trained on the
Shakespeare corpus by our code and by gensim's ``Word2Vec`` with the same settings, scored on
the same benchmarks (analogies with their coverage, Spearman on WordSim-353 / SimLex-999),
neighbours of a few words, and the lecture's cosine point: related words closer than
unrelated ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.evaluation.seeds import over_seeds
from mldm.io import load_npz, save_npz
from mldm.lectures.l11_text.common import Corpus, corpus

if TYPE_CHECKING:
    from mldm.lectures.base import Context

ARCHS = ("skipgram", "cbow")
RELATED, UNRELATED = 7.0, 3.0  # WordSim-353 human scores (0-10) of related / unrelated pairs


def names(p) -> list[str]:
    """Ours: ``skipgram`` (and ``skipgram_seed1`` ...), ``cbow``; gensim's: ``gensim_...``."""
    ours = ["skipgram" if r == 0 else f"skipgram_seed{r}" for r in range(p.seeds)] + ["cbow"]
    return ours + [f"gensim_{a}" for a in ARCHS]


def _save(ctx: Context, name: str, E: np.ndarray) -> None:
    save_npz(ctx.out_dir / "vectors" / f"{name}.npz", E=np.asarray(E, dtype=np.float32))


def vectors(ctx: Context, name: str) -> np.ndarray:
    return load_npz(ctx.artifacts_dir / "vectors" / f"{name}.npz")["E"]


def train_ours(ctx: Context, c: Corpus, cbow: bool, run: int):
    """One model on ``epochs`` passes of freshly subsampled windows (one shuffled loader)."""
    import torch

    from mldm.models.word2vec import (
        Word2Vec,
        cbow_windows,
        keep_probability,
        negative_sampling_loss,
        noise_distribution,
        skipgram_pairs,
        subsample,
    )
    from mldm.training import array_loader, fit

    p = ctx.params.word2vec
    rng = np.random.default_rng([ctx.seed, 11, run, int(cbow)])
    keep = keep_probability(c.counts, p.sample)
    cut = cbow_windows if cbow else skipgram_pairs
    X = np.concatenate(
        [cut(*subsample(c.tokens, c.sentence, keep, rng), p.window, rng) for _ in range(p.epochs)]
    )
    ctx.seeded(11, int(cbow), run=run)
    g = torch.Generator().manual_seed(int(rng.integers(2**31)))
    model = Word2Vec(
        len(c.vocab), p.dim, noise_distribution(c.counts), p.negatives, cbow, generator=g
    )
    batch = p.cbow_batch_size if cbow else p.batch_size  # CBOW: one window per centre
    loader = array_loader(X, np.zeros(len(X), np.int64), batch, seed=run, dtype=torch.long)
    task = fit(
        model, negative_sampling_loss, lambda w: torch.optim.SparseAdam(list(w), p.lr), loader, 1
    )
    return model, len(X), task.history["step_loss"][-1]


def train_gensim(ctx: Context, c: Corpus, cbow: bool):
    from gensim.models import Word2Vec as Gensim

    p = ctx.params.word2vec
    g = Gensim(
        c.sentences(),
        vector_size=p.dim,
        window=p.window,
        negative=p.negatives,
        sample=p.sample,
        min_count=1,  # the corpus is already cut to the words with count >= min_count
        sg=0 if cbow else 1,
        workers=1,
        epochs=p.epochs,
        seed=ctx.seed,
    )
    return np.stack([g.wv[w] for w in c.vocab])


def train(ctx: Context) -> None:
    import time

    p = ctx.params.word2vec
    c = corpus(ctx, p)
    for run in range(p.seeds):
        name = names(p)[run]
        with ctx.run(name, **p.model_dump()):
            t = time.perf_counter()
            model, n, loss = train_ours(ctx, c, False, run)
            ctx.tracker.log_metrics({"train_seconds": time.perf_counter() - t, "pairs": n})
        _save(ctx, name, model.vectors)
    with ctx.run("cbow", **p.model_dump()):
        t = time.perf_counter()
        model, n, loss = train_ours(ctx, c, True, 0)
        ctx.tracker.log_metrics({"train_seconds": time.perf_counter() - t, "windows": n})
    _save(ctx, "cbow", model.vectors)
    for arch in ARCHS:
        with ctx.run(f"gensim_{arch}", **p.model_dump()):
            t = time.perf_counter()
            E = train_gensim(ctx, c, arch == "cbow")
            ctx.tracker.log_metrics({"train_seconds": time.perf_counter() - t})
        _save(ctx, f"gensim_{arch}", E)


@dataclass(frozen=True)
class Scores:
    table: dict[str, dict[str, float]]  # model -> metric -> value
    neighbours: dict[str, dict[str, list[tuple[str, float]]]]  # model -> word -> neighbours
    related: dict[str, np.ndarray]  # model -> cosines of related WordSim pairs
    unrelated: dict[str, np.ndarray]


def _words(d) -> np.ndarray:
    return np.asarray(d.feature_names, dtype=object)[d.X_train]


def evaluate(ctx: Context) -> Scores:
    from mldm.evaluation.word_vectors import analogy_accuracy, nearest, similarity_spearman

    p = ctx.params.word2vec
    c = corpus(ctx, p)
    index = c.index
    questions = _words(ctx.data("analogies"))
    ws, sl = ctx.data("wordsim353"), ctx.data("simlex999")
    table, neigh, rel, unrel = {}, {}, {}, {}
    for name in names(p):
        E = vectors(ctx, name)
        acc, cov, _ = analogy_accuracy(E, index, questions)
        rho_ws, cov_ws, cos = similarity_spearman(E, index, _words(ws), ws.y_train)
        rho_sl, cov_sl, _ = similarity_spearman(E, index, _words(sl), sl.y_train)
        covered = np.vectorize(lambda w: w in index)(_words(ws)).all(1)
        human = ws.y_train[covered]
        rel[name], unrel[name] = cos[human >= RELATED], cos[human <= UNRELATED]
        table[name] = {
            "analogy_accuracy": acc,
            "analogy_coverage": cov,
            "wordsim353_spearman": rho_ws,
            "wordsim353_coverage": cov_ws,
            "simlex999_spearman": rho_sl,
            "simlex999_coverage": cov_sl,
            "related_minus_unrelated_cosine": float(rel[name].mean() - unrel[name].mean()),
        }
        ctx.record("word2vec", name, **table[name])
        neigh[name] = {
            w: nearest(E, c.vocab, index, w, 5) for w in ctx.params.neighbours if w in index
        }

    sg = [n for n in names(p) if n.startswith("skipgram")]
    for metric in ("wordsim353_spearman", "analogy_accuracy"):
        ctx.record(
            "word2vec",
            "skipgram_over_seeds",
            **over_seeds([table[n][metric] for n in sg]).metrics(metric),
        )
    ws_mean = over_seeds([table[n]["wordsim353_spearman"] for n in sg]).mean
    an_mean = over_seeds([table[n]["analogy_accuracy"] for n in sg]).mean
    g = table["gensim_skipgram"]
    ctx.measure("skipgram_spearman_near_gensim", ws_mean - g["wordsim353_spearman"])
    ctx.measure("skipgram_analogy_near_gensim", an_mean - g["analogy_accuracy"])
    ctx.measure(
        "cbow_spearman_near_gensim",
        table["cbow"]["wordsim353_spearman"] - table["gensim_cbow"]["wordsim353_spearman"],
    )
    ctx.measure(
        "related_closer_than_unrelated", min(table[n]["related_minus_unrelated_cosine"] for n in sg)
    )
    ctx.measure("similarity_tracks_human_scores", min(table[n]["wordsim353_spearman"] for n in sg))
    ctx.table(
        "word2vec_neighbours",
        ["word", *(n for n in ("skipgram", "cbow", "gensim_skipgram", "gensim_cbow"))],
        [
            [
                w,
                *(
                    ", ".join(f"{x} {s:.2f}" for x, s in neigh[n][w])
                    for n in ("skipgram", "cbow", "gensim_skipgram", "gensim_cbow")
                ),
            ]
            for w in neigh["skipgram"]
        ],
    )
    return Scores(table, neigh, rel, unrel)
