r"""The greedy decision tree on real-valued features (CART-style binary splits), lecture 8
(L08, ``course-notes.zh.txt`` lines 2886-3217), grown like scikit-learn's.

**The rule is ID3's** (:mod:`mldm.models.id3`): at every node take the split with the largest
information gain (lines 3067-3079), on the node's own rows, until a stopping rule holds
(lines 3192-3200). For a real feature :math:`x_j` the "attribute" is the binary test
:math:`[x_j \le t]`, t a midpoint between two consecutive distinct values of :math:`x_j` in
the node (scikit-learn's thresholds); the node's N_t rows split into a left part L
(:math:`x_j \le t`) and a right part R, and

.. math:: IG(j, t) = H(t) - \frac{N_L}{N_t} H(L) - \frac{N_R}{N_t} H(R).

H(t) is the same for every candidate of the node, so the best split minimizes the **split
cost** (:func:`split_cost`, the children's impurity summed with weights N_L, N_R)

.. math:: (j^*, t^*) = \arg\min_{j,t}\; N_L H(L) + N_R H(R),
          \qquad N_L H(L) \ln 2 = N_L \ln N_L - \sum_k N_{Lk} \ln N_{Lk},

with :math:`N_{Lk}` the (weighted) rows of class k on the left. Gini (:math:`G = 1 -
\sum_k p_k^2`) is the other criterion: :math:`N_L G(L) = N_L - \sum_k N_{Lk}^2 / N_L`. A split
is kept when it lowers the impurity I by at least ``min_impurity_decrease`` (scikit-learn's
definition, N the weight of all rows)

.. math:: \Delta = \frac{N_t}{N}\Big(I(t) - \frac{N_L}{N_t} I(L) - \frac{N_R}{N_t} I(R)\Big),

for entropy :math:`\frac{N_t}{N}` times the information gain.

**Counting every candidate at once.** Sort the node's rows by :math:`x_j`; "split after the
r-th row" puts rows 1..r on the left, so :math:`N_{Lk}` for all r is a cumulative sum of the
class one-hots down the sorted rows, and :math:`N_{Rk} = N_{tk} - N_{Lk}`. The tree grows
breadth-first: the rows of all open nodes of a level sit in one array, grouped by node and
sorted by every feature within each node (:func:`grow`), so one level's candidates are one
cumulative sum (:func:`best_splits`), and the next level's sorted rows are a stable partition
of the current ones (:func:`partition_rows`): no Python loop over nodes or rows.

Reduced-error pruning (lines 3208-3217) comes from :mod:`mldm.models.pruning`.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from mldm.models.information import CRITERIA, attribute_names, impurity
from mldm.models.pruning import ReducedErrorPruning
from mldm.models.tree_base import (
    NodeCountsPredictor,
    check_max_depth,
    positive_rows,
    render_tree,
)

__all__ = ["DecisionTreeClassifier", "count_from_param"]

EPSILON = float(np.finfo(np.float64).eps)  # scikit-learn's "pure node" / improvement slack
FEATURE_THRESHOLD = 1e-7  # scikit-learn's: values closer than this are one value
_TIE_RTOL = 1e-10  # split costs closer than this (times the node weight) are a tie
_CHUNK = 1 << 22  # cells of the (positions, features, classes) cumsum held at once


def _rng(random_state) -> np.random.Generator:
    if isinstance(random_state, np.random.RandomState):  # e.g. from check_random_state
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(random_state)


def split_cost(N_Lk: np.ndarray, N_Rk: np.ndarray, criterion: str) -> np.ndarray:
    r"""The split cost :math:`N_L I(L) + N_R I(R)` of candidate splits, up to a positive
    factor and a constant per node: minimizing it maximizes the information gain (or Gini
    decrease). ``N_Lk``, ``N_Rk`` (c, K): the (weighted) class counts left and right.

    Entropy: :math:`N_L H(L)\ln 2 = N_L\ln N_L - \sum_k N_{Lk} \ln N_{Lk}`. Gini:
    :math:`N_L G(L) = N_L - \sum_k N_{Lk}^2/N_L`, and :math:`N_L + N_R = N_t` is the same for
    every candidate of the node.
    """
    ones = np.ones(N_Lk.shape[1])  # row sums as a matrix-vector product: faster for small K
    N_L, N_R = N_Lk @ ones, N_Rk @ ones
    if criterion == "gini":
        return -(((N_Lk * N_Lk) @ ones) / N_L + ((N_Rk * N_Rk) @ ones) / N_R)

    def xlnx(c):
        return c * np.log(np.where(c > 0, c, 1.0))  # 0 ln 0 = 0 (and rounding below 0)

    # N_L ln N_L + N_R ln N_R - sum_k (N_Lk ln N_Lk + N_Rk ln N_Rk)
    return xlnx(N_L) + xlnx(N_R) - (xlnx(N_Lk) + xlnx(N_Rk)) @ ones


def _min_per_node(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Minimum over each node's block of positions along axis 0 (positions come grouped by
    node, node t owning ``starts[t]:starts[t + 1]``)."""
    return np.minimum.reduceat(values, starts, axis=0)


def drawn_features(X, sorted_rows, starts, ends, max_features: int, rng) -> np.ndarray:
    """(T, q) features each open node searches, in drawn order, -1 padded.

    A feature constant within a node cannot split it and, as in scikit-learn, does not
    count: a node draws a uniformly random order of the features and keeps the first
    ``max_features`` non-constant ones (all non-constant ones, in column order, when
    ``max_features >= d``).
    """
    T, d = len(starts), X.shape[1]
    cols = np.arange(d)
    # column j of sorted_rows is sorted by x_j within each node: its first and last rows
    lo, hi = X[sorted_rows[starts], cols], X[sorted_rows[ends - 1], cols]
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


def best_splits(
    X, yk, w, sorted_rows, node_of, starts, ends, node_counts, drawn, criterion, min_samples_leaf
):
    r"""The best split (feature j, threshold t) of every open node of one level, in one pass.

    ``sorted_rows`` (m, d): the rows of the open nodes, grouped by node (node t owns
    positions ``starts[t]:ends[t]``), column j sorted by :math:`x_j` within each node;
    ``node_of`` (m,) the node of each position; ``node_counts`` (T, K) the class weights
    :math:`N_{tk}`. Column c of node t stands for feature ``drawn[t, c]``, so gathering
    ``sorted_rows[r, drawn[node_of[r], c]]`` lines up every node's c-th drawn feature in one
    (m, q) array. "Split after position r" is the threshold between the values at r and
    r + 1 (of r's node). Then, per chunk of columns:

    * the class weights cumulated down the positions, ``cum[r] =`` :math:`\sum_{i<r}`
      (weighted one-hot of row i's class), give :math:`N_{Lk} =` ``cum[r + 1] -
      cum[start]`` and :math:`N_{Rk} = N_{tk} - N_{Lk}` for every candidate at once;
    * a candidate is valid if the next value in its node is larger (by more than
      ``FEATURE_THRESHOLD``) and both sides keep ``min_samples_leaf`` rows;
    * :func:`split_cost` :math:`N_L I(L) + N_R I(R)` at the valid candidates, and its
      minimum per node.

    Ties (costs within ``1e-10`` times the node's weight, so that rounding does not pick)
    go to the earliest drawn feature, then the lowest threshold. Returns (found, feature,
    threshold) per node.
    """
    m, (T, q) = len(node_of), drawn.shape
    if q == 0:  # every feature is constant in every node
        return np.zeros(T, dtype=bool), np.full(T, -2), np.full(T, -2.0)
    feature_at = drawn[node_of]  # (m, q) feature of each column at each position
    has_feature = feature_at >= 0
    feature_at = np.where(has_feature, feature_at, 0)
    row_at = np.take_along_axis(sorted_rows, feature_at, axis=1)  # (m, q)
    x_sorted = X[row_at, feature_at]  # x_j of the rows, ascending within each node
    pos = np.arange(m)
    n_left, n_right = pos - starts[node_of] + 1, ends[node_of] - pos - 1  # rows if split at pos
    candidate = (
        has_feature & ((n_left >= min_samples_leaf) & (n_right >= min_samples_leaf))[:, None]
    )
    candidate[:-1] &= x_sorted[1:] > x_sorted[:-1] + FEATURE_THRESHOLD  # next value differs
    candidate[-1] = False
    K = node_counts.shape[1]
    tie_tol = _TIE_RTOL * node_counts.sum(axis=1)  # costs scale with the node's weight
    best_cost, best_col, best_pos = np.full(T, np.inf), np.zeros(T, np.intp), np.zeros(T, np.intp)
    chunk_cols = max(1, _CHUNK // max(1, m * K))
    for c0 in range(0, q, chunk_cols):
        rows = row_at[:, c0 : c0 + chunk_cols]
        n_cols = rows.shape[1]
        class_weight = np.zeros((m, n_cols, K))  # w_i at (position, column, class of row i)
        class_weight.reshape(-1)[np.arange(m * n_cols) * K + yk[rows].ravel()] = w[rows].ravel()
        cum = np.zeros((m + 1, n_cols, K))
        np.cumsum(class_weight, axis=0, out=cum[1:])
        valid = candidate[:, c0 : c0 + n_cols]
        if valid.mean() < 0.25:  # few distinct values (e.g. pixels): only the valid ones
            r, c = np.nonzero(valid)
            N_Lk = cum[r + 1, c] - cum[starts[node_of[r]], c]  # rows start..r go left
            cost = np.full((m, n_cols), np.inf)
            cost[r, c] = split_cost(N_Lk, node_counts[node_of[r]] - N_Lk, criterion)
        else:  # mostly valid: every position, no gathers, invalid ones masked after
            N_Lk = cum[1:] - cum[starts[node_of]]
            N_Rk = node_counts[node_of][:, None, :] - N_Lk
            with np.errstate(divide="ignore", invalid="ignore"):  # an empty right side
                cost = split_cost(N_Lk.reshape(-1, K), N_Rk.reshape(-1, K), criterion)
            cost = np.where(valid, cost.reshape(m, n_cols), np.inf)
        cost_per_feature = _min_per_node(cost, starts)  # (T, n_cols): min over thresholds
        c_min = cost_per_feature.min(axis=1)  # min over features too
        near = (c_min + tie_tol)[:, None]  # costs this close are a tie (rounding)
        c = np.argmax(cost_per_feature <= near, axis=1)  # the earliest drawn column of the ties
        hit = cost[pos, c[node_of]] <= near[node_of, 0]
        r = _min_per_node(np.where(hit, pos, m), starts)  # its lowest threshold
        better = c_min + tie_tol < best_cost  # a tie keeps the earlier chunk
        best_cost[better], best_col[better], best_pos[better] = (
            c_min[better],
            c[better] + c0,
            r[better],
        )
    found = np.isfinite(best_cost)
    feature = np.where(found, drawn[np.arange(T), best_col], -2)
    f = np.maximum(feature, 0)
    x_lo = X[sorted_rows[best_pos, f], f]
    x_hi = X[sorted_rows[np.minimum(best_pos + 1, m - 1), f], f]
    threshold = x_lo / 2.0 + x_hi / 2.0  # scikit-learn's midpoint, and its fallback:
    fallback = (threshold == x_hi) | ~np.isfinite(threshold)
    threshold = np.where(fallback, x_lo, threshold)
    return found, feature, np.where(found, threshold, -2.0)


def partition_rows(sorted_rows, node_of, starts, go_left, split, open_, n_rows):
    """The next level's (sorted_rows, node_of): every column reordered at once by a stable
    partition.

    Node t's children are its left and right rows in their current (sorted) order, so a
    position's new place is its child's start plus the rows of that child before it in the
    column: a cumulative count of "goes left" per column. Rows of closed children (leaves)
    and of nodes that were not split land past the new length and are cut off.
    ``go_left`` (n,) is each row's side, ``split`` (T,) marks the split nodes; ``open_``,
    ``n_rows`` describe their children, interleaved left, right.
    """
    m, d = sorted_rows.shape
    sizes = np.where(open_, n_rows, 0)
    m_new = int(sizes.sum())
    child_start = np.where(open_, np.cumsum(sizes) - sizes, m_new)
    to_left, to_right = np.full(len(split), m_new), np.full(len(split), m_new)
    to_left[split], to_right[split] = child_start[0::2], child_start[1::2]
    left = go_left[sorted_rows]  # (m, d)
    lefts_upto = np.zeros((m + 1, d), dtype=np.int32)
    np.cumsum(left, axis=0, out=lefts_upto[1:])
    lefts_before = lefts_upto[:-1] - lefts_upto[starts[node_of]]  # the node's left rows before
    dest = np.where(
        left,
        to_left[node_of][:, None] + lefts_before,
        (to_right[node_of] + np.arange(m) - starts[node_of])[:, None] - lefts_before,
    )
    new_rows = np.empty((m_new + m + 1, d), dtype=np.intp)
    new_rows[dest, np.arange(d)] = sorted_rows
    return new_rows[:m_new], np.repeat(np.arange(int(open_.sum())), n_rows[open_])


def grow(X, yk, w, K, criterion, max_depth, min_split, min_leaf, min_decrease, max_features, rng):
    """Grow the tree breadth-first; returns its flat node arrays (counts, rows, depth,
    feature, threshold, left, right; nodes numbered level by level)."""
    n, d = X.shape
    N = w.sum()  # the weight of all rows, Delta's denominator

    def is_open(counts, n_rows, depth):  # scikit-learn's leaf tests at node creation
        ok = (n_rows >= min_split) & (n_rows >= 2 * min_leaf)
        ok &= impurity(counts, criterion) > EPSILON  # not pure
        return ok & (max_depth is None or depth < max_depth)

    sorted_rows = np.argsort(X, axis=0, kind="stable")  # presorted once, kept sorted per node
    counts = np.bincount(yk, weights=w, minlength=K)[None]  # N_tk of the level's nodes
    n_rows = np.array([n])
    open_ = is_open(counts, n_rows, 0)
    node_of = np.zeros(n, dtype=np.intp)
    if not open_[0]:
        sorted_rows = sorted_rows[:0]
    blocks, next_id, depth = [], 1, 0
    while True:
        B = len(counts)
        feature, threshold = np.full(B, -2), np.full(B, -2.0)
        left, right = np.full(B, -1), np.full(B, -1)
        blocks.append((counts, n_rows, np.full(B, depth), feature, threshold, left, right))
        if not open_.any():
            break
        open_nodes = np.flatnonzero(open_)  # in position order
        ends = np.cumsum(n_rows[open_nodes])
        starts = ends - n_rows[open_nodes]
        drawn = drawn_features(X, sorted_rows, starts, ends, max_features, rng)
        found, f, t = best_splits(
            X, yk, w, sorted_rows, node_of, starts, ends, counts[open_nodes], drawn, criterion,
            min_leaf,
        )  # fmt: skip
        # route: x_f <= t goes left; the children's class weights straight from the rows
        go_left = np.zeros(n, dtype=bool)
        rows = sorted_rows[:, 0]
        go_left[rows] = X[rows, np.maximum(f, 0)[node_of]] <= t[node_of]
        T = len(open_nodes)
        left_row = go_left[rows]
        N_Lk = np.bincount(node_of * K + yk[rows], weights=w[rows] * left_row, minlength=T * K)
        N_Rk = np.bincount(node_of * K + yk[rows], weights=w[rows] * ~left_row, minlength=T * K)
        N_Lk, N_Rk = N_Lk.reshape(T, K), N_Rk.reshape(T, K)
        n_left = np.bincount(node_of, weights=left_row, minlength=T).astype(np.intp)
        N_t, N_L, N_R = counts[open_nodes].sum(1), N_Lk.sum(1), N_Rk.sum(1)
        # Delta = N_t / N (I(t) - N_L / N_t I(L) - N_R / N_t I(R))
        decrease = (N_t / N) * (
            impurity(counts[open_nodes], criterion)
            - N_L / N_t * impurity(N_Lk, criterion)
            - N_R / N_t * impurity(N_Rk, criterion)
        )
        split = found & (decrease + EPSILON >= min_decrease)
        if not split.any():
            break
        parents = open_nodes[split]
        n_sp = len(parents)
        child_ids = next_id + np.arange(2 * n_sp)
        feature[parents], threshold[parents] = f[split], t[split]
        left[parents], right[parents] = child_ids[0::2], child_ids[1::2]
        counts = np.stack([N_Lk[split], N_Rk[split]], axis=1).reshape(-1, K)  # L0, R0, L1, ...
        n_rows = np.stack([n_left[split], n_rows[parents] - n_left[split]], axis=1).ravel()
        depth += 1
        open_ = is_open(counts, n_rows, depth)
        next_id += 2 * n_sp

        sorted_rows, node_of = partition_rows(
            sorted_rows, node_of, starts, go_left, split, open_, n_rows
        )
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


class DecisionTreeClassifier(
    ReducedErrorPruning, NodeCountsPredictor, ClassifierMixin, BaseEstimator
):
    r"""Binary decision tree on real-valued features (L08 lines 2886-3217).

    Each split is :math:`x_j \le t`, t a midpoint between consecutive distinct values of
    :math:`x_j` in the node, chosen to maximize the impurity decrease :math:`\Delta` (the
    module docstring); for ``criterion="entropy"`` that is the lecture's information gain of
    the binary attribute :math:`[x_j \le t]`. Stopping rules (lines 3192-3200, with
    scikit-learn's definitions): a pure node, ``max_depth``, fewer than ``min_samples_split``
    rows, no split leaving ``min_samples_leaf`` rows per side, or :math:`\Delta` below
    ``min_impurity_decrease``. Ties between equal costs go to the first feature in drawn
    order (column order without ``max_features``), then the lowest threshold; scikit-learn
    breaks them at random, so only trees with a unique best split are identical.

    Growth is breadth-first, one tree level per numpy pass (:func:`best_splits`,
    :func:`partition_rows`): no Python loop over nodes or samples. X is float64 here;
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
        check_max_depth(self.max_depth)
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
        X, yk, w, self.classes_ = positive_rows(X, y, sample_weight)
        self.n_classes_ = K = len(self.classes_)
        counts, n_rows, depth, feature, threshold, left, right = grow(
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
        self.impurity_ = impurity(self.value_, self.criterion)
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
        names = attribute_names(feature_names, self.n_features_in_)

        def branches(v):
            if self.children_left_[v] < 0:
                return []
            name, t = names[self.feature_[v]], self.threshold_[v]
            return [
                (f"{name} <= {t:.2f}", int(self.children_left_[v])),
                (f"{name} >  {t:.2f}", int(self.children_right_[v])),
            ]

        return render_tree(branches, lambda v: f"class: {self.classes_[np.argmax(self.value_[v])]}")
