"""L07 Training and optimizing neural networks (course-notes lines 2588-2850).

The slides' optimizers (SGD, momentum, RMSProp, Adam with and without bias correction) as
``torch.optim.Optimizer`` subclasses, checked step by step against torch.optim and compared on
an ill-conditioned quadratic and on the same MLP; centering, standardization, PCA and ZCA
whitening; the initialization rules and the activation statistics they give; dropout with the
slide's test-time scaling vs inverted dropout; batch norm (train vs eval, 1-D vs 2-D), layer
and instance norm against torch.nn; and the train/validation/test protocol for choosing the
learning rate and batch size (``TUNABLE``: the ``l07_mlp_lr_batch`` Optuna study).
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING

import numpy as np
from pydantic import Field

from mldm.config import LectureParams, Strict
from mldm.lectures.claims import Claim, ClaimSet, between, equals, gt, lt
from mldm.tuning.spec import Tunable

if TYPE_CHECKING:
    from mldm.lectures.base import Context

TITLE = "Training and optimizing neural networks"
LINES = "2588-2850"
DATASETS = ("mnist1d", "digits", "mnist")
OPTIMIZERS = ("sgd", "momentum", "rmsprop", "adam_slide", "adam")
INITS = ("naive", "lecture", "xavier", "he")


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


CLAIMS = ClaimSet(
    Claim(
        "sgd_matches_torch",
        "SGD w_{t+1} = w_t − lr ∇f(w_t) follows torch.optim.SGD exactly (max abs parameter "
        "difference over the trajectory, float64)",
        "2599-2606",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "momentum_matches_torch",
        "Momentum v_t = ρv_{t−1} + ∇f, w_{t+1} = w_t − lr v_t follows torch.optim.SGD("
        "momentum=ρ, dampening=0) exactly",
        "2626-2640",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "rmsprop_matches_torch",
        "RMSProp s_t = ρs + (1−ρ)(∇f)², w −= lr ∇f ⊘ √s_t follows torch.optim.RMSprop(alpha=ρ) "
        "exactly (same ε)",
        "2643-2656",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "adam_matches_torch",
        "Adam with bias correction follows torch.optim.Adam exactly (same ε)",
        "2680-2698",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "adam_beta1_zero_is_rmsprop",
        "With β1 = 0 the slide's Adam is RMSProp (max abs parameter difference)",
        "2690-2698",
        equals(0.0),
        exact=True,
        kind="identity",
    ),
    Claim(
        "slide_adam_first_step",
        "Without bias correction the slide's Adam starts with steps of lr·(1−β1)/√(1−β2) = "
        "3.16·lr, not lr (first step / lr)",
        "2680-2698",
        between(3.16, 3.17),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "moving_average_weights_sum",
        "The moving average's weights (1−ρ)ρ^k sum to 1 − ρⁿ → 1: fed a unit gradient from "
        "s₀ = 0, our RMSProp's running average is s_t = 1 − ρᵗ (max |s_t − (1 − ρᵗ)| over "
        "t = 1..200, ρ = 0.9, float64)",
        "2660-2678",
        lt(1e-12),
        exact=True,
        kind="identity",
    ),
    Claim(
        "momentum_beats_sgd_on_ill_conditioned_valley",
        "Pathological curvature slows SGD; momentum rolls through: steps to reach f < 1e-6 on "
        "a quadratic with condition number κ, SGD over momentum (same lr)",
        "2618-2640",
        gt(3.0),
        exact=True,
        kind="effect",
    ),
    Claim(
        "adaptive_optimizers_beat_sgd",
        "On the same MLP and epochs, Adam reaches a lower training loss than plain SGD "
        "(SGD − Adam final training loss)",
        "2599-2698",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "whitened_covariance_is_identity",
        "PCA and ZCA whitening give covariance I (max |C − I| over both, digits, ε = 0 on the "
        "non-constant pixels)",
        "2706-2716",
        lt(1e-6),
        exact=True,
        kind="identity",
    ),
    Claim(
        "preprocessing_lowers_condition_number",
        "Standardization reduces the condition number of the input covariance (the curvature "
        "GD sees): κ(raw)/κ(standardized), digits",
        "2706-2716",
        gt(1.0),
        exact=True,
        kind="effect",
    ),
    Claim(
        "standardized_inputs_train_faster",
        "With the same SGD learning rate, raw inputs (pixels 0-16, badly conditioned) train "
        "erratically while standardized ones descend smoothly: mean training loss over the "
        "epochs, raw over standardized (digits)",
        "2706-2716",
        gt(1.0),
        kind="effect",
    ),
    Claim(
        "zero_init_is_symmetric",
        "Zero initialization never breaks the symmetry: after training every hidden unit is "
        "the same (distinct hidden units)",
        "2718-2732",
        equals(1),
        kind="effect",
    ),
    Claim(
        "naive_init_vanishes_in_deep_nets",
        "W ~ N(0, 0.01²) is fine for shallow nets but activations vanish with depth: last-layer "
        "activation std over first-layer std (10 tanh layers)",
        "2718-2726",
        lt(1e-3),
        kind="effect",
    ),
    Claim(
        "scaled_init_keeps_activations",
        "σ_i = 1/√(n_{i−1}) (and Xavier for tanh, He for ReLU) keeps the activation scale "
        "through depth: worst last/first std ratio over lecture/tanh, xavier/tanh, he/relu",
        "2730-2732",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "he_init_trains_deep_relu_net",
        "A deep ReLU net trains from He initialization but not from N(0, 0.01²) "
        "(naive − He final training loss)",
        "2718-2732",
        gt(0.5),
        kind="effect",
    ),
    Claim(
        "dropout_scalings_agree_in_expectation",
        "Test-time scaling h·(1−p) and inverted dropout h·m/(1−p) both make the test-time "
        "activation the training-time expectation (worst Monte Carlo deviation, in standard "
        "errors, over 50 units and both forms)",
        "2744-2762",
        lt(5.0),
        exact=True,
        kind="identity",
    ),
    Claim(
        "dropout_reduces_overfitting",
        "Dropout reduces overfitting: once both nets fit the 1000 training digits, the test "
        "cross-entropy without dropout minus with (inverted) dropout",
        "2734-2742",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "norm_layers_match_torch",
        "Batch norm (1-D and 2-D, train and eval), layer norm and instance norm from the "
        "formulas equal torch.nn's modules (max abs difference, float64)",
        "2764-2821",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "bn_eval_is_per_sample",
        "At test time batch norm uses stored statistics, so a sample's output no longer "
        "depends on its batch: change in one sample's output when the rest of the batch "
        "changes, eval over train mode",
        "2786-2791",
        lt(1e-12),
        exact=True,
        kind="identity",
    ),
    Claim(
        "batch_norm_speeds_up_training",
        "Batch norm keeps a deep sigmoid MLP trainable: final training loss without BN minus "
        "with BN (same SGD)",
        "2764-2772",
        gt(0.3),
        kind="effect",
    ),
    Claim(
        "learning_rate_sweet_spot",
        "The training loss curve brackets a good learning rate: the best final loss is at an "
        "interior lr of the sweep (too small: slow; too large: diverges)",
        "2838-2845",
        equals(True),
        kind="effect",
    ),
)


# ---------------------------------------------------------------------------------------------
# data and models
# ---------------------------------------------------------------------------------------------


def _ns(X_train, y_train, X_test, y_test, **extra):
    return types.SimpleNamespace(
        X_train=X_train.astype(np.float32),
        y_train=y_train,
        X_test=X_test.astype(np.float32),
        y_test=y_test,
        **{k: (v.astype(np.float32) if k.startswith("X") else v) for k, v in extra.items()},
    )


def _mnist1d(ctx):
    """MNIST-1D in float32, one global scale (as L06 trains it)."""
    return ctx.data("mnist1d").standardized(per_feature=False).astype(np.float32)


def _mlp(sizes, activation="relu"):
    from mldm.models.neural import MLP

    return MLP(sizes, activation=activation)


def _optimizer(name: str, p: Optimizers):
    from mldm.training.optim import Adam, GradientDescent, Momentum, RMSProp

    lr = getattr(p.lrs, name)
    return {
        "sgd": lambda ps: GradientDescent(ps, lr=lr),
        "momentum": lambda ps: Momentum(ps, lr=lr, rho=p.rho),
        # ρ = β2: RMSProp is then exactly Adam without m_t (the slide's β1 = 0 remark)
        "rmsprop": lambda ps: RMSProp(ps, lr=lr, rho=0.999),
        "adam_slide": lambda ps: Adam(ps, lr=lr, bias_correction=False),
        "adam": lambda ps: Adam(ps, lr=lr, bias_correction=True),
    }[name]


def _seeded(ctx, *key: int):
    import torch

    torch.manual_seed(int(np.random.default_rng([ctx.seed, 7, *key]).integers(2**31)))


def deep_net(depth: int, width: int, n_in: int, n_out: int, activation: str, norm: bool = False):
    """Linear → [BatchNorm] → activation, ``depth`` times, then a linear head (L07's BN
    placement: normalize h̃_ℓ before the activation)."""
    from torch import nn

    from mldm.models.neural import ACTIVATIONS
    from mldm.models.normalization import BatchNorm

    act = ACTIVATIONS[activation][0]

    class Act(nn.Module):
        def forward(self, x):
            return act(x)

    layers, n = [], n_in
    for _ in range(depth):
        layers += [nn.Linear(n, width), *([BatchNorm(width)] if norm else []), Act()]
        n = width
    return nn.Sequential(*layers, nn.Linear(n, n_out))


def tuned_mlp_objective(ctx, params: TunedMLP) -> dict[str, float]:
    """The lecture's protocol (lines 2823-2850): train on the training set, choose lr and batch
    size by the validation set (the last ``val_fraction`` of MNIST-1D's training split); the
    test set is never seen here. ``val_loss`` is logged after every epoch for the pruner."""
    from mldm.evaluation import holdout_split
    from mldm.training import fit_classifier
    from mldm.training.optim import GradientDescent

    d = _mnist1d(ctx)
    fit_idx, val_idx = holdout_split(len(d.y_train), params.val_fraction, seed=ctx.seed)
    _seeded(ctx, 9)
    model = _mlp([40, params.hidden, params.hidden, 10])
    task = fit_classifier(
        model,
        d.X_train[fit_idx],
        d.y_train[fit_idx],
        optimizer=lambda ps: GradientDescent(ps, lr=params.lr),
        max_epochs=params.max_epochs,
        batch_size=params.batch_size,
        eval_sets={"val": (d.X_train[val_idx], d.y_train[val_idx])},
        seed=ctx.seed,
    )
    h = task.history
    return {"val_loss": float(h["val_loss"][-1]), "val_accuracy": float(h["val_accuracy"][-1])}


TUNABLE = {"mlp": Tunable(tuned_mlp_objective)}  # reads only its block, ctx.seed, data


# ---------------------------------------------------------------------------------------------
# train
# ---------------------------------------------------------------------------------------------


def train(ctx: Context) -> None:
    p = ctx.params
    d = _mnist1d(ctx)
    for name in OPTIMIZERS:
        _seeded(ctx, 0)  # the same initial weights for every optimizer
        ctx.train_classifier(
            f"optimizer_{name}",
            _mlp([40, 100, 100, 10]),
            d,
            optimizer=_optimizer(name, p.optimizers),
            max_epochs=p.optimizers.max_epochs,
            batch_size=p.optimizers.batch_size,
        )
    _train_preprocessing(ctx, p.preprocessing)
    _train_init(ctx, p.init, d)
    _train_dropout(ctx, p.dropout)
    _train_norm(ctx, p.norm, d)
    _train_lr_sweep(ctx, p, d)
    _train_tuned(ctx, p.mlp, d)


def _digits_views(ctx):
    """digits raw (0-16), standardized, PCA- and ZCA-whitened (fit on the training split)."""
    from mldm.models.preprocessing import Standardization, Whitening

    d = ctx.data("digits")
    keep = d.X_train.std(0) > 0  # constant border pixels carry nothing and make Σ singular
    X, Xt = d.X_train[:, keep], d.X_test[:, keep]
    views = {"raw": (X, Xt)}
    for name, t in (
        ("standardized", Standardization()),
        ("pca_whitened", Whitening("pca", eps=0.0)),
        ("zca_whitened", Whitening("zca", eps=0.0)),
    ):
        t.fit(X)
        views[name] = (t.transform(X), t.transform(Xt))
    return {k: _ns(a, d.y_train, b, d.y_test) for k, (a, b) in views.items()}


def _train_preprocessing(ctx, p: Preprocessing) -> None:
    from mldm.training import GradientDescent

    for name, v in _digits_views(ctx).items():
        _seeded(ctx, 1)
        ctx.train_classifier(
            f"digits_{name}",
            _mlp([v.X_train.shape[1], 10]),
            v,
            optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


def _train_init(ctx, p: Init, d) -> None:
    from mldm.models.init import init_linear_
    from mldm.training import GradientDescent

    for scheme in ("naive", "he"):
        _seeded(ctx, 2)
        net = deep_net(p.depth, p.width, 40, 10, "relu")
        init_linear_(net, scheme)
        ctx.train_classifier(
            f"init_{scheme}_relu",
            net,
            d,
            optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )
    _seeded(ctx, 3)
    net = _mlp([40, 32, 10], activation="tanh")
    init_linear_(net, "zero")
    ctx.train_classifier(
        "init_zero",
        net,
        d,
        optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
        max_epochs=p.max_epochs,
        batch_size=p.batch_size,
    )


def _mnist_subset(ctx, n: int):
    return ctx.data("mnist").astype(np.float32).subsample(n, seed=[ctx.seed, 7, 4])


def dropout_mlp(p: Dropout, mode: str | None):
    from torch import nn

    from mldm.models.normalization import Dropout as Drop

    def drop():
        return [Drop(p.p, mode=mode)] if mode else []

    return nn.Sequential(
        nn.Linear(784, p.hidden),
        nn.ReLU(),
        *drop(),
        nn.Linear(p.hidden, p.hidden),
        nn.ReLU(),
        *drop(),
        nn.Linear(p.hidden, 10),
    )


def _train_dropout(ctx, p: Dropout) -> None:
    from mldm.training.optim import Adam

    d = _mnist_subset(ctx, p.n_train)
    for mode in (None, "test_scaling", "inverted"):
        _seeded(ctx, 4)
        ctx.train_classifier(
            f"dropout_{mode or 'none'}",
            dropout_mlp(p, mode),
            d,
            optimizer=lambda ps: Adam(ps, lr=p.lr, bias_correction=True),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


def _train_norm(ctx, p: Norm, d) -> None:
    from mldm.training import GradientDescent

    for norm in (False, True):
        _seeded(ctx, 5)
        ctx.train_classifier(
            f"sigmoid_{'bn' if norm else 'plain'}",
            deep_net(p.depth, p.width, 40, 10, "sigmoid", norm=norm),
            d,
            optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
            max_epochs=p.max_epochs,
            batch_size=p.batch_size,
        )


def _train_lr_sweep(ctx, p: Params, d) -> None:
    from mldm.training import GradientDescent

    for lr in p.lr_sweep:
        _seeded(ctx, 6)
        ctx.train_classifier(
            f"lr_{lr:g}",
            _mlp([40, 100, 100, 10]),
            d,
            eval_sets=("train",),
            optimizer=lambda ps, lr=lr: GradientDescent(ps, lr=lr),
            max_epochs=p.optimizers.max_epochs,
            batch_size=p.optimizers.batch_size,
        )


def _train_tuned(ctx, p: TunedMLP, d) -> None:
    from mldm.training import GradientDescent

    _seeded(ctx, 9)
    ctx.train_classifier(
        "mlp_final",
        _mlp([40, p.hidden, p.hidden, 10]),
        d,
        optimizer=lambda ps: GradientDescent(ps, lr=p.lr),
        max_epochs=p.max_epochs,
        batch_size=p.batch_size,
    )


# ---------------------------------------------------------------------------------------------
# evaluate
# ---------------------------------------------------------------------------------------------


def evaluate(ctx: Context) -> None:
    import torch

    torch.manual_seed(ctx.seed)
    p = ctx.params
    _optimizer_checks(ctx, p.optimizers)
    _valley(ctx, p.optimizers)
    _optimizer_curves(ctx)
    _preprocessing(ctx)
    _init(ctx, p.init)
    _dropout(ctx, p.dropout)
    _norm_checks(ctx)
    _norm_training(ctx)
    _lr_sweep(ctx, p)
    d = _mnist1d(ctx)
    model = ctx.load_module("mlp_final", _mlp([40, p.mlp.hidden, p.mlp.hidden, 10]))
    from mldm.training import predict_logits

    acc = float((predict_logits(model, d.X_test).argmax(1) == d.y_test).mean())
    ctx.record("tuned_mlp", "mlp", test_accuracy=acc, lr=p.mlp.lr, batch_size=p.mlp.batch_size)


def trajectory(make_ours, make_theirs, steps: int, seed: int) -> float:
    """Max abs parameter difference over ``steps`` optimizer steps of the same float64 model
    and batch under two optimizers."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    x, y = torch.randn(64, 6, dtype=torch.float64), torch.randn(64, 2, dtype=torch.float64)
    a = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 2)).double()
    b = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 2)).double()
    b.load_state_dict(a.state_dict())
    oa, ob = make_ours(a.parameters()), make_theirs(b.parameters())
    worst = 0.0
    for _ in range(steps):
        for net, opt in ((a, oa), (b, ob)):
            opt.zero_grad()
            ((net(x) - y) ** 2).mean().backward()
            opt.step()
        worst = max(
            worst,
            max(
                float((pa - pb).abs().max())
                for pa, pb in zip(a.parameters(), b.parameters(), strict=True)
            ),
        )
    return worst


def _optimizer_checks(ctx, p: Optimizers) -> None:
    import torch

    from mldm.training.optim import Adam, GradientDescent, Momentum, RMSProp

    n, lr = p.check_steps, 0.01
    pairs = {
        "sgd_matches_torch": (
            lambda ps: GradientDescent(ps, lr=lr),
            lambda ps: torch.optim.SGD(ps, lr=lr),
        ),
        "momentum_matches_torch": (
            lambda ps: Momentum(ps, lr=lr, rho=p.rho),
            lambda ps: torch.optim.SGD(ps, lr=lr, momentum=p.rho),
        ),
        "rmsprop_matches_torch": (
            lambda ps: RMSProp(ps, lr=lr, rho=p.rho),
            lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=p.rho),
        ),
        "adam_matches_torch": (
            lambda ps: Adam(ps, lr=lr, bias_correction=True),
            lambda ps: torch.optim.Adam(ps, lr=lr),
        ),
        "adam_beta1_zero_is_rmsprop": (
            lambda ps: Adam(ps, lr=lr, betas=(0.0, p.rho), bias_correction=False),
            lambda ps: RMSProp(ps, lr=lr, rho=p.rho),
        ),
    }
    for claim, (ours, theirs) in pairs.items():
        diff = trajectory(ours, theirs, n, ctx.seed)
        ctx.measure(claim, diff)
        ctx.record("optimizer_checks", claim.removesuffix("_matches_torch"), max_abs_diff=diff)

    w = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt = Adam([w], lr=1e-3, bias_correction=False)
    (w**2).sum().backward()
    before = w.detach().clone()
    opt.step()
    ctx.measure("slide_adam_first_step", float((before - w.detach()).abs().max() / 1e-3))
    # s_t = ρ s_{t−1} + (1−ρ) g² with g = 1 unrolls to Σ_k (1−ρ)ρ^(t−k) = 1 − ρᵗ (line 2676)
    rho, n = 0.9, 200
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = RMSProp([w], lr=1e-3, rho=rho)
    gap = 0.0
    for t in range(1, n + 1):
        w.grad = torch.ones_like(w)
        opt.step()
        gap = max(gap, float((opt.state[w]["s"] - (1 - rho**t)).abs().max()))
    ctx.measure("moving_average_weights_sum", gap)


def _valley(ctx, p: Optimizers) -> None:
    """f(w) = ½(w₁² + κw₂²): the step size is capped by the steep direction (lr < 2/κ), so SGD
    crawls along the flat one; momentum accumulates the consistent flat-direction gradient."""
    import torch

    from mldm.training.optim import GradientDescent, Momentum

    kappa = p.condition
    curv = torch.tensor([1.0, kappa], dtype=torch.float64)
    lr = 1.0 / kappa

    def run(make, steps=20000):
        w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
        opt, path = make([w]), [w.detach().clone()]
        for t in range(steps):
            opt.zero_grad()
            f = 0.5 * (curv * w**2).sum()
            if float(f) < 1e-6:
                return t, torch.stack(path).numpy()
            f.backward()
            opt.step()
            path.append(w.detach().clone())
        return steps, torch.stack(path).numpy()

    t_sgd, path_sgd = run(lambda ps: GradientDescent(ps, lr=lr))
    t_mom, path_mom = run(lambda ps: Momentum(ps, lr=lr, rho=p.rho))
    ctx.measure("momentum_beats_sgd_on_ill_conditioned_valley", t_sgd / t_mom)
    ctx.record("valley", "sgd", steps_to_converge=t_sgd)
    ctx.record("valley", "momentum", steps_to_converge=t_mom)
    with ctx.figure("valley", size=(6.0, 3.6)) as (_, ax):
        g = np.linspace(-1.2, 1.2, 200)
        W1, W2 = np.meshgrid(g, g)
        ax.contour(W1, W2, 0.5 * (W1**2 + kappa * W2**2), levels=15, linewidths=0.5)
        ax.plot(*path_sgd[:200].T, "C0.-", ms=2, label=f"SGD ({t_sgd} steps)")
        ax.plot(*path_mom[:200].T, "C1.-", ms=2, label=f"momentum ρ={p.rho} ({t_mom} steps)")
        ax.set(title=f"f = ½(w₁² + {kappa:g}w₂²), lr = 1/κ", xlabel="w₁", ylabel="w₂")
        ax.legend(fontsize=7)


def _optimizer_curves(ctx) -> None:
    from mldm.lectures.base import plot_curves

    curves = ctx.curves(OPTIMIZERS, prefix="optimizer_")
    final = ctx.record_final("optimizers", curves)
    ctx.measure(
        "adaptive_optimizers_beat_sgd", final["sgd"]["train_loss"] - final["adam"]["train_loss"]
    )
    with ctx.figure("optimizers") as (_, ax):
        plot_curves(
            ax,
            curves,
            log=True,
            title="MNIST-1D MLP, same initial weights",
            ylabel="training loss",
        )


def _preprocessing(ctx) -> None:
    from mldm.lectures.base import plot_curves

    views = _digits_views(ctx)
    worst = 0.0
    for name in ("pca_whitened", "zca_whitened"):
        Z = views[name].X_train.astype(np.float64)
        C = np.cov(Z, rowvar=False, bias=True)
        worst = max(worst, float(np.abs(C - np.eye(len(C))).max()))
    ctx.measure("whitened_covariance_is_identity", worst)
    cond = {
        k: float(np.linalg.cond(np.cov(v.X_train.astype(np.float64), rowvar=False)))
        for k, v in views.items()
    }
    ctx.measure("preprocessing_lowers_condition_number", cond["raw"] / cond["standardized"])
    curves = ctx.curves(views, prefix="digits_")
    mean = {k: float(c["train_loss"].mean()) for k, c in curves.items()}
    ctx.measure("standardized_inputs_train_faster", mean["raw"] / mean["standardized"])
    ctx.record_final("preprocessing", curves)
    for k in views:
        ctx.record("preprocessing", k, condition_number=cond[k], mean_train_loss=mean[k])
    with ctx.figure("preprocessing") as (_, ax):
        plot_curves(
            ax, curves, log=True, title="digits softmax regression, same SGD", ylabel="train loss"
        )


def _init(ctx, p: Init) -> None:
    import torch

    from mldm.models.init import activation_stats, init_linear_, symmetric_units

    d = _mnist1d(ctx)
    x = torch.as_tensor(d.X_train[:1000])
    stats, ratio = {}, {}
    for scheme in INITS:
        for act in ("tanh", "relu"):
            _seeded(ctx, 8)
            net = deep_net(p.depth, p.width, 40, 10, act)
            init_linear_(net, scheme)
            s = np.asarray(activation_stats(net, x)["std"], dtype=float)
            stats[f"{scheme}/{act}"] = s
            ratio[f"{scheme}/{act}"] = float(s[-1] / s[0])
            ctx.record("init", f"{scheme}_{act}", last_over_first_std=ratio[f"{scheme}/{act}"])
    ctx.measure("naive_init_vanishes_in_deep_nets", ratio["naive/tanh"])
    ctx.measure(
        "scaled_init_keeps_activations",
        min(ratio["lecture/tanh"], ratio["xavier/tanh"], ratio["he/relu"]),
    )
    curves = ctx.curves(("naive_relu", "he_relu"), prefix="init_")
    last = {k: float(c["train_loss"].iloc[-1]) for k, c in curves.items()}
    ctx.measure("he_init_trains_deep_relu_net", last["naive_relu"] - last["he_relu"])
    zero = ctx.load_module("init_zero", _mlp([40, 32, 10], activation="tanh"))
    ctx.measure("zero_init_is_symmetric", int(symmetric_units(zero.weights[0].detach(), 1e-6)))
    with ctx.figure("init", ncols=2) as (_, ax):
        for k, s in stats.items():
            ax[0 if k.endswith("tanh") else 1].semilogy(np.arange(1, len(s) + 1), s, "o-", label=k)
        for a, act in zip(ax, ("tanh", "relu"), strict=True):
            a.set(title=f"activation std per layer ({act})", xlabel="layer")
            a.legend(fontsize=7)


def _dropout(ctx, p: Dropout) -> None:
    import torch

    from mldm.lectures.base import plot_curves
    from mldm.models.normalization import Dropout as Drop

    g = torch.Generator().manual_seed(ctx.seed)
    h = torch.rand(1, 50, generator=g, dtype=torch.float64) + 0.5
    worst = 0.0
    for mode in ("test_scaling", "inverted"):
        drop = Drop(p.p, mode=mode, generator=g)
        mc = drop.train()(h.expand(p.draws, -1)).mean(0)
        expected = drop.eval()(h)[0]
        # one draw is expected·m/q (m ~ Bernoulli(q), q = 1 − p): relative sd √(p/q)
        se = expected * np.sqrt(p.p / (1 - p.p)) / np.sqrt(p.draws)
        worst = max(worst, float(((mc - expected).abs() / se).max()))
    ctx.measure("dropout_scalings_agree_in_expectation", worst)
    curves = ctx.curves(("none", "test_scaling", "inverted"), prefix="dropout_")
    final = ctx.record_final("dropout", curves, ("train_accuracy", "test_accuracy", "test_loss"))
    ctx.measure(
        "dropout_reduces_overfitting",
        final["none"]["test_loss"] - final["inverted"]["test_loss"],
    )
    with ctx.figure("dropout", ncols=2) as (_, ax):
        plot_curves(ax[0], curves, "test_loss", title="test cross-entropy (1000 MNIST digits)")
        plot_curves(ax[1], curves, title="training loss")


def _norm_checks(ctx) -> None:
    import torch
    from torch import nn

    from mldm.models.normalization import BatchNorm, InstanceNorm, LayerNorm

    torch.manual_seed(int(np.random.default_rng([ctx.seed, 7, 5]).integers(2**31)))
    cases = [
        (BatchNorm(6), nn.BatchNorm1d(6), (32, 6)),
        (BatchNorm(3, spatial=True), nn.BatchNorm2d(3), (8, 3, 5, 5)),
        (LayerNorm(10), nn.LayerNorm(10), (16, 10)),
        (InstanceNorm(3), nn.InstanceNorm2d(3, affine=True), (4, 3, 6, 6)),
    ]
    worst = 0.0
    for ours, theirs, shape in cases:
        ours, theirs = ours.double(), theirs.double()
        with torch.no_grad():
            for p in theirs.parameters():
                p.uniform_(0.5, 1.5)
        ours.load_state_dict(theirs.state_dict())
        for _ in range(3):  # train mode, running statistics updated
            x = 3 * torch.randn(*shape, dtype=torch.float64) + 1
            worst = max(worst, float((ours.train()(x) - theirs.train()(x)).abs().max()))
        x = torch.randn(*shape, dtype=torch.float64)
        worst = max(worst, float((ours.eval()(x) - theirs.eval()(x)).abs().max()))
    ctx.measure("norm_layers_match_torch", worst)

    bn = BatchNorm(6).double()
    x = torch.randn(32, 6, dtype=torch.float64)
    bn.train()
    bn(x)  # some running statistics
    y = x.clone()
    y[1:] = torch.randn(31, 6, dtype=torch.float64)
    change = {}
    for mode in ("train", "eval"):
        getattr(bn, mode)()
        with torch.no_grad():
            change[mode] = float((bn(x)[0] - bn(y)[0]).abs().max())
    ctx.measure("bn_eval_is_per_sample", change["eval"] / change["train"])


def _norm_training(ctx) -> None:
    from mldm.lectures.base import plot_curves

    curves = ctx.curves(("sigmoid_plain", "sigmoid_bn"))
    final = ctx.record_final("batch_norm", curves)
    ctx.measure(
        "batch_norm_speeds_up_training",
        final["sigmoid_plain"]["train_loss"] - final["sigmoid_bn"]["train_loss"],
    )
    with ctx.figure("batch_norm") as (_, ax):
        plot_curves(ax, curves, title="8 sigmoid layers, same SGD", ylabel="training loss")


def _lr_sweep(ctx, p: Params) -> None:
    from mldm.lectures.base import sweep_key

    curves = ctx.curves([f"lr_{lr:g}" for lr in p.lr_sweep])  # the train stage's CSV names
    n = len(p.lr_sweep)
    loss = [float(c["train_loss"].iloc[-1]) for c in curves.values()]
    for i, (lr, last) in enumerate(zip(p.lr_sweep, loss, strict=True)):
        ctx.record("lr_sweep", sweep_key("lr_sweep", i, n), lr=float(lr), train_loss=last)
    best = int(np.argmin([x if np.isfinite(x) else np.inf for x in loss]))
    ctx.measure("learning_rate_sweet_spot", 0 < best < len(loss) - 1)
    with ctx.figure("lr_sweep") as (_, ax):
        for name, v in curves.items():
            ax.semilogy(v["epoch"], v["train_loss"].clip(upper=1e3), label=name.replace("_", "="))
        ax.set(title="SGD training loss by learning rate", xlabel="epoch", ylabel="train loss")
        ax.legend(fontsize=7)
