r"""Explicit feature maps behind two kernels, lecture 5 (L05, ``course-notes.zh.txt`` lines
1873-1920): a kernel is an inner product k(x, x') = φ(x)ᵀφ(x') (line 1875).

* the polynomial kernel (xᵀx' + 1)² is the inner product of a finite basis
  (:func:`poly2_features`, a "finite-dimensional" classifier, line 1919);
* the Gaussian kernel exp(−(x − x')²/2σ²) (line 1890) is that of an infinite one, the slide's
  φ(x) = e^{−x²/2σ²}[1, x/(σ√1!), x²/(σ²√2!), ...] (line 1896), here truncated
  (:func:`gaussian_feature_map`).
"""

from __future__ import annotations

import numpy as np


def gaussian_feature_map(x, sigma: float, terms: int) -> np.ndarray:
    """The slide's 1-D φ(x) = e^{−x²/2σ²}[1, x/(σ√1!), x²/(σ²√2!), ...] (line 1896), its first
    ``terms`` entries, one row per x: φ(x)ᵀφ(x') = e^{−(x²+x'²)/2σ²} Σ_m (xx'/σ²)^m/m!, which
    tends to exp(−(x − x')²/2σ²) as ``terms`` grows."""
    from scipy.special import gammaln

    m = np.arange(terms)
    scale = np.exp(-0.5 * gammaln(m + 1) - m * np.log(sigma))  # 1/(σ^m √m!)
    x = np.asarray(x, dtype=np.float64)[:, None]
    return np.exp(-(x**2) / (2 * sigma**2)) * scale * x**m


def poly2_features(X) -> np.ndarray:
    """φ(x) with φ(x)ᵀφ(x') = (xᵀx' + 1)² in 2-D: [1, √2x₁, √2x₂, x₁², x₂², √2x₁x₂]."""
    x1, x2 = X[:, 0], X[:, 1]
    r2 = np.sqrt(2.0)
    return np.stack([np.ones_like(x1), r2 * x1, r2 * x2, x1**2, x2**2, r2 * x1 * x2], axis=1)
