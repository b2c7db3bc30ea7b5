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
    """

    def __init__(
        self,
        model: nn.Module,
        loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        optimizer: Callable[..., torch.optim.Optimizer],
        eval_names: Sequence[str] = ("val",),
        metrics: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] | None = None,
    ):
        super().__init__()
        self.model = model
        self.loss = loss
        self.optimizer = optimizer
        self.eval_names = tuple(eval_names)
        self.metrics = dict(metrics or {})
        self.history: dict[str, list[float]] = {}
        self._sums: dict[str, list[torch.Tensor]] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.loss(self.model(x), y)
        self.log("step_loss", loss, on_step=False, on_epoch=True, batch_size=len(x))
        return loss

    def validation_step(self, batch, batch_idx, dataloader_idx: int = 0):
        x, y = batch
        pred = self.model(x)
        name = self.eval_names[dataloader_idx]
        values = {"loss": self.loss(pred, y)} | {k: f(pred, y) for k, f in self.metrics.items()}
        for key, value in values.items():
            # weighted by batch size so the epoch value is the mean over samples
            self._sums.setdefault(f"{name}_{key}", []).append(
                torch.stack([value.detach() * len(x), torch.tensor(len(x), dtype=value.dtype)])
            )

    def on_validation_epoch_end(self):
        if self.trainer.sanity_checking:
            self._sums.clear()
            return
        for key, parts in self._sums.items():
            total = torch.stack(parts).sum(0)
            value = total[0] / total[1]
            self.log(key, value, add_dataloader_idx=False)
            self.history.setdefault(key, []).append(float(value))
        self._sums.clear()

    def configure_optimizers(self):
        return self.optimizer(self.parameters())
