"""L05's figures: matplotlib only, drawing the experiments' results."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .common import KERNELS, Split

if TYPE_CHECKING:
    from mldm.lectures.base import Context

    from .hard_margin import HardMargin
    from .kernels import KernelResults
    from .soft_margin import CSweep

_COLORS = {1: "tab:blue", -1: "tab:red"}


def regions(ax, f, X, y, levels=(-1.0, 0.0, 1.0), support=None, title=""):
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


def maximum_margin(ctx: Context, sep: Split, hard: HardMargin) -> None:
    """The hard-margin SVM and logistic regression on the separable blobs (lines 1370-1410)."""
    X, y = sep.X, sep.y
    svm, lr = ctx.load_model("sep_hard"), ctx.load_model("sep_logistic")
    with ctx.figure("maximum_margin", ncols=2, size=(4.6, 4.0)) as (fig, (ax1, ax2)):
        regions(
            ax1,
            svm.decision_function,
            X,
            y,
            support=svm.support_,
            title=f"hard-margin SVM: margin {hard.svm_margin:.3f}, "
            f"{len(svm.support_)} support vectors",
        )
        regions(
            ax2,
            lambda Z: lr.decision_function(Z) / np.linalg.norm(lr.coef_),
            X,
            y,
            levels=(0.0,),
            title=f"logistic regression: margin {hard.logistic_margin:.3f}",
        )


def soft_margin(ctx: Context, over: Split, sweep: CSweep) -> None:
    """Three C on the overlapping blobs, and support vectors and margin along C (1735-1790)."""
    p = ctx.params
    X, y = over.X, over.y
    picks = sorted({0, len(p.C_grid) // 2, len(p.C_grid) - 1})
    with ctx.figure("effect_of_C", ncols=len(picks) + 1, size=(3.6, 3.4)) as (fig, axes):
        for ax, i in zip(axes, picks, strict=False):
            est = ctx.load_model(f"over_C{i}")
            regions(
                ax,
                est.decision_function,
                X,
                y,
                support=est.support_,
                title=f"C = {p.C_grid[i]:g}: {len(est.support_)} SVs",
            )
        ax = axes[-1]
        ax.semilogx(sweep.C, sweep.n_support, "o-", label="support vectors")
        ax.set_xlabel("C")
        ax.set_ylabel("support vectors")
        ax2 = ax.twinx()
        ax2.semilogx(sweep.C, sweep.margin, "s--", c="tab:orange")
        ax2.set_ylabel("margin 1/||w||", color="tab:orange")


def kernels(ctx: Context, moons: Split, kern: KernelResults) -> None:
    """Each kernel's boundary on two moons, and the γ sweep (lines 1800-1880)."""
    X, y = moons.X, moons.y
    with ctx.figure("kernels_moons", ncols=3, size=(3.6, 3.4)) as (fig, axes):
        for ax, kernel in zip(axes, KERNELS, strict=True):
            est = ctx.load_model(f"moons_{kernel}")
            acc = kern.test_accuracy[kernel]
            regions(
                ax,
                est.decision_function,
                X,
                y,
                support=est.support_,
                title=f"{kernel}: test {acc:.3f}",
            )

    gammas, best = kern.gammas, kern.best_gamma
    with ctx.figure("gamma_sweep", ncols=4, size=(3.6, 3.4)) as (fig, axes):
        for ax, i in zip(axes, (0, best, len(gammas) - 1), strict=False):
            est = ctx.load_model(f"moons_rbf_g{i}")
            regions(ax, est.decision_function, X, y, title=f"γ = {gammas[i]:.3g}")
        ax = axes[-1]
        ax.semilogx(gammas, kern.gamma_train, "o-", label="train")
        ax.semilogx(gammas, kern.gamma_test, "s-", label="test")
        ax.set_xlabel("γ = 1/(2σ²)")
        ax.set_ylabel("accuracy")
        ax.legend()


def losses(ctx: Context) -> None:
    """E_Ideal, E_SV, E_LR and the hard constraint E_∞(z − 1) (lines 1915-2018)."""
    from mldm.models.svm import hard_constraint_loss, hinge_loss, logistic_loss, zero_one_loss

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


def decision_values(ctx: Context) -> None:
    """Our decision values against libsvm's on breast_cancer, rbf kernel."""
    from mldm.evaluation.svm_reference import libsvm_twin

    d = ctx.data("breast_cancer").standardized()
    est = ctx.load_model("breast_cancer_rbf")
    f, f_sk = (
        est.decision_function(d.X_test),
        libsvm_twin(est).fit(d.X_train, d.y_train).decision_function(d.X_test),
    )
    with ctx.figure("decision_values_vs_libsvm", size=(4.2, 4.0)) as (fig, ax):
        ax.scatter(f_sk, f, s=8)
        lim = [min(f.min(), f_sk.min()), max(f.max(), f_sk.max())]
        ax.plot(lim, lim, "k--", lw=0.8)
        ax.set_xlabel("scikit-learn (libsvm) f(x)")
        ax.set_ylabel("ours (SMO) f(x)")
        ax.set_title(f"breast_cancer, rbf, C = {est.C:g}", fontsize=9)
