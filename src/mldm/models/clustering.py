r"""K-means and soft K-means, lecture 9 (L09, ``course-notes.zh.txt`` lines 3499-3700).

**K-means** (lines 3575-3595). Given K centres :math:`\boldsymbol\mu_k`, each point goes to
its nearest centre, then each centre moves to the mean of its points:

.. math:: r_{nk} = \begin{cases} 1, & k = \arg\min_j \|\mathbf{x}_n - \boldsymbol\mu_j\|^2
          \\ 0, & \text{otherwise} \end{cases} \qquad
          \boldsymbol\mu_k \leftarrow \frac{\sum_n r_{nk}\mathbf{x}_n}{\sum_n r_{nk}} ,

repeated until the assignment no longer changes. Both steps minimize the same objective
(lines 3600-3617), the assignment over the one-hot :math:`\mathbf{r}_n` for fixed centres, the
update over the centres for a fixed assignment (the mean minimizes a sum of squared
distances):

.. math:: J = \sum_{n=1}^N \sum_{k=1}^K r_{nk}\|\mathbf{x}_n - \boldsymbol\mu_k\|^2 ,

so J never increases, and since there are finitely many assignments the algorithm stops.
J always falls as K grows (J = 0 at K = N), so K is read off the *elbow* of J(K) (lines
3625-3635).

**Initialization** (lines 3636-3660), :func:`init_centres`: 1) ``"random"``: K distinct data
points (may pick neighbours); 2) ``"farthest"``: a random point, then repeatedly the point
farthest from the centres so far (may pick outliers); 3) ``"random_distance"``: a random
point, then the next centre drawn at random with probability growing with the distance to
the centres so far. The slides do not fix the weighting: we use
:math:`P(\mathbf{x}_n) \propto D(\mathbf{x}_n)^2`, the squared distance to the nearest centre
so far, i.e. **k-means++** (Arthur & Vassilvitskii 2007; plain, without scikit-learn's greedy
extra trials), which is :math:`O(\log K)`-competitive with the optimal J in expectation.

**Soft K-means** (lines 3664-3690). Replace the one-hot assignment by a softmax of the
negative squared distances with stiffness β, keep the mean update:

.. math:: r_{nk} = \frac{e^{-\beta\|\mathbf{x}_n - \boldsymbol\mu_k\|^2}}
          {\sum_{i=1}^K e^{-\beta\|\mathbf{x}_n - \boldsymbol\mu_i\|^2}}, \qquad
          \boldsymbol\mu_k \leftarrow \frac{\sum_n r_{nk}\mathbf{x}_n}{\sum_n r_{nk}} .

As :math:`\beta\to\infty` the softmax becomes the argmin and soft K-means becomes K-means;
as :math:`\beta\to 0` every point belongs equally to every cluster. What it descends is the
free energy (:class:`SoftKMeans`).

Distances are computed all at once as
:math:`\|\mathbf{x}\|^2 + \|\boldsymbol\mu\|^2 - 2\mathbf{x}\boldsymbol\mu^T`
(:func:`squared_distances`), one matrix product per iteration; inside the iterations the
per-point constant :math:`\|\mathbf{x}_n\|^2` is left out (:func:`_alternate`).
"""

from __future__ import annotations

import functools
import warnings
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import ThreadpoolController

__all__ = [
    "INIT_METHODS",
    "KMeans",
    "SoftKMeans",
    "elbow",
    "init_centres",
    "squared_distances",
]

INIT_METHODS = ("random", "farthest", "random_distance")


@functools.cache
def _threadpools() -> ThreadpoolController:
    """The loaded BLAS / OpenMP pools, found once (a lookup costs milliseconds)."""
    return ThreadpoolController()


# ----------------------------------------------------------------------------------------
# Pure functions
# ----------------------------------------------------------------------------------------


def _centre_terms(X: np.ndarray, M: np.ndarray) -> np.ndarray:
    r""":math:`E_{nk} = \|\boldsymbol\mu_k\|^2 - 2\mathbf{x}_n\boldsymbol\mu_k^T
    = d_{nk} - \|\mathbf{x}_n\|^2`, (N, K): the part of the squared distance that depends on
    the centres, one matrix product."""
    E = X @ (-2.0 * M).T
    E += np.einsum("kd,kd->k", M, M)
    return E


def squared_distances(X, M) -> np.ndarray:
    r"""All squared Euclidean distances :math:`D_{nk} = \|\mathbf{x}_n - \boldsymbol\mu_k\|^2`,
    shape (N, K), vectorized as
    :math:`\|\mathbf{x}_n\|^2 + \|\boldsymbol\mu_k\|^2 - 2\mathbf{x}_n\boldsymbol\mu_k^T`
    (clipped at 0)."""
    X = np.asarray(X, dtype=np.float64)
    M = np.asarray(M, dtype=np.float64)
    D = _centre_terms(X, M)
    D += np.einsum("nd,nd->n", X, X)[:, None]
    return np.maximum(D, 0.0, out=D)  # rounding can make the expansion slightly negative


def _dist_to(X: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Squared distances of every row to one point, directly (exact where it decides)."""
    diff = X - c
    return np.einsum("nd,nd->n", diff, diff)


def init_centres(X, K, method="random_distance", random_state=None) -> np.ndarray:
    r"""K initial centres picked among the rows of X, shape (K, d), L09 lines 3636-3660.

    * ``"random"``: K distinct rows drawn uniformly without replacement.
    * ``"farthest"``: a uniformly drawn row, then K - 1 times the row farthest from its
      nearest centre so far, :math:`\arg\max_n D(\mathbf{x}_n)` with
      :math:`D(\mathbf{x}) = \min_j\|\mathbf{x} - \boldsymbol\mu_j\|`. Deterministic after the
      first draw, and an outlier is as far as it gets: it is picked (the slide's warning).
    * ``"random_distance"``: a uniformly drawn row, then K - 1 times a row drawn with
      probability :math:`D(\mathbf{x}_n)^2 / \sum_m D(\mathbf{x}_m)^2` (k-means++). Rows
      already chosen have D = 0 and are never drawn again; when every D is 0 (fewer distinct
      rows than K) the draw is uniform.

    The running :math:`D^2` is updated with one new centre per step: O(NdK) in all.
    """
    X = np.asarray(X, dtype=np.float64)
    if method not in INIT_METHODS:
        raise ValueError(f"init method must be one of {INIT_METHODS}, got {method!r}")
    N = len(X)
    if isinstance(K, bool) or not isinstance(K, Integral) or not 1 <= K <= N:
        raise ValueError(f"n_samples={N} should be >= n_clusters={K!r} >= 1")
    rng = np.random.default_rng(random_state)
    if method == "random":
        return X[rng.choice(N, size=K, replace=False)].copy()
    idx = [int(rng.integers(N))]
    d2 = _dist_to(X, X[idx[0]])  # D(x)^2 to the nearest centre so far
    for _ in range(1, K):
        if method == "farthest":
            nxt = int(np.argmax(d2))
        else:
            total = d2.sum()
            nxt = int(rng.choice(N, p=d2 / total)) if total > 0 else int(rng.integers(N))
        idx.append(nxt)
        np.minimum(d2, _dist_to(X, X[nxt]), out=d2)
    return X[idx].copy()


def elbow(J) -> int:
    """K at the elbow of J(1), J(2), ... (lines 3625-3635): where the fall slows down most,
    the largest second difference of log J. On a log scale, because before the true K the
    fall is roughly geometric (a constant factor per cluster), which the raw second
    difference would mistake for an elbow at K = 2."""
    logJ = np.log(np.asarray(J, dtype=np.float64))
    return int(np.argmax(logJ[:-2] - 2 * logJ[1:-1] + logJ[2:])) + 2


def _mean_update(sums: np.ndarray, weight: np.ndarray, centres: np.ndarray):
    r""":math:`\boldsymbol\mu_k = \sum_n r_{nk}\mathbf{x}_n / \sum_n r_{nk}` from the
    weighted sums (K, d) and total weights (K,); returns (new centres, squared Frobenius
    shift).

    A cluster with no weight (an empty hard cluster, or soft weights that all underflowed)
    has no mean: it keeps its previous centre, which leaves J and F unchanged for it.
    scikit-learn instead relocates an empty centre to a far point.
    """
    new = centres.copy()
    alive = weight > np.finfo(np.float64).tiny
    new[alive] = sums[alive] / weight[alive, None]
    diff = new - centres
    return new, float(np.einsum("kd,kd->", diff, diff))


def _alternate(X, centres, e_step, energy, moments, max_iter, tol, hard):
    r"""Coordinate descent on an objective of (assignment, centres): an assignment step
    ``e_step(E)``, then the mean update from ``moments(assignment)`` =
    (:math:`\sum_n r_{nk}\mathbf{x}_n`, :math:`\sum_n r_{nk}`).

    The steps see :math:`E_{nk} = d_{nk} - \|\mathbf{x}_n\|^2` (:func:`_centre_terms`):
    a constant per row changes neither the argmin nor the softmax, and since
    :math:`\sum_k r_{nk} = 1` the objective is ``energy(assignment, E)``
    :math:`+ \sum_n\|\mathbf{x}_n\|^2` (scikit-learn's Lloyd drops the same term). It is
    recorded after every assignment step and after every update (the update's value is read
    off the next iteration's E, so it costs nothing extra).

    Stops when the hard assignment repeats (``hard``; the centres are then already its
    means), when the centres moved less than ``tol`` in squared Frobenius norm, or after
    ``max_iter`` updates; in the last two cases a final assignment step makes the returned
    assignment the one of the returned centres. Returns (centres, assignment, iterations,
    curve, shift), iterations counted as scikit-learn does (the assignment step that finds
    the assignment unchanged counts) and ``shift`` the last update's squared Frobenius move
    of the centres, or None when the assignment converged (``shift < tol`` then means
    converged by tol, anything else stopped at ``max_iter``).
    """
    x_sq = float(np.einsum("nd,nd->", X, X))
    curve, resp = [], None
    for it in range(1, max_iter + 1):
        E = _centre_terms(X, centres)
        if resp is not None:
            curve.append(x_sq + energy(resp, E))  # after the update step
        new = e_step(E)
        curve.append(x_sq + energy(new, E))  # after the assignment step
        if hard and resp is not None and np.array_equal(new, resp):
            return centres, new, it, curve, None
        resp = new
        centres, shift = _mean_update(*moments(resp), centres)
        if shift < tol:
            break
    E = _centre_terms(X, centres)
    curve.append(x_sq + energy(resp, E))
    resp = e_step(E)
    curve.append(x_sq + energy(resp, E))
    return centres, resp, it, curve, shift


def _warn_max_iter(name: str, max_iter: int, gap: str) -> None:
    """scikit-learn's ConvergenceWarning: the criterion was not met within max_iter."""
    warnings.warn(
        f"{name} stopped at max_iter={max_iter} before converging ({gap}); raise max_iter",
        ConvergenceWarning,
        stacklevel=3,
    )


def _inertia(X: np.ndarray, centres: np.ndarray, labels: np.ndarray) -> float:
    """J of an assignment, from the differences (no cancellation in the expansion)."""
    diff = centres.take(labels, axis=0)  # mu_{r_n}, then x_n - mu_{r_n} in its place:
    np.subtract(X, diff, out=diff)  # one (N, d) buffer, 10x faster than X - centres[labels]
    return float(np.einsum("nd,nd->", diff, diff))


# ----------------------------------------------------------------------------------------
# Estimators
# ----------------------------------------------------------------------------------------


class _CentresBase(BaseEstimator):
    """Parameter checks and the initial centres, shared by :class:`KMeans` and
    :class:`SoftKMeans`."""

    def _check_common(self) -> None:
        for name in ("n_clusters", "max_iter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not self.tol >= 0:
            raise ValueError(f"tol must be >= 0, got {self.tol!r}")
        if isinstance(self.init, str) and self.init not in INIT_METHODS:
            raise ValueError(f"init must be one of {INIT_METHODS} or an array, got {self.init!r}")

    def _initial_centres(self, X: np.ndarray, rng=None) -> np.ndarray:
        """The start: drawn by ``init`` with ``rng`` (default: from ``random_state``), or
        a copy of the given array."""
        K = int(self.n_clusters)
        if len(X) < K:
            raise ValueError(f"n_samples={len(X)} should be >= n_clusters={K}.")
        if isinstance(self.init, str):
            return init_centres(X, K, self.init, self.random_state if rng is None else rng)
        centres = np.array(self.init, dtype=np.float64)  # a copy: fit never mutates params
        if centres.shape != (K, X.shape[1]):
            raise ValueError(
                f"init array must have shape (n_clusters, n_features) = {(K, X.shape[1])}, "
                f"got {centres.shape}"
            )
        return centres

    def _distances(self, X) -> np.ndarray:
        check_is_fitted(self, "cluster_centers_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return squared_distances(X, self.cluster_centers_)


class KMeans(ClusterMixin, TransformerMixin, _CentresBase):
    r"""Lloyd's K-means exactly as L09 lines 3575-3617: assign every point to its nearest
    centre, move every centre to the mean of its points, repeat.

    Each step minimizes :math:`J = \sum_n\sum_k r_{nk}\|\mathbf{x}_n - \boldsymbol\mu_k\|^2`
    over its own block, so J never increases (``inertia_curve_``). From the same initial
    centres this is scikit-learn's ``KMeans(init=centres, n_init=1, algorithm="lloyd",
    tol=0)``, as long as no cluster empties: here an empty cluster keeps its previous
    centre, scikit-learn moves it to a far point.

    J depends on the start, so the lecture runs several starts and keeps the lowest J
    (lines 3636-3660): that is ``n_init``, scikit-learn's meaning. A run that reaches
    ``max_iter`` before its stopping rule raises scikit-learn's ``ConvergenceWarning``.

    Parameters
    ----------
    n_clusters : int
        K.
    init : {"random", "farthest", "random_distance"} or array (n_clusters, n_features)
        The slides' three initializations (:func:`init_centres`; ``"random_distance"`` is
        k-means++) or the initial centres themselves.
    n_init : int >= 1 or "auto"
        Starts run; the one of lowest J (``inertia_``) is kept, the first on ties. The
        starts draw in turn from one ``np.random.default_rng(random_state)``, so start 1 is
        the ``n_init=1`` run. ``"auto"`` is scikit-learn's rule: 10 for ``"random"``, else 1.
        An explicit ``init`` array is one start: with ``n_init > 1`` it warns
        (``RuntimeWarning``) and runs once, as scikit-learn. **Default 1, not scikit-learn's
        "auto"**: L09 compares the initializations start by start (one seeded run each), and
        a hidden best-of-10 for ``"random"`` would mask what it measures.
    max_iter : int
        At most this many update steps.
    tol : float >= 0
        0: stop only when the assignment no longer changes. > 0: stop also when the centres
        moved less than tol in squared Frobenius norm,
        :math:`\|\mathbf{M}_{t} - \mathbf{M}_{t-1}\|_F^2 < \text{tol}` (absolute, not
        scaled by the data's variance as scikit-learn's tol is); then, as after
        ``max_iter``, a final assignment step makes ``labels_`` the nearest centres.
        **Default 0, not scikit-learn's 1e-4**: the lecture's rule is "repeat until the
        assignment no longer changes" (lines 3575-3595), which makes J a local minimum in
        the assignment and lets L09's results equal scikit-learn's ``tol=0`` run exactly.
    random_state : int, Generator or None
        Seeds the initialization (``np.random.default_rng``).

    Attributes
    ----------
    cluster_centers_ : ndarray (n_clusters, n_features)
    labels_ : ndarray (n_samples,) of int
        Nearest final centre of every training point.
    inertia_ : float
        J of ``labels_`` and ``cluster_centers_``.
    n_iter_ : int
        Iterations (assignment + update) run, counted as scikit-learn does.
    inertia_curve_ : ndarray
        J after every assignment step and after every update step, interleaved, starting
        with the first assignment to the initial centres and ending at ``inertia_``;
        non-increasing. Its length is ``2 n_iter_ - 1`` when the assignment converged.
    n_features_in_ : int
    """

    def __init__(
        self,
        n_clusters: int = 8,
        init="random_distance",
        n_init=1,
        max_iter: int = 300,
        tol: float = 0.0,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _n_starts(self) -> int:
        n_init = self.n_init
        if isinstance(n_init, str) and n_init == "auto":
            return 10 if isinstance(self.init, str) and self.init == "random" else 1
        if isinstance(n_init, bool) or not isinstance(n_init, Integral) or n_init < 1:
            raise ValueError(f"n_init must be 'auto' or a positive integer, got {n_init!r}")
        if not isinstance(self.init, str) and n_init != 1:
            warnings.warn(
                f"Explicit initial center position passed: performing only one init in "
                f"{type(self).__name__} instead of n_init={n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            return 1
        return int(n_init)

    def _lloyd(self, X: np.ndarray, centres: np.ndarray):
        """One run of Lloyd's algorithm from ``centres``: (centres, labels, n_iter, curve,
        shift) as :func:`_alternate`."""
        N, K = len(X), int(self.n_clusters)
        first, ones, indptr = np.arange(N) * K, np.ones(N), np.arange(N + 1)

        def assign(E):  # r_n = onehot(argmin_k ||x_n - mu_k||^2), kept as its index
            return E.argmin(axis=1)

        def energy(labels, E):  # J = sum_n ||x_n - mu_{r_n}||^2, less sum_n ||x_n||^2
            return float(E.ravel()[first + labels].sum())  # E[n, r_n]; flat: 2x a 2-d gather

        def moments(labels):  # R^T X with R the sparse one-hot (N, K), and N_k
            R = sp.csr_matrix((ones, labels, indptr), shape=(N, K))
            return R.T @ X, np.bincount(labels, minlength=K).astype(np.float64)

        return _alternate(
            X, centres, assign, energy, moments, int(self.max_iter), float(self.tol), hard=True
        )

    def fit(self, X, y=None):
        self._check_common()
        n_starts = self._n_starts()
        X = validate_data(self, X, dtype=np.float64)
        rng = np.random.default_rng(self.random_state)  # the starts draw from it in turn
        best = None
        # one BLAS thread, as scikit-learn's KMeans: the (N, d) x (d, K) product of a step is
        # too small to share, and threads fighting over 2 cores made a fit 5x slower
        with _threadpools().limit(limits=1, user_api="blas"):
            for _ in range(n_starts):
                start = self._initial_centres(X, rng)
                centres, labels, n_iter, curve, shift = self._lloyd(X, start)
                labels = labels.astype(np.int64)
                J = _inertia(X, centres, labels)
                if best is None or J < best[0]:  # J = sum_n ||x_n - mu_{r_n}||^2, lowest kept
                    best = (J, centres, labels, n_iter, curve, shift)
        J, centres, labels, n_iter, curve, shift = best
        if shift is not None and not shift < self.tol:
            moved = f"centres still moved {shift:.3g} in squared norm, tol={self.tol}"
            _warn_max_iter("KMeans", int(self.max_iter), f"assignment still changing, {moved}")
        self.cluster_centers_ = centres
        self.labels_ = labels
        self.inertia_ = J
        self.n_iter_ = int(n_iter)
        self.inertia_curve_ = np.asarray(curve, dtype=np.float64)
        return self

    def predict(self, X) -> np.ndarray:
        """Index of the nearest centre."""
        return self._distances(X).argmin(axis=1).astype(np.int64)

    def transform(self, X) -> np.ndarray:
        r"""Euclidean (not squared) distances to the centres, (N, K), as scikit-learn."""
        return np.sqrt(self._distances(X))

    def score(self, X, y=None) -> float:
        """-J of X with every point at its nearest centre (higher is better)."""
        labels = self.predict(X)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return -_inertia(X, self.cluster_centers_, labels)


class SoftKMeans(ClusterMixin, _CentresBase):
    r"""Soft K-means, L09 lines 3664-3690: softmax responsibilities with stiffness β, then the
    responsibility-weighted means.

    .. math:: r_{nk} = \frac{e^{-\beta d_{nk}}}{\sum_i e^{-\beta d_{ni}}}, \quad
              d_{nk} = \|\mathbf{x}_n - \boldsymbol\mu_k\|^2, \qquad
              \boldsymbol\mu_k \leftarrow \frac{\sum_n r_{nk}\mathbf{x}_n}{\sum_n r_{nk}} .

    The softmax is computed as :math:`\exp(-\beta d_{nk} - \log\sum_i e^{-\beta d_{ni}})`
    (logsumexp), so a large β d does not underflow every term to 0/0.

    **Why it converges.** Both steps are exact coordinate-descent steps on the free energy

    .. math:: F(\mathbf{r}, \boldsymbol\mu) = \sum_n\sum_k r_{nk} d_{nk}
              + \frac1\beta\sum_n\sum_k r_{nk}\log r_{nk},
              \qquad \textstyle\sum_k r_{nk} = 1,\ r_{nk} \ge 0 .

    For fixed centres, F separates over n; the Lagrangian
    :math:`d_{nk} + \frac1\beta(\log r_{nk} + 1) + \lambda_n = 0` gives
    :math:`r_{nk}\propto e^{-\beta d_{nk}}`: the responsibility step is the exact
    minimizer over :math:`\mathbf{r}` (F is convex in r: linear plus negative entropy), with
    minimum :math:`-\frac1\beta\sum_n\log\sum_k e^{-\beta d_{nk}}`. For fixed
    responsibilities only :math:`\sum_n r_{nk}\|\mathbf{x}_n - \boldsymbol\mu_k\|^2` depends
    on :math:`\boldsymbol\mu_k`, a convex quadratic minimized by the weighted mean: the update
    step is the exact minimizer over the centres. So F never increases
    (``objective_curve_``). As :math:`\beta\to\infty` the entropy term vanishes and F → J.

    Parameters
    ----------
    n_clusters : int
        K.
    beta : float > 0
        Stiffness β (in units of 1 / squared distance: standardize the data or scale β).
    init : {"random", "farthest", "random_distance"} or array (n_clusters, n_features)
        As :class:`KMeans`.
    max_iter : int
        At most this many update steps.
    tol : float >= 0
        Stop when the centres moved less than tol in squared Frobenius norm,
        :math:`\|\mathbf{M}_{t} - \mathbf{M}_{t-1}\|_F^2 < \text{tol}`.
    random_state : int, Generator or None
        Seeds the initialization.

    Attributes
    ----------
    cluster_centers_ : ndarray (n_clusters, n_features)
    responsibilities_ : ndarray (n_samples, n_clusters)
        :math:`r_{nk}` of the final centres (rows sum to 1).
    labels_ : ndarray (n_samples,) of int
        :math:`\arg\max_k r_{nk}`.
    n_iter_ : int
        Update steps run.
    objective_curve_ : ndarray
        F after every responsibility step and after every update step, interleaved, ending
        with the responsibilities of the final centres; non-increasing.
    n_features_in_ : int
    """

    def __init__(
        self,
        n_clusters: int = 8,
        beta: float = 1.0,
        init="random_distance",
        max_iter: int = 300,
        tol: float = 1e-8,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.beta = beta
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def _log_resp(self, D: np.ndarray) -> np.ndarray:
        r""":math:`\log r_{nk} = -\beta d_{nk} - \log\sum_i e^{-\beta d_{ni}}`; D may be
        shifted by any constant per row (the softmax does not see it)."""
        logits = -float(self.beta) * D
        return logits - logsumexp(logits, axis=1, keepdims=True)

    def fit(self, X, y=None):
        self._check_common()
        if not (np.isfinite(self.beta) and self.beta > 0):
            raise ValueError(f"beta must be a finite number > 0, got {self.beta!r}")
        X = validate_data(self, X, dtype=np.float64)
        beta = float(self.beta)

        def assign(E):  # (r, log r); log r is finite, r = 0 only by underflow
            log_r = self._log_resp(E)
            return np.exp(log_r), log_r

        def energy(resp, E):  # F = sum r d + (1/beta) sum r log r, less sum_n ||x_n||^2
            r, log_r = resp
            return float(np.einsum("nk,nk->", r, E + log_r / beta))

        def moments(resp):  # R^T X and sum_n r_nk
            return resp[0].T @ X, resp[0].sum(axis=0)

        centres, (r, _), n_iter, curve, shift = _alternate(
            X,
            self._initial_centres(X),
            assign,
            energy,
            moments,
            int(self.max_iter),
            float(self.tol),
            hard=False,
        )
        if not shift < self.tol:
            _warn_max_iter(
                "SoftKMeans",
                int(self.max_iter),
                f"centres still moved {shift:.3g} in squared norm, not below tol={self.tol}",
            )
        self.cluster_centers_ = centres
        self.responsibilities_ = r
        self.labels_ = r.argmax(axis=1).astype(np.int64)
        self.n_iter_ = int(n_iter)
        self.objective_curve_ = np.asarray(curve, dtype=np.float64)
        return self

    def predict_proba(self, X) -> np.ndarray:
        r"""Responsibilities :math:`r_{nk}` of the fitted centres, (N, K)."""
        return np.exp(self._log_resp(self._distances(X)))

    def predict(self, X) -> np.ndarray:
        r""":math:`\arg\max_k r_{nk}`."""
        return self.predict_proba(X).argmax(axis=1).astype(np.int64)
