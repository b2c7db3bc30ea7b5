"""The report renders every lecture's claims, tables and figures, offline (no external URLs)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from mldm import config, lectures
from mldm.errors import MldmError
from mldm.io import read_json, write_json
from mldm.report import build
from mldm.report.build import EXCERPT_MAX_LINES, NOTES_ENV, fmt, parse_lines


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
                        "kind": "effect",
                        "passed": i != 1,
                        "measured": 37,
                        "expected": "> 0",
                        "lines": "1290-1300",
                    },
                    "c2": {
                        "text": "ours equals the library",
                        "kind": "oracle",
                        "passed": True,
                        "measured": 0.0,
                        "expected": "< 1e-08",
                        "lines": "1",
                    },
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


def _fake_studies(tmp_path, cfg):
    import shutil

    for i, (name, spec) in enumerate(cfg.studies.items()):
        write_json(
            tmp_path / "tuning" / name / "best.json",
            {
                "study": name,
                "target": f"lectures.{spec.lecture}.{spec.model}",
                "metric": spec.metric,
                "direction": spec.direction,
                "n_trials": spec.n_trials,
                "trials": {"complete": spec.n_trials - 1, "pruned": 1, "fail": 0},
                "best": {"trial": 3, "value": 0.25 + i, "params": {"x": 2}},
                "default": {"trial": 0, "value": 0.75 + i, "params": {"x": 1}},
                "apply": f"dvc exp run -S lectures.{spec.lecture}.{spec.model}.x=2",
            },
        )
        (tmp_path / "tuning" / name / "figures").mkdir(exist_ok=True)
        shutil.copy(
            tmp_path / "plots" / lectures.IDS[0] / "curve.png",
            tmp_path / "tuning" / name / "figures" / "history.png",
        )


def test_report_shows_claims_and_inlines_figures(tmp_path, root):
    _fake_outputs(tmp_path)
    cfg = config.load(root / "params.yaml")
    _fake_studies(tmp_path, cfg)
    index = build(
        cfg, tmp_path / "reports", tmp_path / "metrics", tmp_path / "plots", tmp_path / "tuning"
    )
    html = index.read_text()
    n, n_studies = len(lectures.IDS), len(cfg.studies)
    assert f"<b>{2 * n - 1} / {2 * n}</b> passed" in html
    assert f"(passed / claims by kind: oracle {n}/{n}, effect {n - 1}/{n})" in html
    assert html.count("<td>oracle 1/1, effect 0/1</td>") == 1  # the lecture that failed
    assert html.count(">FAIL<") == 2  # the claim row and its entry in the contents
    assert "L1 &lt;gives&gt; zeros" in html  # escaped
    assert html.count("data:image/png;base64,") == n + n_studies
    for i, name in enumerate(cfg.studies):  # tuned beside default, and how to apply it
        assert f"<code>{name}</code>" in html
        assert f'<td>tuned (best)</td><td class="num">3</td><td class="num">{0.25 + i:.4g}<' in html
        assert f'<td>default</td><td class="num">0</td><td class="num">{0.75 + i:.4g}<' in html
        assert (tmp_path / "reports" / "figures" / "tuning" / name / "history.png").is_file()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # renders offline
    md = (tmp_path / "reports" / "summary.md").read_text()
    assert "| L1 <gives> zeros | effect | 1290-1300 | 37 | > 0 | **FAIL** |" in md
    assert f"(passed / claims by kind: oracle {n}/{n}, effect {n - 1}/{n})" in md
    for lid in lectures.IDS:
        assert (tmp_path / "reports" / "figures" / lid / "curve.png").is_file()


def test_missing_metrics_is_a_clear_error(tmp_path, root):
    cfg = config.load(root / "params.yaml")
    _fake_outputs(tmp_path)
    _fake_studies(tmp_path, cfg)
    (tmp_path / "metrics" / "l01_linear_regression.json").unlink()
    with pytest.raises(MldmError, match="no metrics for 'l01_linear_regression'"):
        build(cfg, tmp_path / "r", tmp_path / "metrics", tmp_path / "plots", tmp_path / "tuning")
    assert not (tmp_path / "r").exists()


def test_missing_study_results_is_a_clear_error(tmp_path, root):
    cfg = config.load(root / "params.yaml")
    _fake_outputs(tmp_path)
    name = next(iter(cfg.studies))
    with pytest.raises(MldmError, match=f"no results for study '{name}'.*dvc repro tune@{name}"):
        build(cfg, tmp_path / "r", tmp_path / "metrics", tmp_path / "plots", tmp_path / "tuning")


def test_report_marks_claims_without_kind(tmp_path, root):
    """Metrics written before claims had a kind still render, their kind shown as missing."""
    _fake_outputs(tmp_path)
    cfg = config.load(root / "params.yaml")
    _fake_studies(tmp_path, cfg)
    path = tmp_path / "metrics" / f"{lectures.IDS[0]}.json"
    metrics = read_json(path)
    del metrics["claims"]["c1"]["kind"]
    write_json(path, metrics)
    build(cfg, tmp_path / "reports", tmp_path / "metrics", tmp_path / "plots", tmp_path / "tuning")
    md = (tmp_path / "reports" / "summary.md").read_text()
    assert "| L1 <gives> zeros | no kind | 1290-1300 |" in md
    assert f"oracle {len(lectures.IDS)}/{len(lectures.IDS)}, effect " in md
    assert f"/{len(lectures.IDS) - 1}, no kind 1/1)" in md  # beside the pass count


def test_fmt():
    assert fmt(0.123456) == "0.1235" and fmt(1.5e-12) == "1.500e-12" and fmt(True) == "yes"
    assert fmt(7) == "7" and fmt([1.0, 2.0]) == "[1, 2]"


class _Page(HTMLParser):
    """ids, in-page links, and the attributes of claim rows and contents entries."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.rows: dict[str, dict] = {}  # claim rows by id
        self.toc: list[dict] = []  # contents entries of claims
        self.scripts: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a" and a.get("href", "").startswith("#"):
            self.links.append(a["href"][1:])
        if tag == "tr" and a.get("class") == "claim":
            self.rows[a["id"]] = a
        if tag == "li" and a.get("class") == "claim":
            self.toc.append(a)
        self._script = tag == "script"

    def handle_data(self, data):
        if self._script:
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._script = False


def _notes(tmp_path, n=2000):
    path = tmp_path / "notes.txt"
    path.write_text("".join(f"note line {i}\n" for i in range(1, n + 1)), encoding="utf-8")
    return path


def _report(tmp_path, root, **kw):
    """The report of the fake outputs (``_fake_outputs`` first): its index.html."""
    cfg = config.load(root / "params.yaml")
    _fake_studies(tmp_path, cfg)
    return build(
        cfg,
        tmp_path / "reports",
        tmp_path / "metrics",
        tmp_path / "plots",
        tmp_path / "tuning",
        **kw,
    )


def _build(tmp_path, root, **kw):
    return _report(tmp_path, root, **kw).read_text()


def test_report_contents_anchors_and_failing_filter(tmp_path, root):
    """Contents, one anchor per lecture and per claim, every in-page link resolves, claims
    carry result and kind for the filter, and each claim links to its quoted lines."""
    _fake_outputs(tmp_path)
    html = _build(tmp_path, root, notes=_notes(tmp_path))
    page = _Page()
    page.feed(html)
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert set(page.links) <= set(page.ids), set(page.links) - set(page.ids)
    n = len(lectures.IDS)
    for lid in lectures.IDS:
        assert lid in page.ids and lid in page.links  # section, linked from the contents
        for cid in ("c1", "c2"):
            assert f"{lid}--{cid}" in page.rows and f"{lid}--{cid}" in page.links
        assert f"{lid}--lines-1290-1300" in page.links
    assert len(page.rows) == len(page.toc) == 2 * n
    assert [r["data-passed"] for r in page.rows.values()].count("false") == 1
    assert {r["data-kind"] for r in page.rows.values()} == {"oracle", "effect"}
    assert [t["data-passed"] for t in page.toc].count("false") == 1
    assert 'id="failing-only"' in html and 'id="kind-filter"' in html
    script = "".join(page.scripts)
    assert "failing-only" in script and "http" not in script and "fetch" not in script
    # the quoted lines: 1290 to 1300, nothing beyond
    quote = re.search(
        r'<pre id="l01_linear_regression--lines-1290-1300"[^>]*>(.*?)</pre>', html, re.S
    )
    assert quote and quote[1].startswith("note line 1290\n") and quote[1].endswith("note line 1300")
    assert '<span class="kind kind-effect">effect</span>' in html


def test_report_long_ranges_are_cut_and_missing_notes_named(tmp_path, root, monkeypatch):
    _fake_outputs(tmp_path)
    path = tmp_path / "metrics" / f"{lectures.IDS[0]}.json"
    metrics = read_json(path)
    metrics["claims"]["c2"]["lines"] = "1-100, 7"
    write_json(path, metrics)
    html = _build(tmp_path, root, notes=_notes(tmp_path))
    quote = re.search(r'<pre id="l01_linear_regression--lines-1-100"[^>]*>(.*?)</pre>', html, re.S)
    assert f"note line {EXCERPT_MAX_LINES}\n" in quote[1]
    assert f"note line {EXCERPT_MAX_LINES + 1}\n" not in quote[1]
    assert f"[... {100 - EXCERPT_MAX_LINES} more lines]" in quote[1]
    assert 'href="#l01_linear_regression--lines-7-7">7</a>' in html

    # no notes anywhere: the ranges are still anchors, named but not quoted
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(NOTES_ENV, raising=False)
    html = _build(tmp_path, root)
    page = _Page()
    page.feed(html)
    assert set(page.links) <= set(page.ids)
    assert "not quoted: the notes were not found" in html and "<pre id=" not in html


def test_report_bad_notes_or_lines_is_a_clear_error(tmp_path, root, monkeypatch):
    _fake_outputs(tmp_path)
    monkeypatch.setenv(NOTES_ENV, str(tmp_path / "nowhere.txt"))
    with pytest.raises(MldmError, match="course notes '.*nowhere.txt' not found"):
        _build(tmp_path, root)
    assert parse_lines("202-222, 230") == [(202, 222), (230, 230)]
    for bad in ("12-3", "lines 4", "", "4-"):
        with pytest.raises(MldmError, match="expected ranges like"):
            parse_lines(bad)
