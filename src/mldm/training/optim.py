"""Optimizers written from the lecture's update rules."""

from __future__ import annotations

import torch


class GradientDescent(torch.optim.Optimizer):
    r"""Plain (stochastic) gradient descent, L01 lines 206-220:

    .. math:: \mathbf{w}^{(t+1)} = \mathbf{w}^{(t)} - r \cdot
              \frac{\partial L(\mathbf{w})}{\partial \mathbf{w}}\Big|_{\mathbf{w}^{(t)}}

    Full-batch GD when the loader yields the whole set, mini-batch SGD otherwise (the gradient
    of a mini-batch mean is an unbiased estimate of the full gradient, lines 255-267).
    """

    def __init__(self, params, lr: float):
        if not lr > 0:
            raise ValueError(f"learning rate r must be > 0, got {lr}")
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            r = group["lr"]
            for w in group["params"]:
                if w.grad is not None:
                    w.sub_(r * w.grad)  # w <- w - r * dL/dw
        return loss
