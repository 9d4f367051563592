"""Memory and time nnsvg spends on hostile weight files (issue #13): each case is run
in a child process, which reports its peak resident memory and wall time.

Run: python benchmarks/weights_bombs.py [--keep DIR] [--limit-gib N]

The cases, written once into a temporary folder (or ``--keep DIR``, to reuse them):

* ``npz-bomb``: a 3 MB ``.npz`` of ten members of 40 million float64 zeros each
  (3.2 GB once decompressed);
* ``npz-one-member``: one such member (320 MB, under the value limit) whose shape
  does not fit the layers;
* ``npy-header``: an ``.npy`` whose header claims 10^10 values, with 100 data bytes;
* ``npy-sparse``: a sparse 2.4 GB ``.npy`` (header shape 20000x15000, float64);
* ``image-npy-header``: the 10^10-value header as a LeNet input image.

Each child loads the spec and builds the scene (weights and images are read there);
it prints ``figure``, or the error's first line. ``--limit-gib`` caps each child's
address space (default 16 GiB), so that a case that would take the machine fails
instead.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from nnsvg.errors import NnsvgError
from nnsvg.pipeline import build_scene, load_spec
start = time.perf_counter()
try:
    build_scene(load_spec(sys.argv[1]))
    outcome = "figure"
except NnsvgError as err:
    outcome = str(err).splitlines()[0]
except BaseException as err:  # what the case makes of the current code, whatever it is
    outcome = f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "outcome": outcome[:160]}))
"""


def _npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    from numpy.lib import format as npy_format

    buffer = io.BytesIO()
    npy_format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buffer.getvalue()


def _zeros_archive(path: Path, members: int, count: int) -> None:
    zeros = bytes(1 << 20)
    header = _npy_header((count,))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(members):
            with archive.open(f"m{i}.npy", "w", force_zip64=True) as member:
                member.write(header)
                left = count * 8
                while left:
                    chunk = min(left, len(zeros))
                    member.write(zeros[:chunk])
                    left -= chunk


def make_cases(folder: Path) -> dict[str, Path]:
    """Write the hostile files and a spec for each; returns the specs by case name."""
    folder.mkdir(parents=True, exist_ok=True)
    specs: dict[str, Path] = {}

    for name, members in (("npz-bomb", 10), ("npz-one-member", 1)):
        bomb = folder / f"{name}.npz"
        if not bomb.exists():
            _zeros_archive(bomb, members, 40_000_000)
        specs[name] = bomb

    claim = folder / "claim.npy"
    claim.write_bytes(_npy_header((100_000, 100_000)) + bytes(100))
    specs["npy-header"] = claim

    sparse = folder / "sparse.npy"
    if not sparse.exists():
        with open(sparse, "wb") as file:
            file.write(_npy_header((20_000, 15_000)))
            file.truncate(len(_npy_header((20_000, 15_000))) + 20_000 * 15_000 * 8)
    specs["npy-sparse"] = sparse

    out: dict[str, Path] = {}
    for name, data in specs.items():
        spec = folder / f"{name}.yaml"
        spec.write_text(
            f"layers: [4, 3]\nweights: {data.name}\nedges: {{encode: [width]}}\n",
            encoding="utf-8",
        )
        out[name] = spec
    image = folder / "image-npy-header.yaml"
    image.write_text(
        "style: lenet\ninput: {shape: [8, 8, 1], image: claim.npy}\nlayers:\n"
        "  - {type: conv, filters: 2, kernel: 3}\n  - {type: dense, units: 4}\n",
        encoding="utf-8",
    )
    out["image-npy-header"] = image
    return out


def run_case(spec: Path, limit_gib: float) -> dict[str, object]:
    limit = int(limit_gib * (1 << 30))

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(spec)],
        capture_output=True,
        text=True,
        preexec_fn=cap,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode or not lines:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"outcome": f"child failed ({proc.returncode}): {tail[:160]}"}
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="folder for the case files (kept)")
    parser.add_argument("--limit-gib", type=float, default=16.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        print(f"{'case':18} {'time':>9} {'peak RSS':>13}  outcome")
        for name, spec in make_cases(folder).items():
            result = run_case(spec, args.limit_gib)
            seconds = result.get("seconds")
            peak = result.get("peak_mib")
            shown = (
                f"{seconds:7.2f} s {peak:9.1f} MiB"
                if isinstance(seconds, float) and isinstance(peak, float)
                else " " * 21
            )
            print(f"{name:18} {shown}  {result['outcome']}")


if __name__ == "__main__":
    main()
