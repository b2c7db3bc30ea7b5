"""DVC stage evaluate@<lecture>: run one lecture's `evaluate` (see mldm.lectures.runner)."""

from mldm import warm

if __name__ == "__main__":
    warm.delegate()  # under `python -m mldm.warm dvc repro`: runs in a pre-imported child
    from mldm.lectures.runner import cli

    cli("evaluate")
