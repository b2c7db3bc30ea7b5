"""The regression head and its loss l_r = (1/N)Σ|y − ŷ|² (lines 2127-2140): an MLP fits
y = sin(3x) + noise on x in [-1, 1], beside linear regression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.lectures.l06_neural_networks.common import adam

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l06_neural_networks.params import Regression


def regression_data(p: Regression, seed: int):
    """((x, y), (x_test, y_test)), y = sin(3x) + noise·ε, x ~ U[-1, 1], drawn from ``seed``."""
    rng = np.random.default_rng([seed, 6, 1])

    def draw(n):
        x = rng.uniform(-1, 1, (n, 1))
        return x, np.sin(3 * x[:, 0]) + p.noise * rng.standard_normal(n)

    return draw(p.n_train), draw(p.n_test)


def sine_mlp(p: Regression):
    from mldm.models.neural import MLP

    return MLP([1, p.hidden, p.hidden, 1], activation="tanh", head="regression")


def train(ctx: Context, p: Regression) -> None:
    import torch

    from mldm.models.neural import regression_loss
    from mldm.training import array_loader, fit

    (x, y), (xt, yt) = regression_data(p, ctx.seed)
    ctx.seeded(2)
    model = sine_mlp(p)

    def loss(pred, target):
        return regression_loss(pred.squeeze(-1), target)

    with ctx.run("sine_regression", hidden=p.hidden, lr=p.lr, max_epochs=p.max_epochs):
        task = fit(
            model,
            loss,
            adam(p.lr),
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


@dataclass(frozen=True)
class SineFit:
    """The training points, the test inputs with both models' predictions, and the MLP's
    curve (``train_mse``, ``test_mse`` per epoch)."""

    x: np.ndarray
    y: np.ndarray
    x_test: np.ndarray
    mlp: np.ndarray
    linear: np.ndarray
    curve: Any


def evaluate(ctx: Context) -> SineFit:
    import pandas as pd
    import torch

    from mldm.models import LinearRegression

    p = ctx.params.regression
    (x, y), (xt, yt) = regression_data(p, ctx.seed)
    mlp = ctx.load_module("sine_regression", sine_mlp(p))
    with torch.no_grad():
        pred = mlp(torch.as_tensor(xt, dtype=torch.float32)).squeeze(-1).double().numpy()
    lin = LinearRegression().fit(x, y)
    mse_mlp = float(np.mean((pred - yt) ** 2))
    mse_lin = float(np.mean((lin.predict(xt) - yt) ** 2))
    ctx.measure("regression_head_beats_linear", mse_lin / mse_mlp)
    ctx.record("sine_regression", "mlp", test_mse=mse_mlp)
    ctx.record("sine_regression", "linear", test_mse=mse_lin)
    curve = pd.read_csv(ctx.artifacts_dir / "sine_regression.csv")
    return SineFit(x, y, xt, pred, lin.predict(xt), curve)
