"""The scene: pure geometry and resolved styles, the only thing a renderer sees.

A layout engine returns a :class:`Scene`: a closed set of frozen drawing
primitives, grouped into :class:`Group` s that carry ids and roles derived from
the spec. Every style value here is already resolved (theme, then spec, then
per-layer overrides); renderers never decide geometry or look things up.

Edges are the one bulky thing in a figure, so they are not one object each: an
:class:`EdgeBundle` holds a table of vertices and runs of vertex indices
(polylines). A complete bipartite fan of ``m * n`` edges is a handful of runs
that visit every edge once, which the renderer writes as compact path data.
"""

from __future__ import annotations

import dataclasses
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = [
    "BBox",
    "Circle",
    "EdgeBundle",
    "GradientRect",
    "Group",
    "Image",
    "Item",
    "Paint",
    "Path",
    "Polygon",
    "Polygons",
    "Rect",
    "Scene",
    "Text",
    "TextRun",
    "TextStyle",
    "bbox_of",
    "bounds",
    "iter_leaves",
    "points_box",
    "translated",
]

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Paint:
    """Fill and stroke presentation attributes; ``None`` means inherit."""

    fill: str | None = None
    fill_opacity: float | None = None
    stroke: str | None = None
    stroke_width: float | None = None
    stroke_opacity: float | None = None
    dash: tuple[float, ...] | None = None
    linecap: str | None = None
    linejoin: str | None = None
    opacity: float | None = None


@dataclass(frozen=True, slots=True)
class TextStyle:
    """Font attributes of text; ``None`` means inherit."""

    family: str | None = None
    size: float | None = None
    weight: str | None = None
    style: str | None = None
    color: str | None = None


@dataclass(frozen=True, slots=True)
class Circle:
    cx: float
    cy: float
    r: float
    paint: Paint | None = None
    id: str | None = None
    cls: str | None = None


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    rx: float = 0.0
    paint: Paint | None = None
    id: str | None = None
    cls: str | None = None


@dataclass(frozen=True, slots=True)
class Polygon:
    points: tuple[Point, ...]
    paint: Paint | None = None
    id: str | None = None
    cls: str | None = None


@dataclass(frozen=True, slots=True)
class Path:
    """A general path: ``commands`` are ("M", x, y), ("L", x, y), ("Q", cx, cy, x, y),
    ("C", c1x, c1y, c2x, c2y, x, y), ("A", rx, ry, rot, large, sweep, x, y) or ("Z",),
    all absolute."""

    commands: tuple[tuple, ...]
    paint: Paint | None = None
    id: str | None = None
    cls: str | None = None


@dataclass(frozen=True, slots=True)
class TextRun:
    """A piece of a :class:`Text` set in its own font, size or baseline: a sub- or
    superscript, a math italic letter, a character the text's font lacks drawn in a
    fallback font.

    ``x`` is where the run starts, measured from the start of the whole text (so a
    writer places every run where the layout measured it, whatever the viewer's
    text-anchor support); ``rise`` lifts its baseline (px, up is positive). ``None``
    inherits the text's value."""

    x: float
    text: str
    rise: float = 0.0
    size: float | None = None
    family: str | None = None
    weight: str | None = None
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text; ``anchor`` is start | middle | end, ``y`` the baseline.

    ``width``, ``ascent`` and ``descent`` are the measured extents the layout used,
    kept so that bounds (and later lints) need no font access.

    ``runs``, when not empty, is how the text is drawn: pieces in other fonts, sizes
    or baselines (math, fallback fonts); ``text`` is then their characters in order,
    the plain text a reader or ``pdftotext`` finds. ``source`` is the label as the
    spec wrote it (with its ``$...$`` math), for writers that hand math to LaTeX."""

    x: float
    y: float
    text: str
    anchor: str
    width: float
    ascent: float
    descent: float
    style: TextStyle | None = None
    id: str | None = None
    cls: str | None = None
    runs: tuple[TextRun, ...] = ()
    source: str | None = None


@dataclass(frozen=True, slots=True)
class GradientRect:
    """A rectangle filled with a linear gradient (left to right, or bottom to top)."""

    x: float
    y: float
    w: float
    h: float
    stops: tuple[tuple[float, str], ...]
    vertical: bool = False
    paint: Paint | None = None
    id: str | None = None
    cls: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """A raster image (a data URI) stretched over a rectangle."""

    x: float
    y: float
    w: float
    h: float
    uri: str
    opacity: float = 1.0
    id: str | None = None
    cls: str | None = None


@dataclass(frozen=True, slots=True)
class EdgeBundle:
    """Many edges that share one style.

    ``xs``/``ys`` are the vertex table, ``runs`` polylines of vertex indices;
    every consecutive pair in a run is one edge. ``curve`` is "straight",
    "bezier-h" (control points at the horizontal midpoint, for left-to-right
    figures) or "bezier-v" (vertical midpoint, for top-to-bottom figures).
    """

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    runs: tuple[array, ...]
    curve: str = "straight"
    paint: Paint | None = None
    id: str | None = None
    cls: str | None = None

    @property
    def edge_count(self) -> int:
        return sum(max(len(run) - 1, 0) for run in self.runs)


@dataclass(frozen=True, slots=True)
class Polygons:
    """Many small polygons (e.g. arrowheads) that share one style; ``closed=False``
    draws them as open polylines (chevrons)."""

    polygons: tuple[tuple[Point, ...], ...]
    paint: Paint | None = None
    closed: bool = True
    id: str | None = None
    cls: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A named group: ``id`` is a valid, unique XML id; ``role`` says what it holds
    (layer, edges, labels, legend...) and becomes the SVG class."""

    id: str | None
    role: str
    children: tuple[Item, ...]
    paint: Paint | None = None
    text_style: TextStyle | None = None
    title: str | None = None


Item = Circle | Rect | Polygon | Path | Text | GradientRect | Image | EdgeBundle | Polygons | Group


@dataclass(frozen=True, slots=True)
class BBox:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    def union(self, other: BBox) -> BBox:
        return BBox(
            min(self.x0, other.x0),
            min(self.y0, other.y0),
            max(self.x1, other.x1),
            max(self.y1, other.y1),
        )

    def expand(self, margin: float) -> BBox:
        return BBox(self.x0 - margin, self.y0 - margin, self.x1 + margin, self.y1 + margin)

    def overlaps(self, other: BBox) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


@dataclass(frozen=True, slots=True)
class Scene:
    """A finished drawing: ``viewbox`` is (x, y, width, height) in user units.

    ``physical_width`` is an optional CSS length (e.g. "3.5in") for the figure's
    printed width; the height follows the aspect ratio. ``meta`` is written on the
    root element (``data-nnsvg-engine``). ``names`` maps the id of each node's group
    (``layer-N``, ``input-K``) to the name messages give that node, from the spec
    (``layers[2] 'C1'``, ``input``: see :mod:`nnsvg.names`); it is for the lint, and
    never written. ``notes`` are the keys the style set aside (drawn with ``--style``,
    see :data:`nnsvg.engines.contract.UNIT_KEYS`), for the command line to print."""

    viewbox: tuple[float, float, float, float]
    items: tuple[Item, ...]
    title: str | None = None
    desc: str | None = None
    background: str | None = None
    physical_width: tuple[float, str] | None = None
    font: TextStyle | None = None
    meta: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # what the style set aside, one located line each (never written)


def iter_leaves(items: tuple[Item, ...] | list[Item]) -> Iterator[Item]:
    """Every non-group primitive, depth first, in drawing order."""
    for item in items:
        if isinstance(item, Group):
            yield from iter_leaves(item.children)
        else:
            yield item


def _stroke_pad(paint: Paint | None) -> float:
    if paint is None or paint.stroke_width is None:
        return 0.0
    return paint.stroke_width / 2


def bbox_of(item: Item, inherited_stroke: float = 0.0) -> BBox | None:
    """Bounds of one primitive (or group), including half its stroke width.

    Text bounds use the extents measured by the layout. Returns None for an
    empty group."""
    if isinstance(item, Group):
        pad = _stroke_pad(item.paint) or inherited_stroke
        box: BBox | None = None
        for child in item.children:
            child_box = bbox_of(child, pad)
            if child_box is not None:
                box = child_box if box is None else box.union(child_box)
        return box
    pad = _stroke_pad(getattr(item, "paint", None)) or inherited_stroke
    if isinstance(item, Circle):
        return BBox(item.cx - item.r, item.cy - item.r, item.cx + item.r, item.cy + item.r).expand(
            pad
        )
    if isinstance(item, (Rect, GradientRect, Image)):
        return BBox(item.x, item.y, item.x + item.w, item.y + item.h).expand(pad)
    if isinstance(item, Polygon):
        return points_box(item.points).expand(pad)
    if isinstance(item, Polygons):
        boxes = [points_box(poly) for poly in item.polygons if poly]
        if not boxes:
            return None
        return BBox(
            min(b.x0 for b in boxes),
            min(b.y0 for b in boxes),
            max(b.x1 for b in boxes),
            max(b.y1 for b in boxes),
        ).expand(pad)
    if isinstance(item, Path):
        pts: list[Point] = []
        for cmd in item.commands:
            values = cmd[1:]
            if cmd[0] == "A":
                values = values[-2:]
            pts.extend(zip(values[0::2], values[1::2]))
        return points_box(tuple(pts)).expand(pad) if pts else None
    if isinstance(item, EdgeBundle):
        used: set[int] = set()
        for run in item.runs:
            used.update(run)  # in C: a 535k-edge bundle has 267k run entries
        if not used:
            return None
        xs = [item.xs[i] for i in used]
        ys = [item.ys[i] for i in used]
        # Bezier control points lie between their endpoints, so the hull of the
        # vertices bounds the curves too.
        return BBox(min(xs), min(ys), max(xs), max(ys)).expand(pad)
    if isinstance(item, Text):
        if item.anchor == "middle":
            x0 = item.x - item.width / 2
        elif item.anchor == "end":
            x0 = item.x - item.width
        else:
            x0 = item.x
        return BBox(x0, item.y - item.ascent, x0 + item.width, item.y + item.descent)
    raise TypeError(f"not a scene item: {type(item).__name__}")


def points_box(points: tuple[Point, ...]) -> BBox:
    """The bounds of some points (at least one)."""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return BBox(min(xs), min(ys), max(xs), max(ys))


def bounds(items: tuple[Item, ...] | list[Item]) -> BBox | None:
    """The union of the items' bounds (None when nothing has any)."""
    box: BBox | None = None
    for item in items:
        b = bbox_of(item)
        if b is not None:
            box = b if box is None else box.union(b)
    return box


def translated(item: Item, dx: float, dy: float) -> Item:
    """``item`` moved by (dx, dy): a group with everything in it (a figure laid out in
    pieces, as rows, is placed by moving each piece)."""
    if isinstance(item, Group):
        return dataclasses.replace(
            item, children=tuple(translated(child, dx, dy) for child in item.children)
        )
    if isinstance(item, (Rect, GradientRect, Image)):
        return dataclasses.replace(item, x=item.x + dx, y=item.y + dy)
    if isinstance(item, Text):
        return dataclasses.replace(item, x=item.x + dx, y=item.y + dy)
    if isinstance(item, Circle):
        return dataclasses.replace(item, cx=item.cx + dx, cy=item.cy + dy)
    if isinstance(item, Polygon):
        return dataclasses.replace(item, points=tuple((x + dx, y + dy) for x, y in item.points))
    if isinstance(item, Polygons):
        return dataclasses.replace(
            item,
            polygons=tuple(tuple((x + dx, y + dy) for x, y in poly) for poly in item.polygons),
        )
    if isinstance(item, Path):
        return dataclasses.replace(
            item, commands=tuple(_shift_command(c, dx, dy) for c in item.commands)
        )
    if isinstance(item, EdgeBundle):
        return dataclasses.replace(
            item, xs=tuple(x + dx for x in item.xs), ys=tuple(y + dy for y in item.ys)
        )
    raise TypeError(f"cannot move {type(item).__name__}")


def _shift_command(cmd: tuple, dx: float, dy: float) -> tuple:
    """A path command with its points moved (an arc's radii and flags kept)."""
    if cmd[0] == "Z":
        return cmd
    if cmd[0] == "A":
        return (*cmd[:6], cmd[6] + dx, cmd[7] + dy)
    values = list(cmd[1:])
    for k in range(0, len(values), 2):
        values[k] += dx
        values[k + 1] += dy
    return (cmd[0], *values)
