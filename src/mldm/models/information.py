r"""Entropy, conditional entropy and information gain, lecture 8 (L08, ``course-notes.zh.txt``
lines 2960-3079): how a decision tree chooses the attribute to split on.

The tree splits on the attribute that carries the **most information** about the label
(lines 2962-2966). The uncertainty of a random variable Z with distribution p(z) over the
values :math:`\mathcal C` is its **entropy** in bits (lines 2970-2976)

.. math:: H(Z) = -\sum_{z\in\mathcal C} p(z)\log_2 p(z) \qquad (0\log 0 = 0),

largest for a flat distribution (2 bits for four equally likely values), 0 for a certain one
(lines 2981-3028). Once Y is known, what is left is the **conditional entropy** (lines
3030-3036)

.. math:: H(Z|Y=y) = -\sum_{z} p(z|y)\log_2 p(z|y), \qquad
          H(Z|Y) = \sum_{y\in\mathcal T} P(Y=y)\, H(Z|Y=y),

and :math:`H(Z) \ge H(Z|Y)` always (line 3065). The **information gain** of Y is the
uncertainty it removes on average (lines 3067-3079):

.. math:: IG(Y) = H(Z) - H(Z|Y) \ge 0,

the mutual information of Y and Z in bits. On the slide's six-row example
H(Z) = 0.65, H(Z|Y) = 0.33, IG(Y) = 0.32.

Counting: every quantity here is a function of the (value, label) **contingency table** of
(weighted) counts :math:`c_{vk}`, with :math:`p(z=k|y=v) = c_{vk}/\sum_k c_{vk}` and
:math:`P(Y=v) = \sum_k c_{vk}/\sum_{v,k} c_{vk}` (:func:`contingency`, :func:`impurity`).
:func:`impurity` also gives the Gini index :math:`G = 1 - \sum_k p_k^2`, scikit-learn's other
criterion, used by :class:`mldm.models.cart.DecisionTreeClassifier`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CRITERIA",
    "conditional_entropy",
    "contingency",
    "entropy",
    "impurity",
    "information_gain",
    "split_table",
]

CRITERIA = ("entropy", "gini")


def impurity(counts, criterion: str = "entropy") -> np.ndarray:
    r"""Impurity of each row of a (weighted) class-count table (..., K).

    ``"entropy"``: :math:`H = -\sum_k p_k \log_2 p_k` (bits, :math:`0\log 0 = 0`); ``"gini"``:
    :math:`G = 1 - \sum_k p_k^2`; :math:`p_k = c_k / \sum_j c_j`. An all-zero row has
    impurity 0.
    """
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(axis=-1, keepdims=True)
    p = counts / np.where(n > 0, n, 1.0)  # p_k = c_k / N
    if criterion == "gini":
        return np.where(n[..., 0] > 0, 1.0 - (p * p).sum(axis=-1), 0.0)  # 1 - sum_k p_k^2
    return -(p * np.log2(np.where(p > 0, p, 1.0))).sum(axis=-1)  # -sum_k p_k log2 p_k


def contingency(y, x, sample_weight=None) -> np.ndarray:
    """(V, K) table of summed weights :math:`c_{vk}`: rows the distinct values of x, columns
    those of y."""
    y, x = np.asarray(y).ravel(), np.asarray(x).ravel()
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length: {len(x)} != {len(y)}")
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, np.float64)
    _, yk = np.unique(y, return_inverse=True)
    _, xv = np.unique(x, return_inverse=True)
    K, V = int(yk.max(initial=-1)) + 1, int(xv.max(initial=-1)) + 1
    return np.bincount(xv * K + yk, weights=w, minlength=V * K).reshape(V, K)


def entropy(y, sample_weight=None) -> float:
    r""":math:`H(Z) = -\sum_z p(z)\log_2 p(z)` of the labels y (any dtype), in bits, with
    p(z) the (weighted) frequency of z (lines 2970-2976)."""
    table = contingency(y, np.zeros(len(np.asarray(y).ravel())), sample_weight)
    return float(impurity(table.sum(axis=0)))


def conditional_entropy(y, x, sample_weight=None) -> float:
    r""":math:`H(Z|Y) = \sum_v P(Y=v) H(Z|Y=v)`: the entropy of y left once x is known
    (lines 3030-3036)."""
    table = contingency(y, x, sample_weight)
    n_v = table.sum(axis=1)  # N P(Y = v)
    total = n_v.sum()
    return float(n_v @ impurity(table) / total) if total > 0 else 0.0


def information_gain(y, x, sample_weight=None) -> float:
    r""":math:`IG(Y) = H(Z) - H(Z|Y)`, the mutual information of x and y in bits (lines
    3067-3079)."""
    return entropy(y, sample_weight) - conditional_entropy(y, x, sample_weight)


def attribute_names(names, d: int) -> list[str]:
    """The d attribute names: ``names`` as str, or ``feature_<j>``."""
    if names is None:
        return [f"feature_{j}" for j in range(d)]
    names = [str(f) for f in names]
    if len(names) != d:
        raise ValueError(f"{len(names)} feature names for {d} features")
    return names


def split_table(X, y, feature_names=None, sample_weight=None) -> dict[str, dict]:
    """What the lecture prints for one node (lines 3086-3123, 3166-3173): for every attribute
    ``{"H": H(y), "H_cond": H(y|x_j), "IG": H(y) - H(y|x_j)}``, keyed by its name."""
    X = np.asarray(X)
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    H = entropy(y, sample_weight)
    out = {}
    for j, name in enumerate(attribute_names(feature_names, X.shape[1])):
        h_cond = conditional_entropy(y, X[:, j], sample_weight)
        out[name] = {"H": H, "H_cond": h_cond, "IG": H - h_cond}
    return out
