"""One-hot, bag of words and TF-IDF (L11) against scikit-learn's vectorizers on the same
documents, and the lecture's worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from mldm.lectures.l11_text.counting import (
    TFIDF_DOCS,
    TFIDF_SLIDE,
    TFIDF_WORDS,
    third_figure_units,
)
from mldm.models.text import TfidfTransformer, bag_of_words, idf, one_hot, term_frequency, tfidf

DOCS = [
    "the cat sat on the mat",
    "the dog sat",
    "a cat and a dog and a bird",
    "bird bird bird",
    "the end",
]


def _ids(docs, pad=-1):
    vocab = sorted({w for d in docs for w in d.split()})
    index = {w: i for i, w in enumerate(vocab)}
    width = max(len(d.split()) for d in docs)
    X = np.full((len(docs), width), pad)
    for i, d in enumerate(docs):
        X[i, : len(d.split())] = [index[w] for w in d.split()]
    return X, vocab


def test_bag_of_words_is_count_vectorizer():
    X, vocab = _ids(DOCS)
    ours = bag_of_words(X, len(vocab), pad=-1)
    cv = CountVectorizer(token_pattern=r"\S+", vocabulary=vocab)
    np.testing.assert_array_equal(ours, cv.fit_transform(DOCS).toarray())


def test_tfidf_is_sklearn_rescaled():
    """scikit-learn (no smoothing, no norm) gives count·(ln(N/df) + 1); the lecture's
    (count/len)·log10(N/df) follows exactly from it."""
    X, vocab = _ids(DOCS)
    counts = bag_of_words(X, len(vocab), pad=-1)
    sk = TfidfVectorizer(token_pattern=r"\S+", vocabulary=vocab, smooth_idf=False, norm=None)
    S = sk.fit_transform(DOCS).toarray()
    length = counts.sum(1, keepdims=True)
    np.testing.assert_allclose(tfidf(counts), (S - counts) / np.log(10) / length, atol=1e-15)
    np.testing.assert_allclose(idf(counts), (sk.idf_ - 1) / np.log(10), atol=1e-15)


def test_term_frequency_rows_sum_to_one_and_idf_of_everywhere_word_is_zero():
    X, vocab = _ids(DOCS)
    counts = bag_of_words(X, len(vocab), pad=-1)
    np.testing.assert_allclose(term_frequency(counts).sum(1), 1)
    everywhere = np.vstack([counts, np.ones(len(vocab))])
    assert idf(everywhere).min() >= 0 and idf(np.ones((3, 2))).tolist() == [0, 0]


def test_transformer_keeps_doc_length_and_training_idf():
    X, vocab = _ids(DOCS)
    counts = bag_of_words(X, len(vocab), pad=-1)
    t = TfidfTransformer(min_df=2).fit(counts)
    assert all((counts[:, t.columns_] > 0).sum(0) >= 2)
    out = t.transform(counts[:2])
    np.testing.assert_allclose(out, tfidf(counts)[:2, t.columns_])  # tf over whole documents


def test_one_hot_columns_are_unit_vectors():
    M = one_hot([0, 3, 4, 2], 5)
    assert M.shape == (5, 4) and (M.sum(0) == 1).all()
    np.testing.assert_array_equal(M.argmax(0), [0, 3, 4, 2])


def test_lecture_tfidf_table_within_one_unit_of_third_figure():
    X, vocab = _ids(TFIDF_DOCS)
    assert vocab == TFIDF_WORDS
    table = tfidf(bag_of_words(X, len(vocab), pad=-1))
    units = third_figure_units(table, TFIDF_SLIDE)
    assert units.max() <= 1
    assert table[0, 0] == pytest.approx(np.log10(4) / 2)  # blue: once in 2 words, 1 of 4 docs
    # a wrong idf base is caught: natural log misses the slide by far more than a unit
    ln = table * np.log(10)
    assert third_figure_units(ln, TFIDF_SLIDE).max() > 100
