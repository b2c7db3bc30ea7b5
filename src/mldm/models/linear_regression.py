r"""Linear regression, lecture 1 (L01, ``course-notes.zh.txt`` lines 1-297).

The model (lines 91-103) is :math:`f(\mathbf{x}) = \mathbf{x}\mathbf{w}` with the row vector
:math:`\mathbf{x} = [1, x_1, \dots, x_m]` and the column vector
:math:`\mathbf{w} = [w_0, w_1, \dots, w_m]^T`, so the bias :math:`w_0` is just the first weight
(:func:`add_bias`). Stacking the samples as rows of :math:`\mathbf{X}` (lines 129-131), the
cost is the mean squared error (lines 121-127)

.. math:: L(\mathbf{w}) = \frac{1}{n}\|\mathbf{X}\mathbf{w} - \mathbf{y}\|^2 ,

its gradient (line 145) is :math:`\frac{2}{n}\mathbf{X}^T(\mathbf{X}\mathbf{w}-\mathbf{y})`,
and four ways of minimizing it are covered:

* ``normal`` (lines 147-153):
  :math:`\mathbf{w}^* = (\mathbf{X}^T\mathbf{X})^{-1}\mathbf{X}^T\mathbf{y}`;
* ``gd`` (lines 206-220):
  :math:`\mathbf{w} \leftarrow \mathbf{w} - r\,\partial L/\partial\mathbf{w}`;
* ``sgd`` (lines 224-267): the same update with the gradient of a mini-batch
  :math:`\mathcal{B}_t`;
* ``newton`` (lines 269-284):
  :math:`\mathbf{w} \leftarrow \mathbf{w} - \mathbf{H}^{-1}\partial L/\partial\mathbf{w}`,
  :math:`\mathbf{H} = \frac{2}{n}\mathbf{X}^T\mathbf{X}`.

``gd`` and ``sgd`` are trained through the project's Lightning glue (:mod:`mldm.training`) with
:class:`~mldm.training.GradientDescent`, the slide's update verbatim; everything is float64.

Typos in the slides that this module fixes (the formulas here are the derived ones):

* lines 80-82 and 157: the one-feature solution prints :math:`\bar{x}^2` (square of the mean)
  where the mean of the squares :math:`\overline{x^2}` is meant, and its numerators are
  garbled (see :func:`single_feature_fit`);
* line 251: the mini-batch update is printed with ``+ r``; descent needs ``- r`` (the slide's
  own GD update on line 212 has the minus sign).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn

from mldm.training import GradientDescent, array_loader

__all__ = [
    "LinearRegression",
    "add_bias",
    "minibatch_gradients",
    "mse",
    "mse_gradient",
    "normal_equation",
    "single_feature_fit",
]

SOLVERS = ("normal", "gd", "sgd", "newton")
BATCH_ORDERS = ("shuffle", "segment")


def add_bias(X) -> np.ndarray:
    r"""Prepend a column of ones: :math:`\mathbf{x} = [1, x_1, \dots, x_m]` (L01 lines 100-103).

    "By setting the first element of x to 1, w_0 can be treated like every other w_k."
    A 1-D ``X`` is read as one feature (a column).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        X = X[:, None]
    return np.hstack([np.ones((X.shape[0], 1)), X])


def mse(Xb, y, w) -> float:
    r"""The cost :math:`L(\mathbf{w}) = \frac{1}{n}\|\mathbf{X}\mathbf{w}-\mathbf{y}\|^2`
    (L01 lines 121-127); ``Xb`` already carries the column of ones.
    """
    e = np.asarray(Xb) @ np.asarray(w) - np.asarray(y)  # residuals x^(i) w - y^(i)
    return float(e @ e / len(e))


def mse_gradient(Xb, y, w) -> np.ndarray:
    r"""The gradient :math:`\frac{\partial L}{\partial \mathbf{w}}
    = \frac{2}{n}\mathbf{X}^T(\mathbf{X}\mathbf{w}-\mathbf{y})` (L01 line 145).

    It follows from the chain rule of lines 183-186: the derivative of
    :math:`\|\mathbf{e}\|^2` w.r.t. :math:`\mathbf{e}=\mathbf{X}\mathbf{w}-\mathbf{y}` is
    :math:`2\mathbf{e}`, and :math:`\partial\mathbf{e}^T/\partial\mathbf{w} = \mathbf{X}^T`.
    """
    Xb = np.asarray(Xb)
    e = Xb @ np.asarray(w) - np.asarray(y)  # X w - y
    return 2.0 / len(e) * (Xb.T @ e)  # 2/n X^T (X w - y)


def single_feature_fit(x, y) -> tuple[float, float]:
    r"""The one-feature closed form (w_0, w_1), L01 lines 66-82 (restated on line 157).

    Setting both partial derivatives (lines 74-76) to zero gives the 2x2 system

    .. math::
        w_0 + \bar{x}\, w_1 = \bar{y}, \qquad
        \bar{x}\, w_0 + \overline{x^2}\, w_1 = \overline{xy},

    in the slide's moment notation (line 58: :math:`\overline{x^2} = \frac{1}{n}\sum x_i^2`,
    :math:`\overline{xy} = \frac{1}{n}\sum x_i y_i`). By Cramer's rule

    .. math::
        w_1 = \frac{\overline{xy} - \bar{x}\bar{y}}{\overline{x^2} - \bar{x}^2}, \qquad
        w_0 = \frac{\overline{x^2}\,\bar{y} - \bar{x}\,\overline{xy}}{\overline{x^2} - \bar{x}^2}.

    The slides print these with broken typography: the denominator appears as
    :math:`\bar{x}^2 - \bar{x}^2` (which is 0) and the numerators are garbled; the formulas
    above are the correct solution and agree with :func:`normal_equation` on one feature.
    The denominator is the (biased) variance of x, so a constant x has no unique solution.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    x_bar, y_bar = x.mean(), y.mean()  # \bar{x}, \bar{y}
    xy_bar, x2_bar = (x * y).mean(), (x * x).mean()  # \overline{xy}, \overline{x^2}
    det = x2_bar - x_bar**2  # determinant of the 2x2 system = var(x)
    if not det > 0:
        raise ValueError("single_feature_fit: x is constant, w_0 and w_1 are not unique")
    w1 = (xy_bar - x_bar * y_bar) / det
    w0 = (x2_bar * y_bar - x_bar * xy_bar) / det
    return float(w0), float(w1)


def normal_equation(Xb, y) -> tuple[np.ndarray, int]:
    r"""The closed form :math:`\mathbf{w}^* = (\mathbf{X}^T\mathbf{X})^{-1}\mathbf{X}^T\mathbf{y}`
    (L01 lines 147-153), and the rank of :math:`\mathbf{X}^T\mathbf{X}`.

    Setting the gradient :math:`\frac{2}{n}\mathbf{X}^T(\mathbf{X}\mathbf{w}-\mathbf{y})` to
    zero gives the normal equations
    :math:`\mathbf{X}^T\mathbf{X}\,\mathbf{w}=\mathbf{X}^T\mathbf{y}`, which are solved as a
    linear system (no explicit inverse). Geometrically (lines 188-194)
    :math:`\mathbf{X}\mathbf{w}^*` is the projection of y onto span(X).

    When :math:`\mathbf{X}^T\mathbf{X}` is singular (fewer independent samples than
    parameters, e.g. the slide's 4-house table with 5 weights, lines 133-139) the inverse does
    not exist and every solution of the normal equations fits equally well; then the
    **pseudo-inverse** gives the minimum-norm one,
    :math:`\mathbf{w}^* = \mathbf{X}^+\mathbf{y}
    = (\mathbf{X}^T\mathbf{X})^+\mathbf{X}^T\mathbf{y}`.
    """
    Xb = np.asarray(Xb, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    A = Xb.T @ Xb  # X^T X  (d+1, d+1)
    b = Xb.T @ y  # X^T y
    rank = int(np.linalg.matrix_rank(A, hermitian=True))
    if rank == A.shape[0]:
        w = np.linalg.solve(A, b)  # X^T X w = X^T y
    else:
        # (X^T X)^+ X^T = X^+; the SVD of X itself avoids squaring its condition number
        w = np.linalg.pinv(Xb) @ y
    return w, rank


def minibatch_gradients(
    Xb, y, w, batch_size: int, order: str = "shuffle", seed: int = 0
) -> np.ndarray:
    r"""The gradient of every mini-batch of one epoch, shape ``(n_batches, d)`` (L01 224-267).

    With the per-sample loss :math:`\ell(\mathbf{w},\mathbf{x}^{(i)},y^{(i)})
    = (\mathbf{x}^{(i)}\mathbf{w}-y^{(i)})^2`, so that :math:`L = \frac1n\sum_i\ell` (line 229),
    row t is

    .. math:: \frac{1}{|\mathcal{B}_t|}\sum_{i\in\mathcal{B}_t}
              \frac{\partial \ell}{\partial \mathbf{w}}
              = \frac{2}{|\mathcal{B}_t|}\sum_{i\in\mathcal{B}_t}
              (\mathbf{x}^{(i)}\mathbf{w}-y^{(i)})\,\mathbf{x}^{(i)T},

    an unbiased estimate of :math:`\partial L/\partial\mathbf{w}` (lines 265-267) when
    :math:`\mathcal{B}_t` is a uniformly random subset. How the batches are cut (lines 238-242):
    ``"shuffle"`` (乱序) permutes the samples with ``np.random.default_rng(seed)`` and takes
    consecutive chunks; ``"segment"`` (分段) takes consecutive chunks in stored order. The last
    batch is smaller when ``batch_size`` does not divide n. No Python loop: the per-sample
    gradients are summed per batch with one ``np.add.reduceat``.
    """
    if order not in BATCH_ORDERS:
        raise ValueError(f"order must be one of {BATCH_ORDERS}, got {order!r}")
    Xb = np.asarray(Xb, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(y)
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    b = min(int(batch_size), n)
    idx = np.random.default_rng(seed).permutation(n) if order == "shuffle" else np.arange(n)
    Xs = Xb[idx]
    e = Xs @ np.asarray(w, dtype=np.float64) - y[idx]  # x^(i) w - y^(i), in batch order
    per_sample = 2.0 * Xs * e[:, None]  # d l / d w for each sample (n, d)
    starts = np.arange(0, n, b)
    sizes = np.diff(np.append(starts, n))  # |B_t|
    return np.add.reduceat(per_sample, starts, axis=0) / sizes[:, None]


class LinearMap(nn.Module):
    r""":math:`f(\mathbf{X}) = \mathbf{X}\mathbf{w}` (or :math:`\mathbf{X}\mathbf{W}` for K
    outputs): ``w`` is one float64 parameter; the bias is the column of ones in ``Xb``."""

    def __init__(self, w0: np.ndarray):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(np.asarray(w0, dtype=np.float64)))

    def forward(self, Xb: torch.Tensor) -> torch.Tensor:
        return Xb @ self.w


def gradient_descent(
    w0,
    loss,
    Xb,
    targets,
    lr: float,
    max_epochs: int,
    batch_size: int | None = None,
    order: str = "shuffle",
    seed: int = 0,
    weight_decay: float = 0.0,
    eval_sets: dict[str, tuple] | None = None,
    rtol: float | None = None,
    who: str = "gradient descent",
):
    r"""Minimize ``loss(Xb @ w, targets)`` from ``w0`` with the slide's update
    :math:`\mathbf{w} \leftarrow \mathbf{w} - r\,\partial L/\partial\mathbf{w}` (lines 206-220),
    full-batch (``batch_size=None``) or on mini-batches (lines 224-253), through Lightning.

    ``weight_decay`` adds λ'w to the gradient (L2 regularization, L04; see
    :class:`~mldm.training.GradientDescent`). ``eval_sets`` maps a name to ``(Xb, targets)``
    of another set whose loss is evaluated after every epoch and logged as ``<name>_loss``
    (a validation curve a pruner can watch).

    ``rtol``: after the fixed ``max_epochs`` budget, warn (``ConvergenceWarning`` naming
    ``who``) unless the full-batch objective :math:`\tilde L = L + \frac{\lambda'}{2}\|w\|^2`
    has :math:`\|\nabla\tilde L(\mathbf{w})\| \le \text{rtol}\,\|\nabla\tilde
    L(\mathbf{w}_0)\|` (:mod:`mldm.models.convergence`); the fit itself is unchanged.

    Returns ``(w, curve)``: the final ``w`` and the full training loss after every epoch
    (evaluated on the whole set, not a running mean of batch losses); with ``eval_sets``,
    ``curve`` is a dict ``{"train": ..., "<name>": ...}``. L02's logistic and softmax
    regressions use it too.
    """
    from mldm.training import fit  # lazy: Lightning only when GD actually runs

    model = LinearMap(w0)
    extra = {
        name: array_loader(Xe, te, order="segment") for name, (Xe, te) in (eval_sets or {}).items()
    }
    task = fit(
        model,
        loss=loss,
        optimizer=lambda params: GradientDescent(params, lr=lr, weight_decay=weight_decay),
        train_loader=array_loader(
            Xb,
            targets,
            batch_size=batch_size,
            order=order if batch_size is not None else "segment",
            seed=int(seed),
        ),
        max_epochs=int(max_epochs),
        eval_loaders={"train": array_loader(Xb, targets, order="segment"), **extra},
    )
    w = model.w.detach().cpu().numpy().astype(np.float64, copy=True)
    if rtol is not None:
        _check_stationary(who, loss, Xb, targets, w0, w, weight_decay, rtol, batch_size)
    curves = {
        name: np.asarray(task.history.get(f"{name}_loss", []), dtype=np.float64)
        for name in ("train", *extra)
    }
    return w, (curves if extra else curves["train"])


def _check_stationary(who, loss, Xb, targets, w0, w, weight_decay, rtol, batch_size) -> float:
    from mldm.models.convergence import check_relative_gradient

    Xt = torch.as_tensor(np.asarray(Xb, dtype=np.float64))
    tt = torch.as_tensor(np.asarray(targets, dtype=np.float64))

    def objective(wt):  # the full-batch L~ whose gradient GradientDescent follows
        return loss(Xt @ wt, tt) + 0.5 * weight_decay * (wt * wt).sum()

    budget = "max_epochs (or lr, while the loss falls steadily)"
    if batch_size is not None and batch_size < len(targets):
        # constant-r SGD hovers in a noise ball ∝ r around w* (L01 lines 265-267)
        budget = "max_epochs, or lower lr / raise batch_size (mini-batch noise floor)"
    return check_relative_gradient(who, objective, [w0], [w], rtol, budget)


def _squared_error(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return ((pred - y) ** 2).mean()  # L = 1/|B| sum (x w - y)^2 over the batch


class LinearRegression(RegressorMixin, BaseEstimator):
    r"""Least-squares linear regression :math:`f(\mathbf{x}) = \mathbf{x}\mathbf{w}` (L01).

    Parameters
    ----------
    solver : {"normal", "gd", "sgd", "newton"}
        ``"normal"``: :func:`normal_equation` (lines 147-153).
        ``"gd"``: full-batch gradient descent :math:`\mathbf{w}\leftarrow\mathbf{w}-r\nabla L`
        from w = 0 (lines 206-220); converges iff :math:`r < 2/\lambda_{\max}(\mathbf{H})`
        with the Hessian :math:`\mathbf{H} = \frac{2}{n}\mathbf{X}^T\mathbf{X}`.
        ``"sgd"``: the same update with mini-batch gradients (lines 224-267).
        ``"newton"``: :math:`\mathbf{w}\leftarrow\mathbf{w}-\mathbf{H}^{-1}\nabla L` from
        w = 0 (lines 273-284); L is quadratic, so one step lands on the optimum.
    lr : float
        The learning rate r of gd/sgd.
    max_epochs : int
        Passes over the data for gd/sgd.
    batch_size : int
        Mini-batch size :math:`|\mathcal{B}_t|` for sgd.
    batch_order : {"shuffle", "segment"}
        How sgd cuts mini-batches: 乱序 (fresh permutation each epoch) or 分段 (stored order).
    newton_steps : int
        Number of Newton steps.
    random_state : int
        Seed of the sgd shuffle.
    rtol : float
        Convergence criterion of gd, sgd and newton: the fit ends (after its fixed budget,
        which ``rtol`` does not shorten) with :math:`\|\nabla L(\mathbf{w})\| \le
        \text{rtol}\,\|\nabla L(\mathbf{0})\|`, else a ``ConvergenceWarning`` names the gap and
        the budget to raise (``max_epochs``/``lr``, ``newton_steps``). With a constant r, sgd
        only reaches a noise floor :math:`\propto r` around w*, so it may warn where gd does not.

    Attributes
    ----------
    w_ : ndarray (n_features + 1,)
        :math:`[w_0, w_1, \dots, w_m]`, bias first.
    coef_, intercept_ : ndarray (n_features,), float
        ``w_[1:]`` and ``w_[0]``, as in scikit-learn.
    loss_curve_ : ndarray
        Training MSE: after every epoch (gd/sgd); L(0) then after every step (newton);
        the one optimal value (normal).
    rank_ : int or None
        Rank of :math:`\mathbf{X}^T\mathbf{X}` (normal only).
    """

    def __init__(
        self,
        solver: str = "normal",
        lr: float = 0.01,
        max_epochs: int = 100,
        batch_size: int = 32,
        batch_order: str = "shuffle",
        newton_steps: int = 1,
        random_state: int = 0,
        rtol: float = 1e-3,
    ):
        self.solver = solver
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.batch_order = batch_order
        self.newton_steps = newton_steps
        self.random_state = random_state
        self.rtol = rtol

    def _check_params(self) -> None:
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {self.solver!r}")
        if self.solver in ("gd", "sgd"):
            if not self.lr > 0:
                raise ValueError(f"lr (r) must be > 0, got {self.lr}")
            if int(self.max_epochs) < 1:
                raise ValueError(f"max_epochs must be >= 1, got {self.max_epochs}")
        if self.solver == "sgd":
            if self.batch_order not in BATCH_ORDERS:
                raise ValueError(
                    f"batch_order must be one of {BATCH_ORDERS}, got {self.batch_order!r}"
                )
            if int(self.batch_size) < 1:
                raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if not self.rtol >= 0:
            raise ValueError(f"rtol must be >= 0, got {self.rtol!r}")
        if self.solver == "newton" and int(self.newton_steps) < 1:
            raise ValueError(f"newton_steps must be >= 1, got {self.newton_steps}")

    def fit(self, X, y):
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        self._check_params()
        Xb = add_bias(X)  # rows x^(i) = [1, x_1, ..., x_m]
        self.rank_ = None
        if self.solver == "normal":
            w, self.rank_ = normal_equation(Xb, y)
            curve = [mse(Xb, y, w)]
        elif self.solver == "newton":
            w, curve = self._fit_newton(Xb, y)
        else:
            w, curve = self._fit_gradient(Xb, y)
        self.w_ = w
        self.intercept_ = float(w[0])
        self.coef_ = w[1:].copy()
        self.loss_curve_ = np.asarray(curve, dtype=np.float64)
        return self

    def _fit_newton(self, Xb: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, list[float]]:
        n, d = Xb.shape
        H = 2.0 / n * (Xb.T @ Xb)  # Hessian of L: constant, since L is quadratic in w
        full_rank = np.linalg.matrix_rank(H, hermitian=True) == d
        H_pinv = None if full_rank else np.linalg.pinv(H, hermitian=True)
        w = np.zeros(d)
        g0 = np.linalg.norm(mse_gradient(Xb, y, w))
        curve = [mse(Xb, y, w)]
        for _ in range(int(self.newton_steps)):
            g = mse_gradient(Xb, y, w)  # 2/n X^T (X w - y)
            # w <- w - H^{-1} g; singular H: H^+ g gives the min-norm step (same w as normal)
            w = w - (np.linalg.solve(H, g) if full_rank else H_pinv @ g)
            curve.append(mse(Xb, y, w))
        ratio = np.linalg.norm(mse_gradient(Xb, y, w)) / g0 if g0 > 0 else 0.0
        if not ratio <= self.rtol:  # only by rounding: L is quadratic, one step is exact
            from mldm.models.convergence import warn_not_converged

            warn_not_converged(
                "LinearRegression(solver='newton')",
                f"||grad L(w)|| = {ratio:.2e} x its start > rtol={self.rtol:g}",
                "raise newton_steps",
            )
        return w, curve

    def _fit_gradient(self, Xb: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, list[float]]:
        full_batch = self.solver == "gd"
        w, curve = gradient_descent(
            np.zeros(Xb.shape[1]),
            _squared_error,
            Xb,
            y,
            lr=self.lr,  # w^(0) = 0
            max_epochs=self.max_epochs,
            batch_size=None if full_batch else int(self.batch_size),
            order=self.batch_order,
            seed=self.random_state,
            rtol=float(self.rtol),
            who=f"LinearRegression(solver={self.solver!r})",
        )
        return w, list(curve)

    def predict(self, X) -> np.ndarray:
        r""":math:`\hat{y} = \mathbf{x}\mathbf{w}` for every row (L01 line 98)."""
        check_is_fitted(self, "w_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return add_bias(X) @ self.w_
