"""Benchmark: `nnsvg import` of a ResNet-50-sized ONNX graph (issue #18's target: under
2 s).

Run: python benchmarks/bench_import.py [--repeat N]   (needs the onnx extra)

The graph is tests/onnx_models.py's resnet50(): stages of 3, 4, 6 and 3 bottlenecks,
batch norm after every convolution, ReLUs (175 nodes, 53 convolutions), its weights
left out of the file (external data, never read: the importer reads dims only). Timed:
import_model() in this process (load, shape inference, folding, the spec text, and the
check that nnsvg loads it and infers the same shapes), best of N; and the whole process
`python -m nnsvg import model.onnx -o spec.yaml`, best of N.

The 2,000-node case (issue #18: "a repeated-block search stays fast for 2,000 nodes"):
285 residual blocks (Conv, BN, Relu, Conv, BN, Add, Relu: 857 layers once folded,
under the 1,000 a spec may have) whose names carry no scope, so the
tandem-repeat search finds them: import_model() with and without collapsing; and the
search alone on 2,000 random signatures (its worst case: nothing long repeats, every
period is tried).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nnsvg.importers import import_model  # noqa: E402
from nnsvg.importers.collapse import _tandem  # noqa: E402
from tests.onnx_models import Builder, resnet50, save  # noqa: E402


def long_chain(blocks: int = 285):
    """``blocks`` residual blocks (7 ONNX nodes each) named without scopes."""
    b = Builder()
    x = b.node("Relu", [b.conv("x", 3, 8, 3, "stem", pads=[1] * 4)], "stem_relu")
    for n in range(blocks):
        y = b.bn(b.conv(x, 8, 8, 3, f"convA{n}", pads=[1] * 4), 8, f"bnA{n}")
        y = b.node("Relu", [y], f"reluA{n}")
        y = b.bn(b.conv(y, 8, 8, 3, f"convB{n}", pads=[1] * 4), 8, f"bnB{n}")
        x = b.node("Relu", [b.node("Add", [x, y], f"sum{n}")], f"relu{n}")
    return b.model({"x": [1, 3, 16, 16]}, x, "long-chain")


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
    with tempfile.TemporaryDirectory() as folder:
        model = save(long_chain(), Path(folder) / "long.onnx")
        nodes = len(__import__("onnx").load(str(model), load_external_data=False).graph.node)
        collapsed = import_model(model)
        with_search = best(lambda: import_model(model), args.repeat)
        without = best(lambda: import_model(model, collapse=False), args.repeat)
    print(
        f"long chain: {nodes} ONNX nodes -> {collapsed.layers} layers written "
        f"({collapsed.style}); import_model(): {with_search:.3f} s collapsed, "
        f"{without:.3f} s with --no-collapse"
    )
    rng = random.Random(18)
    noise = [rng.randrange(50) for _ in range(2000)]
    search = best(lambda: _tandem(noise), args.repeat)
    print(f"tandem search on 2,000 random signatures: {search:.3f} s")


if __name__ == "__main__":
    main()
