"""L09 K-means clustering and PCA (course-notes lines 3499-4052).

K-means (Lloyd) as the slides write it: assign each point to its nearest centre, move each
centre to its cluster's mean (lines 3577-3595). The objective J = Σ r_nk ||x_n − μ_k||²
never increases (lines 3600-3617) — measured on every run, every initialization (random,
farthest point, random + distance, lines 3636-3660). J falls with K, so K comes from the
elbow (lines 3625-3635): on blobs with a known K the elbow finds it. Soft K-means (lines
3664-3690) tends to hard K-means as the stiffness β grows. scikit-learn's KMeans started
from the same centres is the oracle. PCA is computed both ways the lecture derives it
(eigenvectors of S and the SVD of the centred data) and checked against scikit-learn; the
three views (minimum reconstruction error, maximum variance, SVD; lines 3745-4000) are
checked numerically on the same faces, the slide's 7×5 SVD example (line 3976) is
reproduced, eigenfaces are drawn from skimage's faces (lines 3890-3900), and 12×12 patches
of a photograph are compressed and denoised (lines 4006-4045).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field, field_validator

from mldm.config import LectureParams, Strict
from mldm.data.tables import SVD_EXAMPLE, SVD_SLIDE_SIGMA, SVD_SLIDE_U, SVD_SLIDE_VT
from mldm.lectures.claims import Claim, ClaimSet, equals, ge, gt, lt

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "K-means clustering and PCA"
LINES = "3499-4052"
DATASETS = ("digits", "lfw_faces", "camera")
INITS = ("random", "farthest", "random_distance")


class Blobs(Strict):
    """Synthetic 2-D clusters with a known K (the elbow and soft K-means pictures)."""

    n: int = Field(600, ge=20)
    k: int = Field(4, ge=2, le=10, description="the true number of clusters")
    std: float = Field(0.6, gt=0)


class KMeansParams(Strict):
    k_max: int = Field(10, ge=3, description="elbow: K = 1..k_max")
    seeds: int = Field(10, ge=1, description="runs per initialization (J monotone, init effect)")
    quality_runs: int = Field(30, ge=1, description="seeded runs each, ours vs sklearn (ARI)")
    betas: list[float] = Field([0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 100.0], min_length=2)

    @field_validator("betas")
    @classmethod
    def _increasing(cls, v: list[float]) -> list[float]:
        if any(b <= 0 for b in v) or any(b2 <= b1 for b1, b2 in zip(v, v[1:], strict=False)):
            raise ValueError("betas must be positive and strictly increasing")
        return v


class Faces(Strict):
    components: list[int] = Field([1, 3, 7, 15, 30, 60], min_length=2)
    eigenfaces_shown: int = Field(25, ge=1, le=60, description="the slide shows the top 25")


class Patches(Strict):
    size: int = Field(12, ge=2, description="the slide's 12×12 patches")
    components: list[int] = Field([1, 2, 4, 8, 16, 32, 60, 100], min_length=2)
    noise_sigma: float = Field(25.0, gt=0, description="Gaussian noise on 0-255 grey levels")
    denoise_components: int = Field(15, ge=1, description="the slide keeps 15")


class Params(LectureParams):
    blobs: Blobs = Blobs()
    kmeans: KMeansParams = KMeansParams()
    digits_k: int = Field(10, ge=2)
    faces: Faces = Faces()
    patches: Patches = Patches()


CLAIMS = ClaimSet(
    # --- K-means --------------------------------------------------------------------------
    Claim(
        "j_never_increases",
        "J = Σ r_nk ||x_n − μ_k||² never rises, after any assignment or update step (number "
        "of rises over every run: 3 initializations × seeds, digits and blobs)",
        "3600-3617",
        equals(0),
        kind="effect",
    ),
    Claim(
        "kmeans_matches_sklearn",
        "From the same initial centres scikit-learn's KMeans (Lloyd) ends at the same centres "
        "and J (max relative difference, digits)",
        "3577-3595",
        lt(1e-6),
        kind="oracle",
    ),
    Claim(
        "elbow_finds_true_k",
        "The elbow of J(K) (largest second difference of log J) on blobs drawn from a known K: "
        "elbow K minus the true K",
        "3625-3635",
        equals(0),
        kind="effect",
    ),
    Claim(
        "farthest_point_picks_outlier",
        "Farthest-point initialization picks a far outlier as a centre (the slide's warning)",
        "3645-3652",
        equals(True),
        kind="effect",
    ),
    Claim(
        "clustering_quality_near_sklearn",
        "Digits (raw pixels), K = 10, random starts: mean adjusted Rand index of our "
        "K-means minus scikit-learn's over the same number of seeded runs (|Δ|)",
        "3577-3595",
        lt(0.05),
        kind="oracle",
    ),
    Claim(
        "soft_tends_to_hard",
        "Soft K-means with the largest β ends at hard K-means' centres from the same start "
        "(max distance / data std)",
        "3664-3690",
        lt(1e-3),
        kind="identity",
    ),
    Claim(
        "stiffness_hardens_assignments",
        "The mean largest responsibility max_k r_nk rises with β (number of decreases over "
        "the β grid)",
        "3664-3690",
        equals(0),
        kind="effect",
    ),
    # --- PCA --------------------------------------------------------------------------------
    Claim(
        "eig_equals_svd",
        "PCA by the eigenvectors of S and by the SVD of the centred data: the same "
        "components (max |Δ|, faces, the N − 1 directions with variance)",
        "3949-4000",
        lt(1e-8),
        kind="identity",
    ),
    Claim(
        "pca_matches_sklearn",
        "Components, explained variance and projections equal scikit-learn's PCA (max "
        "relative |Δ|, faces)",
        "3700-4000",
        lt(1e-8),
        kind="oracle",
    ),
    Claim(
        "three_views_agree",
        "Min reconstruction error E(M) = Σ_{i>M} λ_i, projection variance along u_i = λ_i, "
        "λ_i = σ_i²/N from the SVD (max |Δ| / λ_1, every M)",
        "3795-4000",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "pca_beats_random_bases",
        "No random orthonormal basis of the same size (200 tried, M = 7) reconstructs the "
        "faces better: smallest random E minus PCA's E",
        "3795-3830",
        gt(0),
        kind="effect",
    ),
    Claim(
        "svd_example_matches_slide",
        "The slide's 7×5 matrix A by our PCA: fitted to [A; −A] (mean 0, so S = AᵀA/7) its "
        "components are A's right singular vectors v_i, σ_i = √(7λ_i) and u_i = Av_i/σ_i. "
        "Cut toward zero to the slide's digits (U, Vᵀ 2 decimals, σ 1: the slide truncates, "
        "e.g. σ₁ = 12.48 → 12.4, u₁₇ = 0.076 → 0.07), they give every one of the 3 + 21 + 15 "
        "printed numbers, each vector up to sign (printed numbers that differ; its u₃ and v₃ "
        "do not pair, see the worked example)",
        "3976",
        equals(0),
        kind="worked_example",
    ),
    Claim(
        "rank2_error_is_sigma3",
        "Keeping two components of that PCA leaves ||A − A₂||_F = σ₃ (Eckart-Young; A₂ the "
        "PCA's reconstruction of A from 2 components, |Δ|)",
        "3960-3976",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "faces_reconstruct_better_with_more_components",
        "Held-out faces: reconstruction error never rises with the number of eigenfaces "
        "(number of rises)",
        "3890-3900",
        equals(0),
        kind="effect",
    ),
    Claim(
        "seven_eigenfaces_capture_most",
        "Share of the face variance the top 7 eigenfaces keep (x ≈ x̄ + a₁u₁ + ... + a₇u₇)",
        "3890-3900",
        ge(0.5),
        kind="effect",
    ),
    Claim(
        "patch_psnr_grows",
        "12×12 patches of a photograph: PSNR of the reconstruction never falls as components "
        "are added (number of falls)",
        "4006-4030",
        equals(0),
        kind="effect",
    ),
    Claim(
        "denoising_gains_psnr",
        "Projecting noisy patches on the top principal components raises the PSNR against "
        "the clean image (dB gained)",
        "4032-4045",
        gt(1.0),
        kind="effect",
    ),
)


# ---------------------------------------------------------------------------------------------
# Data and small pure helpers
# ---------------------------------------------------------------------------------------------


def _blobs(p: Params, seed: int) -> np.ndarray:
    from sklearn.datasets import make_blobs

    b = p.blobs
    X, _ = make_blobs(b.n, centers=b.k, cluster_std=b.std, random_state=seed)
    return X


def _digits(ctx: Context, standardize: bool = True) -> tuple[np.ndarray, np.ndarray]:
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


def elbow(J: np.ndarray) -> int:
    """K at the elbow of J(1), J(2), ... (lines 3625-3635): where the fall slows down most,
    the largest second difference of log J. On a log scale, because before the true K the
    fall is roughly geometric (a constant factor per cluster), which the raw second
    difference would mistake for an elbow at K = 2."""
    logJ = np.log(np.asarray(J, dtype=np.float64))
    return int(np.argmax(logJ[:-2] - 2 * logJ[1:-1] + logJ[2:])) + 2


def _camera(ctx: Context, size: int) -> np.ndarray:
    """The photograph cropped to whole patches."""
    image = ctx.data("camera").X_train
    h, w = (np.array(image.shape) // size) * size
    return image[:h, :w]


def _noisy(image: np.ndarray, sigma: float, seed: int) -> np.ndarray:
    return image + sigma * np.random.default_rng([seed, 9]).standard_normal(image.shape)


def _with_outlier(X: np.ndarray) -> np.ndarray:
    """The blobs plus one point far from all of them (10 data spreads from the mean)."""
    far = X.mean(0) + 10 * X.std(0).max() * np.ones(X.shape[1])
    return np.vstack([X, far])


def _random_orthonormal(d: int, m: int, rng) -> np.ndarray:
    Q, _ = np.linalg.qr(rng.standard_normal((d, m)))
    return Q.T


# ---------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------


def train(ctx: Context) -> None:
    from mldm.models import PCA, KMeans, SoftKMeans
    from mldm.models.clustering import init_centres
    from mldm.models.pca import image_to_patches

    p = ctx.params
    Xb = _blobs(p, ctx.seed)
    with ctx.run("blobs_elbow", k_max=p.kmeans.k_max):
        for k in range(1, p.kmeans.k_max + 1):
            ctx.save_model(f"blobs_k{k}", KMeans(k, random_state=ctx.seed).fit(Xb))
    start = init_centres(Xb, p.blobs.k, "random_distance", ctx.seed)
    with ctx.run("soft_kmeans", betas=str(p.kmeans.betas)):
        ctx.save_model("blobs_hard", KMeans(p.blobs.k, init=start).fit(Xb))
        for i, beta in enumerate(p.kmeans.betas):
            ctx.save_model(f"blobs_soft{i}", SoftKMeans(p.blobs.k, beta=beta, init=start).fit(Xb))
    Xd, _ = _digits(ctx, standardize=False)
    with ctx.run("digits_kmeans", k=p.digits_k):
        ctx.save_model("digits_kmeans", KMeans(p.digits_k, random_state=ctx.seed).fit(Xd))

    faces = ctx.data("lfw_faces")
    with ctx.run("eigenfaces"):
        ctx.save_model("faces_pca_eig", PCA(solver="eig").fit(faces.X_train))
        ctx.save_model("faces_pca_svd", PCA(solver="svd").fit(faces.X_train))
    pt = p.patches
    image = _camera(ctx, pt.size)
    with ctx.run("patches", size=pt.size):
        ctx.save_model("patches_pca", PCA().fit(image_to_patches(image, pt.size)))
        noisy = image_to_patches(_noisy(image, pt.noise_sigma, ctx.seed), pt.size)
        ctx.save_model("noisy_patches_pca", PCA(pt.denoise_components).fit(noisy))


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


def evaluate(ctx: Context) -> None:
    _kmeans(ctx)
    _soft_kmeans(ctx)
    _pca_views(ctx)
    _svd_example(ctx)
    _eigenfaces(ctx)
    _patches(ctx)


def _kmeans(ctx: Context) -> None:
    from sklearn.cluster import KMeans as SkKMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from mldm.evaluation import worst
    from mldm.models import KMeans
    from mldm.models.clustering import init_centres

    p = ctx.params
    Xb = _blobs(p, ctx.seed)
    J = np.array([ctx.load_model(f"blobs_k{k}").inertia_ for k in range(1, p.kmeans.k_max + 1)])
    ctx.measure("elbow_finds_true_k", elbow(J) - p.blobs.k)
    ctx.save_curve("blobs_elbow", K=np.arange(1, len(J) + 1), J=J)

    Xd, yd = _digits(ctx)
    rises, digits_J_by_init = 0, {}
    for name, X, k in (("blobs", Xb, p.blobs.k), ("digits", Xd, p.digits_k)):
        for method in INITS:
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

    # the oracle: scikit-learn from the same initial centres
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
    # quality over many seeded runs from the same kind of start (uniform random data points;
    # sklearn's k-means++ tries 2 + ln K candidates per centre, the lecture's draws one)
    Xd, yd = _digits(ctx, standardize=False)
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
    Xo = _with_outlier(Xb)
    picks = init_centres(Xo, p.blobs.k, "farthest", ctx.seed)
    ctx.measure("farthest_point_picks_outlier", bool(np.any(np.all(picks == Xo[-1], axis=1))))

    digits_J = [KMeans(k, random_state=ctx.seed).fit(Xd).inertia_ for k in range(1, 16)]
    with ctx.figure("elbow", ncols=2) as (fig, (ax1, ax2)):
        ax1.plot(np.arange(1, len(J) + 1), J, "o-")
        ax1.axvline(elbow(J), c="k", ls="--", lw=0.8, label=f"elbow K = {elbow(J)}")
        ax1.set_title(f"blobs (true K = {p.blobs.k})", fontsize=9)
        ax1.set_xlabel("K")
        ax1.set_ylabel("J")
        ax1.legend()
        ax2.plot(np.arange(1, 16), digits_J, "o-")
        ax2.set_title("digits (10 classes): no clear elbow", fontsize=9)
        ax2.set_xlabel("K")
    km = KMeans(p.digits_k, init="random", random_state=ctx.seed).fit(Xd)
    with ctx.figure("j_per_step") as (fig, ax):
        ax.plot(km.inertia_curve_, ".-")
        ax.set_xlabel("half-step (assignment, update, assignment, ...)")
        ax.set_ylabel("J")
        ax.set_title("K-means on digits: J never rises", fontsize=9)


def _soft_kmeans(ctx: Context) -> None:
    from mldm.lectures.base import sweep_key

    p = ctx.params
    Xb = _blobs(p, ctx.seed)
    hard = ctx.load_model("blobs_hard")
    scale = float(Xb.std())
    dist, sharp = [], []
    for i, beta in enumerate(p.kmeans.betas):
        soft = ctx.load_model(f"blobs_soft{i}")
        dist.append(float(np.abs(soft.cluster_centers_ - hard.cluster_centers_).max()) / scale)
        sharp.append(float(soft.responsibilities_.max(axis=1).mean()))
        ctx.record(
            "soft_kmeans_by_beta",
            sweep_key("betas", i, len(p.kmeans.betas)),
            beta=float(beta),
            centre_distance_to_hard=dist[-1],
            mean_largest_responsibility=sharp[-1],
            iterations=int(soft.n_iter_),
        )
    ctx.measure("soft_tends_to_hard", dist[-1])
    ctx.measure("stiffness_hardens_assignments", int(np.sum(np.diff(sharp) < -1e-12)))
    picks = sorted({0, len(p.kmeans.betas) // 2, len(p.kmeans.betas) - 1})
    with ctx.figure("soft_kmeans", ncols=len(picks), size=(3.6, 3.4)) as (fig, axes):
        for ax, i in zip(axes, picks, strict=False):
            soft = ctx.load_model(f"blobs_soft{i}")
            # colour = mixture of the cluster colours by responsibility
            palette = np.array(
                [[0.12, 0.47, 0.71], [1.0, 0.5, 0.05], [0.17, 0.63, 0.17], [0.84, 0.15, 0.16]]
            )
            colors = soft.responsibilities_ @ np.resize(
                palette, (soft.responsibilities_.shape[1], 3)
            )
            ax.scatter(*Xb.T, s=6, c=np.clip(colors, 0, 1))
            ax.scatter(*soft.cluster_centers_.T, marker="x", c="k", s=60)
            ax.set_title(f"β = {p.kmeans.betas[i]:g}", fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])


def _pca_views(ctx: Context) -> None:
    from sklearn import decomposition

    from mldm.evaluation import worst

    faces = ctx.data("lfw_faces")
    X = faces.X_train
    eig, svd = ctx.load_model("faces_pca_eig"), ctx.load_model("faces_pca_svd")
    # N = 75 faces of 625 pixels: only N − 1 directions have variance; the rest are any
    # orthonormal completion, so only those with λ > 0 are compared
    r = int(np.sum(eig.eigenvalues_ > 1e-10 * eig.eigenvalues_[0]))
    ctx.measure("eig_equals_svd", float(np.abs(eig.components_[:r] - svd.components_[:r]).max()))
    sk = decomposition.PCA(svd_solver="full").fit(X)

    def rel(a, b):
        return float(np.abs(a - b).max() / np.abs(b).max())

    ctx.measure(
        "pca_matches_sklearn",
        worst(
            (
                rel(eig.components_[:r], sk.components_[:r]),
                rel(eig.explained_variance_[:r], sk.explained_variance_[:r]),
                rel(eig.transform(X)[:, :r], sk.transform(X)[:, :r]),
            )
        ),
    )
    # the three views on the same data
    from mldm.models.pca import reconstruction_errors

    lam = eig.eigenvalues_
    Xc = X - X.mean(0)
    N = len(X)
    E_direct = np.array(
        [
            np.mean(np.sum((Xc - Xc @ eig.components_[:m].T @ eig.components_[:m]) ** 2, axis=1))
            for m in range(len(lam) + 1)
        ]
    )
    view1 = np.abs(E_direct - reconstruction_errors(X)).max()
    view2 = np.abs((Xc @ eig.components_.T).var(axis=0) - lam).max()
    sigma = np.linalg.svd(Xc, compute_uv=False)[: len(lam)]
    view3 = np.abs(sigma**2 / N - lam).max()
    ctx.measure("three_views_agree", float(worst((view1, view2, view3)) / lam[0]))
    rng = np.random.default_rng([ctx.seed, 10])
    M = 7
    E_pca = E_direct[M]
    E_rand = min(
        np.mean(np.sum((Xc - Xc @ B.T @ B) ** 2, axis=1))
        for B in (_random_orthonormal(X.shape[1], M, rng) for _ in range(200))
    )
    ctx.measure("pca_beats_random_bases", float(E_rand - E_pca))
    ctx.record(
        "faces_three_views",
        "pca",
        n_components=M,
        reconstruction_error=float(E_pca),
        sum_of_dropped_eigenvalues=float(lam[M:].sum()),
        best_random_basis_error=float(E_rand),
        max_variance_view_gap=float(view2),
        svd_view_gap=float(view3),
    )


def _slide_digits(x: np.ndarray, decimals: int) -> np.ndarray:
    """Cut toward zero to ``decimals`` places, as the slide prints (0.0764 → 0.07, −0.0288 →
    −0.02, 12.48 → 12.4)."""
    scale = 10.0**decimals
    return np.trunc(x * scale) / scale


def _svd_example(ctx: Context) -> None:
    from mldm.models.pca import PCA

    A, n = SVD_EXAMPLE, len(SVD_EXAMPLE)
    k = len(SVD_SLIDE_SIGMA)
    # [A; −A] has mean 0 and S = (AᵀA + AᵀA)/(2n) = AᵀA/n: its PCA components are A's right
    # singular vectors, λ_i = σ_i²/n (line 3998), and u_i = Av_i/σ_i
    sym = np.vstack([A, -A])
    pca = PCA(n_components=k).fit(sym)
    s = np.sqrt(n * pca.eigenvalues_)
    V = pca.components_  # rows v_iᵀ
    U = pca.transform(A) / s  # column i: Av_i/σ_i
    # each printed vector up to its own sign: the slide's u₃ and v₃ do not pair (below)
    U_k = U * np.sign(np.sum(U * SVD_SLIDE_U, axis=0))
    Vt_k = V * np.sign(np.sum(V * SVD_SLIDE_VT, axis=1))[:, None]
    slide_product = SVD_SLIDE_U @ np.diag(SVD_SLIDE_SIGMA) @ SVD_SLIDE_VT
    differ = (
        np.sum(_slide_digits(s, 1) != SVD_SLIDE_SIGMA)
        + np.sum(_slide_digits(U_k, 2) != SVD_SLIDE_U)
        + np.sum(_slide_digits(Vt_k, 2) != SVD_SLIDE_VT)
    )
    ctx.measure("svd_example_matches_slide", int(differ))
    pca2 = PCA(n_components=2).fit(sym)
    A2 = pca2.inverse_transform(pca2.transform(A))  # Σ_{i<=2} σ_i u_i v_iᵀ
    ctx.measure("rank2_error_is_sigma3", float(abs(np.linalg.norm(A - A2) - s[2])))
    s = np.sqrt(n * PCA().fit(sym).eigenvalues_)  # all five σ_i for the table (σ₄, σ₅ ≈ 0)
    ctx.table(
        "svd_7x5",
        ["i", "slide σ_i", "ours σ_i", "ours u_i", "ours v_i"],  # ours: our PCA
        [
            [
                i + 1,
                float(SVD_SLIDE_SIGMA[i]),
                float(s[i]),
                np.round(U_k[:, i], 3).tolist(),
                np.round(Vt_k[i], 3).tolist(),
            ]
            for i in range(k)
        ]
        + [[i + 1, 0.0, float(s[i]), "—", "—"] for i in range(k, len(s))],
        note="Line 3976. The matrix has rank 3: σ₄, σ₅ are 0 to rounding. Keeping two "
        f"triplets leaves ||A − A₂||_F = {np.linalg.norm(SVD_EXAMPLE - A2):.4f} = σ₃ "
        "(Eckart-Young). Each u_i, v_i is shown with the slide's sign. The slide's third "
        "triplet does not pair: its u₃ has the opposite sign to the v₃ it prints, so its "
        "U Σ Vᵀ is not A (largest entry error "
        f"{np.abs(slide_product - SVD_EXAMPLE).max():.2f}, row 6 comes out as "
        f"{np.round(slide_product[5], 2).tolist()}); flipping u₃ or v₃ repairs it.",
    )


def _reconstruct(pca, X, k: int) -> np.ndarray:
    """x̄ + Σ_{i<=k} a_i u_i with a_i = u_iᵀ(x − x̄): the best approximation from k components."""
    U = pca.components_[:k]
    return pca.mean_ + ((X - pca.mean_) @ U.T) @ U


def _eigenfaces(ctx: Context) -> None:
    from mldm.lectures.base import sweep_key

    p = ctx.params
    faces = ctx.data("lfw_faces")
    pca = ctx.load_model("faces_pca_eig")
    ks = [k for k in p.faces.components if k <= pca.n_components_]
    errors = []
    for i, k in enumerate(ks):
        rec = _reconstruct(pca, faces.X_test, k)
        errors.append(float(np.mean(np.sum((faces.X_test - rec) ** 2, axis=1))))
        ctx.record(
            "eigenfaces_held_out",
            sweep_key("components", i, len(ks)),
            k=k,
            reconstruction_mse_per_face=errors[-1],
            explained_variance_ratio=float(pca.explained_variance_ratio_[:k].sum()),
        )
    ctx.measure("faces_reconstruct_better_with_more_components", int(np.sum(np.diff(errors) > 0)))
    ctx.measure("seven_eigenfaces_capture_most", float(pca.explained_variance_ratio_[:7].sum()))
    side = int(np.sqrt(faces.X_train.shape[1]))
    n_show = min(p.faces.eigenfaces_shown, pca.n_components_)
    cols = 5
    rows = 1 + (n_show + cols - 1) // cols
    with ctx.figure("eigenfaces", ncols=cols, nrows=rows, size=(1.6, 1.7)) as (fig, axes):
        for ax in axes:
            ax.axis("off")
        axes[0].imshow(pca.mean_.reshape(side, side), cmap="gray")
        axes[0].set_title("mean face", fontsize=8)
        for i in range(n_show):
            axes[cols + i].imshow(pca.components_[i].reshape(side, side), cmap="gray")
            axes[cols + i].set_title(f"u{i + 1}", fontsize=8)
    shown = faces.X_test[:4]
    with ctx.figure(
        "face_reconstructions", ncols=len(ks) + 1, nrows=len(shown), size=(1.5, 1.6)
    ) as (fig, axes):
        axes = np.asarray(axes).reshape(len(shown), len(ks) + 1)
        for r, x in enumerate(shown):
            axes[r, 0].imshow(x.reshape(side, side), cmap="gray")
            for c, k in enumerate(ks, start=1):
                rec = _reconstruct(pca, x, k)
                axes[r, c].imshow(rec.reshape(side, side), cmap="gray")
                if r == 0:
                    axes[r, c].set_title(f"k = {k}", fontsize=8)
            if r == 0:
                axes[r, 0].set_title("held out", fontsize=8)
        for ax in axes.ravel():
            ax.axis("off")


def _patches(ctx: Context) -> None:
    from mldm.lectures.base import sweep_key
    from mldm.models.pca import image_to_patches, patches_to_image, psnr

    p = ctx.params.patches
    image = _camera(ctx, p.size)
    P = image_to_patches(image, p.size)
    pca = ctx.load_model("patches_pca")
    ks = [k for k in p.components if k <= pca.n_components_]
    A = pca.transform(P)
    values, recs = [], {}
    for i, k in enumerate(ks):
        rec = patches_to_image(pca.mean_ + A[:, :k] @ pca.components_[:k], image.shape, p.size)
        recs[k] = rec
        values.append(psnr(image, rec, data_range=255.0))
        n, d = P.shape
        ctx.record(
            "camera_patch_compression",
            sweep_key("components", i, len(ks)),
            k=k,
            psnr_db=values[-1],
            compression_ratio=float(n * d / (n * k + k * d + d)),  # codes + basis + mean
        )
    ctx.measure("patch_psnr_grows", int(np.sum(np.diff(values) < 0)))
    noisy = _noisy(image, p.noise_sigma, ctx.seed)
    den = ctx.load_model("noisy_patches_pca")
    Pn = image_to_patches(noisy, p.size)
    denoised = patches_to_image(den.inverse_transform(den.transform(Pn)), image.shape, p.size)
    before, after = psnr(image, noisy, data_range=255.0), psnr(image, denoised, data_range=255.0)
    ctx.record(
        "camera_denoising",
        "pca_denoised",
        n_components=int(den.n_components_),
        psnr_noisy_db=before,
        psnr_denoised_db=after,
    )
    ctx.measure("denoising_gains_psnr", float(after - before))
    shown = [k for k in (16, 60) if k in recs] or ks[-2:]
    with ctx.figure("patch_compression", ncols=len(shown) + 2, size=(3.2, 3.4)) as (fig, axes):
        axes[0].imshow(image, cmap="gray", vmin=0, vmax=255)
        axes[0].set_title("original", fontsize=9)
        for ax, k in zip(axes[1:], shown, strict=False):
            ax.imshow(recs[k], cmap="gray", vmin=0, vmax=255)
            ax.set_title(f"{k} components: {values[ks.index(k)]:.1f} dB", fontsize=9)
        axes[-1].plot(ks, values, "o-")
        axes[-1].set_xlabel("components")
        axes[-1].set_ylabel("PSNR (dB)")
        for ax in axes[:-1]:
            ax.axis("off")
    with ctx.figure("patch_components", ncols=6, size=(1.4, 1.5)) as (fig, axes):
        for i, ax in enumerate(axes):
            ax.imshow(pca.components_[i].reshape(p.size, p.size), cmap="gray")
            ax.set_title(f"u{i + 1}", fontsize=8)
            ax.axis("off")
    with ctx.figure("denoising", ncols=3, size=(3.2, 3.4)) as (fig, axes):
        for ax, (title, im) in zip(
            axes,
            (
                ("clean", image),
                (f"noisy σ = {p.noise_sigma:g}: {before:.1f} dB", noisy),
                (f"top {den.n_components_}: {after:.1f} dB", denoised),
            ),
            strict=True,
        ):
            ax.imshow(im, cmap="gray", vmin=0, vmax=255)
            ax.set_title(title, fontsize=9)
            ax.axis("off")
