"""L10 (visual representation learning) on the smoke profile: the digits and label subsets,
every encoder saved and loadable, the batch sweep's equal-step draws, MoCo's key encoder kept
apart from its query encoder, and the probes' inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mldm.lectures.l10_visual_representation import common, contrastive, probing, supervised


@pytest.fixture(scope="module")
def trained(train_on_smoke):
    return train_on_smoke("l10_visual_representation")


def test_label_subsets_are_balanced_and_differ_by_run():
    y = np.repeat(np.arange(10), 50)
    a = common.label_subset(y, 0.1, 0, 0)
    assert np.bincount(y[a]).tolist() == [5] * 10 and len(np.unique(a)) == 50
    assert not np.array_equal(a, common.label_subset(y, 0.1, 0, 1))
    assert np.bincount(y[common.label_subset(y, 0.001, 0, 0)]).tolist() == [2] * 10


def test_every_encoder_is_saved_and_probed_frozen(trained):
    d = common.digits(trained)
    f = probing.encoders(trained)
    assert set(f) == set(probing.ENCODERS)
    h = {name: common.features(enc, d.test[:5]) for name, enc in f.items()}
    assert all(v.shape == (5, trained.params.encoder.dim) for v in h.values())
    # trained encoders moved away from their initialization (and from each other)
    assert not np.allclose(h[supervised.RANDOM], h[supervised.SUPERVISED])
    assert not np.allclose(h[contrastive.SIMCLR], h[contrastive.MOCO_V2])
    for name in contrastive.sweep_names(trained.params):
        assert contrastive.load_f(trained, name) is not None
    assert supervised.load_cnn(trained, supervised.scratch_name(0, 1))(d.test[:2]).shape == (2, 10)


def test_sweep_draws_are_equal_steps_without_replacement(trained):
    d = common.digits(trained)
    n = len(d.train)
    t = contrastive.tiled(d, 2 * n + 7, seed=3)
    assert len(t.train) == 2 * n + 7
    # each pass over the training digits is a permutation of them (no digit twice in a pass)
    for k in (0, 1):
        part = t.train[k * n : (k + 1) * n].flatten(1)
        torch.testing.assert_close(part.sum(0), d.train.flatten(1).sum(0))
        assert sorted(t.y_train[k * n : (k + 1) * n].tolist()) == sorted(d.y_train.tolist())
    assert not torch.equal(t.train[:n], t.train[n : 2 * n])
    assert (
        contrastive.batch_of("simclr_batch1_seed0", trained.params)
        == (trained.params.contrastive.batch_sweep[1])
    )


def test_moco_keeps_its_key_encoder_frozen(trained):
    m = contrastive.moco(trained.params, v2=True)
    assert all(not q.requires_grad for q in m.key_f.parameters())
    assert all(q.requires_grad for q in m.f.parameters())
    cb = contrastive.cosine_schedule(1.0, 4)
    assert cb is not None


def test_mae_runs_and_ablations_are_saved(trained):
    from mldm.lectures.l10_visual_representation import vit_mae

    p = trained.params
    roles = vit_mae.variants(p)
    assert list(roles) == ["default", "mask_block", "mask_grid", "decoder_deep"]
    for role, change in roles.items():
        m = trained.load_module(vit_mae.mae_name(role), vit_mae.mae(p, **change))
        assert m.mask == change.get("mask", p.mae.mask)
        assert len(m.blocks) == change.get("decoder_depth", p.mae.decoder_depth)
        tuned = trained.load_module(vit_mae.mae_name(role, finetuned=True), vit_mae.vit(p))
        # fine-tuning started from the MAE encoder and moved it
        assert not torch.equal(tuned.E, m.encoder.E)
