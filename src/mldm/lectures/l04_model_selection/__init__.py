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

from .claims import CLAIMS
from .params import Params
from .tuning import TUNABLE

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Basis functions, overfitting, model selection and regularization"
LINES = "896-1334"
DATASETS = ("mcycle", "diabetes")

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "TUNABLE", "Params", "evaluate", "train"]


def train(ctx: Context) -> None:
    from . import by_degree, mcycle_models, regularization

    by_degree.train(ctx)  # polynomials of degree 1..D, synthetic and mcycle
    mcycle_models.train(ctx)  # hard sigmoids and the tuned poly_ridge
    regularization.train(ctx)  # L2 on the synthetic degree-12 fit; L2 and L1 on diabetes


def evaluate(ctx: Context) -> None:
    from . import basis, by_degree, figures, mcycle_models, regularization, selection
    from .common import mcycle, synthetic

    p = ctx.params
    syn, mc = synthetic(p, ctx.seed), mcycle(ctx)
    basis.evaluate(ctx, syn)  # lines 941-1038

    # overfitting, by degree (lines 1063-1135, 1181-1186)
    syn_sweep = by_degree.sweep(ctx, "synthetic", syn, p.max_degree)
    mc_sweep = by_degree.sweep(ctx, "mcycle", mc, p.mcycle_max_degree)
    by_degree.measure_overfitting(ctx, syn_sweep, mc_sweep)

    # model selection (lines 1156-1237)
    selection.measure_checks(ctx, syn_sweep, mc_sweep)
    rep = selection.replicates(ctx)
    selection.measure_picks(ctx, syn_sweep, mc_sweep, rep)
    spread = selection.holdout_spread(ctx, mc)
    selection.tables(ctx, syn_sweep, mc_sweep, rep)
    mcycle_models.evaluate(ctx, mc, mc_sweep)

    # regularization (lines 1247-1329)
    syn_l2, reg = regularization.evaluate(ctx, syn, rep)

    figures.basis(ctx)
    figures.fits(ctx, syn, mc, syn_sweep, mc_sweep)
    figures.errors(ctx, syn_sweep, mc_sweep)
    figures.selection(ctx, syn_sweep, mc_sweep, rep, spread)
    figures.regularization(ctx, syn, syn_l2, reg)
