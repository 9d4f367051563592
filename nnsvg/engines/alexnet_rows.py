"""The AlexNet style for long chains: ``wrap`` (several rows of 3D boxes).

``wrap: N`` draws the chain N tensors to a row, each row as
:func:`~nnsvg.engines.alexnet.chain_items` draws a whole chain (boxes, links, edge
numbers, captions under their boxes), with one scale for every row: a box's size
comes from the whole network, so equal layers look equal on every row. The rows
are aligned on the left, one under another (:mod:`nnsvg.engines.rows`); a connector
with rounded corners runs from the right side of a row's last box, down between
the rows and back to the left, into the left side of the next row's first box.
``wrap: auto`` picks the fewest rows that print every text at 6 pt at the figure's
width (:func:`~nnsvg.engines.rows.choose_wrap`).

``wrap`` on a network that branches, or with ``skip_from`` arcs, is a located error
saying what to change, rather than a figure with connections missing.
"""

from __future__ import annotations

import dataclasses
import math

from nnsvg.engines.alexnet_labels import hull
from nnsvg.engines.alexnet_model import Tensor, captions_of
from nnsvg.engines.brackets import break_allowed, check_breaks
from nnsvg.engines.common import TextMaker, arrowhead, finish_scene, kind_legend
from nnsvg.engines.rows import Connector, balanced_rows, choose_wrap, split_rows, stack_rows
from nnsvg.errors import SpecError
from nnsvg.geometry import Camera
from nnsvg.network import Network
from nnsvg.scene import (
    BBox,
    Group,
    Item,
    Paint,
    Path,
    Polygons,
    Scene,
    Text,
    bbox_of,
    bounds,
    translated,
)
from nnsvg.theme import Theme

__all__ = ["check_wrap", "edge_x", "layout_rows"]

_PAD = 10.0  # between a row's bounds and its connector's legs
_MIN_RUN = 0.49  # sin(azimuth): how clearly the network must run left to right
_LEG = 2.0  # the least room between a connector's leg and a text or shape beside it


def check_wrap(net: Network) -> None:
    """Raise a located error for what rows cannot draw: skip connections
    (``skip_from``), a camera under which the network does not run left to right,
    and networks that branch."""
    if net.skips:
        raise SpecError(
            "the alexnet style draws skip_from arcs only over one row, and this network has "
            "skip connections: remove wrap (the network is then drawn in one row)",
            location=net.where("wrap"),
            field="wrap",
        )
    azimuth = net.camera.azimuth
    if math.sin(math.radians(azimuth)) < _MIN_RUN:
        raise SpecError(
            f"wrap lays each row out left to right, and at camera azimuth {azimuth:g} the "
            "network does not run left to right: choose an azimuth between 30 and 150 "
            "(the default is 69), or remove wrap",
            location=net.where("wrap"),
            field="wrap",
        )
    if net.first_branch() is not None:
        raise SpecError(
            "the alexnet style wraps chains of layers, and this network branches: remove wrap "
            "(the network is then drawn in one row)",
            location=net.where("wrap"),
            field="wrap",
        )


def edge_x(points: list[tuple[float, float]], y: float, right: bool) -> float:
    """Where the horizontal line at ``y`` leaves the convex polygon ``points`` on
    its right (or left) side; the polygon's extreme x when the line misses it."""
    xs = []
    n = len(points)
    for k in range(n):
        (x0, y0), (x1, y1) = points[k], points[(k + 1) % n]
        if min(y0, y1) <= y <= max(y0, y1):
            xs.append(x0 if y1 == y0 else x0 + (x1 - x0) * (y - y0) / (y1 - y0))
    if not xs:
        xs = [x for x, _ in points]
    return max(xs) if right else min(xs)


def _rows_of(tensors: list[Tensor], spans: list[range]) -> list[list[Tensor]]:
    """Each row's tensors, copies (placing a row moves its tensors along z)."""
    return [[dataclasses.replace(t) for t in tensors[r.start : r.stop]] for r in spans]


def _row_widths(
    net: Network, tensors: list[Tensor], theme: Theme, tm: TextMaker, camera: Camera
) -> list[list[float]]:
    """``widths[i][j]``: about how wide the row of tensors ``i`` to ``j - 1`` is on
    screen (its boxes and the captions under them), plus the connector's room."""
    from nnsvg.engines.alexnet import _place

    n = len(tensors)
    widths = [[0.0] * (n + 1) for _ in range(n)]
    for i in range(n):
        row = [dataclasses.replace(t) for t in tensors[i:]]
        _place(row, net, theme, tm, camera)
        lo, hi = float("inf"), -float("inf")
        for k, t in enumerate(row):
            points = [camera.project(c)[:2] for c in t.box.corners()]
            centre = camera.project(t.box.center)[0]
            half = max(
                (
                    tm.width(s, size, weight) / 2
                    for s, size, weight, _ in captions_of(t, net, theme)
                ),
                default=0.0,
            )
            lo = min(lo, *(x for x, _ in points), centre - half)
            hi = max(hi, *(x for x, _ in points), centre + half)
            widths[i][i + k + 1] = hi - lo + 3 * _PAD
    return widths


def layout_rows(
    net: Network,
    tensors: list[Tensor],
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
    physical_width: tuple[float, str] | None,
) -> Scene:
    """The scene of a chain with ``wrap`` (module docs)."""
    from nnsvg.engines.alexnet import _legend

    check_wrap(net)

    def draw(spans: list[range]) -> Scene:
        items = _wrapped(net, tensors, spans, theme, tm, camera)
        if kind_legend(net, theme.boxes.color_by):
            content = bounds(items) or BBox(0, 0, 1, 1)
            items.append(_legend(tensors, theme, tm, content.y1 + theme.legend.gap, content.x0))
        return finish_scene(items, net, theme, tm, engine="alexnet", physical_width=physical_width)

    count = len(tensors)
    if net.wrap == "auto":
        widths = _row_widths(net, tensors, theme, tm, camera)
        allowed = break_allowed(net) if net.frames else None
        if net.rows is not None:  # held (the pipeline fitting a font_size)
            return draw(balanced_rows(count, lambda i, j: widths[i][j], net.rows, allowed))
        return choose_wrap(count, draw, physical_width, lambda i, j: widths[i][j], allowed=allowed)[
            1
        ]
    assert isinstance(net.wrap, int)
    spans = split_rows(count, net.wrap)
    if net.frames:
        check_breaks(net, spans)
    return draw(spans)


def _wrapped(
    net: Network,
    tensors: list[Tensor],
    spans: list[range],
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
) -> list[Item]:
    """The chain in rows (``spans`` of tensor indices), joined by connectors."""
    from nnsvg.engines.alexnet import chain_items

    rows = _rows_of(tensors, spans)
    drawn = [chain_items(net, row, theme, tm, camera) for row in rows]
    if net.frames:  # each row's groups under it (no row cuts one: check_breaks)
        from nnsvg.engines.alexnet_groups import group_items, row_network

        for row, items in zip(rows, drawn, strict=True):
            sub = row_network(net, row[0].index, row[-1].index)
            items.extend(group_items(sub, items, theme, tm))
    boxes = [bounds(items) or BBox(0, 0, 1, 1) for items in drawn]
    room = 2 * _PAD + 2 * theme.arrow.length
    shifts = stack_rows(boxes, [room] * (len(rows) - 1))
    out: list[Item] = []
    placed: list[list[Item]] = []
    for items, (dx, dy) in zip(drawn, shifts, strict=True):
        placed.append([translated(item, dx, dy) for item in items])
    boxes = [
        BBox(b.x0 + dx, b.y0 + dy, b.x1 + dx, b.y1 + dy)
        for b, (dx, dy) in zip(boxes, shifts, strict=True)
    ]
    connectors: list[Item] = []
    for k in range(1, len(placed)):
        above, below = placed[k - 1], placed[k]
        group, legs = _connector(
            rows[k - 1][-1], above, rows[k][0], below, boxes[k - 1], boxes[k], theme
        )
        connectors.append(group)
        # An edge number a leg has to cross (a box too short to pass it) is left out,
        # as clear_dims leaves out a number that would land on another shape.
        placed[k - 1] = [_drop_dims(item, legs) for item in above]
        placed[k] = [_drop_dims(item, legs) for item in below]
    for k, items in enumerate(placed):
        if k:
            out.append(connectors[k - 1])
        out.extend(items)
    return out


def _drop_dims(item: Item, legs: list[BBox]) -> Item:
    """``item`` without the edge numbers that touch one of ``legs``."""
    if not isinstance(item, Group):
        return item
    kept = tuple(
        _drop_dims(child, legs)
        for child in item.children
        if not (
            isinstance(child, Text)
            and child.cls == "dim"
            and any((box := bbox_of(child)) is not None and box.overlaps(leg) for leg in legs)
        )
    )
    return dataclasses.replace(item, children=kept)


def _box_hull(items: list[Item], t: Tensor) -> list[tuple[float, float]]:
    """The screen outline of tensor ``t``'s box among a row's drawn ``items``."""
    for item in items:
        if isinstance(item, Group) and item.id == f"layer-{t.number}":
            box = next((c for c in item.children if isinstance(c, Group) and c.role == "box"), item)
            assert isinstance(box, Group)
            return hull(box)
    raise KeyError(t.number)


def _obstacles(items: list[Item], own: Tensor) -> list[BBox]:
    """The bounds of what a connector's leg beside ``own``'s box must not cross: every
    text of the row, and every other box, pyramid or arrow."""
    out: list[BBox] = []
    for item in items:
        for leaf in _leaves_with_owner(item, own):
            box = bbox_of(leaf)
            if box is not None:
                out.append(box)
    return out


def _leaves_with_owner(item: Item, own: Tensor) -> list[Item]:
    """The leaves of ``item`` a leg must avoid: all of them but ``own``'s box faces."""
    if isinstance(item, Group):
        if item.id == f"layer-{own.number}-box":
            return []
        return [leaf for child in item.children for leaf in _leaves_with_owner(child, own)]
    return [item]


def _clear_y(
    outline: list[tuple[float, float]],
    obstacles: list[BBox],
    far: float,
    right: bool,
    margin: float,
) -> float:
    """The height, nearest the middle of the box ``outline``, at which a horizontal
    leg from its right (or left) side to x = ``far`` passes ``margin`` or more from
    every one of ``obstacles`` (the middle when no height does)."""
    top, bottom = min(y for _, y in outline), max(y for _, y in outline)
    middle = (top + bottom) / 2
    step = (bottom - top) / 24
    tries = [middle + sign * k * step for k in range(12) for sign in (1, -1)][1:]
    for y in tries:
        x = edge_x(outline, y, right)
        x0, x1 = (x, far) if right else (far, x)
        if not any(
            b.y0 - margin <= y <= b.y1 + margin and b.x0 < x1 and x0 < b.x1 for b in obstacles
        ):
            return y
    return middle


def _connector(
    last: Tensor,
    above_items: list[Item],
    first: Tensor,
    below_items: list[Item],
    above: BBox,
    below: BBox,
    theme: Theme,
) -> tuple[Group, list[BBox]]:
    """The connector from ``last`` (ending the row in ``above``) to ``first``
        (starting the row in ``below``): out of the right side of ``last``'s box at
        its middle height, into the left side of ``first``'s box at its middle (each leg
    moved up or down, as little as can be, to pass the texts beside the box); with the
    bounds of those two legs."""
    arrow, boxes = theme.arrow, theme.boxes
    out_hull = _box_hull(above_items, last)
    in_hull = _box_hull(below_items, first)
    right = max(above.x1, max(x for x, _ in out_hull) + 2 * _PAD) + _PAD
    left = min(above.x0, below.x0) - _PAD
    entry = _LEG + arrow.width / 2  # the arrowhead's half width too
    out_y = _clear_y(out_hull, _obstacles(above_items, last), right, True, _LEG)
    in_y = _clear_y(in_hull, _obstacles(below_items, first), left, False, entry)
    start = (edge_x(out_hull, out_y, right=True), out_y)
    tip = (edge_x(in_hull, in_y, right=False) - arrow.gap, in_y)
    run_y = (above.y1 + below.y0) / 2
    shaft_end = (tip[0] - arrow.length * 0.8, in_y)
    c = Connector(start, right, run_y, left, shaft_end, radius=_PAD)
    paint = Paint(
        stroke=boxes.arrow_color, stroke_width=boxes.arrow_width, fill="none", linejoin="round"
    )
    head = arrowhead(tip, (1.0, 0.0), arrow.length, arrow.width)
    group = Group(
        id=f"edge-layer-{last.number}-layer-{first.number}",
        role="connector",
        children=(
            *(Path(p, paint, cls="connector") for p in c.paths()),
            Polygons((head,), Paint(fill=boxes.arrow_color, stroke="none")),
        ),
    )
    legs = [
        BBox(start[0], out_y - _LEG, right, out_y + _LEG),
        BBox(left, in_y - entry, tip[0], in_y + entry),
    ]
    return group, legs
