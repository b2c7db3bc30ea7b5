"""Every claim L04 checks, in the lecture's order: basis functions, overfitting, model
selection, regularization."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, equals, gt, lt

CLAIMS = ClaimSet(
    # --- basis functions -------------------------------------------------------------------
    Claim(
        "basis_model_is_linear_regression",
        "w* = (ΦᵀΦ)⁻¹Φᵀy: linear regression with X replaced by Φ equals scikit-learn's "
        "PolynomialFeatures + LinearRegression (max relative coefficient difference, "
        "synthetic, the slide's degrees 1-5)",
        "1028-1038",
        lt(1e-8),
        kind="oracle",
    ),
    Claim(
        "hard_sigmoids_make_polyline",
        "The red polyline = a constant + a sum of hard sigmoids: least squares on the "
        "hard-sigmoid basis reproduces it exactly (max |fit − np.interp| on a fine grid)",
        "941-955",
        lt(1e-9),
        kind="identity",
    ),
    # --- overfitting -----------------------------------------------------------------------
    Claim(
        "train_mse_never_increases",
        "A higher degree always fits the training data at least as well: increases of the "
        "training MSE from one degree to the next (synthetic and mcycle, relative tol 1e-9)",
        "1066, 1084",
        equals(0),
        kind="effect",
    ),
    Claim(
        "synthetic_test_min_interior",
        "…but not new data: the synthetic test MSE is lowest at an interior degree "
        "(degrees from its argmin to the nearer end of the swept degrees 1..max_degree; 0 = "
        "lowest at the straight line or at the highest degree)",
        "1086, 1094",
        gt(0),
        kind="effect",
    ),
    Claim(
        "mcycle_cv_min_interior",
        "…and on mcycle the K-fold validation MSE is lowest at an interior degree: it falls "
        "(underfitting) then rises (overfitting) (degrees from its argmin to the nearer end "
        "of the swept degrees 1..mcycle_max_degree)",
        "1181-1186",
        gt(0),
        kind="effect",
    ),
    Claim(
        "synthetic_overfit_ratio",
        "Overfitting: at the highest degree the K-fold validation MSE is many times its "
        "minimum (ratio, synthetic)",
        "1092-1105",
        gt(10),
        kind="effect",
    ),
    Claim(
        "mcycle_overfit_ratio",
        "Overfitting: the same ratio on mcycle",
        "1092-1105",
        gt(10),
        kind="effect",
    ),
    Claim(
        "degree1_underfits",
        "Underfitting: the straight line's test MSE is well above the best degree's "
        "(ratio to the minimum test MSE, the smaller of the two datasets)",
        "1120-1124, 1185",
        gt(1.5),
        kind="effect",
    ),
    # --- model selection -------------------------------------------------------------------
    Claim(
        "kfold_matches_sklearn",
        "Our K-fold CV MSE equals scikit-learn cross_val_score on KFold(K, shuffle, seed) "
        "(max relative difference over every degree of both datasets)",
        "1211-1218",
        lt(1e-9),
        kind="oracle",
    ),
    Claim(
        "loo_closed_form_matches_brute_force",
        "Leave-one-out MSE in closed form, mean (e_i/(1−h_ii))², equals N refits on N−1 "
        "samples (max relative difference, synthetic degrees whose leverages h_ii stay "
        "below 1 − 1e-6; nearer 1 both sides lose digits as ε/(1 − h_ii))",
        "1194-1200",
        lt(1e-8),
        kind="identity",
    ),
    Claim(
        "small_validation_set_is_noisy",
        "The validation set must not be too small: the hold-out MSE estimate spreads more "
        "over random splits with 5% held out than with 30% (ratio of std's, mcycle)",
        "1176",
        gt(1.5),
        kind="effect",
    ),
    Claim(
        "aic_bic_match_statsmodels",
        "AIC = 2M − 2 log l and BIC = M log N − 2 log l equal statsmodels OLS aic/bic "
        "(max |difference| over every degree of both datasets)",
        "1222-1235",
        lt(1e-6),
        kind="oracle",
    ),
    Claim(
        "bic_never_above_aic",
        "BIC's log N > 2 penalty picks a degree no higher than AIC's "
        "(violations over the synthetic draw, mcycle and every replicate)",
        "1226-1235",
        equals(0),
        kind="effect",
    ),
    Claim(
        "selection_finds_true_degree",
        "Model selection finds the right model: over fresh synthetic training sets, the "
        "degree picked most often by hold-out, K-fold, LOO and BIC is the true 3 "
        "(largest |mode − 3| of the four)",
        "1156-1163, 1167-1235",
        equals(0),
        kind="effect",
    ),
    # --- regularization --------------------------------------------------------------------
    Claim(
        "ridge_matches_sklearn",
        "L2: the closed form (ΦᵀΦ + αI)⁻¹Φᵀy equals scikit-learn Ridge "
        "(max relative difference, diabetes and the synthetic degree-12 fit)",
        "1247-1255",
        lt(1e-8),
        kind="oracle",
    ),
    Claim(
        "weight_decay_is_ridge",
        "L2 as weight decay: gradient descent with w ← w − r(∇L + 2λw) reaches the ridge "
        "solution (relative difference, diabetes)",
        "1259-1262",
        lt(1e-6),
        kind="identity",
    ),
    Claim(
        "l2_rescues_high_degree",
        "L2 regularization tames the degree-12 fit: test MSE without penalty over test MSE "
        "with λ (median over fresh synthetic training sets)",
        "1284-1304",
        gt(2),
        kind="effect",
    ),
    Claim(
        "weight_norm_shrinks",
        "A larger λ prefers smaller w: increases of ||w|| along the λ grid "
        "(diabetes and synthetic degree-12 paths)",
        "1259-1261",
        equals(0),
        kind="effect",
    ),
    Claim(
        "lasso_matches_sklearn",
        "L1: our Lasso (coordinate descent with soft thresholding) equals scikit-learn Lasso "
        "(max |coefficient difference|, diabetes)",
        "1309-1314",
        lt(1e-4),
        kind="oracle",
    ),
    Claim(
        "l1_gives_exact_zeros",
        "L1 gives a sparse w: exact zeros among the 10 diabetes weights",
        "1328-1329",
        gt(0),
        kind="effect",
    ),
    Claim(
        "l2_shrinks_l1_thresholds",
        "…while L2 with the same λ only shrinks: on an orthonormal design (the diabetes "
        "inputs orthonormalized, XᵀX = N·I) our Ridge scales every least-squares weight by "
        "1/(1 + λ), never to 0, and our Lasso soft-thresholds it to sign(w)(|w| − λ/2)₊, "
        "exact zeros included (max |Δ| over both / max |w_LS|)",
        "1259-1261, 1328-1329",
        lt(1e-8),
        kind="identity",
    ),
)
