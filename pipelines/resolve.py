"""DVC stages resolve and resolve_data: what each stage reads (see mldm.stages).

``python pipelines/resolve.py`` writes resolved/params/<stage>.json and resolved/code/<stage>.json;
``python pipelines/resolve.py --data`` writes resolved/data/<stage>.json.
"""

import argparse

from mldm.errors import run_cli


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--data", action="store_true", help="the prepared sets' hashes")
    args = parser.parse_args()

    from mldm import stages

    out = stages.write_data_manifests() if args.data else stages.write_resolved(args.params)
    print(f"resolve: wrote {out}")


if __name__ == "__main__":
    run_cli(main)
