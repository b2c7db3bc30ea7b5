"""One error type for user mistakes, and the CLI wrapper that turns it into one line."""

from __future__ import annotations

import sys
from collections.abc import Callable


class MldmError(Exception):
    """A problem the user can fix (bad params, missing data, unreachable store).

    Its message is one line that names what is wrong; the CLI prints it without a traceback.
    """


def run_cli(main: Callable[[], object]) -> None:
    """Run ``main``; a :class:`MldmError` becomes ``error: <message>`` on stderr and exit 2.

    With ``MLDM_TRACE=<dir>`` the run records what it imported and read in
    ``<dir>/<stage>.<pid>.json`` (:mod:`mldm.trace`; one file per process)."""
    import os

    if os.environ.get("MLDM_TRACE"):
        from mldm.trace import trace_to

        trace_to(os.environ["MLDM_TRACE"], _stage_name(sys.argv))
    try:
        main()
    except MldmError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)


def _stage_name(argv: list[str]) -> str:
    """``pipelines/train.py l05_svm --params p.yaml`` -> ``train@l05_svm`` (as dvc.yaml)."""
    from pathlib import Path

    kind, args = Path(argv[0]).stem, iter(argv[1:])
    for arg in args:
        if not arg.startswith("-"):
            return f"{kind}@{arg}"
        if "=" not in arg:
            next(args, None)  # the option's value
    return kind
