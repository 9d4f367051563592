"""The lint's view of a scene: every text and shape with the node, place and group it
belongs to (read from the scene's annotations, :mod:`nnsvg.lint`), and a uniform grid to
find the pairs that may touch."""

from __future__ import annotations

import dataclasses
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from nnsvg.checker import printable
from nnsvg.geometry import convex_hull, convex_overlap
from nnsvg.scene import (
    BBox,
    Circle,
    GradientRect,
    Group,
    Image,
    Item,
    Paint,
    Polygon,
    Rect,
    Scene,
    Text,
    bbox_of,
    points_box,
)

# --- places -------------------------------------------------------------------------
NODE_ID = re.compile(r"(layer|input)-(\d+)")
SKIP_ID = re.compile(r"skip-(\d+)-(\d+)")
# Sort ranks of the non-layer places (layer-N ranks N - 1: the input first, as -1).
RANK_FIGURE = -2.0
RANK_LEGEND = 1e9
RANK_TITLE = 1e9 + 1
RANK_OTHER = 1e9 + 2


def number_of(node: str | None) -> int | None:
    """N of a ``layer-N`` node id, None for any other."""
    match = NODE_ID.fullmatch(node or "")
    return int(match[2]) if match and match[1] == "layer" else None


def node_rank(node: str) -> float:
    """``layer-N``: N - 1 (the input, layer-0, first); ``input-K`` right after it."""
    match = NODE_ID.fullmatch(node)
    if match is None:
        return RANK_OTHER
    n = int(match[2])
    return float(n) - 1 if match[1] == "layer" else -1.0 + n / (n + 1)


# --- walking the scene -----------------------------------------------------------------
@dataclass(slots=True)
class TextInfo:
    item: Text
    box: BBox
    size: float
    node: str | None  # the node it belongs to (layer-N, input-K)
    place: str  # layer | legend | title | skip | other
    owner: int | None  # the bias/skip/legend group it sits in (exemptions)
    bias: bool
    order: int
    family: str = "sans-serif"
    weight: str = "normal"
    italic: bool = False

    @property
    def layer(self) -> int | None:
        return number_of(self.node)


@dataclass(slots=True)
class ShapeInfo:
    item: Circle | Rect | Polygon | Image | GradientRect
    box: BBox
    node: str | None
    role: str  # the innermost group role: nodes, bias, maps, box, filters, legend ...
    owner: int | None
    hull: tuple[tuple[float, float], ...] | None  # polygons: the convex hull


@dataclass(slots=True)
class Context:
    node: str | None = None
    place: str = "other"
    owner: int | None = None
    bias: bool = False
    role: str = ""
    fill: str | None = None
    fill_opacity: float | None = None
    size: float | None = None
    family: str | None = None
    weight: str | None = None
    slant: str | None = None


def first_word(role: str) -> str:
    return role.split()[0] if role else ""


def child_context(group: Group, ctx: Context, top: bool) -> Context:
    new = dataclasses.replace(ctx)
    word = first_word(group.role)
    new.role = word
    if group.paint is not None:
        if group.paint.fill is not None:
            new.fill = group.paint.fill
        if group.paint.fill_opacity is not None:
            new.fill_opacity = group.paint.fill_opacity
    if group.text_style is not None:
        if group.text_style.size is not None:
            new.size = group.text_style.size
        if group.text_style.family is not None:
            new.family = group.text_style.family
        if group.text_style.weight is not None:
            new.weight = group.text_style.weight
        if group.text_style.style is not None:
            new.slant = group.text_style.style
    if word == "layer" and NODE_ID.fullmatch(group.id or ""):
        new.node = group.id
        new.place = "layer"
    elif word == "skip":
        skip = SKIP_ID.fullmatch(group.id or "")
        new.node = f"layer-{skip[2]}" if skip else None
        new.place = "skip"
        new.owner = id(group)
    elif word == "legend":
        new.node = None
        new.place = "legend"
        new.owner = id(group)
    elif word == "bias":
        new.owner = id(group)
        new.bias = True
    elif word in ("mark", "block"):  # a merge mark's symbol, a block's lines: on their shape
        new.owner = id(group)
    elif word == "title" and top:
        new.place = "title"
    return new


def walk(items: Iterable[Item], ctx: Context, top: bool = True) -> Iterator[tuple[Item, Context]]:
    for item in items:
        if isinstance(item, Group):
            yield from walk(item.children, child_context(item, ctx, top), False)
        else:
            yield item, ctx


def is_filled(paint: Paint | None, ctx: Context) -> bool:
    fill = paint.fill if paint is not None and paint.fill is not None else ctx.fill
    if fill is not None and fill.strip().lower() in ("none", "transparent"):
        return False
    opacity = paint.fill_opacity if paint is not None and paint.fill_opacity is not None else None
    if opacity is None:
        opacity = ctx.fill_opacity
    if opacity is not None and opacity <= 0:
        return False
    return not (paint is not None and paint.opacity is not None and paint.opacity <= 0)


def collect(scene: Scene) -> tuple[list[TextInfo], list[ShapeInfo]]:
    texts: list[TextInfo] = []
    shapes: list[ShapeInfo] = []
    font = scene.font
    base = Context(
        size=font.size if font is not None else None,
        family=font.family if font is not None else None,
        weight=font.weight if font is not None else None,
        slant=font.style if font is not None else None,
    )
    for item, ctx in walk(scene.items, base):
        if isinstance(item, Text):
            box = bbox_of(item)
            assert box is not None
            style = item.style
            size = style.size if style is not None and style.size else None
            family = style.family if style is not None and style.family else ctx.family
            weight = style.weight if style is not None and style.weight else ctx.weight
            slant = style.style if style is not None and style.style else ctx.slant
            texts.append(
                TextInfo(
                    item=item,
                    box=box,
                    size=size or ctx.size or 16.0,  # 16 px: the SVG default
                    node=ctx.node,
                    place=ctx.place,
                    owner=ctx.owner,
                    bias=ctx.bias,
                    order=len(texts),
                    family=family or "sans-serif",
                    weight=weight or "normal",
                    italic=slant in ("italic", "oblique"),
                )
            )
        elif isinstance(item, (Circle, Rect, Polygon, Image, GradientRect)):
            paint = None if isinstance(item, Image) else item.paint
            if isinstance(item, Image):
                if item.opacity <= 0:
                    continue
            elif not is_filled(paint, ctx):
                continue
            hull = None
            if isinstance(item, Polygon):
                hull = tuple(convex_hull(list(item.points)))
                if len(hull) < 3 or area(hull) <= 1e-9:
                    continue  # no area: nothing is filled
            box = points_box(hull) if hull is not None else fill_box(item)  # type: ignore[arg-type]
            if box.width <= 0 or box.height <= 0:
                continue
            shapes.append(ShapeInfo(item, box, ctx.node, ctx.role, ctx.owner, hull))
    return texts, shapes


def fill_box(item: Circle | Rect | Image | GradientRect) -> BBox:
    if isinstance(item, Circle):
        return BBox(item.cx - item.r, item.cy - item.r, item.cx + item.r, item.cy + item.r)
    return BBox(item.x, item.y, item.x + item.w, item.y + item.h)


def area(points: tuple[tuple[float, float], ...]) -> float:
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        total += x0 * y1 - x1 * y0
    return abs(total) / 2


# --- a uniform grid ------------------------------------------------------------------
class Grid:
    """Boxes binned into square cells; a box covering too many cells is kept aside
    and offered to every query."""

    MAX_CELLS = 4096

    def __init__(self, cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.big: list[int] = []

    def _range(self, box: BBox) -> tuple[int, int, int, int]:
        c = self.cell
        return (
            math.floor(box.x0 / c),
            math.floor(box.y0 / c),
            math.floor(box.x1 / c),
            math.floor(box.y1 / c),
        )

    def insert(self, box: BBox, index: int) -> None:
        i0, j0, i1, j1 = self._range(box)
        if (i1 - i0 + 1) * (j1 - j0 + 1) > self.MAX_CELLS:
            self.big.append(index)
            return
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                self.cells[(i, j)].append(index)

    def query(self, box: BBox) -> list[int]:
        i0, j0, i1, j1 = self._range(box)
        found: set[int] = set(self.big)
        if (i1 - i0 + 1) * (j1 - j0 + 1) > self.MAX_CELLS:
            for indices in self.cells.values():
                found.update(indices)
        else:
            for i in range(i0, i1 + 1):
                for j in range(j0, j1 + 1):
                    found.update(self.cells.get((i, j), ()))
        return sorted(found)


def cell_size(texts: list[TextInfo]) -> float:
    heights = sorted(t.box.height for t in texts)
    median = heights[len(heights) // 2] if heights else 16.0
    return max(4.0, 3 * median)


# --- geometry tests ------------------------------------------------------------------
def shrunk(box: BBox, by: float) -> BBox | None:
    out = BBox(box.x0 + by, box.y0 + by, box.x1 - by, box.y1 - by)
    return out if out.x0 < out.x1 and out.y0 < out.y1 else None


def meets(box: BBox, shape: ShapeInfo) -> bool:
    """Whether ``box`` (the shrunk text box) meets the shape's filled area."""
    if not box.overlaps(shape.box):
        return False
    item = shape.item
    if isinstance(item, Circle):
        nx = min(max(item.cx, box.x0), box.x1)
        ny = min(max(item.cy, box.y0), box.y1)
        return (nx - item.cx) ** 2 + (ny - item.cy) ** 2 < item.r * item.r
    if shape.hull is not None:
        corners = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
        return convex_overlap(list(shape.hull), corners)
    return True  # rectangles: the bounds are the shape


def num(value: float, digits: int = 1) -> str:
    """``value`` to at most ``digits`` decimals, without trailing zeros."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def at_text(info: TextInfo) -> str:
    """Where a text is, in scene units (the SVG's user units): its box's centre."""
    box = info.box
    return f"({num((box.x0 + box.x1) / 2, 0)}, {num((box.y0 + box.y1) / 2, 0)})"


def quote(text: str) -> str:
    """A figure text in a message: at most 40 characters, on one line, no control codes."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    return "'" + printable(shown.replace("'", "\\'")) + "'"
