"""Optimizers written from the lecture's update rules."""

from __future__ import annotations

import torch


class GradientDescent(torch.optim.Optimizer):
    r"""Plain (stochastic) gradient descent, L01 lines 206-220:

    .. math:: \mathbf{w}^{(t+1)} = \mathbf{w}^{(t)} - r \cdot
              \frac{\partial L(\mathbf{w})}{\partial \mathbf{w}}\Big|_{\mathbf{w}^{(t)}}

    Full-batch GD when the loader yields the whole set, mini-batch SGD otherwise (the gradient
    of a mini-batch mean is an unbiased estimate of the full gradient, lines 255-267).

    ``weight_decay`` λ' is L2 regularization as L04 (lines 1247-1262) says frameworks expose
    it: the gradient of :math:`\tfrac{\lambda'}{2}\|\mathbf{w}\|^2` is added,
    :math:`\mathbf{w} \leftarrow \mathbf{w} - r(\nabla L + \lambda'\mathbf{w})`, which is
    ``torch.optim.SGD(weight_decay=λ')`` without momentum.
    """

    def __init__(self, params, lr: float, weight_decay: float = 0.0):
        if not lr > 0:
            raise ValueError(f"learning rate r must be > 0, got {lr}")
        if not weight_decay >= 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        super().__init__(params, {"lr": lr, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            r, decay = group["lr"], group["weight_decay"]
            for w in group["params"]:
                if w.grad is not None:
                    g = w.grad if decay == 0 else w.grad + decay * w  # dL/dw + λ' w
                    w.sub_(r * g)  # w <- w - r * dL/dw
        return loss


# ----------------------------------------------------------------------------------------
# L07 (lines 2599-2698): SGD + momentum, RMSProp, Adam, and the moving average behind them
# ----------------------------------------------------------------------------------------


def _check_lr(lr: float) -> None:
    if not lr > 0:
        raise ValueError(f"learning rate lr must be > 0, got {lr}")


def _check_decay(name: str, value: float) -> None:
    # the slide says ρ ∈ (0, 1) (line 2637); 0 is allowed as the degenerate case
    # (Momentum(ρ=0) = SGD, Adam(β1=0) = RMSProp, line 2698)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")


def _check_eps(eps: float) -> None:
    if not eps >= 0:
        raise ValueError(f"eps must be >= 0, got {eps}")


def _closure_loss(closure):
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


def moving_average_weights(rho: float, n: int) -> tuple[torch.Tensor, float]:
    r"""The weights of the slide's expansion of the moving average, L07 lines 2660-2678.

    Unrolling :math:`s_t = \rho s_{t-1} + (1-\rho) g_t^2` from :math:`s_0 = 0`,

    .. math:: s_n = \sum_{k=1}^n (1-\rho)\rho^{n-k} g_k^2, \qquad
              \sum_{k=1}^n (1-\rho)\rho^{n-k} = \frac{1-\rho^n}{1-\rho}(1-\rho) = 1-\rho^n \to 1.

    Returns the weights for k = 1..n (float64, oldest first) and their closed-form sum
    :math:`1-\rho^n`. The missing :math:`\rho^n` is the weight left on :math:`s_0 = 0`: the
    bias that Adam's :math:`1-\beta^t` correction divides out.
    """
    _check_decay("rho", rho)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    k = torch.arange(1, n + 1, dtype=torch.float64)
    return (1 - rho) * rho ** (n - k), 1 - rho**n  # (1-ρ)ρ^{n-k};  1-ρ^n


class Momentum(torch.optim.Optimizer):
    r"""SGD + momentum, L07 lines 2626-2639:

    .. math:: \mathbf{v}_t = \rho\,\mathbf{v}_{t-1} + \nabla f(\mathbf{w}_t), \qquad
              \mathbf{w}_{t+1} = \mathbf{w}_t - lr\cdot\mathbf{v}_t, \qquad \mathbf{v}_0 = 0.

    A ball rolling down the slope with friction ∝ ρ (line 2639). This is
    ``torch.optim.SGD(momentum=ρ, dampening=0)``: torch's first buffer is the gradient itself,
    which is :math:`\rho\cdot 0 + \nabla f`.
    """

    def __init__(self, params, lr: float, rho: float = 0.9):
        _check_lr(lr)
        _check_decay("rho", rho)
        super().__init__(params, {"lr": lr, "rho": rho})

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, ρ = group["lr"], group["rho"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                state = self.state[w]
                if "v" not in state:
                    state["v"] = torch.zeros_like(w, memory_format=torch.preserve_format)  # v_0
                v = state["v"]
                v.mul_(ρ).add_(w.grad)  # v_t = ρ v_{t-1} + ∇f(w_t)
                w.add_(v, alpha=-lr)  # w_{t+1} = w_t - lr v_t
        return loss


class RMSProp(torch.optim.Optimizer):
    r"""RMSProp, L07 lines 2643-2656:

    .. math:: \mathbf{s}_t = \rho\,\mathbf{s}_{t-1} + (1-\rho)(\nabla f(\mathbf{w}_t))^2,
              \qquad \mathbf{w}_{t+1} = \mathbf{w}_t - lr\cdot\nabla f(\mathbf{w}_t)
              \oslash(\sqrt{\mathbf{s}_t} + \epsilon), \qquad \mathbf{s}_0 = 0.

    Dividing by the running RMS rescales every coordinate's gradient to the same level, which
    eases ill-conditioned curvature (line 2656).

    The slide has no ε. We keep it (default 1e-8, 0 allowed), added *outside* the root exactly
    like ``torch.optim.RMSprop(alpha=ρ, eps=ε)``: a coordinate whose gradient is exactly 0 at
    every step (a dead ReLU's incoming weights) has :math:`s_t = 0` and the slide's update is
    0/0 = NaN, which then spreads through the whole network.
    """

    def __init__(self, params, lr: float, rho: float = 0.9, eps: float = 1e-8):
        _check_lr(lr)
        _check_decay("rho", rho)
        _check_eps(eps)
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, ρ, eps = group["lr"], group["rho"], group["eps"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                g, state = w.grad, self.state[w]
                if "s" not in state:
                    state["s"] = torch.zeros_like(w, memory_format=torch.preserve_format)  # s_0
                s = state["s"]
                s.mul_(ρ).addcmul_(g, g, value=1 - ρ)  # s_t = ρ s_{t-1} + (1-ρ) g²
                w.addcdiv_(g, s.sqrt().add_(eps), value=-lr)  # w -= lr g ⊘ (√s_t + ε)
        return loss


class Adam(torch.optim.Optimizer):
    r"""Adam, L07 lines 2680-2698 (defaults β1 = 0.9, β2 = 0.999, lr = 1e-3, line 2697):

    .. math:: \mathbf{m}_t = \beta_1\mathbf{m}_{t-1} + (1-\beta_1)\nabla f(\mathbf{w}_t),
              \qquad
              \mathbf{s}_t = \beta_2\mathbf{s}_{t-1} + (1-\beta_2)(\nabla f(\mathbf{w}_t))^2.

    ``bias_correction=False`` is the slide's update (line 2688)

    .. math:: \mathbf{w}_{t+1} = \mathbf{w}_t - lr\cdot\mathbf{m}_t\oslash(\sqrt{\mathbf{s}_t}
              + \epsilon),

    RMSProp with the gradient replaced by its moving average; β1 = 0 gives RMSProp (line 2698).
    Because :math:`\mathbf{m}_0 = \mathbf{s}_0 = 0`, the averages carry only
    :math:`1-\beta^t` of their weight (:func:`moving_average_weights`), so the slide's first
    step is :math:`lr(1-\beta_1)/\sqrt{1-\beta_2} \approx 3.16\,lr` per coordinate, not lr.
    ``bias_correction=True`` is the standard Adam (``torch.optim.Adam``) that divides it out:

    .. math:: \hat{\mathbf{m}}_t = \frac{\mathbf{m}_t}{1-\beta_1^t}, \quad
              \hat{\mathbf{s}}_t = \frac{\mathbf{s}_t}{1-\beta_2^t}, \quad
              \mathbf{w}_{t+1} = \mathbf{w}_t - lr\cdot\hat{\mathbf{m}}_t
              \oslash(\sqrt{\hat{\mathbf{s}}_t} + \epsilon).

    ε (absent from the slide) is kept for the reason given in :class:`RMSProp`. The operations
    follow torch's order (lerp for m, lr/(1−β1^t) folded into the step) so that trajectories
    agree with ``torch.optim.Adam`` to rounding.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        bias_correction: bool = False,
    ):
        _check_lr(lr)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (β1, β2), got {betas}")
        _check_decay("beta1", betas[0])
        _check_decay("beta2", betas[1])
        _check_eps(eps)
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "bias_correction": bias_correction}
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group in self.param_groups:
            lr, (β1, β2), eps = group["lr"], group["betas"], group["eps"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                g, state = w.grad, self.state[w]
                if not state:
                    state["t"] = 0
                    state["m"] = torch.zeros_like(w, memory_format=torch.preserve_format)  # m_0
                    state["s"] = torch.zeros_like(w, memory_format=torch.preserve_format)  # s_0
                state["t"] += 1
                t, m, s = state["t"], state["m"], state["s"]
                m.lerp_(g, 1 - β1)  # m_t = β1 m_{t-1} + (1-β1) g  (= m + (1-β1)(g - m))
                s.mul_(β2).addcmul_(g, g, value=1 - β2)  # s_t = β2 s_{t-1} + (1-β2) g²
                if group["bias_correction"]:
                    c1, c2 = 1 - β1**t, 1 - β2**t  # 1-β1^t, 1-β2^t
                    denom = (s.sqrt() / c2**0.5).add_(eps)  # √ŝ_t + ε = √s_t/√(1-β2^t) + ε
                    w.addcdiv_(m, denom, value=-lr / c1)  # w -= lr m̂_t ⊘ (√ŝ_t + ε)
                else:
                    w.addcdiv_(m, s.sqrt().add_(eps), value=-lr)  # w -= lr m_t ⊘ (√s_t + ε)
        return loss
