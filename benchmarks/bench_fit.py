"""Benchmark of ``fit:`` (issue #17): the time to fit a spec to a width beside a plain
render of the same spec, in one process.

Run: python benchmarks/bench_fit.py [--repeat N] [SPEC ...]

For each spec (default: the gallery's VGG-19, ResNet-34, AlexNet and Transformer) it
times, best of N, the SVG text of:

- ``plain``: the spec as written (its own width, font_size and wrap);
- ``fit``: the spec with ``fit: <its width>`` in place of its width, font_size and wrap;
- ``fail``: the spec with ``fit`` at a tenth of its width (nothing fits, so every
  arrangement is tried and the suggestions are each checked by a search).

and prints the layouts the fitted search drew.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import time
from pathlib import Path

import yaml

from nnsvg.errors import NnsvgError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.svg import render_svg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ["vgg19", "resnet34", "alexnet", "transformer"]


def fitted(text: str, scale: float = 1.0) -> str:
    width = str(yaml.safe_load(text).get("width", "7in"))
    number, unit = re.fullmatch(r"([\d.]+)\s*(\w*)", width).groups()  # type: ignore[union-attr]
    kept = [
        line for line in text.splitlines() if not re.match(r"(font_size|wrap|width|fit):", line)
    ]
    return "\n".join([*kept, f"fit: {float(number) * scale:g}{unit or 'px'}", ""])


def best_of(repeat: int, path: Path, text: str) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.suppress(NnsvgError):  # fail: the search and its suggestions
            render_svg(build_scene(load_spec(path, text=text)))
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", nargs="*", default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'spec':14s} {'plain':>8s} {'fit':>8s} {'fail':>8s}")
    for name in args.specs:
        path = ROOT / "specs" / f"{name}.yaml"
        text = path.read_text()
        plain = best_of(args.repeat, path, text)
        fit = best_of(args.repeat, path, fitted(text))
        fail = best_of(args.repeat, path, fitted(text, 0.1))
        print(f"{name:14s} {plain:7.3f}s {fit:7.3f}s {fail:7.3f}s")


if __name__ == "__main__":
    main()
