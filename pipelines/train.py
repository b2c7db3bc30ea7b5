"""DVC stage train@<lecture>: run one lecture's `train` (see mldm.lectures.runner)."""

from mldm.lectures.runner import cli

if __name__ == "__main__":
    cli("train")
