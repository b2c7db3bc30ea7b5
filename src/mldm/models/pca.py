r"""Principal component analysis, lecture 9 (L09, ``course-notes.zh.txt`` lines 3700-4052).

Given M orthonormal directions :math:`\mathbf{u}_i` (:math:`\mathbf{u}_i^T\mathbf{u}_j =
\delta_{ij}`), the best approximation of a centred sample uses the coefficients
(lines 3760-3790)

.. math:: a_i^{(n)} = \mathbf{u}_i^T(\mathbf{x}^{(n)} - \bar{\mathbf{x}}),

and the reconstruction error left over is (lines 3795-3830)

.. math:: E = \frac1N\sum_{n=1}^N \Big\|(\mathbf{x}^{(n)} - \bar{\mathbf{x}})
          - \sum_{i=1}^M a_i^{(n)}\mathbf{u}_i\Big\|^2
          = \frac1N\|\mathbf{X} - \bar{\mathbf{X}}\|_F^2 - \sum_{i=1}^M \mathbf{u}_i^T
          \mathbf{S}\mathbf{u}_i, \qquad
          \mathbf{S} = \frac1N\sum_{n=1}^N (\mathbf{x}^{(n)} - \bar{\mathbf{x}})
          (\mathbf{x}^{(n)} - \bar{\mathbf{x}})^T .

Three views, one answer:

1. **Minimum reconstruction error** (lines 3830-3890): maximize
   :math:`\sum_i \mathbf{u}_i^T\mathbf{S}\mathbf{u}_i` under orthonormality; the Lagrangian
   gives :math:`\mathbf{S}\mathbf{u}_i = \lambda_i\mathbf{u}_i`, so the :math:`\mathbf{u}_i`
   are the eigenvectors of S with the M largest eigenvalues and
   :math:`E(M) = \sum_{i>M}\lambda_i` (:func:`reconstruction_errors`).
2. **Maximum variance** (lines 3905-3945): the variance of the projections is
   :math:`\frac1N\sum_n(\mathbf{u}^T(\mathbf{x}^{(n)} - \bar{\mathbf{x}}))^2 =
   \mathbf{u}^T\mathbf{S}\mathbf{u}`, largest (:math:`= \lambda_1`) at :math:`\mathbf{u}_1`.
3. **SVD** (lines 3949-4000): with the centred samples as columns,
   :math:`\tilde{\mathbf{X}} = \mathbf{U}\Sigma\mathbf{V}^T` and
   :math:`\tilde{\mathbf{X}}\tilde{\mathbf{X}}^T = N\mathbf{S}`, so the left singular
   vectors are the :math:`\mathbf{u}_i` and :math:`\lambda_i = \sigma_i^2/N`.

Here, as in scikit-learn, samples are the *rows* of X, so the lecture's
:math:`\tilde{\mathbf{X}}` is our ``Xc.T`` and its left singular vectors are the rows of our
``Vt``. The image helpers (:func:`image_to_patches`, :func:`patches_to_image`,
:func:`psnr`) reproduce the compression / denoising slides (lines 4006-4045): a 372×492
image cut into 12×12 patches, each patch one 144-dimensional sample.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

__all__ = [
    "PCA",
    "image_to_patches",
    "patches_to_image",
    "psnr",
    "reconstruct",
    "reconstruction_errors",
]

SOLVERS = ("eig", "svd")


# ----------------------------------------------------------------------------------------
# Pure functions
# ----------------------------------------------------------------------------------------


def _flip_signs(components: np.ndarray) -> np.ndarray:
    """Make the largest-|.| entry of every row positive.

    Eigen/singular vectors are defined up to sign; this is scikit-learn's
    ``svd_flip(u_based_decision=False)``, so both solvers and sklearn's PCA agree.
    """
    rows = np.arange(len(components))
    signs = np.sign(components[rows, np.argmax(np.abs(components), axis=1)])
    signs[signs == 0] = 1.0  # only an all-zero row, which orthonormal rows never are
    return components * signs[:, None]


def _decompose(Xc: np.ndarray, solver: str) -> tuple[np.ndarray, np.ndarray]:
    r"""(λ, U): all min(N, D) eigenvalues of :math:`\mathbf{S}` (descending, lecture's 1/N)
    and the matching unit directions as rows, sign-fixed.

    ``"eig"``: :math:`\mathbf{S} = \frac1N\mathbf{X}_c^T\mathbf{X}_c` (D×D), ``eigh`` returns
    ascending order, reversed here. Forming S squares the condition number, so directions of
    tiny λ are less accurate than by SVD, and eigenvalues may come out at -1e-16: clipped to 0.
    ``"svd"``: :math:`\mathbf{X}_c = \mathbf{U}\Sigma\mathbf{V}^T`, directions are the rows of
    :math:`\mathbf{V}^T` and :math:`\lambda_i = \sigma_i^2/N`.
    """
    n, d = Xc.shape
    k = min(n, d)
    if solver == "eig":
        lam, vecs = np.linalg.eigh(Xc.T @ Xc / n)
        lam, comps = np.clip(lam[::-1][:k], 0.0, None), vecs[:, ::-1][:, :k].T
    else:
        _, sigma, comps = np.linalg.svd(Xc, full_matrices=False)
        lam = sigma**2 / n
    return lam, _flip_signs(comps)


def reconstruction_errors(X, max_components=None) -> np.ndarray:
    r"""The lecture's minimum reconstruction error for every M = 0..``max_components``.

    .. math:: E(M) = \frac1N\|\mathbf{X} - \bar{\mathbf{X}}\|_F^2
              - \sum_{i=1}^M\lambda_i = \sum_{i>M}\lambda_i ,

    read off one decomposition (the singular values of the centred data,
    :math:`\lambda_i = \sigma_i^2/N`). The tail sums come from a reversed cumulative sum
    rather than "total minus kept", so E near full rank is not a difference of two large
    numbers. ``E[0]`` is the total variance, ``E[min(N, D)]`` is 0.
    """
    X = check_array(X, dtype=np.float64)
    n, d = X.shape
    k = min(n, d)
    max_components = k if max_components is None else max_components
    if not isinstance(max_components, numbers.Integral) or not 0 <= max_components <= k:
        raise ValueError(f"max_components must be an int in 0..{k}, got {max_components!r}")
    lam = np.linalg.svd(X - X.mean(axis=0), compute_uv=False) ** 2 / n
    tail = np.append(np.cumsum(lam[::-1])[::-1], 0.0)  # tail[M] = sum_{i >= M} lam_i (0-based)
    return tail[: int(max_components) + 1]


def reconstruct(pca, X, k: int) -> np.ndarray:
    r"""The best approximation of X from a fitted PCA's first ``k`` components (lines
    3760-3790): :math:`\bar{\mathbf{x}} + \sum_{i\le k} a_i\mathbf{u}_i` with
    :math:`a_i = \mathbf{u}_i^T(\mathbf{x} - \bar{\mathbf{x}})`."""
    U = pca.components_[:k]
    return pca.mean_ + ((X - pca.mean_) @ U.T) @ U


def _tile_grid(shape, size) -> tuple[int, int]:
    if len(shape) != 2:
        raise ValueError(f"expected a 2-D (grayscale) image, got shape {tuple(shape)}")
    if not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"size must be an int >= 1, got {size!r}")
    rows, cols = shape[0] // size, shape[1] // size
    if rows == 0 or cols == 0:
        raise ValueError(f"image {tuple(shape)} is smaller than one {size}x{size} tile")
    return rows, cols


def image_to_patches(image, size=12) -> np.ndarray:
    r"""Cut a grayscale image into non-overlapping size×size tiles (L09 line 4008).

    The remainder at the bottom and right (``H % size`` rows, ``W % size`` columns) is
    cropped. Returns ``(n_patches, size*size)``, tiles in row-major order (tile (r, c) is row
    ``r * (W // size) + c``), each tile flattened row-major. 372×492 with size 12 gives
    31×41 = 1271 patches of 144 pixels. One reshape + transpose, no loop.
    """
    image = np.asarray(image)
    rows, cols = _tile_grid(image.shape, size)
    crop = image[: rows * size, : cols * size]
    tiles = crop.reshape(rows, size, cols, size).swapaxes(1, 2)  # (r, c, i, j)
    return tiles.reshape(rows * cols, size * size)


def patches_to_image(patches, image_shape, size=12) -> np.ndarray:
    """The inverse of :func:`image_to_patches`: the cropped
    ``((H // size) * size, (W // size) * size)`` area of an image of shape ``image_shape``.
    """
    patches = np.asarray(patches)
    rows, cols = _tile_grid(tuple(image_shape), size)
    if patches.shape != (rows * cols, size * size):
        raise ValueError(
            f"patches must have shape {(rows * cols, size * size)} for image {image_shape} "
            f"and size {size}, got {patches.shape}"
        )
    tiles = patches.reshape(rows, cols, size, size).swapaxes(1, 2)  # (r, i, c, j)
    return tiles.reshape(rows * size, cols * size)


def psnr(reference, estimate, data_range=None) -> float:
    r"""Peak signal-to-noise ratio in dB,

    .. math:: \mathrm{PSNR} = 10\log_{10}\frac{R^2}{\mathrm{MSE}}, \qquad
              \mathrm{MSE} = \frac1P\sum_p (\text{reference}_p - \text{estimate}_p)^2 .

    R is ``data_range`` (255 for 8-bit grey levels). Left as None it follows
    ``skimage.metrics.peak_signal_noise_ratio``: R comes from the reference's dtype range
    (integers: e.g. [0, 255] for uint8; floats: [-1, 1]); it is the dtype's max when the
    reference is non-negative, else max − min, and a reference outside its dtype's range is an
    error. Computed in float64; identical images give ``inf``.
    """
    ref = np.asarray(reference)
    est = np.asarray(estimate)
    if ref.shape != est.shape:
        raise ValueError(f"shapes differ: {ref.shape} vs {est.shape}")
    if data_range is None:
        if ref.dtype == bool:
            lo, hi = 0, 1
        elif np.issubdtype(ref.dtype, np.integer):
            lo, hi = np.iinfo(ref.dtype).min, np.iinfo(ref.dtype).max
        else:
            lo, hi = -1, 1
        if ref.min() < lo or ref.max() > hi:
            raise ValueError(
                f"reference has values outside its dtype's range [{lo}, {hi}]: pass data_range"
            )
        data_range = hi if ref.min() >= 0 else hi - lo
    mse = np.mean((ref.astype(np.float64) - est.astype(np.float64)) ** 2)
    if mse == 0:
        return float("inf")
    return float(10.0 * np.log10(float(data_range) ** 2 / mse))


# ----------------------------------------------------------------------------------------
# Estimator
# ----------------------------------------------------------------------------------------


class PCA(TransformerMixin, BaseEstimator):
    r"""Principal component analysis (L09 lines 3700-4000).

    Fit: centre, :math:`\mathbf{X}_c = \mathbf{X} - \bar{\mathbf{x}}`, then the top M
    eigenvectors :math:`\mathbf{u}_i` of
    :math:`\mathbf{S} = \frac1N\mathbf{X}_c^T\mathbf{X}_c`. Transform:
    :math:`a_i = \mathbf{u}_i^T(\mathbf{x} - \bar{\mathbf{x}})` (lines 3760-3790);
    inverse: :math:`\tilde{\mathbf{x}} = \bar{\mathbf{x}} + \sum_i a_i\mathbf{u}_i`.

    Parameters
    ----------
    n_components : int or None
        M, the number of directions kept: 1..min(N, D), or None for all min(N, D).
    solver : {"eig", "svd"}
        ``"eig"``: ``np.linalg.eigh`` of the lecture's S (views 1 and 2). ``"svd"``: SVD of
        the centred data (view 3; scikit-learn's ``svd_solver="full"``). Both use the same
        sign convention as scikit-learn (the largest-|.| entry of each :math:`\mathbf{u}_i`
        is positive), so all three give the same components.

    Attributes
    ----------
    mean_ : ndarray (D,)
        :math:`\bar{\mathbf{x}}`.
    components_ : ndarray (M, D)
        Orthonormal rows :math:`\mathbf{u}_i`, by decreasing eigenvalue.
    eigenvalues_ : ndarray (M,)
        The lecture's :math:`\lambda_i`, eigenvalues of S (divided by N): the variance of the
        projections on :math:`\mathbf{u}_i`.
    explained_variance_ : ndarray (M,)
        scikit-learn's convention, :math:`\lambda_i N/(N-1)` (unbiased variance).
    explained_variance_ratio_ : ndarray (M,)
        :math:`\lambda_i / \frac1N\|\mathbf{X}_c\|_F^2`.
    singular_values_ : ndarray (M,)
        :math:`\sigma_i = \sqrt{N\lambda_i}` of :math:`\mathbf{X}_c`.
    total_variance_ : float
        :math:`\frac1N\|\mathbf{X}_c\|_F^2 = \sum_i\lambda_i` over all directions, so the
        training reconstruction error is ``total_variance_ - eigenvalues_.sum()``.
    n_components_, n_features_in_, n_samples_ : int
    """

    def __init__(self, n_components=None, solver="eig"):
        self.n_components = n_components
        self.solver = solver

    def _check_params(self, n: int, d: int) -> int:
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {self.solver!r}")
        k = min(n, d)
        m = self.n_components
        if m is None:
            return k
        if isinstance(m, bool) or not isinstance(m, numbers.Integral) or not 1 <= m <= k:
            raise ValueError(f"n_components must be None or an int in 1..{k}, got {m!r}")
        return int(m)

    def fit(self, X, y=None):
        # N - 1 in explained_variance_ needs two samples (sklearn's PCA returns nan there)
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        n, d = X.shape
        m = self._check_params(n, d)
        self.mean_ = X.mean(axis=0)
        Xc = X - self.mean_
        lam, comps = _decompose(Xc, self.solver)
        self.components_ = np.ascontiguousarray(comps[:m])
        self.eigenvalues_ = lam[:m].copy()
        self.total_variance_ = float(np.sum(Xc * Xc) / n)  # (1/N) ||X - Xbar||_F^2
        self.explained_variance_ = self.eigenvalues_ * (n / (n - 1))
        total = self.total_variance_
        self.explained_variance_ratio_ = self.eigenvalues_ / total if total > 0 else 0 * lam[:m]
        self.singular_values_ = np.sqrt(n * self.eigenvalues_)  # lambda = sigma^2 / N
        self.n_components_ = m
        self.n_samples_ = int(n)
        return self

    def transform(self, X) -> np.ndarray:
        r""":math:`\mathbf{A} = (\mathbf{X} - \bar{\mathbf{x}})\mathbf{U}^T`, row n holding
        :math:`a_i^{(n)} = \mathbf{u}_i^T(\mathbf{x}^{(n)} - \bar{\mathbf{x}})`."""
        check_is_fitted(self, "components_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return (X - self.mean_) @ self.components_.T

    def inverse_transform(self, X) -> np.ndarray:
        r""":math:`\tilde{\mathbf{x}} = \bar{\mathbf{x}} + \sum_i a_i\mathbf{u}_i`, i.e.
        :math:`\bar{\mathbf{x}} + \mathbf{A}\mathbf{U}`, for coefficients A (N, M)."""
        check_is_fitted(self, "components_")
        A = check_array(X, dtype=np.float64)
        if A.shape[1] != self.n_components_:
            raise ValueError(
                f"X has {A.shape[1]} columns, expected n_components_={self.n_components_}"
            )
        return self.mean_ + A @ self.components_

    def reconstruction_error(self, X) -> float:
        r"""The lecture's E on X (lines 3795-3830): the mean over samples of
        :math:`\|(\mathbf{x} - \bar{\mathbf{x}}) - \sum_i a_i\mathbf{u}_i\|^2`, with the
        training :math:`\bar{\mathbf{x}}`. On the training data it equals
        :math:`\sum_{i>M}\lambda_i`."""
        check_is_fitted(self, "components_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        residual = X - self.inverse_transform(self.transform(X))
        return float(np.mean(np.sum(residual * residual, axis=1)))
