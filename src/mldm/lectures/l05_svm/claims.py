"""Every claim L05 checks, in the lecture's order: the maximum-margin hyperplane, the soft
margin, kernels, scikit-learn's libsvm as oracle, losses."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, between, equals, ge, gt, le, lt

CLAIMS = ClaimSet(
    # --- the maximum-margin hyperplane --------------------------------------------------------
    Claim(
        "hard_margin_feasible_on_separable",
        "On the separable blobs some (w, b) satisfies y(wᵀx + b) >= 1 for all n (LP status)",
        "1496-1500",
        equals("feasible"),
        kind="effect",
    ),
    Claim(
        "primal_equals_dual",
        "The primal QP (SLSQP on ½||w||², y(wᵀx+b) >= 1) and our SMO on the dual give the same "
        "hyperplane: max |Δ(w, b)| / ||w||",
        "1551-1600",
        lt(1e-6),
        kind="identity",
    ),
    Claim(
        "margin_is_maximal",
        "No direction separates with a wider margin: (best margin over 20,000 directions − "
        "SVM margin) / SVM margin (negative: the grid misses the exact optimum direction)",
        "1474-1500",  # the margin (1476) and its maximization (1498-1500)
        between(-1e-3, 1e-7),
        kind="identity",
    ),
    Claim(
        "margin_wider_than_logistic",
        "The SVM margin minus logistic regression's margin on the same separable data "
        "(cross-entropy picks a separating line, not the widest one)",
        "1370-1410",
        gt(0),
        kind="effect",
    ),
    Claim(
        "support_vectors_on_margin",
        "KKT complementary slackness: every support vector (a_n > 0) has y f(x) = 1 "
        "(max |y f(x) − 1| over them)",
        "1656-1690",
        lt(1e-5),
        kind="identity",
    ),
    Claim(
        "multipliers_sparse",
        "Most a_n* are 0: the share of training points that are support vectors",
        "1640-1645",
        lt(0.25),
        kind="effect",
    ),
    Claim(
        "same_support_vectors_as_libsvm",
        "Hard margin: the same support vectors as scikit-learn's libsvm (C = 1e6)",
        "1656-1690",
        equals(True),
        kind="oracle",
    ),
    Claim(
        "b_star_from_support_vectors",
        "b* = mean over support vectors of y − Σ a_m y_m xᵀx_m equals libsvm's intercept "
        "(absolute difference)",
        "1574-1580",
        lt(1e-6),
        kind="oracle",
    ),
    # --- soft margin ---------------------------------------------------------------------------
    Claim(
        "hard_margin_infeasible_on_overlap",
        "When the classes overlap no hyperplane satisfies every constraint (LP status)",
        "1715-1725",
        equals("infeasible"),
        kind="effect",
    ),
    Claim(
        "larger_C_fewer_support_vectors",
        "Support vectors at the smallest C minus at the largest C (overlapping blobs)",
        "1735-1790",
        gt(0),
        kind="effect",
    ),
    Claim(
        "larger_C_narrower_margin",
        "The margin 1/||w|| never widens as C grows (number of increases by more than 0.1% "
        "over the C grid)",
        "1735-1790",
        equals(0),
        kind="effect",
    ),
    Claim(
        "soft_margin_kkt",
        "KKT at the solver's tol: 0 <= a <= C, y f(x) >= 1 − tol where a < C, <= 1 + tol "
        "where a > 0, Σ a y = 0 (largest violation beyond tol; every C on the blobs, every "
        "kernel on breast_cancer)",
        "1656-1690",
        lt(1e-9),
        kind="identity",
    ),
    # --- kernels -------------------------------------------------------------------------------
    Claim(
        "poly_kernel_is_explicit_basis",
        "(γxᵀx' + c)^2 = φ(x)ᵀφ(x') with φ the explicit degree-2 basis, and the SVC with that "
        "kernel equals a linear SVC on φ(x) (max relative decision difference)",
        "1800-1840",
        lt(1e-5),
        kind="identity",
    ),
    Claim(
        "gaussian_feature_map",
        "The slide's infinite φ(x) = e^{-x²/2σ²}[1, x/(σ√1!), x²/(σ²√2!), ...] truncated at "
        "30 terms reproduces exp(−(x−x')²/2σ²) (max abs error on a grid)",
        "1884-1890",
        lt(1e-10),
        kind="identity",
    ),
    Claim(
        "kernels_are_psd",
        "Mercer: linear, polynomial and Gaussian kernel matrices are positive semi-definite "
        "(smallest eigenvalue / largest, worst kernel)",
        "1862-1872",
        ge(-1e-10),
        kind="effect",
    ),
    Claim(
        "non_kernel_not_psd",
        "A similarity that is not a kernel, −||x − x'||², has a negative eigenvalue "
        "(smallest / largest)",
        "1862-1872",
        lt(-0.01),
        kind="effect",
    ),
    Claim(
        "rbf_beats_linear_on_moons",
        "A non-linear boundary needs a kernel: rbf minus linear test accuracy on two moons",
        "1800-1812",
        gt(0.05),
        kind="effect",
    ),
    Claim(
        "small_gamma_underfits",
        "Too small γ (a too-wide Gaussian) underfits: best test accuracy over γ minus that at "
        "the smallest γ",
        "1876-1880",
        gt(0.02),
        kind="effect",
    ),
    Claim(
        "large_gamma_overfits",
        "Too large γ overfits: train − test accuracy at the largest γ minus that at the best γ",
        "1876-1880",
        gt(0.05),
        kind="effect",
    ),
    # --- scikit-learn (libsvm) as oracle -----------------------------------------------------
    Claim(
        "accuracy_matches_libsvm",
        "Test accuracy of our SVC vs scikit-learn's SVC, same kernel, C and γ (max |Δ| over "
        "breast_cancer, wine, digits × linear, poly, rbf)",
        "1335-2018",
        le(0.01),
        kind="oracle",
    ),
    Claim(
        "predictions_agree_with_libsvm",
        "Share of test points where our prediction equals libsvm's (worst set × kernel)",
        "1335-2018",
        ge(0.99),
        kind="oracle",
    ),
    Claim(
        "decision_values_match_libsvm",
        "Decision values Σ a_n y_n k(x_n, x) + b* vs libsvm's (max |Δ| / max |f|, worst set × "
        "kernel)",
        "1900-1905",
        lt(2e-2),
        kind="oracle",
    ),
    # --- losses --------------------------------------------------------------------------------
    Claim(
        "hinge_bounds_zero_one",
        "E_SV(z) = max(0, 1 − z) >= E_Ideal(z) everywhere (min difference on a grid), so the "
        "hinge loss bounds the number of training errors",
        "1990-2010",
        ge(0),
        kind="effect",
    ),
    Claim(
        "zero_one_search_fewest_errors",
        "Minimizing the 0-1 loss directly (an exhaustive search over lines) leaves no more "
        "training errors than hinge or logistic: its train error minus the smaller of theirs",
        "1930-1945",
        between(-1, 0),
        kind="effect",
    ),
    Claim(
        "surrogates_agree",
        "Hinge (SVM) and logistic (L02) losses give classifiers of nearly equal test accuracy "
        "on the overlapping blobs (|Δ|)",
        "2010-2018",
        lt(0.03),
        kind="effect",
    ),
)
