"""Reading a tree from its edges, the ``(parent, edge label, child)`` triples that
:meth:`mldm.models.ID3Classifier.to_edges` lists (a node is ``"<id>: <attribute or class>"``).

Used to compare a fitted tree with the one a slide draws (L08 lines 2918-2945, 3127-3190) and to
lay it out in a figure; pure functions, no model state.
"""

from __future__ import annotations

from collections.abc import Iterable


def node_label(node: str) -> str:
    """A node's label without the id that makes it unique (``"2: Type"`` -> ``"Type"``)."""
    return node.split(": ", 1)[-1]


def tree_children(edges: Iterable[tuple[str, str, str]]):
    """``({parent: [(edge label, child), ...]}, root)`` from edge triples; the root is the one
    parent that is nobody's child (None for a tree without edges, a single leaf)."""
    edges = list(edges)
    children: dict[str, list[tuple[str, str]]] = {}
    for parent, label, child in edges:
        children.setdefault(parent, []).append((label, child))
    targets = {c for _, _, c in edges}
    return children, next((p for p, _, _ in edges if p not in targets), None)


def tree_paths(edges: Iterable[tuple[str, str, str]]) -> set[tuple[str, ...]]:
    """Every root-to-leaf path as ``(attribute, value, attribute, value, ..., leaf label)``: a
    tree as a set, so two trees are the same whatever the order of their branches."""
    children, root = tree_children(edges)
    paths: set[tuple[str, ...]] = set()

    def walk(node, prefix):
        if node not in children:
            paths.add((*prefix, node_label(node)))
            return
        for label, child in children[node]:
            walk(child, (*prefix, node_label(node), label))

    if root is not None:
        walk(root, ())
    return paths
