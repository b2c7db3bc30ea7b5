"""L04's figures: matplotlib only, drawing the experiments' results."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .common import POLYLINE_KNOTS, SLIDE_DEGREES, Split, ls, phi, polyline_grid, true_degree

if TYPE_CHECKING:
    from mldm.lectures.base import Context

    from .by_degree import DegreeSweep
    from .regularization import DiabetesPaths, SyntheticL2
    from .selection import HoldoutSpread, Replicates


def basis(ctx: Context) -> None:
    """Lines 941-1010: polynomial and hard-sigmoid bases; a constant + Σ hard sigmoids is the
    red polyline; sigmoids go beyond piecewise linear."""
    from mldm.models.basis import hard_sigmoid_features, sigmoid_features

    grid, target = polyline_grid()
    H = hard_sigmoid_features(grid[:, None], POLYLINE_KNOTS)
    hs = ls().fit(H, target)
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
            fit = ls().fit(S, target).predict(S)
            ax3.plot(grid, fit, label=f"{n_basis} sigmoids")
        ax3.set(title="beyond piecewise linear: sigmoids", xlabel="x")
        ax3.legend()


def fits(
    ctx: Context, syn: Split, mc: Split, syn_sweep: DegreeSweep, mc_sweep: DegreeSweep
) -> None:
    """The slide's degrees 1, 3, 5 (and the highest) on the synthetic cubic; mcycle's
    polynomial fits and its hard-sigmoid polyline."""
    from mldm.data.synthetic import polynomial

    p = ctx.params
    degrees = (*SLIDE_DEGREES, p.max_degree)
    s = p.synthetic
    grid = np.linspace(*s.x_range, 300)
    with ctx.figure("overfitting_synthetic", ncols=len(degrees), size=(3.6, 3.2)) as (fig, axes):
        for ax, d in zip(axes, degrees, strict=True):
            model = ctx.load_model(f"synthetic_deg{d}")
            ax.plot(grid, polynomial(grid, s.coef), "k:", label="true curve")
            ax.scatter(syn.X[:, 0], syn.y, s=14, color="C0", zorder=3, label="training data")
            ax.plot(grid, model.predict(phi(d, grid[:, None])), color="C3", label="fit")
            lo, hi = syn.y.min(), syn.y.max()
            ax.set(
                ylim=(lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo)),
                title=f"degree {d}: train {syn_sweep.train[d - 1]:.3f}, "
                f"test {syn_sweep.test[d - 1]:.3f}",
            )
            ax.title.set_fontsize(8)
        axes[0].legend(fontsize=7)
    xg = np.linspace(mc.X.min(), mc.X.max(), 400)[:, None]
    best = mc_sweep.pick("kfold")
    degrees = sorted({*SLIDE_DEGREES, best, p.mcycle_max_degree})
    with ctx.figure("overfitting_mcycle", ncols=2, size=(5.5, 3.8)) as (fig, (ax1, ax2)):
        ax1.scatter(mc.X[:, 0], mc.y, s=8, color="k", label="train")
        ax1.scatter(mc.Xt[:, 0], mc.yt, s=10, marker="x", color="C7", label="test")
        for d in degrees:
            pred = ctx.load_model(f"mcycle_deg{d}").predict(phi(d, xg))
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
        ax2.scatter(mc.X[:, 0], mc.y, s=8, color="k", label="train")
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


def errors(ctx: Context, syn: DegreeSweep, mcy: DegreeSweep) -> None:
    """Lines 1063-1135: every error estimate by degree, underfit left of the K-fold pick,
    overfit right of it."""
    with ctx.figure("error_by_degree", ncols=2) as (fig, axes):
        for ax, s, name in zip(
            axes, (syn, mcy), ("synthetic (true degree 3)", "mcycle"), strict=True
        ):
            ax.semilogy(s.degree, s.train, "o-", label="training")
            ax.semilogy(s.degree, s.holdout, "^-", label="hold-out validation")
            ax.semilogy(s.degree, s.kfold, "s-", label="K-fold CV")
            ax.semilogy(s.degree, s.loo, "d-", label="leave-one-out")
            ax.semilogy(s.degree, s.test, "k*-", label="test")
            best = s.pick("kfold")
            ax.axvspan(0.5, best, color="C0", alpha=0.06)
            ax.axvspan(best, s.degree[-1] + 0.5, color="C3", alpha=0.06)
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
                (best + s.degree[-1] + 0.5) / 2,
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


def selection(
    ctx: Context, syn: DegreeSweep, mcy: DegreeSweep, rep: Replicates, spread: HoldoutSpread
) -> None:
    """Lines 1156-1237: AIC and BIC by degree, each criterion's picks over the replicates, and
    the hold-out estimate's spread."""
    with ctx.figure("criteria_by_degree", ncols=2) as (fig, axes):
        for ax, s, name in zip(axes, (syn, mcy), ("synthetic", "mcycle"), strict=True):
            for c in ("aic", "bic"):
                ax.plot(s.degree, getattr(s, c), "o-", label=f"{c.upper()} (pick {s.pick(c)})")
            ax.set(xlabel="degree", ylabel="criterion", title=f"{name}: AIC and BIC")
            ax.legend(fontsize=8)
    with ctx.figure("selection_over_replicates") as (fig, ax):
        D = ctx.params.max_degree
        width = 0.8 / len(rep.picks)
        for i, (c, v) in enumerate(rep.picks.items()):
            counts = np.bincount(v, minlength=D + 1)[1:]
            ax.bar(np.arange(1, D + 1) + (i - 2) * width, counts / len(v), width, label=c)
        ax.axvline(true_degree(ctx.params), color="k", ls=":", label="true degree")
        ax.set(
            xlabel="degree picked",
            ylabel="share of training sets",
            title=f"{len(v)} fresh synthetic training sets",
        )
        ax.legend(fontsize=8)
    with ctx.figure("holdout_spread") as (fig, ax):
        hi = np.quantile(np.r_[spread.small, spread.large], 0.99)
        bins = np.linspace(0, hi, 40)
        for est, frac in (
            (spread.small, spread.small_fraction),
            (spread.large, spread.large_fraction),
        ):
            ax.hist(
                est,
                bins=bins,
                alpha=0.5,
                label=f"{frac:.0%} held out: std {est.std():.0f}",
            )
        ax.set(
            xlabel="hold-out MSE estimate",
            ylabel="splits",
            title="mcycle: a small validation set is a noisy estimate",
        )
        ax.legend()


def regularization(ctx: Context, syn: Split, syn_l2: SyntheticL2, reg: DiabetesPaths) -> None:
    """Lines 1247-1329: the L2 picture, the regularization paths, weight decay's loss, and
    the geometry of L1 and L2."""
    from mldm.data.synthetic import polynomial
    from mldm.models import Ridge

    p = ctx.params
    s = p.synthetic
    grid = np.linspace(*s.x_range, 300)[:, None]
    degrees = (*SLIDE_DEGREES, p.l2_degree)
    X, y = syn.X, syn.y
    lo, hi = y.min(), y.max()
    with ctx.figure("l2_picture", ncols=len(degrees), nrows=2, size=(3.4, 3.0)) as (fig, axes):
        for j, d in enumerate(degrees):
            plain = ctx.load_model(f"synthetic_deg{d}")
            ridge = Ridge(alpha=len(y) * p.l2_lambda).fit(phi(d, X), y)
            for i, (model, label) in enumerate(
                ((plain, "no regularization"), (ridge, f"L2, λ = {p.l2_lambda:g}"))
            ):
                ax = axes[i * len(degrees) + j]
                ax.plot(grid, polynomial(grid[:, 0], s.coef), "k:")
                ax.scatter(X[:, 0], y, s=10, color="C0", zorder=3)
                ax.plot(grid, model.predict(phi(d, grid)), color="C3" if i == 0 else "C2")
                ax.set(
                    ylim=(lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo)), title=f"degree {d}, {label}"
                )
                ax.title.set_fontsize(8)
    with ctx.figure("regularization_paths", ncols=3) as (fig, (ax1, ax2, ax3)):
        ax1.semilogx(reg.lambdas, reg.l2_path)
        ax1.set(xlabel="λ", ylabel="weight", title="diabetes: L2 path (shrinks, never 0)")
        ax2.semilogx(reg.l1_lambdas, reg.l1_path)
        ax2.set(xlabel="λ", ylabel="weight", title="diabetes: L1 path (exact zeros)")
        ax2.legend(reg.data.feature_names, fontsize=6, ncol=2)
        ax3.loglog(syn_l2.lambdas, syn_l2.norms)
        ax3.set(xlabel="λ", ylabel="||w||", title=f"synthetic degree {p.l2_degree}: ||w|| vs λ")
    with ctx.figure("weight_decay_loss") as (fig, ax):
        gd = reg.gd
        ax.semilogy(np.arange(1, len(gd.loss_curve_) + 1), gd.loss_curve_)
        ax.set(
            xlabel="epoch",
            ylabel="training MSE",
            title=f"diabetes: GD with weight decay (λ = {p.weight_decay.lam:g})",
        )
    l1_l2_geometry(ctx, reg.data)


def l1_l2_geometry(ctx: Context, d) -> None:
    """Lines 1316-1329: the contours of L(w) over two weights meet the L2 ball on its round
    side, but the L1 ball at a corner, where one weight is exactly 0."""
    from mldm.models.regularized import regularization_path

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
