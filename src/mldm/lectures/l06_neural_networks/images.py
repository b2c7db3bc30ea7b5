"""Why convolutions (lines 2254-2390) and the ResNet (2410-2420) on images: an MLP, LeNet
(local connections, shared weights) and a small ResNet on MNIST, each trained over several
seeds; the full profile adds its downloaded sets (Fashion-MNIST, CIFAR-10) beside MNIST."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation.seeds import OverSeeds, over_seeds, separated_gap
from mldm.lectures.l06_neural_networks.common import (
    adam,
    run_name,
    test_accuracy,
)

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l06_neural_networks.params import Mnist, Params

IMAGE_MODELS = ("mlp", "lenet", "resnet")


def image_datasets(p: Params) -> tuple[str, ...]:
    return ("mnist", *p.mnist.extra_datasets)


def image_model(name: str, image_shape: tuple[int, int, int] = (1, 28, 28)):
    """The image comparison's models for (C, H, W) inputs (MNIST's by default)."""
    from mldm.models.cnn import LeNet, SmallResNet
    from mldm.models.neural import MLP

    c, h, w = image_shape
    return {
        "mlp": lambda: MLP([c * h * w, 256, 128, 10], activation="relu"),
        "lenet": lambda: LeNet(in_channels=c, image_size=h),
        "resnet": lambda: SmallResNet(in_channels=c, image_size=h),
    }[name]()


def images(ctx: Context, name: str):
    """An image set in float32 (flat rows; ``image_shape`` is (C, H, W)), its training split
    subsampled to ``mnist.n_train`` when that is set."""
    d = ctx.data(name).astype(np.float32)
    return d.subsample(ctx.params.mnist.n_train, seed=[ctx.seed, 6, 0])


def train(ctx: Context, p: Mnist) -> None:
    for dataset in image_datasets(ctx.params):
        d = images(ctx, dataset)
        for run in range(p.seeds):
            for i, name in enumerate(IMAGE_MODELS):
                ctx.seeded(3, i, run=run)
                ctx.train_classifier(
                    run_name(f"{dataset}_{name}", run),
                    image_model(name, d.image_shape),
                    d,
                    optimizer=adam(p.lr),
                    max_epochs=p.max_epochs,
                    batch_size=p.batch_size,
                    seed=ctx.seed + run,  # the mini-batch order too
                )


@dataclass(frozen=True)
class ImageComparison:
    """One image set's row of the comparison: per model, its test accuracy over the seeds,
    its parameter count and its (run 0) training curves."""

    dataset: str
    accuracy: dict[str, OverSeeds]
    parameters: dict[str, int]
    curves: dict[str, Any]


def evaluate(ctx: Context) -> tuple[ImageComparison, ...]:
    """Every set's comparison: the claims are MNIST's; the other sets are recorded beside."""
    rows = tuple(_compare(ctx, dataset) for dataset in image_datasets(ctx.params))
    mnist = rows[0].accuracy
    ctx.measure("lenet_beats_mlp_with_fewer_params", separated_gap(mnist["mlp"], mnist["lenet"]))
    ctx.measure("resnet_learns_mnist", mnist["resnet"].mean)
    return rows


def _compare(ctx: Context, dataset: str) -> ImageComparison:
    from mldm.models.cnn import count_params

    d, n = images(ctx, dataset), ctx.params.mnist.seeds
    acc, params = {}, {}
    for name in IMAGE_MODELS:
        model = image_model(name, d.image_shape)
        params[name] = count_params(model)
        runs = [test_accuracy(ctx, run_name(f"{dataset}_{name}", r), model, d) for r in range(n)]
        acc[name] = over_seeds(runs)
        ctx.record(
            dataset, name, **acc[name].metrics("test_accuracy"), seeds=n, parameters=params[name]
        )
    curves = ctx.curves(IMAGE_MODELS, prefix=f"{dataset}_")
    return ImageComparison(dataset, acc, params, curves)
