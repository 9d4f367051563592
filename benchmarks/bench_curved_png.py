"""80k curved (Bezier) edges to PNG, beside the same figure with straight edges.

Run: python benchmarks/bench_curved_png.py [--repeat N] [--layers 200,200,200]

Both figures are laid out once; then the PNG writer (``nnsvg.render.writers.write``)
draws each N times, alternating, in this process, and the best and median times are
printed with the ratio curved / straight. Both take the fast raster path (numpy sweep
of the edges, cairosvg for the rest): issue #14 measured 67 s for the curved one when
only straight edges took it, against 2.7 s straight.
"""

from __future__ import annotations

import argparse
import statistics
import time

from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.png import wants_fast_png
from nnsvg.render.writers import write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layers", default="200,200,200")
    args = parser.parse_args()
    layers = f"layers: [{args.layers}]\nelide: false\n"
    scenes = {
        "straight": build_scene(load_spec("s.yaml", text=layers)),
        "curved": build_scene(load_spec("c.yaml", text=layers + "edges: {curve: bezier}\n")),
    }
    write(scenes["straight"], "png")  # warm: imports, cairo
    times: dict[str, list[float]] = {name: [] for name in scenes}
    sizes: dict[str, int] = {}
    for _ in range(args.repeat):
        for name, scene in scenes.items():
            start = time.perf_counter()
            sizes[name] = len(write(scene, "png"))
            times[name].append(time.perf_counter() - start)
    for name, scene in scenes.items():
        best, median = min(times[name]), statistics.median(times[name])
        print(
            f"{name:8} best {best:6.2f} s  median {median:6.2f} s  {sizes[name] / 1024:6.0f} KB"
            f"  fast path: {wants_fast_png(scene)}"
        )
    ratio = min(times["curved"]) / min(times["straight"])
    print(f"curved / straight (best): {ratio:.2f}x")


if __name__ == "__main__":
    main()
