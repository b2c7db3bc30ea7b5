"""Gather every lecture's metrics, claims, worked examples and figures into one report."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

from mldm import lectures
from mldm.errors import MldmError
from mldm.io import atomic_dir, read_json
from mldm.lectures.claims import KINDS

# metrics written before claims had a kind (regenerate them: dvc repro evaluate@<lecture>)
NO_KIND = "no kind"

# The course notes ship with the project (course/, a copy of the course's own text) and are a
# DVC dependency of the report: it quotes the lines each claim cites, the same on every machine.
# Another copy can be named with --notes or $MLDM_COURSE_NOTES.
NOTES_ENV = "MLDM_COURSE_NOTES"
NOTES = Path("course/course-notes.zh.txt")
# a claim citing a whole lecture gets its first lines, not 700; runs of blank lines become one
EXCERPT_MAX_LINES = 40
_RANGE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*")


def parse_lines(text: str) -> list[tuple[int, int]]:
    """``"202-222, 230"`` -> ``[(202, 222), (230, 230)]``; one-line error when malformed."""
    ranges = []
    for part in str(text).split(","):
        m = _RANGE.fullmatch(part)
        if not m or (m[2] and int(m[2]) < int(m[1])):
            raise MldmError(f"claim lines {text!r}: expected ranges like '202-222, 230'")
        ranges.append((int(m[1]), int(m[2] or m[1])))
    return ranges


def range_anchor(lecture: str, r: tuple[int, int]) -> str:
    """The id of the quoted lines ``r`` in lecture ``lecture``'s section."""
    return f"{lecture}--lines-{r[0]}-{r[1]}"


def find_notes(path: str | os.PathLike | None = None) -> Path | None:
    """The course notes: ``path``, else ``$MLDM_COURSE_NOTES``, else the project's
    ``course/`` copy; None when absent (an explicit path that does not exist is an error)."""
    explicit = path or os.environ.get(NOTES_ENV)
    if explicit:
        if not Path(explicit).is_file():
            raise MldmError(f"course notes '{explicit}' not found (set {NOTES_ENV} or --notes)")
        return Path(explicit)
    return NOTES if NOTES.is_file() else None


@dataclass
class Excerpt:
    """Lines ``start``-``end`` of the notes, quoted (``text`` None when notes were not found)."""

    anchor: str
    start: int
    end: int
    text: str | None
    more: int = 0  # lines left out beyond EXCERPT_MAX_LINES


def excerpts(lecture: str, claims: dict, notes: list[str] | None) -> list[Excerpt]:
    """One excerpt per distinct range the lecture's claims cite, in line order."""
    out = []
    for a, b in sorted({r for c in claims.values() for r in parse_lines(c["lines"])}):
        text, more = None, 0
        if notes is not None:
            shown = notes[a - 1 : min(b, a + EXCERPT_MAX_LINES - 1)]
            text = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", "\n".join(shown)).strip("\n")
            more = max(0, b - a + 1 - EXCERPT_MAX_LINES)
        out.append(Excerpt(range_anchor(lecture, (a, b)), a, b, text, more))
    return out


@dataclass
class StudySection:
    """One Optuna study (``tune@<name>``): its best.json and Optuna's plots."""

    name: str
    result: dict[str, Any]
    figures: list[Path] = field(default_factory=list)


@dataclass
class LectureSection:
    id: str
    title: str
    lines: str
    tables: dict[str, dict[str, dict[str, Any]]]
    claims: dict[str, dict[str, Any]]
    worked_example: dict[str, Any]
    figures: list[Path] = field(default_factory=list)
    studies: list[StudySection] = field(default_factory=list)
    cited: list[Excerpt] = field(default_factory=list)

    def claim_anchor(self, cid: str) -> str:
        return f"{self.id}--{cid}"

    def claim_ranges(self, claim: dict) -> list[tuple[str, str]]:
        """``[(anchor, "202-222"), ...]`` for a claim's cited lines."""
        return [
            (range_anchor(self.id, r), f"{r[0]}-{r[1]}" if r[1] != r[0] else str(r[0]))
            for r in parse_lines(claim["lines"])
        ]

    @property
    def passed(self) -> int:
        return sum(bool(c["passed"]) for c in self.claims.values())

    @property
    def kinds(self) -> dict[str, tuple[int, int]]:
        return kind_counts(self.claims.values())


def kind_counts(claims) -> dict[str, tuple[int, int]]:
    """``{kind: (passed, total)}`` in the order of ``KINDS``, kinds with no claim left out."""
    counts: dict[str, list[int]] = {k: [0, 0] for k in (*KINDS, NO_KIND)}
    for c in claims:
        n = counts.setdefault(c.get("kind", NO_KIND), [0, 0])
        n[0] += bool(c["passed"])
        n[1] += 1
    return {k: (p, t) for k, (p, t) in counts.items() if t}


def fmt_kinds(counts: dict[str, tuple[int, int]]) -> str:
    """``oracle 37/37, effect 79/80`` (passed/total per kind)."""
    return ", ".join(f"{k} {p}/{t}" for k, (p, t) in counts.items())


def fmt(value: Any) -> str:
    """Numbers as a person reads them: 4 significant digits, scientific when tiny/huge."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == 0 or 1e-3 <= abs(value) < 1e5:
            return f"{value:.4g}"
        return f"{value:.3e}"
    if isinstance(value, list):
        return (
            "[" + ", ".join(fmt(v) for v in value[:12]) + (", ..." if len(value) > 12 else "") + "]"
        )
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def collect_studies(tuning_dir: Path, studies: dict[str, Any]) -> dict[str, list[StudySection]]:
    """The studies of each lecture, in params.yaml order."""
    out: dict[str, list[StudySection]] = {}
    for name, spec in studies.items():
        path = tuning_dir / name / "best.json"
        if not path.is_file():
            raise MldmError(
                f"no results for study '{name}' in '{path}' (run: dvc repro tune@{name})"
            )
        out.setdefault(spec.lecture, []).append(
            StudySection(
                name, read_json(path), sorted((tuning_dir / name / "figures").glob("*.png"))
            )
        )
    return out


def collect(
    metrics_dir: Path,
    plots_dir: Path,
    studies: dict[str, list[StudySection]] | None = None,
    notes: Path | None = None,
) -> list[LectureSection]:
    note_lines = notes.read_text(encoding="utf-8").splitlines() if notes else None
    sections = []
    for lid in lectures.IDS:
        path = metrics_dir / f"{lid}.json"
        if not path.is_file():
            raise MldmError(f"no metrics for '{lid}' in '{path}' (run: dvc repro evaluate@{lid})")
        metrics = read_json(path)
        module = lectures.get(lid)
        claims = metrics.get("claims", {})
        sections.append(
            LectureSection(
                id=lid,
                title=module.TITLE,
                lines=module.LINES,
                tables={k: v for k, v in metrics.items() if k not in ("claims", "worked_example")},
                claims=claims,
                worked_example=metrics.get("worked_example", {}),
                figures=sorted((plots_dir / lid).glob("*.png")),
                studies=(studies or {}).get(lid, []),
                cited=excerpts(lid, claims, note_lines),
            )
        )
    return sections


def _columns(table: dict[str, dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in table.values():
        cols += [c for c in row if c not in cols]
    return cols


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("mldm.report", "templates"),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = fmt
    env.filters["kinds"] = fmt_kinds
    env.globals["columns"] = _columns
    return env


def build(
    cfg,
    out_dir: str | Path = "reports",
    metrics_dir: str | Path = "metrics",
    plots_dir: str | Path = "plots",
    tuning_dir: str | Path = "tuning",
    notes: str | Path | None = None,
) -> Path:
    """Write ``index.html``, ``summary.md`` and ``figures/`` into ``out_dir`` atomically.

    ``notes``: the course notes to quote each claim's lines from (:func:`find_notes`)."""
    studies = collect_studies(Path(tuning_dir), cfg.studies)
    notes_path = find_notes(notes)
    sections = collect(Path(metrics_dir), Path(plots_dir), studies, notes_path)
    env = _env()
    context = {
        "sections": sections,
        "profile": cfg.profile,
        "seed": cfg.seed,
        "total_passed": sum(s.passed for s in sections),
        "total_claims": sum(len(s.claims) for s in sections),
        "total_kinds": kind_counts(c for s in sections for c in s.claims.values()),
        "kinds": [*KINDS, NO_KIND],
        "notes_found": notes_path is not None,
    }
    out_dir = Path(out_dir)
    with atomic_dir(out_dir) as tmp:
        images = {
            str(fig): base64.b64encode(fig.read_bytes()).decode("ascii")
            for s in sections
            for fig in [*s.figures, *(f for st in s.studies for f in st.figures)]
        }
        (tmp / "index.html").write_text(
            env.get_template("index.html.j2").render(images=images, **context), encoding="utf-8"
        )
        for s in sections:
            for fig in s.figures:
                dest = tmp / "figures" / s.id / fig.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(fig, dest)
            for st in s.studies:
                for fig in st.figures:
                    dest = tmp / "figures" / "tuning" / st.name / fig.name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(fig, dest)
        (tmp / "summary.md").write_text(
            env.get_template("summary.md.j2").render(**context), encoding="utf-8"
        )
    return out_dir / "index.html"
