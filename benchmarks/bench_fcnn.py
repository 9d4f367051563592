"""Benchmarks of nnsvg, as whole `nnsvg` processes (what a user waits for).

Run: python benchmarks/bench_fcnn.py [--repeat N] [--gallery]
Prints one line per case: best and median wall time of N runs, output size, and
bytes per edge where it applies. The 535k-edge render is compared with two bare
f-string writers (benchmarks/baseline_writer.py), also run as processes: one
``M x y L x y`` per edge, and the same trail path data nnsvg writes. Also: the
PNG of an 80k-edge FCNN, the peak memory of the 535k-edge render, and
(--gallery) the whole gallery to SVG+PNG+PDF with -j 1 and -j 2 and a second,
unchanged run, with the ceiling this machine puts on that speed-up
(benchmarks/parallel_bound.py).

Two things are set up first so that the numbers are what a user's install gives:
the ``nnsvg`` script next to this Python is run (not a version manager's shim
found on PATH, which adds a shell and ~50 ms), and nnsvg's bytecode is compiled
(pip does that on install; a source checkout with PYTHONDONTWRITEBYTECODE set
would otherwise compile every module on every run).
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
    beside = Path(sys.executable).with_name("nnsvg")
    if beside.is_file():
        return [str(beside)]
    exe = shutil.which("nnsvg")
    return [exe] if exe else [sys.executable, "-m", "nnsvg"]


def compile_bytecode() -> None:
    """Compile the installed nnsvg's modules, as ``pip install`` does."""
    import compileall

    import nnsvg

    compileall.compile_dir(Path(nnsvg.__file__).parent, quiet=1)


def timed(cmd: list[str], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--gallery", action="store_true", help="also time the gallery")
    args = parser.parse_args()
    cmd = nnsvg_cmd()
    compile_bytecode()
    print(f"nnsvg: {' '.join(cmd)}; cores: {os.cpu_count()}")
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
        for fmt in ("PNG", "PDF"):
            out = folder / f"s.{fmt.lower()}"
            best, median = timed(
                [*cmd, "render", str(folder / "small.yaml"), "-o", str(out), "--force"],
                args.repeat,
            )
            print(f"small spec -> {fmt} (process)      best {best:6.3f} s  median {median:6.3f} s")
        best, median = timed(
            [*cmd, "render", str(folder / "big.yaml"), "-o", str(big_out), "--force"], args.repeat
        )
        size = big_out.stat().st_size
        print(
            f"535k-edge FCNN -> SVG (process)  best {best:6.3f} s  median {median:6.3f} s  "
            f"{size / 1e6:.1f} MB  {size / BIG_EDGES:.1f} bytes/edge"
        )
        nnsvg_best = best
        writer = Path(__file__).resolve().with_name("baseline_writer.py")
        for label, extra in (("per edge", []), ("same trails", ["--trails"])):
            base = folder / "baseline.svg"
            b_best, b_median = timed([sys.executable, str(writer), str(base), *extra], args.repeat)
            size = base.stat().st_size
            print(
                f"baseline f-string writer, {label:11s} best {b_best:6.3f} s  median "
                f"{b_median:6.3f} s  {size / 1e6:.1f} MB  {size / BIG_EDGES:.1f} bytes/edge  "
                f"-> nnsvg takes {nnsvg_best / b_best:.2f}x"
            )
        print("(NN-SVG, same network: 10.7 s, 94.5 MB)")

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
    count = len(list(specs.glob("*.yaml")))
    print(
        f"gallery ({count} specs) SVG+PNG+PDF  -j 1 {one:6.3f} s   -j 2 {two:6.3f} s   "
        f"speed-up {one / two:4.2f}x"
    )
    # -j 2 starts the jobs that wrote the most bytes last time first; into an empty
    # folder it has only the spec sizes to go by.
    fresh = []
    for k in range(repeat):
        empty = folder / f"fresh{k}"
        fresh.append(
            timed(
                [
                    *cmd,
                    "render",
                    str(specs),
                    "--out-dir",
                    str(empty),
                    "--format",
                    "svg,png,pdf",
                    "-j",
                    "2",
                ],
                1,
            )[0]
        )
    print(f"  -j 2 into an empty folder        best {min(fresh):6.3f} s")
    again, _ = timed(base, repeat)
    print(f"gallery again, nothing changed   best {again:6.3f} s")
    # What no number of workers shortens: interpreter start and the imports (typer,
    # svgwrite, cairosvg...), measured as one tiny spec to all three formats.
    tiny = folder / "tiny"
    tiny.mkdir()
    (tiny / "t.yaml").write_text("layers: [2, 1]\n")
    floor, _ = timed(
        [*cmd, "render", str(tiny), "--out-dir", str(out), "--format", "svg,png,pdf", "--force"],
        repeat,
    )
    print(
        f"  of which start-up (one tiny spec, all formats) {floor:6.3f} s; the rest: "
        f"-j 1 {one - floor:6.3f} s, -j 2 {two - floor:6.3f} s, "
        f"speed-up {(one - floor) / (two - floor):4.2f}x"
    )
    bound = Path(__file__).resolve().with_name("parallel_bound.py")
    startup = ["--startup", f"{floor:.3f}"]
    subprocess.run(
        [sys.executable, str(bound), str(specs), "--repeat", str(repeat), *startup], check=True
    )
    # A paper with more figures: four copies of the gallery in one folder.
    many = folder / "many"
    shutil.copytree(specs, many)
    for spec in sorted(specs.glob("*.yaml")):
        for k in range(1, 4):
            shutil.copy(spec, many / f"copy{k}-{spec.name}")
    base = [*cmd, "render", str(many), "--out-dir", str(folder / "many-out")]
    base += ["--format", "svg,png,pdf", "--force"]
    one, _ = timed([*base, "-j", "1"], repeat)
    two, _ = timed([*base, "-j", "2"], repeat)
    print(
        f"gallery x4 ({4 * count} specs)   -j 1 {one:6.3f} s   -j 2 {two:6.3f} s   "
        f"speed-up {one / two:4.2f}x"
    )


if __name__ == "__main__":
    main()
