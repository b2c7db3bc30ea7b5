"""Normalization layers (lines 2764-2821): batch norm (1-D and 2-D, train and eval), layer
norm and instance norm against torch.nn; batch norm's test-time per-sample output; and a deep
sigmoid MLP trained with and without batch norm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mldm.evaluation import worst

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l07_training.params import Norm


def train(ctx: Context, p: Norm, d) -> None:
    from mldm.models.deep_nets import deep_net
    from mldm.training import GradientDescent

    for norm in (False, True):
        ctx.seeded(5)
        ctx.train_classifier(
            f"sigmoid_{'bn' if norm else 'plain'}",
            deep_net(p.depth, p.width, 40, 10, "sigmoid", norm=norm),
            d,
            optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


def checks(ctx: Context) -> None:
    import torch
    from torch import nn

    from mldm.models.normalization import BatchNorm, InstanceNorm, LayerNorm

    ctx.seeded(5)
    cases = [
        (BatchNorm(6), nn.BatchNorm1d(6), (32, 6)),
        (BatchNorm(3, spatial=True), nn.BatchNorm2d(3), (8, 3, 5, 5)),
        (LayerNorm(10), nn.LayerNorm(10), (16, 10)),
        (InstanceNorm(3), nn.InstanceNorm2d(3, affine=True), (4, 3, 6, 6)),
    ]

    def differences():
        for ours, theirs, shape in cases:
            ours, theirs = ours.double(), theirs.double()
            with torch.no_grad():
                for w in theirs.parameters():
                    w.uniform_(0.5, 1.5)
            ours.load_state_dict(theirs.state_dict())
            for _ in range(3):  # train mode, running statistics updated
                x = 3 * torch.randn(*shape, dtype=torch.float64) + 1
                yield float((ours.train()(x) - theirs.train()(x)).abs().max())
            x = torch.randn(*shape, dtype=torch.float64)
            yield float((ours.eval()(x) - theirs.eval()(x)).abs().max())

    ctx.measure("norm_layers_match_torch", worst(differences()))

    bn = BatchNorm(6).double()
    x = torch.randn(32, 6, dtype=torch.float64)
    bn.train()
    bn(x)  # some running statistics
    y = x.clone()
    y[1:] = torch.randn(31, 6, dtype=torch.float64)
    change = {}
    for mode in ("train", "eval"):
        getattr(bn, mode)()
        with torch.no_grad():
            change[mode] = float((bn(x)[0] - bn(y)[0]).abs().max())
    ctx.measure("bn_eval_is_per_sample", change["eval"] / change["train"])


def training(ctx: Context) -> dict[str, Any]:
    """The BN claim from the two nets' curves (returned, ``{name: DataFrame}``)."""
    curves = ctx.curves(("sigmoid_plain", "sigmoid_bn"))
    final = ctx.record_final("batch_norm", curves)
    ctx.measure(
        "batch_norm_speeds_up_training",
        final["sigmoid_plain"]["train_loss"] - final["sigmoid_bn"]["train_loss"],
    )
    return curves
