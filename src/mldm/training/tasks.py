"""Generic Lightning tasks: one training loop for every gradient-trained model."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import lightning as L
import torch
from torch import nn


class SupervisedTask(L.LightningModule):
    """Train ``model`` by minimizing ``loss(model(x), y)`` with ``optimizer(params)``.

    Each validation loader is a named evaluation set (``eval_names``); its mean loss is
    logged as ``<name>_loss`` once per epoch and kept in :attr:`history`, so a curve such as
    the full training loss after every epoch is recorded exactly, not as a running average.
    ``history["step_loss"]`` is the mean mini-batch loss of each epoch (weighted by batch size,
    i.e. the mean per-sample loss seen while the weights moved).

    Sums are kept as tensors and reduced once per epoch (summed over DDP ranks, so every
    rank's history is the value on the whole set): no per-step ``self.log`` and no per-step
    host sync, which cost more than the step itself for small models. :attr:`history` is
    saved in checkpoints, so a resumed fit keeps the curve of the epochs before the restart.

    The step is Lightning's manual optimization (:meth:`training_step`): the same update as its
    automatic loop, with less per-step dispatch, which for small models is as slow as the step.
    """

    def __init__(
        self,
        model: nn.Module,
        loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        optimizer: Callable[..., torch.optim.Optimizer],
        eval_names: Sequence[str] = ("val",),
        metrics: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] | None = None,
        gradient_clip_val: float | None = None,
    ):
        super().__init__()
        self.automatic_optimization = False
        self.gradient_clip_val = gradient_clip_val
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.eval_names = tuple(eval_names)
        self.metrics = dict(metrics or {})
        self.history: dict[str, list[float]] = {}
        self._sums: dict[str, list[torch.Tensor]] = {}
        self._steps: tuple[list[torch.Tensor], list[int]] = ([], [])  # (loss_b, |B_b|) per step

    def __setattr__(self, name: str, value) -> None:
        # Lightning sets ``_current_fx_name`` around each of its ~20 hook calls per step, and
        # nn.Module.__setattr__'s type checks make that ~70 µs of a 0.9 ms MLP step; the value
        # is a plain string, which nn.Module stores as an ordinary attribute anyway.
        if name == "_current_fx_name":
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)

    def on_train_epoch_start(self):
        self._steps = ([], [])

    def training_step(self, batch, batch_idx):
        """One update of θ on the batch. The closure zeroes the gradients, computes the loss
        and back-propagates it (:meth:`on_before_optimizer_step` then clips); the optimizer
        calls it once (SGD, Adam, ...) or as often as its line search needs (LBFGS), and the
        step's loss is the loss at θ before the update."""
        x, y = batch
        opt = self.optimizers()

        def closure():
            opt.zero_grad()
            loss = self.loss(self.model(x), y)
            self.manual_backward(loss)
            return loss

        loss = opt.step(closure=closure)
        self._steps[0].append(loss.detach())  # a list append: no tensor op, no host sync
        self._steps[1].append(len(x))

    def on_before_optimizer_step(self, optimizer):
        # Lightning runs this after each closure call, once the gradients are final (under
        # mixed precision: unscaled), and before the update: where clipping belongs
        if self.gradient_clip_val is not None:
            self.clip_gradients(optimizer, self.gradient_clip_val, gradient_clip_algorithm="norm")

    def on_train_epoch_end(self):
        losses, sizes = self._steps
        if sizes:  # step_loss = Σ_b |B_b| loss_b / Σ_b |B_b|
            losses = torch.stack(losses)
            self._record("step_loss", losses @ torch.tensor(sizes).to(losses), sum(sizes))
        self._steps = ([], [])

    def validation_step(self, batch, batch_idx, dataloader_idx: int = 0):
        x, y = batch
        pred = self.model(x)
        name = self.eval_names[dataloader_idx]
        values = {"loss": self.loss(pred, y)} | {k: f(pred, y) for k, f in self.metrics.items()}
        for key, value in values.items():
            # weighted by batch size so the epoch value is the mean over samples
            self._sums.setdefault(f"{name}_{key}", []).append(
                torch.stack([value.detach() * len(x), value.new_tensor(len(x))])
            )

    def on_validation_epoch_end(self):
        if not self.trainer.sanity_checking:
            for key, parts in self._sums.items():
                total = torch.stack(parts).sum(0)
                self._record(key, total[0], total[1])
        self._sums.clear()

    def _record(self, key: str, weighted_sum, count) -> None:
        """``key`` = Σ n·value / Σ n over every rank; logged and appended to the history."""
        weighted_sum = torch.as_tensor(weighted_sum, device=self.device)
        total = torch.stack([weighted_sum, torch.as_tensor(count).to(weighted_sum)])
        total = self.trainer.strategy.reduce(total, reduce_op="sum")  # identity on one device
        value = total[0] / total[1]
        self.log(key, value, add_dataloader_idx=False)
        self.history.setdefault(key, []).append(float(value))

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        checkpoint["history"] = self.history

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        self.history = {k: list(v) for k, v in checkpoint.get("history", {}).items()}

    def configure_optimizers(self):
        return self.optimizer(self.parameters())
