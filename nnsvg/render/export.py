"""Turn a rendered SVG document into the bytes of an SVG, PNG or PDF file.

PNG and PDF are drawn by cairosvg, which is imported only when one of them is
asked for, so SVG output and ``import nnsvg.render.export`` need neither cairosvg
nor the cairo library.

Sizing
------
A figure whose root ``<svg>`` has a ``width`` in a physical unit (in, mm, cm,
pt or pc) has a physical size:

* PNG: pixels = physical size × ``dpi`` (default 300), times ``scale`` if
  given. ``width="3.5in"`` at the defaults is 1050 pixels wide.
* PDF: the page is the physical size.

Any other figure (unitless or ``px`` width, or only a ``viewBox``) is measured
in user units, one user unit being one CSS px (1/96 in):

* PNG: pixels = user units × ``scale``; ``scale`` defaults to 2.0, or to
  ``dpi / 96`` when only ``dpi`` is given (``dpi`` is ignored when ``scale``
  is given too).
* PDF: the page is the width and height read as px at 96 per inch
  (100 user units = 75 pt), cairosvg's own rule.

Every PNG records its pixel density (a pHYs chunk: ``dpi`` × ``scale`` for a physical
size, 96 × ``scale`` otherwise), so a word processor or LaTeX places it at the
figure's size, as it does the SVG and the PDF.

A ``%`` width or height falls back to the ``viewBox``. ``dpi`` and ``scale``
must be positive and finite; a PNG is limited to
``MAX_PNG_SIDE`` × ``MAX_PNG_SIDE`` pixels and ``MAX_PNG_PIXELS`` pixels in all.

Safety and reproducibility
--------------------------
cairosvg runs with ``unsafe=False`` (no XML entities) and a URL fetcher that
refuses everything but ``data:`` URIs, so a figure can never make the
converter read a local file or the network. The same SVG gives byte-identical
PNG and PDF on every run: see :func:`_pin_pdf_dates`.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import math
import os
import re
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_to_bytes

from nnsvg.atomic import write_atomic
from nnsvg.errors import ExportError, NnsvgError
from nnsvg.render import cairo_decls
from nnsvg.scene import Scene
from nnsvg.units import PX_PER_INCH, PX_PER_UNIT

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_SCALE",
    "FORMATS",
    "MAX_PNG_PIXELS",
    "MAX_PNG_SIDE",
    "convert",
    "export",
    "infer_format",
    "png_size",
]

FORMATS = ("svg", "png", "pdf")
DEFAULT_DPI = 300.0
DEFAULT_SCALE = 2.0
MAX_PNG_SIDE = 20_000
MAX_PNG_PIXELS = 200_000_000

_PHYSICAL_UNITS = frozenset({"in", "mm", "cm", "pt", "pc"})

# The root start tag; quoted attribute values may contain ">".
_SVG_START_TAG = re.compile(r"<svg(?=[\s>/])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_SVG_LENGTH = re.compile(
    r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(px|in|mm|cm|pt|pc|%)?\s*"
)

# Creation date written into every PDF instead of the clock time. cairo is
# given the ISO form; _pin_pdf_dates then writes the PDF form below.
_PDF_DATE_ISO = "2000-01-01T00:00:00+00:00"
_PDF_DATE = b"(D:20000101000000Z)"
_PDF_DATE_ENTRY = re.compile(rb"/(?:CreationDate|ModDate)\s*(\([^()\\]*\))")


def infer_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """Return the output format: ``fmt`` if given, else the suffix of ``path``.

    Both are case-insensitive and must name one of :data:`FORMATS`.

    >>> infer_format("out/fig.PNG")
    'png'
    >>> infer_format("fig.png", "PDF")
    'pdf'
    >>> infer_format("fig.jpg")
    Traceback (most recent call last):
    ...
    nnsvg.errors.ExportError: cannot tell the output format of 'fig.jpg': \
use a .svg, .png or .pdf suffix or --format svg|png|pdf
    >>> infer_format("fig.svg", "jpeg")
    Traceback (most recent call last):
    ...
    nnsvg.errors.ExportError: unknown output format 'jpeg': use svg, png or pdf
    """
    if fmt is not None:
        return _check_format(fmt)
    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise ExportError(
        f"cannot tell the output format of {name!r}: "
        "use a .svg, .png or .pdf suffix or --format svg|png|pdf"
    )


def convert(svg: str, fmt: str, *, dpi: float | None = None, scale: float | None = None) -> bytes:
    """Return the file content of ``svg`` in format ``fmt`` (svg, png or pdf).

    ``svg`` output is the text encoded as UTF-8, unchanged. ``dpi`` and
    ``scale`` size a PNG as the module docstring describes; they are checked
    for every format but do not change an SVG or a PDF. Anything cairosvg
    cannot convert is an :class:`~nnsvg.errors.ExportError` with a short
    reason.
    """
    fmt = _check_format(fmt)
    dpi = _check_positive("dpi", dpi)
    scale = _check_positive("scale", scale)
    if fmt == "svg":
        return svg.encode("utf-8")
    if fmt == "png":
        from nnsvg.render.png import surface_png, with_density

        factor = _png_factor(svg, dpi, scale)
        return with_density(surface_png(_cairosvg_surface(svg, factor)), factor * PX_PER_INCH)
    return _pin_pdf_dates(_cairosvg_pdf(svg))


# What drawing one edge costs in each output, in straight edges written to a PDF (the
# dearest format of a straight figure: 2M edges, 18 s, 260 MB on the 2-core reference
# machine). Measured there: a curved edge in a PDF 3.6 times a straight one (2M: 64 s);
# a PNG of many edges takes the fast raster path, at most 0.8 (2M curved: 14 s); a PNG
# drawn by cairosvg (arrowheads, or under raster.FAST_EDGE_THRESHOLD edges) 35 for a
# straight edge, 90 for a curved one (40k: 13 s and 33 s); an arrowhead one edge more.
# The figure's edge limit (--max-edges) bounds this cost, so it bounds the time and
# memory of every output kind alike.
_EDGE_COST = {
    ("svg", False): 0.2,
    ("svg", True): 0.3,
    ("pdf", False): 1.0,
    ("pdf", True): 4.0,
    ("png-fast", False): 1.0,
    ("png-fast", True): 1.0,
    ("png", False): 35.0,
    ("png", True): 90.0,
}
_ARROW_COST = 1.0


def output_cost(scene: Scene, fmt: str) -> float:
    """What writing ``scene`` as ``fmt`` costs, in straight edges written to a PDF."""
    from nnsvg.render import raster

    bundles = raster.edge_bundles(scene)
    kind = "png-fast" if fmt == "png" and raster.wants_fast_png(scene) else fmt
    cost = sum(b.edge_count * _EDGE_COST[(kind, b.curve != "straight")] for b in bundles)
    if raster.has_arrowheads(scene):
        cost += _ARROW_COST * sum(b.edge_count for b in bundles)
    return cost


def check_output_cost(scene: Scene, fmt: str, max_edges: int) -> None:
    """A :class:`~nnsvg.errors.LimitError` when ``scene`` as ``fmt`` would cost more
    than ``max_edges`` straight edges in a PDF (see :data:`_EDGE_COST`)."""
    from nnsvg.errors import LimitError

    fmt = _check_format(fmt)
    cost = output_cost(scene, fmt)
    if cost > max_edges:
        raise LimitError(
            f"a {fmt.upper()} of this figure would cost as much as {cost:,.0f} straight "
            f"edges in a PDF (curved edges and arrowheads cost more to draw, a PNG "
            f"through cairo most); the limit is {max_edges:,}: draw straight edges "
            "without arrowheads, let wide layers elide, or raise it with --max-edges"
        )


def convert_scene(
    scene: Scene,
    svg: str,
    fmt: str,
    *,
    dpi: float | None = None,
    scale: float | None = None,
) -> bytes:
    """Like :func:`convert`, for the SVG of ``scene``: a PNG of a figure with very many
    edges takes the fast raster path (:mod:`nnsvg.render.raster`), at the same pixel
    size; everything else goes through :func:`convert`. What an output may cost is
    checked by :func:`check_output_cost` (``figure_files.write_outputs`` does)."""
    fmt = _check_format(fmt)
    if fmt == "png":
        from nnsvg.render import raster
        from nnsvg.render.png import with_density

        if raster.wants_fast_png(scene):
            dpi = _check_positive("dpi", dpi)
            scale = _check_positive("scale", scale)
            factor = _png_factor(svg, dpi, scale)
            top = _cairosvg_surface(raster.svg_without_edges(scene), factor)
            return with_density(raster.fast_png(scene, top), factor * PX_PER_INCH)
    return convert(svg, fmt, dpi=dpi, scale=scale)


def export(
    svg: str,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    dpi: float | None = None,
    scale: float | None = None,
) -> str:
    """Convert ``svg`` and write it to ``path`` atomically; return the format used.

    The format comes from :func:`infer_format`; an existing file at ``path``
    is left untouched when the conversion or the write fails.
    """
    fmt = infer_format(path, fmt)
    write_atomic(path, convert(svg, fmt, dpi=dpi, scale=scale))
    return fmt


def png_size(svg: str, *, dpi: float | None = None, scale: float | None = None) -> tuple[int, int]:
    """Return the ``(width, height)`` in pixels that :func:`convert` gives a PNG.

    Raises :class:`~nnsvg.errors.ExportError` when the size is over the
    limits or cannot be read from the root ``<svg>`` element.

    >>> svg = '<svg xmlns="http://www.w3.org/2000/svg" width="2in" height="1in"/>'
    >>> png_size(svg), png_size(svg, dpi=100), png_size(svg, scale=2)
    ((600, 300), (200, 100), (1200, 600))
    >>> png_size('<svg viewBox="0 0 100 50"/>', dpi=192)
    (200, 100)
    """
    dpi = _check_positive("dpi", dpi)
    scale = _check_positive("scale", scale)
    width, height, _ = _svg_size(svg)
    factor = _png_factor(svg, dpi, scale)
    return _round_px(width * factor), _round_px(height * factor)


# -- sizing --------------------------------------------------------------------


def _check_format(fmt: str) -> str:
    chosen = fmt.strip().lower() if isinstance(fmt, str) else ""
    if chosen not in FORMATS:
        raise ExportError(f"unknown output format {fmt!r}: use svg, png or pdf")
    return chosen


def _check_positive(name: str, value: float | None) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not (math.isfinite(value) and value > 0)
    ):
        raise ExportError(f"{name} must be a positive number, not {value!r}")
    return float(value)


def _round_px(value: float) -> int:
    # cairosvg sizes its PNG surface with int(round(...)); match it exactly.
    return round(value)


def _png_factor(svg: str, dpi: float | None, scale: float | None) -> float:
    """Device pixels per CSS px for a PNG of ``svg``; checks the size limits."""
    width, height, physical = _svg_size(svg)
    if physical:
        factor = (dpi or DEFAULT_DPI) / PX_PER_INCH * (scale or 1.0)
    elif scale is not None:
        factor = scale
    elif dpi is not None:
        factor = dpi / PX_PER_INCH
    else:
        factor = DEFAULT_SCALE
    size_x, size_y = width * factor, height * factor
    if not (size_x < 1e9 and size_y < 1e9):  # inf too
        # Absurdly large (1e300 px from a 1e300in figure: the int arithmetic below would
        # overflow on it): refuse it from the floats alone.
        raise ExportError(
            f"the PNG would be {size_x:.4g}×{size_y:.4g} pixels, over the limit of "
            f"{MAX_PNG_SIDE}×{MAX_PNG_SIDE} and {MAX_PNG_PIXELS // 1_000_000} megapixels: "
            "use a smaller --dpi or --scale"
        )
    pixels_x, pixels_y = _round_px(size_x), _round_px(size_y)
    if pixels_x < 1 or pixels_y < 1:
        raise ExportError(
            f"the PNG would be {pixels_x}×{pixels_y} pixels: use a larger --dpi or --scale"
        )
    if max(pixels_x, pixels_y) > MAX_PNG_SIDE or pixels_x * pixels_y > MAX_PNG_PIXELS:
        raise ExportError(
            f"the PNG would be {pixels_x}×{pixels_y} pixels "
            f"({pixels_x * pixels_y / 1e6:.1f} megapixels), over the limit of "
            f"{MAX_PNG_SIDE}×{MAX_PNG_SIDE} and {MAX_PNG_PIXELS // 1_000_000} megapixels: "
            "use a smaller --dpi or --scale"
        )
    return factor


def _svg_size(svg: str) -> tuple[float, float, bool]:
    """Return the root's width and height in CSS px and whether they are physical.

    Only the ``<svg ...>`` start tag is read (a regex, not an XML parse), with
    cairosvg's rules: a missing or ``%`` length takes the ``viewBox`` size.
    """
    match = _SVG_START_TAG.search(svg)
    if match is None:
        raise ExportError("not an SVG document: no <svg> element found")
    attributes = match[1]
    viewbox = _svg_viewbox(_svg_attribute(attributes, "viewBox"))
    width, width_unit = _svg_length(attributes, "width", viewbox[0] if viewbox else None)
    height, _ = _svg_length(attributes, "height", viewbox[1] if viewbox else None)
    return width, height, width_unit in _PHYSICAL_UNITS


def _svg_attribute(attributes: str, name: str) -> str | None:
    match = re.search(rf"(?:^|\s){name}\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", attributes)
    if match is None:
        return None
    return match[1] if match[1] is not None else match[2]


def _svg_viewbox(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        numbers = [float(part) for part in re.split(r"[\s,]+", text.strip())]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise ExportError(f"cannot read the SVG viewBox {text!r}: expected four numbers")
    return numbers[2], numbers[3]


def _svg_length(attributes: str, name: str, fallback: float | None) -> tuple[float, str]:
    """Return one root length in CSS px and its unit (``""`` for unitless)."""
    text = _svg_attribute(attributes, name)
    match = _SVG_LENGTH.fullmatch(text) if text is not None else None
    if text is not None and match is None:
        raise ExportError(
            f"cannot read the SVG {name} {text!r}: "
            "expected a number with an optional unit px, in, mm, cm, pt, pc or %"
        )
    if match is None or match[2] == "%":
        if fallback is None:
            raise ExportError(
                f"cannot tell the {name} of the SVG: its <svg> element needs a {name} or a viewBox"
            )
        value, unit = fallback, ""
    else:
        unit = match[2] or ""
        value = float(match[1]) * PX_PER_UNIT[unit or "px"]
    if not (math.isfinite(value) and value > 0):
        raise ExportError(f"the SVG {name} must be positive, not {text or value!r}")
    return value, unit


# -- cairosvg --------------------------------------------------------------------


def _fetch_resource(url: str, resource_type: str) -> bytes:
    """cairosvg's URL fetcher: decode ``data:`` URIs, refuse everything else.

    cairosvg lets the exception propagate, so a figure that links a file or
    a web address fails to convert instead of reading it.
    """
    if not url.startswith("data:"):
        shown = url if len(url) <= 200 else url[:197] + "..."
        raise ExportError(f"refused to fetch external resource {shown!r}")
    header, comma, payload = url[len("data:") :].partition(",")
    if not comma:
        raise ExportError("malformed data: URI in the SVG (no comma)")
    raw = unquote_to_bytes(payload)
    if header.lower().endswith(";base64"):
        try:
            return base64.b64decode(raw)
        except ValueError as exc:
            raise ExportError(f"malformed base64 data: URI in the SVG: {exc}") from exc
    return raw


def _cairosvg_surface(svg: str, scale: float) -> Any:
    """cairosvg's drawing of ``svg`` as a cairo image surface (not encoded), at
    ``scale`` device pixels per CSS px, for the fast PNG path to paint over its edges."""
    try:
        cairo_decls.import_cairo()
        from cairosvg.parser import Tree
        from cairosvg.surface import PNGSurface
    except (ImportError, OSError) as exc:
        raise ExportError(
            f"PNG output needs cairosvg and the cairo library: {_reason(exc)}"
        ) from exc
    try:
        tree = Tree(bytestring=svg.encode("utf-8"), unsafe=False, url_fetcher=_fetch_resource)
        drawing = PNGSurface(tree, None, PX_PER_INCH, scale=scale)
        drawing.cairo.flush()
        return drawing.cairo
    except NnsvgError:
        raise
    except Exception as exc:  # cairosvg and cairo raise many unrelated kinds
        raise ExportError(f"cannot convert the SVG to PNG: {_reason(exc)}") from exc


def _cairosvg_pdf(svg: str) -> bytes:
    """Run cairosvg on ``svg`` to a PDF (1 PDF unit per CSS px, as cairosvg sizes it)."""
    try:
        surface = _pdf_surface_class()
    except (ImportError, OSError) as exc:  # cairocffi raises OSError without libcairo
        raise ExportError(
            f"PDF output needs cairosvg and the cairo library: {_reason(exc)}"
        ) from exc
    try:
        with interrupts_kept():
            # dpi=96 keeps in/mm/pt inside the figure at their CSS size.
            result = surface.convert(
                bytestring=svg.encode("utf-8"),
                dpi=PX_PER_INCH,
                scale=1.0,
                unsafe=False,
                url_fetcher=_fetch_resource,
            )
    except NnsvgError:
        raise
    except Exception as exc:  # cairosvg and cairo raise many unrelated kinds
        raise ExportError(f"cannot convert the SVG to PDF: {_reason(exc)}") from exc
    return bytes(result)


@contextlib.contextmanager
def interrupts_kept() -> Iterator[None]:
    """Run cairo code so that a Ctrl-C stays a Ctrl-C.

    cairo calls back into Python (a PDF's or PNG's write callback, cffi's destructors);
    an exception there cannot propagate: cffi reports it as "unraisable" (printing a
    traceback) and the caller sees a cairo write error, or nothing at all. Inside this
    block a KeyboardInterrupt reported that way is kept quietly instead, and raised once
    the block ends, in place of whatever error it caused. Other unraisable exceptions go
    to the hook as before."""
    previous = sys.unraisablehook
    caught: list[BaseException] = []

    def hook(info: Any) -> None:
        if info.exc_type is not None and issubclass(info.exc_type, KeyboardInterrupt):
            caught.append(info.exc_value or KeyboardInterrupt())
        else:
            previous(info)

    sys.unraisablehook = hook
    try:
        yield
    except Exception:
        if caught:
            raise KeyboardInterrupt from None
        raise
    finally:
        sys.unraisablehook = previous
    if caught:
        raise KeyboardInterrupt


def _reason(exc: BaseException) -> str:
    if type(exc).__module__.startswith("defusedxml"):
        return "the SVG declares XML entities or a DTD, which are refused for safety"
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    if len(text) > 200:
        text = text[:197] + "..."
    if not text or not isinstance(exc, (ValueError, SyntaxError, OSError)):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text


@functools.cache
def _pdf_surface_class() -> Any:
    """cairosvg's PDF surface, with a fixed creation date instead of the clock."""
    cairo_decls.import_cairo()
    import cairocffi
    from cairosvg.surface import PDFSurface

    class PinnedDatePDFSurface(PDFSurface):  # type: ignore[misc]
        def _create_surface(self, width: float, height: float) -> Any:
            surface, width, height = super()._create_surface(width, height)
            # cairo >= 1.16; with an older cairo _pin_pdf_dates still fixes it.
            with contextlib.suppress(AttributeError, cairocffi.CairoError):
                surface.set_metadata(cairocffi.PDF_METADATA_CREATE_DATE, _PDF_DATE_ISO)
            return surface, width, height

    return PinnedDatePDFSurface


def _pin_pdf_dates(pdf: bytes) -> bytes:
    """Rewrite the dates of the PDF's info dictionary to ``D:20000101000000Z``.

    cairo stamps every PDF with the clock time and local time zone
    (``/CreationDate (D:20240102030405+01'00)``), the only part of its
    output that changes between runs; cairo 1.16 ignores SOURCE_DATE_EPOCH.
    The date is first set through cairo's own metadata API (see
    :func:`_pdf_surface_class`), which removes the clock and the time zone,
    but cairo 1.16 writes that date without the ``D:`` prefix the PDF
    standard requires; this pass writes a conformant date in its place, and
    also pins a clock date where the API is missing.

    The replacement must not change the file's length or the position of
    any byte after it: the xref table lists the byte offset of every object,
    ``startxref`` the offset of the table, and cairo writes objects (the
    catalog) and the table after the info dictionary. So the new string,
    never longer than the old one, is padded with spaces after its closing
    parenthesis, where PDF syntax allows any whitespace. A date too short to
    hold it is left as it is.
    """
    trailers = re.findall(rb"/Info\s+(\d+)\s+0\s+R", pdf)
    if not trailers:
        return pdf
    # The last trailer wins (an updated PDF has one per revision).
    start = re.search(rb"(?:^|[\r\n])%s\s+0\s+obj\b" % trailers[-1], pdf)
    if start is None:
        return pdf
    end = pdf.find(b"endobj", start.end())
    if end < 0:
        return pdf

    def pin(match: re.Match[bytes]) -> bytes:
        old = match[1]
        if len(old) < len(_PDF_DATE):
            return match[0]
        new = _PDF_DATE + b" " * (len(old) - len(_PDF_DATE))
        return match[0][: match.start(1) - match.start(0)] + new

    body = _PDF_DATE_ENTRY.sub(pin, pdf[start.end() : end])
    return pdf[: start.end()] + body + pdf[end:]
