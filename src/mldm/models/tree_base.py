"""What the two L08 trees share (``course-notes.zh.txt`` lines 2886-2896: internal nodes
test attributes, leaves hold outcomes, edges carry attribute values): label encoding, sample
weights, prediction by the majority of a node's training rows, and the text layout of
``sklearn.tree.export_text``. The trees themselves: :mod:`mldm.models.id3` (categorical
attributes) and :mod:`mldm.models.cart` (real-valued features).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

from mldm.models.validation import sample_weights

__all__ = [
    "NodeCountsPredictor",
    "check_max_depth",
    "encode_targets",
    "positive_rows",
    "render_tree",
    "sample_weights",
]


def check_max_depth(max_depth) -> None:
    if max_depth is not None and not (isinstance(max_depth, Integral) and max_depth >= 1):
        raise ValueError(f"max_depth must be None or an int >= 1, got {max_depth!r}")


def encode_targets(y) -> tuple[np.ndarray, np.ndarray]:
    """(classes_, class index per sample); string classes held as a fixed-width str array
    (not object), so the fitted tree stays persistable."""
    check_classification_targets(y)
    classes, yk = np.unique(y, return_inverse=True)
    if classes.dtype == object and all(isinstance(c, str) for c in classes):
        classes = classes.astype(str)
    return classes, yk.ravel()


def positive_rows(X, y, sample_weight):
    """(X, class index, weights, classes_) of the rows with weight > 0: a zero-weight row
    is a dropped row (it adds no value and no threshold)."""
    classes, yk = encode_targets(y)
    w = sample_weights(sample_weight, len(X))
    keep = w > 0
    return X[keep], yk[keep], w[keep], classes


class NodeCountsPredictor:
    """predict / predict_proba from the weighted class counts of the node each row ends at
    (``_end_nodes``, checks fitted); ties in the majority go to the first class."""

    def _end_nodes(self, X) -> np.ndarray:
        raise NotImplementedError

    def _class_counts(self) -> np.ndarray:
        raise NotImplementedError

    def predict_proba(self, X) -> np.ndarray:
        """The class frequencies of the training rows at the node each row ends at."""
        node = self._end_nodes(X)  # first: it raises NotFittedError
        counts = self._class_counts()[node]
        return counts / counts.sum(axis=1, keepdims=True)

    def predict(self, X) -> np.ndarray:
        node = self._end_nodes(X)
        return self.classes_[np.argmax(self._class_counts()[node], axis=1)]


def render_tree(branches, leaf_text) -> str:
    """scikit-learn's ``export_text`` layout. ``branches(node)`` lists (edge text, child),
    empty at a leaf; ``leaf_text(node)`` is what a leaf line says."""
    lines: list[str] = []
    stack: list[tuple[int, int, str | None]] = [(0, 0, None)]  # (node, level, edge text)
    while stack:
        node, level, text = stack.pop()
        if text is not None:  # the edge line first, then the child's subtree
            lines.append("|   " * level + "|--- " + text)
            level += 1
        kids = branches(node)
        if not kids:
            lines.append("|   " * level + "|--- " + leaf_text(node))
        for edge, child in reversed(kids):
            stack.append((child, level, edge))
    return "\n".join(lines) + "\n"
