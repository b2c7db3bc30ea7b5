r"""The support vector machine, lecture 5 (L05, ``course-notes.zh.txt`` lines 1335-2018).

**Margin** (lines 1466-1482). The distance of a sample to the hyperplane
:math:`h(\mathbf{x}) = \mathbf{w}^T\mathbf{x} + b = 0` is :math:`y\,h(\mathbf{x})/\|\mathbf{w}\|`;
the margin of a data set is the smallest one, and scaling (w, b) so that the closest sample
has :math:`y\,h = 1` turns "maximize the margin" into the **hard-margin primal QP**
(lines 1532-1536)

.. math:: \min_{\mathbf{w}, b}\; \tfrac12\|\mathbf{w}\|^2 \quad \text{s.t.}\quad
          y_n(\mathbf{w}^T\mathbf{x}_n + b) \ge 1, \qquad
          \text{margin} = 1/\|\mathbf{w}\| .

**Dual** (lines 1579-1611). Setting the gradients of the Lagrangian
:math:`\mathcal{L} = \frac12\|\mathbf{w}\|^2 - \sum_n a_n(y_n(\mathbf{w}^T\mathbf{x}_n + b) - 1)`
to zero gives :math:`\mathbf{w} = \sum_n a_n y_n \mathbf{x}_n`, :math:`\sum_n a_n y_n = 0`, and

.. math:: \max_{\mathbf{a}}\; g(\mathbf{a}) = \mathbf{1}^T\mathbf{a}
          - \tfrac12\mathbf{a}^T\mathbf{M}\mathbf{a}, \qquad
          M_{nm} = y_n y_m k(\mathbf{x}_n, \mathbf{x}_m), \qquad
          0 \le a_n \le C, \quad \sum_n a_n y_n = 0 ,

the **soft margin** (slacks :math:`\xi_n`, lines 1757-1798) only adding the box
:math:`a_n \le C`; :math:`C = \infty` is the hard margin. With the kernel trick
(lines 1862-1912) the classifier is

.. math:: \hat y(\mathbf{x}) = \mathrm{sign}\Big(\sum_n a_n y_n k(\mathbf{x}_n, \mathbf{x})
          + b\Big), \qquad
          b = \frac{1}{N_S}\sum_{n \in S}\Big(y_n - \sum_m a_m y_m k(\mathbf{x}_n,
          \mathbf{x}_m)\Big)

(line 1621), S the samples on the margin, i.e. the free ones :math:`0 < a_n < C`.

**KKT** (lines 1697-1716): :math:`a_n \ge 0`, :math:`y_n f(\mathbf{x}_n) \ge 1` and
:math:`a_n[y_n f(\mathbf{x}_n) - 1] = 0`, so only the **support vectors** (on or inside the
margin) have :math:`a_n > 0`; with the box, :math:`a_n < C \Rightarrow y_n f \ge 1`.

**Kernels** (lines 1873-1920): linear :math:`\mathbf{x}^T\mathbf{z}`; the finite "basis"
kernel :math:`(\gamma\,\mathbf{x}^T\mathbf{z} + c_0)^d`; the Gaussian
:math:`\exp(-\|\mathbf{x}-\mathbf{z}\|^2/(2\sigma^2)) = \exp(-\gamma\|\mathbf{x}-\mathbf{z}\|^2)`
with :math:`\gamma = 1/(2\sigma^2)`.

**Losses** (lines 1925-2018): with :math:`z = y\,h(\mathbf{x})`, logistic regression is
:math:`E_{LR}(z) = \log(1 + e^{-z})`, the ideal classifier :math:`E_{Ideal}(z) = [z < 0]`,
the hard margin :math:`E_\infty(z - 1)` (0 if :math:`z \ge 1` else :math:`+\infty`), the soft
margin the hinge :math:`E_{SV}(z) = \max(0, 1 - z)`.

**Solver**: sequential minimal optimization (SMO) with the second-order working-set
selection of Fan, Chen & Lin (2005), the algorithm of libsvm (hence of ``sklearn.svm.SVC``),
see :func:`smo`. Multiclass is one-vs-one, as libsvm.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from mldm.models.validation import sample_weights

__all__ = [
    "SVC",
    "hard_constraint_loss",
    "hinge_loss",
    "kernel_matrix",
    "kkt_violations",
    "logistic_loss",
    "smo",
    "zero_one_loss",
]

KERNELS = ("linear", "poly", "rbf")
TAU = 1e-12  # libsvm's floor for a non-positive curvature K_ii + K_jj - 2 K_ij


# ----------------------------------------------------------------------------------------
# Kernels and losses
# ----------------------------------------------------------------------------------------


def kernel_matrix(X, Z, kernel: str = "rbf", gamma: float = 1.0, degree: int = 3, coef0=0.0):
    r"""The Gram matrix :math:`K_{nm} = k(\mathbf{x}_n, \mathbf{z}_m)`, shape (len(X), len(Z)).

    * ``"linear"``: :math:`\mathbf{x}^T\mathbf{z}` (line 1918);
    * ``"poly"``: :math:`(\gamma\,\mathbf{x}^T\mathbf{z} + c_0)^d`, the inner product of a
      finite basis :math:`\phi` (line 1919);
    * ``"rbf"``: the Gaussian :math:`\exp(-\gamma\|\mathbf{x}-\mathbf{z}\|^2)`, lines 1890 and
      1920 with :math:`\gamma = 1/(2\sigma^2)`. The squared distances are
      :math:`\|\mathbf{x}\|^2 + \|\mathbf{z}\|^2 - 2\mathbf{x}^T\mathbf{z}` (one matrix
      product), clipped at 0 against rounding.
    """
    X = np.asarray(X, dtype=np.float64)
    Z = np.asarray(Z, dtype=np.float64)
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}")
    G = X @ Z.T
    if kernel == "linear":
        return G
    # in place from here: a fresh n x n temporary costs more (page faults) than the exp
    if kernel == "poly":
        G *= gamma
        G += coef0
        return _int_power(G, degree) if float(degree).is_integer() else np.power(G, degree, out=G)
    G *= -2.0
    G += (X * X).sum(axis=1)[:, None]
    G += (Z * Z).sum(axis=1)[None, :]
    np.maximum(G, 0.0, out=G)  # ||x - z||^2 >= 0, lost to rounding when x ~ z
    G *= -gamma
    return np.exp(G, out=G)


def _int_power(B: np.ndarray, d) -> np.ndarray:
    """B**d for an integer d >= 0 by repeated squaring (overwrites B): a few multiplications
    instead of an elementwise pow(), ~10x faster on an n x n matrix."""
    d, out = int(d), None
    while d:
        if d & 1:
            out = B.copy() if out is None else np.multiply(out, B, out=out)
        d >>= 1
        if d:
            np.multiply(B, B, out=B)
    return np.ones_like(B) if out is None else out


def hinge_loss(z):
    r""":math:`E_{SV}(z) = \max(0, 1 - z)`, the soft margin's loss (line 1999)."""
    return np.maximum(0.0, 1.0 - np.asarray(z, dtype=np.float64))


def logistic_loss(z):
    r""":math:`E_{LR}(z) = \log(1 + e^{-z})` (line 1940), as ``logaddexp(0, -z)`` so that a
    large negative z does not overflow."""
    return np.logaddexp(0.0, -np.asarray(z, dtype=np.float64))


def zero_one_loss(z):
    r""":math:`E_{Ideal}(z) = 0` if :math:`z \ge 0` else 1 (line 1951)."""
    return np.where(np.asarray(z, dtype=np.float64) >= 0, 0.0, 1.0)


def hard_constraint_loss(z):
    r"""The hard margin's :math:`E_\infty(z - 1)` (lines 1963-1969): 0 if :math:`z \ge 1`,
    else :math:`+\infty` -- every sample must satisfy :math:`y\,h \ge 1`."""
    return np.where(np.asarray(z, dtype=np.float64) >= 1, 0.0, np.inf)


# ----------------------------------------------------------------------------------------
# The dual QP: SMO
# ----------------------------------------------------------------------------------------


def _up_low(y_n: float, a_n: float, C_n: float) -> tuple[float, float]:
    r"""Penalties (0 or ∓inf) marking n in :math:`I_{up}` / :math:`I_{low}`.

    :math:`I_{up}` holds the n whose :math:`y_n a_n` may still grow (y = +1 below C, y = -1
    above 0), :math:`I_{low}` those whose :math:`y_n a_n` may shrink."""
    up = a_n < C_n if y_n > 0 else a_n > 0
    low = a_n > 0 if y_n > 0 else a_n < C_n
    return (0.0 if up else -np.inf), (0.0 if low else np.inf)


def _intercept(v, a, C, pen_up, pen_low) -> float:
    """b: the mean of v over the free multipliers, else the midpoint of [m(a), M(a)]."""
    free = (a > 0) & (a < C)
    if free.any():
        return float(v[free].mean())
    m, M = float((v + pen_up).max()), float((v + pen_low).min())
    if np.isfinite(m) and np.isfinite(M):
        return 0.5 * (m + M)
    return m if np.isfinite(m) else (M if np.isfinite(M) else 0.0)


def smo(K, y, C, tol: float = 1e-3, max_iter: int = -1) -> tuple[np.ndarray, float, int]:
    r"""Solve the soft-margin dual (lines 1790-1798, 1902-1908) by SMO; returns (a, b, n_iter).

    .. math:: \max_{\mathbf{a}}\; \mathbf{1}^T\mathbf{a} - \tfrac12\mathbf{a}^T\mathbf{M}
              \mathbf{a},\quad M_{nm} = y_n y_m K_{nm},\quad 0 \le a_n \le C_n,\quad
              \sum_n a_n y_n = 0 .

    Track :math:`v_n = y_n - \sum_m a_m y_m K_{nm}` (:math:`= -y_n\nabla_n` of the
    minimized :math:`-g`; the summand of b on line 1621). At an optimum there is a b with
    :math:`v_n \le b` on :math:`I_{up}` (the n whose :math:`y_n a_n` can grow: a = 0 with
    y = +1 must have :math:`y f \ge 1`, ...) and :math:`v_n \ge b` on :math:`I_{low}`, i.e.

    .. math:: m(\mathbf{a}) = \max_{n \in I_{up}} v_n \;\le\;
              M(\mathbf{a}) = \min_{n \in I_{low}} v_n .

    Each iteration moves the pair :math:`a_i \mathrel{+}= y_i t`, :math:`a_j \mathrel{-}= y_j t`
    (:math:`\sum a y` unchanged): i the maximal violator :math:`\arg\max_{I_{up}} v`, j
    the :math:`n \in I_{low}` with :math:`v_n < m` of the largest guaranteed gain
    :math:`(m - v_n)^2/\eta_{in}`, :math:`\eta_{in} = K_{ii} + K_{nn} - 2K_{in}` (second-order
    selection, Fan, Chen & Lin 2005, as libsvm; ties go to the last index, as in libsvm's
    scan). Along that direction g is a parabola of
    curvature :math:`\eta_{ij}`, maximal at :math:`t = (m - v_j)/\eta_{ij}`, clipped to the box.
    Then :math:`v \mathrel{-}= t(K_{i\cdot} - K_{j\cdot})`: two kernel rows, O(n).

    Stop when the KKT gap :math:`m(\mathbf{a}) - M(\mathbf{a}) \le` ``tol`` (libsvm's
    ``eps``, sklearn's ``tol``); then every margin condition holds to within tol
    (:func:`kkt_violations`). b is line 1621's mean of :math:`v_n` over the free
    :math:`0 < a_n < C_n`; with none free, the midpoint :math:`(m + M)/2` of the interval of
    feasible b, as libsvm.

    Parameters
    ----------
    K : (n, n) kernel matrix.
    y : (n,) labels in {-1, +1}.
    C : float or (n,) array, >= 0; ``np.inf`` is the hard margin. A per-sample C carries
        sample weights (:math:`C_n = C w_n`; :math:`C_n = 0` pins :math:`a_n = 0`).
    tol : the KKT-gap tolerance.
    max_iter : pair updates at most; -1: libsvm's cap max(10^7, 100 n). Hitting it warns.
        With C = inf on data that are not separable in the kernel's feature space the
        dual is unbounded and only this cap stops SMO.
    """
    K = np.ascontiguousarray(K, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    n = len(y)
    if K.shape != (n, n):
        raise ValueError(f"K must be ({n}, {n}) for {n} labels, got {K.shape}")
    if not np.all(np.abs(y) == 1):
        raise ValueError("y must hold labels in {-1, +1}")
    C = np.array(np.broadcast_to(np.asarray(C, dtype=np.float64), (n,)))
    if np.any(np.isnan(C)) or np.any(C < 0):
        raise ValueError("C must be >= 0 (np.inf for the hard margin)")
    limit = int(max_iter) if max_iter >= 0 else max(10_000_000, 100 * n)

    a = np.zeros(n)
    v = y.copy()  # a = 0: v_n = y_n
    diag = np.diag(K).copy()
    # v + pen_up is v on I_up and -inf elsewhere (pen_low: +inf off I_low); at a = 0,
    # I_up = {y = +1}, I_low = {y = -1}, less the samples pinned by C_n = 0
    pen_up = np.where((y > 0) & (C > 0), 0.0, -np.inf)
    pen_low = np.where((y < 0) & (C > 0), 0.0, np.inf)
    buf, eta = np.empty(n), np.empty(n)
    rev, last = buf[::-1], n - 1  # argmax over the reversed view finds the last maximum
    n_iter = 0
    while True:
        np.add(v, pen_up, out=buf)
        i = last - int(rev.argmax())  # the last maximum, as libsvm ('>=' in its scan)
        m = buf[i]  # m(a)
        np.add(v, pen_low, out=buf)
        gap = m - buf.min()  # m(a) - M(a); -inf when I_up or I_low is empty
        if gap <= tol:
            break
        if n_iter >= limit:
            warnings.warn(
                f"SMO stopped at max_iter={limit} with KKT gap {gap:.3e} > tol={tol:g}; "
                "raise max_iter (or tol)",
                ConvergenceWarning,
                stacklevel=2,
            )
            break
        Ki = K[i]
        # second-order choice of j: the gain (m - v_j)^2 / eta_ij over j in I_low, v_j < m
        np.subtract(m, buf, out=buf)  # -inf outside I_low
        np.maximum(buf, 0.0, out=buf)
        np.square(buf, out=buf)
        np.multiply(Ki, -2.0, out=eta)
        eta += diag
        eta += diag[i]
        np.maximum(eta, TAU, out=eta)  # a flat direction: a huge step, clipped by the box
        buf /= eta
        j = last - int(rev.argmax())
        yi, yj = y[i], y[j]
        t = (m - v[j]) / eta[j]  # the parabola's maximum, > 0
        bound_i = C[i] - a[i] if yi > 0 else a[i]  # how far a_i can move before the box
        bound_j = a[j] if yj > 0 else C[j] - a[j]
        t = min(t, bound_i, bound_j)
        a[i] += yi * t
        a[j] -= yj * t
        if t == bound_i:  # land exactly on the bound: "free" must mean 0 < a < C exactly
            a[i] = C[i] if yi > 0 else 0.0
        if t == bound_j:
            a[j] = 0.0 if yj > 0 else C[j]
        v -= t * (Ki - K[j])  # y_i da_i = t, y_j da_j = -t
        pen_up[i], pen_low[i] = _up_low(yi, a[i], C[i])
        pen_up[j], pen_low[j] = _up_low(yj, a[j], C[j])
        n_iter += 1
    return a, _intercept(v, a, C, pen_up, pen_low), n_iter


def hard_margin_feasible(K, y) -> bool:
    r"""Do the hard-margin constraints :math:`y_n(\mathbf{w}^T\phi(\mathbf{x}_n) + b) \ge 1`
    (lines 1496-1500) have a solution? w can be taken in the span of the
    :math:`\phi(\mathbf{x}_m)`, :math:`\mathbf{w} = \sum_m \beta_m \phi(\mathbf{x}_m)`, so this
    is the linear feasibility problem :math:`y_n(\sum_m \beta_m K_{nm} + b) \ge 1` in
    :math:`(\boldsymbol\beta, b)`, decided by an LP (HiGHS)."""
    from scipy.optimize import linprog

    y = np.asarray(y, dtype=np.float64)
    A = -y[:, None] * np.c_[np.asarray(K, dtype=np.float64), np.ones(len(y))]
    res = linprog(
        np.zeros(A.shape[1]), A_ub=A, b_ub=-np.ones(len(y)), bounds=(None, None), method="highs"
    )
    return res.status == 0


def dual_objective(K, y, a) -> float:
    r""":math:`g(\mathbf{a}) = \mathbf{1}^T\mathbf{a} - \frac12\mathbf{a}^T\mathbf{M}\mathbf{a}`
    (line 1908), :math:`\mathbf{a}^T\mathbf{M}\mathbf{a} = (\mathbf{a}\odot\mathbf{y})^T
    \mathbf{K}(\mathbf{a}\odot\mathbf{y})`."""
    ay = np.asarray(a, dtype=np.float64) * np.asarray(y, dtype=np.float64)
    return float(np.sum(a) - 0.5 * ay @ np.asarray(K, dtype=np.float64) @ ay)


def kkt_violations(K, y, a, b, C, tol: float = 1e-3) -> dict[str, float]:
    r"""The KKT conditions (lines 1697-1716, with the box of the soft margin) measured at
    (a, b): the largest violation of each, 0 when it holds.

    With :math:`f(\mathbf{x}_n) = \sum_m a_m y_m K_{nm} + b`:

    * ``"dual_feasibility"``: :math:`0 \le a_n \le C_n`;
    * ``"primal_feasibility"``: :math:`y_n f(\mathbf{x}_n) \ge 1 - \text{tol}` where
      :math:`a_n < C_n` (there :math:`\xi_n = 0`);
    * ``"complementary_slackness"``: :math:`y_n f(\mathbf{x}_n) \le 1 + \text{tol}` where
      :math:`a_n > 0` (a support vector lies on or inside the margin);
    * ``"equality"``: :math:`|\sum_n a_n y_n|`.

    An :func:`smo` solution with the same tol satisfies all of them up to rounding; tol = 0
    gives the raw distances from the margin.
    """
    K = np.asarray(K, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    a = np.asarray(a, dtype=np.float64)
    C = np.broadcast_to(np.asarray(C, dtype=np.float64), a.shape)
    yf = y * (K @ (a * y) + b)

    def worst(x) -> float:
        return float(np.max(x, initial=0.0)) + 0.0  # + 0.0: no -0.0

    return {
        "dual_feasibility": worst(np.maximum(-a, a - C)),
        "primal_feasibility": worst((1.0 - tol - yf)[a < C]),
        "complementary_slackness": worst((yf - 1.0 - tol)[a > 0]),
        "equality": abs(float(a @ y)),
    }


# ----------------------------------------------------------------------------------------
# Estimator
# ----------------------------------------------------------------------------------------


class SVC(ClassifierMixin, BaseEstimator):
    r"""Kernel support vector classifier (L05), solved in the dual by :func:`smo`.

    Binary: :math:`y_n = +1` for ``classes_[1]``, :math:`-1` for ``classes_[0]``, and

    .. math:: f(\mathbf{x}) = \sum_{n \in SV} a_n y_n k(\mathbf{x}_n, \mathbf{x}) + b,
              \qquad \hat y = \text{classes\_[1]} \text{ iff } f(\mathbf{x}) \ge 0

    (line 1912; f = 0 goes to ``classes_[1]`` as in libsvm). K > 2 classes: one-vs-one, as
    libsvm: one binary SVM per pair (i, j), i < j, ordered (0,1), (0,2), ..., (1,2), ...,
    class i as +1, so a positive value votes for the pair's first class; the class with the
    most votes wins, ties to the lower class index. The layout of every fitted attribute is
    scikit-learn's (``decision_function_shape="ovo"``), so ``sklearn.svm.SVC`` is a
    drop-in oracle. A binary problem is solved as the pair (0, 1) too, then flipped: with
    libsvm's orientation and tie-breaking, SMO takes libsvm's path (without its shrinking
    heuristic), which matters on degenerate (e.g. linear) problems where the number of
    iterations depends on the path by a factor of ~3.

    Parameters
    ----------
    C : float > 0 or np.inf
        The box :math:`a_n \le C`: the price of a slack (line 1780); ``np.inf`` is the hard
        margin (lines 1532-1536), which only has a solution on separable data.
    kernel : {"linear", "poly", "rbf"}
        See :func:`kernel_matrix`.
    degree : int >= 0
        Degree d of the poly kernel.
    gamma : "scale", "auto" or float > 0
        :math:`\gamma` of poly and rbf (rbf: :math:`\gamma = 1/(2\sigma^2)`). ``"scale"``:
        :math:`1/(d\,\mathrm{Var}(\mathbf{X}))` (the variance of all entries, sample-weighted
        when weights are given; 1 if it is 0), ``"auto"``: 1/d, as scikit-learn.
    coef0 : float
        :math:`c_0` of the poly kernel.
    tol : float > 0
        SMO stops at KKT gap :math:`m(\mathbf{a}) - M(\mathbf{a}) \le` tol.
    max_iter : int
        SMO pair updates per binary problem; -1 for libsvm's cap.
    decision_function_shape : {"ovr", "ovo"}
        Multiclass ``decision_function``: the pairwise f of every pair ("ovo"), or per class
        its one-vs-one votes plus a confidence in (-1/3, 1/3) ("ovr", scikit-learn's
        default and layout), so that its argmax is a class.

    Attributes
    ----------
    classes_ : (K,) sorted labels.
    support_ : (n_SV,) int32 indices into X of the support vectors
        (:math:`a_n > 0` in some pair), grouped by class, ascending within a class
        (scikit-learn's order).
    support_vectors_ : (n_SV, d) ``X[support_]``.
    n_support_ : (K,) int32 support vectors per class.
    dual_coef_ : (K-1, n_SV) :math:`a_n y_n`. Binary: one row, :math:`y_n = +1` for
        ``classes_[1]``. Multiclass (libsvm's layout): a support vector of class c has in row
        r its coefficient in the pair of c with class o = r if r < c else r + 1; 0 where it
        is not a support vector of that pair.
    intercept_ : (K(K-1)/2,) b of every pair.
    n_iter_ : (K(K-1)/2,) int32 SMO iterations per pair.
    alpha_ : (n,) binary only: the full multiplier vector a (0 off the support).
    gamma_ : float, the resolved gamma (also as ``_gamma``, scikit-learn's name).
    shape_fit_ : shape of the training X.
    coef_ : property, linear kernel only: :math:`\mathbf{w} = \sum_n a_n y_n \mathbf{x}_n`,
        (1, d) binary, (K(K-1)/2, d) multiclass.
    """

    def __init__(
        self,
        C: float = 1.0,
        kernel: str = "rbf",
        degree: int = 3,
        gamma: str | float = "scale",
        coef0: float = 0.0,
        tol: float = 1e-3,
        max_iter: int = -1,
        decision_function_shape: str = "ovr",
    ):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.tol = tol
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape

    def _check_params(self) -> None:
        problems = []
        if not (isinstance(self.C, int | float | np.number) and self.C > 0):
            problems.append(f"C must be a number > 0 or np.inf, got {self.C!r}")
        if self.kernel not in KERNELS:
            problems.append(f"kernel must be one of {KERNELS}, got {self.kernel!r}")
        if not (isinstance(self.degree, int | np.integer) and self.degree >= 0):
            problems.append(f"degree must be an int >= 0, got {self.degree!r}")
        g = self.gamma
        if not (g in ("scale", "auto") if isinstance(g, str) else _finite_positive(g)):
            problems.append(f"gamma must be 'scale', 'auto' or a float > 0, got {g!r}")
        if not (isinstance(self.coef0, int | float | np.number) and np.isfinite(self.coef0)):
            problems.append(f"coef0 must be a finite number, got {self.coef0!r}")
        if not _finite_positive(self.tol):
            problems.append(f"tol must be a float > 0, got {self.tol!r}")
        if not (isinstance(self.max_iter, int | np.integer) and self.max_iter >= -1):
            problems.append(f"max_iter must be an int >= -1 (-1: no limit), got {self.max_iter!r}")
        if self.decision_function_shape not in ("ovr", "ovo"):
            problems.append(
                "decision_function_shape must be 'ovr' or 'ovo', got "
                f"{self.decision_function_shape!r}"
            )
        if problems:
            raise ValueError("Invalid SVC parameters: " + "; ".join(problems))

    def _resolve_gamma(self, X: np.ndarray, sw: np.ndarray) -> float:
        if not isinstance(self.gamma, str):
            return float(self.gamma)
        if self.gamma == "auto":
            return 1.0 / X.shape[1]
        # Var of all entries, rows weighted by sw (= X.var() for unit weights, as sklearn)
        mean = (sw @ X).sum() / (sw.sum() * X.shape[1])
        var = (sw @ (X - mean) ** 2).sum() / (sw.sum() * X.shape[1])
        return 1.0 / (X.shape[1] * var) if var > 0 else 1.0

    def _kernel(self, X, Z) -> np.ndarray:
        return kernel_matrix(X, Z, self.kernel, self.gamma_, self.degree, self.coef0)

    def _solve(self, X, y_pm, C_n) -> tuple[np.ndarray, float, int]:
        """One binary problem: its kernel matrix, computed once, then SMO."""
        K = self._kernel(X, X)
        if np.isinf(C_n).any() and not hard_margin_feasible(K, y_pm):
            # the dual is unbounded: SMO would only stop at max_iter (minutes)
            raise ValueError(
                "the hard margin (C = inf) has no solution: the classes are not separable "
                "in the kernel's feature space; use a finite C"
            )
        return smo(K, y_pm, C_n, float(self.tol), int(self.max_iter))

    def fit(self, X, y, sample_weight=None):
        r"""Solve the dual for every pair of classes; ``sample_weight`` scales the box,
        :math:`C_n = C w_n` (a weight-0 sample is left out)."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        sw = sample_weights(sample_weight, len(X))
        self.classes_, label = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"The number of classes has to be greater than one; got {n_classes} class"
            )
        if len(np.unique(label[sw > 0])) < 2:
            raise ValueError("all samples with positive sample_weight belong to 1 class")
        self.gamma_ = self._resolve_gamma(X, sw)
        self.shape_fit_ = X.shape
        C_n = float(self.C) * sw

        pairs = list(zip(*np.triu_indices(n_classes, 1), strict=True))
        coef = np.zeros((len(pairs), len(y)))  # a_n y_n of every pair, 0 outside it
        intercept, n_iter = np.zeros(len(pairs)), np.zeros(len(pairs), dtype=np.int32)
        for p, (ci, cj) in enumerate(pairs):
            idx = np.flatnonzero(((label == ci) | (label == cj)) & (sw > 0))
            y_pm = np.where(label[idx] == ci, 1.0, -1.0)  # +1: the pair's first class, as libsvm
            a, b, it = self._solve(X[idx], y_pm, C_n[idx])
            coef[p, idx] = a * y_pm
            intercept[p], n_iter[p] = b, it
        if n_classes == 2:
            # the same SMO path as libsvm (+1 = classes_[0]), then y -> -y so that +1 is
            # classes_[1] and f > 0 means classes_[1]: a is unchanged, a y and b flip sign
            coef, intercept = -coef, -intercept
            self.alpha_ = np.abs(coef[0])
        elif hasattr(self, "alpha_"):  # a refit on K > 2 classes
            del self.alpha_

        is_sv = (coef != 0).any(axis=0)
        # scikit-learn's order: grouped by class, ascending index within a class
        support = np.lexsort((np.arange(len(y)), label))
        support = support[is_sv[support]].astype(np.int32)
        sv_label = label[support]
        self.support_ = support
        self.support_vectors_ = X[support]
        self.n_support_ = np.bincount(sv_label, minlength=n_classes).astype(np.int32)
        # libsvm's layout: an SV of class c keeps its coefficient for pair (c, o) in row
        # o if o < c else o - 1
        dual = np.zeros((n_classes - 1, len(support)))
        for p, (ci, cj) in enumerate(pairs):
            in_i, in_j = sv_label == ci, sv_label == cj
            dual[cj - 1, in_i] = coef[p, support[in_i]]
            dual[ci, in_j] = coef[p, support[in_j]]
        self.dual_coef_ = dual
        self.intercept_ = intercept
        self.n_iter_ = n_iter
        return self

    @property
    def _gamma(self) -> float:
        """scikit-learn's name for the resolved gamma (stored as ``gamma_``, which persists)."""
        return self.gamma_

    def _pair_coef(self) -> np.ndarray:
        """(n_SV, n_pairs): the coefficient of each support vector in each pair's f."""
        n_classes = len(self.classes_)
        sv_label = np.repeat(np.arange(n_classes), self.n_support_)
        if n_classes == 2:
            return self.dual_coef_.T
        i_idx, j_idx = np.triu_indices(n_classes, 1)
        D = np.zeros((len(sv_label), len(i_idx)))
        for p, (ci, cj) in enumerate(zip(i_idx, j_idx, strict=True)):
            in_i, in_j = sv_label == ci, sv_label == cj
            D[in_i, p] = self.dual_coef_[cj - 1, in_i]
            D[in_j, p] = self.dual_coef_[ci, in_j]
        return D

    @property
    def coef_(self) -> np.ndarray:
        r""":math:`\mathbf{w} = \sum_n a_n y_n \mathbf{x}_n` per pair (linear kernel only):
        the primal weights, so that :math:`f(\mathbf{x}) = \mathbf{w}^T\mathbf{x} + b`."""
        if self.kernel != "linear":
            raise AttributeError("coef_ is only available when using a linear kernel")
        check_is_fitted(self)
        return self._pair_coef().T @ self.support_vectors_

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(n_pairs, K) indicators of each pair's first and second class, pairs (0,1), (0,2),
        ..., (1,2), ... as libsvm."""
        eye = np.eye(len(self.classes_))
        i_idx, j_idx = np.triu_indices(len(self.classes_), 1)
        return eye[i_idx], eye[j_idx]

    def _ovo(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self._kernel(X, self.support_vectors_) @ self._pair_coef() + self.intercept_

    def _votes(self, f: np.ndarray) -> np.ndarray:
        """(n, K) one-vs-one votes: a pair's f > 0 votes for its first class (libsvm)."""
        first, second = self._pairs()
        return (f > 0) @ first + (f <= 0) @ second

    def decision_function(self, X) -> np.ndarray:
        r""":math:`f(\mathbf{x}) = \sum_{n \in SV} a_n y_n k(\mathbf{x}_n, \mathbf{x}) + b`.

        Binary: shape (n,), positive means ``classes_[1]``. Multiclass "ovo": (n, K(K-1)/2),
        one column per pair (i, j) in the order (0,1), (0,2), ..., positive votes for class i.
        Multiclass "ovr": (n, K), the votes of class k plus
        :math:`s_k / (3(|s_k| + 1))`, :math:`s_k` the sum of the pairs' f in favour of k
        (scikit-learn's transform: it breaks vote ties by confidence, never overturns votes).
        """
        f = self._ovo(X)
        if len(self.classes_) == 2:
            return f[:, 0]
        if self.decision_function_shape == "ovo":
            return f
        first, second = self._pairs()
        s = f @ (first - second)
        return self._votes(f) + s / (3 * (np.abs(s) + 1))

    def predict(self, X) -> np.ndarray:
        """Binary: the sign of f. Multiclass: one-vs-one votes, ties to the lower class."""
        f = self._ovo(X)
        if len(self.classes_) == 2:
            return self.classes_[(f[:, 0] >= 0).astype(int)]
        return self.classes_[self._votes(f).argmax(axis=1)]  # first maximum, as libsvm


def _finite_positive(x) -> bool:
    return isinstance(x, int | float | np.number) and not isinstance(x, bool) and 0 < x < np.inf
