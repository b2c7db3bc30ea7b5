"""What every L05 experiment shares: the slides' 2-D settings (two Gaussian blobs, separable
and overlapping; two moons) and the SVC as the lecture configures it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .params import Params, Toy

KERNELS = ("linear", "poly", "rbf")
REAL_SETS = ("breast_cancer", "wine", "digits")
# Where two exact solutions are compared (primal vs dual, kernel vs explicit basis) the dual
# is solved to this KKT gap, so the comparison measures the math, not the stopping rule.
TIGHT_TOL = 1e-6


@dataclass(frozen=True)
class Split:
    """A 2-D classification set, y ∈ {−1, +1}: training and fresh test points."""

    X: np.ndarray
    y: np.ndarray
    Xt: np.ndarray
    yt: np.ndarray


@dataclass(frozen=True)
class Blobs:
    """The two blob settings: ``sep`` (linearly separable) and ``over`` (overlapping)."""

    sep: Split
    over: Split

    def sets(self) -> tuple[tuple[str, Split], ...]:
        return (("sep", self.sep), ("over", self.over))


def blobs(t: Toy, std: float, n: int, seed: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Balanced classes y ∈ {−1, +1} around ±centre·(1, 1) with isotropic noise ``std``."""
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 2 == 0, 1, -1)
    return y[:, None] * t.centre + std * rng.standard_normal((n, 2)), y


def toy(p: Params, seed: int) -> Blobs:
    """Train/test splits of the separable and the overlapping blobs (seeded, regenerable)."""
    t = p.toy
    out = {}
    for tag, (name, std) in enumerate((("sep", t.separable_std), ("over", t.overlap_std))):
        out[name] = Split(
            *blobs(t, std, t.n_train, [seed, tag, 0]), *blobs(t, std, t.n_test, [seed, tag, 1])
        )
    return Blobs(**out)


def moons(p: Params, seed: int) -> Split:
    """scikit-learn's two moons, y mapped to ±1; the test set from seed + 1."""
    from sklearn.datasets import make_moons

    m = p.moons
    X, y = make_moons(m.n_train, noise=m.noise, random_state=seed)
    Xt, yt = make_moons(m.n_test, noise=m.noise, random_state=seed + 1)
    return Split(X, 2 * y - 1, Xt, 2 * yt - 1)


def gammas(p: Params) -> np.ndarray:
    """The rbf γ grid of the moons sweep."""
    lo, hi, n = p.gamma_grid
    return np.geomspace(lo, hi, int(n))


def svc(kernel: str, C: float, p: Params, **kw):
    """Our SVC with the lecture's degree and tol unless ``kw`` says otherwise."""
    from mldm.models import SVC

    if kernel == "poly":
        kw.setdefault("degree", p.poly_degree)
    kw.setdefault("tol", p.tol)
    # "ovo": multiclass decision values are the pairwise f of the lecture, not sklearn's
    # vote-based (n, K) summary
    return SVC(kernel=kernel, C=C, decision_function_shape="ovo", **kw)


def scored(est, X, y) -> float:
    """An estimator's accuracy on (X, y)."""
    from mldm.evaluation import accuracy

    return accuracy(y, est.predict(X))
