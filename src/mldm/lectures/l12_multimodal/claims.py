"""Every claim L12 checks, in the lecture's order, each with its lines and kind."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, gt, lt

CLAIMS = ClaimSet(
    Claim(
        "contrastive_loss_is_symmetric_cross_entropy",
        "The contrastive loss is taken along both the image and the text dimension: our loss on "
        "the trained CLIP's test logits against torch's cross-entropy over rows and columns, "
        "averaged (absolute gap)",
        "5320-5324",
        lt(1e-6),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "zero_shot_held_out_above_chance",
        "Zero-shot classification by prompts (lines 5335-5337) works for (shape, colour) "
        "combinations never seen in training: accuracy over the 24 classes divided by chance "
        "(1/24)",
        "5335-5337",
        gt(3.0),
        kind="effect",
    ),
    Claim(
        "zero_shot_digits_above_chance",
        'Zero-shot classification of MNIST-digit scenes by prompts "a {colour} digit {d} ...": '
        "accuracy over the 10 digits divided by chance (1/10), its mean over the contrastive "
        "seeds minus 2 standard errors",
        "5335-5337, 5355-5360",
        gt(2.0),
        kind="effect",
    ),
    Claim(
        "contrastive_best_at_equal_steps",
        "At equal compute contrastive pretraining beats predicting the exact caption and "
        "predicting its bag of words (the lecture's figure): final zero-shot accuracy, "
        "contrastive minus the better other objective, minus 2 standard errors (over seeds)",
        "5342-5351",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "contrastive_fastest",
        "... and converges fastest: zero-shot accuracy averaged over the first half of the "
        "epochs (the area under the early curve), contrastive minus the better other objective, "
        "minus 2 standard errors (over seeds)",
        "5342-5351",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "zero_shot_degrades_less_under_shift",
        "Zero-shot CLIP is more robust to a shift of the data distribution than a supervised "
        "classifier (the ImageNet-R / Sketch table): share of its clean accuracy kept on "
        "darker shades and on a striped fill (mean of the two), zero-shot CLIP minus the same "
        "ViT trained on the scene labels for equal steps, minus 2 standard errors (over seeds)",
        "5327-5337",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "cross_attention_matches_torch",
        "ITM and LM attend from the text to the image (cross-attention): the trained BLIP's "
        "first cross-attention layer against torch.nn.MultiheadAttention with its weights "
        "copied, on test scenes (max abs. difference)",
        "5430-5436",
        lt(1e-4),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "itm_hard_negatives_better",
        "ITM learns from hard negatives mined with the ITC similarities: share of test images "
        "whose true caption the ITM head scores above a caption wrong in one word, hard minus "
        "random negatives, minus 2 standard errors (over seeds)",
        "5430-5436",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "captions_state_the_scene",
        "The image-grounded decoder (LM) describes the image: share of test scenes whose "
        "greedy caption states every attribute right (by chance about 0.01: 1/96 for a shape "
        "scene, 1/120 for a digit scene)",
        "5437-5440",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "capfilt_removes_most_noise",
        "The filter removes incorrect captions: share of the corrupted web captions the "
        "fine-tuned ITM filter drops (mean over BLIP seeds)",
        "5445-5460",
        gt(0.5),
        kind="effect",
    ),
    Claim(
        "capfilt_keeps_clean_pairs",
        "... while keeping the correct ones: share of the clean web pairs kept (mean over BLIP "
        "seeds)",
        "5445-5460",
        gt(0.8),
        kind="effect",
    ),
    Claim(
        "capfilt_improves_recall",
        "Captioner + filter improve retrieval over the noisy set (Table 1): mean of "
        "image->text and text->image R@1, C+F minus neither, CLIPs trained for equal steps, "
        "minus 2 standard errors (over BLIP seeds)",
        "5462-5470",
        gt(0.0),
        kind="effect",
    ),
)

__all__ = ["CLAIMS"]
