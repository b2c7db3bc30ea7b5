"""Build ``reports/`` from ``metrics/*.json`` and ``plots/*/``.

The report never decides whether a claim passed: it prints what the lecture's evaluation
measured and decided. It is self-contained (figures inlined, no CDN), so it renders offline.
"""

from mldm.report.build import build, collect

__all__ = ["build", "collect"]
