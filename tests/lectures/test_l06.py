"""L06 helpers: the MNIST-1D table's models, the activation study's inits, graph rows."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mldm.lectures.l06_neural_networks import activations, images, reference, regression
from mldm.lectures.l06_neural_networks.params import Activations, Reference, Regression

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("name", [*reference.REFERENCE_MODELS, "rnn_many_to_many"])
def test_reference_models_take_mnist1d_rows(name):
    torch.manual_seed(0)
    model = reference.reference_model(name, Reference(lr=0.01, max_epochs=1, batch_size=10))
    out = model(torch.randn(5, 40))
    assert out.shape == ((5, 40, 10) if name == "rnn_many_to_many" else (5, 10))


def test_paper_gru_reads_all_states_bidirectionally():
    p = Reference(lr=0.01, max_epochs=1, batch_size=10)
    gru = reference.reference_model("gru", p)
    assert gru.rnn.bidirectional and gru.rnn.hidden_size == 6
    assert gru.head.in_features == 2 * 6 * 40  # the paper's linear map of all 40 states


@pytest.mark.parametrize(("act", "gain"), [("relu", 2.0), ("sigmoid", None)])
def test_activation_mlp_uses_the_init_made_for_it(act, gain):
    torch.manual_seed(0)
    p = Activations(lr=0.1, max_epochs=1, batch_size=10, depth=3, width=400)
    W = activations.activation_mlp(act, p).weights[1]  # 400 x 400
    expected = np.sqrt(gain / 400) if gain else np.sqrt(2 / 800)  # He, Xavier
    assert float(W.std()) == pytest.approx(expected, rel=0.02)


def test_regression_data_is_seeded():
    p = Regression(lr=0.1, max_epochs=1, batch_size=10, n_train=20, n_test=30, noise=0.1, hidden=4)
    (a, b), (c, d) = regression.regression_data(p, 0)
    (a2, _), _ = regression.regression_data(p, 0)
    (a3, _), _ = regression.regression_data(p, 1)
    np.testing.assert_array_equal(a, a2)
    assert not np.array_equal(a, a3) and a.shape == (20, 1) and c.shape == (30, 1)


@pytest.mark.parametrize("shape", [(1, 28, 28), (3, 32, 32)])
@pytest.mark.parametrize("name", images.IMAGE_MODELS)
def test_image_models_take_flat_mnist_and_cifar_rows(name, shape):
    torch.manual_seed(0)
    out = images.image_model(name, shape)(torch.rand(3, int(np.prod(shape))))
    assert out.shape == (3, 10)


def test_full_profile_adds_the_downloaded_image_sets(tmp_path, monkeypatch, root, prepared_root):
    """``mnist.extra_datasets`` (the full profile's Fashion-MNIST and CIFAR-10) end to end on
    the smoke profile, with small stand-ins for the downloads: each set gets its three models,
    its metrics rows and its row of curves, and the stage declares it among its datasets."""
    import dataclasses
    import shutil

    import yaml

    from mldm import config, lectures
    from mldm.data import DATASETS, prepare
    from mldm.io import read_json
    from mldm.lectures.runner import run_stage

    raw = yaml.safe_load((root / "params.yaml").read_text())
    raw["profile"] = "smoke"
    smoke = raw["profiles"]["smoke"]["lectures"]["l06_neural_networks"]
    smoke["mnist"]["extra_datasets"] = ["fashion_mnist", "cifar10"]
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    data = tmp_path / "data" / "prepared"
    shutil.copytree(prepared_root, data)

    def stand_in(shape):
        X = np.random.default_rng(0).random((160, int(np.prod(shape))), dtype=np.float32)
        names = [f"px{i}" for i in range(X.shape[1])]
        return lambda: (X, np.arange(160) % 10, names, list("0123456789"))

    for name in ("fashion_mnist", "cifar10"):
        ds = DATASETS[name]
        fake = dataclasses.replace(ds, download=stand_in(ds.image_shape), download_test=40)
        monkeypatch.setitem(DATASETS, name, fake)
        prepare(name, data, seed=0, test_size=0.25, download=True)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)  # else the store is DVC's repo
    monkeypatch.chdir(tmp_path)
    cfg = config.load(tmp_path / "params.yaml")
    assert lectures.datasets("l06_neural_networks", cfg.lecture("l06_neural_networks")) == (
        "mnist1d", "mnist", "fashion_mnist", "cifar10"
    )  # fmt: skip
    run_stage("train", "l06_neural_networks", "params.yaml", tmp_path)
    run_stage("evaluate", "l06_neural_networks", "params.yaml", tmp_path)

    metrics = read_json(tmp_path / "metrics" / "l06_neural_networks.json")
    for name, n_in in [("fashion_mnist", 784), ("cifar10", 3072)]:
        rows = metrics[name]
        assert set(rows) == set(images.IMAGE_MODELS)
        assert rows["mlp"]["parameters"] == n_in * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
        assert 0 <= rows["lenet"]["test_accuracy_mean"] <= 1
    assert metrics["cifar10"]["lenet"]["parameters"] == 83_126  # fc1 sees 16·6·6 on 32×32
    assert (
        metrics["claims"]["resnet_learns_mnist"]["measured"]
        == metrics["mnist"]["resnet"]["test_accuracy_mean"]
    )
