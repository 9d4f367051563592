"""Benchmarks of nnsvg, as whole `nnsvg` processes (what a user waits for).

Run: python benchmarks/bench_fcnn.py [--repeat N] [--gallery]
Prints one line per case: best and median wall time of N runs, output size, and
bytes per edge where it applies. Baseline: a bare f-string writer of the same
kind of path data (one <path> per 100 edges), to compare against. Also: the PNG
of an 80k-edge FCNN, the peak memory of the 535k-edge render, and (--gallery)
the whole gallery to SVG+PNG+PDF with -j 1 and -j 2 and a second, unchanged run.
"""

from __future__ import annotations

import argparse
import os
import resource
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
    parser.add_argument("--gallery", action="store_true", help="also time the gallery")
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
            [*cmd, "render", str(folder / "small.yaml"), "-o", str(folder / "s.svg"), "--force"],
            args.repeat,
        )
        print(f"small spec -> SVG (process)      best {best:6.3f} s  median {median:6.3f} s")
        best, median = timed(
            [*cmd, "render", str(folder / "big.yaml"), "-o", str(big_out), "--force"], args.repeat
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

        peak = _peak_rss_mb(
            [*cmd, "render", str(folder / "big.yaml"), "-o", str(big_out), "--force"]
        )
        print(f"535k-edge FCNN -> SVG peak memory {peak:7.0f} MB")
        (folder / "p80k.yaml").write_text("layers: [200, 200, 200]\nelide: false\n")
        best, median = timed(
            [*cmd, "render", str(folder / "p80k.yaml"), "-o", str(folder / "p.png"), "--force"],
            args.repeat,
        )
        print(f"80k-edge FCNN -> PNG (process)   best {best:6.3f} s  median {median:6.3f} s")
        if args.gallery:
            gallery(cmd, folder, args.repeat)


def _peak_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of a child process, in MB (Linux reports KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(after, before) / 1024


def gallery(cmd: list[str], folder: Path, repeat: int) -> None:
    specs = Path(__file__).resolve().parent.parent / "specs"
    out = folder / "gallery"
    base = [*cmd, "render", str(specs), "--out-dir", str(out), "--format", "svg,png,pdf"]
    one, _ = timed([*base, "-j", "1", "--force"], repeat)
    two, _ = timed([*base, "-j", "2", "--force"], repeat)
    print(
        f"gallery SVG+PNG+PDF  -j 1 {one:6.3f} s   -j 2 {two:6.3f} s   speed-up {one / two:4.2f}x"
    )
    again, _ = timed(base, repeat)
    print(f"gallery again, nothing changed   best {again:6.3f} s")


if __name__ == "__main__":
    main()
