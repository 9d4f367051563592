"""The AlexNet engine's texts: the numbers on a box's edges (left out where they would
land on another shape) and the captions under the boxes, in rows that never touch."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

from nnsvg.engines.alexnet_model import Tensor, captions_of
from nnsvg.engines.common import (
    TextMaker,
)
from nnsvg.geometry import Camera, convex_hull, convex_overlap
from nnsvg.network import Network
from nnsvg.scene import (
    Circle,
    Group,
    Item,
    Path,
    Polygon,
    Polygons,
    Text,
    bbox_of,
    iter_leaves,
)
from nnsvg.spatial import Bounds, BoxIndex, bounds_of
from nnsvg.theme import Theme


# --- labels on edges, captions, skips, legend -------------------------------------------
def dims(t: Tensor, theme: Theme, tm: TextMaker, camera: Camera) -> list[Item]:
    """Height, width and channels beside three silhouette edges of a box."""
    if t.bar or len(t.shape) < 2:
        return []
    box = t.box
    e = camera.eye_direction()
    xs = box.x0 if e[0] < 0 else box.x1  # the side face the eye sees
    zs = box.z1 if e[2] >= 0 else box.z0  # the end face the eye sees
    yb = box.y0 if e[1] >= 0 else box.y1  # the bottom (or top, from below)
    h = t.shape[0]
    w = t.shape[1] if len(t.shape) == 3 else None
    c = t.shape[-1]
    zh = box.z0 if e[2] >= 0 else box.z1  # the end away from the eye: the outer silhouette
    xh, yw = xs, yb
    if camera.down:  # a column: on the top end's outer edges, clear of the link below
        zh = zs = box.z0
        if e[2] < 0:  # the top is seen: its edges on the sides the eye does not see
            xh = box.x0 + box.x1 - xs
        else:  # seen from below: its edges on the sides the eye sees
            yw = box.y0 + box.y1 - yb
    edges = [
        (str(h), (xh, box.y0, zh), (xh, box.y1, zh)),
        (str(c), (xs, yb, box.z0), (xs, yb, box.z1)),
    ]
    if w is not None:
        edges.append((str(w), (box.x0, yw, zs), (box.x1, yw, zs)))
    center = camera.project(box.center)[:2]
    size = theme.boxes.dims_size
    out: list[Item] = []
    for text, p, q in edges:
        a, b = camera.project(p)[:2], camera.project(q)[:2]
        width = tm.width(text, size)
        if math.hypot(b[0] - a[0], b[1] - a[1]) < max(width, size) * 1.1:
            continue  # too short an edge to label cleanly
        mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
        dx, dy = mx - center[0], my - center[1]
        n = math.hypot(dx, dy) or 1.0
        off = size * 0.6 + width / 2 * abs(dx / n)
        out.append(
            tm.text(
                mx + dx / n * off,
                my + dy / n * off,
                text,
                size,
                baseline="central",
                color=theme.label.secondary_color,
                cls="dim",
            )
        )
    return out


def hull(group: Group) -> list[tuple[float, float]]:
    points = [
        p for item in iter_leaves(group.children) if isinstance(item, Polygon) for p in item.points
    ]
    return convex_hull(points)


def text_quad(item: Item) -> list[tuple[float, float]]:
    box = bbox_of(item)
    assert box is not None
    return [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]


def clear_dims(
    tensors: list[Tensor],
    drawn: list[Group],
    order: list[int],
    on_top: list[Item],
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
) -> dict[int, list[Text]]:
    """Edge numbers that fall on no box (their own included), kernel pyramid or other
    number, by tensor number: a number that would be covered is left out rather than
    drawn over something.

    A number is drawn in its box's group, right after the box, so what is drawn after
    that group (``drawn`` in the painter's ``order``, then ``on_top``: the skips) could
    cover it: a number is also left out when anything drawn later overlaps it by more
    than 0.5, as above but with that shape's stroke counted (arrows and skip arcs
    too). Over 540 camera views of three gallery networks this leaves out 65 of 7516
    numbers (none in the gallery), which the earlier figures drew within 0.5 of an
    outline drawn over them; in the views where it leaves none out, the PNGs are
    those of the figures with every number drawn last (2 pixels differ by 1/255)."""
    hulls = {g.id: hull(g) for g in drawn}
    kept: dict[int, list[Text]] = {}
    obstacles = [h for h in hulls.values() if len(h) >= 3]
    # Each number is tested only against the shapes and numbers whose bounds meet its
    # own (issue #14: testing all of them made long networks quadratic). That loses no
    # overlap: a number's quad is an axis-aligned rectangle, so convex_overlap tests
    # its x and y axes, and an overlap of more than 0.5 on both means the bounds meet.
    size = theme.boxes.dims_size
    sides = sorted(max(b[2] - b[0], b[3] - b[1]) for b in map(bounds_of, obstacles))
    shapes = BoxIndex(max(sides[len(sides) // 2] if sides else 0.0, 4 * size))
    for h in obstacles:
        shapes.add(bounds_of(h))
    later = Later(drawn, order, on_top, shapes.cell)
    numbers = BoxIndex(4 * size)
    kept_quads: list[list[tuple[float, float]]] = []
    for t in tensors:
        for text in dims(t, theme, tm, camera):
            quad = text_quad(text)
            near = quad_bounds(quad)
            if any(convex_overlap(quad, obstacles[k], 0.5) for k in candidates(shapes, near)):
                continue
            if any(convex_overlap(quad, kept_quads[k], 0.5) for k in candidates(numbers, near)):
                continue
            if later.covers(quad, f"layer-{t.number}"):
                continue
            kept.setdefault(t.number, []).append(text)
            kept_quads.append(quad)
            numbers.add(bounds_of(quad))
    return kept


class Later:
    """The pieces of what is drawn, each convex (a face, a triangle, a line segment, an
    arrowhead, a merge mark's square), with the half stroke around it and the place it
    is drawn at: which of them are drawn after a group, and touch a quad."""

    def __init__(self, drawn: list[Group], order: list[int], on_top: list[Item], cell: float):
        self.place = {drawn[i].id: rank for rank, i in enumerate(order)}
        self.pieces: list[tuple[list[tuple[float, float]], float, int]] = []
        self.index = BoxIndex(cell)
        for rank, i in enumerate(order):
            self._add(drawn[i], rank, 0.0)
        for item in on_top:
            self._add(item, len(order), 0.0)

    def _add(self, item: Item, rank: int, pad: float) -> None:
        paint = getattr(item, "paint", None)
        if paint is not None and paint.stroke == "none":
            pad = 0.0
        elif paint is not None and paint.stroke_width is not None:
            pad = paint.stroke_width / 2
        pieces: list[list[tuple[float, float]]] = []
        if isinstance(item, Group):
            for child in item.children:
                self._add(child, rank, pad)
        elif isinstance(item, Polygon):
            pieces.append(list(item.points))
        elif isinstance(item, Polygons):
            pieces.extend(list(poly) for poly in item.polygons if poly)
        elif isinstance(item, Path):
            ends = [cmd[-2:] for cmd in item.commands if cmd[0] != "Z"]
            pieces.extend([a, b] for a, b in itertools.pairwise(ends))  # M and L only
        elif isinstance(item, (Circle, Text)):
            box = bbox_of(item)
            if box is not None:
                pieces.append(
                    [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
                )
        for piece in pieces:
            x0, y0, x1, y1 = bounds_of(piece)
            self.index.add((x0 - pad, y0 - pad, x1 + pad, y1 + pad))
            self.pieces.append((piece, pad, rank))

    def covers(self, quad: list[tuple[float, float]], group: str) -> bool:
        """Whether a piece drawn after ``group`` overlaps ``quad``, grown by the
        piece's half stroke, by more than 0.5."""
        after = self.place.get(group, -1)
        x0, y0, x1, y1 = bounds_of(quad)
        for k in self.index.query((x0, y0, x1, y1)):
            piece, pad, rank = self.pieces[k]
            if rank <= after:
                continue
            grown = [
                (x0 - pad, y0 - pad),
                (x1 + pad, y0 - pad),
                (x1 + pad, y1 + pad),
                (x0 - pad, y1 + pad),
            ]
            if convex_overlap(grown, piece, 0.5):
                return True
        return False


def candidates(index: BoxIndex, near: Bounds | None) -> Iterable[int]:
    """The boxes of ``index`` to test against a quad looked up by ``near`` (all of them
    for a quad with no bounds to look up by)."""
    return range(len(index)) if near is None else index.query(near)


def quad_bounds(quad: list[tuple[float, float]]) -> Bounds | None:
    """The bounds to look up a text quad's neighbours with: its own, widened by far more
    than convex_overlap's rounding (so a tested overlap of 0.5 is never missed); None for
    a quad shrunk to a point, which the overlap test does not treat as a rectangle."""
    x0, y0, x1, y1 = bounds_of(quad)
    if x0 == x1 and y0 == y1:
        return None
    slack = 1e-9 * (1.0 + max(abs(x0), abs(y0), abs(x1), abs(y1)))
    return (x0 - slack, y0 - slack, x1 + slack, y1 + slack)


def caption_height(lines: list[tuple[str, float, str, str]], theme: Theme, tm: TextMaker) -> float:
    """The height of a box's caption lines (each with the gap after it)."""
    return sum(tm.ascent(s) + tm.descent(s) + theme.label.line_gap for _, s, _, _ in lines)


def caption_rows(
    tensors: list[Tensor],
    net: Network,
    theme: Theme,
    tm: TextMaker,
    camera: Camera,
    obstacles: list[list[tuple[float, float]]],
    *,
    beside: bool = False,
) -> dict[int, list[Text]]:
    """Captions under each box's centre, by tensor number: each just under its own box
    (``obstacles[k]`` is the hull of tensor k's box), pushed down only past what it
    would touch (another box, a pyramid, an edge number, a caption placed before it),
    so that in a diagonal view the captions follow the boxes instead of lining up far
    below them. ``obstacles`` holds the boxes' hulls first, in tensor order, then
    everything else drawn.

    With ``beside`` (a column, where the next box is under this one) each caption
    stands on the left of its box instead, level with the box's middle, and is pushed
    left past what it would touch."""
    sep = theme.label.min_separation / 2
    gap = theme.layer.label_gap
    shown = [k for k, hull in enumerate(obstacles) if hull]
    sides = sorted(max(b[2] - b[0], b[3] - b[1]) for b in (bounds_of(obstacles[k]) for k in shown))
    index = BoxIndex(max(sides[len(sides) // 2] if sides else 0.0, 4 * theme.label.size_size))
    for k in shown:
        index.add(bounds_of(obstacles[k]))
    placed: list[list[tuple[float, float]]] = []
    placed_index = BoxIndex(index.cell)
    out: dict[int, list[Text]] = {}
    for k, t in enumerate(tensors):
        lines = captions_of(t, net, theme)
        if not lines:
            continue
        width = max(tm.width(text, size, weight) for text, size, weight, _ in lines)
        height = caption_height(lines, theme, tm)
        own = obstacles[k]
        if beside:  # x: where the lines end
            ys = [y for _x, y in own] or [camera.project(t.box.center)[1]]
            top = (min(ys) + max(ys)) / 2 - height / 2
            x = min(x for x, _y in own) - gap if own else 0.0
        else:  # x: the lines' centre
            x = camera.project(t.box.center)[0]
            top = max(y for _x, y in own) + gap if own else 0.0
        while True:  # each step moves past a hull or a caption: it ends
            left, right = (x - width, x) if beside else (x - width / 2, x + width / 2)
            quad = [
                (left - sep, top),
                (right + sep, top),
                (right + sep, top + height),
                (left - sep, top + height),
            ]
            near = quad_bounds(quad)
            hits = [
                obstacles[shown[j]]
                for j in candidates(index, near)
                if shown[j] != k and convex_overlap(quad, obstacles[shown[j]], 0.5)
            ] + [
                placed[j]
                for j in candidates(placed_index, near)
                if convex_overlap(quad, placed[j], 0.5)
            ]
            if not hits:
                break
            if beside:
                x = min(px for hit in hits for px, _y in hit) - gap
            else:
                top = max(y for hit in hits for _x, y in hit) + gap
        placed.append(quad)
        placed_index.add(bounds_of(quad))
        anchor = "end" if beside else "middle"
        out[t.number] = caption_texts(t, lines, x, top, theme, tm, anchor=anchor)
    return out


def caption_texts(
    t: Tensor,
    lines: list[tuple[str, float, str, str]],
    x: float,
    top: float,
    theme: Theme,
    tm: TextMaker,
    anchor: str = "middle",
) -> list[Item]:
    """A box's caption lines centred on ``x`` (or ending there, with ``anchor="end"``),
    the first line's top at ``top``: its label, then in the secondary colour its size
    and activation."""
    out: list[Item] = []
    y = top
    for text, size, weight, style in lines:
        y += tm.ascent(size)
        color = None if text == t.label else theme.label.secondary_color
        out.append(
            tm.text(
                x,
                y,
                text,
                size,
                anchor=anchor,
                weight=weight,
                style=style,
                color=color,
                cls="caption",
            )
        )
        y += tm.descent(size) + theme.label.line_gap
    return out
