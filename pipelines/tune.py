"""DVC stage tune@<study>: run one Optuna study declared in params.yaml (see mldm.tuning).

``python pipelines/tune.py <study>`` prepares the study, runs its workers and writes
``tuning/<study>/``; ``--join`` adds one more worker to a study the stage has prepared
(on this or another machine sharing the storage).
"""

import sys

from mldm import warm

if __name__ == "__main__":
    warm.delegate()  # under `python -m mldm.warm dvc repro`: runs in a pre-imported child
    from mldm.tuning import cli

    args = sys.argv[1:]
    if "--join" in args:
        args.remove("--join")
        cli(["work", *args])
    else:
        cli(["run", *args])
