"""Intrinsic evaluation of word vectors (L11 lines 4868-4880: "semantic similarity is
reflected in the cosine similarity of the embeddings").

Every function takes the embedding matrix ``E`` (V, d) and a word -> row ``index``; benchmark
words outside the vocabulary are skipped and counted (coverage), as gensim's
``evaluate_word_analogies`` / ``evaluate_word_pairs`` do (the oracles in the tests).
"""

from __future__ import annotations

import numpy as np

__all__ = ["analogy_accuracy", "cosine", "nearest", "similarity_spearman", "unit_rows"]


def unit_rows(E: np.ndarray) -> np.ndarray:
    E = np.asarray(E, dtype=np.float64)
    return E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)


def cosine(E: np.ndarray, index: dict[str, int], a: str, b: str) -> float:
    """cos(u_a, u_b) = u_aᵀu_b / (‖u_a‖‖u_b‖)."""
    u = unit_rows(E[[index[a], index[b]]])
    return float(u[0] @ u[1])


def nearest(E: np.ndarray, vocab: list[str], index: dict[str, int], word: str, k: int = 5):
    """The k words of highest cosine to ``word`` (itself excluded), with their cosines."""
    U = unit_rows(E)
    s = U @ U[index[word]]
    s[index[word]] = -np.inf
    top = np.argsort(-s, kind="stable")[:k]
    return [(vocab[i], float(s[i])) for i in top]


def _rows(words: np.ndarray, index: dict[str, int]):
    """Rows of ``words`` (n, c) as vocabulary ids, and which rows are fully covered."""
    ids = np.vectorize(lambda w: index.get(w, -1), otypes=[np.int64])(words)
    return ids, (ids >= 0).all(1)


def analogy_accuracy(E, index: dict[str, int], questions: np.ndarray, restrict: int | None = None):
    """3CosAdd on ``questions`` (n, 4) of words ``a b c d``: predict
    argmax_w cos(w, û_b - û_a + û_c) over the first ``restrict`` words (all if None), a, b, c
    excluded. Returns (accuracy over covered questions, coverage, correct per question (-1:
    not covered))."""
    U = unit_rows(E)[:restrict]
    small = {w: i for w, i in index.items() if i < len(U)}
    ids, ok = _rows(np.asarray(questions), small)
    a, b, c, d = ids[ok].T
    correct = np.full(len(ids), -1)
    hits = []
    for s in range(0, len(a), 1024):  # batches of questions: a (1024, V) score block at a time
        q = U[b[s : s + 1024]] - U[a[s : s + 1024]] + U[c[s : s + 1024]]
        scores = q @ U.T
        rows = np.arange(len(q))
        for x in (a, b, c):
            scores[rows, x[s : s + 1024]] = -np.inf
        hits.append(scores.argmax(1) == d[s : s + 1024])
    hit = np.concatenate(hits) if hits else np.zeros(0, bool)
    correct[ok] = hit
    return (float(hit.mean()) if len(hit) else float("nan")), float(ok.mean()), correct


def similarity_spearman(E, index: dict[str, int], pairs: np.ndarray, scores: np.ndarray):
    """Spearman's ρ between cos(u_a, u_b) and the human scores on the covered pairs; returns
    (ρ, coverage, the cosines of the covered pairs)."""
    from scipy.stats import spearmanr

    ids, ok = _rows(np.asarray(pairs), index)
    U = unit_rows(E)
    cos = np.einsum("nd,nd->n", U[ids[ok, 0]], U[ids[ok, 1]])
    rho = spearmanr(cos, np.asarray(scores)[ok]).statistic if ok.sum() > 2 else float("nan")
    return float(rho), float(ok.mean()), cos
