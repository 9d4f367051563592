"""The AlexNet style's rows for networks that branch (``wrap`` on a graph).

The network is ranked as :mod:`nnsvg.engines.alexnet_graph` ranks it, and cut into
rows between ranks, only after a rank that holds one tensor and nothing else, from
which every edge into the next row leaves (a ResNet's rows end after the sum of a
residual block, whose shortcut leaves from there too), and never inside a group:
the rule of the blocks style's runs (:func:`~nnsvg.engines.block_wrap.run_ends`).
Each row is laid out by the graph layout on its own sub-network, on the scale of the
whole network, the tensor ending the row before standing in (undrawn) for its
first rank; the rows are stacked as a chain's (:mod:`nnsvg.engines.rows`). A
connector runs from the right side of a row's last tensor, down between the rows
and back to the left, into where that stand-in sits; the edges into the row start
there, a junction dot where they part. ``wrap: N`` ends each row at the last such
cut at most N ranks on; ``wrap: auto`` picks the fewest rows that print every text
at 6 pt at the figure's width (:func:`~nnsvg.engines.rows.choose_wrap`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from nnsvg.engines.alexnet_graph import finish_graph, graph_items
from nnsvg.engines.alexnet_rows import PAD, Joint, Shift, connector, join_rows
from nnsvg.engines.block_wrap import run_ends
from nnsvg.engines.common import TextMaker, junction_dot
from nnsvg.engines.lenet_graph import _ranks
from nnsvg.engines.rows import balanced_rows, choose_wrap, greedy_rows
from nnsvg.errors import SpecError
from nnsvg.geometry import Camera
from nnsvg.layering import layered
from nnsvg.network import Network
from nnsvg.scene import BBox, Group, Item, Scene, bounds
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.theme import Theme

__all__ = ["layout_graph_rows", "sub_network"]


def layout_graph_rows(
    net: Network,
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
    physical_width: tuple[float, str] | None,
) -> Scene:
    """The scene of a branching network with ``wrap`` (module docs)."""
    edges = [(s, n.index) for n in net.nodes for s in n.inputs]
    lay = layered(len(net.nodes), edges, ranks=_ranks(net))
    ranks = lay.ranks
    rank_of = {k: r for r, row in enumerate(ranks) for k in row}
    ends = run_ends(ranks, [(u, v, None) for u, v in edges], [n.groups for n in net.nodes], rank_of)

    def allowed(j: int) -> bool:  # a row may end before rank j
        return j - 1 in ends

    def draw(rows: list[range]) -> Scene:
        items = _wrapped(net, ranks, rows, theme, tm, camera)
        return finish_graph(net, items, theme, tm, physical_width)

    count = len(ranks)
    if net.wrap == "auto":
        width = _rank_widths(net, ranks, theme, tm, camera)
        if net.rows is not None:  # held (the pipeline fitting a font_size)
            return draw(balanced_rows(count, width, net.rows, allowed))
        return choose_wrap(count, draw, physical_width, width, allowed=allowed)[1]
    assert isinstance(net.wrap, int)
    if net.wrap < count and not ends:
        raise SpecError(
            f"wrap: {net.wrap}: no row of this network can end: a row ends after a tensor "
            "alone in its rank that every edge into the next row leaves from (as the sum "
            "of a residual block), outside groups; remove wrap",
            location=net.where("wrap"),
            field="wrap",
        )
    return draw(greedy_rows(count, lambda i, j: j - i, net.wrap, allowed))


def _rank_widths(
    net: Network,
    ranks: tuple[tuple[int, ...], ...],
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
) -> Callable[[int, int], float]:
    """``width(i, j)``: about how wide the row of ranks ``i`` to ``j - 1`` is on screen,
    measured on the network laid out in one row, with the connector's room."""
    items, _ = graph_items(net, theme, tm, camera)
    extent: dict[str, BBox] = {}
    for item in items:
        if isinstance(item, Group) and item.id is not None and item.role.startswith("layer "):
            box = bounds([item])
            if box is not None:
                extent[item.id] = box
    spans: list[tuple[float, float] | None] = []
    for rank in ranks:
        found = [extent[net.nodes[k].id] for k in rank if k < len(net.nodes)]
        found = [b for b in found if b is not None]
        spans.append((min(b.x0 for b in found), max(b.x1 for b in found)) if found else None)

    def width(i: int, j: int) -> float:
        inside = [s for s in spans[i:j] if s is not None]
        if not inside:
            return 3 * PAD
        return max(b for _, b in inside) - min(a for a, _ in inside) + 3 * PAD

    return width


def _only_reader(net: Network, source: int) -> int | None:
    """The one node that reads ``source``, when it reads nothing else (a box); None
    when several read it, or a merge does."""
    readers = [n for n in net.nodes if source in n.inputs]
    if len(readers) == 1 and readers[0].inputs == (source,) and readers[0].kind not in MERGE_TYPES:
        return readers[0].index
    return None


def sub_network(net: Network, nodes: list[int], source: int | None) -> Network:
    """The sub-network of a row: its ``nodes`` (node indices, in order), the tensor
    ``source`` ending the row before first (its stand-in; what reads it reads node 0),
    with the groups that lie wholly in the row; sized on the whole network's scale."""
    keep = ([source] if source is not None else []) + nodes
    new = {old: k for k, old in enumerate(keep)}
    out = []
    for k, old in enumerate(keep):
        node = net.nodes[old]
        inputs = () if old == source else tuple(new[s] for s in node.inputs if s in new)
        marks = node.edge_marks
        if marks:
            marks = tuple(m for s, m in zip(node.inputs, marks, strict=True) if s in new)
        if old == source:  # undrawn: no captions to make room for
            node = dataclasses.replace(node, label=None, size_label="", layer=None)
        out.append(dataclasses.replace(node, index=k, inputs=inputs, edge_marks=marks))
    members = set(nodes)
    frames = tuple(
        dataclasses.replace(
            f,
            nodes=tuple(new[n] for n in f.nodes),
            inputs=tuple(new[n] for n in f.inputs if n in new),
            outputs=tuple(new[n] for n in f.outputs if n in new),
        )
        for f in net.frames
        if f.nodes and set(f.nodes) <= members
    )
    order = tuple(new[k] for k in net.order if k in new)
    if source is not None:
        order = (0, *(k for k in order if k != 0))
    scale = (*(n.shape for n in net.nodes), *net.scale_shapes)
    return dataclasses.replace(
        net, nodes=tuple(out), frames=frames, order=order, scale_shapes=scale, skips=()
    )


def _wrapped(
    net: Network,
    ranks: tuple[tuple[int, ...], ...],
    rows: list[range],
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
) -> list[Item]:
    """The network in rows (``rows`` of ranks), joined by connectors."""
    count = len(net.nodes)
    drawn: list[list[Item]] = []
    starts: list[tuple[float, float] | None] = []
    cuts: list[int] = []  # the tensor ending each row
    firsts: list[int | None] = []  # the one tensor reading the row before's last
    for k, row in enumerate(rows):
        nodes = sorted(i for r in row for i in ranks[r] if i < count)
        first = _only_reader(net, cuts[-1]) if k else None
        source = cuts[-1] if k and first is None else None
        sub = sub_network(net, nodes, source)
        items, start = graph_items(sub, theme, tm, camera, stand_in=source is not None)
        drawn.append(items)
        starts.append(start)
        firsts.append(first)
        cuts.append(next(i for i in ranks[row.stop - 1] if i < count))
    boxes = [bounds(items) or BBox(0, 0, 1, 1) for items in drawn]

    def join(
        k: int, above: list[Item], below: list[Item], boxes: list[BBox], shift: Shift
    ) -> Joint:
        last = net.nodes[cuts[k - 1]].number
        first = firsts[k]
        if first is not None:  # into its box, as a chain's rows are joined
            number = net.nodes[first].number
            return connector(last, above, number, below, boxes[k - 1], boxes[k], theme)
        start = starts[k]
        assert start is not None
        into = (start[0] + shift[0], start[1] + shift[1])
        group, legs = connector(last, above, None, below, boxes[k - 1], boxes[k], theme, into=into)
        if sum(1 for n in net.nodes if cuts[k - 1] in n.inputs) > 1:  # the edges part here
            dot = junction_dot(*into, theme, color=theme.boxes.arrow_color)
            group = dataclasses.replace(group, children=(*group.children, dot))
        return group, legs

    return join_rows(drawn, boxes, theme, join)
