"""Supervised features (lines 4180-4200): the CNN trained on image-label pairs, its
representation the encoder's output h (the dense layer after the last conv block; the conv
block's own output is probed beside it), and the baselines every unsupervised method is
compared with: the same encoder at random initialization, and the same CNN trained from
scratch on 1% / 10% of the labels (the lecture's semi-supervised table, lines 4290-4318)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

from mldm.lectures.l10_visual_representation.common import encoder, label_subset

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l10_visual_representation.common import Digits

SUPERVISED, RANDOM = "supervised", "random_init"


def scratch_name(i: int, run: int) -> str:
    """``scratch_frac0_seed0``: the CNN from scratch on label fraction i, subset ``run``."""
    return f"scratch_frac{i}_seed{run}"


def finetune_name(i: int, run: int) -> str:
    """``finetune_frac0_seed0``: SimCLR's f fine-tuned on label fraction i, subset ``run``."""
    return f"finetune_frac{i}_seed{run}"


def cnn(p):
    from mldm.models.autoencoder import classifier

    return classifier(encoder(p))


def train(ctx: Context, d: Digits) -> None:
    import torch

    p = ctx.params
    s = p.supervised
    ctx.seeded(10, 0)
    ctx.save_module(RANDOM, encoder(p))  # the random-init baseline, never trained
    ctx.seeded(10, 1)
    data = SimpleNamespace(X_train=d.train, y_train=d.y_train, X_test=d.test, y_test=d.y_test)
    ctx.train_classifier(
        SUPERVISED,
        cnn(p),
        data,
        optimizer=lambda params: torch.optim.Adam(params, lr=s.lr),
        max_epochs=s.max_epochs,
        batch_size=s.batch_size,
        dtype=torch.float32,
    )
    for i, fraction in enumerate(p.label_fractions):
        for run in range(p.label_seeds):
            idx = label_subset(d.y_train, fraction, ctx.seed, run)
            ctx.seeded(10, 2, i, run=run)
            few = SimpleNamespace(
                X_train=d.train[idx], y_train=d.y_train[idx], X_test=d.test, y_test=d.y_test
            )
            ctx.train_classifier(
                scratch_name(i, run),
                cnn(p),
                few,
                eval_sets=(),  # scored once, in evaluate (a test pass per epoch costs more)
                optimizer=lambda params: torch.optim.Adam(params, lr=s.lr),
                max_epochs=s.few_label_epochs,
                batch_size=s.batch_size,
                seed=ctx.seed + run,
                dtype=torch.float32,
            )


def finetune(ctx: Context, d: Digits, pretrained) -> None:
    """The semi-supervised table's fine-tuning (lines 4264-4288): a copy of the pre-trained
    encoder ``pretrained`` (SimCLR's f) with a new linear layer, on the same 1% / 10% label
    subsets and batch size as the CNN from scratch. Linear probing, then fine-tuning (Kumar et
    al. 2022): the layer is first trained alone on the frozen f (``head_epochs`` at
    ``head_lr``), then every weight for the scratch CNN's ``few_label_epochs`` at
    ``finetune_lr``; a random layer's first gradients would otherwise undo f (measured: fine-
    tuning from a random layer ends level with scratch)."""
    import copy

    import torch

    from mldm.models.autoencoder import classifier

    p = ctx.params
    s = p.supervised
    for i, fraction in enumerate(p.label_fractions):
        for run in range(p.label_seeds):
            idx = label_subset(d.y_train, fraction, ctx.seed, run)
            ctx.seeded(10, 12, i, run=run)  # the new linear layer
            model = classifier(copy.deepcopy(pretrained).train())
            few = SimpleNamespace(
                X_train=d.train[idx], y_train=d.y_train[idx], X_test=d.test, y_test=d.y_test
            )
            for phase, (lr, epochs, frozen) in enumerate(
                ((s.head_lr, s.head_epochs, True), (s.finetune_lr, s.few_label_epochs, False))
            ):
                for q in model[0].parameters():
                    q.requires_grad_(not frozen)
                ctx.train_classifier(
                    finetune_name(i, run) + ("_head" if frozen else ""),
                    model.train(),
                    few,
                    eval_sets=(),
                    optimizer=lambda params, lr=lr: torch.optim.Adam(
                        [q for q in params if q.requires_grad], lr=lr
                    ),
                    max_epochs=epochs,
                    batch_size=s.batch_size,
                    seed=ctx.seed + run + phase,
                    dtype=torch.float32,
                )


def load_cnn(ctx: Context, name: str):
    return ctx.load_module(name, cnn(ctx.params))


def test_accuracy(ctx: Context, name: str, d: Digits) -> float:
    """Accuracy of the saved CNN ``name`` on the test digits."""
    from mldm.training import predict_logits

    logits = predict_logits(load_cnn(ctx, name), d.test)
    return float((logits.argmax(1) == d.y_test).mean())


def load_random(ctx: Context):
    return ctx.load_module(RANDOM, encoder(ctx.params))
