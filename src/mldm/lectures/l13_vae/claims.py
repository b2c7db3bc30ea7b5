"""Every claim L13's VAE half checks, in the lecture's order, each with its lines and kind."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, between, gt, lt

CLAIMS = ClaimSet(
    Claim(
        "elbo_is_em_bound",
        "For a Gaussian mixture (the EM lecture's GaussianMixture on iris) and random q(z), "
        "the VAE form E_q[log p(x|z)] − KL(q||p(z)) equals EM's L(q, θ) and log p(x) − "
        "KL(q||p(z|x)), p(z|x) the E-step's responsibilities, and KL ≥ 0 (max |Δ|)",
        "5846-5866",
        lt(1e-10),
        exact=True,
        kind="identity",
    ),
    Claim(
        "e_step_makes_elbo_tight",
        "EM's E-step q = p(z|x; θ) makes ELBO = log p(x; θ) (max |Δ| per sample)",
        "5862-5866",
        lt(1e-10),
        exact=True,
        kind="identity",
    ),
    Claim(
        "m_step_raises_elbo_by_q",
        "With q fixed at the E-step's posterior, ELBO(q, θ) − Q(θ; θ^(t)) does not depend on θ: "
        "the M-step raises the ELBO by exactly ΔQ, and log p(θ^(t+1)) ≥ ELBO(q, θ^(t+1)) ≥ "
        "log p(θ^(t)) (max |Δ| and violations)",
        "5862-5866",
        lt(1e-10),
        exact=True,
        kind="identity",
    ),
    Claim(
        "gaussian_kl_matches_torch",
        "The closed-form KL(N(μ, σ²) || N(0, I)) = ½Σ(μ² + σ² − 1 − log σ²) equals "
        "torch.distributions.kl_divergence on the encoder's test outputs (max |Δ|, float64)",
        "5890-5896",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "gaussian_kl_is_an_expectation",
        "The same KL as E_q[log q(z) − log p(z)] by Monte Carlo (relative error of the test mean)",
        "5890-5896",
        lt(0.01),
        exact=True,
        kind="identity",
    ),
    Claim(
        "reconstruction_is_bernoulli_log_likelihood",
        "The reconstruction term log p(x|z) = Σ x l − softplus(l) equals −binary_cross_"
        "entropy_with_logits and torch.distributions.Bernoulli.log_prob (max |Δ|, float64)",
        "5890-5896",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "reparameterization_gradient",
        "z = μ + σε makes the sample differentiable: the MC gradient of E_q‖z‖² w.r.t. (μ, "
        "log σ²) matches (2μ, σ²) (worst relative error)",
        "5880-5896",
        lt(0.05),
        exact=True,
        kind="identity",
    ),
    Claim(
        "vae_beats_independent_pixels",
        "The trained VAE's test −ELBO (nats per image, Bernoulli pixels) is below the "
        "independent-pixel Bernoulli model's −log p(x) by more than 50 nats",
        "5838-5896",
        gt(50.0),
        kind="effect",
    ),
    Claim(
        "elbo_gap_is_posterior_kl",
        "2-D VAE: log p(x) by grid quadrature − ELBO (Monte Carlo, analytic KL) = KL(q_φ(z|x) "
        "|| p_θ(z|x)) by Gauss-Hermite quadrature in q's frame (|mean Δ| over test images, nats)",
        "5852-5866",
        lt(0.1),
        kind="identity",
    ),
    Claim(
        "iwae_closes_the_gap",
        "2-D VAE: the importance-weighted bound with the largest k lies between the ELBO and "
        "log p(x) by quadrature and closes most of the gap (share of log p(x) − ELBO closed; "
        "the rest is the posterior's non-Gaussian part that k samples from q still miss)",
        "5852-5866",
        between(0.5, 1.01),
        kind="effect",
    ),
    Claim(
        "iwae_tightens_with_k",
        "16-D VAE: the IWAE bound rises with k from the ELBO (k = 1) toward log p(x): smallest "
        "rise of the test mean between consecutive k (nats)",
        "5852-5866",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "beta_trades_reconstruction_for_kl",
        "A larger weight β on the KL lowers KL(q||p(z)) and raises the reconstruction error "
        "(smallest step over consecutive β of either, mean over seeds less two standard errors)",
        "5890-5896",
        gt(0.0),
        kind="effect",
    ),
)
