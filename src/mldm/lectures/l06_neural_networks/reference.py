"""The MNIST-1D reference table (Greydanus 2020) with our models beside the paper's numbers:
softmax regression, the MLP, the vanilla RNN from its recurrence and GRU/LSTM (lines
2456-2490), a Transformer encoder (2520-2570) and a 1-D CNN, every one trained alike with Adam
over several seeds; and the many-to-many RNN, whose y_t = W_hy h_t improves as h_t has read
more of the sequence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation.seeds import OverSeeds, over_seeds, separated_gap
from mldm.lectures.l06_neural_networks.common import (
    adam,
    mnist1d,
    run_name,
    test_accuracy,
)

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l06_neural_networks.params import Reference

# MNIST-1D README / paper (Greydanus 2020), test accuracy in %, default 4000/1000 split
PAPER_MNIST1D = {"logistic": 32, "mlp": 68, "cnn": 94, "gru": 91}
REFERENCE_MODELS = ("logistic", "mlp", "rnn", "gru", "lstm", "transformer", "cnn")
PAPER_ORDER = ("logistic", "mlp", "gru", "cnn")  # the paper's ordering, worst to best


def reference_model(name: str, p: Reference):
    """The MNIST-1D table's models; input (N, 40)."""
    from mldm.models.attention import TransformerClassifier
    from mldm.models.cnn import CNN1d
    from mldm.models.neural import MLP
    from mldm.models.sequence import GRUClassifier, LSTMClassifier, RNNClassifier

    return {
        "logistic": lambda: MLP([40, 10]),  # softmax regression: no hidden layer
        "mlp": lambda: MLP([40, p.hidden, p.hidden, 10], activation="relu"),
        "rnn": lambda: RNNClassifier(1, p.rnn_hidden, 10),
        "rnn_many_to_many": lambda: RNNClassifier(1, p.rnn_hidden, 10, mode="many_to_many"),
        "gru": lambda: GRUClassifier(1, p.gru_hidden, 10, bidirectional=True, length=40),
        "lstm": lambda: LSTMClassifier(1, p.rnn_hidden, 10),
        "transformer": lambda: TransformerClassifier(
            length=40,
            d_model=p.d_model,
            n_heads=p.n_heads,
            d_ff=2 * p.d_model,
            n_layers=p.n_layers,
            num_classes=10,
            patch=p.patch,
        ),
        "cnn": lambda: CNN1d(num_classes=10, channels=p.cnn_channels, length=40),
    }[name]()


def train(ctx: Context, p: Reference, d) -> None:
    from mldm.models.sequence import many_to_many_loss

    fit = dict(max_epochs=p.max_epochs, batch_size=p.batch_size)
    # the vanilla RNN explodes/vanishes through 40 steps: a smaller lr and a capped gradient
    rnn = dict(optimizer=adam(p.rnn_lr), gradient_clip_val=p.clip, **fit)
    for run in range(p.seeds):
        for i, name in enumerate(REFERENCE_MODELS):
            ctx.seeded(0, i, run=run)
            how = rnn if name == "rnn" else dict(optimizer=adam(p.lr), **fit)
            ctx.train_classifier(
                run_name(f"mnist1d_{name}", run),
                reference_model(name, p),
                d,
                seed=ctx.seed + run,  # the mini-batch order too
                **how,
            )
    ctx.seeded(0, 99)
    ctx.train_classifier(
        "mnist1d_rnn_many_to_many",
        reference_model("rnn_many_to_many", p),
        d,
        eval_sets=(),
        loss=many_to_many_loss,
        **rnn,
    )


@dataclass(frozen=True)
class ReferenceTable:
    """Each model's test accuracy over the seeds, its (run 0) curves, and the many-to-many
    RNN's test accuracy of y_t for t = 1..T."""

    accuracy: dict[str, OverSeeds]
    curves: dict[str, Any]
    step_accuracy: np.ndarray


def evaluate(ctx: Context) -> ReferenceTable:
    p, d = ctx.params.reference, mnist1d(ctx)
    stats = {}
    for name in REFERENCE_MODELS:
        model = reference_model(name, p)
        runs = [
            test_accuracy(ctx, run_name(f"mnist1d_{name}", r), model, d) for r in range(p.seeds)
        ]
        stats[name] = over_seeds(runs)
        paper = {"paper_test_accuracy": PAPER_MNIST1D[name] / 100} if name in PAPER_MNIST1D else {}
        ctx.record("mnist1d", name, **stats[name].metrics("test_accuracy"), seeds=p.seeds, **paper)
    ctx.measure(
        "mnist1d_reference_ordering",
        min(
            separated_gap(stats[a], stats[b])
            for a, b in zip(PAPER_ORDER, PAPER_ORDER[1:], strict=False)
        ),
    )
    ctx.table(
        "mnist1d_reference",
        ["model", "paper (%)", f"ours (%, mean ± sd of {p.seeds} seeds)"],
        [
            [name, PAPER_MNIST1D.get(name, "—"), f"{100 * s.mean:.1f} ± {100 * s.sd:.1f}"]
            for name, s in stats.items()
        ],
        note=f"MNIST-1D default split (4000/1000). Ours: {p.max_epochs} epochs of Adam "
        f"(lr {p.lr}, batch {p.batch_size}); the paper trains 6000 steps. RNN, LSTM and "
        "Transformer are not in the paper's table.",
    )
    step_acc = _many_to_many(ctx, p, d)
    curves = ctx.curves(REFERENCE_MODELS, prefix="mnist1d_")
    return ReferenceTable(stats, curves, step_acc)


def _many_to_many(ctx: Context, p: Reference, d) -> np.ndarray:
    """The many-to-many RNN's test accuracy of y_t at every step t."""
    import torch

    from mldm.models.sequence import stepwise_accuracy
    from mldm.training import predict_logits

    m2m = ctx.load_module("mnist1d_rnn_many_to_many", reference_model("rnn_many_to_many", p))
    logits = predict_logits(m2m, d.X_test)
    step_acc = stepwise_accuracy(torch.as_tensor(logits), torch.as_tensor(d.y_test)).numpy()
    T = len(step_acc)
    ctx.measure("rnn_many_to_many_improves_with_t", float(step_acc[-1] - step_acc[T // 4 - 1]))
    ctx.record("mnist1d", "rnn_many_to_many", last_step_test_accuracy=float(step_acc[-1]))
    return step_acc
