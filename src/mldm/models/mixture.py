r"""The Gaussian mixture fitted by EM, lecture 13, first half (L13, ``course-notes.zh.txt``
lines 5504-5840; K-means, its hard limit, in L09 lines 3577-3690).

**The model** (lines 5600-5610). K Gaussians with weights :math:`\pi_k \ge 0`,
:math:`\sum_k \pi_k = 1`:

.. math:: p(\mathbf{x}) = \sum_{k=1}^K \pi_k\,\mathcal N(\mathbf{x};\boldsymbol\mu_k,
          \boldsymbol\Sigma_k).

As a latent-variable model (lines 5619-5650) a one-hot :math:`\mathbf z \sim
\mathrm{Cat}(\boldsymbol\pi)` picks the component,

.. math:: p(\mathbf{x}, \mathbf{z}) = \prod_{k=1}^K [\pi_k\,\mathcal N(\mathbf{x};
          \boldsymbol\mu_k, \boldsymbol\Sigma_k)]^{z_k},

and summing out :math:`\mathbf z` gives the mixture back. Training maximizes the
log-likelihood (line 5666)

.. math:: \log p(\mathbf{x}^{(1)},\dots,\mathbf{x}^{(N)}) = \sum_{n=1}^N \log \sum_{k=1}^K
          \pi_k\,\mathcal N(\mathbf{x}^{(n)}; \boldsymbol\mu_k, \boldsymbol\Sigma_k),

whose log of a sum has no closed-form maximizer.

**Why EM works** (lines 5698-5770). For *any* distribution :math:`q(\mathbf z)`

.. math:: \log p(\mathbf{x};\boldsymbol\theta) = \underbrace{\sum_{\mathbf z} q(\mathbf z)
          \log\frac{p(\mathbf{x},\mathbf{z};\boldsymbol\theta)}{q(\mathbf z)}}_{\mathcal L(q,
          \boldsymbol\theta)} + \mathrm{KL}(q \,\|\, p(\mathbf z|\mathbf x;\boldsymbol\theta)).

The E-step sets :math:`q = p(\mathbf z|\mathbf x;\boldsymbol\theta^{(t)})`, so KL = 0 and
:math:`\mathcal L = \log p(\mathbf x;\boldsymbol\theta^{(t)})`; the M-step maximizes
:math:`\mathcal L` over :math:`\boldsymbol\theta` with q fixed. Then
:math:`\log p(\mathbf x;\boldsymbol\theta^{(t+1)}) = \mathcal L(q, \boldsymbol\theta^{(t+1)})
+ \mathrm{KL} \ge \mathcal L(q, \boldsymbol\theta^{(t)}) = \log p(\mathbf x;
\boldsymbol\theta^{(t)})`: the likelihood never decreases (``log_likelihood_curve_``).

**The two steps for the mixture** (lines 5776-5835; the slides stop at "maximize Q", the
closed forms below are its solution). E-step, the posterior of :math:`z_k`, the
*responsibility*

.. math:: \gamma_{nk} = p(z_k = 1 | \mathbf x_n) = \frac{\pi_k\,\mathcal N(\mathbf{x}_n;
          \boldsymbol\mu_k, \boldsymbol\Sigma_k)}{\sum_j \pi_j\,\mathcal N(\mathbf{x}_n;
          \boldsymbol\mu_j, \boldsymbol\Sigma_j)}

(in logs, with log-sum-exp). With it,
:math:`Q(\boldsymbol\theta;\boldsymbol\theta^{(t)}) = \frac1N\sum_n\sum_k \gamma_{nk}[\log\pi_k
+ \log\mathcal N(\mathbf x_n;\boldsymbol\mu_k,\boldsymbol\Sigma_k)]`, which separates: a
Lagrange multiplier for :math:`\sum_k\pi_k = 1` and the weighted Gaussian MLE give the
M-step

.. math:: N_k = \sum_n \gamma_{nk},\quad \pi_k = \frac{N_k}{N},\quad
          \boldsymbol\mu_k = \frac{1}{N_k}\sum_n \gamma_{nk}\mathbf x_n,\quad
          \boldsymbol\Sigma_k = \frac{1}{N_k}\sum_n \gamma_{nk}(\mathbf x_n - \boldsymbol\mu_k)
          (\mathbf x_n - \boldsymbol\mu_k)^T + \epsilon I .

The :math:`\epsilon I` (``reg_covar``, scikit-learn's guard) keeps
:math:`\boldsymbol\Sigma_k` invertible when a component collapses onto few points; without
it the likelihood is unbounded there (:math:`\boldsymbol\Sigma_k \to 0` on one point).

**K-means is the limit** (L09 lines 3577-3690). With equal weights and one fixed shared
:math:`\sigma^2 I`, :math:`\gamma_{nk} = \mathrm{softmax}_k(-\|\mathbf x_n -
\boldsymbol\mu_k\|^2 / 2\sigma^2)`, the soft K-means of L09 line 3671 with
:math:`\beta = 1/2\sigma^2`, and the M-step moves the means only. As :math:`\sigma^2 \to 0`
the responsibilities become the hard K-means assignment and the mean update is Lloyd's
(:func:`em_isotropic_shared`).

:class:`GaussianMixture` takes scikit-learn's parameter names and stores its fitted
attributes (``weights_``, ``means_``, ``covariances_``, ``precisions_cholesky_``), so
``sklearn.mixture.GaussianMixture`` from the same initialization is an oracle.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data

from mldm.evaluation import aic, bic
from mldm.models.clustering import KMeans

__all__ = ["GaussianMixture", "em_isotropic_shared", "log_gaussian"]

COVARIANCE_TYPES = ("full", "diag")
INIT_PARAMS = ("kmeans", "random")
_LOG_2PI = math.log(2.0 * math.pi)
_EPS = np.finfo(np.float64).eps


# ----------------------------------------------------------------------------------------
# Gaussian densities
# ----------------------------------------------------------------------------------------


def _squared_distances(X: np.ndarray, M: np.ndarray) -> np.ndarray:
    r"""(N, K) :math:`\|\mathbf x_n - \boldsymbol\mu_k\|^2` from the differences, not the
    :math:`\|\mathbf x\|^2 + \|\boldsymbol\mu\|^2 - 2\mathbf x^T\boldsymbol\mu` expansion,
    whose cancellation error a tiny σ² would blow up in :func:`em_isotropic_shared`."""
    return ((X[:, None, :] - M[None, :, :]) ** 2).sum(axis=-1)


def _ill_defined() -> ValueError:
    return ValueError(
        "a covariance is not positive definite: some component collapsed onto too few or "
        "identical samples; increase reg_covar, lower n_components or scale the data"
    )


def _precision_cholesky(covariances: np.ndarray, covariance_type: str) -> np.ndarray:
    r"""scikit-learn's ``precisions_cholesky_``: full, the upper-triangular
    :math:`P_k = L_k^{-T}` with :math:`\Sigma_k = L_kL_k^T` (Cholesky), so that
    :math:`\Sigma_k^{-1} = P_kP_k^T`; diag, :math:`1/\sqrt{\sigma^2_{kj}}`."""
    if covariance_type == "diag":
        if np.any(~(covariances > 0)):
            raise _ill_defined()
        return 1.0 / np.sqrt(covariances)
    try:
        L = np.linalg.cholesky(covariances)  # batched over k
    except np.linalg.LinAlgError as err:
        raise _ill_defined() from err
    eye = np.broadcast_to(np.eye(covariances.shape[-1]), covariances.shape)
    # L^{-1} (lower) transposed; contiguous, so a saved and reloaded copy computes identically
    return np.ascontiguousarray(np.swapaxes(np.linalg.solve(L, eye), -1, -2))


def _log_gaussian_prec(X, means, prec_chol, covariance_type) -> np.ndarray:
    r""":math:`\log\mathcal N(\mathbf x_n;\boldsymbol\mu_k,\boldsymbol\Sigma_k) =
    -\frac12[d\log 2\pi + \|P_k^T(\mathbf x_n - \boldsymbol\mu_k)\|^2] + \log|\det P_k|`
    for any triangular :math:`P_k` with :math:`\Sigma_k^{-1} = P_kP_k^T`, shape (N, K).

    All K at once: the blocks :math:`P_k` side by side make one (d, K·d) matrix, so
    :math:`\mathbf x_n^TP_k - \boldsymbol\mu_k^TP_k` for every n and k is one matrix product
    and a broadcast subtraction; summing the squares within each block is a second product
    with a block-of-ones matrix. Diag is the same with :math:`P_k = \mathrm{diag}(1/\sigma_k)`.
    """
    K, d = means.shape
    if covariance_type == "diag":
        prec_chol = prec_chol[:, :, None] * np.eye(d)  # (K, d, d) diagonal factors
    P = np.swapaxes(prec_chol, 0, 1).reshape(d, K * d)  # column block k is P_k
    Z = X @ P  # (N, K d): x_n^T P_k
    Z -= np.matmul(means[:, None, :], prec_chol).reshape(K * d)  # - mu_k^T P_k
    Z *= Z
    maha = Z @ np.kron(np.eye(K), np.ones((d, 1)))  # block sums: ||P_k^T (x_n - mu_k)||^2
    log_det = np.log(np.diagonal(prec_chol, axis1=1, axis2=2)).sum(axis=1)
    return -0.5 * (d * _LOG_2PI + maha) + log_det


def _check_covariance_type(covariance_type) -> None:
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(
            f"covariance_type must be one of {COVARIANCE_TYPES}, got {covariance_type!r}"
        )


def log_gaussian(X, means, covariances, covariance_type="full") -> np.ndarray:
    r"""(N, K) :math:`\log\mathcal N(\mathbf x_n;\boldsymbol\mu_k,\boldsymbol\Sigma_k)`.

    ``covariances``: (K, d, d) for ``"full"`` (through the Cholesky factor: no inverse, no
    determinant computed directly), (K, d) variances for ``"diag"``. Vectorized over n and k.
    """
    _check_covariance_type(covariance_type)
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    means = np.atleast_2d(np.asarray(means, dtype=np.float64))
    covariances = np.asarray(covariances, dtype=np.float64)
    K, d = means.shape
    want = (K, d, d) if covariance_type == "full" else (K, d)
    if X.shape[1] != d or covariances.shape != want:
        raise ValueError(
            f"shapes do not match: X {X.shape}, means {means.shape}, covariances "
            f"{covariances.shape} (expected {want})"
        )
    return _log_gaussian_prec(
        X, means, _precision_cholesky(covariances, covariance_type), covariance_type
    )


# ----------------------------------------------------------------------------------------
# E-step and M-step
# ----------------------------------------------------------------------------------------


def _log_sum_exp(a: np.ndarray) -> np.ndarray:
    r"""(N, 1) :math:`\log\sum_k e^{a_{nk}}`, shifted by the row maximum so that the
    exponentials neither overflow nor all underflow to 0."""
    top = a.max(axis=1, keepdims=True)
    return top + np.log(np.exp(a - top).sum(axis=1, keepdims=True))


def _e_step(X, weights, means, prec_chol, covariance_type):
    r"""(log p(x_n), log γ_nk): :math:`\log\pi_k\mathcal N_{nk} - \log\sum_j\pi_j\mathcal
    N_{nj}`, with log-sum-exp so no density underflows to 0/0."""
    with np.errstate(divide="ignore"):  # a weight of exactly 0 is log 0 = -inf, fine here
        log_joint = _log_gaussian_prec(X, means, prec_chol, covariance_type) + np.log(weights)
    log_px = _log_sum_exp(log_joint)
    return log_px[:, 0], log_joint - log_px


def _covariances(X, resp, Nk, means, reg_covar, covariance_type) -> np.ndarray:
    r""":math:`\Sigma_k = \frac1{N_k}\sum_n\gamma_{nk}(\mathbf x_n-\boldsymbol\mu_k)
    (\mathbf x_n-\boldsymbol\mu_k)^T + \epsilon I` (diag: its diagonal only), for all k at
    once as :math:`D_kD_k^T/N_k` with the columns of :math:`D_k` the
    :math:`\sqrt{\gamma_{nk}}(\mathbf x_n - \boldsymbol\mu_k)`."""
    D = X.T[None, :, :] - means[:, :, None]  # (K, d, N): samples on the long, contiguous axis
    D *= np.sqrt(resp.T)[:, None, :]
    if covariance_type == "diag":
        D *= D
        return D.sum(axis=2) / Nk[:, None] + reg_covar
    cov = np.matmul(D, np.swapaxes(D, 1, 2)) / Nk[:, None, None]
    idx = np.arange(X.shape[1])
    cov[:, idx, idx] += reg_covar
    return cov


def _m_step(X, resp, reg_covar, covariance_type):
    r"""(π, μ, Σ) maximizing Q for fixed γ. :math:`N_k` gets scikit-learn's
    :math:`10\,\varepsilon_{\text{mach}}` so an empty component divides by a tiny number,
    not 0."""
    Nk = resp.sum(axis=0) + 10 * _EPS
    means = resp.T @ X / Nk[:, None]
    covariances = _covariances(X, resp, Nk, means, reg_covar, covariance_type)
    return Nk / Nk.sum(), means, covariances


def _one_hot(labels: np.ndarray, K: int) -> np.ndarray:
    resp = np.zeros((len(labels), K))
    resp[np.arange(len(labels)), labels] = 1.0
    return resp


# ----------------------------------------------------------------------------------------
# The estimator
# ----------------------------------------------------------------------------------------


class GaussianMixture(DensityMixin, BaseEstimator):
    r"""Gaussian mixture :math:`p(\mathbf x) = \sum_k\pi_k\mathcal N(\mathbf x;
    \boldsymbol\mu_k,\boldsymbol\Sigma_k)` fitted by EM (L13 lines 5600-5835).

    Parameters (scikit-learn's names and meanings)
    ----------
    n_components : int
        K.
    covariance_type : {"full", "diag"}
        A full :math:`\boldsymbol\Sigma_k` each, or a diagonal one (axis-aligned ellipses).
    tol : float
        Stop when the mean log-likelihood per sample changes by less than tol between two
        E-steps. Default 1e-3, scikit-learn's (L13 passes its own, ``lectures.l13_gmm_em.tol``
        in params.yaml, to trace the likelihood curve to its plateau).
    reg_covar : float
        :math:`\epsilon` added to every variance in the M-step.
    max_iter : int
        EM iterations (M-steps) at most; 0 keeps the initialization. Default 100,
        scikit-learn's. Stopping here before the tol rule raises scikit-learn's
        ``ConvergenceWarning`` with the last change of the mean log-likelihood.
    init_params : {"kmeans", "random"}
        Where the first M-step's responsibilities come from: the one-hot labels of
        :class:`mldm.models.clustering.KMeans` (L09's Lloyd algorithm, seeded by its "random
        + distance" init, i.e. k-means++), or uniform random rows normalized to sum to 1.
        Ignored when ``means_init`` is given.
    weights_init, means_init, precisions_init : array or None
        A given initialization (shapes (K,), (K, d), and (K, d, d) or (K, d) precisions
        :math:`\boldsymbol\Sigma_k^{-1}`). With ``means_init``: the weights are uniform
        unless ``weights_init``, and the covariances are ``precisions_init``'s inverses or
        else those of the hard assignment of every sample to its nearest mean (a mean with
        no samples gets the covariance of all the data about it). Without ``means_init``,
        ``weights_init`` / ``precisions_init`` replace the values the init M-step produced,
        as in scikit-learn. All three given: scikit-learn and this class start identically.
    random_state : int, Generator or None
        Seeds the initialization and :meth:`sample`.

    Attributes
    ----------
    weights_ : ndarray (K,)
    means_ : ndarray (K, d)
    covariances_ : ndarray (K, d, d) or (K, d)
    precisions_ : ndarray, same shape
        :math:`\boldsymbol\Sigma_k^{-1}` (diag: :math:`1/\sigma^2_{kj}`).
    precisions_cholesky_ : ndarray, same shape
        scikit-learn's factor: upper-triangular :math:`P_k`, :math:`\boldsymbol\Sigma_k^{-1}
        = P_kP_k^T` (diag: :math:`1/\sigma_{kj}`).
    converged_ : bool
    n_iter_ : int
        M-steps run.
    log_likelihood_curve_ : ndarray (n_iter_ + 1,)
        Mean log-likelihood per sample after every E-step, i.e. of the parameters before each
        M-step (the initialization first), then of the final parameters. EM guarantees it
        never decreases.
    lower_bound_ : float
        ``log_likelihood_curve_[-1]``, the final mean log-likelihood (= ``score(X_train)``).
        scikit-learn's ``lower_bound_`` is the value before its last M-step, i.e.
        ``log_likelihood_curve_[-2]``.
    n_features_in_ : int

    The stopping rule is scikit-learn's, so both run the same number of M-steps: iteration t
    computes :math:`\ell(\boldsymbol\theta^{(t-1)})` in its E-step, runs the M-step, and stops
    if :math:`|\ell(\boldsymbol\theta^{(t-1)}) - \ell(\boldsymbol\theta^{(t-2)})| <` tol.
    """

    def __init__(
        self,
        n_components: int = 1,
        covariance_type: str = "full",
        tol: float = 1e-3,
        reg_covar: float = 1e-6,
        max_iter: int = 100,
        init_params: str = "kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state

    # ---------------------------------------------------------------- checks and init

    def _check_params(self) -> None:
        _check_covariance_type(self.covariance_type)
        if self.init_params not in INIT_PARAMS:
            raise ValueError(f"init_params must be one of {INIT_PARAMS}, got {self.init_params!r}")
        if int(self.n_components) < 1:
            raise ValueError(f"n_components must be >= 1, got {self.n_components!r}")
        if int(self.max_iter) < 0:
            raise ValueError(f"max_iter must be >= 0, got {self.max_iter!r}")
        if not (self.tol >= 0 and self.reg_covar >= 0):
            raise ValueError(
                f"tol and reg_covar must be >= 0, got {self.tol!r}, {self.reg_covar!r}"
            )

    def _given(self, name: str, shape: tuple) -> np.ndarray | None:
        value = getattr(self, name)
        if value is None:
            return None
        arr = np.array(value, dtype=np.float64)  # a copy: the param itself stays untouched
        if arr.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
        return arr

    def _given_init(self, K: int, d: int):
        weights = self._given("weights_init", (K,))
        if weights is not None and (np.any(weights < 0) or not np.isclose(weights.sum(), 1.0)):
            raise ValueError("weights_init must be >= 0 and sum to 1")
        means = self._given("means_init", (K, d))
        full = self.covariance_type == "full"
        precisions = self._given("precisions_init", (K, d, d) if full else (K, d))
        if (
            precisions is not None
            and full
            and not np.allclose(precisions, np.swapaxes(precisions, 1, 2))
        ):
            raise ValueError("precisions_init must be symmetric")
        return weights, means, precisions

    def _initialize(self, X: np.ndarray, rng: np.random.Generator):
        """(π, μ, Σ, P) of θ^(0)."""
        N, d = X.shape
        K, reg, ctype = int(self.n_components), float(self.reg_covar), self.covariance_type
        weights_init, means, precisions = self._given_init(K, d)
        if means is not None:
            weights = np.full(K, 1.0 / K)
            if precisions is None:
                # hard assignment to the nearest given mean, covariances about those means
                resp = _one_hot(_squared_distances(X, means).argmin(axis=1), K)
                Nk = resp.sum(axis=0)
                covariances = _covariances(X, resp, Nk + 10 * _EPS, means, reg, ctype)
                empty = Nk == 0
                if empty.any():
                    everything = np.ones((N, 1))
                    for k in np.flatnonzero(empty):  # loop over (rare) empty components
                        covariances[k] = _covariances(
                            X, everything, np.array([N]), means[k : k + 1], reg, ctype
                        )[0]
        else:
            if self.init_params == "kmeans":  # L09's K-means, k-means++ seeded
                resp = _one_hot(KMeans(K, random_state=rng).fit(X).labels_, K)
            else:
                resp = rng.uniform(size=(N, K))
                resp /= resp.sum(axis=1, keepdims=True)
            weights, means, covariances = _m_step(X, resp, reg, ctype)
        if weights_init is not None:
            weights = weights_init
        if precisions is not None:
            if ctype == "diag":
                if np.any(~(precisions > 0)):
                    raise ValueError("precisions_init must be positive")
                return weights, means, 1.0 / precisions, np.sqrt(precisions)
            try:  # scikit-learn's factor for a given precision: its lower Cholesky factor
                prec_chol = np.linalg.cholesky(precisions)
            except np.linalg.LinAlgError as err:
                raise ValueError("precisions_init must be positive definite") from err
            return weights, means, np.linalg.inv(precisions), prec_chol
        return weights, means, covariances, _precision_cholesky(covariances, ctype)

    # ---------------------------------------------------------------- EM

    def fit(self, X, y=None):
        self._check_params()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        K = int(self.n_components)
        if X.shape[0] < K:
            raise ValueError(f"need n_samples >= n_components, got {X.shape[0]} < {K}")
        ctype, reg = self.covariance_type, float(self.reg_covar)
        weights, means, covariances, prec_chol = self._initialize(
            X, np.random.default_rng(self.random_state)
        )
        curve, converged, n_iter = [], False, 0
        for it in range(1, int(self.max_iter) + 1):
            n_iter = it
            log_px, log_resp = _e_step(X, weights, means, prec_chol, ctype)  # ℓ(θ^(t-1))
            curve.append(float(log_px.mean()))
            weights, means, covariances = _m_step(X, np.exp(log_resp), reg, ctype)
            prec_chol = _precision_cholesky(covariances, ctype)
            if len(curve) > 1 and abs(curve[-1] - curve[-2]) < self.tol:
                converged = True
                break
        log_px, _ = _e_step(X, weights, means, prec_chol, ctype)  # ℓ of the final θ
        curve.append(float(log_px.mean()))
        if not converged and n_iter > 0:
            gap = abs(curve[-2] - curve[-3]) if len(curve) > 2 else float("inf")
            warnings.warn(
                f"GaussianMixture stopped at max_iter={n_iter} before converging (the mean "
                f"log-likelihood still changed by {gap:.3g}, not below tol={self.tol}); "
                "raise max_iter",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.weights_, self.means_, self.covariances_ = weights, means, covariances
        self.precisions_cholesky_ = prec_chol
        if ctype == "diag":
            self.precisions_ = prec_chol**2
        else:
            self.precisions_ = np.matmul(prec_chol, np.swapaxes(prec_chol, 1, 2))
        self.converged_ = converged
        self.n_iter_ = int(n_iter)
        self.log_likelihood_curve_ = np.asarray(curve)
        self.lower_bound_ = curve[-1]
        return self

    # ---------------------------------------------------------------- inference

    def _e(self, X):
        check_is_fitted(self, "means_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return _e_step(
            X, self.weights_, self.means_, self.precisions_cholesky_, self.covariance_type
        )

    def score_samples(self, X) -> np.ndarray:
        r""":math:`\log p(\mathbf x_n) = \log\sum_k\pi_k\mathcal N(\mathbf x_n;
        \boldsymbol\mu_k,\boldsymbol\Sigma_k)`, shape (N,)."""
        return self._e(X)[0]

    def score(self, X, y=None) -> float:
        """Mean log-likelihood per sample."""
        return float(self.score_samples(X).mean())

    def predict_proba(self, X) -> np.ndarray:
        r"""The responsibilities :math:`\gamma_{nk} = p(z_k = 1|\mathbf x_n)`, (N, K)."""
        return np.exp(self._e(X)[1])

    def predict(self, X) -> np.ndarray:
        r""":math:`\arg\max_k \gamma_{nk}`, the most probable component."""
        return self._e(X)[1].argmax(axis=1)

    def sample(self, n_samples: int = 1):
        r"""Ancestral sampling through the latent form (line 5650): draw
        :math:`\mathbf z \sim \mathrm{Cat}(\boldsymbol\pi)`, then
        :math:`\mathbf x = \boldsymbol\mu_z + L_z\boldsymbol\epsilon`,
        :math:`\boldsymbol\epsilon\sim\mathcal N(0, I)`, :math:`\Sigma_z = L_zL_z^T`.
        Returns (X (n, d), z (n,)), grouped by component like scikit-learn; seeded by
        ``random_state``."""
        check_is_fitted(self, "means_")
        if int(n_samples) < 1:
            raise ValueError(f"n_samples must be >= 1, got {n_samples!r}")
        rng = np.random.default_rng(self.random_state)
        counts = rng.multinomial(int(n_samples), self.weights_ / self.weights_.sum())
        z = np.repeat(np.arange(len(self.weights_)), counts)
        eps = rng.standard_normal((len(z), self.means_.shape[1]))
        if self.covariance_type == "diag":
            return self.means_[z] + np.sqrt(self.covariances_[z]) * eps, z
        L = np.linalg.cholesky(self.covariances_)
        return self.means_[z] + np.einsum("nij,nj->ni", L[z], eps), z

    # ---------------------------------------------------------------- model selection

    def n_parameters(self) -> int:
        """Free parameters M: K-1 weights, K·d means, K·d(d+1)/2 (full) or K·d (diag)
        covariance entries."""
        check_is_fitted(self, "means_")
        K, d = self.means_.shape
        cov = K * d * (d + 1) // 2 if self.covariance_type == "full" else K * d
        return int(K - 1 + K * d + cov)

    def aic(self, X) -> float:
        r""":math:`2M - 2\log l` (L04, :func:`mldm.evaluation.aic`), l the likelihood of X."""
        X = np.asarray(X)
        return aic(self.score(X) * X.shape[0], self.n_parameters())

    def bic(self, X) -> float:
        r""":math:`M\log N - 2\log l` (L04, :func:`mldm.evaluation.bic`)."""
        X = np.asarray(X)
        return bic(self.score(X) * X.shape[0], self.n_parameters(), X.shape[0])


# ----------------------------------------------------------------------------------------
# K-means as the limit of EM
# ----------------------------------------------------------------------------------------


def em_isotropic_shared(X, means_init, sigma2, max_iter=100):
    r"""EM for the mixture with equal weights :math:`\pi_k = 1/K` and one shared, *fixed*
    covariance :math:`\sigma^2 I`; only the means are learned.

    E-step: :math:`\pi_k` and the normalizer cancel in :math:`\gamma_{nk}`, leaving

    .. math:: \gamma_{nk} = \frac{\exp(-\|\mathbf x_n - \boldsymbol\mu_k\|^2/2\sigma^2)}
              {\sum_j \exp(-\|\mathbf x_n - \boldsymbol\mu_j\|^2/2\sigma^2)},

    L09's soft K-means (line 3671) with :math:`\beta = 1/2\sigma^2`. M-step:
    :math:`\boldsymbol\mu_k = \sum_n\gamma_{nk}\mathbf x_n / \sum_n\gamma_{nk}`. As
    :math:`\sigma^2 \to 0` the softmax becomes the argmin, i.e. K-means' :math:`r_{nk}`, and
    the iteration is Lloyd's algorithm.

    Stops when no mean moves by more than :math:`10^{-12}` times the data's scale, or after
    ``max_iter`` iterations. A component with :math:`\sum_n\gamma_{nk} = 0` (underflow)
    keeps its mean. Returns (means (K, d), responsibilities of the returned means (N, K),
    iterations run).
    """
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    means = np.array(means_init, dtype=np.float64, ndmin=2)
    if means.shape[1] != X.shape[1]:
        raise ValueError(f"means_init has {means.shape[1]} features, X has {X.shape[1]}")
    if not float(sigma2) > 0:
        raise ValueError(f"sigma2 must be > 0, got {sigma2!r}")
    if int(max_iter) < 1:
        raise ValueError(f"max_iter must be >= 1, got {max_iter!r}")

    def e_step(M):
        logits = -_squared_distances(X, M) / (2.0 * float(sigma2))
        return np.exp(logits - _log_sum_exp(logits))

    stop = 1e-12 * max(1.0, float(np.abs(X).max()))
    n_iter = 0
    for it in range(1, int(max_iter) + 1):
        n_iter = it
        resp = e_step(means)
        Nk = resp.sum(axis=0)
        filled = Nk > 0
        new = means.copy()
        new[filled] = (resp.T @ X)[filled] / Nk[filled, None]
        shift = float(np.abs(new - means).max())
        means = new
        if shift <= stop:
            break
    return means, e_step(means), n_iter
