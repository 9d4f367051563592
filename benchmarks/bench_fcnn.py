"""Benchmarks of the FCNN pipeline, as whole `nnsvg` processes (what a user waits for).

Run: python benchmarks/bench_fcnn.py [--repeat N]
Prints one line per case: best and median wall time of N runs, output size, and
bytes per edge where it applies. Baseline: a bare f-string writer of the same
kind of path data (one <path> per 100 edges), to compare against.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIG = "layers: [784, 512, 256, 10]\nelide: false\n"
BIG_EDGES = 784 * 512 + 512 * 256 + 256 * 10
SMALL = "layers: [16, 12, 10, 1]\n"


def nnsvg_cmd() -> list[str]:
    exe = shutil.which("nnsvg")
    return [exe] if exe else [sys.executable, "-m", "nnsvg"]


def timed(cmd: list[str], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def baseline_writer(path: Path) -> None:
    """The same network's edges written with f-strings and nothing else."""
    sizes = [784, 512, 256, 10]
    with path.open("w") as out:
        out.write('<svg xmlns="http://www.w3.org/2000/svg">\n')
        for i in range(len(sizes) - 1):
            x0, x1 = i * 160, (i + 1) * 160
            segs = []
            for s in range(sizes[i]):
                for t in range(sizes[i + 1]):
                    segs.append(f"M{x0} {s * 40}L{x1} {t * 40}")
                    if len(segs) == 100:
                        out.write(f'<path d="{"".join(segs)}"/>\n')
                        segs = []
            if segs:
                out.write(f'<path d="{"".join(segs)}"/>\n')
        out.write("</svg>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cmd = nnsvg_cmd()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "big.yaml").write_text(BIG)
        (folder / "small.yaml").write_text(SMALL)
        big_out = folder / "big.svg"

        best, median = timed([*cmd, "--help"], args.repeat)
        print(f"nnsvg --help                     best {best:6.3f} s  median {median:6.3f} s")
        best, median = timed(
            [*cmd, "render", str(folder / "small.yaml"), "-o", str(folder / "s.svg")], args.repeat
        )
        print(f"small spec -> SVG (process)      best {best:6.3f} s  median {median:6.3f} s")
        best, median = timed(
            [*cmd, "render", str(folder / "big.yaml"), "-o", str(big_out)], args.repeat
        )
        size = big_out.stat().st_size
        print(
            f"535k-edge FCNN -> SVG (process)  best {best:6.3f} s  median {median:6.3f} s  "
            f"{size / 1e6:.1f} MB  {size / BIG_EDGES:.1f} bytes/edge"
        )
        base = folder / "baseline.svg"
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            baseline_writer(base)
            times.append(time.perf_counter() - start)
        size = base.stat().st_size
        print(
            f"baseline f-string writer         best {min(times):6.3f} s  median "
            f"{statistics.median(times):6.3f} s  {size / 1e6:.1f} MB  "
            f"{size / BIG_EDGES:.1f} bytes/edge"
        )
        print(f"(NN-SVG, same network: 10.7 s, 94.5 MB; cores: {os.cpu_count()})")


if __name__ == "__main__":
    main()
