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
