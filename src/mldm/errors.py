"""One error type for user mistakes, and the CLI wrapper that turns it into one line."""

from __future__ import annotations

import sys
from collections.abc import Callable


class MldmError(Exception):
    """A problem the user can fix (bad params, missing data, unreachable store).

    Its message is one line that names what is wrong; the CLI prints it without a traceback.
    """


def run_cli(main: Callable[[], object]) -> None:
    """Run ``main``; a :class:`MldmError` becomes ``error: <message>`` on stderr and exit 2."""
    try:
        main()
    except MldmError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        sys.exit(130)
