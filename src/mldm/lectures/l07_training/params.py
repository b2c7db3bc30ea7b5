"""L07's block in params.yaml (``lectures.l07_training``): one sub-block per experiment, its
defaults the default profile's values."""

from __future__ import annotations

from pydantic import Field

from mldm.config import LectureParams, Strict


class OptimizerLrs(Strict):
    """One learning rate per optimizer (each near its usual default)."""

    sgd: float = Field(0.1, gt=0)
    momentum: float = Field(0.01, gt=0, description="lr of v_t = ρv + ∇f (ρ = 0.9: ~10× SGD's)")
    rmsprop: float = Field(1e-3, gt=0)
    adam_slide: float = Field(1e-3, gt=0)
    adam: float = Field(1e-3, gt=0)


class Optimizers(Strict):
    check_steps: int = Field(100, ge=1, description="steps compared with torch.optim")
    rho: float = Field(0.9, gt=0, lt=1)
    lrs: OptimizerLrs = OptimizerLrs()
    max_epochs: int = Field(15, ge=1)
    batch_size: int = Field(100, ge=1)
    condition: float = Field(100.0, gt=1, description="κ of the quadratic valley")


class Preprocessing(Strict):
    lr: float = Field(0.1, gt=0)
    max_epochs: int = Field(30, ge=1)
    batch_size: int = Field(64, ge=1)


class Init(Strict):
    depth: int = Field(10, ge=2)
    width: int = Field(256, ge=1)
    lr: float = Field(0.05, gt=0)
    max_epochs: int = Field(10, ge=1)
    batch_size: int = Field(100, ge=1)


class Dropout(Strict):
    p: float = Field(0.5, gt=0, lt=1, description="drop probability")
    n_train: int = Field(1000, ge=100, description="small MNIST training subset: overfits")
    hidden: int = Field(512, ge=1)
    lr: float = Field(1e-3, gt=0)
    max_epochs: int = Field(40, ge=1)
    batch_size: int = Field(64, ge=1)
    draws: int = Field(20000, ge=100, description="Monte Carlo draws of the dropout mask")


class Norm(Strict):
    depth: int = Field(8, ge=2)
    width: int = Field(64, ge=1)
    lr: float = Field(0.1, gt=0)
    max_epochs: int = Field(15, ge=1)
    batch_size: int = Field(100, ge=1)


class TunedMLP(Strict):
    """The MLP whose lr and batch size the train/val/test protocol chooses
    (``tune@l07_mlp_lr_batch``)."""

    lr: float = Field(0.05, gt=0)
    batch_size: int = Field(128, ge=1)
    max_epochs: int = Field(20, ge=1)
    hidden: int = Field(100, ge=1)
    val_fraction: float = Field(0.2, gt=0, lt=1)


class Params(LectureParams):
    optimizers: Optimizers = Optimizers()
    preprocessing: Preprocessing = Preprocessing()
    init: Init = Init()
    dropout: Dropout = Dropout()
    norm: Norm = Norm()
    lr_sweep: list[float] = Field(
        default_factory=lambda: [1e-4, 1e-3, 1e-2, 0.1, 1.0, 10.0],
        description="SGD learning rates of the training-loss picture",
    )
    mlp: TunedMLP = TunedMLP()
