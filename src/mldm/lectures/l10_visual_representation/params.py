"""L10's block in params.yaml (``lectures.l10_visual_representation``); defaults are the
default profile's values.

Sizes were chosen by measuring on 2 CPU cores (one thread per stage): 12×12 digits (the
central 24×24 averaged 2×2, as L14), one small encoder f for every method (two VGG blocks
16-32 and a dense layer to h ∈ R^64, ~23k parameters), a ViT with D = 32 and 2 blocks, 10
epochs of SimCLR / MoCo / MAE, 5 epochs of each MoCo ablation run (5 cases × 3 seeds).
Default train + evaluate: about 280 s of CPU time (8.5 min wall while the 2 cores were shared
with other engineers' jobs, load 5-7); SimCLR, MoCo, the MoCo ablation and the conv AE are
the long ones. Smoke: about 30 s of CPU for both stages. The ``full`` overlay: CIFAR-10, a
CIFAR ResNet-18, ``accelerator: auto``, hundreds of epochs (a GPU's work).
Per-model times and throughput: benchmarks/results.json (``l10_visual_representation``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from mldm.config import LectureParams, Strict


class Encoder(Strict):
    """f and g (the projection head), shared by all methods. ``arch``: ``vgg`` is
    :class:`mldm.models.ConvEncoder` (``channels``, ``dim``); ``resnet18`` is
    :class:`mldm.models.ResNet18Encoder` with the CIFAR stem (h ∈ R^512: ``dim`` must be 512,
    ``channels`` unused), the ``full`` profile's encoder."""

    arch: Literal["vgg", "resnet18"] = "vgg"
    channels: list[int] = Field(default_factory=lambda: [16, 32])
    dim: int = Field(64, ge=2, description="h = f(x)")
    proj_dim: int = Field(32, ge=2, description="z = g(h)")


class Supervised(Strict):
    """The CNN trained with labels (f + a linear layer, cross-entropy): the supervised
    features, and the from-scratch baseline on 1% / 10% of the labels."""

    max_epochs: int = Field(10, ge=1)
    lr: float = Field(2e-3, gt=0)
    batch_size: int = Field(128, ge=1)
    few_label_epochs: int = Field(40, ge=1, description="from scratch on 1% / 10% of labels")
    finetune_lr: float = Field(
        1e-3, gt=0, description="SimCLR's f fine-tuned end to end on 1% / 10% of labels"
    )
    head_lr: float = Field(1e-2, gt=0, description="its linear layer first, on the frozen f")
    head_epochs: int = Field(100, ge=1)


class Autoencoders(Strict):
    linear_k: int = Field(8, ge=1, description="code size of the linear AE (PCA's top-k)")
    linear_epochs: int = Field(15, ge=1, description="full-batch L-BFGS steps (20 iterations each)")
    max_epochs: int = Field(6, ge=1, description="conv AE epochs")
    lr: float = Field(2e-3, gt=0)
    batch_size: int = Field(128, ge=1)


class Contrastive(Strict):
    """SimCLR and MoCo. ``batch_size`` N gives 2N views per step; the training split is cut
    into equal batches when N divides 3,750 (250 does), so every batch's bound is log(2N-1)."""

    batch_size: int = Field(250, ge=2)
    temperature: float = Field(0.2, gt=0)
    lr: float = Field(3e-3, gt=0)
    max_epochs: int = Field(10, ge=1)
    augmentation: Literal["crop", "strong", "strong_blur"] = "strong"
    batch_sweep: list[int] = Field(default_factory=lambda: [16, 64, 256])
    sweep_steps: int = Field(60, ge=1, description="optimizer steps of every sweep point")
    seeds: int = Field(3, ge=1, description="seeds of the batch sweep (mean ± sd)")
    queue_size: int = Field(1024, ge=1, description="MoCo's K")
    momentum: float = Field(0.99, gt=0, lt=1, description="MoCo's m")
    moco_temperature: float = Field(0.1, gt=0)
    # MoCo decouples the batch from the negatives (line 4414): a small batch, many steps
    moco_batch_size: int = Field(64, ge=2)
    moco_lr: float = Field(1e-3, gt=0)
    # the MoCo v2 table (line 4440): v1, + MLP head, + aug+, + cos, all three, over seeds
    ablation_epochs: int = Field(5, ge=1, description="epochs of every MoCo ablation run")
    ablation_seeds: int = Field(3, ge=1)

    @model_validator(mode="after")
    def _sweep_has_three(self):
        if len(self.batch_sweep) < 2 or sorted(self.batch_sweep) != self.batch_sweep:
            raise ValueError("batch_sweep must list at least two batch sizes, ascending")
        return self


class Vit(Strict):
    """The ViT (main's :class:`mldm.models.ViT`) on 12×12 digits: 3×3 patches, N = 16 tokens
    and the class token; against the CNN on ``small_n`` random labelled digits and on all."""

    patch: int = Field(3, ge=1)
    d_model: int = Field(32, ge=4)
    depth: int = Field(2, ge=1)
    n_heads: int = Field(4, ge=1)
    lr: float = Field(2e-3, gt=0)
    batch_size: int = Field(128, ge=1)
    max_epochs: int = Field(10, ge=1, description="on all labels (the CNN's epochs there)")
    small_n: int = Field(375, ge=20, description="the small labelled set (10%)")
    small_epochs: int = Field(40, ge=1)
    seeds: int = Field(3, ge=1, description="ViT and CNN on the small set: seeds (mean ± sd)")


class Mae(Strict):
    mask: Literal["random", "block", "grid"] = "random"
    mask_ratio: float = Field(0.75, gt=0, lt=1)
    decoder_dim: int = Field(32, ge=4)
    decoder_depth: int = Field(1, ge=1)
    lr: float = Field(2e-3, gt=0)
    max_epochs: int = Field(10, ge=1)
    finetune_lr: float = Field(1e-3, gt=0)
    ablations: bool = Field(True, description="also block / grid masking and a deeper decoder")
    deep_decoder_depth: int = Field(2, ge=1)


class Params(LectureParams):
    dataset: Literal["mnist", "cifar10"] = Field(
        "mnist", description="mnist (default: bundled digits) or cifar10 (full: downloaded)"
    )
    resolution: int = Field(
        12,
        ge=8,
        description="image side R: the central 24x24 of the 28x28 digits averaged to RxR "
        "(cifar10: 32, its own size)",
    )
    n_train: int | None = Field(None, ge=20, description="random subsample of the training split")
    n_test: int | None = Field(None, ge=20, description="random subsample of the test split")
    encoder: Encoder = Encoder()
    supervised: Supervised = Supervised()
    autoencoders: Autoencoders = Autoencoders()
    contrastive: Contrastive = Contrastive()
    vit: Vit = Vit()
    mae: Mae = Mae()
    label_fractions: list[float] = Field(default_factory=lambda: [0.01, 0.1])
    label_seeds: int = Field(3, ge=1, description="label subsets (and scratch CNNs) per fraction")
    knn_k: int = Field(20, ge=1)
    tsne_points: int = Field(500, ge=10, description="test digits in the t-SNE map")
    probe_weight_decays: list[float] = Field(
        default_factory=lambda: [1e-3, 1e-2, 1e-1],
        description="the linear probe's λ grid (chosen on a validation split)",
    )

    @property
    def in_channels(self) -> int:
        return 3 if self.dataset == "cifar10" else 1

    @model_validator(mode="after")
    def _grids(self):
        if self.dataset == "cifar10" and self.resolution != 32:
            raise ValueError("cifar10 images are 32x32: set resolution: 32")
        if self.encoder.arch == "resnet18" and self.encoder.dim != 512:
            raise ValueError("a ResNet-18's h has 512 numbers: set encoder.dim: 512")
        if not self.probe_weight_decays or min(self.probe_weight_decays) <= 0:
            raise ValueError("probe_weight_decays must list positive values")
        f = self.label_fractions
        if len(f) < 2 or sorted(f) != f or not 0 < f[0] or f[-1] > 1:
            raise ValueError("label_fractions must list two or more fractions in (0, 1], ascending")
        return self
