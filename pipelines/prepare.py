"""DVC stage prepare@<dataset>: load, split and hash one dataset into data/prepared/<name>/."""

import argparse

from mldm import warm
from mldm.errors import run_cli


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args()

    from mldm import config
    from mldm.data import prepare

    cfg = config.load(args.params, lectures=())  # the data block only
    meta = prepare(
        args.dataset,
        cfg.data.root,
        seed=cfg.seed,
        test_size=cfg.data.test_size,
        download=cfg.data.source == "download",
    )
    if meta.get("available") is False:
        print(f"skipped {meta['name']}: {meta['source']} is downloaded by the full profile only")
    else:
        print(f"prepared {meta['name']}: {meta['shapes']} ({meta['source']} {meta['version']})")


if __name__ == "__main__":
    warm.delegate()  # under `python -m mldm.warm dvc repro`: runs in a pre-imported child
    run_cli(main)
