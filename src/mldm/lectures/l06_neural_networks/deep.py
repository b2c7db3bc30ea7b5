"""Simply stacking layers hurts; shortcuts fix it (the ResNet argument, lines 2410-2420): the
same deep stack of ReLU layers with and without h + F(h), from the same weights, on MNIST-1D."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mldm.lectures.l06_neural_networks.common import adam

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l06_neural_networks.params import Deep


def deep_stack(p: Deep, shortcut: bool):
    from mldm.models.neural import DeepStack

    return DeepStack(40, p.width, p.depth, 10, shortcut=shortcut)


def train(ctx: Context, p: Deep, d) -> None:
    for shortcut in (True, False):
        ctx.seeded(5)  # the same weights: the shortcut is the only difference
        ctx.train_classifier(
            f"deep_{'residual' if shortcut else 'plain'}",
            deep_stack(p, shortcut),
            d,
            optimizer=adam(p.lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


@dataclass(frozen=True)
class ShortcutStudy:
    depth: int
    curves: dict[str, Any]  # "plain", "residual": per-epoch training curves


def evaluate(ctx: Context) -> ShortcutStudy:
    curves = ctx.curves(("plain", "residual"), prefix="deep_")
    final = ctx.record_final("deep_stack", curves)
    ctx.measure(
        "shortcut_trains_deep_stack",
        final["plain"]["train_loss"] - final["residual"]["train_loss"],
    )
    return ShortcutStudy(ctx.params.deep.depth, curves)
