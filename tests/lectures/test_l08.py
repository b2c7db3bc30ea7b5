"""L08 pieces the end-to-end lecture test does not pin down: the slide's numbers as we
recompute them, the tree-path reader the tree claims use, and the vote curve (against plain
loops); the members' agreement is the ensembles' own (tests/models/test_ensemble.py)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from mldm.evaluation.ensembles import vote_curve
from mldm.lectures import l08_trees as l08
from mldm.lectures.l08_trees import id3
from mldm.models import ID3Classifier
from mldm.models.tree_edges import tree_paths


def test_the_slide_numbers_we_recompute():
    nums = id3.entropy_numbers(id3.tables())
    assert nums["entropies"]["(0.75, 0.25)"] == pytest.approx(0.811278, abs=1e-6)
    assert nums["yz"]["H(Z|Y)"] == pytest.approx(2 / 6, abs=1e-12)
    root = nums["movie_root"]
    assert root["H(Like)"] == pytest.approx(0.918296, abs=1e-6)
    assert root["IG(Director)"] == pytest.approx(0.557728, abs=1e-6)
    assert max(root, key=lambda k: root[k] if k.startswith("IG") else -1) == "IG(Director)"
    lasseter = nums["movie_lasseter"]
    assert "IG(Director)" not in lasseter
    assert lasseter["IG(Type)"] == lasseter["IG(Length)"] == pytest.approx(0.811278, abs=1e-6)
    tennis = nums["tennis_root"]
    assert tennis["IG(outlook)"] == pytest.approx(0.2467, abs=1e-4)
    assert tennis["IG(temperature)"] == pytest.approx(0.0292, abs=1e-4)
    # the slide's own rules bring every number to what it prints; plain rounding does not
    printed = id3.as_slide_prints(root)
    assert all(id3.printed(printed[k], v) for k, v in id3.SLIDE_MOVIE_ROOT.items())
    assert not id3.printed(round(root["IG(Famous actors)"], 2), 0.06)  # exact gain 0.073


def test_slide_prints_cut_the_class_entropy_and_subtract_printed_numbers():
    out = id3.as_slide_prints({"H(Like)": 0.918, "H(Like|A)": 0.8455, "IG(A)": 0.0725})
    assert out == {"H(Like)": 0.91, "H(Like|A)": 0.85, "IG(A)": 0.06}


def test_tree_paths_read_the_fitted_trees():
    tables = id3.tables()
    X, y, names, _ = tables["movies"]
    assert tree_paths(ID3Classifier().fit(X, y).to_edges(names)) == id3.MOVIE_TREE
    X, y, names, _ = tables["play_tennis"]
    assert tree_paths(ID3Classifier().fit(X, y).to_edges(names)) == id3.TENNIS_TREE
    # a depth-1 tree is a different tree: the comparison can fail
    stump = ID3Classifier(max_depth=1).fit(X, y)
    assert tree_paths(stump.to_edges(names)) != id3.TENNIS_TREE
    assert tree_paths([]) == set()


def test_vote_curve_matches_plain_loops():
    rng = np.random.default_rng(0)
    K, n, C = 7, 50, 4
    P = rng.integers(0, C, size=(K, n))
    y = rng.integers(0, C, size=n)
    curve = vote_curve(P, y, C)
    for k in range(1, K + 1):
        counts = np.array([np.bincount(P[:k, i], minlength=C) for i in range(n)])
        assert curve[k - 1] == pytest.approx(np.mean(counts.argmax(1) == y))


def test_params_validation():
    with pytest.raises(ValidationError):
        l08.Params(criterion="gain")
    with pytest.raises(ValidationError):
        l08.Params(pruning={"label_noise": 0.5})
    assert l08.Params(forest={"max_features": 0.5}).forest.max_features == 0.5


def test_a_vote_curve_longer_than_the_forest_is_a_params_error():
    import pytest
    from pydantic import ValidationError

    from mldm.lectures.l08_trees.params import Forest

    with pytest.raises(ValidationError, match=r"curve points \[200\] must lie in 1..n_estim"):
        Forest(curve=[1, 200])
