"""The mcycle models side by side: the polynomial K-fold picks, a constant plus hard sigmoids
(a polyline, lines 941-955), and the final model, standardized x -> polynomial basis -> Ridge
with the degree and α the ``l04_poly_ridge`` study tunes by K-fold CV."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .by_degree import DegreeSweep
from .common import Split, ls, mcycle, phi, poly_ridge

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def train(ctx: Context) -> None:
    from mldm.models import BasisFunctions

    p = ctx.params
    mc = mcycle(ctx)
    with ctx.run("mcycle_hard_sigmoid", pieces=p.hard_sigmoid_pieces):
        basis = BasisFunctions(kind="hard_sigmoid", n_basis=p.hard_sigmoid_pieces)
        Phi = basis.fit_transform(mc.X)
        ctx.save_model("mcycle_hard_sigmoid_basis", basis)
        ctx.save_model("mcycle_hard_sigmoid", ls().fit(Phi, mc.y))
    with ctx.run("poly_ridge", **p.poly_ridge.model_dump()):
        raw = ctx.data("mcycle")
        pipe = poly_ridge(p.poly_ridge).fit(raw.X_train, raw.y_train)
        ctx.save_model("poly_ridge", pipe[-1])  # scaler and basis are refitted from the data


def evaluate(ctx: Context, mc: Split, mcy: DegreeSweep) -> None:
    from sklearn.pipeline import make_pipeline

    from mldm.evaluation import cross_val_scores, kfold_splits, regression_metrics
    from mldm.models import BasisFunctions

    p = ctx.params
    raw = ctx.data("mcycle")
    # the scaler and basis refitted on the same training split, the Ridge from train
    pipe = poly_ridge(p.poly_ridge).fit(raw.X_train, raw.y_train)
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
                cross_val_scores(poly_ridge(p.poly_ridge), raw.X_train, raw.y_train, folds).mean()
            ),
            **regression_metrics("test", raw.y_test, pipe.predict(raw.X_test)),
        )
    best = mcy.pick("kfold")
    model = ctx.load_model(f"mcycle_deg{best}")
    ctx.record(
        "mcycle_models",
        "polynomial_kfold_pick",
        degree=best,
        **regression_metrics("train", mc.y, model.predict(phi(best, mc.X))),
        cv_mse=float(mcy.kfold[best - 1]),
        **regression_metrics("test", mc.yt, model.predict(phi(best, mc.Xt))),
    )
    basis, hs = ctx.load_model("mcycle_hard_sigmoid_basis"), ctx.load_model("mcycle_hard_sigmoid")
    hs_pipe = make_pipeline(
        BasisFunctions(kind="hard_sigmoid", n_basis=p.hard_sigmoid_pieces), ls()
    )
    ctx.record(
        "mcycle_models",
        "hard_sigmoids",
        n_basis=p.hard_sigmoid_pieces,
        **regression_metrics("train", mc.y, hs.predict(basis.transform(mc.X))),
        cv_mse=float(cross_val_scores(hs_pipe, mc.X, mc.y, folds).mean()),
        **regression_metrics("test", mc.yt, hs.predict(basis.transform(mc.Xt))),
    )
