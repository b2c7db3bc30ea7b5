"""scikit-learn's libsvm as the oracle on real data: our SVC on standardized breast_cancer,
wine and digits with each kernel gives libsvm's accuracy, predictions and decision values
Σ a_n y_n k(x_n, x) + b* (lines 1900-1905); and the final digits model, the rbf SVC with the C
and γ the ``l05_svm_rbf`` study tunes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .common import KERNELS, REAL_SETS, scored, svc

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def train(ctx: Context) -> None:
    p = ctx.params
    for name in REAL_SETS:
        d = ctx.data(name).standardized()
        with ctx.run(name, C=p.C):
            for kernel in KERNELS:
                model = svc(kernel, p.C, p).fit(d.X_train, d.y_train)
                ctx.save_model(f"{name}_{kernel}", model, example=d.X_train[:5])
    r = p.digits_rbf
    with ctx.run("digits_rbf", C=r.C, gamma=r.gamma):
        d = ctx.data("digits").standardized()
        model = svc("rbf", r.C, p, gamma=r.gamma).fit(d.X_train, d.y_train)
        ctx.save_model("digits_rbf", model, example=d.X_train[:5])


def evaluate(ctx: Context) -> list[float]:
    """Records each set × kernel against libsvm; returns the binary fits' KKT violations."""
    from mldm.evaluation import accuracy, worst
    from mldm.evaluation.svm_reference import libsvm_twin, max_kkt_violation

    acc_gap, agree, dec_gap, kkt = [], [], [], []
    for name in REAL_SETS:
        d = ctx.data(name).standardized()
        for kernel in KERNELS:
            est = ctx.load_model(f"{name}_{kernel}")
            sk = libsvm_twin(est).fit(d.X_train, d.y_train)
            ours, theirs = est.predict(d.X_test), sk.predict(d.X_test)
            f, f_sk = est.decision_function(d.X_test), sk.decision_function(d.X_test)
            row = {
                "test_accuracy": accuracy(d.y_test, ours),
                "libsvm_test_accuracy": accuracy(d.y_test, theirs),
                "n_support": int(np.sum(est.n_support_)),
                "libsvm_n_support": int(np.sum(sk.n_support_)),
                "prediction_agreement": accuracy(theirs, ours),
                "decision_max_rel_diff": float(np.abs(f - f_sk).max() / np.abs(f_sk).max()),
            }
            if len(est.classes_) == 2:
                row["kkt_max_violation"] = max_kkt_violation(est, d.X_train, d.y_train)
                kkt.append(row["kkt_max_violation"])
            ctx.record(f"{name}_vs_libsvm", kernel, **row)
            acc_gap.append(abs(row["test_accuracy"] - row["libsvm_test_accuracy"]))
            agree.append(row["prediction_agreement"])
            dec_gap.append(row["decision_max_rel_diff"])
    ctx.measure("accuracy_matches_libsvm", worst(acc_gap))
    ctx.measure("predictions_agree_with_libsvm", min(agree))
    ctx.measure("decision_values_match_libsvm", worst(dec_gap))
    d = ctx.data("digits").standardized()
    est = ctx.load_model("digits_rbf")
    ctx.record(
        "digits_rbf_final",
        "svc_rbf",  # params digits_rbf (tune@l05_svm_rbf writes them); values beside
        C=float(est.C),
        gamma=float(est.gamma),
        test_accuracy=scored(est, d.X_test, d.y_test),
        n_support=int(np.sum(est.n_support_)),
    )
    return kkt
