"""The lectures' models, one module per family, written from the lecture's formulas.

Non-gradient solvers follow the scikit-learn estimator API; gradient-trained ones run
through :mod:`mldm.training` (Lightning). Nothing here knows about DVC, MLflow or reports.
"""

from mldm._lazy import attributes

_LAZY = {
    "AdaBoostClassifier": "mldm.models.ensemble",
    "BaggingClassifier": "mldm.models.ensemble",
    "BasisFunctions": "mldm.models.basis",
    "binarize": "mldm.models.vae",
    "DecisionTreeClassifier": "mldm.models.cart",
    "deep_net": "mldm.models.deep_nets",
    "dropout_mlp": "mldm.models.deep_nets",
    "elbow": "mldm.models.clustering",
    "EpsilonObjective": "mldm.models.diffusion",
    "fit_vae": "mldm.models.vae",
    "gaussian_feature_map": "mldm.models.kernel_maps",
    "gaussian_kl": "mldm.models.vae",
    "GaussianLinearRegression": "mldm.models.probabilistic",
    "GaussianMixture": "mldm.models.mixture",
    "ID3Classifier": "mldm.models.id3",
    "iwae_log_likelihood": "mldm.models.vae",
    "KMeans": "mldm.models.clustering",
    "Lasso": "mldm.models.regularized",
    "LinearRegression": "mldm.models.linear_regression",
    "LogisticRegression": "mldm.models.linear_classifiers",
    "MAPLinearRegression": "mldm.models.probabilistic",
    "negative_elbo": "mldm.models.vae",
    "NodeMLP": "mldm.models.gcn",
    "NodeRows": "mldm.models.gcn",
    "NoiseSchedule": "mldm.models.diffusion",
    "OneVsAllClassifier": "mldm.models.linear_classifiers",
    "p_sample": "mldm.models.diffusion",
    "PCA": "mldm.models.pca",
    "poly2_features": "mldm.models.kernel_maps",
    "RandomForestClassifier": "mldm.models.ensemble",
    "reconstruct": "mldm.models.pca",
    "Ridge": "mldm.models.regularized",
    "sample": "mldm.models.diffusion",
    "SoftKMeans": "mldm.models.clustering",
    "SoftmaxRegression": "mldm.models.linear_classifiers",
    "SVC": "mldm.models.svm",
    "tree_paths": "mldm.models.tree_edges",
    "UNet": "mldm.models.unet",
    "VAE": "mldm.models.vae",
    "ViT": "mldm.models.vit",
    "patchify": "mldm.models.vit",
    "unpatchify": "mldm.models.vit",
}
__getattr__, __dir__ = attributes(__name__, _LAZY)
__all__ = sorted(_LAZY)
