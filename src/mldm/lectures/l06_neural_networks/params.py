"""L06's block in params.yaml (``lectures.l06_neural_networks``): one sub-block per experiment,
its defaults the default profile's values."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from mldm.config import LectureParams, Strict


class Train(Strict):
    lr: float = Field(gt=0)
    max_epochs: int = Field(ge=1)
    batch_size: int = Field(ge=1)


class Reference(Train):
    """The MNIST-1D table: every model trained alike with Adam (the paper's recipe: Adam,
    lr 1e-2, batch 100)."""

    hidden: int = Field(100, ge=1, description="MLP width (two hidden layers, as the paper)")
    rnn_hidden: int = Field(64, ge=1, description="hidden size of our RNN and the LSTM")
    rnn_lr: float = Field(
        0.003, gt=0, description="the vanilla RNN's Adam lr (it diverges at 1e-2)"
    )
    clip: float = Field(1.0, gt=0, description="gradient-norm cap for the vanilla RNN")
    gru_hidden: int = Field(
        6, ge=1, description="the paper's GRU: bidirectional, all 40 states read"
    )
    cnn_channels: int = Field(25, ge=1)
    d_model: int = Field(32, ge=4)
    n_heads: int = Field(4, ge=1)
    n_layers: int = Field(2, ge=1)
    patch: int = Field(4, ge=1, description="signal samples per Transformer token")
    seeds: int = Field(
        3, ge=2, description="training runs per model (seeds seed, seed+1, ...): mean ± sd"
    )


class Activations(Train):
    """A deep, narrow MLP trained with plain SGD once per activation."""

    depth: int = Field(ge=2, description="hidden layers")
    width: int = Field(ge=1)


class Regression(Train):
    """y = sin(3x) + noise on x in [-1, 1]: the regression head and loss."""

    n_train: int = Field(ge=10)
    n_test: int = Field(ge=10)
    noise: float = Field(ge=0)
    hidden: int = Field(ge=1)


class Deep(Train):
    """A deep stack of equal ReLU layers with and without shortcuts (the ResNet argument)."""

    depth: int = Field(ge=2)
    width: int = Field(ge=1)


class Mnist(Train):
    """MLP vs LeNet vs a small ResNet on MNIST, and on the full profile's downloaded sets."""

    n_train: int | None = Field(None, ge=100, description="subsample of the training split")
    extra_datasets: list[Literal["fashion_mnist", "cifar10"]] = Field(
        default_factory=list, description="download-only image sets (full profile), beside MNIST"
    )
    seeds: int = Field(
        3, ge=2, description="training runs per model (seeds seed, seed+1, ...): mean ± sd"
    )


class Gcn(Strict):
    hidden: int = Field(16, ge=1)
    lr: float = Field(0.01, gt=0)
    max_epochs: int = Field(200, ge=1)
    sbm_sizes: list[int] = Field(default_factory=lambda: [100, 100, 100])
    p_in: float = Field(0.1, gt=0, le=1)
    p_out: float = Field(0.01, ge=0, le=1)
    n_features: int = Field(16, ge=1)
    feature_noise: float = Field(3.0, ge=0)


class Params(LectureParams):
    backprop_draws: int = Field(24, ge=1, description="random MLPs checked against autograd")
    reference: Reference = Reference(lr=0.01, max_epochs=60, batch_size=100)
    activations: Activations = Activations(lr=0.1, max_epochs=10, batch_size=100, depth=8, width=64)
    regression: Regression = Regression(
        lr=0.01, max_epochs=400, batch_size=200, n_train=200, n_test=1000, noise=0.1, hidden=64
    )
    deep: Deep = Deep(lr=0.001, max_epochs=10, batch_size=100, depth=20, width=64)
    mnist: Mnist = Mnist(lr=0.002, max_epochs=6, batch_size=64)
    gcn: Gcn = Gcn()
