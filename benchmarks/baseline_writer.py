"""The baseline nnsvg's big-FCNN render is measured against: bare f-string SVG writers.

Run: python benchmarks/baseline_writer.py OUT.svg [--trails] [--layers 784,512,256,10]

Writes the edges of a fully connected network (every unit of a layer to every
unit of the next, 160 px between layers, 40 px between units) with nothing but
f-strings and ``file.write``: no spec, no theme, no nodes or labels, no
validation, no atomic write. Two forms of the path data:

* default: one ``M x y L x y`` per edge, 100 edges a ``<path>`` (the writer one
  would write by hand);
* ``--trails``: the same path data nnsvg writes (two sources share a zig-zag
  trail ``a t0 b t1 a t2 ...``, one vertex per edge, paths of at most 100
  segments), so only nnsvg's own overhead is left between the two.

It is run as a process, like ``nnsvg render``, so both include interpreter start.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

SEGMENTS = 100


def _trails(m: int, n: int) -> Iterator[list[int]]:
    """Vertex runs over sources 0..m-1 and targets m..m+n-1 (as nnsvg's FCNN layout)."""
    for a in range(0, m - 1, 2):
        trail = [a]
        for t in range(n):
            trail.append(m + t)
            trail.append(a + 1 if t % 2 == 0 else a)
        yield trail
    if m % 2:
        s = m - 1
        for t in range(0, n, 2):
            yield [m + t, s, m + t + 1] if t + 1 < n else [s, m + t]


def write_per_edge(path: str, sizes: list[int]) -> None:
    with open(path, "w") as out:
        out.write('<svg xmlns="http://www.w3.org/2000/svg">\n')
        for i in range(len(sizes) - 1):
            x0, x1 = i * 160, (i + 1) * 160
            segs = []
            for s in range(sizes[i]):
                for t in range(sizes[i + 1]):
                    segs.append(f"M{x0} {s * 40}L{x1} {t * 40}")
                    if len(segs) == SEGMENTS:
                        out.write(f'<path d="{"".join(segs)}"/>\n')
                        segs = []
            if segs:
                out.write(f'<path d="{"".join(segs)}"/>\n')
        out.write("</svg>\n")


def write_trails(path: str, sizes: list[int]) -> None:
    with open(path, "w") as out:
        out.write('<svg xmlns="http://www.w3.org/2000/svg">\n')
        for i in range(len(sizes) - 1):
            m, n = sizes[i], sizes[i + 1]
            vertex = [f"{i * 160} {s * 40}" for s in range(m)]
            vertex += [f"{(i + 1) * 160} {t * 40}" for t in range(n)]
            parts: list[str] = []
            used = 0
            for run in _trails(m, n):
                start, last = 0, len(run) - 1
                while start < last:
                    stop = min(last, start + SEGMENTS - used)
                    parts.append("M" + " ".join([vertex[v] for v in run[start : stop + 1]]))
                    used += stop - start
                    start = stop
                    if used >= SEGMENTS:
                        out.write(f'<path d="{"".join(parts)}"/>\n')
                        parts, used = [], 0
            if parts:
                out.write(f'<path d="{"".join(parts)}"/>\n')
        out.write("</svg>\n")


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    sizes = [784, 512, 256, 10]
    if "--layers" in argv:
        sizes = [int(v) for v in argv[argv.index("--layers") + 1].split(",")]
        args.remove(argv[argv.index("--layers") + 1])
    (write_trails if "--trails" in argv else write_per_edge)(args[0], sizes)


if __name__ == "__main__":
    main(sys.argv[1:])
