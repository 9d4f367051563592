"""The PNG writer (see :mod:`nnsvg.render.writers`): a Scene drawn by cairo, and the
PNG chunks nnsvg writes itself.

The pixel size comes from the Scene and the caller's ``dpi``/``scale`` by the rules of
:mod:`nnsvg.render.sizing`. A figure with very many arrowless edges
(:func:`wants_fast_png`) takes the fast raster path: its edges, straight or curved, are
swept with numpy (:mod:`nnsvg.render.raster`) and cairosvg draws the rest over them, at
the same pixel size; any other figure is drawn by cairosvg whole
(:mod:`nnsvg.render.cairo_svg`).

The pixels are encoded by cairo's own ``write_to_png`` (:func:`surface_png`). nnsvg
had its own encoder for opaque figures (RGB, unfiltered rows, zlib level 6); measured
against cairo's writer on the same surfaces (benchmarks/bench_png_encoder.py, 6 gallery
figures at scale 2, vgg16 at scale 6, the 80k-edge FCNN's fast path): 0.82x the encode
time (5 to 60 ms a gallery figure, 0.19 s on vgg16 at 29 megapixels) and 0.79x the
bytes, but 0.95x the whole drawing and encoding, which no user notices; mnist-image came
out 30% larger. So cairo's writer it is (RGBA, libpng's filters), and the same figure
still gives the same bytes on every run (cairo writes no time stamp).

:func:`with_density` then adds the one ancillary chunk nnsvg writes, pHYs, the pixel
density (cairo has no API for it): without it Word, LibreOffice and LaTeX place a PNG at
72 or 96 dpi, so a 300 dpi figure came in three or four times too large.
:func:`png_chunk` and :func:`png_file` assemble PNGs for :mod:`nnsvg.images`.
"""

from __future__ import annotations

import struct
import zlib
from typing import TYPE_CHECKING, Any

from nnsvg.render import raster
from nnsvg.render.sizing import Size, check_positive, png_factor, scene_size, svg_size
from nnsvg.scene import Scene
from nnsvg.units import PX_PER_INCH

if TYPE_CHECKING:
    from nnsvg.render.writers import WriteOptions

__all__ = [
    "FAST_EDGE_THRESHOLD",
    "PNG_SIGNATURE",
    "cost",
    "png_chunk",
    "png_file",
    "png_from_svg",
    "surface_png",
    "wants_fast_png",
    "with_density",
    "write",
]

FAST_EDGE_THRESHOLD = 20_000  # below this, cairosvg alone is fast enough

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def write(scene: Scene, options: WriteOptions) -> bytes:
    """The PNG file of ``scene``, sized from the scene by ``options.dpi`` and
    ``options.scale`` (checked by the caller, see :meth:`WriteOptions.checked`)."""
    from nnsvg.render.cairo_svg import svg_surface

    factor = png_factor(scene_size(scene), options.dpi, options.scale)
    if wants_fast_png(scene):
        from nnsvg.render.svg import render_svg

        top = svg_surface(render_svg(raster.without_edges(scene)), factor)
        surface = raster.paint_edges(scene, top)
    else:
        surface = svg_surface(options.svg_of(scene), factor)
    return _encode(surface, factor)


def cost(scene: Scene) -> float:
    """What writing ``scene`` as PNG costs (see :mod:`nnsvg.render.writers`): the fast
    path's sweep is as cheap as a PDF's straight edges, cairo's stroking 35 to 90 times
    dearer."""
    from nnsvg.render.writers import edge_cost

    if wants_fast_png(scene):
        return edge_cost(scene, straight=1.0, curved=1.0)
    return edge_cost(scene, straight=35.0, curved=90.0)


def wants_fast_png(scene: Scene) -> bool:
    """Whether ``scene`` has enough arrowless edges, all of curves the sweep knows, to
    take the fast raster path."""
    bundles = raster.edge_bundles(scene)
    if not bundles or any(b.curve not in raster.CURVES for b in bundles):
        return False
    if raster.has_arrowheads(scene):
        return False
    return sum(b.edge_count for b in bundles) >= FAST_EDGE_THRESHOLD


def png_from_svg(svg: str, *, dpi: float | None = None, scale: float | None = None) -> bytes:
    """The PNG of SVG text, sized from its root ``<svg>`` (for callers that have no
    Scene: :func:`nnsvg.render.export.convert`)."""
    from nnsvg.render.cairo_svg import svg_surface

    size: Size = svg_size(svg)
    factor = png_factor(size, check_positive("dpi", dpi), check_positive("scale", scale))
    return _encode(svg_surface(svg, factor), factor)


def _encode(surface: Any, factor: float) -> bytes:
    """The PNG of a cairo image surface drawn at ``factor`` device pixels per CSS px."""
    return with_density(surface_png(surface), factor * PX_PER_INCH)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, data and CRC."""
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_file(width: int, height: int, color_type: int, compressed: bytes) -> bytes:
    """A whole 8-bit PNG file: header, the zlib stream of filtered rows, end. No
    ancillary chunks (no time stamp), so the same pixels give the same bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join(
        (
            PNG_SIGNATURE,
            png_chunk(b"IHDR", header),
            png_chunk(b"IDAT", compressed),
            png_chunk(b"IEND", b""),
        )
    )


def with_density(png: bytes, pixels_per_inch: float) -> bytes:
    """``png`` with a pHYs chunk saying ``pixels_per_inch`` (stored per metre, rounded),
    placed right after IHDR; a pHYs already there is replaced."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    per_metre = round(pixels_per_inch / 0.0254)
    if not 0 < per_metre < 2**31:
        raise ValueError(f"pixel density out of range: {pixels_per_inch} per inch")
    chunk = png_chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))  # 1: metre
    parts = [PNG_SIGNATURE]
    at = len(PNG_SIGNATURE)
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        end = at + 12 + length
        if kind != b"pHYs":
            parts.append(png[at:end])
        if kind == b"IHDR":
            parts.append(chunk)
        at = end
    return b"".join(parts)


def surface_png(surface: Any) -> bytes:
    """The PNG of a cairo image surface, by cairo's ``write_to_png``."""
    import io

    from nnsvg.render.cairo_svg import interrupts_kept

    surface.flush()
    buffer = io.BytesIO()
    with interrupts_kept():  # cairo writes through a Python callback
        surface.write_to_png(buffer)
    return buffer.getvalue()
