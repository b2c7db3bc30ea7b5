"""L11's block in params.yaml (``lectures.l11_text``); defaults are the default profile's.

Sizes were chosen by measuring on 2 shared CPU cores (see benchmarks/results.json
``l11_text``): word2vec on the whole Shakespeare corpus (913k tokens, 9.1k words with
count >= 5), 64-d vectors, 2 epochs for ours and gensim's; the small BERT on Shakespeare
sentences (see :class:`Bert`); the Amazon reviews whole (4,000 / 1,000).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mldm.config import LectureParams, Strict

Budget = Annotated[int, Field(ge=10)]  # labelled rows of one fine-tuning run


class Counting(Strict):
    """TF-IDF features of the Amazon reviews and the lecture-2 softmax model on them. The
    features are standardized (training statistics): on the raw TF-IDF (entries ~0.01 beside
    the bias's 1) gradient descent stalls at the majority class for any step that keeps the
    bias stable."""

    min_df: int = Field(3, ge=1, description="keep words in at least this many training reviews")
    lr: float = Field(0.05, gt=0, description="softmax regression SGD step r")
    max_epochs: int = Field(20, ge=1)
    batch_size: int = Field(100, ge=1)
    weight_decay: float = Field(0.5, ge=0, description="λ' (L04): 0.73 test accuracy, 0 overfits")


class Word2VecParams(Strict):
    """Skip-gram / CBOW with negative sampling; gensim's Word2Vec gets the same values."""

    dim: int = Field(64, ge=2, description="embedding size d")
    window: int = Field(5, ge=1, description="m: the largest dynamic window radius")
    negatives: int = Field(5, ge=1, description="K negatives per pair, from count^0.75")
    sample: float = Field(1e-3, ge=0, lt=1, description="subsampling threshold s (0: off)")
    min_count: int = Field(5, ge=1)
    epochs: int = Field(2, ge=1)
    batch_size: int = Field(16384, ge=1, description="skip-gram pairs per SparseAdam step")
    cbow_batch_size: int = Field(
        1024,
        ge=1,
        description="CBOW windows per step: CBOW has ~6x fewer examples than skip-gram pairs, "
        "and 16384 left it 77 steps in which all vectors moved together (mean cosine 0.96)",
    )
    lr: float = Field(1e-2, gt=0, description="SparseAdam step")
    n_tokens: int | None = Field(
        None, ge=1000, description="first tokens of the corpus (None: all)"
    )
    seeds: int = Field(1, ge=1, description="skip-gram runs (mean ± sd against gensim)")


class TaskParams(Strict):
    """The sentence-pair ("is B one of A's lines?") and token-level ("character name?")
    fine-tuning tasks built from Shakespeare (:mod:`mldm.lectures.l11_text.tasks`)."""

    min_words: int = Field(4, ge=1, description="words per sentence at least (no speaker tags)")
    max_words: int = Field(24, ge=4, description="words per tagged line at most")
    common_words: int = Field(
        100, ge=0, description="the corpus's most frequent words are not names (all, both, king)"
    )
    passage: int = Field(2, ge=1, description="lines in passage A")
    pair_len: int = Field(40, ge=8, description="tokens per [CLS] A [SEP] B [SEP] input")
    pair_train: int = Field(4000, ge=10, description="labelled pairs the budgets draw from")
    pair_test: int = Field(300, ge=10, description="test pairs (disjoint passages)")
    pair_budgets: list[Budget] = Field(
        default_factory=lambda: [200], min_length=1, description="labelled pairs per run"
    )
    token_test: int = Field(300, ge=10, description="test lines")
    token_budgets: list[Budget] = Field(
        default_factory=lambda: [50, 100], min_length=1, description="labelled lines per run"
    )
    epochs: int = Field(10, ge=1)


class BertParams(Strict):
    """The small BERT: a BPE tokenizer (``tokenizers``; BPE as its trainer is deterministic,
    WordPiece's breaks ties by hash order) trained on the Shakespeare
    sentences, MLM + NSP pre-training on consecutive sentence pairs, fine-tuning on Amazon
    reviews at small label counts against the same model from scratch and the frozen MiniLM."""

    vocab_size: int = Field(2000, ge=50, description="BPE vocabulary incl. specials")
    max_len: int = Field(32, ge=8, description="tokens per pre-training pair")
    n_pairs: int = Field(20000, ge=100, description="training sentence pairs (50% true next)")
    span: int = Field(
        2, ge=1, description="consecutive sentences per NSP segment (BERT: spans of text)"
    )
    n_eval_pairs: int = Field(4000, ge=50, description="held-out pairs (last sentences)")
    review_pretraining: bool = Field(
        True, description="add the training reviews' text (no labels) to pre-training"
    )
    d_model: int = Field(64, ge=8)
    n_heads: int = Field(4, ge=1)
    d_ff: int = Field(128, ge=8)
    n_layers: int = Field(2, ge=1)
    small_d_model: int = Field(16, ge=8, description="the size ablation's smaller model")
    small_n_layers: int = Field(1, ge=1)
    epochs: int = Field(3, ge=1, description="passes, each with a fresh masking")
    pretraining_seeds: int = Field(
        3, ge=1, description="default-size pre-trainings (init, masking, order) NSP is over"
    )
    small_seeds: int = Field(1, ge=1, description="pre-trainings of the ablation's smaller model")
    batch_size: int = Field(64, ge=1)
    lr: float = Field(3e-3, gt=0, description="Adam step of pre-training (constant)")
    pretraining_dropout: float = Field(
        0.0, ge=0, lt=1, description="dropout while pre-training (an underfitting model)"
    )
    finetune_dropout: float = Field(0.1, ge=0, lt=1, description="dropout while fine-tuning")
    review_len: int = Field(64, ge=8, description="tokens per review when fine-tuning")
    label_budgets: list[Budget] = Field(default_factory=lambda: [50, 100], min_length=1)
    finetune_epochs: int = Field(10, ge=1)
    finetune_lr: float = Field(1e-3, gt=0)
    seeds: int = Field(3, ge=1)
    n_test: int = Field(500, ge=10, description="test reviews the fine-tuning table scores")
    minilm_probe: bool = Field(True, description="the frozen MiniLM + linear probe beside")
    minilm_threads: int = Field(
        2, ge=1, description="intra-op threads of the frozen MiniLM's forward passes only"
    )
    tasks: TaskParams = TaskParams()


class EncoderTraining(Strict):
    """How an end-to-end sentence encoder is trained: Adam for ``epochs`` at ``lr``, over
    ``seeds`` runs (mean ± sd)."""

    epochs: int = Field(ge=1)
    lr: float = Field(gt=0, description="Adam step")
    seeds: int = Field(ge=1, description="runs (init and batch order)")


class SentenceParams(Strict):
    """The lecture's four sentence embeddings (lines 4869-4906) from our skip-gram vectors
    (seed 0) on the Amazon reviews: mean and concatenation through the linear probe; TextCNN
    and the vanilla RNN trained end to end (word vectors frozen), their features through the
    same probe beside."""

    review_len: int = Field(
        64, ge=4, description="words (in the word2vec vocabulary) kept per review"
    )
    concat_len: int = Field(16, ge=1, description="first words whose vectors are concatenated")
    widths: list[int] = Field(default_factory=lambda: [3, 4, 5], description="TextCNN k")
    filters: int = Field(32, ge=1, description="TextCNN feature maps per width")
    rnn_hidden: int = Field(64, ge=2)
    batch_size: int = Field(64, ge=1)
    textcnn: EncoderTraining = EncoderTraining(epochs=15, lr=1e-3, seeds=3)
    rnn: EncoderTraining = EncoderTraining(epochs=10, lr=3e-3, seeds=1)


class ElmoParams(Strict):
    """The biLM (forward + backward LSTM LMs) on Shakespeare, its contexts of a polysemous word
    and its features of the Amazon reviews."""

    hidden: int = Field(64, ge=4, description="embedding and LSTM width H")
    layers: int = Field(2, ge=1)
    seq_len: int = Field(20, ge=4, description="tokens per training chunk")
    n_tokens: int | None = Field(
        200000, ge=1000, description="first tokens of the corpus it trains on (None: all)"
    )
    epochs: int = Field(2, ge=1)
    batch_size: int = Field(32, ge=1)
    lr: float = Field(1e-2, gt=0, description="Adam step")
    clip: float = Field(1.0, gt=0, description="gradient-norm clip (recurrent nets)")
    cutoffs: list[int] = Field(
        default_factory=lambda: [500, 2500],
        description="adaptive softmax clusters over the count-sorted vocabulary (those below "
        "its size; []: the full softmax)",
    )
    word: str = Field("will", description="the polysemous word whose contexts are compared")
    noun_before: list[str] = Field(
        default_factory=lambda: [
            "my",
            "thy",
            "his",
            "her",
            "your",
            "our",
            "their",
            "the",
            "a",
            "good",
            "own",
            "free",
        ],
        description="a preceding word marking the noun sense (desire, testament)",
    )
    verb_before: list[str] = Field(
        default_factory=lambda: ["i", "you", "he", "she", "we", "they", "thou", "it"],
        description="a preceding pronoun marking the modal verb",
    )
    context: int = Field(8, ge=1, description="words either side of the word fed to the biLM")


class Params(LectureParams):
    counting: Counting = Counting()
    word2vec: Word2VecParams = Word2VecParams()
    bert: BertParams = BertParams()
    sentence: SentenceParams = SentenceParams()
    elmo: ElmoParams = ElmoParams()
    neighbours: list[str] = Field(
        default_factory=lambda: ["king", "love", "night", "sword", "father"],
        description="words whose nearest neighbours the report lists",
    )
