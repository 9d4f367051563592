"""The blocks style (issue #16): every node a labelled rounded block, joined by arrows.

:func:`layout_blocks` draws a :class:`~nnsvg.network.Network` in these steps, each in
its own module where it is more than a few lines:

- the drawn items: nodes, collapsed groups as one block, and a merge circle after
  each ``skip_from`` (:mod:`~nnsvg.engines.block_extras`, with what blocks draws of the
  other styles' keys); each block's lines (:mod:`~nnsvg.engines.block_labels`);
- ranks and orders from :func:`~nnsvg.layering.layered`, groups kept together
  (:mod:`~nnsvg.engines.block_groups`), lanes first (:mod:`~nnsvg.engines.block_lanes`);
  each rank packed across the flow, every block as near as it can come to the blocks
  it reads (:func:`~nnsvg.engines.common.level`), in the canonical frame
  (:mod:`~nnsvg.engines.block_page`);
- orthogonal routes (:mod:`~nnsvg.engines.block_routes`), then runs side by side
  for ``wrap`` (:mod:`~nnsvg.engines.block_wrap`);
- drawing: frames (:mod:`~nnsvg.engines.block_frames`), edges with their arrowheads,
  labels, junction dots and recurrent loops (:mod:`~nnsvg.engines.block_edges`), the
  blocks coloured by category (:mod:`~nnsvg.engines.block_colors`) and the legend.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

from nnsvg.engines.block_colors import category_of, fill_of, legend
from nnsvg.engines.block_edges import (
    CORNER,
    EdgeLook,
    edge_items,
    loop_items,
    loop_room,
)
from nnsvg.engines.block_extras import bias_note, extra_lines, image_item, image_size, skip_merges
from nnsvg.engines.block_frames import frames, inside_collapsed, later_sibling
from nnsvg.engines.block_groups import Box4, cluster_ranks, frame_room, pulled_ranks, separate
from nnsvg.engines.block_labels import DEFAULT_LABELS, FUNCTIONS, block_detail, block_label
from nnsvg.engines.block_lanes import check_lanes, lane_lines, lanes_of, ordered_by_lane
from nnsvg.engines.block_page import Block, PageFrame, page_box
from nnsvg.engines.block_routes import clear_turns, plan_routes
from nnsvg.engines.block_wrap import wrap_runs
from nnsvg.engines.common import TextMaker, finish_scene, level, merge_mark
from nnsvg.engines.limits import LayoutLimits
from nnsvg.errors import LimitError
from nnsvg.layering import layered
from nnsvg.network import Frame, Network, Node
from nnsvg.scene import BBox, Group, Item, Paint, Rect, Scene, bounds
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.spec.model import EdgeMark
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["DEFAULT_LABELS", "FUNCTIONS", "block_label", "layout_blocks"]


def layout_blocks(
    net: Network,
    theme: Theme,
    metrics: TextMetrics,
    *,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """The blocks figure of ``net`` (module docs)."""
    tm = TextMaker(metrics, theme.font.family)
    size = theme.label.title_size
    small = theme.label.size_size
    page = PageFrame(net.direction)
    check_lanes(net)
    visible, rep = _visible(net)
    visible, edges = skip_merges(net, visible, rep, _edges(net, rep))
    look = EdgeLook(net, theme)
    blocks = [_block(k, item, net, tm, page, size, small, look) for k, item in enumerate(visible)]
    _check_limits(net, len(visible), len(edges), limits or LayoutLimits())
    pairs = sorted({(u, v) for u, v, _ in edges})
    lay = layered(len(visible), pairs, ranks=pulled_ranks(len(visible), pairs))
    step = max(theme.font.size * 0.8, 6.0)  # between two tracks, or two edges alike
    twins = Counter((u, v) for u, v, _ in edges)
    wide = {d: twins[pair] for pair, chain in lay.chains.items() for d in chain}
    for d in range(len(lay.rank), sum(len(r) for r in lay.ranks)):
        blocks.append(Block(d, w=8.0 + (wide[d] - 1) * step, h=0.0, dummy=True))
    paths, parents, pads = _clusters(net, visible, lay.chains, len(blocks), page, tm, theme)
    ranks = cluster_ranks(lay.ranks, paths) if parents else [list(r) for r in lay.ranks]
    lanes = lanes_of(visible, lay.chains, len(blocks))
    ranks = ordered_by_lane(ranks, lanes)
    room = _place(blocks, ranks, lay.chains, edges, theme, lanes)
    pairs = [(u, v) for u, v, _ in edges]
    turn = theme.arrow.length + CORNER + 2
    clear_turns(pairs, lay.chains, blocks, ranks, turn)
    if parents:
        separate(blocks, ranks, paths, parents, pads, gap=theme.font.size)
    routes = plan_routes(
        pairs,
        lay.chains,
        blocks,
        ranks,
        step=step,
        label_room=room,
        frame_room=frame_room(ranks, paths, pads) if parents else [(0.0, 0.0)] * len(ranks),
        turn=turn,
        lanes=lanes,
        # across the flow, a frame's label is on its side facing -x: no edge enters there
        closed=frozenset((k, -1) for k in range(len(blocks)) if paths[k] and not page.vertical),
    )
    if net.wrap:
        routes = wrap_runs(
            net, blocks, ranks, edges, routes, paths, pads, gutter=theme.font.size * 3, step=step
        )
    items: list[Item] = []
    segments = [
        (page.point(*a), page.point(*b)) for route in routes for a, b in itertools.pairwise(route)
    ]
    items += frames(net, visible, blocks, lay.chains, page, tm, theme, segments)
    ids = [item.id for item in visible]
    items += edge_items(edges, routes, page.point, tm, theme, look, ids)
    for k, item in enumerate(visible):
        items.append(_block_items(blocks[k], item, net, page, tm, theme, size, small))
        if isinstance(item, Node) and item.layer is not None and item.layer.recurrent:
            b = blocks[k]
            canonical = BBox(b.x - b.w / 2, b.y - b.h / 2, b.x + b.w / 2, b.y + b.h / 2)
            items.append(loop_items(page.point, canonical, look, f"edge-{item.id}-{item.id}"))
    if net.legend is True and theme.blocks.color_by == "category":
        content = bounds(items) or BBox(0, 0, 1, 1)
        used = [c for c in map(_category, net.nodes) if c is not None]
        items.append(legend(used, theme, tm, content.y1 + theme.legend.gap, content.x0))
    return finish_scene(items, net, theme, tm, engine="blocks", physical_width=physical_width)


def _check_limits(net: Network, blocks: int, edges: int, limits: LayoutLimits) -> None:
    """A figure past the limits (``--max-nodes``, ``--max-edges``) is an error."""
    for count, limit, what, option in (
        (blocks, limits.max_nodes, "blocks", "--max-nodes"),
        (edges, limits.max_edges, "edges", "--max-edges"),
    ):
        if count > limit:
            raise LimitError(
                f"the figure would draw {count:,} {what}; the limit is {limit:,} "
                f"(raise it with {option})",
                location=net.where("layers"),
                field="layers",
            )


# --- what is drawn ------------------------------------------------------------------
def _visible(net: Network) -> tuple[list[Node | Frame], list[int]]:
    """The drawn items (nodes, and collapsed frames in place of their nodes) and, per
    node, the index of the item that draws it."""
    collapsed: dict[int, Frame] = {}
    for frame in net.frames:  # parents come first: the outermost collapsed one wins
        if frame.collapse:
            for n in frame.nodes:
                collapsed.setdefault(n, frame)
    visible: list[Node | Frame] = []
    rep: list[int] = []
    seen: dict[int, int] = {}
    for node in net.nodes:
        frame = collapsed.get(node.index)
        if frame is None:
            rep.append(len(visible))
            visible.append(node)
        elif frame.index in seen:
            rep.append(seen[frame.index])
        else:
            seen[frame.index] = len(visible)
            rep.append(len(visible))
            visible.append(frame)
    return visible, rep


def _edges(net: Network, rep: list[int]) -> list[tuple[int, int, EdgeMark | None]]:
    """Every drawn edge (source item, target item, its mark), one per input read."""
    out = []
    joined: set[tuple[int, int]] = set()
    for node in net.nodes:
        marks = node.edge_marks or (None,) * len(node.inputs)
        for source, mark in zip(node.inputs, marks):
            u, v = rep[source], rep[node.index]
            if u == v:
                continue
            if rep.count(v) > 1 or rep.count(u) > 1:  # into or out of a collapsed group:
                if (u, v) in joined:  # one plain arrow per pair of blocks
                    continue
                joined.add((u, v))
                mark = None
            out.append((u, v, mark))
    return out


def _block(
    key: int,
    item: Node | Frame,
    net: Network,
    tm: TextMaker,
    page: PageFrame,
    size: float,
    small: float,
    look: EdgeLook,
) -> Block:
    pad = size * 0.7
    if isinstance(item, Node) and item.kind in MERGE_TYPES and not item.label:
        # a merge is its sign in a circle; one the spec names is a block with its name
        r = max(size * 0.7, 6.0)
        room = _note_room(item.note, tm, page, small)
        along = _note_along(item.note, tm, page, small)
        return Block(
            key, w=2 * r, h=2 * r, merge=item.kind, note=item.note, note_w=room, note_len=along
        )
    if isinstance(item, Frame):
        lines: tuple[str, ...] = (item.label,)
        if item.repeat > 1:
            lines += (f"{item.repeat}×",)
    else:
        detail = block_detail(item) if net.labels.sizes != "none" else ""
        act = item.layer.activation if item.layer is not None else None
        if act and net.labels.activations:  # "6, tanh": the activation after the size
            shown = FUNCTIONS.get(act.lower(), act)
            detail = f"{detail}, {shown}" if detail else shown
        if bias_note(item):
            detail = f"{detail} {bias_note(item)}" if detail else bias_note(item)
        op = item.layer.op_label if item.layer is not None else None  # "Convolution 5×5"
        lines = (block_label(item), *(t for t in (op, detail) if t), *extra_lines(item))
    widths = [tm.width(lines[0], size)] + [tm.width(t, small) for t in lines[1:]]
    side = image_size(item, size)
    w = max(max(widths) + 2 * pad, size * 6, side + 2 * pad)
    h = size * 1.2 + sum(small * 1.25 for _ in lines[1:]) + 2 * pad * 0.6
    h += side + pad * 0.5 if side else 0.0
    across, along = page.size(w, h)
    room = _note_room(item.note, tm, page, small)
    if isinstance(item, Node) and item.layer is not None and item.layer.recurrent:
        room = max(room, loop_room(look) + small)
    return Block(
        key,
        lines,
        across,
        along,
        note=item.note,
        note_w=room,
        note_len=_note_along(item.note, tm, page, small),
    )


def _note_room(note: str | None, tm: TextMaker, page: PageFrame, small: float) -> float:
    """The room a note takes across the flow: its width beside a block of a vertical
    flow, a line under a block of a horizontal one."""
    if not note:
        return 0.0
    return tm.width(note, small) + small if page.vertical else small * 1.6


def _note_along(note: str | None, tm: TextMaker, page: PageFrame, small: float) -> float:
    """The length along a horizontal flow of a note under its block (centred on it):
    its rank is as deep, so no edge's jog between ranks runs through it."""
    if not note or page.vertical:
        return 0.0
    return tm.width(note, small) + small


def _clusters(
    net: Network,
    visible: list[Node | Frame],
    chains: dict[tuple[int, int], tuple[int, ...]],
    count: int,
    page: PageFrame,
    tm: TextMaker,
    theme: Theme,
) -> tuple[list[tuple[int, ...]], dict[int, int | None], dict[int, Box4]]:
    """Per drawn item (dummies too), the drawn frames it is inside (outermost first);
    each drawn frame's parent; each frame's room around its items in the canonical
    frame (x0, y0, x1, y1 sides): its margin, label, N× and note (as :func:`_frames`
    draws them)."""
    drawn = {f.index for f in net.frames if not f.collapse and not inside_collapsed(net, f)}
    paths: list[tuple[int, ...]] = []
    for item in visible:
        if isinstance(item, Node):
            paths.append(tuple(g for g in item.groups if g in drawn))
        else:
            up, chain = item.parent, []
            while up is not None:
                chain.append(up)
                up = net.frames[up].parent
            paths.append(tuple(g for g in reversed(chain) if g in drawn))
    paths += [()] * (count - len(paths))
    for (u, v), chain in chains.items():
        a, b = paths[u], paths[v]
        common = a[: next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))]
        for d in chain:
            paths[d] = common
    parents = {f: net.frames[f].parent for f in drawn}
    size = theme.label.size_size
    margin = theme.font.size * 0.9
    pads: dict[int, Box4] = {}
    for f in drawn:
        frame = net.frames[f]
        left, top, right, bottom = margin, margin + size * 1.6, margin, margin
        if frame.repeat > 1 and page.vertical:
            room = tm.width(f"{frame.repeat}×", size * 1.2) + size * 0.5
            if later_sibling(net, frame):
                right = max(right, margin + room)
            else:
                left += room
        elif frame.repeat > 1:
            bottom += size * 1.8
        if frame.note:
            right += tm.width(frame.note, size) + size * 0.5
        pads[f] = {
            "down": (left, top, right, bottom),
            "up": (left, bottom, right, top),
            "right": (top, left, bottom, right),
            "left": (top, right, bottom, left),
        }[page.direction]
    return paths, parents, pads


# --- placement ----------------------------------------------------------------------
def _place(
    blocks: list[Block],
    ranks: Sequence[Sequence[int]],
    chains: dict[tuple[int, int], tuple[int, ...]],
    edges: list[tuple[int, int, EdgeMark | None]],
    theme: Theme,
    lanes: Sequence[int | None],
) -> list[float]:
    """Centres in the canonical frame: ranks along +y, each packed across in its order
    and levelled towards the blocks it reads; blocks with a lane on its line, the
    others beyond every lane (:mod:`nnsvg.engines.block_lanes`). Returns, per rank,
    the room kept before it for the labels of the edges into it."""
    gap_across = max(theme.node.spacing, theme.font.size * 1.5)
    laned = any(lane is not None for lane in lanes)
    lines, start = lane_lines(blocks, lanes, gap_across) if laned else ({}, 0.0)
    gap_along = max(theme.layer.label_gap * 2, theme.font.size * 3)
    before: dict[int, list[int]] = {}
    for u, v, _ in edges:
        chain = chains.get((u, v), ())
        path = [u, *chain, v]
        for a, b in itertools.pairwise(path):
            before.setdefault(b, []).append(a)
    labelled: dict[int, int] = {}  # block -> labelled edges into it
    for _, v, mark in edges:
        if mark is not None and mark.label:
            labelled[v] = labelled.get(v, 0) + 1
    y = 0.0
    room: list[float] = []
    for rank in ranks:
        most = max((labelled.get(k, 0) for k in rank), default=0)
        room.append(theme.label.size_size * 2.2 if most else 0.0)
        y += room[-1]  # room for the labels of the edges into it
        depth = max((max(blocks[k].h, blocks[k].note_len) for k in rank), default=0.0)
        for k in rank:
            if lanes[k] is not None:
                blocks[k].x = lines[lanes[k]]
                blocks[k].y = y + depth / 2
                blocks[k].band = (y, y + depth)
        rank = [k for k in rank if lanes[k] is None]
        packed = []
        x = 0.0
        for k in rank:
            b = blocks[k]
            extent = b.w + b.note_w * 2  # room for the note on one side, kept centred
            x += extent / 2
            packed.append(x)
            x += extent / 2 + gap_across
        wanted: list[float | None] = []
        for k in rank:
            sources = before.get(k)
            wanted.append(sum(blocks[s].x for s in sources) / len(sources) if sources else None)
        if all(w is None for w in wanted):
            shift = -(packed[-1] + packed[0]) / 2 if packed else 0.0
            xs = [p + shift for p in packed]
        else:
            xs = level(packed, wanted)
        if laned and rank:  # beyond the lanes
            b = blocks[rank[0]]
            xs = [x + max(0.0, start - (xs[0] - b.w / 2 - b.note_w)) for x in xs]
        for k, cx in zip(rank, xs):
            blocks[k].x = cx
            blocks[k].y = y + depth / 2
            blocks[k].band = (y, y + depth)
        y += depth + gap_along
    return room


# --- drawing ------------------------------------------------------------------------
def _block_items(
    b: Block,
    item: Node | Frame,
    net: Network,
    page: PageFrame,
    tm: TextMaker,
    theme: Theme,
    size: float,
    small: float,
) -> Group:
    box = page_box(b, page)
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    ident = item.id
    children: list[Item] = []
    if b.merge is not None:
        mark = merge_mark(cx, cy, b.merge, theme, tm, radius=box.width / 2)
        children.append(Group(id=None, role="mark", children=tuple(mark)))
        role = f"layer {b.merge}"
    else:
        fill = fill_of(_category(item), theme)
        stroke = theme.node.stroke if theme.node.stroke != "none" else theme.font.color
        if isinstance(item, Node):
            fill = item.color or fill
            stroke = item.stroke or stroke
        paint = Paint(fill=fill, stroke=stroke, stroke_width=max(theme.node.stroke_width, 0.8))
        inside: list[Item] = [
            Rect(box.x0, box.y0, box.width, box.height, rx=size * 0.45, paint=paint)
        ]
        total = size + small * 1.25 * (len(b.lines) - 1)
        side = image_size(item, size)
        if side:  # the picture above the text, the two centred together
            gap = size * 0.35
            top = cy - (total + side + gap) / 2
            inside.append(image_item(item, cx, top, side))  # type: ignore[arg-type]
            cy = top + side + gap + total / 2
        y = cy - total / 2 + size * 0.5
        inside.append(tm.text(cx, y, b.lines[0], size, baseline="central", cls="label"))
        y += size * 0.5 + small * 0.75 - small * 1.25
        for line in b.lines[1:]:
            y += small * 1.25
            inside.append(
                tm.text(
                    cx,
                    y,
                    line,
                    small,
                    baseline="central",
                    color=theme.label.secondary_color,
                    cls="size",
                )
            )
        children.append(Group(id=None, role="block", children=tuple(inside)))
        role = "layer collapsed" if isinstance(item, Frame) else f"layer {item.kind}"
    if b.note:  # beside the block, across the flow: right of it, or under it
        x, y, anchor = (
            (box.x1 + small * 0.6, cy, "start") if page.vertical else (cx, box.y1 + small, "middle")
        )
        children.append(
            tm.text(
                x,
                y,
                b.note,
                small,
                anchor=anchor,
                baseline="central",
                style="italic",
                color=theme.label.secondary_color,
                cls="note",
            )
        )
    return Group(id=ident, role=role, children=tuple(children))


def _category(item: Node | Frame) -> str | None:
    """A block's colour category: the spec's, else its type's; None for a collapsed
    group (drawn in the node fill)."""
    if not isinstance(item, Node):
        return None
    if item.layer is not None and item.layer.category is not None:
        return item.layer.category
    return category_of(item.kind)
