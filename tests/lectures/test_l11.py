"""L11's BERT data: the BPE tokenizer is repeatable across processes (ids included) and
encodes pairs as [CLS] A [SEP] B [SEP] with segment ids; NSP pairs are half true."""

from __future__ import annotations

import numpy as np

from mldm.lectures.l11_text.bert import CLS, PAD, SEP, encode, pairs, review_halves, train_tokenizer

TEXTS = [
    "to be or not to be that is the question",
    "whether tis nobler in the mind to suffer",
    "the slings and arrows of outrageous fortune",
    "or to take arms against a sea of troubles",
] * 20


_TRAIN_IN_SUBPROCESS = """
import hashlib, sys
import numpy as np
from mldm.data.text import shakespeare
from mldm.lectures.l11_text.bert import train_tokenizer
X, sentence, vocab, *_ = shakespeare()
words = np.asarray(vocab, dtype=object)[X[:200_000]]
cuts = np.flatnonzero(np.diff(sentence[:200_000])) + 1
tok = train_tokenizer([" ".join(s) for s in np.split(words, cuts)], 1000)
v = tok.get_vocab()
print(hashlib.sha256(repr(sorted(v.items())).encode()).hexdigest(), len(v))
print(hashlib.sha256(tok.to_str().encode()).hexdigest())
"""


def test_tokenizer_is_identical_across_processes():
    """Rust's HashMap seeds are per process (WordPieceTrainer's vocabulary and ids changed
    between processes), so train in two fresh interpreters: the same vocabulary, the same
    ids and the same serialized tokenizer (merges included)."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = [
        subprocess.run(
            [sys.executable, "-c", _TRAIN_IN_SUBPROCESS],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout.split()
        for _ in range(2)
    ]
    assert out[0] == out[1]
    assert int(out[0][1]) == 1000


def test_tokenizer_specials_first_and_pair_encoding():
    from mldm.lectures.l11_text.bert import SPECIALS

    a = train_tokenizer(TEXTS, 100)
    va = a.get_vocab()
    assert sorted(va, key=va.get)[: len(SPECIALS)] == SPECIALS
    x = encode(a, ["to be or not"], ["the question"], 12)
    ids, seg = x[0, :12], x[0, 12:]
    assert ids[0] == CLS and (ids == SEP).sum() == 2 and ids[-1] == PAD
    first_sep = int(np.flatnonzero(ids == SEP)[0])
    assert (seg[: first_sep + 1] == 0).all() and seg[first_sep + 1] == 1


def test_pairs_are_half_true_next():
    rng = np.random.default_rng(0)
    a, b, nxt = pairs(TEXTS, 2000, rng)
    assert 0.45 < nxt.mean() < 0.55
    idx = {t: i for i, t in enumerate(TEXTS[:4])}
    true = [idx[y] == (idx[x] + 1) % 4 for x, y, n in zip(a, b, nxt, strict=True) if n]
    assert all(true)
    first, second, n2 = review_halves(TEXTS[:4], np.random.default_rng(1))
    k = int(np.flatnonzero(n2)[0])
    assert f"{first[k]} {second[k]}" == TEXTS[k]


def test_slide_average_row_is_the_mean_of_its_word_vectors():
    """Lines 4874-4882: the "Average" row of "coffee or tea ?" is the mean of the four rows,
    to the slide's two decimals (0.175 and 0.445 are printed rounded, half a unit off)."""
    from mldm.lectures.l11_text.sentence import SLIDE_VECTORS, _slide_gap
    from mldm.models.sentence import mean_embedding

    E = np.vstack([np.zeros(8), SLIDE_VECTORS])
    ours = mean_embedding(E, np.arange(1, 5)[None])
    assert _slide_gap(ours) <= 0.5
    assert _slide_gap(ours + 0.01) > 0.5
    np.testing.assert_allclose(ours[0], SLIDE_VECTORS.mean(0))


def test_nearest_centroid_separates_clusters_and_not_one_vector():
    from mldm.lectures.l11_text.elmo import nearest_centroid_accuracy

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 50)
    H = rng.normal(size=(100, 5)) * 0.1 + np.where(y[:, None] == 1, 1.0, -1.0) * np.eye(5)[0]
    assert nearest_centroid_accuracy(H, y, 0) == 1.0
    one = np.tile(rng.normal(size=5), (100, 1))  # word2vec: one vector in every context
    assert nearest_centroid_accuracy(one, y, 0) == 0.5


def _task_params(**kw):
    from mldm.lectures.l11_text.params import TaskParams

    return TaskParams(**{"pair_train": 300, "pair_test": 100, **kw})


LINES = [f"line {i} of play {i // 30} says word{i} and more" for i in range(120)]


def test_pair_labels_are_containment_and_half_true():
    """The "is B one of A's lines?" pairs: the label is exactly whether B's text is one of
    A's lines, B always comes from A's play, about half are true, and train and test passages
    are disjoint."""
    from mldm.lectures.l11_text.tasks import pair_task

    play = np.arange(len(LINES)) // 30
    d = pair_task(LINES, play, _task_params(passage=3), np.random.default_rng(0))
    assert len(d.first) == 400 and len(d.train) == 300 and len(d.test) == 100
    for a, b, y in zip(d.first, d.second, d.labels, strict=True):
        assert bool(y) == (b in a)  # distinct lines: containment of the text is the label
        assert b.split()[4] == a.split()[4]  # "of play k": B from A's play
    assert 0.4 < d.labels.mean() < 0.6
    train = {a for i, a in enumerate(d.first) if i in set(d.train.tolist())}
    test = {d.first[i] for i in d.test}
    assert not train & test


def test_token_labels_mark_names_and_balance_them():
    """Words of a play's one-word speaker tags are 1, as many other words 0, the rest -1;
    common words and roman numerals are never names; lines without a name are left out."""
    from mldm.lectures.l11_text.tasks import token_task

    texts = ["good morrow aegeon my lord", "the duke is here", "aegeon and luce and i go"]
    tags = [{"aegeon", "luce", "all", "ii"}]
    d = token_task(texts, np.zeros(3, int), tags, {"all"}, _task_params(), np.random.default_rng(0))
    assert [" ".join(w) for w in d.first] == [texts[0], texts[2]]
    for words, lab in zip(d.first, d.labels, strict=True):
        names = [w in {"aegeon", "luce"} for w in words]
        assert all(lab[: len(words)][names] == 1)
        assert (lab == 1).sum() == (lab == 0).sum() == sum(names)
        assert (lab[len(words) :] == -1).all()


def test_word_labels_sit_on_each_words_first_token():
    from mldm.lectures.l11_text.tasks import encode_words
    from mldm.models.bert import IGNORE

    tok = train_tokenizer(TEXTS, 60)
    lines = [["outrageous", "fortune", "to", "be"]]
    labels = np.array([[1, 0, -1, 1, -1, -1]])
    x, y = encode_words(tok, lines, labels, 16)
    enc = tok.encode(lines[0], is_pretokenized=True)
    first = [enc.word_ids.index(w) for w in range(4)]
    assert y[0, first].tolist() == [1, 0, IGNORE, 1]
    assert (np.delete(y[0], first) == IGNORE).all()
    assert x[0, 0] == CLS


def test_tasks_read_the_prepared_set_only(params_file, prepared_root, tmp_path, monkeypatch):
    """The pair and token tasks are built from data/prepared alone (issue 13: the graph never
    lies): with the ``shakespeare`` package's files out of reach, each sentence's play and each
    play's speaker tags come from ``prepare@shakespeare``'s arrays, and they line up with the
    prepared sentences (a comedy of errors line naming aegeon is tagged)."""
    import importlib.metadata

    import mldm.data.text
    from mldm.config import load
    from mldm.lectures.base import Context
    from mldm.lectures.l11_text.bert import sentences
    from mldm.lectures.l11_text.tasks import build, play_of_sentences

    real = importlib.metadata.distribution

    def no_shakespeare(name):
        if name == "shakespeare":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    def unreachable():
        raise AssertionError("the package's files were read at train time")

    monkeypatch.setattr(importlib.metadata, "distribution", no_shakespeare)
    monkeypatch.setattr(mldm.data.text, "shakespeare_files", unreachable)
    cfg = load(params_file, lectures=("l11_text",))
    cfg = cfg.model_copy(update={"data": cfg.data.model_copy(update={"root": str(prepared_root)})})
    ctx = Context("l11_text", cfg, tmp_path / "out", tmp_path / "artifacts")
    texts = sentences(ctx)
    play, tags = play_of_sentences(prepared_root, len(texts))
    assert len(play) == len(texts) and len(tags) == 42 and (np.diff(play) >= 0).all()
    errors = int(np.flatnonzero([("aegeon" in t) for t in tags])[0])  # the comedy of errors
    assert {"adriana", "luciana", "luce"} <= tags[errors]
    assert any("aegeon" in texts[i].split() for i in np.flatnonzero(play == errors))
    tasks = build(ctx, texts)
    assert len(tasks["pair"].train) == ctx.params.bert.tasks.pair_train
    assert (tasks["token"].labels == 1).any()


def test_minilm_features_sorted_by_length_come_back_in_order():
    """MiniLM runs on batches of similar lengths (less padding); each text's and each line's
    features come back in the caller's order, equal to encoding it alone."""
    from mldm.lectures.l11_text.bert import minilm_features, minilm_word_features

    texts = [TEXTS[0], "to be", TEXTS[2] + " " + TEXTS[3], "the question", TEXTS[1]]
    alone = np.concatenate([minilm_features([t], 32) for t in texts])
    np.testing.assert_allclose(minilm_features(texts, 32, batch=2), alone, atol=1e-4)
    lines = [t.split() for t in texts]
    words = minilm_word_features(lines, 32, batch=2)
    for line, w in zip(lines, words, strict=True):
        np.testing.assert_allclose(w, minilm_word_features([line], 32)[0], atol=1e-4)


def test_minilm_threads_change_the_speed_not_the_features():
    """The frozen MiniLM may use more intra-op threads than the stage (``bert.minilm_threads``):
    the same features, and the stage's own thread count is back after each forward pass."""
    import torch

    from mldm.lectures.l11_text.bert import minilm_features

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        one = minilm_features(TEXTS, 32)
        two = minilm_features(TEXTS, 32, threads=2)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)  # the rest of the session keeps its own
    np.testing.assert_allclose(two, one, rtol=1e-5, atol=1e-6)


def test_pretraining_and_fine_tuning_have_their_own_dropout():
    """Pre-training an underfitting model runs without dropout; fine-tuning on a few hundred
    labels keeps BERT's 0.1: each built model carries its phase's rate in every layer."""
    from mldm.lectures.l11_text.bert import _bert
    from mldm.lectures.l11_text.params import BertParams

    p = BertParams(vocab_size=60, d_model=8, d_ff=8, n_heads=2, pretraining_dropout=0.2)
    for finetuning, rate in ((False, 0.2), (True, p.finetune_dropout)):
        bert = _bert(p, "bert", finetuning=finetuning)
        assert [bert.p, *(b.p for b in bert.blocks)] == [rate] * (1 + p.n_layers)
    assert p.finetune_dropout == 0.1 and BertParams().pretraining_dropout == 0.0
