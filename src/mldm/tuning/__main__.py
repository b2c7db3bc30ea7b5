"""``python -m mldm.tuning {run,work,apply} <study>`` (see :mod:`mldm.tuning.cli`)."""

from mldm.tuning.cli import cli

if __name__ == "__main__":
    cli()
