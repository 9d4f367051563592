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
vector links) join them instead. The connectors' tracks and paths are
:mod:`nnsvg.engines.lenet_graph_edges`'s; ``wrap`` puts the network on rows
(:mod:`nnsvg.engines.lenet_graph_rows`), each row drawn by :func:`graph_items`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from nnsvg.engines.common import (
    LayoutLimits,
    TextMaker,
    finish_scene,
    kernel_window,
    kind_legend,
    level,
    merge_mark,
    one_to_one,
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
from nnsvg.engines.lenet_graph_edges import (
    TRACK,
    Route,
    lanes,
    lift,
    route_groups,
)
from nnsvg.engines.lenet_rows import down_links, side_lines
from nnsvg.layering import layered
from nnsvg.network import Network
from nnsvg.scene import Group, Item, Scene
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["layout_lenet_graph"]

_MARK_SCALE = 1.5  # a merge node's mark, against the skip mark's radius


@dataclass(slots=True)
class _Slot:
    """An item of a rank: a tensor, or a point a long edge passes through."""

    item: int  # node index, or a dummy id (>= the node count)
    above: float = 0.0  # caption height over the body
    body: float = 0.0
    below: float = 0.0  # caption height under the body
    width: float = 0.0  # the body's, or its captions' if wider
    lift: float = 0.0  # from the body's centre down to where connectors meet it
    y: float = 0.0  # where connectors meet the body (a stack's front map's centre)

    @property
    def top(self) -> float:
        return self.y - self.lift - self.body / 2 - self.above

    @property
    def bottom(self) -> float:
        return self.y - self.lift + self.body / 2 + self.below


def _tracks(
    around: list[tuple[int, int]], rank: tuple[int, ...], columns: list[list[_Slot]], gap: float
) -> dict[tuple[int, int], float]:
    """The y of each edge that goes round: tracks under every column, the shorter
    spans nearer, so that routes nest (an edge's span holding an end of another gets
    the outer track)."""
    if not around:
        return {}
    bottom = max(slot.bottom for slots in columns for slot in slots) + gap
    lanes: list[list[tuple[int, int]]] = []
    found = {}
    for u, v in sorted(around, key=lambda e: (rank[e[1]] - rank[e[0]], rank[e[0]], e)):
        a, b = rank[u], rank[v]
        lane = 0
        while lane < len(lanes) and any(not (b <= s or a >= t) for s, t in lanes[lane]):
            lane += 1
        if lane == len(lanes):
            lanes.append([])
        lanes[lane].append((a, b))
        found[(u, v)] = bottom + lane * TRACK * 1.2
    return found


def layout_lenet_graph(
    net: Network,
    theme: Theme,
    metrics: TextMetrics,
    *,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """Lay out a branching ``net`` as LeNet stacks in ranks and lanes (module docs; with
    ``wrap``, in rows: :mod:`nnsvg.engines.lenet_graph_rows`)."""
    tm = TextMaker(metrics, theme.font.family)
    if net.wrap is not None:
        from nnsvg.engines.lenet_graph_rows import layout_graph_rows

        return layout_graph_rows(net, theme, tm, physical_width)
    items, _ = graph_items(net, theme, tm)
    return finish_graph(net, items, theme, tm, physical_width)


def finish_graph(
    net: Network, items: list[Item], theme: Theme, tm: TextMaker, width: tuple[float, str] | None
) -> Scene:
    """The scene of a drawn graph's ``items`` (printed ``width``), with its kinds' legend."""
    if kind_legend(net, theme.maps.color_by):
        plain = [e for e in _elements(net, theme) if e.kind not in MERGE_TYPES]
        items.append(_legend(plain, theme, tm, items))
    return finish_scene(items, net, theme, tm, engine="lenet", physical_width=width)


def graph_items(
    net: Network, theme: Theme, tm: TextMaker, *, stand_in: bool = False
) -> tuple[list[Item], list[_Element]]:
    """The drawn graph (its groups' brackets too), and its elements as placed. With
    ``stand_in``, node 0 stands for the tensor ending the row before (``wrap``): a
    point, not drawn; its edges are, parting where it stands."""
    labels = _Labels(theme, tm, net.labels)
    elements = _elements(net, theme)
    down = net.direction == "down"
    radius = theme.skip.mark_radius * _MARK_SCALE
    for e in elements:
        if e.kind in MERGE_TYPES:
            e.width = e.height = 2 * radius
            e.op_label = None  # the mark says it
            if e.kind != "concat" and net.nodes[e.index].size_label is None:
                e.size_label = ""  # the size of what it joins: said already
    if stand_in:  # a merge mark of no size: connectors meet it at its centre
        e = elements[0]
        e.width = e.height = e.map_w = e.map_h = e.offset = 0.0
        e.maps, e.op_label, e.kind = 1, None, "add"
    edges = [(s, n.index) for n in net.nodes for s in n.inputs]
    lay = layered(len(elements), edges, ranks=_ranks(net))
    gap = _lane_gap(theme)
    columns = _columns(lay.ranks, elements, labels, theme, down)
    _align(columns, net, lay.chains, gap)
    # A long edge runs through the lanes kept for it when they line up (one straight
    # run); any other would zig-zag, and goes round on a track under everything.
    slot_of = {slot.item: slot for slots in columns for slot in slots}
    around = {
        edge
        for edge, dummies in lay.chains.items()
        if max(slot_of[d].y for d in dummies) - min(slot_of[d].y for d in dummies) > 0.5
    }
    if around:
        kept = {d for edge, dummies in lay.chains.items() if edge not in around for d in dummies}
        ranks = tuple(tuple(i for i in r if i < len(elements) or i in kept) for r in lay.ranks)
        chains = {edge: d for edge, d in lay.chains.items() if edge not in around}
        columns = _columns(ranks, elements, labels, theme, down)
        _align(columns, net, chains, gap)
        slot_of = {slot.item: slot for slots in columns for slot in slots}
    tracks = _tracks(sorted(around), lay.rank, columns, gap)
    in_line = one_to_one(net)

    # Which edges are routed (and through which lanes) depends on y alone; the gaps
    # along the flow are then made wide enough for the tracks their turns need.
    linked: list[tuple[int, int]] = []
    connectors: list[Route] = []
    for u, v in edges:
        a, b = elements[u], elements[v]
        ru, rv = lay.rank[u], lay.rank[v]
        ya, yb = slot_of[u].y, slot_of[v].y  # where connectors meet them (placed below)
        if (u, v) in tracks:
            y = tracks[(u, v)]
            connectors.append(Route(u, v, [ya, y, y, yb], (ru, rv - 1)))
            continue
        chain = lay.chains.get((u, v), ())
        aligned = not chain and abs(ya - yb) < 0.5 and rv == ru + 1
        joins = b.is_vector or (
            not a.is_vector and kernel_window(b.layer, a.shape, b.shape) is not None
        )
        if aligned and (u, v) in in_line and joins and not (stand_in and u == 0):
            linked.append((u, v))
            continue
        ys = [ya]
        for d in chain:
            ys += [slot_of[d].y, slot_of[d].y]
        ys.append(yb)
        connectors.append(Route(u, v, ys, tuple(range(ru, ru + len(chain) + 1))))
    tracks_of, counts = lanes(connectors)
    xs = _place(columns, elements, theme, counts, down)

    items: list[Item] = []
    links: list[Item] = []
    for u, v in linked:
        a, b = elements[u], elements[v]
        if down:
            links.extend(
                down_links(a, b, theme) if b.is_vector else _filter_items(a, b, theme, True)
            )
        else:
            links.extend(_link_items(a, b, theme) if b.is_vector else _filter_items(a, b, theme))
    for e in elements[1:] if stand_in else elements:
        items.append(_node_group(e, net, theme, tm, labels, radius, down))
    if links:
        items.append(Group(id="filters", role="filters", children=tuple(links)))
    ids = [n.id for n in net.nodes]
    items.extend(
        route_groups(connectors, tracks_of, counts, elements, ids, xs, theme, down, stand_in)
    )
    if net.frames:
        from nnsvg.engines.lenet_groups import group_items

        items.extend(group_items(net, elements, theme, tm, items, down=down))
    return items, elements


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


def _lane_gap(theme: Theme) -> float:
    """The room between two lanes of a column, captions included."""
    return max(theme.label.min_separation * 2, 14.0)


def _columns(
    ranks: tuple[tuple[int, ...], ...],
    elements: list[_Element],
    labels: _Labels,
    theme: Theme,
    down: bool = False,
) -> list[list[_Slot]]:
    """Each rank's slots, measured, and stacked across the flow: the elements' centres
    are spread around 0, each slot as deep as its body and captions (``down``: the
    captions beside it, sizes on the left and the operation on the right)."""
    gap = _lane_gap(theme)
    dummy = max(theme.skip.width * 4, 8.0)
    columns = []
    for rank in ranks:
        slots = []
        for item in rank:
            if item >= len(elements):
                slots.append(_Slot(item, body=dummy, width=0.0))
                continue
            e = elements[item]
            if down:
                gap = theme.layer.label_gap
                above = labels.top_width(e) + gap if labels.top_lines(e) else 0.0
                below = labels.op_width(e) + gap if labels.op_lines(e) else 0.0
                width = max(e.height, labels.top_height(e), _op_height(e, labels, theme))
                slots.append(_Slot(item, above, e.width, below, width, lift(e)))
                continue
            above = labels.top_height(e) + theme.layer.label_gap
            below = _op_height(e, labels, theme)
            width = max(e.width, labels.top_width(e), labels.op_width(e))
            slots.append(_Slot(item, above, e.height, below, width, lift(e)))
        y = 0.0
        for slot in slots:
            slot.y = y + slot.above + slot.body / 2 + slot.lift
            y += slot.above + slot.body + slot.below + gap
        centres = [s.y for s in slots if s.item < len(elements)] or [s.y for s in slots]
        shift = (min(centres) + max(centres)) / 2
        for slot in slots:
            slot.y -= shift
        columns.append(slots)
    return columns


def _align(
    columns: list[list[_Slot]],
    net: Network,
    chains: dict[tuple[int, int], tuple[int, ...]],
    gap: float,
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
    readers: dict[int, list[int]] = {}
    for item, sources in feeds.items():
        for source in sources:
            readers.setdefault(source, []).append(item)

    def shift(slots: list[_Slot], toward: dict[int, list[int]]) -> None:
        # Each node toward the mean of what it is drawn toward, order and room kept;
        # dummies and nodes that want nothing follow.
        means: list[float | None] = []
        for slot in slots:
            placed = [y_of[s] for s in toward.get(slot.item, []) if s in y_of]
            is_node = slot.item < len(net.nodes)
            means.append(sum(placed) / len(placed) if placed and is_node else None)
        for slot, y in zip(slots, level([slot.y for slot in slots], means), strict=True):
            slot.y = y_of[slot.item] = y

    for slots in columns:
        shift(slots, feeds)
    # Right to left, a column of sources only (the inputs) centres on the layers it
    # feeds in the next column.
    for k in range(len(columns) - 2, -1, -1):
        slots = columns[k]
        if all(not feeds.get(slot.item) for slot in slots):
            nxt = {slot.item for slot in columns[k + 1] if slot.item < len(net.nodes)}
            near = {item: [r for r in found if r in nxt] for item, found in readers.items()}
            shift(slots, near)
    # A dummy moves level with the item before it on its edge, where its lane has room.
    for slots in columns:
        for k, slot in enumerate(slots):
            if slot.item < len(net.nodes):
                continue
            low = slots[k - 1].bottom + gap + slot.body / 2 if k else -math.inf
            high = slots[k + 1].top - gap - slot.body / 2 if k + 1 < len(slots) else math.inf
            before = y_of[feeds[slot.item][0]]
            if low <= high:
                slot.y = min(max(before, low), high)
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
    columns: list[list[_Slot]],
    elements: list[_Element],
    theme: Theme,
    tracks: dict[int, int],
    down: bool = False,
) -> list[tuple[float, float]]:
    """Put every element in its column (``down``: its row); each column's (start, end)
    along the flow. A gap is as wide as the theme's spacing, or as the ``tracks`` its
    turns need."""
    arrow = theme.arrow
    x = 0.0
    spans = []
    for k, slots in enumerate(columns):
        width = max((s.width for s in slots), default=0.0)
        if k:
            turns = tracks.get(k - 1, 0)
            need = 2 * arrow.length + 8 + max(turns - 1, 0) * TRACK if turns else 0.0
            x += max(theme.maps.spacing, need)
        for slot in slots:
            if slot.item < len(elements):
                e = elements[slot.item]
                if down:
                    e.y = x + (width - e.height) / 2
                    e.x = slot.y - slot.lift - e.width / 2
                else:
                    e.x = x + (width - e.width) / 2
                    e.y = slot.y - slot.lift - e.height / 2
        spans.append((x, x + width))
        x += width
    return spans


def _node_group(
    e: _Element,
    net: Network,
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    radius: float,
    down: bool = False,
) -> Group:
    """A tensor (or merge mark) with its captions: label and size above, operation
    below (``down``: on its left and on its right)."""
    node = net.nodes[e.index]
    if e.kind in MERGE_TYPES:
        cx, cy = e.x + radius, e.y + radius
        mark = merge_mark(cx, cy, e.kind, theme, tm, radius=radius)
        shapes = [Group(id=f"{node.id}-mark", role=f"mark {e.kind}", children=tuple(mark))]
    elif e.is_vector:
        shapes = _vector_items(e, theme, node.id)
    else:
        shapes = _stack_items(e, theme, node.id)
    gap = theme.layer.label_gap
    if down:
        centre = e.y + e.height / 2
        top, ops = labels.top_lines(e), labels.op_lines(e)
        captions: list[Item] = []
        if top:
            captions += side_lines(
                top,
                e.x - gap,
                centre,
                "end",
                theme,
                tm,
                cls="label-size",
                first_primary=bool(e.label),
            )
        if ops:
            captions += side_lines(
                ops, e.x + e.width + gap, centre, "start", theme, tm, cls="label-op", italic=True
            )
    else:
        captions = _label_items(
            e, theme, tm, labels, e.y - gap, e.x + e.width / 2, e.y + e.height + gap
        )
    return Group(
        id=node.id,
        role=f"layer {e.kind}",
        children=(*shapes, *captions),
        title=e.label or KIND_NAMES[e.kind],
    )
