r"""Reference solvers for the support vector machine, lecture 5 (L05, ``course-notes.zh.txt``
lines 1335-2018): what our SMO (:class:`mldm.models.SVC`) is checked against.

* :func:`separability`: is the hard-margin constraint set y_n(wᵀx_n + b) >= 1 non-empty? An LP
  decides (the hard-margin QP, lines 1531-1534, has a solution exactly then);
* :func:`primal_hard_margin`: the primal QP min ½||w||² s.t. y_n(wᵀx_n + b) >= 1 (lines
  1531-1534) by a generic QP method, as line 1536 suggests, the oracle for our dual;
* :func:`geometric_margin`: Margin = min_ℓ y(wᵀx + b)/||w|| (line 1476);
* :func:`best_margin_over_directions`: the widest margin of any line in 2-D, by brute force;
* :func:`zero_one_search`: the 0-1 loss Σ E_Ideal(y h(x)) (lines 1944-1951) minimized by an
  exhaustive search over lines, since a step function has no gradient;
* :func:`libsvm_twin`, :func:`max_kkt_violation`: scikit-learn's libsvm SVC with our kernel, C
  and γ, and the largest KKT violation of a fitted SVC (lines 1697-1716).
"""

from __future__ import annotations

import numpy as np


def separability(X, y) -> str:
    """``"feasible"`` if some (w, b) has y_n(wᵀx_n + b) >= 1 for every n, else
    ``"infeasible"``: the hard-margin QP is feasible exactly when this set is non-empty."""
    from mldm.models.svm import hard_margin_feasible, kernel_matrix

    return "feasible" if hard_margin_feasible(kernel_matrix(X, X, "linear"), y) else "infeasible"


def primal_hard_margin(X, y) -> tuple[np.ndarray, float]:
    """(w, b) of the primal QP min ½||w||² s.t. y_n(wᵀx_n + b) >= 1 (lines 1531-1534), by
    SLSQP from a feasible start (any separating (w, b), found by an LP)."""
    from scipy.optimize import linprog, minimize

    d = X.shape[1]
    Xb = np.c_[X, np.ones(len(X))]  # v = (w, b): wᵀx + b = [x, 1]ᵀv
    start = linprog(  # a feasible start: −y_n [x_n, 1]ᵀv <= −1
        np.zeros(d + 1), A_ub=-y[:, None] * Xb, b_ub=-np.ones(len(X)), bounds=(None, None)
    ).x
    res = minimize(
        lambda v: 0.5 * v[:d] @ v[:d],  # ½||w||²
        start,
        jac=lambda v: np.r_[v[:d], 0.0],  # ∇ = (w, 0)
        constraints=[  # y_n(wᵀx_n + b) − 1 >= 0
            {"type": "ineq", "fun": lambda v: y * (Xb @ v) - 1, "jac": lambda v: y[:, None] * Xb}
        ],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    return res.x[:d], float(res.x[d])


def geometric_margin(w, b, X, y) -> float:
    """Margin = min_ℓ y(wᵀx + b)/||w|| (line 1476)."""
    return float(np.min(y * (X @ w + b)) / np.linalg.norm(w))


def best_margin_over_directions(X, y, n_directions: int = 20_000) -> float:
    """The widest margin any line in 2-D achieves, by brute force: for each unit direction u the
    best b puts the line midway between the classes' projections, margin
    (min₊ uᵀx − max₋ uᵀx)/2; the largest over ``n_directions`` directions."""
    theta = np.linspace(0.0, 2 * np.pi, n_directions, endpoint=False)
    P = X @ np.stack([np.cos(theta), np.sin(theta)])  # (N, directions): uᵀx_n
    return float(((P[y == 1].min(0) - P[y == -1].max(0)) / 2).max())


def zero_one_search(X, y, n_directions: int = 3600) -> tuple[np.ndarray, float]:
    """(u, b) minimizing the 0-1 loss Σ E_Ideal(y(uᵀx + b)) over lines in 2-D, exactly up to
    the direction grid (lines 1944-1951: a step function, no gradient, so search); predict
    sign(uᵀx + b).

    For each direction u the N projections are sorted once; the errors of the threshold after
    the k-th smallest are (#positives at or below) + (#negatives above), a cumulative sum."""
    theta = np.linspace(0.0, 2 * np.pi, n_directions, endpoint=False)
    U = np.stack([np.cos(theta), np.sin(theta)])
    P = X @ U
    order = np.argsort(P, axis=0)
    pos = (y[order] == 1).astype(int)  # (N, directions), sorted by projection
    pos_below = np.vstack([np.zeros((1, P.shape[1]), int), np.cumsum(pos, axis=0)])
    neg_below = np.arange(len(y) + 1)[:, None] - pos_below
    errors = pos_below + (neg_below[-1] - neg_below)  # threshold after k points, k = 0..N
    k, j = np.unravel_index(np.argmin(errors), errors.shape)
    Ps = np.take_along_axis(P, order, axis=0)[:, j]
    lo = Ps[k - 1] if k > 0 else Ps[0] - 1.0
    hi = Ps[k] if k < len(y) else Ps[-1] + 1.0
    return U[:, j], -float(lo + hi) / 2  # the threshold midway between its neighbours


def libsvm_twin(est):
    """scikit-learn's SVC (libsvm) with a fitted or unfitted :class:`mldm.models.SVC`'s kernel,
    C, γ, degree, c₀, tol and decision shape, unfitted: the oracle. An infinite C (the hard
    margin) becomes 1e6, since libsvm needs a finite one."""
    from sklearn.svm import SVC

    C = est.C if np.isfinite(est.C) else 1e6
    return SVC(
        kernel=est.kernel,
        C=C,
        degree=est.degree,
        gamma=est.gamma,
        coef0=est.coef0,
        tol=est.tol,
        decision_function_shape=est.decision_function_shape,
    )


def max_kkt_violation(est, X, y) -> float:
    """The largest KKT violation (lines 1697-1716: 0 <= a <= C, y f(x) >= 1 − tol where a < C,
    <= 1 + tol where a > 0, Σ a y = 0) of a fitted binary SVC on its training data (X, y),
    with y mapped to the lecture's ±1 (+1 for ``classes_[1]``, the positive decision)."""
    from mldm.models.svm import kernel_matrix, kkt_violations

    K = kernel_matrix(X, X, est.kernel, est.gamma_, est.degree, est.coef0)
    y_pm = np.where(np.asarray(y) == est.classes_[1], 1, -1)
    v = kkt_violations(K, y_pm, est.alpha_, float(est.intercept_[0]), est.C, est.tol)
    return float(max(v.values()))
