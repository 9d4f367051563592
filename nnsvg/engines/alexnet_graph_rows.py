"""The AlexNet style's rows for networks that branch (``wrap`` on a graph).

Where rows end, and what each holds, is :mod:`nnsvg.engines.graph_rows`'s (the
same for every style). Each row is laid out by the graph layout on its own
sub-network, on the scale of the whole network, the tensor ending the row before
standing in (undrawn) for its first rank; the rows are stacked as a chain's
(:func:`~nnsvg.engines.rows.join_rows`). A connector runs from the right side of a
row's last tensor, down between the rows and back to the left, into where that
stand-in sits; the edges into the row start there, a junction dot where they part
(into the one box that reads the row before's last tensor, when one does).
"""

from __future__ import annotations

import dataclasses

from nnsvg.engines.alexnet_graph import finish_graph, graph_items
from nnsvg.engines.alexnet_rows import connector
from nnsvg.engines.common import TextMaker, junction_dot
from nnsvg.engines.graph_rows import GraphRow, wrap_graph
from nnsvg.engines.rows import Joint, Shift, join_rows
from nnsvg.geometry import Camera
from nnsvg.network import Network
from nnsvg.scene import BBox, Item, Scene, bounds
from nnsvg.theme import Theme

__all__ = ["layout_graph_rows"]


def layout_graph_rows(
    net: Network,
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
    physical_width: tuple[float, str] | None,
) -> Scene:
    """The scene of a branching network with ``wrap`` (module docs)."""

    def draw(rows: list[GraphRow]) -> Scene:
        items = _wrapped(net, rows, theme, tm, camera)
        return finish_graph(net, items, theme, tm, physical_width)

    return wrap_graph(net, lambda: graph_items(net, theme, tm, camera)[0], draw, physical_width)


def _wrapped(
    net: Network, rows: list[GraphRow], theme: Theme, tm: TextMaker, camera: Camera
) -> list[Item]:
    """The network in ``rows``, joined by connectors."""
    drawn: list[list[Item]] = []
    starts: list[tuple[float, float] | None] = []
    for row in rows:
        items, start = graph_items(row.sub, theme, tm, camera, stand_in=row.source is not None)
        drawn.append(items)
        starts.append(start)
    boxes = [bounds(items) or BBox(0, 0, 1, 1) for items in drawn]

    def join(
        k: int, above: list[Item], below: list[Item], boxes: list[BBox], shift: Shift
    ) -> Joint:
        last = net.nodes[rows[k - 1].cut].number
        first = rows[k].first
        if first is not None:  # into its box, as a chain's rows are joined
            number = net.nodes[first].number
            return connector(last, above, number, below, boxes[k - 1], boxes[k], theme)
        start = starts[k]
        assert start is not None
        into = (start[0] + shift[0], start[1] + shift[1])
        group, legs = connector(last, above, None, below, boxes[k - 1], boxes[k], theme, into=into)
        if rows[k].parts:  # the edges part here
            dot = junction_dot(*into, theme, color=theme.boxes.arrow_color)
            group = dataclasses.replace(group, children=(*group.children, dot))
        return group, legs

    return join_rows(drawn, boxes, theme, join)
