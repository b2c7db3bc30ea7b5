"""Overfitting, by degree (lines 1063-1135, 1181-1186): polynomials of degree 1..D fitted to
the synthetic cubic and to mcycle, and every error estimate and criterion the lecture
defines (training, hold-out, K-fold, leave-one-out, AIC, BIC, test) for each degree, checked
against scikit-learn and statsmodels on the way. Training error never rises with the degree;
validation and test error turn back up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .common import CRITERIA, Split, ls, mcycle, mse, phi, synthetic

if TYPE_CHECKING:
    from mldm.lectures.base import Context


@dataclass(frozen=True)
class DegreeSweep:
    """The error estimates of degrees 1..D on one dataset (``train[d - 1]`` is degree d's)."""

    name: str
    n: int  # training points
    degree: np.ndarray
    train: np.ndarray
    test: np.ndarray
    holdout: np.ndarray
    kfold: np.ndarray
    loo: np.ndarray
    aic: np.ndarray
    bic: np.ndarray
    kfold_vs_sklearn: float  # max relative difference of our K-fold MSE from cross_val_score
    loo_vs_refits: float  # max relative difference of the closed-form LOO from N refits
    criteria_vs_statsmodels: float  # max |Δ| of our AIC/BIC from statsmodels OLS

    def pick(self, criterion: str) -> int:
        """The degree a criterion (``CRITERIA``, ``train`` or ``test``) picks: its argmin."""
        return int(np.argmin(getattr(self, criterion))) + 1


def train(ctx: Context) -> None:
    p = ctx.params
    d = synthetic(p, ctx.seed)
    with ctx.run("synthetic_by_degree", max_degree=p.max_degree):
        for k in range(1, p.max_degree + 1):
            ctx.save_model(f"synthetic_deg{k}", ls().fit(phi(k, d.X), d.y))
    mc = mcycle(ctx)
    with ctx.run("mcycle_by_degree", max_degree=p.mcycle_max_degree):
        for k in range(1, p.mcycle_max_degree + 1):
            ctx.save_model(f"mcycle_deg{k}", ls().fit(phi(k, mc.X), mc.y))


def loo(Phi, y) -> float:
    """Leave-one-out MSE in closed form, mean (e_i/(1−h_ii))² (lines 1194-1200); N refits
    where a point has leverage 1."""
    from mldm.evaluation import cross_val_scores, leave_one_out_splits, loo_mse

    try:
        return loo_mse(Phi, y)
    except ValueError:  # h_ii = 1: the closed form is undefined, the refits are not
        return float(cross_val_scores(ls(), Phi, y, leave_one_out_splits(len(y))).mean())


def max_leverage(Phi) -> float:
    """max_i h_ii of the least-squares hat matrix H = [1, Φ][1, Φ]⁺ (rows of U from the SVD)."""
    from mldm.models.linear_regression import add_bias

    U, s, _ = np.linalg.svd(add_bias(Phi), full_matrices=False)
    U = U[:, s > s[0] * max(U.shape) * np.finfo(float).eps]
    return float(np.einsum("ij,ij->i", U, U).max())


def sweep(ctx: Context, name: str, data: Split, max_degree: int) -> DegreeSweep:
    """Every error estimate and criterion for degrees 1..max_degree of one dataset."""
    import statsmodels.api as sm
    from sklearn.model_selection import KFold, cross_val_score

    from mldm.evaluation import (
        cross_val_scores,
        holdout_split,
        kfold_splits,
        least_squares_criteria,
        leave_one_out_splits,
        worst,
    )
    from mldm.lectures.base import sweep_key
    from mldm.models import Ridge
    from mldm.models.linear_regression import add_bias

    p = ctx.params
    X, y, Xt, yt = data.X, data.y, data.Xt, data.yt
    n = len(y)
    folds = kfold_splits(n, p.k, True, ctx.seed)
    sk_folds = KFold(p.k, shuffle=True, random_state=ctx.seed)
    hold = holdout_split(n, p.holdout.val_fraction, ctx.seed)
    rows = {key: [] for key in ("train", "test", *CRITERIA)}
    kfold_gap, loo_gap, criteria_gap = [], [], []
    for d in range(1, max_degree + 1):
        Phi, Phit = phi(d, X), phi(d, Xt)
        model = ctx.load_model(f"{name}_deg{d}")
        rows["train"].append(mse(y, model.predict(Phi)))
        rows["test"].append(mse(yt, model.predict(Phit)))
        rows["holdout"].append(float(cross_val_scores(ls(), Phi, y, [hold])[0]))
        cv = float(cross_val_scores(ls(), Phi, y, folds).mean())
        rows["kfold"].append(cv)
        sk_cv = -cross_val_score(ls(), Phi, y, cv=sk_folds, scoring="neg_mean_squared_error")
        kfold_gap.append(abs(cv / sk_cv.mean() - 1))
        loo_d = loo(Phi, y)
        rows["loo"].append(loo_d)
        leverage = max_leverage(Phi)
        if name == "synthetic" and leverage < 1 - 1e-6:
            # N refits by lstsq (Ridge α = 0): the normal equation's squared condition
            # number would make the refits, not the closed form, the inaccurate side
            refits = cross_val_scores(Ridge(alpha=0.0), Phi, y, leave_one_out_splits(n)).mean()
            loo_gap.append(abs(loo_d / refits - 1))
        crit = least_squares_criteria(Phi, y)  # AIC = 2M − 2 log l, BIC = M log N − 2 log l
        rows["aic"].append(crit["aic"])
        rows["bic"].append(crit["bic"])
        ols = sm.OLS(y, add_bias(Phi)).fit()
        criteria_gap.append(max(abs(crit["aic"] - ols.aic), abs(crit["bic"] - ols.bic)))
        with ctx.run(f"{name}_degree_{d}", degree=d):
            ctx.record(
                f"{name}_by_degree",
                sweep_key("degree_sweep", d - 1, max_degree),
                degree=d,
                train_mse=rows["train"][-1],
                holdout_val_mse=rows["holdout"][-1],
                cv_mse=cv,
                loo_mse=loo_d,
                max_leverage=leverage,
                test_mse=rows["test"][-1],
                aic=crit["aic"],
                bic=crit["bic"],
            )
    out = DegreeSweep(
        name=name,
        n=n,
        degree=np.arange(1, max_degree + 1),
        **{k: np.asarray(v) for k, v in rows.items()},
        kfold_vs_sklearn=worst(kfold_gap),
        loo_vs_refits=worst(loo_gap),
        criteria_vs_statsmodels=worst(criteria_gap),
    )
    ctx.save_curve(
        f"error_by_degree_{name}",
        degree=out.degree,
        train_mse=out.train,
        holdout_val_mse=out.holdout,
        cv_mse=out.kfold,
        loo_mse=out.loo,
        test_mse=out.test,
    )
    return out


def to_nearer_end(degree: int, max_degree: int) -> int:
    """Steps from a picked degree to the nearer end of the sweep 1..max_degree (0 at an end)."""
    return int(min(degree - 1, max_degree - degree))


def measure_overfitting(ctx: Context, syn: DegreeSweep, mcy: DegreeSweep) -> None:
    """Training error never rises; validation and test error turn back up at an interior
    degree; the highest degree overfits and the straight line underfits."""
    p = ctx.params
    sweeps = (syn, mcy)
    increases = sum(int(np.sum(np.diff(s.train) > 1e-9 * s.train[:-1])) for s in sweeps)
    ctx.measure("train_mse_never_increases", increases)
    ctx.measure("synthetic_test_min_interior", to_nearer_end(syn.pick("test"), p.max_degree))
    ctx.measure("mcycle_cv_min_interior", to_nearer_end(mcy.pick("kfold"), p.mcycle_max_degree))
    ctx.measure("synthetic_overfit_ratio", float(syn.kfold[-1] / syn.kfold.min()))
    ctx.measure("mcycle_overfit_ratio", float(mcy.kfold[-1] / mcy.kfold.min()))
    ctx.measure("degree1_underfits", min(float(s.test[0] / s.test.min()) for s in sweeps))
