r"""ID3, the lecture's decision tree on categorical attributes, lecture 8 (L08,
``course-notes.zh.txt`` lines 2886-3200).

A tree's internal nodes test attributes, its leaves hold outcomes and its edges carry the
attribute's values (lines 2886-2896). ID3 grows it greedily from the root: at every node,
split on the attribute with the most information about the label (lines 2962-2966), the
largest **information gain** (:mod:`mldm.models.information`, lines 3067-3079)

.. math:: j^* = \arg\max_{j \notin \text{path}} IG(x_j), \qquad
          IG(x_j) = H(y) - \sum_v P(x_j = v)\, H(y \mid x_j = v),

with one child per value of :math:`x_j` (the slides' multiway branches), and repeat in every
child on its own rows. On the movie table (lines 3086-3123) H(Like) = 0.91 and Director has
the largest gain, IG = 0.55, so it is the root; under Lasseter IG(Type) = IG(Length) = 0.81
(lines 3166-3173). Growth stops at a node (lines 3190-3200) when

* all its rows have the same label,
* every attribute is already used on its path,
* the depth limit is reached, or
* the best information gain is below a threshold (``min_gain``).

All nodes of one depth are handled together: the (node, value, label) counts of an attribute
at every node of the level are one ``np.bincount``.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mldm.models.information import attribute_names, impurity
from mldm.models.tree_base import (
    NodeCountsPredictor,
    check_max_depth,
    positive_rows,
    render_tree,
)

__all__ = ["ID3Classifier"]

GAIN_TOL = 1e-12  # IGs this close are a tie (rounding in sums of p log p)


class ID3Classifier(NodeCountsPredictor, ClassifierMixin, BaseEstimator):
    r"""The lecture's ID3 tree on categorical attributes (L08 lines 2886-3200).

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
        Split only when the best IG exceeds it (lines 3192-3200, "IG below a threshold").

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
        check_max_depth(self.max_depth)
        if not (isinstance(self.min_gain, Real) and self.min_gain >= 0):
            raise ValueError(f"min_gain must be a number >= 0, got {self.min_gain!r}")

    def fit(self, X, y, sample_weight=None):
        self._check_params()
        X, y = validate_data(self, X, y, dtype=None)
        X, yk, w, self.classes_ = positive_rows(np.asarray(X).astype(str), y, sample_weight)
        n, d = X.shape
        K = len(self.classes_)
        # integer codes per column; cat_table[j, v] is category v of column j ("" padding)
        cats, codes = zip(*(np.unique(X[:, j], return_inverse=True) for j in range(d)), strict=True)
        codes = np.stack(codes, axis=1)
        V = max(len(c) for c in cats)
        cat_table = np.full((d, V), "", dtype=X.dtype)
        for j, c in enumerate(cats):
            cat_table[j, : len(c)] = c

        # the current level: its rows, each row's node (index within the level), node state
        rows, node_of = np.arange(n), np.zeros(n, dtype=np.intp)
        counts = np.bincount(yk, weights=w, minlength=K)[None]
        used = np.zeros((1, d), dtype=bool)
        ids, next_id, depth = np.array([0]), 1, 0
        blocks, edges = [], []
        while True:
            T = len(ids)
            H = impurity(counts)  # H(y) at every node of the level
            gains = np.full((T, d), -np.inf)
            for j in range(d):  # IG of every attribute at every node of the level at once
                tab = np.bincount(
                    (node_of * V + codes[rows, j]) * K + yk[rows],
                    weights=w[rows],
                    minlength=T * V * K,
                ).reshape(T, V, K)
                n_v = tab.sum(axis=2)  # N P(x_j = v) at each node
                h_cond = (n_v * impurity(tab)).sum(axis=1) / n_v.sum(axis=1)  # H(y | x_j)
                gains[:, j] = np.where(used[:, j], -np.inf, H - h_cond)  # IG(x_j)
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
            go = split[node_of]
            rows, node_of = rows[go], node_of[go]
            key = node_of * V + codes[rows, best_j[node_of]]
            child_keys, node_of = np.unique(
                key, return_inverse=True
            )  # sorted by (parent, category)
            parent = child_keys // V
            n_child = len(child_keys)
            child_ids = next_id + np.arange(n_child)
            edges.append(
                (ids[parent], child_ids, cat_table[best_j[parent], child_keys % V].astype(str))
            )
            counts = np.bincount(node_of * K + yk[rows], weights=w[rows], minlength=n_child * K)
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
        names = attribute_names(feature_names, self.n_features_in_)

        def branches(node):
            f = self.node_feature_[node]
            return [
                (f"{names[f]} = {self.edge_category_[e]}", int(self.edge_child_[e]))
                for e in self._edges_of(node)
            ]

        return render_tree(branches, lambda v: f"class: {self.classes_[self.node_value_[v]]}")

    def to_edges(self, feature_names=None) -> list[tuple[str, str, str]]:
        """(parent label, edge label, child label) per edge, for drawing the tree; a label is
        ``"<node id>: <attribute>"`` inside, ``"<node id>: <class>"`` at a leaf."""
        check_is_fitted(self, "node_feature_")
        names = attribute_names(feature_names, self.n_features_in_)
        return [
            (f"{p}: {self._node_label(p, names)}", str(cat), f"{c}: {self._node_label(c, names)}")
            for p, c, cat in zip(
                self.edge_parent_, self.edge_child_, self.edge_category_, strict=True
            )
        ]
