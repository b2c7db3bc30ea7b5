"""K-means (Lloyd) on blobs and digits (lines 3577-3660).

Each point goes to its nearest centre, each centre moves to its cluster's mean (lines
3577-3595); the objective J = Σ r_nk ||x_n − μ_k||² never increases (lines 3600-3617),
measured on every run of every initialization (random, farthest point, random + distance,
lines 3636-3660). J falls with K, so K comes from the elbow (lines 3625-3635): on blobs with a
known K the elbow finds it, on digits there is none. scikit-learn's KMeans started from the
same centres is the oracle, and its random starts the yardstick for clustering quality.
Farthest-point initialization picks a far outlier (the slide's warning, lines 3645-3652).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l09_kmeans_pca.common import blobs

if TYPE_CHECKING:
    from mldm.lectures.base import Context

DIGITS_K_MAX = 15  # the digits elbow picture: K = 1..15


@dataclass(frozen=True)
class KMeansCurves:
    """J(K) on blobs (true K ``true_k``, elbow at ``elbow_k``) and on digits, and J after every
    half-step of one run on digits."""

    blobs_j: np.ndarray
    true_k: int
    elbow_k: int
    digits_j: np.ndarray
    j_per_step: np.ndarray


def digits(ctx: Context, standardize: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """All of digits (train + test: clustering uses no labels). Standardized for the oracle
    comparison; raw for clustering quality: standardizing makes rarely used pixels outliers
    that D²-weighted starts like to pick."""
    d = ctx.data("digits")
    X = np.vstack([d.X_train, d.X_test])
    y = np.concatenate([d.y_train, d.y_test])
    if not standardize:
        return X, y
    std = X.std(0)
    return (X - X.mean(0)) / np.where(std > 0, std, 1.0), y


def with_outlier(X: np.ndarray) -> np.ndarray:
    """The blobs plus one point far from all of them (10 data spreads from the mean)."""
    far = X.mean(0) + 10 * X.std(0).max() * np.ones(X.shape[1])
    return np.vstack([X, far])


def train(ctx: Context) -> None:
    from mldm.models import KMeans

    p = ctx.params
    Xb = blobs(p, ctx.seed)
    with ctx.run("blobs_elbow", k_max=p.kmeans.k_max):
        for k in range(1, p.kmeans.k_max + 1):
            ctx.save_model(f"blobs_k{k}", KMeans(k, random_state=ctx.seed).fit(Xb))
    Xd, _ = digits(ctx, standardize=False)
    with ctx.run("digits_kmeans", k=p.digits_k):
        kmeans = KMeans(p.digits_k, random_state=ctx.seed).fit(Xd)
        ctx.save_model("digits_kmeans", kmeans, example=Xd[:5])


def evaluate(ctx: Context) -> KMeansCurves:
    from mldm.models import KMeans
    from mldm.models.clustering import elbow, init_centres

    p = ctx.params
    Xb = blobs(p, ctx.seed)
    J = np.array([ctx.load_model(f"blobs_k{k}").inertia_ for k in range(1, p.kmeans.k_max + 1)])
    ctx.measure("elbow_finds_true_k", elbow(J) - p.blobs.k)
    ctx.save_curve("blobs_elbow", K=np.arange(1, len(J) + 1), J=J)
    _monotone_j_and_initializations(ctx, Xb)
    _against_sklearn(ctx)
    Xo = with_outlier(Xb)
    picks = init_centres(Xo, p.blobs.k, "farthest", ctx.seed)
    ctx.measure("farthest_point_picks_outlier", bool(np.any(np.all(picks == Xo[-1], axis=1))))

    Xd, _ = digits(ctx, standardize=False)
    digits_j = [
        KMeans(k, random_state=ctx.seed).fit(Xd).inertia_ for k in range(1, DIGITS_K_MAX + 1)
    ]
    km = KMeans(p.digits_k, init="random", random_state=ctx.seed).fit(Xd)
    return KMeansCurves(J, p.blobs.k, elbow(J), np.asarray(digits_j), km.inertia_curve_)


def _monotone_j_and_initializations(ctx: Context, Xb: np.ndarray) -> None:
    """J after every assignment and update step of every run (it never rises), and the digits
    J each initialization ends at."""
    from mldm.models import KMeans
    from mldm.models.clustering import INIT_METHODS

    p = ctx.params
    Xd, _ = digits(ctx)
    rises, digits_J_by_init = 0, {}
    for name, X, k in (("blobs", Xb, p.blobs.k), ("digits", Xd, p.digits_k)):
        for method in INIT_METHODS:
            runs = [
                KMeans(k, init=method, random_state=ctx.seed + s).fit(X)
                for s in range(p.kmeans.seeds)
            ]
            for km in runs:  # J after every assignment and every update step
                curve = km.inertia_curve_
                rises += int(np.sum(np.diff(curve) > 1e-9 * curve[:-1]))
            if name == "digits":
                digits_J_by_init[method] = np.array([km.inertia_ for km in runs])
    ctx.measure("j_never_increases", rises)
    for method, J_runs in digits_J_by_init.items():  # the initializations side by side
        ctx.record(
            "digits_initializations",
            method,
            mean_J=float(J_runs.mean()),
            best_J=float(J_runs.min()),
            worst_J=float(J_runs.max()),
        )


def _against_sklearn(ctx: Context) -> None:
    """The oracle (scikit-learn from the same initial centres), then clustering quality over
    many seeded runs from the same kind of start."""
    from sklearn.cluster import KMeans as SkKMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from mldm.evaluation import worst
    from mldm.models import KMeans
    from mldm.models.clustering import init_centres

    p = ctx.params
    Xd, _ = digits(ctx)
    start = init_centres(Xd, p.digits_k, "random_distance", ctx.seed)
    ours = KMeans(p.digits_k, init=start).fit(Xd)
    sk = SkKMeans(p.digits_k, init=start, n_init=1, algorithm="lloyd", tol=0.0).fit(Xd)
    ctx.measure(
        "kmeans_matches_sklearn",
        worst(
            (
                abs(ours.inertia_ - sk.inertia_) / sk.inertia_,
                np.abs(ours.cluster_centers_ - sk.cluster_centers_).max()
                / np.abs(sk.cluster_centers_).max(),
            )
        ),
    )
    # quality from uniform random data points as starts (sklearn's k-means++ tries 2 + ln K
    # candidates per centre, the lecture's draws one)
    Xd, yd = digits(ctx, standardize=False)
    shipped = ctx.load_model("digits_kmeans").labels_
    ctx.record(
        "digits_clustering",
        "ours_random_distance",  # the shipped model
        mean_ari=float(adjusted_rand_score(yd, shipped)),
        mean_nmi=float(normalized_mutual_info_score(yd, shipped)),
        runs=1,
    )
    ari = {}
    for name, make in (
        ("ours_random", lambda s: KMeans(p.digits_k, init="random", random_state=s)),
        (
            "sklearn_random",
            lambda s: SkKMeans(
                p.digits_k, init="random", n_init=1, algorithm="lloyd", random_state=s
            ),
        ),
    ):
        labels = [make(ctx.seed + s).fit_predict(Xd) for s in range(p.kmeans.quality_runs)]
        ari[name] = np.array([adjusted_rand_score(yd, lab) for lab in labels])
        nmi = np.array([normalized_mutual_info_score(yd, lab) for lab in labels])
        ctx.record(
            "digits_clustering",
            name,
            mean_ari=float(ari[name].mean()),
            mean_nmi=float(nmi.mean()),
            runs=len(labels),
        )
    ctx.measure(
        "clustering_quality_near_sklearn",
        abs(float(ari["ours_random"].mean() - ari["sklearn_random"].mean())),
    )
