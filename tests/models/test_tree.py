"""L08 decision trees: the lecture's numbers (entropy, IG, the movie and play-tennis trees),
and the real-valued tree against scikit-learn.

Oracles: ``sklearn.metrics.mutual_info_score`` (IG is mutual information),
``sklearn.tree.DecisionTreeClassifier`` (same criterion, thresholds and stopping rules; it
breaks ties at random, so only unique best splits are compared node for node), and brute
force for the pruning step.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn import tree as sk_tree
from sklearn.datasets import load_breast_cancer, load_digits, load_wine, make_classification
from sklearn.metrics import mutual_info_score
from sklearn.model_selection import train_test_split
from sklearn.utils.estimator_checks import parametrize_with_checks

from mldm.data.tables import movies, play_tennis
from mldm.models.cart import DecisionTreeClassifier
from mldm.models.id3 import ID3Classifier
from mldm.models.information import conditional_entropy, entropy, information_gain, split_table
from mldm.models.persistence import load_estimator, save_estimator

# ------------------------------------------------ entropy, conditional entropy, IG


def test_entropy_examples():
    """Lines 2975-2985: (a) four equally likely values, (b) 0.75 / 0.25, (c) one value."""
    assert entropy(["a", "b", "c", "d"]) == pytest.approx(2.0, abs=1e-12)
    # the slide prints 0.8133: a typo, -0.75 log2 0.75 - 0.25 log2 0.25 = 0.81128
    assert entropy(["a", "a", "a", "b"]) == pytest.approx(0.8113, abs=1e-4)
    assert entropy(["a", "a", "a", "b"]) == pytest.approx(
        -0.75 * math.log2(0.75) - 0.25 * math.log2(0.25), abs=1e-12
    )
    assert entropy(["a"]) == 0.0
    assert entropy([1, 1, 1]) == 0.0  # 0 log 0 = 0; any label dtype


def test_bernoulli_entropy_max_at_half():
    """Lines 2990-3005: H(p) = -[p log2 p + (1-p) log2 (1-p)], 1 bit at p = 0.5, 0 at ends."""
    p = np.linspace(0, 1, 101)
    H = np.array([entropy([1, 0], sample_weight=[q, 1 - q]) for q in p])
    assert np.argmax(H) == 50 and H[50] == pytest.approx(1.0, abs=1e-12)
    assert H[0] == 0.0 and H[-1] == 0.0
    inner = p[1:-1]
    bern = -(inner * np.log2(inner) + (1 - inner) * np.log2(1 - inner))
    np.testing.assert_allclose(H[1:-1], bern, atol=1e-12)
    np.testing.assert_allclose(H, H[::-1], atol=1e-12)  # symmetric in p <-> 1 - p


def test_conditional_entropy_yz_example():
    """Lines 3010-3075: the six-row Y/Z table."""
    Y = np.array(["t"] * 4 + ["f"] * 2)
    Z = np.array(["t"] * 5 + ["f"])
    assert conditional_entropy(Z, Y) == pytest.approx(2 / 6, abs=1e-12)
    assert round(entropy(Z), 2) == 0.65
    assert entropy(Z) >= conditional_entropy(Z, Y)  # H(Z) >= H(Z|Y) (line 3055)
    ig = information_gain(Z, Y)
    assert ig == pytest.approx(entropy(Z) - 2 / 6, abs=1e-12)
    assert round(ig, 2) == 0.32


# ------------------------------------------------ the movie table (lines 3080-3170)


@pytest.fixture(scope="module")
def movie():
    X, y, names, _ = movies()
    return X, y, names


def test_movie_root_table(movie):
    X, y, names = movie
    table = split_table(X, y, names)
    assert list(table) == ["Type", "Length", "Director", "Famous actors"]
    H = table["Type"]["H"]
    # the slide prints H(Like) = 0.91: -2/3 log2 2/3 - 1/3 log2 1/3 = 0.9183 (truncated there)
    assert H == pytest.approx(0.9183, abs=1e-4)
    h_cond = {k: v["H_cond"] for k, v in table.items()}
    slide_h_cond = {"Type": 0.61, "Length": 0.61, "Director": 0.36, "Famous actors": 0.85}
    for k, v in slide_h_cond.items():
        assert round(h_cond[k], 2) == v, k
    # exact IGs. The slide's IGs (0.3, 0.3, 0.55, 0.06) are 0.91 minus the rounded H(Like|.)
    # (hence Actor 0.06 against the exact 0.073, Director 0.55 against 0.558)
    exact = {"Type": 0.306, "Length": 0.306, "Director": 0.558, "Famous actors": 0.073}
    slide_ig = {"Type": 0.30, "Length": 0.30, "Director": 0.55, "Famous actors": 0.06}
    for k in exact:
        assert table[k]["IG"] == pytest.approx(exact[k], abs=5e-4), k
        assert table[k]["IG"] == pytest.approx(H - h_cond[k], abs=1e-12)
        assert round(0.91 - round(h_cond[k], 2), 2) == slide_ig[k]
    assert max(table, key=lambda k: table[k]["IG"]) == "Director"  # -> the root


def test_movie_lasseter_branch(movie):
    X, y, names = movie
    rows = X[:, 2] == "Lasseter"
    table = split_table(X[rows], y[rows], names)
    assert round(table["Type"]["H"], 2) == 0.81
    assert table["Type"]["H_cond"] == 0.0 and table["Length"]["H_cond"] == 0.0
    assert table["Famous actors"]["H_cond"] == pytest.approx(0.5, abs=1e-12)
    for k, v in {"Type": 0.81, "Length": 0.81, "Famous actors": 0.31}.items():
        assert round(table[k]["IG"], 2) == v, k
    assert table["Type"]["IG"] == table["Length"]["IG"]  # an exact tie: first column wins


def test_movie_id3_tree(movie):
    X, y, names = movie
    est = ID3Classifier().fit(X, y)
    f = est.node_feature_
    assert names[f[0]] == "Director"
    assert est.node_gain_[0] == pytest.approx(0.5577, abs=1e-4)
    assert est.node_entropy_[0] == pytest.approx(0.9183, abs=1e-4)
    children = dict(zip(est.edge_category_, est.edge_child_, strict=False))
    root_edges = est.edge_parent_ == 0
    assert sorted(est.edge_category_[root_edges]) == ["Adamson", "Lasseter", "Singer"]
    for director in ("Adamson", "Singer"):
        leaf = children[director]
        assert f[leaf] == -1 and est.classes_[est.node_value_[leaf]] == "Yes"
    lasseter = children["Lasseter"]
    assert names[f[lasseter]] == "Type"  # tie with Length: first in column order
    assert est.node_gain_[lasseter] == pytest.approx(0.8113, abs=1e-4)
    sub = est.edge_parent_ == lasseter
    leaves = {
        c: est.classes_[est.node_value_[k]]
        for c, k in zip(est.edge_category_[sub], est.edge_child_[sub], strict=True)
    }
    assert leaves == {"Animated": "No", "Comedy": "No", "Drama": "Yes"}
    assert (f[est.edge_child_[sub]] == -1).all()
    assert est.score(X, y) == 1.0
    assert len(f) == 7 and est.node_depth_.max() == 2
    text = est.export_text(names)
    assert "|   |--- Type = Drama\n|   |   |--- class: Yes\n|--- Director = Singer\n" in text
    assert text.startswith("|--- Director = Adamson\n|   |--- class: Yes\n|--- Director = Lass")
    assert ("2: Type", "Drama", "6: Yes") in est.to_edges(names)
    assert len(est.to_edges(names)) == 6


def test_play_tennis_tree():
    """Lines 2905-2940, questions a/b/c: outlook first (largest IG), then humidity under
    sunny and wind under rain, which leave pure nodes; temperature never wins."""
    X, y, names, _ = play_tennis()
    table = split_table(X, y, names)
    # the usual printed values 0.246 / 0.151 / 0.048 / 0.029 are truncated to 3 decimals:
    # exact 0.2467, 0.1518, 0.0481, 0.0292 (outlook and humidity round up)
    exact = {"outlook": 0.2467, "humidity": 0.1518, "wind": 0.0481, "temperature": 0.0292}
    printed = {"outlook": 0.246, "humidity": 0.151, "wind": 0.048, "temperature": 0.029}
    for k, v in exact.items():
        assert table[k]["IG"] == pytest.approx(v, abs=5e-5), k
        assert math.floor(table[k]["IG"] * 1000) / 1000 == printed[k], k
    est = ID3Classifier().fit(X, y)
    f = est.node_feature_
    assert names[f[0]] == "outlook"
    child = {
        c: k
        for c, k, p in zip(est.edge_category_, est.edge_child_, est.edge_parent_, strict=True)
        if p == 0
    }
    assert f[child["overcast"]] == -1 and est.classes_[est.node_value_[child["overcast"]]] == "yes"
    assert names[f[child["sunny"]]] == "humidity" and names[f[child["rain"]]] == "wind"
    expect = {
        ("sunny", "high"): "no",
        ("sunny", "normal"): "yes",
        ("rain", "weak"): "yes",
        ("rain", "strong"): "no",
    }
    for (first, second), label in expect.items():
        node = child[first]
        sub = est.edge_parent_ == node
        leaf = est.edge_child_[sub][est.edge_category_[sub] == second][0]
        assert f[leaf] == -1 and est.classes_[est.node_value_[leaf]] == label
    assert names.index("temperature") not in set(f.tolist())
    assert (est.node_entropy_[f == -1] == 0).all()  # b): every leaf is pure
    assert est.score(X, y) == 1.0


def test_information_gain_is_mutual_information(movie):
    rng = np.random.default_rng(0)
    tables = [movie[:2], play_tennis()[:2], (rng.integers(0, 4, (200, 3)), rng.integers(0, 3, 200))]
    for X, y in tables:
        for j in range(X.shape[1]):
            mi_bits = mutual_info_score(X[:, j], y) / math.log(2)
            assert information_gain(y, X[:, j]) == pytest.approx(mi_bits, abs=1e-12)


# ------------------------------------------------ ID3 behaviour


def test_id3_stopping_rules_and_unseen(movie):
    X, y, names = movie
    stump = ID3Classifier(max_depth=1).fit(X, y)
    assert stump.node_depth_.max() == 1 and (stump.node_feature_[1:] == -1).all()
    # Lasseter's leaf: 3 No vs 1 Yes -> No
    assert stump.predict([["Drama", "Medium", "Lasseter", "No"]])[0] == "No"
    assert ID3Classifier(min_gain=0.6).fit(X, y).node_feature_.tolist() == [-1]  # 0.558 <= 0.6
    est = ID3Classifier().fit(X, y)
    # an unseen director stops at the root: its majority (6 Yes / 3 No)
    new = [["Comedy", "Short", "Spielberg", "No"], ["Western", "Long", "Lasseter", "No"]]
    np.testing.assert_array_equal(est.predict(new), ["Yes", "No"])  # unseen Type: 3 No / 1 Yes
    proba = est.predict_proba(new)
    np.testing.assert_allclose(proba, [[1 / 3, 2 / 3], [3 / 4, 1 / 4]])
    np.testing.assert_allclose(est.predict_proba(X).sum(axis=1), 1.0)


def test_id3_sample_weight_is_duplication(movie):
    X, y, _ = movie
    counts = np.array([1, 3, 0, 2, 1, 1, 2, 1, 0])
    a = ID3Classifier().fit(X, y, sample_weight=counts)
    b = ID3Classifier().fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    for attr in ("node_feature_", "node_counts_", "node_gain_", "edge_child_", "edge_category_"):
        got, want = getattr(a, attr), getattr(b, attr)
        if got.dtype.kind == "f":
            np.testing.assert_allclose(got, want, atol=1e-12)
        else:
            np.testing.assert_array_equal(got, want)


# ------------------------------------------------ real-valued tree vs scikit-learn


def _split(loader):
    X, y = loader(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


DATASETS = {"breast_cancer": load_breast_cancer, "wine": load_wine, "digits": load_digits}


@pytest.fixture(scope="module")
def data():
    return {name: _split(loader) for name, loader in DATASETS.items()}


def test_unique_split_matches_sklearn():
    """One informative feature with a clear gap: the best split is unique."""
    X = np.array([[0.0, 5.0], [1.0, 3.0], [2.0, 4.0], [6.0, 1.0], [7.0, 0.0], [9.0, 2.0]])
    y = np.array([0, 0, 0, 1, 1, 1])
    X[:, 1] = [3.0, 5.0, 1.0, 4.0, 0.0, 2.0]  # no clean split on feature 1
    for criterion in ("entropy", "gini"):
        ours = DecisionTreeClassifier(criterion=criterion).fit(X, y)
        ref = sk_tree.DecisionTreeClassifier(criterion=criterion, random_state=0).fit(X, y)
        assert ours.feature_[0] == ref.tree_.feature[0] == 0
        assert ours.threshold_[0] == pytest.approx(ref.tree_.threshold[0]) == 4.0
        assert ours.impurity_[0] == pytest.approx(ref.tree_.impurity[0], abs=1e-12)
        assert ours.node_count == ref.tree_.node_count == 3


@pytest.mark.parametrize("criterion", ["entropy", "gini"])
@pytest.mark.parametrize("max_depth", [None, 3])
@pytest.mark.parametrize("name", list(DATASETS))
def test_accuracy_matches_sklearn(data, name, max_depth, criterion):
    """scikit-learn breaks ties between equal splits at random (its random_state), and
    ties are common in small nodes, so its test accuracy varies with the seed (wine, 54 test
    rows: 0.83-0.98 for gini). Ours must lie in its seed range widened by 2 points, and
    within 2 points of its seed mean where the test set is large enough for that to mean
    something (breast_cancer 171 rows, digits 540; wine's one row is 1.9 points)."""
    Xtr, Xte, ytr, yte = data[name]
    ours = DecisionTreeClassifier(criterion=criterion, max_depth=max_depth).fit(Xtr, ytr)
    refs = [
        sk_tree.DecisionTreeClassifier(criterion=criterion, max_depth=max_depth, random_state=s)
        for s in range(10)
    ]
    scores = np.array([r.fit(Xtr, ytr).score(Xte, yte) for r in refs])
    acc = ours.score(Xte, yte)
    assert scores.min() - 0.02 <= acc <= scores.max() + 0.02
    if name != "wine":
        assert abs(acc - scores.mean()) <= 0.02
    ref = refs[0]
    assert ours.impurity_[0] == pytest.approx(ref.tree_.impurity[0], abs=1e-12)  # log2 both
    if max_depth is None:
        assert ours.score(Xtr, ytr) == 1.0
        assert abs(ours.get_depth() - ref.get_depth()) <= 3
        assert abs(ours.get_n_leaves() - ref.get_n_leaves()) <= 0.2 * ref.get_n_leaves()
    else:
        assert ours.get_depth() <= max_depth
        assert abs(ours.score(Xtr, ytr) - ref.score(Xtr, ytr)) <= 0.02


def _decrease(value, impurity, left, right, node=0):
    """scikit-learn's weighted impurity decrease of the split at ``node``."""
    w = value.sum(axis=1) if value.ndim == 2 else value
    W = w[0]
    l, r = left[node], right[node]
    return (
        w[node] / W * (impurity[node] - w[l] / w[node] * impurity[l] - w[r] / w[node] * impurity[r])
    )


@pytest.mark.parametrize("criterion", ["entropy", "gini"])
def test_stump_matches_sklearn(data, criterion):
    Xtr, _, ytr, _ = data["breast_cancer"]
    ours = DecisionTreeClassifier(criterion=criterion, max_depth=1).fit(Xtr, ytr)
    ref = sk_tree.DecisionTreeClassifier(criterion=criterion, max_depth=1, random_state=0)
    ref.fit(Xtr, ytr)
    t = ref.tree_
    assert ours.feature_[0] == t.feature[0]
    assert ours.threshold_[0] == pytest.approx(t.threshold[0], rel=1e-6)  # sklearn: float32 X
    ours_dec = _decrease(ours.value_, ours.impurity_, ours.children_left_, ours.children_right_)
    ref_dec = _decrease(t.weighted_n_node_samples, t.impurity, t.children_left, t.children_right)
    assert ours_dec == pytest.approx(ref_dec, abs=1e-9)
    np.testing.assert_allclose(ours.n_node_samples_, t.weighted_n_node_samples)
    np.testing.assert_allclose(ours.impurity_, t.impurity, atol=1e-12)


def test_export_text_matches_sklearn(data):
    Xtr, _, ytr, _ = data["breast_cancer"]
    names = list(load_breast_cancer().feature_names)
    ours = DecisionTreeClassifier(max_depth=2).fit(Xtr, ytr)
    ref = sk_tree.DecisionTreeClassifier(criterion="entropy", max_depth=2, random_state=0)
    ref.fit(Xtr, ytr)
    assert ours.export_text(names) == sk_tree.export_text(ref, feature_names=names)


def test_structure_and_apply(data):
    Xtr, Xte, ytr, _ = data["wine"]
    est = DecisionTreeClassifier(min_samples_leaf=3, random_state=0).fit(Xtr, ytr)
    leaves = est.children_left_ < 0
    assert est.get_n_leaves() == leaves.sum() and est.node_count == len(leaves)
    assert (est.feature_[leaves] == -2).all() and (est.children_right_[leaves] == -1).all()
    assert (est.n_node_rows_[leaves] >= 3).all()
    inner = ~leaves
    # children's counts add up to the parent's; depths grow by one; ids breadth-first
    np.testing.assert_allclose(
        est.value_[est.children_left_[inner]] + est.value_[est.children_right_[inner]],
        est.value_[inner],
    )
    assert (est.depth_[est.children_left_[inner]] == est.depth_[inner] + 1).all()
    assert (np.diff(est.depth_) >= 0).all()
    leaf = est.apply(Xte)
    assert leaves[leaf].all()
    # brute-force routing of a few rows
    for i in range(5):
        v = 0
        while est.children_left_[v] >= 0:
            go_left = Xte[i, est.feature_[v]] <= est.threshold_[v]
            v = est.children_left_[v] if go_left else est.children_right_[v]
        assert leaf[i] == v
    proba = est.predict_proba(Xte)
    np.testing.assert_allclose(proba, est.value_[leaf] / est.value_[leaf].sum(1, keepdims=True))
    np.testing.assert_array_equal(est.predict(Xte), est.classes_[proba.argmax(1)])


def test_stopping_parameters(data):
    Xtr, Xte, ytr, yte = data["breast_cancer"]
    for kw in ({"min_samples_leaf": 5}, {"min_samples_split": 20}, {"min_impurity_decrease": 0.01}):
        ours = DecisionTreeClassifier(**kw).fit(Xtr, ytr)
        ref = sk_tree.DecisionTreeClassifier(criterion="entropy", random_state=0, **kw)
        ref.fit(Xtr, ytr)
        assert abs(ours.get_n_leaves() - ref.get_n_leaves()) <= max(2, 0.2 * ref.get_n_leaves())
        assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.03
    est = DecisionTreeClassifier(min_samples_split=20).fit(Xtr, ytr)
    assert (est.n_node_rows_[est.children_left_ >= 0] >= 20).all()
    est = DecisionTreeClassifier(min_impurity_decrease=0.01).fit(Xtr, ytr)
    for v in np.flatnonzero(est.children_left_ >= 0):
        dec = _decrease(est.value_, est.impurity_, est.children_left_, est.children_right_, v)
        assert dec >= 0.01 - 1e-12


# ------------------------------------------------ sample_weight, max_features


def test_sample_weight_duplication_and_zeros(data):
    Xtr, Xte, ytr, _ = data["wine"]
    counts = np.random.default_rng(0).integers(0, 4, len(ytr))
    for kw in ({}, {"max_features": "sqrt", "random_state": 3}):
        a = DecisionTreeClassifier(**kw).fit(Xtr, ytr, sample_weight=counts)
        b = DecisionTreeClassifier(**kw).fit(np.repeat(Xtr, counts, 0), np.repeat(ytr, counts))
        for attr in ("feature_", "threshold_", "children_left_", "value_"):
            np.testing.assert_allclose(getattr(a, attr), getattr(b, attr), atol=1e-12)
        np.testing.assert_array_equal(a.predict(Xte), b.predict(Xte))
    # zero weights = those rows dropped
    w = (counts > 0) * 1.0
    a = DecisionTreeClassifier().fit(Xtr, ytr, sample_weight=w)
    b = DecisionTreeClassifier().fit(Xtr[w > 0], ytr[w > 0])
    for attr in ("feature_", "threshold_", "children_left_", "value_", "n_node_rows_"):
        np.testing.assert_allclose(getattr(a, attr), getattr(b, attr))


def test_weighted_stump_matches_sklearn(data):
    Xtr, _, ytr, _ = data["breast_cancer"]
    w = np.random.default_rng(1).uniform(0.1, 3.0, len(ytr))
    for criterion in ("entropy", "gini"):
        ours = DecisionTreeClassifier(criterion=criterion, max_depth=1).fit(Xtr, ytr, w)
        ref = sk_tree.DecisionTreeClassifier(criterion=criterion, max_depth=1, random_state=0)
        t = ref.fit(Xtr, ytr, sample_weight=w).tree_
        assert ours.feature_[0] == t.feature[0]
        assert ours.threshold_[0] == pytest.approx(t.threshold[0], rel=1e-6)
        np.testing.assert_allclose(ours.n_node_samples_, t.weighted_n_node_samples, rtol=1e-9)
        np.testing.assert_allclose(ours.impurity_, t.impurity, atol=1e-9)


def test_max_features_random_state(data):
    Xtr, Xte, ytr, yte = data["digits"]

    def fit(**kw):
        return DecisionTreeClassifier(max_features="sqrt", **kw).fit(Xtr, ytr)

    a, b, c = fit(random_state=0), fit(random_state=0), fit(random_state=1)
    for attr in ("feature_", "threshold_", "value_"):
        np.testing.assert_array_equal(getattr(a, attr), getattr(b, attr))
    assert a.node_count != c.node_count or not np.array_equal(a.feature_, c.feature_)
    assert a.score(Xtr, ytr) == 1.0 and a.score(Xte, yte) > 0.6
    # max_features=1: the root's feature is a random non-constant one
    roots = {
        DecisionTreeClassifier(max_features=1, max_depth=1, random_state=s)
        .fit(Xtr, ytr)
        .feature_[0]
        for s in range(10)
    }
    assert len(roots) > 3
    n = Xtr.shape[1]
    for mf in (5, 0.25, "log2", None):
        est = DecisionTreeClassifier(max_features=mf, max_depth=4, random_state=0).fit(Xtr, ytr)
        assert est.get_depth() <= 4 and est.n_features_in_ == n


def test_invalid_params():
    X, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 0])
    for kw in (
        {"criterion": "mse"},
        {"max_depth": 0},
        {"min_samples_split": 1},
        {"min_samples_leaf": 0},
        {"min_impurity_decrease": -1.0},
        {"max_features": 3},
        {"max_features": "all"},
    ):
        with pytest.raises(ValueError):
            DecisionTreeClassifier(**kw).fit(X, y)
    with pytest.raises(ValueError):
        DecisionTreeClassifier().fit(X, y, sample_weight=np.zeros(5))
    with pytest.raises(ValueError):
        ID3Classifier(min_gain=-0.1).fit(X, y)


# ------------------------------------------------ pruning (lines 3190-3215)


@pytest.fixture(scope="module")
def noisy():
    """breast_cancer, 20 % of the training labels flipped; train / validation / test."""
    X, y = load_breast_cancer(return_X_y=True)
    Xtr, Xrest, ytr, yrest = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
    Xva, Xte, yva, yte = train_test_split(
        Xrest, yrest, test_size=0.5, stratify=yrest, random_state=0
    )
    flip = np.random.default_rng(0).random(len(ytr)) < 0.2
    return Xtr, np.where(flip, 1 - ytr, ytr), Xva, yva, Xte, yte


def test_prune_on_noisy_labels(noisy):
    Xtr, ytr, Xva, yva, Xte, yte = noisy
    full = DecisionTreeClassifier().fit(Xtr, ytr)
    before = (full.node_count, full.value_.copy())
    pruned = full.prune(Xva, yva)
    assert (full.node_count, full.value_.tolist()) == (before[0], before[1].tolist())  # a copy
    assert pruned.get_n_leaves() < full.get_n_leaves()
    assert pruned.score(Xva, yva) >= full.score(Xva, yva)
    assert pruned.score(Xte, yte) >= full.score(Xte, yte) - 0.02  # measured: 0.74 -> 0.89
    # the pruned tree is a proper tree over the same nodes' counts
    leaves = pruned.children_left_ < 0
    assert (pruned.feature_[leaves] == -2).all()
    assert pruned.get_n_leaves() == leaves.sum() and pruned.node_count == len(leaves)


def test_pruning_path_follows_the_greedy_rule(noisy):
    Xtr, ytr, Xva, yva, _, _ = noisy
    full = DecisionTreeClassifier().fit(Xtr, ytr)
    path = full.pruning_path(Xva, yva, Xtr, ytr)
    n_leaves, val, chosen = path["n_leaves"], path["val_accuracy"], int(path["chosen"])
    assert n_leaves[0] == full.get_n_leaves() and n_leaves[-1] == 1
    assert (np.diff(n_leaves) < 0).all()  # each collapse removes at least one leaf
    assert path["train_accuracy"][0] == 1.0
    assert (np.diff(val[: chosen + 1]) >= 0).all()  # never worse up to the chosen tree ...
    assert chosen == len(val) - 1 or val[chosen + 1] < val[chosen]  # ... then it drops
    assert val[chosen] == val[: chosen + 1].max()
    pruned = full.prune(Xva, yva)
    assert pruned.get_n_leaves() == n_leaves[chosen]
    assert pruned.score(Xva, yva) == pytest.approx(val[chosen])
    # brute force the first step: the collapsed node gives the best validation accuracy
    inner = np.flatnonzero(full.children_left_ >= 0)
    accs = np.array([full._collapsed([v]).score(Xva, yva) for v in inner])
    assert val[1] == pytest.approx(accs.max())
    assert full._collapsed([path["collapsed"][1]]).score(Xva, yva) == pytest.approx(accs.max())


def test_pruning_on_make_classification():
    X, y = make_classification(1200, 10, n_informative=4, flip_y=0.2, random_state=0)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.5, random_state=0)
    full = DecisionTreeClassifier(criterion="gini").fit(Xtr, ytr)
    path = full.pruning_path(Xva, yva)
    pruned = full.prune(Xva, yva)
    assert pruned.get_n_leaves() < full.get_n_leaves() / 3
    assert pruned.score(Xva, yva) > full.score(Xva, yva)
    # with every collapse whose delta is >= 0 taken, no single further collapse helps
    inner = np.flatnonzero(pruned.children_left_ >= 0)
    base = pruned.score(Xva, yva)
    assert all(pruned._collapsed([v]).score(Xva, yva) < base for v in inner)
    assert "train_accuracy" not in path


def test_single_leaf_tree():
    X, y = np.arange(8.0).reshape(4, 2), np.array([1, 1, 1, 1])
    est = DecisionTreeClassifier().fit(X, y)
    assert est.node_count == 1 and est.get_depth() == 0 and est.get_n_leaves() == 1
    path = est.pruning_path(X, y)
    assert path["n_leaves"].tolist() == [1] and int(path["chosen"]) == 0
    assert est.prune(X, y).node_count == 1
    assert est.export_text() == "|--- class: 1\n"
    assert ID3Classifier().fit(X, y).export_text() == "|--- class: 1\n"


# ------------------------------------------------ API conformance, persistence


@parametrize_with_checks(
    [
        ID3Classifier(),
        DecisionTreeClassifier(),
        DecisionTreeClassifier(max_depth=2, max_features="sqrt", random_state=0),
    ]
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(estimator)


def test_persistence_round_trip(tmp_path, movie, data):
    X, y, _ = movie
    id3 = ID3Classifier().fit(X, y)
    save_estimator(id3, tmp_path / "id3")
    back = load_estimator(tmp_path / "id3")
    np.testing.assert_array_equal(back.predict(X), id3.predict(X))
    assert back.export_text() == id3.export_text()
    Xtr, Xte, ytr, _ = data["wine"]
    est = DecisionTreeClassifier(max_features=0.5, random_state=0).fit(Xtr, ytr)
    save_estimator(est, tmp_path / "dt")
    back = load_estimator(tmp_path / "dt")
    np.testing.assert_array_equal(back.predict_proba(Xte), est.predict_proba(Xte))
    assert back.node_count == est.node_count and back.get_depth() == est.get_depth()
