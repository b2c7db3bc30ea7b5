r"""Multi-layer perceptrons and backpropagation: lecture 6 (course notes lines 2019-2230).

* **MLP** (lines 2051-2086): make the basis functions learnable,
  $\phi_i(\mathbf{x}) = a(\sum_\ell w'_{i\ell} x_\ell)$, and stack them,
  $\hat y(\mathbf{x}) = \mathbf{W}_L\, a(\cdots a(\mathbf{W}_2\, a(\mathbf{W}_1 \mathbf{x})))$
  (regression) or $\mathrm{softmax}$ of the same (classification). $a$ cannot be dropped, else
  $\hat y$ is linear in $\mathbf{x}$ (line 2068).
* **Activations** (lines 2091-2125): sigmoid, tanh, ReLU, leaky ReLU $\max(0.1x, x)$.
* **Losses** (lines 2127-2138): $l_r = \frac1N\sum|y-\hat y|^2$,
  $l_c = -\frac1N\sum\sum_k y_k\log\hat y_k$.
* **Backpropagation** (lines 2146-2230): with $\tilde{\mathbf h}_l = \mathbf W_l\mathbf h_{l-1}$,
  $\mathbf h_l = a(\tilde{\mathbf h}_l)$ and $\tilde{\mathbf g}_l = a'(\tilde{\mathbf h}_l)$,

  step 1: $\dfrac{\partial l}{\partial \mathbf h_l} = \mathbf W_{l+1}^T
  \big(\tilde{\mathbf g}_{l+1} \odot \dfrac{\partial l}{\partial \mathbf h_{l+1}}\big)$,
  step 2: $\dfrac{\partial l}{\partial \mathbf W_l}
  = \big(\tilde{\mathbf g}_l \odot \dfrac{\partial l}{\partial \mathbf h_l}\big)\mathbf h_{l-1}^T$.

Notation: the slides use column vectors; here each *row* of ``x`` is a sample, so every formula
is transposed and summed over the batch: $\tilde{\mathbf H}_l = \mathbf H_{l-1}\mathbf W_l^T +
\mathbf b_l$ with $\mathbf W_l$ of shape $(n_l, n_{l-1})$ exactly as on the slide. We add a bias
$\mathbf b_l$ (the slides omit it); its gradient is the column sum of
$\tilde{\mathbf g}_l \odot \partial l/\partial \mathbf h_l$.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import Tensor, nn

__all__ = [
    "ACTIVATIONS",
    "LEAKY_SLOPE",
    "MLP",
    "DeepStack",
    "Linear",
    "backprop",
    "bce_output_grad",
    "classification_loss",
    "identity",
    "layer_gradient_norms",
    "leaky_relu",
    "linear",
    "log_softmax",
    "regression_loss",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    "uniform_fan_in_",
]

LEAKY_SLOPE = 0.1  # L06 line 2120: a(x) = max(0.1x, x)


# ---------------------------------------------------------------------------------------------
# Activations (L06 lines 2091-2125) and their derivatives g̃ = a'(h̃)
# ---------------------------------------------------------------------------------------------


def sigmoid(x: Tensor) -> Tensor:
    r"""L06 line 2093: $a(x) = \dfrac{1}{1+e^{-x}}$, evaluated without overflow.

    With $e = e^{-|x|} \le 1$: $a = 1/(1+e)$ for $x \ge 0$ and $e/(1+e)$ for $x < 0$.
    """
    e = torch.exp(torch.where(x >= 0, -x, x))  # e^{-|x|}; where (not abs) keeps a'(0) = 1/4
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def d_sigmoid(x: Tensor) -> Tensor:
    r"""$a'(x) = a(x)(1 - a(x)) \le 1/4$: the saturation behind vanishing gradients (l. 2098)."""
    a = sigmoid(x)
    return a * (1.0 - a)


def tanh(x: Tensor) -> Tensor:
    r"""L06 line 2102: $a(x) = \dfrac{1-e^{-2x}}{1+e^{-2x}}$, with $e^{-2|x|}$ and odd symmetry."""
    e = torch.exp(2.0 * torch.where(x >= 0, -x, x))  # e^{-2|x|} <= 1: no overflow
    t = (1.0 - e) / (1.0 + e)  # tanh|x|
    return torch.where(x >= 0, t, -t)


def d_tanh(x: Tensor) -> Tensor:
    r"""$a'(x) = 1 - a(x)^2$."""
    return 1.0 - tanh(x) ** 2


def relu(x: Tensor) -> Tensor:
    r"""L06 line 2111: $a(x) = \max(0, x)$ (with $a'(0) = 0$, as torch's ReLU)."""
    return torch.where(x > 0, x, torch.zeros_like(x))


def d_relu(x: Tensor) -> Tensor:
    r"""$a'(x) = \mathbb 1[x > 0]$: zero gradient for $x < 0$ (line 2116)."""
    return (x > 0).to(x.dtype)


def leaky_relu(x: Tensor) -> Tensor:
    r"""L06 line 2120: $a(x) = \max(0.1x, x)$."""
    return torch.where(x > 0, x, LEAKY_SLOPE * x)


def d_leaky_relu(x: Tensor) -> Tensor:
    r"""$a'(x) = 1$ for $x > 0$, else $0.1$: never zero, no vanishing gradient (line 2124)."""
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, LEAKY_SLOPE))


def identity(x: Tensor) -> Tensor:
    r"""$a(x) = x$ (the output layer: $\hat y = \tilde{\mathbf h}_L$, line 2158)."""
    return x


def d_identity(x: Tensor) -> Tensor:
    r"""$a'(x) = 1$."""
    return torch.ones_like(x)


ACTIVATIONS: dict[str, tuple[Callable[[Tensor], Tensor], Callable[[Tensor], Tensor]]] = {
    "sigmoid": (sigmoid, d_sigmoid),
    "tanh": (tanh, d_tanh),
    "relu": (relu, d_relu),
    "leaky_relu": (leaky_relu, d_leaky_relu),
    "identity": (identity, d_identity),
}
"""name -> (a, a'), both taking the pre-activation h̃."""


# ---------------------------------------------------------------------------------------------
# Losses (L06 lines 2127-2138)
# ---------------------------------------------------------------------------------------------


def log_softmax(z: Tensor) -> Tensor:
    r"""$\log\mathrm{softmax}_k(\mathbf z) = z_k - \log\sum_j e^{z_j}$, with log-sum-exp:
    $\log\sum_j e^{z_j} = m + \log\sum_j e^{z_j - m}$, $m = \max_j z_j$ (no overflow)."""
    m = z.amax(dim=-1, keepdim=True).detach()  # any constant shift is exact; detach: no grad
    return z - (m + torch.log(torch.exp(z - m).sum(dim=-1, keepdim=True)))


def softmax(z: Tensor) -> Tensor:
    r"""$\mathrm{softmax}_k(\mathbf z) = e^{z_k} / \sum_j e^{z_j}$ (row-wise)."""
    return torch.exp(log_softmax(z))


def regression_loss(y_hat: Tensor, y: Tensor) -> Tensor:
    r"""L06 line 2133: $l_r = \dfrac1N\sum_{i=1}^N |\mathbf y_i - \hat{\mathbf y}_i|^2$.

    $|\cdot|^2$ is the squared norm over the outputs, so for $d$ outputs this is
    $d\,\cdot$ ``F.mse_loss`` (which averages over all $Nd$ entries); equal for $d = 1$.
    ``y`` is reshaped to ``y_hat``'s shape ((N,) targets against an (N, 1) output).
    """
    y = y.reshape(y_hat.shape)
    return ((y - y_hat) ** 2).sum() / y_hat.shape[0]


def classification_loss(logits: Tensor, y: Tensor) -> Tensor:
    r"""L06 line 2138: $l_c = -\dfrac1N\sum_i\sum_k y_{ik}\log\hat y_k(\mathbf x_i)$,
    $\hat{\mathbf y} = \mathrm{softmax}(\tilde{\mathbf h}_L)$.

    ``y`` holds integer labels, so $\sum_k y_{ik}\log\hat y_{ik} = \log\hat y_{i,y_i}$.
    """
    logp = log_softmax(logits)
    return -logp[torch.arange(len(y), device=logits.device), y.long()].mean()


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------


def uniform_fan_in_(t: Tensor, fan_in: int, generator: torch.Generator | None = None) -> Tensor:
    r"""In place $t \sim U(-1/\sqrt{n_{in}}, 1/\sqrt{n_{in}})$: torch's default for Linear/Conv
    (``kaiming_uniform_(a=√5)``: bound $= \sqrt3\cdot\sqrt{2/(1+5)}/\sqrt{n_{in}}$), drawing from
    the RNG in the same order so seeded models match torch's layers."""
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    with torch.no_grad():
        return t.uniform_(-bound, bound, generator=generator)


def linear(h: Tensor, W: Tensor, b: Tensor | None = None) -> Tensor:
    r"""$\tilde{\mathbf h}_l = \mathbf W_l\mathbf h_{l-1} + \mathbf b_l$ (line 2154) on rows:
    $\tilde{\mathbf H}_l = \mathbf H_{l-1}\mathbf W_l^T + \mathbf b_l$."""
    out = h @ W.T
    return out if b is None else out + b


class Linear(nn.Module):
    r"""A fully connected layer $\mathbf h \mapsto \mathbf h\mathbf W^T + \mathbf b$ with
    ``weight`` (n_out, n_in) and ``bias`` (n_out), named like ``nn.Linear`` (state dicts swap)."""

    def __init__(
        self, n_in: int, n_out: int, bias: bool = True, generator: torch.Generator | None = None
    ):
        super().__init__()
        self.weight = nn.Parameter(uniform_fan_in_(torch.empty(n_out, n_in), n_in, generator))
        self.bias = (
            nn.Parameter(uniform_fan_in_(torch.empty(n_out), n_in, generator)) if bias else None
        )

    def forward(self, h: Tensor) -> Tensor:
        return linear(h, self.weight, self.bias)


class DeepStack(nn.Module):
    r"""``depth`` equal ReLU layers between an input and an output layer, with or without the
    ResNet shortcut (L06 lines 2405-2421):

    .. math:: \mathbf h_{\ell+1} = \mathrm{ReLU}(\mathbf h_\ell + \mathbf W_{\ell+1}
              \mathbf h_\ell) \quad\text{vs.}\quad
              \mathbf h_{\ell+1} = \mathrm{ReLU}(\mathbf W_{\ell+1}\mathbf h_\ell)

    The slide's point, without convolutions in the way: a plain deep stack is hard to train,
    while with shortcuts each layer only has to learn a correction to the identity.
    """

    def __init__(self, n_in: int, width: int, depth: int, n_out: int, shortcut: bool = True):
        super().__init__()
        self.shortcut = shortcut
        self.inp = Linear(n_in, width)
        self.hidden = nn.ModuleList(Linear(width, width) for _ in range(depth))
        self.out = Linear(width, n_out)

    def forward(self, x: Tensor) -> Tensor:
        h = relu(self.inp(x))
        for layer in self.hidden:
            F = layer(h)
            h = relu(h + F if self.shortcut else F)
        return self.out(h)


# ---------------------------------------------------------------------------------------------
# MLP (L06 lines 2051-2086, 2154-2158)
# ---------------------------------------------------------------------------------------------


class MLP(nn.Module):
    r"""$L$-layer perceptron, L06 lines 2079-2086 and 2154-2158.

    ``sizes = [n_0, n_1, ..., n_L]``; layer $l$ has $\mathbf W_l \in \mathbb R^{n_l\times n_{l-1}}$
    (parameter ``W_l``) and $\mathbf b_l$ (``b_l``), registered in the order
    ``W_1, b_1, W_2, b_2, ...`` (as an ``nn.Sequential`` of linears). Hidden layers
    $\mathbf h_l = a(\tilde{\mathbf h}_l)$; the output layer has no activation:
    $\hat y = \tilde{\mathbf h}_L$ (regression) or logits whose softmax lives in the loss
    (classification). Inputs with more than 2 dims are flattened to rows.

    Initialised like ``nn.Linear``: $\mathbf W_l, \mathbf b_l \sim U(\pm 1/\sqrt{n_{l-1}})$,
    from ``generator`` or, if None, the global torch RNG.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        head: str = "classification",
        bias: bool = True,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least [n_in, n_out], got {list(sizes)}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if head not in ("classification", "regression"):
            raise ValueError(f"head must be 'classification' or 'regression', got {head!r}")
        self.sizes = [int(n) for n in sizes]
        self.activation = activation
        self.head = head
        self.bias = bias
        self.a, self.da = ACTIVATIONS[activation]
        for l, (n_prev, n_l) in enumerate(zip(self.sizes[:-1], self.sizes[1:], strict=True), 1):
            W = uniform_fan_in_(torch.empty(n_l, n_prev), n_prev, generator)
            self.register_parameter(f"W_{l}", nn.Parameter(W))
            if bias:
                b = uniform_fan_in_(torch.empty(n_l), n_prev, generator)
                self.register_parameter(f"b_{l}", nn.Parameter(b))

    @property
    def n_layers(self) -> int:
        """$L$, the number of weight matrices."""
        return len(self.sizes) - 1

    @property
    def weights(self) -> list[Tensor]:
        r"""$[\mathbf W_1, \dots, \mathbf W_L]$."""
        return [getattr(self, f"W_{l}") for l in range(1, self.n_layers + 1)]

    @property
    def biases(self) -> list[Tensor | None]:
        r"""$[\mathbf b_1, \dots, \mathbf b_L]$ (Nones without bias)."""
        return [getattr(self, f"b_{l}", None) for l in range(1, self.n_layers + 1)]

    def forward_cache(self, x: Tensor) -> tuple[list[Tensor], list[Tensor]]:
        r"""Forward pass keeping what backprop needs.

        Returns ``(h_tilde, h)``: ``h_tilde[l-1]`` $= \tilde{\mathbf h}_l$ for $l = 1..L$
        (length $L$) and ``h[l]`` $= \mathbf h_l$ for $l = 0..L$ (length $L+1$) with
        ``h[0] = x`` and ``h[L] = h_tilde[L-1]`` (no output activation).
        """
        h = [x.reshape(len(x), -1)]
        h_tilde = []
        for l, (W, b) in enumerate(zip(self.weights, self.biases, strict=True), 1):
            h_tilde.append(linear(h[-1], W, b))  # h̃_l = W_l h_{l-1} + b_l
            h.append(h_tilde[-1] if l == self.n_layers else self.a(h_tilde[-1]))  # h_l = a(h̃_l)
        return h_tilde, h

    def forward(self, x: Tensor) -> Tensor:
        """Logits (classification) or ŷ (regression), differentiable by autograd."""
        return self.forward_cache(x)[1][-1]

    def loss(self, output: Tensor, y: Tensor) -> Tensor:
        """The lecture's loss for this head: :func:`classification_loss` or
        :func:`regression_loss`."""
        if self.head == "classification":
            return classification_loss(output, y)
        return regression_loss(output, y)


# ---------------------------------------------------------------------------------------------
# Backpropagation (L06 lines 2146-2230)
# ---------------------------------------------------------------------------------------------


def output_grad(mlp: MLP, h_L: Tensor, y: Tensor) -> Tensor:
    r"""$\partial l/\partial \mathbf h_L$ for the MLP's loss, one row per sample (lines 2197-2206).

    * regression, $l = \frac1N\sum|y - h_L|^2$: $\partial l/\partial h_L = 2(h_L - y)/N$
      (the slide's $\frac12|y - h_L|^2$ per sample gives $h_L - y$, line 2201);
    * classification, $l = -\frac1N\sum\log\mathrm{softmax}_{y}(\tilde{\mathbf h}_L)$:
      $(\mathrm{softmax}(\tilde{\mathbf h}_L) - \mathrm{onehot}(y))/N$; since the output
      layer is the identity, $\mathbf h_L = \tilde{\mathbf h}_L$ and this is also
      $\partial l/\partial\tilde{\mathbf h}_L$.
    """
    N = h_L.shape[0]
    if mlp.head == "regression":
        return 2.0 * (h_L - y.reshape(h_L.shape)) / N
    onehot = torch.zeros_like(h_L)
    onehot[torch.arange(N, device=h_L.device), y.long()] = 1.0
    return (softmax(h_L) - onehot) / N


def _as_tensors(mlp: MLP, x, y) -> tuple[Tensor, Tensor]:
    """Arrays or tensors -> tensors in the MLP's dtype/device (labels as int64)."""
    W = mlp.weights[0]
    x = torch.as_tensor(x, dtype=W.dtype, device=W.device)
    if mlp.head == "classification":
        return x, torch.as_tensor(y, device=W.device).long()
    return x, torch.as_tensor(y, dtype=W.dtype, device=W.device)


@torch.no_grad()
def backprop(mlp: MLP, x: Tensor, y: Tensor) -> tuple[Tensor, list[Tensor]]:
    r"""Loss and gradients by the lecture's two steps (lines 2208-2230), batched, no autograd.

    With rows as samples, $\mathbf E_l = \tilde{\mathbf G}_l \odot \partial l/\partial\mathbf H_l$:

    * step 2: $\partial l/\partial\mathbf W_l = \mathbf E_l^T\mathbf H_{l-1}$ (the slide's
      $(\tilde{\mathbf g}_l\odot\partial l/\partial\mathbf h_l)\mathbf h_{l-1}^T$ summed over
      samples), $\partial l/\partial\mathbf b_l = \sum_i \mathbf E_{l,i}$;
    * step 1: $\partial l/\partial\mathbf H_{l-1} = \mathbf E_l\mathbf W_l$ (the slide's
      $\mathbf W_l^T(\tilde{\mathbf g}_l\odot\partial l/\partial\mathbf h_l)$).

    ``x`` and ``y`` may be tensors or NumPy arrays (cast to the MLP's dtype; labels to int64).
    Returns ``(loss, grads)`` with ``grads`` a flat list aligned with
    ``list(mlp.parameters())``: ``[∂W_1, ∂b_1, ..., ∂W_L, ∂b_L]`` (no ∂b without bias), so
    ``for p, g in zip(mlp.parameters(), grads): p.grad = g`` drives any torch optimizer.
    """
    x, y = _as_tensors(mlp, x, y)
    h_tilde, h = mlp.forward_cache(x)
    loss = mlp.loss(h[-1], y)
    dl_dh = output_grad(mlp, h[-1], y)  # ∂l/∂h_L
    per_layer = []
    for l in range(mlp.n_layers, 0, -1):
        # g̃_l = a'(h̃_l); the output layer is the identity, g̃_L = 1
        g = torch.ones_like(h_tilde[l - 1]) if l == mlp.n_layers else mlp.da(h_tilde[l - 1])
        E = g * dl_dh  # g̃_l ⊙ ∂l/∂h_l
        dW = E.T @ h[l - 1]  # step 2: (g̃_l ⊙ ∂l/∂h_l) h_{l-1}ᵀ
        db = E.sum(dim=0) if mlp.bias else None
        per_layer.append((dW, db))
        if l > 1:
            dl_dh = E @ mlp.weights[l - 1]  # step 1: ∂l/∂h_{l-1} = W_lᵀ (g̃_l ⊙ ∂l/∂h_l)
    grads = []
    for dW, db in reversed(per_layer):
        grads.append(dW)
        if db is not None:
            grads.append(db)
    return loss, grads


def bce_output_grad(h_L: Tensor, y: Tensor) -> Tensor:
    r"""$\partial\mathcal L/\partial h_L$ of $\mathcal L = -y\log h_L - (1-y)\log(1-h_L)$:

    $$\frac{\partial\mathcal L}{\partial h_L} = -\frac{y}{h_L} + \frac{1-y}{1-h_L}
      = \frac{h_L - y}{h_L(1-h_L)}.$$

    The slide (L06 line 2206) prints $(h_L - y)/h_L$, which is wrong: it drops the factor
    $1/(1-h_L)$, so it agrees with the true gradient only where $h_L = y$. With a sigmoid
    output $h_L = \sigma(\tilde h_L)$, multiplying by $a' = h_L(1-h_L)$ gives the familiar
    $\partial\mathcal L/\partial\tilde h_L = h_L - y$.
    """
    return (h_L - y) / (h_L * (1.0 - h_L))


def layer_gradient_norms(mlp: MLP, x: Tensor, y: Tensor) -> np.ndarray:
    r"""$\|\partial l/\partial\mathbf W_l\|_F$ for $l = 1..L$ (first layer first), from
    :func:`backprop`. With sigmoid every layer multiplies the backward signal by
    $a' \le 1/4$ (line 2098), so the norms shrink toward the input (vanishing gradient)."""
    _, grads = backprop(mlp, x, y)
    step = 2 if mlp.bias else 1
    return np.array([torch.linalg.norm(g).item() for g in grads[::step]])
