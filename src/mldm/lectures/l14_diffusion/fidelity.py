r"""How good are the samples? One Fréchet-distance protocol for the generators of lectures 13-14.

The lecture ranks the generative models (lines 5911-5922): the VAE's images are blurry, the
diffusion model's are finer. Measured here on one protocol (:mod:`mldm.evaluation.generative`):
a LeNet (L06) trained in this stage on the same 12×12 digits gives the features (its
penultimate layer) and the class predictions. Every row is scored against the test digits:

- the floor, real vs real: a random subset of the *training* digits (a generator that
  reproduced the data distribution would score this, not 0, at this sample size);
- the EM lecture's Gaussian mixture (L13 lines 5600-5835), fitted in a PCA space (L09) and
  sampled ancestrally;
- the VAE of lecture 13 (lines 5838-5896), trained here on the same 12×12 digits, its decoder's
  Bernoulli means as images (the PyTorch example's setting: grey pixels as Bernoulli targets);
- the DDPMs of :mod:`.ddpm`: L_simple with and without EMA of the weights (every seed), and the
  λ_t-weighted objective (lines 6319-6330);
- the ceiling, uniform noise.

Published figures are printed beside ours but are on another scale (Inception-v3 features of
CIFAR-10, or nats on 28×28 binarized MNIST), so they are never compared numerically.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation.seeds import over_seeds
from mldm.lectures.l14_diffusion.common import model_name

if TYPE_CHECKING:
    import torch

    from mldm.lectures.base import Context
    from mldm.lectures.l14_diffusion.common import Digits
    from mldm.lectures.l14_diffusion.params import Fidelity

EXTRACTOR, GMM, PCA_NAME, VAE_NAME = "extractor_lenet", "gmm", "gmm_pca", "vae"
# the rows besides the DDPMs (metrics keys) and how the table and the figure label them
REAL, MIXTURE, VAE_ROW, NOISE = "real_train", "gmm_em", "vae", "noise"
LABELS = {
    REAL: "real (train digits)",
    MIXTURE: "Gaussian mixture (EM, L13)",
    VAE_ROW: "VAE (L13)",
    NOISE: "uniform noise",
}
# Published figures, another scale: Ho et al. 2020 (CIFAR-10, Inception-v3 features); the
# PyTorch VAE example (binarized 28×28 MNIST, 20-D latent, nats per image).
PUBLISHED = (
    ("DDPM, CIFAR-10 (Ho et al. 2020)", "FID 3.17", "IS 9.46"),
    ("VAE, MNIST (PyTorch example)", "−ELBO ≈ 104 nats", "—"),
)


def label(name: str) -> str:
    """A row's label in the table and the figure (DDPM rows by their model name)."""
    return LABELS.get(name, f"DDPM {name}")


def _flat(x: torch.Tensor) -> np.ndarray:
    return x.reshape(len(x), -1).numpy().astype(np.float64)


def _extractor(d: Digits):
    from mldm.models.cnn import LeNet

    return LeNet(in_channels=1, image_size=d.train.shape[-1])


def _vae(d: Digits, p: Fidelity):
    from mldm.models.vae import VAE

    return VAE(d.train[0].numel(), latent_dim=p.vae_latent, hidden=p.vae_hidden)


def train(ctx: Context, d: Digits) -> None:
    """The extractor, the mixture and the VAE the table scores (the DDPMs are :mod:`.ddpm`'s)."""
    import torch

    from mldm.models.mixture import GaussianMixture
    from mldm.models.pca import PCA
    from mldm.models.vae import fit_vae

    p = ctx.params.fidelity
    ctx.seeded(14, 1)
    ctx.train_classifier(
        EXTRACTOR,
        _extractor(d),
        SimpleNamespace(X_train=d.train, y_train=d.y_train, X_test=d.test, y_test=d.y_test),
        optimizer=lambda params: torch.optim.Adam(params, lr=p.extractor_lr),
        max_epochs=p.extractor_epochs,
        batch_size=p.extractor_batch_size,
    )

    X = _flat(d.train)
    pca = PCA(n_components=p.gmm_pca).fit(X)
    gmm = GaussianMixture(p.gmm_components, covariance_type="full", random_state=ctx.seed)
    with ctx.run(GMM, n_components=p.gmm_components, pca=p.gmm_pca):
        gmm.fit(pca.transform(X))
    ctx.save_model(PCA_NAME, pca)
    ctx.save_model(GMM, gmm)

    ctx.seeded(14, 2)
    vae = _vae(d, p)
    with ctx.run(VAE_NAME, latent_dim=p.vae_latent, hidden=p.vae_hidden, epochs=p.vae_epochs):
        h = fit_vae(
            vae,
            d.train.reshape(len(d.train), -1),
            max_epochs=p.vae_epochs,
            batch_size=p.vae_batch_size,
            lr=p.vae_lr,
            eval_sets={"test": d.test.reshape(len(d.test), -1)},
            seed=ctx.seed,
        ).history
        ctx.save_curve(
            VAE_NAME,
            epoch=np.arange(1, len(h["step_loss"]) + 1),
            train_loss=h["step_loss"],
            test_loss=h["test_loss"],
        )
    ctx.save_module(VAE_NAME, vae)


def _baselines(ctx: Context, d: Digits, n: int) -> dict[str, torch.Tensor]:
    """n images of every non-DDPM row, in the table's order: real, mixture, VAE, noise."""
    import torch

    shape, g = d.train.shape[1:], torch.Generator().manual_seed(ctx.seed)
    rows = {REAL: d.train[torch.randperm(len(d.train), generator=g)[:n]]}

    pca, gmm = ctx.load_model(PCA_NAME), ctx.load_model(GMM)
    z, _ = gmm.set_params(random_state=ctx.seed + 1).sample(n)  # grouped by component
    z = z[np.random.default_rng(ctx.seed).permutation(n)]  # mixed, for the figure
    x = np.clip(pca.inverse_transform(z), 0, 1)
    rows[MIXTURE] = torch.as_tensor(x, dtype=torch.float32).reshape(n, *shape)

    vae = ctx.load_module(VAE_NAME, _vae(d, ctx.params.fidelity))
    with torch.no_grad():
        rows[VAE_ROW] = vae.sample(n, generator=g).reshape(n, *shape)
    rows[NOISE] = torch.rand(n, *shape, generator=g)
    return rows


@dataclass(frozen=True)
class SampleQuality:
    # the rows the figure shows: label -> (images (n, 1, R, R) in [0, 1], Fréchet distance)
    rows: dict[str, tuple[Any, float]]


def variance_ratio_over_critical(a, b, level: float = 0.95) -> float:
    """s²_a / s²_b over the F distribution's ``level`` quantile with (n_a - 1, n_b - 1) degrees
    of freedom: > 1 when a varies more than b at that level (one-sided F-test)."""
    from scipy.stats import f

    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(a.var(ddof=1) / b.var(ddof=1) / f.ppf(level, len(a) - 1, len(b) - 1))


def evaluate(ctx: Context, d: Digits, ddpm_samples: dict[str, torch.Tensor]) -> SampleQuality:
    """Score every row against ``d.test`` (``ddpm_samples``: :mod:`.ddpm`'s samples,
    ``{model name: images}``), measure the claims, tabulate."""
    from mldm.evaluation.generative import FeatureScorer, Protocol, frechet_distance
    from mldm.training import predict_logits

    p = ctx.params
    extractor = ctx.load_module(EXTRACTOR, _extractor(d))
    accuracy = float((predict_logits(extractor, d.test).argmax(1) == d.y_test).mean())
    scorer = FeatureScorer(extractor, d.test)
    base = _baselines(ctx, d, p.n_samples)
    rows = {k: x for k, x in base.items() if k != NOISE} | ddpm_samples | {NOISE: base[NOISE]}
    scores = {name: scorer.score(x) for name, x in rows.items()}
    for name, s in scores.items():
        ctx.record("sample_quality", name, **s)

    fd = {name: s["frechet_distance"] for name, s in scores.items()}
    seeds = range(p.seeds)
    ema = [fd[model_name("simple", r, ema=True)] for r in seeds]
    raw = [fd[model_name("simple", r, ema=False)] for r in seeds]
    ranking = [fd[REAL], float(np.mean(ema)), fd[VAE_ROW], fd[NOISE]]
    ctx.measure("sample_quality_ranking", ranking)
    ctx.record(
        "sample_quality", "ema_gain_over_seeds", **over_seeds(np.subtract(raw, ema)).as_dict()
    )
    ctx.measure("ema_steadies_ddpm", variance_ratio_over_critical(raw, ema))
    weighted = fd[model_name("weighted", 0, ema=True)]
    ctx.measure("simple_loss_lower_frechet", weighted - float(np.mean(ema)))

    # the oracle: torchmetrics' FID against ours, on the same features of the same images
    first = model_name("simple", 0, ema=True)
    ours = frechet_distance(scorer.features(d.test), scorer.features(rows[first]))
    ctx.measure("frechet_matches_torchmetrics", abs(fd[first] - ours) / ours)

    protocol = Protocol(
        extractor="LeNet (L06) trained on the L14 training digits",
        extractor_test_accuracy=accuracy,
        layer="relu(fc2), the penultimate layer",
        dimension=extractor.num_features,
        n_real=len(d.test),
        n_generated=p.n_samples,
        image_shape=tuple(d.train.shape[1:]),
    )
    ctx.record("sample_quality", "protocol", extractor_test_accuracy=accuracy)
    table = [
        [label(name)]
        + [s[k] for k in ("frechet_distance", "confidence", "class_coverage", "label_entropy")]
        for name, s in scores.items()
    ]
    table += [[name, fid, score, "—", "—"] for name, fid, score in PUBLISHED]
    ctx.table(
        "sample_quality",
        ["model", "Fréchet distance", "confidence (IS-like)", "class coverage", "label entropy"],
        table,
        note="protocol: "
        + ", ".join(f"{k}={v}" for k, v in protocol.as_dict().items())
        + ". The last rows are published figures on another scale (Inception-v3 features of "
        "CIFAR-10; nats on binarized 28×28 MNIST), not comparable with ours.",
    )
    shown = (REAL, MIXTURE, VAE_ROW, first, NOISE)
    return SampleQuality({label(n): (rows[n], fd[n]) for n in shown})
