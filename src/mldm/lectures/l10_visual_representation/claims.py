"""Every claim L10 checks, in the lecture's order, each with its lines and kind."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, gt, le, lt

CLAIMS = ClaimSet(
    Claim(
        "linear_ae_spans_pca",
        "PCA can be seen as a linear autoencoder: the decoder of a linear autoencoder trained "
        "with MSE spans PCA's top-k subspace (largest principal angle, degrees)",
        "4222",
        lt(1.0),
        kind="identity",
    ),
    Claim(
        "linear_ae_matches_pca_error",
        "... and so reconstructs the test digits as well as PCA with the same k (|test MSE ratio "
        "- 1|)",
        "4222",
        lt(1e-3),
        kind="identity",
    ),
    Claim(
        "info_nce_is_cross_entropy",
        "The loss over 2N views (line 4257) is the cross-entropy of the 2N-1 candidates with the "
        "positive as target (torch's cross_entropy on the same z; relative gap)",
        "4257-4262",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "mi_bound_below_ceiling",
        "I(Z; Z+) ≥ log(2N-1) - Loss: the bound never exceeds log(2N-1) (largest bound minus "
        "log(2N-1) over every epoch of every SimCLR run)",
        "4370-4380",
        le(0.0),
        exact=True,
        kind="identity",
    ),
    Claim(
        "mi_bound_rises",
        "Minimizing the loss maximizes the bound on I(Z; Z+): last epoch minus first, SimCLR",
        "4380",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "simclr_beats_random_init",
        "Contrastive features are far better than the same encoder at random initialization: "
        "SimCLR's linear probe minus random init's (all training labels)",
        "4245-4285",
        gt(0.05),
        kind="effect",
    ),
    Claim(
        "moco_beats_random_init",
        "So are MoCo's (v1: linear head, random crops, constant lr): its linear probe minus "
        "random init's",
        "4382-4416",
        gt(0.05),
        kind="effect",
    ),
    Claim(
        "moco_mlp_head_helps",
        "MoCo v2's table (a): an MLP head instead of v1's linear one improves the linear probe "
        "(MoCo v1 + MLP minus v1, means over seeds, minus 2 standard errors)",
        "4440-4447",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "moco_aug_plus_helps",
        "... (b): stronger augmentation with blur (aug+) improves it (v1 + aug+ minus v1, "
        "means over seeds, minus 2 standard errors)",
        "4440-4447",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "moco_cosine_schedule_helps",
        "... a cosine learning-rate schedule improves it (v1 + cos minus v1, means over seeds, "
        "minus 2 standard errors)",
        "4440-4447",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "moco_v2_beats_v1",
        "... (d): MoCo v2, all three, beats MoCo v1 (60.6 -> 67.5 on ImageNet; v2 minus v1, "
        "means over seeds, minus 2 standard errors)",
        "4440-4447",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "h_probes_better_than_z",
        "The representation h before the projection head probes better than z = g(h) (linear "
        "probe h - z, mean over the SimCLR runs minus 2 standard errors)",
        "4322-4330",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "larger_batch_probes_better",
        "A large training batch is essential to SimCLR: linear probe of the largest batch minus "
        "the smallest (same epochs, mean over seeds), minus 2 standard errors",
        "4332-4337",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "ssl_beats_scratch_few_labels",
        "With 1% of the labels a linear probe on self-supervised features beats the same CNN "
        "trained from scratch on them (best of SimCLR / MoCo v1 minus scratch, means over label "
        "subsets, minus 2 standard errors)",
        "4290-4318",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "ssl_advantage_shrinks_with_labels",
        "The advantage of pre-training shrinks as labels grow (the table: SimCLR +27 points over "
        "the supervised baseline at 1%, +7 at 10%): SSL minus scratch at 1% minus the same at 10%",
        "4290-4318",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "finetune_beats_scratch_1pct",
        "Fine-tuning the SimCLR encoder end to end on 1% of the labels beats the same network "
        "trained from scratch on them (the lecture's Table 7: 75.5 vs 48.4 top-5; means over "
        "label subsets, minus 2 standard errors)",
        "4264-4288",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "finetune_beats_scratch_10pct",
        "... and on 10% of the labels (87.8 vs 80.4 top-5; means over label subsets, minus 2 "
        "standard errors)",
        "4264-4288",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "cnn_beats_vit_on_small_data",
        "On a small training set the CNN does better than a ViT (its inductive bias for images): "
        "test accuracy CNN - ViT, both from scratch on the small labelled set (means over seeds "
        "of init and subset, minus 2 standard errors)",
        "4516-4520",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "mae_finetune_beats_probe",
        "MAE features are better fine-tuned than linearly probed (the lecture's ft > lin in "
        "every ablation): fine-tuned ViT minus a linear probe on the frozen encoder, same labels",
        "4590-4636",
        gt(0.0),
        kind="effect",
    ),
)

__all__ = ["CLAIMS"]
