"""BERT's other two fine-tuning shapes (lines 5110-5118, the figure's "sentence pair" and
"single sentence tagging" panels), built from the Shakespeare corpus with labels true by
construction:

- **Sentence pair, "is B one of A's lines?"** (the MNLI / QQP panel): A is a passage of a
  few consecutive lines, B one of them (50%) or a line of another passage of the same play.
  Input ``[CLS] A [SEP] B [SEP]`` with segment ids 0 / 1 (line 5112), a linear head on [CLS].
  The label is exact text containment; train and test use disjoint passages. ("Same play?",
  tried first, left every model at chance, MiniLM included: it measured nothing.)
- **Token tagging, "is this word a character's name?"** (the NER panel the lecture names,
  line 5100): each word of a line is tagged 1 if it is a one-word speaker tag of its play
  (``AEGEON.`` on a line of its own in the play's text: the play's speaking characters) and
  0 otherwise, a linear head on every token (line 5116). Role words that are also everyday words
  (``all``, ``both``, ``king`` ...: among the corpus's most frequent words) and roman numerals
  are not names. Lines with at least one name; all their name words and as many other words
  (drawn) are labelled, so chance is 0.5; a word's label sits on its first BPE token (as BERT
  does for NER), the others are skipped.

Each task: the pre-trained small BERT fine-tuned, the same architecture from scratch on the
labelled rows alone, and the frozen MiniLM encoder + linear probe (pairs: SBERT's
``(u, v, |u − v|)`` of the two sentence embeddings; words: MiniLM's output at the word's first
word-piece), over seeds (the labelled rows redrawn per seed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from mldm.evaluation.seeds import separated_gap

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TASKS = ("pair", "token")
ROMAN = re.compile(r"^[ivxlc]+$")


def play_of_sentences(root, n_sentences: int) -> tuple[np.ndarray, list[set[str]]]:
    """Each prepared sentence's file and each file's one-word speaker tags (lower case), as
    ``prepare@shakespeare`` derived them from the package's files (``sentence_play``,
    ``speaker_play`` / ``speaker_tag`` in its arrays, under its content hash): the tasks read
    the prepared set only, never the package."""
    with np.load(Path(root) / "shakespeare" / "arrays.npz", allow_pickle=False) as z:
        play, tag_play, tag = z["sentence_play"], z["speaker_play"], z["speaker_tag"]
    if len(play) != n_sentences:
        raise ValueError(f"{len(play)} sentences with a play, {n_sentences} prepared")
    tags = [set(tag[tag_play == f].tolist()) for f in range(max(play.max(), tag_play.max()) + 1)]
    return play.astype(np.int64), tags


@dataclass(frozen=True)
class TaskData:
    """One task's rows: ``train`` / ``test`` pools (the labelled budget is drawn from ``train``)."""

    first: list  # pair: A texts; token: word lists
    second: list | None  # pair: B texts; token: None
    labels: np.ndarray  # pair: (N,) B in A; token: (N, words) 1 / 0 / -1 (unlabelled)
    train: np.ndarray
    test: np.ndarray


def pair_task(texts, play, p, rng: np.random.Generator) -> TaskData:
    """A: a passage of ``passage`` consecutive lines (of >= ``min_words`` words, within one
    file); B: one of A's lines (50%) or a line of another passage of the same play. Label: B's
    text is one of A's lines. Train and test pairs use disjoint passages."""
    k = p.passage
    long = np.flatnonzero([len(t.split()) >= p.min_words for t in texts])
    lines = long[: len(long) // k * k].reshape(-1, k)  # (passages, k) sentence ids
    lines = lines[play[lines[:, 0]] == play[lines[:, -1]]]
    pools = np.array_split(rng.permutation(len(lines)), [len(lines) // 2])  # train / test
    A, B, y, split = [], [], [], []
    for part, (pool, n) in enumerate(zip(pools, (p.pair_train, p.pair_test), strict=True)):
        pool = np.sort(pool)
        owner = play[lines[pool, 0]]
        a = rng.choice(len(pool), n)
        other = a.copy()  # the passage B is read from: A's own (50%) or one of its play's
        own = rng.random(n) < 0.5
        for q in np.unique(owner[a]):  # per play, a vectorized draw of the other passage
            rows = (owner[a] == q) & ~own
            other[rows] = rng.choice(np.flatnonzero(owner == q), rows.sum())
        b = lines[pool[other], rng.integers(0, k, n)]
        passages = [[texts[j] for j in lines[pool[i]]] for i in a]
        A += [" ".join(x) for x in passages]
        B += [texts[j] for j in b]
        y.append(np.array([texts[j] in x for j, x in zip(b, passages, strict=True)], np.int64))
        split.append(np.full(n, part))
    split = np.concatenate(split)
    return TaskData(A, B, np.concatenate(y), np.flatnonzero(split == 0), np.flatnonzero(split == 1))


def token_task(texts, play, tags, common: set[str], p, rng: np.random.Generator) -> TaskData:
    """Lines (>= ``min_words`` words, at most ``max_words``) holding a name of their play;
    the names and as many other words (drawn) labelled, 1 / 0, the rest -1."""
    names = [{t for t in s if t not in common and not ROMAN.match(t) and len(t) > 2} for s in tags]
    lines, labels = [], []
    for i, t in enumerate(texts):
        w = t.split()
        if p.min_words <= len(w) <= p.max_words:
            is_name = np.fromiter((x in names[play[i]] for x in w), bool, len(w))
            if is_name.any():
                lines.append(w)
                labels.append(is_name)
    lab = np.full((len(lines), p.max_words), -1, dtype=np.int64)
    for r, is_name in enumerate(labels):  # names 1; as many other words 0 (or all, if fewer)
        other = np.flatnonzero(~is_name)
        keep = rng.choice(other, min(len(other), int(is_name.sum())), replace=False)
        lab[r, np.flatnonzero(is_name)] = 1
        lab[r, keep] = 0
    order = rng.permutation(len(lines))
    n_test = min(p.token_test, len(lines) // 2)
    return TaskData(lines, None, lab, np.sort(order[n_test:]), np.sort(order[:n_test]))


def build(ctx: Context, texts: list[str]) -> dict[str, TaskData]:
    """Both tasks from the prepared Shakespeare sentences (seeded from params)."""
    d = ctx.data("shakespeare")  # checks the prepared set's content hash
    p = ctx.params.bert.tasks
    play, tags = play_of_sentences(ctx.cfg.data.root, len(texts))
    counts = np.bincount(d.X_train, minlength=len(d.feature_names))
    common = {d.feature_names[i] for i in np.argsort(-counts, kind="stable")[: p.common_words]}
    rng = np.random.default_rng([ctx.seed, 11, 12])
    return {
        "pair": pair_task(texts, play, p, rng),
        "token": token_task(texts, play, tags, common, p, rng),
    }


def encode_words(tok, lines: list[list[str]], labels: np.ndarray, length: int):
    """(N, 2·length) ids and segments of ``[CLS] words [SEP]``; (N, length) labels on each
    word's first BPE token, IGNORE (-100) elsewhere."""
    from mldm.lectures.l11_text.bert import PAD
    from mldm.models.bert import IGNORE

    tok.enable_truncation(length)
    tok.enable_padding(length=length, pad_id=PAD)
    enc = tok.encode_batch(lines, is_pretokenized=True)
    ids = np.array([e.ids for e in enc], dtype=np.int64)
    seg = np.array([e.type_ids for e in enc], dtype=np.int64)
    word = np.array([[-1 if w is None else w for w in e.word_ids] for e in enc])
    first = (word >= 0) & (np.diff(word, axis=1, prepend=-1) != 0)  # a word's first token
    lab = np.take_along_axis(labels, np.clip(word, 0, labels.shape[1] - 1), axis=1)
    y = np.where(first & (lab >= 0), lab, IGNORE)
    return np.concatenate([ids, seg], 1), y


def inputs(tok, data: TaskData, length: int):
    from mldm.lectures.l11_text.bert import encode

    if data.second is not None:
        return encode(tok, data.first, data.second, length), data.labels
    return encode_words(tok, data.first, data.labels, length)


def budgets(p, task: str) -> list[int]:
    """The task's label budgets (``bert.tasks.pair_budgets`` / ``token_budgets``)."""
    return p.pair_budgets if task == "pair" else p.token_budgets


def budget(data: TaskData, n: int, seed: int) -> np.ndarray:
    return np.sort(np.random.default_rng([seed, 11, 13]).choice(data.train, n, replace=False))


def run_name(task: str, init: str, b: int, run: int) -> str:
    return f"{task}_{init}_budget{b}" + ("" if run == 0 else f"_seed{run}")


def finetune(ctx: Context, tok, texts: list[str]) -> None:
    """Fine-tune / train from scratch each task's models (``<task>_<init>_budget<b>``)."""
    import torch

    from mldm.lectures.l11_text.bert import _bert, _Split, pretrained_bert
    from mldm.models import BertClassifier, BertTagger, token_loss

    p = ctx.params.bert
    for t_i, (task, data) in enumerate(build(ctx, texts).items()):
        X, y = inputs(tok, data, p.tasks.pair_len if task == "pair" else p.max_len)
        for n, run in product(budgets(p.tasks, task), range(p.seeds)):
            rows = budget(data, n, ctx.seed * 100 + run)
            for init in ("pretrained", "scratch"):
                ctx.seeded(11, 12, t_i, run=run)  # one init per seed, whatever the budget
                bert = pretrained_bert(ctx) if init == "pretrained" else _bert(p, "bert")
                head = BertClassifier if task == "pair" else BertTagger
                ctx.train_classifier(
                    run_name(task, init, n, run),
                    head(bert, 2),
                    _Split(X[rows], y[rows]),
                    eval_sets=(),
                    optimizer=lambda w: torch.optim.Adam(w, p.finetune_lr),
                    max_epochs=p.tasks.epochs,
                    batch_size=32,
                    seed=ctx.seed + run,
                    dtype=torch.long,
                    **({} if task == "pair" else {"loss": token_loss}),
                )


def minilm_task_features(data: TaskData, rows: np.ndarray, length: int, threads: int = 1) -> dict:
    """MiniLM features of ``rows`` (computed once, each run's rows picked from them): pairs
    SBERT's (u, v, |u − v|), lines the (words, 384) outputs at each word's first word-piece."""
    from mldm.lectures.l11_text.bert import minilm_features, minilm_word_features

    if data.second is not None:
        u = minilm_features([data.first[i] for i in rows], length, threads=threads)
        v = minilm_features([data.second[i] for i in rows], length, threads=threads)
        return dict(zip(rows.tolist(), np.concatenate([u, v, np.abs(u - v)], 1), strict=True))
    H = minilm_word_features([data.first[i] for i in rows], length, threads=threads)
    return dict(zip(rows.tolist(), H, strict=True))


def probe_rows(data: TaskData, features: dict, rows: np.ndarray):
    """(features, labels) of ``rows``: one per pair, one per labelled word of a line."""
    if data.second is not None:
        return np.stack([features[i] for i in rows]), data.labels[rows]
    lab = data.labels[rows]
    r, w = np.nonzero(lab >= 0)
    return np.stack([features[rows[i]][j] for i, j in zip(r, w, strict=True)]), lab[r, w]


@dataclass(frozen=True)
class TaskResults:
    table: dict[str, dict[int, dict[str, dict[str, float]]]]  # task -> budget -> init -> mean/sd


def evaluate(ctx: Context, tok, texts: list[str]) -> TaskResults:
    """Test accuracy (pairs) / labelled-word accuracy (tokens; names and others balanced) of
    each model over seeds, per label budget; a claim per task that pre-training beats scratch
    at every budget (the smallest separated gap)."""
    from mldm.lectures.l11_text.bert import finetuned_scores
    from mldm.models import BertClassifier, BertTagger

    p = ctx.params.bert
    table = {}
    for task, data in build(ctx, texts).items():
        length = p.tasks.pair_len if task == "pair" else p.max_len
        X, y = inputs(tok, data, length)
        runs = {
            (n, run): budget(data, n, ctx.seed * 100 + run)
            for n in budgets(p.tasks, task)
            for run in range(p.seeds)
        }
        probes = {}  # (n, run) -> the MiniLM probe's (train features, labels, test ...)
        if p.minilm_probe:  # features of every row any run uses, computed once
            used = np.unique(np.concatenate([data.test, *runs.values()]))
            H = minilm_task_features(data, used, length, p.minilm_threads)
            test = probe_rows(data, H, data.test)
            probes = {key: (*probe_rows(data, H, r), *test) for key, r in runs.items()}
        table[task], gaps = {}, []
        for n in budgets(p.tasks, task):
            stats = finetuned_scores(
                ctx,
                lambda init, run, n=n, task=task: run_name(task, init, n, run),
                BertClassifier if task == "pair" else BertTagger,
                X[data.test],
                y[data.test],
                p.seeds,
                [probes[n, run] for run in range(p.seeds)] if probes else None,
            )
            table[task][n] = {init: {"mean": s.mean, "sd": s.sd} for init, s in stats.items()}
            for init, s in stats.items():
                ctx.record("finetune", f"{task}_{init}_budget{n}", **s.metrics("test_accuracy"))
            gaps.append(separated_gap(stats["scratch"], stats["pretrained"]))
        ctx.record("finetune_tasks", task, test_rows=len(data.test))
        ctx.measure(f"{task}_pretraining_beats_scratch", min(gaps))
    return TaskResults(table)
