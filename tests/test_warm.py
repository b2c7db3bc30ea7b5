"""mldm.warm: a stage run in the warm server's child behaves as the same stage in its own
process (argv, cwd, environment, output, exit status, signals, the code on disk)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")

# A stand-in for pipelines/<stage>.py: delegates, then reports what it sees
STAGE = textwrap.dedent(
    """
    import os, sys
    from mldm import warm

    if __name__ == "__main__":
        warm.delegate()
        import mldm
        import module_on_disk

        print("argv", sys.argv[1:], "cwd", os.getcwd(), "X", os.environ.get("X"))
        print("value", module_on_disk.VALUE, "mldm", mldm.__file__)
        print("warm", os.environ.get("MLDM_WARM"), "numpy", "numpy" in sys.modules)
        print("to stderr", file=sys.stderr)
        if sys.argv[1] == "raise":
            raise ValueError("a stage that fails")
        sys.exit(int(sys.argv[1]))
    """
)


@pytest.fixture
def stage(tmp_path) -> Path:
    (tmp_path / "stage.py").write_text(STAGE)
    (tmp_path / "module_on_disk.py").write_text("VALUE = 1\n")
    return tmp_path / "stage.py"


def _env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MLDM_WARM"}
    return {**env, "PYTHONPATH": SRC, **extra}


def _warm(command: str, cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """``python -m mldm.warm bash -c <command>`` (the server runs the command, as dvc repro)."""
    return subprocess.run(
        [sys.executable, "-m", "mldm.warm", "bash", "-c", command],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("warm ")]


def test_a_warm_stage_is_the_cold_stage(stage, tmp_path):
    run = f"cd {tmp_path} && X=7 {sys.executable} {stage}"
    cold = subprocess.run(
        ["bash", "-c", f"{run} 3; echo status=$?; {run} raise; echo status=$?"],
        env=_env(),
        capture_output=True,
        text=True,
    )
    warm = _warm(f"{run} 3; echo status=$?; {run} raise; echo status=$?", tmp_path)
    assert warm.returncode == 0
    assert _lines(warm.stdout) == _lines(cold.stdout)
    assert "status=3" in warm.stdout and "status=1" in warm.stdout
    assert "mldm " + SRC in warm.stdout.replace("/mldm/__init__.py", "")
    assert warm.stderr.count("to stderr") == 2
    assert "ValueError: a stage that fails" in warm.stderr
    # it ran in the server's child: no server of its own, the libraries already imported
    assert "warm None numpy True" in warm.stdout
    assert "warm None numpy False" in cold.stdout


def test_the_stage_runs_the_code_on_disk(stage, tmp_path):
    # the server starts, then the code changes: the stage sees the change
    command = (
        f"{sys.executable} {stage} 0 && echo 'VALUE = 2' > {tmp_path}/module_on_disk.py && "
        f"{sys.executable} {stage} 0"
    )
    out = _warm(command, tmp_path).stdout
    assert out.count("value 1") == 1 and out.count("value 2") == 1


def test_the_servers_status_is_its_commands_and_it_leaves_nothing(tmp_path):
    before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("mldm-warm-*"))
    assert _warm("exit 4", tmp_path).returncode == 4
    assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("mldm-warm-*")) == before
    missing = subprocess.run(
        [sys.executable, "-m", "mldm.warm", "no-such-command-here"],
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert missing.returncode != 0
    assert missing.stderr.strip().splitlines() == [
        "mldm.warm: cannot run no-such-command-here: No such file or directory"
    ]


def test_without_a_server_the_stage_runs_in_its_own_process(stage, tmp_path):
    cold = subprocess.run(
        [sys.executable, str(stage), "5"],
        cwd=tmp_path,
        env=_env(MLDM_WARM=str(tmp_path / "gone")),
        capture_output=True,
        text=True,
    )
    assert cold.returncode == 5 and "value 1" in cold.stdout


SLEEPER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from mldm import warm

    if __name__ == "__main__":
        warm.delegate()
        Path(sys.argv[1]).write_text(str(os.getpid()))  # the process that runs the stage
        try:
            time.sleep(60)
        finally:
            Path(sys.argv[1] + ".cleaned").write_text("")  # a stage's finally blocks run
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purpose
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def _wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.parametrize(("sig", "cleans_up"), [(signal.SIGINT, True), (signal.SIGKILL, False)])
def test_a_stopped_stage_stops_its_run(tmp_path, sig, cleans_up):
    """DVC stopping a stage (Ctrl-C forwarded to the run, which cleans up) or killing it
    outright (its run dies with it): no run goes on without its stage."""
    (tmp_path / "sleeper.py").write_text(SLEEPER)
    pidfile = tmp_path / "run.pid"
    command = (
        f"{sys.executable} {tmp_path / 'sleeper.py'} {pidfile} & stage=$!; "
        f"while [ ! -s {pidfile} ]; do sleep 0.05; done; "
        f"kill -{int(sig)} $stage; wait $stage; echo status=$?"
    )
    out = _warm(command, tmp_path).stdout
    run = int(pidfile.read_text())
    _wait_for(lambda: not _alive(run))
    assert (tmp_path / "run.pid.cleaned").exists() == cleans_up
    assert f"status={128 + int(sig)}" in out
