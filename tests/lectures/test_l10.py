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


def test_moco_ablation_cases_are_trained_and_differ_only_in_their_components(trained):
    p = trained.params
    assert list(contrastive.ABLATION) == ["v1", "mlp", "aug", "cos", "v2"]
    for case, (mlp, _aug, _cos) in contrastive.ABLATION.items():
        for run in range(p.contrastive.ablation_seeds):
            name = contrastive.ablation_name(case, run)
            assert contrastive.load_f(trained, name) is not None
            assert contrastive.load_g(trained, name, mlp=mlp) is not None
    m = contrastive.moco(p, False, mlp=True)
    assert isinstance(m.g, torch.nn.Sequential)  # MLP head, v1's crops
    assert len(m.augment) == 1
    m = contrastive.moco(p, False, aug=True)
    assert isinstance(m.g, torch.nn.Linear) and len(m.augment) == 5  # aug+: with blur


def test_finetuned_encoders_and_vit_seeds_are_saved(trained):
    from mldm.lectures.l10_visual_representation import vit_mae

    p = trained.params
    d = common.digits(trained)
    simclr_f = contrastive.load_f(trained, contrastive.SIMCLR)
    for i in range(len(p.label_fractions)):
        for run in range(p.label_seeds):
            tuned = supervised.load_cnn(trained, supervised.finetune_name(i, run))
            assert tuned(d.test[:2]).shape == (2, 10)
            # started from SimCLR's f and moved it (end to end, not a frozen probe) ...
            assert not torch.equal(tuned[0].fc.weight, simclr_f.fc.weight)
            # ... after a first phase that trained the linear layer alone on the frozen f
            head = supervised.load_cnn(trained, supervised.finetune_name(i, run) + "_head")
            torch.testing.assert_close(head[0].state_dict(), simclr_f.state_dict())
            assert not torch.equal(head[1].weight, tuned[1].weight)
    assert p.vit.seeds >= 2
    for run in range(p.vit.seeds):
        assert trained.load_module(vit_mae.name("vit", "small", run), vit_mae.vit(p)) is not None
    a, b = vit_mae.small_subset(d, p, trained.seed), vit_mae.small_subset(d, p, trained.seed + 1)
    assert len(a) == len(b) == p.vit.small_n and not np.array_equal(a, b)


def test_full_profile_is_cifar10_with_the_resnet18(tmp_path, root):
    import shutil

    from mldm import config, lectures
    from mldm.lectures.l10_visual_representation import vit_mae
    from mldm.models import ResNet18Encoder

    shutil.copyfile(root / "params.yaml", tmp_path / "params.yaml")
    config.set_profile("full", tmp_path / "params.yaml")
    cfg = config.load(tmp_path / "params.yaml", lectures=("l10_visual_representation",))
    p = cfg.lecture("l10_visual_representation")
    assert cfg.runtime.accelerator == "auto"
    assert lectures.datasets("l10_visual_representation", p) == ("cifar10",)
    f = common.encoder(p)
    assert isinstance(f, ResNet18Encoder)
    x = torch.rand(2, 3, 32, 32)
    assert f.eval()(x).shape == (2, 512)
    assert contrastive.simclr(p)(x).shape == (2,)
    assert contrastive.moco(p, True).train()(x).shape == (2,)
    assert vit_mae.vit(p)(x).shape == (2, 10)
    assert vit_mae.mae(p)(x).shape == (2,)
    assert common.head(p)(f(x)).shape == (2, p.encoder.proj_dim)


def test_full_profile_fails_in_one_line_offline(tmp_path, root, prepared_root, monkeypatch):
    """Without the internet the prepared CIFAR-10 is a marker (available: false): the stage
    stops at once with one line naming the download, before any model is built."""
    import shutil

    from mldm import config
    from mldm.errors import MldmError
    from mldm.lectures.runner import run_stage

    shutil.copyfile(root / "params.yaml", tmp_path / "params.yaml")
    config.set_profile("full", tmp_path / "params.yaml")
    data = tmp_path / "data" / "prepared" / "cifar10"
    data.mkdir(parents=True)
    shutil.copyfile(prepared_root / "cifar10" / "meta.json", data / "meta.json")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MldmError) as e:
        run_stage("train", "l10_visual_representation", "params.yaml", tmp_path)
    assert "cifar10" in str(e.value) and "download" in str(e.value)
    assert "\n" not in str(e.value)
    assert not (tmp_path / "artifacts").exists()


def test_published_table_puts_fine_tuned_beside_linear_probe_numbers():
    """The reference table: the lecture's fine-tuned figures (SimCLR's Table 7 at 1% / 10%,
    MAE's ft vs lin) each beside our fine-tuned and probe numbers of the same protocol."""

    class Ctx:
        metrics = {
            "mae_ablation": {
                "default": {
                    "decoder_depth": 1.0,
                    "finetune_test_accuracy": 0.77,
                    "linear_probe_test_accuracy": 0.516,
                },
                "decoder_deep": {
                    "decoder_depth": 2.0,
                    "finetune_test_accuracy": 0.629,
                    "linear_probe_test_accuracy": 0.445,
                },
            }  # fmt: skip
        }
        tables: dict = {}

        def table(self, name, columns, rows, note=None):
            self.tables[name] = (columns, rows, note)

    key = "linear_probe_test_accuracy"
    table = {
        contrastive.SIMCLR: {key: 0.93, "knn_test_accuracy": 0.9},
        contrastive.MOCO_V1: {key: 0.934},
        contrastive.MOCO_V2: {key: 0.822},
        "supervised": {key: 0.959},
    }
    eff = {
        f: {"scratch": {"mean": s}, probing.FINETUNE: {"mean": t}, contrastive.SIMCLR: {"mean": p}}
        for f, s, t, p in ((0.01, 0.659, 0.758, 0.743), (0.1, 0.893, 0.917, 0.892))
    }
    probes = probing.Probes(table, {}, np.zeros(1), {}, eff, {}, {}, {})
    ctx = Ctx()
    probing.published(ctx, probes, [0.01, 0.1])
    columns, rows, note = ctx.tables["published_reference"]
    assert columns[:3] == ["setup", "protocol", "published"]
    by = {(r[1], r[2]): r[3] for r in rows}
    assert by[("fine-tuned (1% labels)", "+27.1 points")] == (
        "1% labels, top-1: scratch 0.659, SimCLR fine-tuned 0.758 (+0.099); its linear probe 0.743"
    )
    assert "SimCLR fine-tuned 0.917 (+0.024)" in by[("fine-tuned (10% labels)", "+7.4 points")]
    mae = by[("fine-tuned vs linear probe", "ft - lin = +19.3")]
    assert "decoder 1 block(s): fine-tuned 0.770, linear 0.516" in mae
    assert "decoder 2 block(s): fine-tuned 0.629, linear 0.445" in mae
    assert ("fine-tuned vs linear probe", "ft - lin = +11.4") in by
    assert [r[1] for r in rows].count("linear probe") == 2 and "fine-tuned" in note
