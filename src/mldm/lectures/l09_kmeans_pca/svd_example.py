"""The slide's 7×5 SVD example (line 3976), by our PCA.

Fitted to [A; −A] (mean 0, so S = AᵀA/7) the PCA's components are A's right singular vectors
v_i, σ_i = √(7λ_i) and u_i = Av_i/σ_i (line 3998). Cut toward zero to the digits the slide
prints, they give every printed number, each vector up to sign; keeping two components leaves
||A − A₂||_F = σ₃ (Eckart-Young, lines 3960-3976). The slide's third triplet does not pair.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.data.tables import SVD_EXAMPLE, SVD_SLIDE_SIGMA, SVD_SLIDE_U, SVD_SLIDE_VT

if TYPE_CHECKING:
    from mldm.lectures.base import Context


def slide_digits(x: np.ndarray, decimals: int) -> np.ndarray:
    """Cut toward zero to ``decimals`` places, as the slide prints (0.0764 → 0.07, −0.0288 →
    −0.02, 12.48 → 12.4)."""
    scale = 10.0**decimals
    return np.trunc(x * scale) / scale


def evaluate(ctx: Context) -> None:
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
        np.sum(slide_digits(s, 1) != SVD_SLIDE_SIGMA)
        + np.sum(slide_digits(U_k, 2) != SVD_SLIDE_U)
        + np.sum(slide_digits(Vt_k, 2) != SVD_SLIDE_VT)
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
