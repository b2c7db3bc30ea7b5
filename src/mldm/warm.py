"""Run pipeline stages in pre-imported interpreters: ``python -m mldm.warm dvc repro``.

Every DVC stage is a fresh Python process, and most of a smoke stage is imports (torch,
Lightning, MLflow, scikit-learn: 2.5-6 s per stage, 57 stages). This module pays them once:

* ``python -m mldm.warm <command...>`` imports the heavy third-party libraries, listens on a
  private Unix socket, and runs ``<command>`` (``dvc repro``) with ``MLDM_WARM`` naming it;
* a stage script calls :func:`delegate` first. Where ``MLDM_WARM`` is set, the server forks a
  child that takes the stage's argv, working directory, environment, ``sys.path`` and its
  stdin/stdout/stderr (passed as file descriptors), runs the script as ``__main__`` and
  reports its exit status, which the stage process exits with. Signals sent to the stage
  (Ctrl-C, DVC stopping it) are forwarded to the child; a stage killed outright takes its
  child with it. Without ``MLDM_WARM`` (or with a server that is gone) the stage runs
  as before, in its own process.

Only third-party libraries are pre-imported, never ``mldm``: each child imports the
project's code afresh from the stage's ``sys.path``, so an edit is always the code that
runs, and the numbers are the cold run's (same code, same seeds; ``tests/test_warm.py``).
The server and its stages share one environment: the server starts the command itself, and
a stage from another interpreter runs cold.

This module imports only the standard library: it is the first thing every stage imports.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import threading
from pathlib import Path

ENV = "MLDM_WARM"
# What stages import, in dependency order. Missing ones are skipped (an extra not installed).
PRELOAD = (
    "numpy",
    "scipy.stats",
    "scipy.optimize",
    "pandas",
    "sklearn.base",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.linear_model",
    "matplotlib.pyplot",
    "torch",
    "torch.nn",
    "lightning.pytorch",
    "torchmetrics",
    "kornia",
    "mlflow",
    "mlflow.store.tracking.sqlalchemy_store",
    "mlflow.pytorch",
    "optuna",
    "pydantic",
    "omegaconf",
    "yaml",
)
_HEADER = struct.Struct("!Q")  # the length of the JSON request that follows
_STATUS = struct.Struct("!i")


# --- the stage side ---------------------------------------------------------------------------
def delegate() -> None:
    """Run this script in the warm server named by ``$MLDM_WARM`` and exit with its status;
    return (run cold) where there is none or it cannot take this interpreter's stages."""
    path = os.environ.get(ENV)
    if not path or sys.flags.dev_mode or sys._xoptions:  # -X importtime etc. measure cold runs
        return
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
    except OSError:
        conn.close()
        return
    request = json.dumps(
        {
            "prefix": sys.prefix,
            "version": sys.version,
            "argv": sys.argv,
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "path": sys.path,
        }
    ).encode()
    try:
        socket.send_fds(conn, [_HEADER.pack(len(request))], [0, 1, 2])
        conn.sendall(request)
    except OSError:  # e.g. a closed stdin: nothing to pass on
        conn.close()
        return
    pid = _recv_status(conn)
    if pid is None or pid < 0:  # declined: another interpreter, or the server is stopping
        conn.close()
        return
    forwarded: list[int] = []

    def forward(signum, frame):
        forwarded.append(signum)
        os.kill(pid, signum)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    status = _recv_status(conn)
    if status is None:  # the child died without a status: killed, by us or otherwise
        status = 128 + (forwarded[-1] if forwarded else signal.SIGKILL)
    sys.exit(status)


def _recv_status(conn: socket.socket) -> int | None:
    data = b""
    while len(data) < _STATUS.size:
        try:
            chunk = conn.recv(_STATUS.size - len(data))
        except InterruptedError:
            continue
        if not chunk:
            return None
        data += chunk
    return _STATUS.unpack(data)[0]


# --- the server side --------------------------------------------------------------------------
def preload(modules=PRELOAD) -> list[str]:
    """Import the heavy libraries; the names that could not be imported."""
    import importlib

    missing = []
    for name in modules:
        if name == "matplotlib.pyplot":
            importlib.import_module("matplotlib").use("Agg")  # what the stages select
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    return missing


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    head, fds, _, _ = socket.recv_fds(conn, _HEADER.size, 3)
    size = _HEADER.unpack(head)[0]
    body = bytearray()
    while len(body) < size:
        chunk = conn.recv(min(1 << 20, size - len(body)))
        if not chunk:
            raise ConnectionError("the stage hung up mid-request")
        body += chunk
    return json.loads(body), fds


def _run_child(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the stage's process, run its script, report the status."""
    import runpy
    import traceback

    os.setpgid(0, 0)  # Ctrl-C reaches the stage, which forwards it: delivered once
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", buffering=1 if os.isatty(1) else -1, closefd=False)
    sys.stderr = open(2, "w", buffering=1, closefd=False)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    del os.environ[ENV]  # this is the stage's process: its script must not delegate again
    sys.path[:] = request["path"]
    sys.argv[:] = request["argv"]
    for name in [m for m in sys.modules if m == "mldm" or m.startswith("mldm.")]:
        del sys.modules[name]  # the server's own (this module): the stage imports its own
    conn.sendall(_STATUS.pack(os.getpid()))

    def orphaned() -> None:  # the stage process died (killed): so does its run
        try:
            while conn.recv(1):
                pass
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=orphaned, daemon=True).start()
    status = 0
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as stop:
        code = stop.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
        status = code or 0
    except KeyboardInterrupt:
        traceback.print_exc()
        status = 128 + signal.SIGINT
    except BaseException:
        traceback.print_exc()
        status = 1
    atexit._run_exitfuncs()  # what a process's exit runs (MLflow, logging); os._exit does not
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    conn.sendall(_STATUS.pack(status))
    os._exit(status)


def serve(command: list[str]) -> int:
    """Run ``command`` with a warm server beside it; its exit status."""
    import selectors
    import subprocess

    if not command:
        raise SystemExit("usage: python -m mldm.warm <command...>   (e.g. dvc repro)")
    home = Path(tempfile.mkdtemp(prefix="mldm-warm-"))  # 0700: only this user's stages
    address = str(home / "socket")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(16)
    children: set[int] = set()
    try:
        try:
            proc = subprocess.Popen(command, env={**os.environ, ENV: address})
        except OSError as err:
            raise SystemExit(f"mldm.warm: cannot run {command[0]}: {err.strerror}") from None
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the command's to handle
        # beside the command, so a no-op `dvc repro` does not wait for it; a stage that
        # connects meanwhile waits for it instead of importing the libraries itself
        loading = threading.Thread(target=preload, name="preload", daemon=True)
        loading.start()
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ)
        while proc.poll() is None:
            if selector.select(timeout=0.2):
                conn, _ = listener.accept()
                loading.join()  # fork once loaded, with no other thread running
                _accept(conn, listener, children)
            children -= {pid for pid in children if os.waitpid(pid, os.WNOHANG)[0]}
    finally:
        listener.close()
        os.unlink(address)
        home.rmdir()
    return proc.returncode


def _accept(conn: socket.socket, listener: socket.socket, children: set[int]) -> None:
    try:
        request, fds = _receive(conn)
    except (OSError, ValueError):
        conn.close()
        return
    if (request.get("prefix"), request.get("version")) != (sys.prefix, sys.version):
        conn.sendall(_STATUS.pack(-1))  # another interpreter or venv: it runs cold
    elif (pid := os.fork()) == 0:
        try:
            listener.close()
            _run_child(conn, request, fds)
        finally:
            os._exit(1)  # never back into the server's loop
    else:
        children.add(pid)
    for fd in fds:
        os.close(fd)
    conn.close()


if __name__ == "__main__":
    status = serve(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # not waiting for a preload still under way (the command did no stage)
