"""Evaluation protocols and metrics shared by the lectures.

Metric names follow the project convention: split first, snake_case
(``test_mse``, ``train_accuracy``, ``test_r2``). Model selection (L04: validation set,
leave-one-out, K-fold cross validation, AIC/BIC) lives in :mod:`mldm.evaluation.selection`;
sample quality of generative models (Fréchet distance, classifier scores) in
:mod:`mldm.evaluation.generative`; learned representations (linear probe, weighted kNN,
retrieval R@K; L10, L12) in :mod:`mldm.evaluation.representation`; a metric over seeds
(mean ± sd, a gap that clears the spread) in :mod:`mldm.evaluation.seeds`.
"""

from mldm._lazy import attributes

_LAZY = {
    "accuracy": "mldm.evaluation.metrics",
    "aic": "mldm.evaluation.selection",
    "best_margin_over_directions": "mldm.evaluation.svm_reference",
    "bic": "mldm.evaluation.selection",
    "classification_metrics": "mldm.evaluation.metrics",
    "cross_val_mse": "mldm.evaluation.selection",
    "classifier_scores": "mldm.evaluation.generative",
    "cross_val_scores": "mldm.evaluation.selection",
    "FeatureScorer": "mldm.evaluation.generative",
    "frechet_distance": "mldm.evaluation.generative",
    "gaussian_log_likelihood": "mldm.evaluation.selection",
    "geometric_margin": "mldm.evaluation.svm_reference",
    "holdout_split": "mldm.evaluation.selection",
    "kfold_splits": "mldm.evaluation.selection",
    "knn_accuracy": "mldm.evaluation.representation",
    "least_squares_criteria": "mldm.evaluation.selection",
    "linear_probe": "mldm.evaluation.representation",
    "leave_one_out_splits": "mldm.evaluation.selection",
    "libsvm_twin": "mldm.evaluation.svm_reference",
    "loo_mse": "mldm.evaluation.selection",
    "loo_residuals": "mldm.evaluation.selection",
    "over_seeds": "mldm.evaluation.seeds",
    "OverSeeds": "mldm.evaluation.seeds",
    "max_kkt_violation": "mldm.evaluation.svm_reference",
    "ProbeResult": "mldm.evaluation.representation",
    "Protocol": "mldm.evaluation.generative",
    "primal_hard_margin": "mldm.evaluation.svm_reference",
    "principal_angles": "mldm.evaluation.subspace",
    "recall_at_k": "mldm.evaluation.representation",
    "regression_metrics": "mldm.evaluation.metrics",
    "relative_error": "mldm.evaluation.metrics",
    "select_min": "mldm.evaluation.selection",
    "separated_gap": "mldm.evaluation.seeds",
    "separability": "mldm.evaluation.svm_reference",
    "vote_curve": "mldm.evaluation.ensembles",
    "worst": "mldm.evaluation.metrics",
    "zero_one_search": "mldm.evaluation.svm_reference",
}
__getattr__, __dir__ = attributes(__name__, _LAZY)
__all__ = sorted(_LAZY)
