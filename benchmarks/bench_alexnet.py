"""Benchmark of the AlexNet layout on long networks (issue #14), in one process.

Run: python benchmarks/bench_alexnet.py [--layers 100,300,997] [--repeat N]

For each size it builds an AlexNet-style spec (convs, pools and upsamplings in turn,
so the boxes shrink and grow and the dimension labels vary), then times, best of N:

- ``layout``: ``nnsvg.pipeline.build_scene`` (the scene, no SVG text);
- ``svg``: the whole render to SVG text (the layout, then ``render_svg`` of the scene);
- ``brute``: the layout with the dimension labels and captions placed by the old
  all-pairs tests (``nnsvg.spatial.AllBoxes`` and ``AllSpans`` in place of the grid
  index and the sorted caption rows); skipped above ``--brute-max`` layers, and it must
  give the very same scene;
- ``lenet``: the same spec laid out in the LeNet style, a linear baseline.

The gallery's specs/alexnet.yaml is timed the same way.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render.svg import render_svg
from nnsvg.spec.model import Spec

SPECS = Path(__file__).resolve().parent.parent / "specs"
FILTERS = (16, 32, 64, 128, 96, 48)


def long_spec(layers: int) -> str:
    """An AlexNet-style spec with ``layers`` layers after the input, as JSON text: in
    turn conv (3×3, ReLU), pool, conv, pool, conv 1×1, upsample ×4 (so the map goes
    64 → 32 → 16 → 64 and the channels change from block to block)."""
    out: list[dict] = []
    for k in range(layers):
        step, block = k % 6, k // 6
        if step in (0, 2):
            out.append(
                {
                    "type": "conv",
                    "filters": FILTERS[(block + step) % len(FILTERS)],
                    "kernel": 3,
                    "padding": 1,
                    "activation": "relu",
                    "label": f"conv{k + 1}",
                }
            )
        elif step in (1, 3):
            out.append({"type": "pool", "size": 2, "stride": 2})
        elif step == 4:
            out.append(
                {"type": "conv", "filters": FILTERS[(block + 3) % len(FILTERS)], "kernel": 1}
            )
        else:
            out.append({"type": "upsample", "size": 4})
    return json.dumps(
        {"style": "alexnet", "input": {"shape": [64, 64, 3], "label": "Image"}, "layers": out}
    )


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


@contextmanager
def brute_force():
    """The AlexNet engine with its labels placed by the all-pairs tests of old."""
    from nnsvg.engines import alexnet_labels
    from nnsvg.spatial import AllBoxes

    saved = alexnet_labels.BoxIndex
    alexnet_labels.BoxIndex = AllBoxes  # type: ignore[misc]
    try:
        yield
    finally:
        alexnet_labels.BoxIndex = saved  # type: ignore[misc]


def row(name: str, spec: Spec, repeat: int, brute: bool) -> None:
    layout, scene = best_of(repeat, lambda: build_scene(spec))
    svg, _ = best_of(repeat, lambda: render_svg(build_scene(spec)))
    cells = [f"{name:>16s}", f"{layout:8.3f}", f"{svg:8.3f}"]
    if brute:
        with brute_force():
            old, old_scene = best_of(1, lambda: build_scene(spec))
        same = "same" if old_scene == scene else "DIFFERENT"
        cells += [f"{old:8.3f}", f"{old / layout:6.1f}x", f"{same:>9s}"]
    else:
        cells += [f"{'-':>8s}", f"{'-':>7s}", f"{'-':>9s}"]
    lenet, _ = best_of(repeat, lambda: build_scene(spec, RenderOptions(style="lenet")))
    cells.append(f"{lenet:8.3f}")
    print("  ".join(cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--layers", default="100,300,997", help="sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--brute-max", type=int, default=1000, help="largest size run brute force")
    args = parser.parse_args()
    print(
        f"{'spec':>16s}  {'layout':>8s}  {'svg':>8s}  {'brute':>8s}  {'speedup':>7s}  "
        f"{'scene':>9s}  {'lenet':>8s}   (seconds, best of {args.repeat}; brute: 1 run)"
    )
    gallery = SPECS / "alexnet.yaml"
    # Its width and font_size hold in the alexnet style only (row() also draws it as lenet).
    unsized = dataclasses.replace(load_spec(gallery), width=None, font_size=None)
    row("specs/alexnet", unsized, args.repeat, args.brute_max > 0)
    for n in (int(s) for s in args.layers.split(",")):
        spec = load_spec(f"alexnet-{n}.json", text=long_spec(n))
        row(f"{n} layers", spec, args.repeat, n <= args.brute_max)


if __name__ == "__main__":
    main()
