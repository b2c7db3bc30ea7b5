"""What a long stage shows: a bar in a terminal, one line per model in a log."""

from __future__ import annotations

import io

from mldm import progress
from mldm.io import write_json


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_is_a_bar_in_a_terminal_and_lines_in_a_log():
    assert progress.resolve("auto", _Terminal()) == "bar"
    assert progress.resolve("auto", io.StringIO()) == "lines"
    assert progress.resolve("off", _Terminal()) == "off"


def test_lines_give_one_line_per_model_counted_against_the_last_run(tmp_path):
    assert progress.previous_count(tmp_path) is None
    write_json(tmp_path / progress.MANIFEST, {"runs": ["a", "b", "c"]})
    log = io.StringIO()
    shown = progress.ModelProgress("train@l99", "lines", progress.previous_count(tmp_path), log)
    shown.done("sgd", 1.25)
    shown.done("adam")
    shown.close()
    lines = log.getvalue().splitlines()
    assert lines[0] == "train@l99 [1/3] sgd: 1.2 s"
    assert lines[1].startswith("train@l99 [2/3] adam: ")
    assert shown.names == ["sgd", "adam"]


def test_a_bar_counts_models_and_off_says_nothing():
    term = _Terminal()
    shown = progress.ModelProgress("train@l99", "bar", 2, term)
    shown.done("sgd", 0.1)
    shown.close()
    assert "train@l99" in term.getvalue() and "1/2" in term.getvalue()
    quiet = io.StringIO()
    off = progress.ModelProgress("train@l99", "off", 2, quiet)
    off.done("sgd", 0.1)
    assert quiet.getvalue() == "" and off.names == ["sgd"]
