"""Scene -> SVG text, with svgwrite.

The renderer makes no decisions about geometry or style: it writes what the
scene holds. Numbers have a fixed precision (2 decimals, trailing zeros
stripped), attributes come out sorted and ids come from the scene, so the same
scene always gives the same bytes. Every id (and every ``url(#...)`` reference) starts
with a prefix of the figure's own, so that two figures inlined in one HTML page or
notebook never share an id: by default ``n`` and eight hex digits of a digest of the
figure itself (see :func:`render_svg`), or one given by the caller.

Edge bundles become a few ``<path>`` elements of at most :data:`SEGMENTS_PER_PATH`
segments, whose path data is built with plain string joins from pre-formatted vertices:
that keeps a 535k-edge figure fast to write and fast for cairosvg to rasterise.

This module is also the ``svg`` writer of :mod:`nnsvg.render.writers` (:func:`write`,
:func:`cost`).
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Iterable
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import svgwrite
import svgwrite.container

from nnsvg.errors import NnsvgError, printable
from nnsvg.scene import (
    Circle,
    EdgeBundle,
    GradientRect,
    Group,
    Image,
    Item,
    Paint,
    Path,
    Polygon,
    Polygons,
    Rect,
    Scene,
    Text,
    TextStyle,
)

if TYPE_CHECKING:
    from nnsvg.render.writers import WriteOptions

__all__ = ["SEGMENTS_PER_PATH", "check_id_prefix", "fmt", "render_svg", "root_size", "write"]

SEGMENTS_PER_PATH = 100

# Characters XML 1.0 cannot hold, even escaped: C0 controls other than tab, LF and CR,
# lone surrogates, U+FFFE and U+FFFF. Validation keeps them out of a spec's text, but
# a figure must be well-formed whatever reaches the renderer, so any that get here are
# written as U+FFFD (the replacement character) instead of making the SVG unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# Stands for the derived id prefix while the document is written: a character no other
# text of the figure can hold (every text and attribute passes _xml, which replaces it).
_ID_MARK = "\x01"
_ID_PREFIX = re.compile(r"(?:[A-Za-z_][A-Za-z0-9_.-]{0,63})?")


def check_id_prefix(prefix: str, field: str = "id_prefix") -> str:
    """``prefix`` if it can start every id of a figure (empty, or an XML name of at most
    64 letters, digits, ``_``, ``-`` and ``.`` that starts with a letter or ``_``).

    >>> check_id_prefix("fig1-")
    'fig1-'
    """
    if not isinstance(prefix, str) or not _ID_PREFIX.fullmatch(prefix):
        shown = printable(prefix) if isinstance(prefix, str) else type(prefix).__name__
        raise NnsvgError(
            "must be empty or start with a letter or '_' and hold at most 64 letters, "
            f"digits, '_', '-' and '.', got '{shown[:80]}'",
            field=field,
        )
    return prefix


def _derived_prefix(text: str) -> str:
    """``n`` and 8 hex digits of a digest of the figure written with :data:`_ID_MARK`:
    the same figure gets the same prefix on every run and machine, a different one
    (almost surely) another."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4)
    return f"n{digest.hexdigest()}-"


def _xml(text: str) -> str:
    """``text`` with every character XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text) if _NOT_XML.search(text) else text


def _xml_attribute(key: str, value: str) -> str:
    """An attribute value made safe for XML; path data and points are nnsvg's own
    numbers (never spec text) and are left as they are: they are the bulk of a figure."""
    return value if key in ("d", "points") else _xml(value)


def fmt(value: float) -> str:
    """A coordinate at fixed precision: 2 decimals, trailing zeros stripped.

    >>> [fmt(v) for v in (1.0, 0.5, -0.004, 2.345678, 160.1)]
    ['1', '0.5', '0', '2.35', '160.1']
    """
    text = f"{value:.2f}"
    if text.endswith("00"):
        text = text[:-3]
    elif text.endswith("0"):
        text = text[:-1]
    return "0" if text == "-0" else text


def _opacity(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def _dash(values: tuple[float, ...]) -> str:
    return " ".join(fmt(d) for d in values)


# (scene field, SVG attribute, formatter) for paint and text style: None means inherit.
_PAINT_ATTRS = (
    ("fill", "fill", str),
    ("fill_opacity", "fill-opacity", _opacity),
    ("stroke", "stroke", str),
    ("stroke_width", "stroke-width", fmt),
    ("stroke_opacity", "stroke-opacity", _opacity),
    ("dash", "stroke-dasharray", _dash),
    ("linecap", "stroke-linecap", str),
    ("linejoin", "stroke-linejoin", str),
    ("opacity", "opacity", _opacity),
)
_TEXT_ATTRS = (
    ("family", "font-family", str),
    ("size", "font-size", fmt),
    ("weight", "font-weight", str),
    ("style", "font-style", str),
    ("color", "fill", str),
)


def _attrs(style: Paint | TextStyle | None, table: tuple) -> dict[str, str]:
    if style is None:
        return {}
    attrs: dict[str, str] = {}
    for name, attr, convert in table:
        value = getattr(style, name)
        if value is not None and value != ():
            attrs[attr] = convert(value)
    return attrs


def _paint_attrs(paint: Paint | None) -> dict[str, str]:
    return _attrs(paint, _PAINT_ATTRS)


def _text_attrs(style: TextStyle | None) -> dict[str, str]:
    return _attrs(style, _TEXT_ATTRS)


_BULK = "nnsvg-bulk-"
_BULK_MARK = re.compile(f"<!--{_BULK}([0-9]+)-->")


class _Placeholder:
    """Stands in the svgwrite tree for element text written directly (see
    :meth:`_Writer.edges`): it serialises as a comment that :func:`render_svg`
    replaces. A spec cannot forge one: text and attribute values are escaped."""

    def __init__(self, key: int) -> None:
        self.key = key

    def get_xml(self) -> ElementTree.Element:
        return ElementTree.Comment(f"{_BULK}{self.key}")


def _escape_attribute(value: str) -> str:
    """An attribute value escaped as ElementTree (so svgwrite) escapes it."""
    if any(c in value for c in '&<>"\n\r\t'):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        value = value.replace('"', "&quot;").replace("\r", "&#13;").replace("\n", "&#10;")
        value = value.replace("\t", "&#09;")
    return value


def _tag(
    name: str, attrs: dict[str, str | None], close: bool = False, eid: str | None = None
) -> str:
    """A start tag (or an empty element, ``close``) exactly as svgwrite writes it:
    attributes sorted, empty values left out, text XML cannot hold replaced. ``eid``,
    the element's whole id (prefix included, the rest escaped), is written as it is."""
    parts = [f"<{name}"]
    cleaned = {k: _escape_attribute(_xml_attribute(k, v)) for k, v in attrs.items() if v}
    if eid:
        cleaned["id"] = eid
    for key, value in sorted(cleaned.items()):
        parts.append(f' {key}="{value}"')
    parts.append(" />" if close else ">")
    return "".join(parts)


class _Writer:
    """Builds the svgwrite document for one scene."""

    def __init__(self, drawing: svgwrite.Drawing, id_prefix: str) -> None:
        self.dwg = drawing
        self.prefix = id_prefix
        self.gradients = 0
        self.bulk: list[str] = []  # element text that replaces placeholder k

    def element(self, name: str, attrs: dict[str, str], cls: str | None, eid: str | None):
        el = svgwrite.base.BaseElement(debug=False)
        el.elementname = name
        el.attribs.update({k: _xml_attribute(k, v) for k, v in attrs.items()})
        if cls:
            el.attribs["class"] = cls
        if eid:
            el.attribs["id"] = self.prefix + _xml(eid)
        return el

    def add(self, parent, item: Item) -> None:
        if isinstance(item, Group):
            self.group(parent, item)
        elif isinstance(item, Circle):
            attrs = {"cx": fmt(item.cx), "cy": fmt(item.cy), "r": fmt(item.r)}
            attrs.update(_paint_attrs(item.paint))
            parent.add(self.element("circle", attrs, item.cls, item.id))
        elif isinstance(item, Rect):
            attrs = {
                "x": fmt(item.x),
                "y": fmt(item.y),
                "width": fmt(item.w),
                "height": fmt(item.h),
            }
            if item.rx:
                attrs["rx"] = fmt(item.rx)
            attrs.update(_paint_attrs(item.paint))
            parent.add(self.element("rect", attrs, item.cls, item.id))
        elif isinstance(item, Polygon):
            attrs = {"points": " ".join(f"{fmt(x)},{fmt(y)}" for x, y in item.points)}
            attrs.update(_paint_attrs(item.paint))
            parent.add(self.element("polygon", attrs, item.cls, item.id))
        elif isinstance(item, Path):
            attrs = {"d": _path_data(item.commands)}
            attrs.update(_paint_attrs(item.paint))
            parent.add(self.element("path", attrs, item.cls, item.id))
        elif isinstance(item, Text):
            self.text(parent, item)
        elif isinstance(item, GradientRect):
            self.gradient_rect(parent, item)
        elif isinstance(item, Image):
            attrs = {
                "x": fmt(item.x),
                "y": fmt(item.y),
                "width": fmt(item.w),
                "height": fmt(item.h),
                "preserveAspectRatio": "none",
                "xlink:href": item.uri,
            }
            if item.opacity < 1:
                attrs["opacity"] = _opacity(item.opacity)
            parent.add(self.element("image", attrs, item.cls, item.id))
        elif isinstance(item, EdgeBundle):
            self.edges(parent, item)
        elif isinstance(item, Polygons):
            self.polygons(parent, item)
        else:  # pragma: no cover - the scene is a closed set
            raise TypeError(f"cannot render {type(item).__name__}")

    def group(self, parent, group: Group) -> None:
        attrs = _paint_attrs(group.paint)
        attrs.update(_text_attrs(group.text_style))
        g = self.element("g", attrs, group.role, group.id)
        if group.title:
            g.add(svgwrite.base.Title(_xml(group.title)))
        for child in group.children:
            self.add(g, child)
        parent.add(g)

    def text(self, parent, item: Text) -> None:
        if item.runs:
            # Each run at the x the layout measured it at: viewers differ in how they
            # anchor a text of several tspans (cairosvg anchors only the first).
            start = item.x - {"start": 0.0, "middle": 0.5, "end": 1.0}[item.anchor] * item.width
            attrs = {"x": fmt(start), "y": fmt(item.y)}
            el = self.dwg.text("", debug=False)
            for run in item.runs:
                span = {"x": fmt(start + run.x), "y": fmt(item.y - run.rise)}
                span.update(_text_attrs(TextStyle(run.family, run.size, run.weight, run.style)))
                tspan = self.dwg.tspan(_xml(run.text), debug=False)
                tspan.attribs.update({k: _xml(v) for k, v in span.items()})
                el.add(tspan)
        else:
            attrs = {"x": fmt(item.x), "y": fmt(item.y)}
            if item.anchor != "start":
                attrs["text-anchor"] = item.anchor
            el = self.dwg.text(_xml(item.text), debug=False)
        attrs.update(_text_attrs(item.style))
        el.attribs.update({k: _xml(v) for k, v in attrs.items()})
        if item.cls:
            el.attribs["class"] = item.cls
        if item.id:
            el.attribs["id"] = self.prefix + _xml(item.id)
        parent.add(el)

    def gradient_rect(self, parent, item: GradientRect) -> None:
        self.gradients += 1
        gid = item.id + "-gradient" if item.id else f"gradient-{self.gradients}"
        if item.vertical:
            ends = {"x1": "0", "y1": "1", "x2": "0", "y2": "0"}
        else:
            ends = {"x1": "0", "y1": "0", "x2": "1", "y2": "0"}
        gradient = self.element("linearGradient", ends, None, gid)
        for offset, color in item.stops:
            gradient.add(
                self.element("stop", {"offset": fmt(offset), "stop-color": color}, None, None)
            )
        self.dwg.defs.add(gradient)
        attrs = {
            "x": fmt(item.x),
            "y": fmt(item.y),
            "width": fmt(item.w),
            "height": fmt(item.h),
        }
        attrs.update({k: v for k, v in _paint_attrs(item.paint).items() if k != "fill"})
        rect = self.element("rect", attrs, item.cls, item.id)
        rect.attribs["fill"] = f"url(#{self.prefix}{_xml(gid)})"  # the prefix is not cleaned away
        parent.add(rect)

    def edges(self, parent, bundle: EdgeBundle) -> None:
        """An edge bundle is written as text here, not as svgwrite elements: a 535k-edge
        figure has thousands of paths, and an element object each cost twice the time
        of the rest of the figure. A placeholder marks its place in the document."""
        paint = _paint_attrs(bundle.paint)
        paint["class"] = bundle.cls
        eid = self.prefix + _escape_attribute(_xml(bundle.id)) if bundle.id else None
        chunks = edge_path_data(bundle)
        if len(chunks) == 1:
            text = _tag("path", {"d": chunks[0], **paint}, close=True, eid=eid)
        else:
            # Several chunks share one style: a group carries it, once.
            paths = "\n".join([f'<path d="{d}" />' for d in chunks])
            text = f"{_tag('g', paint, eid=eid)}\n{paths}\n</g>"
        self.bulk.append(text)
        parent.add(_Placeholder(len(self.bulk) - 1))

    def polygons(self, parent, item: Polygons) -> None:
        paint = _paint_attrs(item.paint)
        chunk: list[str] = []
        for k, poly in enumerate(item.polygons):
            close = "Z" if item.closed else ""
            chunk.append("M" + " ".join(f"{fmt(x)} {fmt(y)}" for x, y in poly) + close)
            if len(chunk) == SEGMENTS_PER_PATH or k == len(item.polygons) - 1:
                attrs = {"d": "".join(chunk)}
                attrs.update(paint)
                parent.add(self.element("path", attrs, item.cls, None))
                chunk = []


def edge_path_data(bundle: EdgeBundle) -> list[str]:
    """The ``d`` strings for a bundle: runs split into chunks of at most
    :data:`SEGMENTS_PER_PATH` segments (a long run continues in the next chunk)."""
    vertex = [f"{fmt(x)} {fmt(y)}" for x, y in zip(bundle.xs, bundle.ys)]
    chunks: list[str] = []
    parts: list[str] = []
    used = 0
    limit = SEGMENTS_PER_PATH
    if bundle.curve == "straight":
        for run in bundle.runs:
            start = 0
            last = len(run) - 1
            while start < last:
                room = limit - used
                stop = min(last, start + room)
                # "M x y x y ...": pairs after a moveto are implicit linetos.
                parts.append("M" + " ".join([vertex[i] for i in run[start : stop + 1]]))
                used += stop - start
                start = stop
                if used >= limit:
                    chunks.append("".join(parts))
                    parts, used = [], 0
    else:
        horizontal = bundle.curve == "bezier-h"
        xs, ys = bundle.xs, bundle.ys
        for run in bundle.runs:
            start = 0
            last = len(run) - 1
            while start < last:
                room = limit - used
                stop = min(last, start + room)
                parts.append(
                    "M" + vertex[run[start]] + _curves(xs, ys, run, start, stop, horizontal)
                )
                used += stop - start
                start = stop
                if used >= limit:
                    chunks.append("".join(parts))
                    parts, used = [], 0
    if parts:
        chunks.append("".join(parts))
    return chunks


def _curves(
    xs: tuple[float, ...],
    ys: tuple[float, ...],
    run: array,
    start: int,
    stop: int,
    horizontal: bool,
) -> str:
    """Cubic segments along ``run[start..stop]`` with control points at the midpoint
    of the flow axis (NN-SVG's Bezier edges)."""
    out = []
    for k in range(start, stop):
        a, b = run[k], run[k + 1]
        x0, y0, x1, y1 = xs[a], ys[a], xs[b], ys[b]
        if horizontal:
            mx = fmt((x0 + x1) / 2)
            out.append(f"C{mx} {fmt(y0)} {mx} {fmt(y1)} {fmt(x1)} {fmt(y1)}")
        else:
            my = fmt((y0 + y1) / 2)
            out.append(f"C{fmt(x0)} {my} {fmt(x1)} {my} {fmt(x1)} {fmt(y1)}")
    return "".join(out)


def _path_data(commands: Iterable[tuple]) -> str:
    out = []
    for cmd in commands:
        name = cmd[0]
        if name == "A":
            rx, ry, rot, large, sweep, x, y = cmd[1:]
            out.append(
                f"A{fmt(rx)} {fmt(ry)} {fmt(rot)} {int(large)} {int(sweep)} {fmt(x)} {fmt(y)}"
            )
        else:
            out.append(name + " ".join(fmt(v) for v in cmd[1:]))
    return "".join(out)


def render_svg(scene: Scene, *, id_prefix: str | None = None, embed_fonts: bool = False) -> str:
    """The SVG document for ``scene``, as text (one element per line).

    ``id_prefix`` starts every id: None (the default) derives one from the figure
    (``n`` and 8 hex digits, see :func:`_derived_prefix`), ``""`` writes the scene's ids
    as they are, any other text (see :func:`check_id_prefix`) is used as given.
    ``embed_fonts`` embeds the glyphs of the shipped fonts its texts use (see
    :mod:`nnsvg.render.font_embed`); the ids are the same either way."""
    text = _render_svg(scene, id_prefix)
    if embed_fonts:
        from nnsvg.render.font_embed import embed_fonts as embed

        text = embed(text, scene)
    return text


def _render_svg(scene: Scene, id_prefix: str | None) -> str:
    derive = id_prefix is None
    prefix = _ID_MARK if derive else check_id_prefix(id_prefix)
    vx, vy, vw, vh = scene.viewbox
    width, height, unit = _root_lengths(scene)
    dwg = svgwrite.Drawing(size=(width + unit, height + unit), debug=False, profile="full")
    dwg.attribs["viewBox"] = f"{fmt(vx)} {fmt(vy)} {fmt(vw)} {fmt(vh)}"
    for key, value in sorted(scene.meta.items()):
        dwg.attribs[f"data-nnsvg-{key}"] = _xml(value)
    writer = _Writer(dwg, prefix)
    _accessible(dwg, scene, prefix)
    root_attrs = _text_attrs(scene.font) if scene.font else {}
    root = writer.element("g", root_attrs, "figure", "figure")
    if scene.background:
        root.add(
            writer.element(
                "rect",
                {
                    "x": fmt(vx),
                    "y": fmt(vy),
                    "width": fmt(vw),
                    "height": fmt(vh),
                    "fill": scene.background,
                },
                "background",
                "background",
            )
        )
    for item in scene.items:
        writer.add(root, item)
    dwg.add(root)
    text = dwg.tostring()
    if not dwg.defs.elements:
        text = text.replace("<defs />", "", 1)
    # One element per line: readable diffs. Whitespace between elements is
    # insignificant in SVG; a <text> holds only character data, never "><", or
    # tspans, which stay on its line (a newline between them is a space in SVG 2).
    text = text.replace("><", ">\n<")
    text = text.replace(">\n<tspan", "><tspan").replace("</tspan>\n</text>", "</tspan></text>")
    if writer.bulk:
        parts = _BULK_MARK.split(text)  # text, key, text, key, ..., text
        parts[1::2] = [writer.bulk[int(key)] for key in parts[1::2]]
        text = "".join(parts)
    if derive:
        text = text.replace(_ID_MARK, _derived_prefix(text))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n"


def _accessible(dwg: svgwrite.Drawing, scene: Scene, prefix: str) -> None:
    """The figure's ``<title>`` and ``<desc>`` (ids ``title`` and ``desc``, prefixed),
    and, on the root, ``role="img"`` and ``aria-labelledby`` naming them: a screen
    reader reads the figure as one image with that name and description."""
    labelled = []
    for name, text, element in (
        ("desc", scene.desc, svgwrite.base.Desc),
        ("title", scene.title, svgwrite.base.Title),
    ):
        if text is None:
            continue
        el = element(_xml(text))
        el.xml.set("id", prefix + name)
        dwg.elements.insert(0, el)
        labelled.insert(0, prefix + name)
    dwg.attribs["role"] = "img"
    if labelled:
        dwg.attribs["aria-labelledby"] = " ".join(labelled)


def root_size(scene: Scene) -> tuple[float, float, str]:
    """The ``width`` and ``height`` :func:`render_svg` writes on the root ``<svg>`` of
    ``scene`` (at the precision written) and their unit (``""`` for user units).

    >>> root_size(Scene(viewbox=(0, 0, 300, 100.123), items=(), physical_width=(3.5, "in")))
    (3.5, 1.1681, 'in')
    """
    width, height, unit = _root_lengths(scene)
    return float(width), float(height), unit


def _root_lengths(scene: Scene) -> tuple[str, str, str]:
    _vx, _vy, vw, vh = scene.viewbox
    if scene.physical_width is not None:
        value, unit = scene.physical_width
        return _length(value), _length(value * vh / vw), unit
    return fmt(vw), fmt(vh), ""


def _length(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


# -- the SVG writer (see nnsvg.render.writers) ----------------------------------------


def write(scene: Scene, options: WriteOptions) -> bytes:
    """The SVG file of ``scene``: :func:`render_svg`'s text as UTF-8, with the fonts
    embedded when ``options.embed_fonts`` says so."""
    text = options.svg_of(scene)
    if options.embed_fonts:
        from nnsvg.render.font_embed import embed_fonts

        text = embed_fonts(text, scene)
    return text.encode("utf-8")


def cost(scene: Scene) -> float:
    """What writing ``scene`` as SVG costs (see :mod:`nnsvg.render.writers`)."""
    from nnsvg.render.writers import edge_cost

    return edge_cost(scene, straight=0.2, curved=0.3)
