"""Claims: what a lecture says that a measurement can check.

A lecture declares all its claims in one place (``CLAIMS = ClaimSet(...)``); its
``evaluate`` only measures (``ctx.measure(claim_id, value)``). The pass/fail test lives in
the claim's :class:`Expect`, never in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Expect:
    """A predicate on a measured value, with the text the report prints for it."""

    text: str
    test: Callable[[Any], bool]

    def __call__(self, measured: Any) -> bool:
        try:
            return bool(self.test(measured))
        except (TypeError, ValueError):
            return False

    def __str__(self) -> str:
        return self.text


def _finite(x) -> bool:
    return np.all(np.isfinite(np.asarray(x, dtype=float)))


def lt(bound: float) -> Expect:
    return Expect(f"< {bound:g}", lambda m: _finite(m) and float(m) < bound)


def le(bound: float) -> Expect:
    return Expect(f"<= {bound:g}", lambda m: _finite(m) and float(m) <= bound)


def gt(bound: float) -> Expect:
    return Expect(f"> {bound:g}", lambda m: _finite(m) and float(m) > bound)


def ge(bound: float) -> Expect:
    return Expect(f">= {bound:g}", lambda m: _finite(m) and float(m) >= bound)


def between(lo: float, hi: float) -> Expect:
    return Expect(f"in [{lo:g}, {hi:g}]", lambda m: _finite(m) and lo <= float(m) <= hi)


def equals(value: Any) -> Expect:
    return Expect(f"== {value!r}", lambda m: m == value)


def increasing() -> Expect:
    """Strictly increasing (a ranking measured left to right)."""
    return Expect(
        "strictly increasing",
        lambda m: _finite(m) and len(m) > 1 and bool(np.all(np.diff(np.asarray(m, float)) > 0)),
    )


def is_true() -> Expect:
    return Expect("true", lambda m: m is True or m == 1)


# What sort of evidence a claim is (DESIGN.md "Metrics and claims"):
KINDS = (
    "worked_example",  # the lecture's printed numbers, reproduced by our code
    "oracle",  # our implementation vs a well-kept library on the same input
    "effect",  # what the lecture says happens (a property, a comparison, a trend)
    "identity",  # two forms of one quantity agree (up to floating point)
)


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    lines: str  # where the lecture says it, in course-notes.zh.txt
    expect: Expect
    # it holds at any size, so on the smoke profile too; the others need the default
    # profile's data and epochs. Not derived from ``kind``: an effect on a fixed quadratic or
    # at initialization holds at any size, and a worked example of a trained net may not.
    exact: bool = False
    kind: str = field(kw_only=True)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"claim '{self.id}': kind {self.kind!r} is not one of {KINDS}")


def _entry(c: Claim, measured: Any) -> dict:
    """One claim's entry in the ``claims`` block of metrics."""
    return {
        "text": c.text,
        "kind": c.kind,
        "passed": c.expect(measured),
        "measured": measured,
        "expected": str(c.expect),
        "lines": c.lines,
    }


class ClaimSet:
    """The claims of one lecture; turns measurements into the ``claims`` block of metrics."""

    def __init__(self, *claims: Claim):
        ids = [c.id for c in claims]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate claim ids: {ids}")
        self.claims = {c.id: c for c in claims}

    def __iter__(self):
        return iter(self.claims.values())

    def __contains__(self, claim_id: str) -> bool:
        return claim_id in self.claims

    def results(self, measured: dict[str, Any]) -> dict[str, dict]:
        """``{id: {text, kind, passed, measured, expected, lines}}``; every claim must be
        measured."""
        unknown = set(measured) - set(self.claims)
        missing = set(self.claims) - set(measured)
        if unknown or missing:
            raise RuntimeError(
                f"claims measured but not declared: {sorted(unknown)}; "
                f"declared but not measured: {sorted(missing)}"
            )
        return {c.id: _entry(c, measured[c.id]) for c in self.claims.values()}

    def audit(self, stored: dict[str, dict]) -> dict[str, str]:
        """What is wrong with a stored ``claims`` block (from :meth:`results`, read back from
        metrics JSON), ``{claim_id: problem}``: a claim stored but not declared, declared but
        not stored, or whose declaration gives another ``passed`` for the stored ``measured``
        (the predicate is re-applied: a stored ``passed`` is never trusted alone) or another
        text, kind, expected or lines. A block written before claims had a kind is not
        faulted for lacking one."""
        problems = {cid: "stored but not declared" for cid in stored if cid not in self.claims}
        for c in self.claims.values():
            if c.id not in stored:
                problems[c.id] = "declared but not stored"
                continue
            s = stored[c.id]
            mine = _entry(c, s.get("measured"))  # the predicate re-applied to what was stored
            if "kind" not in s:
                del mine["kind"]
            keys = (mine.keys() | s.keys()) - {"measured"}  # measured is the given (NaN != NaN)
            diff = sorted(k for k in keys if mine.get(k) != s.get(k))
            if diff:
                problems[c.id] = ", ".join(
                    f"{k}: stored {s.get(k)!r}, declared {mine.get(k)!r}" for k in diff
                )
        return problems
