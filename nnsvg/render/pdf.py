"""The PDF writer (see :mod:`nnsvg.render.writers`): a Scene drawn by cairosvg.

The page is the figure's size (:mod:`nnsvg.render.sizing`): its physical size, or its
user units read as px at 96 per inch. cairosvg runs as :mod:`nnsvg.render.cairo_svg`
describes (no entities, no URL but ``data:``, Ctrl-C kept). The same figure gives
byte-identical PDFs on every run: see :func:`pin_pdf_dates`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import html
import re
from typing import TYPE_CHECKING, Any

from nnsvg.errors import ExportError, NnsvgError
from nnsvg.render import cairo_svg
from nnsvg.render.cairo_svg import import_cairo, interrupts_kept, reason
from nnsvg.scene import Scene
from nnsvg.units import PX_PER_INCH

if TYPE_CHECKING:
    from nnsvg.render.writers import WriteOptions

__all__ = ["cost", "pdf_from_svg", "pin_pdf_dates", "svg_title", "write"]

# Creation date written into every PDF instead of the clock time. cairo is
# given the ISO form; pin_pdf_dates then writes the PDF form below.
_PDF_DATE_ISO = "2000-01-01T00:00:00+00:00"
_PDF_DATE = b"(D:20000101000000Z)"
_PDF_DATE_ENTRY = re.compile(rb"/(?:CreationDate|ModDate)\s*(\([^()\\]*\))")

# The title the surface being made writes into the PDF's info dictionary (read by
# _pinned_surface_class's surface, which cairosvg makes inside convert).
_TITLE: contextvars.ContextVar[str | None] = contextvars.ContextVar("_TITLE", default=None)
# The root's own <title>, its first child (as render_svg writes it).
_SVG_TITLE = re.compile(r"<svg\b[^>]*>\s*<title\b[^>]*>([^<]*)</title>")


def write(scene: Scene, options: WriteOptions) -> bytes:
    """The PDF file of ``scene``."""
    return pdf_from_svg(options.svg_of(scene), title=scene.title)


def cost(scene: Scene) -> float:
    """What writing ``scene`` as PDF costs (see :mod:`nnsvg.render.writers`)."""
    from nnsvg.render.writers import edge_cost

    return edge_cost(scene, straight=1.0, curved=4.0)


def svg_title(svg: str) -> str | None:
    """The title of an SVG figure: the text of its root's first child, when that is a
    ``<title>`` (where :func:`~nnsvg.render.svg.render_svg` writes it).

    >>> svg_title('<svg role="img">\\n<title id="t">A &amp; B</title><g/></svg>')
    'A & B'
    >>> svg_title("<svg><g><title>a node</title></g></svg>") is None
    True
    """
    match = _SVG_TITLE.search(svg)
    return None if match is None else html.unescape(match[1])


_FROM_SVG = object()


def pdf_from_svg(svg: str, *, title: str | object | None = _FROM_SVG) -> bytes:
    """The PDF of SVG text, its dates pinned (1 PDF unit per CSS px, as cairosvg sizes
    it). ``title`` is the PDF's Title (its document properties): by default the SVG's
    own (:func:`svg_title`); None writes none."""
    if title is _FROM_SVG:
        title = svg_title(svg)
    surface = _pdf_surface_class()
    token = _TITLE.set(title if isinstance(title, str) and title.strip() else None)
    try:
        with interrupts_kept():
            # dpi=96 keeps in/mm/pt inside the figure at their CSS size.
            result = surface.convert(
                bytestring=cairo_svg.for_cairo(svg).encode("utf-8"),
                dpi=PX_PER_INCH,
                scale=1.0,
                unsafe=False,
                url_fetcher=cairo_svg.fetch_resource,
            )
    except NnsvgError:
        raise
    except Exception as exc:  # cairosvg and cairo raise many unrelated kinds
        raise ExportError(f"cannot convert the SVG to PDF: {reason(exc)}") from exc
    finally:
        _TITLE.reset(token)
    return pin_pdf_dates(bytes(result))


def _pdf_surface_class() -> Any:
    import_cairo("PDF")
    return _pinned_surface_class()


@functools.cache
def _pinned_surface_class() -> Any:
    """cairosvg's PDF surface, with a fixed creation date instead of the clock, and the
    figure's title (:data:`_TITLE`)."""
    import cairocffi
    from cairosvg.surface import PDFSurface

    class PinnedDatePDFSurface(PDFSurface):  # type: ignore[misc]
        def _create_surface(self, width: float, height: float) -> Any:
            surface, width, height = super()._create_surface(width, height)
            # cairo >= 1.16; with an older cairo pin_pdf_dates still fixes it.
            with contextlib.suppress(AttributeError, cairocffi.CairoError):
                surface.set_metadata(cairocffi.PDF_METADATA_CREATE_DATE, _PDF_DATE_ISO)
            title = _TITLE.get()
            if title is not None:
                with contextlib.suppress(AttributeError, cairocffi.CairoError):
                    surface.set_metadata(cairocffi.PDF_METADATA_TITLE, title)
            return surface, width, height

    return PinnedDatePDFSurface


def pin_pdf_dates(pdf: bytes) -> bytes:
    """Rewrite the dates of the PDF's info dictionary to ``D:20000101000000Z``.

    cairo stamps every PDF with the clock time and local time zone
    (``/CreationDate (D:20240102030405+01'00)``), the only part of its
    output that changes between runs; cairo 1.16 ignores SOURCE_DATE_EPOCH.
    The date is first set through cairo's own metadata API (see
    :func:`_pinned_surface_class`), which removes the clock and the time zone,
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
