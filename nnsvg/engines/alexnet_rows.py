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

Skip connections (``skip_from``) are drawn over the rows as over one: a skip within
a row as in a single row; one that crosses into the next row must leave from the
last tensor of its row (as each block of a ResNet stage reads the block before it),
and branches off the connector's left leg with a junction dot, on the level it runs
over that row, to its merge mark. Rows break only there and between groups
(:func:`~nnsvg.engines.brackets.break_allowed`); ``wrap: N`` rows that cut a skip
elsewhere are a located error saying where rows can end. Seen from below, the skips
pass under the boxes: rows then cut no skip.

A network that branches is wrapped by :mod:`nnsvg.engines.alexnet_graph_rows`, which
stacks and joins its rows with :func:`join_rows` and :func:`connector`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from nnsvg.engines.alexnet_labels import hull
from nnsvg.engines.alexnet_model import Tensor, captions_of
from nnsvg.engines.brackets import break_allowed, check_breaks
from nnsvg.engines.common import TextMaker, arrowhead, finish_scene, junction_dot, kind_legend
from nnsvg.engines.rows import (
    PAD,
    Connector,
    Joint,
    Shift,
    balanced_rows,
    choose_wrap,
    join_rows,
    split_rows,
)
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
    bbox_of,
    bounds,
)
from nnsvg.theme import Theme

__all__ = ["PAD", "check_wrap", "connector", "edge_x", "join_rows", "layout_rows"]

_MIN_RUN = 0.49  # sin(azimuth): how clearly the network must run left to right
_LEG = 2.0  # the least room between a connector's leg and a text or shape beside it


def check_wrap(net: Network) -> None:
    """Raise a located error for what rows cannot draw: a camera under which the
    network does not run left to right, and skip connections (``skip_from``) crossing
    rows seen from below (they would branch off the connector under the row)."""
    azimuth = net.camera.azimuth
    if math.sin(math.radians(azimuth)) < _MIN_RUN:
        raise SpecError(
            f"wrap lays each row out left to right, and at camera azimuth {azimuth:g} the "
            "network does not run left to right: choose an azimuth between 30 and 150 "
            "(the default is 69), or remove wrap",
            location=net.where("wrap"),
            field="wrap",
        )
    crossed = isinstance(net.wrap, int) and any(
        s.source < r.start <= s.target
        for s in net.skips
        for r in split_rows(len(net.nodes), net.wrap)
    )
    if crossed and _from_below(net):
        raise SpecError(
            "wrap draws a skip connection that crosses into the next row branching off the "
            "connector above that row, and at camera elevation "
            f"{net.camera.elevation:g} the skips pass under the boxes: choose an elevation "
            "of 0 or more (the default is 21), or wrap: auto (rows then keep each skip on "
            "one row), or remove wrap",
            location=net.where("wrap"),
            field="wrap",
        )


def _from_below(net: Network) -> bool:
    """Whether the camera sees the network from below (its skips pass under it)."""
    return Camera(elevation=net.camera.elevation).eye_direction()[1] < 0


def _allowed(net: Network) -> Callable[[int], bool]:
    """Where ``wrap: auto`` may end a row: between groups, where every skip crossing
    leaves from the row's last tensor (:func:`~nnsvg.engines.brackets.break_allowed`);
    seen from below, where no skip crosses at all."""
    allowed = break_allowed(net)
    if not _from_below(net):
        return allowed
    return lambda b: allowed(b) and not any(s.source < b <= s.target for s in net.skips)


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
            widths[i][i + k + 1] = hi - lo + 3 * PAD
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
        allowed = _allowed(net) if net.frames or net.skips else None
        if net.rows is not None:  # held (the pipeline fitting a font_size)
            return draw(balanced_rows(count, lambda i, j: widths[i][j], net.rows, allowed))
        return choose_wrap(count, draw, physical_width, lambda i, j: widths[i][j], allowed=allowed)[
            1
        ]
    assert isinstance(net.wrap, int)
    spans = split_rows(count, net.wrap)
    if net.frames or net.skips:
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
    boxes = []
    for k, row in enumerate(rows):
        box = bounds(drawn[k]) or BBox(0, 0, 1, 1)
        if k:  # a skip from the row before runs on left, to the connector's leg
            drawn[k] = _entering(net, row, drawn[k], box.x0 - PAD, theme)
            up = bounds(drawn[k]) or box
            box = BBox(box.x0, min(box.y0, up.y0), box.x1, max(box.y1, up.y1))
        boxes.append(box)

    def join(k: int, above: list[Item], below: list[Item], boxes: list[BBox], _: Shift) -> Joint:
        last, first = rows[k - 1][-1].number, rows[k][0].number
        return connector(last, above, first, below, boxes[k - 1], boxes[k], theme)

    return join_rows(drawn, boxes, theme, join)


def _entering(
    net: Network, row: list[Tensor], items: list[Item], left: float, theme: Theme
) -> list[Item]:
    """A row's ``items`` with each skip from the row before (it starts on its level
    over the row's first box) carried on along that level, to the left, as far as
    the connector's leg at x = ``left``, with a junction dot where it leaves the leg."""
    first = row[0].index
    ids = {
        f"skip-{net.nodes[s.source].number}-{net.nodes[s.target].number}"
        for s in net.skips
        if s.source < first <= s.target
    }
    out: list[Item] = []
    for item in items:
        if isinstance(item, Group) and item.id in ids:
            children = list(item.children)
            k, path = next(
                (k, c) for k, c in enumerate(children) if isinstance(c, Path) and c.cls == "skip"
            )
            (_, x0, y0), (_, x1, y1) = path.commands[0], path.commands[1]
            x0, y0, x1, y1 = float(x0), float(y0), float(x1), float(y1)
            y = y0 + (y1 - y0) * (left - x0) / (x1 - x0)  # x1 > x0: rows run to the right
            children[k] = dataclasses.replace(path, commands=(("M", left, y), *path.commands[1:]))
            item = dataclasses.replace(item, children=(*children, junction_dot(left, y, theme)))
        out.append(item)
    return out


def _box_hull(items: list[Item], number: int) -> list[tuple[float, float]]:
    """The screen outline of tensor ``number``'s box (or merge mark) among a row's
    drawn ``items``."""
    for item in items:
        if isinstance(item, Group) and item.id == f"layer-{number}":
            body = item.children[0] if item.children else item
            points = hull(body) if isinstance(body, Group) else []
            box = bbox_of(body)
            if len(points) < 3 and box is not None:  # a merge mark: its circle's square
                points = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
            return points
    raise KeyError(number)


def _obstacles(items: list[Item], own: int) -> list[BBox]:
    """The bounds of what a connector's leg beside tensor ``own`` must not cross: every
    text of the row, and every other box, pyramid or arrow."""
    out: list[BBox] = []
    for item in items:
        for leaf in _leaves_with_owner(item, own):
            box = bbox_of(leaf)
            if box is not None:
                out.append(box)
    return out


def _leaves_with_owner(item: Item, own: int) -> list[Item]:
    """The leaves of ``item`` a leg must avoid: all of them but ``own``'s box faces
    (or mark), and skip lines."""
    if isinstance(item, Path) and item.cls == "skip":
        return []  # a skip's bounds span the boxes it passes over: its lines do not
    if isinstance(item, Group):
        if item.id in (f"layer-{own}-box", f"layer-{own}-mark"):
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


def connector(
    last: int,
    above_items: list[Item],
    first: int | None,
    below_items: list[Item],
    above: BBox,
    below: BBox,
    theme: Theme,
    *,
    into: tuple[float, float] | None = None,
) -> tuple[Group, list[BBox]]:
    """The connector from tensor ``last`` (by number, ending the row in ``above``) to
    tensor ``first`` (starting the row in ``below``): out of the right side of
    ``last``'s box at its middle height, into the left side of ``first``'s box at its
    middle (each leg moved up or down, as little as can be, to pass the texts beside
    the box), with an arrowhead; or, with ``into``, to that point without one (where
    the edges into a row start); with the bounds of those two legs."""
    arrow, boxes = theme.arrow, theme.boxes
    out_hull = _box_hull(above_items, last)
    right = max(above.x1, max(x for x, _ in out_hull) + 2 * PAD) + PAD
    left = min(above.x0, below.x0) - PAD
    entry = _LEG + arrow.width / 2  # the arrowhead's half width too
    out_y = _clear_y(out_hull, _obstacles(above_items, last), right, True, _LEG)
    start = (edge_x(out_hull, out_y, right=True), out_y)
    run_y = (above.y1 + below.y0) / 2
    heads: tuple[Item, ...] = ()
    if into is None:
        assert first is not None
        in_hull = _box_hull(below_items, first)
        in_y = _clear_y(in_hull, _obstacles(below_items, first), left, False, entry)
        tip = (edge_x(in_hull, in_y, right=False) - arrow.gap, in_y)
        end = (tip[0] - arrow.length * 0.8, in_y)
        head = arrowhead(tip, (1.0, 0.0), arrow.length, arrow.width)
        heads = (Polygons((head,), Paint(fill=boxes.arrow_color, stroke="none")),)
        name = f"layer-{first}"
    else:
        tip = end = into
        in_y = into[1]
        name = "row"
    c = Connector(start, right, run_y, left, end, radius=PAD)
    paint = Paint(
        stroke=boxes.arrow_color, stroke_width=boxes.arrow_width, fill="none", linejoin="round"
    )
    group = Group(
        id=f"edge-layer-{last}-{name}",
        role="connector",
        children=(*(Path(p, paint, cls="connector") for p in c.paths()), *heads),
    )
    legs = [
        BBox(start[0], out_y - _LEG, right, out_y + _LEG),
        BBox(left, in_y - entry, tip[0], in_y + entry),
    ]
    return group, legs
