"""Lightning glue shared by every gradient-trained model.

- :func:`make_trainer` is the one trainer factory; stage-wide settings (accelerator, MLflow
  logger, progress bar) come from :func:`trainer_defaults`, set once by the stage.
- :class:`SupervisedTask` trains any ``nn.Module`` on a loss; :func:`fit` runs it on loaders,
  :func:`fit_classifier` on arrays with cross-entropy and per-epoch loss/accuracy (L06, L07).
- :class:`GradientDescent` is the lecture's update ``w <- w - r dL/dw`` (L01).
"""

import importlib

from mldm.training.data import array_loader
from mldm.training.optim import GradientDescent
from mldm.training.trainer import (
    TrainerDefaults,
    current_defaults,
    make_trainer,
    seed_everything,
    trainer_defaults,
)

_LAZY = {
    "fit": "mldm.training.loop",
    "fit_classifier": "mldm.training.loop",
    "predict_logits": "mldm.training.loop",
    "SupervisedTask": "mldm.training.tasks",
}


def __getattr__(name: str):
    # Lightning takes ~3 s to import: load it only when a model actually trains with it
    if name not in _LAZY:
        raise AttributeError(f"module 'mldm.training' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "GradientDescent",
    "SupervisedTask",
    "TrainerDefaults",
    "array_loader",
    "current_defaults",
    "fit",
    "fit_classifier",
    "make_trainer",
    "predict_logits",
    "seed_everything",
    "trainer_defaults",
]
