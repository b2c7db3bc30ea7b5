r"""Basis functions, lecture 4 (L04, ``course-notes.zh.txt`` lines 896-1040).

A linear model can only draw straight lines (lines 910-918). The fix (lines 960-1010) is to
map every input through fixed nonlinear functions first,

.. math:: [x_1, \dots, x_m] \rightarrow [\phi_1(\mathbf{x}), \dots, \phi_n(\mathbf{x})]
          \triangleq \boldsymbol{\phi}(\mathbf{x}), \qquad
          f(\mathbf{x}) = \boldsymbol{\phi}(\mathbf{x})\mathbf{w},

which is nonlinear in :math:`\mathbf{x}` but still linear in :math:`\mathbf{w}`, so every
solver of L01 works with :math:`\mathbf{X}` replaced by :math:`\Phi` (lines 1020-1030). The
lecture shows three families, all here:

* polynomial, :math:`[x] \rightarrow [x, x^2, x^3]` (lines 969 and 993-997):
  :func:`polynomial_features`;
* sigmoid, :math:`\mathrm{sigmoid}(b + w x_1)` (lines 982-984): :func:`sigmoid_features`;
* "Hard Sigmoid" (line 978): the red polyline is "a constant plus a sum of hard sigmoids"
  (lines 930-960), :func:`hard_sigmoid_features`.

:class:`BasisFunctions` wraps them as a scikit-learn transformer. It adds no column of ones:
the regressors fit their own intercept (the "constant" of line 934).
"""

from __future__ import annotations

from itertools import chain, combinations_with_replacement

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mldm.models.validation import feature_names_in

__all__ = [
    "BasisFunctions",
    "hard_sigmoid_features",
    "polynomial_features",
    "sigmoid_features",
]

KINDS = ("polynomial", "sigmoid", "hard_sigmoid")


def _as_2d(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    return X[:, None] if X.ndim == 1 else X


def _monomials(n_features: int, degree: int, interactions: bool) -> list[tuple[int, ...]]:
    """Each output column as the tuple of feature indices multiplied together.

    With interactions: every multiset of 1..degree indices, degree by degree, each degree in
    ``combinations_with_replacement`` order (scikit-learn's ``PolynomialFeatures`` order).
    Without: the pure powers ``(j,)*k``, grouped by power k.
    """
    if interactions:
        return list(
            chain.from_iterable(
                combinations_with_replacement(range(n_features), k) for k in range(1, degree + 1)
            )
        )
    return [(j,) * k for k in range(1, degree + 1) for j in range(n_features)]


def polynomial_features(X, degree: int, interactions: bool = False) -> np.ndarray:
    r"""Polynomial basis :math:`[x] \rightarrow [x, x^2, x^3]` (L04 lines 969, 993-997).

    ``interactions=False``: each feature's own powers, grouped by power,
    :math:`[x_1..x_m,\; x_1^2..x_m^2,\; \dots,\; x_1^d..x_m^d]` (m·d columns).
    ``interactions=True``: every monomial :math:`\prod_j x_j^{p_j}` with
    :math:`1 \le \sum_j p_j \le d` (line 992 lists :math:`x_1 x_2` as a feature too), in
    ``PolynomialFeatures(degree, include_bias=False)`` column order. For one feature the two
    coincide. No constant column.
    """
    X = _as_2d(X)
    degree = int(degree)
    if degree < 1:
        raise ValueError(f"degree must be >= 1, got {degree}")
    if not interactions:
        # x^k for k = 1..d, stacked power-major: [X, X^2, ..., X^d]
        return np.hstack([X**k for k in range(1, degree + 1)])
    # one column per monomial (a loop over output features, not samples)
    cols = [X[:, list(idx)].prod(axis=1) for idx in _monomials(X.shape[1], degree, True)]
    return np.stack(cols, axis=1) if cols else np.empty((len(X), 0))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^{-z}) written as exp(-log(1 + e^{-z})): no overflow for large |z|, and full
    # relative precision in the lower tail where 1/(1+e^{-z}) ~ e^{z}
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_features(X, centers, scales) -> np.ndarray:
    r"""Sigmoid basis :math:`\phi_{jk}(\mathbf{x}) = \sigma((x_j - c_{jk}) / s_j)`
    (L04 lines 982-984).

    The slide writes :math:`\mathrm{sigmoid}(b + w x_1) = 1/(1 + e^{-(b + w x_1)})`; here
    :math:`w = 1/s_j` (steepness) and :math:`b = -c_{jk}/s_j` (the step sits at
    :math:`x_j = c_{jk}`), which is easier to place on the data.

    ``centers`` is ``(m, B)`` (or a 1-D array of B centres shared by every feature),
    ``scales`` is ``(m,)`` or a scalar. The output is ``(N, m·B)``, feature-major:
    :math:`[\phi_{11}..\phi_{1B}, \phi_{21}..]`.
    """
    X = _as_2d(X)
    m = X.shape[1]
    C = np.broadcast_to(np.asarray(centers, dtype=np.float64), (m, np.shape(centers)[-1]))
    s = np.broadcast_to(np.asarray(scales, dtype=np.float64), (m,))
    Z = (X[:, :, None] - C[None]) / s[None, :, None]  # (N, m, B): b + w x with w=1/s, b=-c/s
    return _sigmoid(Z).reshape(len(X), -1)


def hard_sigmoid_features(X, knots) -> np.ndarray:
    r"""Hard-sigmoid basis: piece k ramps from 0 at knot :math:`c_k` to 1 at :math:`c_{k+1}`
    (L04 lines 930-964),

    .. math:: \phi_k(x) = \mathrm{clip}\Big(\frac{x - c_k}{c_{k+1} - c_k}, 0, 1\Big),
              \qquad k = 0..B-1 .

    On :math:`[c_k, c_{k+1}]` only :math:`\phi_k` moves, with slope
    :math:`1/(c_{k+1}-c_k)`, and every other piece is a constant 0 or 1, so
    :math:`b + \sum_k w_k\phi_k` is linear there with a slope set by :math:`w_k` alone:
    span{1, φ_k} is exactly the continuous piecewise-linear functions with these knots,
    flat outside :math:`[c_0, c_B]` -- the slide's "red polyline = constant + a sum of hard
    sigmoids" (lines 934-944), and more pieces for more bends (line 948).

    ``knots`` is ``(m, B+1)`` (or 1-D, shared), strictly increasing along each row. The
    output is ``(N, m·B)``, feature-major.
    """
    X = _as_2d(X)
    m = X.shape[1]
    K = np.broadcast_to(np.asarray(knots, dtype=np.float64), (m, np.shape(knots)[-1]))
    lo, width = K[:, :-1], np.diff(K, axis=1)  # c_k and c_{k+1} - c_k, (m, B)
    ramp = (X[:, :, None] - lo[None]) / width[None]  # (N, m, B)
    return np.clip(ramp, 0.0, 1.0).reshape(len(X), -1)


def _check_knots(knots) -> np.ndarray:
    k = np.asarray(knots, dtype=np.float64)
    if k.ndim != 1 or k.size < 2:
        raise ValueError(f"knots must be a 1-D array of at least 2 values, got shape {k.shape}")
    if not np.all(np.isfinite(k)):
        raise ValueError("knots must be finite")
    if not np.all(np.diff(k) > 0):
        raise ValueError("knots must be strictly increasing")
    return k


def _even_centers(X: np.ndarray, n_basis: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Centres (sigmoid, B of them) or knots (hard sigmoid, B+1) evenly spaced over each
    feature's [min, max], and the spacing between neighbours, per feature."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    flat = hi == lo  # a constant feature: a unit range around its value keeps s_j > 0
    lo, hi = np.where(flat, lo - 0.5, lo), np.where(flat, hi + 0.5, hi)
    if kind == "hard_sigmoid":
        return np.linspace(lo, hi, n_basis + 1, axis=1), (hi - lo) / n_basis
    if n_basis == 1:  # one sigmoid: step at the midpoint, as wide as the range
        return ((lo + hi) / 2)[:, None], hi - lo
    return np.linspace(lo, hi, n_basis, axis=1), (hi - lo) / (n_basis - 1)


class BasisFunctions(TransformerMixin, BaseEstimator):
    r"""The map :math:`\mathbf{x} \rightarrow \boldsymbol{\phi}(\mathbf{x})` of L04 lines
    986-1010, as a transformer (put it in front of any regressor).

    Parameters
    ----------
    kind : {"polynomial", "sigmoid", "hard_sigmoid"}
        :func:`polynomial_features`, :func:`sigmoid_features` or
        :func:`hard_sigmoid_features`.
    degree : int
        Highest power d (polynomial).
    interactions : bool
        Polynomial only: False gives each feature's powers grouped by power,
        :math:`[x_1..x_m, x_1^2..x_m^2, \dots]`; True gives every monomial up to degree d in
        ``sklearn.preprocessing.PolynomialFeatures(d, include_bias=False)`` order.
    n_basis : int
        Pieces per feature B (sigmoid, hard_sigmoid). ``fit`` spreads them evenly over each
        feature's training range [min, max]: B centres ``linspace(min, max, B)`` for the
        sigmoid (the midpoint when B = 1), B+1 knots ``linspace(min, max, B+1)`` for the hard
        sigmoid.
    width : float
        Sigmoid scale in units of the spacing between centres:
        :math:`s_j = \text{width}\times\text{spacing}_j`, so
        :math:`\mathrm{sigmoid}(b + w x)` with :math:`w = 1/s_j`, :math:`b = -c_{jk}/s_j`.
    knots : array-like of shape (K,), optional
        Centres (sigmoid) or knots (hard_sigmoid) used for every feature instead of the
        evenly spaced ones; strictly increasing, K >= 2. Overrides ``n_basis`` (B = K for
        sigmoid, B = K-1 for hard_sigmoid). The sigmoid spacing is then the mean gap
        :math:`(c_K - c_1)/(K-1)`.

    A constant training feature (max = min) gets the range [min - 0.5, min + 0.5], so its
    pieces stay defined.

    Attributes
    ----------
    centers_ : ndarray (n_features, B) or (n_features, B+1)
        Sigmoid centres :math:`c_{jk}`, or hard-sigmoid knots (absent for polynomial).
    scales_ : ndarray (n_features,)
        Sigmoid scales :math:`s_j` (sigmoid only).
    n_output_features_ : int
    """

    def __init__(
        self,
        kind: str = "polynomial",
        degree: int = 3,
        interactions: bool = False,
        n_basis: int = 10,
        width: float = 1.0,
        knots=None,
    ):
        self.kind = kind
        self.degree = degree
        self.interactions = interactions
        self.n_basis = n_basis
        self.width = width
        self.knots = knots

    def _check_params(self) -> np.ndarray | None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "polynomial":
            if int(self.degree) < 1:
                raise ValueError(f"degree must be >= 1, got {self.degree}")
            return None
        if int(self.n_basis) < 1:
            raise ValueError(f"n_basis must be >= 1, got {self.n_basis}")
        if self.kind == "sigmoid" and not (np.isfinite(self.width) and self.width > 0):
            raise ValueError(f"width must be a positive finite number, got {self.width}")
        return None if self.knots is None else _check_knots(self.knots)

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        knots = self._check_params()
        m = X.shape[1]
        if self.kind == "polynomial":
            self.n_output_features_ = len(_monomials(m, int(self.degree), bool(self.interactions)))
            return self
        if knots is not None:
            C = np.tile(knots, (m, 1))
            spacing = np.full(m, (knots[-1] - knots[0]) / (len(knots) - 1))  # mean gap
        else:
            C, spacing = _even_centers(X, int(self.n_basis), self.kind)
        if self.kind == "sigmoid":
            self.scales_ = float(self.width) * spacing  # s_j = width * spacing_j
        self.centers_ = C
        self.n_output_features_ = m * (C.shape[1] - (self.kind == "hard_sigmoid"))
        return self

    def transform(self, X) -> np.ndarray:
        r""":math:`\Phi(\mathbf{X})`, one row :math:`\boldsymbol{\phi}(\mathbf{x}^{(i)})` per
        sample (L04 lines 1014-1018)."""
        check_is_fitted(self, "n_output_features_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        if self.kind == "polynomial":
            return polynomial_features(X, int(self.degree), bool(self.interactions))
        if self.kind == "sigmoid":
            return sigmoid_features(X, self.centers_, self.scales_)
        return hard_sigmoid_features(X, self.centers_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Polynomial: ``PolynomialFeatures``-style names (``"x0^2 x1"``); sigmoid and hard
        sigmoid: ``"<feature>_<kind>_<k>"`` for piece k."""
        check_is_fitted(self, "n_output_features_")
        names = feature_names_in(self, input_features)
        if self.kind == "polynomial":
            out = []
            for idx in _monomials(len(names), int(self.degree), bool(self.interactions)):
                powers = {j: idx.count(j) for j in dict.fromkeys(idx)}
                out.append(
                    " ".join(names[j] + (f"^{p}" if p > 1 else "") for j, p in powers.items())
                )
            return np.asarray(out, dtype=object)
        B = self.n_output_features_ // len(names)
        return np.asarray([f"{n}_{self.kind}_{k}" for n in names for k in range(B)], dtype=object)
