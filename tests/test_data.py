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
