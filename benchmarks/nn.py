"""Neural-network timings: training throughput and Lightning's overhead over a plain loop.

    python benchmarks/run.py --only nn   # writes the "neural_networks" section

Samples/s count training samples only (``epochs × N / wall seconds``), one intra-op thread;
the Lightning number includes building the trainer, so it is the cost a stage really pays.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping

import numpy as np
import torch
from torch import nn

N, BATCH, EPOCHS, CLASSES = 4000, 128, 5, 10


def lenet() -> nn.Module:
    """LeNet on 1×28×28 in torch.nn layers: the twin of ``mldm.models.cnn.LeNet``."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip


def _data(shape: tuple[int, ...], n: int = N, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, *shape)).astype(np.float32), rng.integers(0, CLASSES, n)


def _sgd(params):
    return torch.optim.SGD(params, lr=0.05, momentum=0.9)


def _lightning(factory, X, y, epochs: int) -> tuple[float, nn.Module]:
    from mldm.training.loop import fit_classifier

    torch.manual_seed(0)
    model = factory()
    t = time.perf_counter()
    fit_classifier(model, X, y, optimizer=_sgd, max_epochs=epochs, batch_size=BATCH, seed=0)
    return time.perf_counter() - t, model


def _plain(factory, X, y, epochs: int) -> tuple[float, nn.Module]:
    """The loop Lightning replaces: for x, y in loader: zero_grad, loss, backward, step."""
    from mldm.training import array_loader
    from mldm.training.loop import cross_entropy

    torch.manual_seed(0)
    model = factory()
    t = time.perf_counter()
    loader = array_loader(X, y, BATCH, seed=0, dtype=torch.float32)
    opt = _sgd(model.parameters())
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
    return time.perf_counter() - t, model


def lightning_overhead(epochs: int = EPOCHS, repeat: int = 3) -> dict:
    """The same model, data, batches and seed trained by ``fit_classifier`` and by hand.

    Best of ``repeat`` runs each, alternating the two so that both see the same machine state.
    ``ratio`` is plain samples/s over Lightning samples/s (aim: ≤ 1.15)."""
    out = {}
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for name, (factory, shape) in OVERHEAD_MODELS.items():
            X, y = _data(shape)
            _lightning(factory, X, y, 1)  # warm-up: imports, allocator, first-call paths
            times: dict[str, list[float]] = {"lightning": [], "plain": []}
            for _ in range(repeat):
                t_l, m_l = _lightning(factory, X, y, epochs)
                t_p, m_p = _plain(factory, X, y, epochs)
                times["lightning"].append(t_l)
                times["plain"].append(t_p)
            same = all(
                torch.allclose(a, b, rtol=1e-4, atol=1e-5)
                for a, b in zip(m_l.parameters(), m_p.parameters(), strict=True)
            )
            sps = {k: epochs * len(X) / min(v) for k, v in times.items()}
            out[name] = {
                "n": len(X),
                "batch_size": BATCH,
                "epochs": epochs,
                "lightning_samples_per_s": round(sps["lightning"], 1),
                "plain_samples_per_s": round(sps["plain"], 1),
                "ratio": round(sps["plain"] / sps["lightning"], 3),
                "same_weights": bool(same),
            }
    finally:
        torch.set_num_threads(n_threads)
    return out


def lazy(module: str, cls: str, **kwargs) -> Callable[[], nn.Module]:
    """A factory that imports ``module.cls`` only when called (ImportError then skips it)."""
    return lambda: getattr(importlib.import_module(module), cls)(**kwargs)


def throughput(
    models: Mapping[str, tuple],
    n: int = 2048,
    batch_size: int = BATCH,
    epochs: int = 2,
) -> dict[str, float]:
    """Training samples/s through ``fit_classifier`` for ``epochs`` on random inputs.

    ``models`` maps a name to ``(factory, input shape)`` or ``(factory, input shape, vocab)``
    (one sample's shape, no batch axis; with ``vocab`` the inputs are token ids in
    ``[0, vocab)``); the logits must have :data:`CLASSES` columns. A name whose factory is
    None or raises ImportError / AttributeError (a lecture module not written yet) is skipped.
    """
    from mldm.training.loop import fit_classifier

    out = {}
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        for name, (factory, shape, *vocab) in models.items():
            try:
                torch.manual_seed(0)
                model = factory() if factory is not None else None
            except (ImportError, AttributeError):
                model = None
            if model is None:
                continue
            X, y = _data(shape, n)
            if vocab and vocab[0]:
                X = np.random.default_rng(0).integers(0, vocab[0], (n, *shape))
            t = time.perf_counter()
            fit_classifier(model, X, y, optimizer=_sgd, max_epochs=epochs, batch_size=batch_size)
            out[f"{name}_train_samples_per_s"] = round(epochs * n / (time.perf_counter() - t), 1)
    finally:
        torch.set_num_threads(n_threads)
    return out


# the lecture models (L06), on their default-profile input shapes
MAIN_MODELS = {
    "mlp_40_100_100_10": (lazy("mldm.models.neural", "MLP", sizes=[40, 100, 100, 10]), (40,)),
    "cnn1d": (lazy("mldm.models.cnn", "CNN1d"), (40,)),
    "rnn_64": (lazy("mldm.models.sequence", "RNNClassifier", input_size=1, hidden_size=64,
                    num_classes=10), (40,)),
    "gru_paper": (lazy("mldm.models.sequence", "GRUClassifier", input_size=1, hidden_size=6,
                       num_classes=10, bidirectional=True, length=40), (40,)),
    "lstm_64": (lazy("mldm.models.sequence", "LSTMClassifier", input_size=1, hidden_size=64,
                     num_classes=10), (40,)),
    "transformer": (lazy("mldm.models.attention", "TransformerClassifier", patch=4), (40,)),
    "lenet": (lazy("mldm.models.cnn", "LeNet"), (1, 28, 28)),
    "small_resnet": (lazy("mldm.models.cnn", "SmallResNet"), (1, 28, 28)),
}  # fmt: skip
# Lightning vs a plain loop on the same lecture model: a small one (per-step overhead shows)
# and a conv net (compute dominates); torch.nn twins show what our from-formula layers cost
OVERHEAD_MODELS = {
    "mlp_40_100_100_10": MAIN_MODELS["mlp_40_100_100_10"],
    "lenet": MAIN_MODELS["lenet"],
    "torch_nn_lenet": (lenet, (1, 28, 28)),
}


def neural_networks(models: Mapping[str, tuple] = MAIN_MODELS) -> dict:
    """The section ``benchmarks/run.py`` writes: the overhead, then each model's speed."""
    return {"lightning_overhead": lightning_overhead(), "throughput": throughput(models)}


if __name__ == "__main__":
    import json

    print(json.dumps(neural_networks(), indent=2))
