"""nnsvg's hand-written PNG encoder against the libraries that could do its work.

Run: python benchmarks/bench_png_encoder.py [--repeat N] [--big]

For a few gallery figures drawn by cairosvg at scale 2 (the default PNG), and with
``--big`` vgg16 at scale 6 and the 80k-edge FCNN drawn by the fast raster path, the
same cairo image surface is encoded by:

* ``nnsvg``: nnsvg's former hand-written encoder, kept here (RGB, filter 0, zlib
  level 6, for opaque surfaces);
* ``cairo``: cairo's own ``write_to_png`` through cairocffi (RGBA, libpng's
  adaptive filters), the baseline, in the same process, and what nnsvg uses;
* ``pillow``: Pillow's PNG writer on the surface's pixels converted to RGB
  (``compress_level=6``), had nnsvg depended on Pillow.

Prints per figure and in all: the best of N encode times and the bytes, each beside
cairo's. A user waits for the whole export, so the export time of the figure (cairosvg's
drawing plus cairo's encoder) is printed too: what the encoder saves is a share of it.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zlib
from collections.abc import Callable
from typing import Any

from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.svg import render_svg

GALLERY = ("nnsvg-default", "vgg16", "alexnet", "mnist-image", "resnet-skip", "lenet5")


def _cairo(surface: Any) -> bytes:
    buffer = io.BytesIO()
    surface.write_to_png(buffer)
    return buffer.getvalue()


def _pillow(surface: Any) -> bytes:
    from PIL import Image

    surface.flush()
    size = (surface.get_width(), surface.get_height())
    image = Image.frombuffer("RGBA", size, bytes(surface.get_data()), "raw", "BGRA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def _encoders() -> dict[str, Callable[[Any], bytes]]:
    found: dict[str, Callable[[Any], bytes]] = {"cairo": _cairo, "nnsvg": _handwritten}
    try:
        import PIL  # noqa: F401

        found["pillow"] = _pillow
    except ImportError:
        pass
    return found


# nnsvg's former encoder (nnsvg/render/png.py before the writers registry), verbatim but
# for names: what the benchmark keeps measuring against the library.

_BAND_ROWS = 256
_LEVEL = 6


def _handwritten(surface: Any) -> bytes:
    """The PNG of a cairo ``FORMAT_ARGB32`` image surface: RGB, filter 0, zlib 6, when
    every pixel is opaque (else cairo's writer)."""
    import cairocffi

    from nnsvg.render.png import png_file

    surface.flush()
    width, height = surface.get_width(), surface.get_height()
    stride = surface.get_stride()
    if surface.get_format() != cairocffi.FORMAT_ARGB32 or not _opaque(surface, height, stride):
        return _cairo(surface)
    data = memoryview(surface.get_data()).cast("B")
    r, g, b = (2, 1, 0) if sys.byteorder == "little" else (1, 2, 3)
    row_bytes = 3 * width
    compressor = zlib.compressobj(_LEVEL)
    chunks = []
    for top in range(0, height, _BAND_ROWS):
        rows = min(_BAND_ROWS, height - top)
        band = bytes(data[top * stride : (top + rows) * stride])
        if stride != 4 * width:
            band = b"".join(band[y * stride : y * stride + 4 * width] for y in range(rows))
        rgb = bytearray(rows * row_bytes)
        rgb[0::3] = band[r::4]
        rgb[1::3] = band[g::4]
        rgb[2::3] = band[b::4]
        raw = bytearray(rows * (row_bytes + 1))
        for y in range(rows):
            start = y * (row_bytes + 1) + 1
            raw[start : start + row_bytes] = rgb[y * row_bytes : (y + 1) * row_bytes]
        chunks.append(compressor.compress(raw))
    chunks.append(compressor.flush())
    return png_file(width, height, 2, b"".join(chunks))


def _opaque(surface: Any, height: int, stride: int) -> bool:
    data = memoryview(surface.get_data()).cast("B")
    alpha = 3 if sys.byteorder == "little" else 0
    width = surface.get_width()
    for top in range(0, height, _BAND_ROWS):
        rows = min(_BAND_ROWS, height - top)
        band = bytes(data[top * stride + alpha : (top + rows) * stride : 4])
        if stride == 4 * width:
            if band.count(255) != len(band):
                return False
        else:
            per_row = stride // 4
            if any(
                band[y * per_row : y * per_row + width].count(255) != width for y in range(rows)
            ):
                return False
    return True


def _surface(svg: str, scale: float) -> tuple[Any, float]:
    from nnsvg.render.cairo_svg import svg_surface

    start = time.perf_counter()
    surface = svg_surface(svg, scale)
    return surface, time.perf_counter() - start


def _fast_surface(scale: float) -> tuple[Any, float]:
    """The 80k-edge FCNN as the PNG writer's fast raster path draws it."""
    from nnsvg.render import raster
    from nnsvg.render.cairo_svg import svg_surface

    scene = build_scene(load_spec("p80k.yaml", text="layers: [200, 200, 200]\nelide: false\n"))
    start = time.perf_counter()
    top = svg_surface(render_svg(raster.without_edges(scene)), scale)
    surface = raster.paint_edges(scene, top)
    return surface, time.perf_counter() - start


def _best(function: Callable[[], bytes], repeat: int) -> tuple[float, bytes]:
    best, out = float("inf"), b""
    for _ in range(repeat):
        start = time.perf_counter()
        out = function()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--big", action="store_true", help="also two large figures")
    args = parser.parse_args()
    import cairosvg  # noqa: F401  (imported before anything is timed)

    encoders = _encoders()
    cases: list[tuple[str, str, float]] = []
    from tests.conftest import SPECS_DIR

    for name in GALLERY:
        cases.append((name, render_svg(build_scene(load_spec(SPECS_DIR / f"{name}.yaml"))), 2.0))
    if args.big:
        cases.append(
            ("vgg16 (scale 6)", render_svg(build_scene(load_spec(SPECS_DIR / "vgg16.yaml"))), 6.0)
        )
        cases.append(("fcnn-80k (fast path)", "", 2.0))
    totals = {name: [0.0, 0] for name in encoders}
    draw_total = 0.0
    print(f"{'figure':22} {'draw':>7}  " + "  ".join(f"{n:>22}" for n in encoders))
    for label, svg, scale in cases:
        surface, draw = _fast_surface(scale) if not svg else _surface(svg, scale)
        draw_total += draw
        cells = []
        base_time, base = _best(lambda s=surface: _cairo(s), args.repeat)
        for name, encode in encoders.items():
            seconds, data = _best(lambda s=surface, e=encode: e(s), args.repeat)
            totals[name][0] += seconds
            totals[name][1] += len(data)
            cells.append(
                f"{seconds * 1000:6.1f} ms {len(data) / 1024:6.0f} KB {len(data) / len(base):4.2f}x"
                if name != "cairo"
                else f"{seconds * 1000:6.1f} ms {len(data) / 1024:6.0f} KB     "
            )
        del base_time
        print(f"{label:22} {draw * 1000:5.0f}ms  " + "  ".join(f"{c:>22}" for c in cells))
    cairo_time, cairo_bytes = totals["cairo"]
    print(f"in all: cairosvg drawing {draw_total * 1000:.0f} ms")
    for name, (seconds, size) in totals.items():
        export = draw_total + seconds
        print(
            f"  {name:7} encode {seconds * 1000:7.1f} ms ({seconds / cairo_time:4.2f}x cairo), "
            f"{size / 1024:7.0f} KB ({size / cairo_bytes:4.2f}x), "
            f"draw+encode {export * 1000:7.0f} ms ({export / (draw_total + cairo_time):4.2f}x)"
        )


if __name__ == "__main__":
    main()
