"""The edges of the blocks style, drawn: routes with rounded corners, arrowheads in the
edge's colour, ``from`` labels and styles, a dot where an edge turns off a stretch
it shares with others, and the loop of a recurrent layer beside its block.

Routes come from :mod:`nnsvg.engines.block_routes` in the canonical frame (flow along
+y); ``point`` maps them onto the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nnsvg.engines.block_routes import rounded
from nnsvg.engines.common import TextMaker, arrowhead
from nnsvg.network import Network
from nnsvg.scene import BBox, Circle, Group, Item, Paint, Path, Polygon, Text, bbox_of
from nnsvg.spec.model import EdgeMark
from nnsvg.theme import Theme

__all__ = ["CORNER", "EdgeLook", "clear_of", "edge_items", "junctions", "loop_items"]

Point = tuple[float, float]
PagePoint = Callable[[float, float], Point]

CORNER = 4.0  # the radius of an edge's rounded corners
_DASHES = {"dashed": (5.0, 3.0), "dotted": (1.0, 2.5)}


class EdgeLook:
    """How every edge of a figure is drawn: colour, width, arrowheads (``edges.arrows``:
    solid, the default; open, outlined; none)."""

    def __init__(self, net: Network, theme: Theme) -> None:
        self.color = net.edges.color or theme.edge.color
        self.width = net.edges.width or max(theme.edge.width, 0.8)
        self.arrows = net.edges.arrows or "solid"
        self.arrow_len, self.arrow_w = theme.arrow.length, theme.arrow.width
        self.head_stroke = theme.arrow.stroke_width

    def line(
        self, points: Sequence[Point], stroke: str, dash: tuple[float, ...] | None
    ) -> tuple[list[Item], Point]:
        """A route's line and arrowhead, and where the line ends: where the arrowhead's
        base begins (at the route's end without arrowheads)."""
        tip, prev = points[-1], points[-2]
        paint = Paint(stroke=stroke, stroke_width=self.width, dash=dash, fill="none")
        if self.arrows == "none":
            return [Path(tuple(rounded(list(points), CORNER)), paint)], tip
        head = arrowhead(tip, (tip[0] - prev[0], tip[1] - prev[1]), self.arrow_len, self.arrow_w)
        if self.arrows == "open":  # the line runs to the tip, under two strokes
            line = Path(tuple(rounded(list(points), CORNER)), paint)
            outline = Paint(fill="none", stroke=stroke, stroke_width=self.head_stroke)
            return [line, Polygon(head, outline)], tip
        base = ((head[0][0] + head[2][0]) / 2, (head[0][1] + head[2][1]) / 2)
        commands = rounded([*points[:-1], base], CORNER)
        return [Path(tuple(commands), paint), Polygon(head, Paint(fill=stroke))], base


def edge_items(
    edges: list[tuple[int, int, EdgeMark | None]],
    routes: list[list[Point]],
    point: PagePoint,
    tm: TextMaker,
    theme: Theme,
    look: EdgeLook,
    ids: list[str],
) -> list[Item]:
    """Every edge: its orthogonal route with rounded corners, its arrowhead (in the
    edge's colour), its label beside its last stretch."""
    out: list[Item] = []
    seen: dict[tuple[int, int], int] = {}
    for k, (u, v, mark) in enumerate(edges):
        page_points = [point(x, y) for x, y in routes[k]]
        stroke = look.color
        dash = None
        if mark is not None and mark.style is not None:
            dash = _DASHES.get(mark.style)
            if mark.style not in _DASHES and mark.style != "solid":
                stroke = mark.style
        children, end = look.line(page_points, stroke, dash)
        if mark is not None and mark.label:
            children.append(_edge_label((page_points[-2], end), mark.label, tm, theme))
        # edge-layer-A-layer-B as in the other graph figures; -2, -3 for the same pair
        # again (Q, K and V from one tensor); group-K for a collapsed group
        seen[(u, v)] = seen.get((u, v), 0) + 1
        ident = f"edge-{ids[u]}-{ids[v]}" + (f"-{seen[(u, v)]}" if seen[(u, v)] > 1 else "")
        out.append(Group(id=ident, role="edge", children=tuple(children)))
    out += [
        Circle(*point(x, y), max(look.width * 1.7, 1.8), Paint(fill=look.color))
        for x, y in junctions(edges, routes)
    ]
    return out


def junctions(
    edges: Sequence[tuple[int, int, EdgeMark | None]], routes: Sequence[Sequence[Point]]
) -> list[Point]:
    """Where an edge turns off a stretch it shares with other edges from the same port
    (a merge circle's, a lane block's): a dot, as the papers mark a branch. The dot
    goes where the stretch goes on past the turn, or where two edges part there.

    >>> trunk = [(0, 0), (0, 30)]
    >>> junctions([(0, 1, None), (0, 2, None)], [trunk, [(0, 0), (0, 10), (20, 10), (20, 30)]])
    [(0, 10)]
    """
    starts: dict[tuple[int, Point], list[int]] = {}
    for k, (u, _, _) in enumerate(edges):
        starts.setdefault((u, tuple(routes[k][0])), []).append(k)  # type: ignore[arg-type]
    dots: list[Point] = []
    for group in starts.values():
        if len(group) < 2:
            continue
        for k in group:
            route = routes[k]
            if len(route) < 3:
                continue
            turn = tuple(route[1])
            for j in group:
                if j != k and _passes(routes[j], turn):
                    dots.append(turn)  # type: ignore[arg-type]
                    break
    return sorted(set(dots))


def _passes(route: Sequence[Point], point: Sequence[float]) -> bool:
    """Whether a route's first stretch reaches ``point`` (past it, or turning there
    the other way than along it)."""
    (x0, y0), (x1, y1) = route[0], route[1]
    px, py = point
    if abs(x0 - x1) < 1e-9 and abs(px - x0) < 1e-9:  # along y
        inside = min(y0, y1) <= py <= max(y0, y1) and abs(py - y0) > 1e-9
        return inside and (abs(py - y1) > 1e-9 or len(route) > 2)
    if abs(y0 - y1) < 1e-9 and abs(py - y0) < 1e-9:
        inside = min(x0, x1) <= px <= max(x0, x1) and abs(px - x0) > 1e-9
        return inside and (abs(px - x1) > 1e-9 or len(route) > 2)
    return False


def loop_items(point: PagePoint, canonical: BBox, look: EdgeLook, ident: str) -> Group:
    """A recurrent layer's loop: out of its block's side near the end the flow leaves
    by, back along it, and into the same side near the end the flow enters by. Drawn
    on the side away from a note (left of a vertical flow, above a horizontal one);
    ``canonical`` is the block in the canonical frame."""
    x0, y0, _, y1 = canonical.x0, canonical.y0, canonical.x1, canonical.y1
    d = loop_room(look)
    q = (y1 - y0) / 4
    route = [(x0, y1 - q), (x0 - d, y1 - q), (x0 - d, y0 + q), (x0, y0 + q)]
    children, _ = look.line([point(x, y) for x, y in route], look.color, None)
    return Group(id=ident, role="edge", children=tuple(children))


def loop_room(look: EdgeLook) -> float:
    """How far a recurrent loop stands out of its block's side."""
    return look.arrow_len * 2.2 + CORNER


def _edge_label(
    last: tuple[Point, Point],
    label: str,
    tm: TextMaker,
    theme: Theme,
) -> Text:
    """An edge's label beside the middle of its last stretch (in the room kept for it
    between two ranks, where no block stands)."""
    (x0, y0), (x1, y1) = last
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    size = theme.label.size_size
    if abs(x1 - x0) > abs(y1 - y0):  # a flow across the page: the label above the edge
        return tm.text(x, y - size * 0.5, label, size, cls="edge-label")
    return tm.text(
        x + size * 0.4, y, label, size, anchor="start", baseline="central", cls="edge-label"
    )


def clear_of(
    texts: Sequence[Text], segments: Sequence[tuple[Point, Point]], pad: float = 1.0
) -> Text:
    """The first of some places for a label (texts, best first) that no edge runs
    through, else the first: a group's N× moved along its frame off an edge that
    leaves the group there. ``segments`` are the edges' straight pieces on the page
    (orthogonal)."""
    for text in texts:
        box = bbox_of(text)
        if box is None:
            continue
        x0, y0, x1, y1 = box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad
        if not any(_through(a, b, x0, y0, x1, y1) for a, b in segments):
            return text
    return texts[0]


def _through(a: Point, b: Point, x0: float, y0: float, x1: float, y1: float) -> bool:
    """Whether an axis-aligned segment passes through the inside of a box."""
    if abs(a[1] - b[1]) < 1e-9:  # horizontal
        return y0 < a[1] < y1 and min(a[0], b[0]) < x1 and max(a[0], b[0]) > x0
    if abs(a[0] - b[0]) < 1e-9:  # vertical
        return x0 < a[0] < x1 and min(a[1], b[1]) < y1 and max(a[1], b[1]) > y0
    return False
