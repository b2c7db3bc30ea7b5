"""L09 PCA: the two solvers, scikit-learn, the lecture's three views, its SVD example, and the
image-patch compression / denoising slides.

Oracles: ``sklearn.decomposition.PCA(svd_solver="full")``, ``np.linalg.svd`` / ``eigh`` /
``lstsq``, random orthonormal bases and directions (no better than PCA),
``skimage.metrics.peak_signal_noise_ratio`` and ``torchmetrics``' PSNR, and the numbers printed
on the slide (line 3976).
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from sklearn import decomposition as skd
from sklearn.datasets import load_digits, load_sample_image
from sklearn.utils.estimator_checks import parametrize_with_checks
from torchmetrics.functional.image import peak_signal_noise_ratio as tm_psnr

from mldm.data.tables import SVD_EXAMPLE, SVD_SLIDE_SIGMA, SVD_SLIDE_U, SVD_SLIDE_VT
from mldm.models.pca import (
    PCA,
    image_to_patches,
    patches_to_image,
    psnr,
    reconstruction_errors,
)
from mldm.models.persistence import load_estimator, save_estimator

SOLVERS = ("eig", "svd")

# L09 line 3976: the SVD example as the slide prints it (mldm.data.tables)
SLIDE_A, SLIDE_U, SLIDE_SIGMA, SLIDE_VT = SVD_EXAMPLE, SVD_SLIDE_U, SVD_SLIDE_SIGMA, SVD_SLIDE_VT


def max_rel(a, b) -> float:
    """max |a - b| over the largest |b|: the reference's own scale."""
    b = np.asarray(b, dtype=np.float64)
    return float(np.abs(np.asarray(a) - b).max() / max(np.abs(b).max(), 1e-300))


def _anisotropic(rng, n, d):
    """A Gaussian with well separated variances 25 .. 0.04 along a random rotation, off 0."""
    Q = np.linalg.qr(rng.normal(size=(d, d)))[0]
    return (rng.normal(size=(n, d)) * np.geomspace(5.0, 0.2, d)) @ Q + rng.normal(size=d)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return {
        "n>d": _anisotropic(rng, 200, 10),
        "n<d": _anisotropic(rng, 15, 40),  # rank of the centred data: 14
        "digits": load_digits().data,  # 3 of its 64 directions have variance 0
    }


def _gray(name: str) -> np.ndarray:
    """The slide's 372×492 size (line 4008), cut from a real photograph, grey levels 0-255."""
    if name == "camera":
        skdata = pytest.importorskip("skimage.data", reason="scikit-image is not installed")
        image = skdata.camera()  # 512×512 uint8
    else:
        rgb = load_sample_image("china.jpg").astype(np.float64)  # 427×640×3, ships with sklearn
        image = rgb @ np.array([0.2125, 0.7154, 0.0721])  # skimage's rgb2gray weights
    return np.asarray(image, dtype=np.float64)[:372, :492]


# ------------------------------------------------ the solvers against each other and sklearn

# (data, n_components): kept directions all have distinct, non-zero eigenvalues (the others
# are defined only up to a rotation inside their eigenspace and are compared separately).
CASES = [
    ("n>d", None),
    ("n>d", 3),
    ("n<d", 3),
    ("n<d", 14),
    ("digits", 10),
    ("digits", 61),
]


@pytest.mark.parametrize("name, m", CASES)
def test_eig_and_svd_agree(name, m, data):
    X = data[name]
    eig, svd = PCA(m, solver="eig").fit(X), PCA(m, solver="svd").fit(X)
    assert eig.components_.shape == svd.components_.shape == (m or min(X.shape), X.shape[1])
    assert np.abs(eig.components_ - svd.components_).max() < 1e-8  # measured <= 8e-12
    assert max_rel(eig.eigenvalues_, svd.eigenvalues_) < 1e-12
    assert max_rel(eig.transform(X), svd.transform(X)) < 1e-8
    assert eig.total_variance_ == pytest.approx(svd.total_variance_, rel=1e-14)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("name, m", CASES)
def test_matches_sklearn(name, m, solver, data):
    X = data[name]
    ours = PCA(m, solver=solver).fit(X)
    ref = skd.PCA(m, svd_solver="full").fit(X)
    assert ours.n_components_ == ref.n_components_ and ours.n_samples_ == ref.n_samples_
    assert max_rel(ours.mean_, ref.mean_) < 1e-14
    assert np.abs(ours.components_ - ref.components_).max() < 1e-8  # same signs too
    for attr in ("explained_variance_", "explained_variance_ratio_", "singular_values_"):
        assert max_rel(getattr(ours, attr), getattr(ref, attr)) < 1e-8, attr
    A = ours.transform(X)
    assert max_rel(A, ref.transform(X)) < 1e-8
    assert max_rel(ours.inverse_transform(A), ref.inverse_transform(A)) < 1e-8
    assert max_rel(ours.fit_transform(X), ref.fit_transform(X)) < 1e-8


@pytest.mark.parametrize("solver", SOLVERS)
def test_all_components_is_exact_reconstruction(solver, data):
    """n_components=None keeps min(N, D) directions; N < D has a null direction (λ = 0, any
    unit vector orthogonal to the others), but the full basis still reconstructs exactly."""
    X = data["n<d"]
    est = PCA(solver=solver).fit(X)
    assert est.n_components_ == 15 and est.components_.shape == (15, 40)
    np.testing.assert_allclose(est.components_ @ est.components_.T, np.eye(15), atol=1e-12)
    assert est.eigenvalues_[-1] < 1e-12 * est.eigenvalues_[0]
    assert max_rel(est.inverse_transform(est.transform(X)), X) < 1e-12
    assert est.reconstruction_error(X) < 1e-20 * est.total_variance_ + 1e-25


# ------------------------------------------------ the lecture's three views


@pytest.mark.parametrize("name", ["digits", "n>d"])
def test_view1_minimum_reconstruction_error(name, data):
    """E(M) = Σ_{i>M} λ_i = (1/N)||X - X̄||_F^2 - Σ_{i<=M} u_i^T S u_i (lines 3795-3830), the
    direct residual mean; 50 random orthonormal bases of the same M are all worse."""
    X = data[name]
    n, d = X.shape
    Xc = X - X.mean(0)
    S = Xc.T @ Xc / n
    curve = reconstruction_errors(X)
    assert curve.shape == (d + 1,) and curve[-1] == 0.0
    assert curve[0] == pytest.approx(np.sum(Xc**2) / n, rel=1e-12)
    assert np.all(np.diff(curve) <= 0)
    rng = np.random.default_rng(1)
    for m in (1, 2, 5, d // 2):
        est = PCA(m).fit(X)
        U = est.components_
        A = Xc @ U.T  # a_i = u_i^T (x - x̄)
        direct = np.mean(np.sum((Xc - A @ U) ** 2, axis=1))
        formula = np.sum(Xc**2) / n - np.einsum("id,de,ie->", U, S, U)
        for value in (est.reconstruction_error(X), formula, est.total_variance_ - A.var(0).sum()):
            assert value == pytest.approx(direct, rel=1e-9)
        assert curve[m] == pytest.approx(direct, rel=1e-9)
        assert curve[m] == pytest.approx(curve[0] - est.eigenvalues_.sum(), rel=1e-9)
        bases = np.linalg.qr(rng.normal(size=(50, d, m)))[0]  # 50 random orthonormal D×M
        coef = np.einsum("nd,bdm->bnm", Xc, bases)  # their best coefficients, lines 3760-3790
        resid = Xc[None] - np.einsum("bnm,bdm->bnd", coef, bases)
        random_E = np.mean(np.sum(resid**2, axis=2), axis=1)
        assert random_E.min() > direct * (1 + 1e-6)


def test_best_coefficients_are_projections(data):
    """Lines 3760-3790: for a fixed orthonormal basis the least-squares coefficients of
    x ≈ Σ a_i u_i are a_i = u_i^T x; any perturbation of them raises the error."""
    X = data["n>d"]
    rng = np.random.default_rng(2)
    U = np.linalg.qr(rng.normal(size=(X.shape[1], 4)))[0].T  # 4 orthonormal rows
    lstsq = np.linalg.lstsq(U.T, X.T, rcond=None)[0].T
    assert max_rel(X @ U.T, lstsq) < 1e-12
    base = np.sum((X - X @ U.T @ U) ** 2)
    for _ in range(10):
        A = X @ U.T + 1e-3 * rng.normal(size=(len(X), 4))
        assert np.sum((X - A @ U) ** 2) > base


@pytest.mark.parametrize("name", ["digits", "n>d"])
def test_view2_maximum_variance(name, data):
    """Lines 3905-3945: var(u_i^T(x - x̄)) = u_i^T S u_i = λ_i; u_1 beats 1000 random unit
    directions, u_2 beats 1000 random unit directions orthogonal to u_1."""
    X = data[name]
    est = PCA(5, solver="eig").fit(X)
    A = est.transform(X)
    assert max_rel(A.var(axis=0), est.eigenvalues_) < 1e-10  # 1/N variance, the lecture's
    assert np.all(np.diff(est.eigenvalues_) < 0)
    Xc = X - X.mean(0)
    rng = np.random.default_rng(3)
    W = rng.normal(size=(1000, X.shape[1]))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    assert (Xc @ W.T).var(axis=0).max() < est.eigenvalues_[0]
    u1 = est.components_[0]
    W2 = W - (W @ u1)[:, None] * u1  # project out u_1, renormalize
    W2 /= np.linalg.norm(W2, axis=1, keepdims=True)
    assert (Xc @ W2.T).var(axis=0).max() < est.eigenvalues_[1]


@pytest.mark.parametrize("name", ["digits", "n>d", "n<d"])
def test_view3_svd(name, data):
    """Lines 3949-4000: X̃ X̃^T = N S (here X̃^T X̃, samples as rows): its eigenvectors are the
    components, with eigenvalue N λ_i, and λ_i = σ_i^2 / N."""
    X = data[name]
    n = len(X)
    m = min(10, min(X.shape) - 1)
    est = PCA(m, solver="svd").fit(X)
    Xc = X - X.mean(0)
    G = Xc.T @ Xc
    U = est.components_
    lhs, rhs = U @ G, (n * est.eigenvalues_)[:, None] * U
    assert np.abs(lhs - rhs).max() < 1e-10 * n * est.eigenvalues_[0]  # G u_i = N λ_i u_i
    sigma = np.linalg.svd(Xc, compute_uv=False)[:m]
    assert max_rel(est.eigenvalues_, sigma**2 / n) < 1e-12
    assert max_rel(est.singular_values_, sigma) < 1e-12
    # and the eig solver, which never forms an SVD, gets the same σ
    assert max_rel(PCA(m, solver="eig").fit(X).singular_values_, sigma) < 1e-10


# ------------------------------------------------ the slide's 7×5 example (line 3976)


def test_slide_svd_example():
    """np.linalg.svd of the slide's A gives its printed U, Σ, V^T, each column of U and row of
    V^T up to sign. The slide *truncates* (12.48 -> 12.4, 0.1376 -> 0.13, -0.0288 -> -0.02):
    every printed number is the exact one cut to 2 decimals (Σ: 1).

    The printed third pair is sign-inconsistent: u_3 matches as printed but v_3 only negated,
    so the slide's U'Σ'V'^T misses A by ~1.47 (≈ 2σ_3|u_3||v_3| at the worst entry); with v_3
    negated it gives A to the printing's precision (0.13)."""
    U, s, Vt = np.linalg.svd(SLIDE_A)
    assert np.linalg.matrix_rank(SLIDE_A) == 3 and s[3:].max() < 1e-12
    np.testing.assert_array_equal(np.trunc(s[:3] * 10), np.round(SLIDE_SIGMA * 10))
    u_signs = np.sign(np.sum(U[:, :3] * SLIDE_U, axis=0))
    v_signs = np.sign(np.sum(Vt[:3] * SLIDE_VT, axis=1))
    U3, V3 = U[:, :3] * u_signs, Vt[:3] * v_signs[:, None]
    np.testing.assert_array_equal(np.trunc(U3 * 100), np.round(SLIDE_U * 100))
    np.testing.assert_array_equal(np.trunc(V3 * 100), np.round(SLIDE_VT * 100))
    assert np.abs(U3 - SLIDE_U).max() < 0.01 and np.abs(V3 - SLIDE_VT).max() < 0.01
    # a consistent SVD keeps u_i, v_i signs together: pairs 1-2 agree, the slide's 3rd does not
    np.testing.assert_array_equal(u_signs * v_signs, [1.0, 1.0, -1.0])
    printed = SLIDE_U @ np.diag(SLIDE_SIGMA) @ SLIDE_VT
    assert np.abs(printed - SLIDE_A).max() > 1.0
    fixed = SLIDE_U @ np.diag(SLIDE_SIGMA) @ (SLIDE_VT * [[1], [1], [-1]])
    assert np.abs(fixed - SLIDE_A).max() < 0.15
    # Eckart-Young: the rank-2 truncation Σ_{i<=2} σ_i u_i v_i^T misses A by exactly σ_3
    A2 = (U[:, :2] * s[:2]) @ Vt[:2]
    assert np.linalg.norm(SLIDE_A - A2) == pytest.approx(s[2], rel=1e-12)
    assert np.linalg.norm(SLIDE_A - (U[:, :3] * s[:3]) @ Vt[:3]) < 1e-12
    # and PCA's view 3 on it: the eigenvalues of A^T A are σ_i^2
    lam = np.linalg.eigvalsh(SLIDE_A.T @ SLIDE_A)[::-1]
    np.testing.assert_allclose(lam[:3], s[:3] ** 2, rtol=1e-12)


# ------------------------------------------------ reconstruction_errors


@pytest.mark.parametrize("name", ["n>d", "n<d"])
def test_reconstruction_errors_curve(name, data):
    X = data[name]
    k = min(X.shape)
    curve = reconstruction_errors(X, max_components=5)
    assert curve.shape == (6,)
    full = reconstruction_errors(X)
    assert full.shape == (k + 1,) and full[-1] == 0.0
    np.testing.assert_allclose(full[:6], curve, rtol=1e-15)
    errs = [PCA(m).fit(X).reconstruction_error(X) for m in range(1, k)]
    np.testing.assert_allclose(full[1:k], errs, rtol=1e-8, atol=1e-10 * full[0])
    for bad in (-1, k + 1, 2.5):
        with pytest.raises(ValueError, match="max_components"):
            reconstruction_errors(X, max_components=bad)


# ------------------------------------------------ image patches (lines 4006-4045)


def test_patches_round_trip_and_order():
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, size=(50, 70), dtype=np.uint8)  # 4×5 tiles, crops 2 and 10
    P = image_to_patches(image, size=12)
    assert P.shape == (20, 144) and P.dtype == np.uint8
    for r in range(4):
        for c in range(5):
            tile = image[12 * r : 12 * (r + 1), 12 * c : 12 * (c + 1)]
            np.testing.assert_array_equal(P[5 * r + c], tile.ravel())
    back = patches_to_image(P, image.shape, size=12)
    np.testing.assert_array_equal(back, image[:48, :60])
    np.testing.assert_array_equal(image_to_patches(back, size=12), P)
    # an exact fit is a bijection
    np.testing.assert_array_equal(patches_to_image(image_to_patches(back, 6), (48, 60), 6), back)


def test_slide_image_size_gives_1271_patches():
    P = image_to_patches(np.zeros((372, 492)))
    assert P.shape == (31 * 41, 144) == (1271, 144)


def test_patch_errors():
    with pytest.raises(ValueError, match="2-D"):
        image_to_patches(np.zeros((24, 24, 3)))
    with pytest.raises(ValueError, match="smaller"):
        image_to_patches(np.zeros((11, 40)))
    with pytest.raises(ValueError, match="size"):
        image_to_patches(np.zeros((24, 24)), size=0)
    with pytest.raises(ValueError, match="patches must have shape"):
        patches_to_image(np.zeros((3, 144)), (24, 24))


@pytest.fixture(scope="module", params=["camera", "china"])
def photo(request):
    return _gray(request.param)


def test_compression_psnr_grows_with_components(photo):
    """The "reconstruction error vs number of components" slide as PSNR: more components,
    better image; all 144 reproduce it."""
    P = image_to_patches(photo)
    values = []
    for m in (1, 2, 4, 8, 16, 32, 60, 100, 143):
        est = PCA(m, solver="svd").fit(P)
        recon = patches_to_image(est.inverse_transform(est.transform(P)), photo.shape)
        values.append(psnr(photo, recon, data_range=255))
    assert np.all(np.diff(values) > 0), values
    assert values[0] > 15 and values[-1] > 50
    full = PCA(solver="eig").fit(P)
    assert max_rel(full.inverse_transform(full.transform(P)), P) < 1e-10
    # the training reconstruction error is the tail of the eigenvalues, per patch pixel
    est = PCA(16).fit(P)
    mse16 = est.reconstruction_error(P) / 144
    recon = patches_to_image(est.inverse_transform(est.transform(P)), photo.shape)
    assert np.mean((photo - recon) ** 2) == pytest.approx(mse16, rel=1e-9)


def test_denoising_with_15_components(photo):
    """Lines 4032-4042: Gaussian noise σ = 25 on 0-255, PCA fitted on the noisy patches and
    reconstructed from the top 15 components: PSNR vs the clean image goes up by > 1 dB."""
    rng = np.random.default_rng(5)
    noisy = photo + rng.normal(0.0, 25.0, size=photo.shape)
    est = PCA(15).fit(image_to_patches(noisy))
    A = est.transform(image_to_patches(noisy))
    denoised = patches_to_image(est.inverse_transform(A), noisy.shape)
    before = psnr(photo, noisy, data_range=255)
    after = psnr(photo, denoised, data_range=255)
    assert before == pytest.approx(10 * np.log10(255**2 / 625), abs=0.1)  # MSE = σ^2
    assert after > before + 1.0, (before, after)


# ------------------------------------------------ psnr


def _psnr_cases():
    rng = np.random.default_rng(6)
    u8 = rng.integers(0, 256, size=(20, 30), dtype=np.uint8)
    u8b = np.clip(u8 + rng.integers(-9, 10, size=u8.shape), 0, 255).astype(np.uint8)
    f = rng.uniform(0, 1, size=(20, 30))
    g = rng.uniform(-1, 1, size=(20, 30))
    i16 = rng.integers(-500, 500, size=(8, 8)).astype(np.int16)
    return [
        (u8, u8b, None),
        (u8, u8b, 200),
        (f, f + 0.01 * rng.normal(size=f.shape), None),
        (g, g + 0.01 * rng.normal(size=g.shape), None),
        (f * 255, f * 255 + rng.normal(size=f.shape), 255),
        (i16, i16 + 3, None),
    ]


@pytest.mark.parametrize("case", range(6))
def test_psnr_matches_skimage_and_torchmetrics(case):
    ref, est, data_range = _psnr_cases()[case]
    ours = psnr(ref, est, data_range=data_range)
    # the definition itself
    R = data_range if data_range is not None else {0: 255, 1: 200, 2: 1, 3: 2, 5: 65535}[case]
    mse = np.mean((ref.astype(np.float64) - est.astype(np.float64)) ** 2)
    assert ours == pytest.approx(10 * np.log10(R**2 / mse), rel=1e-12)
    # torchmetrics (a project dependency) with the same range; it holds data_range as a
    # float32 tensor, hence ~4e-8 relative (measured)
    pair = (torch.from_numpy(a.astype(np.float64)) for a in (est, ref))
    assert ours == pytest.approx(float(tm_psnr(*pair, data_range=float(R))), rel=1e-6)
    metrics = pytest.importorskip("skimage.metrics", reason="scikit-image is not installed")
    sk = metrics.peak_signal_noise_ratio(ref, est, data_range=data_range)
    assert ours == pytest.approx(sk, rel=1e-10)


def test_psnr_edge_cases():
    x = np.linspace(0, 1, 12).reshape(3, 4)
    assert psnr(x, x) == np.inf
    with pytest.raises(ValueError, match="shapes"):
        psnr(x, x[:2])
    with pytest.raises(ValueError, match="data_range"):
        psnr(x * 255, x)  # float out of [-1, 1]: the range must be given
    assert np.isfinite(psnr(x * 255, x, data_range=255))


# ------------------------------------------------ estimator API


@pytest.mark.parametrize(
    "est, match",
    [
        (PCA(solver="lanczos"), "solver"),
        (PCA(n_components=0), "n_components"),
        (PCA(n_components=11), "n_components"),
        (PCA(n_components=2.0), "n_components"),
        (PCA(n_components=True), "n_components"),
        (PCA(n_components="mle"), "n_components"),
    ],
)
def test_invalid_params_raise(est, match, data):
    with pytest.raises(ValueError, match=match):
        est.fit(data["n>d"])


def test_inverse_transform_checks_width(data):
    est = PCA(3).fit(data["n>d"])
    with pytest.raises(ValueError, match="n_components_"):
        est.inverse_transform(np.zeros((2, 4)))


def test_one_sample_is_refused():
    with pytest.raises(ValueError, match="1 sample"):
        PCA().fit(np.ones((1, 3)))


@pytest.mark.parametrize("solver", SOLVERS)
def test_persistence_round_trip(solver, data, tmp_path):
    X = data["digits"]
    est = PCA(12, solver=solver).fit(X[:1000])
    save_estimator(est, tmp_path / "model")
    back = load_estimator(tmp_path / "model")
    assert type(back) is PCA and back.get_params() == est.get_params()
    for attr in ("n_components_", "n_features_in_", "n_samples_", "total_variance_"):
        assert getattr(back, attr) == getattr(est, attr) and type(getattr(back, attr)) is type(
            getattr(est, attr)
        )
    np.testing.assert_array_equal(back.transform(X[1000:]), est.transform(X[1000:]))
    A = est.transform(X[1000:])
    np.testing.assert_array_equal(back.inverse_transform(A), est.inverse_transform(A))
    assert back.reconstruction_error(X[1000:]) == est.reconstruction_error(X[1000:])


@parametrize_with_checks([PCA(), PCA(n_components=2, solver="svd")])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# ------------------------------------------------ speed (reported, not asserted)


def _best_time(fn, repeat=3) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def test_speed_report(data):
    """Fit times (best of 3, one thread): ours with each solver against sklearn's PCA. Run with
    ``-s`` to see them; the only assertions are that all three fits agree."""
    rng = np.random.default_rng(7)
    sets = {"digits 1797x64": data["digits"], "random 5000x200": rng.normal(size=(5000, 200))}
    for label, X in sets.items():
        fits = {
            "eig": lambda X=X: PCA(20, solver="eig").fit(X),
            "svd": lambda X=X: PCA(20, solver="svd").fit(X),
            "sklearn full": lambda X=X: skd.PCA(20, svd_solver="full").fit(X),
        }
        times = {k: _best_time(f) for k, f in fits.items()}
        comps = [f().components_ for f in fits.values()]
        assert max(np.abs(c - comps[2]).max() for c in comps) < 1e-8
        print(f"\n{label}: " + ", ".join(f"{k} {1e3 * t:.1f} ms" for k, t in times.items()))
