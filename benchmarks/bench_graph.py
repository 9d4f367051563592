"""Benchmark: graph-shaped networks in the LeNet style (issue #14's target: a graph of
500 nodes, the size of ResNet-152, to SVG in under 1 s as a whole process).

Run: python benchmarks/bench_graph.py [--repeat N]

Specs, built here: a ResNet-like stack of bottleneck blocks (three convolutions and an
add whose shortcut skips them) of 100 and 500 nodes; a random layered DAG of 500 nodes
(convolutions reading any of the last 8 tensors, adds and concats); and, as the
baseline in the same process, the plain chain of 500 convolutions (the chain layout).
For each: the layout (build_scene), the SVG (render_svg), and the whole process
(`python -m nnsvg render spec -o out.svg`), best of N.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.svg import render_svg


def resnet(nodes: int) -> dict:
    layers: list[dict] = [{"name": "stem", "type": "conv", "filters": 64, "kernel": 3}]
    previous, k = "stem", 0
    while len(layers) + 4 <= nodes - 1:
        layers += [
            {"name": f"a{k}", "type": "conv", "filters": 16, "kernel": 1, "from": previous},
            {"type": "conv", "filters": 16, "kernel": 3, "padding": "same"},
            {"name": f"c{k}", "type": "conv", "filters": 64, "kernel": 1},
            {"name": f"y{k}", "type": "add", "from": [f"c{k}", previous]},
        ]
        previous, k = f"y{k}", k + 1
    return {"style": "lenet", "input": {"shape": [56, 56, 64], "name": "x"}, "layers": layers}


def random_dag(nodes: int, seed: int = 1) -> dict:
    rnd = random.Random(seed)
    names = ["x"]
    layers: list[dict] = []
    for k in range(nodes - 1):
        recent = names[-8:]
        kind = rnd.choice(["conv", "conv", "conv", "add", "concat"])
        if kind == "conv" or len(recent) < 2:
            layers.append(
                {
                    "name": f"n{k}",
                    "type": "conv",
                    "filters": 8,
                    "kernel": 3,
                    "padding": "same",
                    "from": rnd.choice(recent),
                }
            )
        else:
            layers.append({"name": f"n{k}", "type": "concat", "from": rnd.sample(recent, 2)})
        names.append(f"n{k}")
    return {"style": "lenet", "input": {"shape": [16, 16, 8], "name": "x"}, "layers": layers}


def chain(nodes: int) -> dict:
    layer = {"type": "conv", "filters": 8, "kernel": 3, "padding": "same"}
    return {"style": "lenet", "input": [16, 16, 8], "layers": [layer] * (nodes - 1)}


def best(repeat: int, run) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cases = {
        "chain 500 (baseline)": chain(500),
        "resnet 100": resnet(100),
        "resnet 500": resnet(500),
        "random DAG 500": random_dag(500),
    }
    print(f"{'spec':>22} {'nodes':>6} {'layout':>8} {'svg':>8} {'process':>8}   (s, best of N)")
    with tempfile.TemporaryDirectory() as folder:
        for name, data in cases.items():
            text = json.dumps(data)
            spec = load_spec("bench.json", text=text)
            scene = build_scene(spec)
            layout = best(args.repeat, lambda spec=spec: build_scene(spec))
            svg = best(args.repeat, lambda scene=scene: render_svg(scene))
            path = Path(folder) / "bench.json"
            path.write_text(text, encoding="utf-8")
            out = Path(folder) / "bench.svg"
            command = [sys.executable, "-m", "nnsvg", "render", str(path), "-o", str(out)]

            def whole(command: list[str] = command, out: Path = out) -> None:
                out.unlink(missing_ok=True)
                subprocess.run(command, check=True, capture_output=True)

            process = best(args.repeat, whole)
            nodes = len(data["layers"]) + 1
            print(f"{name:>22} {nodes:>6} {layout:>8.3f} {svg:>8.3f} {process:>8.3f}")


if __name__ == "__main__":
    main()
