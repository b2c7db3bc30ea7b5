"""Fit a :class:`SupervisedTask` on data loaders: the call every estimator's ``fit`` makes.

:func:`fit_classifier` is the same on arrays for the neural-network lectures (L06, L07):
cross-entropy on shuffled mini-batches, loss and accuracy of named sets after every epoch.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import BatchSampler, DataLoader, Sampler

from mldm.training.data import array_loader, as_tensor
from mldm.training.tasks import SupervisedTask
from mldm.training.trainer import make_trainer

EVAL_BATCH = 2048  # evaluation needs no gradient: large batches keep it cheap

for _name in ("lightning.pytorch", "lightning.fabric", "lightning"):
    logging.getLogger(_name).setLevel(logging.ERROR)


class RankShard(Sampler):
    """Rank ``r`` of ``W`` takes samples ``r, r+W, r+2W, …`` of every batch of ``batches``.

    Every rank draws the same permutation (same generator seed), so the shards of one batch
    are disjoint and cover it: each rank sees 1/W of the data, all ranks take the same number
    of steps, and DDP's gradient average ``1/W Σ_r ∇ mean_{B_r} loss`` is the single-device
    gradient ``∇ mean_B loss`` when ``W`` divides ``|B|``. A batch smaller than ``W`` goes whole
    to every rank (the same gradient on each; in an evaluation its samples count ``W`` times).
    The rank is read when iterating, so this works for ``ddp`` and ``ddp_spawn`` alike.

    Lightning calls :meth:`set_epoch` before each epoch; a run resumed at epoch ``e`` replays
    the ``e`` shuffles it skipped, so its batches are those of an uninterrupted run.
    """

    def __init__(self, batches: BatchSampler):
        self.batches = batches
        self._epoch = 0  # the epoch whose shuffle the generator will draw next

    def __len__(self) -> int:
        return len(self.batches)

    def set_epoch(self, epoch: int) -> None:
        if getattr(self.batches.sampler, "generator", None) is None:
            return  # segment order: nothing to replay
        for _ in range(self._epoch, epoch):
            for _ in self.batches:  # draws exactly what one full epoch draws
                pass
        self._epoch = max(self._epoch, epoch)

    def __iter__(self):
        dist = torch.distributed
        w = dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1
        r = dist.get_rank() if w > 1 else 0
        self._epoch += 1
        for idx in self.batches:
            yield idx if w == 1 or len(idx) < w else idx[r::w]


def _shardable(loader) -> bool:
    # array_loader's form: a BatchSampler as the sampler, no automatic batching
    return (
        isinstance(loader, DataLoader)
        and loader.batch_size is None
        and isinstance(loader.sampler, BatchSampler | RankShard)
    )


def _sharded(loader: DataLoader) -> DataLoader:
    if isinstance(loader.sampler, RankShard):
        return loader
    return DataLoader(loader.dataset, sampler=RankShard(loader.sampler), batch_size=None)


def fit(
    model: nn.Module,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    optimizer: Callable[..., torch.optim.Optimizer],
    train_loader: DataLoader,
    max_epochs: int,
    eval_loaders: Mapping[str, DataLoader] | None = None,
    metrics: Mapping[str, Callable] | None = None,
    ckpt_dir: str | Path | None = None,
    gradient_clip_val: float | None = None,
    callbacks: Iterable = (),
) -> SupervisedTask:
    """Train ``model`` for ``max_epochs``; evaluate each named loader after every epoch.
    ``gradient_clip_val`` caps the gradient's norm (Lightning's ``clip_gradients``; recurrent
    nets). ``callbacks`` go to the trainer (e.g. :func:`ema_callback`, L14).

    With ``ckpt_dir``, a copy of the last epoch is kept there (``last.ckpt``) and a killed
    run resumes from it (its history included).

    Under DDP (``trainer_defaults(devices=2, strategy="ddp")``) loaders made by
    :func:`array_loader` are split by :class:`RankShard`. Lightning's own sampler injection
    would wrap our BatchSampler in a ``DistributedSamplerWrapper`` instead: rank r would get
    whole batches r, r+W, … (not shuffled among ranks, padded by repeating batches, and the
    one batch of a small evaluation set evaluated twice); it stays on for other loaders.
    """
    eval_loaders = dict(eval_loaders or {})
    loaders = [train_loader, *eval_loaders.values()]
    shard = all(_shardable(d) for d in loaders)
    if shard:
        train_loader, *evals = [_sharded(d) for d in loaders]
        eval_loaders = dict(zip(eval_loaders, evals, strict=True))
    task = SupervisedTask(
        model,
        loss,
        optimizer,
        eval_names=list(eval_loaders),
        metrics=metrics,
        gradient_clip_val=gradient_clip_val,
    )
    callbacks, ckpt_path = list(callbacks), None
    if ckpt_dir is not None:
        from lightning.pytorch.callbacks import ModelCheckpoint

        callbacks.append(ModelCheckpoint(dirpath=ckpt_dir, save_last=True, save_top_k=0))
        last = Path(ckpt_dir) / "last.ckpt"
        ckpt_path = str(last) if last.is_file() else None
    trainer = make_trainer(
        max_epochs,
        callbacks=callbacks,
        limit_val_batches=1.0 if eval_loaders else 0,
        use_distributed_sampler=not shard,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", ".*does not have many workers.*")
        warnings.filterwarnings("ignore", ".*must be a positive integer.*")
        warnings.filterwarnings("ignore", ".*no `val_dataloader`.*")
        warnings.filterwarnings("ignore", ".*sync_dist=True.*")  # _record reduces already
        warnings.filterwarnings("ignore", ".*isinstance.treespec, LeafSpec.*")  # torch 2.13
        trainer.fit(
            task,
            train_dataloaders=train_loader,
            val_dataloaders=list(eval_loaders.values()) or None,
            ckpt_path=ckpt_path,
        )
    return task


def ema_callback(decay: float):
    """Lightning's ``EMAWeightAveraging`` (θ̄ <- decay θ̄ + (1 - decay) θ after every step) that
    also keeps the raw weights: at the end of training Lightning copies θ̄ into the model; the
    returned callback's ``raw`` holds the model's state_dict from just before that copy."""
    from copy import deepcopy

    from lightning.pytorch.callbacks import EMAWeightAveraging

    class KeepRawEMA(EMAWeightAveraging):
        raw: dict | None = None

        def on_train_end(self, trainer, pl_module):
            self.raw = deepcopy(pl_module.model.state_dict())
            super().on_train_end(trainer, pl_module)

    return KeepRawEMA(decay=decay)


def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    r"""Multi-class cross-entropy, L06 lines 2135-2140, with one-hot :math:`y_k`:

    .. math:: l_c(θ) = -\frac1N \sum_{(x, y)} \sum_k y_k \log \hat y_k(x)
              = -\frac1N \sum_i \log \mathrm{softmax}(z_i)_{y_i}

    ``log_softmax`` (``z - logsumexp z``) keeps :math:`\log \hat y` finite for large logits.
    """
    return -logits.log_softmax(-1).gather(-1, y.unsqueeze(-1)).mean()


def _accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Share of samples whose arg-max class is the label: ``mean(argmax_k ŷ_k(x) == y)``."""
    from torchmetrics.functional.classification import multiclass_accuracy

    return multiclass_accuracy(
        logits, y, num_classes=logits.shape[-1], average="micro", validate_args=False
    )


def fit_classifier(
    model: nn.Module,
    X,
    y,
    *,
    optimizer: Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer],
    max_epochs: int,
    batch_size: int | None,
    eval_sets: Mapping[str, tuple] = {},  # noqa: B006 (read only)
    seed: int = 0,
    dtype: torch.dtype = torch.float32,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
    ckpt_dir: str | Path | None = None,
    gradient_clip_val: float | None = None,
) -> SupervisedTask:
    r"""Train a classifier ``model`` (logits out) in place by mini-batch SGD on arrays.

    The default loss is :func:`cross_entropy` (L06 lines 2135-2140), estimated on shuffled
    mini-batches :math:`\mathcal{B}_t` drawn with ``seed`` (L01 lines 236-253; the SGD
    update of L07 lines 2599-2612 is whatever ``optimizer`` does); ``batch_size=None`` is
    full-batch GD. After every epoch each ``eval_sets`` entry ``name -> (X, y)`` adds
    ``<name>_loss`` and ``<name>_accuracy`` (means over all its samples, in batches of
    :data:`EVAL_BATCH`) to ``task.history``; ``step_loss`` is the epoch's mean mini-batch loss.
    Logits are ``(N, C)`` with labels ``(N,)`` in ``[0, C)``.

    No ``ConvergenceWarning`` here (unlike the convex models, :mod:`mldm.models.convergence`):
    a network's loss is non-convex and constant-step SGD only reaches a noise floor, so a
    small gradient is no criterion of having finished; ``max_epochs`` is the budget, and the
    ``<name>_loss`` curves show whether it was enough.
    """
    train = array_loader(X, y, batch_size, order="shuffle", seed=seed, dtype=dtype)
    evals = {
        name: array_loader(Xe, ye, EVAL_BATCH, order="segment", dtype=dtype)
        for name, (Xe, ye) in eval_sets.items()
    }
    return fit(
        model,
        loss if loss is not None else cross_entropy,
        optimizer,
        train,
        max_epochs,
        eval_loaders=evals,
        metrics={"accuracy": _accuracy},
        ckpt_dir=ckpt_dir,
        gradient_clip_val=gradient_clip_val,
    )


@torch.no_grad()
def predict_logits(
    model: nn.Module, X, batch_size: int = 4096, dtype: torch.dtype = torch.float32
) -> np.ndarray:
    """Logits ``ẑ(x)`` for every row of ``X``, in eval mode (dropout off, BN running stats)."""
    was_training = model.training
    model.eval()
    try:
        device = next(model.parameters(), torch.empty(0)).device
        X = as_tensor(X, dtype)
        parts = [model(X[i : i + batch_size].to(device)) for i in range(0, len(X), batch_size)]
        return torch.cat(parts).cpu().numpy()
    finally:
        model.train(was_training)
