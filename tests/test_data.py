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
        if ds.loader is None:  # download only: see test_download_only_sets_say_so_offline
            continue
        d = load(name, prepared_root)
        assert d.meta["name"] == name and d.meta["source"] == ds.source
        if ds.loader.__module__ == "mldm.data.text":  # token ids into the vocabulary
            assert d.X_train.dtype.kind in "iu" and d.X_train.max() < len(d.feature_names)
            continue
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


def test_text_corpora_keep_their_words(prepared_root):
    """L11's corpora: Shakespeare's words in order, the Amazon reviews' published split, the
    benchmarks' rows (the words read back through the vocabulary in meta.json)."""
    s = load("shakespeare", prepared_root)
    words = np.asarray(s.feature_names)[s.X_train]
    assert len(words) > 900_000 and (np.diff(s.y_train) >= 0).all()
    assert " ".join(words[:6]) == " ".join(words[:6]).lower()
    a = load("amazon_reviews", prepared_root)
    assert (
        a.X_train.shape[0] == 4000 and a.X_test.shape[0] == 1000 and a.feature_names[0] == "<pad>"
    )
    assert set(np.unique(a.y_train)) == {0, 1}
    q = load("analogies", prepared_root)
    assert np.asarray(q.feature_names)[q.X_train[0]].tolist() == [
        "athens",
        "greece",
        "baghdad",
        "iraq",
    ]
    w = load("wordsim353", prepared_root)
    assert len(w.y_train) == 353 and 0 <= w.y_train.min() and w.y_train.max() <= 10


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
        prepare("cifar", tmp_path, seed=0, test_size=0.25)
    # reading does not import the registry (a new dataset reruns no old lecture): an unknown
    # name is a set that was never prepared
    with pytest.raises(MldmError, match=r"not prepared.*prepare@cifar"):
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
        sources, "fetch", lambda url, md5: gzip.compress(_idx(files[url.rsplit("/", 1)[1]]))
    )
    import dataclasses

    for name in ("mnist", "fashion_mnist"):  # the same IDX layout, two publishers
        monkeypatch.setitem(DATASETS, name, dataclasses.replace(DATASETS[name], download_test=10))
        meta = prepare(name, tmp_path, seed=0, test_size=0.25, download=True)
        assert meta["shapes"]["X_train"] == [60, 784] and meta["shapes"]["X_test"] == [10, 784]
        assert meta["source"].endswith("(full)") and meta["image_shape"] == [1, 28, 28]
        d = load(name, tmp_path)
        assert d.X_test.dtype == np.float32 and d.image_shape == (1, 28, 28)
        np.testing.assert_allclose(
            d.X_test.reshape(10, 28, 28) * 255, files["t10k-images-idx3-ubyte.gz"], rtol=1e-6
        )
    assert load("fashion_mnist", tmp_path).target_names[9] == "ankle boot"


def _cifar_archive(batches: dict[str, np.ndarray], labels: dict[str, np.ndarray]) -> bytes:
    """A cifar-10-binary.tar.gz with the given (n, 3, 32, 32) batches, in memory."""
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, images in batches.items():
            raw = np.concatenate(
                [labels[name][:, None], images.reshape(len(images), -1)], axis=1
            ).astype(np.uint8)
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = raw.nbytes
            tar.addfile(info, io.BytesIO(raw.tobytes()))
    return buf.getvalue()


def test_full_cifar10_reads_the_binary_batches_in_order(tmp_path, monkeypatch):
    import dataclasses

    from mldm.data import sources

    rng = np.random.default_rng(0)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    images = {n: rng.integers(0, 256, (4, 3, 32, 32)) for n in names}
    labels = {n: rng.integers(0, 10, 4) for n in names}
    archive = _cifar_archive(images, labels)
    monkeypatch.setattr(sources, "fetch", lambda url, md5: archive)
    monkeypatch.setitem(
        DATASETS, "cifar10", dataclasses.replace(DATASETS["cifar10"], download_test=4)
    )
    meta = prepare("cifar10", tmp_path, seed=0, test_size=0.25, download=True)
    assert meta["shapes"]["X_train"] == [20, 3072] and meta["image_shape"] == [3, 32, 32]
    d = load("cifar10", tmp_path)
    # rows are C×H×W: the first 1,024 values are the red plane of the record
    np.testing.assert_allclose(d.X_train.reshape(20, 3, 32, 32)[4:8] * 255, images[names[1]])
    np.testing.assert_allclose(d.X_test.reshape(4, 3, 32, 32) * 255, images["test_batch.bin"])
    assert d.y_test.tolist() == labels["test_batch.bin"].tolist()
    assert d.target_names == sources.CIFAR10_CLASSES


def test_download_only_sets_say_so_offline(tmp_path):
    """The default profile prepares Fashion-MNIST and CIFAR-10 as a marker that names the
    full profile; reading one is a one-line error, and re-preparing replaces the folder whole."""
    (tmp_path / "cifar10").mkdir()
    (tmp_path / "cifar10/arrays.npz").write_bytes(b"stale")
    for name in ("fashion_mnist", "cifar10"):
        meta = prepare(name, tmp_path, seed=0, test_size=0.25)
        assert meta["available"] is False
        with pytest.raises(MldmError, match=rf"'{name}'.*data.source: download \(the full"):
            load(name, tmp_path)
    assert sorted(p.name for p in (tmp_path / "cifar10").iterdir()) == ["meta.json"]


def test_a_changed_download_is_refused(monkeypatch):
    import io
    import urllib.request

    from mldm.data import sources

    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: io.BytesIO(b"not cifar"))
    with pytest.raises(MldmError, match=r"cifar-10-binary.tar.gz has MD5 \w+, expected c32a1d"):
        sources.cifar10()


def test_full_download_offline_is_one_clear_error(tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    def offline(*a, **k):
        raise urllib.error.URLError("Name or service not known")

    prepare("mnist", tmp_path, seed=0, test_size=0.25)  # the embedded digits, already there
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    for name, url in [("mnist", "mnist"), ("fashion_mnist", "fashion"), ("cifar10", "cifar")]:
        with pytest.raises(
            MldmError, match=rf"cannot download https://.*{url}.*offline, use the default"
        ):
            prepare(name, tmp_path, seed=0, test_size=0.25, download=True)
    assert load("mnist", tmp_path).X_train.shape == (3750, 784)  # not corrupted
    assert not (tmp_path / "cifar10").exists()  # nothing half-written
    # a dataset without a full version is unaffected by data.source
    assert prepare("iris", tmp_path, seed=0, test_size=0.25, download=True)["shapes"]


def test_global_standardization_astype_and_subsample(prepared_root):
    d = load("mnist1d", prepared_root)
    g = d.standardized(per_feature=False)
    assert g.X_train.mean() == pytest.approx(0, abs=1e-12) and g.X_train.std() == pytest.approx(1)
    # one affine map for every position: the signal's shape (its ranks) is kept
    np.testing.assert_array_equal(np.argsort(g.X_test[0]), np.argsort(d.X_test[0]))
    assert g.X_train[:, 0].std() != pytest.approx(1, abs=1e-3)  # per-feature it would be 1
    f = g.astype(np.float32)
    assert f.X_train.dtype == f.X_test.dtype == np.float32 and f.y_train is g.y_train
    s = f.subsample(100, seed=[0, 1])
    assert s.X_train.shape == (100, 40) and s.X_test is f.X_test
    rows = {tuple(r) for r in f.X_train}
    assert all(tuple(r) in rows for r in s.X_train)  # drawn from the training split
    np.testing.assert_array_equal(s.X_train, f.subsample(100, seed=[0, 1]).X_train)
    assert f.subsample(None, seed=0) is f and f.subsample(10**6, seed=0) is f


@pytest.mark.parametrize("n_train, n_test", [(256, 64), (None, None)])
def test_small_digits_are_random_labelled_subsets(prepared_root, n_train, n_test):
    from mldm.data.digits import small_digits

    m = load("mnist", prepared_root)
    d = small_digits(m, 12, n_train, n_test, (0, 14, 0))
    n_train, n_test = n_train or len(m.y_train), n_test or len(m.y_test)
    assert d.train.shape == (n_train, 1, 12, 12) and d.test.shape == (n_test, 1, 12, 12)
    assert 0 <= float(d.train.min()) and float(d.train.max()) <= 1
    assert d.y_train.dtype == np.int64 and len(d.y_test) == n_test
    assert len(np.unique(d.y_train)) >= 8  # not the first digits of a split sorted by label
    # the same stream draws the same digits
    again = small_digits(m, 12, n_train, n_test, (0, 14, 0))
    np.testing.assert_array_equal(d.train.numpy(), again.train.numpy())


def _flickr8k_archives():
    """A Flickr8k in miniature, in the published archives' layout: three photos (two for
    training, one for test), captions with a rare word."""
    import io
    import zipfile

    from PIL import Image

    photos, text = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(photos, "w") as z:
        for name, rgb, size in [("a.jpg", (255, 0, 0), (40, 20)), ("b.jpg", (0, 0, 255), (8, 8)),
                                ("c.jpg", (0, 255, 0), (16, 32))]:  # fmt: skip
            buf = io.BytesIO()
            Image.new("RGB", size, rgb).save(buf, format="JPEG", quality=100)
            z.writestr(f"Flicker8k_Dataset/{name}", buf.getvalue())
    lines = [f"{n}.jpg#{k}\tA dog runs{' fast' * (n == 'a' and k == 0)} ." for n in "abc"
             for k in range(5)]  # fmt: skip
    with zipfile.ZipFile(text, "w") as z:
        z.writestr("Flickr8k.token.txt", "\n".join(lines))
        z.writestr("Flickr_8k.trainImages.txt", "a.jpg\n")
        z.writestr("Flickr_8k.devImages.txt", "b.jpg\n")
        z.writestr("Flickr_8k.testImages.txt", "c.jpg\n")
    return {"Flickr8k_text.zip": text.getvalue(), "Flickr8k_Dataset.zip": photos.getvalue()}


def test_flickr8k_rows_are_pairs_with_word_ids(monkeypatch):
    from mldm.data import sources

    archives = _flickr8k_archives()
    monkeypatch.setattr(sources, "FLICKR8K_MIN_COUNT", 2)
    monkeypatch.setattr(sources, "fetch", lambda url, md5=None: archives[url.rsplit("/", 1)[1]])
    X, y, names, vocab = sources.flickr8k()
    side, w = sources.FLICKR8K_SIDE, sources.FLICKR8K_WORDS
    assert X.shape == (15, 3 * side * side + w) and names[-1] == f"w{w - 1}"
    assert y.tolist() == [0] * 5 + [1] * 5 + [2] * 5  # train, dev, then test images
    images = X[:, : 3 * side * side].reshape(-1, 3, side, side)
    assert np.allclose(images[0].mean((1, 2)), [1, 0, 0], atol=0.02)  # red, cropped, resized
    assert np.allclose(images[14].mean((1, 2)), [0, 1, 0], atol=0.02)
    assert vocab[:4] == list(sources.FLICKR8K_SPECIALS) and vocab[4:] == ["a", "dog", "runs"]
    ids = X[:, -w:].astype(int)
    assert [vocab[i] for i in ids[0] if i] == ["a", "dog", "runs", "[UNK]"]  # "fast": once
    assert [vocab[i] for i in ids[1] if i] == ["a", "dog", "runs"]


def test_flickr8k_is_checksummed_and_download_only(tmp_path, monkeypatch):
    import urllib.error
    import urllib.request

    meta = prepare("flickr8k", tmp_path, seed=0, test_size=0.25)  # the default profile
    assert meta["available"] is False
    with pytest.raises(MldmError, match=r"'flickr8k'.*data.source: download \(the full"):
        load("flickr8k", tmp_path)

    def offline(*a, **k):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(MldmError, match=r"^cannot download https://\S+/Flickr8k_text.zip .*") as e:
        prepare("flickr8k", tmp_path, seed=0, test_size=0.25, download=True)
    assert "\n" not in str(e.value)  # one line
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: __import__("io").BytesIO(b"x"))
    with pytest.raises(MldmError, match=r"Flickr8k_text.zip has MD5 \w+, expected bf6c1a"):
        prepare("flickr8k", tmp_path, seed=0, test_size=0.25, download=True)
