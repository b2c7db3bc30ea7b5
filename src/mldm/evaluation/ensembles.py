"""Measurements of a voting ensemble from its members' predictions (L08 lines 3313-3330)."""

from __future__ import annotations

import numpy as np


def vote_curve(P: np.ndarray, y_idx: np.ndarray, n_classes: int) -> np.ndarray:
    """Accuracy of the majority vote of the first k members, for every k = 1..K: how the
    vote improves as trees are added (the slides' 1, 5, 25, 100 trees).

    ``P`` (K, n): each member's predicted class index; ``y_idx`` (n): the true class indices.
    Votes are counted cumulatively over members; a tie goes to the lowest class index, as
    ``np.argmax`` and the ensembles' ``predict``.
    """
    votes = np.cumsum(np.eye(n_classes, dtype=np.int32)[P], axis=0)  # (K, n, C): V_knc
    return (votes.argmax(axis=2) == y_idx).mean(axis=1)
