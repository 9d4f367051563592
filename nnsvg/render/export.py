"""SVG text -> the bytes of an SVG, PNG or PDF file: the public API for callers that
hold SVG text rather than a Scene.

nnsvg itself writes a Scene through the registry of writers
(:mod:`nnsvg.render.writers`), which sizes a PNG from the Scene. The functions here take
an SVG document instead, so they read its size back from the root ``<svg>`` start tag
(:func:`nnsvg.render.sizing.svg_size`), with the same rules (see
:mod:`nnsvg.render.sizing`: ``dpi``, ``scale``, physical and user-unit figures, the
pixel limits, the pHYs density). PNG and PDF are drawn by cairosvg, imported only when
one of them is asked for; it runs with no XML entities and no URL but ``data:`` (see
:mod:`nnsvg.render.cairo_svg`), and the same SVG gives byte-identical PNG and PDF on
every run (see :func:`nnsvg.render.pdf.pin_pdf_dates`).
"""

from __future__ import annotations

import os

from nnsvg.atomic import write_atomic
from nnsvg.render.cairo_svg import interrupts_kept
from nnsvg.render.sizing import (
    DEFAULT_DPI,
    DEFAULT_SCALE,
    MAX_PNG_PIXELS,
    MAX_PNG_SIDE,
    check_positive,
    pixel_size,
    png_factor,
    svg_size,
)
from nnsvg.render.writers import (
    check_format,
    check_output_cost,
    formats,
    infer_format,
    output_cost,
)

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_SCALE",
    "FORMATS",
    "MAX_PNG_PIXELS",
    "MAX_PNG_SIDE",
    "check_output_cost",
    "convert",
    "export",
    "infer_format",
    "interrupts_kept",
    "output_cost",
    "png_size",
]

#: The registered formats (see :func:`nnsvg.render.writers.formats`).
FORMATS = formats()


def convert(svg: str, fmt: str, *, dpi: float | None = None, scale: float | None = None) -> bytes:
    """Return the file content of ``svg`` in format ``fmt`` (svg, png or pdf; tex needs the Scene).

    ``svg`` output is the text encoded as UTF-8, unchanged. ``dpi`` and
    ``scale`` size a PNG as :mod:`nnsvg.render.sizing` describes; they are checked
    for every format but do not change an SVG or a PDF. Anything cairosvg
    cannot convert is an :class:`~nnsvg.errors.ExportError` with a short
    reason.
    """
    fmt = check_format(fmt)
    dpi = check_positive("dpi", dpi)
    scale = check_positive("scale", scale)
    if fmt == "svg":
        return svg.encode("utf-8")
    if fmt == "png":
        from nnsvg.render.png import png_from_svg

        return png_from_svg(svg, dpi=dpi, scale=scale)
    if fmt == "pdf":
        from nnsvg.render.pdf import pdf_from_svg

        return pdf_from_svg(svg)  # its Title: the SVG's own <title>
    from nnsvg.errors import ExportError

    raise ExportError(f"{fmt} output needs a Scene (nnsvg.render.writers.write)")


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
    dpi = check_positive("dpi", dpi)
    scale = check_positive("scale", scale)
    size = svg_size(svg)
    return pixel_size(size, png_factor(size, dpi, scale))
