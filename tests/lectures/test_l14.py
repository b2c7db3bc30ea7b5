"""L14 (DDPM): the hand-over API the sample-quality table uses (digits, model names, draw,
samples), on the smoke profile: both EMA and raw weights saved, draws deterministic by key;
the sample-quality table's models and its statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mldm.evaluation.seeds import over_seeds
from mldm.lectures.l14_diffusion import common, ddpm, fidelity


@pytest.fixture(scope="module")
def trained(train_on_smoke):
    return train_on_smoke("l14_diffusion")


def test_every_trained_model_saved_ema_and_raw(trained):
    names = common.trained_names(trained.params)
    assert names[:2] == ["simple_ema", "simple_raw"] and "weighted_ema" in names
    assert "simple_seed1_raw" in names
    ema, raw = (ddpm.load(trained, n).state_dict() for n in ("simple_ema", "simple_raw"))
    assert any(not torch.equal(ema[k], raw[k]) for k in ema)


def test_draw_is_deterministic_by_key(trained):
    a = ddpm.draw(trained, "simple_ema", 4, 3)
    r = trained.params.resolution
    assert a.shape == (4, 1, r, r) and 0 <= float(a.min()) and float(a.max()) <= 1
    assert torch.equal(a, ddpm.draw(trained, "simple_ema", 4, 3))
    assert not torch.equal(a, ddpm.draw(trained, "simple_ema", 4, 4))
    s = ddpm.samples(trained, 2)
    assert set(s) == set(common.trained_names(trained.params))


def test_sample_quality_models_saved_and_scored(trained):
    d = common.digits(trained)
    extractor = trained.load_module(fidelity.EXTRACTOR, fidelity._extractor(d))
    assert extractor(d.test[:3]).shape == (3, 10)
    rows = fidelity._baselines(trained, d, 16)
    assert list(rows) == [fidelity.REAL, fidelity.MIXTURE, fidelity.VAE_ROW, fidelity.NOISE]
    for x in rows.values():
        assert x.shape == (16, *d.train.shape[1:]) and 0 <= float(x.min()) <= float(x.max()) <= 1
    assert len(np.unique(rows[fidelity.MIXTURE].numpy().round(6), axis=0)) == 16


def test_variance_ratio_over_critical_is_an_f_test():
    # F(0.95; 2, 2) = 19 exactly (its cdf is x / (1 + x) with these degrees of freedom)
    assert fidelity.variance_ratio_over_critical([0, 0, 3], [0, 0, 1]) == pytest.approx(9 / 19)
    assert fidelity.variance_ratio_over_critical([0, 10, 20], [0, 1, 2]) > 1
    p = over_seeds([1.0, 2.0, 3.0]).as_dict()
    assert p == pytest.approx({"mean": 2.0, "sd": 1.0, "n": 3, "se": 1 / np.sqrt(3)})
