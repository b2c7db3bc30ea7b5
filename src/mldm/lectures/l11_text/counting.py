"""One-hot, bag of words and TF-IDF (lines 4707-4780): the lecture's one-hot matrix and its
TF-IDF table reproduced from reconstructed documents, then TF-IDF features of the Amazon
reviews classified by the lecture-2 softmax model beside scikit-learn's pipeline."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l11_text.common import review_texts, review_words

if TYPE_CHECKING:
    from mldm.lectures.base import Context

# line 4713: "I have a dog" as one-hot columns over a 5-word vocabulary (rows: i, ?, dog,
# have, a; the slide does not name its second word)
ONE_HOT_VOCAB = ["i", "(unnamed)", "dog", "have", "a"]
ONE_HOT_SLIDE = np.array(
    [[1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]], dtype=np.int64
)

# line 4751: the table's columns and numbers; the four documents are not printed. They are
# the classic example with stop words removed ("The sky is blue", "The sun is bright today",
# "The sun in the sky is bright", "We can see the shining sun, the bright sun"): every cell
# follows from tf = count/length and idf = log10(4/df).
TFIDF_WORDS = ["blue", "bright", "can", "see", "shining", "sky", "sun", "today"]
TFIDF_DOCS = [
    "sky blue",
    "sun bright today",
    "sun sky bright",
    "can see shining sun bright sun",
]
TFIDF_SLIDE = np.array(
    [
        [0.301, 0, 0, 0, 0, 0.151, 0, 0],
        [0, 0.0417, 0, 0, 0, 0, 0.0417, 0.201],
        [0, 0.0417, 0, 0, 0, 0.100, 0.0417, 0],
        [0, 0.0209, 0.100, 0.100, 0.100, 0, 0.0417, 0],
    ]
)


def third_figure_units(ours: np.ndarray, slide: np.ndarray) -> np.ndarray:
    """|ours - slide| in units of the slide's third significant figure (zeros must be 0)."""
    unit = np.where(slide != 0, 10.0 ** (np.floor(np.log10(np.abs(slide) + (slide == 0))) - 2), 1)
    return np.where(slide != 0, np.abs(ours - slide) / unit, np.abs(ours) * 1e12)


def worked_examples(ctx: Context) -> np.ndarray:
    from mldm.models.text import bag_of_words, idf, one_hot, tfidf

    index = {w: i for i, w in enumerate(ONE_HOT_VOCAB)}
    M = one_hot([index[w] for w in "i have a dog".split()], len(ONE_HOT_VOCAB))
    ctx.measure("one_hot_matches_slide", int((M != ONE_HOT_SLIDE).sum()))

    index = {w: i for i, w in enumerate(TFIDF_WORDS)}
    width = max(len(d.split()) for d in TFIDF_DOCS)
    docs = np.full((len(TFIDF_DOCS), width), -1)
    for i, d in enumerate(TFIDF_DOCS):
        docs[i, : len(d.split())] = [index[w] for w in d.split()]
    counts = bag_of_words(docs, len(TFIDF_WORDS), pad=-1)
    table = tfidf(counts)
    units = third_figure_units(table, TFIDF_SLIDE)
    ctx.measure("tfidf_table_matches_slide", float(units.max()))
    rows = []
    for i, d in enumerate(TFIDF_DOCS):
        rows.append([f"Document {i + 1} ours ({d})", *[round(float(v), 4) for v in table[i]]])
        rows.append([f"Document {i + 1} slide", *TFIDF_SLIDE[i].tolist()])
    ctx.table(
        "tfidf",
        ["", *TFIDF_WORDS],
        rows,
        note="idf = log10(4/df): "
        + ", ".join(f"{w} {v:.4f}" for w, v in zip(TFIDF_WORDS, idf(counts), strict=True))
        + ". The slide rounds idf(bright) = log10(4/3) = 0.1249 to 0.125 before multiplying "
        "(0.0417, 0.0209 where the exact values are 0.04165, 0.02082).",
    )
    for i in range(len(TFIDF_DOCS)):
        ctx.record("worked_example", f"tfidf_document{i + 1}", max_units_off=float(units[i].max()))
    return table


def _features(ctx: Context):
    """The lecture's TF-IDF (idf of the training reviews), standardized by the training
    split's statistics."""
    from sklearn.preprocessing import StandardScaler

    from mldm.models.text import TfidfTransformer, bag_of_words

    d, vocab = review_words(ctx)
    V = len(vocab)
    tf = TfidfTransformer(ctx.params.counting.min_df)
    X_train = tf.fit_transform(bag_of_words(d.X_train, V, pad=0))
    X_test = tf.transform(bag_of_words(d.X_test, V, pad=0))
    scale = StandardScaler().fit(X_train)
    return d, scale.transform(X_train), scale.transform(X_test), len(tf.columns_)


def _softmax(ctx: Context):
    from mldm.models import SoftmaxRegression

    p = ctx.params.counting
    return SoftmaxRegression(
        lr=p.lr,
        max_epochs=p.max_epochs,
        batch_size=p.batch_size,
        weight_decay=p.weight_decay,
        random_state=ctx.seed,
        rtol=1.0,  # SGD: no convergence test (the curve is the record)
    )


def train(ctx: Context) -> None:
    d, X_train, _, n_words = _features(ctx)
    with ctx.run("tfidf_softmax", words=n_words):
        model = _softmax(ctx).fit(X_train, d.y_train)
    ctx.save_model("tfidf_softmax", model)


def evaluate(ctx: Context) -> dict[str, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    p = ctx.params.counting
    d, X_train, X_test, n_words = _features(ctx)
    ours = float((ctx.load_model("tfidf_softmax").predict(X_test) == d.y_test).mean())
    # the same objective by scikit-learn: mean CE + λ'/2 ||W||² <-> C = 1 / (λ' N)
    C = 1 / (p.weight_decay * len(X_train)) if p.weight_decay else 1e6
    same = LogisticRegression(C=C, max_iter=2000).fit(X_train, d.y_train)
    same_acc = float((same.predict(X_test) == d.y_test).mean())
    # scikit-learn's own pipeline (natural-log smoothed idf, l2-normalized rows), defaults
    texts = [review_texts(X, d.feature_names) for X in (d.X_train, d.X_test)]
    vec = TfidfVectorizer(min_df=p.min_df, token_pattern=r"\S+")
    lr = LogisticRegression(max_iter=1000).fit(vec.fit_transform(texts[0]), d.y_train)
    theirs = float((lr.predict(vec.transform(texts[1])) == d.y_test).mean())
    majority = float(max(d.y_test.mean(), 1 - d.y_test.mean()))
    ctx.record("amazon_tfidf", "ours", test_accuracy=ours, features=n_words)
    ctx.record("amazon_tfidf", "sklearn_same_features", test_accuracy=same_acc, C=C)
    ctx.record(
        "amazon_tfidf", "sklearn_pipeline", test_accuracy=theirs, features=len(vec.vocabulary_)
    )
    ctx.record("amazon_tfidf", "majority", test_accuracy=majority)
    ctx.measure("tfidf_softmax_near_sklearn", abs(ours - same_acc))
    ctx.measure("tfidf_beats_majority", ours - majority)
    return {"ours": ours, "sklearn": theirs, "majority": majority}
