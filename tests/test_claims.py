from __future__ import annotations

import math

import pytest

from mldm import lectures
from mldm.io import read_json
from mldm.lectures.claims import Claim, ClaimSet, between, equals, gt, increasing, lt


def test_expectations():
    assert lt(1e-8)(1e-9) and not lt(1e-8)(1e-7) and not lt(1.0)(math.nan)
    assert gt(0)(1) and not gt(0)(0) and between(0, 1)(0.5) and not between(0, 1)(2)
    assert equals(4)(4) and not equals(4)(5) and not lt(1)("text")
    assert str(lt(1e-8)) == "< 1e-08"
    assert increasing()([1, 2.5, 3]) and not increasing()([1, 1, 3]) and not increasing()([2, 1])
    assert not increasing()([1]) and not increasing()([1, math.nan]) and not increasing()(None)


def test_claimset_requires_every_claim_measured():
    claims = ClaimSet(
        Claim("a", "A", "1-2", lt(1), kind="identity"),
        Claim("b", "B", "3", gt(0), kind="effect"),
    )
    out = claims.results({"a": 0.5, "b": -1})
    assert out["a"]["passed"] is True and out["b"]["passed"] is False
    assert out["a"] == {
        "text": "A",
        "kind": "identity",
        "passed": True,
        "measured": 0.5,
        "expected": "< 1",
        "lines": "1-2",
    }
    with pytest.raises(RuntimeError, match="declared but not measured"):
        claims.results({"a": 0.5})
    with pytest.raises(RuntimeError, match="measured but not declared"):
        claims.results({"a": 0.5, "b": 1, "c": 2})
    with pytest.raises(ValueError, match="duplicate"):
        ClaimSet(
            Claim("a", "A", "1", lt(1), kind="oracle"), Claim("a", "A", "1", lt(1), kind="oracle")
        )


def test_claim_kind_is_required_and_checked():
    with pytest.raises(TypeError, match="kind"):
        Claim("a", "A", "1", lt(1))
    with pytest.raises(ValueError, match="kind 'exact' is not one of"):
        Claim("a", "A", "1", lt(1), kind="exact")


def test_audit_reapplies_the_predicate():
    claims = ClaimSet(
        Claim("a", "A", "1-2", lt(1), kind="identity"),
        Claim("b", "B", "3", gt(0), kind="effect"),
    )
    stored = claims.results({"a": 0.5, "b": -1})
    assert claims.audit(stored) == {}
    lied = {**stored, "b": {**stored["b"], "passed": True}}  # a stored pass the value refutes
    assert claims.audit(lied) == {"b": "passed: stored True, declared False"}
    old = {k: {f: v for f, v in c.items() if f != "kind"} for k, c in stored.items()}
    assert claims.audit(old) == {}  # written before claims had a kind
    assert (
        "kind: stored 'oracle'"
        in claims.audit({**stored, "a": {**stored["a"], "kind": "oracle"}})["a"]
    )
    assert claims.audit({"a": stored["a"], "c": stored["b"]}) == {
        "b": "declared but not stored",
        "c": "stored but not declared",
    }
    nan = claims.results({"a": math.nan, "b": 1})
    assert nan["a"]["passed"] is False and claims.audit(nan) == {}


@pytest.mark.parametrize("lecture_id", lectures.IDS)
def test_committed_metrics_agree_with_the_declared_claims(root, lecture_id):
    """The committed (default-profile) metrics: every stored claim is declared and every
    declared claim stored, and each declaration, its predicate re-applied to the stored
    ``measured``, gives the stored ``passed``, text, kind, expected and lines. Fails when the
    metrics are stale: rerun ``dvc repro evaluate@<lecture>``."""
    stored = read_json(root / "metrics" / f"{lecture_id}.json")["claims"]
    assert lectures.get(lecture_id).CLAIMS.audit(stored) == {}
