r"""Counting representations of text: L11, course-notes lines 4707-4780.

Documents are rows of word ids (``(n, L)``, ``pad`` marks unused positions) over a
vocabulary of size ``V``; every function is one scatter or one broadcast, no loop over
documents.

- one-hot (lines 4707-4718): word ``w`` -> the unit vector :math:`e_w \in \{0,1\}^V`; a
  sentence -> its one-hot vectors stacked, one column per word (the slide's 5×4 matrix for
  "I have a dog");
- bag of words (lines 4722-4727): :math:`\mathrm{bow}(d)_w = \#\{w \text{ in } d\}`, the
  order discarded;
- TF-IDF (lines 4731-4755):
  :math:`tf(w, d) = \#\{w \text{ in } d\} / \#\{\text{words in } d\}`,
  :math:`idf(w, \mathcal D) = \log_{10} \frac{|\mathcal D|}{\#\{d \in \mathcal D: w \in d\}}`
  (base 10: the slide's table has :math:`idf = \log_{10} 4 = 0.602` for a word in one of its
  four documents), :math:`tfidf = tf \cdot idf`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TfidfTransformer", "bag_of_words", "idf", "one_hot", "term_frequency", "tfidf"]


def _rows(docs) -> np.ndarray:
    docs = np.asarray(docs)
    return docs[None] if docs.ndim == 1 else docs


def one_hot(sentence, V: int) -> np.ndarray:
    """(V, T) matrix whose column t is :math:`e_{w_t}` (lines 4711-4716): the words of one
    sentence as concatenated one-hot vectors."""
    ids = np.asarray(sentence, dtype=np.int64)
    M = np.zeros((V, len(ids)), dtype=np.int64)
    M[ids, np.arange(len(ids))] = 1
    return M


def bag_of_words(docs, V: int, pad: int | None = None) -> np.ndarray:
    """(n, V) counts :math:`\\#\\{w \\text{ in } d\\}` (lines 4722-4727); ids equal to ``pad``
    are not words and are not counted."""
    docs = _rows(docs).astype(np.int64)
    rows = np.broadcast_to(np.arange(len(docs))[:, None], docs.shape)
    keep = np.ones(docs.shape, bool) if pad is None else docs != pad
    flat = rows[keep] * V + docs[keep]
    return np.bincount(flat, minlength=len(docs) * V).reshape(len(docs), V).astype(np.float64)


def term_frequency(counts: np.ndarray) -> np.ndarray:
    """tf(w, d) = count / document length (line 4739); an empty document stays all zero."""
    length = counts.sum(1, keepdims=True)
    return np.divide(counts, length, out=np.zeros_like(counts, dtype=np.float64), where=length > 0)


def idf(counts: np.ndarray) -> np.ndarray:
    """idf(w, D) = log10(N / df(w)) (line 4743) for each of the V words; a word in no
    document gets 0 (it has no tf anywhere to weigh)."""
    df = (counts > 0).sum(0)
    return np.log10(len(counts) / np.maximum(df, 1)) * (df > 0)


def tfidf(counts: np.ndarray, idf_: np.ndarray | None = None) -> np.ndarray:
    """tfidf(w, d, D) = tf(w, d) · idf(w, D) (line 4733), with the idf of ``counts`` itself or
    a given one (a test set weighed by its training set's idf)."""
    return term_frequency(counts) * (idf(counts) if idf_ is None else idf_)


class TfidfTransformer:
    """The lecture's TF-IDF fitted on a training corpus: ``fit`` keeps its idf (and, with
    ``min_df``, only the words in at least that many training documents), ``transform``
    weighs any documents' counts by it."""

    def __init__(self, min_df: int = 1):
        self.min_df = min_df

    def fit(self, counts: np.ndarray) -> TfidfTransformer:
        self.columns_ = np.flatnonzero((counts > 0).sum(0) >= self.min_df)
        self.idf_ = idf(counts[:, self.columns_])
        return self

    def transform(self, counts: np.ndarray) -> np.ndarray:
        # tf divides by the whole document's length, the words dropped by min_df included
        return term_frequency(counts)[:, self.columns_] * self.idf_

    def fit_transform(self, counts: np.ndarray) -> np.ndarray:
        return self.fit(counts).transform(counts)
