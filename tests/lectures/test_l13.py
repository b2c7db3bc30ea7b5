"""L13 (EM) pieces the end-to-end lecture test does not pin down: the mixture sampler and the
params' validation."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from mldm.lectures import l13_gmm_em as l13


def test_sample_mixture_has_the_declared_moments():
    m = l13.Mixture()
    X, z = l13.sample_mixture(m, 60_000, seed=0)
    np.testing.assert_allclose(np.bincount(z) / len(z), m.weights, atol=0.01)
    covs = m.covariance_matrices()
    for k, (mean, cov) in enumerate(zip(m.means, covs, strict=True)):
        Xk = X[z == k]
        np.testing.assert_allclose(Xk.mean(0), mean, atol=0.05)
        np.testing.assert_allclose(np.cov(Xk.T), cov, atol=0.06)
    X2, z2 = l13.sample_mixture(m, 100, seed=0)
    np.testing.assert_array_equal(X2, l13.sample_mixture(m, 100, seed=0)[0])


def test_mixture_validation():
    with pytest.raises(ValidationError, match="sum to 1"):
        l13.Mixture(weights=[0.5, 0.3, 0.1])
    with pytest.raises(ValidationError, match="positive definite"):
        l13.Mixture(covariances=[(1.0, 2.0, 1.0), (1.0, 0.0, 1.0), (1.0, 0.0, 1.0)])
    with pytest.raises(ValidationError, match="one entry per component"):
        l13.Mixture(weights=[0.5, 0.5])
