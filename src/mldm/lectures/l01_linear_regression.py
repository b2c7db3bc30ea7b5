"""L01 Linear regression (course-notes lines 1-297).

Fits the lecture's estimators (normal equation, GD, mini-batch SGD with shuffled and
segmented batches, Newton) on diabetes and on the lecture's own house table, and checks
what the slides say: the normal equation is least squares and makes the residual orthogonal
to span(X); GD and SGD converge to it; Newton needs one step on a quadratic; a mini-batch
gradient is an unbiased estimate of the full gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from mldm.config import LectureParams, Strict
from mldm.evaluation import regression_metrics, relative_error, worst
from mldm.lectures.claims import Claim, ClaimSet, equals, lt

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Linear regression"
LINES = "1-297"
DATASETS = ("house", "diabetes")


class GD(Strict):
    # r < 2/λ_max(2/n XᵀX) ≈ 0.2485 on standardized diabetes; λ_min ≈ 0.017 sets the pace
    lr: float = Field(0.24, gt=0, description="learning rate r")
    max_epochs: int = Field(1500, ge=1)


class SGD(Strict):
    lr: float = Field(0.05, gt=0)
    max_epochs: int = Field(200, ge=1)
    batch_size: int = Field(32, ge=1)


class Params(LectureParams):
    gd: GD = GD()
    sgd: SGD = SGD()
    unbiased_draws: int = Field(4000, ge=10, description="random mini-batches for E[g_B]")


CLAIMS = ClaimSet(
    Claim(
        "normal_equation_is_least_squares",
        "The normal equation w* = (XᵀX)⁻¹Xᵀy gives the least-squares solution "
        "(max relative difference to numpy lstsq and scikit-learn)",
        "143-153",
        lt(1e-8),
        kind="oracle",
    ),
    Claim(
        "residual_orthogonal_to_span",
        "y − Xw* ⊥ span(X): Xᵀ(y − Xw*) = 0 (relative to ‖X‖‖y‖)",
        "188-194",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "single_feature_closed_form",
        "The 1-feature closed form for w0, w1 equals the normal equation (house size → price)",
        "66-81, 155-157",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "house_table_singular",
        "On the slide's 4-house table (4 samples, 5 parameters) XᵀX is singular: rank",
        "19-23, 118-124",
        equals(4),
        kind="worked_example",
    ),
    Claim(
        "house_table_min_norm_fits",
        "…so the pseudo-inverse (minimum-norm) solution reproduces every price "
        "(max |residual|, $1000)",
        "19-23, 143-153",
        lt(1e-6),
        kind="worked_example",
    ),
    Claim(
        "gd_converges",
        "Gradient descent converges to w* (relative distance ‖w_GD − w*‖/‖w*‖)",
        "202-222",
        lt(1e-3),
        kind="effect",
    ),
    Claim(
        "gd_loss_monotone",
        "With a small enough r every GD step lowers L(w) (largest increase between epochs)",
        "202-222",
        lt(1e-12),
        kind="effect",
    ),
    Claim(
        "sgd_shuffle_near_optimum",
        "Mini-batch SGD (shuffled batches) reaches the optimum up to gradient noise "
        "(relative excess training MSE)",
        "224-253",
        lt(0.05),
        kind="effect",
    ),
    Claim(
        "sgd_segment_near_optimum",
        "Mini-batch SGD (segmented batches) reaches the optimum up to gradient noise "
        "(relative excess training MSE)",
        "224-253",
        lt(0.05),
        kind="effect",
    ),
    Claim(
        "minibatch_gradient_unbiased_exact",
        "Mini-batch gradients of one epoch average to the full gradient "
        "(max |mean g_B − ∇L|, equal batches)",
        "255-267",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "minibatch_gradient_unbiased_mc",
        "E_B[g_B] = ∇L: the mean of random mini-batch gradients approaches the full "
        "gradient (relative error)",
        "255-267",
        lt(0.05),
        kind="identity",
    ),
    Claim(
        "newton_one_step",
        "Newton's method (no learning rate) reaches the optimum of the quadratic L in one "
        "step (relative excess loss after step 1)",
        "271-284",
        lt(1e-10),
        kind="identity",
    ),
)


def _house_size_price(ctx: Context):
    house = ctx.data("house")
    return house.X_train[:, 0], house.y_train


def train(ctx: Context) -> None:
    from mldm.models import LinearRegression

    p = ctx.params
    d = ctx.data("diabetes").standardized()
    models = {
        "normal_equation": LinearRegression(solver="normal"),
        "gd": LinearRegression(solver="gd", lr=p.gd.lr, max_epochs=p.gd.max_epochs),
        **{
            f"sgd_{order}": LinearRegression(
                solver="sgd",
                lr=p.sgd.lr,
                max_epochs=p.sgd.max_epochs,
                batch_size=p.sgd.batch_size,
                batch_order=order,
                random_state=ctx.seed,
            )
            for order in ("shuffle", "segment")  # the two ways to cut mini-batches
        },
        "newton": LinearRegression(solver="newton", newton_steps=1),
    }
    for name, model in models.items():
        with ctx.run(name, **model.get_params()):
            model.fit(d.X_train, d.y_train)
            ctx.save_model(name, model, example=d.X_train[:5])
            ctx.save_curve(
                f"loss_{name}", epoch=np.arange(len(model.loss_curve_)), train_mse=model.loss_curve_
            )

    house = ctx.data("house")
    with ctx.run("house_table"):
        ctx.save_model(
            "house_all_features",
            LinearRegression(solver="normal").fit(house.X_train, house.y_train),
            example=house.X_train[:5],
        )


def _single_feature(ctx: Context) -> dict:
    from mldm.models.linear_regression import add_bias, normal_equation, single_feature_fit

    x, y = _house_size_price(ctx)
    w0, w1 = single_feature_fit(x, y)
    w_ne, _ = normal_equation(add_bias(x[:, None]), y)
    ctx.measure("single_feature_closed_form", relative_error([w0, w1], w_ne))
    return {"w0": w0, "w1": w1}


def evaluate(ctx: Context) -> None:
    from sklearn.linear_model import LinearRegression as SkLinearRegression

    from mldm.models.linear_regression import add_bias, minibatch_gradients, mse, mse_gradient

    p = ctx.params
    d = ctx.data("diabetes").standardized()
    Xb = add_bias(d.X_train)
    models = {
        name: ctx.load_model(name)
        for name in ("normal_equation", "gd", "sgd_shuffle", "sgd_segment", "newton")
    }
    w_star = models["normal_equation"].w_
    L_star = mse(Xb, d.y_train, w_star)

    for name, model in models.items():
        with ctx.run(name):
            ctx.record(
                "diabetes",
                name,
                **regression_metrics("train", d.y_train, model.predict(d.X_train)),
                **regression_metrics("test", d.y_test, model.predict(d.X_test)),
                distance_to_w_star=relative_error(model.w_, w_star),
            )
    sk = SkLinearRegression().fit(d.X_train, d.y_train)
    w_sk = np.r_[sk.intercept_, sk.coef_]
    ctx.record(
        "diabetes",
        "sklearn_reference",
        **regression_metrics("train", d.y_train, sk.predict(d.X_train)),
        **regression_metrics("test", d.y_test, sk.predict(d.X_test)),
        distance_to_w_star=relative_error(w_sk, w_star),
    )

    # --- the normal equation and its geometry (lines 143-194) ---------------------------
    w_lstsq = np.linalg.lstsq(Xb, d.y_train, rcond=None)[0]
    ctx.measure(
        "normal_equation_is_least_squares",
        worst((relative_error(w_star, w_lstsq), relative_error(w_star, w_sk))),
    )
    residual = d.y_train - Xb @ w_star
    ctx.measure(
        "residual_orthogonal_to_span",
        float(np.abs(Xb.T @ residual).max() / (np.linalg.norm(Xb) * np.linalg.norm(d.y_train))),
    )

    # --- numerical optimisation (lines 202-284) ------------------------------------------
    gd = models["gd"]
    ctx.measure("gd_converges", relative_error(gd.w_, w_star))
    ctx.measure("gd_loss_monotone", float(max(np.diff(gd.loss_curve_).max(), 0.0)))
    for order in ("shuffle", "segment"):
        excess = (models[f"sgd_{order}"].loss_curve_[-1] - L_star) / L_star
        ctx.measure(f"sgd_{order}_near_optimum", float(excess))
    newton = models["newton"]
    ctx.measure("newton_one_step", float((newton.loss_curve_[1] - L_star) / L_star))

    # --- the mini-batch gradient is unbiased (lines 255-270) -----------------------------
    w0 = np.zeros(Xb.shape[1])  # any w; the start of training is where it matters most
    full = mse_gradient(Xb, d.y_train, w0)
    n = len(Xb) - len(Xb) % p.sgd.batch_size  # equal batches: the epoch mean is exact
    batches = minibatch_gradients(Xb[:n], d.y_train[:n], w0, p.sgd.batch_size, "shuffle", ctx.seed)
    ctx.measure(
        "minibatch_gradient_unbiased_exact",
        float(np.abs(batches.mean(0) - mse_gradient(Xb[:n], d.y_train[:n], w0)).max()),
    )
    rng = np.random.default_rng(ctx.seed)
    idx = np.stack(
        [rng.choice(len(Xb), p.sgd.batch_size, replace=False) for _ in range(p.unbiased_draws)]
    )  # (draws, |B|)
    residuals = Xb[idx] @ w0 - d.y_train[idx]  # (draws, |B|)
    g_B = 2.0 / p.sgd.batch_size * np.einsum("dbk,db->dk", Xb[idx], residuals)
    ctx.measure("minibatch_gradient_unbiased_mc", relative_error(g_B.mean(0), full))

    # --- the lecture's house table (lines 19-23, 118-124) --------------------------------
    house = ctx.data("house")
    hm = ctx.load_model("house_all_features")
    ctx.measure("house_table_singular", int(hm.rank_))
    fitted = hm.predict(house.X_train)
    ctx.measure("house_table_min_norm_fits", float(np.abs(fitted - house.y_train).max()))
    single = _single_feature(ctx)
    x, y = _house_size_price(ctx)
    ctx.table(
        "house_table",
        [
            "size (ft²)",
            "bedrooms",
            "floors",
            "age",
            "price ($1000, slide)",
            "all-feature min-norm fit",
            "size-only fit w0 + w1·size",
        ],
        [
            [*row, price, fit, single["w0"] + single["w1"] * row[0]]
            for row, price, fit in zip(
                house.X_train.tolist(), y.tolist(), fitted.tolist(), strict=True
            )
        ],
        note=(
            f"Single-feature closed form: w0 = {single['w0']:.4f}, "
            f"w1 = {single['w1']:.5f} ($1000 per ft²). The slide prints no fitted values; "
            "with 4 houses and 5 parameters the all-feature fit interpolates."
        ),
    )
    _figures(ctx, models, L_star, d)


def _figures(ctx: Context, models, L_star: float, d) -> None:
    with ctx.figure("loss_curves") as (fig, ax):
        for name in ("gd", "sgd_shuffle", "sgd_segment", "newton"):
            curve = models[name].loss_curve_
            ax.semilogy(
                np.arange(len(curve)),
                curve - L_star + 1e-16,
                label=name,
                marker="o" if name == "newton" else None,
            )
        ax.set(
            xlabel="epoch (Newton: step)",
            ylabel="L(w) − L(w*)",
            title="Diabetes: convergence to the normal equation",
        )
        ax.legend()
    x, y = _house_size_price(ctx)
    from mldm.models.linear_regression import single_feature_fit

    w0, w1 = single_feature_fit(x, y)
    with ctx.figure("house_single_feature", ncols=2) as (fig, (ax1, ax2)):
        grid = np.linspace(x.min() * 0.9, x.max() * 1.1, 50)
        ax1.scatter(x, y, color="k", zorder=3, label="slide table")
        ax1.plot(grid, w0 + w1 * grid, label=f"ŷ = {w0:.1f} + {w1:.4f}·x")
        ax1.set(xlabel="size (ft²)", ylabel="price ($1000)", title="House table, one feature")
        ax1.legend()
        # L(w1) with w0 = 0 is a parabola: mean(x²) w1² − 2 mean(xy) w1 + mean(y²) (line 55)
        w1s = np.linspace(0, 2 * (x * y).mean() / (x**2).mean(), 100)
        ax2.plot(w1s, (x**2).mean() * w1s**2 - 2 * (x * y).mean() * w1s + (y**2).mean())
        ax2.set(xlabel="w1 (w0 = 0)", ylabel="L(w1)", title="The cost is quadratic in w1")
    with ctx.figure("diabetes_predictions") as (fig, ax):
        pred = models["normal_equation"].predict(d.X_test)
        ax.scatter(d.y_test, pred, s=10, alpha=0.7)
        lims = [min(d.y_test.min(), pred.min()), max(d.y_test.max(), pred.max())]
        ax.plot(lims, lims, "k--", lw=1)
        ax.set(xlabel="true (test)", ylabel="predicted", title="Diabetes: normal equation")
