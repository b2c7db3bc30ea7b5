r"""How good is a learned representation: the linear probe, weighted kNN and retrieval R@K.

Lecture 10 judges self-supervised features by *linear probing* (course notes line 4254: "对学习到的
特征进行线性探测"): freeze the encoder, fit a linear classifier on its features, report test
accuracy. Lecture 12 does the same for CLIP's image features (line 5323) and scores retrieval
by recall at K. The protocols, each named in the :class:`ProbeResult` it returns:

- :func:`linear_probe`: features standardized with the training statistics; the lecture-2
  softmax model $p(y=k|\mathbf{h}) = \mathrm{softmax}_k(\mathbf{W}\mathbf{h} + \mathbf{b})$ fit
  to convergence on the mean cross-entropy plus $\frac{\lambda}{2}\|\mathbf{W}\|^2$ (L04's L2
  penalty, bias not penalized) by full-batch L-BFGS in float64; $\lambda$ chosen on a stratified
  validation split of the training set (accuracy), then refit on the whole training set.
  $\lambda = 1/(nC)$ is scikit-learn's ``LogisticRegression(C=C)``, the test oracle.
- :func:`knn_accuracy`: the weighted kNN of the SSL literature (Wu et al. 2018): the $k$
  nearest training features by cosine similarity $s$ vote with weight $e^{s/\tau}$.
- :func:`recall_at_k`: the share of queries whose match ranks in the top $k$; ties are counted
  against us (a negative scored equal to the best positive ranks above it).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

__all__ = ["ProbeResult", "knn_accuracy", "linear_probe", "recall_at_k", "softmax_probe"]

LAMBDAS = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1)


@dataclass(frozen=True)
class ProbeResult:
    """A linear probe's result and the protocol that produced it."""

    test_accuracy: float
    val_accuracy: float
    weight_decay: float  # the λ chosen on the validation split
    n_train: int
    n_features: int
    protocol: str = (
        "standardized features; softmax regression, mean CE + λ/2‖W‖², L-BFGS to convergence "
        "(float64); λ by validation accuracy on a stratified 20% split, refit on all training rows"
    )

    def as_dict(self) -> dict:
        return asdict(self)


def _as_f64(a) -> torch.Tensor:
    if isinstance(a, torch.Tensor):
        return a.detach().to("cpu", torch.float64)
    return torch.as_tensor(np.asarray(a), dtype=torch.float64)


def softmax_probe(
    H: torch.Tensor,
    y: torch.Tensor,
    n_classes: int,
    weight_decay: float,
    *,
    init: tuple[torch.Tensor, torch.Tensor] | None = None,
    max_iter: int = 500,
    gtol: float = 1e-6,
) -> tuple[torch.Tensor, torch.Tensor]:
    r"""Fit $(\mathbf{W}, \mathbf{b})$ of the L02 softmax model (lines 533-578) to
    $\frac1n\sum_l -\log \mathrm{softmax}_{y_l}(\mathbf{W}\mathbf{h}_l + \mathbf{b}) +
    \frac{\lambda}{2}\|\mathbf{W}\|_F^2$ by L-BFGS with a strong-Wolfe line search (float64;
    ``init`` warm-starts). Warns ``ConvergenceWarning`` if the gradient's max norm stays above
    ``gtol`` after ``max_iter`` iterations."""
    n, d = H.shape
    W = torch.zeros(n_classes, d, dtype=torch.float64) if init is None else init[0].clone()
    b = torch.zeros(n_classes, dtype=torch.float64) if init is None else init[1].clone()
    W.requires_grad_(True)
    b.requires_grad_(True)
    opt = torch.optim.LBFGS(
        [W, b], lr=1, max_iter=max_iter, tolerance_grad=gtol, tolerance_change=0.0,
        history_size=20, line_search_fn="strong_wolfe",
    )

    def objective() -> torch.Tensor:
        opt.zero_grad()
        logits = H @ W.T + b  # f(h) = W h + b, softmax inside the cross-entropy
        loss = torch.nn.functional.cross_entropy(logits, y) + 0.5 * weight_decay * (W * W).sum()
        loss.backward()
        return loss

    opt.step(objective)
    objective()
    gap = max(W.grad.abs().max().item(), b.grad.abs().max().item())
    if gap > gtol:
        warnings.warn(
            f"linear probe: L-BFGS stopped with gradient max-norm {gap:.2e} > {gtol:g} after "
            f"at most {max_iter} iterations; raise max_iter or weight_decay",
            ConvergenceWarning,
            stacklevel=2,
        )
    return W.detach(), b.detach()


def _standardize(train: torch.Tensor, *others: torch.Tensor) -> list[torch.Tensor]:
    mu, sd = train.mean(0), train.std(0)
    sd = torch.where(sd > 1e-12, sd, torch.ones_like(sd))  # constant features stay 0
    return [(x - mu) / sd for x in (train, *others)]


def _accuracy(H: torch.Tensor, y: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> float:
    return ((H @ W.T + b).argmax(1) == y).double().mean().item()


def linear_probe(
    train_features,
    train_labels,
    test_features,
    test_labels,
    *,
    weight_decays: Sequence[float] = LAMBDAS,
    val_fraction: float = 0.2,
    seed: int = 0,
    max_iter: int = 500,
) -> ProbeResult:
    """Linear-probe accuracy of frozen features (the protocol in the module docstring).

    Features: arrays or tensors (n, d); labels: integers. λ is chosen from ``weight_decays``
    by accuracy on a stratified ``val_fraction`` of the training rows (smallest λ on ties).
    """
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction!r}")
    if not weight_decays or min(weight_decays) < 0:
        raise ValueError(f"weight_decays must be non-empty and >= 0, got {weight_decays!r}")
    Htr, Hte = _as_f64(train_features), _as_f64(test_features)
    classes, ytr = np.unique(np.asarray(train_labels), return_inverse=True)
    lookup = {c: i for i, c in enumerate(classes)}
    yte = torch.tensor([lookup.get(c, -1) for c in np.asarray(test_labels).tolist()])
    ytr = torch.as_tensor(ytr)
    K = len(classes)
    fit_idx, val_idx = train_test_split(
        np.arange(len(ytr)), test_size=val_fraction, random_state=seed, stratify=ytr.numpy()
    )
    Hfit, Hval = _standardize(Htr[fit_idx], Htr[val_idx])
    scores, init = [], None
    for lam in sorted(weight_decays, reverse=True):  # strong to weak: warm starts help
        init = softmax_probe(Hfit, ytr[fit_idx], K, lam, init=init, max_iter=max_iter)
        scores.append((_accuracy(Hval, ytr[val_idx], *init), lam))
    val_accuracy = max(acc for acc, _ in scores)
    lam = min(lam for acc, lam in scores if acc == val_accuracy)  # smallest λ among the best
    Htr_s, Hte_s = _standardize(Htr, Hte)
    W, b = softmax_probe(Htr_s, ytr, K, lam, max_iter=max_iter)
    return ProbeResult(
        test_accuracy=_accuracy(Hte_s, yte, W, b),
        val_accuracy=val_accuracy,
        weight_decay=lam,
        n_train=len(ytr),
        n_features=Htr.shape[1],
    )


def knn_accuracy(
    train_features,
    train_labels,
    test_features,
    test_labels,
    *,
    k: int = 20,
    temperature: float | None = 0.07,
    chunk: int = 1024,
) -> float:
    r"""Weighted kNN accuracy on cosine similarity: class score $\sum_{j \in N_k(x)}
    [y_j = c]\,e^{s_j/\tau}$ (``temperature`` τ; ``None``: one vote each). Test rows in chunks
    of ``chunk`` bound the memory of the (chunk, n_train) similarity block."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k!r}")
    Htr = torch.nn.functional.normalize(_as_f64(train_features), dim=1)
    Hte = torch.nn.functional.normalize(_as_f64(test_features), dim=1)
    classes, ytr = np.unique(np.asarray(train_labels), return_inverse=True)
    ytr = torch.as_tensor(ytr)
    yte = np.asarray(test_labels)
    k = min(k, len(ytr))
    predictions = []
    for block in Hte.split(chunk):
        s, j = (block @ Htr.T).topk(k, dim=1)  # cosine similarity of the k nearest
        w = torch.ones_like(s) if temperature is None else torch.exp((s - 1) / temperature)
        votes = torch.zeros(len(block), len(classes), dtype=torch.float64)
        votes.scatter_add_(1, ytr[j], w)  # e^{(s-1)/τ} ∝ e^{s/τ}: same argmax, no overflow
        predictions.append(votes.argmax(1))
    predicted = classes[torch.cat(predictions).numpy()]
    return float(np.mean(predicted == yte))


def recall_at_k(similarity, k: int | Sequence[int], positives=None) -> float | dict[int, float]:
    """R@K of a (queries, items) similarity matrix: the share of queries whose best-scored
    positive item has fewer than ``k`` negatives scored at least as high.

    ``positives``: boolean (queries, items), True where the item matches (several captions of
    one image); default the diagonal (query i matches item i). ``k`` an int gives a float, a
    sequence a ``{k: recall}`` dict.
    """
    S = _as_f64(similarity)
    if S.ndim != 2:
        raise ValueError(f"similarity must be 2-D (queries, items), got shape {tuple(S.shape)}")
    if positives is None:
        if S.shape[0] > S.shape[1]:
            raise ValueError("the default diagonal needs no more queries than items")
        P = torch.zeros(S.shape, dtype=torch.bool)
        P[torch.arange(S.shape[0]), torch.arange(S.shape[0])] = True
    else:
        P = torch.as_tensor(np.asarray(positives), dtype=torch.bool)
        if P.shape != S.shape:
            raise ValueError(f"positives {tuple(P.shape)} and similarity {tuple(S.shape)} differ")
    if not P.any(1).all():
        raise ValueError("every query needs at least one positive item")
    best = S.masked_fill(~P, float("-inf")).max(1, keepdim=True).values
    rank = ((S >= best) & ~P).sum(1)  # negatives at or above the best positive: ties count
    ks = [k] if isinstance(k, int) else list(k)
    if min(ks) < 1:
        raise ValueError(f"k must be >= 1, got {k!r}")
    out = {kk: (rank < kk).double().mean().item() for kk in ks}
    return out[k] if isinstance(k, int) else out
