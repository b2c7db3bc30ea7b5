"""What a lecture declares about its tunable models (its ``TUNABLE`` table).

Kept apart from the study machinery so that a lecture stage that declares an objective
depends on these lines only, not on Optuna or the trial loop (:mod:`mldm.dependencies`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tunable:
    """A lecture's tunable model: ``objective(ctx, block) -> metrics`` and the keys of the
    lecture's params block it reads through ``ctx.lecture`` besides the tuned block (L04's
    K of the K-fold CV). Only these keys are visible to it, and only they enter the study's
    identity, so changing another value of the lecture does not start a new study."""

    objective: Callable[..., dict[str, float]]
    reads: tuple[str, ...] = ()
