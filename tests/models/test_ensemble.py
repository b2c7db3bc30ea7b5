"""L08 ensembles: bagging, random forest and AdaBoost against oracles.

Oracles: the lecture's AdaBoost numbers (lines 3385-3425); ``sklearn.ensemble``'s
``AdaBoostClassifier`` (SAMME: the same ε_k and twice our a_k when both boost the same
scikit-learn stump), ``BaggingClassifier`` and ``RandomForestClassifier`` (accuracy and OOB
within a few points); explicit loops over the members for the vectorized votes; the
exponential-loss identities :math:`\\frac1N\\sum e^{-yH_k} = \\prod_j Z_j \\ge` 0-1 error.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import ensemble as ske
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_classification
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier as SkTree
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.models.cart import DecisionTreeClassifier
from mldm.models.ensemble import (
    AdaBoostClassifier,
    BaggingClassifier,
    RandomForestClassifier,
    adaboost_weight,
)
from mldm.models.persistence import load_estimator, save_estimator

_LOADERS = {"breast_cancer": load_breast_cancer, "wine": load_wine, "digits": load_digits}


def _split(name):
    X, y = _LOADERS[name](return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def digits_split():
    return _split("digits")


@pytest.fixture(scope="module")
def digits_forests(digits_split):
    """Our bagging and forest of 40 members on digits, fitted once."""
    Xtr, _, ytr, _ = digits_split
    bag = BaggingClassifier(n_estimators=40, oob_score=True, random_state=0).fit(Xtr, ytr)
    rf = RandomForestClassifier(n_estimators=40, oob_score=True, random_state=0).fit(Xtr, ytr)
    return bag, rf


@pytest.fixture(scope="module")
def digits_sklearn(digits_split):
    """scikit-learn's: bagging of the same mldm tree (isolates the bagging) and its own
    entropy forest."""
    Xtr, _, ytr, _ = digits_split
    bag = ske.BaggingClassifier(DecisionTreeClassifier(), n_estimators=40, oob_score=True)
    rf = ske.RandomForestClassifier(n_estimators=40, criterion="entropy", oob_score=True)
    return bag.set_params(random_state=0).fit(Xtr, ytr), rf.set_params(random_state=0).fit(Xtr, ytr)


# ---------------------------------------------------------------- the member weight a(ε)


def test_adaboost_weight_lecture_examples():
    # lines 3390, 3413, 3424: ε = 0.3, 0.21, 0.14 -> the slide prints 0.42, 0.65, 0.92
    a = adaboost_weight([0.3, 0.21, 0.14])
    np.testing.assert_allclose(np.round(a, 2), [0.42, 0.66, 0.91])
    # the slide's 0.65 / 0.92 are the weights of unrounded error rates: inverting a = 1/2
    # ln((1-ε)/ε) gives ε = 1/(1 + e^{2a}) = 0.214 / 0.137, which print as 0.21 / 0.14
    eps_slide = 1 / (1 + np.exp(2 * np.array([0.42, 0.65, 0.92])))
    np.testing.assert_allclose(np.round(eps_slide, 2), [0.3, 0.21, 0.14])
    assert np.abs(a - [0.42, 0.65, 0.92]).max() < 0.013
    assert adaboost_weight(0.3) == pytest.approx(0.5 * np.log(7 / 3), rel=1e-15)
    assert np.ndim(adaboost_weight(0.3)) == 0


def test_adaboost_weight_identities():
    eps = np.linspace(0.01, 0.99, 99)
    a = adaboost_weight(eps)
    # e^a = sqrt(correct rate / error rate) (line 3401): the misclassified samples' factor
    np.testing.assert_allclose(np.exp(a), np.sqrt((1 - eps) / eps), rtol=1e-13)
    np.testing.assert_allclose(np.exp(-a), np.sqrt(eps / (1 - eps)), rtol=1e-13)
    np.testing.assert_allclose(adaboost_weight(1 - eps), -a, atol=1e-13)  # odd about 1/2
    assert adaboost_weight(0.5) == 0.0
    assert np.all(np.diff(a) < 0)  # better member (smaller ε) -> larger vote


# ---------------------------------------------------------------- AdaBoost vs sklearn SAMME


@pytest.mark.parametrize("n_estimators", [1, 30])
def test_adaboost_binary_equals_sklearn_samme(cancer, n_estimators):
    """Same sklearn stump, same seeds: ε_k identical, a_k = sklearn's weight / 2, identical
    predictions -- the lecture's update w exp(-y h a) is SAMME's for K = 2."""
    X, y = cancer
    ours = AdaBoostClassifier(SkTree(max_depth=1), n_estimators, random_state=0).fit(X, y)
    ref = ske.AdaBoostClassifier(SkTree(max_depth=1), n_estimators=n_estimators, random_state=0)
    ref.fit(X, y)
    M = len(ours.estimators_)
    assert M == len(ref.estimators_) == n_estimators
    np.testing.assert_allclose(ours.estimator_errors_, ref.estimator_errors_, atol=1e-12)
    np.testing.assert_allclose(ours.estimator_weights_, ref.estimator_weights_ / 2, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    # sklearn's decision_function is sum 2 a h / sum a: ours is it times sum(a) / 2
    scale = ours.estimator_weights_.sum() / 2
    np.testing.assert_allclose(
        ours.decision_function(X), ref.decision_function(X) * scale, rtol=1e-9, atol=1e-9
    )
    for mine, theirs in zip(ours.staged_predict(X), ref.staged_predict(X), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_adaboost_multiclass_equals_sklearn_samme():
    """K = 3 (wine): a_k = 1/2 [ln((1-ε)/ε) + ln 2] = sklearn's / 2; same ε, predictions."""
    X, y = load_wine(return_X_y=True)
    base = SkTree(max_depth=2)
    ours = AdaBoostClassifier(base, n_estimators=15, random_state=1).fit(X, y)
    ref = ske.AdaBoostClassifier(base, n_estimators=15, random_state=1).fit(X, y)
    M = len(ours.estimators_)
    assert M == len(ref.estimators_)
    np.testing.assert_allclose(ours.estimator_errors_, ref.estimator_errors_[:M], atol=1e-12)
    np.testing.assert_allclose(ours.estimator_weights_, ref.estimator_weights_[:M] / 2, atol=1e-12)
    a = ours.estimator_weights_
    np.testing.assert_allclose(a, adaboost_weight(ours.estimator_errors_) + np.log(2) / 2)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    np.testing.assert_allclose(
        ours.decision_function(X), ref.decision_function(X) * a.sum(), rtol=1e-9, atol=1e-9
    )
    assert np.all(np.isnan(ours.train_exp_loss_))


def test_adaboost_default_stump_close_to_sklearn():
    Xtr, Xte, ytr, yte = _split("breast_cancer")
    ours = AdaBoostClassifier(n_estimators=50, random_state=0).fit(Xtr, ytr)
    ref = ske.AdaBoostClassifier(SkTree(max_depth=1), n_estimators=50, random_state=0)
    ref.fit(Xtr, ytr)
    assert all(h.get_params()["max_depth"] == 1 for h in ours.estimators_)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02
    assert ours.score(Xte, yte) > 0.93


def test_adaboost_is_the_lecture_loop(cancer):
    """A literal transcription of lines 3433-3448 (unnormalized w, sign members) fitting the
    same seeded stumps gives the same ε_k and a_k: normalizing w changes nothing."""
    X, y = cancer
    ours = AdaBoostClassifier(SkTree(max_depth=1), n_estimators=10, random_state=3).fit(X, y)
    rs = np.random.RandomState(3)
    y_pm = np.where(y == 1, 1.0, -1.0)
    w = np.full(len(y), 1 / len(y))
    for k in range(10):
        h = SkTree(max_depth=1, random_state=rs.randint(np.iinfo(np.int32).max))
        hx = np.where(h.fit(X, y, sample_weight=w).predict(X) == 1, 1.0, -1.0)
        eps = np.sum(w * (y_pm != hx)) / np.sum(w)
        a = 0.5 * np.log((1 - eps) / eps)
        w = w * np.exp(-y_pm * hx * a)
        assert ours.estimator_errors_[k] == pytest.approx(eps, abs=1e-12)
        assert ours.estimator_weights_[k] == pytest.approx(a, abs=1e-10)


# ---------------------------------------------------------------- the exponential loss


@pytest.fixture(scope="module")
def boosted_cancer(cancer):
    X, y = cancer
    return AdaBoostClassifier(n_estimators=40, random_state=0).fit(X, y)


def test_exp_loss_bounds_the_training_error(boosted_cancer, cancer):
    X, y = cancer
    est = boosted_cancer
    # exp(-z) >= I(z <= 0): the 0-1 error never exceeds the exponential loss
    assert np.all(est.train_error_ <= est.train_exp_loss_ + 1e-15)
    # train_exp_loss_ and train_error_ are the staged combination's, recomputed from scratch
    y_pm = np.where(y == est.classes_[1], 1.0, -1.0)
    F = est.staged_scores(X)
    np.testing.assert_allclose(est.train_exp_loss_, np.exp(-y_pm * F).mean(axis=1), rtol=1e-12)
    stage_err = [np.mean(p != y) for p in est.staged_predict(X)]
    np.testing.assert_allclose(est.train_error_, stage_err)
    assert est.train_error_[-1] < est.train_error_[0]


def test_exp_loss_decreases_as_the_product_of_normalizers(boosted_cancer):
    est = boosted_cancer
    eps = est.estimator_errors_
    assert len(eps) == 40 and np.all(eps < 0.5)
    assert np.all(np.diff(est.train_exp_loss_) < 0)  # strictly, while ε_k < 1/2
    Z = 2 * np.sqrt(eps * (1 - eps))  # Z_k = (1-ε) e^{-a} + ε e^{a} at the optimal a
    np.testing.assert_allclose(est.train_exp_loss_, np.cumprod(Z), rtol=0, atol=1e-10)


def test_staged_outputs_end_at_the_combination(boosted_cancer, cancer):
    X, _ = cancer
    est = boosted_cancer
    stages = list(est.staged_decision_function(X))
    assert len(stages) == len(est.estimators_)
    np.testing.assert_allclose(stages[-1], est.decision_function(X), rtol=1e-12)
    H = sum(
        a * np.where(h.predict(X) == 1, 1.0, -1.0)
        for h, a in zip(est.estimators_, est.estimator_weights_, strict=True)
    )  # sum_k a_k h_k(x)
    np.testing.assert_allclose(est.decision_function(X), H, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(est.predict(X), est.classes_[(H > 0).astype(int)])


def test_adaboost_stops_on_perfect_and_on_chance_members():
    X = np.arange(20.0).reshape(-1, 1)
    y = np.repeat(["a", "b"], 10)
    perfect = AdaBoostClassifier(n_estimators=10).fit(X, y)  # one stump separates it
    assert len(perfect.estimators_) == 1 and perfect.estimator_errors_[0] == 0.0
    assert perfect.estimator_weights_[0] == pytest.approx(0.5 * np.log((1 - 1e-10) / 1e-10))
    np.testing.assert_array_equal(perfect.predict(X), y)
    # a member at chance (ε = 1/2, a = 0) as the first: kept alone, then stop
    chance = AdaBoostClassifier(DummyClassifier(strategy="prior"), n_estimators=10).fit(X, y)
    assert len(chance.estimators_) == 1
    assert chance.estimator_errors_[0] == pytest.approx(0.5)
    assert chance.estimator_weights_[0] == pytest.approx(0.0, abs=1e-12)


# ---------------------------------------------------------------- bagging and random forest


def _pairs(n_estimators, seed):
    """(ours, scikit-learn's) for bagging and the forest. Bagging is compared with the same
    member on both sides: scikit-learn's default tree breaks equal-gain ties at random and
    the mldm tree by column order, which alone moves bagging on wine by ~2 points."""
    return {
        "bagging": (
            BaggingClassifier(n_estimators=n_estimators, random_state=seed),
            ske.BaggingClassifier(DecisionTreeClassifier(), n_estimators, random_state=seed),
        ),
        "forest": (
            RandomForestClassifier(n_estimators=n_estimators, random_state=seed),
            ske.RandomForestClassifier(n_estimators, criterion="entropy", random_state=seed),
        ),
    }


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
def test_bagging_and_forest_close_to_sklearn(name):
    """Test accuracy, averaged over 3 seeds (54 wine test samples: one is 1.9 points)."""
    Xtr, Xte, ytr, yte = _split(name)
    acc = {"bagging": np.zeros(2), "forest": np.zeros(2)}
    for seed in range(3):
        for kind, (ours, ref) in _pairs(25, seed).items():
            acc[kind] += [ours.fit(Xtr, ytr).score(Xte, yte), ref.fit(Xtr, ytr).score(Xte, yte)]
    for kind, (a, b) in acc.items():
        assert abs(a - b) / 3 <= 0.02, (kind, a / 3, b / 3)


def test_bagging_and_forest_close_to_sklearn_on_digits(
    digits_split, digits_forests, digits_sklearn
):
    _, Xte, _, yte = digits_split
    for ours, ref in zip(digits_forests, digits_sklearn, strict=True):
        assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.02


def test_forest_beats_a_single_tree_on_digits(digits_split, digits_forests):
    Xtr, Xte, ytr, yte = digits_split
    bag, rf = digits_forests
    tree = DecisionTreeClassifier(random_state=0).fit(Xtr, ytr).score(Xte, yte)
    assert rf.score(Xte, yte) >= tree + 0.05
    assert rf.score(Xte, yte) >= bag.score(Xte, yte) - 0.01


def test_oob_close_to_held_out_and_sklearn(digits_split, digits_forests, digits_sklearn):
    """The forest's OOB accuracy is within 3 points of the held-out one. Both bagging OOB
    estimates (ours, scikit-learn's) sit ~3 points under it: a sample's OOB vote comes
    from the ~K/e members that missed it, a weaker committee than all K."""
    _, Xte, _, yte = digits_split
    (bag, rf), (sk_bag, sk_rf) = digits_forests, digits_sklearn
    assert abs(rf.oob_score_ - rf.score(Xte, yte)) <= 0.03
    assert abs(rf.oob_score_ - sk_rf.oob_score_) <= 0.015
    assert abs(bag.oob_score_ - sk_bag.oob_score_) <= 0.015
    assert bag.score(Xte, yte) - 0.045 <= bag.oob_score_ <= bag.score(Xte, yte)
    # a member misses a sample with probability (1 - 1/N)^N ~ 1/e
    assert np.mean(bag.estimators_samples_counts_ == 0) == pytest.approx(np.exp(-1), abs=0.01)


def test_oob_votes_equal_a_loop_over_members(digits_split, digits_forests):
    Xtr, _, ytr, _ = digits_split
    bag, _ = digits_forests
    votes = np.zeros((len(ytr), 10))
    for est, counts in zip(bag.estimators_, bag.estimators_samples_counts_, strict=True):
        out = counts == 0  # this member never saw these samples
        votes[np.flatnonzero(out), est.predict(Xtr[out])] += 1
    np.testing.assert_allclose(bag.oob_decision_function_, votes / votes.sum(1, keepdims=True))
    assert bag.oob_score_ == pytest.approx(np.mean(votes.argmax(1) == ytr))


def test_oob_rows_without_votes_are_nan_and_warned():
    X, y = make_classification(60, 5, random_state=0)
    with pytest.warns(UserWarning, match="do not have OOB scores"):
        est = BaggingClassifier(n_estimators=2, oob_score=True, random_state=0).fit(X, y)
    nan_rows = np.isnan(est.oob_decision_function_).all(axis=1)
    np.testing.assert_array_equal(nan_rows, (est.estimators_samples_counts_ > 0).all(axis=0))
    assert nan_rows.any() and np.isfinite(est.oob_score_)


def test_predict_is_the_majority_vote_and_proba_the_mean(digits_split, digits_forests):
    _, Xte, _, _ = digits_split
    for est in digits_forests:
        P = np.array([m.predict(Xte) for m in est.estimators_])  # (K, n), labels = indices
        votes = np.stack([(P == c).sum(axis=0) for c in range(10)], axis=1)
        np.testing.assert_array_equal(est.vote_counts(Xte), votes)
        np.testing.assert_array_equal(est.predict(Xte), est.classes_[votes.argmax(axis=1)])
        np.testing.assert_array_equal(est.member_predictions(Xte), est.classes_[P])
        proba = np.zeros((len(Xte), 10))
        for m in est.estimators_:
            proba[:, m.classes_.astype(int)] += m.predict_proba(Xte)
        np.testing.assert_allclose(est.predict_proba(Xte), proba / len(est.estimators_))


def test_vote_ties_go_to_the_lowest_class():
    X, y = np.zeros((4, 1)), np.array([0, 1, 0, 1])
    est = BaggingClassifier(n_estimators=2, random_state=0).fit(X, y)
    est.estimators_ = [DummyClassifier(strategy="constant", constant=c).fit(X, y) for c in (1, 0)]
    np.testing.assert_array_equal(est.predict(X), [0, 0, 0, 0])


def test_bootstrap_counts_are_a_duplicated_row_fit(cancer):
    X, y = cancer
    N = len(y)
    est = BaggingClassifier(n_estimators=4, random_state=0).fit(X, y)
    counts = est.estimators_samples_counts_
    assert counts.shape == (4, N) and counts.dtype.kind == "i"
    np.testing.assert_array_equal(counts.sum(axis=1), N)
    assert 0.55 < np.mean(counts > 0) < 0.72  # ~ 1 - 1/e of the samples are in a bootstrap
    for member, c in zip(est.estimators_, counts, strict=True):
        rows = np.repeat(np.arange(N), c)  # the bootstrap S_k as duplicated rows
        dup = DecisionTreeClassifier(**member.get_params()).fit(X[rows], y[rows])
        np.testing.assert_array_equal(member.predict_proba(X), dup.predict_proba(X))
    half = BaggingClassifier(n_estimators=3, max_samples=0.5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(half.estimators_samples_counts_.sum(axis=1), N // 2)
    plain = BaggingClassifier(n_estimators=2, bootstrap=False, random_state=0).fit(X, y)
    np.testing.assert_array_equal(plain.estimators_samples_counts_, 1)


def test_random_subspace_features(cancer):
    X, y = cancer
    est = BaggingClassifier(n_estimators=3, max_features=0.5, random_state=0).fit(X, y)
    F = est.estimators_features_
    assert F.shape == (3, 15)
    assert all(len(set(f)) == 15 and np.all(np.diff(f) > 0) for f in F)
    assert all(m.n_features_in_ == 15 for m in est.estimators_)
    P = np.array([m.predict(X[:, f]) for m, f in zip(est.estimators_, F, strict=True)])
    np.testing.assert_array_equal(est.member_predictions(X), P)


def test_forest_members_are_less_correlated_than_bagging(digits_split, digits_forests):
    _, Xte, _, yte = digits_split
    bag, rf = digits_forests
    agree_bag, agree_rf = bag.mean_pairwise_agreement(Xte), rf.mean_pairwise_agreement(Xte)
    assert agree_rf < agree_bag - 0.03
    P = bag.member_predictions(Xte)  # the same by brute force over the pairs
    i, j = np.triu_indices(len(P), 1)
    assert agree_bag == pytest.approx(np.mean(P[i] == P[j]), rel=1e-12)

    # the same through the errors: member error indicators correlate less in the forest
    def error_corr(est):
        E = (est.member_predictions(Xte) != yte).astype(float)
        C = np.corrcoef(E)
        return C[np.triu_indices_from(C, 1)].mean()

    assert error_corr(rf) < error_corr(bag)


# ---------------------------------------------------------------- determinism, params


@pytest.mark.parametrize(
    "make",
    [
        lambda s: BaggingClassifier(n_estimators=5, oob_score=True, random_state=s),
        lambda s: RandomForestClassifier(n_estimators=5, oob_score=True, random_state=s),
        lambda s: AdaBoostClassifier(SkTree(max_depth=2, max_features=2), 5, random_state=s),
    ],
    ids=["bagging", "forest", "adaboost"],
)
def test_deterministic_given_random_state(make):
    X, y = make_classification(200, 8, n_informative=4, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # OOB gaps on 5 members
        a, b, c = make(0).fit(X, y), make(0).fit(X, y), make(1).fit(X, y)
    score = "predict_proba" if hasattr(a, "predict_proba") else "decision_function"
    np.testing.assert_array_equal(getattr(a, score)(X), getattr(b, score)(X))
    assert not np.array_equal(getattr(a, score)(X), getattr(c, score)(X))
    if hasattr(a, "oob_score_"):
        np.testing.assert_array_equal(a.oob_decision_function_, b.oob_decision_function_)
        np.testing.assert_array_equal(a.estimators_samples_counts_, b.estimators_samples_counts_)


@pytest.mark.parametrize(
    "est, match",
    [
        (BaggingClassifier(n_estimators=0), "n_estimators"),
        (BaggingClassifier(max_samples=1.5), "max_samples"),
        (BaggingClassifier(max_features=0), "max_features"),
        (BaggingClassifier(bootstrap=False, oob_score=True), "bootstrap"),
        (RandomForestClassifier(n_estimators=2.5), "n_estimators"),
        (AdaBoostClassifier(n_estimators=-1), "n_estimators"),
        (AdaBoostClassifier(KNeighborsClassifier()), "sample_weight"),
    ],
)
def test_invalid_params_raise(est, match, cancer):
    X, y = cancer
    with pytest.raises(ValueError, match=match):
        est.fit(X[:50], y[:50])


# ---------------------------------------------------------------- persistence, sklearn API


@pytest.mark.parametrize(
    "est",
    [
        BaggingClassifier(n_estimators=4, max_features=0.7, oob_score=True, random_state=0),
        RandomForestClassifier(n_estimators=4, max_depth=4, random_state=0),
        AdaBoostClassifier(n_estimators=6, random_state=0),
    ],
    ids=["bagging", "forest", "adaboost"],
)
def test_persistence_round_trip(est, tmp_path):
    X, y = load_wine(return_X_y=True)
    y = np.array(["barolo", "grignolino", "barbera"])[y]  # fixed-width string labels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        est.fit(X, y)
    save_estimator(est, tmp_path / "ens")
    back = load_estimator(tmp_path / "ens")
    assert type(back) is type(est) and back.get_params() == est.get_params()
    assert len(back.estimators_) == len(est.estimators_)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    if hasattr(est, "predict_proba"):
        np.testing.assert_array_equal(back.predict_proba(X), est.predict_proba(X))
        np.testing.assert_array_equal(
            back.estimators_samples_counts_, est.estimators_samples_counts_
        )
    else:
        np.testing.assert_array_equal(back.decision_function(X), est.decision_function(X))
        np.testing.assert_array_equal(back.train_exp_loss_, est.train_exp_loss_)


@parametrize_with_checks(
    [
        BaggingClassifier(n_estimators=5),
        RandomForestClassifier(n_estimators=5),
        AdaBoostClassifier(n_estimators=5),
    ]
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)
