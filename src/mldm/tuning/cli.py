"""``python -m mldm.tuning {run,work,apply} <study> [--params params.yaml]``."""

from __future__ import annotations


def cli(argv: list[str] | None = None) -> None:
    """``python -m mldm.tuning {run,work,apply} <study> [--params params.yaml]``."""
    import argparse

    import mldm.tuning
    from mldm.errors import run_cli
    from mldm.tuning.stage import apply_args, join, run_stage

    parser = argparse.ArgumentParser(prog="python -m mldm.tuning", description=mldm.tuning.__doc__)
    parser.add_argument("command", choices=("run", "work", "apply"))
    parser.add_argument("study")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)

    def main() -> None:
        if args.command == "run":
            print(f"tune@{args.study}: wrote {run_stage(args.study, args.params)}")
        elif args.command == "work":
            print(f"tune@{args.study}: this worker ran {join(args.study, args.params)} trials")
        else:
            print(apply_args(args.study))

    run_cli(main)
