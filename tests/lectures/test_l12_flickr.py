"""L12 on Flickr8k (the full profile's ``data: flickr8k``), offline: a tiny generated stand-in
in exactly the layout of Flickr8k's two published archives (``Flickr8k_text.zip`` with the
caption file and the three split lists, ``Flickr8k_Dataset.zip`` with the photos) is served to
``prepare@flickr8k``'s own download code in place of the network, prepared, and read by L12's
train and evaluate stages on smoke sizes."""

from __future__ import annotations

import io
import math
import shutil
import zipfile

import numpy as np
import pytest
import yaml

from mldm.data import sources

COLOURS = {"red": (220, 30, 30), "green": (30, 200, 30), "blue": (30, 30, 220)}
N_TRAIN, N_DEV, N_TEST = 60, 5, 1000  # Flickr8k's test list has 1,000 photos (5,000 pairs)


def _archives(folder):
    """Write the two archives into ``folder``; returns the photos' names per split."""
    from PIL import Image

    rng = np.random.default_rng(0)
    names = {
        split: [f"{1000 + i + off}_{split}.jpg" for i in range(n)]
        for split, n, off in (("train", N_TRAIN, 0), ("dev", N_DEV, 10**4), ("test", N_TEST, 10**5))
    }
    tokens, photos = [], io.BytesIO()
    with zipfile.ZipFile(photos, "w") as z:
        for name in (n for v in names.values() for n in v):
            colour = list(COLOURS)[rng.integers(3)]
            w, h = int(rng.integers(40, 64)), int(rng.integers(30, 48))  # landscape, as most
            pixels = np.full((h, w, 3), COLOURS[colour], np.uint8)
            pixels[rng.random((h, w)) < 0.2] = 255
            buf = io.BytesIO()
            Image.fromarray(pixels).save(buf, format="JPEG")
            z.writestr(f"Flicker8k_Dataset/{name}", buf.getvalue())  # the archive's spelling
            for k, said in enumerate(
                [
                    f"A {colour} wall .",
                    f"a {colour} picture",
                    f"Something {colour} here .",
                    f"A plain {colour} photo of a {colour} thing",
                    "An image .",
                ]  # fmt: skip
            ):
                tokens.append(f"{name}#{k}\t{said}")
    text = io.BytesIO()
    with zipfile.ZipFile(text, "w") as z:
        z.writestr("Flickr8k.token.txt", "\n".join(tokens) + "\n")
        for split, v in names.items():
            z.writestr(f"Flickr_8k.{split}Images.txt", "\n".join(v) + "\n")
    (folder / "Flickr8k_text.zip").write_bytes(text.getvalue())
    (folder / "Flickr8k_Dataset.zip").write_bytes(photos.getvalue())
    return names


@pytest.fixture(scope="module")
def flickr_root(tmp_path_factory):
    """``prepare("flickr8k", download=True)`` on the stand-in archives: the prepared root."""
    from mldm.data import prepare

    folder = tmp_path_factory.mktemp("flickr8k_archives")
    _archives(folder)
    urls = []

    def fetch(url, md5=None, timeout=60.0):
        urls.append(url)
        return (folder / url.rsplit("/", 1)[-1]).read_bytes()

    mp = pytest.MonkeyPatch()
    mp.setattr(sources, "fetch", fetch)
    root = tmp_path_factory.mktemp("prepared_flickr")
    prepare("flickr8k", root, seed=0, test_size=0.25, download=True)
    mp.undo()
    assert [u.rsplit("/", 1)[-1] for u in urls] == [f for f, _ in sources.FLICKR8K_FILES]
    return root


def test_prepared_flickr8k_layout(flickr_root):
    from mldm.data.prepared import load

    d = load("flickr8k", flickr_root)
    n_px = 3 * sources.FLICKR8K_SIDE**2
    assert d.image_shape == (3, sources.FLICKR8K_SIDE, sources.FLICKR8K_SIDE)
    assert d.X_train.shape == ((N_TRAIN + N_DEV) * 5, n_px + sources.FLICKR8K_WORDS)
    assert d.X_test.shape[0] == N_TEST * 5  # the published test split, kept as the last rows
    assert len(np.unique(d.y_test)) == N_TEST and not np.isin(d.y_test, d.y_train).any()
    assert d.target_names[:4] == list(sources.FLICKR8K_SPECIALS)
    assert {"red", "green", "blue", "wall", "picture"} <= set(d.target_names)
    # "something"/"here"/... are in >= 5 training captions too; nothing is cased or punctuated
    assert all(w.isalpha() and w.islower() for w in d.target_names[4:])


def test_tokens_and_injected_noise(flickr_root):
    from mldm.lectures.l12_multimodal import common, flickr

    words = np.array([[5, 6, 0, 0], [7, 0, 0, 0]])
    assert flickr.tokens(words).tolist() == [[1, 5, 6, 2, 0, 0], [1, 7, 2, 0, 0, 0]]
    image = np.repeat(np.arange(200), 5)
    source, bad = flickr.corrupt(image, 0.3, np.random.default_rng(0))
    assert abs(bad.mean() - 0.3) < 0.05
    assert (image[source[bad]] != image[bad]).all() and (source[~bad] == np.flatnonzero(~bad)).all()

    from mldm.data.prepared import load

    d = load("flickr8k", flickr_root)
    n_px = 3 * sources.FLICKR8K_SIDE**2
    spec = common.Spec(32, 3, tuple(d.target_names), sources.FLICKR8K_WORDS + 2)
    text = common.decode(flickr.tokens(d.X_train[:5, n_px:]), spec)
    colour = text[0].split()[1]
    assert text == [
        f"a {colour} wall",
        f"a {colour} picture",
        f"something {colour} here",
        f"a plain {colour} photo of a {colour} thing",
        "an image",
    ]
    assert (
        common.encode([text[0]], spec).tolist()[0][:5]
        == flickr.tokens(d.X_train[:1, n_px:]).tolist()[0][:5]
    )


def test_l12_trains_and_evaluates_on_flickr8k(tmp_path, monkeypatch, root, flickr_root, one_thread):
    from mldm import lectures
    from mldm.config import load as load_config
    from mldm.config import set_profile
    from mldm.io import read_json
    from mldm.lectures.l12_multimodal import flickr
    from mldm.lectures.runner import run_stage

    shutil.copyfile(root / "params.yaml", tmp_path / "params.yaml")
    set_profile("smoke", tmp_path / "params.yaml")
    raw = yaml.safe_load((tmp_path / "params.yaml").read_text())
    raw["profiles"]["smoke"]["lectures"]["l12_multimodal"] |= {"data": "flickr8k", "n_test": 64}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    cfg = load_config(tmp_path / "params.yaml", lectures=("l12_multimodal",))
    lid = "l12_multimodal"
    assert lectures.datasets(lid, cfg.lecture(lid)) == ("flickr8k",)
    shutil.copytree(flickr_root, tmp_path / "data" / "prepared")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("DVC_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    run_stage("train", lid, "params.yaml", tmp_path)
    run_stage("evaluate", lid, "params.yaml", tmp_path)
    m = read_json(tmp_path / "metrics" / f"{lid}.json")

    for direction in ("image_to_text", "text_to_image"):
        r = m["retrieval"][direction]
        assert 0 <= r["r1"] <= r["r5"] <= r["r10"] <= 1
    # a caption's positive is its photo (1 of 64), a photo's its five captions (5 of 320)
    assert m["retrieval"]["chance"]["r1"] == pytest.approx(5 / 320)
    assert 0 <= m["captioner"]["blip_random"]["bleu4"] <= 1
    assert m["captioner"]["blip_random"]["n_images"] == 64
    assert set(m["itm"]["hard_negatives"]) >= {"test_mined_negatives_ranking_mean"}
    assert set(m["capfilt"]) == {"filter", "noisy", "captioner", "captioner_filter"}
    assert 0 < m["capfilt"]["filter"]["corrupted_share_mean"] < 0.6
    assert "zero_shot" not in m and "robustness" not in m
    claims = m["claims"]
    assert set(claims) == set(lectures.get(lid).CLAIMS.claims)
    for cid in flickr.NOT_MEASURED:
        assert claims[cid]["measured"] == flickr.SKIPPED and not claims[cid]["passed"]
    measured = set(claims) - set(flickr.NOT_MEASURED)
    assert all(isinstance(claims[c]["measured"], float) for c in measured)
    assert all(math.isfinite(claims[c]["measured"]) for c in measured)
    for cid in ("contrastive_loss_is_symmetric_cross_entropy", "cross_attention_matches_torch"):
        assert claims[cid]["passed"], claims[cid]
    assert m["worked_example"]["not_measured_on_flickr8k"]["rows"][0][0] in flickr.NOT_MEASURED
    assert (tmp_path / "plots" / lid / "retrieval_examples.png").is_file()


def test_full_profile_reads_flickr8k_with_a_larger_vit(tmp_path, root):
    from mldm import config, lectures

    shutil.copyfile(root / "params.yaml", tmp_path / "params.yaml")
    sizes = {}
    for profile in ("default", "full"):
        config.set_profile(profile, tmp_path / "params.yaml")
        cfg = config.load(tmp_path / "params.yaml", lectures=("l12_multimodal",))
        p = cfg.lecture("l12_multimodal")
        sizes[profile] = (p.data, p.encoders.d_model, p.encoders.depth)
        assert lectures.datasets("l12_multimodal", p) == (p.data,)
    assert sizes["default"][0] == "captions" and sizes["full"][0] == "flickr8k"
    assert sizes["full"][1] > sizes["default"][1] and sizes["full"][2] > sizes["default"][2]
