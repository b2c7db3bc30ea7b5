"""L06 Neural networks (course-notes lines 2019-2587).

The MLP with its backprop written in the lecture's matrix form (checked against autograd), the
four activations and the vanishing gradient they cause, the regression and classification
heads, convolution and pooling from the slide's formula (its worked example, LeNet, a VGG block,
a small ResNet, the parameter counts), the vanilla RNN from its recurrence (many-to-one and
many-to-many) beside GRU/LSTM, self-attention and a Transformer encoder block (checked against
torch.nn), a GCN from the propagation rule on the karate club and a stochastic block model, and
the MNIST-1D reference table (Greydanus 2020) with our models beside the paper's numbers.

Train runs the reference table first (it is the lecture's summary, and the longest run), then
the experiments in the lecture's order; evaluate follows the lecture. Neither order may change
without changing the metrics: the convolution check draws from torch's global generator, which
evaluate seeds once, after the draws of the experiments before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldm.lectures.l06_neural_networks import (
    activations,
    attention,
    backprop,
    convolution,
    deep,
    figures,
    gcn,
    images,
    reference,
    regression,
)
from mldm.lectures.l06_neural_networks.claims import CLAIMS
from mldm.lectures.l06_neural_networks.common import mnist1d
from mldm.lectures.l06_neural_networks.params import Params

if TYPE_CHECKING:
    from mldm.lectures.base import Context

__all__ = ["CLAIMS", "DATASETS", "LINES", "TITLE", "Params", "datasets", "evaluate", "train"]

TITLE = "Neural networks"
LINES = "2019-2587"
DATASETS = ("mnist1d", "mnist")  # plus mnist.extra_datasets (full profile): see datasets()


def datasets(p: Params) -> tuple[str, ...]:
    """The datasets this lecture reads with params ``p``."""
    return (*DATASETS, *p.mnist.extra_datasets)


def train(ctx: Context) -> None:
    p = ctx.params
    d = mnist1d(ctx)  # loaded once for the three MNIST-1D experiments
    reference.train(ctx, p.reference, d)
    activations.train(ctx, p.activations, d)
    regression.train(ctx, p.regression)
    deep.train(ctx, p.deep, d)
    images.train(ctx, p.mnist)
    gcn.train(ctx, p.gcn)


def evaluate(ctx: Context) -> None:
    import torch

    torch.manual_seed(ctx.seed)
    backprop.evaluate(ctx)
    figures.activations(ctx, activations.evaluate(ctx))
    figures.sine_regression(ctx, regression.evaluate(ctx))
    figures.deep_stack(ctx, deep.evaluate(ctx))
    convolution.evaluate(ctx)
    figures.image_models(ctx, images.evaluate(ctx))
    attention.evaluate(ctx)
    figures.reference_table(ctx, reference.evaluate(ctx))
    figures.gcn_karate(ctx, gcn.evaluate(ctx))
