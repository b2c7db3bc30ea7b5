"""The explicit feature maps of L05's kernels reproduce the kernels (scikit-learn's as oracle)."""

from __future__ import annotations

import numpy as np
from sklearn.metrics.pairwise import polynomial_kernel, rbf_kernel

from mldm.models.kernel_maps import gaussian_feature_map, poly2_features


def test_feature_maps_reproduce_their_kernels():
    x = np.linspace(-2, 2, 41)
    phi = gaussian_feature_map(x, sigma=0.8, terms=40)
    np.testing.assert_allclose(
        phi @ phi.T, rbf_kernel(x[:, None], gamma=1 / (2 * 0.8**2)), atol=1e-10
    )
    assert (
        np.abs(
            gaussian_feature_map(x, 0.8, 3) @ gaussian_feature_map(x, 0.8, 3).T
            - rbf_kernel(x[:, None], gamma=1 / (2 * 0.8**2))
        ).max()
        > 1e-3
    )
    X = np.random.default_rng(0).normal(size=(25, 2))
    Phi = poly2_features(X)
    np.testing.assert_allclose(
        Phi @ Phi.T, polynomial_kernel(X, degree=2, gamma=1.0, coef0=1.0), rtol=1e-10, atol=1e-12
    )
