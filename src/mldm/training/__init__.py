"""Lightning glue shared by every gradient-trained model.

- :func:`make_trainer` is the one trainer factory; stage-wide settings (accelerator, MLflow
  logger, progress bar) come from :func:`trainer_defaults`, set once by the stage.
- :class:`SupervisedTask` trains any ``nn.Module`` on a loss; :func:`fit` runs it on loaders,
  :func:`fit_classifier` on arrays with cross-entropy and per-epoch loss/accuracy (L06, L07).
- :class:`GradientDescent` is the lecture's update ``w <- w - r dL/dw`` (L01).
"""

from mldm._lazy import attributes

# Lightning takes ~3 s to import: a stage loads it only when a model trains with it
_LAZY = {
    "array_loader": "mldm.training.data",
    "current_defaults": "mldm.training.trainer",
    "ema_callback": "mldm.training.loop",
    "fit": "mldm.training.loop",
    "fit_classifier": "mldm.training.loop",
    "GradientDescent": "mldm.training.optim",
    "make_trainer": "mldm.training.trainer",
    "predict_logits": "mldm.training.loop",
    "seed_everything": "mldm.training.trainer",
    "seed_model": "mldm.training.trainer",
    "SupervisedTask": "mldm.training.tasks",
    "trainer_defaults": "mldm.training.trainer",
    "TrainerDefaults": "mldm.training.trainer",
}
__getattr__, __dir__ = attributes(__name__, _LAZY)
__all__ = sorted(_LAZY)
