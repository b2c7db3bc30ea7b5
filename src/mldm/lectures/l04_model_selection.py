"""L04 Basis functions, overfitting, model selection and regularization (course-notes lines
896-1334).

A basis-function model f(x) = φ(x)w is linear regression with X replaced by Φ (checked
against scikit-learn's PolynomialFeatures + LinearRegression); a constant plus hard sigmoids
draws any polyline. The 1/3/5-degree picture is redrawn on a synthetic cubic (a known true
degree, 20 training points, a large fresh test set) and on the real motorcycle-crash curve
MASS::mcycle: training error never rises with the degree, validation and test error turn
back up. Hold-out, leave-one-out (also in closed form) and K-fold CV, AIC and BIC are
written from the lecture and compared with scikit-learn and statsmodels; each criterion's
pick of the degree is tabulated, and over many fresh training sets they find the true
degree. L2 (closed form and weight decay by gradient descent) rescues a degree-12 fit; L1
gives exact zeros on diabetes where L2 gives none. ``TUNABLE["poly_ridge"]`` is the K-fold
objective of the ``l04_poly_ridge`` Optuna study.

λ is always the lecture's, in L̃(w) = (1/N)||Φw − y||² + λ||w|| (lines 1247-1255, 1312); the
estimators take scikit-learn's scaling, Ridge α = Nλ and Lasso α = λ/2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, model_validator

from mldm.config import LectureParams, Strict
from mldm.lectures.claims import Claim, ClaimSet, equals, gt, lt
from mldm.tuning.tunable import Tunable

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Basis functions, overfitting, model selection and regularization"
LINES = "896-1334"
DATASETS = ("mcycle", "diabetes")

# The slide's "red polyline" (lines 941-955), flat outside its end knots like a hard sigmoid:
# the knots c_0..c_B and the curve's values there.
POLYLINE_KNOTS = (0.0, 1.0, 2.0, 3.0, 4.0)
POLYLINE_VALUES = (1.0, 2.5, 0.5, 2.0, 1.5)
SLIDE_DEGREES = (1, 3, 5)  # lines 1070-1080 and 1291-1302
CRITERIA = ("holdout", "kfold", "loo", "aic", "bic")


class Synthetic(Strict):
    coef: list[float] = Field(
        [0.5, -2.0, 0.5, 3.0],
        min_length=2,
        description="true curve c0 + c1 x + c2 x² + ...; a cubic, so the true degree is 3",
    )
    noise: float = Field(0.3, ge=0, description="std of the Gaussian noise on y")
    n_train: int = Field(20, ge=8, description="training points: few, so high degrees overfit")
    n_test: int = Field(1000, ge=10, description="fresh test points from the same curve")
    x_range: tuple[float, float] = (-1.0, 1.0)
    replicates: int = Field(100, ge=1, description="fresh training sets for selection rates")


class Holdout(Strict):
    val_fraction: float = Field(0.3, gt=0, lt=1, description="validation share (20%-30%)")
    small_val_fraction: float = Field(0.05, gt=0, lt=1, description="a too-small one")
    repeats: int = Field(200, ge=2, description="random splits for the spread of the estimate")


class WeightDecay(Strict):
    lam: float = Field(0.1, gt=0, description="λ of L + λ||w||² on standardized diabetes")
    lr: float = Field(0.2, gt=0, description="GD rate r; r < 2/(λmax(2XᵀX/N) + 2λ)")
    max_epochs: int = Field(400, ge=1)


class PolyRidge(Strict):
    """The final mcycle model: standardized x -> polynomial basis -> Ridge (tuned by K-fold)."""

    degree: int = Field(8, ge=1, le=30, description="polynomial degree")
    alpha: float = Field(0.01, ge=0, description="Ridge α (scikit-learn scale, = Nλ)")


class Params(LectureParams):
    synthetic: Synthetic = Synthetic()
    max_degree: int = Field(12, ge=4, le=30, description="synthetic degrees 1..max_degree")
    mcycle_max_degree: int = Field(20, ge=4, le=30, description="mcycle degrees 1..this")
    k: int = Field(5, ge=2, description="K of K-fold cross validation")
    holdout: Holdout = Holdout()
    hard_sigmoid_pieces: int = Field(10, ge=1, description="hard sigmoids B for mcycle")
    l2_degree: int = Field(12, ge=1, description="the high degree L2 regularizes")
    l2_lambda: float = Field(0.01, gt=0, description="λ of the regularization picture")
    weight_decay: WeightDecay = WeightDecay()
    sparsity_lambda: float = Field(2.0, gt=0, description="λ of the L1-vs-L2 comparison")
    path_lambdas: tuple[float, float, int] = Field(
        (1e-3, 1e3, 40), description="regularization paths: λ from, to, points (log)"
    )
    poly_ridge: PolyRidge = PolyRidge()

    @model_validator(mode="after")
    def _check(self) -> Params:
        if self.l2_degree > self.max_degree:
            raise ValueError(f"l2_degree ({self.l2_degree}) must be <= max_degree")
        if self.max_degree >= self.synthetic.n_train:
            raise ValueError("max_degree must be < synthetic.n_train")
        lo, hi, n = self.path_lambdas
        if not 0 < lo < hi or n < 2:
            raise ValueError("path_lambdas must be (low > 0, high > low, points >= 2)")
        return self


CLAIMS = ClaimSet(
    # --- basis functions -------------------------------------------------------------------
    Claim(
        "basis_model_is_linear_regression",
        "w* = (ΦᵀΦ)⁻¹Φᵀy: linear regression with X replaced by Φ equals scikit-learn's "
        "PolynomialFeatures + LinearRegression (max relative coefficient difference, "
        "synthetic, the slide's degrees 1-5)",
        "1028-1038",
        lt(1e-8),
        kind="oracle",
    ),
    Claim(
        "hard_sigmoids_make_polyline",
        "The red polyline = a constant + a sum of hard sigmoids: least squares on the "
        "hard-sigmoid basis reproduces it exactly (max |fit − np.interp| on a fine grid)",
        "941-955",
        lt(1e-9),
        kind="identity",
    ),
    # --- overfitting -----------------------------------------------------------------------
    Claim(
        "train_mse_never_increases",
        "A higher degree always fits the training data at least as well: increases of the "
        "training MSE from one degree to the next (synthetic and mcycle, relative tol 1e-9)",
        "1066, 1084",
        equals(0),
        kind="effect",
    ),
    Claim(
        "synthetic_test_min_interior",
        "…but not new data: the synthetic test MSE is lowest at an interior degree "
        "(degrees from its argmin to the nearer end of the swept degrees 1..max_degree; 0 = "
        "lowest at the straight line or at the highest degree)",
        "1086, 1094",
        gt(0),
        kind="effect",
    ),
    Claim(
        "mcycle_cv_min_interior",
        "…and on mcycle the K-fold validation MSE is lowest at an interior degree: it falls "
        "(underfitting) then rises (overfitting) (degrees from its argmin to the nearer end "
        "of the swept degrees 1..mcycle_max_degree)",
        "1181-1186",
        gt(0),
        kind="effect",
    ),
    Claim(
        "synthetic_overfit_ratio",
        "Overfitting: at the highest degree the K-fold validation MSE is many times its "
        "minimum (ratio, synthetic)",
        "1092-1105",
        gt(10),
        kind="effect",
    ),
    Claim(
        "mcycle_overfit_ratio",
        "Overfitting: the same ratio on mcycle",
        "1092-1105",
        gt(10),
        kind="effect",
    ),
    Claim(
        "degree1_underfits",
        "Underfitting: the straight line's test MSE is well above the best degree's "
        "(ratio to the minimum test MSE, the smaller of the two datasets)",
        "1120-1124, 1185",
        gt(1.5),
        kind="effect",
    ),
    # --- model selection -------------------------------------------------------------------
    Claim(
        "kfold_matches_sklearn",
        "Our K-fold CV MSE equals scikit-learn cross_val_score on KFold(K, shuffle, seed) "
        "(max relative difference over every degree of both datasets)",
        "1211-1218",
        lt(1e-9),
        kind="oracle",
    ),
    Claim(
        "loo_closed_form_matches_brute_force",
        "Leave-one-out MSE in closed form, mean (e_i/(1−h_ii))², equals N refits on N−1 "
        "samples (max relative difference, synthetic degrees whose leverages h_ii stay "
        "below 1 − 1e-6; nearer 1 both sides lose digits as ε/(1 − h_ii))",
        "1194-1200",
        lt(1e-8),
        kind="identity",
    ),
    Claim(
        "small_validation_set_is_noisy",
        "The validation set must not be too small: the hold-out MSE estimate spreads more "
        "over random splits with 5% held out than with 30% (ratio of std's, mcycle)",
        "1176",
        gt(1.5),
        kind="effect",
    ),
    Claim(
        "aic_bic_match_statsmodels",
        "AIC = 2M − 2 log l and BIC = M log N − 2 log l equal statsmodels OLS aic/bic "
        "(max |difference| over every degree of both datasets)",
        "1222-1235",
        lt(1e-6),
        kind="oracle",
    ),
    Claim(
        "bic_never_above_aic",
        "BIC's log N > 2 penalty picks a degree no higher than AIC's "
        "(violations over the synthetic draw, mcycle and every replicate)",
        "1226-1235",
        equals(0),
        kind="effect",
    ),
    Claim(
        "selection_finds_true_degree",
        "Model selection finds the right model: over fresh synthetic training sets, the "
        "degree picked most often by hold-out, K-fold, LOO and BIC is the true 3 "
        "(largest |mode − 3| of the four)",
        "1156-1163, 1167-1235",
        equals(0),
        kind="effect",
    ),
    # --- regularization --------------------------------------------------------------------
    Claim(
        "ridge_matches_sklearn",
        "L2: the closed form (ΦᵀΦ + αI)⁻¹Φᵀy equals scikit-learn Ridge "
        "(max relative difference, diabetes and the synthetic degree-12 fit)",
        "1247-1255",
        lt(1e-8),
        kind="oracle",
    ),
    Claim(
        "weight_decay_is_ridge",
        "L2 as weight decay: gradient descent with w ← w − r(∇L + 2λw) reaches the ridge "
        "solution (relative difference, diabetes)",
        "1259-1262",
        lt(1e-6),
        kind="identity",
    ),
    Claim(
        "l2_rescues_high_degree",
        "L2 regularization tames the degree-12 fit: test MSE without penalty over test MSE "
        "with λ (median over fresh synthetic training sets)",
        "1284-1304",
        gt(2),
        kind="effect",
    ),
    Claim(
        "weight_norm_shrinks",
        "A larger λ prefers smaller w: increases of ||w|| along the λ grid "
        "(diabetes and synthetic degree-12 paths)",
        "1259-1261",
        equals(0),
        kind="effect",
    ),
    Claim(
        "lasso_matches_sklearn",
        "L1: our Lasso (coordinate descent with soft thresholding) equals scikit-learn Lasso "
        "(max |coefficient difference|, diabetes)",
        "1309-1314",
        lt(1e-4),
        kind="oracle",
    ),
    Claim(
        "l1_gives_exact_zeros",
        "L1 gives a sparse w: exact zeros among the 10 diabetes weights",
        "1328-1329",
        gt(0),
        kind="effect",
    ),
    Claim(
        "l2_shrinks_l1_thresholds",
        "…while L2 with the same λ only shrinks: on an orthonormal design (the diabetes "
        "inputs orthonormalized, XᵀX = N·I) our Ridge scales every least-squares weight by "
        "1/(1 + λ), never to 0, and our Lasso soft-thresholds it to sign(w)(|w| − λ/2)₊, "
        "exact zeros included (max |Δ| over both / max |w_LS|)",
        "1259-1261, 1328-1329",
        lt(1e-8),
        kind="identity",
    ),
)


# ---------------------------------------------------------------------------------------------
# Data and small helpers
# ---------------------------------------------------------------------------------------------


def _synthetic(p: Params, seed: int):
    """The lecture's setting: a training draw (stream 0) and a test draw (stream 1)."""
    from mldm.data.synthetic import noisy_polynomial

    s = p.synthetic
    x, y = noisy_polynomial(s.n_train, s.coef, s.noise, s.x_range, (seed, 0))
    xt, yt = noisy_polynomial(s.n_test, s.coef, s.noise, s.x_range, (seed, 1))
    return x[:, None], y, xt[:, None], yt


def _true_degree(p: Params) -> int:
    nz = np.flatnonzero(np.asarray(p.synthetic.coef))
    return int(nz[-1]) if nz.size else 0


def _mcycle(ctx):
    """mcycle with time standardized by the training split's mean and std."""
    return ctx.data("mcycle").standardized()


def _phi(degree: int, X) -> np.ndarray:
    from mldm.models import BasisFunctions

    return BasisFunctions(kind="polynomial", degree=degree).fit_transform(X)


def _mse(y, pred) -> float:
    e = np.asarray(y, dtype=float) - np.asarray(pred, dtype=float)
    return float(e @ e / len(e))


def _ls():
    """The lecture's basis-function regression: the L01 normal equation on Φ."""
    from mldm.models import LinearRegression

    return LinearRegression(solver="normal")


def _loo(Phi, y) -> float:
    """Leave-one-out MSE in closed form; N refits where a point has leverage 1."""
    from mldm.evaluation import cross_val_scores, leave_one_out_splits, loo_mse

    try:
        return loo_mse(Phi, y)
    except ValueError:  # h_ii = 1: the closed form is undefined, the refits are not
        return float(cross_val_scores(_ls(), Phi, y, leave_one_out_splits(len(y))).mean())


def _max_leverage(Phi) -> float:
    """max_i h_ii of the least-squares hat matrix H = [1, Φ][1, Φ]⁺ (rows of U from the SVD)."""
    from mldm.models.linear_regression import add_bias

    U, s, _ = np.linalg.svd(add_bias(Phi), full_matrices=False)
    U = U[:, s > s[0] * max(U.shape) * np.finfo(float).eps]
    return float(np.einsum("ij,ij->i", U, U).max())


def _poly_ridge(block: PolyRidge):
    """standardize x -> [x, x², ..., x^d] -> Ridge(α), as one scikit-learn pipeline."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mldm.models import BasisFunctions, Ridge

    return make_pipeline(
        StandardScaler(),
        BasisFunctions(kind="polynomial", degree=block.degree),
        Ridge(alpha=block.alpha),
    )


def _lambdas(p: Params) -> np.ndarray:
    lo, hi, n = p.path_lambdas
    return np.geomspace(lo, hi, int(n))


def _polyline_grid() -> tuple[np.ndarray, np.ndarray]:
    knots = np.asarray(POLYLINE_KNOTS)
    x = np.linspace(knots[0] - 1.0, knots[-1] + 1.0, 601)
    return x, np.interp(x, knots, POLYLINE_VALUES)  # flat outside the end knots, like ours


# ---------------------------------------------------------------------------------------------
# The tuning objective (tune@l04_poly_ridge)
# ---------------------------------------------------------------------------------------------


def poly_ridge_objective(ctx, params: PolyRidge) -> dict[str, float]:
    """K-fold CV MSE of BasisFunctions(degree) + Ridge(alpha) on mcycle's training split.

    x is standardized inside each fold (a pipeline), the folds are
    ``kfold_splits(N, K, shuffle=True, seed)`` with the lecture's K and the run's seed, and the
    running mean after each fold is reported to the pruner (``ctx.report``; it raises to stop
    the trial). Returns ``{"cv_mse": mean, "cv_mse_std": std}`` over the K folds.
    """
    from mldm.evaluation import cross_val_scores, kfold_splits

    d = ctx.data("mcycle")
    pipe = _poly_ridge(params)
    scores = []
    for step, split in enumerate(kfold_splits(len(d.y_train), ctx.lecture.k, True, ctx.seed)):
        scores.append(float(cross_val_scores(pipe, d.X_train, d.y_train, [split])[0]))
        ctx.report(float(np.mean(scores)), step)
    return {"cv_mse": float(np.mean(scores)), "cv_mse_std": float(np.std(scores))}


TUNABLE = {"poly_ridge": Tunable(poly_ridge_objective, reads=("k",))}  # K of the K-fold CV


# ---------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------


def train(ctx: Context) -> None:
    from mldm.models import BasisFunctions, Lasso, Ridge

    p = ctx.params
    X, y, _, _ = _synthetic(p, ctx.seed)
    with ctx.run("synthetic_by_degree", max_degree=p.max_degree):
        for d in range(1, p.max_degree + 1):
            ctx.save_model(f"synthetic_deg{d}", _ls().fit(_phi(d, X), y))
        Phi = _phi(p.l2_degree, X)
        ctx.save_model("synthetic_ridge", Ridge(alpha=len(y) * p.l2_lambda).fit(Phi, y))  # α = Nλ

    mc = _mcycle(ctx)
    with ctx.run("mcycle_by_degree", max_degree=p.mcycle_max_degree):
        for d in range(1, p.mcycle_max_degree + 1):
            ctx.save_model(f"mcycle_deg{d}", _ls().fit(_phi(d, mc.X_train), mc.y_train))
    with ctx.run("mcycle_hard_sigmoid", pieces=p.hard_sigmoid_pieces):
        basis = BasisFunctions(kind="hard_sigmoid", n_basis=p.hard_sigmoid_pieces)
        Phi = basis.fit_transform(mc.X_train)
        ctx.save_model("mcycle_hard_sigmoid_basis", basis)
        ctx.save_model("mcycle_hard_sigmoid", _ls().fit(Phi, mc.y_train))
    with ctx.run("poly_ridge", **p.poly_ridge.model_dump()):
        raw = ctx.data("mcycle")
        pipe = _poly_ridge(p.poly_ridge).fit(raw.X_train, raw.y_train)
        ctx.save_model("poly_ridge", pipe[-1])  # scaler and basis are refitted from the data

    d = ctx.data("diabetes").standardized()
    N = len(d.y_train)
    wd = p.weight_decay
    with ctx.run("ridge_weight_decay", lam=wd.lam, lr=wd.lr, max_epochs=wd.max_epochs):
        gd = Ridge(alpha=N * wd.lam, solver="gd", lr=wd.lr, max_epochs=wd.max_epochs)
        gd.fit(d.X_train, d.y_train)
        ctx.save_model("diabetes_ridge_gd", gd)
        ctx.save_model("diabetes_ridge_closed", Ridge(alpha=N * wd.lam).fit(d.X_train, d.y_train))
        ctx.save_curve(
            "loss_ridge_weight_decay",
            epoch=np.arange(1, len(gd.loss_curve_) + 1),
            train_mse=gd.loss_curve_,
        )
    lam = p.sparsity_lambda
    with ctx.run("l1_vs_l2", lam=lam):
        lasso = Lasso(alpha=lam / 2, tol=1e-10, max_iter=100_000)  # α = λ/2
        ctx.save_model("diabetes_lasso", lasso.fit(d.X_train, d.y_train))
        ctx.save_model("diabetes_ridge_same_lambda", Ridge(alpha=N * lam).fit(d.X_train, d.y_train))


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


def _degree_sweep(ctx: Context, name: str, X, y, Xt, yt, max_degree: int) -> dict:
    """Every error estimate and criterion for degrees 1..max_degree of one dataset."""
    import statsmodels.api as sm
    from sklearn.model_selection import KFold, cross_val_score

    from mldm.evaluation import (
        cross_val_scores,
        holdout_split,
        kfold_splits,
        least_squares_criteria,
        leave_one_out_splits,
    )
    from mldm.lectures.base import sweep_key
    from mldm.models import Ridge
    from mldm.models.linear_regression import add_bias

    p = ctx.params
    n = len(y)
    folds = kfold_splits(n, p.k, True, ctx.seed)
    sk_folds = KFold(p.k, shuffle=True, random_state=ctx.seed)
    hold = holdout_split(n, p.holdout.val_fraction, ctx.seed)
    rows = {key: [] for key in ("train", "test", "holdout", "kfold", "loo", "aic", "bic")}
    checks = {"kfold_vs_sklearn": 0.0, "loo_vs_refits": 0.0, "criteria_vs_statsmodels": 0.0}
    for d in range(1, max_degree + 1):
        Phi, Phit = _phi(d, X), _phi(d, Xt)
        model = ctx.load_model(f"{name}_deg{d}")
        rows["train"].append(_mse(y, model.predict(Phi)))
        rows["test"].append(_mse(yt, model.predict(Phit)))
        rows["holdout"].append(float(cross_val_scores(_ls(), Phi, y, [hold])[0]))
        cv = float(cross_val_scores(_ls(), Phi, y, folds).mean())
        rows["kfold"].append(cv)
        sk_cv = -cross_val_score(_ls(), Phi, y, cv=sk_folds, scoring="neg_mean_squared_error")
        checks["kfold_vs_sklearn"] = max(checks["kfold_vs_sklearn"], abs(cv / sk_cv.mean() - 1))
        loo = _loo(Phi, y)
        rows["loo"].append(loo)
        leverage = _max_leverage(Phi)
        if name == "synthetic" and leverage < 1 - 1e-6:
            # N refits by lstsq (Ridge α = 0): the normal equation's squared condition
            # number would make the refits, not the closed form, the inaccurate side
            refits = cross_val_scores(Ridge(alpha=0.0), Phi, y, leave_one_out_splits(n)).mean()
            checks["loo_vs_refits"] = max(checks["loo_vs_refits"], abs(loo / refits - 1))
        crit = least_squares_criteria(Phi, y)
        rows["aic"].append(crit["aic"])
        rows["bic"].append(crit["bic"])
        ols = sm.OLS(y, add_bias(Phi)).fit()
        gap = max(abs(crit["aic"] - ols.aic), abs(crit["bic"] - ols.bic))
        checks["criteria_vs_statsmodels"] = max(checks["criteria_vs_statsmodels"], gap)
        with ctx.run(f"{name}_degree_{d}", degree=d):
            ctx.record(
                f"{name}_by_degree",
                sweep_key("degree_sweep", d - 1, max_degree),
                degree=d,
                train_mse=rows["train"][-1],
                holdout_val_mse=rows["holdout"][-1],
                cv_mse=cv,
                loo_mse=loo,
                max_leverage=leverage,
                test_mse=rows["test"][-1],
                aic=crit["aic"],
                bic=crit["bic"],
            )
    out = {k: np.asarray(v) for k, v in rows.items()}
    out["degree"] = np.arange(1, max_degree + 1)
    out["n"] = n
    out["checks"] = checks
    out["picks"] = {c: int(np.argmin(out[c])) + 1 for c in (*CRITERIA, "train", "test")}
    ctx.save_curve(
        f"error_by_degree_{name}",
        degree=out["degree"],
        train_mse=out["train"],
        holdout_val_mse=out["holdout"],
        cv_mse=out["kfold"],
        loo_mse=out["loo"],
        test_mse=out["test"],
    )
    return out


def _replicates(ctx: Context) -> dict:
    """Fresh synthetic training sets (streams (seed, 2, r)): each criterion's pick of the
    degree, and the test MSE of the degree-``l2_degree`` fit without and with L2."""
    from mldm.data.synthetic import noisy_polynomial
    from mldm.evaluation import cross_val_scores, holdout_split, kfold_splits
    from mldm.evaluation import least_squares_criteria as criteria
    from mldm.models import Ridge

    p = ctx.params
    s = p.synthetic
    _, _, Xt, yt = _synthetic(p, ctx.seed)
    folds = kfold_splits(s.n_train, p.k, True, ctx.seed)
    hold = [holdout_split(s.n_train, p.holdout.val_fraction, ctx.seed)]
    picks = {c: [] for c in CRITERIA}
    ratio = []
    for r in range(s.replicates):
        x, y = noisy_polynomial(s.n_train, s.coef, s.noise, s.x_range, (ctx.seed, 2, r))
        X = x[:, None]
        scores = {c: [] for c in CRITERIA}
        for d in range(1, p.max_degree + 1):
            Phi = _phi(d, X)
            scores["holdout"].append(cross_val_scores(_ls(), Phi, y, hold)[0])
            scores["kfold"].append(cross_val_scores(_ls(), Phi, y, folds).mean())
            scores["loo"].append(_loo(Phi, y))
            crit = criteria(Phi, y)
            scores["aic"].append(crit["aic"])
            scores["bic"].append(crit["bic"])
        for c in CRITERIA:
            picks[c].append(int(np.argmin(scores[c])) + 1)
        Phi, Phit = _phi(p.l2_degree, X), _phi(p.l2_degree, Xt)
        plain = _mse(yt, _ls().fit(Phi, y).predict(Phit))
        ridge = _mse(yt, Ridge(alpha=len(y) * p.l2_lambda).fit(Phi, y).predict(Phit))
        ratio.append(plain / ridge)
    return {"picks": {c: np.asarray(v) for c, v in picks.items()}, "l2_ratio": np.asarray(ratio)}


def evaluate(ctx: Context) -> None:
    from mldm.evaluation import regression_metrics

    p = ctx.params
    true_degree = _true_degree(p)

    # --- basis functions (lines 986-1038, 941-955) ---------------------------------------
    X, y, Xt, yt = _synthetic(p, ctx.seed)
    _basis_checks(ctx, X, y)

    # --- overfitting, by degree (lines 1063-1135, 1181-1186) -----------------------------
    syn = _degree_sweep(ctx, "synthetic", X, y, Xt, yt, p.max_degree)
    mc = _mcycle(ctx)
    mcy = _degree_sweep(
        ctx, "mcycle", mc.X_train, mc.y_train, mc.X_test, mc.y_test, p.mcycle_max_degree
    )
    increases = sum(int(np.sum(np.diff(s["train"]) > 1e-9 * s["train"][:-1])) for s in (syn, mcy))
    ctx.measure("train_mse_never_increases", increases)
    ctx.measure("synthetic_test_min_interior", _to_nearer_end(syn["picks"]["test"], p.max_degree))
    ctx.measure(
        "mcycle_cv_min_interior", _to_nearer_end(mcy["picks"]["kfold"], p.mcycle_max_degree)
    )
    ctx.measure("synthetic_overfit_ratio", float(syn["kfold"][-1] / syn["kfold"].min()))
    ctx.measure("mcycle_overfit_ratio", float(mcy["kfold"][-1] / mcy["kfold"].min()))
    ctx.measure("degree1_underfits", min(float(s["test"][0] / s["test"].min()) for s in (syn, mcy)))

    # --- model selection (lines 1156-1237) -----------------------------------------------
    ctx.measure(
        "kfold_matches_sklearn",
        max(s["checks"]["kfold_vs_sklearn"] for s in (syn, mcy)),
    )
    ctx.measure("loo_closed_form_matches_brute_force", syn["checks"]["loo_vs_refits"])
    ctx.measure(
        "aic_bic_match_statsmodels",
        max(s["checks"]["criteria_vs_statsmodels"] for s in (syn, mcy)),
    )
    rep = _replicates(ctx)
    violations = int(np.sum(rep["picks"]["bic"] > rep["picks"]["aic"])) + sum(
        int(s["picks"]["bic"] > s["picks"]["aic"]) for s in (syn, mcy)
    )
    ctx.measure("bic_never_above_aic", violations)
    modes = {c: int(np.bincount(v).argmax()) for c, v in rep["picks"].items()}
    ctx.measure(
        "selection_finds_true_degree",
        max(abs(modes[c] - true_degree) for c in ("holdout", "kfold", "loo", "bic")),
    )
    spread = _holdout_spread(ctx, mc)
    ctx.measure("small_validation_set_is_noisy", spread["ratio"])
    _selection_tables(ctx, syn, mcy, rep, modes, true_degree)

    # --- mcycle models: the tuned poly_ridge and the hard sigmoids ------------------------
    _mcycle_models(ctx, mc, mcy, regression_metrics)

    # --- L2 and L1 (lines 1247-1329) -----------------------------------------------------
    syn_l2 = _l2_synthetic(ctx, X, y, Xt, yt, rep)
    reg = _regularization_diabetes(ctx, regression_metrics)
    ctx.measure("ridge_matches_sklearn", max(syn_l2["vs_sklearn"], reg["ridge_vs_sklearn"]))
    ctx.measure("weight_norm_shrinks", syn_l2["norm_increases"] + reg["norm_increases"])

    _figures(ctx, X, y, Xt, yt, syn, mcy, mc, rep, spread, syn_l2, reg)


def _basis_checks(ctx: Context, X, y) -> None:
    from sklearn.linear_model import LinearRegression as SkLinearRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures

    from mldm.evaluation import relative_error
    from mldm.models.basis import hard_sigmoid_features

    worst = 0.0
    for d in range(1, max(SLIDE_DEGREES) + 1):
        ours = ctx.load_model(f"synthetic_deg{d}")
        sk = make_pipeline(PolynomialFeatures(d, include_bias=False), SkLinearRegression()).fit(
            X, y
        )[-1]
        worst = max(worst, relative_error(ours.w_, np.r_[sk.intercept_, sk.coef_]))
    ctx.measure("basis_model_is_linear_regression", worst)

    # constant + Σ_k w_k hard_sigmoid_k, the weights found by least squares on Φ
    grid, target = _polyline_grid()
    model = _ls().fit(hard_sigmoid_features(grid[:, None], POLYLINE_KNOTS), target)
    fit = model.predict(hard_sigmoid_features(grid[:, None], POLYLINE_KNOTS))
    ctx.measure("hard_sigmoids_make_polyline", float(np.abs(fit - target).max()))
    ctx.worked_example["red_polyline"] = {
        "columns": [
            "piece k",
            "ramp from knot",
            "to knot",
            "rise of the polyline",
            "fitted weight w_k",
        ],
        "rows": [
            [
                k,
                POLYLINE_KNOTS[k],
                POLYLINE_KNOTS[k + 1],
                POLYLINE_VALUES[k + 1] - POLYLINE_VALUES[k],
                float(model.coef_[k]),
            ]
            for k in range(len(POLYLINE_KNOTS) - 1)
        ],
        "note": (
            f"Constant (bias) fitted: {model.intercept_:.6g}, the polyline's value "
            f"{POLYLINE_VALUES[0]:g} left of the first knot. The slide draws the red curve "
            "without numbers; these knots and values are ours. Each hard sigmoid's weight is "
            "the rise of its segment, so constant + Σ hard sigmoids is the polyline."
        ),
    }


def _holdout_spread(ctx: Context, mc) -> dict:
    """Hold-out MSE of the hard-sigmoid model over many random splits, small vs large val."""
    from sklearn.pipeline import make_pipeline

    from mldm.evaluation import cross_val_scores, holdout_split
    from mldm.models import BasisFunctions

    p = ctx.params
    h = p.holdout
    pipe = make_pipeline(BasisFunctions(kind="hard_sigmoid", n_basis=p.hard_sigmoid_pieces), _ls())
    seeds = np.random.SeedSequence(ctx.seed).generate_state(h.repeats)
    out = {}
    for key, frac in (("small", h.small_val_fraction), ("large", h.val_fraction)):
        splits = [holdout_split(len(mc.y_train), frac, int(s)) for s in seeds]
        est = np.array([cross_val_scores(pipe, mc.X_train, mc.y_train, [sp])[0] for sp in splits])
        out[key] = est
        ctx.record(
            "mcycle_holdout_spread",
            f"{key}_val",
            val_fraction=frac,
            n_val=len(splits[0][1]),
            val_mse_mean=float(est.mean()),
            val_mse_std=float(est.std()),
            val_mse_q05=float(np.quantile(est, 0.05)),
            val_mse_q95=float(np.quantile(est, 0.95)),
        )
    out["ratio"] = float(out["small"].std() / out["large"].std())
    return out


def _selection_tables(ctx: Context, syn, mcy, rep, modes, true_degree) -> None:
    names = {
        "train": "training MSE (never use)",
        "holdout": "hold-out validation MSE",
        "kfold": "K-fold CV MSE",
        "loo": "leave-one-out MSE",
        "aic": "AIC = 2M − 2 log l",
        "bic": "BIC = M log N − 2 log l",
        "test": "test MSE (unknowable in practice)",
    }
    p = ctx.params
    ctx.worked_example["degree_picks"] = {
        "columns": ["criterion", f"synthetic (true degree {true_degree})", "mcycle"],
        "rows": [[names[c], syn["picks"][c], mcy["picks"][c]] for c in names],
        "note": (
            f"Degrees 1-{p.max_degree} (synthetic, N = {p.synthetic.n_train}) and "
            f"1-{p.mcycle_max_degree} (mcycle, N = {mcy['n']} training points); K-fold with "
            f"K = {p.k}, hold-out with {p.holdout.val_fraction:.0%} held out. The lecture prints "
            "no numbers here. Line 1233 labels the BIC formula 'AIC'; it is BIC. With N = 20 "
            "AIC's penalty of 2 per parameter is too weak: it often picks a high degree (see "
            "selection_over_replicates), which BIC's log N avoids more often."
        ),
    }
    for c, v in rep["picks"].items():
        ctx.record(
            "selection_over_replicates",
            c,
            modal_degree=modes[c],
            share_true_degree=float(np.mean(v == true_degree)),
            share_above_true_degree=float(np.mean(v > true_degree)),
            mean_degree=float(v.mean()),
        )


def _mcycle_models(ctx: Context, mc, mcy, regression_metrics) -> None:
    from sklearn.pipeline import make_pipeline

    from mldm.evaluation import cross_val_scores, kfold_splits
    from mldm.models import BasisFunctions

    p = ctx.params
    raw = ctx.data("mcycle")
    # the scaler and basis refitted on the same training split, the Ridge from train
    pipe = _poly_ridge(p.poly_ridge).fit(raw.X_train, raw.y_train)
    pipe.steps[-1] = (pipe.steps[-1][0], ctx.load_model("poly_ridge"))
    folds = kfold_splits(len(raw.y_train), p.k, True, ctx.seed)
    with ctx.run("poly_ridge", **p.poly_ridge.model_dump()):
        ctx.record(
            "mcycle_models",
            "poly_ridge",
            degree=p.poly_ridge.degree,
            alpha=p.poly_ridge.alpha,
            **regression_metrics("train", raw.y_train, pipe.predict(raw.X_train)),
            cv_mse=float(
                cross_val_scores(_poly_ridge(p.poly_ridge), raw.X_train, raw.y_train, folds).mean()
            ),
            **regression_metrics("test", raw.y_test, pipe.predict(raw.X_test)),
        )
    best = mcy["picks"]["kfold"]
    model = ctx.load_model(f"mcycle_deg{best}")
    ctx.record(
        "mcycle_models",
        "polynomial_kfold_pick",
        degree=best,
        **regression_metrics("train", mc.y_train, model.predict(_phi(best, mc.X_train))),
        cv_mse=float(mcy["kfold"][best - 1]),
        **regression_metrics("test", mc.y_test, model.predict(_phi(best, mc.X_test))),
    )
    basis, hs = ctx.load_model("mcycle_hard_sigmoid_basis"), ctx.load_model("mcycle_hard_sigmoid")
    hs_pipe = make_pipeline(
        BasisFunctions(kind="hard_sigmoid", n_basis=p.hard_sigmoid_pieces), _ls()
    )
    ctx.record(
        "mcycle_models",
        "hard_sigmoids",
        n_basis=p.hard_sigmoid_pieces,
        **regression_metrics("train", mc.y_train, hs.predict(basis.transform(mc.X_train))),
        cv_mse=float(cross_val_scores(hs_pipe, mc.X_train, mc.y_train, folds).mean()),
        **regression_metrics("test", mc.y_test, hs.predict(basis.transform(mc.X_test))),
    )


def _l2_synthetic(ctx: Context, X, y, Xt, yt, rep) -> dict:
    from sklearn.linear_model import Ridge as SkRidge

    from mldm.evaluation import relative_error
    from mldm.models.regularized import regularization_path

    p = ctx.params
    N = len(y)
    Phi, Phit = _phi(p.l2_degree, X), _phi(p.l2_degree, Xt)
    plain = ctx.load_model(f"synthetic_deg{p.l2_degree}")
    ridge = ctx.load_model("synthetic_ridge")
    sk = SkRidge(alpha=N * p.l2_lambda, solver="cholesky").fit(Phi, y)
    vs_sklearn = relative_error(
        np.r_[ridge.intercept_, ridge.coef_], np.r_[sk.intercept_, sk.coef_]
    )
    for name, model, lam in (
        ("no_penalty", plain, 0.0),
        ("l2_penalty", ridge, p.l2_lambda),
    ):
        ctx.record(
            "synthetic_l2",
            name,
            degree=p.l2_degree,
            lambda_=lam,
            train_mse=_mse(y, model.predict(Phi)),
            test_mse=_mse(yt, model.predict(Phit)),
            weight_norm=float(np.linalg.norm(model.coef_)),
        )
    ratios = rep["l2_ratio"]
    ctx.measure("l2_rescues_high_degree", float(np.median(ratios)))
    ctx.record(
        "synthetic_l2",
        "replicates_no_penalty_over_l2",  # test MSE ratio over the replicates
        lambda_=p.l2_lambda,
        test_mse_ratio_median=float(np.median(ratios)),
        test_mse_ratio_q10=float(np.quantile(ratios, 0.1)),
        test_mse_ratio_q90=float(np.quantile(ratios, 0.9)),
    )
    lams = _lambdas(p)
    path = regularization_path(Phi, y, N * lams, penalty="l2")
    norms = np.linalg.norm(path, axis=1)
    return {
        "vs_sklearn": vs_sklearn,
        "plain": plain,
        "ridge": ridge,
        "lambdas": lams,
        "norms": norms,
        "norm_increases": int(np.sum(np.diff(norms) > 1e-12 * norms[:-1])),
    }


def _to_nearer_end(degree: int, max_degree: int) -> int:
    """Steps from a picked degree to the nearer end of the sweep 1..max_degree (0 at an end)."""
    return int(min(degree - 1, max_degree - degree))


def _orthonormal_shrinkage(X, y, lam: float) -> float:
    """With XᵀX = N·I (centred) both penalties act weight by weight on w_LS = Xᵀy/N: L2
    (α = Nλ) minimizes |y − Xw|² + Nλ|w|², so w = Xᵀy/(N + Nλ) = w_LS/(1 + λ); L1 (α = λ/2)
    minimizes |y − Xw|²/2N + (λ/2)|w|₁ = Σ_j (w_j²/2 − w_j w_LS,j + (λ/2)|w_j|) + const, so
    w_j = sign(w_LS,j)(|w_LS,j| − λ/2)₊. Max |ours − that| relative to max |w_LS|."""
    from mldm.models.regularized import Lasso, Ridge

    N = len(y)
    Q, _ = np.linalg.qr(X - X.mean(axis=0))  # centred, QᵀQ = I
    Xo = np.sqrt(N) * Q  # XᵀX = N·I, columns still mean 0
    w_ls = Xo.T @ (y - y.mean()) / N
    ridge = Ridge(alpha=N * lam).fit(Xo, y).coef_
    lasso = Lasso(alpha=lam / 2, tol=1e-12, max_iter=10_000).fit(Xo, y).coef_
    soft = np.sign(w_ls) * np.maximum(np.abs(w_ls) - lam / 2, 0.0)
    gap = max(np.abs(ridge - w_ls / (1 + lam)).max(), np.abs(lasso - soft).max())
    return float(gap / np.abs(w_ls).max())


def _regularization_diabetes(ctx: Context, regression_metrics) -> dict:
    from sklearn.linear_model import Lasso as SkLasso
    from sklearn.linear_model import Ridge as SkRidge

    from mldm.evaluation import relative_error
    from mldm.models.regularized import lasso_alpha_max, regularization_path

    p = ctx.params
    d = ctx.data("diabetes").standardized()
    N = len(d.y_train)
    wd = p.weight_decay
    gd, closed = ctx.load_model("diabetes_ridge_gd"), ctx.load_model("diabetes_ridge_closed")
    sk = SkRidge(alpha=N * wd.lam, solver="cholesky").fit(d.X_train, d.y_train)
    w = {
        "closed": np.r_[closed.intercept_, closed.coef_],
        "gd": np.r_[gd.intercept_, gd.coef_],
        "sk": np.r_[sk.intercept_, sk.coef_],
    }
    ctx.measure("weight_decay_is_ridge", relative_error(w["gd"], w["closed"]))
    lam = p.sparsity_lambda
    lasso, ridge = ctx.load_model("diabetes_lasso"), ctx.load_model("diabetes_ridge_same_lambda")
    sk_lasso = SkLasso(alpha=lam / 2, tol=1e-10, max_iter=100_000).fit(d.X_train, d.y_train)
    ctx.measure("lasso_matches_sklearn", float(np.abs(lasso.coef_ - sk_lasso.coef_).max()))
    ctx.measure("l1_gives_exact_zeros", int(np.sum(lasso.coef_ == 0)))
    ctx.measure("l2_shrinks_l1_thresholds", _orthonormal_shrinkage(d.X_train, d.y_train, lam))

    rows = (
        ("ridge_closed_form", closed, wd.lam),
        ("ridge_weight_decay_gd", gd, wd.lam),
        ("sklearn_ridge", sk, wd.lam),
        ("lasso_cd", lasso, lam),
        ("sklearn_lasso", sk_lasso, lam),
        ("ridge_same_lambda", ridge, lam),
    )
    for name, model, lambda_ in rows:
        ctx.record(
            "diabetes_l2_l1",
            name,
            lambda_=lambda_,
            **regression_metrics("test", d.y_test, model.predict(d.X_test)),
            weight_norm=float(np.linalg.norm(model.coef_)),
            zero_weights=int(np.sum(model.coef_ == 0)),
        )
    lams = _lambdas(p)
    l2_path = regularization_path(d.X_train, d.y_train, N * lams, penalty="l2")
    alpha_max = lasso_alpha_max(d.X_train, d.y_train)
    l1_lams = np.geomspace(2 * alpha_max * 1e-4, 2 * alpha_max * 1.2, len(lams))
    l1_path = regularization_path(d.X_train, d.y_train, l1_lams / 2, penalty="l1", tol=1e-8)
    norms = np.linalg.norm(l2_path, axis=1)
    ctx.save_curve(
        "ridge_path_diabetes",
        lam=lams,
        weight_norm=norms,
        **{f"w_{n}": l2_path[:, j] for j, n in enumerate(d.feature_names)},
    )
    ctx.save_curve(
        "lasso_path_diabetes",
        lam=l1_lams,
        nonzero_weights=(l1_path != 0).sum(1),
        **{f"w_{n}": l1_path[:, j] for j, n in enumerate(d.feature_names)},
    )
    return {
        "ridge_vs_sklearn": relative_error(w["closed"], w["sk"]),
        "norm_increases": int(np.sum(np.diff(norms) > 1e-12 * norms[:-1])),
        "gd": gd,
        "lambdas": lams,
        "l2_path": l2_path,
        "l1_lambdas": l1_lams,
        "l1_path": l1_path,
        "features": d.feature_names,
        "data": d,
    }


# ---------------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------------


def _figures(ctx: Context, X, y, Xt, yt, syn, mcy, mc, rep, spread, syn_l2, reg) -> None:
    _fig_basis(ctx)
    _fig_fits(ctx, X, y, syn, mc, mcy)
    _fig_errors(ctx, syn, mcy)
    _fig_selection(ctx, syn, mcy, rep, spread)
    _fig_regularization(ctx, X, y, syn_l2, reg)


def _fig_basis(ctx: Context) -> None:
    from mldm.models.basis import hard_sigmoid_features, sigmoid_features

    grid, target = _polyline_grid()
    H = hard_sigmoid_features(grid[:, None], POLYLINE_KNOTS)
    hs = _ls().fit(H, target)
    with ctx.figure("basis_functions", ncols=3) as (fig, (ax1, ax2, ax3)):
        xs = np.linspace(-1, 1, 200)[:, None]
        for k in range(1, 4):
            ax1.plot(xs, xs**k, label=f"x^{k}")
        ax1.set(title="polynomial [x] → [x, x², x³]", xlabel="x")
        ax1.legend()
        ax2.plot(grid, target, color="r", lw=3, alpha=0.5, label="red polyline")
        ax2.axhline(hs.intercept_, color="k", ls=":", label="constant")
        for k in range(H.shape[1]):
            ax2.plot(grid, hs.coef_[k] * H[:, k], ls="--", lw=1, label=f"w{k}·hard sigmoid {k}")
        ax2.plot(grid, hs.predict(H), color="k", lw=1, label="constant + Σ")
        ax2.set(title="polyline = constant + Σ hard sigmoids", xlabel="x")
        ax2.legend(fontsize=6)
        ax3.plot(grid, target, color="r", lw=3, alpha=0.5, label="red polyline")
        for n_basis, width in ((4, 0.15), (16, 0.3)):
            centers = np.linspace(grid[0], grid[-1], n_basis)
            scale = width * (centers[1] - centers[0])
            S = sigmoid_features(grid[:, None], centers, scale)
            fit = _ls().fit(S, target).predict(S)
            ax3.plot(grid, fit, label=f"{n_basis} sigmoids")
        ax3.set(title="beyond piecewise linear: sigmoids", xlabel="x")
        ax3.legend()


def _fig_fits(ctx: Context, X, y, syn, mc, mcy) -> None:
    from mldm.data.synthetic import polynomial

    p = ctx.params
    degrees = (*SLIDE_DEGREES, p.max_degree)
    s = p.synthetic
    grid = np.linspace(*s.x_range, 300)
    with ctx.figure("overfitting_synthetic", ncols=len(degrees), size=(3.6, 3.2)) as (fig, axes):
        for ax, d in zip(axes, degrees, strict=True):
            model = ctx.load_model(f"synthetic_deg{d}")
            ax.plot(grid, polynomial(grid, s.coef), "k:", label="true curve")
            ax.scatter(X[:, 0], y, s=14, color="C0", zorder=3, label="training data")
            ax.plot(grid, model.predict(_phi(d, grid[:, None])), color="C3", label="fit")
            lo, hi = y.min(), y.max()
            ax.set(
                ylim=(lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo)),
                title=f"degree {d}: train {syn['train'][d - 1]:.3f}, test {syn['test'][d - 1]:.3f}",
            )
            ax.title.set_fontsize(8)
        axes[0].legend(fontsize=7)
    xg = np.linspace(mc.X_train.min(), mc.X_train.max(), 400)[:, None]
    best = mcy["picks"]["kfold"]
    degrees = sorted({*SLIDE_DEGREES, best, p.mcycle_max_degree})
    with ctx.figure("overfitting_mcycle", ncols=2, size=(5.5, 3.8)) as (fig, (ax1, ax2)):
        ax1.scatter(mc.X_train[:, 0], mc.y_train, s=8, color="k", label="train")
        ax1.scatter(mc.X_test[:, 0], mc.y_test, s=10, marker="x", color="C7", label="test")
        for d in degrees:
            pred = ctx.load_model(f"mcycle_deg{d}").predict(_phi(d, xg))
            ax1.plot(xg, pred, label=f"degree {d}" + (" (K-fold pick)" if d == best else ""))
        ax1.set(
            ylim=(-160, 110),
            xlabel="time (standardized)",
            ylabel="acceleration (g)",
            title="mcycle: polynomial fits",
        )
        ax1.legend(fontsize=7)
        basis, hs = (
            ctx.load_model("mcycle_hard_sigmoid_basis"),
            ctx.load_model("mcycle_hard_sigmoid"),
        )
        ax2.scatter(mc.X_train[:, 0], mc.y_train, s=8, color="k", label="train")
        ax2.plot(
            xg,
            hs.predict(basis.transform(xg)),
            color="C3",
            label=f"constant + {p.hard_sigmoid_pieces} hard sigmoids",
        )
        for c in basis.centers_[0]:
            ax2.axvline(c, color="C7", lw=0.5)
        ax2.set(xlabel="time (standardized)", title="mcycle: piecewise linear")
        ax2.legend(fontsize=7)


def _fig_errors(ctx: Context, syn, mcy) -> None:
    with ctx.figure("error_by_degree", ncols=2) as (fig, axes):
        for ax, s, name in zip(
            axes, (syn, mcy), ("synthetic (true degree 3)", "mcycle"), strict=True
        ):
            ax.semilogy(s["degree"], s["train"], "o-", label="training")
            ax.semilogy(s["degree"], s["holdout"], "^-", label="hold-out validation")
            ax.semilogy(s["degree"], s["kfold"], "s-", label="K-fold CV")
            ax.semilogy(s["degree"], s["loo"], "d-", label="leave-one-out")
            ax.semilogy(s["degree"], s["test"], "k*-", label="test")
            best = s["picks"]["kfold"]
            ax.axvspan(0.5, best, color="C0", alpha=0.06)
            ax.axvspan(best, s["degree"][-1] + 0.5, color="C3", alpha=0.06)
            top = ax.get_xaxis_transform()  # x in data, y in axes fraction
            ax.text(
                (0.5 + best) / 2,
                0.97,
                "underfit",
                transform=top,
                ha="center",
                va="top",
                color="C0",
                fontsize=8,
            )
            ax.text(
                (best + s["degree"][-1] + 0.5) / 2,
                0.97,
                "overfit",
                transform=top,
                ha="center",
                va="top",
                color="C3",
                fontsize=8,
            )
            ax.set(xlabel="degree (model complexity)", ylabel="MSE", title=name)
        axes[1].legend(fontsize=7, loc="center left")


def _fig_selection(ctx: Context, syn, mcy, rep, spread) -> None:
    with ctx.figure("criteria_by_degree", ncols=2) as (fig, axes):
        for ax, s, name in zip(axes, (syn, mcy), ("synthetic", "mcycle"), strict=True):
            for c in ("aic", "bic"):
                ax.plot(s["degree"], s[c], "o-", label=f"{c.upper()} (pick {s['picks'][c]})")
            ax.set(xlabel="degree", ylabel="criterion", title=f"{name}: AIC and BIC")
            ax.legend(fontsize=8)
    with ctx.figure("selection_over_replicates") as (fig, ax):
        D = ctx.params.max_degree
        width = 0.8 / len(rep["picks"])
        for i, (c, v) in enumerate(rep["picks"].items()):
            counts = np.bincount(v, minlength=D + 1)[1:]
            ax.bar(np.arange(1, D + 1) + (i - 2) * width, counts / len(v), width, label=c)
        ax.axvline(_true_degree(ctx.params), color="k", ls=":", label="true degree")
        ax.set(
            xlabel="degree picked",
            ylabel="share of training sets",
            title=f"{len(v)} fresh synthetic training sets",
        )
        ax.legend(fontsize=8)
    h = ctx.params.holdout
    with ctx.figure("holdout_spread") as (fig, ax):
        hi = np.quantile(np.r_[spread["small"], spread["large"]], 0.99)
        bins = np.linspace(0, hi, 40)
        for key, frac in (("small", h.small_val_fraction), ("large", h.val_fraction)):
            ax.hist(
                spread[key],
                bins=bins,
                alpha=0.5,
                label=f"{frac:.0%} held out: std {spread[key].std():.0f}",
            )
        ax.set(
            xlabel="hold-out MSE estimate",
            ylabel="splits",
            title="mcycle: a small validation set is a noisy estimate",
        )
        ax.legend()


def _fig_regularization(ctx: Context, X, y, syn_l2, reg) -> None:
    from mldm.data.synthetic import polynomial
    from mldm.models import Ridge

    p = ctx.params
    s = p.synthetic
    grid = np.linspace(*s.x_range, 300)[:, None]
    degrees = (*SLIDE_DEGREES, p.l2_degree)
    lo, hi = y.min(), y.max()
    with ctx.figure("l2_picture", ncols=len(degrees), nrows=2, size=(3.4, 3.0)) as (fig, axes):
        for j, d in enumerate(degrees):
            plain = ctx.load_model(f"synthetic_deg{d}")
            ridge = Ridge(alpha=len(y) * p.l2_lambda).fit(_phi(d, X), y)
            for i, (model, label) in enumerate(
                ((plain, "no regularization"), (ridge, f"L2, λ = {p.l2_lambda:g}"))
            ):
                ax = axes[i * len(degrees) + j]
                ax.plot(grid, polynomial(grid[:, 0], s.coef), "k:")
                ax.scatter(X[:, 0], y, s=10, color="C0", zorder=3)
                ax.plot(grid, model.predict(_phi(d, grid)), color="C3" if i == 0 else "C2")
                ax.set(
                    ylim=(lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo)), title=f"degree {d}, {label}"
                )
                ax.title.set_fontsize(8)
    with ctx.figure("regularization_paths", ncols=3) as (fig, (ax1, ax2, ax3)):
        ax1.semilogx(reg["lambdas"], reg["l2_path"])
        ax1.set(xlabel="λ", ylabel="weight", title="diabetes: L2 path (shrinks, never 0)")
        ax2.semilogx(reg["l1_lambdas"], reg["l1_path"])
        ax2.set(xlabel="λ", ylabel="weight", title="diabetes: L1 path (exact zeros)")
        ax2.legend(reg["features"], fontsize=6, ncol=2)
        ax3.loglog(syn_l2["lambdas"], syn_l2["norms"])
        ax3.set(xlabel="λ", ylabel="||w||", title=f"synthetic degree {p.l2_degree}: ||w|| vs λ")
    with ctx.figure("weight_decay_loss") as (fig, ax):
        gd = reg["gd"]
        ax.semilogy(np.arange(1, len(gd.loss_curve_) + 1), gd.loss_curve_)
        ax.set(
            xlabel="epoch",
            ylabel="training MSE",
            title=f"diabetes: GD with weight decay (λ = {p.weight_decay.lam:g})",
        )
    _fig_l1_l2_geometry(ctx, reg)


def _fig_l1_l2_geometry(ctx: Context, reg) -> None:
    """Lines 1316-1329: the contours of L(w) over two weights meet the L2 ball on its round
    side, but the L1 ball at a corner, where one weight is exactly 0."""
    from mldm.models.regularized import regularization_path

    d = reg["data"]
    names = d.feature_names
    j = [names.index(f) for f in ("bmi", "bp")] if "bp" in names else [0, 1]
    X2, y = d.X_train[:, j], d.y_train
    Xc, yc = X2 - X2.mean(0), y - y.mean()
    N = len(y)
    lams = np.geomspace(1e-3, 1e4, 400)
    l1 = regularization_path(X2, y, lams / 2, penalty="l1", tol=1e-12)
    l2 = regularization_path(X2, y, N * lams, penalty="l2")
    w_ls = regularization_path(X2, y, [0.0], penalty="l2")[0]
    one_zero = np.flatnonzero((l1 == 0).sum(1) == 1)  # on an axis: one weight exactly 0
    i = one_zero[len(one_zero) // 2] if one_zero.size else len(lams) // 2
    budget = np.abs(l1[i]).sum()  # the same ball size for both: ||w||₁ = ||w||₂ = budget
    k = int(np.argmin(np.abs(np.linalg.norm(l2, axis=1) - budget)))
    r = 1.25 * np.abs(w_ls).max()
    w1, w2 = np.meshgrid(np.linspace(-0.5 * r, r, 240), np.linspace(-0.5 * r, r, 240))
    W = np.stack([w1.ravel(), w2.ravel()])
    loss = ((yc[:, None] - Xc @ W) ** 2).mean(0).reshape(w1.shape)  # L(w), b at its optimum

    def loss_at(w):
        return float(((yc - Xc @ w) ** 2).mean())

    t = np.linspace(0, 2 * np.pi, 300)
    balls = {
        "L2": (budget * np.cos(t), budget * np.sin(t), l2, l2[k]),
        "L1": ([budget, 0, -budget, 0, budget], [0, budget, 0, -budget, 0], l1, l1[i]),
    }
    with ctx.figure("l1_l2_geometry", ncols=2) as (fig, axes):
        for ax, (name, (bx, by, path, w)) in zip(axes, balls.items(), strict=True):
            levels = np.sort(np.r_[np.linspace(loss_at(w_ls), loss.max(), 12)[1:], loss_at(w)])
            ax.contour(w1, w2, loss, levels=levels, colors="C7", linewidths=0.6)
            ax.contour(w1, w2, loss, levels=[loss_at(w)], colors="C1", linewidths=1.5)
            ax.plot(bx, by, color="C0", label=f"||w||{'₂' if name == 'L2' else '₁'} = const")
            ax.plot(path[:, 0], path[:, 1], "C3-", lw=1, label=f"{name} solutions as λ grows")
            ax.plot(*w, "C3o", label=f"{name} solution: w = ({w[0]:.1f}, {w[1]:.1f})")
            ax.plot(*w_ls, "k*", ms=10, label="least squares")
            ax.axhline(0, color="k", lw=0.5)
            ax.axvline(0, color="k", lw=0.5)
            ax.set(
                xlabel=f"w ({names[j[0]]})",
                ylabel=f"w ({names[j[1]]})",
                title=f"{name}: contour of L(w) meets the norm ball",
                aspect="equal",
                xlim=(w1.min(), w1.max()),
                ylim=(w2.min(), w2.max()),
            )
            ax.legend(fontsize=6, loc="lower right")
