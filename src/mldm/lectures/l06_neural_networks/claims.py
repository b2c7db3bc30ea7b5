"""L06 Neural networks (course-notes lines 2019-2587).

The MLP with its backprop written in the lecture's matrix form (checked against autograd), the
four activations and the vanishing gradient they cause, the regression and classification
heads, convolution and pooling from the slide's formula (its worked example, LeNet, a VGG block,
a small ResNet, the parameter counts), the vanilla RNN from its recurrence (many-to-one and
many-to-many) beside GRU/LSTM, self-attention and a Transformer encoder block (checked against
torch.nn), a GCN from the propagation rule on the karate club and a stochastic block model, and
the MNIST-1D reference table (Greydanus 2020) with our models beside the paper's numbers.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from mldm.config import LectureParams, Strict
from mldm.lectures.claims import Claim, ClaimSet, between, equals, gt, lt

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Neural networks"
LINES = "2019-2587"
DATASETS = ("mnist1d", "mnist")  # plus mnist.extra_datasets (full profile): see datasets()
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
# MNIST-1D README / paper (Greydanus 2020), test accuracy in %, default 4000/1000 split
PAPER_MNIST1D = {"logistic": 32, "mlp": 68, "cnn": 94, "gru": 91}
REFERENCE_MODELS = ("logistic", "mlp", "rnn", "gru", "lstm", "transformer", "cnn")


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
    activations: Activations = Activations(lr=0.1, max_epochs=20, batch_size=100, depth=8, width=64)
    regression: Regression = Regression(
        lr=0.01, max_epochs=400, batch_size=200, n_train=200, n_test=1000, noise=0.1, hidden=64
    )
    deep: Deep = Deep(lr=0.001, max_epochs=10, batch_size=100, depth=20, width=64)
    mnist: Mnist = Mnist(lr=0.002, max_epochs=6, batch_size=64)
    gcn: Gcn = Gcn()


def datasets(p: Params) -> tuple[str, ...]:
    """The datasets this lecture reads with params ``p``."""
    return (*DATASETS, *p.mnist.extra_datasets)


def image_datasets(p: Params) -> tuple[str, ...]:
    return ("mnist", *p.mnist.extra_datasets)


CLAIMS = ClaimSet(
    Claim(
        "backprop_matches_autograd",
        "Backprop in matrix form — ∂l/∂h_ℓ = W_{ℓ+1}ᵀ(g̃_{ℓ+1} ⊙ ∂l/∂h_{ℓ+1}), "
        "∂l/∂W_ℓ = (g̃_ℓ ⊙ ∂l/∂h_ℓ)h_{ℓ−1}ᵀ — equals autograd (worst relative error over random "
        "depths, widths, activations and heads)",
        "2146-2235",
        lt(1e-6),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "bce_gradient_matches_autograd",
        "∂L/∂h_L of the binary cross-entropy L = −y log h_L − (1 − y) log(1 − h_L) is "
        "(h_L − y)/(h_L(1 − h_L)): our bce_output_grad against autograd through "
        "torch.nn.functional.binary_cross_entropy (worst relative error, float64). The slide "
        "prints (h_L − y)/h_L, which drops 1/(1 − h_L): its error is recorded beside",
        "2199-2206",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "no_activation_is_linear",
        "Without the activation a(·) the network is linear: a 3-layer identity-activation MLP "
        "equals the single matrix W₃W₂W₁ (max abs difference)",
        "2066-2072",
        lt(1e-10),
        exact=True,
        kind="identity",
    ),
    Claim(
        "sigmoid_gradient_vanishes",
        "Sigmoid saturates (a' ≤ 1/4), so the gradient shrinks toward the input: "
        "‖∂l/∂W₁‖/‖∂l/∂W_L‖ at initialization, sigmoid over ReLU",
        "2093-2100",
        lt(0.01),
        exact=True,
        kind="effect",
    ),
    Claim(
        "relu_trains_deep_net_faster_than_sigmoid",
        "ReLU has no vanishing gradient for x > 0: with the same SGD the deep ReLU MLP reaches a "
        "lower training loss than the sigmoid one (sigmoid − ReLU final loss)",
        "2093-2125",
        gt(0.3),
        kind="effect",
    ),
    Claim(
        "regression_head_beats_linear",
        "The regression head trained on l_r = (1/N)Σ|y − ŷ|² fits sin(3x): test MSE of linear "
        "regression over the MLP's",
        "2127-2140",
        gt(5.0),
        kind="effect",
    ),
    Claim(
        "conv_worked_example",
        "The slide's 3×3 input ⊗ 2×2 kernel gives the feature map [[7, −4], [0, 0]] "
        "(max abs difference of ours; the slide's last frame prints 4 for −4)",
        "2300-2308",
        equals(0.0),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "conv_matches_torch",
        "Our convolution from the formula equals torch.nn.functional.conv2d (max abs "
        "difference, random shapes, strides and padding, float64)",
        "2290-2308",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "dense_layer_params",
        "A dense first layer on a 200×200×3 image has (200·200·3)² = 14.4 billion weights "
        "(weights of our MLP's first layer, built without memory on torch's meta device)",
        "2254-2258",
        equals(14_400_000_000),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "conv_layer_params",
        "200 feature maps from 5×5 kernels on 3 channels need 5·5·3·200 = 15000 weights "
        "(weights of our Conv2d(3, 200, 5), whatever the image size)",
        "2354-2358",
        equals(15000),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "vgg_two_3x3_cheaper_than_5x5",
        "Two stacked 3×3 convolutions (VGG) see a 5×5 field with 18C² instead of 25C² weights "
        "(weights of our VGGBlock(C, C, 2) over our Conv2d(C, C, 5), C = 64: 18/25)",
        "2400-2408",
        between(0.72 - 1e-12, 0.72 + 1e-12),
        exact=True,
        kind="identity",
    ),
    Claim(
        "lenet_beats_mlp_with_fewer_params",
        "On MNIST the LeNet CNN (local connections, shared weights) beats an MLP with several "
        "times more parameters (mean test accuracy over the seeds, LeNet − MLP, less two "
        "standard errors of that difference)",
        "2254-2390",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "shortcut_trains_deep_stack",
        "Simply stacking layers hurts: a plain 20-layer ReLU stack does not train, the same "
        "stack with shortcuts h + F(h) does (final training loss, plain − residual, MNIST-1D)",
        "2410-2420",
        gt(0.5),
        kind="effect",
    ),
    Claim(
        "resnet_learns_mnist",
        "A small ResNet (y = ReLU(x + F(x)) blocks) reaches high MNIST test accuracy",
        "2410-2420",
        gt(0.9),
        kind="effect",
    ),
    Claim(
        "rnn_many_to_many_improves_with_t",
        "Many-to-many RNN: the prediction y_t = W_hy h_t improves as h_t has read more of the "
        "sequence (test accuracy at the last step minus at step T/4)",
        "2456-2490",
        gt(0.2),
        kind="effect",
    ),
    Claim(
        "attention_matches_torch",
        "Multi-head self-attention softmax(QKᵀ/√d_k)V from the formulas equals "
        "torch.nn.MultiheadAttention with the same weights (max abs difference, float64)",
        "2530-2570",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "transformer_block_matches_torch",
        "Our Transformer encoder block equals torch.nn.TransformerEncoderLayer with the same "
        "weights (max abs difference, float64)",
        "2520-2570",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "gcn_karate_two_labels",
        "A 2-layer GCN trained on two labelled members (the instructor and the officer) "
        "recovers the karate club split (accuracy on the other 32 members)",
        "2574-2587",
        gt(0.85),
        kind="effect",
    ),
    Claim(
        "gcn_beats_mlp_on_sbm",
        "On a stochastic block model with weak node features, propagating over neighbours "
        "helps: GCN − MLP test accuracy",
        "2574-2587",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "mnist1d_reference_ordering",
        "MNIST-1D reproduces the paper's ordering logistic < MLP < GRU < CNN (smallest gap "
        "between neighbours in that order of the mean test accuracy over the seeds, less two "
        "standard errors of the gap)",
        "2019-2587",
        gt(0.0),
        kind="effect",
    ),
)


# ---------------------------------------------------------------------------------------------
# models and data
# ---------------------------------------------------------------------------------------------


def _mnist1d(ctx: Context):
    """MNIST-1D in float32, standardized with the training split's statistics (one scale for
    all 40 samples: the signal's shape is the information, so every position is scaled alike)."""
    return ctx.data("mnist1d").standardized(per_feature=False).astype(np.float32)


def _images(ctx: Context, name: str):
    """An image set in float32 (flat rows; ``image_shape`` is (C, H, W)), its training split
    subsampled to ``mnist.n_train`` when that is set."""
    d = ctx.data(name).astype(np.float32)
    return d.subsample(ctx.params.mnist.n_train, seed=[ctx.seed, 6, 0])


def reference_model(name: str, p: Reference):
    """The MNIST-1D table's models; input (N, 40)."""
    from mldm.models.attention import TransformerClassifier
    from mldm.models.cnn import CNN1d
    from mldm.models.neural import MLP
    from mldm.models.sequence import GRUClassifier, LSTMClassifier, RNNClassifier

    return {
        "logistic": lambda: MLP([40, 10]),  # softmax regression: no hidden layer
        "mlp": lambda: MLP([40, p.hidden, p.hidden, 10], activation="relu"),
        "rnn": lambda: RNNClassifier(1, p.rnn_hidden, 10),
        "rnn_many_to_many": lambda: RNNClassifier(1, p.rnn_hidden, 10, mode="many_to_many"),
        "gru": lambda: GRUClassifier(1, p.gru_hidden, 10, bidirectional=True, length=40),
        "lstm": lambda: LSTMClassifier(1, p.rnn_hidden, 10),
        "transformer": lambda: TransformerClassifier(
            length=40,
            d_model=p.d_model,
            n_heads=p.n_heads,
            d_ff=2 * p.d_model,
            n_layers=p.n_layers,
            num_classes=10,
            patch=p.patch,
        ),
        "cnn": lambda: CNN1d(num_classes=10, channels=p.cnn_channels, length=40),
    }[name]()


def activation_mlp(activation: str, p: Activations):
    """A deep MLP, each activation with the init made for it (He for the ReLUs, Xavier for
    sigmoid/tanh; L07 lines 2727-2745), so what differs is a'(·) alone."""
    from mldm.models.init import init_linear_
    from mldm.models.neural import MLP

    mlp = MLP([40, *[p.width] * p.depth, 10], activation=activation)
    return init_linear_(mlp, "he" if "relu" in activation else "xavier")


IMAGE_MODELS = ("mlp", "lenet", "resnet")


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


def _adam(lr: float):
    from mldm.training.optim import Adam

    # the standard (bias-corrected) Adam of L07, identical to torch.optim.Adam
    return lambda params: Adam(params, lr=lr, bias_correction=True)


def _seeded(ctx: Context, *key: int, run: int = 0):
    """Seed torch before building a model, so each model's init is fixed by (seed, key); the
    ``run``-th repeat of a multi-seed experiment starts from seed + run (run 0: seed)."""
    import torch

    torch.manual_seed(int(np.random.default_rng([ctx.seed + run, 6, *key]).integers(2**31)))


def run_name(name: str, run: int) -> str:
    """The saved model/curve of a multi-seed experiment's repeat: run 0 keeps the plain name
    (its figures and dvc plots), later runs get ``_seed<run>``."""
    return name if run == 0 else f"{name}_seed{run}"


def mean_sd(values) -> dict[str, float]:
    """Mean and sample standard deviation (ddof 1) of a model's test accuracy over seeds."""
    v = np.asarray(values, dtype=float)
    return {"test_accuracy_mean": float(v.mean()), "test_accuracy_sd": float(v.std(ddof=1))}


def separated_gap(a: dict[str, float], b: dict[str, float], n: int) -> float:
    """How far mean(b) − mean(a) clears two standard errors of that difference,
    mean_b − mean_a − 2·sqrt((sd_a² + sd_b²)/n): positive when the seeds' spread cannot
    explain the gap, so the ordering holds on another machine's draws too."""
    se = np.sqrt((a["test_accuracy_sd"] ** 2 + b["test_accuracy_sd"] ** 2) / n)
    return float(b["test_accuracy_mean"] - a["test_accuracy_mean"] - 2 * se)


def _regression_data(p: Regression, seed: int):
    rng = np.random.default_rng([seed, 6, 1])

    def draw(n):
        x = rng.uniform(-1, 1, (n, 1))
        return x, np.sin(3 * x[:, 0]) + p.noise * rng.standard_normal(n)

    return draw(p.n_train), draw(p.n_test)


def _karate_and_sbm(p: Gcn, seed: int):
    from mldm.models.gcn import karate_club, stochastic_block_model

    sbm = stochastic_block_model(
        p.sbm_sizes, p.p_in, p.p_out, p.n_features, p.feature_noise, seed=seed
    )
    # numpy views: the graph's node rows go through the array loaders like any dataset
    return tuple(
        {k: np.asarray(v) if hasattr(v, "shape") else v for k, v in g.items()}
        for g in (karate_club(), sbm)
    )


def node_rows(net, x, edge_index):
    """Node classification as rows: a model of (features, graph) whose input rows are node
    indices, so full-graph training goes through the same Lightning loop as every model."""
    import torch
    from torch import nn

    class NodeRows(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net
            self.register_buffer("x", torch.as_tensor(x, dtype=torch.float32))
            self.register_buffer("edge_index", torch.as_tensor(edge_index))

        def forward(self, rows):
            logits = self.net(self.x, self.edge_index)  # every node: h depends on neighbours
            return logits[rows.reshape(-1).long()]

    return NodeRows()


def node_mlp(n_in: int, hidden: int, n_out: int):
    """The baseline that ignores the graph: an MLP on each node's own features."""
    from torch import nn

    from mldm.models.neural import MLP

    class NodeMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.mlp = MLP([n_in, hidden, n_out], activation="relu")

        def forward(self, x, edge_index):
            return self.mlp(x)

    return NodeMLP()


def _node_split(g, mask_name):
    idx = np.flatnonzero(np.asarray(g[mask_name])).astype(np.float32)[:, None]
    return idx, np.asarray(g["y"])[idx[:, 0].astype(int)]


# ---------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------


def train(ctx: Context) -> None:
    p = ctx.params
    d = _mnist1d(ctx)  # loaded once for the three MNIST-1D experiments
    _train_reference(ctx, p.reference, d)
    _train_activations(ctx, p.activations, d)
    _train_regression(ctx, p.regression)
    _train_deep(ctx, p.deep, d)
    _train_images(ctx, p.mnist)
    _train_gcn(ctx, p.gcn)


def _train_reference(ctx: Context, p: Reference, d) -> None:
    from mldm.models.sequence import many_to_many_loss

    fit = dict(max_epochs=p.max_epochs, batch_size=p.batch_size)
    # the vanilla RNN explodes/vanishes through 40 steps: a smaller lr and a capped gradient
    rnn = dict(optimizer=_adam(p.rnn_lr), gradient_clip_val=p.clip, **fit)
    for run in range(p.seeds):
        for i, name in enumerate(REFERENCE_MODELS):
            _seeded(ctx, 0, i, run=run)
            how = rnn if name == "rnn" else dict(optimizer=_adam(p.lr), **fit)
            ctx.train_classifier(
                run_name(f"mnist1d_{name}", run),
                reference_model(name, p),
                d,
                seed=ctx.seed + run,  # the mini-batch order too
                **how,
            )
    _seeded(ctx, 0, 99)
    ctx.train_classifier(
        "mnist1d_rnn_many_to_many",
        reference_model("rnn_many_to_many", p),
        d,
        eval_sets=(),
        loss=many_to_many_loss,
        **rnn,
    )


def _train_activations(ctx: Context, p: Activations, d) -> None:
    from mldm.models.neural import layer_gradient_norms
    from mldm.training import GradientDescent

    norms = {}
    for i, act in enumerate(ACTIVATIONS):
        _seeded(ctx, 1, i)
        model = activation_mlp(act, p)
        # the gradient per layer at initialization, from the lecture's backprop
        X = d.X_train[:500].astype(np.float64)
        norms[act] = layer_gradient_norms(model.double(), X, d.y_train[:500])
        model.float()
        ctx.train_classifier(
            f"activation_{act}",
            model,
            d,
            optimizer=lambda ps, lr=p.lr: GradientDescent(ps, lr=lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )
    ctx.save_curve("gradient_norms", layer=np.arange(1, p.depth + 2), **norms)


def _train_regression(ctx: Context, p: Regression) -> None:
    import torch

    from mldm.models.neural import MLP, regression_loss
    from mldm.training import array_loader, fit

    (x, y), (xt, yt) = _regression_data(p, ctx.seed)
    _seeded(ctx, 2)
    model = MLP([1, p.hidden, p.hidden, 1], activation="tanh", head="regression")

    def loss(pred, target):
        return regression_loss(pred.squeeze(-1), target)

    with ctx.run("sine_regression", hidden=p.hidden, lr=p.lr, max_epochs=p.max_epochs):
        task = fit(
            model,
            loss,
            _adam(p.lr),
            array_loader(x, y, p.batch_size, seed=ctx.seed, dtype=torch.float32),
            p.max_epochs,
            eval_loaders={
                "train": array_loader(x, y, order="segment", dtype=torch.float32),
                "test": array_loader(xt, yt, order="segment", dtype=torch.float32),
            },
        )
        ctx.save_curve(
            "sine_regression",
            epoch=np.arange(1, p.max_epochs + 1),
            train_mse=task.history["train_loss"],
            test_mse=task.history["test_loss"],
        )
    ctx.save_module("sine_regression", model)


def deep_stack(p: Deep, shortcut: bool):
    from mldm.models.neural import DeepStack

    return DeepStack(40, p.width, p.depth, 10, shortcut=shortcut)


def _train_deep(ctx: Context, p: Deep, d) -> None:
    for shortcut in (True, False):
        _seeded(ctx, 5)  # the same weights: the shortcut is the only difference
        ctx.train_classifier(
            f"deep_{'residual' if shortcut else 'plain'}",
            deep_stack(p, shortcut),
            d,
            optimizer=_adam(p.lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


def _train_images(ctx: Context, p: Mnist) -> None:
    for dataset in image_datasets(ctx.params):
        _train_image_models(ctx, p, dataset)


def _train_image_models(ctx: Context, p: Mnist, dataset: str) -> None:
    d = _images(ctx, dataset)
    for run in range(p.seeds):
        for i, name in enumerate(IMAGE_MODELS):
            _seeded(ctx, 3, i, run=run)
            ctx.train_classifier(
                run_name(f"{dataset}_{name}", run),
                image_model(name, d.image_shape),
                d,
                optimizer=_adam(p.lr),
                max_epochs=p.max_epochs,
                batch_size=p.batch_size,
                seed=ctx.seed + run,  # the mini-batch order too
            )


def _train_gcn(ctx: Context, p: Gcn) -> None:
    from mldm.models.gcn import GCN

    karate, sbm = _karate_and_sbm(p, ctx.seed)
    fit = dict(max_epochs=p.max_epochs, batch_size=None)

    def opt(ps):
        from mldm.training.optim import Adam

        return Adam(ps, lr=p.lr, bias_correction=True)

    for i, (name, g, net) in enumerate(
        (
            ("gcn_karate", karate, lambda n_in, k: GCN(n_in, p.hidden, k)),
            ("gcn_sbm", sbm, lambda n_in, k: GCN(n_in, p.hidden, k)),
            ("mlp_sbm", sbm, lambda n_in, k: node_mlp(n_in, p.hidden, k)),
        )
    ):
        _seeded(ctx, 4, i)
        x = np.asarray(g["x"], dtype=np.float32)
        k = int(np.max(g["y"])) + 1
        model = node_rows(net(x.shape[1], k), x, g["edge_index"])
        X_tr, y_tr = _node_split(g, "train_mask")
        rows = types.SimpleNamespace(X_train=X_tr, y_train=y_tr, X_test=X_tr, y_test=y_tr)
        ctx.train_classifier(name, model, rows, eval_sets=(), optimizer=opt, **fit)


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


def evaluate(ctx: Context) -> None:
    import torch

    torch.manual_seed(ctx.seed)
    _backprop_checks(ctx)
    _activations(ctx)
    _regression(ctx)
    _deep(ctx)
    _convolution(ctx)
    _image_models(ctx)
    _attention_checks(ctx)
    _reference_table(ctx)
    _gcn(ctx)


def _backprop_checks(ctx: Context) -> None:
    import torch
    import torch.nn.functional as F

    from mldm.models.neural import MLP, backprop, bce_output_grad, classification_loss
    from mldm.models.neural import regression_loss as mse

    g = np.random.default_rng([ctx.seed, 6, 10])
    worst = 0.0
    for _ in range(ctx.params.backprop_draws):
        depth = int(g.integers(1, 5))
        sizes = [int(s) for s in g.integers(1, 9, depth + 1)]
        act = str(g.choice(["sigmoid", "tanh", "relu", "leaky_relu"]))
        head = str(g.choice(["regression", "classification"]))
        n = int(g.integers(1, 12))
        torch.manual_seed(int(g.integers(2**31)))
        model = MLP(sizes, activation=act, head=head, bias=bool(g.integers(2))).double()
        x = torch.randn(n, sizes[0], dtype=torch.float64)
        if head == "classification":
            y = torch.randint(0, sizes[-1], (n,))
            loss = classification_loss(model(x), y)
        else:
            y = torch.randn(n, sizes[-1], dtype=torch.float64)
            loss = mse(model(x), y)
        auto = torch.autograd.grad(loss, list(model.parameters()))
        _, ours = backprop(model, x, y)
        for a, o in zip(auto, _flat_grads(ours), strict=True):
            scale = max(float(a.abs().max()), 1e-12)
            worst = max(worst, float((a - o).abs().max()) / scale)
    ctx.measure("backprop_matches_autograd", worst)

    h = torch.linspace(0.05, 0.95, 19, dtype=torch.float64, requires_grad=True)
    y = (torch.arange(19) % 2).double()
    (auto,) = torch.autograd.grad(F.binary_cross_entropy(h, y, reduction="sum"), h)
    h = h.detach()
    ours = bce_output_grad(h, y)
    ctx.measure("bce_gradient_matches_autograd", float(((ours - auto).abs() / auto.abs()).max()))
    slide = (h - y) / h  # the slide's line 2206, kept only to show how far off it is
    ctx.record(
        "backprop",
        "ours",
        worst_relative_error=worst,
        bce_grad_max_error=float((ours - auto).abs().max()),
        slide_bce_grad_max_relative_error=float(((slide - auto).abs() / auto.abs()).max()),
    )

    torch.manual_seed(int(g.integers(2**31)))
    lin = MLP([5, 7, 6, 3], activation="identity", head="regression").double()
    x = torch.randn(50, 5, dtype=torch.float64)
    W = lin.weights
    with torch.no_grad():
        # the biases chain through too: y = W3(W2(W1 x + b1) + b2) + b3
        b = _biases(lin)
        A = W[2] @ W[1] @ W[0]
        c = W[2] @ (W[1] @ b[0] + b[1]) + b[2]
        ctx.measure("no_activation_is_linear", float((lin(x) - (x @ A.T + c)).abs().max()))


def _flat_grads(grads):
    """backprop's gradients in ``model.parameters()`` order."""
    if isinstance(grads, dict):
        return list(grads.values())
    out = []
    for g in grads:
        if isinstance(g, dict):
            out += [g[k] for k in ("W", "b") if g.get(k) is not None]
        else:
            out.append(g)
    return out


def _biases(mlp):
    import torch

    return [
        b if b is not None else torch.zeros(W.shape[0], dtype=W.dtype)
        for W, b in zip(mlp.weights, mlp.biases, strict=True)
    ]


def _activations(ctx: Context) -> None:
    import pandas as pd

    from mldm.lectures.base import plot_curves

    p = ctx.params.activations
    norms = pd.read_csv(ctx.artifacts_dir / "gradient_norms.csv")
    ratio = {a: float(norms[a].iloc[0] / norms[a].iloc[-1]) for a in ACTIVATIONS}
    ctx.measure("sigmoid_gradient_vanishes", ratio["sigmoid"] / ratio["relu"])
    for a in ACTIVATIONS:
        ctx.record("activations", a, grad_ratio_first_over_last=ratio[a])
    curves = ctx.curves(ACTIVATIONS, prefix="activation_")
    final = ctx.record_final("activations", curves)
    ctx.measure(
        "relu_trains_deep_net_faster_than_sigmoid",
        final["sigmoid"]["train_loss"] - final["relu"]["train_loss"],
    )
    with ctx.figure("activations", ncols=3, size=(4.6, 3.6)) as (_, ax):
        import torch

        from mldm.models.neural import ACTIVATIONS as FUNCS

        x = torch.linspace(-4, 4, 401)
        for a in ACTIVATIONS:
            f, df = FUNCS[a]
            ax[0].plot(x, f(x), label=a)
            ax[1].semilogy(norms["layer"], norms[a], "o-", label=a)
        ax[0].set(title="a(x)", xlabel="x")
        ax[1].set(
            title=f"‖∂l/∂W_ℓ‖ at init ({p.depth} hidden layers)", xlabel="layer ℓ (input → output)"
        )
        for a_ in ax[:2]:
            a_.legend(fontsize=7)
        plot_curves(ax[2], curves, title="training loss, same SGD")


def _regression(ctx: Context) -> None:
    import pandas as pd
    import torch

    from mldm.models import LinearRegression
    from mldm.models.neural import MLP

    p = ctx.params.regression
    (x, y), (xt, yt) = _regression_data(p, ctx.seed)
    mlp = ctx.load_module(
        "sine_regression", MLP([1, p.hidden, p.hidden, 1], activation="tanh", head="regression")
    )
    with torch.no_grad():
        pred = mlp(torch.as_tensor(xt, dtype=torch.float32)).squeeze(-1).double().numpy()
    lin = LinearRegression().fit(x, y)
    mse_mlp = float(np.mean((pred - yt) ** 2))
    mse_lin = float(np.mean((lin.predict(xt) - yt) ** 2))
    ctx.measure("regression_head_beats_linear", mse_lin / mse_mlp)
    ctx.record("sine_regression", "mlp", test_mse=mse_mlp)
    ctx.record("sine_regression", "linear", test_mse=mse_lin)
    curve = pd.read_csv(ctx.artifacts_dir / "sine_regression.csv")
    with ctx.figure("sine_regression", ncols=2) as (_, ax):
        order = np.argsort(xt[:, 0])
        ax[0].scatter(x[:, 0], y, s=6, c="grey", label="train")
        ax[0].plot(xt[order, 0], pred[order], "C1", label="MLP")
        ax[0].plot(xt[order, 0], lin.predict(xt)[order], "C0--", label="linear")
        ax[0].legend()
        ax[0].set(title="regression head", xlabel="x")
        ax[1].semilogy(curve["epoch"], curve["train_mse"], label="train")
        ax[1].semilogy(curve["epoch"], curve["test_mse"], label="test")
        ax[1].set(title="l_r = (1/N)Σ|y − ŷ|²", xlabel="epoch")
        ax[1].legend()


def _deep(ctx: Context) -> None:
    from mldm.lectures.base import plot_curves

    curves = ctx.curves(("plain", "residual"), prefix="deep_")
    final = ctx.record_final("deep_stack", curves)
    ctx.measure(
        "shortcut_trains_deep_stack",
        final["plain"]["train_loss"] - final["residual"]["train_loss"],
    )
    with ctx.figure("deep_stack") as (_, ax):
        plot_curves(
            ax,
            curves,
            title=f"{ctx.params.deep.depth} ReLU layers, with and without shortcuts",
            ylabel="training loss",
        )


def _convolution(ctx: Context) -> None:
    import torch
    import torch.nn.functional as F

    from mldm.models import cnn
    from mldm.models.neural import MLP

    X = torch.as_tensor(np.asarray(cnn.SLIDE_CONV_INPUT, dtype=np.float64))[None, None]
    K = torch.as_tensor(np.asarray(cnn.SLIDE_CONV_KERNEL, dtype=np.float64))[None, None]
    ours = cnn.conv2d(X, K)[0, 0].numpy()
    truth = np.array([[7.0, -4.0], [0.0, 0.0]])
    ctx.measure("conv_worked_example", float(np.abs(ours - truth).max()))
    ctx.worked_example["conv_feature_map"] = {
        "columns": ["position", "slide", "ours"],
        "rows": [
            [f"({i},{j})", float(np.asarray(cnn.SLIDE_CONV_PRINTED)[i, j]), float(ours[i, j])]
            for i in range(2)
            for j in range(2)
        ],
        "note": "Lines 2300-2308. The slide's frames compute 7, −4, 0, 0; its final frame "
        "prints the map as 7 4 / 0 0, dropping the minus sign of −4.",
    }

    g = np.random.default_rng([ctx.seed, 6, 11])
    worst = 0.0
    for _ in range(12):
        n, c_in, c_out, k = (int(v) for v in g.integers(1, 5, 4))
        s, pad = int(g.integers(1, 3)), int(g.integers(0, 3))
        size = int(g.integers(k + 1, 12))
        x = torch.randn(n, c_in, size, size, dtype=torch.float64)
        w = torch.randn(c_out, c_in, k, k, dtype=torch.float64)
        b = torch.randn(c_out, dtype=torch.float64)
        diff = cnn.conv2d(x, w, b, stride=s, padding=pad) - F.conv2d(x, w, b, stride=s, padding=pad)
        worst = max(worst, float(diff.abs().max()))
    ctx.measure("conv_matches_torch", worst)
    # count the weights of our layers (not the formula): on the meta device the 14.4e9-weight
    # layer has shapes but no storage
    with torch.device("meta"):
        dense = MLP([200 * 200 * 3, 200 * 200 * 3], bias=False)
    ctx.measure("dense_layer_params", int(cnn.count_params(dense)))
    ctx.measure("conv_layer_params", int(cnn.count_params(cnn.Conv2d(3, 200, 5, bias=False))))
    C = 64
    two = cnn.count_params(cnn.VGGBlock(C, C, 2)) - 2 * C  # weights only (drop the biases)
    five = cnn.count_params(cnn.Conv2d(C, C, 5, bias=False))
    ctx.measure("vgg_two_3x3_cheaper_than_5x5", two / five)


def _image_models(ctx: Context) -> None:
    """MLP vs LeNet vs ResNet on each image set: the claims are MNIST's; the full profile's
    Fashion-MNIST and CIFAR-10 rows are recorded beside them."""

    from mldm.models.cnn import count_params

    sets = image_datasets(ctx.params)
    with ctx.figure("mnist_models", ncols=2, nrows=len(sets)) as (_, ax):
        for row, dataset in enumerate(sets):
            d = _images(ctx, dataset)
            acc, n = {}, ctx.params.mnist.seeds
            for name in IMAGE_MODELS:
                model = image_model(name, d.image_shape)
                params = count_params(model)
                runs = [
                    _test_accuracy(ctx, run_name(f"{dataset}_{name}", r), model, d)
                    for r in range(n)
                ]
                acc[name] = mean_sd(runs)
                ctx.record(dataset, name, **acc[name], seeds=n, parameters=params)
                c = ctx.curves([name], prefix=f"{dataset}_")[name]
                label = f"{name} ({params:,} params)"
                ax[2 * row].plot(c["epoch"], c["train_loss"], label=label)
                ax[2 * row + 1].plot(c["epoch"], c["test_accuracy"], label=label)
            ax[2 * row].set(title=f"{dataset} training loss", xlabel="epoch")
            ax[2 * row + 1].set(title=f"{dataset} test accuracy", xlabel="epoch")
            ax[2 * row + 1].legend(fontsize=7)
            if dataset == "mnist":
                ctx.measure(
                    "lenet_beats_mlp_with_fewer_params", separated_gap(acc["mlp"], acc["lenet"], n)
                )
                ctx.measure("resnet_learns_mnist", acc["resnet"]["test_accuracy_mean"])


def _test_accuracy(ctx: Context, name: str, model, d) -> float:
    from mldm.training import predict_logits

    ctx.load_module(name, model)
    return float((predict_logits(model, d.X_test).argmax(1) == d.y_test).mean())


def _attention_checks(ctx: Context) -> None:
    import torch
    from torch import nn

    from mldm.models.attention import MultiHeadSelfAttention, TransformerEncoderBlock

    torch.manual_seed(int(np.random.default_rng([ctx.seed, 6, 12]).integers(2**31)))
    x = torch.randn(3, 7, 16, dtype=torch.float64)
    mask = torch.zeros(3, 7, dtype=torch.bool)
    mask[0, 5:] = True
    theirs = nn.MultiheadAttention(16, 4, batch_first=True).double().eval()
    ours = MultiHeadSelfAttention(16, 4).double()
    ours.load_torch(theirs)
    o, w = ours(x, key_padding_mask=mask)
    t, tw = theirs(x, x, x, key_padding_mask=mask)
    ctx.measure(
        "attention_matches_torch",
        max(float((o - t).abs().max()), float((w - tw).abs().max())),
    )
    layer = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True).double().eval()
    block = TransformerEncoderBlock(16, 4, 32).double().eval()
    block.load_torch(layer)
    with torch.no_grad():
        ctx.measure("transformer_block_matches_torch", float((block(x) - layer(x)).abs().max()))


def _reference_table(ctx: Context) -> None:

    from mldm.models.sequence import stepwise_accuracy
    from mldm.training import predict_logits

    p = ctx.params.reference
    d = _mnist1d(ctx)
    stats = {}
    for name in REFERENCE_MODELS:
        model = reference_model(name, p)
        runs = [
            _test_accuracy(ctx, run_name(f"mnist1d_{name}", r), model, d) for r in range(p.seeds)
        ]
        stats[name] = mean_sd(runs)
        ctx.record(
            "mnist1d",
            name,
            **stats[name],
            seeds=p.seeds,
            **({"paper_test_accuracy": PAPER_MNIST1D[name] / 100} if name in PAPER_MNIST1D else {}),
        )
    acc = {name: s["test_accuracy_mean"] for name, s in stats.items()}
    order = ("logistic", "mlp", "gru", "cnn")
    ctx.measure(
        "mnist1d_reference_ordering",
        min(
            separated_gap(stats[a], stats[b], p.seeds)
            for a, b in zip(order, order[1:], strict=False)
        ),
    )
    ctx.worked_example["mnist1d_reference"] = {
        "columns": ["model", "paper (%)", f"ours (%, mean ± sd of {p.seeds} seeds)"],
        "rows": [
            [
                name,
                PAPER_MNIST1D.get(name, "—"),
                f"{100 * acc[name]:.1f} ± {100 * stats[name]['test_accuracy_sd']:.1f}",
            ]
            for name in REFERENCE_MODELS
        ],
        "note": f"MNIST-1D default split (4000/1000). Ours: {p.max_epochs} epochs of Adam "
        f"(lr {p.lr}, batch {p.batch_size}); the paper trains 6000 steps. RNN, LSTM and "
        "Transformer are not in the paper's table.",
    }

    m2m = reference_model("rnn_many_to_many", p)
    ctx.load_module("mnist1d_rnn_many_to_many", m2m)
    logits = predict_logits(m2m, d.X_test)
    import torch

    step_acc = stepwise_accuracy(torch.as_tensor(logits), torch.as_tensor(d.y_test)).numpy()
    T = len(step_acc)
    ctx.measure("rnn_many_to_many_improves_with_t", float(step_acc[-1] - step_acc[T // 4 - 1]))
    ctx.record("mnist1d", "rnn_many_to_many", last_step_test_accuracy=float(step_acc[-1]))
    curves = ctx.curves(REFERENCE_MODELS, prefix="mnist1d_")
    with ctx.figure("mnist1d_reference", ncols=3, size=(4.6, 3.6)) as (_, ax):
        for n, c in curves.items():
            ax[0].plot(c["epoch"], c["test_accuracy"], label=n)
        ax[0].set(title="MNIST-1D test accuracy", xlabel="epoch")
        ax[0].legend(fontsize=7)
        xs = np.arange(len(REFERENCE_MODELS))
        ax[1].bar(xs - 0.2, [100 * acc[n] for n in REFERENCE_MODELS], 0.4, label="ours")
        ax[1].bar(
            xs + 0.2,
            [PAPER_MNIST1D.get(n, np.nan) for n in REFERENCE_MODELS],
            0.4,
            label="paper",
        )
        ax[1].set_xticks(xs, REFERENCE_MODELS, rotation=45, fontsize=7)
        ax[1].set(title="test accuracy (%)")
        ax[1].legend(fontsize=7)
        ax[2].plot(np.arange(1, T + 1), step_acc)
        ax[2].set(title="many-to-many RNN: accuracy of y_t", xlabel="t", ylabel="test accuracy")


def _gcn(ctx: Context) -> None:
    import torch

    from mldm.models.gcn import GCN

    p = ctx.params.gcn
    karate, sbm = _karate_and_sbm(p, ctx.seed)

    def predictions(name, g, net):
        x = np.asarray(g["x"], dtype=np.float32)
        k = int(np.max(g["y"])) + 1
        model = node_rows(net(x.shape[1], k), x, g["edge_index"])
        ctx.load_module(name, model)
        with torch.no_grad():
            rows = torch.arange(len(x), dtype=torch.float32)[:, None]
            return model(rows).argmax(1).numpy()

    y = np.asarray(karate["y"])
    pred = predictions("gcn_karate", karate, lambda n, k: GCN(n, p.hidden, k))
    unlabelled = ~np.asarray(karate["train_mask"])
    acc_karate = float((pred[unlabelled] == y[unlabelled]).mean())
    ctx.measure("gcn_karate_two_labels", acc_karate)
    ctx.record("gcn", "karate", test_accuracy=acc_karate)

    test = np.asarray(sbm["test_mask"])
    ys = np.asarray(sbm["y"])
    acc = {}
    for name, net in (
        ("gcn_sbm", lambda n, k: GCN(n, p.hidden, k)),
        ("mlp_sbm", lambda n, k: node_mlp(n, p.hidden, k)),
    ):
        acc[name] = float((predictions(name, sbm, net)[test] == ys[test]).mean())
        ctx.record("gcn", name.replace("_sbm", "_on_sbm"), test_accuracy=acc[name])
    ctx.measure("gcn_beats_mlp_on_sbm", acc["gcn_sbm"] - acc["mlp_sbm"])

    import networkx as nx

    with ctx.figure("gcn_karate", size=(5.0, 4.0)) as (_, ax):
        G = nx.karate_club_graph()
        pos = nx.spring_layout(G, seed=ctx.seed)
        colors = np.where(pred == y, pred, 2)
        nx.draw_networkx(
            G,
            pos,
            ax=ax,
            node_color=[("C0", "C1", "red")[c] for c in colors],
            node_size=[300 if not unlabelled[v] else 120 for v in G.nodes],
            font_size=6,
            width=0.4,
        )
        ax.set(title=f"GCN on the karate club: {acc_karate:.0%} of 32 unlabelled (red: wrong)")
        ax.axis("off")
