"""The lecture's own categorical tables, written from the course notes (shared/DATA.md).

They are worked examples, not datasets: no split, no prepared files; ID3 (L08) reads them
directly. Each loader returns ``(X, y, feature_names, target_names)`` with X a (n, d) array of
category names (str).
"""

from __future__ import annotations

import numpy as np


def _table(rows: str) -> tuple[np.ndarray, np.ndarray]:
    cells = np.array([line.split() for line in rows.strip().splitlines()])
    return cells[:, :-1], cells[:, -1]


# L08, course-notes lines 2867-2876: nine movies, four categorical attributes -> "Liked?".
MOVIE_FEATURES = ["Type", "Length", "Director", "Famous actors"]
MOVIE_TABLE = _table(
    """
    Comedy   Short  Adamson  No  Yes
    Animated Short  Lasseter No  No
    Drama    Medium Adamson  No  Yes
    Animated Long   Lasseter Yes No
    Comedy   Long   Lasseter Yes No
    Drama    Medium Singer   Yes Yes
    Animated Short  Singer   No  Yes
    Comedy   Long   Adamson  Yes Yes
    Drama    Medium Lasseter No  Yes
    """
)

# L08, course-notes lines 2920-2934: Quinlan's fourteen days -> play tennis or not.
PLAY_TENNIS_FEATURES = ["outlook", "temperature", "humidity", "wind"]
PLAY_TENNIS_TABLE = _table(
    """
    sunny    hot  high   weak   no
    sunny    hot  high   strong no
    overcast hot  high   weak   yes
    rain     mild high   weak   yes
    rain     cool normal weak   yes
    rain     cool normal strong no
    overcast cool normal strong yes
    sunny    mild high   weak   no
    sunny    cool normal weak   yes
    rain     mild normal weak   yes
    sunny    mild normal strong yes
    overcast mild high   strong yes
    overcast hot  normal weak   yes
    rain     mild high   strong no
    """
)


def movies():
    """The movie table: X (9, 4) of category names (str), y "Yes"/"No" (not a float dataset:
    ID3's worked example reads it directly, it has no train/test split)."""
    X, y = MOVIE_TABLE
    return X.copy(), y.copy(), MOVIE_FEATURES, ["Liked?"]


def play_tennis():
    """The play-tennis table: X (14, 4) of category names (str), y "yes"/"no"."""
    X, y = PLAY_TENNIS_TABLE
    return X.copy(), y.copy(), PLAY_TENNIS_FEATURES, ["play"]


# L09, course-notes line 3976: the SVD example A = U Σ Vᵀ as the slide prints it (two decimals,
# σ₁ = 12.48 truncated to 12.4). Its third triplet's u₃ and v₃ do not pair: one sign is off.
SVD_EXAMPLE = np.array(
    [
        [1, 1, 1, 0, 0],
        [3, 3, 3, 0, 0],
        [4, 4, 4, 0, 0],
        [5, 5, 5, 0, 0],
        [0, 2, 0, 4, 4],
        [0, 0, 0, 5, 5],
        [0, 1, 0, 2, 2],
    ],
    dtype=np.float64,
)
SVD_SLIDE_SIGMA = np.array([12.4, 9.5, 1.3])
SVD_SLIDE_U = np.array(
    [
        [0.13, 0.02, -0.01],
        [0.41, 0.07, -0.03],
        [0.55, 0.09, -0.04],
        [0.68, 0.11, -0.05],
        [0.15, -0.59, 0.65],
        [0.07, -0.73, -0.67],
        [0.07, -0.29, 0.32],
    ]
)
SVD_SLIDE_VT = np.array(
    [
        [0.56, 0.59, 0.56, 0.09, 0.09],
        [0.12, -0.02, 0.12, -0.69, -0.69],
        [0.40, -0.80, 0.40, 0.09, 0.09],
    ]
)
