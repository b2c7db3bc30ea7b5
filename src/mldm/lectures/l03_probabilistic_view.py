"""L03 The probabilistic view of regression and classification (course-notes lines 603-895).

Regression as a Gaussian p(y|x) = N(y; xw, σ²) fitted by maximizing the log-likelihood
(numerically, with σ learned), classification as Bernoulli / categorical likelihoods, and
the two ways to predict from p(y|x): its mean and its maximum. A Gaussian prior on w turns
the MLE into the MAP estimate, which is ridge regression. statsmodels (OLS, Logit) and
scikit-learn (Ridge, log_loss) are the oracles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from mldm.config import LectureParams
from mldm.evaluation import regression_metrics, relative_error, worst
from mldm.lectures.claims import Claim, ClaimSet, le, lt

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Probabilistic view of regression and classification"
LINES = "603-895"
DATASETS = ("diabetes", "breast_cancer", "iris")


class Params(LectureParams):
    mle_max_epochs: int = Field(30, ge=1, description="LBFGS epochs maximizing log p(y|x)")
    sigma2: float = Field(1.0, gt=0, description="noise variance σ² of the MAP model")
    softmax_lr: float = Field(0.5, gt=0, description="GD rate of the iris softmax model")
    softmax_epochs: int = Field(200, ge=1)
    tau2_grid: list[float] = Field(
        [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 1e8],
        min_length=2,
        description="prior variances τ² for the MAP path",
    )


CLAIMS = ClaimSet(
    Claim(
        "gaussian_mle_is_least_squares",
        "Maximizing the Gaussian log-likelihood gives the least-squares w "
        "(relative difference to the normal equation, σ learned jointly)",
        "745-790",
        lt(1e-6),
        kind="identity",
    ),
    Claim(
        "sigma2_mle_is_mean_squared_residual",
        "…and the MLE of σ² is the mean squared residual RSS/N (relative difference)",
        "745-790",
        lt(1e-6),
        kind="identity",
    ),
    Claim(
        "log_likelihood_matches_statsmodels",
        "The maximized Gaussian log-likelihood equals statsmodels OLS llf (relative)",
        "765-771",
        lt(1e-8),
        kind="oracle",
    ),
    Claim(
        "gaussian_mean_equals_mode",
        "For a Gaussian p(y|x) the mean prediction ∫y p(y|x)dy and the MAP prediction "
        "argmax_y p(y|x) coincide: both read off our fitted density on one y-grid, the "
        "integral by the trapezoid rule, the argmax to the grid's resolution of half a step "
        "(max |difference| in grid steps; an unnormalized or skewed p fails)",
        "630-641",
        le(0.5 + 1e-3),
        kind="identity",
    ),
    Claim(
        "bernoulli_nll_is_cross_entropy",
        "−log of π^y(1−π)^(1−y) averaged over samples is the cross-entropy "
        "(|difference| to scikit-learn log_loss)",
        "823-845",
        lt(1e-12),
        kind="oracle",
    ),
    Claim(
        "logistic_mle_matches_statsmodels",
        "Logistic regression maximizes the Bernoulli likelihood: our fit equals statsmodels "
        "Logit's MLE (relative coefficient difference)",
        "823-845",
        lt(1e-6),
        kind="oracle",
    ),
    Claim(
        "categorical_nll_is_cross_entropy",
        "−log Π_k softmax_k(xW)^(y_k) averaged is the multi-class cross-entropy "
        "(|difference| to scikit-learn log_loss, iris)",
        "847-880",
        lt(1e-12),
        kind="oracle",
    ),
    Claim(
        "map_gaussian_prior_is_ridge",
        "MAP with a Gaussian prior N(0, τ²I) is ridge with λ = σ²/τ² "
        "(worst relative difference to scikit-learn Ridge over the τ² grid)",
        "745-790",
        lt(1e-8),
        kind="oracle",
    ),
    Claim(
        "map_flat_prior_is_mle",
        "As τ² → ∞ the prior flattens and MAP → MLE (relative difference at the largest τ²)",
        "745-790",
        lt(1e-6),
        kind="identity",
    ),
)


def train(ctx: Context) -> None:
    from mldm.models import (
        GaussianLinearRegression,
        LogisticRegression,
        MAPLinearRegression,
        SoftmaxRegression,
    )

    p = ctx.params
    d = ctx.data("diabetes").standardized()
    with ctx.run("gaussian_mle", max_epochs=p.mle_max_epochs):
        mle = GaussianLinearRegression(max_epochs=p.mle_max_epochs).fit(d.X_train, d.y_train)
        ctx.save_model("gaussian_mle", mle)
        ctx.save_curve(
            "nll_gaussian_mle", epoch=np.arange(len(mle.loss_curve_)), train_nll=mle.loss_curve_
        )
    for i, tau2 in enumerate(p.tau2_grid):
        with ctx.run(f"map_tau2_{tau2:g}", sigma2=p.sigma2, tau2=tau2):
            ctx.save_model(
                f"map_{i}",
                MAPLinearRegression(sigma2=p.sigma2, tau2=tau2).fit(d.X_train, d.y_train),
            )
    bc = ctx.data("breast_cancer")
    with ctx.run("logistic_mle"):
        # two features: not separable, so the Bernoulli MLE is finite (see L02)
        X = bc.standardized().X_train[:, :2]
        ctx.save_model("logistic_mle", LogisticRegression(solver="newton").fit(X, bc.y_train))
    iris = ctx.data("iris").standardized()
    with ctx.run("softmax_iris"):
        ctx.save_model(
            "softmax_iris",
            SoftmaxRegression(lr=p.softmax_lr, max_epochs=p.softmax_epochs).fit(
                iris.X_train, iris.y_train
            ),
        )


def evaluate(ctx: Context) -> None:
    import statsmodels.api as sm
    from sklearn.linear_model import Ridge
    from sklearn.metrics import log_loss

    from mldm.lectures.base import sweep_key
    from mldm.models.linear_regression import add_bias
    from mldm.models.probabilistic import (
        bernoulli_log_likelihood,
        categorical_log_likelihood,
        gaussian_log_likelihood,
        gaussian_mle,
    )

    p = ctx.params
    d = ctx.data("diabetes").standardized()
    Xb = add_bias(d.X_train)

    # --- regression: Gaussian likelihood (lines 730-790) ---------------------------------
    mle = ctx.load_model("gaussian_mle")
    w_ls, sigma2_ls = gaussian_mle(Xb, d.y_train)
    ols = sm.OLS(d.y_train, Xb).fit()
    ctx.measure("gaussian_mle_is_least_squares", relative_error(mle.w_, w_ls))
    ctx.measure("sigma2_mle_is_mean_squared_residual", relative_error(mle.sigma2_, sigma2_ls))
    ctx.measure(
        "log_likelihood_matches_statsmodels", abs(mle.log_likelihood_ - ols.llf) / abs(ols.llf)
    )
    with ctx.run("gaussian_mle"):
        ctx.record(
            "diabetes",
            "gaussian_mle",
            **regression_metrics("test", d.y_test, mle.predict(d.X_test)),
            sigma2=mle.sigma2_,
            train_log_likelihood=mle.log_likelihood_,
            test_log_likelihood=gaussian_log_likelihood(
                d.y_test, mle.predict(d.X_test), mle.sigma2_
            ),
        )
    ctx.record(
        "diabetes",
        "statsmodels_ols",
        **regression_metrics("test", d.y_test, ols.predict(add_bias(d.X_test))),
        sigma2=ols.ssr / len(d.y_train),
        train_log_likelihood=ols.llf,
    )

    # --- mean vs MAP prediction (lines 627-641) ------------------------------------------
    mean, mode = mle.predictive_mean_numeric(d.X_test), mle.predict_mode(d.X_test)
    ctx.measure("gaussian_mean_equals_mode", float(np.abs(mean - mode).max() / mle.grid_step()))

    # --- MAP with a Gaussian prior = ridge ------------------------------------------------
    gaps, path = [], []
    for i, tau2 in enumerate(p.tau2_grid):
        model = ctx.load_model(f"map_{i}")
        ridge = Ridge(alpha=p.sigma2 / tau2, solver="cholesky").fit(d.X_train, d.y_train)
        gaps.append(
            relative_error(
                np.r_[model.intercept_, model.coef_], np.r_[ridge.intercept_, ridge.coef_]
            )
        )
        path.append(model.coef_)
        ctx.record(
            "map_ridge_path",
            sweep_key("tau2_grid", i, len(p.tau2_grid)),  # the prior variance goes beside
            tau2=float(tau2),
            lambda_=p.sigma2 / tau2,
            **regression_metrics("test", d.y_test, model.predict(d.X_test)),
            weight_norm=float(np.linalg.norm(model.coef_)),
        )
    ctx.measure("map_gaussian_prior_is_ridge", worst(gaps))
    ctx.measure("map_flat_prior_is_mle", relative_error(np.r_[model.intercept_, model.coef_], w_ls))

    # --- classification: Bernoulli and categorical likelihoods (lines 792-880) -----------
    bc = ctx.data("breast_cancer")
    X2 = bc.standardized().X_train[:, :2]
    logit = ctx.load_model("logistic_mle")
    pi = logit.predict_proba(X2)[:, 1]
    nll = -bernoulli_log_likelihood(bc.y_train, pi) / len(pi)
    ctx.measure("bernoulli_nll_is_cross_entropy", abs(nll - log_loss(bc.y_train, pi)))
    sm_logit = sm.Logit(bc.y_train, add_bias(X2)).fit(
        disp=0, method="newton", tol=1e-12, maxiter=100
    )
    ctx.measure("logistic_mle_matches_statsmodels", relative_error(logit.w_, sm_logit.params))
    ctx.record(
        "breast_cancer_2d",
        "logistic_mle",
        train_log_likelihood=-nll * len(pi),
        train_cross_entropy=nll,
    )
    ctx.record("breast_cancer_2d", "statsmodels_logit", train_log_likelihood=sm_logit.llf)

    iris = ctx.data("iris").standardized()
    soft = ctx.load_model("softmax_iris")
    Pi = soft.predict_proba(iris.X_train)
    Y = np.eye(Pi.shape[1])[iris.y_train]
    cat_nll = -categorical_log_likelihood(Y, Pi) / len(Y)
    ctx.measure("categorical_nll_is_cross_entropy", abs(cat_nll - log_loss(iris.y_train, Pi)))
    ctx.record("iris", "softmax", train_cross_entropy=cat_nll)

    _figures(ctx, d, mle, p.tau2_grid, np.array(path))


def _figures(ctx: Context, d, mle, tau2_grid, path) -> None:
    from mldm.models import GaussianLinearRegression

    j = d.feature_names.index("bmi") if "bmi" in d.feature_names else 2
    one = GaussianLinearRegression(max_epochs=ctx.params.mle_max_epochs).fit(
        d.X_train[:, [j]], d.y_train
    )
    s = np.sqrt(one.sigma2_)
    with ctx.figure("gaussian_conditional", ncols=2) as (fig, (ax1, ax2)):
        xs = np.linspace(d.X_train[:, j].min(), d.X_train[:, j].max(), 100)
        mu = one.predict(xs[:, None])
        ax1.scatter(d.X_train[:, j], d.y_train, s=6, alpha=0.5, color="k")
        ax1.plot(xs, mu, label="mean xw")
        for k, alpha in ((1, 0.3), (2, 0.15)):
            ax1.fill_between(xs, mu - k * s, mu + k * s, alpha=alpha, color="C0", label=f"±{k}σ")
        ax1.set(
            xlabel="bmi (std.)",
            ylabel="disease progression",
            title="p(y|x) = N(y; xw, σ²), fitted by MLE",
        )
        ax1.legend()
        w1 = np.linspace(one.coef_[0] - 30, one.coef_[0] + 30, 200)
        resid = d.y_train[None, :] - one.intercept_ - w1[:, None] * d.X_train[None, :, j]
        ll = -0.5 * len(d.y_train) * np.log(2 * np.pi * one.sigma2_) - (resid**2).sum(1) / (
            2 * one.sigma2_
        )
        ax2.plot(w1, ll)
        ax2.axvline(one.coef_[0], color="k", ls="--", label="MLE = least squares")
        ax2.set(xlabel="w1", ylabel="log-likelihood", title="log p(y|X; w) around the MLE")
        ax2.legend()
    with ctx.figure("map_ridge_path") as (fig, ax):
        ax.semilogx(tau2_grid, path)
        ax.set(
            xlabel="prior variance τ²",
            ylabel="MAP weights",
            title="Gaussian prior = ridge: weights shrink as τ² → 0",
        )
