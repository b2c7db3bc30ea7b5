"""Every claim L09 checks, with its kind and its lines in the course notes."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, equals, ge, gt, lt

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
