"""The Lightning glue: the lecture's GD update, exact epoch losses, checkpoint and resume."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mldm.training import GradientDescent, array_loader, fit


def _mse(pred, y):
    return ((pred.squeeze(-1) - y) ** 2).mean()


def test_gradient_descent_is_torch_sgd_without_extras():
    torch.manual_seed(0)
    w1 = torch.randn(5, dtype=torch.float64, requires_grad=True)
    w2 = w1.detach().clone().requires_grad_(True)
    ours, ref = GradientDescent([w1], lr=0.3), torch.optim.SGD([w2], lr=0.3)
    X = torch.randn(20, 5, dtype=torch.float64)
    for _ in range(10):
        for w, opt in ((w1, ours), (w2, ref)):
            opt.zero_grad()
            ((X @ w) ** 2).mean().backward()
            opt.step()
    torch.testing.assert_close(w1, w2, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="learning rate"):
        GradientDescent([w1], lr=0.0)


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=64)


def _model():
    torch.manual_seed(0)
    return torch.nn.Linear(3, 1).double()


def test_history_is_the_full_loss_after_each_epoch():
    X, y = _data()
    model = _model()
    task = fit(
        model,
        _mse,
        lambda p: GradientDescent(p, lr=0.1),
        array_loader(X, y, 16),
        4,
        eval_loaders={"train": array_loader(X, y, order="segment")},
    )
    assert len(task.history["train_loss"]) == 4
    with torch.no_grad():
        final = float(_mse(model(torch.as_tensor(X)), torch.as_tensor(y)))
    assert task.history["train_loss"][-1] == pytest.approx(final, rel=1e-12)


def test_killed_run_resumes_from_last_checkpoint(tmp_path):
    X, y = _data()

    def train(epochs, ckpt_dir=None):
        model = _model()  # same init every time, as a restarted process would have
        fit(
            model,
            _mse,
            lambda p: GradientDescent(p, lr=0.1),
            array_loader(X, y, 16, order="segment"),
            epochs,
            ckpt_dir=ckpt_dir,
        )
        return model

    straight = train(6)
    train(3, tmp_path)  # "killed" after 3 epochs
    last = tmp_path / "last.ckpt"
    assert last.is_file() and not last.is_symlink()  # a copy DVC can cache
    assert torch.load(last, weights_only=True)["epoch"] == 3  # epochs completed
    resumed = train(6, tmp_path)  # starts at epoch 3, not from scratch
    assert torch.load(last, weights_only=True)["epoch"] == 6
    torch.testing.assert_close(resumed.weight, straight.weight, rtol=0, atol=1e-12)
    assert not torch.allclose(train(3).weight, straight.weight)


@pytest.mark.parametrize("mlflow_pytorch_imported", [False, True])
def test_a_fit_says_nothing_about_accelerators(capfd, caplog, mlflow_pytorch_imported):
    """A stage builds hundreds of trainers; Lightning's per-trainer notes ("GPU available",
    "TPU available", a tip) would bury its one line per model. mlflow.pytorch imports the
    pytorch_lightning copy, which then logs them under its own name: quiet either way."""
    import logging

    if mlflow_pytorch_imported:
        import mlflow.pytorch  # noqa: F401

    caplog.set_level(logging.INFO)
    X, y = _data()
    fit(_model(), _mse, lambda p: GradientDescent(p, lr=0.1), array_loader(X, y, 16), 1)
    out = capfd.readouterr()
    said = out.out + out.err + caplog.text
    assert "available" not in said and "Tip" not in said


def _python(code: str) -> str:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_stage_that_trains_nothing_never_imports_torch():
    # what the stage runner imports before a lecture runs, and the seeding it does: a K-means or
    # tree lecture must not pay torch's second of import, nor a CNN lecture scikit-learn's
    loaded = _python(
        "import sys\n"
        "from mldm.lectures import runner, base\n"
        "from mldm.models import convergence\n"
        "from mldm.training import seed_everything, trainer_defaults\n"
        "seed_everything(3, 1)\n"
        "with trainer_defaults(progress_bar=False), convergence.summarized(): pass\n"
        "print('torch' in sys.modules, 'sklearn' in sys.modules)"
    )
    assert loaded == "False False"


@pytest.mark.parametrize("torch_first", [False, True])
def test_torch_is_seeded_whether_imported_before_or_after(torch_first):
    # seeded at import when it comes later: the same draws as seeding it at once
    draws = _python(
        ("import torch\n" if torch_first else "") + "from mldm.training import seed_everything\n"
        "seed_everything(7, 1)\n"
        "import torch\n"
        "print(torch.get_num_threads(), torch.rand(3).tolist())"
    )
    torch.manual_seed(7)
    assert draws == f"1 {torch.rand(3).tolist()}"


def test_every_blas_and_openmp_pool_is_pinned_as_its_library_loads():
    # numpy is loaded before seeding, scikit-learn (its OpenMP, SciPy's OpenBLAS) after
    pools = _python(
        "import numpy\n"
        "from mldm.training import seed_everything\n"
        "seed_everything(0, 1)\n"
        "import sklearn.linear_model\n"
        "from threadpoolctl import threadpool_info\n"
        "print(sorted({(p['internal_api'], p['num_threads']) for p in threadpool_info()}))"
    )
    assert pools == "[('openblas', 1), ('openmp', 1)]"
