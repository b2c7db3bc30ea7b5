r"""Data preprocessing, L07 lines 2706-2716: centering, variance standardization, whitening.

Samples are the rows of X (N×D), as in scikit-learn. With
:math:`\boldsymbol{\mu} = \frac1N\sum_n \mathbf{x}^{(n)}` and
:math:`\mathbf{X}_c = \mathbf{X} - \boldsymbol{\mu}`:

1. **centering** (line 2710): :math:`\mathbf{x} \mapsto \mathbf{x} - \boldsymbol{\mu}`;
2. **standardization** (line 2711): :math:`x_d \mapsto (x_d - \mu_d)/\sigma_d` per dimension,
   :math:`\sigma_d^2 = \frac1N\sum_n (x^{(n)}_d - \mu_d)^2` (biased, like ``StandardScaler``);
3. **whitening** (line 2712): decorrelate *and* scale, so that the covariance becomes I. With
   :math:`\Sigma = \frac1N\mathbf{X}_c^T\mathbf{X}_c = \mathbf{U}\Lambda\mathbf{U}^T`,
   PCA whitening is :math:`\mathbf{x} \mapsto \Lambda^{-1/2}\mathbf{U}^T(\mathbf{x} -
   \boldsymbol{\mu})` (rotate onto the principal axes, then scale each to unit variance) and ZCA
   whitening rotates back, :math:`\mathbf{x} \mapsto \mathbf{U}\Lambda^{-1/2}\mathbf{U}^T
   (\mathbf{x} - \boldsymbol{\mu})`. Any :math:`\mathbf{R}\Lambda^{-1/2}\mathbf{U}^T` with R
   orthogonal whitens; ZCA (R = U) is the one whose output stays closest to the centred input.

The lecture (line 2716) says to pick one or several of these according to the data.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    OneToOneFeatureMixin,
    TransformerMixin,
)
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

__all__ = ["Centering", "Standardization", "Whitening", "covariance_eigh", "whitening_matrices"]

METHODS = ("pca", "zca")


# ----------------------------------------------------------------------------------------
# Pure functions
# ----------------------------------------------------------------------------------------


def _check_nonneg(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name} must be a real number >= 0, got {value!r}")
    return float(value)


def _flip_signs(U: np.ndarray) -> np.ndarray:
    """Make the largest-|.| entry of every column (eigenvector) positive; eigenvectors are only
    defined up to sign, and this is the convention of ``sklearn.decomposition.PCA``."""
    cols = np.arange(U.shape[1])
    signs = np.sign(U[np.argmax(np.abs(U), axis=0), cols])
    signs[signs == 0] = 1.0
    return U * signs


def covariance_eigh(Xc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""(Λ, U) of :math:`\Sigma = \frac1N\mathbf{X}_c^T\mathbf{X}_c = \mathbf{U}\Lambda
    \mathbf{U}^T`: eigenvalues descending (clipped at 0: Σ is PSD, ``eigh`` may return
    −1e-17) and the eigenvectors as the columns of U, sign-fixed."""
    Σ = Xc.T @ Xc / len(Xc)  # Σ = (1/N) X_cᵀ X_c
    lam, U = np.linalg.eigh(Σ)  # ascending
    return np.clip(lam[::-1], 0.0, None), _flip_signs(U[:, ::-1])


def whitening_matrices(
    lam: np.ndarray, U: np.ndarray, method: str, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""(W, W⁺): ``Xc @ W.T`` whitens and ``Z @ W⁺`` undoes it, for the k kept eigenpairs.

    PCA: :math:`\mathbf{W} = \Lambda^{-1/2}\mathbf{U}^T` (k×D),
    :math:`\mathbf{W}^+ = \Lambda^{1/2}\mathbf{U}^T`.
    ZCA: :math:`\mathbf{W} = \mathbf{U}\Lambda^{-1/2}\mathbf{U}^T` (D×D, symmetric, rank k),
    :math:`\mathbf{W}^+ = \mathbf{U}\Lambda^{1/2}\mathbf{U}^T`. ε is added to Λ so that
    rank-deficient data (constant pixels of the digits) do not divide by 0.
    """
    root = np.sqrt(lam + eps)  # (Λ + ε)^{1/2}
    W, W_inv = U.T / root[:, None], U.T * root[:, None]  # Λ^{-1/2}Uᵀ, Λ^{1/2}Uᵀ
    if method == "zca":
        W, W_inv = U @ W, U @ W_inv  # U Λ^{-1/2} Uᵀ, U Λ^{1/2} Uᵀ
    return W, W_inv


# ----------------------------------------------------------------------------------------
# Estimators
# ----------------------------------------------------------------------------------------


class Centering(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    r"""Subtract the training mean, L07 line 2710: :math:`\mathbf{x} \mapsto \mathbf{x} -
    \boldsymbol{\mu}` (``StandardScaler(with_std=False)``).

    Attributes
    ----------
    mean_ : ndarray (D,)
        :math:`\boldsymbol{\mu} = \frac1N\sum_n\mathbf{x}^{(n)}`.
    n_features_in_ : int
    """

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        self.mean_ = X.mean(axis=0)  # μ
        return self

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "mean_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X - self.mean_  # x - μ

    def inverse_transform(self, X) -> np.ndarray:
        check_is_fitted(self, "mean_")
        X = check_array(X, dtype=np.float64)
        return X + self.mean_


class Standardization(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    r"""Per-dimension variance normalization, L07 line 2711:
    :math:`x_d \mapsto (x_d - \mu_d)/\sqrt{\sigma_d^2 + \epsilon}`.

    σ² is the biased :math:`\frac1N` variance, as in ``StandardScaler``. ε = 0 (default) is the
    plain :math:`(x - \mu)/\sigma`; a constant feature (σ = 0) gets scale 1, as in
    ``StandardScaler``, so it maps to 0 instead of NaN.

    Attributes
    ----------
    mean_, var_, scale_ : ndarray (D,)
        μ, σ² and the divisor :math:`\sqrt{\sigma^2 + \epsilon}` (1 where it is 0).
    n_features_in_ : int
    """

    def __init__(self, eps=0.0):
        self.eps = eps

    def fit(self, X, y=None):
        eps = _check_nonneg("eps", self.eps)
        X = validate_data(self, X, dtype=np.float64)
        self.mean_ = X.mean(axis=0)  # μ_d
        self.var_ = ((X - self.mean_) ** 2).mean(axis=0)  # σ_d² = (1/N) Σ_n (x_d - μ_d)²
        # a constant feature's rounding leaves σ ≈ N·ε_mach·|μ|, not 0: sklearn's bound
        n, e = len(X), np.finfo(np.float64).eps
        constant = self.var_ <= n * e * self.var_ + (n * e * self.mean_) ** 2
        scale = np.sqrt(self.var_ + eps)  # √(σ² + ε)
        self.scale_ = np.where(constant & (eps == 0), 1.0, scale)
        return self

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "scale_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return (X - self.mean_) / self.scale_  # (x - μ) / σ

    def inverse_transform(self, X) -> np.ndarray:
        check_is_fitted(self, "scale_")
        X = check_array(X, dtype=np.float64)
        return X * self.scale_ + self.mean_


class Whitening(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    r"""PCA or ZCA whitening, L07 line 2712: after it the (1/N) covariance is the identity.

    With :math:`\Sigma = \frac1N\mathbf{X}_c^T\mathbf{X}_c = \mathbf{U}\Lambda\mathbf{U}^T`
    (eigenvalues descending, largest-|·| entry of each eigenvector positive):

    - ``"pca"``: :math:`\mathbf{z} = (\Lambda + \epsilon)^{-1/2}\mathbf{U}^T(\mathbf{x} -
      \boldsymbol{\mu})`, optionally keeping the first ``n_components`` axes only. Equals
      ``sklearn.decomposition.PCA(whiten=True)`` times :math:`\sqrt{N/(N-1)}`: sklearn divides
      by the unbiased :math:`\frac{1}{N-1}` variances, we by the lecture's :math:`\frac1N` ones.
    - ``"zca"``: :math:`\mathbf{z} = \mathbf{U}(\Lambda + \epsilon)^{-1/2}\mathbf{U}^T
      (\mathbf{x} - \boldsymbol{\mu})`: a symmetric matrix, the whitening transform whose
      output is closest to :math:`\mathbf{x} - \boldsymbol{\mu}` (images stay image-like).
      With ``n_components`` = k < D it is :math:`\mathbf{U}_k(\Lambda_k + \epsilon)^{-1/2}
      \mathbf{U}_k^T`: still D outputs, white inside the top-k subspace, 0 outside it.

    ε (default 1e-5) keeps rank-deficient data finite; with ε = 0 the covariance of the output
    is exactly I, and rank-deficient data raise ``ValueError``.

    Attributes
    ----------
    mean_ : ndarray (D,)
    eigenvalues_ : ndarray (k,)
        The kept Λ (without ε).
    components_ : ndarray (k, D)
        The kept eigenvectors :math:`\mathbf{u}_i` as rows (sklearn's layout).
    whitening_ : ndarray (k, D) for PCA, (D, D) for ZCA (rank k)
        W with :math:`\mathbf{z} = \mathbf{W}(\mathbf{x} - \boldsymbol{\mu})`.
    unwhitening_ : ndarray, same shape as ``whitening_``
        :math:`\mathbf{x} - \boldsymbol{\mu} = \mathbf{z}\,\mathbf{W}^+` (row vectors).
    n_components_, n_features_in_ : int
    """

    def __init__(self, method="pca", eps=1e-5, n_components=None):
        self.method = method
        self.eps = eps
        self.n_components = n_components

    def _check_params(self, d: int) -> int:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {self.method!r}")
        _check_nonneg("eps", self.eps)
        k = self.n_components
        if k is None:
            return d
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= d:
            raise ValueError(f"n_components must be None or an int in 1..{d}, got {k!r}")
        return int(k)

    def fit(self, X, y=None):
        X = validate_data(self, X, dtype=np.float64)
        k = self._check_params(X.shape[1])
        self.mean_ = X.mean(axis=0)  # μ
        lam, U = covariance_eigh(X - self.mean_)
        lam, U = lam[:k], U[:, :k]
        if self.eps == 0:
            # eigenvalues at rounding level of the largest are zeros: Λ^{-1/2} would blow up
            tiny = max(lam[0], 1.0) * X.shape[1] * np.finfo(np.float64).eps
            if lam[-1] <= tiny:
                raise ValueError(
                    f"covariance is singular (smallest kept eigenvalue {lam[-1]:.3g}): "
                    "use eps > 0, or method='pca' with fewer n_components"
                )
        self.eigenvalues_, self.components_ = lam, np.ascontiguousarray(U.T)
        self.whitening_, self.unwhitening_ = whitening_matrices(lam, U, self.method, self.eps)
        self.n_components_ = k
        return self

    @property
    def _n_features_out(self) -> int:
        return self.whitening_.shape[0]  # k for PCA, D for ZCA

    def transform(self, X) -> np.ndarray:
        check_is_fitted(self, "whitening_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return (X - self.mean_) @ self.whitening_.T  # z = W (x - μ), row by row

    def inverse_transform(self, X) -> np.ndarray:
        """Exact when all D axes are kept; with k < D, the projection onto the top-k axes."""
        check_is_fitted(self, "whitening_")
        Z = check_array(X, dtype=np.float64)
        if Z.shape[1] != self.whitening_.shape[0]:
            raise ValueError(f"X has {Z.shape[1]} columns, expected {self.whitening_.shape[0]}")
        return Z @ self.unwhitening_ + self.mean_  # x = W⁺ z + μ
