"""L09 pieces the end-to-end lecture test does not pin down: the elbow rule, the slide's SVD
constants, and the data helpers."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from mldm.data.tables import SVD_EXAMPLE, SVD_SLIDE_SIGMA, SVD_SLIDE_U, SVD_SLIDE_VT
from mldm.lectures import l09_kmeans_pca as l09
from mldm.lectures.l09_kmeans_pca.kmeans import with_outlier
from mldm.lectures.l09_kmeans_pca.patches import noisy
from mldm.lectures.l09_kmeans_pca.pca_views import random_orthonormal
from mldm.lectures.l09_kmeans_pca.svd_example import slide_digits
from mldm.models.clustering import elbow


def test_elbow_is_the_largest_second_difference():
    J = np.array([100.0, 60.0, 30.0, 10.0, 9.0, 8.5, 8.2])
    assert elbow(J) == 4  # the fall slows most after K = 4
    assert elbow(np.array([10.0, 5.0, 4.0, 3.5])) == 2
    # a geometric fall up to K = 4, then flat: the raw second difference would say K = 2
    J = np.array([800.0, 400.0, 200.0, 100.0, 95.0, 90.0, 86.0])
    assert elbow(J) == 4
    assert int(np.argmax(J[:-2] - 2 * J[1:-1] + J[2:])) + 2 == 2


def test_slide_svd_constants_and_their_sign_slip():
    U, S, Vt = SVD_SLIDE_U, np.diag(SVD_SLIDE_SIGMA), SVD_SLIDE_VT
    # as printed, the third triplet's u and v do not pair: U Σ Vᵀ misses A by far
    assert np.abs(U @ S @ Vt - SVD_EXAMPLE).max() > 1.0
    # flip u₃: A comes back to the slide's rounding (two-decimal factors, one-decimal Σ)
    fixed = U * np.array([1, 1, -1])
    assert np.abs(fixed @ S @ Vt - SVD_EXAMPLE).max() < 0.15
    s = np.linalg.svd(SVD_EXAMPLE, compute_uv=False)
    np.testing.assert_allclose(s[:3], SVD_SLIDE_SIGMA, atol=0.09)  # 12.48 printed 12.4
    assert np.linalg.matrix_rank(SVD_EXAMPLE) == 3


def test_slide_digits_cut_toward_zero():
    x = np.array([12.48, 0.0764, -0.0288, -0.6954, 0.5504])
    np.testing.assert_array_equal(slide_digits(x[:1], 1), [12.4])
    np.testing.assert_allclose(slide_digits(x[1:], 2), [0.07, -0.02, -0.69, 0.55])


def test_helpers():
    rng = np.random.default_rng(0)
    B = random_orthonormal(20, 5, rng)
    np.testing.assert_allclose(B @ B.T, np.eye(5), atol=1e-12)
    X = rng.normal(size=(50, 2))
    Xo = with_outlier(X)
    assert len(Xo) == 51 and np.linalg.norm(Xo[-1] - X.mean(0)) > 5 * X.std(0).max()
    a = noisy(np.zeros((4, 4)), 2.0, 0)
    np.testing.assert_array_equal(a, noisy(np.zeros((4, 4)), 2.0, 0))


def test_params_validation():
    with pytest.raises(ValidationError, match="betas"):
        l09.Params(kmeans={"betas": [1.0, 0.5]})
    with pytest.raises(ValidationError):
        l09.Params(blobs={"k": 1})


def test_reconstruct_from_all_components_is_the_data():
    from mldm.models.pca import PCA, reconstruct

    X = np.random.default_rng(1).normal(size=(30, 6))
    pca = PCA().fit(X)
    np.testing.assert_allclose(reconstruct(pca, X, 6), X, atol=1e-10)
    # k components: the same as projecting on k and mapping back
    p3 = PCA(3).fit(X)
    np.testing.assert_allclose(reconstruct(pca, X, 3), p3.inverse_transform(p3.transform(X)))
