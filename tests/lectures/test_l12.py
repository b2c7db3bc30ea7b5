"""L12 (CLIP, BLIP): the generated caption set (captions true by construction, held-out
combinations absent from training, the corrupted share known), the tokenizer and prompts, the
caption parser and attribute accuracy, the minimal-pair negatives and the CapFilt sets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mldm.data import captions as cap
from mldm.lectures.l12_multimodal import blip, capfilt, clip, common


@pytest.fixture(scope="module")
def generated():
    rng = np.random.default_rng(0)
    digits = rng.uniform(0, 1, (3000, 784))  # noise for digits: only the layout is tested here
    labels = np.repeat(np.arange(10), 300)
    return cap.generate(digits, labels, seed=3)


def _records(X):
    return cap.split_columns(X)


def test_set_layout_split_and_held_out_combinations(generated):
    X, y, names, targets = generated
    n_train = cap.N_TRAIN_SHAPES + cap.N_TRAIN_DIGITS
    assert X.shape == (n_train + cap.N_TEST, cap.N_PIXELS + len(cap.ATTRIBUTES))
    assert names[cap.N_PIXELS :] == list(cap.ATTRIBUTES) and len(targets) == cap.N_CLASSES
    images, a = _records(X)
    assert images.shape[1:] == cap.IMAGE_SHAPE and 0 <= images.min() and images.max() <= 1
    pair = a["shape"] * len(cap.COLOURS) + a["colour"]
    held = [s * len(cap.COLOURS) + c for s, c in cap.HELD_OUT]
    shapes = a["kind"] == 0
    train = np.arange(len(y)) < n_train
    assert not np.isin(pair[shapes & train], held).any()  # never in a training scene ...
    stated = a["caption_shape"] * len(cap.COLOURS) + a["caption_colour"]
    assert not np.isin(stated[(a["caption_kind"] == 0) & train], held).any()  # ... or caption
    assert np.isin(pair[shapes & ~train], held).sum() > 100  # but in the test split
    assert (y[shapes] == pair[shapes]).all() and (y[~shapes] == 24 + a["digit"][~shapes]).all()


def test_corrupted_captions_are_known_and_only_in_training(generated):
    X, *_ = generated
    _, a = _records(X)
    n_train = cap.N_TRAIN_SHAPES + cap.N_TRAIN_DIGITS
    bad = a["corrupted"] == 1
    rec = np.stack([a[k] for k in cap.RECORD], 1)
    said = np.stack([a["caption_" + k] for k in cap.RECORD], 1)
    assert (np.any(rec != said, 1) == bad).all()  # the flag is exactly "caption is wrong"
    assert not bad[n_train:].any()
    assert abs(bad[:n_train].mean() - cap.CORRUPTED) < 0.02


def test_shapes_are_drawn_where_the_caption_says(generated):
    X, *_ = generated
    images, a = _records(X)
    ink = images.max(1)  # (N, H, W)
    cols = np.arange(cap.SIDE)
    centre = (ink * cols).sum((1, 2)) / ink.sum((1, 2))
    shapes = a["kind"] == 0
    left = shapes & (a["position"] == 0)
    right = shapes & (a["position"] == 1)
    assert centre[left].max() < cap.SIDE / 2 < centre[right].min()
    area = (ink > 0.3).sum((1, 2))
    assert np.median(area[shapes & (a["size"] == 1)]) > 1.5 * np.median(
        area[shapes & (a["size"] == 0)]
    )
    # the colour painted is the colour named: the nearest palette colour to the mean ink
    rgb = (images * (ink[:, None] > 0.3)).sum((2, 3)) / (ink > 0.3).sum((1, 2))[:, None]
    nearest = ((rgb[:, None, :] - cap.RGB[None]) ** 2).sum(2).argmin(1)
    assert (nearest == a["colour"]).mean() > 0.99


def test_tokens_round_trip_and_prompts():
    a = {k: np.array([0, 1]) for k in cap.RECORD}
    a |= {
        "kind": np.array([0, 1]),
        "shape": np.array([2, 0]),
        "colour": np.array([3, 5]),
        "digit": np.array([0, 7]),
        "template": np.array([0, 1]),
    }
    tok = common.caption_tokens(a)
    assert tok.shape == (2, common.MAX_LEN) and (tok[:, 0] == 1).all()
    assert common.decode(tok) == [
        "a small yellow triangle on the left",
        "the digit seven written in cyan on the right",
    ]
    ptok, grp = common.prompts("shapes")
    assert len(ptok) == 24 * 2 * 2 * 3 and torch.bincount(grp).tolist() == [12] * 24
    dtok, dgrp = common.prompts("digits", templates=(0,))
    assert common.decode(dtok[dgrp == 4][:1]) == ["a red digit four on the left"]


def test_parse_and_attribute_accuracy():
    truth = {
        "kind": np.array([0, 1]),
        "shape": np.array([2, 0]),
        "colour": np.array([3, 5]),
        "size": np.array([0, 0]),
        "position": np.array([0, 1]),
        "digit": np.array([0, 7]),
    }
    good = common.encode(["a small yellow triangle on the left", "on the right a cyan seven"])
    bad = common.encode(["a small yellow circle on the left", "on the left a cyan seven"])
    assert blip.attribute_accuracy(blip.parse(good), truth)["all"] == 1.0
    acc = blip.attribute_accuracy(blip.parse(bad), truth)
    assert acc["all"] == 0.0 and acc["shape"] == 0.0 and acc["position"] == 0.5
    assert acc["colour"] == 1.0 and acc["digit"] == 1.0


def test_minimal_negatives_change_exactly_one_stated_attribute(generated):
    X, *_ = generated
    _, a = _records(X)
    neg = blip.minimal_negatives(a, np.random.default_rng(1))
    for kind, attrs in blip.STATED.items():
        rows = a["kind"] == kind
        changed = np.stack([neg[k][rows] != a[k][rows] for k, _ in attrs], 1)
        assert (changed.sum(1) == 1).all()


def test_same_record_is_a_retrieval_positive():
    a = {k: np.zeros(3, dtype=np.int64) for k in cap.RECORD}
    a["colour"] = np.array([0, 1, 0])
    pos = clip.same_record(a, a)
    assert pos.tolist() == [[True, False, True], [False, True, False], [True, False, True]]


def test_capfilt_sets_combine_as_the_lecture_table():
    n = 10
    s = common.Scenes(
        torch.zeros(n, *cap.IMAGE_SHAPE),
        None,
        {},
        {},
        None,
        None,
        torch.full((n, 4), 7),
        torch.full((n, 4), 8),
        None,
    )
    sets = {
        "n_clean": np.array(3),
        "web_keep": np.array([1, 0, 1, 1, 0, 1, 1], bool),
        "synthetic": np.full((7, 4), 9),
        "synthetic_keep": np.array([1, 1, 0, 0, 0, 0, 0], bool),
    }
    sizes = {k: len(capfilt.bootstrap(s, sets, k)[0]) for k in capfilt.SETTINGS}
    assert sizes == {"noisy": 10, "filter": 8, "captioner": 17, "captioner_filter": 10}
    _, tok = capfilt.bootstrap(s, sets, "captioner_filter")
    assert (tok[:3] == 8).all() and (tok[3:8] == 7).all() and (tok[8:] == 9).all()


def test_shifted_renderings_draw_the_same_scenes_differently():
    sets = {st: cap.split_columns(cap.shifted(200, st)[0]) for st in cap.STYLES}
    (solid, a), (dark, b), (striped, c) = (sets[st] for st in ("solid", "dark", "striped"))
    for k in cap.RECORD:  # the same scenes (records) in every rendering, captions true
        assert (a[k] == b[k]).all() and (a[k] == c[k]).all() and (a[k] == a["caption_" + k]).all()
    assert (a["kind"] == 0).all() and len(np.unique(a["shape"] * 6 + a["colour"])) == 24
    ink = {st: x.max(1) > 0.3 for st, (x, _) in sets.items()}
    # darker: the same shape, its brightest channel scaled by 0.55
    assert np.median(dark.max((1, 2, 3)) / solid.max((1, 2, 3))) == pytest.approx(0.55, abs=0.05)
    # striped: about half the shape's pixels, none outside it
    ratio = ink["striped"].sum((1, 2)) / ink["solid"].sum((1, 2))
    assert 0.3 < np.median(ratio) < 0.7 and not (ink["striped"] & ~ink["solid"]).any()
    assert not (striped.max(1)[:, 1::2] > 0.3).any()  # odd rows left dark
    with pytest.raises(ValueError, match="unknown style"):
        cap.shifted(4, "plaid")


def test_robustness_scores_only_seen_pairs_in_every_rendering():
    from mldm.lectures.l12_multimodal import robustness

    sets = robustness.scenes(240)
    held = [s * len(cap.COLOURS) + c for s, c in cap.HELD_OUT]
    ys = [y for _, y in sets.values()]
    assert set(sets) == set(cap.STYLES) and all((y == ys[0]).all() for y in ys)
    assert not np.isin(ys[0], held).any() and len(np.unique(ys[0])) == 18


def test_capfilt_filter_shares_count_the_corrupted_web_pairs():
    n = 10
    corrupted = np.array([0, 0, 0, 1, 1, 0, 1, 0, 0, 0])  # the first 3 rows are "human"
    a = {k: np.zeros(n, dtype=np.int64) for k in cap.RECORD} | {"corrupted": corrupted}
    s = common.Scenes(torch.zeros(n, *cap.IMAGE_SHAPE), None, a, {}, None, None, None, None, None)
    sets = {
        "n_clean": np.array(3),
        "web_keep": np.array([0, 1, 1, 0, 1, 1, 0], bool),  # web rows 3..9
        "synthetic": common.encode(["a small red circle on the left"] * 7).numpy(),
        "synthetic_keep": np.ones(7, bool),
    }
    f = capfilt._filter(s, sets)
    # web rows 3, 4, 6 corrupted -> kept 0, 1, 0: two of three dropped; clean 5, 7, 8, 9 -> 3 of 4
    assert f["noise_removed"] == pytest.approx(2 / 3) and f["clean_kept"] == 0.75
    assert f["corrupted_share"] == pytest.approx(3 / 7) and f["web_pairs_kept"] == pytest.approx(
        4 / 7
    )
    assert (
        f["synthetic_caption_all_attributes_accuracy"] == 1.0
    )  # every scene: small red circle, left
    assert capfilt.suffix(0) == "" and capfilt.suffix(2) == "_seed2"
