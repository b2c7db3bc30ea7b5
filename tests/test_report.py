"""The report renders every lecture's claims, tables and figures, offline (no external URLs)."""

from __future__ import annotations

import re

import pytest

from mldm import config, lectures
from mldm.errors import MldmError
from mldm.io import write_json
from mldm.report import build
from mldm.report.build import fmt


def _fake_outputs(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for i, lid in enumerate(lectures.IDS):
        write_json(
            tmp_path / "metrics" / f"{lid}.json",
            {
                "exp": {
                    "ours": {"test_accuracy": 0.91 + i / 100},
                    "sklearn": {"test_accuracy": 0.9},
                },
                "claims": {
                    "c1": {
                        "text": "L1 <gives> zeros",
                        "passed": i != 1,
                        "measured": 37,
                        "expected": "> 0",
                        "lines": "1290-1300",
                    }
                },
                "worked_example": {
                    "table": {"columns": ["a", "b"], "rows": [[1, 2.5]], "note": "n"}
                },
            },
        )
        (tmp_path / "plots" / lid).mkdir(parents=True)
        fig, ax = plt.subplots()
        ax.plot([0, 1])
        fig.savefig(tmp_path / "plots" / lid / "curve.png")
        plt.close(fig)


def test_report_shows_claims_and_inlines_figures(tmp_path, root):
    _fake_outputs(tmp_path)
    cfg = config.load(root / "params.yaml")
    index = build(cfg, tmp_path / "reports", tmp_path / "metrics", tmp_path / "plots")
    html = index.read_text()
    n = len(lectures.IDS)
    assert f"<b>{n - 1} / {n}</b> passed" in html
    assert html.count(">FAIL<") == 1
    assert "L1 &lt;gives&gt; zeros" in html  # escaped
    assert html.count("data:image/png;base64,") == n
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # renders offline
    md = (tmp_path / "reports" / "summary.md").read_text()
    assert "| L1 <gives> zeros | 1290-1300 | 37 | > 0 | **FAIL** |" in md
    for lid in lectures.IDS:
        assert (tmp_path / "reports" / "figures" / lid / "curve.png").is_file()


def test_missing_metrics_is_a_clear_error(tmp_path, root):
    cfg = config.load(root / "params.yaml")
    with pytest.raises(MldmError, match="no metrics for 'l01_linear_regression'"):
        build(cfg, tmp_path / "r", tmp_path / "metrics", tmp_path / "plots")
    assert not (tmp_path / "r").exists()


def test_fmt():
    assert fmt(0.123456) == "0.1235" and fmt(1.5e-12) == "1.500e-12" and fmt(True) == "yes"
    assert fmt(7) == "7" and fmt([1.0, 2.0]) == "[1, 2]"
