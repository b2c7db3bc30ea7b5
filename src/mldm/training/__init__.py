"""Lightning glue shared by every gradient-trained model.

- :func:`make_trainer` is the one trainer factory; stage-wide settings (accelerator, MLflow
  logger, progress bar) come from :func:`trainer_defaults`, set once by the stage.
- :class:`SupervisedTask` trains any ``nn.Module`` on a loss; :func:`fit` runs it on arrays.
- :class:`GradientDescent` is the lecture's update ``w <- w - r dL/dw`` (L01).
"""

from mldm.training.data import array_loader
from mldm.training.fit import fit
from mldm.training.optim import GradientDescent
from mldm.training.tasks import SupervisedTask
from mldm.training.trainer import (
    TrainerDefaults,
    current_defaults,
    make_trainer,
    seed_everything,
    trainer_defaults,
)

__all__ = [
    "GradientDescent",
    "SupervisedTask",
    "TrainerDefaults",
    "array_loader",
    "current_defaults",
    "fit",
    "make_trainer",
    "seed_everything",
    "trainer_defaults",
]
