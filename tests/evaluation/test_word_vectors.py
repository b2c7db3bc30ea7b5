"""Word-vector benchmarks (L11) against gensim's KeyedVectors evaluations on the same
vectors: analogies (3CosAdd, coverage) and the Spearman ρ of word pairs."""

from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors
from gensim.test.utils import datapath

from mldm.evaluation.word_vectors import analogy_accuracy, cosine, nearest, similarity_spearman


def _lines(name):
    with open(datapath(name), encoding="utf-8") as f:
        return [line for line in f if not line.startswith("#")]


@pytest.fixture(scope="module")
def kv():
    """Random 20-d vectors for the analogy words (a few left out) and the WordSim pairs."""
    words = sorted(
        {w.lower() for line in _lines("questions-words.txt")[:2000] for w in line.split()} - {":"}
        | {w.lower() for line in _lines("wordsim353.tsv") for w in line.split()[:2]}
    )
    words = [w for i, w in enumerate(words) if i % 7]  # some out of vocabulary
    rng = np.random.default_rng(0)
    kv = KeyedVectors(20)
    kv.add_vectors(words, rng.normal(size=(len(words), 20)).astype(np.float32))
    return kv


def test_analogies_match_gensim(kv, tmp_path):
    path = tmp_path / "q.txt"
    lines = _lines("questions-words.txt")[:2000]
    path.write_text("".join(lines))
    score, sections = kv.evaluate_word_analogies(str(path))
    questions = np.array([line.lower().split() for line in lines if not line.startswith(":")])
    index = {w: i for i, w in enumerate(kv.index_to_key)}
    acc, cov, correct = analogy_accuracy(kv.vectors, index, questions)
    total = sections[-1]
    assert len(total["correct"]) + len(total["incorrect"]) == (correct >= 0).sum()
    assert acc == pytest.approx(score)
    assert 0 < cov < 1


def test_pairs_match_gensim(kv):
    pearson, spearman, oov = kv.evaluate_word_pairs(datapath("wordsim353.tsv"))
    rows = [line.split() for line in _lines("wordsim353.tsv")]
    pairs = np.array([[a.lower(), b.lower()] for a, b, _ in rows])
    scores = np.array([float(s) for *_, s in rows])
    index = {w: i for i, w in enumerate(kv.index_to_key)}
    rho, cov, _ = similarity_spearman(kv.vectors, index, pairs, scores)
    assert rho == pytest.approx(spearman.statistic, abs=1e-6)
    assert 100 * (1 - cov) == pytest.approx(oov)


def test_cosine_and_nearest_match_gensim(kv):
    index = {w: i for i, w in enumerate(kv.index_to_key)}
    a, b = kv.index_to_key[:2]
    assert cosine(kv.vectors, index, a, b) == pytest.approx(float(kv.similarity(a, b)), abs=1e-6)
    ours = nearest(kv.vectors, kv.index_to_key, index, a, 5)
    theirs = kv.most_similar(a, topn=5)
    assert [w for w, _ in ours] == [w for w, _ in theirs]
