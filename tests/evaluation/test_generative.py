"""Sample-quality scores of the generative lectures (L13 VAE, L14 DDPM).

Oracles: the Fréchet distance written directly from its closed form with scipy's ``sqrtm`` of
the (non-symmetric) product Σa Σb; the 1-D case (μa - μb)² + (σa - σb)²; torchmetrics'
``FrechetInceptionDistance`` with our extractor (through :class:`FeatureScorer`).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import linalg

from mldm.errors import MldmError
from mldm.evaluation import FeatureScorer, Protocol, classifier_scores, frechet_distance
from mldm.models.cnn import LeNet


def _direct(a: np.ndarray, b: np.ndarray) -> float:
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(s_a @ s_b).real
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(s_a + s_b - 2 * root))


@pytest.fixture
def gaussians():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
    b = 0.5 + rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))
    return a, b


def test_frechet_distance_matches_the_closed_form_with_scipy_sqrtm(gaussians):
    a, b = gaussians
    assert frechet_distance(a, b) == pytest.approx(_direct(a, b), rel=1e-9)
    assert frechet_distance(b, a) == pytest.approx(frechet_distance(a, b), rel=1e-9)


def test_frechet_distance_in_one_dimension_is_mean_and_sd_gaps():
    rng = np.random.default_rng(1)
    a, b = rng.normal(1.0, 2.0, size=(500, 1)), rng.normal(-1.0, 0.5, size=(700, 1))
    expected = (a.mean() - b.mean()) ** 2 + (a.std(ddof=1) - b.std(ddof=1)) ** 2
    assert frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_of_a_set_to_itself_is_zero_and_grows_with_a_shift(gaussians):
    a, _ = gaussians
    assert abs(frechet_distance(a, a)) < 1e-9
    shift = np.full(a.shape[1], 0.3)
    assert frechet_distance(a, a + shift) == pytest.approx((shift**2).sum(), rel=1e-9)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), "dimensions differ"),
        (np.zeros((1, 3)), np.zeros((5, 3)), "n ≥ 2"),
        (np.zeros(5), np.zeros((5, 1)), "n ≥ 2"),
        (np.full((5, 3), np.nan), np.zeros((5, 3)), "not all finite"),
    ],
)
def test_frechet_distance_rejects_bad_features(a, b, message):
    with pytest.raises(MldmError, match=message):
        frechet_distance(a, b)


def test_classifier_scores_on_known_predictions():
    k = 10
    even = np.eye(k)[np.arange(200) % k]  # confident, every class equally often
    scores = classifier_scores(even)
    assert scores["confidence"] == pytest.approx(k)
    assert scores["class_coverage"] == 1.0
    assert scores["label_entropy"] == pytest.approx(np.log(k))
    collapsed = classifier_scores(np.eye(k)[np.zeros(50, dtype=int)])  # one class only
    assert collapsed["confidence"] == pytest.approx(1.0)
    assert collapsed["class_coverage"] == pytest.approx(1 / k)
    assert collapsed["label_entropy"] == pytest.approx(0.0)
    unsure = classifier_scores(np.full((30, k), 1 / k))
    assert unsure["confidence"] == pytest.approx(1.0)
    assert unsure["mean_max_probability"] == pytest.approx(1 / k)
    with pytest.raises(MldmError, match="sum to 1"):
        classifier_scores(np.full((3, k), 0.5))


@pytest.fixture
def scorer():
    torch.manual_seed(0)
    net = LeNet(image_size=12)
    real = torch.rand(300, 1, 12, 12)
    return FeatureScorer(net, real, batch_size=128), net, real


def test_lenet_features_are_the_layer_before_the_logits(scorer):
    _, net, real = scorer
    f = net.features(real)
    assert f.shape == (len(real), LeNet.num_features)
    torch.testing.assert_close(net(real), net.fc3(f))


def test_scorer_frechet_through_torchmetrics_equals_frechet_distance(scorer):
    s, _, real = scorer
    fake = torch.rand(250, 1, 12, 12) ** 2  # darker images: a measurable distance
    ours = frechet_distance(s.features(real), s.features(fake))
    assert ours > 1e-3
    assert s.frechet(fake) == pytest.approx(ours, rel=1e-6)
    assert s.frechet(fake) == pytest.approx(ours, rel=1e-6)  # the real side survives reset()
    assert abs(s.frechet(real)) < 1e-6 * max(1.0, ours)


def test_scorer_score_and_protocol(scorer):
    s, _, real = scorer
    scores = s.score(real[:100])
    assert set(scores) == {
        "frechet_distance",
        "confidence",
        "mean_max_probability",
        "class_coverage",
        "label_entropy",
    }
    assert 1.0 <= scores["confidence"] <= 10.0
    torch.testing.assert_close(s.probabilities(real[:7]).sum(1), torch.ones(7, dtype=torch.float64))
    protocol = Protocol("LeNet", 0.95, "relu(fc2)", 84, 300, 100, (1, 12, 12))
    assert protocol.as_dict()["image_shape"] == "1x12x12"


def test_scorer_needs_a_feature_layer_and_two_images():
    with pytest.raises(MldmError, match="features"):
        FeatureScorer(torch.nn.Linear(4, 2), torch.rand(5, 4))
    with pytest.raises(MldmError, match="at least 2"):
        FeatureScorer(LeNet(image_size=12), torch.rand(1, 1, 12, 12))
