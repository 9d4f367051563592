"""What the blocks style draws of keys written for the other styles, so that every
spec renders as blocks too (issue #16):

- a layer's ``skip_from`` (with ``merge``): a merge circle after the layer, fed by the
  layer and by the skip, read by whatever read the layer (ResNet's x + F(x));
- ``bias: true``: "+ bias" after the layer's size line;
- ``node_labels``: the names listed in the block, one a line (at most
  :data:`LISTED`, the middle ones elided to "…");
- an input's or a layer's ``image``: the picture in its block, above its label;
- ``recurrent``: a loop beside the block (drawn by :mod:`nnsvg.engines.block_edges`).
"""

from __future__ import annotations

from nnsvg.network import Frame, Network, Node
from nnsvg.scene import Image, Item
from nnsvg.spec.model import EdgeMark

__all__ = ["LISTED", "bias_note", "extra_lines", "image_item", "image_size", "skip_merges"]

LISTED = 6  # node labels listed in a block, at most (the first ones, "…", the last)

Edge = tuple[int, int, EdgeMark | None]


def skip_merges(
    net: Network, visible: list[Node | Frame], rep: list[int], edges: list[Edge]
) -> tuple[list[Node | Frame], list[Edge]]:
    """``visible`` and ``edges`` with a merge circle after each skip's target: the
    target and the skip's source feed it, and it feeds the target's readers."""
    if not net.skips:
        return visible, edges
    visible, edges = list(visible), list(edges)
    merged: dict[int, int] = {}  # a skip's target -> its merge circle: the layer's output
    for skip in net.skips:
        node = net.nodes[skip.target]
        target = rep[skip.target]
        source = merged.get(skip.source, rep[skip.source])
        merge = merged[skip.target] = len(visible)
        visible.append(
            Node(
                node.index,
                node.number,
                skip.merge,
                node.shape,
                None,
                None,
                None,
                None,
                None,
                id=f"{node.id}-merge",
                groups=node.groups,
            )
        )
        edges = [(merge if u == target else u, v, mark) for u, v, mark in edges]
        edges += [(target, merge, None), (source, merge, None)]
    return visible, edges


def extra_lines(node: Node) -> tuple[str, ...]:
    """The lines a block adds for ``node_labels`` (the names, one a line)."""
    layer = node.layer
    names = layer.node_labels if layer is not None else None
    if not names:
        return ()
    if len(names) <= LISTED:
        return tuple(names)
    head = LISTED - 2
    return (*names[:head], "…", names[-1])


def bias_note(node: Node) -> str:
    """``+ bias`` for a layer with a bias unit, else empty."""
    return "+ bias" if node.layer is not None and node.layer.bias else ""


def image_size(node: Node | Frame, size: float) -> float:
    """The side of the picture a block shows (0 when it shows none)."""
    return size * 3.2 if isinstance(node, Node) and node.image else 0.0


def image_item(node: Node, cx: float, top: float, side: float) -> Item:
    """The node's picture, ``side`` square, centred at ``cx`` from ``top`` down."""
    assert node.image is not None
    return Image(cx - side / 2, top, side, side, node.image, cls="image")
