"""DVC stage evaluate@<lecture>: run one lecture's `evaluate` (see mldm.lectures.runner)."""

from mldm.lectures.runner import cli

if __name__ == "__main__":
    cli("evaluate")
