r"""When an iterative fit stopped before its convergence criterion: a
:class:`sklearn.exceptions.ConvergenceWarning` naming the gap and what to raise, as
scikit-learn's solvers do. Fixed-budget fits (the lectures' "GD for E epochs") stay as they
are: the warning reports, it changes no number and is not an error.

The criterion of the gradient-trained estimators is the first-order optimality condition of
their own (full-batch, penalized) objective :math:`\tilde L`, relative to where they started,

.. math:: \|\nabla\tilde L(\mathbf{w}_T)\| \le \text{rtol}\,\|\nabla\tilde L(\mathbf{w}_0)\|,

which is scale-free (no unit of y or of the features enters) and is met by GD on a convex
:math:`\tilde L` once it has run long enough (L01 lines 206-220: the update stops moving where
the gradient vanishes).
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

__all__ = [
    "StoppedShort",  # noqa: F822 (made by the module __getattr__ on first use)
    "check_relative_gradient",
    "gradient_norm",
    "relative_gradient",
    "summarized",
    "warn_not_converged",
]


@functools.cache
def _stopped_short() -> type[Warning]:
    # scikit-learn (about 1 s to import) loads with the first warning, not with every stage
    from sklearn.exceptions import ConvergenceWarning

    class StoppedShort(ConvergenceWarning):
        """A :class:`~sklearn.exceptions.ConvergenceWarning` that keeps its parts (``who``,
        ``gap``, ``advice``), so that :func:`summarized` can group many of them."""

        def __init__(self, who: str, gap: str, advice: str):
            super().__init__(f"{who} stopped before converging: {gap}; {advice}")
            self.who, self.gap, self.advice = who, gap, advice

    StoppedShort.__module__, StoppedShort.__qualname__ = __name__, "StoppedShort"
    return StoppedShort


def __getattr__(name: str):  # ``convergence.StoppedShort``, made on first use
    if name == "StoppedShort":
        return _stopped_short()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def gradient_norm(objective: Callable[..., Any], params: Sequence) -> float:
    r""":math:`\|\nabla f(\theta)\|_2` over all parameter arrays, by autograd in float64
    (``objective`` maps torch tensors to a scalar tensor)."""
    import torch  # lazy: every stage imports this module, not every stage uses torch

    ts = [torch.tensor(np.asarray(p, dtype=np.float64), requires_grad=True) for p in params]
    grads = torch.autograd.grad(objective(*ts), ts)
    return float(torch.sqrt(sum((g * g).sum() for g in grads)))


def relative_gradient(objective, start: Sequence, end: Sequence) -> float:
    r""":math:`\|\nabla f(\theta_T)\| / \|\nabla f(\theta_0)\|`; 0 when both vanish (started at
    the optimum), inf when only the start's does, nan when the fit diverged."""
    g0, gT = gradient_norm(objective, start), gradient_norm(objective, end)
    if g0 == 0.0:
        return 0.0 if gT == 0.0 else float("inf")
    return gT / g0


def warn_not_converged(who: str, gap: str, advice: str, stacklevel: int = 3) -> None:
    """One ``ConvergenceWarning``: ``<who> stopped before converging: <gap>; <advice>``."""
    warnings.warn(_stopped_short()(who, gap, advice), stacklevel=stacklevel)


def check_relative_gradient(who, objective, start, end, rtol: float, budget: str) -> float:
    """Warn when :func:`relative_gradient` exceeds ``rtol`` (or is nan); return it. The advice
    is to raise ``budget``, or to lower ``lr`` when the gradient grew instead of shrinking."""
    ratio = relative_gradient(objective, start, end)
    if not ratio <= rtol:
        gap = f"||grad L(w)|| = {ratio:.2e} x its start > rtol={rtol:g}"
        if np.isfinite(ratio) and ratio <= 1.0:
            advice = f"raise {budget}"
        else:  # grew or overflowed: more steps of the same size will not help
            advice = "the gradient grew: lower lr (or raise max_epochs if the loss still falls)"
        warn_not_converged(who, gap, advice, stacklevel=4)
    return ratio


@contextlib.contextmanager
def summarized() -> Iterator[list[str]]:
    """Within the block, :class:`StoppedShort` warnings of the same estimator and advice are
    collected and re-issued once at its end (``<who>: n fits stopped before converging, e.g.
    <gap>; <advice>``), so a lecture that deliberately runs many fixed-budget fits says so in
    a few lines, not one per fit. Other warnings pass through unchanged. Yields the list of
    summary lines (filled when the block ends)."""
    groups: dict[tuple[str, str], list[str]] = {}
    lines: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield lines
        finally:
            pending = list(caught)
    # no StoppedShort can have been raised before its class exists
    stopped_short = _stopped_short() if _stopped_short.cache_info().currsize else ()
    for w in pending:
        if isinstance(w.message, stopped_short):
            groups.setdefault((w.message.who, w.message.advice), []).append(w.message.gap)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    if groups:
        from sklearn.exceptions import ConvergenceWarning
    for (who, advice), gaps in groups.items():
        n = len(gaps)
        head = f"{who}: {n} fits stopped" if n > 1 else f"{who} stopped"
        gap = f"e.g. {gaps[0]}" if n > 1 else gaps[0]
        lines.append(f"{head} before converging ({gap}); {advice}")
        warnings.warn(ConvergenceWarning(lines[-1]), stacklevel=3)
