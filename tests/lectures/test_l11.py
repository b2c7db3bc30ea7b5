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
X, sentence, vocab, _ = shakespeare()
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
