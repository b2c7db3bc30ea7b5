r"""Ensemble methods, lecture 8's second half (``course-notes.zh.txt`` lines 3255-3498).

A single **strong** classifier is hard to learn, many **weak** ones are easy (lines 3255-3268);
combine them (lines 3270-3290) either by an **unweighted majority vote** (bagging) or by a
**weighted average**; for labels :math:`y \in \{-1, +1\}` and two members

.. math:: \hat y_e = \mathrm{sign}\big(a_1 f_1(\mathbf{x}) + a_2 f_2(\mathbf{x})\big).

* :class:`BaggingClassifier` (lines 3296-3313): draw :math:`N'` of the :math:`N` training
  samples **with replacement**, K times, giving :math:`S_1, \dots, S_K`; fit a tree on each
  :math:`S_k`; predict by majority vote of the K trees. A bootstrap sample is held as the
  integer **counts** :math:`c_k^{(n)}` (how often sample n was drawn), passed to the tree as
  ``sample_weight``: a weighted tree is the tree of the duplicated rows, without copying X.
* :class:`RandomForestClassifier` (lines 3335-3346): bagged trees whose errors are still
  highly correlated gain little from a vote, so add randomness to the tree itself: each split
  looks at a random subset of the attributes (the tree's ``max_features``).
* :class:`AdaBoostClassifier` (lines 3357-3474): members trained **sequentially**, each on
  the samples re-weighted towards the previous members' mistakes (lines 3433-3448):

  .. math:: w_0^{(n)} = \frac1N, \qquad
            \epsilon_k = \frac{\sum_n w_{k-1}^{(n)} I(y^{(n)} \ne h_k(\mathbf{x}^{(n)}))}
                              {\sum_n w_{k-1}^{(n)}}, \qquad
            a_k = \frac12\ln\frac{1-\epsilon_k}{\epsilon_k},

  .. math:: w_k^{(n)} = w_{k-1}^{(n)} \exp\{-y^{(n)} h_k(\mathbf{x}^{(n)}) a_k\},

  a misclassified sample's weight grows by :math:`e^{a_k} = \sqrt{(1-\epsilon_k)/\epsilon_k}`,
  a correct one's shrinks by :math:`e^{-a_k}` (lines 3399-3410). The combination
  :math:`h_{\text{combine}}(\mathbf{x}) = \sum_k a_k h_k(\mathbf{x})` is the sequential
  minimizer of the **exponential loss** (lines 3461-3472)

  .. math:: l = \sum_{n=1}^N \exp\{-y^{(n)} h_{\text{combine}}(\mathbf{x}^{(n)})\}.

The members are :class:`mldm.models.cart.DecisionTreeClassifier` (L08's first half) unless
another ``estimator`` is given. Every member is fitted on the class *indices* 0..C-1, so a
member's prediction indexes ``classes_`` directly; member predictions are stacked into a
(K, N) array and counted into votes with one ``np.bincount``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, has_fit_parameter, validate_data

from mldm.models.cart import DecisionTreeClassifier, count_from_param

__all__ = [
    "AdaBoostClassifier",
    "BaggingClassifier",
    "RandomForestClassifier",
    "adaboost_weight",
]

_EPS_PERFECT = 1e-10  # ε of a perfect member, for a large but finite weight a_k
_MAX_SEED = np.iinfo(np.int32).max


# ----------------------------------------------------------------------------------------
# Pure functions
# ----------------------------------------------------------------------------------------


def adaboost_weight(eps):
    r"""The member's vote weight :math:`a = \frac12\ln\frac{1-\epsilon}{\epsilon}`
    (L08 line 3390), elementwise.

    :math:`(1-\epsilon)/\epsilon` is correct rate over error rate, so :math:`e^{a} =
    \sqrt{(1-\epsilon)/\epsilon}` (line 3401): a > 0 iff ε < 1/2. The slide's examples give
    0.3 -> 0.42, 0.21 -> 0.66 and 0.14 -> 0.91; the slide prints 0.65 and 0.92, which the
    exact ε do not round to: they are the weights of unrounded error rates, ε = 0.214 -> 0.65
    and ε = 0.137 -> 0.92 (:math:`\epsilon = 1/(1 + e^{2a})`).
    """
    eps = np.asarray(eps, dtype=np.float64)
    return (0.5 * np.log((1.0 - eps) / eps))[()]


def _vote_counts(P: np.ndarray, n_classes: int, weights: np.ndarray | None = None):
    r"""Votes :math:`V_{nc} = \sum_k v_{kn} I(P_{kn} = c)` from stacked member predictions
    ``P`` (K, N) of class indices; ``weights`` (K, N), default 1, e.g. an out-of-bag mask.

    One bincount over the flattened index :math:`n C + P_{kn}`, no loop over samples.
    """
    n = P.shape[1]
    flat = (np.arange(n) * n_classes + P).ravel()
    w = None if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    return np.bincount(flat, weights=w, minlength=n * n_classes).reshape(n, n_classes)


def _pairwise_agreement(P: np.ndarray, n_classes: int) -> float:
    r"""Mean agreement of the :math:`\binom K2` member pairs over the samples: with
    :math:`V_{nc}` members voting c on sample n, :math:`\sum_c \binom{V_{nc}}{2}` pairs agree."""
    K = P.shape[0]
    V = _vote_counts(P, n_classes)
    return float((V * (V - 1)).sum(axis=1).mean() / (K * (K - 1)))


def _set_seed(est, rng) -> None:
    """Give a member with a ``random_state`` param its own seed, drawn from the ensemble's
    random stream (scikit-learn's ``_set_random_states`` draw: ``randint(int32 max)``)."""
    if "random_state" in est.get_params(deep=False):
        est.set_params(random_state=int(rng.integers(_MAX_SEED)))


class _SeedStream:
    """scikit-learn's seed draws (``RandomState.randint``) behind ``integers``, so that
    :func:`_set_seed` serves both ``default_rng`` and ``check_random_state`` streams."""

    def __init__(self, random_state):
        self._rs = check_random_state(random_state)

    def integers(self, high: int) -> int:
        return self._rs.randint(high)


def _generator(random_state) -> np.random.Generator:
    """``np.random.default_rng``, also for scikit-learn's RandomState instances."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(_MAX_SEED))
    return np.random.default_rng(random_state)


def _check_n_estimators(n_estimators) -> None:
    if not isinstance(n_estimators, Integral) or isinstance(n_estimators, bool) or n_estimators < 1:
        raise ValueError(f"n_estimators must be an int >= 1, got {n_estimators!r}")


def _fit_targets(est, X, y):
    """validate_data + class indices: ``(X, y_idx)``, ``classes_`` set on ``est``."""
    X, y = validate_data(est, X, y, dtype=np.float64)
    check_classification_targets(y)
    est.classes_, y_idx = np.unique(y, return_inverse=True)
    return X, y_idx.astype(np.intp)


def _default_tree(**params):
    return DecisionTreeClassifier(**params)  # L08's own tree


# ----------------------------------------------------------------------------------------
# Bagging and random forest
# ----------------------------------------------------------------------------------------


class _BaseBagging(ClassifierMixin, BaseEstimator):
    r"""K members, each fitted on a bootstrap sample :math:`S_k` (and, for bagging, a random
    subset of the features); predict by majority vote.

    Subclasses give :meth:`_make_estimator` (the unfitted member) and
    :meth:`_subsample_sizes` (how many samples N' and features each member gets).
    """

    def _make_estimator(self):
        raise NotImplementedError

    def _subsample_sizes(self, n_samples: int, n_features: int) -> tuple[int, int]:
        raise NotImplementedError

    def _check_params(self) -> None:
        _check_n_estimators(self.n_estimators)
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out-of-bag estimation is only available if bootstrap=True")

    def fit(self, X, y):
        self._check_params()
        X, y_idx = _fit_targets(self, X, y)
        N, d = X.shape
        C = len(self.classes_)
        n_draw, m = self._subsample_sizes(N, d)
        K = int(self.n_estimators)
        rng = _generator(self.random_state)
        base = self._make_estimator()
        weighted = has_fit_parameter(base, "sample_weight")

        counts = np.zeros((K, N), dtype=np.int64)
        features = np.empty((K, m), dtype=np.intp)
        self.estimators_ = []
        for k in range(K):
            est = clone(base)
            _set_seed(est, rng)
            if self.bootstrap:  # N' draws with replacement: c^(n) = times n was drawn
                counts[k] = np.bincount(rng.integers(0, N, size=n_draw), minlength=N)
            else:  # N' distinct samples
                counts[k, rng.choice(N, size=n_draw, replace=False)] = 1
            features[k] = np.arange(d) if m == d else np.sort(rng.choice(d, m, replace=False))
            Xk = X if m == d else X[:, features[k]]
            if weighted:  # a tree weighted by counts is the tree of the duplicated rows
                est.fit(Xk, y_idx, sample_weight=counts[k].astype(np.float64))
            else:
                rows = np.repeat(np.arange(N), counts[k])
                est.fit(Xk[rows], y_idx[rows])
            self.estimators_.append(est)
        self.estimators_samples_counts_ = counts
        self.estimators_features_ = features
        self.n_classes_ = C
        if self.oob_score:
            self._set_oob(X, y_idx)
        return self

    def _set_oob(self, X, y_idx) -> None:
        r"""Out-of-bag votes: sample n is voted on only by the members whose bootstrap missed
        it, :math:`c_k^{(n)} = 0` -- an unseen-data estimate without a held-out set."""
        C = self.n_classes_
        V = _vote_counts(self._member_predictions(X), C, self.estimators_samples_counts_ == 0)
        n_votes = V.sum(axis=1)
        voted = n_votes > 0
        if not voted.all():
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few estimators "
                "were used to compute any reliable oob estimates.",
                UserWarning,
                stacklevel=3,
            )
        frac = np.full((len(y_idx), C), np.nan)
        frac[voted] = V[voted] / n_votes[voted, None]
        self.oob_decision_function_ = frac
        # over the samples with at least one OOB vote (sklearn counts the others as class 0)
        hit = np.argmax(V[voted], axis=1) == y_idx[voted]
        self.oob_score_ = float(hit.mean()) if voted.any() else float("nan")

    def _member_input(self, X, k: int) -> np.ndarray:
        f = self.estimators_features_[k]
        return X if len(f) == X.shape[1] else X[:, f]

    def _member_predictions(self, X) -> np.ndarray:
        """(K, N) class indices, row k = member k's prediction."""
        rows = [est.predict(self._member_input(X, k)) for k, est in enumerate(self.estimators_)]
        return np.asarray(rows, dtype=np.intp)

    def member_predictions(self, X) -> np.ndarray:
        """Every member's predicted labels, shape (n_estimators, n_samples)."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return self.classes_[self._member_predictions(X)]

    def vote_counts(self, X) -> np.ndarray:
        """How many members vote for each class, shape (n_samples, n_classes)."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return _vote_counts(self._member_predictions(X), self.n_classes_).astype(np.int64)

    def predict(self, X) -> np.ndarray:
        r"""The lecture's unweighted **majority vote** of the members' predictions (line
        3313); a tie goes to the lowest class index (``np.argmax``)."""
        V = self.vote_counts(X)  # checks fitted before classes_ is read
        return self.classes_[np.argmax(V, axis=1)]

    def predict_proba(self, X) -> np.ndarray:
        r"""Mean of the members' ``predict_proba`` (scikit-learn's soft vote). A member whose
        bootstrap missed a class gives it 0. :meth:`predict` is the hard vote, not the
        arg max of this; for fully grown trees (pure leaves) the two agree."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        proba = np.zeros((X.shape[0], self.n_classes_))
        for k, est in enumerate(self.estimators_):
            cols = np.asarray(est.classes_, dtype=np.intp)  # the class indices it saw
            proba[:, cols] += est.predict_proba(self._member_input(X, k))
        return proba / len(self.estimators_)

    def mean_pairwise_agreement(self, X) -> float:
        """The fraction of member pairs that predict the same class, averaged over X: how
        correlated the members are (lines 3335-3341)."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return _pairwise_agreement(self._member_predictions(X), self.n_classes_)


class BaggingClassifier(_BaseBagging):
    r"""Bagged classifiers, L08 lines 3296-3313: K members, each on a bootstrap sample
    :math:`S_k` of N' = ``max_samples`` draws with replacement; predict by majority vote.

    Parameters
    ----------
    estimator : classifier or None
        The member; None means :class:`mldm.models.cart.DecisionTreeClassifier()` (fully
        grown, entropy). A member that takes ``sample_weight`` gets the bootstrap as counts;
        any other is fitted on the duplicated rows.
    n_estimators : int
        K.
    max_samples : float in (0, 1] or int
        N' as a fraction of N or a count.
    max_features : float in (0, 1] or int
        Features per member (a random subset drawn once per member, the "random subspace");
        1.0 = all, in their order.
    bootstrap : bool
        Draw with replacement (bagging); False draws N' distinct samples.
    oob_score : bool
        Compute the out-of-bag accuracy ``oob_score_`` (needs ``bootstrap``).
    random_state : int, Generator, RandomState or None
        Seeds ``np.random.default_rng``; the bootstraps and the members' seeds come from it.

    Attributes
    ----------
    estimators_ : list of fitted members
    estimators_samples_counts_ : int ndarray (K, N)
        :math:`c_k^{(n)}`, times sample n is in :math:`S_k`; each row sums to N'.
    estimators_features_ : int ndarray (K, m)
        The feature columns member k sees.
    classes_, n_classes_, n_features_in_
    oob_score_ : float
        Accuracy of the out-of-bag majority vote, over the samples that got a vote.
    oob_decision_function_ : ndarray (N, C)
        Out-of-bag vote fractions; NaN rows where every bootstrap contained the sample.
    """

    def __init__(
        self,
        estimator=None,
        n_estimators: int = 10,
        max_samples=1.0,
        max_features=1.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.random_state = random_state

    def _make_estimator(self):
        return _default_tree() if self.estimator is None else self.estimator

    def _subsample_sizes(self, n_samples, n_features):
        return (
            count_from_param(self.max_samples, n_samples, "max_samples"),
            count_from_param(self.max_features, n_features, "max_features"),
        )


class RandomForestClassifier(_BaseBagging):
    r"""Random forest, L08 lines 3335-3346: bagging of decision trees that each consider
    only a random subset of the attributes at every split.

    The per-node subset is the tree's own ``max_features`` (``"sqrt"``: :math:`\sqrt d`
    attributes per split); the forest gives each tree a bootstrap of all N samples and all
    features. The tree params are :class:`mldm.models.cart.DecisionTreeClassifier`'s (and
    scikit-learn's), with the lecture's entropy criterion as default.

    Attributes: as :class:`BaggingClassifier` (``estimators_features_`` is every column).
    """

    def __init__(
        self,
        n_estimators: int = 100,
        criterion: str = "entropy",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        max_features="sqrt",
        bootstrap: bool = True,
        oob_score: bool = False,
        random_state=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.random_state = random_state

    def _make_estimator(self):
        return _default_tree(
            criterion=self.criterion,
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=self.min_samples_leaf,
            max_features=self.max_features,
        )

    def _subsample_sizes(self, n_samples, n_features):
        return n_samples, n_features  # N' = N; the feature subsets are drawn per node


# ----------------------------------------------------------------------------------------
# AdaBoost
# ----------------------------------------------------------------------------------------


class AdaBoostClassifier(ClassifierMixin, BaseEstimator):
    r"""AdaBoost, L08 lines 3433-3448, with the exponential-loss view of lines 3461-3472.

    **Two classes** (``classes_[0]`` -> y = -1, ``classes_[1]`` -> y = +1), the lecture's
    algorithm: :math:`w_0 = 1/N`; fit :math:`h_k` with ``sample_weight`` = w; weighted error
    :math:`\epsilon_k`; :math:`a_k = \frac12\ln\frac{1-\epsilon_k}{\epsilon_k}`;
    :math:`w \leftarrow w\,e^{-y h_k(\mathbf{x}) a_k}`, then divided by its sum
    :math:`Z_k = 2\sqrt{\epsilon_k(1-\epsilon_k)}` (a common factor changes neither the next
    ε nor the next weighted fit). Normalized so, :math:`w_k^{(n)} =
    e^{-y^{(n)} h_{\text{combine}}^{(k)}(\mathbf{x}^{(n)})} / (N\prod_{j\le k} Z_j)`, and as
    these sum to 1 the exponential loss over N is :math:`\prod_{j \le k} Z_j`: each round
    multiplies it by :math:`Z_k < 1` (ε_k ≠ 1/2), and :math:`a_k` is the step that minimizes
    :math:`Z_k(a) = (1-\epsilon_k)e^{-a} + \epsilon_k e^{a}` -- AdaBoost is the sequential
    minimizer of l.

    **K > 2 classes**, SAMME (Zhu et al. 2009), the lecture's rule generalized:
    :math:`a_k = \frac12\left[\ln\frac{1-\epsilon_k}{\epsilon_k} + \ln(K-1)\right]`,
    :math:`w \leftarrow w\,e^{2a_k I(y \ne h_k(\mathbf{x}))}`, normalized. For K = 2 this is
    the lecture's update: :math:`e^{-y h a} = e^{-a} e^{2a I(y \ne h)}` and the common
    :math:`e^{-a}` cancels in the normalization. scikit-learn's SAMME weight is
    :math:`2a_k` (``estimator_weights_`` there are twice ours).

    Stopping: ε_k = 0 (a perfect member) is kept with
    :math:`a_k = \frac12\ln\frac{1-10^{-10}}{10^{-10}} \approx 11.5` and ends the loop;
    :math:`\epsilon_k \ge 1 - 1/K` (no better than chance, ε ≥ 1/2 for K = 2) ends it and
    the member is dropped unless it is the first (then kept, with :math:`a_1 \le 0`).

    Parameters
    ----------
    estimator : classifier taking ``sample_weight``, or None
        None means a stump, :class:`mldm.models.cart.DecisionTreeClassifier(max_depth=1)`.
    n_estimators : int
        The most members K.
    random_state : int, RandomState or None
        ``check_random_state``; member k gets ``randint(int32 max)`` from it, the same draw as
        scikit-learn's AdaBoost.

    Attributes
    ----------
    estimators_ : list of fitted members :math:`h_k`
    estimator_weights_ : ndarray (M,)
        :math:`a_k`.
    estimator_errors_ : ndarray (M,)
        :math:`\epsilon_k`.
    train_exp_loss_ : ndarray (M,)
        :math:`\frac1N\sum_n \exp\{-y^{(n)} h_{\text{combine}}^{(k)}(\mathbf{x}^{(n)})\}`
        after each k (binary); NaN for K > 2.
    train_error_ : ndarray (M,)
        0-1 training error of the combined classifier after each k.
    classes_, n_classes_, n_features_in_
    """

    def __init__(self, estimator=None, n_estimators: int = 50, random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.random_state = random_state

    def _make_estimator(self):
        base = _default_tree(max_depth=1) if self.estimator is None else self.estimator
        if not has_fit_parameter(base, "sample_weight"):
            raise ValueError(f"{type(base).__name__} doesn't support sample_weight.")
        return base

    def _codes(self, P: np.ndarray) -> np.ndarray:
        r"""Member outputs as the combination's terms: binary :math:`h \in \{-1, +1\}`,
        shape (M, N); K > 2 SAMME's symmetric coding, 1 for the predicted class and
        :math:`-1/(K-1)` for the others (sums to 0), shape (M, N, K)."""
        K = self.n_classes_
        if K == 2:
            return 2.0 * P - 1.0
        return np.where(P[..., None] == np.arange(K), 1.0, -1.0 / (K - 1))

    def fit(self, X, y):
        _check_n_estimators(self.n_estimators)
        X, y_idx = _fit_targets(self, X, y)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(f"AdaBoostClassifier needs samples of >= 2 classes; got {K} class.")
        self.n_classes_ = K
        base = self._make_estimator()
        rng = _SeedStream(self.random_state)
        N = len(y_idx)
        y_pm = 2.0 * y_idx - 1.0  # binary: classes_[0] -> -1, classes_[1] -> +1
        w = np.full(N, 1.0 / N)  # w_0 = 1/N
        F = np.zeros(N) if K == 2 else np.zeros((N, K))  # h_combine on the training set
        members, a, eps, loss, err = [], [], [], [], []
        for _ in range(int(self.n_estimators)):
            h = clone(base)
            _set_seed(h, rng)
            h.fit(X, y_idx, sample_weight=w)
            pred = np.asarray(h.predict(X), dtype=np.intp)
            miss = pred != y_idx
            e_k = float(w @ miss / w.sum())  # weighted error
            bad = e_k >= 1.0 - 1.0 / K - 1e-12  # no better than chance (to rounding)
            if bad and members:
                break
            a_k = self._member_weight(min(max(e_k, _EPS_PERFECT), 1 - _EPS_PERFECT))
            members.append(h)
            a.append(a_k)
            eps.append(e_k)
            F += a_k * self._codes(pred)
            if K == 2:
                loss.append(np.exp(-y_pm * F).mean())
                err.append(np.mean((F > 0) != (y_pm > 0)))
                w = w * np.exp(-y_pm * (2.0 * pred - 1.0) * a_k)  # the lecture's update
            else:
                loss.append(np.nan)
                err.append(np.mean(np.argmax(F, axis=1) != y_idx))
                w = w * np.exp(2.0 * a_k * miss)  # SAMME
            if bad or e_k == 0.0:
                break
            w /= w.sum()  # / Z_k
        self.estimators_ = members
        self.estimator_weights_ = np.asarray(a)
        self.estimator_errors_ = np.asarray(eps)
        self.train_exp_loss_ = np.asarray(loss)
        self.train_error_ = np.asarray(err, dtype=np.float64)
        return self

    def _member_weight(self, eps: float) -> float:
        K = self.n_classes_
        return float(adaboost_weight(eps) + 0.5 * np.log(K - 1.0))  # ln(K-1) = 0 for K = 2

    def staged_scores(self, X) -> np.ndarray:
        r""":math:`h_{\text{combine}}^{(k)}(\mathbf{x}) = \sum_{j \le k} a_j h_j(\mathbf{x})`
        for every k at once: shape (M, n) binary, (M, n, K) SAMME (a cumulative sum over the
        stacked member terms)."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, reset=False, dtype=np.float64)
        P = np.asarray([h.predict(X) for h in self.estimators_], dtype=np.intp)
        terms = self._codes(P)
        a = self.estimator_weights_.reshape((-1,) + (1,) * (terms.ndim - 1))
        return np.cumsum(a * terms, axis=0)

    def decision_function(self, X) -> np.ndarray:
        r""":math:`h_{\text{combine}}(\mathbf{x}) = \sum_k a_k h_k(\mathbf{x})`, shape (n,)
        for two classes (> 0 means ``classes_[1]``); (n, K) for K > 2 with SAMME's coding.

        scikit-learn's ``decision_function`` is this divided by :math:`\sum_k a_k` (and
        times 2 for two classes): the same up to a positive scale."""
        return self.staged_scores(X)[-1]

    def staged_decision_function(self, X) -> Iterator[np.ndarray]:
        """:meth:`decision_function` after each member, k = 1..M (a generator)."""
        yield from self.staged_scores(X)

    def _labels(self, F: np.ndarray) -> np.ndarray:
        if self.n_classes_ == 2:  # sign, 0 -> classes_[0] as in scikit-learn
            return self.classes_[(F > 0).astype(np.intp)]
        return self.classes_[np.argmax(F, axis=-1)]

    def predict(self, X) -> np.ndarray:
        r""":math:`\hat y = \mathrm{sign}(h_{\text{combine}}(\mathbf{x}))` (line 3286), arg max
        for K > 2."""
        return self._labels(self.decision_function(X))

    def staged_predict(self, X) -> Iterator[np.ndarray]:
        """:meth:`predict` after each member, k = 1..M (a generator)."""
        for F in self.staged_scores(X):
            yield self._labels(F)
