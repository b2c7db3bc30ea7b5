"""What L10's experiments share: the digits at the lecture's resolution, the one encoder f and
projection head g every method trains, the names of the trained encoders, and the probe."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from mldm.data.digits import Digits, small_digits

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l10_visual_representation.params import Params


def digits(ctx: Context, p: Params | None = None) -> Digits:
    """The central 24×24 pixels of the 28×28 digits averaged to ``p.resolution`` (12: 2×2
    blocks), random ``n_train``/``n_test`` subsets (all by default). With ``dataset: cifar10``
    (the full profile) the CIFAR-10 images instead, (N, 3, 32, 32) in [0, 1]."""
    p = p or ctx.params
    if p.dataset == "cifar10":
        return cifar(ctx.data("cifar10"), p.n_train, p.n_test, (ctx.seed, 10, 0))
    return small_digits(ctx.data("mnist"), p.resolution, p.n_train, p.n_test, (ctx.seed, 10, 0))


def cifar(d, n_train: int | None, n_test: int | None, stream) -> Digits:
    """The prepared CIFAR-10 set (flat C×H×W rows) as (N, 3, 32, 32) float32 tensors, random
    ``n_train``/``n_test`` rows (None: all) drawn by the seed sequence ``stream``."""
    import torch

    rng = np.random.default_rng(list(stream))
    tr = rng.permutation(len(d.y_train))[:n_train]
    te = rng.permutation(len(d.y_test))[:n_test]
    return Digits(
        torch.as_tensor(d.X_train[tr], dtype=torch.float32).reshape(-1, 3, 32, 32),
        torch.as_tensor(d.X_test[te], dtype=torch.float32).reshape(-1, 3, 32, 32),
        np.asarray(d.y_train[tr], dtype=np.int64),
        np.asarray(d.y_test[te], dtype=np.int64),
    )


def encoder(p: Params):
    """A fresh f (the caller seeds torch first): the small VGG-style CNN, or (``arch:
    resnet18``) the CIFAR ResNet-18."""
    from mldm.models import ConvEncoder, ResNet18Encoder

    if p.encoder.arch == "resnet18":
        return ResNet18Encoder(p.resolution, p.in_channels)
    return ConvEncoder(p.resolution, p.encoder.channels, p.encoder.dim, p.in_channels)


def head(p: Params, mlp: bool = True):
    """g: a shallow MLP (SimCLR, MoCo v2) or a linear layer (MoCo v1)."""
    from mldm.models.contrastive import projection_head

    return projection_head(p.encoder.dim, p.encoder.proj_dim, None if mlp else 0)


def mean_loss(out, _y):
    """The models return per-image losses; the task minimizes their mean."""
    return out.mean()


def features(fn, x, batch: int = 2048) -> np.ndarray:
    """``fn`` (an encoder's h or z) on ``x`` in eval mode without gradients, float64."""
    import torch

    with torch.no_grad():
        return np.concatenate(
            [fn(x[i : i + batch]).double().numpy() for i in range(0, len(x), batch)]
        )


def probe(
    ctx: Context, train_features, y_train, test_features, y_test, knn: bool = True
) -> dict[str, float]:
    """The lecture's linear probe (frozen features, a linear classifier on top; λ chosen on a
    validation split, :func:`mldm.evaluation.linear_probe`) and, with ``knn``, the weighted
    kNN of the SSL literature (cosine, k from params, :func:`mldm.evaluation.knn_accuracy`).
    The validation split keeps at least one row per class when labels are few."""
    from mldm.evaluation import knn_accuracy, linear_probe

    n_classes = len(np.unique(y_train))
    val = max(0.2, n_classes / len(y_train))
    r = linear_probe(
        train_features,
        y_train,
        test_features,
        y_test,
        weight_decays=ctx.params.probe_weight_decays,
        val_fraction=val,
        seed=ctx.seed,
    )
    out = {"linear_probe_test_accuracy": r.test_accuracy}
    if knn:
        out["knn_test_accuracy"] = knn_accuracy(
            train_features, y_train, test_features, y_test, k=ctx.params.knn_k
        )
    return out


def label_subset(y: np.ndarray, fraction: float, seed: int, run: int) -> np.ndarray:
    """Indices of ``fraction`` of the labels, class-balanced (at least two per class: one to
    fit the probe, one to validate its λ)."""
    rng = np.random.default_rng([seed, 10, 1, run, int(round(fraction * 1e6))])
    classes = np.unique(y)
    per = max(2, int(round(fraction * len(y) / len(classes))))
    return np.sort(
        np.concatenate([rng.choice(np.flatnonzero(y == c), per, replace=False) for c in classes])
    )
