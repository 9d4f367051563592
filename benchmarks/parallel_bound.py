"""How much faster two workers can draw a folder of specs on this machine, measured
without nnsvg's process pool: the ceiling a ``-j 2`` speed-up can reach.

Run: python benchmarks/parallel_bound.py [SPEC_FOLDER] [--repeat N] [--startup SECONDS]

One process imports nnsvg and draws one spec to warm up, then forks children that
each draw every spec of the folder to SVG, PNG and PDF (into a folder of their own),
first one child alone, then two at once. Two children at once take longer each than
one alone even though they share nothing but the machine (caches, memory bandwidth,
the disk): that slowdown, and the start-up that no number of workers shares (pass
the ``nnsvg`` process's own, measured as one tiny spec; bench_fcnn.py does), bound
the speed-up of ``-j 2`` over ``-j 1``::

    ceiling = (startup + one) / (startup + two / 2)

where ``one`` is one child's time alone and ``two`` the time until both children
are done, each having drawn the whole folder: halved, it is a perfect split of the
work with no pool and no imbalance.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from nnsvg.batch import Job, render_job


def _jobs(specs: list[Path], out: Path) -> list[Job]:
    return [
        Job(spec, tuple((out / f"{spec.stem}.{fmt}", fmt) for fmt in ("svg", "png", "pdf")))
        for spec in specs
    ]


def _draw_all(jobs: list[Job]) -> None:
    for job in jobs:
        result = render_job(job)
        if result.errors:
            raise SystemExit(f"{job.spec}: {result.errors[0]}")


def _children_at_once(specs: list[Path], count: int, folder: Path) -> float:
    """Seconds until ``count`` forked children, each drawing every spec, are done."""
    jobs = []
    for k in range(count):
        out = folder / f"child{count}-{k}"
        out.mkdir(exist_ok=True)
        jobs.append(_jobs(specs, out))
    start = time.perf_counter()
    pids = []
    for k in range(count):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 0
            try:
                _draw_all(jobs[k])
            except BaseException:
                code = 1
            os._exit(code)
        pids.append(pid)
    failed = False
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        failed = failed or status != 0
    if failed:
        raise SystemExit("a child failed to draw the specs")
    return time.perf_counter() - start


def measure(specs: list[Path], repeat: int) -> tuple[float, float]:
    """Best time of one child alone, and of two children at once (each drawing all)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        warm = folder / "warm"
        warm.mkdir()
        _draw_all(_jobs(specs[:1], warm))  # imports, fonts: what the forked workers inherit
        one = min(_children_at_once(specs, 1, folder) for _ in range(repeat))
        two = min(_children_at_once(specs, 2, folder) for _ in range(repeat))
    return one, two


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", default=str(Path(__file__).parents[1] / "specs"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--startup", type=float, default=0.0, help="the nnsvg process's start-up, in seconds"
    )
    args = parser.parse_args()
    if not hasattr(os, "fork"):
        sys.exit("this measurement forks: it needs Linux or macOS")
    specs = sorted(Path(args.folder).glob("*.yaml"))
    one, two = measure(specs, args.repeat)
    slowdown = two / one - 1  # each child's time with the other drawing too, over alone
    ceiling = (args.startup + one) / (args.startup + two / 2)
    print(
        f"  ceiling: one child draws the {len(specs)} specs in {one:6.3f} s, two at once "
        f"{two:6.3f} s each ({slowdown:+.0%} from sharing the machine); with "
        f"{args.startup:.3f} s of start-up, -j 2 can be at most {ceiling:4.2f}x -j 1"
    )


if __name__ == "__main__":
    main()
