"""Model selection (lines 1156-1237): hold-out, K-fold and leave-one-out validation, AIC and
BIC, each checked against a library in :mod:`.by_degree`. Here: what each picks, over one draw
and over many fresh training sets (they find the true degree; BIC never picks above AIC), and
why the validation set must not be too small (the hold-out estimate's spread)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .by_degree import DegreeSweep, loo
from .common import CRITERIA, Split, ls, mse, phi, synthetic, true_degree

if TYPE_CHECKING:
    from mldm.lectures.base import Context


@dataclass(frozen=True)
class Replicates:
    """Over fresh synthetic training sets: each criterion's pick of the degree (one array per
    criterion, in ``CRITERIA`` order) and the degree-``l2_degree`` test MSE without L2 over
    that with L2."""

    picks: dict[str, np.ndarray]
    l2_ratio: np.ndarray

    def modes(self) -> dict[str, int]:
        """The degree each criterion picks most often."""
        return {c: int(np.bincount(v).argmax()) for c, v in self.picks.items()}


@dataclass(frozen=True)
class HoldoutSpread:
    """Hold-out MSE estimates of one model over many random splits, small vs large val."""

    small: np.ndarray
    large: np.ndarray
    small_fraction: float
    large_fraction: float

    @property
    def ratio(self) -> float:
        return float(self.small.std() / self.large.std())


def replicates(ctx: Context) -> Replicates:
    """Fresh synthetic training sets (streams (seed, 2, r)): each criterion's pick of the
    degree, and the test MSE of the degree-``l2_degree`` fit without and with L2."""
    from mldm.data.synthetic import noisy_polynomial
    from mldm.evaluation import cross_val_scores, holdout_split, kfold_splits
    from mldm.evaluation import least_squares_criteria as criteria
    from mldm.models import Ridge

    p = ctx.params
    s = p.synthetic
    test = synthetic(p, ctx.seed)
    folds = kfold_splits(s.n_train, p.k, True, ctx.seed)
    hold = [holdout_split(s.n_train, p.holdout.val_fraction, ctx.seed)]
    picks = {c: [] for c in CRITERIA}
    ratio = []
    for r in range(s.replicates):
        x, y = noisy_polynomial(s.n_train, s.coef, s.noise, s.x_range, (ctx.seed, 2, r))
        X = x[:, None]
        scores = {c: [] for c in CRITERIA}
        for d in range(1, p.max_degree + 1):
            Phi = phi(d, X)
            scores["holdout"].append(cross_val_scores(ls(), Phi, y, hold)[0])
            scores["kfold"].append(cross_val_scores(ls(), Phi, y, folds).mean())
            scores["loo"].append(loo(Phi, y))
            crit = criteria(Phi, y)
            scores["aic"].append(crit["aic"])
            scores["bic"].append(crit["bic"])
        for c in CRITERIA:
            picks[c].append(int(np.argmin(scores[c])) + 1)
        Phi, Phit = phi(p.l2_degree, X), phi(p.l2_degree, test.Xt)
        plain = mse(test.yt, ls().fit(Phi, y).predict(Phit))
        ridge = mse(test.yt, Ridge(alpha=len(y) * p.l2_lambda).fit(Phi, y).predict(Phit))
        ratio.append(plain / ridge)
    return Replicates({c: np.asarray(v) for c, v in picks.items()}, np.asarray(ratio))


def measure_checks(ctx: Context, syn: DegreeSweep, mcy: DegreeSweep) -> None:
    """Our K-fold, closed-form LOO, AIC and BIC against the libraries and the refits."""
    from mldm.evaluation import worst

    ctx.measure("kfold_matches_sklearn", worst(s.kfold_vs_sklearn for s in (syn, mcy)))
    ctx.measure("loo_closed_form_matches_brute_force", syn.loo_vs_refits)
    ctx.measure("aic_bic_match_statsmodels", worst(s.criteria_vs_statsmodels for s in (syn, mcy)))


def measure_picks(ctx: Context, syn: DegreeSweep, mcy: DegreeSweep, rep: Replicates) -> None:
    """BIC never picks above AIC; the modal pick of hold-out, K-fold, LOO and BIC is the true
    degree."""
    violations = int(np.sum(rep.picks["bic"] > rep.picks["aic"])) + sum(
        int(s.pick("bic") > s.pick("aic")) for s in (syn, mcy)
    )
    ctx.measure("bic_never_above_aic", violations)
    modes, true = rep.modes(), true_degree(ctx.params)
    ctx.measure(
        "selection_finds_true_degree",
        max(abs(modes[c] - true) for c in ("holdout", "kfold", "loo", "bic")),
    )


def holdout_spread(ctx: Context, mc: Split) -> HoldoutSpread:
    """Hold-out MSE of the hard-sigmoid model over many random splits, small vs large val
    (line 1176: the validation set must not be too small)."""
    from sklearn.pipeline import make_pipeline

    from mldm.evaluation import cross_val_scores, holdout_split
    from mldm.models import BasisFunctions

    p = ctx.params
    h = p.holdout
    pipe = make_pipeline(BasisFunctions(kind="hard_sigmoid", n_basis=p.hard_sigmoid_pieces), ls())
    seeds = np.random.SeedSequence(ctx.seed).generate_state(h.repeats)
    est = {}
    for key, frac in (("small", h.small_val_fraction), ("large", h.val_fraction)):
        splits = [holdout_split(len(mc.y), frac, int(s)) for s in seeds]
        est[key] = np.array([cross_val_scores(pipe, mc.X, mc.y, [sp])[0] for sp in splits])
        ctx.record(
            "mcycle_holdout_spread",
            f"{key}_val",
            val_fraction=frac,
            n_val=len(splits[0][1]),
            val_mse_mean=float(est[key].mean()),
            val_mse_std=float(est[key].std()),
            val_mse_q05=float(np.quantile(est[key], 0.05)),
            val_mse_q95=float(np.quantile(est[key], 0.95)),
        )
    spread = HoldoutSpread(est["small"], est["large"], h.small_val_fraction, h.val_fraction)
    ctx.measure("small_validation_set_is_noisy", spread.ratio)
    return spread


CRITERION_NAMES = {
    "train": "training MSE (never use)",
    "holdout": "hold-out validation MSE",
    "kfold": "K-fold CV MSE",
    "loo": "leave-one-out MSE",
    "aic": "AIC = 2M − 2 log l",
    "bic": "BIC = M log N − 2 log l",
    "test": "test MSE (unknowable in practice)",
}


def tables(ctx: Context, syn: DegreeSweep, mcy: DegreeSweep, rep: Replicates) -> None:
    """Each criterion's pick on the two datasets, and over the replicates."""
    p = ctx.params
    true = true_degree(p)
    ctx.table(
        "degree_picks",
        ["criterion", f"synthetic (true degree {true})", "mcycle"],
        [[name, syn.pick(c), mcy.pick(c)] for c, name in CRITERION_NAMES.items()],
        note=(
            f"Degrees 1-{p.max_degree} (synthetic, N = {p.synthetic.n_train}) and "
            f"1-{p.mcycle_max_degree} (mcycle, N = {mcy.n} training points); K-fold with "
            f"K = {p.k}, hold-out with {p.holdout.val_fraction:.0%} held out. The lecture prints "
            "no numbers here. Line 1233 labels the BIC formula 'AIC'; it is BIC. With N = 20 "
            "AIC's penalty of 2 per parameter is too weak: it often picks a high degree (see "
            "selection_over_replicates), which BIC's log N avoids more often."
        ),
    )
    modes = rep.modes()
    for c, v in rep.picks.items():
        ctx.record(
            "selection_over_replicates",
            c,
            modal_degree=modes[c],
            share_true_degree=float(np.mean(v == true)),
            share_above_true_degree=float(np.mean(v > true)),
            mean_degree=float(v.mean()),
        )
