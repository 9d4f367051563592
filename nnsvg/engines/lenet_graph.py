"""The LeNet style for networks that branch: ranks along the flow, branches in lanes.

A chain keeps :mod:`nnsvg.engines.lenet`'s own layout. A network with branches,
merges or several inputs is placed by :func:`nnsvg.layering.layered`: each rank is a
column, its tensors (and the dummy points long edges pass through) stacked in lanes
across the flow, in the order that keeps crossings down. A tensor draws as in a chain
(a stack of maps or a slanted vector) with its label and size above it and its
operation below it, all in its own group. ``add``, ``multiply`` and ``concat`` are
merge marks (⊕, ⊗, ‖; a concat's label gives its size). Connectors run orthogonally:
out of a tensor's side, along the gap between two columns on a track of their own,
into the next tensor's side, and straight through the lanes kept for them in the
columns between, so they never cross a tensor or its captions. Where one tensor feeds
exactly one other on the same line, the chain's kernel and projection lines (or the
vector links) join them instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from nnsvg.engines.common import (
    LayoutLimits,
    TextMaker,
    arrowhead,
    finish_scene,
    merge_mark,
)
from nnsvg.engines.lenet import (
    KIND_NAMES,
    _Element,
    _elements,
    _filter_items,
    _label_items,
    _Labels,
    _legend,
    _link_items,
    _stack_items,
    _vector_items,
)
from nnsvg.layering import layered
from nnsvg.network import Network
from nnsvg.scene import Group, Item, Paint, Path, Polygons, Scene
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["layout_lenet_graph"]

_MARK_SCALE = 1.5  # a merge node's mark, against the skip mark's radius
_TRACK = 10.0  # between two vertical connector runs in one gap


@dataclass(slots=True)
class _Slot:
    """An item of a rank: a tensor, or a point a long edge passes through."""

    item: int  # node index, or a dummy id (>= the node count)
    above: float = 0.0  # caption height over the body
    body: float = 0.0
    below: float = 0.0  # caption height under the body
    width: float = 0.0  # the body's, or its captions' if wider
    y: float = 0.0  # the body's centre


def layout_lenet_graph(
    net: Network,
    theme: Theme,
    metrics: TextMetrics,
    *,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """Lay out a branching ``net`` as LeNet stacks in ranks and lanes (module docs)."""
    tm = TextMaker(metrics, theme.font.family)
    labels = _Labels(theme, tm, net.labels)
    elements = _elements(net, theme)
    radius = theme.skip.mark_radius * _MARK_SCALE
    for e in elements:
        if e.kind in MERGE_TYPES:
            e.width = e.height = 2 * radius
            e.op_label = None  # the mark says it
            if e.kind != "concat" and net.nodes[e.index].size_label is None:
                e.size_label = ""  # the size of what it joins: said already
    edges = [(s, n.index) for n in net.nodes for s in n.inputs]
    lay = layered(len(elements), edges, ranks=_ranks(net))
    columns = _columns(lay.ranks, elements, labels, theme)
    _align(columns, net, lay.chains)
    xs = _place(columns, elements, theme)
    reads = {n.index: len(n.inputs) for n in net.nodes}
    readers = {n.index: 0 for n in net.nodes}
    for s, _ in edges:
        readers[s] += 1

    items: list[Item] = []
    links: list[Item] = []
    connectors: list[tuple[int, int, list[tuple[float, float]]]] = []
    for u, v in edges:
        a, b = elements[u], elements[v]
        chain = lay.chains.get((u, v), ())
        aligned = not chain and abs(_cy(a) - _cy(b)) < 0.5 and lay.rank[v] == lay.rank[u] + 1
        plain = a.kind not in MERGE_TYPES and b.kind not in MERGE_TYPES
        if aligned and plain and readers[u] == 1 and reads[v] == 1:
            joined = _link_items(a, b, theme) if b.is_vector else _filter_items(a, b, theme)
            if joined:
                links.extend(joined)
                continue
        points = [(a.x + a.width, _cy(a))]
        for d in chain:
            slot = _slot_of(columns, d)
            left, right = xs[lay.rank[u] + 1 + chain.index(d)]
            points += [(left, slot.y), (right, slot.y)]
        points.append((b.x, _cy(b)))
        connectors.append((u, v, points))

    for e in elements:
        items.append(_node_group(e, net, theme, tm, labels, radius))
    if links:
        items.append(Group(id="filters", role="filters", children=tuple(links)))
    ids = [n.id for n in net.nodes]
    items.extend(_connector_groups(connectors, ids, lay.rank, xs, theme))
    if (net.legend is True or theme.maps.color_by == "kind") and net.legend is not False:
        items.append(_legend([e for e in elements if e.kind not in MERGE_TYPES], theme, tm, items))
    return finish_scene(items, net, theme, tm, engine="lenet", physical_width=physical_width)


def _ranks(net: Network) -> list[int]:
    """Longest-path ranks, then each source (an input) moved up to just before its
    first reader, so that a second input joins where it is used."""
    rank = [0] * len(net.nodes)
    for index in net.order:
        inputs = net.nodes[index].inputs
        rank[index] = max((rank[s] + 1 for s in inputs), default=0)
    first_reader: dict[int, int] = {}
    for node in net.nodes:
        for s in node.inputs:
            first_reader[s] = min(first_reader.get(s, rank[node.index]), rank[node.index])
    for node in net.nodes:
        if not node.inputs and node.index in first_reader:
            rank[node.index] = first_reader[node.index] - 1
    return rank


def _cy(e: _Element) -> float:
    return e.y + e.height / 2


def _columns(
    ranks: tuple[tuple[int, ...], ...], elements: list[_Element], labels: _Labels, theme: Theme
) -> list[list[_Slot]]:
    """Each rank's slots, measured, and stacked across the flow: the elements' centres
    are spread around y = 0, each slot as tall as its body and captions."""
    gap = max(theme.label.min_separation * 2, 14.0)
    dummy = max(theme.skip.width * 4, 8.0)
    columns = []
    for rank in ranks:
        slots = []
        for item in rank:
            if item >= len(elements):
                slots.append(_Slot(item, body=dummy, width=0.0))
                continue
            e = elements[item]
            above = labels.top_height(e) + theme.layer.label_gap
            below = _op_height(e, labels, theme)
            width = max(e.width, labels.top_width(e), labels.op_width(e))
            slots.append(_Slot(item, above, e.height, below, width))
        y = 0.0
        for slot in slots:
            slot.y = y + slot.above + slot.body / 2
            y += slot.above + slot.body + slot.below + gap
        centres = [s.y for s in slots if s.item < len(elements)] or [s.y for s in slots]
        shift = (min(centres) + max(centres)) / 2
        for slot in slots:
            slot.y -= shift
        columns.append(slots)
    return columns


def _align(
    columns: list[list[_Slot]], net: Network, chains: dict[tuple[int, int], tuple[int, ...]]
) -> None:
    """Shift each column along the cross axis, left to right, by the median of the
    shifts that would put each of its items level with what feeds it (the mean of a
    node's inputs; for a dummy, the item before it on its edge), so that chains run
    straight and a branch sits beside its source."""
    y_of: dict[int, float] = {}
    feeds: dict[int, list[int]] = {n.index: list(n.inputs) for n in net.nodes}
    for (u, _), dummies in chains.items():
        for before, dummy in zip((u, *dummies), dummies):
            feeds[dummy] = [before]
    for slots in columns:
        wanted: list[float] = []
        dummies: list[float] = []  # a dummy follows its edge only where no node asks
        for slot in slots:
            placed = [y_of[s] for s in feeds.get(slot.item, []) if s in y_of]
            if placed:
                mine = wanted if slot.item < len(net.nodes) else dummies
                mine.append(sum(placed) / len(placed) - slot.y)
        wanted = wanted or dummies
        if wanted:
            wanted.sort()
            shift = wanted[(len(wanted) - 1) // 2]
            for slot in slots:
                slot.y += shift
        for slot in slots:
            y_of[slot.item] = slot.y


def _op_height(e: _Element, labels: _Labels, theme: Theme) -> float:
    tm = labels.tm
    lines = labels.op_lines(e)
    if not lines:
        return 0.0
    return theme.layer.label_gap + sum(
        tm.ascent(size) + tm.descent(size) + theme.label.line_gap for _, size, _ in lines
    )


def _place(
    columns: list[list[_Slot]], elements: list[_Element], theme: Theme
) -> list[tuple[float, float]]:
    """Put every element in its column; each column's (left, right) along the flow."""
    arrow = theme.arrow
    x = 0.0
    spans = []
    for k, slots in enumerate(columns):
        width = max((s.width for s in slots), default=0.0)
        if k:
            x += max(theme.maps.spacing, 2 * arrow.length + 3 * _TRACK + 8)
        for slot in slots:
            if slot.item < len(elements):
                e = elements[slot.item]
                e.x = x + (width - e.width) / 2
                e.y = slot.y - e.height / 2
        spans.append((x, x + width))
        x += width
    return spans


def _slot_of(columns: list[list[_Slot]], item: int) -> _Slot:
    for slots in columns:
        for slot in slots:
            if slot.item == item:
                return slot
    raise KeyError(item)


def _node_group(
    e: _Element, net: Network, theme: Theme, tm: TextMaker, labels: _Labels, radius: float
) -> Group:
    """A tensor (or merge mark) with its captions: label and size above, operation below."""
    node = net.nodes[e.index]
    if e.kind in MERGE_TYPES:
        cx, cy = e.x + radius, e.y + radius
        shapes = merge_mark(cx, cy, e.kind, theme, tm, radius=radius)
    elif e.is_vector:
        shapes = _vector_items(e, theme, node.id)
    else:
        shapes = _stack_items(e, theme, node.id)
    gap = theme.layer.label_gap
    captions = _label_items(
        e, theme, tm, labels, e.y - gap, e.x + e.width / 2, e.y + e.height + gap
    )
    return Group(
        id=node.id,
        role=f"layer {e.kind}",
        children=(*shapes, *captions),
        title=e.label or KIND_NAMES[e.kind],
    )


def _connector_groups(
    connectors: list[tuple[int, int, list[tuple[float, float]]]],
    ids: list[str],
    rank: tuple[int, ...],
    spans_x: list[tuple[float, float]],
    theme: Theme,
) -> list[Item]:
    """Orthogonal connectors, each turn on a track of its own within its gap."""
    # Every vertical run: (gap index, low y, high y, connector, leg) -> a track per gap.
    # Runs of one source (a fan-out) or into one target (a fan-in) share a track: a bus.
    runs: dict[int, list[tuple[float, float, int, int]]] = {}
    for k, (u, _, points) in enumerate(connectors):
        for leg in range(0, len(points) - 1, 2):
            (_, y0), (_, y1) = points[leg], points[leg + 1]
            if abs(y0 - y1) > 0.5:
                runs.setdefault(rank[u] + leg // 2, []).append((min(y0, y1), max(y0, y1), k, leg))
    track: dict[tuple[int, int], float] = {}
    for gap, found in runs.items():
        # A track holds runs that do not meet, or runs that all leave one source (their
        # first leg) or all enter one target (their last leg): a bus, read as one.
        lanes: list[tuple[set[tuple[str, int]], list[tuple[float, float]]]] = []
        placed = []
        for lo, hi, k, leg in sorted(found):
            u, v, points = connectors[k]
            keys = {("from", u)} if leg == 0 else set()
            if leg + 2 == len(points):
                keys.add(("to", v))
            lane = 0
            while lane < len(lanes):
                shared, spans = lanes[lane]
                meets = any(not (hi + _TRACK < a or lo - _TRACK > b) for a, b in spans)
                if not meets or shared & keys:
                    break
                lane += 1
            if lane == len(lanes):
                lanes.append((set(keys), []))
            shared, spans = lanes[lane]
            shared &= keys  # the keys every run of the lane has
            spans.append((lo, hi))
            placed.append((k, leg, lane))
        middle = (spans_x[gap][1] + spans_x[gap + 1][0]) / 2
        for k, leg, lane in placed:
            track[(k, leg)] = middle + (lane - (len(lanes) - 1) / 2) * _TRACK
    sk, arrow = theme.skip, theme.arrow
    paint = Paint(stroke=sk.color, stroke_width=sk.width, fill="none", linejoin="round")
    groups: list[Item] = []
    for k, (u, v, points) in enumerate(connectors):
        tip = (points[-1][0] - arrow.gap, points[-1][1])
        commands: list[tuple[str | float, ...]] = [("M", *points[0])]
        for leg in range(0, len(points) - 1, 2):
            (_, y0), (x1, y1) = points[leg], points[leg + 1]
            if abs(y0 - y1) > 0.5:  # a turn, on this connector's track in the gap
                x = track[(k, leg)]
                commands += [("L", x, y0), ("L", x, y1)]
            last = leg + 2 == len(points)
            commands.append(("L", tip[0] - arrow.length * 0.8, y1) if last else ("L", x1, y1))
            if not last:  # straight through the lane kept in the next column
                commands.append(("L", *points[leg + 2]))
        head = arrowhead(tip, (1.0, 0.0), arrow.length, arrow.width)
        groups.append(
            Group(
                id=f"edge-{ids[u]}-{ids[v]}",
                role="connector",
                children=(
                    Path(tuple(commands), paint, cls="connector"),
                    Polygons((head,), Paint(fill=sk.color, stroke="none")),
                ),
            )
        )
    return groups
