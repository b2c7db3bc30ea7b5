"""L11's BERT data: the WordPiece tokenizer is repeatable (ids included) and encodes pairs as
[CLS] A [SEP] B [SEP] with segment ids; NSP pairs are half true."""

from __future__ import annotations

import numpy as np

from mldm.lectures.l11_text.bert import CLS, PAD, SEP, encode, pairs, review_halves, train_tokenizer

TEXTS = [
    "to be or not to be that is the question",
    "whether tis nobler in the mind to suffer",
    "the slings and arrows of outrageous fortune",
    "or to take arms against a sea of troubles",
] * 20


def test_tokenizer_ids_are_specials_then_sorted_pieces():
    """The trainer breaks ties among pieces by hash order, so two trainings can differ in a
    few pieces (checked: nearly the same set); the ids are specials, then the pieces sorted,
    so equal sets give equal ids."""
    from mldm.data.text import shakespeare
    from mldm.lectures.l11_text.bert import SPECIALS

    X, sentence, vocab, _ = shakespeare()
    words = np.asarray(vocab, dtype=object)[X[:200_000]]
    cuts = np.flatnonzero(np.diff(sentence[:200_000])) + 1
    texts = [" ".join(s) for s in np.split(words, cuts)]
    a, b = (train_tokenizer(texts, 1000) for _ in range(2))
    va, vb = a.get_vocab(), b.get_vocab()
    assert len(set(va) & set(vb)) >= 0.98 * len(va)
    order = sorted(va, key=va.get)
    assert order[: len(SPECIALS)] == SPECIALS and order[len(SPECIALS) :] == sorted(order[5:])
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
