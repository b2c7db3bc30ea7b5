"""ID3 on the lecture's own tables (lines 2918-3190).

Every entropy, conditional entropy and information gain the slides print for the movie table
(lines 3088-3181) is recomputed beside the slide's number, and the trees they draw come out
for the movie and the play-tennis tables (lines 2918-2945; temperature never appears).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from mldm.lectures.base import Context

# What the slides print (lines 2995-2999, 3063-3077, 3091-3125, 3165-3173).
SLIDE_ENTROPIES = {"uniform of 4": 2.0, "(0.75, 0.25)": 0.8133, "(1,)": 0.0}
SLIDE_YZ = {"H(Z)": 0.65, "H(Z|Y)": 0.33, "IG(Y)": 0.32}
SLIDE_MOVIE_ROOT = {
    "H(Like)": 0.91,
    "H(Like|Type)": 0.61,
    "H(Like|Length)": 0.61,
    "H(Like|Director)": 0.36,
    "H(Like|Famous actors)": 0.85,
    "IG(Type)": 0.30,
    "IG(Length)": 0.30,
    "IG(Director)": 0.55,
    "IG(Famous actors)": 0.06,
}
SLIDE_MOVIE_LASSETER = {
    "H(Like)": 0.81,
    "H(Like|Type)": 0.0,
    "H(Like|Length)": 0.0,
    "H(Like|Famous actors)": 0.5,
    "IG(Type)": 0.81,
    "IG(Length)": 0.81,
    "IG(Famous actors)": 0.31,
}
# The 6-row Y/Z table of lines 3040-3047.
YZ_TABLE = (np.array(list("ttttff")), np.array(list("ttttft")))
# The trees the slides draw, as root-to-leaf paths (mldm.models.tree_edges.tree_paths).
MOVIE_TREE = {
    ("Director", "Adamson", "Yes"),
    ("Director", "Singer", "Yes"),
    ("Director", "Lasseter", "Type", "Animated", "No"),
    ("Director", "Lasseter", "Type", "Comedy", "No"),
    ("Director", "Lasseter", "Type", "Drama", "Yes"),
}
TENNIS_TREE = {
    ("outlook", "overcast", "yes"),
    ("outlook", "sunny", "humidity", "high", "no"),
    ("outlook", "sunny", "humidity", "normal", "yes"),
    ("outlook", "rain", "wind", "weak", "yes"),
    ("outlook", "rain", "wind", "strong", "no"),
}


@dataclass(frozen=True)
class Id3Trees:
    """The fitted ID3 trees, ``{table: (parent, edge label, child) triples}``, to draw."""

    edges: dict[str, list[tuple[str, str, str]]]


def tables():
    from mldm.data.tables import movies, play_tennis

    return {"movies": movies(), "play_tennis": play_tennis()}


def entropy_numbers(tables) -> dict[str, dict[str, float]]:
    """Every number the slides print, recomputed: {group: {quantity: ours}}."""
    from mldm.models.information import conditional_entropy, entropy, information_gain, split_table

    X, y, names, _ = tables["movies"]
    out = {
        "entropies": {
            "uniform of 4": entropy(np.arange(4)),
            "(0.75, 0.25)": entropy(np.array([0, 0, 0, 1])),
            "(1,)": entropy(np.zeros(1)),
        },
        "yz": {
            "H(Z)": entropy(YZ_TABLE[1]),
            "H(Z|Y)": conditional_entropy(YZ_TABLE[1], YZ_TABLE[0]),
            "IG(Y)": information_gain(YZ_TABLE[1], YZ_TABLE[0]),
        },
    }
    for group, rows in (("movie_root", slice(None)), ("movie_lasseter", X[:, 2] == "Lasseter")):
        table = split_table(X[rows], y[rows], names)
        if group == "movie_lasseter":
            del table["Director"]  # already used on the path
        numbers = {"H(Like)": entropy(y[rows])}
        for name, row in table.items():
            numbers[f"H(Like|{name})"] = row["H_cond"]
            numbers[f"IG({name})"] = row["IG"]
        out[group] = numbers
    Xt, yt, tnames, _ = tables["play_tennis"]
    out["tennis_root"] = {"H(play)": entropy(yt)} | {
        f"IG({n})": row["IG"] for n, row in split_table(Xt, yt, tnames).items()
    }
    return out


def slide_rows(ours: dict[str, float], slide: dict[str, float]) -> list[list]:
    """Rows ``[quantity, slide, ours, ours − slide]`` ("—" where the slide prints nothing)."""
    return [
        [k, slide.get(k, "—"), v, (v - slide[k]) if k in slide else "—"] for k, v in ours.items()
    ]


def printed(ours: float, slide: float) -> bool:
    """Our number, brought to the slide's digits, is the printed one (float noise aside)."""
    return abs(ours - slide) < 1e-9


def as_slide_prints(numbers: dict[str, float]) -> dict[str, float]:
    """Our H(Like), H(Like|A), IG(A) as the movie slides print them (lines 3091-3173): H(Like)
    cut to 2 decimals (0.918 → 0.91), H(Like|A) rounded, and IG(A) computed from those two
    printed numbers, so 0.91 − 0.85 = 0.06 where the exact gain is 0.073."""
    h = np.trunc(numbers["H(Like)"] * 100) / 100
    out = {"H(Like)": h}
    for k, v in numbers.items():
        if k.startswith("H(Like|"):
            out[k] = round(v, 2)
            out[f"IG({k[7:-1]})"] = round(h - out[k], 2)  # round: 0.91 − 0.61 = 0.30000000000000004
    return out


def train(ctx: Context) -> None:
    from mldm.models import ID3Classifier

    with ctx.run("id3"):
        for name, (X, y, _, _) in tables().items():
            ctx.save_model(f"id3_{name}", ID3Classifier().fit(X, y))


def evaluate(ctx: Context) -> Id3Trees:
    from scipy.stats import entropy as scipy_entropy
    from sklearn.metrics import mutual_info_score

    from mldm.evaluation import accuracy
    from mldm.models.information import conditional_entropy, entropy, information_gain
    from mldm.models.tree_edges import tree_paths

    tabs = tables()
    nums = entropy_numbers(tabs)
    # the oracle: scipy's entropy of the class counts (it normalizes them to proportions)
    counts = {"uniform of 4": [1, 1, 1, 1], "(0.75, 0.25)": [3, 1], "(1,)": [1]}
    ctx.measure(
        "entropy_examples",
        max(abs(nums["entropies"][k] - scipy_entropy(c, base=2)) for k, c in counts.items()),
    )
    ctx.measure(
        "conditional_entropy_example",
        sum(not printed(round(nums["yz"][k], 2), v) for k, v in SLIDE_YZ.items()),
    )
    ctx.measure(
        "movie_numbers_match_slide",
        sum(
            not printed(ours, slide[k])
            for group, slide in (
                ("movie_root", SLIDE_MOVIE_ROOT),
                ("movie_lasseter", SLIDE_MOVIE_LASSETER),
            )
            for k, ours in as_slide_prints(nums[group]).items()
            if k in slide
        ),
    )
    root = {k[3:-1]: v for k, v in nums["movie_root"].items() if k.startswith("IG(")}
    ctx.measure("movie_root_is_director", max(root, key=root.get))

    gaps, mi = [], []
    for X, y, _, _ in tabs.values():
        for j in range(X.shape[1]):
            gaps.append(entropy(y) - conditional_entropy(y, X[:, j]))
            mi.append(abs(information_gain(y, X[:, j]) - mutual_info_score(X[:, j], y) / np.log(2)))
    ctx.measure("conditioning_never_adds_entropy", min(gaps))
    ctx.measure("gain_is_mutual_information", max(mi))

    trees, edges = {}, {}
    for name, (X, y, names, _) in tabs.items():
        id3 = trees[name] = ctx.load_model(f"id3_{name}")
        edges[name] = id3.to_edges(names)
        ctx.record(
            "id3", name, train_accuracy=accuracy(y, id3.predict(X)), nodes=len(id3.node_feature_)
        )
    X, y, _, _ = tabs["movies"]
    ctx.measure(
        "movie_tree_as_drawn",
        tree_paths(edges["movies"]) == MOVIE_TREE and bool(np.all(trees["movies"].predict(X) == y)),
    )
    ctx.measure("tennis_tree_as_drawn", tree_paths(edges["play_tennis"]) == TENNIS_TREE)

    _tables_for_the_report(ctx, nums)
    ctx.worked_example["id3_trees"] = "\n\n".join(
        f"{name}:\n{trees[name].export_text(tabs[name][2])}" for name in trees
    )
    return Id3Trees(edges)


def _tables_for_the_report(ctx: Context, nums: dict[str, dict[str, float]]) -> None:
    columns = ["quantity", "slide", "ours", "ours − slide"]
    note = "Bits (log₂). "
    ctx.table(
        "entropy_examples",
        columns,
        slide_rows(nums["entropies"], SLIDE_ENTROPIES),
        note + "Line 2997 prints 0.8133; −0.75 log₂ 0.75 − 0.25 log₂ 0.25 = 0.8113.",
    )
    ctx.table(
        "conditional_entropy_yz_table",
        columns,
        slide_rows(nums["yz"], SLIDE_YZ),
        note + "The 6-row table of lines 3040-3047: H(Z|Y) = 2/6 exactly.",
    )
    ctx.table(
        "movie_table_root",
        columns,
        slide_rows(nums["movie_root"], SLIDE_MOVIE_ROOT),
        note + "H(Like) = 0.918: the slide truncates it to 0.91 and subtracts rounded conditional "
        "entropies, so its gains sit 0.006-0.013 below the exact ones. Director still wins.",
    )
    ctx.table(
        "movie_table_lasseter_branch",
        columns,
        slide_rows(nums["movie_lasseter"], SLIDE_MOVIE_LASSETER),
        note + "Type and Length tie at 0.811; ID3 takes the first column, Type, as the slide.",
    )
    ctx.table(
        "play_tennis_root",
        columns,
        slide_rows(nums["tennis_root"], {}),
        note + "The slide prints no numbers here; outlook has the largest gain, temperature "
        "the smallest (and never appears in the tree).",
    )
