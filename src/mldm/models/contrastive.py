r"""Contrastive representation learning: lecture 10 (course notes lines 4235-4480).

* **Augmented views** (lines 4235-4243): :math:`x_i^+ = \mathrm{aug}(x_i)`, one or more random
  augmentations of the same image; :func:`augmentation` builds them from kornia's batched
  tensor ops (random resized crop, small rotation, noise, erasing; blur for MoCo v2's "aug+").
* **SimCLR** (lines 4245-4268): :math:`z = g(f(x))`, encoder f and projection head g (a
  shallow MLP), :math:`\mathrm{sim}(z_i, z_j) = z_i^T z_j / \|z_i\|\|z_j\|` and the loss of
  anchor i over the 2N views of a batch of N images,

  .. math:: \mathrm{Loss} = -\log \frac{e^{\mathrm{sim}(z_i, z_i^+)/τ}}
            {e^{\mathrm{sim}(z_i, z_i^+)/τ} + \sum_{j \ne i} e^{\mathrm{sim}(z_i, z_j)/τ}
             + \sum_{j \ne i} e^{\mathrm{sim}(z_i, z_j^+)/τ}}

  (:func:`info_nce`, the mean over the 2N anchors as SimCLR's NT-Xent). After training, g is
  thrown away and :math:`h = f(x)` is the representation (line 4266).
* **Mutual information** (lines 4339-4380): :math:`I(Z; Z^+) \ge \log(2N-1) - \mathrm{Loss}`
  (:func:`mi_lower_bound`, at τ = 1 the slide's bound; the loss is a -log of a probability,
  so the bound never exceeds log(2N-1)).
* **MoCo** (lines 4382-4416): queries q from the encoder θ_q, keys from a momentum encoder
  :math:`θ_k \leftarrow mθ_k + (1-m)θ_q` (:func:`momentum_update`), a queue of K keys as
  negatives, :math:`\mathcal{L} = -\log \frac{\exp(q\cdot k^+/τ)}{\exp(q\cdot k^+/τ) +
  \sum_{k^-}\exp(q\cdot k^-/τ)}`, gradients through the queries only (:class:`MoCo`).
  **MoCo v2** (lines 4418-4470) = MoCo + an MLP head + stronger augmentation (+ a cosine
  schedule, an optimizer setting).
"""

from __future__ import annotations

import copy
import math

import torch
from torch import Tensor, nn

__all__ = [
    "MoCo",
    "SimCLR",
    "augmentation",
    "info_nce",
    "mi_lower_bound",
    "momentum_update",
    "projection_head",
]


def _normalize(z: Tensor) -> Tensor:
    """z / ‖z‖ row by row, so that z_iᵀz_j is sim(z_i, z_j)."""
    return z / z.norm(dim=1, keepdim=True).clamp_min(1e-12)


def info_nce(z_a: Tensor, z_b: Tensor, temperature: float = 0.5, reduction: str = "mean"):
    r"""The lecture's contrastive loss (line 4257) over the 2N views of N images: rows i of
    ``z_a`` and ``z_b`` are z_i and z_i^+. Each of the 2N views is an anchor; its positive is
    its partner, its negatives the other 2N - 2 views (the sums over j ≠ i of z_j and z_j^+).

    With s_{uv} = sim(z_u, z_v)/τ over the stacked views u, v = 1..2N, the loss of anchor u is
    ``-s_{u,u±N} + log Σ_{v ≠ u} e^{s_{uv}}``. ``reduction="mean"`` is the mean over the 2N
    anchors; ``"none"`` returns the (2N,) per-anchor losses (the first N anchor z_i, the last N
    anchor z_i^+).
    """
    n = len(z_a)
    z = _normalize(torch.cat([z_a, z_b]))  # (2N, d)
    s = z @ z.T / temperature  # s_uv = sim(z_u, z_v)/τ
    self_mask = torch.eye(2 * n, dtype=torch.bool, device=z.device)
    s = s.masked_fill(self_mask, float("-inf"))  # v ≠ u: an anchor is not its own negative
    partner = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(z.device)
    positive = s[torch.arange(2 * n, device=z.device), partner]
    loss = torch.logsumexp(s, dim=1) - positive
    return loss.mean() if reduction == "mean" else loss


def mi_lower_bound(loss: Tensor | float, n: int) -> Tensor | float:
    r"""log(2N - 1) - Loss: the lower bound on I(Z; Z^+) of line 4378 for a batch of N images
    (2N - 1 candidates per anchor: its positive and 2N - 2 negatives)."""
    return math.log(2 * n - 1) - loss


def projection_head(d_in: int, d_out: int, hidden: int | None = None) -> nn.Module:
    """g(·): a shallow MLP ``Linear - ReLU - Linear`` (line 4266), or, with ``hidden=0``, the
    linear head MoCo v1 uses."""
    if hidden == 0:
        return nn.Linear(d_in, d_out)
    hidden = hidden or d_in
    return nn.Sequential(nn.Linear(d_in, hidden), nn.ReLU(), nn.Linear(hidden, d_out))


def augmentation(size: int, strength: str = "strong", channels: int = 1) -> nn.Module:
    """The random augmentation T (line 4237) for ``channels``×``size``×``size`` images in
    [0, 1], as kornia's batched ops (each image of a batch gets its own draw):

    - ``"crop"``: random resized crop (scale 0.4-1, aspect 3/4-4/3), the minimal augmentation;
    - ``"strong"``: crop + rotation ±15° + Gaussian noise (σ 0.1, p 0.5) + random erasing
      (p 0.5), SimCLR's recipe for digits (no colour to distort);
    - ``"strong_blur"``: "strong" + Gaussian blur (p 0.5), MoCo v2's "aug+" (line 4452).

    Colour images (``channels=3``, CIFAR-10) also get SimCLR's horizontal flip and, except
    with ``"crop"``, its colour distortion (jitter 0.4/0.4/0.4/0.1 with p 0.8, grey p 0.2).
    """
    import kornia.augmentation as K  # noqa: N812

    if strength not in ("crop", "strong", "strong_blur"):
        raise ValueError(f"strength must be crop, strong or strong_blur, got {strength!r}")
    ops: list[nn.Module] = [K.RandomResizedCrop((size, size), scale=(0.4, 1.0))]
    if channels == 3:
        ops.append(K.RandomHorizontalFlip())
        if strength != "crop":
            ops += [K.ColorJiggle(0.4, 0.4, 0.4, 0.1, p=0.8), K.RandomGrayscale(p=0.2)]
    if strength != "crop":
        ops += [
            K.RandomRotation(15.0),
            K.RandomGaussianNoise(std=0.1, p=0.5),
            K.RandomErasing(scale=(0.02, 0.15), p=0.5),
        ]
    if strength == "strong_blur":
        ops.append(K.RandomGaussianBlur((3, 3), (0.1, 1.0), p=0.5))
    return nn.Sequential(*ops)


class SimCLR(nn.Module):
    """SimCLR (Figure 2, line 4248): two augmented views of each image, h = f(x), z = g(h),
    :func:`info_nce` over the 2N views. ``forward(x)`` returns the per-image loss (the mean of
    its two views' anchor losses), whose mean is the batch's NT-Xent; :meth:`representation` is
    h (what a probe sees), :meth:`project` is z."""

    def __init__(self, encoder: nn.Module, head: nn.Module, augment: nn.Module, temperature=0.5):
        super().__init__()
        self.f, self.g, self.augment = encoder, head, augment
        self.temperature = float(temperature)

    def representation(self, x: Tensor) -> Tensor:
        return self.f(x)

    def project(self, x: Tensor) -> Tensor:
        return self.g(self.f(x))

    def forward(self, x: Tensor) -> Tensor:
        x_a, x_b = self.augment(x), self.augment(x)  # x_i and x_i^+, two draws of T
        z = self.project(torch.cat([x_a, x_b]))  # one pass through f and g for both views
        loss = info_nce(z[: len(x)], z[len(x) :], self.temperature, reduction="none")
        return loss.view(2, len(x)).mean(0)


@torch.no_grad()
def momentum_update(key: nn.Module, query: nn.Module, m: float) -> None:
    """θ_k <- m θ_k + (1 - m) θ_q, parameter by parameter (line 4398)."""
    for p_k, p_q in zip(key.parameters(), query.parameters(), strict=True):
        p_k.mul_(m).add_(p_q.detach(), alpha=1 - m)


class MoCo(nn.Module):
    """MoCo (lines 4382-4416): the query encoder ``encoder`` (f then g) is trained; the key
    encoder is its copy, never given a gradient, moved by :func:`momentum_update` before each
    training forward (that is, after the previous step updated θ_q, as the slide orders it);
    a queue of K normalized keys serves as the negatives, the current batch's keys enter it
    (first in, first out) after the loss is computed.

    ``forward(x)`` returns the per-image loss -log softmax(l)_0 with logits
    l = [q·k⁺, q·k⁻_1, ..., q·k⁻_K]/τ. In eval mode nothing moves (no momentum step, no
    enqueue)."""

    def __init__(
        self,
        encoder: nn.Module,
        head: nn.Module,
        augment: nn.Module,
        dim: int,
        queue_size: int = 1024,
        momentum: float = 0.99,
        temperature: float = 0.2,
    ):
        super().__init__()
        self.f, self.g, self.augment = encoder, head, augment
        self.key_f, self.key_g = copy.deepcopy(encoder), copy.deepcopy(head)
        for p in (*self.key_f.parameters(), *self.key_g.parameters()):
            p.requires_grad_(False)
        self.m, self.temperature = float(momentum), float(temperature)
        self.register_buffer("queue", _normalize(torch.randn(queue_size, dim)))
        self.register_buffer("ptr", torch.zeros((), dtype=torch.long))

    def representation(self, x: Tensor) -> Tensor:
        return self.f(x)

    def project(self, x: Tensor) -> Tensor:
        return self.g(self.f(x))

    @torch.no_grad()
    def keys(self, x: Tensor) -> Tensor:
        return _normalize(self.key_g(self.key_f(x)))

    @torch.no_grad()
    def _enqueue(self, k: Tensor) -> None:
        size = len(self.queue)
        k = k[-size:]  # a batch larger than the queue keeps its last K keys
        idx = (self.ptr + torch.arange(len(k), device=k.device)) % size
        self.queue[idx] = k
        self.ptr.copy_((self.ptr + len(k)) % size)

    def forward(self, x: Tensor) -> Tensor:
        if self.training:
            momentum_update(self.key_f, self.f, self.m)
            momentum_update(self.key_g, self.g, self.m)
        q = _normalize(self.project(self.augment(x)))  # queries: the only gradient path
        k = self.keys(self.augment(x))  # k⁺, detached
        positive = (q * k).sum(1, keepdim=True)
        negative = q @ self.queue.clone().T
        logits = torch.cat([positive, negative], 1) / self.temperature
        loss = torch.logsumexp(logits, 1) - logits[:, 0]
        if self.training:
            self._enqueue(k)
        return loss
