"""Sentence embeddings (lines 4869-4906): the lecture's four ways from our skip-gram vectors
(seed 0, trained on Shakespeare) on the Amazon reviews. Mean and concatenation are frozen
features for the linear probe (:func:`mldm.evaluation.representation.linear_probe`);
TextCNN and the vanilla RNN are trained end to end with their linear head, as the lecture
says ("the parameters are optimized with the downstream task"), the word vectors frozen, and
their learnt features go through the same probe beside. A review is its words that have a
word2vec vector (79% of the reviews' tokens), in order, the first ``review_len`` of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.evaluation.seeds import over_seeds, separated_gap
from mldm.io import load_npz
from mldm.lectures.l11_text.common import corpus

if TYPE_CHECKING:
    from mldm.lectures.base import Context

ENCODERS = ("textcnn", "rnn")
# the slide's "coffee or tea ?" (lines 4874-4882): four word vectors, shown by 8 of their
# entries, and the "Average" row under them
SLIDE_WORDS = ("coffee", "or", "tea", "?")
SLIDE_VECTORS = np.array(
    [
        [0.2, 0.4, 0.32, 0.89, 0.77, 0.12, 0.11, 0.99],
        [0.54, 0.8, 0.35, 0.34, 0.56, 0.22, 0.56, 0.43],
        [0.23, 0.39, 0.55, 0.91, 0.6, 0.2, 0.61, 0.8],
        [0.7, 0.45, 0.56, 0.43, 0.22, 0.16, 0.33, 0.5],
    ]
)
SLIDE_AVERAGE = np.array([0.42, 0.51, 0.45, 0.64, 0.54, 0.17, 0.4, 0.68])


@dataclass(frozen=True)
class Reviews:
    E: np.ndarray  # (V+1, d): row 0 the padding, row i+1 the word2vec vector of vocab[i]
    X_train: np.ndarray  # (n, review_len) ids into E
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def to_word2vec_ids(ctx: Context, ids: np.ndarray, length: int) -> np.ndarray:
    """Review word ids -> ids into the word2vec vocabulary + 1 (0: padding), the words without
    a vector dropped, the first ``length`` kept."""
    from mldm.models.sentence import compact

    d = ctx.data("amazon_reviews")
    index = corpus(ctx, ctx.params.word2vec).index
    remap = np.array([index.get(w, -1) + 1 for w in d.feature_names])
    remap[0] = 0
    mapped = remap[ids]
    return compact(mapped, np.ones(len(index) + 1, bool))[:, :length]


def reviews(ctx: Context, vectors_dir) -> Reviews:
    p = ctx.params.sentence
    d = ctx.data("amazon_reviews")
    E = load_npz(vectors_dir / "vectors" / "skipgram.npz")["E"]
    E = np.vstack([np.zeros((1, E.shape[1]), E.dtype), E])
    Xtr, Xte = (to_word2vec_ids(ctx, X, p.review_len) for X in (d.X_train, d.X_test))
    return Reviews(E, Xtr, d.y_train, Xte, d.y_test)


def _model(p, E, encoder: str):
    from mldm.models.sentence import RNNSentence, TextCNN

    if encoder == "textcnn":
        return TextCNN(E, p.widths, p.filters)
    return RNNSentence(E, p.rnn_hidden)


def name(encoder: str, run: int) -> str:
    return encoder if run == 0 else f"{encoder}_seed{run}"


def train(ctx: Context) -> None:
    import torch

    p = ctx.params.sentence
    r = reviews(ctx, ctx.out_dir)
    for e_i, encoder in enumerate(ENCODERS):
        recipe = getattr(p, encoder)
        for run in range(recipe.seeds):
            ctx.seeded(11, 20, e_i, run=run)
            ctx.train_classifier(
                name(encoder, run),
                _model(p, r.E, encoder),
                r,
                eval_sets=(),  # no per-epoch pass over the 4,000 training reviews
                optimizer=lambda w, lr=recipe.lr: torch.optim.Adam(w, lr),
                max_epochs=recipe.epochs,
                batch_size=p.batch_size,
                seed=ctx.seed + run,
                dtype=torch.long,
                gradient_clip_val=1.0 if encoder == "rnn" else None,
            )


@dataclass(frozen=True)
class SentenceResults:
    accuracy: dict[str, dict[str, float]]  # way -> {"mean", "sd"} (test accuracy)
    majority: float


def evaluate(ctx: Context) -> SentenceResults:
    import torch

    from mldm.evaluation.representation import linear_probe
    from mldm.models.sentence import concat_embedding, mean_embedding
    from mldm.training import predict_logits

    p = ctx.params.sentence
    r = reviews(ctx, ctx.artifacts_dir)
    E_slide = np.vstack([np.zeros(SLIDE_VECTORS.shape[1]), SLIDE_VECTORS])  # row 0: padding
    ours = mean_embedding(E_slide, np.arange(1, 5)[None])  # "coffee or tea ?" as ids 1..4
    ctx.measure("sentence_average_matches_slide", _slide_gap(ours))

    majority = float(max(np.mean(r.y_test), 1 - np.mean(r.y_test)))
    ctx.record("sentence", "majority", test_accuracy=majority)
    acc: dict[str, dict[str, float]] = {}
    features = {
        "mean": lambda X: mean_embedding(r.E, X),
        "concat": lambda X: concat_embedding(r.E, X, p.concat_len),
    }
    for way, f in features.items():
        probe = linear_probe(f(r.X_train), r.y_train, f(r.X_test), r.y_test, seed=ctx.seed)
        acc[way] = {"mean": probe.test_accuracy, "sd": 0.0}
        ctx.record("sentence", way, test_accuracy=probe.test_accuracy, features=probe.n_features)
    for encoder in ENCODERS:
        scores = []
        for run in range(getattr(p, encoder).seeds):
            model = ctx.load_module(name(encoder, run), _model(p, r.E, encoder))
            pred = predict_logits(model, r.X_test, dtype=torch.long).argmax(1)
            scores.append(float((pred == r.y_test).mean()))
            if run == 0:  # the learnt features, frozen, through the same probe
                with torch.no_grad():
                    H = [model.features(torch.as_tensor(X)).numpy() for X in (r.X_train, r.X_test)]
                probe = linear_probe(H[0], r.y_train, H[1], r.y_test, seed=ctx.seed)
                ctx.record(
                    "sentence", f"{encoder}_features_probe", test_accuracy=probe.test_accuracy
                )
        if encoder == "textcnn":
            cnn_scores = scores
        s = over_seeds(scores)
        acc[encoder] = {"mean": s.mean, "sd": s.sd}
        ctx.record("sentence", encoder, **s.metrics("test_accuracy"))
    ctx.measure("mean_embedding_carries_sentiment", acc["mean"]["mean"] - majority)
    ctx.measure(
        "textcnn_beats_mean",
        separated_gap(over_seeds([acc["mean"]["mean"]]), over_seeds(cnn_scores)),
    )
    ctx.table(
        "sentence_embeddings",
        ["way", "features", "classifier", "test accuracy"],
        [
            ["mean of word vectors", "d", "linear probe", f"{acc['mean']['mean']:.3f}"],
            ["concatenation", f"{p.concat_len}·d", "linear probe", f"{acc['concat']['mean']:.3f}"],
            *[
                [e, "learnt", "end to end", f"{acc[e]['mean']:.3f} ± {acc[e]['sd']:.3f}"]
                for e in ENCODERS
            ],
            ["majority class", "", "", f"{majority:.3f}"],
        ],
        note="Amazon reviews (4,000 / 1,000), our skip-gram vectors (Shakespeare), frozen",
    )
    return SentenceResults(acc, majority)


def _slide_gap(ours: np.ndarray) -> float:
    """Largest gap of our average of the slide's four word vectors to its "Average" row, in
    units of the slide's second decimal (0.5: a value the slide rounded to 2 places)."""
    return round(float(np.abs(ours[0] - SLIDE_AVERAGE).max() / 0.01), 6)
