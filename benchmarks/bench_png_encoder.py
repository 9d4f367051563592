"""nnsvg's hand-written PNG encoder against the libraries that could do its work.

Run: python benchmarks/bench_png_encoder.py [--repeat N] [--big]

For a few gallery figures drawn by cairosvg at scale 2 (the default PNG), and with
``--big`` the 80k-edge FCNN at scale 2 and at 600 dpi, the same cairo image surface is
encoded by:

* ``nnsvg``: ``nnsvg.render.png_encoder.surface_png`` (RGB, filter 0, zlib level 6), when
  the module is still there;
* ``cairo``: cairo's own ``write_to_png`` through cairocffi (RGBA, libpng's
  adaptive filters), the baseline, in the same process;
* ``pillow``: Pillow's PNG writer on the surface's pixels converted to RGB
  (``compress_level=6``), had nnsvg depended on Pillow.

Prints per figure and in all: the best of N encode times and the bytes, each beside
cairo's. A user waits for the whole export, so the export time of the figure (cairosvg's
drawing plus cairo's encoder) is printed too: what the encoder saves is a share of it.
"""

from __future__ import annotations

import argparse
import importlib
import io
import time
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
    found: dict[str, Callable[[Any], bytes]] = {"cairo": _cairo}
    for name in ("nnsvg.render.png_encoder", "nnsvg.render.png"):
        module = importlib.import_module(name) if _exists(name) else None
        if module is not None and hasattr(module, "surface_png"):
            found["nnsvg"] = module.surface_png
            break
    try:
        import PIL  # noqa: F401

        found["pillow"] = _pillow
    except ImportError:
        pass
    return found


def _exists(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


def _surface(svg: str, scale: float) -> tuple[Any, float]:
    try:
        from nnsvg.render.cairo_svg import svg_surface
    except ImportError:  # before the writers
        from nnsvg.render.export import _cairosvg_surface as svg_surface

    start = time.perf_counter()
    surface = svg_surface(svg, scale)
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
    parser.add_argument("--big", action="store_true", help="also the 80k-edge FCNN")
    args = parser.parse_args()
    import cairosvg  # noqa: F401  (imported before anything is timed)

    encoders = _encoders()
    cases: list[tuple[str, str, float]] = []
    from tests.conftest import SPECS_DIR

    for name in GALLERY:
        cases.append((name, render_svg(build_scene(load_spec(SPECS_DIR / f"{name}.yaml"))), 2.0))
    if args.big:
        text = "layers: [200, 200, 200]\nelide: false\nedges: {curve: straight, color: '#333'}\n"
        big = render_svg(build_scene(load_spec("p80k.yaml", text=text)))
        cases.append(("fcnn-80k (scale 2)", big, 2.0))
        cases.append(("fcnn-80k (600 dpi)", big, 600 / 96))
    totals = {name: [0.0, 0] for name in encoders}
    draw_total = 0.0
    print(f"{'figure':22} {'draw':>7}  " + "  ".join(f"{n:>22}" for n in encoders))
    for label, svg, scale in cases:
        surface, draw = _surface(svg, scale)
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
