"""L05 Support vector machines (course-notes lines 1335-2018).

The maximum-margin hyperplane, solved as the lecture does: the hard-margin primal QP
min ½||w||² s.t. y(wᵀx + b) >= 1 (lines 1496-1500) by a generic QP solver, and its dual
max 1ᵀa − ½aᵀMa s.t. a >= 0, Σ a_n y_n = 0 (lines 1551-1560) by our SMO
(:class:`mldm.models.SVC`); both give the same hyperplane, the multipliers are sparse, the
support vectors sit on the margin (KKT, lines 1656-1690) and b* is the slide's average over
them (line 1578). No other direction has a wider margin (a brute-force sweep over every
direction in 2-D), and logistic regression's separating line has a narrower one (lines
1370-1410). On overlapping classes the hard margin is infeasible (an LP says so, lines
1715-1725), the soft margin trades margin for slack as C grows (lines 1735-1790). Kernels
(lines 1800-1905): the polynomial kernel is an explicit basis, the Gaussian kernel the limit of
the slide's infinite feature map, both pass Mercer's test; the rbf γ sweep shows under- and
over-fitting. On breast_cancer, wine and digits our SVC is checked against scikit-learn's
libsvm (accuracy, predictions, decision values, KKT). Last, the four losses of lines
1915-2018 (hinge, logistic, 0-1, hard constraint) are plotted and trained side by side.
``TUNABLE["digits_rbf"]`` is the K-fold objective of the ``l05_svm_rbf`` Optuna study.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, field_validator, model_validator

from mldm.config import LectureParams, Strict
from mldm.lectures.claims import Claim, ClaimSet, between, equals, ge, gt, le, lt
from mldm.tuning.tunable import Tunable

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Support vector machines"
LINES = "1335-2018"
DATASETS = ("breast_cancer", "wine", "digits")
KERNELS = ("linear", "poly", "rbf")
# Where two exact solutions are compared (primal vs dual, kernel vs explicit basis) the dual
# is solved to this KKT gap, so the comparison measures the math, not the stopping rule.
TIGHT_TOL = 1e-6


class Toy(Strict):
    """Two Gaussian blobs in 2-D, centred at ±``centre``·(1, 1): the slides' pictures."""

    n_train: int = Field(60, ge=6, description="training points (both classes)")
    n_test: int = Field(2000, ge=10, description="fresh test points")
    centre: float = Field(1.5, gt=0)
    separable_std: float = Field(0.45, gt=0, description="small: linearly separable")
    overlap_std: float = Field(1.4, gt=0, description="large: the classes overlap")


class Moons(Strict):
    n_train: int = Field(200, ge=20)
    n_test: int = Field(2000, ge=10)
    noise: float = Field(0.25, ge=0)


class DigitsRBF(Strict):
    """The final digits model: Gaussian-kernel SVC on standardized pixels (tune@l05_svm_rbf)."""

    C: float = Field(1.0, gt=0)
    gamma: float = Field(1 / 64, gt=0, description="γ = 1/(2σ²); 1/64 = 1/d is sklearn's 'auto'")


class Params(LectureParams):
    toy: Toy = Toy()
    moons: Moons = Moons()
    C: float = Field(1.0, gt=0, description="C of the kernel and real-set comparisons")
    C_grid: list[float] = Field([0.01, 0.1, 1.0, 10.0, 100.0], min_length=3)
    gamma_grid: tuple[float, float, int] = Field(
        (0.01, 1000.0, 11), description="rbf γ sweep on moons: from, to, points (log)"
    )
    poly_degree: int = Field(3, ge=2, le=6)
    tol: float = Field(1e-3, gt=0, lt=1, description="SMO stopping gap, as libsvm's tol")
    k: int = Field(5, ge=2, description="K of the K-fold objective of the study")
    digits_rbf: DigitsRBF = DigitsRBF()

    @field_validator("C_grid")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if any(c <= 0 for c in v) or any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("C_grid must be positive and strictly increasing")
        return v

    @model_validator(mode="after")
    def _check(self) -> Params:
        lo, hi, n = self.gamma_grid
        if not 0 < lo < hi or n < 3:
            raise ValueError("gamma_grid must be (low > 0, high > low, points >= 3)")
        return self


CLAIMS = ClaimSet(
    # --- the maximum-margin hyperplane --------------------------------------------------------
    Claim(
        "hard_margin_feasible_on_separable",
        "On the separable blobs some (w, b) satisfies y(wᵀx + b) >= 1 for all n (LP status)",
        "1496-1500",
        equals("feasible"),
        kind="effect",
    ),
    Claim(
        "primal_equals_dual",
        "The primal QP (SLSQP on ½||w||², y(wᵀx+b) >= 1) and our SMO on the dual give the same "
        "hyperplane: max |Δ(w, b)| / ||w||",
        "1551-1600",
        lt(1e-6),
        kind="identity",
    ),
    Claim(
        "margin_is_maximal",
        "No direction separates with a wider margin: (best margin over 20,000 directions − "
        "SVM margin) / SVM margin (negative: the grid misses the exact optimum direction)",
        "1440-1470",
        between(-1e-3, 1e-7),
        kind="identity",
    ),
    Claim(
        "margin_wider_than_logistic",
        "The SVM margin minus logistic regression's margin on the same separable data "
        "(cross-entropy picks a separating line, not the widest one)",
        "1370-1410",
        gt(0),
        kind="effect",
    ),
    Claim(
        "support_vectors_on_margin",
        "KKT complementary slackness: every support vector (a_n > 0) has y f(x) = 1 "
        "(max |y f(x) − 1| over them)",
        "1656-1690",
        lt(1e-5),
        kind="identity",
    ),
    Claim(
        "multipliers_sparse",
        "Most a_n* are 0: the share of training points that are support vectors",
        "1640-1645",
        lt(0.25),
        kind="effect",
    ),
    Claim(
        "same_support_vectors_as_libsvm",
        "Hard margin: the same support vectors as scikit-learn's libsvm (C = 1e6)",
        "1656-1690",
        equals(True),
        kind="oracle",
    ),
    Claim(
        "b_star_from_support_vectors",
        "b* = mean over support vectors of y − Σ a_m y_m xᵀx_m equals libsvm's intercept "
        "(absolute difference)",
        "1574-1580",
        lt(1e-6),
        kind="oracle",
    ),
    # --- soft margin ---------------------------------------------------------------------------
    Claim(
        "hard_margin_infeasible_on_overlap",
        "When the classes overlap no hyperplane satisfies every constraint (LP status)",
        "1715-1725",
        equals("infeasible"),
        kind="effect",
    ),
    Claim(
        "larger_C_fewer_support_vectors",
        "Support vectors at the smallest C minus at the largest C (overlapping blobs)",
        "1735-1790",
        gt(0),
        kind="effect",
    ),
    Claim(
        "larger_C_narrower_margin",
        "The margin 1/||w|| never widens as C grows (number of increases by more than 0.1% "
        "over the C grid)",
        "1735-1790",
        equals(0),
        kind="effect",
    ),
    Claim(
        "soft_margin_kkt",
        "KKT at the solver's tol: 0 <= a <= C, y f(x) >= 1 − tol where a < C, <= 1 + tol "
        "where a > 0, Σ a y = 0 (largest violation beyond tol; every C on the blobs, every "
        "kernel on breast_cancer)",
        "1656-1690",
        lt(1e-9),
        kind="identity",
    ),
    # --- kernels -------------------------------------------------------------------------------
    Claim(
        "poly_kernel_is_explicit_basis",
        "(γxᵀx' + c)^2 = φ(x)ᵀφ(x') with φ the explicit degree-2 basis, and the SVC with that "
        "kernel equals a linear SVC on φ(x) (max relative decision difference)",
        "1800-1840",
        lt(1e-5),
        kind="identity",
    ),
    Claim(
        "gaussian_feature_map",
        "The slide's infinite φ(x) = e^{-x²/2σ²}[1, x/(σ√1!), x²/(σ²√2!), ...] truncated at "
        "30 terms reproduces exp(−(x−x')²/2σ²) (max abs error on a grid)",
        "1884-1890",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "kernels_are_psd",
        "Mercer: linear, polynomial and Gaussian kernel matrices are positive semi-definite "
        "(smallest eigenvalue / largest, worst kernel)",
        "1862-1872",
        ge(-1e-10),
        kind="effect",
    ),
    Claim(
        "non_kernel_not_psd",
        "A similarity that is not a kernel, −||x − x'||², has a negative eigenvalue "
        "(smallest / largest)",
        "1862-1872",
        lt(-0.01),
        kind="effect",
    ),
    Claim(
        "rbf_beats_linear_on_moons",
        "A non-linear boundary needs a kernel: rbf minus linear test accuracy on two moons",
        "1800-1812",
        gt(0.05),
        kind="effect",
    ),
    Claim(
        "small_gamma_underfits",
        "Too small γ (a too-wide Gaussian) underfits: best test accuracy over γ minus that at "
        "the smallest γ",
        "1876-1880",
        gt(0.02),
        kind="effect",
    ),
    Claim(
        "large_gamma_overfits",
        "Too large γ overfits: train − test accuracy at the largest γ minus that at the best γ",
        "1876-1880",
        gt(0.05),
        kind="effect",
    ),
    # --- scikit-learn (libsvm) as oracle -----------------------------------------------------
    Claim(
        "accuracy_matches_libsvm",
        "Test accuracy of our SVC vs scikit-learn's SVC, same kernel, C and γ (max |Δ| over "
        "breast_cancer, wine, digits × linear, poly, rbf)",
        "1335-2018",
        le(0.01),
        kind="oracle",
    ),
    Claim(
        "predictions_agree_with_libsvm",
        "Share of test points where our prediction equals libsvm's (worst set × kernel)",
        "1335-2018",
        ge(0.99),
        kind="oracle",
    ),
    Claim(
        "decision_values_match_libsvm",
        "Decision values Σ a_n y_n k(x_n, x) + b* vs libsvm's (max |Δ| / max |f|, worst set × "
        "kernel)",
        "1900-1905",
        lt(2e-2),
        kind="oracle",
    ),
    # --- losses --------------------------------------------------------------------------------
    Claim(
        "hinge_bounds_zero_one",
        "E_SV(z) = max(0, 1 − z) >= E_Ideal(z) everywhere (min difference on a grid), so the "
        "hinge loss bounds the number of training errors",
        "1990-2010",
        ge(0),
        kind="effect",
    ),
    Claim(
        "zero_one_search_fewest_errors",
        "Minimizing the 0-1 loss directly (an exhaustive search over lines) leaves no more "
        "training errors than hinge or logistic: its train error minus the smaller of theirs",
        "1930-1945",
        between(-1, 0),
        kind="effect",
    ),
    Claim(
        "surrogates_agree",
        "Hinge (SVM) and logistic (L02) losses give classifiers of nearly equal test accuracy "
        "on the overlapping blobs (|Δ|)",
        "2010-2018",
        lt(0.03),
        kind="effect",
    ),
)


# ---------------------------------------------------------------------------------------------
# Data and small pure helpers
# ---------------------------------------------------------------------------------------------


def _blobs(t: Toy, std: float, n: int, seed: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Balanced classes y ∈ {−1, +1} around ±centre·(1, 1) with isotropic noise ``std``."""
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 2 == 0, 1, -1)
    return y[:, None] * t.centre + std * rng.standard_normal((n, 2)), y


def _toy(p: Params, seed: int) -> dict[str, tuple[np.ndarray, ...]]:
    """Train/test splits of the separable and the overlapping blobs (seeded, regenerable)."""
    t = p.toy
    out = {}
    for tag, (name, std) in enumerate((("sep", t.separable_std), ("over", t.overlap_std))):
        out[name] = (
            *_blobs(t, std, t.n_train, [seed, tag, 0]),
            *_blobs(t, std, t.n_test, [seed, tag, 1]),
        )
    return out


def _moons(p: Params, seed: int) -> tuple[np.ndarray, ...]:
    from sklearn.datasets import make_moons

    m = p.moons
    X, y = make_moons(m.n_train, noise=m.noise, random_state=seed)
    Xt, yt = make_moons(m.n_test, noise=m.noise, random_state=seed + 1)
    return X, 2 * y - 1, Xt, 2 * yt - 1


def _gammas(p: Params) -> np.ndarray:
    lo, hi, n = p.gamma_grid
    return np.geomspace(lo, hi, int(n))


def separability(X, y) -> str:
    """Is there (w, b) with y_n(wᵀx_n + b) >= 1 for all n (lines 1496-1500)? The hard-margin
    QP is feasible exactly when this constraint set is non-empty; an LP decides."""
    from mldm.models.svm import hard_margin_feasible, kernel_matrix

    return "feasible" if hard_margin_feasible(kernel_matrix(X, X, "linear"), y) else "infeasible"


def primal_hard_margin(X, y) -> tuple[np.ndarray, float]:
    """The primal QP min ½||w||² s.t. y_n(wᵀx_n + b) >= 1 (lines 1496-1500), by SLSQP.

    A generic QP method, as the slide suggests (lines 1502-1530); the oracle for our dual."""
    from scipy.optimize import linprog, minimize

    d = X.shape[1]
    Xb = np.c_[X, np.ones(len(X))]
    start = linprog(  # a feasible start: any separating (w, b)
        np.zeros(d + 1), A_ub=-y[:, None] * Xb, b_ub=-np.ones(len(X)), bounds=(None, None)
    ).x
    res = minimize(
        lambda v: 0.5 * v[:d] @ v[:d],
        start,
        jac=lambda v: np.r_[v[:d], 0.0],
        constraints=[
            {"type": "ineq", "fun": lambda v: y * (Xb @ v) - 1, "jac": lambda v: y[:, None] * Xb}
        ],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    return res.x[:d], float(res.x[d])


def geometric_margin(w, b, X, y) -> float:
    """Margin = min_ℓ y(wᵀx + b)/||w|| (line 1440)."""
    return float(np.min(y * (X @ w + b)) / np.linalg.norm(w))


def best_margin_over_directions(X, y, n_directions: int = 20_000) -> float:
    """The widest margin any line achieves, by brute force: for each unit direction u the best
    b puts the line midway between the classes' projections, margin (min₊ uᵀx − max₋ uᵀx)/2."""
    theta = np.linspace(0.0, 2 * np.pi, n_directions, endpoint=False)
    P = X @ np.stack([np.cos(theta), np.sin(theta)])  # (N, directions)
    return float(((P[y == 1].min(0) - P[y == -1].max(0)) / 2).max())


def zero_one_search(X, y, n_directions: int = 3600) -> tuple[np.ndarray, float]:
    """Minimize the 0-1 loss Σ E_Ideal(y(wᵀx + b)) over lines in 2-D exactly up to the
    direction grid (lines 1930-1945: a step function, no gradient, so search).

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
    return U[:, j], -float(lo + hi) / 2  # predict sign(uᵀx + b)


def gaussian_feature_map(x, sigma: float, terms: int) -> np.ndarray:
    """The slide's 1-D φ(x) = e^{−x²/2σ²}[1, x/(σ√1!), x²/(σ²√2!), ...] (line 1888),
    truncated: φ(x)ᵀφ(x') = e^{−(x²+x'²)/2σ²} Σ_m (xx'/σ²)^m/m! → exp(−(x − x')²/2σ²)."""
    from scipy.special import gammaln

    m = np.arange(terms)
    scale = np.exp(-0.5 * gammaln(m + 1) - m * np.log(sigma))
    x = np.asarray(x, dtype=np.float64)[:, None]
    return np.exp(-(x**2) / (2 * sigma**2)) * scale * x**m


def poly2_features(X) -> np.ndarray:
    """φ(x) with φ(x)ᵀφ(x') = (xᵀx' + 1)² in 2-D: [1, √2x₁, √2x₂, x₁², x₂², √2x₁x₂]."""
    x1, x2 = X[:, 0], X[:, 1]
    r2 = np.sqrt(2.0)
    return np.stack([np.ones_like(x1), r2 * x1, r2 * x2, x1**2, x2**2, r2 * x1 * x2], axis=1)


def _pm1(est, y) -> np.ndarray:
    """Labels as the lecture's y ∈ {−1, +1}, +1 for ``classes_[1]`` (positive decision)."""
    return np.where(np.asarray(y) == est.classes_[1], 1, -1)


def _accuracy(est, X, y) -> float:
    return float(np.mean(est.predict(X) == y))


def _svc(kernel: str, C: float, p: Params, **kw):
    from mldm.models import SVC

    if kernel == "poly":
        kw.setdefault("degree", p.poly_degree)
    kw.setdefault("tol", p.tol)
    # "ovo": multiclass decision values are the pairwise f of the lecture, not sklearn's
    # vote-based (n, K) summary
    return SVC(kernel=kernel, C=C, decision_function_shape="ovo", **kw)


def _libsvm(est):
    """scikit-learn's SVC with our estimator's kernel, C and γ: the oracle."""
    from sklearn.svm import SVC

    C = est.C if np.isfinite(est.C) else 1e6  # libsvm needs a finite C: 1e6 is "hard"
    return SVC(
        kernel=est.kernel,
        C=C,
        degree=est.degree,
        gamma=est.gamma,
        coef0=est.coef0,
        tol=est.tol,
        decision_function_shape=est.decision_function_shape,
    )


# ---------------------------------------------------------------------------------------------
# The tuning objective (tune@l05_svm_rbf)
# ---------------------------------------------------------------------------------------------


def digits_rbf_objective(ctx, params: DigitsRBF) -> dict[str, float]:
    """K-fold CV accuracy of standardize -> SVC(rbf, C, γ) on digits' training split; the
    running mean after each fold goes to the pruner (``ctx.report``)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mldm.evaluation import cross_val_scores, kfold_splits
    from mldm.models import SVC

    d = ctx.data("digits")
    pipe = make_pipeline(
        StandardScaler(), SVC(kernel="rbf", C=params.C, gamma=params.gamma, tol=ctx.lecture.tol)
    )
    scores = []
    for step, split in enumerate(kfold_splits(len(d.y_train), ctx.lecture.k, True, ctx.seed)):
        scores.append(float(cross_val_scores(pipe, d.X_train, d.y_train, [split], "accuracy")[0]))
        ctx.report(float(np.mean(scores)), step)
    return {"cv_accuracy": float(np.mean(scores)), "cv_accuracy_std": float(np.std(scores))}


TUNABLE = {"digits_rbf": Tunable(digits_rbf_objective, reads=("k", "tol"))}


# ---------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------


def train(ctx: Context) -> None:
    from mldm.errors import MldmError
    from mldm.models import LogisticRegression

    p = ctx.params
    toy = _toy(p, ctx.seed)
    X, y = toy["sep"][:2]
    if separability(X, y) != "feasible":
        raise MldmError(
            f"lectures.l05_svm.toy.separable_std={p.toy.separable_std} is too large for the "
            "'separable' blobs: they overlap, so the hard margin has no solution"
        )
    with ctx.run("hard_margin", C="inf"):
        # solved tightly: this is the lecture's exact optimum, compared with a QP and a sweep
        ctx.save_model("sep_hard", _svc("linear", np.inf, p, tol=TIGHT_TOL).fit(X, y))
        # a few Newton steps: on separable data the likelihood has no finite maximizer
        ctx.save_model("sep_logistic", LogisticRegression(max_iter=6).fit(X, y))

    X, y = toy["over"][:2]
    with ctx.run("soft_margin_C_sweep", C_grid=str(p.C_grid)):
        for i, C in enumerate(p.C_grid):
            ctx.save_model(f"over_C{i}", _svc("linear", C, p).fit(X, y))
    with ctx.run("losses", C=p.C):
        ctx.save_model("over_hinge", _svc("linear", p.C, p).fit(X, y))
        ctx.save_model("over_logistic", LogisticRegression().fit(X, y))

    X, y, _, _ = _moons(p, ctx.seed)
    with ctx.run("moons_kernels", C=p.C):
        for kernel in KERNELS:
            kw = {"coef0": 1.0} if kernel == "poly" else {}
            ctx.save_model(f"moons_{kernel}", _svc(kernel, p.C, p, **kw).fit(X, y))
        for i, g in enumerate(_gammas(p)):
            ctx.save_model(f"moons_rbf_g{i}", _svc("rbf", p.C, p, gamma=float(g)).fit(X, y))
        poly2 = {"degree": 2, "gamma": 1.0, "coef0": 1.0, "tol": TIGHT_TOL}
        ctx.save_model("moons_poly2", _svc("poly", p.C, p, **poly2).fit(X, y))
        explicit = _svc("linear", p.C, p, tol=TIGHT_TOL)
        ctx.save_model("moons_poly2_explicit", explicit.fit(poly2_features(X), y))

    for name in DATASETS:
        d = ctx.data(name).standardized()
        with ctx.run(name, C=p.C):
            for kernel in KERNELS:
                ctx.save_model(f"{name}_{kernel}", _svc(kernel, p.C, p).fit(d.X_train, d.y_train))
    r = p.digits_rbf
    with ctx.run("digits_rbf", C=r.C, gamma=r.gamma):
        d = ctx.data("digits").standardized()
        ctx.save_model("digits_rbf", _svc("rbf", r.C, p, gamma=r.gamma).fit(d.X_train, d.y_train))


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


def _kkt(est, X, y) -> float:
    """The largest KKT violation of a fitted binary SVC (dual and primal feasibility,
    complementary slackness, Σ a y = 0), on its own training data."""
    from mldm.models.svm import kernel_matrix, kkt_violations

    K = kernel_matrix(X, X, est.kernel, est.gamma_, est.degree, est.coef0)
    v = kkt_violations(K, _pm1(est, y), est.alpha_, float(est.intercept_[0]), est.C, est.tol)
    return float(max(v.values()))


def evaluate(ctx: Context) -> None:
    p = ctx.params
    toy = _toy(p, ctx.seed)
    kkt = [*_hard_margin(ctx, toy["sep"])]
    kkt += _soft_margin(ctx, toy["over"])
    _losses(ctx, toy)
    moons = _moons(p, ctx.seed)
    _kernels(ctx, moons)
    kkt += _real_sets(ctx)
    ctx.measure("soft_margin_kkt", max(kkt))
    _figures(ctx, toy, moons)


def _hard_margin(ctx: Context, data) -> list[float]:
    X, y, Xt, yt = data
    svm, lr = ctx.load_model("sep_hard"), ctx.load_model("sep_logistic")
    ctx.measure("hard_margin_feasible_on_separable", separability(X, y))
    w, b = svm.coef_.ravel(), float(svm.intercept_[0])
    w_p, b_p = primal_hard_margin(X, y)
    ctx.measure(
        "primal_equals_dual", float(np.abs(np.r_[w - w_p, b - b_p]).max() / np.linalg.norm(w))
    )
    margin = geometric_margin(w, b, X, y)
    best = best_margin_over_directions(X, y)
    ctx.measure("margin_is_maximal", (best - margin) / margin)
    lr_margin = geometric_margin(lr.coef_.ravel(), float(lr.intercept_[0]), X, y)
    ctx.measure("margin_wider_than_logistic", margin - lr_margin)
    f = svm.decision_function(X[svm.support_])
    ctx.measure("support_vectors_on_margin", float(np.abs(y[svm.support_] * f - 1).max()))
    ctx.measure("multipliers_sparse", len(svm.support_) / len(y))
    sk = _libsvm(svm).fit(X, y)
    ctx.measure("same_support_vectors_as_libsvm", bool(np.array_equal(svm.support_, sk.support_)))
    ctx.measure("b_star_from_support_vectors", abs(b - float(sk.intercept_[0])))
    for name, est, ww, bb in (
        ("svm_dual_smo", svm, w, b),
        ("svm_primal_slsqp", None, w_p, b_p),
        ("libsvm", sk, sk.coef_.ravel(), float(sk.intercept_[0])),
        ("logistic_regression", lr, lr.coef_.ravel(), float(lr.intercept_[0])),
    ):
        row = {
            "w1": float(ww[0]),
            "w2": float(ww[1]),
            "b": bb,
            "margin": geometric_margin(ww, bb, X, y),
            "test_accuracy": float(np.mean(np.sign(Xt @ ww + bb) == yt)),
        }
        if est is not None and hasattr(est, "support_"):
            row["n_support"] = len(est.support_)
        ctx.record("separable_blobs_hard_margin", name, **row)
    ctx.record("separable_blobs_hard_margin", "brute_force_best_direction", margin=best)
    return [_kkt(svm, X, y)]


def _soft_margin(ctx: Context, data) -> list[float]:
    from mldm.lectures.base import sweep_key

    X, y, Xt, yt = data
    p = ctx.params
    ctx.measure("hard_margin_infeasible_on_overlap", separability(X, y))
    n_sv, margins, kkt = [], [], []
    for i, C in enumerate(p.C_grid):
        est = ctx.load_model(f"over_C{i}")
        f = est.decision_function(X)
        n_sv.append(len(est.support_))
        margins.append(1 / np.linalg.norm(est.coef_))
        kkt.append(_kkt(est, X, y))
        ctx.record(
            "overlapping_blobs_C_sweep",
            sweep_key("C_grid", i, len(p.C_grid)),
            C=float(C),
            n_support=n_sv[-1],
            margin=float(margins[-1]),
            slack_sum=float(np.maximum(0, 1 - y * f).sum()),
            train_accuracy=_accuracy(est, X, y),
            test_accuracy=_accuracy(est, Xt, yt),
        )
    ctx.measure("larger_C_fewer_support_vectors", n_sv[0] - n_sv[-1])
    margins = np.array(margins)
    ctx.measure("larger_C_narrower_margin", int(np.sum(np.diff(margins) > 1e-3 * margins[:-1])))
    return kkt


# The classifier each loss trains on each blob set (lines 1915-2018); the 0-1 loss is
# searched directly, and the hard constraint has no minimizer on the overlapping set.
LOSS_MODELS = {
    "sep": {"logistic": "sep_logistic", "hard_constraint": "sep_hard"},
    "over": {"hinge": "over_hinge", "logistic": "over_logistic"},
}


def _losses(ctx: Context, toy) -> None:
    from mldm.models.svm import hinge_loss, zero_one_loss

    z = np.linspace(-3, 3, 6001)
    ctx.measure("hinge_bounds_zero_one", float((hinge_loss(z) - zero_one_loss(z)).min()))
    acc = {}
    for data_name, (X, y, Xt, yt) in toy.items():
        u, b = zero_one_search(X, y)
        acc[data_name] = {
            "zero_one": (np.mean(np.sign(X @ u + b) == y), np.mean(np.sign(Xt @ u + b) == yt))
        }
        for loss, model in LOSS_MODELS[data_name].items():
            est = ctx.load_model(model)
            acc[data_name][loss] = (_accuracy(est, X, y), _accuracy(est, Xt, yt))
        for loss, (train, test) in acc[data_name].items():
            ctx.record(
                f"losses_{data_name}",
                loss,  # zero_one: exhaustive search; hinge: soft-margin SVM; logistic: Newton
                train_accuracy=float(train),
                test_accuracy=float(test),
            )
    X, y = toy["over"][:2]
    ctx.record(
        "losses_over",
        "hard_constraint",
        feasible=float(separability(X, y) == "feasible"),
    )
    over = {loss: 1 - train for loss, (train, _) in acc["over"].items()}  # training errors
    ctx.measure(
        "zero_one_search_fewest_errors", over["zero_one"] - min(over["hinge"], over["logistic"])
    )
    ctx.measure("surrogates_agree", abs(acc["over"]["hinge"][1] - acc["over"]["logistic"][1]))


def _kernels(ctx: Context, moons) -> None:
    from mldm.lectures.base import sweep_key
    from mldm.models.svm import kernel_matrix

    X, y, Xt, yt = moons
    p = ctx.params
    # the polynomial kernel is an explicit finite basis; the SVCs agree
    Phi = poly2_features(X)
    gram = np.abs(kernel_matrix(X, X, "poly", 1.0, 2, 1.0) - Phi @ Phi.T).max()
    f_k = ctx.load_model("moons_poly2").decision_function(Xt)
    f_phi = ctx.load_model("moons_poly2_explicit").decision_function(poly2_features(Xt))
    rel = float(np.abs(f_k - f_phi).max() / np.abs(f_k).max())
    ctx.measure("poly_kernel_is_explicit_basis", max(rel, float(gram)))
    # the Gaussian kernel is the limit of the slide's infinite feature map
    grid, sigma = np.linspace(-2, 2, 81), 1.0
    phi = gaussian_feature_map(grid, sigma, 30)
    exact = np.exp(-((grid[:, None] - grid[None]) ** 2) / (2 * sigma**2))
    ctx.measure("gaussian_feature_map", float(np.abs(phi @ phi.T - exact).max()))
    ctx.worked_example["gaussian_feature_map"] = {
        "columns": ["terms of φ", "max |φ(x)ᵀφ(x') − k(x, x')| on [−2, 2]²"],
        "rows": [
            [
                m,
                float(
                    np.abs(
                        gaussian_feature_map(grid, sigma, m)
                        @ gaussian_feature_map(grid, sigma, m).T
                        - exact
                    ).max()
                ),
            ]
            for m in (1, 2, 5, 10, 20, 30)
        ],
        "note": "σ = 1. Each extra term adds (xx'/σ²)^m/m!: the error falls factorially.",
    }

    # Mercer: kernel matrices are PSD; −||x − x'||² is not a kernel
    def min_eig(K):
        ev = np.linalg.eigvalsh((K + K.T) / 2)
        return float(ev[0] / np.abs(ev).max())

    eigs = {
        k: min_eig(kernel_matrix(X, X, k, g, 3, 1.0))
        for k, g in (("linear", 1.0), ("poly", 0.5), ("rbf", 1.0))
    }
    ctx.measure("kernels_are_psd", min(eigs.values()))
    sq = (X**2).sum(1)
    ctx.measure("non_kernel_not_psd", min_eig(-(sq[:, None] + sq[None] - 2 * X @ X.T)))
    acc = {}
    for kernel in KERNELS:
        est = ctx.load_model(f"moons_{kernel}")
        acc[kernel] = _accuracy(est, Xt, yt)
        ctx.record(
            "moons_kernels",
            kernel,
            n_support=len(est.support_),
            train_accuracy=_accuracy(est, X, y),
            test_accuracy=acc[kernel],
            min_eigenvalue_ratio=eigs[kernel],
        )
    ctx.measure("rbf_beats_linear_on_moons", acc["rbf"] - acc["linear"])
    train, test = [], []
    gammas = _gammas(p)
    for i, g in enumerate(gammas):
        est = ctx.load_model(f"moons_rbf_g{i}")
        train.append(_accuracy(est, X, y))
        test.append(_accuracy(est, Xt, yt))
        ctx.record(
            "moons_gamma_sweep",
            sweep_key("gamma_grid", i, len(gammas)),
            gamma=float(g),
            n_support=len(est.support_),
            train_accuracy=train[-1],
            test_accuracy=test[-1],
        )
    train, test = np.array(train), np.array(test)
    best = int(np.argmax(test))
    ctx.measure("small_gamma_underfits", float(test[best] - test[0]))
    ctx.measure("large_gamma_overfits", float((train[-1] - test[-1]) - (train[best] - test[best])))
    ctx.save_curve("gamma_sweep", gamma=_gammas(p), train_accuracy=train, test_accuracy=test)


def _real_sets(ctx: Context) -> list[float]:
    acc_gap, agree, dec_gap, kkt = [], [], [], []
    for name in DATASETS:
        d = ctx.data(name).standardized()
        for kernel in KERNELS:
            est = ctx.load_model(f"{name}_{kernel}")
            sk = _libsvm(est).fit(d.X_train, d.y_train)
            ours, theirs = est.predict(d.X_test), sk.predict(d.X_test)
            f, f_sk = est.decision_function(d.X_test), sk.decision_function(d.X_test)
            row = {
                "test_accuracy": float(np.mean(ours == d.y_test)),
                "libsvm_test_accuracy": float(np.mean(theirs == d.y_test)),
                "n_support": int(np.sum(est.n_support_)),
                "libsvm_n_support": int(np.sum(sk.n_support_)),
                "prediction_agreement": float(np.mean(ours == theirs)),
                "decision_max_rel_diff": float(np.abs(f - f_sk).max() / np.abs(f_sk).max()),
            }
            if len(est.classes_) == 2:
                row["kkt_max_violation"] = _kkt(est, d.X_train, d.y_train)
                kkt.append(row["kkt_max_violation"])
            ctx.record(f"{name}_vs_libsvm", kernel, **row)
            acc_gap.append(abs(row["test_accuracy"] - row["libsvm_test_accuracy"]))
            agree.append(row["prediction_agreement"])
            dec_gap.append(row["decision_max_rel_diff"])
    ctx.measure("accuracy_matches_libsvm", max(acc_gap))
    ctx.measure("predictions_agree_with_libsvm", min(agree))
    ctx.measure("decision_values_match_libsvm", max(dec_gap))
    d = ctx.data("digits").standardized()
    est = ctx.load_model("digits_rbf")
    ctx.record(
        "digits_rbf_final",
        "svc_rbf",  # params digits_rbf (tune@l05_svm_rbf writes them); values beside
        C=float(est.C),
        gamma=float(est.gamma),
        test_accuracy=_accuracy(est, d.X_test, d.y_test),
        n_support=int(np.sum(est.n_support_)),
    )
    return kkt


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------

_COLORS = {1: "tab:blue", -1: "tab:red"}


def _regions(ax, f, X, y, levels=(-1.0, 0.0, 1.0), support=None, title=""):
    """Points, the boundary f = 0 and the margins f = ±1 of a decision function ``f``."""
    lo, hi = X.min(0) - 0.5, X.max(0) + 0.5
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], 200), np.linspace(lo[1], hi[1], 200))
    F = f(np.c_[g1.ravel(), g2.ravel()]).reshape(g1.shape)
    ax.contourf(g1, g2, F > 0, levels=[-0.5, 0.5, 1.5], colors=["#f6d5d5", "#d5e3f6"], alpha=0.6)
    ax.contour(
        g1,
        g2,
        F,
        levels=list(levels),
        colors="k",
        linestyles=["--", "-", "--"] if len(levels) == 3 else "-",
        linewidths=1,
    )
    for label, c in _COLORS.items():
        ax.scatter(*X[y == label].T, s=12, c=c)
    if support is not None:
        ax.scatter(*X[support].T, s=80, facecolors="none", edgecolors="k", linewidths=1.2)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def _figures(ctx: Context, toy, moons) -> None:
    from mldm.models.svm import hard_constraint_loss, hinge_loss, logistic_loss, zero_one_loss

    p = ctx.params
    X, y = toy["sep"][:2]
    svm, lr = ctx.load_model("sep_hard"), ctx.load_model("sep_logistic")
    m = ctx.metrics["separable_blobs_hard_margin"]
    with ctx.figure("maximum_margin", ncols=2, size=(4.6, 4.0)) as (fig, (ax1, ax2)):
        _regions(
            ax1,
            svm.decision_function,
            X,
            y,
            support=svm.support_,
            title=f"hard-margin SVM: margin {m['svm_dual_smo']['margin']:.3f}, "
            f"{len(svm.support_)} support vectors",
        )
        _regions(
            ax2,
            lambda Z: lr.decision_function(Z) / np.linalg.norm(lr.coef_),
            X,
            y,
            levels=(0.0,),
            title=f"logistic regression: margin {m['logistic_regression']['margin']:.3f}",
        )

    X, y = toy["over"][:2]
    picks = sorted({0, len(p.C_grid) // 2, len(p.C_grid) - 1})
    with ctx.figure("effect_of_C", ncols=len(picks) + 1, size=(3.6, 3.4)) as (fig, axes):
        for ax, i in zip(axes, picks, strict=False):
            est = ctx.load_model(f"over_C{i}")
            _regions(
                ax,
                est.decision_function,
                X,
                y,
                support=est.support_,
                title=f"C = {p.C_grid[i]:g}: {len(est.support_)} SVs",
            )
        rows = ctx.metrics["overlapping_blobs_C_sweep"]
        ax = axes[-1]
        ax.semilogx(
            p.C_grid, [r["n_support"] for r in rows.values()], "o-", label="support vectors"
        )
        ax.set_xlabel("C")
        ax.set_ylabel("support vectors")
        ax2 = ax.twinx()
        ax2.semilogx(p.C_grid, [r["margin"] for r in rows.values()], "s--", c="tab:orange")
        ax2.set_ylabel("margin 1/||w||", color="tab:orange")

    X, y, Xt, yt = moons
    with ctx.figure("kernels_moons", ncols=3, size=(3.6, 3.4)) as (fig, axes):
        for ax, kernel in zip(axes, KERNELS, strict=True):
            est = ctx.load_model(f"moons_{kernel}")
            acc = ctx.metrics["moons_kernels"][kernel]["test_accuracy"]
            _regions(
                ax,
                est.decision_function,
                X,
                y,
                support=est.support_,
                title=f"{kernel}: test {acc:.3f}",
            )

    gammas = _gammas(p)
    sweep = list(ctx.metrics["moons_gamma_sweep"].values())
    best = int(np.argmax([r["test_accuracy"] for r in sweep]))
    with ctx.figure("gamma_sweep", ncols=4, size=(3.6, 3.4)) as (fig, axes):
        for ax, i in zip(axes, (0, best, len(gammas) - 1), strict=False):
            est = ctx.load_model(f"moons_rbf_g{i}")
            _regions(ax, est.decision_function, X, y, title=f"γ = {gammas[i]:.3g}")
        ax = axes[-1]
        ax.semilogx(gammas, [r["train_accuracy"] for r in sweep], "o-", label="train")
        ax.semilogx(gammas, [r["test_accuracy"] for r in sweep], "s-", label="test")
        ax.set_xlabel("γ = 1/(2σ²)")
        ax.set_ylabel("accuracy")
        ax.legend()

    z = np.linspace(-2, 3, 1001)
    with ctx.figure("losses", size=(5.5, 3.8)) as (fig, ax):
        ax.plot(z, zero_one_loss(z), label="E_Ideal (0-1)")
        ax.plot(z, hinge_loss(z), label="E_SV (hinge)")
        ax.plot(z, logistic_loss(z), label="E_LR (logistic)")
        hard = hard_constraint_loss(z)
        ax.plot(z, np.where(np.isinf(hard), 4.0, hard), label="E_∞(z − 1) (hard constraint)")
        ax.set_ylim(-0.1, 3.5)
        ax.set_xlabel("z = y·h(x)")
        ax.set_ylabel("E(z)")
        ax.legend(fontsize=8)

    d = ctx.data("breast_cancer").standardized()
    est = ctx.load_model("breast_cancer_rbf")
    f, f_sk = (
        est.decision_function(d.X_test),
        _libsvm(est).fit(d.X_train, d.y_train).decision_function(d.X_test),
    )
    with ctx.figure("decision_values_vs_libsvm", size=(4.2, 4.0)) as (fig, ax):
        ax.scatter(f_sk, f, s=8)
        lim = [min(f.min(), f_sk.min()), max(f.max(), f_sk.max())]
        ax.plot(lim, lim, "k--", lw=0.8)
        ax.set_xlabel("scikit-learn (libsvm) f(x)")
        ax.set_ylabel("ours (SMO) f(x)")
        ax.set_title(f"breast_cancer, rbf, C = {est.C:g}", fontsize=9)
