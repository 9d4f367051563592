"""What loading cairo costs a PNG or PDF export, with and without nnsvg's shortcuts.

Run: python benchmarks/bench_cairo_import.py [--repeat N]

Each case is a fresh Python process (as every ``nnsvg render`` is) that imports
cairosvg's surfaces; the time printed is the best and the median of N runs of the import
alone, measured inside the process, then of a whole ``nnsvg render x.yaml -o x.png``
process. Cases:

* ``plain``: ``import cairocffi, cairosvg.surface`` as a library user would: cairocffi
  parses its C declarations (pycparser) and looks libcairo up with
  ``ctypes.util.find_library``, which on Linux runs ``/sbin/ldconfig -p`` and then
  ``gcc`` and ``ld`` found on PATH;
* ``no-path``: the same, with PATH empty during the import (no gcc or ld is run);
* ``decls``: with nnsvg's pre-parsed declarations (``nnsvg.render.cairo_decls``,
  when the module is still there) and PATH empty.

It also reports whether a program named ``gcc`` planted first on PATH is run by the
import: the reason for the empty PATH.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

PLAIN = "import cairocffi, cairosvg.surface\n"
NO_PATH = (
    "import os\nsaved = os.environ['PATH']\nos.environ['PATH'] = ''\n"
    "import cairocffi\nos.environ['PATH'] = saved\nimport cairosvg.surface\n"
)
DECLS = "from nnsvg.render import cairo_decls\ncairo_decls.import_cairo()\n"
NNSVG = "from nnsvg.render import cairo_svg\ncairo_svg.import_cairo()\n"


def _timed_import(code: str, env: dict[str, str]) -> float:
    wrapped = (
        "import time, nnsvg.errors\nstart = time.perf_counter()\n"
        + code
        + "print(time.perf_counter() - start)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", wrapped], capture_output=True, text=True, env=env, check=True
    )
    return float(out.stdout.split()[-1])


def _stats(values: list[float]) -> str:
    return f"best {min(values) * 1000:6.1f} ms  median {statistics.median(values) * 1000:6.1f} ms"


def _exists(module: str) -> bool:
    return (HERE / (module.replace(".", "/") + ".py")).is_file()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    cases = {"plain": PLAIN, "no-path": NO_PATH}
    if _exists("nnsvg.render.cairo_decls"):
        cases["decls"] = DECLS
    if _exists("nnsvg.render.cairo_svg"):
        cases["nnsvg"] = NNSVG
    for name, code in cases.items():
        times = [_timed_import(code, env) for _ in range(args.repeat)]
        print(f"import, {name:8} {_stats(times)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = folder / "x.yaml"
        spec.write_text("layers: [4, 3, 2]\n")
        for label, extra in (("nnsvg render -> png", {}), ("  with decls off", {"0": "0"})):
            run_env = dict(env)
            if extra:
                run_env["NNSVG_CAIRO_DECLS"] = "0"
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                command = ["render", str(spec), "-o", str(folder / "x.png"), "--force"]
                subprocess.run(
                    [sys.executable, "-m", "nnsvg", *command],
                    check=True,
                    capture_output=True,
                    env=run_env,
                )
                times.append(time.perf_counter() - start)
            print(f"{label:24} {_stats(times)}")
        # A planted gcc: is it run?
        bin_dir = folder / "bin"
        bin_dir.mkdir()
        mark = folder / "ran"
        for tool in ("gcc", "cc", "ld"):
            script = bin_dir / tool
            script.write_text(f"#!/bin/sh\necho {tool} >> {mark}\nexit 1\n")
            script.chmod(0o755)
        planted = {**env, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}
        for name, code in cases.items():
            mark.unlink(missing_ok=True)
            _timed_import(code, planted)
            ran = mark.read_text().split() if mark.exists() else []
            print(f"planted gcc/cc/ld, {name:8} ran: {', '.join(ran) or 'nothing'}")


if __name__ == "__main__":
    main()
