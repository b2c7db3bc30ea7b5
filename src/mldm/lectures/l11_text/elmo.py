"""ELMo-style contextual vectors (lines 4909-4941): a forward and a backward LSTM language
model (:class:`mldm.models.elmo.BiLM`) trained on Shakespeare (word2vec's vocabulary, chunks
of ``seq_len`` words), then

* the lecture's "bank" point on a word Shakespeare uses in two senses, *will* (the noun:
  "my will", "thy will" — desire, testament; the modal verb: "I will", "we will"), the sense
  labelled by the word before it: the biLM's vectors of its occurrences (a window of
  ``context`` words either side) separate by sense (nearest-centroid accuracy on held-out
  occurrences, silhouette), word2vec's cannot (one vector per word);
* biLM features of the Amazon reviews (mean over a review's words of each layer
  :math:`R_j`, of their plain mix :math:`\\frac{1}{L+1}\\sum_j R_j` (ELMo's
  :math:`\\gamma \\sum_j s_j R_j` with :math:`s = \\mathrm{softmax}(0)`, γ = 1) and of their
  concatenation, which the linear probe can weigh as any :math:`s, \\gamma` would) through the
  same linear probe as the other sentence embeddings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l11_text.common import corpus

if TYPE_CHECKING:
    from mldm.lectures.base import Context

HELD_OUT = 0.1  # the corpus's last tenth: held-out LM chunks


def _chunks(tokens: np.ndarray, T: int) -> np.ndarray:
    n = len(tokens) // T * T
    return tokens[:n].reshape(-1, T) + 1  # ids + 1: 0 is the padding


def _split(ctx: Context):
    p = ctx.params.elmo
    c = corpus(ctx, ctx.params.word2vec)
    cut = int((1 - HELD_OUT) * len(c.tokens))
    train = c.tokens[:cut][: p.n_tokens]
    return c, _chunks(train, p.seq_len), _chunks(c.tokens[cut:], p.seq_len)


def _bilm(ctx: Context, V: int):
    from mldm.models.elmo import BiLM

    p = ctx.params.elmo
    return BiLM(V + 1, p.hidden, p.layers, [c for c in p.cutoffs if c < V])


def train(ctx: Context) -> None:
    import time

    import torch

    from mldm.models.elmo import bilm_loss
    from mldm.training import array_loader, fit

    p = ctx.params.elmo
    c, X, _ = _split(ctx)
    ctx.seeded(11, 30)
    model = _bilm(ctx, len(c.vocab))
    with ctx.run("bilm", **p.model_dump()):
        t = time.perf_counter()
        task = fit(
            model,
            bilm_loss,
            lambda w: torch.optim.Adam(w, p.lr),
            array_loader(
                X, np.zeros(len(X), np.int64), p.batch_size, seed=ctx.seed, dtype=torch.long
            ),
            p.epochs,
            gradient_clip_val=p.clip,
        )
        ctx.tracker.log_metrics({"train_seconds": time.perf_counter() - t, "tokens": X.size})
    ctx.save_module("bilm", model)
    ctx.save_curve(
        "bilm_loss",
        step=np.arange(len(task.history["step_loss"])),
        step_loss=task.history["step_loss"],
    )


def contexts(ctx: Context, c) -> tuple[np.ndarray, np.ndarray]:
    """Windows (n, 2·context+1) of ids + 1 around occurrences of ``word`` whose previous word
    marks a sense (label 1: noun, 0: verb), the larger sense subsampled to the smaller's
    count; the word itself at the centre."""
    p = ctx.params.elmo
    index = c.index
    at = np.flatnonzero(c.tokens == index[p.word])
    at = at[(at >= p.context) & (at < len(c.tokens) - p.context)]
    prev = c.tokens[at - 1]
    noun = np.isin(prev, [index[w] for w in p.noun_before if w in index])
    verb = np.isin(prev, [index[w] for w in p.verb_before if w in index])
    rng = np.random.default_rng([ctx.seed, 11, 31])
    n = min(noun.sum(), verb.sum())
    rows = np.concatenate(
        [
            rng.choice(np.flatnonzero(noun), n, replace=False),
            rng.choice(np.flatnonzero(verb), n, replace=False),
        ]
    )
    label = np.r_[np.ones(n, np.int64), np.zeros(n, np.int64)]
    windows = c.tokens[at[rows, None] + np.arange(-p.context, p.context + 1)] + 1
    return windows, label


def nearest_centroid_accuracy(H: np.ndarray, y: np.ndarray, seed: int) -> float:
    """Held-out accuracy of the nearest class centroid (cosine): centroids from a stratified
    half of the rows, scored on the other half. Equal centroids (one vector for every row)
    predict one class: chance."""
    from sklearn.model_selection import train_test_split

    a, b = train_test_split(np.arange(len(y)), test_size=0.5, stratify=y, random_state=seed)
    Hn = H / np.maximum(np.linalg.norm(H, axis=1, keepdims=True), 1e-12)
    C = np.stack([Hn[a][y[a] == k].mean(0) for k in (0, 1)])
    C = C / np.maximum(np.linalg.norm(C, axis=1, keepdims=True), 1e-12)
    score = Hn[b] @ C.T
    pred = np.where(np.isclose(score[:, 0], score[:, 1]), 0, score.argmax(1))
    return float((pred == y[b]).mean())


def _silhouette(H: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import silhouette_score

    if np.ptp(H, axis=0).max() == 0:
        return 0.0  # one point: no separation (sklearn's score needs distinct points)
    return float(silhouette_score(H, y, metric="cosine"))


@dataclass(frozen=True)
class ElmoResults:
    layers: dict[str, dict[str, float]]  # representation -> nearest-centroid acc, silhouette
    word: str
    projection: np.ndarray  # 2-D PCA of the top layer's vectors of the word's contexts
    labels: np.ndarray


def _representations(model, ids: np.ndarray, batch: int = 500):
    import torch

    with torch.no_grad():
        return np.concatenate(
            [
                model.representations(torch.as_tensor(ids[i : i + batch])).numpy()
                for i in range(0, len(ids), batch)
            ],
            axis=1,
        )  # (L+1, n, T, 2H)


def evaluate(ctx: Context) -> ElmoResults:
    import torch

    from mldm.evaluation.representation import linear_probe
    from mldm.lectures.l11_text.sentence import to_word2vec_ids
    from mldm.lectures.l11_text.word2vec import vectors
    from mldm.models.elmo import ScalarMix, bilm_loss

    p = ctx.params.elmo
    c, X, Xheld = _split(ctx)
    model = ctx.load_module("bilm", _bilm(ctx, len(c.vocab)))

    # held-out LM cross-entropy against the unigram model of the training chunks (add-one)
    freq = np.bincount(X.ravel(), minlength=len(c.vocab) + 1).astype(float) + 1.0
    freq[0] = 0  # the padding is never a target
    logq = np.log(np.maximum(freq, 1e-300) / freq.sum())
    with torch.no_grad():
        held = torch.as_tensor(Xheld[:500])
        ce = float(bilm_loss(model(held)))
    unigram = float(-logq[Xheld[:500, 1:]].mean())
    ctx.record("elmo", "bilm", held_out_cross_entropy=ce, held_out_perplexity=float(np.exp(ce)))
    ctx.record("elmo", "unigram", held_out_cross_entropy=unigram)
    ctx.measure("bilm_below_unigram", unigram - ce)

    # the "bank" point on the contexts of a two-sense word
    windows, label = contexts(ctx, c)
    R = _representations(model, windows)[:, :, p.context]  # (L+1, n, 2H) at the word
    H = p.hidden
    reps = {f"bilm_layer{j}": R[j] for j in range(len(R))}
    reps["bilm_top_backward_half"] = R[-1][:, H:]  # what only the words after it say
    E = vectors(ctx, "skipgram")
    reps["word2vec"] = E[windows[:, p.context] - 1]
    layers = {}
    for name_, V in reps.items():
        layers[name_] = {
            "nearest_centroid_accuracy": nearest_centroid_accuracy(V, label, ctx.seed),
            "silhouette": _silhouette(V, label),
        }
        ctx.record("elmo_contexts", name_, **layers[name_], n_contexts=len(label))
    top = layers[f"bilm_layer{len(R) - 1}"]["nearest_centroid_accuracy"]
    ctx.measure("bilm_contexts_separate", top - 0.5)
    ctx.measure(
        "word2vec_contexts_do_not_separate", layers["word2vec"]["nearest_centroid_accuracy"] - 0.5
    )

    # biLM features of the Amazon reviews through the linear probe
    d = ctx.data("amazon_reviews")
    ids = [to_word2vec_ids(ctx, A, ctx.params.sentence.review_len) for A in (d.X_train, d.X_test)]
    pooled = []
    for A in ids:
        Rr = _representations(model, A)  # (L+1, n, T, 2H)
        m = (A != 0)[None, :, :, None]
        pooled.append(
            ((Rr * m).sum(2) / np.maximum(m.sum(2), 1)).astype(np.float32)
        )  # (L+1, n, 2H)
    mix = ScalarMix(len(R))
    feats = {f"layer{j}": (pooled[0][j], pooled[1][j]) for j in range(len(R))}
    with torch.no_grad():
        feats["mix"] = tuple(mix(torch.as_tensor(P)).numpy() for P in pooled)
    feats["concat_layers"] = tuple(np.concatenate(list(P), 1) for P in pooled)
    for name_, (Ftr, Fte) in feats.items():
        probe = linear_probe(Ftr, d.y_train, Fte, d.y_test, seed=ctx.seed)
        ctx.record("elmo_reviews", name_, test_accuracy=probe.test_accuracy)

    from sklearn.decomposition import PCA

    top_vecs = R[-1]
    proj = PCA(2, random_state=0).fit_transform(top_vecs)
    return ElmoResults(layers, p.word, proj, label)
