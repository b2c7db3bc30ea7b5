"""Every claim L14 checks, in the lecture's order, each with its lines and kind."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, ge, gt, increasing, lt

CLAIMS = ClaimSet(
    Claim(
        "variance_stays_one",
        "Question 1: with the factor √(1-β_t), Var(x_t) = (1-β_t)·1 + β_t·1 = 1: |Var(x_T) - 1| "
        "after T steps of the chain from unit-variance x_0 (Monte Carlo)",
        "6092, 6100-6110",
        lt(0.02),
        exact=True,
        kind="effect",
    ),
    Claim(
        "variance_explodes_without_factor",
        "Without √(1-β_t) the variance grows (1 + Σβ_t): Var(x_T) of x_t = x_{t-1} + √β_t ε_t",
        "6092, 6100-6110",
        gt(1.5),
        exact=True,
        kind="effect",
    ),
    Claim(
        "closed_form_matches_chain",
        "q(x_t|x_0) = N(√ᾱ_t x_0, (1-ᾱ_t)I): mean and variance of x_{T/2} from the chain run step "
        "by step against the closed form (largest gap over n draws)",
        "6114-6136",
        lt(0.01),
        exact=True,
        kind="identity",
    ),
    Claim(
        "q_xT_is_standard_normal",
        "Question 2: q(x_T) tends to N(0, I): KL(q(x_T|x_0) ‖ N(0, 1)) at the worst x_0 in [-1, 1] "
        "for the lecture's chain, β_t = 0.01 and T = 1000 (ours is recorded beside)",
        "6094, 6159, 6278-6281",
        lt(1e-3),
        exact=True,
        kind="effect",
    ),
    Claim(
        "posterior_matches_bayes",
        "q(x_{t-1}|x_t, x_0) = N(μ̃_t, β̃_t I): chain draws whose x_t falls near a value, their "
        "x_{t-1} mean (gap in posterior sd) and variance (ratio - 1) against μ̃_t and β̃_t",
        "6170-6186, 6198-6207",
        lt(0.05),
        exact=True,
        kind="identity",
    ),
    Claim(
        "posterior_mean_uses_x0_early",
        "For t < 20 μ̃_t is set by x_t and x_0 together (β_t = 0.01): x_0's share of the "
        "weights in μ̃_t, w₀/(w₀ + w_t), stays at 5% or more for every t < 20 (smallest share)",
        "6189-6196",
        ge(0.05),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "posterior_mean_is_xt_later",
        "For t ≥ 20 μ̃_t is mainly x_t (β_t = 0.01): x_0's share is under 5% for every t ≥ 20 "
        "(largest share)",
        "6189-6196",
        lt(0.05),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "mean_from_eps_is_posterior_mean",
        "μ̃_t = (x_t - β_t/√(1-ᾱ_t) ε)/√(1-β_t) with x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε (max abs "
        "difference, t = 2..T)",
        "6300-6312",
        lt(1e-10),
        exact=True,
        kind="identity",
    ),
    Claim(
        "lambda_slide_form_drops_half",
        "λ_t = β_t²/(2β̃_t(1-β_t)(1-ᾱ_t)) simplifies to β_t/(2(1-β_t)(1-ᾱ_{t-1})); the slide "
        "prints it without the 2: max |2λ_t/slide - 1|",
        "6316-6321",
        lt(1e-10),
        exact=True,
        kind="identity",
    ),
    Claim(
        "lambda_overweights_small_t",
        "λ_t over-weights small t: λ_2/λ_T on our schedule",
        "6325",
        gt(3.0),
        exact=True,
        kind="effect",
    ),
    Claim(
        "simple_loss_samples_better",
        "Setting λ_t = 1 (L_simple) gives better samples: pixel-statistics distance to the test "
        "digits (EMA weights), λ_t-weighted minus the mean over the L_simple seeds",
        "6325-6334",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "simple_loss_lower_frechet",
        "The same in the feature space of a LeNet trained on the digits: Fréchet distance to the "
        "test digits (EMA weights), λ_t-weighted minus the mean over the L_simple seeds",
        "6325-6334",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "ema_steadies_ddpm",
        "EMA of the weights (the DDPM paper's sampling practice, not the slides') gives steady "
        "samples: the raw final weights' Fréchet distance varies across the L_simple seeds far "
        "more than the EMA weights' (variance ratio raw/EMA over the F-test's one-sided 95% "
        "critical value; the mean gain, raw - EMA, is recorded beside it)",
        "6330-6358",
        gt(1.0),
        kind="effect",
    ),
    Claim(
        "sample_quality_ranking",
        "VAE samples are blurry, diffusion samples finer (the lecture's comparison of generative "
        "models): Fréchet distance to the test digits of real training digits < DDPM (L_simple, "
        "EMA, mean over seeds) < VAE (L13) < uniform noise",
        "5911-5922",
        increasing(),
        kind="effect",
    ),
    Claim(
        "frechet_matches_torchmetrics",
        "Our Fréchet distance ‖μ_r - μ_g‖² + tr(Σ_r + Σ_g - 2(Σ_r^½ Σ_g Σ_r^½)^½) equals "
        "torchmetrics' FrechetInceptionDistance with the same feature extractor (relative gap)",
        "5911-5922",
        lt(1e-4),
        exact=True,
        kind="oracle",
    ),
)

__all__ = ["CLAIMS"]
