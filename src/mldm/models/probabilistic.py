r"""L03: the probabilistic view of regression and classification (course notes lines 603-895).

The lecture's whole argument is two steps (summary, lines 884-892):

1. **Modelling** -- choose a conditional distribution :math:`p(y|\mathbf{x})` for the output:
   a Gaussian for regression (line 739), a Bernoulli for logistic regression (line 825),
   a categorical for multi-class (softmax) regression (line 872).
2. **Training** -- maximize the log-likelihood of the i.i.d. training set (lines 765-775).

A prediction is then read off :math:`p(y|\mathbf{x})` either as its mean,
:math:`\hat y = \int y\,p(y|\mathbf{x})\,dy` (line 633), or as its mode ("MAP"),
:math:`\hat y = \arg\max_y p(y|\mathbf{x})` (line 637).

This module holds

- the three log-likelihoods, each written from the slide's density / pmf and summed over
  samples: :func:`gaussian_log_likelihood`, :func:`bernoulli_log_likelihood`,
  :func:`categorical_log_likelihood` (their negated means are the cross-entropies,
  lines 835-841 and 880);
- :func:`gaussian_mle`, the closed-form maximizer of the Gaussian likelihood over
  :math:`(\mathbf{w}, \sigma^2)`;
- :class:`GaussianLinearRegression`, which maximizes the same likelihood *numerically*
  (over :math:`\mathbf{w}` and :math:`\log\sigma`, by L-BFGS through the Lightning glue), so
  the tests can show that its optimum is the least-squares solution (lines 757-779);
- :class:`MAPLinearRegression`, the posterior mode under a Gaussian prior on
  :math:`\mathbf{w}`: ridge regression / weight decay (taught in L04, lines 1248-1262).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.linalg
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn

__all__ = [
    "GaussianLinearRegression",
    "MAPLinearRegression",
    "bernoulli_log_likelihood",
    "categorical_log_likelihood",
    "gaussian_log_likelihood",
    "gaussian_mle",
]

# Probabilities are clipped to [eps, 1 - eps] before the log, so a confident wrong prediction
# costs log(eps) ~ -36 instead of -inf. Same eps as sklearn.metrics.log_loss (float64 machine
# precision), so the cross-entropy identities in the tests hold to rounding.
_EPS = float(np.finfo(np.float64).eps)
_LOG_2PI = math.log(2.0 * math.pi)


# ----------------------------------------------------------------------------------------
# Log-likelihoods (sum over samples)
# ----------------------------------------------------------------------------------------


def _gaussian_logpdf(y, mean, sigma2):
    r"""Elementwise :math:`\log\mathcal N(y; \mu, \sigma^2)`, from L03 lines 656 / 739.

    .. math:: \log\Big[\frac{1}{\sqrt{2\pi\sigma^2}}
              \exp\Big(-\frac12\frac{(y-\mu)^2}{\sigma^2}\Big)\Big]
              = -\tfrac12\log(2\pi\sigma^2) - \frac{(y-\mu)^2}{2\sigma^2}
    """
    y, mean, sigma2 = (np.asarray(a, dtype=np.float64) for a in (y, mean, sigma2))
    # log of the normalizer (2 pi sigma^2)^{-1/2}
    log_norm = -0.5 * (_LOG_2PI + np.log(sigma2))
    # log of the exponential factor: the squared error scaled by the variance
    return log_norm - (y - mean) ** 2 / (2.0 * sigma2)


def gaussian_log_likelihood(y, mean, sigma2) -> float:
    r"""Gaussian log-likelihood of the samples, L03 lines 739 and 767-771.

    With :math:`p(y|\mathbf{x};\mathbf{w}) = \mathcal N(y; \mathbf{x}\mathbf{w}, \sigma^2)
    = (2\pi\sigma^2)^{-1/2}\exp[-(y-\mathbf{x}\mathbf{w})^2/(2\sigma^2)]` and i.i.d. samples,
    the joint density is a product (line 767), so its log is a sum (line 771):

    .. math:: \log p(y^{(1)},\dots,y^{(N)}|\cdot) = \sum_{i=1}^N
              \Big[-\tfrac12\log(2\pi\sigma^2) - \frac{(y^{(i)}-\mathbf{x}^{(i)}\mathbf{w})^2}
              {2\sigma^2}\Big]

    ``mean`` is :math:`\mathbf{x}^{(i)}\mathbf{w}` (an array, or anything broadcastable);
    ``sigma2`` is the variance :math:`\sigma^2` (scalar or broadcastable). Returns the SUM.
    """
    return float(np.sum(_gaussian_logpdf(y, mean, sigma2)))


def bernoulli_log_likelihood(y, pi) -> float:
    r"""Bernoulli log-likelihood of 0/1 labels, L03 lines 817 and 825-831.

    The pmf in product form (line 817) is :math:`p(y) = \pi^y (1-\pi)^{1-y}`, so

    .. math:: \sum_i \log p(y^{(i)}) = \sum_i \big[y^{(i)}\log\pi^{(i)}
              + (1-y^{(i)})\log(1-\pi^{(i)})\big]

    which is minus the summed cross-entropy (lines 835-841). In logistic regression
    :math:`\pi = \sigma(\mathbf{x}\mathbf{w})` (line 827). ``pi`` is clipped to
    :math:`[\epsilon, 1-\epsilon]` so a certain-but-wrong prediction stays finite.
    """
    y = np.asarray(y, dtype=np.float64)
    pi = np.clip(np.asarray(pi, dtype=np.float64), _EPS, 1.0 - _EPS)
    # log(pi^y (1-pi)^(1-y)) = y log pi + (1-y) log(1-pi): the exponents become weights
    return float(np.sum(y * np.log(pi) + (1.0 - y) * np.log1p(-pi)))


def categorical_log_likelihood(Y_onehot, Pi) -> float:
    r"""Categorical log-likelihood of one-hot labels, L03 lines 858 and 872-880.

    The pmf (line 858) is :math:`p(\mathbf{y}) = \prod_{k=1}^K \pi_k^{y_k}` for a one-hot
    :math:`\mathbf{y}`, so

    .. math:: \sum_i \log p(\mathbf{y}^{(i)}) = \sum_i\sum_{k=1}^K y^{(i)}_k \log \pi^{(i)}_k

    which is minus the summed cross-entropy (line 880). In softmax regression
    :math:`\pi_k = \mathrm{softmax}_k(\mathbf{x}\mathbf{W})` (line 868). ``Y_onehot`` and
    ``Pi`` are ``(N, K)``; ``Pi`` is clipped to :math:`[\epsilon, 1-\epsilon]`.
    """
    Y = np.asarray(Y_onehot, dtype=np.float64)
    Pi = np.clip(np.asarray(Pi, dtype=np.float64), _EPS, 1.0 - _EPS)
    # log prod_k pi_k^{y_k} = sum_k y_k log pi_k: only the observed class's term survives
    return float(np.sum(Y * np.log(Pi)))


# ----------------------------------------------------------------------------------------
# Closed-form maximum likelihood
# ----------------------------------------------------------------------------------------


def gaussian_mle(Xb, y) -> tuple[np.ndarray, float]:
    r"""Closed-form maximizer of the Gaussian log-likelihood, L03 lines 767-779.

    ``Xb`` is the design matrix including the bias column. The log-likelihood (line 771)

    .. math:: \ell(\mathbf{w}, \sigma^2) = -\frac N2\log(2\pi\sigma^2)
              - \frac{1}{2\sigma^2}\sum_i (y^{(i)} - \mathbf{x}^{(i)}\mathbf{w})^2

    depends on :math:`\mathbf{w}` only through the sum of squares (line 775), so
    :math:`\hat{\mathbf{w}}` is the least-squares solution, the normal equations
    :math:`X^\top X\mathbf{w} = X^\top\mathbf{y}` (L01). Then
    :math:`\partial\ell/\partial\sigma^2 = 0` gives

    .. math:: \hat\sigma^2 = \frac1N\sum_i (y^{(i)} - \mathbf{x}^{(i)}\hat{\mathbf{w}})^2
              = \mathrm{RSS}/N

    -- the (biased) MLE, not the unbiased :math:`\mathrm{RSS}/(N-p)`.
    Returns ``(w, sigma2)``.
    """
    Xb = np.asarray(Xb, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    # w solves X^T X w = X^T y; lstsq does it stably (via SVD) and copes with rank deficiency
    w = np.linalg.lstsq(Xb, y, rcond=None)[0]
    r = y - Xb @ w
    sigma2 = float(r @ r) / len(y)  # RSS / N, the stationary point in sigma^2
    return w, sigma2


# ----------------------------------------------------------------------------------------
# Numerical maximum likelihood: the Gaussian model trained through Lightning
# ----------------------------------------------------------------------------------------


class _GaussianLinearModel(nn.Module):
    r"""Parameters of :math:`\mathcal N(y; \mathbf{x}\mathbf{w}, \sigma^2)`: ``w`` and
    :math:`\log\sigma` (unconstrained, so any real value is a valid :math:`\sigma>0`).

    The forward pass returns an ``(N, 2)`` tensor ``[x w, log sigma]`` so that the glue's
    ``loss(model(x), y)`` sees both parameters of the distribution.
    """

    def __init__(self, w0: np.ndarray, log_sigma0: float):
        super().__init__()
        self.w = nn.Parameter(torch.as_tensor(w0, dtype=torch.float64).clone())
        self.log_sigma = nn.Parameter(torch.tensor(float(log_sigma0), dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x @ self.w  # mu = x w, line 739
        return torch.stack([mean, self.log_sigma.expand_as(mean)], dim=1)


def _gaussian_nll(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Mean negative log-likelihood of the batch (L03 line 739, negated and averaged):

    .. math:: \frac1B\sum_i \Big[\tfrac12\log(2\pi\sigma^2)
              + \frac{(y^{(i)}-\mathbf{x}^{(i)}\mathbf{w})^2}{2\sigma^2}\Big],
              \qquad \tfrac12\log(2\pi\sigma^2) = \tfrac12\log 2\pi + \log\sigma
    """
    mean, log_sigma = out[:, 0], out[:, 1]
    sigma2 = torch.exp(2.0 * log_sigma)
    return (0.5 * _LOG_2PI + log_sigma + (y - mean) ** 2 / (2.0 * sigma2)).mean()


# L-BFGS stopping thresholds. torch's defaults (1e-7 on the gradient's max-norm, 1e-9 on
# changes) stop ~1e-5 short of the optimum in w when sigma^2 is large (the NLL's curvature in
# w is X^T X / (N sigma^2), so a small gradient can still mean a sizeable step); these let it
# run down to float64 resolution. Once met, every later epoch returns after one evaluation.
_LBFGS_TOL_GRAD = 1e-12
_LBFGS_TOL_CHANGE = 1e-15


class GaussianLinearRegression(RegressorMixin, BaseEstimator):
    r"""Linear regression as a probabilistic model, trained by maximum likelihood (L03
    lines 735-784).

    Model (line 739):

    .. math:: p(y|\mathbf{x};\mathbf{w}) = \frac{1}{\sqrt{2\pi\sigma^2}}
              \exp\Big[-\frac12\frac{(y-\mathbf{x}\mathbf{w})^2}{\sigma^2}\Big]
              = \mathcal N(y; \mathbf{x}\mathbf{w}, \sigma^2)

    Training (lines 749-751, 765-771): maximize :math:`\sum_i \log p(y^{(i)}|\mathbf{x}^{(i)})`
    over both :math:`\mathbf{w}` and :math:`\sigma` -- numerically, by minimizing the mean
    negative log-likelihood with full-batch L-BFGS through :func:`mldm.training.fit`. Nothing
    here mentions least squares; the lecture's claim (lines 773-779) that the optimum in
    :math:`\mathbf{w}` *is* the least-squares solution is what the tests check, against
    :func:`gaussian_mle`. :math:`\sigma` is learned as :math:`\log\sigma` so it stays
    positive without constraints; its optimum is :math:`\sigma^2 = \mathrm{RSS}/N`.

    Prediction: the mean of :math:`p(y|\mathbf{x})` (lines 633, 743-745),
    :math:`\hat y = \int y\,p(y|\mathbf{x})dy = \mathbf{x}\mathbf{w}` (:meth:`predict`); the
    mode :math:`\arg\max_y p(y|\mathbf{x})` (line 637) and the mean integral are also computed
    numerically on a grid (:meth:`predict_mode`, :meth:`predictive_mean_numeric`) to show that
    for a Gaussian the two read-outs coincide.

    Parameters
    ----------
    max_epochs : int
        Full-batch epochs; each is one ``LBFGS.step`` of up to 20 inner iterations.
    lr : float
        L-BFGS step scale (1.0 with the strong-Wolfe line search).
    fit_intercept : bool
        Prepend a column of ones, so ``w_[0]`` is the bias.
    random_state : int
        Seeds the small random start of ``w``.
    rtol : float
        Convergence criterion, checked after the ``max_epochs`` budget (which it does not
        shorten): the mean NLL's gradient in :math:`(\mathbf{w}, \log\sigma)` ends at most
        ``rtol`` times its norm at the start, else a ``ConvergenceWarning`` names the gap.

    Attributes
    ----------
    w_ : ndarray, bias first when ``fit_intercept``. ``coef_``, ``intercept_``: its parts.
    sigma2_ : float, fitted noise variance :math:`\sigma^2`.
    log_likelihood_ : float, :math:`\sum_i\log p(y^{(i)}|\mathbf{x}^{(i)})` at the optimum.
    loss_curve_ : list of float, training-set mean NLL after every epoch.
    n_features_in_ : int
    """

    def __init__(self, max_epochs=200, lr=1.0, fit_intercept=True, random_state=0, rtol=1e-6):
        self.rtol = rtol
        self.max_epochs = max_epochs
        self.lr = lr
        self.fit_intercept = fit_intercept
        self.random_state = random_state

    def _design(self, X):
        # x = [1, x_1, ..., x_m] so that x w includes the bias w_0 (L01 notation)
        return np.column_stack([np.ones(len(X)), X]) if self.fit_intercept else X

    def fit(self, X, y):
        from mldm.training import array_loader, fit

        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)
        Xb = self._design(X)

        # Start: small random w, and sigma = std(y) (the noise level if x explained nothing),
        # so the first NLL is on the scale of the data rather than of an arbitrary sigma = 1.
        rng = np.random.default_rng(self.random_state)
        w0 = 0.01 * rng.standard_normal(Xb.shape[1])
        log_sigma0 = math.log(max(float(np.std(y)), 1e-8))
        model = _GaussianLinearModel(w0, log_sigma0)

        task = fit(
            model,
            loss=_gaussian_nll,  # minimize -(1/N) sum_i log N(y_i; x_i w, sigma^2)
            optimizer=lambda p: torch.optim.LBFGS(
                p,
                lr=self.lr,
                max_iter=20,
                line_search_fn="strong_wolfe",
                tolerance_grad=_LBFGS_TOL_GRAD,
                tolerance_change=_LBFGS_TOL_CHANGE,
            ),
            # batch_size=None: one batch = the whole training set, the exact objective
            train_loader=array_loader(Xb, y, batch_size=None, order="segment"),
            max_epochs=self.max_epochs,
            eval_loaders={"train": array_loader(Xb, y, order="segment")},
        )

        self.w_ = model.w.detach().cpu().numpy().astype(np.float64)
        self._check_converged(Xb, y, (w0, log_sigma0), (self.w_, model.log_sigma.item()))
        self.sigma2_ = float(math.exp(2.0 * model.log_sigma.detach().cpu().item()))
        if self.fit_intercept:
            self.intercept_, self.coef_ = float(self.w_[0]), self.w_[1:].copy()
        else:
            self.intercept_, self.coef_ = 0.0, self.w_.copy()
        # sum_i log N(y_i; x_i w, sigma^2) at the optimum (line 771)
        self.log_likelihood_ = gaussian_log_likelihood(y, Xb @ self.w_, self.sigma2_)
        self.loss_curve_ = list(task.history.get("train_loss", []))
        return self

    def _check_converged(self, Xb, y, start, end) -> float:
        from mldm.models.convergence import check_relative_gradient

        Xt, yt = torch.as_tensor(Xb), torch.as_tensor(y)

        def nll(w, log_sigma):  # the full-batch objective L-BFGS minimizes
            mean = Xt @ w
            return _gaussian_nll(torch.stack([mean, log_sigma.expand_as(mean)], dim=1), yt)

        return check_relative_gradient(
            "GaussianLinearRegression", nll, start, end, float(self.rtol), "max_epochs"
        )

    def predict(self, X):
        r""":math:`\hat y = \int y\,p(y|\mathbf{x})\,dy = \mathbf{x}\mathbf{w}` (lines 633, 745):
        the mean of :math:`\mathcal N(y; \mathbf{x}\mathbf{w}, \sigma^2)` is its centre."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_

    def grid_step(self, n_grid: int = 2001) -> float:
        """Spacing of the y-grid used by :meth:`predict_mode`: 12 sigma / (n_grid - 1)."""
        return 12.0 * math.sqrt(self.sigma2_) / (n_grid - 1)

    def _grid(self, X, n_grid: int):
        """One shared y-grid with step 12 sigma / (n_grid - 1), from min(mean) - 6 sigma to
        max(mean) + 6 sigma, and the ``(N, G)`` densities on it.

        The grid is the same for every row and is not centred on any mean, so the argmax is
        a real search: it lands within half a step of the true mode, not on it by design.
        """
        if n_grid < 3 or n_grid % 2 == 0:
            raise ValueError(f"n_grid must be an odd integer >= 3, got {n_grid}")
        mean = self.predict(X)
        sigma, step = math.sqrt(self.sigma2_), self.grid_step(n_grid)
        lo, hi = mean.min() - 6.0 * sigma, mean.max() + 6.0 * sigma  # mass outside ~2e-9
        y_grid = lo + step * np.arange(int(np.ceil((hi - lo) / step)) + 1)  # (G,)
        # p(y|x) = N(y; x w, sigma^2) evaluated on every grid point at once (line 739)
        dens = np.exp(_gaussian_logpdf(y_grid[None, :], mean[:, None], self.sigma2_))
        return y_grid, dens

    def predict_mode(self, X, n_grid: int = 2001):
        r"""The MAP read-out :math:`\hat y = \arg\max_y p(y|\mathbf{x})` (line 637), found by
        evaluating the density on an ``(N, n_grid)`` y-grid and taking each row's argmax.
        For the Gaussian the mode equals the mean, so this matches :meth:`predict` to within
        half the grid step :math:`12\sigma/(G-1)`."""
        y_grid, dens = self._grid(X, n_grid)
        return y_grid[np.argmax(dens, axis=1)]

    def predictive_mean_numeric(self, X, n_grid: int = 2001):
        r"""The mean read-out :math:`\hat y = \int y\,p(y|\mathbf{x})\,dy` (line 633) by the
        trapezoid rule on the same grid (truncated at :math:`\pm6\sigma`, which drops a
        :math:`2\times10^{-9}` share of the mass)."""
        y_grid, dens = self._grid(X, n_grid)
        return np.trapezoid(y_grid[None, :] * dens, y_grid, axis=1)


# ----------------------------------------------------------------------------------------
# MAP estimate under a Gaussian prior: ridge regression
# ----------------------------------------------------------------------------------------


class MAPLinearRegression(RegressorMixin, BaseEstimator):
    r"""Posterior-mode (MAP) linear regression with a Gaussian prior on the weights.

    Likelihood (L03 lines 739, 767-771), noise variance :math:`\sigma^2`:

    .. math:: \log p(\mathbf{y}|X,\mathbf{w}) = -\frac{1}{2\sigma^2}
              \sum_{i=1}^N (y^{(i)} - b - \mathbf{x}^{(i)}\mathbf{w})^2 + \text{const}

    Prior: :math:`\mathbf{w}\sim\mathcal N(\mathbf{0}, \tau^2 I)` (the multivariate Gaussian of
    line 674 with :math:`\Sigma = \tau^2 I`), a flat prior on the bias :math:`b`:

    .. math:: \log p(\mathbf{w}) = -\frac{1}{2\tau^2}\|\mathbf{w}\|_2^2 + \text{const}

    The posterior :math:`p(\mathbf{w}|X,\mathbf{y}) \propto p(\mathbf{y}|X,\mathbf{w})
    p(\mathbf{w})`; maximizing its log and multiplying by :math:`-2\sigma^2`:

    .. math:: \min_{\mathbf{w}, b}\; \sum_i (y^{(i)} - b - \mathbf{x}^{(i)}\mathbf{w})^2
              + \lambda\|\mathbf{w}\|_2^2, \qquad \lambda = \sigma^2/\tau^2

    which is L04's :math:`L_2`-regularized loss :math:`\tilde L = L + \lambda\|\mathbf{w}\|_2^2`
    (lines 1248-1262, "weight decay"). :math:`\partial/\partial b = 0` gives
    :math:`b = \bar y - \bar{\mathbf{x}}\mathbf{w}`; substituting centres the data, and
    :math:`\partial/\partial\mathbf{w} = 0` gives

    .. math:: \mathbf{w} = (X_c^\top X_c + \lambda I)^{-1} X_c^\top \mathbf{y}_c

    A vague prior (:math:`\tau^2\to\infty`, :math:`\lambda\to0`) recovers maximum likelihood,
    i.e. least squares; ``tau2=np.inf`` is accepted and gives it exactly.

    Parameters
    ----------
    sigma2 : float > 0, noise variance of the likelihood.
    tau2 : float > 0 (``np.inf`` allowed), prior variance of each weight.
    fit_intercept : bool, fit an unpenalized bias (else the model has none).

    Attributes
    ----------
    coef_, intercept_, alpha_ (:math:`=\sigma^2/\tau^2`), n_features_in_
    """

    def __init__(self, sigma2=1.0, tau2=1.0, fit_intercept=True):
        self.sigma2 = sigma2
        self.tau2 = tau2
        self.fit_intercept = fit_intercept

    def fit(self, X, y):
        if not (np.isfinite(self.sigma2) and self.sigma2 > 0):
            raise ValueError(f"sigma2 must be a positive finite number, got {self.sigma2!r}")
        if not self.tau2 > 0:
            raise ValueError(f"tau2 must be positive, got {self.tau2!r}")
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=True)

        # lambda = sigma^2 / tau^2: noise variance over prior variance
        self.alpha_ = float(self.sigma2) / float(self.tau2)

        if self.fit_intercept:
            # flat prior on b => b = ybar - xbar w; centring removes b from the w-problem
            x_mean, y_mean = X.mean(axis=0), y.mean()
            Xc, yc = X - x_mean, y - y_mean
        else:
            Xc, yc = X, y

        A = Xc.T @ Xc  # X^T X
        rhs = Xc.T @ yc  # X^T y
        if self.alpha_ > 0:
            A[np.diag_indices_from(A)] += self.alpha_  # + lambda I: the prior's contribution
            # X^T X + lambda I is symmetric positive definite for lambda > 0
            self.coef_ = scipy.linalg.solve(A, rhs, assume_a="pos")
        else:
            # tau^2 = inf: no prior, plain maximum likelihood (normal equations, any rank)
            self.coef_ = np.linalg.lstsq(Xc, yc, rcond=None)[0]

        self.intercept_ = float(y_mean - x_mean @ self.coef_) if self.fit_intercept else 0.0
        return self

    def predict(self, X):
        r""":math:`\hat y = b + \mathbf{x}\mathbf{w}`: the predictive mean at the MAP weights."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return X @ self.coef_ + self.intercept_
