"""Atomic writes: a failure mid-write leaves the previous output untouched and no temp files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from mldm.io import atomic_dir, read_json, write_json


def test_npz_is_byte_identical_across_time(tmp_path, monkeypatch):
    import time

    import numpy as np

    from mldm.io import load_npz, save_npz

    arrays = {"w": np.arange(5.0), "y": np.array([1, 2], dtype=np.int64)}
    save_npz(tmp_path / "a.npz", **arrays)
    real = time.localtime
    monkeypatch.setattr(time, "localtime", lambda *a: real(0))  # another "now"
    save_npz(tmp_path / "b.npz", **arrays)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    back = load_npz(tmp_path / "a.npz")
    assert back.keys() == arrays.keys() and all(np.array_equal(back[k], arrays[k]) for k in arrays)


def test_failed_write_keeps_old_file(tmp_path):
    path = tmp_path / "m.json"
    write_json(path, {"a": 1})

    class Boom(Exception):
        pass

    with pytest.raises(Boom), atomic_dir(tmp_path / "d") as d:
        (d / "half").write_text("x")
        raise Boom
    assert read_json(path) == {"a": 1}
    assert not (tmp_path / "d").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_atomic_dir_replaces_whole_folder(tmp_path):
    target = tmp_path / "out"
    with atomic_dir(target) as d:
        (d / "old.txt").write_text("old")
    with atomic_dir(target) as d:
        (d / "new.txt").write_text("new")
    assert [p.name for p in target.iterdir()] == ["new.txt"]


def test_killed_writer_leaves_previous_output(tmp_path):
    """SIGKILL in the middle of a stage's write: the old file is intact."""
    path = tmp_path / "metrics.json"
    write_json(path, {"ok": True})
    script = textwrap.dedent(f"""
        import os, signal
        from mldm.io import atomic_dir
        with atomic_dir({str(tmp_path / "plots")!r}) as d:
            (d / "a.png").write_bytes(b"x" * 1000)
            os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], env={**os.environ})
    assert proc.returncode == -signal.SIGKILL
    assert read_json(path) == {"ok": True}
    assert not (tmp_path / "plots").exists()  # nothing DVC could mistake for an output
