"""Data the lectures generate themselves from the seed (no file, no download).

L04 (course-notes lines 1063-1135, 1266-1304) draws its overfitting pictures from a known
"true data distribution (unobservable)": a curve, a few training points and test points
sampled around it with noise. :func:`noisy_polynomial` is that setting with a polynomial
curve, so the true degree is known and model selection has a right answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["noisy_polynomial", "polynomial"]


def polynomial(x, coef: Sequence[float]) -> np.ndarray:
    """The true curve ``f(x) = coef[0] + coef[1] x + ... + coef[d] x^d``."""
    return np.polynomial.polynomial.polyval(np.asarray(x, dtype=np.float64), np.asarray(coef))


def noisy_polynomial(
    n: int,
    coef: Sequence[float],
    noise: float,
    x_range: tuple[float, float] = (-1.0, 1.0),
    seed: int | Sequence[int] = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` samples ``y = f(x) + ε``, ``x ~ U(x_range)``, ``ε ~ N(0, noise²)``, sorted by x.

    ``seed`` is anything :func:`numpy.random.default_rng` takes; a lecture draws its
    training and test sets as two streams of its seed, e.g. ``(seed, 0)`` and ``(seed, 1)``.
    Returns ``x`` of shape (n,) and ``y`` of shape (n,), float64.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1 (got {n})")
    if noise < 0:
        raise ValueError(f"noise must be >= 0 (got {noise})")
    lo, hi = map(float, x_range)
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high (got {x_range})")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(lo, hi, n))
    y = polynomial(x, coef) + noise * rng.standard_normal(n)
    return x, y
