"""The figure lint behind ``nnsvg check``: what a journal would send back.

:func:`lint_scene` looks at a finished :class:`~nnsvg.scene.Scene` (pure geometry,
no fonts, no files) and returns :class:`Finding` s, each naming its rule, the
layer it concerns and, in one line, what is wrong and which option or theme key
fixes it. :func:`lint_file` loads a spec, builds its scene and lints it.

Sizes are in scene units (1 unit = 1 CSS px = 0.75 pt at the figure's natural
size). A text's box is the one the layout measured (``Text.width``, ``ascent``,
``descent``, placed by its anchor). The rules:

``label-overlap``
    Two texts whose boxes overlap by more than 0.5 unit both across and down.
    One finding per pair, on the layer of the first of the two (in layer order).

``label-over-shape``
    A text whose box, shrunk by 0.5 unit on every side, meets the filled area of
    a shape: a circle (exact circle-rectangle test), a rectangle, an image, a
    gradient bar, or a polygon (as its convex hull: every polygon the engines draw
    is convex; separating-axis test). Only shapes with a fill are obstacles (a
    fill of ``none`` or a zero opacity is not); lines are not (edge bundles,
    projection lines, skip arcs, loop arrows, arrowheads: ``Path`` and
    ``Polygons``), nor the background, which is no scene item. Strokes are left
    out: a label may touch an outline. Text meant to sit on its own shape is
    exempt: a text and a shape inside the same group of role ``bias`` (the
    ``+1`` in its bias unit), ``skip`` or ``mark`` (the ``+``/``‖`` in its merge
    mark), ``block`` (the lines of a block in the blocks style, on its rectangle)
    or ``legend`` (swatch and colour-bar labels) are never reported against each
    other; against any other shape they are. One finding per text, naming
    what it lies over (the box, a node, a map... of which layer), with its place.

``text-outside``
    A text whose box reaches more than 0.5 unit outside the viewBox.

``text-too-small``
    A text whose printed size, ``size × (target width in px / viewBox width) ×
    0.75`` pt, is under ``min_text_pt``. One finding per distinct size, on the
    first text of that size (in layer order), with the width the figure needs for
    it and the theme keys that set it (``label.size_size`` ...) and their value.
    The target width is ``target_width``, else the scene's printed width (spec
    ``width:`` or ``--width``), else its natural size.

``greyscale-contrast``
    Two adjacent layers (``layer-N`` and ``layer-N+1``, the input being 0) whose
    main fills differ as colours (some sRGB channel by more than 10%: closer
    fills are one colour with a nuance, and greyscale loses nothing) but whose
    relative luminances differ by less than ``min_grey_difference``. Equal fills
    are never a finding: a uniform theme is a choice. The main fill, read off the
    layer's group: the fill of its ``nodes`` group (FCNN); of its front map, the last
    filled rectangle of its ``maps`` group, or of its ``vector`` (LeNet); the colour
    its ``box`` group is shaded from (AlexNet: its front tone; the "most common
    fill" of a box is not, its shaded top and side faces are drawn as often). That
    colour is the layer's ``color`` in the spec when it has one, else the swatch of its kind in
    the legend when there is one, else read off the faces: the box's own faces
    are those joined by shared corners to the last face drawn (a kernel box drawn
    inside it shares none), its end faces those with no edge along the network
    (the direction from the layer before to the layer after, on screen), and the
    end nearer the network's start is never the darker ReLU band. Opaque boxes
    seen from their far end do not show that end: there the first face drawn is
    taken, the band colour for a conv+ReLU box.

``image-not-drawn``
    An ``image`` the spec gives (the input's or a layer's) that the figure does not
    show: LeNet draws them on feature maps only (not on a layer drawn as a vector);
    the other styles draw none, and an image there is an error.

``glyph-missing``
    A character of a text that the font nnsvg draws it with (the shipped face its
    family, weight and style map to, :mod:`nnsvg.fonts`: DejaVu Sans, Serif or Sans
    Mono, their bold, DejaVu Sans Oblique and Serif Italic for italic text)
    has no glyph for: PNG and PDF would show an empty box or nothing. One finding
    per text and code point (control and invisible format characters aside), naming
    the text and the code point.

``too-wide``
    With ``max_width``: the target width (``target_width``, else the scene's
    printed width) is wider than it, or, when the figure has no target width, its
    natural size (1 unit = 1 px) is.

Which layer a text or shape belongs to is what the scene says: the node group it
is drawn in (``layer-N``, the input being ``layer-0``, or ``input-K``: every engine
draws a layer's captions, numbers and bias units in that layer's group), the skip
for a merge mark (``skip-A-B``: the layer B it ends in), ``legend`` for a legend's
texts, ``figure title`` for the title. A layer is called what the scene's ``names``
call its group (the pipeline fills them from the spec, :mod:`nnsvg.names`; drawn
with ``--style fcnn``, a CNN's dense tail is named by the spec's own layers), else
by its group's id.

Findings are sorted by layer (figure-wide, then the input, then layers in spec
order, then the legend and the title), rule and message, so a run prints the
same lines every time. Texts and shapes are paired through a uniform grid, so a
figure of thousands of nodes lints in milliseconds.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import TYPE_CHECKING

from nnsvg.checker import printable
from nnsvg.colors import luminance, parse_color, to_rgb
from nnsvg.fonts import FACE_NAMES, font_path
from nnsvg.fonts.sfnt import read_face
from nnsvg.geometry import convex_hull, convex_overlap
from nnsvg.names import describe_layer
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
    bounds,
    iter_leaves,
    points_box,
)
from nnsvg.spec.model import Spec
from nnsvg.textmetrics import DEFAULT_METRICS
from nnsvg.units import PX_PER_UNIT, parse_length, split_length

if TYPE_CHECKING:
    from nnsvg.pipeline import RenderOptions

__all__ = [
    "RULES",
    "Finding",
    "LintOptions",
    "format_finding",
    "lint_drawn",
    "lint_file",
    "lint_scene",
]

RULES = (
    "label-overlap",
    "label-over-shape",
    "text-outside",
    "text-too-small",
    "greyscale-contrast",
    "image-not-drawn",
    "glyph-missing",
    "too-wide",
)

#: How far (units) two boxes must overlap, or a box reach out, to count.
TOLERANCE = 0.5
#: Fills closer than this in every sRGB channel (0-255) are one colour.
SAME_COLOUR_CHANNEL = 25.5
PT_PER_PX = 0.75
#: Theme keys that size a text through a factor: the key's value per unit of size.
_KEY_PER_SIZE = {"node.radius": 1 / 0.95, "skip.mark_radius": 1 / 1.6}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``rule`` (one of :data:`RULES`), the ``layer`` it concerns as a
    human name (``layers[2] 'C1'``, ``input``, ``legend``; None for the whole
    figure), and a one-line ``message`` that says how to fix it."""

    rule: str
    layer: str | None
    message: str


@dataclass(frozen=True, slots=True)
class LintOptions:
    """What the lint checks against.

    ``target_width``: the width the figure will be printed at (a CSS length,
    ``3.5in``); None takes the scene's printed width, else its natural size.
    ``max_width``: the widest the figure may be printed (the page's text width).
    ``min_grey_difference``: in relative luminance, 0 to 1."""

    min_text_pt: float = 6.0
    target_width: str | None = None
    max_width: str | None = None
    min_grey_difference: float = 0.08


def format_finding(file: str, finding: Finding) -> str:
    """``spec.yaml: layers[2] 'C1': label-overlap: ...`` (no layer part when None)."""
    where = f"{finding.layer}: " if finding.layer else ""
    return f"{file}: {where}{finding.rule}: {finding.message}"


def lint_file(
    path: str | FilePath,
    options: LintOptions | None = None,
    render_options: RenderOptions | None = None,
) -> list[Finding]:
    """Load the spec at ``path``, build its scene with ``render_options`` (as
    ``render`` would: theme, style, width...) and lint it. Spec and layout errors
    raise as they do for ``render``; a bad ``target_width`` or ``max_width`` raises
    an :class:`~nnsvg.errors.NnsvgError` naming it."""
    from nnsvg.pipeline import RenderOptions, build_scene, load_spec

    render_options = render_options or RenderOptions()
    spec = load_spec(path)
    return lint_drawn(spec, build_scene(spec, render_options), render_options, options)


def lint_drawn(
    spec: Spec,
    scene: Scene,
    render_options: RenderOptions,
    options: LintOptions | None = None,
) -> list[Finding]:
    """Lint ``scene``, drawn from ``spec`` with ``render_options`` (its ``--style``
    stands for the spec's own)."""
    if render_options.style is not None:
        spec = dataclasses.replace(spec, style=render_options.style)
    return lint_scene(scene, spec, options or LintOptions())


# --- places -------------------------------------------------------------------------
_NODE_ID = re.compile(r"(layer|input)-(\d+)")
_SKIP_ID = re.compile(r"skip-(\d+)-(\d+)")
# Sort ranks of the non-layer places (layer-N ranks N - 1: the input first, as -1).
_RANK_FIGURE = -2.0
_RANK_LEGEND = 1e9
_RANK_TITLE = 1e9 + 1
_RANK_OTHER = 1e9 + 2


def _number(node: str | None) -> int | None:
    """N of a ``layer-N`` node id, None for any other."""
    match = _NODE_ID.fullmatch(node or "")
    return int(match[2]) if match and match[1] == "layer" else None


def _node_rank(node: str) -> float:
    """``layer-N``: N - 1 (the input, layer-0, first); ``input-K`` right after it."""
    match = _NODE_ID.fullmatch(node)
    if match is None:
        return _RANK_OTHER
    n = int(match[2])
    return float(n) - 1 if match[1] == "layer" else -1.0 + n / (n + 1)


# --- walking the scene -----------------------------------------------------------------
@dataclass(slots=True)
class _TextInfo:
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
        return _number(self.node)


@dataclass(slots=True)
class _ShapeInfo:
    item: Circle | Rect | Polygon | Image | GradientRect
    box: BBox
    node: str | None
    role: str  # the innermost group role: nodes, bias, maps, box, filters, legend ...
    owner: int | None
    hull: tuple[tuple[float, float], ...] | None  # polygons: the convex hull


@dataclass(slots=True)
class _Context:
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


def _first_word(role: str) -> str:
    return role.split()[0] if role else ""


def _child_context(group: Group, ctx: _Context, top: bool) -> _Context:
    new = dataclasses.replace(ctx)
    word = _first_word(group.role)
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
    if word == "layer" and _NODE_ID.fullmatch(group.id or ""):
        new.node = group.id
        new.place = "layer"
    elif word == "skip":
        skip = _SKIP_ID.fullmatch(group.id or "")
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


def _walk(
    items: Iterable[Item], ctx: _Context, top: bool = True
) -> Iterator[tuple[Item, _Context]]:
    for item in items:
        if isinstance(item, Group):
            yield from _walk(item.children, _child_context(item, ctx, top), False)
        else:
            yield item, ctx


def _is_filled(paint: Paint | None, ctx: _Context) -> bool:
    fill = paint.fill if paint is not None and paint.fill is not None else ctx.fill
    if fill is not None and fill.strip().lower() in ("none", "transparent"):
        return False
    opacity = paint.fill_opacity if paint is not None and paint.fill_opacity is not None else None
    if opacity is None:
        opacity = ctx.fill_opacity
    if opacity is not None and opacity <= 0:
        return False
    return not (paint is not None and paint.opacity is not None and paint.opacity <= 0)


def _collect(scene: Scene) -> tuple[list[_TextInfo], list[_ShapeInfo]]:
    texts: list[_TextInfo] = []
    shapes: list[_ShapeInfo] = []
    font = scene.font
    base = _Context(
        size=font.size if font is not None else None,
        family=font.family if font is not None else None,
        weight=font.weight if font is not None else None,
        slant=font.style if font is not None else None,
    )
    for item, ctx in _walk(scene.items, base):
        if isinstance(item, Text):
            box = bbox_of(item)
            assert box is not None
            style = item.style
            size = style.size if style is not None and style.size else None
            family = style.family if style is not None and style.family else ctx.family
            weight = style.weight if style is not None and style.weight else ctx.weight
            slant = style.style if style is not None and style.style else ctx.slant
            texts.append(
                _TextInfo(
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
            elif not _is_filled(paint, ctx):
                continue
            hull = None
            if isinstance(item, Polygon):
                hull = tuple(convex_hull(list(item.points)))
                if len(hull) < 3 or _area(hull) <= 1e-9:
                    continue  # no area: nothing is filled
            box = points_box(hull) if hull is not None else _fill_box(item)  # type: ignore[arg-type]
            if box.width <= 0 or box.height <= 0:
                continue
            shapes.append(_ShapeInfo(item, box, ctx.node, ctx.role, ctx.owner, hull))
    return texts, shapes


def _fill_box(item: Circle | Rect | Image | GradientRect) -> BBox:
    if isinstance(item, Circle):
        return BBox(item.cx - item.r, item.cy - item.r, item.cx + item.r, item.cy + item.r)
    return BBox(item.x, item.y, item.x + item.w, item.y + item.h)


def _area(points: tuple[tuple[float, float], ...]) -> float:
    total = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
        total += x0 * y1 - x1 * y0
    return abs(total) / 2


# --- a uniform grid ------------------------------------------------------------------
class _Grid:
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


def _cell_size(texts: list[_TextInfo]) -> float:
    heights = sorted(t.box.height for t in texts)
    median = heights[len(heights) // 2] if heights else 16.0
    return max(4.0, 3 * median)


# --- geometry tests ------------------------------------------------------------------
def _shrunk(box: BBox, by: float) -> BBox | None:
    out = BBox(box.x0 + by, box.y0 + by, box.x1 - by, box.y1 - by)
    return out if out.x0 < out.x1 and out.y0 < out.y1 else None


def _meets(box: BBox, shape: _ShapeInfo) -> bool:
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


# --- the rules -----------------------------------------------------------------------
class _Linter:
    def __init__(self, scene: Scene, spec: Spec, options: LintOptions) -> None:
        self.scene = scene
        self.spec = spec
        self.options = options
        self.engine = scene.meta.get("engine", spec.style)  # for the advice only
        self.texts, self.shapes = _collect(scene)
        self.found: list[tuple[tuple, Finding]] = []
        self.centres: dict[int, tuple[float, float]] | None = None
        self.swatches: dict[str, str] | None = None

    # names and ranks
    def place_name(self, node: str | None, place: str = "") -> str | None:
        if node is not None:
            return self.scene.names.get(node, node)
        return {"legend": "legend", "title": "figure title"}.get(place)

    def rank(self, node: str | None, place: str = "") -> float:
        if node is not None:
            return _node_rank(node)
        return {"legend": _RANK_LEGEND, "title": _RANK_TITLE}.get(place, _RANK_OTHER)

    def text_name(self, info: _TextInfo) -> str | None:
        return self.place_name(info.node, info.place)

    def text_rank(self, info: _TextInfo) -> float:
        return self.rank(info.node, info.place)

    def add(self, rule: str, rank: float, layer: str | None, message: str) -> None:
        finding = Finding(rule, layer, message)
        self.found.append(((rank, RULES.index(rule), message), finding))

    def run(self) -> list[Finding]:
        self.label_overlap()
        self.label_over_shape()
        self.text_outside()
        self.text_too_small()
        self.greyscale_contrast()
        self.image_not_drawn()
        self.glyph_missing()
        self.too_wide()
        self.found.sort(key=lambda pair: pair[0])
        return [finding for _, finding in self.found]

    # -- label-overlap --
    def label_overlap(self) -> None:
        texts = self.texts
        grid = _Grid(_cell_size(texts))
        for k, info in enumerate(texts):
            grid.insert(info.box, k)
        for i, a in enumerate(texts):
            for j in grid.query(a.box):
                if j <= i:
                    continue
                b = texts[j]
                dx = min(a.box.x1, b.box.x1) - max(a.box.x0, b.box.x0)
                dy = min(a.box.y1, b.box.y1) - max(a.box.y0, b.box.y0)
                if dx <= TOLERANCE or dy <= TOLERANCE:
                    continue
                first, second = sorted((a, b), key=lambda t: (self.text_rank(t), t.order))
                other = self.text_name(second)
                whose = f" ({other})" if other and other != self.text_name(first) else ""
                self.add(
                    "label-overlap",
                    self.text_rank(first),
                    self.text_name(first),
                    f"{_quote(first.item.text)} at {_at(first)} overlaps "
                    f"{_quote(second.item.text)}{whose} by {_num(dx)}×{_num(dy)} units: "
                    f"{self.overlap_fix(first, second)}",
                )

    def overlap_fix(self, a: _TextInfo, b: _TextInfo) -> str:
        if a.place == "legend" and b.place == "legend":
            if any(isinstance(sh.item, GradientRect) and sh.owner == a.owner for sh in self.shapes):
                return "lower legend.font_size or raise legend.bar_length"  # a colour bar's ticks
            return "lower legend.font_size"
        if "dim" in (a.item.cls, b.item.cls):
            return "turn the numbers off (labels: {dims: false}) or lower boxes.dims_size"
        return {
            "fcnn": "raise layer.spacing or label.min_separation, or shorten a label",
            "lenet": "raise maps.spacing or the layer's spacing, or shorten a label",
            "alexnet": "turn the camera (camera.azimuth) so the network runs across the page, "
            "raise boxes.spacing, or shorten a label",
        }.get(self.engine, "move the labels apart or shorten one")

    # -- label-over-shape --
    def label_over_shape(self) -> None:
        if not self.texts or not self.shapes:
            return
        grid = _Grid(_cell_size(self.texts))
        for k, shape in enumerate(self.shapes):
            grid.insert(shape.box, k)
        for info in self.texts:
            box = _shrunk(info.box, TOLERANCE)
            if box is None:
                continue
            hits = [
                self.shapes[k]
                for k in grid.query(box)
                if not (info.owner is not None and self.shapes[k].owner == info.owner)
                and _meets(box, self.shapes[k])
            ]
            if not hits:
                continue
            what = list(dict.fromkeys(self.describe_shape(shape) for shape in hits))
            over = " and ".join(what[:2]) + (f" and {len(what) - 2} more" if len(what) > 2 else "")
            self.add(
                "label-over-shape",
                self.text_rank(info),
                self.text_name(info),
                f"{_quote(info.item.text)} at {_at(info)} lies over {over}: {self.shape_fix(info)}",
            )

    def describe_shape(self, shape: _ShapeInfo) -> str:
        owner = self.place_name(shape.node)
        of = f" of {owner}" if owner else ""
        item = shape.item
        if shape.role == "legend":
            return "the legend"
        if shape.role == "bias":
            return f"the bias unit{of}"
        if shape.role == "skip":
            return f"the merge mark{of}"
        if shape.role == "filters":
            return "a filter"
        if shape.role == "pyramid":
            return "a kernel pyramid"
        if shape.role == "ellipsis":
            return f"the ellipsis{of}"
        if isinstance(item, Image):
            return f"the image{of}"
        if shape.role == "nodes" or isinstance(item, Circle):
            return f"a node{of}"
        if shape.role == "maps":
            return f"a map{of}"
        if shape.role == "box":
            return f"the box{of}"
        if item.cls == "vector":
            return f"the vector{of}"
        return f"a shape{of}"

    def shape_fix(self, info: _TextInfo) -> str:
        if info.bias:
            return "raise node.radius (the +1 is sized from it) or node.spacing"
        if info.item.cls == "merge":
            return "raise skip.height or skip.mark_radius"
        if info.item.cls == "dim":
            return "turn the numbers off (labels: {dims: false}) or lower boxes.dims_size"
        if info.place == "legend":
            return "raise legend.gap"
        if info.place == "title":
            return "lower label.figure_title_size"
        return "raise layer.label_gap, or shorten the label"

    # -- text-outside --
    def text_outside(self) -> None:
        vx, vy, vw, vh = self.scene.viewbox
        for info in self.texts:
            b = info.box
            out = max(vx - b.x0, vy - b.y0, b.x1 - (vx + vw), b.y1 - (vy + vh))
            if out <= TOLERANCE:
                continue
            sides = [
                name
                for name, d in (
                    ("left", vx - b.x0),
                    ("top", vy - b.y0),
                    ("right", b.x1 - (vx + vw)),
                    ("bottom", b.y1 - (vy + vh)),
                )
                if d > TOLERANCE
            ]
            self.add(
                "text-outside",
                self.text_rank(info),
                self.text_name(info),
                f"{_quote(info.item.text)} at {_at(info)} reaches {_num(out)} units past the "
                f"{' and '.join(sides)} edge of the canvas, where it is cut off: "
                "raise canvas.margin",
            )

    # -- widths --
    def natural_width(self) -> float:
        return float(self.scene.viewbox[2])

    def target(self) -> tuple[float, str, str]:
        """(width in px, unit for messages, how it was chosen)."""
        if self.options.target_width is not None:
            px = parse_length(self.options.target_width, field="target_width")
            unit = _unit_of(self.options.target_width)
            return px, unit, "target"
        if self.scene.physical_width is not None:
            value, unit = self.scene.physical_width
            return value * PX_PER_UNIT.get(unit, 1.0), unit, "width"
        return self.natural_width(), "in", "natural"

    # -- text-too-small --
    def text_too_small(self) -> None:
        if not self.texts:
            return
        target_px, unit, how = self.target()
        scale = target_px / self.natural_width()
        by_size: dict[float, list[_TextInfo]] = defaultdict(list)
        for info in self.texts:
            by_size[info.size].append(info)
        minimum = self.options.min_text_pt
        at = {
            "target": f"at {_length(target_px, unit)} wide",
            "width": f"at the figure's width of {_length(target_px, unit)}",
            "natural": f"at the figure's natural size ({_length(target_px, unit)})",
        }[how]
        for size in sorted(by_size):
            pt = size * scale * PT_PER_PX
            if pt >= minimum - 1e-9:
                continue
            group = sorted(by_size[size], key=lambda t: (self.text_rank(t), t.order))
            first = group[0]
            need_px = target_px * minimum / pt
            need = size * minimum / pt
            raise_keys = " and ".join(
                f"{key} to {_num(_ceil(need * _KEY_PER_SIZE.get(key, 1.0), 1))}"
                for key in sorted({self.size_key(t) for t in group})
            )
            others = len(group) - 1
            subject = (
                f"{_quote(first.item.text)} and {others} other text{'s' if others > 1 else ''} "
                f"of size {_num(size, 2)} print"
                if others
                else f"{_quote(first.item.text)} of size {_num(size, 2)} prints"
            )
            self.add(
                "text-too-small",
                self.text_rank(first),
                self.text_name(first),
                f"{subject} at {_num(pt, 2)} pt {at}, under {_num(minimum, 2)} pt: print the "
                f"figure at least {_length(need_px, unit, up=True)} wide, or raise {raise_keys}",
            )

    def size_key(self, info: _TextInfo) -> str:
        item = info.item
        cls = item.cls or ""
        italic = item.style is not None and item.style.style == "italic"
        plain = item.style is None or item.style.color is None
        if info.place == "legend":
            return "legend.font_size"
        if info.bias:
            # The +1 is sized max(6, min(0.95 × node.radius, font.size)).
            radius = next(
                (
                    sh.item.r
                    for sh in self.shapes
                    if sh.owner == info.owner and isinstance(sh.item, Circle)
                ),
                None,
            )
            if radius is not None and info.size < 0.95 * radius - 0.01:
                return "font.size"
            return "node.radius"
        if cls == "title" or info.place == "title":
            return "label.figure_title_size"
        if cls == "dim":
            return "boxes.dims_size"
        if cls == "merge":
            return "skip.mark_radius"
        if cls == "label-title":
            return "label.title_size"
        if cls == "label-activation":
            return "label.activation_size"
        if cls in ("label-size", "label-op", "caption"):
            if italic:
                return "label.activation_size"
            if plain and cls != "label-op":
                return "label.title_size"
            return "label.size_size"
        return "font.size"

    # -- greyscale-contrast --
    def greyscale_contrast(self) -> None:
        fills = self.main_fills()
        limit = self.options.min_grey_difference
        for number in sorted(fills):
            if number + 1 not in fills:
                continue
            (a, a_key), (b, b_key) = fills[number], fills[number + 1]
            if a == b:
                continue  # one colour on purpose
            if max(abs(x - y) for x, y in zip(to_rgb(a), to_rgb(b))) <= SAME_COLOUR_CHANNEL:
                continue  # one colour with a nuance: greyscale loses nothing
            la, lb = luminance(a), luminance(b)
            if abs(la - lb) >= limit:
                continue
            keys = " or ".join(dict.fromkeys((b_key, a_key)))
            self.add(
                "greyscale-contrast",
                self.rank(f"layer-{number + 1}"),
                self.place_name(f"layer-{number + 1}"),
                f"its fill {b} (luminance {_num(lb, 3)}) and the fill {a} of "
                f"{self.place_name(f'layer-{number}')} (luminance {_num(la, 3)}) differ by "
                f"{_num(abs(la - lb), 3)}, under {_num(limit, 3)}: they print as one grey; "
                f"make one lighter or darker ({keys})",
            )

    def main_fills(self) -> dict[int, tuple[str, str]]:
        """Layer number -> (its main fill, the spec or theme key that sets it)."""
        by_kind = any(
            isinstance(item, Group) and _first_word(item.role) == "legend"
            for item in self.scene.items
        )
        out: dict[int, tuple[str, str]] = {}
        for item in self.scene.items:
            if not isinstance(item, Group) or _first_word(item.role) != "layer":
                continue
            number = _number(item.id)
            if number is None:
                continue
            fill, what = self.main_fill(item, number)
            fill = parse_color(fill) if fill else None
            if fill and fill != "none":
                out[number] = (fill, self.colour_key(number, item.role, what, by_kind))
        return out

    def main_fill(self, group: Group, number: int) -> tuple[str | None, str]:
        """The fill the reader tells a layer by, and what holds it: its ``nodes``
        group's fill, its front map's (the last filled rectangle of its ``maps``), its
        ``vector``'s, or the colour its ``box`` is shaded from."""
        for child in group.children:
            if isinstance(child, Group) and child.role == "nodes":
                return (child.paint.fill if child.paint else None), "nodes"
            if isinstance(child, Group) and child.role == "maps":
                fills = [
                    r.paint.fill
                    for r in child.children
                    if isinstance(r, Rect) and r.paint and r.paint.fill not in (None, "none")
                ]
                return (fills[-1] if fills else None), "maps"
            if isinstance(child, Polygon) and child.cls == "vector":
                return (child.paint.fill if child.paint else None), "vector"
            if isinstance(child, Group) and child.role == "box":
                return self.box_colour(number, group.role, child), "box"
        return None, ""

    def box_colour(self, number: int, role: str, box: Group) -> str | None:
        """The colour an AlexNet box is shaded from: a spec colour or a legend swatch
        names it exactly; else the near end face shows it."""
        own = self.own_colour(number)
        if own is not None:
            return own
        from nnsvg.engines.alexnet import KINDS_3D

        words = role.split()
        swatch = self.legend_swatches().get(KINDS_3D.get(words[1] if len(words) > 1 else "", ""))
        if swatch is not None:
            return swatch
        polygons = [c for c in box.children if isinstance(c, Polygon)]
        return _box_fill(polygons, self.network_direction(number))

    def own_colour(self, number: int) -> str | None:
        """The ``color`` the spec gives the node drawn as ``layer-N``."""
        name = self.place_name(f"layer-{number}") or ""
        if name == "input":
            return self.spec.input.color if self.spec.input is not None else None
        index = re.match(r"(layers|inputs)\[(\d+)\]", name)
        if index is None:
            return None
        if index[1] == "inputs":
            from nnsvg.spec.graph import all_inputs

            return all_inputs(self.spec)[int(index[2])].color
        return self.spec.layers[int(index[2])].color

    def legend_swatches(self) -> dict[str, str]:
        """A legend's swatches: the name written beside each -> its fill."""
        if self.swatches is None:
            self.swatches = {}
            for item in self.scene.items:
                if not isinstance(item, Group) or _first_word(item.role) != "legend":
                    continue
                fill = None
                for child in item.children:
                    if isinstance(child, Rect) and child.paint is not None:
                        fill = child.paint.fill
                    elif isinstance(child, Text) and fill is not None:
                        self.swatches.setdefault(child.text, fill)
                        fill = None
        return self.swatches

    def network_direction(self, n: int) -> tuple[float, float] | None:
        """Which way the network runs on screen at layer ``n``: from the centre of the
        layer before it to the centre of the one after it (a unit vector)."""
        if self.centres is None:
            self.centres = {}
            for item in self.scene.items:
                number = _number(item.id) if isinstance(item, Group) else None
                if number is None:
                    continue
                assert isinstance(item, Group)
                box = bounds([c for c in iter_leaves(item.children) if isinstance(c, Polygon)])
                if box is not None:
                    self.centres[number] = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        a = self.centres.get(n - 1, self.centres.get(n))
        b = self.centres.get(n + 1, self.centres.get(n))
        if a is None or b is None:
            return None
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy)
        return (dx / length, dy / length) if length > 1e-6 else None

    def colour_key(self, number: int, role: str, what: str, by_kind: bool) -> str:
        """Where a layer's fill comes from: its own ``color``, else the theme."""
        if self.own_colour(number) is not None:
            name = self.place_name(f"layer-{number}") or ""
            return "input.color" if name == "input" else name.split(" ")[0] + ".color"
        words = role.split()
        kind = words[1] if len(words) > 1 else ""
        if what == "nodes":  # FCNN
            return {"input": "node.input_fill", "output": "node.output_fill"}.get(kind, "node.fill")
        if by_kind or what == "box":
            # A legend means colours by kind; AlexNet boxes differ only by kind (the
            # one other theme colour, boxes.color, is every box's).
            return f"kinds.{kind}"
        # LeNet: stacks take maps.colors and vectors vector.fill, unless the theme
        # colours by kind with the legend off.
        plain = {"maps": "maps.colors", "vector": "vector.fill"}.get(what, "maps.colors")
        return f"{plain} or kinds.{kind}"

    # -- image-not-drawn --
    def image_not_drawn(self) -> None:
        spec = self.spec
        stated: list[tuple[int, str, str]] = []  # (layer-N, field, file name)
        if spec.input is not None and spec.input.image:
            stated.append((0, "input.image", spec.input.image))
        for layer in spec.layers:
            if layer.image:
                stated.append((layer.index + 1, layer.field_of("image"), layer.image))
        if not stated:
            return
        # Only the lenet style draws images (in the others an image is an error).
        drawn = set(_layers_with_images(self.scene.items, None))
        why = "the layer is drawn as a vector, and images show on feature maps only"
        for number, field, name in stated:
            if number in drawn:
                continue
            # Named as the spec's field is (the layer may not be drawn at all).
            self.add(
                "image-not-drawn",
                _node_rank(f"layer-{number}"),
                "input" if number == 0 else describe_layer(spec, number - 1),
                f"{field} {_quote(name)} is not in the figure: {why}",
            )

    # -- too-wide --
    # -- glyph-missing --
    def glyph_missing(self) -> None:
        seen: set[tuple[str | None, str, int]] = set()
        for info in self.texts:
            face = DEFAULT_METRICS.face(
                info.family, info.weight, "italic" if info.italic else "normal"
            )
            have = read_face(font_path(face)).advances
            name = self.text_name(info)
            for ch in info.item.text:
                cp = ord(ch)
                if cp in have or unicodedata.category(ch) in ("Cc", "Cf"):
                    continue
                if (name, info.item.text, cp) in seen:
                    continue
                seen.add((name, info.item.text, cp))
                char = unicodedata.name(ch, "")
                char = f"U+{cp:04X} {char}" if char else f"U+{cp:04X}"
                self.add(
                    "glyph-missing",
                    self.text_rank(info),
                    name,
                    f"{_quote(info.item.text)} at {_at(info)} has {char}, which "
                    f"{FACE_NAMES[face]} (the font nnsvg draws it with) cannot draw: "
                    "PNG and PDF show an empty box; write the label without it",
                )

    def too_wide(self) -> None:
        if self.options.max_width is None:
            return
        max_px = parse_length(self.options.max_width, field="max_width")
        unit = _unit_of(self.options.max_width)
        target_px, _unit, how = self.target()
        if target_px <= max_px * (1 + 1e-9):
            return
        width = _length(target_px, unit)
        allowed = _length(max_px, unit)
        what = {
            "target": f"the target width {width}",
            "width": f"the figure's width {width}",
            "natural": f"the figure's natural size, {width} (1 unit = 1 px),",
        }[how]
        smallest = min((t.size for t in self.texts), default=None)
        then = ""
        if smallest is not None:
            pt = smallest * max_px / self.natural_width() * PT_PER_PX
            then = f" (its smallest text then prints at {_num(pt, 2)} pt)"
        self.add(
            "too-wide",
            _RANK_FIGURE,
            None,
            f"{what} is wider than the {allowed} allowed: set width: {allowed} in the spec "
            f"or --width {allowed}{then}",
        )


def _layers_with_images(items: Iterable[Item], layer: int | None) -> Iterator[int]:
    """The N of every ``layer-N`` group that holds an image."""
    for item in items:
        if isinstance(item, Image) and layer is not None:
            yield layer
        elif isinstance(item, Group):
            number = _number(item.id)
            yield from _layers_with_images(item.children, layer if number is None else number)


def _box_fill(polygons: list[Polygon], along: tuple[float, float] | None) -> str | None:
    """The base colour of an AlexNet box: the fill of its near end face (module docs).

    ``along`` is the direction the network runs on screen (None: unknown)."""
    filled = [p for p in polygons if p.paint is not None and p.paint.fill not in (None, "none")]
    if not filled:
        return None

    def key(p: tuple[float, float]) -> tuple[float, float]:
        return (round(p[0], 6), round(p[1], 6))

    # The box: the faces joined by shared corners to the last face drawn (a kernel
    # box inside it shares no corner with it).
    by_corner: dict[tuple[float, float], list[int]] = defaultdict(list)
    for k, poly in enumerate(filled):
        for p in poly.points:
            by_corner[key(p)].append(k)
    seen = {len(filled) - 1}
    todo = [len(filled) - 1]
    while todo:
        k = todo.pop()
        for p in filled[k].points:
            for other in by_corner[key(p)]:
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
    box = [poly for k, poly in enumerate(filled) if k in seen]
    first = box[0].paint.fill  # type: ignore[union-attr]
    if along is None:
        return first
    ux, uy = along
    # End faces: the faces with no edge along the network (every top and side face,
    # and every piece of one, has an edge running along it).
    scores = [_across(poly.points, ux, uy) for poly in box]
    best = max(scores)
    ends = [poly for poly, score in zip(box, scores) if score >= best - 0.02]
    xs = [x for poly in box for x, _ in poly.points]
    ys = [y for poly in box for _, y in poly.points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    for poly in ends:
        mx = sum(x for x, _ in poly.points) / len(poly.points)
        my = sum(y for _, y in poly.points) / len(poly.points)
        if (mx - cx) * ux + (my - cy) * uy < 0:  # the near end: always the base colour
            return poly.paint.fill  # type: ignore[union-attr]
    return first


def _across(points: tuple[tuple[float, float], ...], ux: float, uy: float) -> float:
    """The smallest |sin| of the angle between an edge of a polygon and (ux, uy)."""
    low = 1.0
    for k in range(len(points)):
        (ax, ay), (bx, by) = points[k], points[(k + 1) % len(points)]
        n = math.hypot(bx - ax, by - ay)
        if n > 1e-9:
            low = min(low, abs((bx - ax) * uy - (by - ay) * ux) / n)
    return low


# --- formatting ----------------------------------------------------------------------
def _at(info: _TextInfo) -> str:
    """Where a text is, in scene units (the SVG's user units): its box's centre."""
    box = info.box
    return f"({_num((box.x0 + box.x1) / 2, 0)}, {_num((box.y0 + box.y1) / 2, 0)})"


def _quote(text: str) -> str:
    """A figure text in a message: at most 40 characters, on one line, no control codes."""
    shown = text if len(text) <= 40 else text[:37] + "..."
    return "'" + printable(shown.replace("'", "\\'")) + "'"


def _num(value: float, digits: int = 1) -> str:
    """``value`` to at most ``digits`` decimals, without trailing zeros."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _ceil(value: float, digits: int) -> float:
    factor = 10**digits
    return math.ceil(value * factor - 1e-9) / factor


def _unit_of(length: str) -> str:
    """The unit a (valid) length is written in: ``3.5in`` -> ``in``, ``250`` -> ``px``."""
    return split_length(length)[1]


def _length(px: float, unit: str, *, up: bool = False) -> str:
    value = px / PX_PER_UNIT[unit]
    if up:
        value = _ceil(value, 2)
    return _num(value, 2) + unit


def lint_scene(scene: Scene, spec: Spec, options: LintOptions | None = None) -> list[Finding]:
    """Every finding of every rule on ``scene`` (drawn from ``spec``), sorted."""
    return _Linter(scene, spec, options or LintOptions()).run()
