"""DVC stage report: gather metrics/, plots/ and claims into reports/index.html + summary.md."""

import argparse

from mldm.errors import run_cli


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", default="reports")
    parser.add_argument(
        "--notes",
        help="course-notes.zh.txt to quote each claim's lines from (default: $MLDM_COURSE_NOTES, "
        "else course/course-notes.zh.txt; without it the lines are named, not quoted)",
    )
    args = parser.parse_args()

    from mldm import config
    from mldm.report import build

    cfg = config.load(args.params)
    index = build(cfg, out_dir=args.out, notes=args.notes)
    print(f"report: wrote {index}")


if __name__ == "__main__":
    run_cli(main)
