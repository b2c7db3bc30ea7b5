"""Every claim L08 checks, with its kind and its lines in the course notes."""

from __future__ import annotations

from mldm.lectures.claims import Claim, ClaimSet, equals, ge, gt, le, lt

CLAIMS = ClaimSet(
    # --- ID3 on the lecture's tables -------------------------------------------------------
    Claim(
        "entropy_examples",
        "H = 2, 0.811, 0 bits for the uniform-of-4, (0.75, 0.25) and certain distributions "
        "(max |ours − scipy.stats.entropy(base=2)|; the slide prints 0.8133 for 0.8113)",
        "2981-3001",
        lt(1e-12),
        kind="oracle",
    ),
    Claim(
        "conditional_entropy_example",
        "The 6-row Y/Z table: H(Z) = 0.65, H(Z|Y) = 0.33, IG(Y) = 0.32 (printed numbers that "
        "ours, rounded to the slide's 2 decimals, do not reproduce)",
        "3032-3080",
        equals(0),
        kind="worked_example",
    ),
    Claim(
        "conditioning_never_adds_entropy",
        "H(Z) >= H(Z|Y) for every attribute of both tables (smallest H(Z) − H(Z|Y))",
        "3056-3065",
        ge(0),
        kind="effect",
    ),
    Claim(
        "movie_numbers_match_slide",
        "All 16 entropies and gains the slides print for the movie table (root and Lasseter "
        "branch), by the slide's rules: H(Like) cut to 2 decimals (0.918 → 0.91), H(Like|A) "
        "rounded, IG(A) the difference of those two printed numbers (printed numbers that "
        "ours do not reproduce)",
        "3088-3173",
        equals(0),
        kind="worked_example",
    ),
    Claim(
        "movie_root_is_director",
        "The attribute of largest information gain at the root of the movie table",
        "3118-3125",
        equals("Director"),
        kind="worked_example",
    ),
    Claim(
        "movie_tree_as_drawn",
        "ID3 grows the slide's tree: Director; Adamson, Singer -> Yes; Lasseter -> Type "
        "(tied with Length) -> Animated No, Comedy No, Drama Yes; fits all 9 movies",
        "3127-3190",
        equals(True),
        kind="worked_example",
    ),
    Claim(
        "tennis_tree_as_drawn",
        "ID3 on play-tennis: outlook at the root, humidity under sunny, wind under rain, "
        "overcast a leaf, temperature nowhere (the slide's questions a-c)",
        "2918-2945",
        equals(True),
        kind="worked_example",
    ),
    Claim(
        "gain_is_mutual_information",
        "IG(Y) = H(Z) − H(Z|Y) equals scikit-learn's mutual_info_score / ln 2 (max |Δ| over "
        "both tables' attributes)",
        "3067-3080",
        lt(1e-12),
        kind="oracle",
    ),
    # --- real-valued trees, overfitting, pruning ---------------------------------------------
    Claim(
        "tree_matches_sklearn",
        "Test accuracy of our entropy tree vs scikit-learn's DecisionTreeClassifier "
        "(criterion='entropy'), max |Δ| over breast_cancer, wine, digits",
        "3192-3200",
        le(0.02),
        kind="oracle",
    ),
    Claim(
        "grown_tree_overfits",
        "A fully grown tree on noisy labels: train minus test accuracy (train accuracy is 1)",
        "3201-3207",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "pruning_shrinks_tree",
        "Reduced-error pruning on a validation set: leaves after / leaves before",
        "3208-3245",
        lt(0.5),
        kind="effect",
    ),
    Claim(
        "pruning_keeps_validation_accuracy",
        "Pruned minus unpruned validation accuracy (nodes are cut only if that does not hurt)",
        "3208-3245",
        ge(0),
        kind="effect",
    ),
    Claim(
        "pruning_helps_test",
        "Pruned minus unpruned test accuracy on fresh data",
        "3208-3245",
        gt(0),
        kind="effect",
    ),
    # --- bagging and random forests -------------------------------------------------------------
    Claim(
        "ensembles_match_sklearn",
        "Test accuracy of our bagging / random forest / AdaBoost vs scikit-learn's with the "
        "same settings, max |Δ| over breast_cancer, wine, digits (mean over three seeds)",
        "3295-3449",
        le(0.02),
        kind="oracle",
    ),
    Claim(
        "bagging_beats_one_tree",
        "Digits: bagged trees minus a single tree, test accuracy",
        "3295-3330",
        gt(0.05),
        kind="effect",
    ),
    Claim(
        "more_trees_help",
        "Digits: a bag of the most trees minus a bag of one tree (the slides' 1/5/25/100)",
        "3318-3330",
        gt(0.1),
        kind="effect",
    ),
    Claim(
        "forest_decorrelates_trees",
        "Mean pairwise agreement of member predictions on digits' test set: bagging minus "
        "random forest (random attribute subsets make the members differ)",
        "3335-3350",
        gt(0),
        kind="effect",
    ),
    Claim(
        "oob_tracks_test",
        "The out-of-bag accuracy estimate of the random forest vs its test accuracy (|Δ|, digits)",
        "3302-3330",
        lt(0.03),
        kind="effect",
    ),
    # --- AdaBoost ------------------------------------------------------------------------
    Claim(
        "adaboost_weights_match_slide",
        "a = ½ ln((1 − ε)/ε) for ε = 0.3, 0.21, 0.14 gives the slide's 0.42, 0.65, 0.92 up to "
        "its 2-decimal rounding of both ε and a: slide weights outside [a(ε + 0.005), "
        "a(ε − 0.005)] ± 0.005 (at the printed ε ours are 0.424, 0.662, 0.908: the slide's ε "
        "are rounded, e.g. 0.14 for an ε that gives 0.92)",
        "3389-3425",
        equals(0),
        kind="worked_example",
    ),
    Claim(
        "adaboost_update_is_samme",
        "Our sample re-weighting gives the same weighted errors ε_k as scikit-learn's "
        "AdaBoost (SAMME, K = 2) on breast_cancer with the same stumps (max |Δε|)",
        "3433-3449",
        lt(1e-10),
        kind="oracle",
    ),
    Claim(
        "exp_loss_bounds_training_error",
        "Training 0-1 error <= (1/N) Σ exp(−y h_combine(x)) after every round "
        "(max of error − bound)",
        "3461-3475",
        le(0),
        kind="effect",
    ),
    Claim(
        "exp_loss_decreases",
        "The exponential loss falls every round (number of rounds where it rises)",
        "3461-3475",
        equals(0),
        kind="effect",
    ),
    Claim(
        "boosting_beats_stump",
        "breast_cancer: AdaBoost minus a single stump, test accuracy",
        "3373-3449",
        gt(0.03),
        kind="effect",
    ),
)
