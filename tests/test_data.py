"""The dataset registry: fixed seeded splits, hashes, atomic prepared files, clear errors."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from mldm.data import DATASETS, load, prepare
from mldm.data.registry import split_indices
from mldm.errors import MldmError


def test_every_dataset_prepares_with_meta(prepared_root):
    for name, ds in DATASETS.items():
        d = load(name, prepared_root)
        assert d.meta["name"] == name and d.meta["source"] == ds.source
        assert d.X_train.shape[1] == len(d.feature_names)
        assert d.X_train.dtype == np.float64
        if ds.split:
            assert len(d.X_test) > 0
            # train + test is the source, row for row: a partition, even where the source
            # repeats a row (mcycle measures several accelerations at one time)
            rows = Counter(map(tuple, ds.loader()[0]))
            assert Counter(map(tuple, d.X_train)) + Counter(map(tuple, d.X_test)) == rows
            repeated = {r for r, c in rows.items() if c > 1}
            assert set(map(tuple, d.X_train[:20])) & set(map(tuple, d.X_test)) <= repeated


def test_house_table_is_the_slides(prepared_root):
    d = load("house", prepared_root)
    assert d.X_train[:, 0].tolist() == [2104, 1416, 1534, 852]  # lines 20-23
    assert d.y_train.tolist() == [460, 232, 315, 178]
    assert d.meta["lines"] == "19-23" and len(d.X_test) == 0


def test_split_is_seeded_stratified_and_disjoint():
    y = np.repeat([0, 1, 2], [50, 30, 20])
    tr, te = split_indices(len(y), y, 0.2, seed=3, stratify=True)
    tr2, te2 = split_indices(len(y), y, 0.2, seed=3, stratify=True)
    assert np.array_equal(te, te2) and not set(tr) & set(te) and len(tr) + len(te) == len(y)
    assert np.bincount(y[te]).tolist() == [10, 6, 4]
    assert not np.array_equal(te, split_indices(len(y), y, 0.2, seed=4, stratify=True)[1])


def test_prepare_is_deterministic(tmp_path):
    a = prepare("wine", tmp_path / "a", seed=0, test_size=0.25)
    b = prepare("wine", tmp_path / "b", seed=0, test_size=0.25)
    c = prepare("wine", tmp_path / "c", seed=1, test_size=0.25)
    assert a["content_hash"] == b["content_hash"] != c["content_hash"]
    assert (tmp_path / "a/wine/arrays.npz").read_bytes() == (
        tmp_path / "b/wine/arrays.npz"
    ).read_bytes()


def test_missing_and_tampered_data_are_clear_errors(tmp_path):
    with pytest.raises(MldmError, match=r"not prepared.*dvc repro prepare@iris"):
        load("iris", tmp_path)
    with pytest.raises(MldmError, match="unknown dataset 'cifar'"):
        load("cifar", tmp_path)
    prepare("iris", tmp_path, seed=0, test_size=0.25)
    meta = tmp_path / "iris/meta.json"
    meta.write_text(meta.read_text().replace('"content_hash": "', '"content_hash": "0'))
    with pytest.raises(MldmError, match="does not match"):
        load("iris", tmp_path)


def test_standardized_uses_training_statistics_only(prepared_root):
    d = load("diabetes", prepared_root).standardized()
    np.testing.assert_allclose(d.X_train.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(d.X_train.std(0), 1, atol=1e-12)
    assert np.abs(d.X_test.mean(0)).max() > 1e-3  # test set is not re-centred on itself


def test_mnist_sets_are_the_documented_ones(prepared_root):
    mnist, m1d = load("mnist", prepared_root), load("mnist1d", prepared_root)
    assert mnist.X_train.shape == (3750, 784) and mnist.X_test.shape == (1250, 784)
    assert 0.0 <= mnist.X_train.min() and mnist.X_train.max() <= 1.0
    assert Counter(np.concatenate([mnist.y_train, mnist.y_test])) == {k: 500 for k in range(10)}
    # mnist1d keeps its published 4000/1000 split
    assert m1d.X_train.shape == (4000, 40) and m1d.X_test.shape == (1000, 40)
    from mnist1d.data import get_dataset_args, make_dataset

    ref = make_dataset(get_dataset_args())
    np.testing.assert_array_equal(m1d.X_test, ref["x_test"])
    np.testing.assert_array_equal(m1d.y_train, ref["y"])


def _idx(a: np.ndarray) -> bytes:
    import struct

    header = bytes([0, 0, 0x08, a.ndim]) + struct.pack(f">{a.ndim}i", *a.shape)
    return header + a.astype(np.uint8).tobytes()


def test_read_idx_round_trips():
    from mldm.data.sources import read_idx

    a = np.arange(2 * 3 * 4).reshape(2, 3, 4) % 256
    np.testing.assert_array_equal(read_idx(_idx(a)), a)


def test_full_mnist_download_uses_the_official_split(tmp_path, monkeypatch):
    import gzip

    from mldm.data import sources

    rng = np.random.default_rng(0)
    files = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (60, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(60) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (10, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.arange(10) % 10,
    }
    monkeypatch.setattr(
        sources, "fetch", lambda url: gzip.compress(_idx(files[url.rsplit("/", 1)[1]]))
    )
    import dataclasses

    monkeypatch.setitem(DATASETS, "mnist", dataclasses.replace(DATASETS["mnist"], download_test=10))
    meta = prepare("mnist", tmp_path, seed=0, test_size=0.25, download=True)
    assert meta["shapes"]["X_train"] == [60, 784] and meta["shapes"]["X_test"] == [10, 784]
    assert meta["source"].endswith("(full)")
    d = load("mnist", tmp_path)
    np.testing.assert_allclose(
        d.X_test.reshape(10, 28, 28) * 255, files["t10k-images-idx3-ubyte.gz"]
    )


def test_full_download_offline_is_one_clear_error(tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    def offline(*a, **k):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(
        MldmError, match=r"cannot download https://.*mnist.*offline, use the default"
    ):
        prepare("mnist", tmp_path, seed=0, test_size=0.25, download=True)
    assert not (tmp_path / "mnist").exists()  # nothing half-written
    # a dataset without a full version is unaffected by data.source
    assert prepare("iris", tmp_path, seed=0, test_size=0.25, download=True)["shapes"]
