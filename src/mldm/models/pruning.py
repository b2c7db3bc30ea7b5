r"""Reduced-error pruning on a validation set, lecture 8 (L08, ``course-notes.zh.txt`` lines
3202-3217).

A tree grown until its leaves are pure fits the training data too well and may do badly on
new data (lines 3202-3206). Pruning after learning (lines 3208-3217), with a validation set:

* remove the nodes whose removal does not hurt validation accuracy,
* greedily remove the node whose removal improves validation accuracy the most (hurts the
  least),
* stop when validation accuracy starts to drop.

"Removing" internal node v turns it into a leaf that predicts its training majority
:math:`\hat y_v`. For the validation rows i under v, the number of correct predictions then
changes by

.. math:: \delta_v = \sum_{i \text{ under } v} [y_i = \hat y_v]
                   - \sum_{i \text{ under } v} [y_i = \text{current prediction}_i],

so each greedy step collapses :math:`\arg\max_v \delta_v` and the validation accuracy moves by
:math:`\delta_v / N_{val}`; the pruned tree is the last one before that accuracy first drops
(a step with :math:`\delta_v = 0` only shrinks the tree, and is taken).

:class:`ReducedErrorPruning` adds this to :class:`mldm.models.cart.DecisionTreeClassifier`:
it needs the fitted node arrays (``value_``, ``feature_``, ``children_left_``, ...) and the
tree's ``_paths`` (the node each row visits at each depth) and ``_set_tree``.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["ReducedErrorPruning"]


class ReducedErrorPruning:
    """Reduced-error pruning (lines 3208-3217) for a fitted binary tree: :meth:`pruning_path`
    and :meth:`prune`."""

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

    def prune(self, X_val, y_val) -> ReducedErrorPruning:
        """Reduced-error pruning (lines 3190-3215): a pruned **copy** (self is unchanged).

        Repeatedly collapse the internal node whose collapse gives the highest validation
        accuracy, while that accuracy does not decrease (equal-accuracy collapses, which
        shrink the tree, are taken).
        """
        path = self.pruning_path(X_val, y_val)
        return self._collapsed(path["collapsed"][1 : int(path["chosen"]) + 1])

    def _collapsed(self, nodes) -> ReducedErrorPruning:
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
