"""Linear probe, weighted kNN and R@K against scikit-learn and a direct ranking."""

import warnings

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from mldm.evaluation.representation import (
    knn_accuracy,
    linear_probe,
    recall_at_k,
    softmax_probe,
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


@pytest.mark.parametrize("lam", [1e-3, 1e-1])
def test_softmax_probe_is_sklearns_logistic_regression(digits, lam):
    Xtr, _, ytr, _ = digits
    H = StandardScaler().fit_transform(Xtr)
    W, b = softmax_probe(torch.tensor(H), torch.tensor(ytr), 10, lam, gtol=1e-8, max_iter=2000)
    ref = LogisticRegression(C=1 / (len(ytr) * lam), tol=1e-9, max_iter=10_000).fit(H, ytr)

    # the same strictly convex objective: the same minimum, and the same minimizer up to the
    # conditioning of weakly regularized, nearly collinear pixels (curvature ~λ there)
    def objective(W, b):
        logits = torch.tensor(H) @ torch.as_tensor(W).T + torch.as_tensor(b)
        ce = torch.nn.functional.cross_entropy(logits, torch.tensor(ytr))
        return (ce + 0.5 * lam * (torch.as_tensor(W) ** 2).sum()).item()

    assert objective(W, b) == pytest.approx(objective(ref.coef_, ref.intercept_), rel=1e-7)
    np.testing.assert_allclose(W.numpy(), ref.coef_, atol=1e-4)
    np.testing.assert_allclose(
        torch.softmax(torch.tensor(H) @ W.T + b, 1).numpy(), ref.predict_proba(H), atol=1e-5
    )


def test_linear_probe_matches_sklearn_at_the_chosen_lambda(digits):
    Xtr, Xte, ytr, yte = digits
    result = linear_probe(Xtr, ytr, Xte, yte)
    scaler = StandardScaler().fit(Xtr)
    ref = LogisticRegression(C=1 / (len(ytr) * result.weight_decay), tol=1e-9, max_iter=10_000)
    ref.fit(scaler.transform(Xtr), ytr)
    ref_accuracy = ref.score(scaler.transform(Xte), yte)
    assert result.test_accuracy == pytest.approx(ref_accuracy, abs=0.005)
    assert result.test_accuracy > 0.93  # digits are nearly linearly separable
    assert result.n_train == len(ytr) and result.n_features == 64


def test_linear_probe_of_noise_is_at_chance(digits):
    Xtr, Xte, ytr, yte = digits
    rng = np.random.default_rng(0)
    result = linear_probe(rng.normal(size=Xtr.shape), ytr, rng.normal(size=Xte.shape), yte)
    assert result.test_accuracy < 0.2


def test_linear_probe_rejects_bad_protocols(digits):
    Xtr, Xte, ytr, yte = digits
    with pytest.raises(ValueError, match="val_fraction"):
        linear_probe(Xtr, ytr, Xte, yte, val_fraction=1.5)
    with pytest.raises(ValueError, match="weight_decays"):
        linear_probe(Xtr, ytr, Xte, yte, weight_decays=[-1.0])


def test_softmax_probe_warns_when_stopped_short(digits):
    Xtr, _, ytr, _ = digits
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        softmax_probe(
            torch.tensor(Xtr, dtype=torch.float64), torch.tensor(ytr), 10, 1e-5, max_iter=2
        )
    assert any(
        issubclass(w.category, ConvergenceWarning) and "max_iter" in str(w.message) for w in caught
    )


@pytest.mark.parametrize("temperature", [0.07, 0.5, None])
def test_knn_accuracy_is_sklearns_weighted_knn(digits, temperature):
    Xtr, Xte, ytr, yte = digits
    # cosine distance d = 1 - s, so e^{-d/τ} ∝ e^{s/τ}: the same votes
    weights = "uniform" if temperature is None else (lambda d: np.exp(-d / temperature))
    ref = KNeighborsClassifier(n_neighbors=20, metric="cosine", weights=weights).fit(Xtr, ytr)
    ours = knn_accuracy(Xtr, ytr, Xte, yte, k=20, temperature=temperature, chunk=100)
    assert ours == pytest.approx(ref.score(Xte, yte), abs=1 / len(yte) + 1e-12)


def _recall_by_sorting(S: np.ndarray, P: np.ndarray, k: int) -> float:
    """Sort each row by score, negatives first among equal scores (ties count against us);
    a hit when the first positive sits among the first k."""
    hits = []
    for s, p in zip(S, P, strict=True):
        order = np.lexsort((p, -s))  # primary: score descending; secondary: negatives first
        hits.append(np.flatnonzero(p[order])[0] < k)
    return float(np.mean(hits))


@pytest.mark.parametrize("k", [1, 5, 10])
def test_recall_at_k_matches_sorting_with_ties(k):
    rng = np.random.default_rng(0)
    S = rng.integers(0, 6, size=(40, 60)).astype(float)  # small integers: many ties
    P = np.zeros_like(S, dtype=bool)
    P[np.arange(40), rng.integers(0, 60, 40)] = True
    P[np.arange(0, 40, 3), rng.integers(0, 60, 14)] = True  # some queries have two positives
    assert recall_at_k(S, k, positives=P) == pytest.approx(_recall_by_sorting(S, P, k))


def test_recall_at_k_diagonal_default_and_several_k():
    S = np.eye(5) + 0.1
    assert recall_at_k(S, [1, 5]) == {1: 1.0, 5: 1.0}
    S[0, 3] = 1.1  # one negative above query 0's match
    assert recall_at_k(S, 1) == pytest.approx(0.8)
    S[1, 2] = 1.1  # a tie with the match counts against us
    assert recall_at_k(S, 1) == pytest.approx(0.6)
    assert recall_at_k(S, 2) == 1.0


def test_recall_at_k_rejects_queries_without_positives():
    with pytest.raises(ValueError, match="at least one positive"):
        recall_at_k(np.zeros((2, 3)), 1, positives=np.zeros((2, 3), dtype=bool))
    with pytest.raises(ValueError, match="differ"):
        recall_at_k(np.zeros((2, 3)), 1, positives=np.ones((3, 2), dtype=bool))
