"""Rows for networks that branch (``wrap`` on a graph), whatever the style draws.

The network is ranked as the graph layouts rank it (:func:`graph_ranks`) and cut
into rows between ranks, only after a rank that holds one tensor and nothing else,
from which every edge into the next row leaves (a ResNet's rows end after the sum of
a residual block, whose shortcut leaves from there too), and never inside a group:
the rule of the blocks style's runs (:func:`~nnsvg.engines.block_wrap.run_ends`).
Each row is a sub-network (:func:`sub_network`) an engine lays out on its own, on
the scale of the whole network: where several tensors read the tensor ending the row
before, that tensor stands in (undrawn) for the row's first rank, and the connector
from the row before ends where it stands, a junction dot where the edges part; where
one box reads it, the connector runs into that box. :func:`wrap_graph` chooses the
rows: ``wrap: N`` ends each row at the last cut at most N ranks on, ``wrap: auto``
picks the fewest rows that print every text at 6 pt at the figure's width
(:func:`~nnsvg.engines.rows.choose_wrap`), or the rows fit holds (``Network.rows``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nnsvg.engines.block_wrap import run_ends
from nnsvg.engines.rows import PAD, balanced_rows, choose_wrap, greedy_rows
from nnsvg.errors import SpecError
from nnsvg.layering import layered
from nnsvg.network import Network
from nnsvg.scene import BBox, Group, Item, Scene, bounds
from nnsvg.spec.graph import MERGE_TYPES

__all__ = ["GraphRow", "graph_ranks", "sub_network", "wrap_graph"]

Ranks = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class GraphRow:
    """A row of a wrapped graph: its sub-network, and how the row before joins it."""

    sub: Network  # the row's nodes (the stand-in first, when there is one)
    cut: int  # the node (index in the whole network) ending the row
    first: int | None  # the one box reading the row before's cut: the connector's target
    source: int | None  # the row before's cut, standing in for the sub-network's node 0
    parts: bool  # several tensors read the stand-in: the edges part at a junction dot


def graph_ranks(net: Network) -> Ranks:
    """The ranks of ``net`` as the graph layouts place them (dummies included)."""
    from nnsvg.engines.lenet_graph import _ranks

    edges = [(s, n.index) for n in net.nodes for s in n.inputs]
    return layered(len(net.nodes), edges, ranks=_ranks(net)).ranks


def wrap_graph(
    net: Network,
    one_row: Callable[[], list[Item]],
    draw: Callable[[list[GraphRow]], Scene],
    physical_width: tuple[float, str] | None,
) -> Scene:
    """The scene ``draw`` makes of the rows ``net.wrap`` asks for (module docs);
    ``one_row()``: the items of the network drawn in one row, each node's group with
    its id (measured for ``wrap: auto``). ``wrap: N`` where no row can end is a
    located error."""
    ranks = graph_ranks(net)
    edges = [(s, n.index, None) for n in net.nodes for s in n.inputs]
    rank_of = {k: r for r, row in enumerate(ranks) for k in row}
    ends = run_ends(ranks, edges, [n.groups for n in net.nodes], rank_of)

    def allowed(j: int) -> bool:  # a row may end before rank j
        return j - 1 in ends

    def rows_of(spans: list[range]) -> Scene:
        return draw(_rows(net, ranks, spans))

    count = len(ranks)
    if net.wrap == "auto":
        width = _rank_widths(net, ranks, one_row())
        if net.rows is not None:  # held (the pipeline fitting a font_size)
            return rows_of(balanced_rows(count, width, net.rows, allowed))
        return choose_wrap(count, rows_of, physical_width, width, allowed=allowed)[1]
    assert isinstance(net.wrap, int)
    if net.wrap < count and not ends:
        raise SpecError(
            f"wrap: {net.wrap}: no row of this network can end: a row ends after a tensor "
            "alone in its rank that every edge into the next row leaves from (as the sum "
            "of a residual block), outside groups; remove wrap",
            location=net.where("wrap"),
            field="wrap",
        )
    return rows_of(greedy_rows(count, lambda i, j: j - i, net.wrap, allowed))


def _rank_widths(net: Network, ranks: Ranks, items: list[Item]) -> Callable[[int, int], float]:
    """``width(i, j)``: about how wide the row of ranks ``i`` to ``j - 1`` is, measured
    on the network drawn in one row (``items``), with the connector's room."""
    extent: dict[str, BBox] = {}
    for item in items:
        if isinstance(item, Group) and item.id is not None and item.role.startswith("layer "):
            box = bounds([item])
            if box is not None:
                extent[item.id] = box
    spans: list[tuple[float, float] | None] = []
    for rank in ranks:
        found = [extent.get(net.nodes[k].id) for k in rank if k < len(net.nodes)]
        boxes = [b for b in found if b is not None]
        spans.append((min(b.x0 for b in boxes), max(b.x1 for b in boxes)) if boxes else None)

    def width(i: int, j: int) -> float:
        inside = [s for s in spans[i:j] if s is not None]
        if not inside:
            return 3 * PAD
        return max(b for _, b in inside) - min(a for a, _ in inside) + 3 * PAD

    return width


def _rows(net: Network, ranks: Ranks, spans: Sequence[range]) -> list[GraphRow]:
    """The rows of ``spans`` (of ranks), each with its sub-network."""
    count = len(net.nodes)
    out: list[GraphRow] = []
    for k, span in enumerate(spans):
        nodes = sorted(i for r in span for i in ranks[r] if i < count)
        before = out[-1].cut if k else None
        first = _only_reader(net, before) if before is not None else None
        source = before if first is None else None
        readers = sum(1 for n in net.nodes if before in n.inputs) if before is not None else 0
        cut = next(i for i in ranks[span.stop - 1] if i < count)
        sub = sub_network(net, nodes, source)
        out.append(GraphRow(sub, cut, first, source, source is not None and readers > 1))
    return out


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
