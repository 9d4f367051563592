"""The LeNet style for long chains: ``wrap`` (several rows) and ``direction: down``.

``wrap: N`` lays the chain out N tensors to a row, each row as
:mod:`nnsvg.engines.lenet` lays out a whole chain (sizes above, operations below),
the rows aligned on the left, one under another (:mod:`nnsvg.engines.rows`). A
connector with rounded corners runs from the right side of a row's last tensor,
down between the rows and back to the left, into the side of the next row's first
tensor; the operation that makes that tensor is written on the connector's run.
``wrap: auto`` picks the fewest rows that print every text at 6 pt at the figure's
width (:func:`~nnsvg.engines.rows.choose_wrap`).

``direction: down`` stacks the tensors top to bottom, each centred on one vertical
axis, with its label and size beside it on the left and the operation that makes
it on the right, level with the gap it crosses (a network that branches is drawn
down by :mod:`nnsvg.engines.lenet_graph`).

``wrap`` with ``direction: down``, and ``direction: down`` with ``skip_from`` arcs, is
a located error saying what to change, rather than a figure with connections missing
(a network that branches is wrapped by :mod:`nnsvg.engines.lenet_graph_rows`).
"""

from __future__ import annotations

import dataclasses

from nnsvg.engines.common import TextMaker, arrowhead, finish_scene, kind_legend
from nnsvg.engines.lenet import (
    KIND_NAMES,
    SLANT,
    _Element,
    _filter_items,
    _Labels,
    _legend,
    _place,
    _stack_items,
    _vector_items,
    draw_row,
)
from nnsvg.engines.rows import (
    Connector,
    balanced_rows,
    choose_wrap,
    refuse_wrap_down,
    split_rows,
    stack_rows,
)
from nnsvg.errors import SpecError
from nnsvg.network import Network
from nnsvg.scene import BBox, Group, Item, Paint, Path, Polygons, Scene, Text, bounds
from nnsvg.theme import Theme

__all__ = ["check_rows", "down_links", "layout_rows", "side_lines"]

_PAD = 10.0  # between a row's bounds and its connector's legs


def check_rows(net: Network) -> None:
    """Raise a located error for what rows and columns cannot draw: ``wrap`` with
    ``direction: down``; ``wrap`` or ``direction: down`` with skip connections
    (``skip_from``). ``wrap`` on a network that branches is
    :mod:`nnsvg.engines.lenet_graph_rows`'s."""
    key = "wrap" if net.wrap is not None else "direction"
    refuse_wrap_down(net)
    if net.skips and net.wrap is None:
        raise SpecError(
            "the lenet style draws skip_from arcs over rows, left to right, and this network "
            "has skip connections: write the merge as a layer ({type: add, from: [a, b]}, "
            "or concat) or remove direction",
            location=net.where(key),
            field=key,
        )


def layout_rows(
    net: Network,
    elements: list[_Element],
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    physical_width: tuple[float, str] | None,
) -> Scene:
    """The scene of a chain with ``wrap`` or ``direction: down`` (module docs)."""
    check_rows(net)

    def scene_of(items: list[Item]) -> Scene:
        if kind_legend(net, theme.maps.color_by):
            items.append(_legend(elements, theme, tm, items))
        return finish_scene(items, net, theme, tm, engine="lenet", physical_width=physical_width)

    if net.direction == "down":
        items = _column(elements, theme, tm, labels)
        if net.frames:
            from nnsvg.engines.lenet_groups import group_items

            items.extend(group_items(net, elements, theme, tm, items, down=True))
        return scene_of(items)
    if net.wrap == "auto":

        def draw(rows: list[range]) -> Scene:
            return scene_of(_wrapped(elements, rows, theme, tm, labels, net))

        widths = _row_widths(elements, theme, labels)
        allowed = None
        if net.frames or net.skips:
            from nnsvg.engines.brackets import break_allowed

            allowed = break_allowed(net)
        if net.rows is not None:  # held (the pipeline fitting a font_size)
            rows = balanced_rows(len(elements), lambda i, j: widths[i][j], net.rows, allowed)
            return draw(rows)
        return choose_wrap(
            len(elements), draw, physical_width, lambda i, j: widths[i][j], allowed=allowed
        )[1]
    assert isinstance(net.wrap, int)
    spans = split_rows(len(elements), net.wrap)
    if net.frames or net.skips:
        from nnsvg.engines.brackets import check_breaks

        check_breaks(net, spans)
    return scene_of(_wrapped(elements, spans, theme, tm, labels, net))


def _row_widths(elements: list[_Element], theme: Theme, labels: _Labels) -> list[list[float]]:
    """``widths[i][j]``: how wide the row of elements ``i`` to ``j - 1`` is, captions
    and the connector leaving it included."""
    n = len(elements)
    widths = [[0.0] * (n + 1) for _ in range(n)]
    room = 3 * _PAD
    for i in range(n):
        row = elements[i:]
        _place(row, theme, labels)
        left = min(0.0, row[0].center_x - labels.top_width(row[0]) / 2)
        right = -float("inf")
        for k, e in enumerate(row):
            right = max(right, e.x + e.width, e.center_x + labels.top_width(e) / 2)
            if k:
                centre = (row[k - 1].x + row[k - 1].width + e.x) / 2
                right = max(right, centre + labels.op_width(e) / 2)
            widths[i][i + k + 1] = right - left + room
    return widths


# --- rows --------------------------------------------------------------------------------
def _op_block(e: _Element, labels: _Labels) -> tuple[float, float]:
    """The width and height of an element's operation lines."""
    tm, gap = labels.tm, labels.theme.label.line_gap
    lines = labels.op_lines(e)
    height = sum(tm.ascent(s) + tm.descent(s) + gap for _, s, _ in lines) - gap if lines else 0.0
    return labels.op_width(e), max(height, 0.0)


def _wrapped(
    elements: list[_Element],
    spans: list[range],
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    net: Network | None = None,
) -> list[Item]:
    """The chain in rows (``spans`` of element indices), joined by connectors; with
    ``net``, each row's skip arcs and group brackets too (:mod:`nnsvg.engines.lenet_groups`)."""
    rows = [elements[r.start : r.stop] for r in spans]
    boxes: list[BBox] = []
    extras = net is not None and bool(net.skips or net.frames)
    for row in rows:
        _place(row, theme, labels)
        groups, filters, top, row_bottom = draw_row(row, theme, tm, labels)
        box = bounds([*groups, *filters]) or BBox(0, 0, 1, 1)
        if extras:
            box = _with_extras(net, row, elements, theme, tm, labels, box, top, row_bottom)
        boxes.append(box)
    room = 2 * _PAD + 2 * theme.arrow.length
    gaps = [max(room, _op_block(row[0], labels)[1] + 2 * _PAD) for row in rows[1:]]
    shifts = stack_rows(boxes, gaps)
    for row, (dx, dy) in zip(rows, shifts, strict=True):
        for e in row:
            e.x += dx
            e.y += dy
    boxes = [
        BBox(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)
        for b, (dx, dy) in zip(boxes, shifts, strict=True)
    ]

    items: list[Item] = []
    links: list[Item] = []
    for k, row in enumerate(rows):
        groups, filters, top, row_bottom = draw_row(row, theme, tm, labels)
        links.extend(filters)
        if extras:
            from nnsvg.engines.lenet_groups import row_extras

            left = min(boxes[k - 1].x0, boxes[k].x0) - _PAD if k else 0.0
            arcs, brackets = row_extras(
                net, row, elements, theme, tm, labels, [*groups, *filters], top, row_bottom, left
            )
            items.extend([*arcs, *brackets])
        if k:
            texts, connector = _connector(
                rows[k - 1][-1], row[0], boxes[k - 1], boxes[k], theme, tm, labels
            )
            first = groups[0]
            assert isinstance(first, Group)
            groups[0] = dataclasses.replace(first, children=(*first.children, *texts))
            items.append(connector)
        items.extend(groups)
    if links:
        items.append(Group(id="filters", role="filters", children=tuple(links)))
    return items


def _with_extras(
    net: Network,
    row: list[_Element],
    elements: list[_Element],
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
    box: BBox,
    top: float,
    row_bottom: float,
) -> BBox:
    """A row's bounds with its skip arcs (above) and group brackets (below); across,
    the arcs stay within the row, but for one branching off the connector on its left."""
    from nnsvg.engines.lenet_groups import row_extras

    arcs, brackets = row_extras(
        net, row, elements, theme, tm, labels, [_box_item(box)], top, row_bottom, box.x0 - _PAD
    )
    up = bounds(arcs)
    down = bounds(brackets)
    x0, x1 = box.x0, box.x1
    if down is not None:
        x0, x1 = min(x0, down.x0), max(x1, down.x1)
    return BBox(
        x0,
        min(box.y0, up.y0) if up is not None else box.y0,
        x1,
        max(box.y1, down.y1) if down is not None else box.y1,
    )


def _box_item(box: BBox) -> Item:
    """An empty outline standing for a row's content (what brackets go under)."""
    return Path((("M", box.x0, box.y0), ("L", box.x1, box.y1)), Paint(stroke="none"))


def _out(e: _Element, theme: Theme) -> tuple[float, float]:
    """Where a connector leaves an element: its right side, level with its front map's
    centre (a vector: halfway down its bar)."""
    front = e.front()
    if e.is_vector:
        half = e.length * SLANT / 2
        return (e.x + theme.vector.thickness + half, e.y + half)
    return (front.x1, (front.y0 + front.y1) / 2)


def _in(e: _Element) -> tuple[float, float]:
    """Where a connector arrives: the outline's left side, level with the front map's
    centre (a vector: halfway down its bar)."""
    if e.is_vector:
        half = e.length * SLANT / 2
        return (e.x + half, e.y + half)
    front = e.front()
    y = (front.y0 + front.y1) / 2
    # The back-most map that reaches down to y.
    k = 0
    while k < e.maps - 1 and e.y + k * e.offset + e.map_h < y:
        k += 1
    return (e.x + k * e.offset, y)


def _connector(
    last: _Element,
    first: _Element,
    above: BBox,
    below: BBox,
    theme: Theme,
    tm: TextMaker,
    labels: _Labels,
) -> tuple[list[Text], Group]:
    """The connector from ``last`` (ending the row in ``above``) to ``first``
    (starting the row in ``below``), and ``first``'s operation written on its run."""
    arrow, sk = theme.arrow, theme.skip
    start = _out(last, theme)
    tip_x, tip_y = _in(first)
    tip = (tip_x - arrow.gap, tip_y)
    run_y = (above.y1 + below.y0) / 2
    right = max(above.x1, start[0] + 2 * _PAD) + _PAD
    left = min(above.x0, below.x0) - _PAD
    shaft_end = (tip[0] - arrow.length * 0.8, tip_y)
    width, height = _op_block(first, labels)
    right = max(right, left + width + 4 * _PAD)  # a run long enough for the caption
    c = Connector(start, right, run_y, left, shaft_end, radius=min(10.0, _PAD))
    texts: list[Text] = []
    gap = None
    if width:
        middle = (left + right) / 2
        gap = (middle - width / 2 - 4, middle + width / 2 + 4)
        texts.extend(labels.op_texts(first, middle, run_y - height / 2))
    paint = Paint(stroke=sk.color, stroke_width=sk.width, fill="none", linejoin="round")
    head = arrowhead(tip, (1.0, 0.0), arrow.length, arrow.width)
    group = Group(
        id=f"edge-layer-{last.number}-layer-{first.number}",
        role="connector",
        children=(
            *(Path(p, paint, cls="connector") for p in c.paths(gap)),
            Polygons((head,), Paint(fill=sk.color, stroke="none")),
        ),
    )
    return texts, group


# --- a column (direction: down) -------------------------------------------------------
def _place_down(elements: list[_Element], theme: Theme, labels: _Labels) -> None:
    """Top to bottom, each element centred on x = 0; gaps fit the captions beside them."""
    sep = theme.label.min_separation
    y = 0.0
    for i, e in enumerate(elements):
        e.x = -e.width / 2
        if i:
            prev = elements[i - 1]
            y += theme.maps.spacing + prev.spacing_after
            # The captions beside neighbouring elements (centred on them) must not touch...
            need = (labels.top_height(prev) + labels.top_height(e)) / 2 + sep
            y = max(y, prev.y + prev.height / 2 + need - e.height / 2)
            # ...nor the operations beside the gaps (centred on them).
            if i >= 2:
                before = elements[i - 2]
                prev_centre = (before.y + before.height + prev.y) / 2
                need = (_op_block(prev, labels)[1] + _op_block(e, labels)[1]) / 2 + sep
                centre = (prev.y + prev.height + y) / 2
                if centre - prev_centre < need:
                    y += 2 * (need - (centre - prev_centre))
        e.y = y
        y += e.height


def down_links(prev: _Element, e: _Element, theme: Theme) -> list[Item]:
    """Lines from the bottom of ``prev`` to the two ends of the vector ``e``."""
    t = theme.vector.thickness
    if prev.is_vector:
        d = prev.length * SLANT
        a, b = (prev.x, prev.y), (prev.x + t + d, prev.y + d)
    else:
        front = prev.front()
        a, b = (front.x0, front.y1), (front.x1, front.y1)
    d = e.length * SLANT
    paint = Paint(stroke=theme.vector.link_color, stroke_width=theme.vector.link_width, fill="none")
    return [
        Path((("M", *a), ("L", e.x, e.y)), paint),
        Path((("M", *b), ("L", e.x + t + d, e.y + d)), paint),
    ]


def _beside(
    elements: list[_Element], y0: float, y1: float, own: list[_Element], right: bool
) -> float:
    """The outermost x of the ``own`` elements and of those that reach into the band
    ``y0..y1``: their right sides, or their left sides."""
    near = [*own, *(e for e in elements if e.y < y1 and e.y + e.height > y0)]
    if right:
        return max(e.x + e.width for e in near)
    return min(e.x for e in near)


def side_lines(
    lines: list[tuple[str, float, str]],
    x: float,
    centre: float,
    anchor: str,
    theme: Theme,
    tm: TextMaker,
    *,
    cls: str,
    first_primary: bool = False,
    italic: bool = False,
) -> list[Item]:
    """Caption lines (text, size, weight; ``italic``: text, size, style) stacked
    around ``centre``, anchored at ``x``; the first in the primary colour when
    ``first_primary``, the others in the secondary one."""
    gap = theme.label.line_gap
    height = sum(tm.ascent(s) + tm.descent(s) + gap for _, s, _ in lines) - gap
    y = centre - height / 2
    out: list[Item] = []
    for k, (text, size, third) in enumerate(lines):
        y += tm.ascent(size)
        color = None if (k == 0 and first_primary) else theme.label.secondary_color
        if italic:
            item = tm.text(x, y, text, size, anchor=anchor, style=third, color=color, cls=cls)
        else:
            item = tm.text(x, y, text, size, anchor=anchor, weight=third, color=color, cls=cls)
        out.append(item)
        y += tm.descent(size) + gap
    return out


def _column(elements: list[_Element], theme: Theme, tm: TextMaker, labels: _Labels) -> list[Item]:
    """The chain top to bottom: sizes on the left of their tensors, operations on the
    right of the gaps they cross."""
    _place_down(elements, theme, labels)
    gap = theme.layer.label_gap
    items: list[Item] = []
    filters: list[Item] = []
    for i, e in enumerate(elements):
        eid = f"layer-{e.number}"
        parts: list[Item] = []
        if i and e.is_vector:
            parts.extend(down_links(elements[i - 1], e, theme))
        parts.extend(_vector_items(e, theme, eid) if e.is_vector else _stack_items(e, theme, eid))
        if i:
            filters.extend(_filter_items(elements[i - 1], e, theme, down=True))
        top = labels.top_lines(e)
        if top:
            h = labels.top_height(e)
            centre = e.y + e.height / 2
            x = _beside(elements, centre - h / 2, centre + h / 2, [e], right=False) - gap
            parts.extend(
                side_lines(
                    top,
                    x,
                    centre,
                    "end",
                    theme,
                    tm,
                    cls="label-size",
                    first_primary=bool(e.label),
                )
            )
        ops = labels.op_lines(e)
        if i and ops:
            prev = elements[i - 1]
            centre = (prev.y + prev.height + e.y) / 2
            h = _op_block(e, labels)[1]
            x = _beside(elements, centre - h / 2, centre + h / 2, [prev, e], right=True) + gap
            parts.extend(
                side_lines(
                    ops,
                    x,
                    centre,
                    "start",
                    theme,
                    tm,
                    cls="label-op",
                    italic=True,
                )
            )
        items.append(
            Group(
                id=eid,
                role=f"layer {e.kind}",
                children=tuple(parts),
                title=e.label or KIND_NAMES[e.kind],
            )
        )
    if filters:
        items.append(Group(id="filters", role="filters", children=tuple(filters)))
    return items
