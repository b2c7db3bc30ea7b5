r"""Decision trees, lecture 8 (L08, ``course-notes.zh.txt`` lines 2851-3230).

Attribute choice (lines 2950-3075). The uncertainty of a label Z is its **entropy** in bits,
the uncertainty left once attribute Y is known is the **conditional entropy**, and what Y
removes on average is its **information gain**:

.. math:: H(Z) = -\sum_{z\in\mathcal C} p(z)\log_2 p(z), \qquad
          H(Z|Y) = \sum_{y\in\mathcal T} P(Y=y)\, H(Z|Y=y), \qquad
          IG(Y) = H(Z) - H(Z|Y) \ge 0 .

(:math:`0\log 0 = 0`.) IG(Y) is the mutual information of Y and Z in bits.

* :class:`ID3Classifier` grows the lecture's tree on categorical attributes (lines
  3080-3170): at each node split on the attribute of largest IG among those not yet used on
  the path, one branch per value seen; stop (lines 3175-3185) when the labels are all equal,
  the attributes run out, the depth limit is reached or the best IG is at most ``min_gain``.
  On the movie table this gives H(Like) = 0.91, IG(Director) = 0.55 at the root, and
  IG(Type) = IG(Length) = 0.81 under Lasseter.
* :class:`DecisionTreeClassifier` is the same greedy rule for real-valued features with
  binary splits :math:`x_j \le t` (t a midpoint between consecutive distinct values, as
  scikit-learn), criterion entropy (information gain) or Gini
  :math:`G = 1 - \sum_k p_k^2`. A split of node t (N_t samples, weighted) into L and R
  lowers the impurity I by (scikit-learn's ``min_impurity_decrease``)

  .. math:: \Delta = \frac{N_t}{N}\Big(I(t) - \frac{N_L}{N_t} I(L)
                                        - \frac{N_R}{N_t} I(R)\Big),

  which for entropy is :math:`\frac{N_t}{N}` times the information gain of the binary
  attribute :math:`[x_j \le t]`. The tree is grown breadth-first, one whole level per numpy
  pass (see :func:`_best_splits`).
* :meth:`DecisionTreeClassifier.prune` is the lecture's reduced-error pruning on a
  validation set (lines 3190-3215): greedily turn into a leaf the node whose removal helps
  validation accuracy most (hurts least), while the accuracy does not drop.
"""

from __future__ import annotations

import copy
import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

__all__ = [
    "DecisionTreeClassifier",
    "ID3Classifier",
    "conditional_entropy",
    "entropy",
    "information_gain",
    "split_table",
]

CRITERIA = ("entropy", "gini")
EPSILON = float(np.finfo(np.float64).eps)  # scikit-learn's "pure node" / improvement slack
FEATURE_THRESHOLD = 1e-7  # scikit-learn's: values closer than this are one value
GAIN_TOL = 1e-12  # IGs this close are a tie (rounding in sums of p log p)
_TIE_RTOL = 1e-10  # split costs closer than this (times the node weight) are a tie
_CHUNK = 1 << 22  # cells of the (positions, features, classes) cumsum held at once


# ----------------------------------------------------------------------------------------
# Entropy, conditional entropy, information gain (lines 2950-3075)
# ----------------------------------------------------------------------------------------


def _impurity(counts, criterion: str = "entropy") -> np.ndarray:
    r"""Impurity of each row of a (weighted) class-count table (..., K).

    ``"entropy"``: :math:`-\sum_k p_k \log_2 p_k` (bits, :math:`0\log 0 = 0`); ``"gini"``:
    :math:`1 - \sum_k p_k^2`. An all-zero row has impurity 0.
    """
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(axis=-1, keepdims=True)
    p = counts / np.where(n > 0, n, 1.0)
    if criterion == "gini":
        return np.where(n[..., 0] > 0, 1.0 - (p * p).sum(axis=-1), 0.0)
    return -(p * np.log2(np.where(p > 0, p, 1.0))).sum(axis=-1)


def _contingency(y, x, sample_weight=None) -> np.ndarray:
    """(V, K) table of summed weights: rows the distinct values of x, columns those of y."""
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
    p(z) the (weighted) frequency of z."""
    table = _contingency(y, np.zeros(len(np.asarray(y).ravel())), sample_weight)
    return float(_impurity(table.sum(axis=0)))


def conditional_entropy(y, x, sample_weight=None) -> float:
    r""":math:`H(Z|Y) = \sum_v P(Y=v) H(Z|Y=v)`: the entropy of y left once x is known."""
    table = _contingency(y, x, sample_weight)
    n_v = table.sum(axis=1)  # N P(Y = v)
    total = n_v.sum()
    return float(n_v @ _impurity(table) / total) if total > 0 else 0.0


def information_gain(y, x, sample_weight=None) -> float:
    r""":math:`IG(Y) = H(Z) - H(Z|Y)`, the mutual information of x and y in bits."""
    return entropy(y, sample_weight) - conditional_entropy(y, x, sample_weight)


def _feature_names(feature_names, d: int) -> list[str]:
    if feature_names is None:
        return [f"feature_{j}" for j in range(d)]
    names = [str(f) for f in feature_names]
    if len(names) != d:
        raise ValueError(f"{len(names)} feature names for {d} features")
    return names


def split_table(X, y, feature_names=None, sample_weight=None) -> dict[str, dict]:
    """What the lecture prints for one node (lines 3080-3170): for every attribute
    ``{"H": H(y), "H_cond": H(y|x_j), "IG": H(y) - H(y|x_j)}``, keyed by its name."""
    X = np.asarray(X)
    X = X.reshape(-1, 1) if X.ndim == 1 else X
    H = entropy(y, sample_weight)
    out = {}
    for j, name in enumerate(_feature_names(feature_names, X.shape[1])):
        h_cond = conditional_entropy(y, X[:, j], sample_weight)
        out[name] = {"H": H, "H_cond": h_cond, "IG": H - h_cond}
    return out


# ----------------------------------------------------------------------------------------
# Shared helpers
# ----------------------------------------------------------------------------------------


def _check_max_depth(max_depth) -> None:
    if max_depth is not None and not (isinstance(max_depth, Integral) and max_depth >= 1):
        raise ValueError(f"max_depth must be None or an int >= 1, got {max_depth!r}")


def _encode_targets(y) -> tuple[np.ndarray, np.ndarray]:
    """(classes_, class index per sample); string classes held as a fixed-width str array
    (not object), so the fitted tree stays persistable."""
    check_classification_targets(y)
    classes, yk = np.unique(y, return_inverse=True)
    if classes.dtype == object and all(isinstance(c, str) for c in classes):
        classes = classes.astype(str)
    return classes, yk.ravel()


def _positive_rows(X, y, sample_weight):
    """(X, class index, weights, classes_) of the rows with weight > 0: a zero-weight row
    is a dropped row (it adds no value and no threshold)."""
    classes, yk = _encode_targets(y)
    w = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
    keep = w > 0
    if not keep.any():
        raise ValueError("sample_weight has no positive entry")
    return X[keep], yk[keep], w[keep], classes


class _NodeCountsPredictor:
    """predict / predict_proba from the weighted class counts of the node each row ends at
    (``_end_nodes``, checks fitted); ties in the majority go to the first class."""

    def _end_nodes(self, X) -> np.ndarray:
        raise NotImplementedError

    def _class_counts(self) -> np.ndarray:
        raise NotImplementedError

    def predict_proba(self, X) -> np.ndarray:
        """The class frequencies of the training rows at the node each row ends at."""
        node = self._end_nodes(X)  # first: it raises NotFittedError
        counts = self._class_counts()[node]
        return counts / counts.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        node = self._end_nodes(X)
        return self.classes_[np.argmax(self._class_counts()[node], axis=1)]


def _render(branches, leaf_text) -> str:
    """scikit-learn's ``export_text`` layout. ``branches(node)`` lists (edge text, child),
    empty at a leaf; ``leaf_text(node)`` is what a leaf line says."""
    lines: list[str] = []
    stack: list[tuple[int, int, str | None]] = [(0, 0, None)]  # (node, level, edge text)
    while stack:
        node, level, text = stack.pop()
        if text is not None:  # the edge line first, then the child's subtree
            lines.append("|   " * level + "|--- " + text)
            level += 1
        kids = branches(node)
        if not kids:
            lines.append("|   " * level + "|--- " + leaf_text(node))
        for edge, child in reversed(kids):
            stack.append((child, level, edge))
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------
# ID3 (categorical attributes, multiway splits)
# ----------------------------------------------------------------------------------------


class ID3Classifier(_NodeCountsPredictor, ClassifierMixin, BaseEstimator):
    r"""The lecture's ID3 tree on categorical attributes (L08 lines 3080-3185).

    Every distinct value of a column is a category (the values are compared as ``str``, so
    string tables and numbers both work). At a node, split on

    .. math:: j^* = \arg\max_{j \notin \text{path}} IG(x_j)
                  = H(y) - \sum_v P(x_j = v) H(y | x_j = v),

    one child per category present in the node (the slides' multiway branches); IGs within
    1e-12 are a tie, won by the first attribute in column order (so under Lasseter "Type"
    beats "Length"). A node is a leaf when its labels are all equal, every attribute is used
    on its path, its depth is ``max_depth``, or the best IG is at most ``min_gain``
    (+1e-12). A node predicts its majority label (ties: the first in ``classes_``); a row
    with a category its node has not seen stops there and gets that node's majority.

    ``fit(X, y, sample_weight=None)``: a weight counts its row that many times in every
    frequency p (integer weights = duplicated rows); rows of weight 0 are dropped.

    Parameters
    ----------
    max_depth : int >= 1 or None
    min_gain : float >= 0
        Split only when the best IG exceeds it (lines 3175-3185, "IG below a threshold").

    Attributes
    ----------
    classes_ : ndarray (K,)
    n_features_in_ : int
    node_feature_ : ndarray (n_nodes,) int
        Attribute tested at the node, -1 at a leaf. Nodes are numbered breadth-first.
    node_value_ : ndarray (n_nodes,) int
        Index into ``classes_`` of the node's (weighted) majority label.
    node_counts_ : ndarray (n_nodes, K) float
        Weighted class counts of the training rows reaching the node.
    node_gain_ : ndarray (n_nodes,) float
        IG of the chosen attribute (0 at leaves).
    node_entropy_ : ndarray (n_nodes,) float
        H(y) of the node's rows, in bits.
    node_depth_ : ndarray (n_nodes,) int
    edge_parent_, edge_child_ : ndarray (n_edges,) int
    edge_category_ : ndarray (n_edges,) str
        Edge e goes from ``edge_parent_[e]`` to ``edge_child_[e]`` for the category
        ``edge_category_[e]`` of the parent's attribute; edges are sorted by (parent, category).
    """

    def __init__(self, max_depth=None, min_gain: float = 0.0):
        self.max_depth = max_depth
        self.min_gain = min_gain

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        return tags

    def _check_params(self) -> None:
        _check_max_depth(self.max_depth)
        if not (isinstance(self.min_gain, Real) and self.min_gain >= 0):
            raise ValueError(f"min_gain must be a number >= 0, got {self.min_gain!r}")

    def fit(self, X, y, sample_weight=None):
        self._check_params()
        X, y = validate_data(self, X, y, dtype=None)
        X, yk, w, self.classes_ = _positive_rows(np.asarray(X).astype(str), y, sample_weight)
        n, d = X.shape
        K = len(self.classes_)
        # integer codes per column; cat_table[j, v] is category v of column j ("" padding)
        cats, codes = zip(*(np.unique(X[:, j], return_inverse=True) for j in range(d)), strict=True)
        codes = np.stack(codes, axis=1)
        V = max(len(c) for c in cats)
        cat_table = np.full((d, V), "", dtype=X.dtype)
        for j, c in enumerate(cats):
            cat_table[j, : len(c)] = c

        # the current level: its rows, each row's node (local index), per-node state
        rows, seg = np.arange(n), np.zeros(n, dtype=np.intp)
        counts = np.bincount(yk, weights=w, minlength=K)[None]
        used = np.zeros((1, d), dtype=bool)
        ids, next_id, depth = np.array([0]), 1, 0
        blocks, edges = [], []
        while True:
            T = len(ids)
            H = _impurity(counts)
            gains = np.full((T, d), -np.inf)
            for j in range(d):  # IG of every attribute at every node of the level at once
                tab = np.bincount(
                    (seg * V + codes[rows, j]) * K + yk[rows], weights=w[rows], minlength=T * V * K
                ).reshape(T, V, K)
                n_v = tab.sum(axis=2)
                h_cond = (n_v * _impurity(tab)).sum(axis=1) / n_v.sum(axis=1)
                gains[:, j] = np.where(used[:, j], -np.inf, H - h_cond)
            best = gains.max(axis=1)
            best_j = np.argmax(gains >= best[:, None] - GAIN_TOL, axis=1)  # first of the ties
            split = (H > 0) & ~used.all(axis=1) & (best > self.min_gain + GAIN_TOL)
            if self.max_depth is not None and depth >= self.max_depth:
                split[:] = False
            blocks.append(
                (
                    np.where(split, best_j, -1),
                    counts,
                    np.where(split, best, 0.0),
                    H,
                    np.full(T, depth),
                )
            )
            if not split.any():
                break
            # children: one per (node, category of its attribute) present among its rows
            go = split[seg]
            rows, seg = rows[go], seg[go]
            key = seg * V + codes[rows, best_j[seg]]
            child_keys, seg = np.unique(key, return_inverse=True)  # sorted by (parent, category)
            parent = child_keys // V
            n_child = len(child_keys)
            child_ids = next_id + np.arange(n_child)
            edges.append(
                (ids[parent], child_ids, cat_table[best_j[parent], child_keys % V].astype(str))
            )
            counts = np.bincount(seg * K + yk[rows], weights=w[rows], minlength=n_child * K)
            counts = counts.reshape(n_child, K)
            used = used[parent]
            used[np.arange(n_child), best_j[parent]] = True
            ids, next_id, depth = child_ids, next_id + n_child, depth + 1

        feature, counts, gain, H, depth = (np.concatenate(a) for a in zip(*blocks, strict=True))
        self.node_feature_ = feature.astype(np.intp)
        self.node_counts_ = counts
        self.node_value_ = np.argmax(counts, axis=1)
        self.node_gain_ = gain
        self.node_entropy_ = H
        self.node_depth_ = depth.astype(np.intp)
        if edges:
            parent, child, cat = (np.concatenate(a) for a in zip(*edges, strict=True))
        else:
            parent, child, cat = np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0, str)
        self.edge_parent_, self.edge_child_, self.edge_category_ = parent, child, cat
        return self

    def _class_counts(self) -> np.ndarray:
        return self.node_counts_

    def _end_nodes(self, X) -> np.ndarray:
        """The node each row ends at: a leaf, or the node whose edge for the row's category
        is missing. All rows move down one level per pass."""
        check_is_fitted(self, "node_feature_")
        X = np.asarray(validate_data(self, X, reset=False, dtype=None)).astype(str)
        node = np.zeros(len(X), dtype=np.intp)
        active = np.flatnonzero(self.node_feature_[node] >= 0)
        E = len(self.edge_parent_)
        while active.size:
            values = X[active, self.node_feature_[node[active]]]
            _, code = np.unique(np.concatenate([self.edge_category_, values]), return_inverse=True)
            C = int(code.max()) + 1
            edge_key = self.edge_parent_ * C + code[:E]  # (parent, category) as one integer
            row_key = node[active] * C + code[E:]
            order = np.argsort(edge_key)
            pos = np.minimum(np.searchsorted(edge_key[order], row_key), E - 1)
            hit = edge_key[order][pos] == row_key
            node[active[hit]] = self.edge_child_[order[pos[hit]]]
            active = active[hit]
            active = active[self.node_feature_[node[active]] >= 0]
        return node

    def _edges_of(self, node: int) -> np.ndarray:
        return np.flatnonzero(self.edge_parent_ == node)

    def _node_label(self, node: int, names: list[str]) -> str:
        f = self.node_feature_[node]
        return names[f] if f >= 0 else str(self.classes_[self.node_value_[node]])

    def export_text(self, feature_names=None) -> str:
        """The tree as indented text, like ``sklearn.tree.export_text``."""
        check_is_fitted(self, "node_feature_")
        names = _feature_names(feature_names, self.n_features_in_)

        def branches(node):
            f = self.node_feature_[node]
            return [
                (f"{names[f]} = {self.edge_category_[e]}", int(self.edge_child_[e]))
                for e in self._edges_of(node)
            ]

        return _render(branches, lambda v: f"class: {self.classes_[self.node_value_[v]]}")

    def to_edges(self, feature_names=None) -> list[tuple[str, str, str]]:
        """(parent label, edge label, child label) per edge, for drawing the tree; a label is
        ``"<node id>: <attribute>"`` inside, ``"<node id>: <class>"`` at a leaf."""
        check_is_fitted(self, "node_feature_")
        names = _feature_names(feature_names, self.n_features_in_)
        return [
            (f"{p}: {self._node_label(p, names)}", str(cat), f"{c}: {self._node_label(c, names)}")
            for p, c, cat in zip(
                self.edge_parent_, self.edge_child_, self.edge_category_, strict=True
            )
        ]


# ----------------------------------------------------------------------------------------
# Real-valued tree: breadth-first growth, one level per numpy pass
# ----------------------------------------------------------------------------------------


def _rng(random_state) -> np.random.Generator:
    if isinstance(random_state, np.random.RandomState):  # e.g. from check_random_state
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(random_state)


def _children_cost(CL: np.ndarray, CR: np.ndarray, criterion: str) -> np.ndarray:
    r"""A cost to minimize over candidate splits with left / right class counts CL, CR
    (c, K): :math:`N_L I(L) + N_R I(R)` up to a positive factor and a constant.

    Entropy: :math:`N_L H(L)\ln 2 = N_L\ln N_L - \sum_k c_k \ln c_k`. Gini:
    :math:`N_L G(L) = N_L - \sum_k c_k^2/N_L`, and :math:`N_L + N_R` is the same for every
    candidate.
    """
    ones = np.ones(CL.shape[1])  # row sums as a matrix-vector product: faster for small K
    nL, nR = CL @ ones, CR @ ones
    if criterion == "gini":
        return -(((CL * CL) @ ones) / nL + ((CR * CR) @ ones) / nR)

    def xlnx(c):
        return c * np.log(np.where(c > 0, c, 1.0))  # 0 ln 0 = 0 (and rounding below 0)

    return xlnx(nL) + xlnx(nR) - (xlnx(CL) + xlnx(CR)) @ ones


def _drawn_features(X, S, starts, ends, max_features: int, rng) -> np.ndarray:
    """(T, q) features each open node searches, in drawn order, -1 padded.

    A feature constant within a node cannot split it and, as in scikit-learn, does not
    count: a node draws a uniformly random order of the features and keeps the first
    ``max_features`` non-constant ones (all non-constant ones, in column order, when
    ``max_features >= d``).
    """
    T, d = len(starts), X.shape[1]
    cols = np.arange(d)
    lo, hi = X[S[starts], cols], X[S[ends - 1], cols]  # each column of S is sorted per node
    nonconst = hi > lo + FEATURE_THRESHOLD
    if max_features >= d:
        order = np.broadcast_to(cols, (T, d))
    else:
        order = np.argsort(rng.random((T, d)), axis=1)  # a fresh random order per node
    nonconst = np.take_along_axis(nonconst, order, axis=1)
    take = nonconst & (np.cumsum(nonconst, axis=1) <= max_features)
    q = int(take.sum(axis=1).max(initial=0))
    first = np.argsort(~take, axis=1, kind="stable")[:, :q]  # taken ones first, order kept
    drawn = np.take_along_axis(order, first, axis=1)
    return np.where(np.take_along_axis(take, first, axis=1), drawn, -1)


def _best_splits(X, yk, w, S, seg, starts, ends, totals, drawn, criterion, min_samples_leaf):
    r"""The best split (feature, threshold) of every open node of one level, in one pass.

    ``S`` (m, d): the rows of the open nodes, grouped by node (node t owns positions
    ``starts[t]:ends[t]``), column j sorted by :math:`x_j` within each node; ``seg`` the
    node of each position. Column k of node t is feature ``drawn[t, k]``, so gathering
    ``S[r, drawn[seg[r], k]]`` lines up every node's k-th drawn feature in one (m, q) array.
    Then, per chunk of columns,

    * a weighted one-hot of the labels, cumulated down the positions: the left counts of
      "split after position r" are ``Cum[r + 1] - Cum[start]`` of its node, the right
      counts the node's totals minus those;
    * a candidate is valid if the next value in its node is larger (by more than
      ``FEATURE_THRESHOLD``) and both sides keep ``min_samples_leaf`` rows;
    * :func:`_children_cost` at the valid candidates, reduced to each node's minimum with
      ``np.minimum.reduceat`` (candidates come in position order, hence grouped by node).

    Ties (costs within ``1e-10`` times the node's weight, so that rounding does not pick)
    go to the earliest drawn feature, then the lowest threshold. Returns (found, feature,
    threshold) per node.
    """
    m, (T, q) = len(seg), drawn.shape
    if q == 0:  # every feature is constant in every node
        return np.zeros(T, dtype=bool), np.full(T, -2), np.full(T, -2.0)
    F = drawn[seg]  # (m, q) feature of each column at each position
    has_f = F >= 0
    F = np.where(has_f, F, 0)
    rows = np.take_along_axis(S, F, axis=1)
    xs = X[rows, F]
    pos = np.arange(m)
    n_left, n_right = pos - starts[seg] + 1, ends[seg] - pos - 1  # rows if split after pos
    ok = has_f & ((n_left >= min_samples_leaf) & (n_right >= min_samples_leaf))[:, None]
    ok[:-1] &= xs[1:] > xs[:-1] + FEATURE_THRESHOLD  # the next value (same node) differs
    ok[-1] = False
    K = totals.shape[1]
    tie = _TIE_RTOL * totals.sum(axis=1)  # costs scale with the node's weight
    best_cost, best_k, best_r = np.full(T, np.inf), np.zeros(T, np.intp), np.zeros(T, np.intp)
    width = max(1, _CHUNK // max(1, m * K))
    for k0 in range(0, q, width):
        chunk = rows[:, k0 : k0 + width]
        qc = chunk.shape[1]
        onehot = np.zeros((m, qc, K))
        onehot.reshape(-1)[np.arange(m * qc) * K + yk[chunk].ravel()] = w[chunk].ravel()
        cum = np.zeros((m + 1, qc, K))
        np.cumsum(onehot, axis=0, out=cum[1:])
        valid = ok[:, k0 : k0 + qc]
        if valid.mean() < 0.25:  # few distinct values (e.g. pixels): only the valid ones
            r, k = np.nonzero(valid)
            CL = cum[r + 1, k] - cum[starts[seg[r]], k]  # left counts of "split after r"
            cost = np.full((m, qc), np.inf)
            cost[r, k] = _children_cost(CL, totals[seg[r]] - CL, criterion)
        else:  # mostly valid: every position, no gathers, invalid ones masked after
            CL = cum[1:] - cum[starts[seg]]
            CR = totals[seg][:, None, :] - CL
            with np.errstate(divide="ignore", invalid="ignore"):  # an empty right side
                cost = _children_cost(CL.reshape(-1, K), CR.reshape(-1, K), criterion)
            cost = np.where(valid, cost.reshape(m, qc), np.inf)
        node_min = np.minimum.reduceat(cost, starts, axis=0)  # (T, qc): best per feature
        c_min = node_min.min(axis=1)
        near = (c_min + tie)[:, None]  # costs this close are a tie (rounding)
        k = np.argmax(node_min <= near, axis=1)  # the earliest drawn column of the ties
        hit = cost[pos, k[seg]] <= near[seg, 0]
        r = np.minimum.reduceat(np.where(hit, pos, m), starts)  # its lowest threshold
        better = c_min + tie < best_cost  # a tie keeps the earlier chunk
        best_cost[better], best_k[better], best_r[better] = c_min[better], k[better] + k0, r[better]
    found = np.isfinite(best_cost)
    k, r = best_k, best_r
    feature = np.where(found, drawn[np.arange(T), k], -2)
    f = np.maximum(feature, 0)
    x_lo = X[S[r, f], f]
    x_hi = X[S[np.minimum(r + 1, m - 1), f], f]
    threshold = x_lo / 2.0 + x_hi / 2.0  # scikit-learn's midpoint, and its fallback:
    fallback = (threshold == x_hi) | ~np.isfinite(threshold)
    threshold = np.where(fallback, x_lo, threshold)
    return found, feature, np.where(found, threshold, -2.0)


def _partition(S, seg, starts, go_left, split, open_, n_rows):
    """The next level's (S, seg): every column of S reordered at once by a stable partition.

    Node t's children are its left and right rows in their current (sorted) order, so a
    position's new place is its child's start plus the rows of that child before it in the
    column: a cumulative count of "goes left" per column. Rows of closed children (leaves)
    and of nodes that were not split land past the new length and are cut off.
    ``split`` (T,) marks the split nodes; ``open_``, ``n_rows`` describe their children,
    interleaved left, right.
    """
    m, d = S.shape
    sizes = np.where(open_, n_rows, 0)
    m_new = int(sizes.sum())
    start = np.where(open_, np.cumsum(sizes) - sizes, m_new)
    to_left, to_right = np.full(len(split), m_new), np.full(len(split), m_new)
    to_left[split], to_right[split] = start[0::2], start[1::2]
    L = go_left[S]  # (m, d)
    before = np.zeros((m + 1, d), dtype=np.int32)
    np.cumsum(L, axis=0, out=before[1:])
    lefts_before = before[:-1] - before[starts[seg]]  # the node's left rows before it
    dest = np.where(
        L,
        to_left[seg][:, None] + lefts_before,
        (to_right[seg] + np.arange(m) - starts[seg])[:, None] - lefts_before,
    )
    S_new = np.empty((m_new + m + 1, d), dtype=np.intp)
    S_new[dest, np.arange(d)] = S
    return S_new[:m_new], np.repeat(np.arange(int(open_.sum())), n_rows[open_])


def _grow(X, yk, w, K, criterion, max_depth, min_split, min_leaf, min_decrease, max_features, rng):
    """Grow the tree breadth-first; returns its flat node arrays (nodes numbered by level)."""
    n, d = X.shape
    W = w.sum()

    def is_open(counts, n_rows, depth):  # scikit-learn's leaf tests at node creation
        ok = (n_rows >= min_split) & (n_rows >= 2 * min_leaf)
        ok &= _impurity(counts, criterion) > EPSILON
        return ok & (max_depth is None or depth < max_depth)

    S = np.argsort(X, axis=0, kind="stable")  # presorted once; kept sorted per node below
    counts = np.bincount(yk, weights=w, minlength=K)[None]
    n_rows = np.array([n])
    open_ = is_open(counts, n_rows, 0)
    seg = np.zeros(n, dtype=np.intp)
    if not open_[0]:
        S = S[:0]
    blocks, next_id, depth = [], 1, 0
    while True:
        B = len(counts)
        feature, threshold = np.full(B, -2), np.full(B, -2.0)
        left, right = np.full(B, -1), np.full(B, -1)
        blocks.append((counts, n_rows, np.full(B, depth), feature, threshold, left, right))
        if not open_.any():
            break
        which = np.flatnonzero(open_)  # open nodes, in segment order
        ends = np.cumsum(n_rows[which])
        starts = ends - n_rows[which]
        drawn = _drawn_features(X, S, starts, ends, max_features, rng)
        found, f, t = _best_splits(
            X, yk, w, S, seg, starts, ends, counts[which], drawn, criterion, min_leaf
        )
        # route: x_f <= t goes left; children's counts straight from the rows
        go_left_row = np.zeros(n, dtype=bool)
        rows0 = S[:, 0]
        go_left_row[rows0] = X[rows0, np.maximum(f, 0)[seg]] <= t[seg]
        T = len(which)
        gl = go_left_row[rows0]
        CL = np.bincount(seg * K + yk[rows0], weights=w[rows0] * gl, minlength=T * K)
        CR = np.bincount(seg * K + yk[rows0], weights=w[rows0] * ~gl, minlength=T * K)
        CL, CR = CL.reshape(T, K), CR.reshape(T, K)
        nL = np.bincount(seg, weights=gl, minlength=T).astype(np.intp)
        wt, wL, wR = counts[which].sum(1), CL.sum(1), CR.sum(1)
        decrease = (wt / W) * (
            _impurity(counts[which], criterion)
            - wL / wt * _impurity(CL, criterion)
            - wR / wt * _impurity(CR, criterion)
        )
        split = found & (decrease + EPSILON >= min_decrease)
        if not split.any():
            break
        sp = which[split]
        n_sp = len(sp)
        child_ids = next_id + np.arange(2 * n_sp)
        feature[sp], threshold[sp] = f[split], t[split]
        left[sp], right[sp] = child_ids[0::2], child_ids[1::2]
        counts = np.stack([CL[split], CR[split]], axis=1).reshape(-1, K)  # L0, R0, L1, ...
        n_rows = np.stack([nL[split], n_rows[sp] - nL[split]], axis=1).ravel()
        depth += 1
        open_ = is_open(counts, n_rows, depth)
        next_id += 2 * n_sp

        S, seg = _partition(S, seg, starts, go_left_row, split, open_, n_rows)
    return [np.concatenate(a) for a in zip(*blocks, strict=True)]


def _count_or_fraction(value, least: int, n: int, name: str, one_ok: bool) -> int:
    """scikit-learn's convention: an int >= ``least`` is a row count, a float in (0, 1)
    (or (0, 1] when ``one_ok``) a fraction of the n rows, rounded up, at least ``least``."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        if value >= least:
            return int(value)
    elif isinstance(value, Real) and 0.0 < value <= 1.0 and (one_ok or value < 1.0):
        return max(least, math.ceil(value * n))
    span = "(0, 1]" if one_ok else "(0, 1)"
    raise ValueError(f"{name} must be an int >= {least} or a float in {span}, got {value!r}")


def count_from_param(value, total: int, name: str) -> int:
    """A size given as a fraction of ``total`` (float in (0, 1]) or a count (int in
    [1, total]): scikit-learn's convention for ``max_features`` and ``max_samples``."""
    if isinstance(value, Integral) and not isinstance(value, bool):
        if not 1 <= value <= total:
            raise ValueError(f"{name} must be in [1, {total}] as an int, got {value}")
        return int(value)
    if isinstance(value, Real) and 0.0 < value <= 1.0:
        return max(1, int(value * total))
    raise ValueError(f"{name} must be a float in (0, 1] or an int >= 1, got {value!r}")


def _resolve_max_features(max_features, d: int) -> int:
    if max_features is None:
        return d
    if isinstance(max_features, str):
        if max_features not in ("sqrt", "log2"):
            raise ValueError(f"max_features string must be 'sqrt' or 'log2', got {max_features!r}")
        return max(1, int(math.sqrt(d) if max_features == "sqrt" else math.log2(d)))
    return count_from_param(max_features, d, "max_features")


class DecisionTreeClassifier(_NodeCountsPredictor, ClassifierMixin, BaseEstimator):
    r"""Binary decision tree on real-valued features (L08 lines 2851-3215).

    Each split is :math:`x_j \le t`, t a midpoint between consecutive distinct values of
    :math:`x_j` in the node, chosen to maximize the impurity decrease :math:`\Delta` (the
    module docstring); for ``criterion="entropy"`` that is the lecture's information gain of
    the binary attribute :math:`[x_j \le t]`. Stopping rules (lines 3175-3185, with
    scikit-learn's definitions): a pure node, ``max_depth``, fewer than ``min_samples_split``
    rows, no split leaving ``min_samples_leaf`` rows per side, or :math:`\Delta` below
    ``min_impurity_decrease``. Ties between equal costs go to the first feature in drawn
    order (column order without ``max_features``), then the lowest threshold; scikit-learn
    breaks them at random, so only trees with a unique best split are identical.

    Growth is breadth-first, one tree level per numpy pass (:func:`_best_splits`,
    :func:`_partition`): no Python loop over nodes or samples. X is float64 here;
    scikit-learn casts X to float32, so its midpoints can differ in the 7th digit.

    Parameters
    ----------
    criterion : {"entropy", "gini"}
        Entropy in bits (scikit-learn's "entropy" too uses log2) or Gini.
    max_depth : int >= 1 or None
    min_samples_split : int >= 2 or float in (0, 1]
        Rows (not weights) a node needs to be split; a float is a fraction of n.
    min_samples_leaf : int >= 1 or float in (0, 1)
        Rows each child must keep; a float is a fraction of n.
    min_impurity_decrease : float >= 0
        Split only if :math:`\Delta + \epsilon \ge` this.
    max_features : None, int, float, "sqrt" or "log2"
        Features searched per node: a fresh random subset for every node (random forest);
        constant features of the node do not count towards it, as in scikit-learn.
    random_state : int, Generator, RandomState or None
        Draws the feature subsets (unused when all features are searched).

    Rows with ``sample_weight`` 0 are dropped before anything else; integer weights give
    the tree of the duplicated rows.

    Attributes
    ----------
    classes_ : ndarray (K,)
    n_classes_ : int
    n_features_in_ : int
    children_left_, children_right_ : ndarray (n_nodes,) int
        Child ids, -1 at leaves. Nodes are numbered breadth-first, the root is 0.
    feature_ : ndarray (n_nodes,) int
        Split feature, -2 at leaves (scikit-learn's ``TREE_UNDEFINED``).
    threshold_ : ndarray (n_nodes,) float
        Split threshold t (x <= t goes left), -2 at leaves.
    value_ : ndarray (n_nodes, K) float
        Weighted class **counts** of the training rows at the node (scikit-learn >= 1.4
        stores these as fractions: ``value_ / value_.sum(1, keepdims=True)``).
    impurity_ : ndarray (n_nodes,) float
        Entropy (bits) or Gini of the node.
    n_node_samples_ : ndarray (n_nodes,) float
        **Weighted** number of training rows at the node (``value_.sum(1)``, scikit-learn's
        ``weighted_n_node_samples``).
    n_node_rows_ : ndarray (n_nodes,) int
        Number of training rows (weight > 0) at the node (scikit-learn's ``n_node_samples``).
    depth_ : ndarray (n_nodes,) int
    """

    def __init__(
        self,
        criterion: str = "entropy",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_impurity_decrease: float = 0.0,
        max_features=None,
        random_state=None,
    ):
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.max_features = max_features
        self.random_state = random_state

    def _check_params(self, n: int) -> tuple[int, int]:
        """Validate; return (min_samples_split, min_samples_leaf) as row counts."""
        if self.criterion not in CRITERIA:
            raise ValueError(f"criterion must be one of {CRITERIA}, got {self.criterion!r}")
        _check_max_depth(self.max_depth)
        mss, msl = self.min_samples_split, self.min_samples_leaf
        mss = _count_or_fraction(mss, 2, n, "min_samples_split", True)
        msl = _count_or_fraction(msl, 1, n, "min_samples_leaf", False)
        mid = self.min_impurity_decrease
        if not (isinstance(mid, Real) and mid >= 0):
            raise ValueError(f"min_impurity_decrease must be a number >= 0, got {mid!r}")
        return mss, msl

    def fit(self, X, y, sample_weight=None):
        X, y = validate_data(self, X, y, dtype=np.float64)
        mss, msl = self._check_params(len(X))
        mf = _resolve_max_features(self.max_features, X.shape[1])
        X, yk, w, self.classes_ = _positive_rows(X, y, sample_weight)
        self.n_classes_ = K = len(self.classes_)
        counts, n_rows, depth, feature, threshold, left, right = _grow(
            X,
            yk,
            w,
            K,
            self.criterion,
            self.max_depth,
            mss,
            msl,
            float(self.min_impurity_decrease),
            mf,
            _rng(self.random_state),
        )
        self._set_tree(counts, n_rows, depth, feature, threshold, left, right)
        return self

    def _set_tree(self, counts, n_rows, depth, feature, threshold, left, right) -> None:
        self.value_ = np.asarray(counts, dtype=np.float64)
        self.n_node_samples_ = self.value_.sum(axis=1)
        self.n_node_rows_ = np.asarray(n_rows, dtype=np.intp)
        self.impurity_ = _impurity(self.value_, self.criterion)
        self.depth_ = np.asarray(depth, dtype=np.intp)
        self.feature_ = np.asarray(feature, dtype=np.intp)
        self.threshold_ = np.asarray(threshold, dtype=np.float64)
        self.children_left_ = np.asarray(left, dtype=np.intp)
        self.children_right_ = np.asarray(right, dtype=np.intp)

    # ---------------------------------------------------------------- structure, predict

    @property
    def node_count(self) -> int:
        check_is_fitted(self, "feature_")
        return len(self.feature_)

    def get_depth(self) -> int:
        check_is_fitted(self, "feature_")
        return int(self.depth_.max())

    def get_n_leaves(self) -> int:
        check_is_fitted(self, "feature_")
        return int((self.children_left_ < 0).sum())

    def _input(self, X) -> np.ndarray:
        check_is_fitted(self, "feature_")
        return validate_data(self, X, reset=False, dtype=np.float64)

    def _paths(self, X) -> np.ndarray:
        """(n, depth + 1): the node each row visits at each depth, -1 below its leaf."""
        X = self._input(X)
        P = np.full((len(X), self.get_depth() + 1), -1, dtype=np.intp)
        node = np.zeros(len(X), dtype=np.intp)
        active = np.arange(len(X))
        for level in range(P.shape[1]):  # all rows down one level per pass
            P[active, level] = node[active]
            f = self.feature_[node[active]]
            active, f = active[f >= 0], f[f >= 0]
            nd = node[active]
            go_left = X[active, f] <= self.threshold_[nd]
            node[active] = np.where(go_left, self.children_left_[nd], self.children_right_[nd])
        return P

    def _class_counts(self) -> np.ndarray:
        return self.value_

    def _end_nodes(self, X) -> np.ndarray:
        return self.apply(X)

    def apply(self, X) -> np.ndarray:
        """The leaf index of every row."""
        P = self._paths(X)
        return P[np.arange(len(P)), (P >= 0).sum(axis=1) - 1]

    def export_text(self, feature_names=None) -> str:
        """The tree as indented text, like ``sklearn.tree.export_text``."""
        check_is_fitted(self, "feature_")
        names = _feature_names(feature_names, self.n_features_in_)

        def branches(v):
            if self.children_left_[v] < 0:
                return []
            name, t = names[self.feature_[v]], self.threshold_[v]
            return [
                (f"{name} <= {t:.2f}", int(self.children_left_[v])),
                (f"{name} >  {t:.2f}", int(self.children_right_[v])),
            ]

        return _render(branches, lambda v: f"class: {self.classes_[np.argmax(self.value_[v])]}")

    # ---------------------------------------------------------------- pruning (3190-3215)

    def _greedy_collapses(self, X_val, y_val, X_train=None, y_train=None):
        r"""The greedy reduced-error sequence down to a single leaf.

        With each node's training majority :math:`\hat y_v` and the validation rows under v
        (from the path matrix of :meth:`_paths`), collapsing v changes the number of
        correct validation predictions by

        .. math:: \delta_v = \sum_{i \text{ under } v} [y_i = \hat y_v]
                            - \sum_{i \text{ under } v} [y_i = \text{current prediction}_i],

        computed for every node at once with two ``np.bincount`` over (row, node-on-path)
        pairs. The step collapses the live internal node of largest :math:`\delta_v`; ties
        go to the one removing most leaves (the smaller tree), then to the lowest id.
        Returns (collapsed nodes, n_leaves, val accuracy, train accuracy or None), entry 0
        being the unpruned tree.
        """
        check_is_fitted(self, "feature_")
        N = self.node_count
        majority = np.argmax(self.value_, axis=1)
        internal = self.feature_ >= 0
        A = self._ancestors()  # (N, depth + 1) ancestors of each node by depth

        def encoded(X, y):
            P = self._paths(X)
            idx = np.searchsorted(self.classes_, np.asarray(y))
            idx = np.minimum(idx, len(self.classes_) - 1)
            yk = np.where(self.classes_[idx] == np.asarray(y), idx, -1)  # unknown: never right
            return P, yk

        sets = [encoded(X_val, y_val)]
        if X_train is not None:
            sets.append(encoded(X_train, y_train))
        leaf_now, alive = ~internal, np.ones(N, dtype=bool)

        def state(P, yk):
            """Each row's current stop depth and whether its prediction is right."""
            stops = np.where(P >= 0, leaf_now[P], True)
            depth = np.argmax(stops, axis=1)
            stop = P[np.arange(len(P)), depth]
            return depth, majority[stop] == yk

        def accuracies():
            return [state(P, yk)[1].mean() for P, yk in sets]

        collapsed, n_leaves, acc = [-1], [int(leaf_now.sum())], [accuracies()]
        while True:
            cand = internal & alive & ~leaf_now
            if not cand.any():
                break
            P, yk = sets[0]
            depth, right = state(P, yk)
            on_path = np.arange(P.shape[1]) <= depth[:, None]  # the row's live nodes
            rows = np.nonzero(on_path)[0]
            nodes = P[on_path]
            now = np.bincount(nodes, weights=right[rows], minlength=N)
            as_leaf = np.bincount(nodes, weights=majority[nodes] == yk[rows], minlength=N)
            live_leaves = alive & leaf_now
            leaves_under = np.bincount(A[live_leaves][A[live_leaves] >= 0], minlength=N)
            delta = np.where(cand, as_leaf - now, -np.inf)
            best = np.flatnonzero(delta == delta.max())
            v = int(best[np.argmax(leaves_under[best])])  # most leaves removed, lowest id
            below = A[:, self.depth_[v]] == v
            below[v] = False
            alive &= ~below
            leaf_now[v] = True
            collapsed.append(v)
            n_leaves.append(int((alive & leaf_now).sum()))
            acc.append(accuracies())
        acc = np.asarray(acc, dtype=np.float64)
        train = acc[:, 1] if X_train is not None else None
        return np.asarray(collapsed), np.asarray(n_leaves), acc[:, 0], train

    def _ancestors(self) -> np.ndarray:
        """(N, depth + 1): A[u, k] is u's ancestor at depth k (u itself at its depth), -1
        deeper. Filled level by level from the parents (ids grow with depth)."""
        N = self.node_count
        A = np.full((N, self.get_depth() + 1), -1, dtype=np.intp)
        parent = np.full(N, -1, dtype=np.intp)
        inner = np.flatnonzero(self.children_left_ >= 0)
        parent[self.children_left_[inner]] = inner
        parent[self.children_right_[inner]] = inner
        A[0, 0] = 0
        for k in range(1, A.shape[1]):
            at_k = np.flatnonzero(self.depth_ == k)
            A[at_k, :k] = A[parent[at_k], :k]
            A[at_k, k] = at_k
        return A

    def pruning_path(self, X_val, y_val, X_train=None, y_train=None) -> dict[str, np.ndarray]:
        """The greedy collapse sequence until one leaf is left ("accuracy vs tree size").

        Entry 0 is the unpruned tree, entry i the tree after i collapses. Keys:
        ``"n_leaves"``, ``"val_accuracy"``, ``"train_accuracy"`` (when X_train is given),
        ``"collapsed"`` (node id collapsed at step i, -1 at entry 0) and ``"chosen"``: the
        entry :meth:`prune` returns, the last one before validation accuracy first drops.
        """
        collapsed, n_leaves, val, train = self._greedy_collapses(X_val, y_val, X_train, y_train)
        drops = np.flatnonzero(np.diff(val) < 0)
        chosen = int(drops[0]) if drops.size else len(val) - 1
        out = {
            "n_leaves": n_leaves,
            "val_accuracy": val,
            "collapsed": collapsed,
            "chosen": np.asarray(chosen),
        }
        if train is not None:
            out["train_accuracy"] = train
        return out

    def prune(self, X_val, y_val) -> DecisionTreeClassifier:
        """Reduced-error pruning (lines 3190-3215): a pruned **copy** (self is unchanged).

        Repeatedly collapse the internal node whose collapse gives the highest validation
        accuracy, while that accuracy does not decrease (equal-accuracy collapses, which
        shrink the tree, are taken).
        """
        path = self.pruning_path(X_val, y_val)
        return self._collapsed(path["collapsed"][1 : int(path["chosen"]) + 1])

    def _collapsed(self, nodes) -> DecisionTreeClassifier:
        """A copy with ``nodes`` turned into leaves and their unreachable subtrees removed
        (ids renumbered, breadth-first order kept)."""
        est = copy.deepcopy(self)
        left, right = est.children_left_.copy(), est.children_right_.copy()
        feature, threshold = est.feature_.copy(), est.threshold_.copy()
        nodes = np.asarray(nodes, dtype=np.intp)
        left[nodes], right[nodes], feature[nodes], threshold[nodes] = -1, -1, -2, -2.0
        keep = np.zeros(len(left), dtype=bool)
        keep[0] = True
        for k in range(est.get_depth()):  # reachable from the root, level by level
            inner = np.flatnonzero(keep & (est.depth_ == k) & (left >= 0))
            keep[left[inner]] = keep[right[inner]] = True
        new_id = np.cumsum(keep) - 1
        left = np.where(left >= 0, new_id[np.maximum(left, 0)], -1)[keep]
        right = np.where(right >= 0, new_id[np.maximum(right, 0)], -1)[keep]
        est._set_tree(
            est.value_[keep],
            est.n_node_rows_[keep],
            est.depth_[keep],
            feature[keep],
            threshold[keep],
            left,
            right,
        )
        return est
