"""L02 Linear classifiers (course-notes lines 298-602).

Logistic regression with the cross-entropy loss (Newton and GD) and with the squared loss
the slides reject, one-vs-all and softmax regression on three multi-class sets, and the
K = 2 identity softmax_1(xW) = σ(x(w1 − w2)). scikit-learn's LogisticRegression is the
oracle on the same splits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from mldm.config import LectureParams, Strict
from mldm.evaluation import accuracy, classification_metrics, relative_error, worst
from mldm.lectures.claims import Claim, ClaimSet, equals, gt, lt
from mldm.tuning.tunable import Tunable

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Linear classifiers"
LINES = "298-602"
DATASETS = ("breast_cancer", "iris", "wine", "digits")
MULTICLASS = ("iris", "wine", "digits")
# mean radius, mean texture: a 2-D problem that is not linearly separable, so the
# unregularized MLE exists and Newton's and scikit-learn's optima can be compared.
FEATURES_2D = (0, 1)


class GD(Strict):
    lr: float = Field(gt=0, description="learning rate r")
    max_epochs: int = Field(ge=1)


class Softmax(GD):
    weight_decay: float = Field(0.0, ge=0, description="L2 weight decay λ' (L04)")


class Params(LectureParams):
    gd: GD = GD(lr=0.5, max_epochs=300)
    softmax: Softmax = Softmax(lr=0.5, max_epochs=300)
    one_vs_all: GD = GD(lr=1.0, max_epochs=300)
    far_init: float = Field(8.0, gt=0, description="‖w_init‖ of the confidently wrong start")
    far_init_epochs: int = Field(200, ge=1)


CLAIMS = ClaimSet(
    Claim(
        "cross_entropy_hessian_psd",
        "The cross-entropy Hessian Σ xxᵀσ(1−σ)/N is positive semi-definite, so the loss is "
        "convex (min eigenvalue over the GD trajectory)",
        "365-373",
        gt(-1e-12),
        kind="effect",
    ),
    Claim(
        "squared_loss_nonconvex",
        "The squared loss (σ(xw) − y)² is not convex: its second derivative along a line "
        "through w* goes negative (min d²L/dt²)",
        "376-390",
        lt(0.0),
        kind="effect",
    ),
    Claim(
        "newton_matches_sklearn",
        "Logistic regression by Newton equals scikit-learn's unpenalized fit "
        "(relative coefficient difference, breast_cancer 2 features)",
        "412-424",
        lt(1e-5),
        kind="oracle",
    ),
    Claim(
        "gd_accuracy_matches_sklearn",
        "GD on the cross-entropy reaches scikit-learn's test accuracy "
        "(|difference|, breast_cancer 30 features)",
        "426-432",
        lt(0.03),
        kind="oracle",
    ),
    Claim(
        "decision_rule_is_linear",
        "σ(xw) ≥ 0.5 ⇔ xw ≥ 0: the decision boundary is the hyperplane xw = 0 "
        "(disagreements on the test set)",
        "446-478",
        equals(0),
        kind="identity",
    ),
    Claim(
        "squared_loss_stalls_from_wrong_start",
        "From a confidently wrong start the squared loss's gradient (σ−y)σ(1−σ)x vanishes "
        "while the cross-entropy's (σ−y)x does not: train accuracy gap CE − squared after "
        "the same GD epochs",
        "386-398, 436-444",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "softmax_k2_is_sigmoid",
        "For K = 2, softmax_1(xW) = σ(x(w1 − w2)) (max abs difference, trained W)",
        "553-578",
        lt(1e-12),
        kind="identity",
    ),
    Claim(
        "softmax_k2_is_logistic_regression",
        "Binary softmax regression is logistic regression with w = w1 − w2: GD with rate r "
        "on softmax equals GD with 2r on the logistic loss (relative difference)",
        "553-578",
        lt(1e-8),
        kind="identity",
    ),
    Claim(
        "softmax_matches_sklearn",
        "Softmax regression matches scikit-learn's multinomial logistic regression "
        "(worst test-accuracy gap over iris, wine, digits)",
        "530-602",
        lt(0.03),
        kind="oracle",
    ),
    Claim(
        "one_vs_all_matches_sklearn",
        "One-vs-all with argmax_i f_i(x) matches scikit-learn's one-vs-rest logistic "
        "regression (worst test-accuracy gap over iris, wine, digits)",
        "498-528",
        lt(0.03),
        kind="oracle",
    ),
)


def _bc2(ctx: Context):
    d = ctx.data("breast_cancer")
    import dataclasses

    cols = list(FEATURES_2D)
    return dataclasses.replace(
        d, X_train=d.X_train[:, cols], X_test=d.X_test[:, cols]
    ).standardized()


def train(ctx: Context) -> None:
    from mldm.models import LogisticRegression, OneVsAllClassifier, SoftmaxRegression

    p = ctx.params
    bc2, bc = _bc2(ctx), ctx.data("breast_cancer").standardized()

    def fit(name, model, X, y):
        with ctx.run(name, **{k: v for k, v in model.get_params().items() if k != "estimator"}):
            model.fit(X, y)
            ctx.save_model(name, model, example=X[:5])
            if hasattr(model, "loss_curve_"):
                ctx.save_curve(
                    f"loss_{name}",
                    epoch=np.arange(len(model.loss_curve_)),
                    train_loss=model.loss_curve_,
                )
        return model

    newton = fit("bc2_newton", LogisticRegression(solver="newton"), bc2.X_train, bc2.y_train)
    for loss in ("cross_entropy", "squared"):
        fit(
            f"bc_gd_{loss}",
            LogisticRegression(loss=loss, solver="gd", lr=p.gd.lr, max_epochs=p.gd.max_epochs),
            bc.X_train,
            bc.y_train,
        )
        # confidently wrong start: w pointing against the optimum
        w_far = -p.far_init * newton.w_ / np.linalg.norm(newton.w_)
        fit(
            f"bc2_far_{loss}",
            LogisticRegression(
                loss=loss,
                solver="gd",
                lr=p.gd.lr,
                max_epochs=p.far_init_epochs,
                w_init=w_far.tolist(),
            ),
            bc2.X_train,
            bc2.y_train,
        )
    # K = 2: softmax with r against logistic with 2r, same epochs, both from zero
    fit(
        "bc2_softmax_k2",
        SoftmaxRegression(lr=p.softmax.lr, max_epochs=p.softmax.max_epochs),
        bc2.X_train,
        bc2.y_train,
    )
    fit(
        "bc2_logistic_2r",
        LogisticRegression(solver="gd", lr=2 * p.softmax.lr, max_epochs=p.softmax.max_epochs),
        bc2.X_train,
        bc2.y_train,
    )
    for name in MULTICLASS:
        d = ctx.data(name).standardized()
        fit(
            f"{name}_softmax",
            SoftmaxRegression(
                lr=p.softmax.lr,
                max_epochs=p.softmax.max_epochs,
                weight_decay=p.softmax.weight_decay,
            ),
            d.X_train,
            d.y_train,
        )
        fit(
            f"{name}_one_vs_all",
            OneVsAllClassifier(
                LogisticRegression(
                    solver="gd", lr=p.one_vs_all.lr, max_epochs=p.one_vs_all.max_epochs
                )
            ),
            d.X_train,
            d.y_train,
        )


def _sklearn(penalty: bool = True):
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    return SkLogisticRegression(C=1.0 if penalty else np.inf, max_iter=10_000, tol=1e-12)


def evaluate(ctx: Context) -> None:
    from mldm.models.linear_classifiers import add_bias, cross_entropy_hessian, sigmoid, softmax

    bc2, bc = _bc2(ctx), ctx.data("breast_cancer").standardized()
    m = {}

    def score(table, name, model, d, n_classes):
        with ctx.run(name):
            ctx.record(
                table,
                name,
                **classification_metrics("train", d.y_train, model.predict(d.X_train), n_classes),
                **classification_metrics("test", d.y_test, model.predict(d.X_test), n_classes),
            )
        return model

    def recorded(table, name, split="test") -> float:
        return ctx.metrics[table][name][f"{split}_accuracy"]  # the accuracy score() recorded

    # --- binary: Newton vs scikit-learn; GD with two losses (lines 331-444) ---------------
    m["newton"] = score("breast_cancer_2d", "newton", ctx.load_model("bc2_newton"), bc2, 2)
    sk2 = score(
        "breast_cancer_2d",
        "sklearn_unpenalized",
        _sklearn(False).fit(bc2.X_train, bc2.y_train),
        bc2,
        2,
    )
    ctx.measure(
        "newton_matches_sklearn",
        relative_error(m["newton"].w_, np.r_[sk2.intercept_, sk2.coef_.ravel()]),
    )
    for loss in ("cross_entropy", "squared"):
        m[loss] = score("breast_cancer", f"gd_{loss}", ctx.load_model(f"bc_gd_{loss}"), bc, 2)
    score("breast_cancer", "sklearn_default", _sklearn().fit(bc.X_train, bc.y_train), bc, 2)
    ctx.measure(
        "gd_accuracy_matches_sklearn",
        abs(
            recorded("breast_cancer", "gd_cross_entropy")
            - recorded("breast_cancer", "sklearn_default")
        ),
    )
    ce = m["cross_entropy"]
    proba_rule = ce.predict_proba(bc.X_test)[:, 1] >= 0.5
    ctx.measure(
        "decision_rule_is_linear", int(np.sum(proba_rule != (ce.decision_function(bc.X_test) >= 0)))
    )

    # convexity: the Hessian along the GD trajectory's end point and at w = 0, w*
    Xb = add_bias(bc2.X_train)
    ws = [np.zeros(Xb.shape[1]), m["newton"].w_, ctx.load_model("bc2_far_cross_entropy").w_]
    ctx.measure(
        "cross_entropy_hessian_psd",
        float(min(np.linalg.eigvalsh(cross_entropy_hessian(Xb, w)).min() for w in ws)),
    )
    t, slice_ce, slice_sq = _loss_slice(Xb, bc2.y_train, m["newton"].w_)
    d2 = np.diff(slice_sq, 2) / (t[1] - t[0]) ** 2
    ctx.measure("squared_loss_nonconvex", float(d2.min()))

    far = {loss: ctx.load_model(f"bc2_far_{loss}") for loss in ("cross_entropy", "squared")}
    for loss, model in far.items():
        score("breast_cancer_2d", f"far_start_{loss}", model, bc2, 2)
    ctx.measure(
        "squared_loss_stalls_from_wrong_start",
        recorded("breast_cancer_2d", "far_start_cross_entropy", "train")
        - recorded("breast_cancer_2d", "far_start_squared", "train"),
    )

    # --- K = 2: softmax is logistic with w1 − w2 (lines 553-578) --------------------------
    sm2, lg2 = ctx.load_model("bc2_softmax_k2"), ctx.load_model("bc2_logistic_2r")
    W = sm2.W_
    ctx.measure(
        "softmax_k2_is_sigmoid",
        float(np.abs(softmax(Xb @ W)[:, 1] - sigmoid(Xb @ (W[:, 1] - W[:, 0]))).max()),
    )
    ctx.measure("softmax_k2_is_logistic_regression", relative_error(W[:, 1] - W[:, 0], lg2.w_))

    # --- multi-class: one-vs-all and softmax (lines 490-602) ------------------------------
    from sklearn.multiclass import OneVsRestClassifier

    gaps = {"softmax": [], "one_vs_all": []}
    for name in MULTICLASS:
        d = ctx.data(name).standardized()
        k = len(np.unique(d.y_train))
        oracles = {"softmax": _sklearn(), "one_vs_all": OneVsRestClassifier(_sklearn())}
        for kind, oracle in oracles.items():
            score(name, f"sklearn_{kind}", oracle.fit(d.X_train, d.y_train), d, k)
            score(name, kind, ctx.load_model(f"{name}_{kind}"), d, k)
            gaps[kind].append(abs(recorded(name, kind) - recorded(name, f"sklearn_{kind}")))
    ctx.measure("softmax_matches_sklearn", worst(gaps["softmax"]))
    ctx.measure("one_vs_all_matches_sklearn", worst(gaps["one_vs_all"]))

    _figures(ctx, bc2, m["newton"], sk2, far, (t, slice_ce, slice_sq))


def _loss_slice(Xb, y, w_star, span: float = 12.0, n: int = 481):
    """Both losses along the line w* + t·w*/‖w*‖ (the slide's 1-D picture, on real data)."""
    from mldm.models.linear_classifiers import cross_entropy, squared_loss

    direction = w_star / np.linalg.norm(w_star)
    t = np.linspace(-span, span, n)
    ce = np.array([cross_entropy(Xb, y, w_star + s * direction) for s in t])
    sq = np.array([squared_loss(Xb, y, w_star + s * direction) for s in t])
    return t, ce, sq


def _figures(ctx: Context, bc2, newton, sk2, far, slices) -> None:
    with ctx.figure("decision_boundary") as (fig, ax):
        X, y = bc2.X_test, bc2.y_test
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12, edgecolor="k", lw=0.3)
        xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 10)
        for label, w, style in (
            ("Newton (ours)", newton.w_, "-"),
            ("scikit-learn", np.r_[sk2.intercept_, sk2.coef_.ravel()], "--"),
        ):
            ax.plot(xs, -(w[0] + w[1] * xs) / w[2], style, label=label)  # xw = 0
        ax.set(
            xlabel="mean radius (std.)",
            ylabel="mean texture (std.)",
            title="Decision boundary xw = 0 (breast_cancer, test)",
            ylim=(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5),
        )
        ax.legend()
    t, ce, sq = slices
    with ctx.figure("convexity", ncols=2) as (fig, (ax1, ax2)):
        ax1.plot(t, ce)
        ax1.set(xlabel="t  (w = w* + t·w*/‖w*‖)", ylabel="L(w)", title="cross-entropy: convex")
        ax2.plot(t, sq, color="C1")
        ax2.set(xlabel="t", ylabel="L(w)", title="squared loss: flat tails, not convex")
    with ctx.figure("wrong_start_training") as (fig, ax):
        for loss, model in far.items():
            ax.plot(model.loss_curve_ / model.loss_curve_[0], label=loss)
        ax.set(
            xlabel="epoch", ylabel="loss / initial loss", title="GD from a confidently wrong start"
        )
        ax.legend()


def softmax_objective(ctx, params: Softmax) -> dict[str, float]:
    """Tuning objective (``studies.*.model: softmax``): softmax regression on digits trained
    on 75% of the training split with ``params`` (r, epochs, weight decay), scored on the
    held-out 25% (hold-out validation, L04). The test split is never seen. The validation
    cross-entropy is logged after every epoch as ``val_loss``, which the tuning stage's pruner
    watches."""
    from mldm.evaluation import holdout_split
    from mldm.models import SoftmaxRegression

    d = ctx.data("digits").standardized()
    fit_idx, val_idx = holdout_split(len(d.y_train), val_fraction=0.25, seed=ctx.seed)
    X_val, y_val = d.X_train[val_idx], d.y_train[val_idx]
    model = SoftmaxRegression(
        lr=params.lr, max_epochs=params.max_epochs, weight_decay=params.weight_decay
    ).fit(d.X_train[fit_idx], d.y_train[fit_idx], eval_set=(X_val, y_val))
    return {
        "val_loss": float(model.val_loss_curve_[-1]),
        "val_accuracy": accuracy(y_val, model.predict(X_val)),
        "train_loss": float(model.loss_curve_[-1]),
    }


TUNABLE = {"softmax": Tunable(softmax_objective)}  # reads only its block, ctx.seed, data
