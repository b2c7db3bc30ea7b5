"""Contrastive learning (lines 4235-4480): SimCLR (two kornia views per image, f, g, the
lecture's loss over 2N views), the mutual-information bound log(2N-1) - Loss per epoch, the
batch size's effect on the probe, and MoCo (queue, momentum key encoder) v1 against v2 (MLP
head, stronger augmentation, cosine schedule)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from mldm.lectures.l10_visual_representation.common import encoder, head, mean_loss

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l10_visual_representation.common import Digits

SIMCLR, MOCO_V1, MOCO_V2 = "simclr", "moco_v1", "moco_v2"

# the MoCo v2 table (lines 4440-4447): case -> (MLP head, aug+, cosine schedule)
ABLATION = {
    "v1": (False, False, False),
    "mlp": (True, False, False),
    "aug": (False, True, False),
    "cos": (False, False, True),
    "v2": (True, True, True),
}


def ablation_name(case: str, run: int) -> str:
    """``moco_ablation_mlp_seed0``: MoCo v1 with the table's ``case`` components, seed ``run``."""
    return f"moco_ablation_{case}_seed{run}"


def sweep_name(i: int, run: int) -> str:
    """``simclr_batch0_seed0``: point i of the batch-size sweep, seed ``run``."""
    return f"simclr_batch{i}_seed{run}"


def simclr(p, augment: str | None = None):
    from mldm.models import SimCLR
    from mldm.models.contrastive import augmentation

    c = p.contrastive
    return SimCLR(
        encoder(p),
        head(p),
        augmentation(p.resolution, augment or c.augmentation, p.in_channels),
        c.temperature,
    )


def moco(p, v2: bool, mlp: bool | None = None, aug: bool | None = None):
    """MoCo v1 (linear head, random crops) or v2 (MLP head, aug+); ``mlp`` / ``aug`` set
    one component alone (the ablation)."""
    from mldm.models import MoCo
    from mldm.models.contrastive import augmentation

    c = p.contrastive
    mlp = v2 if mlp is None else mlp
    aug = v2 if aug is None else aug
    return MoCo(
        encoder(p),
        head(p, mlp=mlp),
        # v1: MoCo's own weaker augmentation (random crops); v2: SimCLR's plus blur ("aug+")
        augmentation(p.resolution, "strong_blur" if aug else "crop", p.in_channels),
        p.encoder.proj_dim,
        c.queue_size,
        c.momentum,
        c.moco_temperature,
    )


def cosine_schedule(lr: float, epochs: int):
    """A callback setting lr_e = lr · ½(1 + cos(π e / E)) at the start of epoch e (MoCo v2's
    "cos", line 4452)."""
    from lightning.pytorch.callbacks import Callback

    class Cosine(Callback):
        def on_train_epoch_start(self, trainer, pl_module):
            e = trainer.current_epoch
            for group in trainer.optimizers[0].param_groups:
                group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * e / epochs))

    return Cosine()


def _fit(
    ctx: Context,
    name: str,
    model,
    d: Digits,
    batch_size: int,
    epochs: int,
    seed: int,
    callbacks=(),
    order: str = "shuffle",
    lr: float | None = None,
    **tags,
):
    """Train an SSL model on the unlabelled training digits; save f and g and the curve
    (``train_loss``, the mean loss per epoch; for SimCLR also ``mi_bound`` = log(2N-1) - loss).
    Returns the trained model."""
    import torch

    from mldm.training import array_loader, fit

    lr = lr or ctx.params.contrastive.lr
    with ctx.run(name, batch_size=batch_size, epochs=epochs, order=order, lr=lr, **tags):
        task = fit(
            model,
            mean_loss,
            lambda params: torch.optim.Adam([q for q in params if q.requires_grad], lr=lr),
            array_loader(
                d.train, np.zeros(len(d.train)), batch_size, order, seed=seed, dtype=torch.float32
            ),
            epochs,
            callbacks=list(callbacks),
        )
        loss = np.asarray(task.history["step_loss"])
        columns = {"train_loss": loss}
        if name.startswith(SIMCLR):
            n = min(batch_size, len(d.train))
            columns["mi_bound"] = math.log(2 * n - 1) - loss
        ctx.save_curve(name, epoch=np.arange(1, epochs + 1), **columns)
    ctx.save_module(f"{name}_f", model.f)
    ctx.save_module(f"{name}_g", model.g)
    return model


def tiled(d: Digits, n_images: int, seed: int) -> Digits:
    """The training digits drawn epoch by epoch without replacement (a fresh permutation per
    pass) until ``n_images``: one pass over it in order is ``n_images / N`` steps of N."""
    import torch

    from mldm.lectures.l10_visual_representation.common import Digits

    rng = np.random.default_rng([seed, 10, 6])
    passes = -(-n_images // len(d.train))
    idx = np.concatenate([rng.permutation(len(d.train)) for _ in range(passes)])[:n_images]
    return Digits(d.train[torch.as_tensor(idx)], d.test, d.y_train[idx], d.y_test)


def train(ctx: Context, d: Digits):
    """SimCLR, its batch sweep, MoCo v1 / v2 and the MoCo ablation; returns SimCLR's f (the
    encoder :func:`.supervised.finetune` starts from)."""
    p = ctx.params
    c = p.contrastive
    ctx.seeded(10, 5)
    main = _fit(ctx, SIMCLR, simclr(p), d, c.batch_size, c.max_epochs, ctx.seed, tau=c.temperature)
    for i, n in enumerate(c.batch_sweep):
        for run in range(c.seeds):
            ctx.seeded(10, 6, i, run=run)
            steps = tiled(d, c.sweep_steps * n, ctx.seed + run)
            _fit(
                ctx,
                sweep_name(i, run),
                simclr(p),
                steps,
                n,
                1,
                ctx.seed + run,
                order="segment",
                steps=c.sweep_steps,
            )
    for name, v2 in ((MOCO_V1, False), (MOCO_V2, True)):
        ctx.seeded(10, 7)  # the same initial f for both: only the recipe differs
        callbacks = [cosine_schedule(c.moco_lr, c.max_epochs)] if v2 else []
        _fit(
            ctx,
            name,
            moco(p, v2),
            d,
            c.moco_batch_size,
            c.max_epochs,
            ctx.seed,
            callbacks,
            lr=c.moco_lr,
            queue=c.queue_size,
            m=c.momentum,
        )
    for i, (case, (mlp, aug, cos)) in enumerate(ABLATION.items()):
        for run in range(c.ablation_seeds):
            ctx.seeded(10, 11, run=run)  # every case of a seed starts from the same f
            e = c.ablation_epochs
            _fit(
                ctx,
                ablation_name(case, run),
                moco(p, False, mlp=mlp, aug=aug),
                d,
                c.moco_batch_size,
                e,
                ctx.seed + run,
                [cosine_schedule(c.moco_lr, e)] if cos else [],
                lr=c.moco_lr,
                case=i,
                mlp=mlp,
                aug_plus=aug,
                cos=cos,
            )
    return main.f


def load_f(ctx: Context, name: str):
    return ctx.load_module(f"{name}_f", encoder(ctx.params))


def load_g(ctx: Context, name: str, mlp: bool = True):
    return ctx.load_module(f"{name}_g", head(ctx.params, mlp))


def batch_of(name: str, p) -> int:
    """N of a SimCLR run: the main run's batch size or its sweep point's."""
    c = p.contrastive
    if name == SIMCLR:
        return c.batch_size
    return c.batch_sweep[int(name.removeprefix("simclr_batch").split("_")[0])]


def sweep_names(p) -> list[str]:
    c = p.contrastive
    return [sweep_name(i, r) for i in range(len(c.batch_sweep)) for r in range(c.seeds)]


def views(ctx: Context, d: Digits, n: int = 8, k: int = 6):
    """``k`` draws of the augmentation T for each of ``n`` test digits (the views figure), and
    the lecture's loss on one batch of the trained SimCLR against the cross-entropy form."""
    import torch
    from torch.nn import functional as F  # noqa: N812

    from mldm.models import info_nce
    from mldm.models.contrastive import augmentation

    p = ctx.params
    torch.manual_seed(ctx.seed)
    aug = augmentation(p.resolution, p.contrastive.augmentation, p.in_channels)
    x = d.test[:n]
    drawn = torch.stack([aug(x) for _ in range(k)], 1)  # (n, k, 1, R, R)

    f, g = load_f(ctx, SIMCLR), load_g(ctx, SIMCLR)
    batch = d.test[: min(p.contrastive.batch_size, len(d.test))]
    with torch.no_grad():
        za, zb = g(f(aug(batch))).double(), g(f(aug(batch))).double()
        ours = float(info_nce(za, zb, p.contrastive.temperature))
        m = len(za)
        zn = F.normalize(torch.cat([za, zb]), dim=1)
        logits = (zn @ zn.T / p.contrastive.temperature).fill_diagonal_(float("-inf"))
        target = torch.cat([torch.arange(m, 2 * m), torch.arange(m)])
        ref = float(F.cross_entropy(logits, target))
    ctx.measure("info_nce_is_cross_entropy", abs(ours - ref) / ref)
    ctx.record("simclr", "test_batch", info_nce=ours, cross_entropy_form=ref, n=float(m))
    return x, drawn
