"""The TikZ writer (see :mod:`nnsvg.render.writers`): a Scene as a ``tikzpicture`` for
``\\input{fig.tex}`` in a LaTeX document.

The drawing is the figure itself, the labels are left to LaTeX: each :class:`Text` is a
node set in the document's own font (its family is ignored, its weight and style become
``\\bfseries`` and ``\\itshape``), so labels match the text and math around the figure.

* Size: the picture is the figure's printed size, as in the PDF (the scene's physical
  width, or its user units read as px at 96 per inch), and its bounding box is exactly
  that rectangle. Coordinates are in ``bp`` (1/72 in), y flipped to grow upwards.
* Text sizes are the figure's, scaled like the drawing and given in ``pt``, so each label
  keeps the room the layout measured for it. A document can set every label's font with
  ``\\newcommand\\nnsvgfont{\\sffamily}`` (or ``\\small``, which then wins over the size)
  before ``\\input``: the picture applies ``\\nnsvgfont`` after its own size.
* Text is escaped (``# $ % & ~ _ ^ \\ { }``), so any label compiles. Non-ASCII: the
  superscript digits become ``\\textsuperscript``, ``× − ‖ ·`` and Greek letters math,
  ``ℝ ℕ ℤ ℚ ℂ`` ``\\mathbb`` when the document loads amssymb (bold letters otherwise);
  Latin-1 letters are left to LaTeX's UTF-8 input; any other character is typeset as
  itself by LuaLaTeX or XeLaTeX and as ``?`` by pdfLaTeX. Control characters are dropped.
* Preamble: ``\\usepackage{tikz}``, nothing else (amssymb only improves ``ℝ``); a
  label with ``$...$`` math keeps it as written, for LaTeX to set: amsmath and amssymb then.
* An :class:`Image` cannot be embedded in a single ``.tex`` file: it is drawn as a
  framed, crossed placeholder, with a comment and a ``\\typeout`` saying so (write the
  figure as PDF to keep it).
* Colour bars are pgf shadings, declared once per set of stops (the name is a digest of
  the stops, so two figures in one document share or never clash).
* Group opacity is multiplied into each primitive's (SVG composites a group as one).

The output is deterministic: numbers at fixed precision, colours defined in the order
first used, nothing from the clock or the machine.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING

from nnsvg.errors import ExportError
from nnsvg.mathtext import to_latex
from nnsvg.render.sizing import scene_size
from nnsvg.render.tex_text import escape
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

__all__ = ["SEGMENTS_PER_PATH", "cost", "escape", "render_tikz", "write"]

#: At most this many edges in one ``\\path``: TeX's memory holds one path at a time.
SEGMENTS_PER_PATH = 100

#: TeX's largest length is 16383.99pt; a picture's coordinates must stay under it.
MAX_SIDE_BP = 16000.0

BP_PER_PX = 0.75  # 96 CSS px and 72 bp to the inch
PT_PER_BP = 72.27 / 72


def num(value: float) -> str:
    """A number at fixed precision: 2 decimals, trailing zeros stripped.

    >>> [num(v) for v in (1.0, 0.5, -0.004, 2.345678)]
    ['1', '0.5', '0', '2.35']
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _ratio(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


# -- styles -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """Paint and text style resolved down the tree (SVG's inheritance), plus the group
    opacity multiplied in."""

    paint: Paint
    text: TextStyle
    opacity: float = 1.0


def _merge(base, over):
    if over is None:
        return base
    changes = {
        f.name: getattr(over, f.name) for f in fields(over) if getattr(over, f.name) is not None
    }
    return replace(base, **changes) if changes else base


class _Tikz:
    def __init__(self, scene: Scene) -> None:
        vx, vy, vw, vh = scene.viewbox
        width_px, height_px, _physical = scene_size(scene)
        self.sx = width_px * BP_PER_PX / vw  # bp per user unit
        self.sy = height_px * BP_PER_PX / vh
        self.vx, self.vy, self.vh = vx, vy, vh
        self.width_bp, self.height_bp = width_px * BP_PER_PX, height_px * BP_PER_PX
        self.colors: dict[str, str] = {}
        self.shadings: dict[str, str] = {}
        self.lines: list[str] = []
        self.images = 0
        self.sizes: set[str] = set()
        self.math = False  # a label has $...$ math (amsmath, amssymb)

    # coordinates
    def pt(self, x: float, y: float) -> str:
        return f"({num((x - self.vx) * self.sx)},{num((self.vy + self.vh - y) * self.sy)})"

    def length(self, value: float) -> str:
        return num(value * self.sx) + "bp"

    def color(self, value: str) -> str:
        """The xcolor name of a ``#rrggbb`` colour, defined on first use."""
        hexa = value.lstrip("#").lower()
        if len(hexa) == 3:
            hexa = "".join(c * 2 for c in hexa)
        if len(hexa) != 6 or any(c not in "0123456789abcdef" for c in hexa):
            hexa = "000000"
        name = "nnsvg" + hexa
        self.colors.setdefault(name, hexa.upper())
        return name

    def options(self, style: _Style, *, fill: bool = True, stroke: bool = True) -> str:
        paint = style.paint
        opts: list[str] = []
        fill_color = paint.fill if paint.fill is not None else "#000000"
        if fill and fill_color != "none":
            opts.append("fill=" + self.color(fill_color))
            alpha = (paint.fill_opacity if paint.fill_opacity is not None else 1.0) * style.opacity
            if paint.opacity is not None:
                alpha *= paint.opacity
            if alpha < 1:
                opts.append("fill opacity=" + _ratio(alpha))
        if stroke and paint.stroke is not None and paint.stroke != "none":
            opts.append("draw=" + self.color(paint.stroke))
            width = paint.stroke_width if paint.stroke_width is not None else 1.0
            opts.append("line width=" + self.length(width))
            alpha = (
                paint.stroke_opacity if paint.stroke_opacity is not None else 1.0
            ) * style.opacity
            if paint.opacity is not None:
                alpha *= paint.opacity
            if alpha < 1:
                opts.append("draw opacity=" + _ratio(alpha))
            if paint.dash:
                dashes = list(paint.dash) * (2 if len(paint.dash) % 2 else 1)
                pattern = " ".join(
                    f"{'on' if k % 2 == 0 else 'off'} {self.length(d)}"
                    for k, d in enumerate(dashes)
                )
                opts.append("dash pattern=" + pattern)
            cap = {"round": "round", "butt": "butt", "square": "rect"}.get(paint.linecap or "")
            if cap:
                opts.append("line cap=" + cap)
            if paint.linejoin in ("round", "bevel", "miter"):
                opts.append("line join=" + paint.linejoin)
        return ",".join(opts)

    def path(self, style: _Style, geometry: str, *, fill: bool = True, stroke: bool = True) -> None:
        opts = self.options(style, fill=fill, stroke=stroke)
        if opts:
            self.lines.append(f"\\path[{opts}] {geometry};")

    # items
    def add(self, item: Item, style: _Style) -> None:
        if isinstance(item, Group):
            self.group(item, style)
            return
        if isinstance(item, Text):
            self.text(item, style)
            return
        if isinstance(item, Image):
            self.image(item, style)
            return
        if isinstance(item, GradientRect):
            self.gradient(item, style)
            return
        style = replace(style, paint=_merge(style.paint, item.paint))
        if isinstance(item, Circle):
            self.path(style, f"{self.pt(item.cx, item.cy)} circle[radius={self.length(item.r)}]")
        elif isinstance(item, Rect):
            rounded = f"[rounded corners={self.length(item.rx)}] " if item.rx else ""
            corners = (
                f"{self.pt(item.x, item.y + item.h)} rectangle {self.pt(item.x + item.w, item.y)}"
            )
            self.path(style, rounded + corners)
        elif isinstance(item, Polygon):
            if item.points:
                self.path(style, " -- ".join(self.pt(x, y) for x, y in item.points) + " -- cycle")
        elif isinstance(item, Polygons):
            close = " -- cycle" if item.closed else ""
            polys = [p for p in item.polygons if p]
            for k in range(0, len(polys), SEGMENTS_PER_PATH):
                geometry = " ".join(
                    " -- ".join(self.pt(x, y) for x, y in poly) + close
                    for poly in polys[k : k + SEGMENTS_PER_PATH]
                )
                self.path(style, geometry, fill=item.closed)
        elif isinstance(item, Path):
            geometry = self.path_geometry(item.commands)
            if geometry:
                self.path(style, geometry)
        elif isinstance(item, EdgeBundle):
            self.edges(item, style)
        else:  # pragma: no cover - the scene is a closed set
            raise TypeError(f"cannot write {type(item).__name__}")

    def group(self, group: Group, style: _Style) -> None:
        paint = group.paint
        opacity = style.opacity
        if paint is not None and paint.opacity is not None:
            opacity *= paint.opacity
            paint = replace(paint, opacity=None)
        inner = _Style(_merge(style.paint, paint), _merge(style.text, group.text_style), opacity)
        label = group.id or group.role
        self.lines.append(
            f"% {_comment(label)}" + (f": {_comment(group.title)}" if group.title else "")
        )
        for child in group.children:
            self.add(child, inner)

    def path_geometry(self, commands: tuple[tuple, ...]) -> str:
        parts: list[str] = []
        current = start = (0.0, 0.0)
        for cmd in commands:
            name = cmd[0]
            if name == "M":
                current = start = (cmd[1], cmd[2])
                parts.append(self.pt(*current))
            elif name == "L":
                current = (cmd[1], cmd[2])
                parts.append("-- " + self.pt(*current))
            elif name == "Q":
                (qx, qy), (x, y) = (cmd[1], cmd[2]), (cmd[3], cmd[4])
                c1 = (
                    current[0] + 2 / 3 * (qx - current[0]),
                    current[1] + 2 / 3 * (qy - current[1]),
                )
                c2 = (x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y))
                parts.append(self.curve(c1, c2, (x, y)))
                current = (x, y)
            elif name == "C":
                parts.append(self.curve((cmd[1], cmd[2]), (cmd[3], cmd[4]), (cmd[5], cmd[6])))
                current = (cmd[5], cmd[6])
            elif name == "A":
                for c1, c2, end in _arc_curves(current, *cmd[1:]):
                    parts.append(self.curve(c1, c2, end))
                current = (cmd[6], cmd[7])
            elif name == "Z":
                parts.append("-- cycle")
                current = start
        return " ".join(parts)

    def curve(self, c1, c2, end) -> str:
        return f".. controls {self.pt(*c1)} and {self.pt(*c2)} .. {self.pt(*end)}"

    def edges(self, bundle: EdgeBundle, style: _Style) -> None:
        """The bundle's runs, at most :data:`SEGMENTS_PER_PATH` edges a ``\\path``, with
        the SVG writer's geometry (Bezier control points at the flow axis' midpoint)."""
        xs, ys = bundle.xs, bundle.ys
        vertex = [self.pt(x, y) for x, y in zip(xs, ys)]
        curve = bundle.curve
        parts: list[str] = []
        used = 0
        for run in bundle.runs:
            start, last = 0, len(run) - 1
            while start < last:
                stop = min(last, start + SEGMENTS_PER_PATH - used)
                if curve == "straight":
                    parts.append(" -- ".join(vertex[i] for i in run[start : stop + 1]))
                else:
                    seg = [vertex[run[start]]]
                    for k in range(start, stop):
                        a, b = run[k], run[k + 1]
                        x0, y0, x1, y1 = xs[a], ys[a], xs[b], ys[b]
                        if curve == "bezier-h":
                            mx = (x0 + x1) / 2
                            c1, c2 = self.pt(mx, y0), self.pt(mx, y1)
                        else:
                            my = (y0 + y1) / 2
                            c1, c2 = self.pt(x0, my), self.pt(x1, my)
                        seg.append(f".. controls {c1} and {c2} .. {vertex[b]}")
                    parts.append(" ".join(seg))
                used += stop - start
                start = stop
                if used >= SEGMENTS_PER_PATH:
                    self.path(style, " ".join(parts), fill=False)
                    parts, used = [], 0
        if parts:
            self.path(style, " ".join(parts), fill=False)

    def text(self, item: Text, style: _Style) -> None:
        text_style = _merge(style.text, item.style)
        size = (text_style.size if text_style.size is not None else 16.0) * self.sy * PT_PER_BP
        self.sizes.add(num(size))
        font = f"\\fontsize{{{num(size)}}}{{{num(size * 1.2)}}}\\selectfont"
        weight = text_style.weight or ""
        if weight in ("bold", "bolder") or (weight.isdigit() and int(weight) >= 600):
            font += "\\bfseries"
        if text_style.style in ("italic", "oblique"):
            font += "\\itshape"
        anchor = {"start": "base west", "end": "base east"}.get(item.anchor, "base")
        opts = [f"anchor={anchor}"]
        color = text_style.color or "#000000"
        if color != "none":
            opts.append("text=" + self.color(color))
        alpha = style.opacity
        if alpha < 1:
            opts.append("text opacity=" + _ratio(alpha))
        if item.source is not None:
            self.math = True
            body = to_latex(item.source, escape)
        else:
            body = escape(item.text)
        self.lines.append(
            f"\\node[{','.join(opts)}] at {self.pt(item.x, item.y)} {{{font}\\nnsvgfont {body}}};"
        )

    def gradient(self, item: GradientRect, style: _Style) -> None:
        stops = sorted(item.stops)
        if not stops:
            return
        # TikZ fits a shading's middle 50bp of 100bp to the path: stops go from 25 to 75.
        specs = [f"rgb(0bp)=({_rgb(stops[0][1])})"]
        specs += [f"rgb({num(25 + 50 * min(max(o, 0.0), 1.0))}bp)=({_rgb(c)})" for o, c in stops]
        specs.append(f"rgb(100bp)=({_rgb(stops[-1][1])})")
        body = "; ".join(specs)
        kind = "vertical" if item.vertical else "horizontal"
        digest = hashlib.blake2b(f"{kind}:{body}".encode(), digest_size=4).hexdigest()
        name = f"nnsvg-{kind[0]}{digest}"
        if name not in self.shadings:
            self.shadings[name] = f"\\pgfdeclare{kind}shading{{{name}}}{{100bp}}{{{body}}}"
        corners = f"{self.pt(item.x, item.y + item.h)} rectangle {self.pt(item.x + item.w, item.y)}"
        self.lines.append(f"\\path[shading={name}] {corners};")
        paint = _merge(style.paint, item.paint)
        self.path(replace(style, paint=paint), corners, fill=False)

    def image(self, item: Image, style: _Style) -> None:
        self.images += 1
        corners = f"{self.pt(item.x, item.y + item.h)} rectangle {self.pt(item.x + item.w, item.y)}"
        a, b = self.pt(item.x, item.y), self.pt(item.x + item.w, item.y + item.h)
        c, d = self.pt(item.x + item.w, item.y), self.pt(item.x, item.y + item.h)
        self.lines.append("% an image: a .tex file cannot hold it; write the figure as PDF for it")
        frame = f"draw={self.color('#999999')},line width=0.5bp,fill={self.color('#f2f2f2')}"
        self.lines.append(f"\\path[{frame}] {corners} {a} -- {b} {c} -- {d};")


def _rgb(color: str) -> str:
    hexa = color.lstrip("#")
    if len(hexa) != 6:
        hexa = "000000"
    try:
        r, g, b = (int(hexa[k : k + 2], 16) / 255 for k in (0, 2, 4))
    except ValueError:
        r = g = b = 0.0
    return f"{_ratio(r)},{_ratio(g)},{_ratio(b)}"


def _comment(text: str) -> str:
    """``text`` fit for a one-line TeX comment (its line ends and controls become
    spaces)."""
    return "".join(" " if ord(c) < 0x20 or ord(c) == 0x7F else c for c in text).strip()


def _arc_curves(start, rx, ry, rot, large, sweep, x, y):
    """SVG's endpoint arc (F.6 of SVG 1.1) as cubic Beziers: (c1, c2, end) triples."""
    x0, y0 = start
    if (x0, y0) == (x, y):
        return []
    rx, ry = abs(rx), abs(ry)
    if rx == 0 or ry == 0:
        return [((x0, y0), (x, y), (x, y))]
    phi = math.radians(rot)
    cos_p, sin_p = math.cos(phi), math.sin(phi)
    dx, dy = (x0 - x) / 2, (y0 - y) / 2
    x1p, y1p = cos_p * dx + sin_p * dy, -sin_p * dx + cos_p * dy
    lam = (x1p / rx) ** 2 + (y1p / ry) ** 2
    if lam > 1:
        rx, ry = rx * math.sqrt(lam), ry * math.sqrt(lam)
    num_ = rx * rx * ry * ry - rx * rx * y1p * y1p - ry * ry * x1p * x1p
    den = rx * rx * y1p * y1p + ry * ry * x1p * x1p
    coef = math.sqrt(max(num_ / den, 0.0)) if den else 0.0
    if bool(large) == bool(sweep):
        coef = -coef
    cxp, cyp = coef * rx * y1p / ry, -coef * ry * x1p / rx
    cx = cos_p * cxp - sin_p * cyp + (x0 + x) / 2
    cy = sin_p * cxp + cos_p * cyp + (y0 + y) / 2

    def angle(ux, uy, vx, vy):
        return math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)

    t1 = angle(1, 0, (x1p - cxp) / rx, (y1p - cyp) / ry)
    dt = angle((x1p - cxp) / rx, (y1p - cyp) / ry, (-x1p - cxp) / rx, (-y1p - cyp) / ry)
    if not sweep and dt > 0:
        dt -= 2 * math.pi
    elif sweep and dt < 0:
        dt += 2 * math.pi
    count = max(1, math.ceil(abs(dt) / (math.pi / 2) - 1e-9))
    step = dt / count
    k = 4 / 3 * math.tan(step / 4)

    def point(t):
        ex, ey = rx * math.cos(t), ry * math.sin(t)
        return cx + cos_p * ex - sin_p * ey, cy + sin_p * ex + cos_p * ey

    def deriv(t):
        ex, ey = -rx * math.sin(t), ry * math.cos(t)
        return cos_p * ex - sin_p * ey, sin_p * ex + cos_p * ey

    out = []
    t = t1
    for _ in range(count):
        p0, p1 = point(t), point(t + step)
        d0, d1 = deriv(t), deriv(t + step)
        c1 = (p0[0] + k * d0[0], p0[1] + k * d0[1])
        c2 = (p1[0] - k * d1[0], p1[1] - k * d1[1])
        out.append((c1, c2, p1))
        t += step
    out[-1] = (out[-1][0], out[-1][1], (x, y))
    return out


def render_tikz(scene: Scene) -> str:
    """The ``tikzpicture`` of ``scene``, as text (see the module's notes)."""
    tikz = _Tikz(scene)
    if max(tikz.width_bp, tikz.height_bp) > MAX_SIDE_BP:
        raise ExportError(
            f"a TikZ picture can be at most {MAX_SIDE_BP:.0f}bp (5.7 m, TeX's largest length)"
            f" on a side; this one would be {num(tikz.width_bp)}bp by {num(tikz.height_bp)}bp:"
            " give a smaller --width"
        )
    root = _Style(Paint(), _merge(TextStyle(), scene.font))
    if scene.background and scene.background != "none":
        tikz.lines.append(
            f"\\path[fill={tikz.color(scene.background)}] (0,0) rectangle "
            f"({num(tikz.width_bp)},{num(tikz.height_bp)});"
        )
    for item in scene.items:
        tikz.add(item, root)
    head = [
        "% A figure drawn by nnsvg, as TikZ: \\input it in a LaTeX document whose preamble",
        "% has \\usepackage{tikz} (and amssymb for a blackboard-bold R, if a label has one).",
        "% Labels are set in the document's font; define \\nnsvgfont to change them all.",
    ]
    if tikz.math:
        head.append(
            "% Its labels have math ($...$, as the spec wrote it): load amsmath and amssymb."
        )
    size = f"% Printed {num(tikz.width_bp)}bp wide and {num(tikz.height_bp)}bp high"
    sizes = sorted(tikz.sizes, key=float)
    size += f"; a font size of 10 prints at {num(10 * tikz.sy * PT_PER_BP)}pt"
    head.append(size + (f", its labels at {', '.join(sizes)}pt." if sizes else "."))
    if scene.title:
        head.append(f"% Title: {_comment(scene.title)}")
    if scene.desc:
        head.append(f"% Description: {_comment(scene.desc)}")
    body = [
        "\\begingroup",
        "\\providecommand\\nnsvgfont{}%",
    ]
    if tikz.images:
        body.append(
            f"\\typeout{{nnsvg: {tikz.images} image(s) drawn as placeholders in this figure"
            " (write it as PDF to keep them)}%"
        )
    body += list(tikz.shadings.values())
    body.append("\\begin{tikzpicture}[x=1bp,y=1bp,inner sep=0pt,outer sep=0pt]")
    body += [f"\\definecolor{{{name}}}{{HTML}}{{{hexa}}}" for name, hexa in tikz.colors.items()]
    body.append(f"\\useasboundingbox (0,0) rectangle ({num(tikz.width_bp)},{num(tikz.height_bp)});")
    body += tikz.lines
    body += ["\\end{tikzpicture}%", "\\endgroup"]
    return "\n".join(head + body) + "\n"


def write(scene: Scene, options: WriteOptions) -> bytes:
    """The ``.tex`` file of ``scene``: :func:`render_tikz`'s text as UTF-8."""
    return render_tikz(scene).encode("utf-8")


def cost(scene: Scene) -> float:
    """What writing ``scene`` as TikZ costs (see :mod:`nnsvg.render.writers`): the
    writing is as cheap as the SVG's; compiling it is for LaTeX to bound."""
    from nnsvg.render.writers import edge_cost

    return edge_cost(scene, straight=0.3, curved=0.5)
