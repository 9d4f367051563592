"""The LeNet style's rows for networks that branch (``wrap`` on a graph).

Where rows end, and what each holds, is :mod:`nnsvg.engines.graph_rows`'s (the
same for every style). Each row is laid out by :mod:`nnsvg.engines.lenet_graph` on
its own sub-network (sizes above the tensors, operations below, branches in lanes),
on the scale of the whole network, and the rows are stacked on the left, one under
another (:func:`~nnsvg.engines.rows.join_rows`). As between a chain's rows
(:mod:`nnsvg.engines.lenet_rows`), a connector with rounded corners runs from the
right side of a row's last tensor, down between the rows and back to the left, into
the left side of the next row's first tensor; where several tensors read it, it runs
instead to the undrawn stand-in at the next row's left, where the edges into that
row start, a junction dot where they part.
"""

from __future__ import annotations

import dataclasses

from nnsvg.engines.common import TextMaker, arrowhead, junction_dot
from nnsvg.engines.graph_rows import GraphRow, wrap_graph
from nnsvg.engines.lenet import _Element
from nnsvg.engines.lenet_graph import finish_graph, graph_items
from nnsvg.engines.lenet_graph_edges import meet_in, meet_out
from nnsvg.engines.rows import PAD, Connector, Joint, Shift, join_rows
from nnsvg.network import Network
from nnsvg.scene import BBox, Group, Item, Paint, Path, Polygons, Scene, bounds
from nnsvg.theme import Theme

__all__ = ["layout_graph_rows"]

Point = tuple[float, float]


def layout_graph_rows(
    net: Network, theme: Theme, tm: TextMaker, physical_width: tuple[float, str] | None
) -> Scene:
    """The scene of a branching network with ``wrap`` (module docs)."""

    def draw(rows: list[GraphRow]) -> Scene:
        return finish_graph(net, _wrapped(net, rows, theme, tm), theme, tm, physical_width)

    return wrap_graph(net, lambda: graph_items(net, theme, tm)[0], draw, physical_width)


def _wrapped(net: Network, rows: list[GraphRow], theme: Theme, tm: TextMaker) -> list[Item]:
    """The network in ``rows``, joined by connectors."""
    drawn: list[list[Item]] = []
    placed: list[list[_Element]] = []
    for row in rows:
        items, elements = graph_items(row.sub, theme, tm, stand_in=row.source is not None)
        drawn.append(items)
        placed.append(elements)
    first_boxes = [bounds(items) or BBox(0, 0, 1, 1) for items in drawn]

    def join(k: int, _a: list[Item], _b: list[Item], boxes: list[BBox], shift: Shift) -> Joint:
        above, row = rows[k - 1], rows[k]
        moved = (boxes[k - 1].x0 - first_boxes[k - 1].x0, boxes[k - 1].y0 - first_boxes[k - 1].y0)
        start = _at(meet_out(_element(above, placed[k - 1], above.cut, net), theme), moved)
        last = net.nodes[above.cut].number
        if row.first is not None:  # into its box, as a chain's rows are joined
            into = _at(meet_in(_element(row, placed[k], row.first, net), theme), shift)
            name = f"layer-{net.nodes[row.first].number}"
            return _connector(start, into, boxes[k - 1], boxes[k], theme, f"{last}-{name}")
        into = _at(meet_out(placed[k][0], theme), shift)  # the stand-in, a point
        group, legs = _connector(start, into, boxes[k - 1], boxes[k], theme, f"{last}-row", False)
        if row.parts:  # the edges part here
            group = dataclasses.replace(
                group, children=(*group.children, junction_dot(*into, theme))
            )
        return group, legs

    return join_rows(drawn, first_boxes, theme, join)


def _element(row: GraphRow, elements: list[_Element], node: int, net: Network) -> _Element:
    """The element of ``row`` drawing ``node`` (an index in the whole network)."""
    name = net.nodes[node].id
    return next(e for e, n in zip(elements, row.sub.nodes, strict=True) if n.id == name)


def _at(point: Point, shift: Shift) -> Point:
    return (point[0] + shift[0], point[1] + shift[1])


def _connector(
    start: Point,
    into: Point,
    above: BBox,
    below: BBox,
    theme: Theme,
    name: str,
    arrow: bool = True,
) -> Joint:
    """The connector from ``start`` (the right side of the tensor ending the row in
    ``above``) to ``into`` (with ``arrow``, the left side of the tensor starting the
    row in ``below``, an arrowhead on it; else the point the edges into it start
    from), with the bounds of its two legs."""
    sk, head = theme.skip, theme.arrow
    right = max(above.x1, start[0] + 2 * PAD) + PAD
    left = min(above.x0, below.x0) - PAD
    tip = (into[0] - head.gap, into[1]) if arrow else into
    end = (tip[0] - head.length * 0.8, tip[1]) if arrow else tip
    c = Connector(start, right, (above.y1 + below.y0) / 2, left, end, radius=PAD)
    paint = Paint(stroke=sk.color, stroke_width=sk.width, fill="none", linejoin="round")
    shapes: list[Item] = [Path(p, paint, cls="connector") for p in c.paths()]
    if arrow:
        polygon = arrowhead(tip, (1.0, 0.0), head.length, head.width)
        shapes.append(Polygons((polygon,), Paint(fill=sk.color, stroke="none")))
    group = Group(id=f"edge-layer-{name}", role="connector", children=tuple(shapes))
    half = head.width / 2
    legs = [
        BBox(start[0], start[1] - half, right, start[1] + half),
        BBox(left, tip[1] - half, tip[0], tip[1] + half),
    ]
    return group, legs
