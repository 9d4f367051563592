"""Scene -> SVG text, with svgwrite.

The renderer makes no decisions about geometry or style: it writes what the
scene holds. Numbers have a fixed precision (2 decimals, trailing zeros
stripped), attributes come out sorted and ids come from the scene, so the same
scene always gives the same bytes. Edge bundles become a few ``<path>``
elements of at most :data:`SEGMENTS_PER_PATH` segments, whose path data is
built with plain string joins from pre-formatted vertices: that keeps a
535k-edge figure fast to write and fast for cairosvg to rasterise.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from xml.etree import ElementTree

import svgwrite
import svgwrite.container

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

__all__ = ["SEGMENTS_PER_PATH", "fmt", "render_svg"]

SEGMENTS_PER_PATH = 100

# Characters XML 1.0 cannot hold, even escaped: C0 controls other than tab, LF and CR,
# lone surrogates, U+FFFE and U+FFFF. Validation keeps them out of a spec's text, but
# a figure must be well-formed whatever reaches the renderer, so any that get here are
# written as U+FFFD (the replacement character) instead of making the SVG unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def _tag(name: str, attrs: dict[str, str | None], close: bool = False) -> str:
    """A start tag (or an empty element, ``close``) exactly as svgwrite writes it:
    attributes sorted, empty values left out, text XML cannot hold replaced."""
    parts = [f"<{name}"]
    for key, value in sorted(attrs.items()):
        if value:
            parts.append(f' {key}="{_escape_attribute(_xml_attribute(key, value))}"')
    parts.append(" />" if close else ">")
    return "".join(parts)


class _Writer:
    """Builds the svgwrite document for one scene."""

    def __init__(self, drawing: svgwrite.Drawing) -> None:
        self.dwg = drawing
        self.gradients = 0
        self.bulk: list[str] = []  # element text that replaces placeholder k

    def element(self, name: str, attrs: dict[str, str], cls: str | None, eid: str | None):
        el = svgwrite.base.BaseElement(debug=False)
        el.elementname = name
        el.attribs.update({k: _xml_attribute(k, v) for k, v in attrs.items()})
        if cls:
            el.attribs["class"] = cls
        if eid:
            el.attribs["id"] = eid
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
        attrs = {"x": fmt(item.x), "y": fmt(item.y)}
        if item.anchor != "start":
            attrs["text-anchor"] = item.anchor
        attrs.update(_text_attrs(item.style))
        el = self.dwg.text(_xml(item.text), debug=False)
        el.attribs.update({k: _xml(v) for k, v in attrs.items()})
        if item.cls:
            el.attribs["class"] = item.cls
        if item.id:
            el.attribs["id"] = item.id
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
            "fill": f"url(#{gid})",
        }
        attrs.update({k: v for k, v in _paint_attrs(item.paint).items() if k != "fill"})
        parent.add(self.element("rect", attrs, item.cls, item.id))

    def edges(self, parent, bundle: EdgeBundle) -> None:
        """An edge bundle is written as text here, not as svgwrite elements: a 535k-edge
        figure has thousands of paths, and an element object each cost twice the time
        of the rest of the figure. A placeholder marks its place in the document."""
        paint = _paint_attrs(bundle.paint)
        ident = {"class": bundle.cls, "id": bundle.id}
        chunks = edge_path_data(bundle)
        if len(chunks) == 1:
            text = _tag("path", {"d": chunks[0], **paint, **ident}, close=True)
        else:
            # Several chunks share one style: a group carries it, once.
            paths = "\n".join([f'<path d="{d}" />' for d in chunks])
            text = f"{_tag('g', {**paint, **ident})}\n{paths}\n</g>"
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


def render_svg(scene: Scene) -> str:
    """The SVG document for ``scene``, as text (one element per line)."""
    vx, vy, vw, vh = scene.viewbox
    if scene.physical_width is not None:
        value, unit = scene.physical_width
        height = value * vh / vw
        size = (f"{_length(value)}{unit}", f"{_length(height)}{unit}")
    else:
        size = (fmt(vw), fmt(vh))
    dwg = svgwrite.Drawing(size=size, debug=False, profile="full")
    dwg.attribs["viewBox"] = f"{fmt(vx)} {fmt(vy)} {fmt(vw)} {fmt(vh)}"
    for key, value in sorted(scene.meta.items()):
        dwg.attribs[f"data-nnsvg-{key}"] = _xml(value)
    if scene.title is not None or scene.desc is not None:
        dwg.set_desc(
            title=None if scene.title is None else _xml(scene.title),
            desc=None if scene.desc is None else _xml(scene.desc),
        )
    writer = _Writer(dwg)
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
    # insignificant in SVG; a <text> holds only character data, never "><".
    text = text.replace("><", ">\n<")
    if writer.bulk:
        parts = _BULK_MARK.split(text)  # text, key, text, key, ..., text
        parts[1::2] = [writer.bulk[int(key)] for key in parts[1::2]]
        text = "".join(parts)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + text + "\n"


def _length(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"
