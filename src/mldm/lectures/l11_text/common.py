"""What L11's experiments share: the Shakespeare corpus cut to the word2vec vocabulary, the
Amazon reviews as words and as text, small numeric helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l11_text.params import Word2VecParams


@dataclass(frozen=True)
class Corpus:
    """Shakespeare as ids into ``vocab`` (the words with count >= min_count, most frequent
    first) and each token's sentence; rarer words are dropped, as word2vec does."""

    tokens: np.ndarray
    sentence: np.ndarray
    vocab: list[str]
    counts: np.ndarray

    @property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.vocab)}

    def sentences(self) -> list[list[str]]:
        """The corpus as gensim reads it: one list of words per sentence."""
        words = np.asarray(self.vocab, dtype=object)[self.tokens]
        cuts = np.flatnonzero(np.diff(self.sentence)) + 1
        return [list(s) for s in np.split(words, cuts)]


def corpus(ctx: Context, p: Word2VecParams) -> Corpus:
    d = ctx.data("shakespeare")
    tokens, sentence = d.X_train[: p.n_tokens].astype(np.int64), d.y_train[: p.n_tokens]
    counts = np.bincount(tokens, minlength=len(d.feature_names))
    V = int((counts >= p.min_count).sum())  # the vocabulary is sorted by corpus count
    order = np.argsort(-counts, kind="stable")[:V]  # a prefix of the corpus may reorder it
    remap = np.full(len(counts), -1)
    remap[order] = np.arange(V)
    kept = remap[tokens] >= 0
    vocab = [d.feature_names[i] for i in order]
    return Corpus(remap[tokens][kept], sentence[kept], vocab, counts[order])


def review_words(ctx: Context):
    """The Amazon reviews (prepared: word ids padded with 0) with their vocabulary."""
    d = ctx.data("amazon_reviews")
    return d, d.feature_names


def review_texts(ids: np.ndarray, vocab: list[str]) -> list[str]:
    """Rows of word ids back to text (the reviews are lower-case words already)."""
    words = np.asarray(vocab, dtype=object)
    return [" ".join(words[r[r > 0]]) for r in ids]
