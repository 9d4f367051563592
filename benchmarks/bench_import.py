"""Benchmark: `nnsvg import` of a ResNet-50-sized ONNX graph (issue #18's target: under
2 s).

Run: python benchmarks/bench_import.py [--repeat N]   (needs the onnx extra)

The graph is tests/onnx_models.py's resnet50(): stages of 3, 4, 6 and 3 bottlenecks,
batch norm after every convolution, ReLUs (175 nodes, 53 convolutions), its weights
left out of the file (external data, never read: the importer reads dims only). Timed:
import_model() in this process (load, shape inference, folding, the spec text, and the
check that nnsvg loads it and infers the same shapes), best of N; and the whole process
`python -m nnsvg import model.onnx -o spec.yaml`, best of N.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnsvg.importers import import_model  # noqa: E402
from tests.onnx_models import resnet50, save  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        model = save(resnet50(), Path(folder) / "resnet50.onnx")
        out = Path(folder) / "resnet50.yaml"
        nodes = len(__import__("onnx").load(str(model), load_external_data=False).graph.node)
        result = import_model(model)
        in_process = best(lambda: import_model(model), args.repeat)
        command = [sys.executable, "-m", "nnsvg", "import", str(model), "-o", str(out), "--force"]
        whole = best(lambda: subprocess.run(command, check=True, capture_output=True), args.repeat)
    print(f"ResNet-50 graph: {nodes} ONNX nodes -> {result.layers} layers ({result.style})")
    print(f"import_model(): {in_process:.3f} s; whole process: {whole:.3f} s (target < 2 s)")


if __name__ == "__main__":
    main()
