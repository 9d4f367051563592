"""The LeNet style's ``layout: u``: an encoder-decoder drawn as a U (Ronneberger et al.
2015, Fig. 1).

:func:`~nnsvg.engines.u_shape.u_plan` says where each layer goes (a row per
resolution level, a column per layer along the spine, the bands between rows for
the first layer after a change of level). Here each tensor is a stack of maps,
centred (its front map) on its column and its row; merges are marks (‖, ⊕). Every
step is an arrow: along the row within a level, straight down or up between levels,
and straight across the U for a copy connection (a crop on it is said by the
legend: "Copy and crop"). An arrow's colour names its operation, and a legend under
the figure lists them, as the paper's figure does: a label under every gap would
make a 23-convolution U-Net far too wide to print.

A tensor's caption (its label, then its channels over its map size, as the paper
writes them) goes above it, or below it where an arrow
leaves or enters its top, or beside it (outside the U) where arrows meet it above
and below; neighbours' captions alternate above and below, so that they may share
the width. Columns are as far apart as the bodies, captions and arrows of every row
and band need (a longest-path solve over the columns), rows and bands as far apart
as their captions and the layers in the bands need.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from nnsvg.engines.common import (
    LayoutLimits,
    TextMaker,
    arrowhead,
    finish_scene,
    kind_legend,
    merge_mark,
)
from nnsvg.engines.lenet import (
    KIND_NAMES,
    _Element,
    _elements,
    _Labels,
    _legend,
    _stack_items,
    size_text,
)
from nnsvg.engines.lenet_rows import side_lines
from nnsvg.engines.u_arrows import Op, arrow_paint, op_legend, operations
from nnsvg.engines.u_shape import Place, UPlan, u_plan
from nnsvg.network import Network
from nnsvg.scene import Group, Item, Paint, Path, Polygons, Scene
from nnsvg.spec.graph import MERGE_TYPES
from nnsvg.textmetrics import TextMetrics
from nnsvg.theme import Theme

__all__ = ["layout_u"]

_MARK_SCALE = 1.5  # a merge mark's radius, against the skip mark's
_PAD = 4.0  # around an arrow, against a caption


class _ULabels(_Labels):
    """Captions as the paper writes them: the channels on a line of their own, the map
    size under them (``64`` over ``568×568``), so that a column is half as wide."""

    def top_lines(self, e: _Element) -> list[tuple[str, float, str]]:
        lines = super().top_lines(e)
        if lines and len(e.shape) == 3 and lines[-1][0] == size_text(e.shape):
            _, size, weight = lines.pop()
            lines += [(str(e.shape[2]), size, weight), (f"{e.shape[0]}×{e.shape[1]}", size, weight)]
        return lines


@dataclass(slots=True)
class _Spot:
    """A drawn node: its element, where its front map's centre sits relative to its
    top-left corner, its caption and which side it goes on."""

    e: _Element
    ax: float
    ay: float
    side: str  # top, bottom, left, right, or "" (no caption)
    cw: float
    ch: float
    top_arrow: bool = False
    bottom_arrow: bool = False
    caption_y: float = 0.0  # the top of a caption above or below (a row's align)


def layout_u(
    net: Network,
    theme: Theme,
    metrics: TextMetrics,
    *,
    limits: LayoutLimits | None = None,
    physical_width: tuple[float, str] | None = None,
) -> Scene:
    """Lay out ``net`` as a U (module docs)."""
    plan = u_plan(net)
    tm = TextMaker(metrics, theme.font.family)
    labels = _ULabels(theme, tm, net.labels)
    elements = _elements(net, theme)
    radius = theme.skip.mark_radius * _MARK_SCALE
    for e in elements:
        if e.kind in MERGE_TYPES:
            e.width = e.height = 2 * radius
            e.op_label = None
            if e.kind != "concat" and net.nodes[e.index].size_label is None:
                e.size_label = ""
    spots = _spots(plan, elements, labels)
    xs = _columns(plan, spots, theme)
    rows_y, bands = _rows(plan, spots, theme)
    _put(plan, spots, xs, rows_y, bands, theme)
    ops = operations(net, plan, elements, labels)
    items: list[Item] = []
    for i in plan.spine:
        items.append(_node_group(spots[i], net, theme, tm, labels, radius))
    items.extend(_arrows(net, plan, spots, ops, theme))
    if kind_legend(net, theme.maps.color_by):
        drawn = [e for e in elements if e.kind not in MERGE_TYPES and e.index in plan.places]
        kinds = _legend(drawn, theme, tm, items)
        arrows = op_legend(ops, theme, tm, [*items, kinds])
        items.append(Group(id="legend", role="legend", children=kinds.children + arrows.children))
    elif net.legend is not False:  # legend: false leaves the arrows' key to the caption
        items.append(op_legend(ops, theme, tm, items))
    return finish_scene(items, net, theme, tm, engine="lenet", physical_width=physical_width)


# --- measuring -------------------------------------------------------------------------
def _anchor(e: _Element) -> tuple[float, float]:
    """The front map's centre (a mark's centre) relative to the element's corner."""
    if e.kind in MERGE_TYPES:
        return e.width / 2, e.height / 2
    k = (e.maps - 1) * e.offset
    return k + e.map_w / 2, k + e.map_h / 2


def _spots(plan: UPlan, elements: list[_Element], labels: _Labels) -> dict[int, _Spot]:
    """Each spine node measured, with the side of its caption."""
    spots: dict[int, _Spot] = {}
    for i in plan.spine:
        e = elements[i]
        ax, ay = _anchor(e)
        lines = labels.top_lines(e)
        cw = labels.top_width(e) if lines else 0.0
        ch = labels.top_height(e) if lines else 0.0
        spots[i] = _Spot(e, ax, ay, "", cw, ch)
    for a, b in zip(plan.spine, plan.spine[1:]):
        pa, pb = plan.places[a], plan.places[b]
        if (pa.level, pa.band) == (pb.level, pb.band) and not pa.band:
            continue  # along a row
        if pa.band and pb.band:
            continue  # within a band: the sides of band nodes are fixed
        down = _depth(pb) > _depth(pa)
        if not pa.band:
            if down:
                spots[a].bottom_arrow = True
            else:
                spots[a].top_arrow = True
        if not pb.band:
            if down:
                spots[b].top_arrow = True
            else:
                spots[b].bottom_arrow = True
    # Forced sides first, then the free ones alternate along their row.
    for i in plan.spine:
        s, p = spots[i], plan.places[i]
        if not s.cw:
            continue
        if p.band or (s.top_arrow and s.bottom_arrow):
            s.side = "right" if i in plan.ascending else "left"
        elif s.top_arrow:
            s.side = "bottom"
        elif s.bottom_arrow:
            s.side = "top"
    for row in _row_members(plan).values():
        for k, i in enumerate(row):
            s = spots[i]
            if not s.cw or s.side:
                continue
            prev = spots[row[k - 1]].side if k else ""
            nxt = spots[row[k + 1]].side if k + 1 < len(row) else ""
            if prev in ("top", "bottom"):
                s.side = "bottom" if prev == "top" else "top"
            elif nxt in ("top", "bottom"):
                s.side = "bottom" if nxt == "top" else "top"
            else:
                s.side = "top"
    return spots


def _depth(place: Place) -> float:
    """Rows and bands in order down the figure: row r at r, the band under it at r + 0.5."""
    return place.level + (0.5 if place.band else 0.0)


def _row_members(plan: UPlan) -> dict[int, list[int]]:
    """The row nodes of each level, by column."""
    rows: dict[int, list[int]] = {}
    for i in plan.spine:
        p = plan.places[i]
        if not p.band:
            rows.setdefault(p.level, []).append(i)
    for row in rows.values():
        row.sort(key=lambda i: plan.places[i].col)
    return rows


def _band_members(plan: UPlan) -> dict[int, list[int]]:
    bands: dict[int, list[int]] = {}
    for i in plan.spine:
        p = plan.places[i]
        if p.band:
            bands.setdefault(p.level, []).append(i)
    return bands


def _verticals(plan: UPlan) -> list[tuple[int, float, float]]:
    """Each vertical arrow: its column and the depths (_depth) it runs between."""
    out = []
    for a, b in zip(plan.spine, plan.spine[1:]):
        pa, pb = plan.places[a], plan.places[b]
        if pa.col == pb.col and _depth(pa) != _depth(pb):
            out.append((pa.col, min(_depth(pa), _depth(pb)), max(_depth(pa), _depth(pb))))
    return out


def _columns(plan: UPlan, spots: dict[int, _Spot], theme: Theme) -> list[float]:
    """The x of each column: as close as every row's and band's bodies, captions and
    arrows allow (each a line of items that must not meet)."""
    sep = theme.label.min_separation
    gap = theme.layer.label_gap
    arrow_room = 2.5 * theme.arrow.length + 2 * theme.arrow.gap
    lines: dict[tuple[str, float], list[tuple[int, float, float]]] = {}

    def add(line: tuple[str, float], col: int, left: float, right: float) -> None:
        lines.setdefault(line, []).append((col, left, right))

    def reach(s: _Spot) -> tuple[float, float]:
        """How far a stack and a caption beside it reach left and right of its anchor."""
        left, right = s.ax, s.e.width - s.ax
        if s.side == "left":
            left += s.cw + gap
        if s.side == "right":
            right += s.cw + gap
        return left, right

    for level, row in _row_members(plan).items():
        for i in row:
            s, col = spots[i], plan.places[i].col
            left, right = reach(s)
            add(("body", level), col, left, right + s.e.spacing_after)  # a layer's spacing
            off = s.e.width / 2 - s.ax  # the caption's centre, from the anchor
            for side in ("top", "bottom"):
                if s.side == side:
                    add((side, level), col, s.cw / 2 - off, s.cw / 2 + off)
            if s.top_arrow:
                add(("top", level), col, _PAD, _PAD)
            if s.bottom_arrow:
                add(("bottom", level), col, _PAD, _PAD)
    for level, band in _band_members(plan).items():
        for i in band:
            s, col = spots[i], plan.places[i].col
            left, right = reach(s)
            add(("band", level), col, left, right)
    occupied = {(plan.places[i].col, _depth(plan.places[i])) for i in plan.spine}
    for col, d0, d1 in _verticals(plan):
        k = d0
        while k < d1 - 0.25:
            k += 0.5
            if k < d1 and (col, k) not in occupied:
                if k % 1:
                    add(("band", int(k)), col, _PAD, _PAD)
                else:
                    for side in ("top", "body", "bottom"):
                        add((side, int(k)), col, _PAD, _PAD)
    ncols = 1 + max(p.col for p in plan.places.values())
    need: list[list[tuple[int, float]]] = [[] for _ in range(ncols)]
    for (kind, _), found in lines.items():
        found.sort()
        room = arrow_room if kind == "body" else sep
        for (c0, _, r0), (c1, l1, _) in itertools.pairwise(found):
            if c1 > c0:
                need[c1].append((c0, r0 + l1 + room))
    xs = [0.0] * ncols
    for c in range(1, ncols):
        xs[c] = max([xs[c - 1] + 1.0, *(xs[c0] + d for c0, d in need[c])])
    return xs


def _rows(
    plan: UPlan, spots: dict[int, _Spot], theme: Theme
) -> tuple[list[float], dict[int, tuple[float, float]]]:
    """The y of each row's anchors, and each band's (top, bottom)."""
    gap = theme.layer.label_gap
    v_arrow = 2 * theme.arrow.length + 6
    rows = _row_members(plan)
    up: dict[int, float] = {}
    down: dict[int, float] = {}
    for level in range(plan.depth + 1):
        u = d = 0.0
        for i in rows.get(level, []):
            s = spots[i]
            body_up, body_down = s.ay, s.e.height - s.ay
            u, d = max(u, body_up), max(d, body_down)
            if s.side in ("left", "right"):
                u, d = max(u, s.ch / 2), max(d, s.ch / 2)
        for i in rows.get(level, []):
            s = spots[i]
            if s.side == "top":
                u = max(u, max(spots[j].ay for j in rows[level]) + gap + s.ch)
            if s.side == "bottom":
                d = max(d, max(spots[j].e.height - spots[j].ay for j in rows[level]) + gap + s.ch)
        up[level], down[level] = u, d
    bands = _band_members(plan)
    ys = [0.0]
    band_spans: dict[int, tuple[float, float]] = {}
    for level in range(plan.depth):
        need = v_arrow
        chains: dict[int, list[int]] = {}
        for i in bands.get(level, []):
            chains.setdefault(plan.places[i].col, []).append(i)
        for chain in chains.values():
            height = sum(max(spots[i].e.height, spots[i].ch) for i in chain)
            need = max(need, height + (len(chain) + 1) * v_arrow)
        top = ys[level] + down[level]
        band_spans[level] = (top, top + need)
        ys.append(top + need + up[level + 1])
    return ys, band_spans


def _put(
    plan: UPlan,
    spots: dict[int, _Spot],
    xs: list[float],
    ys: list[float],
    bands: dict[int, tuple[float, float]],
    theme: Theme,
) -> None:
    """Place every element: row nodes on their row, band nodes spread down (or up) their
    band's column."""
    chains: dict[tuple[int, int], list[int]] = {}
    for i in plan.spine:
        p, s = plan.places[i], spots[i]
        s.e.x = xs[p.col] - s.ax
        if p.band:
            chains.setdefault((p.level, p.col), []).append(i)
        else:
            s.e.y = ys[p.level] - s.ay
    gap = theme.layer.label_gap
    for level, row in _row_members(plan).items():
        body_up = max(spots[i].ay for i in row)
        body_down = max(spots[i].e.height - spots[i].ay for i in row)
        for i in row:
            s = spots[i]
            if s.side == "top":
                s.caption_y = ys[level] - body_up - gap - s.ch
            elif s.side == "bottom":
                s.caption_y = ys[level] + body_down + gap
    for (level, _), chain in chains.items():
        top, bottom = bands[level]
        heights = [max(spots[i].e.height, spots[i].ch) for i in chain]
        room = (bottom - top - sum(heights)) / (len(chain) + 1)
        order = chain if chain[0] not in plan.ascending else chain[::-1]
        hs = heights if order is chain else heights[::-1]
        y = top + room
        for i, h in zip(order, hs, strict=True):
            s = spots[i]
            s.e.y = y + (h - s.e.height) / 2
            y += h + room


# --- drawing ---------------------------------------------------------------------------
def _node_group(
    s: _Spot,
    net: Network,
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    radius: float,
) -> Group:
    """A tensor (or merge mark) with its caption on its side."""
    e = s.e
    node = net.nodes[e.index]
    if e.kind in MERGE_TYPES:
        mark = merge_mark(e.x + radius, e.y + radius, e.kind, theme, tm, radius=radius)
        shapes: list[Item] = [
            Group(id=f"{node.id}-mark", role=f"mark {e.kind}", children=tuple(mark))
        ]
    else:
        shapes = _stack_items(e, theme, node.id)
    gap = theme.layer.label_gap
    lines = labels.top_lines(e)
    captions: list[Item] = []
    if lines and s.side in ("left", "right"):
        x = e.x - gap if s.side == "left" else e.x + e.width + gap
        captions = side_lines(
            lines,
            x,
            e.y + s.ay,
            "end" if s.side == "left" else "start",
            theme,
            tm,
            cls="label-size",
            first_primary=bool(e.label),
        )
    elif lines:
        y = s.caption_y
        line_gap = theme.label.line_gap
        for k, (text, size, weight) in enumerate(lines):
            y += tm.ascent(size)
            color = None if k == 0 and e.label else theme.label.secondary_color
            captions.append(
                tm.text(e.center_x, y, text, size, weight=weight, color=color, cls="label-size")
            )
            y += tm.descent(size) + line_gap
    return Group(
        id=node.id,
        role=f"layer {e.kind}",
        children=(*shapes, *captions),
        title=e.label or KIND_NAMES[e.kind],
    )


def _edge_point(s: _Spot, side: str) -> tuple[float, float]:
    """Where an arrow meets a node: its front map's (a mark's) left, right or bottom
    edge level with its centre, or the top of the back-most map over its centre."""
    e = s.e
    cx, cy = e.x + s.ax, e.y + s.ay
    if e.kind in MERGE_TYPES:
        r = e.width / 2
        return {"left": (cx - r, cy), "right": (cx + r, cy), "top": (cx, cy - r)}.get(
            side, (cx, cy + r)
        )
    if side == "right":
        return (cx + e.map_w / 2, cy)
    if side == "bottom":
        return (cx, cy + e.map_h / 2)
    if side == "left":  # the back-most map reaching down to the centre
        k = 0
        while k < e.maps - 1 and e.y + k * e.offset + e.map_h < cy:
            k += 1
        return (e.x + k * e.offset, cy)
    k = 0  # top: the back-most map reaching across to the centre
    while k < e.maps - 1 and e.x + k * e.offset + e.map_w < cx:
        k += 1
    return (cx, e.y + k * e.offset)


def _arrows(
    net: Network,
    plan: UPlan,
    spots: dict[int, _Spot],
    ops: dict[tuple[int, int], Op],
    theme: Theme,
) -> list[Item]:
    """Every step and copy connection as a straight arrow in its operation's colour."""
    arrow, sk = theme.arrow, theme.skip
    ids = [n.id for n in net.nodes]
    out: list[Item] = []

    def one(
        a: int,
        b: int,
        start: tuple[float, float],
        tip: tuple[float, float],
        gid: str,
        role: str,
        title: str | None,
    ) -> None:
        name, colour, dashed = ops[(a, b)]
        colour = colour or sk.color
        dx, dy = tip[0] - start[0], tip[1] - start[1]
        norm = max((dx * dx + dy * dy) ** 0.5, 1e-9)
        ux, uy = dx / norm, dy / norm
        end = (tip[0] - ux * arrow.gap, tip[1] - uy * arrow.gap)
        shaft = (end[0] - ux * arrow.length * 0.8, end[1] - uy * arrow.length * 0.8)
        paint = arrow_paint(colour, sk.width, dashed)
        head = arrowhead(end, (ux, uy), arrow.length, arrow.width)
        out.append(
            Group(
                id=gid,
                role=role,
                children=(
                    Path((("M", *start), ("L", *shaft)), paint, cls="connector"),
                    Polygons((head,), Paint(fill=colour, stroke="none")),
                ),
                title=title or (name or None),
            )
        )

    for a, b in zip(plan.spine, plan.spine[1:]):
        sa, sb = spots[a], spots[b]
        pa, pb = plan.places[a], plan.places[b]
        if pa.col != pb.col:
            start, tip = _edge_point(sa, "right"), _edge_point(sb, "left")
        elif _depth(pb) > _depth(pa):
            start, tip = _edge_point(sa, "bottom"), _edge_point(sb, "top")
        else:
            start, tip = _edge_point(sa, "top"), _edge_point(sb, "bottom")
        one(a, b, start, tip, f"edge-{ids[a]}-{ids[b]}", "connector", None)
    for c in plan.copies:
        start = _edge_point(spots[c.source], "right")
        tip = _edge_point(spots[c.merge], "left")
        gid = ids[c.crop] if c.crop is not None else f"edge-{ids[c.source]}-{ids[c.merge]}"
        title = None
        if c.crop is not None:
            crop = net.nodes[c.crop]
            title = crop.label or KIND_NAMES["crop"]
        one(c.source, c.merge, start, tip, gid, "connector copy", title)
    return out
