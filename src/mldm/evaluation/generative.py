r"""Sample quality of the generative lectures (L13 VAE, L14 DDPM), on a protocol the pipeline owns.

The Fréchet distance (Heusel et al. 2017, "FID") fits a Gaussian to the features of each set of
images and measures

    $d^2 = \lVert\mu_a - \mu_b\rVert^2
           + \mathrm{Tr}\big(\Sigma_a + \Sigma_b - 2(\Sigma_a\Sigma_b)^{1/2}\big)$.

Published FIDs use Inception-v3 features of 299×299 RGB images; offline, on digits, the features
are those of a classifier trained in the pipeline on the same data (the L06 LeNet's penultimate
layer), so the numbers share the published formula but not its scale. :class:`Protocol` records
what a score was measured with, and travels with every score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import Tensor, nn

from mldm.errors import MldmError

__all__ = ["FeatureScorer", "Protocol", "classifier_scores", "frechet_distance"]


def _as_features(x, name: str) -> np.ndarray:
    a = np.asarray(x.detach().cpu() if isinstance(x, Tensor) else x, dtype=np.float64)
    if a.ndim != 2 or len(a) < 2:
        raise MldmError(f"{name}: expected (n ≥ 2, d) features, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise MldmError(f"{name}: features are not all finite")
    return a


def _sqrtm_psd(s: np.ndarray) -> np.ndarray:
    """Symmetric square root of a covariance (eigenvalues below 0 are rounding: clipped)."""
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(features_a, features_b) -> float:
    r"""Fréchet distance of Gaussians fitted to two feature sets (rows are samples), in float64.

    $\mathrm{Tr}(\Sigma_a\Sigma_b)^{1/2} = \mathrm{Tr}(\Sigma_a^{1/2}\Sigma_b\Sigma_a^{1/2})^{1/2}$
    (similar matrices): the right-hand matrix is symmetric positive semi-definite, so its square
    root's trace is the sum of the roots of real eigenvalues, with no complex round-off.
    Covariances are unbiased (n - 1), as in torchmetrics and the reference implementation.
    """
    a, b = _as_features(features_a, "features_a"), _as_features(features_b, "features_b")
    if a.shape[1] != b.shape[1]:
        raise MldmError(f"feature dimensions differ: {a.shape[1]} vs {b.shape[1]}")
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    root_a = _sqrtm_psd(s_a)
    cross = np.linalg.eigvalsh(root_a @ s_b @ root_a)
    trace_sqrt = np.sqrt(np.clip(cross, 0.0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2.0 * trace_sqrt)


def classifier_scores(probs) -> dict[str, float]:
    r"""Scores of generated images from a classifier's predictions $p(y\mid x)$, one row per image.

    - ``confidence``: $\exp\,\mathbb{E}_x\,\mathrm{KL}\big(p(y\mid x)\,\Vert\,p(y)\big)$ with
      $p(y)$ the rows' mean, the Inception Score's formula (Salimans et al. 2016): between 1 and
      the number of classes, high when each image is confidently one class and the classes vary;
    - ``mean_max_probability``: the mean of $\max_y p(y\mid x)$;
    - ``class_coverage``: the share of classes that some image's predicted label reaches;
    - ``label_entropy``: the entropy (nats) of the predicted labels' histogram, $\log K$ when
      the samples cover the $K$ classes evenly.
    """
    p = np.asarray(probs.detach().cpu() if isinstance(probs, Tensor) else probs, dtype=np.float64)
    if p.ndim != 2 or len(p) == 0:
        raise MldmError(f"probabilities: expected (n, classes), got shape {p.shape}")
    if not (np.isfinite(p).all() and (p >= 0).all() and np.allclose(p.sum(1), 1.0, atol=1e-5)):
        raise MldmError("probabilities: rows must be finite, non-negative and sum to 1")
    p_y = p.mean(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(p > 0, p * (np.log(p) - np.log(p_y)), 0.0).sum(1)
    counts = np.bincount(p.argmax(1), minlength=p.shape[1])
    share = counts[counts > 0] / len(p)
    return {
        "confidence": float(np.exp(kl.mean())),
        "mean_max_probability": float(p.max(1).mean()),
        "class_coverage": float((counts > 0).mean()),
        "label_entropy": float(-(share * np.log(share)).sum()),
    }


@dataclass(frozen=True)
class Protocol:
    """What a sample-quality score was measured with; stored beside every score."""

    extractor: str
    extractor_test_accuracy: float
    layer: str
    dimension: int
    n_real: int
    n_generated: int
    image_shape: tuple[int, ...]

    def as_dict(self) -> dict:
        return {**asdict(self), "image_shape": "x".join(map(str, self.image_shape))}


class _Features(nn.Module):
    """A classifier's ``features`` as torchmetrics' custom FID extractor (float64 out, so the
    metric computes and returns float64)."""

    def __init__(self, classifier: nn.Module):
        super().__init__()
        self.classifier = classifier
        self.num_features = int(classifier.num_features)

    def forward(self, x: Tensor) -> Tensor:
        return self.classifier.features(x).double()


class FeatureScorer:
    """Scores sets of generated images against ``real`` ones in the feature space of ``classifier``.

    ``classifier`` is an ``nn.Module`` whose ``forward`` returns logits and whose ``features(x)``
    returns the layer the distance is measured in (``num_features`` wide), e.g.
    :class:`mldm.models.LeNet`. The real side's statistics are accumulated once, in torchmetrics'
    :class:`~torchmetrics.image.fid.FrechetInceptionDistance` with that extractor, and kept across
    calls (``reset_real_features=False``).
    """

    def __init__(self, classifier: nn.Module, real: Tensor, batch_size: int = 500):
        from torchmetrics.image.fid import FrechetInceptionDistance

        if not hasattr(classifier, "features") or not hasattr(classifier, "num_features"):
            name = type(classifier).__name__
            raise MldmError(f"{name} has no features()/num_features to score with")
        self.classifier = classifier.eval()
        self.batch_size = batch_size
        self.n_real = len(real)
        self._fid = FrechetInceptionDistance(
            feature=_Features(self.classifier), reset_real_features=False
        )
        for chunk in self._batches(real):
            self._fid.update(chunk, real=True)

    def _batches(self, x: Tensor):
        if len(x) < 2:
            raise MldmError(f"need at least 2 images to score, got {len(x)}")
        return torch.split(x.float(), self.batch_size)

    @torch.no_grad()
    def features(self, x: Tensor) -> Tensor:
        """The extractor's features of ``x``, float64, one row per image."""
        return torch.cat([self.classifier.features(c).double() for c in self._batches(x)])

    @torch.no_grad()
    def probabilities(self, x: Tensor) -> Tensor:
        """The classifier's $p(y\\mid x)$ of ``x``, one row per image."""
        return torch.cat([self.classifier(c).double().softmax(1) for c in self._batches(x)])

    @torch.no_grad()
    def frechet(self, x: Tensor) -> float:
        """Fréchet distance of ``x`` to the real images, through torchmetrics' FID."""
        self._fid.reset()  # the generated side only
        for chunk in self._batches(x):
            self._fid.update(chunk, real=False)
        return float(self._fid.compute())

    def score(self, x: Tensor) -> dict[str, float]:
        """``frechet_distance`` to the real images and the :func:`classifier_scores` of ``x``."""
        return {"frechet_distance": self.frechet(x), **classifier_scores(self.probabilities(x))}
