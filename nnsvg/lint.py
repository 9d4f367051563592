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
    ``width:``, ``--width`` or the project file's), else ``default_width`` (a 7 in
    page), and the message says which. The fix it offers converges: besides the
    width the figure needs, the ``font_size`` that keeps every text at or above the
    minimum at that width (the layout then makes room, :mod:`nnsvg.print_size`);
    one value for the whole figure, so applying it clears every such finding.
    Texts whose size ``font_size`` does not set (the ``+1`` of a bias unit, sized
    by ``node.radius``) name their theme key instead.

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
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import TYPE_CHECKING

from nnsvg.fonts import FACE_NAMES, font_path
from nnsvg.fonts.sfnt import read_face
from nnsvg.lint_colour import GreyscaleRule
from nnsvg.lint_size import SizeRules
from nnsvg.lint_walk import (
    RANK_LEGEND,
    RANK_OTHER,
    RANK_TITLE,
    Grid,
    ShapeInfo,
    TextInfo,
    at_text,
    cell_size,
    collect,
    meets,
    node_rank,
    num,
    number_of,
    quote,
    shrunk,
)
from nnsvg.names import describe_layer
from nnsvg.scene import (
    Circle,
    GradientRect,
    Group,
    Image,
    Item,
    Scene,
)
from nnsvg.spec.model import Spec
from nnsvg.textmetrics import DEFAULT_METRICS

if TYPE_CHECKING:
    from nnsvg.pipeline import RenderOptions

__all__ = [
    "RULES",
    "Finding",
    "LintOptions",
    "fit_advice_checked",
    "format_finding",
    "lint_advised",
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
    ``3.5in``); None takes the scene's printed width, else ``default_width``.
    ``max_width``: the widest the figure may be printed (the page's text width).
    ``min_grey_difference``: in relative luminance, 0 to 1."""

    min_text_pt: float = 6.0
    target_width: str | None = None
    default_width: str = "7in"
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
    from nnsvg.panels import PanelsSpec

    if isinstance(spec, PanelsSpec):
        from nnsvg.panels_draw import lint_panels

        return lint_panels(spec, scene, render_options, options)
    if render_options.style is not None:
        spec = dataclasses.replace(spec, style=render_options.style)
    linter = _Linter(scene, spec, options or LintOptions())
    findings = linter.run()
    if linter.advice is not None:
        findings = _advice_checked(findings, linter.advice, spec, render_options)
    return findings


def _advice_checked(
    findings: list[Finding],
    advice: tuple[float, str, str],
    spec: Spec,
    render_options: RenderOptions,
) -> list[Finding]:
    """The findings, with text-too-small's ``font_size`` advice tried: when no layout
    at that width can print the text so large, the advice says so instead."""
    from nnsvg.errors import TextDoesNotFit
    from nnsvg.pipeline import build_scene

    points, width, clause = advice
    trial = dataclasses.replace(render_options, width=width)
    if spec.fit is not None:
        return fit_advice_checked(findings, advice, spec, trial)
    try:
        build_scene(dataclasses.replace(spec, font_size=points), trial)
    except TextDoesNotFit as exc:
        instead = (
            f"shorten its labels (no font_size fits at {width}: there its text prints at "
            f"{num(exc.best, 1)} pt at most)"
        )
        return [
            dataclasses.replace(f, message=f.message.replace(clause, instead)) for f in findings
        ]
    return findings


def fit_advice_checked(
    findings: list[Finding],
    advice: tuple[float, str, str],
    spec: Spec,
    trial: RenderOptions,
) -> list[Finding]:
    """:func:`_advice_checked` for a spec (or a figure of panels) with ``fit``: the
    advice raises its minimum; when nothing fits that minimum, it says so (the width
    it gives still holds)."""
    from nnsvg.fit import FitError
    from nnsvg.pipeline import build_scene

    points, width, clause = advice
    assert spec.fit is not None
    try:
        build_scene(
            dataclasses.replace(spec, fit=dataclasses.replace(spec.fit, min_text=points)), trial
        )
    except FitError:
        instead = (
            f"shorten its labels (no arrangement prints every text at {num(points, 2)} pt "
            f"at {width})"
        )
        return [
            dataclasses.replace(f, message=f.message.replace(clause, instead)) for f in findings
        ]
    return findings


# --- the rules -----------------------------------------------------------------------
class _Linter(GreyscaleRule, SizeRules):
    def __init__(self, scene: Scene, spec: Spec, options: LintOptions) -> None:
        self.scene = scene
        self.spec = spec
        self.options = options
        self.engine = scene.meta.get("engine", spec.style)  # for the advice only
        self.texts, self.shapes = collect(scene)
        self.found: list[tuple[tuple, Finding]] = []
        self.centres: dict[int, tuple[float, float]] | None = None
        self.swatches: dict[str, str] | None = None
        # text-too-small's font_size advice: (points, the width string, its clause)
        self.advice: tuple[float, str, str] | None = None

    # names and ranks
    def place_name(self, node: str | None, place: str = "") -> str | None:
        if node is not None:
            return self.scene.names.get(node, node)
        return {"legend": "legend", "title": "figure title"}.get(place)

    def rank(self, node: str | None, place: str = "") -> float:
        if node is not None:
            return node_rank(node)
        return {"legend": RANK_LEGEND, "title": RANK_TITLE}.get(place, RANK_OTHER)

    def text_name(self, info: TextInfo) -> str | None:
        return self.place_name(info.node, info.place)

    def text_rank(self, info: TextInfo) -> float:
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
        grid = Grid(cell_size(texts))
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
                    f"{quote(first.item.text)} at {at_text(first)} overlaps "
                    f"{quote(second.item.text)}{whose} by {num(dx)}×{num(dy)} units: "
                    f"{self.overlap_fix(first, second)}",
                )

    def overlap_fix(self, a: TextInfo, b: TextInfo) -> str:
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
        grid = Grid(cell_size(self.texts))
        for k, shape in enumerate(self.shapes):
            grid.insert(shape.box, k)
        for info in self.texts:
            box = shrunk(info.box, TOLERANCE)
            if box is None:
                continue
            hits = [
                self.shapes[k]
                for k in grid.query(box)
                if not (info.owner is not None and self.shapes[k].owner == info.owner)
                and meets(box, self.shapes[k])
            ]
            if not hits:
                continue
            what = list(dict.fromkeys(self.describe_shape(shape) for shape in hits))
            over = " and ".join(what[:2]) + (f" and {len(what) - 2} more" if len(what) > 2 else "")
            self.add(
                "label-over-shape",
                self.text_rank(info),
                self.text_name(info),
                f"{quote(info.item.text)} at {at_text(info)} lies over {over}: "
                f"{self.shape_fix(info)}",
            )

    def describe_shape(self, shape: ShapeInfo) -> str:
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

    def shape_fix(self, info: TextInfo) -> str:
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
                f"{quote(info.item.text)} at {at_text(info)} reaches {num(out)} units past the "
                f"{' and '.join(sides)} edge of the canvas, where it is cut off: "
                "raise canvas.margin",
            )

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
                node_rank(f"layer-{number}"),
                "input" if number == 0 else describe_layer(spec, number - 1),
                f"{field} {quote(name)} is not in the figure: {why}",
            )

    # -- glyph-missing --
    def glyph_missing(self) -> None:
        seen: set[tuple[str | None, str, int]] = set()
        for info in self.texts:
            style = "italic" if info.italic else "normal"
            name = self.text_name(info)
            pieces = [
                (r.text, r.family or info.family, r.weight or info.weight, r.style or style)
                for r in info.item.runs
            ] or [(info.item.text, info.family, info.weight, style)]
            for text, family, weight, slant in pieces:
                self.glyphs_of(info, name, text, DEFAULT_METRICS.face(family, weight, slant), seen)

    def glyphs_of(
        self,
        info: TextInfo,
        name: str | None,
        text: str,
        face: str,
        seen: set[tuple[str | None, str, int]],
    ) -> None:
        """A glyph-missing finding per character of ``text`` that ``face`` lacks."""
        have = read_face(font_path(face)).advances
        for ch in text:
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
                f"{quote(info.item.text)} at {at_text(info)} has {char}, which "
                f"{FACE_NAMES[face]} (the font nnsvg draws it with) cannot draw: "
                "PNG and PDF show an empty box; write the label without it",
            )


def _layers_with_images(items: Iterable[Item], layer: int | None) -> Iterator[int]:
    """The N of every ``layer-N`` group that holds an image."""
    for item in items:
        if isinstance(item, Image) and layer is not None:
            yield layer
        elif isinstance(item, Group):
            number = number_of(item.id)
            yield from _layers_with_images(item.children, layer if number is None else number)


# --- formatting ----------------------------------------------------------------------
def lint_scene(scene: Scene, spec: Spec, options: LintOptions | None = None) -> list[Finding]:
    """Every finding of every rule on ``scene`` (drawn from ``spec``), sorted."""
    return lint_advised(scene, spec, options)[0]


def lint_advised(
    scene: Scene, spec: Spec, options: LintOptions | None = None
) -> tuple[list[Finding], tuple[float, str, str] | None]:
    """:func:`lint_scene`, with text-too-small's advice (points, width, its clause) for
    a caller that checks it (a figure of panels: :func:`fit_advice_checked`)."""
    linter = _Linter(scene, spec, options or LintOptions())
    return linter.run(), linter.advice
