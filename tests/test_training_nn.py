"""fit_classifier: cross-entropy, learning, determinism, resume, and the DDP path on CPU (gloo)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from mldm.training import fit_classifier, predict_logits
from mldm.training.loop import cross_entropy

EPOCHS = 4
KEYS = {"step_loss", "train_loss", "train_accuracy", "val_loss", "val_accuracy"}


pytestmark = pytest.mark.usefixtures("one_thread")


def _blobs(n: int = 240, seed: int = 0):
    """Three well separated Gaussian blobs in 2-D: a problem an MLP solves exactly."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    centres = np.array([[4.0, 0.0], [-2.0, 3.5], [-2.0, -3.5]])
    return centres[y] + rng.normal(size=(n, 2)), y


def _mlp(dtype=torch.float32, seed: int = 0) -> torch.nn.Module:
    torch.manual_seed(seed)
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    return net.to(dtype)


def _sgd(params):
    return torch.optim.SGD(params, lr=0.1)


def _weights(model) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.parameters()]


def _fit_blobs(X, y, epochs: int, **kwargs):
    """The float64 blob MLP trained by SGD, batch 32, with the full training curve: the one
    run the resume and DDP tests compare against. Returns (history, weights)."""
    model = _mlp(torch.float64)  # same init, as a restarted process would have
    fit = dict(optimizer=_sgd, batch_size=32, eval_sets={"train": (X, y)}, dtype=torch.float64)
    task = fit_classifier(model, X, y, max_epochs=epochs, **(fit | kwargs))
    return task.history, _weights(model)


@pytest.mark.parametrize("clip", [None, 0.05])
def test_each_step_is_the_plain_torch_loop(clip):
    """Oracle: zero_grad, loss, backward, clip_grad_norm_, Adam.step on the same batches."""
    from torch.nn.utils import clip_grad_norm_

    from mldm.training import array_loader

    X, y = _blobs()
    adam = lambda params: torch.optim.Adam(params, lr=0.05)  # noqa: E731
    model = _mlp(torch.float64)
    task = fit_classifier(
        model, X, y, optimizer=adam, max_epochs=2, batch_size=32, dtype=torch.float64,
        gradient_clip_val=clip,
    )  # fmt: skip
    ref = _mlp(torch.float64)
    opt, losses = adam(ref.parameters()), []
    loader = array_loader(X, y, 32, seed=0, dtype=torch.float64)  # one shuffle stream
    for _ in range(2):
        for xb, yb in loader:
            opt.zero_grad()
            loss = cross_entropy(ref(xb), yb)
            loss.backward()
            if clip is not None:
                clip_grad_norm_(ref.parameters(), clip)
            opt.step()
            losses.append(loss.item())
    for a, b in zip(_weights(model), _weights(ref), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-14)
    epoch_mean = [np.average(losses[i : i + 8], weights=[32] * 7 + [16]) for i in (0, 8)]
    assert task.history["step_loss"] == pytest.approx(epoch_mean, rel=1e-12)


def test_a_line_search_optimizer_calls_the_closure_as_it_needs():
    """LBFGS re-evaluates the loss inside one step; the step's loss is the one before it."""
    X, y = _blobs()
    model = _mlp(torch.float64)
    lbfgs = lambda params: torch.optim.LBFGS(params, max_iter=5)  # noqa: E731
    task = fit_classifier(
        model, X, y, optimizer=lbfgs, max_epochs=3, batch_size=None, dtype=torch.float64,
        eval_sets={"train": (X, y)},
    )  # fmt: skip
    ref = _mlp(torch.float64)
    opt, before = lbfgs(ref.parameters()), []
    X64, y64 = torch.as_tensor(X), torch.as_tensor(y)

    def closure():
        opt.zero_grad()
        loss = cross_entropy(ref(X64), y64)
        loss.backward()
        return loss

    for _ in range(3):
        before.append(opt.step(closure).item())
    for a, b in zip(_weights(model), _weights(ref), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert task.history["step_loss"] == pytest.approx(before, rel=1e-12)
    assert task.history["train_loss"][-1] < before[-1]  # the last step still lowered it


@pytest.mark.parametrize("shape", [(7, 3), (5, 10), (2, 4, 6)])
def test_cross_entropy_is_torch_cross_entropy(shape):
    g = torch.Generator().manual_seed(0)
    logits = 10 * torch.randn(*shape, dtype=torch.float64, generator=g)
    y = torch.randint(0, shape[-1], shape[:-1], generator=g)
    expected = torch.nn.functional.cross_entropy(logits.reshape(-1, shape[-1]), y.reshape(-1))
    torch.testing.assert_close(cross_entropy(logits, y), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("batch_size", [32, None])
def test_fit_classifier_learns_and_records_each_epoch(batch_size):
    X, y = _blobs()
    model = _mlp(torch.float64)
    task = fit_classifier(
        model,
        X[:160],
        y[:160],
        optimizer=_sgd,
        max_epochs=EPOCHS if batch_size else 60,
        batch_size=batch_size,
        eval_sets={"train": (X[:160], y[:160]), "val": (X[160:], y[160:])},
        dtype=torch.float64,
    )
    assert set(task.history) == KEYS
    assert all(len(v) == len(task.history["train_loss"]) for v in task.history.values())
    assert task.history["train_accuracy"][-1] > 0.95
    # the recorded values are the metrics of the final weights on the whole set
    logits = torch.as_tensor(predict_logits(model, X[:160], dtype=torch.float64))
    y_t = torch.as_tensor(y[:160])
    loss = float(torch.nn.functional.cross_entropy(logits, y_t))
    assert task.history["train_loss"][-1] == pytest.approx(loss, rel=1e-12)
    accuracy = float((logits.argmax(1) == y_t).double().mean())
    assert task.history["train_accuracy"][-1] == pytest.approx(accuracy, abs=1e-6)
    if batch_size is None:  # one full batch: the step loss is the loss before the step
        assert task.history["step_loss"][1:] == pytest.approx(task.history["train_loss"][:-1])


def test_same_seed_same_run_other_seed_other_batches():
    X, y = _blobs()

    def run(seed):
        model = _mlp()
        task = fit_classifier(
            model,
            X,
            y,
            optimizer=_sgd,
            max_epochs=3,
            batch_size=32,
            eval_sets={"train": (X, y)},
            seed=seed,
        )
        return task.history, _weights(model)

    (h1, w1), (h2, w2), (_, w3) = run(0), run(0), run(1)
    assert h1 == h2
    assert all(torch.equal(a, b) for a, b in zip(w1, w2, strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(w1, w3, strict=True))


def test_predict_logits_is_eval_mode_and_keeps_the_mode():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Dropout(0.5), torch.nn.Linear(8, 3))
    X = np.random.default_rng(0).normal(size=(50, 2))
    out = predict_logits(model, X, batch_size=16)
    assert model.training and out.shape == (50, 3) and out.dtype == np.float32
    with torch.no_grad():
        expected = model.eval()(torch.as_tensor(X, dtype=torch.float32)).numpy()
    # batches of 16 vs one of 50 rows: BLAS may pick other kernels, so float32 rounding differs
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_a_killed_shuffled_run_resumes_exactly(tmp_path):
    X, y = _blobs()

    def train(epochs, ckpt_dir=None):
        return _fit_blobs(X, y, epochs, ckpt_dir=ckpt_dir)

    h_straight, w_straight = train(6)
    train(3, tmp_path)  # "killed" after 3 epochs
    assert torch.load(tmp_path / "last.ckpt", weights_only=True)["epoch"] == 3
    h_resumed, w_resumed = train(6, tmp_path)  # epochs 4-6 only, with epochs 4-6's shuffles
    assert torch.load(tmp_path / "last.ckpt", weights_only=True)["epoch"] == 6
    for a, b in zip(w_resumed, w_straight, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert h_resumed.keys() == h_straight.keys()
    for key, values in h_straight.items():  # the curve before the restart came back too
        assert h_resumed[key] == pytest.approx(values, rel=1e-12)


DDP_SCRIPT = """
import json, sys
import numpy as np
import torch
from mldm.training import trainer_defaults
from mldm.training.loop import fit_classifier

SEEN = [0]

def loss(logits, y):
    if torch.is_grad_enabled():  # a training step, not an evaluation
        SEEN[0] += len(y)  # samples this rank trained on
    return torch.nn.functional.cross_entropy(logits, y)

if __name__ == "__main__":
    torch.set_num_threads(1)
    out = sys.argv[1]
    X, y = np.load(out + "/X.npy"), np.load(out + "/y.npy")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    model = model.double()
    with trainer_defaults(accelerator="cpu", devices=2, strategy="ddp"):
        task = fit_classifier(
            model, X, y, optimizer=lambda p: torch.optim.SGD(p, lr=0.1), max_epochs=EPOCHS,
            batch_size=32, eval_sets={"train": (X, y)}, dtype=torch.float64, loss=loss,
        )
    rank = task.trainer.global_rank
    report = {"rank": rank, "world_size": task.trainer.world_size, "seen": SEEN[0],
              "history": task.history, "weights": [p.tolist() for p in model.parameters()]}
    with open(f"{out}/rank{rank}.json", "w") as f:
        json.dump(report, f)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_on_cpu_two_ranks_split_the_data_and_match_one_device(tmp_path):
    X, y = _blobs(256)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    script = tmp_path / "ddp_fit.py"
    script.write_text(textwrap.dedent(DDP_SCRIPT).replace("EPOCHS", str(EPOCHS)))
    env = {**os.environ, "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(_free_port())}
    env.pop("LOCAL_RANK", None)
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [r["world_size"] for r in ranks] == [2, 2]
    # each rank trained on half of every batch: half the data per epoch
    assert [r["seen"] for r in ranks] == [EPOCHS * len(X) // 2] * 2
    w0, w1 = ([torch.tensor(w, dtype=torch.float64) for w in r["weights"]] for r in ranks)
    assert all(torch.equal(a, b) for a, b in zip(w0, w1, strict=True))  # DDP kept them in sync
    assert all(torch.isfinite(w).all() for w in w0)
    assert ranks[0]["history"] == ranks[1]["history"]  # metrics reduced over both ranks
    assert ranks[0]["history"]["train_accuracy"][-1] > 0.95
    # halves of equal size: the averaged gradient is the full batch's, so one device agrees
    history, weights = _fit_blobs(X, y, EPOCHS)
    for a, b in zip(w0, weights, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    for key, values in history.items():
        assert ranks[0]["history"][key] == pytest.approx(values, rel=1e-10)
