"""Every claim L07 checks, in the lecture's order, each with its lines and kind."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, between, equals, gt, lt

CLAIMS = ClaimSet(
    Claim(
        "sgd_matches_torch",
        "SGD w_{t+1} = w_t − lr ∇f(w_t) follows torch.optim.SGD exactly (max abs parameter "
        "difference over the trajectory, float64)",
        "2599-2606",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "momentum_matches_torch",
        "Momentum v_t = ρv_{t−1} + ∇f, w_{t+1} = w_t − lr v_t follows torch.optim.SGD("
        "momentum=ρ, dampening=0) exactly",
        "2626-2640",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "rmsprop_matches_torch",
        "RMSProp s_t = ρs + (1−ρ)(∇f)², w −= lr ∇f ⊘ √s_t follows torch.optim.RMSprop(alpha=ρ) "
        "exactly (same ε)",
        "2643-2656",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "adam_matches_torch",
        "Adam with bias correction follows torch.optim.Adam exactly (same ε)",
        "2680-2698",
        lt(1e-12),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "adam_beta1_zero_is_rmsprop",
        "With β1 = 0 the slide's Adam is RMSProp (max abs parameter difference)",
        "2690-2698",
        equals(0.0),
        exact=True,
        kind="identity",
    ),
    Claim(
        "slide_adam_first_step",
        "Without bias correction the slide's Adam starts with steps of lr·(1−β1)/√(1−β2) = "
        "3.16·lr, not lr (first step / lr)",
        "2680-2698",
        between(3.16, 3.17),
        exact=True,
        kind="worked_example",
    ),
    Claim(
        "moving_average_weights_sum",
        "The moving average's weights (1−ρ)ρ^k sum to 1 − ρⁿ → 1: fed a unit gradient from "
        "s₀ = 0, our RMSProp's running average is s_t = 1 − ρᵗ (max |s_t − (1 − ρᵗ)| over "
        "t = 1..200, ρ = 0.9, float64)",
        "2660-2678",
        lt(1e-12),
        exact=True,
        kind="identity",
    ),
    Claim(
        "momentum_beats_sgd_on_ill_conditioned_valley",
        "Pathological curvature slows SGD; momentum rolls through: steps to reach f < 1e-6 on "
        "a quadratic with condition number κ, SGD over momentum (same lr)",
        "2618-2640",
        gt(3.0),
        exact=True,
        kind="effect",
    ),
    Claim(
        "adaptive_optimizers_beat_sgd",
        "On the same MLP and epochs, Adam reaches a lower training loss than plain SGD "
        "(SGD − Adam final training loss)",
        "2599-2698",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "whitened_covariance_is_identity",
        "PCA and ZCA whitening give covariance I (max |C − I| over both, digits, ε = 0 on the "
        "non-constant pixels)",
        "2706-2716",
        lt(1e-6),
        exact=True,
        kind="identity",
    ),
    Claim(
        "preprocessing_lowers_condition_number",
        "Standardization reduces the condition number of the input covariance (the curvature "
        "GD sees): κ(raw)/κ(standardized), digits",
        "2706-2716",
        gt(1.0),
        exact=True,
        kind="effect",
    ),
    Claim(
        "standardized_inputs_train_faster",
        "With the same SGD learning rate, raw inputs (pixels 0-16, badly conditioned) train "
        "erratically while standardized ones descend smoothly: mean training loss over the "
        "epochs, raw over standardized (digits)",
        "2706-2716",
        gt(1.0),
        kind="effect",
    ),
    Claim(
        "zero_init_is_symmetric",
        "Zero initialization never breaks the symmetry: after training every hidden unit is "
        "the same (distinct hidden units)",
        "2718-2732",
        equals(1),
        kind="effect",
    ),
    Claim(
        "naive_init_vanishes_in_deep_nets",
        "W ~ N(0, 0.01²) is fine for shallow nets but activations vanish with depth: last-layer "
        "activation std over first-layer std (10 tanh layers)",
        "2718-2726",
        lt(1e-3),
        kind="effect",
    ),
    Claim(
        "scaled_init_keeps_activations",
        "σ_i = 1/√(n_{i−1}) (and Xavier for tanh, He for ReLU) keeps the activation scale "
        "through depth: worst last/first std ratio over lecture/tanh, xavier/tanh, he/relu",
        "2730-2732",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "he_init_trains_deep_relu_net",
        "A deep ReLU net trains from He initialization but not from N(0, 0.01²) "
        "(naive − He final training loss)",
        "2718-2732",
        gt(0.5),
        kind="effect",
    ),
    Claim(
        "dropout_scalings_agree_in_expectation",
        "Test-time scaling h·(1−p) and inverted dropout h·m/(1−p) both make the test-time "
        "activation the training-time expectation (worst Monte Carlo deviation, in standard "
        "errors, over 50 units and both forms)",
        "2744-2762",
        lt(5.0),
        exact=True,
        kind="identity",
    ),
    Claim(
        "dropout_reduces_overfitting",
        "Dropout reduces overfitting: once both nets fit the 1000 training digits, the test "
        "cross-entropy without dropout minus with (inverted) dropout",
        "2734-2742",
        gt(0.0),
        kind="effect",
    ),
    Claim(
        "norm_layers_match_torch",
        "Batch norm (1-D and 2-D, train and eval), layer norm and instance norm from the "
        "formulas equal torch.nn's modules (max abs difference, float64)",
        "2764-2821",
        lt(1e-10),
        exact=True,
        kind="oracle",
    ),
    Claim(
        "bn_eval_is_per_sample",
        "At test time batch norm uses stored statistics, so a sample's output no longer "
        "depends on its batch: change in one sample's output when the rest of the batch "
        "changes, eval over train mode",
        "2786-2791",
        lt(1e-12),
        exact=True,
        kind="identity",
    ),
    Claim(
        "batch_norm_speeds_up_training",
        "Batch norm keeps a deep sigmoid MLP trainable: final training loss without BN minus "
        "with BN (same SGD)",
        "2764-2772",
        gt(0.3),
        kind="effect",
    ),
    Claim(
        "learning_rate_sweet_spot",
        "The training loss curve brackets a good learning rate: the best final loss is at an "
        "interior lr of the sweep (too small: slow; too large: diverges)",
        "2838-2845",
        equals(True),
        kind="effect",
    ),
)
