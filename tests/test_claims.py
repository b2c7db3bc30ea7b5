from __future__ import annotations

import math

import pytest

from mldm.lectures.claims import Claim, ClaimSet, between, equals, gt, lt


def test_expectations():
    assert lt(1e-8)(1e-9) and not lt(1e-8)(1e-7) and not lt(1.0)(math.nan)
    assert gt(0)(1) and not gt(0)(0) and between(0, 1)(0.5) and not between(0, 1)(2)
    assert equals(4)(4) and not equals(4)(5) and not lt(1)("text")
    assert str(lt(1e-8)) == "< 1e-08"


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
