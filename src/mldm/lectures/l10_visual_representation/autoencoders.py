"""Autoencoders on unlabelled digits (lines 4215-4225): PCA is a linear autoencoder (the
linear AE's decoder spans PCA's top-k subspace, principal angles), and a conv autoencoder
whose encoder is the lecture's f, its reconstructions shown and its h probed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.lectures.l10_visual_representation.common import encoder, mean_loss

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l10_visual_representation.common import Digits

LINEAR, CONV = "linear_ae", "conv_ae"


def _flat64(x):
    import torch

    return x.reshape(len(x), -1).to(torch.float64)


def linear_ae(p, d_in: int):
    from mldm.models import LinearAutoencoder

    return LinearAutoencoder(d_in, p.autoencoders.linear_k).double()


def conv_ae(p):
    from mldm.models import ConvAutoencoder

    return ConvAutoencoder(encoder(p))


def _fit(ctx: Context, name: str, model, X, Xt, optimizer, epochs: int, batch_size, dtype):
    from mldm.training import array_loader, fit

    zeros = np.zeros(len(X))
    task = fit(
        model,
        mean_loss,
        optimizer,
        array_loader(X, zeros, batch_size, seed=ctx.seed, dtype=dtype),
        epochs,
        eval_loaders={"test": array_loader(Xt, np.zeros(len(Xt)), 2048, "segment", dtype=dtype)},
    )
    h = task.history
    ctx.save_curve(
        name, epoch=np.arange(1, epochs + 1), train_loss=h["step_loss"], test_loss=h["test_loss"]
    )
    ctx.save_module(name, model)


def train(ctx: Context, d: Digits) -> None:
    import torch

    p = ctx.params
    a = p.autoencoders
    X, Xt = _flat64(d.train), _flat64(d.test)
    ctx.seeded(10, 3)
    with ctx.run(LINEAR, k=a.linear_k, optimizer="lbfgs", steps=a.linear_epochs):
        _fit(
            ctx,
            LINEAR,
            linear_ae(p, X.shape[1]),
            X,
            Xt,
            lambda params: torch.optim.LBFGS(
                params, max_iter=20, history_size=50, line_search_fn="strong_wolfe"
            ),
            a.linear_epochs,
            None,  # full batch: L-BFGS on the whole MSE
            torch.float64,
        )
    ctx.seeded(10, 4)
    with ctx.run(CONV, epochs=a.max_epochs, lr=a.lr, batch_size=a.batch_size):
        _fit(
            ctx,
            CONV,
            conv_ae(p),
            d.train,
            d.test,
            lambda params: torch.optim.Adam(params, lr=a.lr),
            a.max_epochs,
            a.batch_size,
            torch.float32,
        )


@dataclass(frozen=True)
class Reconstructions:
    images: Any  # (n, 1, R, R) test digits
    linear: Any  # the linear AE's reconstructions
    pca: Any  # PCA's with the same k
    conv: Any  # the conv AE's
    angles_deg: np.ndarray  # principal angles, linear AE decoder vs PCA top-k, degrees
    curves: dict[str, Any]


def load_conv(ctx: Context):
    return ctx.load_module(CONV, conv_ae(ctx.params))


def evaluate(ctx: Context, d: Digits) -> Reconstructions:
    import torch

    from mldm.evaluation import principal_angles
    from mldm.models import PCA

    p = ctx.params
    k = p.autoencoders.linear_k
    X, Xt = _flat64(d.train), _flat64(d.test)
    lin = ctx.load_module(LINEAR, linear_ae(p, X.shape[1]))
    pca = PCA(n_components=k).fit(X.numpy())
    angles = principal_angles(lin.decoder.weight.detach().numpy(), pca.components_.T)
    ctx.measure("linear_ae_spans_pca", float(np.degrees(angles.max())))
    conv = load_conv(ctx)
    with torch.no_grad():
        mse = {
            "linear_ae": float(lin(Xt).mean()),
            "pca": float(
                np.mean((pca.inverse_transform(pca.transform(Xt.numpy())) - Xt.numpy()) ** 2)
            ),
            "conv_ae": float(conv(d.test).mean()),
        }
        n = 10
        shape = d.test[:n].shape
        recon = Reconstructions(
            d.test[:n],
            lin.reconstruct(Xt[:n]).float().reshape(shape).clamp(0, 1),
            torch.as_tensor(pca.inverse_transform(pca.transform(Xt[:n].numpy())))
            .reshape(shape)
            .clamp(0, 1),
            conv.reconstruct(d.test[:n]),
            np.degrees(angles),
            ctx.curves([LINEAR, CONV]),
        )
    for name, v in mse.items():
        ctx.record("autoencoders", name, test_mse=v)
    ctx.record(
        "autoencoders",
        "linear_ae_vs_pca",
        max_principal_angle_deg=float(np.degrees(angles.max())),
        mean_principal_angle_deg=float(np.degrees(angles.mean())),
        test_mse_ratio=mse["linear_ae"] / mse["pca"],
    )
    ctx.measure("linear_ae_matches_pca_error", abs(mse["linear_ae"] / mse["pca"] - 1))
    return recon
