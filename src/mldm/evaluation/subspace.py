r"""Principal angles between subspaces (L10 line 4222: PCA is a linear autoencoder).

For column spaces of A (D×k) and B (D×l) with orthonormal bases Q_A, Q_B (QR), the cosines of
the principal angles are the singular values of Q_Aᵀ Q_B (Björck & Golub 1973):
θ_i = arccos σ_i, ascending. θ = 0 for a shared direction, π/2 for orthogonal ones. Small
angles are computed from the sines instead (σ_i of (I - Q_A Q_Aᵀ) Q_B), where arccos loses
precision, as scipy's ``subspace_angles`` does.
"""

from __future__ import annotations

import numpy as np

__all__ = ["principal_angles"]


def principal_angles(A, B) -> np.ndarray:
    """Principal angles (radians, ascending) between span(A) and span(B); A, B are (D, k)."""
    qa, _ = np.linalg.qr(np.asarray(A, dtype=np.float64))
    qb, _ = np.linalg.qr(np.asarray(B, dtype=np.float64))
    if qa.shape[1] < qb.shape[1]:
        qa, qb = qb, qa
    cos = np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), -1.0, 1.0)  # descending
    sin = np.linalg.svd(qb - qa @ (qa.T @ qb), compute_uv=False)  # descending too
    angles = np.arccos(cos)  # ascending
    small = cos**2 > 0.5  # below 45°: the sines are the accurate ones
    angles[small] = np.arcsin(np.clip(np.sort(sin)[: small.sum()], 0.0, 1.0))
    return angles
