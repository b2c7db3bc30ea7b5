"""The lectures' models, one module per family, written from the lecture's formulas.

Non-gradient solvers follow the scikit-learn estimator API; gradient-trained ones run
through :mod:`mldm.training` (Lightning). Nothing here knows about DVC, MLflow or reports.
"""

from mldm.models.basis import BasisFunctions
from mldm.models.cart import DecisionTreeClassifier
from mldm.models.clustering import KMeans, SoftKMeans
from mldm.models.ensemble import AdaBoostClassifier, BaggingClassifier, RandomForestClassifier
from mldm.models.id3 import ID3Classifier
from mldm.models.linear_classifiers import LogisticRegression, OneVsAllClassifier, SoftmaxRegression
from mldm.models.linear_regression import LinearRegression
from mldm.models.mixture import GaussianMixture
from mldm.models.pca import PCA
from mldm.models.probabilistic import GaussianLinearRegression, MAPLinearRegression
from mldm.models.regularized import Lasso, Ridge
from mldm.models.svm import SVC

__all__ = [
    "PCA",
    "SVC",
    "AdaBoostClassifier",
    "BaggingClassifier",
    "BasisFunctions",
    "DecisionTreeClassifier",
    "GaussianLinearRegression",
    "GaussianMixture",
    "ID3Classifier",
    "KMeans",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "MAPLinearRegression",
    "OneVsAllClassifier",
    "RandomForestClassifier",
    "Ridge",
    "SoftKMeans",
    "SoftmaxRegression",
]
