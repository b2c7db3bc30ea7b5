r"""Linear classifiers: lecture 2 (course notes lines 298-602).

Binary classification (lines 310-485) and multi-class classification (lines 487-599).

* **Logistic regression** (lines 310-334): squash the linear-regression output
  $\mathbf{x}\mathbf{w} \in [-\infty, +\infty]$ into $[0, 1]$,

  $$f(\mathbf{x}) = \sigma(\mathbf{x}\mathbf{w}), \qquad \sigma(z) = \frac{1}{1 + e^{-z}}.$$

* **Cost functions** (lines 336-394): the squared error $(\sigma(\mathbf{x}\mathbf{w}) - y)^2$
  is non-convex; the **cross-entropy**
  $L(\mathbf{w}) = -y\log\sigma(\mathbf{x}\mathbf{w}) - (1-y)\log(1-\sigma(\mathbf{x}\mathbf{w}))$
  has a positive semi-definite Hessian, so it is convex and easy to optimize.

* **Training** (lines 398-444): the gradient
  $\frac{1}{N}\sum_\ell [\sigma(\mathbf{x}^{(\ell)}\mathbf{w}) - y^{(\ell)}]\mathbf{x}^{(\ell)T}$
  has no closed-form zero, so we resort to numerical methods: gradient descent (through the
  project's Lightning glue, :mod:`mldm.training`) or Newton's method (with the slide's $H$).

* **Decision rule** (lines 446-485): $\hat y = 1 \iff \sigma(\mathbf{x}\mathbf{w}) \ge 0.5
  \iff \mathbf{x}\mathbf{w} \ge 0$, a hyperplane orthogonal to $\mathbf{w}$: a *linear*
  classifier.

* **Multi-class** (lines 487-599): one-vs-all, $k = \arg\max_i f_i(\mathbf{x})$
  (:class:`OneVsAllClassifier`), or softmax regression
  $f_i(\mathbf{x}) = \mathrm{softmax}_i(\mathbf{x}\mathbf{W})$ trained on the categorical
  cross-entropy (:class:`SoftmaxRegression`). For $K = 2$ softmax is logistic regression
  with parameter $\mathbf{w}_1 - \mathbf{w}_2$ (lines 553-568).

Notation: each sample $\mathbf{x}$ is a *row* with a leading 1 (bias), $\mathbf{X}_b$ stacks
the $N$ rows, $\mathbf{w}$ is a column of $d+1$ weights (bias first), and
$\mathbf{W} = [\mathbf{w}_1, \dots, \mathbf{w}_K]$ has one column per class.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data
from torch.nn.functional import log_softmax, logsigmoid

from mldm.models.linear_regression import (
    add_bias,  # [1, x]: x w includes the bias w_0
    gradient_descent,  # the slide's update, via Lightning
)

__all__ = [
    "LogisticRegression",
    "OneVsAllClassifier",
    "SoftmaxRegression",
    "add_bias",
    "cross_entropy",
    "cross_entropy_gradient",
    "cross_entropy_hessian",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy_gradient",
    "squared_loss",
]


# ---------------------------------------------------------------------------------------------
# Link functions
# ---------------------------------------------------------------------------------------------


def sigmoid(z) -> np.ndarray:
    r"""Logistic function, L02 lines 320-322: $\sigma(z) = \dfrac{1}{1 + e^{-z}}$.

    Evaluated as $e^{z}/(1+e^{z})$ for $z < 0$ so that $e^{-z}$ never overflows; the two
    forms are algebraically equal.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # e^{-|z|} <= 1: no overflow on either side
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softmax(Z) -> np.ndarray:
    r"""Row-wise softmax, L02 lines 535-537:
    $\mathrm{softmax}_i(\mathbf{z}) = \dfrac{e^{z_i}}{\sum_{k=1}^K e^{z_k}}$.

    Each row is shifted by its maximum first: $\mathrm{softmax}(\mathbf{z} - c) =
    \mathrm{softmax}(\mathbf{z})$, and after the shift every $e^{z_i} \le 1$ (no overflow)
    while the largest is exactly 1 (the sum never underflows to 0).
    """
    Z = np.asarray(Z, dtype=np.float64)
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))  # e^{z_i - max_k z_k}
    return E / E.sum(axis=-1, keepdims=True)  # rows sum to 1 (line 539)


# ---------------------------------------------------------------------------------------------
# Losses, gradients and Hessian (all means over the N samples, vectorized)
# ---------------------------------------------------------------------------------------------


def cross_entropy(Xb, y, w) -> float:
    r"""Mean cross-entropy loss, L02 lines 345-357:

    $$L(\mathbf{w}) = \frac{1}{N}\sum_{\ell=1}^N
      -y^{(\ell)}\log\sigma(\mathbf{x}^{(\ell)}\mathbf{w})
      - (1-y^{(\ell)})\log(1-\sigma(\mathbf{x}^{(\ell)}\mathbf{w}))$$

    with $-\log\sigma(z) = \log(1 + e^{-z})$ and $-\log(1-\sigma(z)) = \log(1 + e^{z})$,
    computed by ``logaddexp`` so a saturated $\sigma$ gives a large finite loss, not ``inf``.
    """
    Xb, y, w = np.asarray(Xb, float), np.asarray(y, float), np.asarray(w, float)
    z = Xb @ w  # x w
    nll_pos = np.logaddexp(0.0, -z)  # -log sigma(xw)       (the y = 1 branch)
    nll_neg = np.logaddexp(0.0, z)  # -log(1 - sigma(xw))   (the y = 0 branch)
    return float(np.mean(y * nll_pos + (1.0 - y) * nll_neg))


def cross_entropy_gradient(Xb, y, w) -> np.ndarray:
    r"""Gradient of the mean cross-entropy, L02 lines 402-404 (and 417, 438):

    $$\frac{\partial L(\mathbf{w})}{\partial \mathbf{w}} = \frac{1}{N}\sum_{\ell=1}^N
      \underbrace{[\sigma(\mathbf{x}^{(\ell)}\mathbf{w}) - y^{(\ell)}]}_{\text{prediction error}}
      \mathbf{x}^{(\ell)T}
      = \frac{1}{N}\mathbf{X}_b^\top(\sigma(\mathbf{X}_b\mathbf{w}) - \mathbf{y})$$
    """
    Xb, y, w = np.asarray(Xb, float), np.asarray(y, float), np.asarray(w, float)
    err = sigmoid(Xb @ w) - y  # sigma(x w) - y, one per sample
    return Xb.T @ err / len(Xb)  # sum_l err_l x_l^T / N


def cross_entropy_hessian(Xb, w) -> np.ndarray:
    r"""Hessian of the mean cross-entropy, L02 lines 365-367:

    $$H = \frac{1}{N}\sum_{\ell=1}^N \mathbf{x}^{(\ell)T}\mathbf{x}^{(\ell)}\,
      \sigma(\mathbf{x}^{(\ell)}\mathbf{w})(1 - \sigma(\mathbf{x}^{(\ell)}\mathbf{w}))$$

    (the slide writes $\mathbf{x}\mathbf{x}^\top$ for the outer product of one sample).
    $\mathbf{v}^\top H \mathbf{v} = \frac{1}{N}\sum (\mathbf{x}\mathbf{v})^2\sigma(1-\sigma)
    \ge 0$ (lines 369-373): positive semi-definite, hence the loss is convex. Does not depend on y.
    """
    Xb, w = np.asarray(Xb, float), np.asarray(w, float)
    s = sigmoid(Xb @ w)
    weights = s * (1.0 - s)  # sigma(1 - sigma) >= 0
    return (Xb * weights[:, None]).T @ Xb / len(Xb)  # sum_l x_l^T x_l sigma_l(1 - sigma_l) / N


def squared_loss(Xb, y, w) -> float:
    r"""Mean squared error on the probability, L02 lines 341-343 (the slide's alternative):

    $$L(\mathbf{w}) = \frac{1}{N}\sum_{\ell=1}^N
      (\sigma(\mathbf{x}^{(\ell)}\mathbf{w}) - y^{(\ell)})^2$$

    Non-convex (lines 376-390): along a direction its second derivative is
    $2\sigma(1-\sigma)^2(3\sigma-1)(\mathbf{x}\mathbf{v})^2 < 0$ for a $y=1$ sample with
    $\sigma < 1/3$, and its gradient $2(\sigma - y)\sigma(1-\sigma)\mathbf{x}^\top$ vanishes when
    $\sigma$ saturates on the *wrong* side, so gradient descent can get stuck.
    """
    Xb, y, w = np.asarray(Xb, float), np.asarray(y, float), np.asarray(w, float)
    return float(np.mean((sigmoid(Xb @ w) - y) ** 2))


def softmax_cross_entropy_gradient(Xb, Y_onehot, W) -> np.ndarray:
    r"""Gradient of the categorical cross-entropy w.r.t. $\mathbf{W}$, L02 lines 594-598:

    $$\frac{\partial L(\mathbf{W})}{\partial \mathbf{W}} = \frac{1}{N}\sum_{\ell=1}^N
      \mathbf{x}^{(\ell)T}(\mathrm{softmax}(\mathbf{x}^{(\ell)}\mathbf{W}) - \mathbf{y}^{(\ell)})
      = \frac{1}{N}\mathbf{X}_b^\top(\mathrm{softmax}(\mathbf{X}_b\mathbf{W}) - \mathbf{Y})$$

    Column $j$ is the slide's $\partial L/\partial\mathbf{w}_j$ (lines 586-592): all $\mathbf{w}_j$
    are updated together from one matrix product.
    """
    Xb, Y, W = np.asarray(Xb, float), np.asarray(Y_onehot, float), np.asarray(W, float)
    return Xb.T @ (softmax(Xb @ W) - Y) / len(Xb)  # (d+1, K)


# Torch versions of the same losses, for training through Lightning (autograd differentiates
# them; the closed-form gradients above are checked against autograd in the tests).


def _torch_cross_entropy(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""$-y\log\sigma(z) - (1-y)\log(1-\sigma(z))$ from logits $z = \mathbf{x}\mathbf{w}$, using
    $\log(1-\sigma(z)) = \log\sigma(-z)$ and a stable log-sigmoid (finite when saturated)."""
    return torch.mean(-y * logsigmoid(z) - (1.0 - y) * logsigmoid(-z))


def _torch_squared_loss(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""$(\sigma(z) - y)^2$ averaged over the batch."""
    return torch.mean((torch.sigmoid(z) - y) ** 2)


def _torch_softmax_cross_entropy(Z: torch.Tensor, Y: torch.Tensor) -> torch.Tensor:
    r"""$-\frac{1}{N}\sum_\ell\sum_k y_k^{(\ell)}
    \log\mathrm{softmax}_k(\mathbf{x}^{(\ell)}\mathbf{W})$ (line 578);
    ``log_softmax`` is the log-sum-exp form, finite for any logits."""
    return -torch.mean(torch.sum(Y * log_softmax(Z, dim=1), dim=1))


_TORCH_LOSSES = {"cross_entropy": _torch_cross_entropy, "squared": _torch_squared_loss}
_NUMPY_LOSSES = {"cross_entropy": cross_entropy, "squared": squared_loss}


def _check_positive_int(name, value, allow_none=False):
    if allow_none and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


# ---------------------------------------------------------------------------------------------
# Binary: logistic regression
# ---------------------------------------------------------------------------------------------


class LogisticRegression(ClassifierMixin, BaseEstimator):
    r"""Binary logistic regression, L02 lines 310-485:
    $f(\mathbf{x}) = \sigma(\mathbf{x}\mathbf{w})$.

    The two labels in ``classes_`` (sorted) are mapped to $y = 0$ and $y = 1$.

    Parameters
    ----------
    loss : {"cross_entropy", "squared"}
        ``"cross_entropy"`` (lines 345-373, convex) or ``"squared"``
        $(\sigma(\mathbf{x}\mathbf{w}) - y)^2$ (line 343, non-convex by line 386; gd only).
    solver : {"newton", "gd"}
        ``"newton"`` (listed on line 422): $\mathbf{w} \leftarrow \mathbf{w} -
        H^{-1}\,\partial L/\partial\mathbf{w}$ with the slide's $H$ (line 367) until
        $\|\partial L/\partial\mathbf{w}\| <$ ``tol`` or ``max_iter`` steps.
        ``"gd"``: $\mathbf{w}_{t+1} = \mathbf{w}_t - r\,\partial L/\partial\mathbf{w}$
        (lines 426-432) for ``max_epochs`` epochs through :func:`mldm.training.fit` in
        float64; ``batch_size=None`` is full-batch GD.
    lr : float
        Learning rate $r$ (gd).
    w_init : sequence of d+1 floats or None
        Starting $\mathbf{w}_0$, bias first; ``None`` is zeros.
    tol : float
        Newton's criterion $\|\partial L/\partial\mathbf{w}\| <$ ``tol`` (absolute); not met
        in ``max_iter`` steps, a ``ConvergenceWarning`` says so.
    rtol : float
        gd's criterion, checked after its fixed ``max_epochs`` (which it does not shorten):
        $\|\partial L/\partial\mathbf{w}(\mathbf{w}_T)\| \le$ ``rtol``
        $\|\partial L/\partial\mathbf{w}(\mathbf{w}_0)\|$ on the full training set, else a
        ``ConvergenceWarning`` names the gap (on separable data the cross-entropy has no
        minimizer and the gradient only decays like 1/t, so gd warns there for any budget).

    Attributes
    ----------
    w_ : (d+1,) weights, bias first. ``coef_`` (1, d) and ``intercept_`` (1,) as in sklearn.
    loss_curve_ : training loss after every epoch (gd), or the initial loss followed by the
        loss after every Newton step (newton).
    n_iter_ : Newton steps taken, or epochs run.
    """

    def __init__(
        self,
        loss: str = "cross_entropy",
        solver: str = "newton",
        lr: float = 0.1,
        max_epochs: int = 100,
        batch_size: int | None = None,
        max_iter: int = 50,
        tol: float = 1e-10,
        w_init=None,
        random_state: int = 0,
        rtol: float = 1e-3,
    ):
        self.loss = loss
        self.solver = solver
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.w_init = w_init
        self.random_state = random_state
        self.rtol = rtol

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False  # binary only: OneVsAllClassifier for K > 2
        return tags

    def _validate_params(self):
        if self.loss not in _NUMPY_LOSSES:
            raise ValueError(f"loss must be 'cross_entropy' or 'squared', got {self.loss!r}")
        if self.solver not in ("newton", "gd"):
            raise ValueError(f"solver must be 'newton' or 'gd', got {self.solver!r}")
        if self.solver == "newton" and self.loss != "cross_entropy":
            # the squared loss's Hessian is indefinite (line 386): a Newton step need not descend
            raise ValueError("solver='newton' needs loss='cross_entropy' (the convex loss)")
        if self.solver == "gd" and not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr!r}")
        if not self.rtol >= 0:
            raise ValueError(f"rtol must be >= 0, got {self.rtol!r}")
        _check_positive_int("max_epochs", self.max_epochs)
        _check_positive_int("max_iter", self.max_iter)
        _check_positive_int("batch_size", self.batch_size, allow_none=True)

    def fit(self, X, y):
        self._validate_params()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        y_type = type_of_target(y, input_name="y", raise_unknown=True)
        if y_type != "binary":
            raise ValueError(
                "Only binary classification is supported. The type of the target "
                f"is {y_type}. Use OneVsAllClassifier or SoftmaxRegression for K > 2 classes."
            )
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(
                f"LogisticRegression needs samples of 2 classes; got {len(self.classes_)} class."
            )
        y01 = (y == self.classes_[1]).astype(np.float64)  # classes_[1] -> y = 1
        Xb = add_bias(X)

        if self.w_init is None:
            w = np.zeros(Xb.shape[1])
        else:
            w = np.asarray(self.w_init, dtype=np.float64).ravel().copy()
            if w.shape != (Xb.shape[1],):
                raise ValueError(f"w_init must have d+1 = {Xb.shape[1]} entries (bias first)")

        if self.solver == "newton":
            w, curve, n_iter = self._newton(Xb, y01, w)
        else:
            w, curve = gradient_descent(
                w,
                _TORCH_LOSSES[self.loss],
                Xb,
                y01,
                lr=self.lr,
                max_epochs=self.max_epochs,
                batch_size=self.batch_size,
                seed=self.random_state,
                rtol=float(self.rtol),
                who=f"LogisticRegression(solver='gd', loss={self.loss!r})",
            )
            n_iter = self.max_epochs
        self.w_ = w
        self.coef_ = w[1:][None, :].copy()  # (1, d), sklearn's layout
        self.intercept_ = w[:1].copy()  # (1,): the bias w_0
        self.loss_curve_ = curve
        self.n_iter_ = n_iter
        return self

    def _newton(self, Xb, y, w):
        r"""Newton's method on the convex cross-entropy:
        $\mathbf{w} \leftarrow \mathbf{w} - H^{-1}\,\partial L/\partial\mathbf{w}$."""
        curve = [cross_entropy(Xb, y, w)]
        n_iter, converged = 0, False
        for _ in range(self.max_iter):
            g = cross_entropy_gradient(Xb, y, w)  # 1/N sum (sigma(xw) - y) x^T
            if np.linalg.norm(g) < self.tol:
                converged = True
                break
            H = cross_entropy_hessian(Xb, w)  # 1/N sum x^T x sigma(1 - sigma)
            # H^{-1} g; least squares = pseudo-inverse when H is singular (duplicate or
            # constant features, or a saturated sigma on separable data)
            step = np.linalg.lstsq(H, g, rcond=None)[0]
            if not np.all(np.isfinite(step)):
                break
            w = w - step
            n_iter += 1
            curve.append(cross_entropy(Xb, y, w))
        else:
            converged = np.linalg.norm(cross_entropy_gradient(Xb, y, w)) < self.tol
        if not converged:
            warnings.warn(
                f"Newton's method did not reach ||dL/dw|| < {self.tol} in {self.max_iter} "
                f"steps (||dL/dw|| = {np.linalg.norm(cross_entropy_gradient(Xb, y, w)):.2e}); "
                "raise max_iter or tol (linearly separable data drives ||w|| to infinity).",
                ConvergenceWarning,
                stacklevel=3,
            )
        return w, np.asarray(curve), n_iter

    def decision_function(self, X) -> np.ndarray:
        r"""$\mathbf{x}\mathbf{w}$; positive means ``classes_[1]``."""
        check_is_fitted(self, "w_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return add_bias(X) @ self.w_

    def predict_proba(self, X) -> np.ndarray:
        r"""Columns $[1 - \sigma(\mathbf{x}\mathbf{w}),\ \sigma(\mathbf{x}\mathbf{w})]$ for
        ``classes_[0]``, ``classes_[1]``."""
        p1 = sigmoid(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X) -> np.ndarray:
        r"""Decision rule, lines 449-460: $\hat y = 1 \iff \sigma(\mathbf{x}\mathbf{w}) \ge 0.5
        \iff \mathbf{x}\mathbf{w} \ge 0$ (the second form avoids rounding in $\sigma$)."""
        z = self.decision_function(X)  # x w (checks fitted first)
        return self.classes_[(z >= 0).astype(int)]


# ---------------------------------------------------------------------------------------------
# Multi-class: softmax regression
# ---------------------------------------------------------------------------------------------


class SoftmaxRegression(ClassifierMixin, BaseEstimator):
    r"""Softmax regression, L02 lines 533-599:
    $f_i(\mathbf{x}) = \mathrm{softmax}_i(\mathbf{x}\mathbf{W}) =
    \dfrac{e^{\mathbf{x}\mathbf{w}_i}}{\sum_{k=1}^K e^{\mathbf{x}\mathbf{w}_k}}$.

    Trained by gradient descent, $\mathbf{W}_{t+1} = \mathbf{W}_t - r\,\partial L/\partial
    \mathbf{W}$ (line 599), from $\mathbf{W}_0 = 0$, on the categorical cross-entropy
    (line 578) through :func:`mldm.training.fit` in float64. Column $k$ of
    $\mathbf{W}$ (shape (d+1, K), bias row first) belongs to ``classes_[k]``.

    ``weight_decay`` λ' adds L2 regularization the way L04 (lines 1247-1262) says frameworks
    expose it, :math:`\mathbf{W} \leftarrow \mathbf{W} - r(\nabla L + \lambda'\mathbf{W})`
    (the bias row is decayed too, as torch's ``weight_decay`` does).
    ``fit(X, y, eval_set=(X_val, y_val))`` also records the validation cross-entropy after
    every epoch (``val_loss_curve_``; logged as ``val_loss``, which a pruner can watch).

    ``rtol``: convergence criterion, checked after the fixed ``max_epochs`` (which it does not
    shorten): $\|\nabla\tilde L(\mathbf{W}_T)\| \le$ ``rtol`` $\|\nabla\tilde
    L(\mathbf{W}_0)\|$ for the full-batch objective $\tilde L = L +
    \frac{\lambda'}{2}\|\mathbf{W}\|^2$, else a ``ConvergenceWarning`` names the gap.

    Attributes: ``W_``, ``coef_`` (K, d), ``intercept_`` (K,), ``classes_``, ``loss_curve_``
    (training loss after every epoch), ``val_loss_curve_`` (with ``eval_set``), ``n_iter_``.
    """

    def __init__(
        self,
        lr: float = 0.1,
        max_epochs: int = 100,
        batch_size: int | None = None,
        random_state: int = 0,
        weight_decay: float = 0.0,
        rtol: float = 1e-3,
    ):
        self.lr = lr
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.random_state = random_state
        self.weight_decay = weight_decay
        self.rtol = rtol

    def fit(self, X, y, eval_set: tuple | None = None):
        if not self.rtol >= 0:
            raise ValueError(f"rtol must be >= 0, got {self.rtol!r}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr!r}")
        if not self.weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        _check_positive_int("max_epochs", self.max_epochs)
        _check_positive_int("batch_size", self.batch_size, allow_none=True)
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, idx = np.unique(y, return_inverse=True)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(f"SoftmaxRegression needs samples of >= 2 classes; got {K} class.")
        Y = np.eye(K)[idx]  # one-hot labels y^(l) (line 572)
        Xb = add_bias(X)
        eval_sets = None
        if eval_set is not None:
            X_val, y_val = eval_set
            X_val = validate_data(self, X_val, reset=False, dtype=np.float64)
            known = np.isin(y_val, self.classes_)
            if not known.all():
                raise ValueError(f"eval_set has labels not seen in y: {np.unique(y_val[~known])}")
            Y_val = np.eye(K)[np.searchsorted(self.classes_, y_val)]
            eval_sets = {"val": (add_bias(X_val), Y_val)}
        self.W_, curves = gradient_descent(
            np.zeros((Xb.shape[1], K)),
            _torch_softmax_cross_entropy,
            Xb,
            Y,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            seed=self.random_state,
            weight_decay=self.weight_decay,
            eval_sets=eval_sets,
            rtol=float(self.rtol),
            who="SoftmaxRegression",
        )
        if eval_sets is None:
            self.loss_curve_ = curves
        else:
            self.loss_curve_, self.val_loss_curve_ = curves["train"], curves["val"]
        self.coef_ = self.W_[1:].T.copy()  # (K, d): row k is w_k without its bias
        self.intercept_ = self.W_[0].copy()  # (K,)
        self.n_iter_ = self.max_epochs
        return self

    def _logits(self, X) -> np.ndarray:
        r"""$\mathbf{x}\mathbf{W}$, shape (N, K). Private: sklearn's ``decision_function``
        contract wants a 1-D score when K = 2, the lecture keeps one column per class."""
        check_is_fitted(self, "W_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return add_bias(X) @ self.W_

    def predict_proba(self, X) -> np.ndarray:
        r"""$[f_1(\mathbf{x}), \dots, f_K(\mathbf{x})] = \mathrm{softmax}(\mathbf{x}\mathbf{W})$."""
        return softmax(self._logits(X))

    def predict(self, X) -> np.ndarray:
        r"""$\arg\max_i f_i(\mathbf{x})$ (= $\arg\max_i \mathbf{x}\mathbf{w}_i$: softmax is
        monotone)."""
        k = np.argmax(self._logits(X), axis=1)  # checks fitted first
        return self.classes_[k]


# ---------------------------------------------------------------------------------------------
# Multi-class: one-vs-all
# ---------------------------------------------------------------------------------------------


class OneVsAllClassifier(ClassifierMixin, BaseEstimator):
    r"""One-vs-all, L02 lines 498-528: train one binary classifier per class,
    $f_i(\mathbf{x}) = \sigma(\mathbf{x}\mathbf{w}_i)$ for "class $i$" vs "the rest", and
    predict $k = \arg\max_i f_i(\mathbf{x})$.

    ``estimator`` is any binary classifier with ``predict_proba`` (or ``decision_function``);
    ``None`` means :class:`LogisticRegression` (Newton). One clone per class in
    ``estimators_``, in the order of ``classes_``.
    """

    def __init__(self, estimator=None):
        self.estimator = estimator

    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                f"OneVsAllClassifier needs samples of >= 2 classes; got {len(self.classes_)} class."
            )
        base = LogisticRegression() if self.estimator is None else self.estimator
        # class k -> label 1, every other class -> label 0 (one classifier per class)
        self.estimators_ = [clone(base).fit(X, (y == c).astype(int)) for c in self.classes_]
        return self

    def decision_function(self, X) -> np.ndarray:
        r"""$[f_1(\mathbf{x}), \dots, f_K(\mathbf{x})]$, $f_i(\mathbf{x}) =
        \sigma(\mathbf{x}\mathbf{w}_i)$: each classifier's probability of *its* class."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        cols = []
        for est in self.estimators_:
            if hasattr(est, "predict_proba"):
                cols.append(est.predict_proba(X)[:, list(est.classes_).index(1)])
            else:  # a score that is monotone in f_i is enough for the arg max
                cols.append(est.decision_function(X))
        return np.column_stack(cols)

    def predict(self, X) -> np.ndarray:
        r"""$k = \arg\max_i f_i(\mathbf{x})$ (line 528)."""
        k = np.argmax(self.decision_function(X), axis=1)  # checks fitted first
        return self.classes_[k]
