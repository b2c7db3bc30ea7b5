"""Evaluating the representations (lines 4275-4318): every trained encoder frozen, a linear
probe and a weighted kNN on its features; SimCLR's h before g against z after g (lines
4322-4330); the batch size (lines 4332-4337); MoCo v1 against v2 (lines 4418-4470); and the
semi-supervised table (lines 4290-4318): a probe on 1% / 10% of the labels against the same CNN
trained from scratch on those labels."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from mldm.evaluation.seeds import over_seeds, separated_gap
from mldm.lectures.base import sweep_key
from mldm.lectures.l10_visual_representation import autoencoders, contrastive, supervised
from mldm.lectures.l10_visual_representation.common import (
    features,
    label_subset,
    probe,
)

if TYPE_CHECKING:
    from mldm.lectures.base import Context
    from mldm.lectures.l10_visual_representation.common import Digits

# the encoders whose h every probe compares, in the lecture's order
ENCODERS = (
    supervised.RANDOM,
    supervised.SUPERVISED,
    autoencoders.CONV,
    contrastive.SIMCLR,
    contrastive.MOCO_V1,
    contrastive.MOCO_V2,
)
FINETUNE = "simclr_finetune"  # SimCLR's f fine-tuned end to end on the few labels
FINETUNE_CLAIMS = {0.01: "finetune_beats_scratch_1pct", 0.1: "finetune_beats_scratch_10pct"}
SSL = (autoencoders.CONV, contrastive.SIMCLR, contrastive.MOCO_V1, contrastive.MOCO_V2)


def encoders(ctx: Context) -> dict[str, Any]:
    """name -> h = f(x) of every trained encoder (frozen, eval mode)."""
    f = {
        supervised.RANDOM: supervised.load_random(ctx),
        supervised.SUPERVISED: supervised.load_cnn(ctx, supervised.SUPERVISED)[0],
        autoencoders.CONV: autoencoders.load_conv(ctx).encoder,
    }
    for name in (contrastive.SIMCLR, contrastive.MOCO_V1, contrastive.MOCO_V2):
        f[name] = contrastive.load_f(ctx, name)
    return f


@dataclass(frozen=True)
class Probes:
    table: dict[str, dict[str, float]]  # encoder -> probe accuracies
    embedding: dict[str, np.ndarray]  # encoder -> 2-D PCA of its test features
    y_test: np.ndarray
    sweep: dict[str, Any]  # batch sizes and probe mean/sd per size
    label_efficiency: dict[str, Any]  # fraction -> method -> mean/sd
    mi: dict[str, Any]  # curves of SimCLR runs (mi_bound per epoch), their log(2N-1)
    ablation: dict[str, dict[str, float]]  # MoCo table case -> probe mean/sd over seeds
    tsne_features: dict[str, np.ndarray]  # encoder -> h of the first test digits


def _probe_encoder(ctx, fn, d: Digits):
    a, b = features(fn, d.train), features(fn, d.test)
    return probe(ctx, a, d.y_train, b, d.y_test), a, b


def evaluate(ctx: Context, d: Digits) -> Probes:
    from mldm.models import PCA

    p = ctx.params
    table, feats, embedding = {}, {}, {}
    frozen = encoders(ctx)
    for name, f in frozen.items():
        table[name], a, b = _probe_encoder(ctx, f, d)
        feats[name] = (a, b)
        embedding[name] = PCA(n_components=2).fit(a).transform(b)
        ctx.record("probe", name, **table[name])
    conv, _, _ = _probe_encoder(ctx, frozen[supervised.SUPERVISED].conv_features, d)
    ctx.record("probe", "supervised_last_conv", **conv)
    table["supervised_last_conv"] = conv

    # SimCLR: z = g(h) against h, on the main model and every sweep model
    f, g = frozen[contrastive.SIMCLR], contrastive.load_g(ctx, contrastive.SIMCLR)
    z, _, _ = _probe_encoder(ctx, lambda x: g(f(x)), d)
    table["simclr_z"] = z
    ctx.record("probe", "simclr_z", **z)

    key = "linear_probe_test_accuracy"
    random_acc = table[supervised.RANDOM][key]
    gains = {n: table[n][key] - random_acc for n in SSL}
    ctx.record(
        "probe", "gain_over_random_init", **{f"{n}_linear_probe": g for n, g in gains.items()}
    )
    ctx.measure("simclr_beats_random_init", gains[contrastive.SIMCLR])
    ctx.measure("moco_beats_random_init", gains[contrastive.MOCO_V1])

    c = p.contrastive
    sweep = {"batch_size": list(c.batch_sweep), "h": [], "z": []}
    sweep_h = []
    h_minus_z = []
    for i, _n in enumerate(c.batch_sweep):
        hs, zs = [], []
        for run in range(c.seeds):
            name = contrastive.sweep_name(i, run)
            fi, gi = contrastive.load_f(ctx, name), contrastive.load_g(ctx, name)
            hs.append(_probe_encoder(ctx, fi, d)[0][key])
            zs.append(_probe_encoder(ctx, lambda x, fi=fi, gi=gi: gi(fi(x)), d)[0][key])
        h_minus_z += [a - b for a, b in zip(hs, zs, strict=True)]
        sweep_h.append(over_seeds(hs))
        sweep["h"].append(sweep_h[-1].as_dict())
        sweep["z"].append(over_seeds(zs).as_dict())
        ctx.record(
            "batch_sweep",
            sweep_key("simclr", i, len(c.batch_sweep)),
            batch_size=float(_n),
            linear_probe_test_accuracy_mean=sweep["h"][-1]["mean"],
            linear_probe_test_accuracy_sd=sweep["h"][-1]["sd"],
            z_linear_probe_test_accuracy_mean=sweep["z"][-1]["mean"],
        )
    # largest minus smallest batch, less two standard errors of the difference
    ctx.measure("larger_batch_probes_better", separated_gap(sweep_h[0], sweep_h[-1]))
    hz = over_seeds([table[contrastive.SIMCLR][key] - z[key], *h_minus_z]).as_dict()
    ctx.record("probe", "simclr_h_minus_z", mean=hz["mean"], sd=hz["sd"], n=float(hz["n"]))
    ctx.measure("h_probes_better_than_z", hz["mean"] - 2 * hz["se"])
    # the main runs' v2 - v1 (10 epochs, one seed); the table's claims are moco_ablation's
    ctx.record(
        "probe",
        "moco_v2_minus_v1",
        linear_probe=table[contrastive.MOCO_V2][key] - table[contrastive.MOCO_V1][key],
        knn=table[contrastive.MOCO_V2]["knn_test_accuracy"]
        - table[contrastive.MOCO_V1]["knn_test_accuracy"],
    )

    # label efficiency: probes on a few labels against the CNN from scratch on them
    eff, advantage = {}, []
    for i, fraction in enumerate(p.label_fractions):
        rows: dict[str, list[float]] = {}
        for run in range(p.label_seeds):
            idx = label_subset(d.y_train, fraction, ctx.seed, run)
            for name in (supervised.RANDOM, contrastive.SIMCLR, contrastive.MOCO_V1):
                a, b = feats[name]
                acc = probe(ctx, a[idx], d.y_train[idx], b, d.y_test, knn=False)[key]
                rows.setdefault(name, []).append(acc)
            scratch = supervised.test_accuracy(ctx, supervised.scratch_name(i, run), d)
            rows.setdefault("scratch", []).append(scratch)
            tuned = supervised.test_accuracy(ctx, supervised.finetune_name(i, run), d)
            rows.setdefault(FINETUNE, []).append(tuned)
        eff_seeds = {k: over_seeds(v) for k, v in rows.items()}
        eff[fraction] = {k: v.as_dict() for k, v in eff_seeds.items()}
        for k, s in eff[fraction].items():
            ctx.record(
                "label_efficiency",
                sweep_key(k, i, len(p.label_fractions)),
                label_fraction=fraction,
                labels=float(len(idx)),
                test_accuracy_mean=s["mean"],
                test_accuracy_sd=s["sd"],
            )
        best = max(
            (contrastive.SIMCLR, contrastive.MOCO_V1), key=lambda k: eff[fraction][k]["mean"]
        )
        ssl, scratch = eff[fraction][best], eff[fraction]["scratch"]
        advantage.append(ssl["mean"] - scratch["mean"])
        ctx.record(
            "label_efficiency",
            sweep_key("ssl_minus_scratch", i, len(p.label_fractions)),
            label_fraction=fraction,
            best_ssl=float(best == contrastive.MOCO_V1),  # 0: SimCLR, 1: MoCo v1
            test_accuracy_gap=advantage[-1],
        )
        if i == 0:
            ctx.measure(
                "ssl_beats_scratch_few_labels",
                separated_gap(eff_seeds["scratch"], eff_seeds[best]),
            )
        # the table's fine-tuned SimCLR against the supervised baseline on the same labels
        tuned_gap = separated_gap(eff_seeds["scratch"], eff_seeds[FINETUNE])
        ctx.record(
            "label_efficiency",
            sweep_key("finetune_minus_scratch", i, len(p.label_fractions)),
            label_fraction=fraction,
            test_accuracy_gap=eff[fraction][FINETUNE]["mean"] - scratch["mean"],
            separated_gap=tuned_gap,
            finetune_minus_probe=eff[fraction][FINETUNE]["mean"]
            - eff[fraction][contrastive.SIMCLR]["mean"],
        )
        if fraction in FINETUNE_CLAIMS:
            ctx.measure(FINETUNE_CLAIMS[fraction], tuned_gap)
    ctx.measure("ssl_advantage_shrinks_with_labels", advantage[0] - advantage[-1])

    names = [contrastive.SIMCLR, *contrastive.sweep_names(p)]
    curves = ctx.curves(names)
    logs = {n: math.log(2 * min(contrastive.batch_of(n, p), len(d.train)) - 1) for n in names}
    ctx.measure(
        "mi_bound_below_ceiling",
        max(float(curves[n]["mi_bound"].max()) - logs[n] for n in names),
    )
    for i, n in enumerate(c.batch_sweep):
        bounds = [
            float(curves[contrastive.sweep_name(i, r)]["mi_bound"].iloc[-1]) for r in range(c.seeds)
        ]
        ctx.record(
            "batch_sweep",
            sweep_key("simclr", i, len(c.batch_sweep)),
            mi_bound_mean=over_seeds(bounds).mean,
            ceiling_log_2n_minus_one=math.log(2 * n - 1),
        )
    main = curves[contrastive.SIMCLR]["mi_bound"].to_numpy()
    ctx.measure("mi_bound_rises", float(main[-1] - main[0]))
    ctx.record(
        "simclr",
        "mi_bound",
        first_epoch=float(main[0]),
        last_epoch=float(main[-1]),
        ceiling_log_2n_minus_one=logs[contrastive.SIMCLR],
    )
    n = min(p.tsne_points, len(d.test))
    shown = (supervised.RANDOM, supervised.SUPERVISED, contrastive.SIMCLR)
    return Probes(
        table,
        embedding,
        d.y_test,
        sweep,
        eff,
        {"curves": curves, "log": logs},
        moco_ablation(ctx, d),
        {k: feats[k][1][:n] for k in shown},
    )


# the MoCo v2 table's cases as claims: each component alone, and all three, against v1
ABLATION_CLAIMS = {
    "mlp": "moco_mlp_head_helps",
    "aug": "moco_aug_plus_helps",
    "cos": "moco_cosine_schedule_helps",
    "v2": "moco_v2_beats_v1",
}


def moco_ablation(ctx: Context, d: Digits) -> dict[str, dict[str, float]]:
    """The MoCo v2 ablation (lines 4440-4447): every case's encoder probed, mean ± sd over
    seeds; each case minus v1, less two standard errors, is its claim."""
    c = ctx.params.contrastive
    key = "linear_probe_test_accuracy"
    acc = {}
    for case in contrastive.ABLATION:
        runs = [
            _probe_encoder(ctx, contrastive.load_f(ctx, contrastive.ablation_name(case, r)), d)[0]
            for r in range(c.ablation_seeds)
        ]
        acc[case] = over_seeds([r[key] for r in runs])
        knn = over_seeds([r["knn_test_accuracy"] for r in runs])
        mlp, aug, cos = contrastive.ABLATION[case]
        ctx.record(
            "moco_ablation",
            case,
            mlp=float(mlp),
            aug_plus=float(aug),
            cos=float(cos),
            **acc[case].metrics(key),
            **knn.metrics("knn_test_accuracy"),
            minus_v1=acc[case].mean - acc["v1"].mean,
        )
    for case, claim in ABLATION_CLAIMS.items():
        ctx.measure(claim, separated_gap(acc["v1"], acc[case]))
    return {k: v.as_dict() for k, v in acc.items()}


# the lecture's published figures (course notes): SimCLR's Table 7 (ImageNet top-5, ResNet-50
# fine-tuned end to end on 1% / 10% of the labels, beside the supervised baseline) and MAE's
# decoder-depth ablation (ViT-L, ImageNet top-1, fine-tuned vs linear probe)
TABLE7 = {0.01: (48.4, 75.5), 0.1: (80.4, 87.8)}  # fraction -> (supervised, SimCLR)
MAE_DECODER = {1: (84.8, 65.5), 8: (84.9, 73.5)}  # decoder blocks -> (fine-tune, linear)


def published(ctx: Context, probes: Probes, fractions) -> None:
    """Published figures beside ours, linear-probe and fine-tuned numbers each beside its
    kind: another scale (ImageNet / CIFAR-10, ResNets and ViT-L, hundreds of epochs), printed
    for orientation, never compared numerically. Run after :func:`.vit_mae.evaluate` (the MAE
    rows read what it recorded)."""
    key = "linear_probe_test_accuracy"
    table, eff = probes.table, probes.label_efficiency
    rows = [
        [
            "SimCLR, ResNet-18, CIFAR-10 (solo-learn)",
            "linear probe",
            "0.9074",
            f"SimCLR linear probe {table[contrastive.SIMCLR][key]:.4f}",
        ],
        [
            "SimCLR, CIFAR-10, 200 epochs (lightly)",
            "weighted kNN",
            "0.847",
            f"SimCLR kNN {table[contrastive.SIMCLR]['knn_test_accuracy']:.4f}",
        ],
    ]
    for fraction in fractions:
        if fraction not in TABLE7:
            continue
        sup, simclr = TABLE7[fraction]
        e = eff[fraction]
        rows.append(
            [
                f"ImageNet {fraction:.0%} labels, top-5, ResNet-50: supervised {sup}, SimCLR "
                f"{simclr} (lecture's Table 7)",
                f"fine-tuned ({fraction:.0%} labels)",
                f"{simclr - sup:+.1f} points",
                f"{fraction:.0%} labels, top-1: scratch {e['scratch']['mean']:.3f}, SimCLR "
                f"fine-tuned {e[FINETUNE]['mean']:.3f} "
                f"({e[FINETUNE]['mean'] - e['scratch']['mean']:+.3f}); its linear probe "
                f"{e[contrastive.SIMCLR]['mean']:.3f}",
            ]
        )
    rows.append(
        [
            "ImageNet, ResNet-50: supervised 76.5, MoCo v1 60.6, MoCo v2 67.5 (lecture's MoCo "
            "v2 table)",
            "linear probe",
            "v2 - v1 = +6.9",
            f"supervised {table['supervised'][key]:.3f}, MoCo v1 "
            f"{table[contrastive.MOCO_V1][key]:.3f}, v2 {table[contrastive.MOCO_V2][key]:.3f}",
        ]
    )
    mae = ctx.metrics.get("mae_ablation", {})
    ours = "; ".join(
        f"decoder {int(m['decoder_depth'])} block(s): fine-tuned "
        f"{m['finetune_test_accuracy']:.3f}, linear {m[key]:.3f}"
        for m in (mae[r] for r in ("default", "decoder_deep") if r in mae)
    )
    for blocks, (ft, lin) in MAE_DECODER.items():
        rows.append(
            [
                f"MAE ViT-L, ImageNet, decoder of {blocks} block(s): fine-tuned {ft}, linear "
                f"{lin} (lecture's MAE ablation)",
                "fine-tuned vs linear probe",
                f"ft - lin = {ft - lin:+.1f}",
                ours if blocks == min(MAE_DECODER) else "(the same runs)",
            ]
        )
    ctx.table(
        "published_reference",
        ["setup", "protocol", "published", "ours (default profile: MNIST 12x12, small encoders)"],
        rows,
        note="different data, models and schedules: orientation only; the full profile is "
        "where CIFAR-10-scale runs belong. Table 7 and MAE report fine-tuned numbers (the "
        "whole encoder trained on the labels), the other rows frozen features",
    )
