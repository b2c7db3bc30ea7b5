"""The soft margin (lines 1715-1790) on the overlapping blobs: no hyperplane satisfies every
hard constraint (an LP says so); with slacks, a larger C buys a narrower margin and fewer
support vectors; KKT holds at the solver's tol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .common import Split, scored, svc, toy

if TYPE_CHECKING:
    from mldm.lectures.base import Context


@dataclass(frozen=True)
class CSweep:
    """Per C of the grid: support vectors, margin 1/||w||, largest KKT violation."""

    C: np.ndarray
    n_support: np.ndarray
    margin: np.ndarray
    kkt: np.ndarray


def train(ctx: Context) -> None:
    p = ctx.params
    over = toy(p, ctx.seed).over
    with ctx.run("soft_margin_C_sweep", C_grid=str(p.C_grid)):
        for i, C in enumerate(p.C_grid):
            ctx.save_model(f"over_C{i}", svc("linear", C, p).fit(over.X, over.y))


def evaluate(ctx: Context, data: Split) -> CSweep:
    from mldm.evaluation.svm_reference import max_kkt_violation, separability
    from mldm.lectures.base import sweep_key

    X, y, Xt, yt = data.X, data.y, data.Xt, data.yt
    p = ctx.params
    ctx.measure("hard_margin_infeasible_on_overlap", separability(X, y))
    n_sv, margins, kkt = [], [], []
    for i, C in enumerate(p.C_grid):
        est = ctx.load_model(f"over_C{i}")
        f = est.decision_function(X)
        n_sv.append(len(est.support_))
        margins.append(1 / np.linalg.norm(est.coef_))
        kkt.append(max_kkt_violation(est, X, y))
        ctx.record(
            "overlapping_blobs_C_sweep",
            sweep_key("C_grid", i, len(p.C_grid)),
            C=float(C),
            n_support=n_sv[-1],
            margin=float(margins[-1]),
            slack_sum=float(np.maximum(0, 1 - y * f).sum()),  # Σ ξ_n, ξ_n = max(0, 1 − y f)
            train_accuracy=scored(est, X, y),
            test_accuracy=scored(est, Xt, yt),
        )
    ctx.measure("larger_C_fewer_support_vectors", n_sv[0] - n_sv[-1])
    margins = np.array(margins)
    ctx.measure("larger_C_narrower_margin", int(np.sum(np.diff(margins) > 1e-3 * margins[:-1])))
    return CSweep(np.asarray(p.C_grid, dtype=float), np.array(n_sv), margins, np.array(kkt))


def measure_kkt(ctx: Context, *violations: float) -> None:
    """KKT at the solver's tol, the largest violation over every fit it was checked on."""
    from mldm.evaluation import worst

    ctx.measure("soft_margin_kkt", worst(violations))
