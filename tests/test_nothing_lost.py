"""Nothing on disk is ever damaged: end to end through the ``nnsvg`` command.

* An existing output is kept whole when its render fails: a bad spec, a write that
  fails midway (a full disk, simulated), a failing ``fsync`` or rename, Ctrl-C (in
  process, and a real SIGINT at several moments of a real process), or a crash
  (SIGKILL). Each output is then the old file or the new one, byte for byte, never
  a mix or a truncated file; and no temporary file is left behind (but after a
  SIGKILL, which nothing can clean up after).
* In a batch, a failing spec stops and damages nothing else: the other outputs are
  byte-identical to rendering each spec alone. Exit codes: 0 all good, 1 some
  figure failed, 2 a usage error (and then nothing is written).
* A batch run with ``--out-dir`` writes only inside it, whatever the spec files
  are called.
* A spec asking for 10**12 edges is refused in well under a second, in a process
  whose memory is capped at 1 GiB.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import Result

import nnsvg.atomic
from tests.cli_run import ENV, run

SPECS = Path(__file__).resolve().parent.parent / "specs"
OLD = {"svg": b"<svg>OLD</svg>\n", "png": b"OLD PNG", "pdf": b"OLD PDF"}
SMALL = "layers: [4, 5, 3]\ntitle: small\n"
BAD = "layers:\n  - {units: 784}\n  - {units: -3}\n"


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr, result.stderr


def temp_files(folder: Path) -> list[Path]:
    """write_atomic's temporary files (``.<name>.<8 hex>.tmp``) anywhere under ``folder``."""
    return sorted(folder.rglob(".*.tmp"))


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every file under ``root``: its bytes (a symlink: where it points)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
    return found


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _old_outputs(folder: Path, stem: str, formats=("svg", "png", "pdf")) -> dict[Path, bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    olds = {}
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        path.write_bytes(OLD[fmt])
        olds[path] = OLD[fmt]
    return olds


def _reference(work: Path, text: str, formats=("svg", "png", "pdf")) -> dict[str, bytes]:
    """The bytes a clean render of ``text`` gives, per format."""
    folder = work / "reference"
    folder.mkdir(exist_ok=True)
    (folder / "ref.yaml").write_text(text, encoding="utf-8")
    result = run("render", folder / "ref.yaml", "--out-dir", folder, "--format", ",".join(formats))
    assert result.exit_code == 0, result.stderr
    return {fmt: (folder / f"ref.{fmt}").read_bytes() for fmt in formats}


# --------------------------------------------------------------------------- failing renders


def test_a_bad_spec_keeps_every_existing_output(work: Path) -> None:
    (work / "fig.yaml").write_text(BAD, encoding="utf-8")
    olds = _old_outputs(work / "out", "fig")
    result = run("render", "fig.yaml", "--out-dir", "out", "--format", "svg,png,pdf")
    no_traceback(result)
    assert result.exit_code == 1
    assert {path: path.read_bytes() for path in olds} == olds
    assert not temp_files(work)


class _Disk:
    """Stand-ins for what write_atomic calls, failing the way a full disk does."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, where: str, fail_on: int = 1) -> None:
        self.calls = 0
        self.fail_on = fail_on  # the n-th output written fails (1: the first)
        self.where = where
        real_fdopen, real_fsync, real_replace = os.fdopen, os.fsync, os.replace

        def failing(*args: object) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def due() -> bool:
            return self.calls == self.fail_on

        def fdopen(fd: int, *args: object, **kwargs: object):
            file = real_fdopen(fd, *args, **kwargs)
            if "w" not in str(args[0] if args else kwargs.get("mode", "r")):
                return file  # a file read (nnsvg.safe_files), not one of the outputs
            self.calls += 1
            if where == "write" and due():
                return _HalfWriter(file, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
            if where == "interrupt" and due():
                return _HalfWriter(file, KeyboardInterrupt())
            return file

        def fsync(fd: int) -> None:
            if where == "fsync" and due() and not _is_dir(fd):
                failing()
            real_fsync(fd)

        def replace(src: str, dst: str) -> None:
            if where == "replace" and due():
                failing()
            real_replace(src, dst)

        monkeypatch.setattr(nnsvg.atomic.os, "fdopen", fdopen)
        monkeypatch.setattr(nnsvg.atomic.os, "fsync", fsync)
        monkeypatch.setattr(nnsvg.atomic.os, "replace", replace)


def _is_dir(fd: int) -> bool:
    import stat

    return stat.S_ISDIR(os.fstat(fd).st_mode)


class _HalfWriter:
    """A file that takes half the bytes, then fails with ``error``."""

    def __init__(self, file, error: BaseException) -> None:
        self._file = file
        self._error = error

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self._file.close()

    def fileno(self) -> int:
        return self._file.fileno()

    def flush(self) -> None:
        self._file.flush()

    def write(self, data: bytes) -> int:
        self._file.write(data[: len(data) // 2])
        self._file.flush()
        raise self._error


@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
@pytest.mark.parametrize("fail_on", [1, 2, 3])
def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(
    work: Path, monkeypatch: pytest.MonkeyPatch, where: str, fail_on: int
) -> None:
    new = _reference(work, SMALL)
    (work / "fig.yaml").write_text(SMALL, encoding="utf-8")
    _old_outputs(work / "out", "fig")
    _Disk(monkeypatch, where, fail_on)
    result = run("render", "fig.yaml", "--out-dir", "out", "--format", "svg,png,pdf", "-j1")
    no_traceback(result)
    assert result.exit_code == 1
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
    assert "No space left on device" in line and "fig." in line, line
    # Outputs before the failing one are new, it and the ones after are old; all whole.
    for k, fmt in enumerate(("svg", "png", "pdf"), start=1):
        data = (work / "out" / f"fig.{fmt}").read_bytes()
        assert data == (new[fmt] if k < fail_on else OLD[fmt]), fmt
    assert not temp_files(work)


def test_ctrl_c_while_writing_keeps_the_old_file(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "fig.yaml").write_text(SMALL, encoding="utf-8")
    olds = _old_outputs(work / "out", "fig")
    _Disk(monkeypatch, "interrupt", fail_on=1)
    result = run("render", "fig.yaml", "--out-dir", "out", "--format", "svg,png,pdf", "-j1")
    assert result.exit_code == 130
    assert {path: path.read_bytes() for path in olds} == olds
    assert not temp_files(work)


def test_ctrl_c_while_converting_keeps_the_old_file(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nnsvg.render.cairo_svg

    def interrupted(*args: object) -> bytes:
        raise KeyboardInterrupt

    (work / "fig.yaml").write_text(SMALL, encoding="utf-8")
    olds = _old_outputs(work / "out", "fig", ("png",))
    monkeypatch.setattr(nnsvg.render.cairo_svg, "svg_surface", interrupted)
    result = run("render", "fig.yaml", "--out-dir", "out", "--format", "png", "-j1")
    assert result.exit_code == 130
    assert {path: path.read_bytes() for path in olds} == olds
    assert not temp_files(work)


# A figure that takes about a second to render in three formats, so that a signal
# can land while the SVG, the PNG or the PDF is being made or written.
SLOW = "elide: false\nlayers: [200, 200, 100, 10]\n"


def _render_process(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "nnsvg", "render", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **ENV},
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )


@pytest.mark.parametrize(
    ("sig", "delays"),
    [(signal.SIGINT, (0.35, 0.9)), (signal.SIGKILL, (0.6,))],
    ids=["sigint", "sigkill"],
)
def test_a_signal_at_any_moment_leaves_old_or_new_files(
    work: Path, sig: signal.Signals, delays: tuple[float, ...]
) -> None:
    fmts = ("svg", "png", "pdf")
    new = _reference(work, SLOW)
    (work / "a.yaml").write_text(SLOW, encoding="utf-8")
    (work / "b.yaml").write_text(SLOW, encoding="utf-8")
    for delay in delays:
        for jobs in ("1", "2"):
            for stem in ("a", "b"):
                _old_outputs(work / "out", stem)
            proc = _render_process(
                ["a.yaml", "b.yaml", "--out-dir", "out", "--format", "svg,png,pdf", "-j", jobs],
                work,
            )
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):  # it may have finished
                os.killpg(proc.pid, sig)
            _out, err = proc.communicate(timeout=60)
            for stem in ("a", "b"):
                for fmt in fmts:
                    data = (work / "out" / f"{stem}.{fmt}").read_bytes()
                    assert data in (OLD[fmt], new[fmt]), (delay, jobs, stem, fmt, data[:40])
            manifest = work / "out" / ".nnsvg-cache.json"
            if manifest.exists():
                json.loads(manifest.read_bytes())  # whole too
            if sig == signal.SIGINT:
                assert not temp_files(work), (delay, jobs, proc.returncode, err)
            for temp in temp_files(work):  # what a killed process leaves; the next run's
                temp.unlink()


# --------------------------------------------------------------------------- batches


def test_a_failing_spec_damages_nothing_in_a_batch(work: Path) -> None:
    names = ["nnsvg-default.yaml", "lenet5.yaml", "alexnet-nnsvg-default.yaml"]
    figs = work / "figs"
    figs.mkdir()
    for name in names:
        shutil.copyfile(SPECS / name, figs / name)
    (figs / "broken.yaml").write_text(BAD, encoding="utf-8")
    (figs / "empty.yaml").write_bytes(b"")
    (figs / "binary.json").write_bytes(b"\x00\xff\xfe garbage")
    olds = _old_outputs(work / "out", "broken", ("svg", "png"))
    for jobs in ("1", "2"):
        result = run(
            "render", "figs", "--out-dir", "out", "--format", "svg,png", "-j", jobs, "--force"
        )
        no_traceback(result)
        assert result.exit_code == 1
        errors = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
        assert len(errors) == 3, errors
        for error, name in zip(errors, ("binary.json", "broken.yaml", "empty.yaml")):
            assert error.startswith(f"error: figs/{name}:"), error
        assert result.stderr.splitlines()[-1] == "3 of 6 spec(s) failed"
        assert {path: path.read_bytes() for path in olds} == olds
        for name in names:
            alone = work / "alone"
            single = run("render", figs / name, "--out-dir", alone, "--format", "svg,png")
            assert single.exit_code == 0
            stem = Path(name).stem
            for fmt in ("svg", "png"):
                assert (work / "out" / f"{stem}.{fmt}").read_bytes() == (
                    alone / f"{stem}.{fmt}"
                ).read_bytes()
        assert not temp_files(work)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["figs", "--format", "svg,gif"], "unknown format 'gif'"),
        (["figs/a.yaml", "figs/b.yaml", "-o", "x.svg"], "-o/--output takes one spec"),
        (["figs/a.yaml", "-o", "x.svg", "--out-dir", "out"], "either -o/--output or --out-dir"),
        (["figs/*.nope"], "no file matches"),
        (["figs", "--dpi", "-3"], "--dpi: must be a positive number below 100000, got -3"),
        (["figs", "--theme", "no-such-theme"], "--theme"),
        (["figs", "--style", "nope"], "--style"),
        (["figs", "--jobs", "0"], "--jobs"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(work: Path, args: list[str], words: str) -> None:
    (work / "figs").mkdir()
    (work / "figs" / "a.yaml").write_text(SMALL, encoding="utf-8")
    (work / "figs" / "b.yaml").write_text(SMALL, encoding="utf-8")
    before = snapshot(work)
    result = run("render", *args)
    no_traceback(result)
    assert result.exit_code == 2, result.stderr
    assert words in result.stderr
    assert snapshot(work) == before


def test_exit_codes_zero_when_all_render(work: Path) -> None:
    (work / "a.yaml").write_text(SMALL, encoding="utf-8")
    assert run("render", "a.yaml", "--out-dir", "out").exit_code == 0
    assert run("render", "a.yaml", "--out-dir", "out").exit_code == 0  # up to date
    (work / "b.yaml").write_text(BAD, encoding="utf-8")
    assert run("render", "a.yaml", "b.yaml", "--out-dir", "out").exit_code == 1


# --------------------------------------------------------------------------- out-dir


def test_batch_outputs_stay_inside_the_out_dir(work: Path) -> None:
    """Spec names that look like paths (``..``, ``...``, a leading dash, a symlink to a
    spec elsewhere) still name files inside ``--out-dir``."""
    figs = work / "a" / "b" / "figs"
    figs.mkdir(parents=True)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "far.yaml").write_text(SMALL, encoding="utf-8")
    names = ["..yaml", "...yaml", "....json", "-o.yaml", "x..yaml", " .yaml", "é 1.yaml"]
    for name in names:
        (figs / name).write_text(SMALL if name.endswith("yaml") else '{"layers": [2, 1]}')
    (figs / "link.yaml").symlink_to(elsewhere / "far.yaml")
    (figs / "up.yaml").symlink_to("../../../elsewhere/far.yaml")
    out = work / "a" / "b" / "out"
    before = snapshot(work)
    for args in (
        ["a/b/figs"],
        ["a/b/figs/*.yaml", "a/b/figs/....json"],
        ["a/b/figs/../figs/..yaml", "./a/b/figs/...yaml", str(figs / "link.yaml")],
        ["a/b/figs/.hidden.yaml"],
    ):
        if args == ["a/b/figs/.hidden.yaml"]:
            (figs / ".hidden.yaml").write_text(SMALL, encoding="utf-8")
            before[str((figs / ".hidden.yaml").relative_to(work))] = SMALL.encode()
        result = run("render", *args, "--out-dir", "a/b/out", "--format", "svg,png", "--force")
        no_traceback(result)
        assert result.exit_code == 0, result.stderr
        after = snapshot(work)
        changed = {k for k in after if before.get(k) != after[k]}
        assert changed, args
        for key in changed:
            path = (work / key).resolve()
            assert path.is_relative_to(out.resolve()), key
        assert not {k for k in before if k not in after}  # nothing removed
    written = sorted(p.name for p in out.iterdir())
    assert "..svg" in written and "...svg" in written and "link.svg" in written
    assert (elsewhere / "far.yaml").read_text() == SMALL


def test_a_symlink_planted_in_the_out_dir_is_not_written_through(work: Path) -> None:
    (work / "a.yaml").write_text(SMALL, encoding="utf-8")
    (work / "out").mkdir()
    (work / "victim.txt").write_text("precious", encoding="utf-8")
    (work / "out" / "a.svg").symlink_to("../victim.txt")
    run("render", "a.yaml", "--out-dir", "out")
    assert (work / "victim.txt").read_text(encoding="utf-8") == "precious"


def test_a_broken_theme_file_fails_only_its_own_spec(work: Path) -> None:
    (work / "t.yaml").write_text('extends: "a\\0b.yaml"\n', encoding="utf-8")
    (work / "bad.yaml").write_text("layers: [2, 1]\ntheme: t.yaml\n", encoding="utf-8")
    (work / "good.yaml").write_text(SMALL, encoding="utf-8")
    result = run("render", "bad.yaml", "good.yaml", "--out-dir", "out", "-j1")
    assert result.exit_code == 1
    assert (work / "out" / "good.svg").is_file()
    no_traceback(result)


# --------------------------------------------------------------------------- huge requests

_CAP = 1 << 30  # 1 GiB of address space


def _cap_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (_CAP, _CAP))


_TIMED = (
    "import sys, time\n"
    "from nnsvg.cli import main\n"
    "sys.argv = ['nnsvg', *sys.argv[1:]]\n"
    "start = time.perf_counter()\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    sys.stdout.write(f'\\nELAPSED {time.perf_counter() - start:.3f}\\n')\n"
)


def _render_capped(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``nnsvg render ARGS -j1`` in ``folder``, in a child with 1 GiB of address space; its
    stdout ends with ``ELAPSED <seconds of the command, after start-up>``."""
    pytest.importorskip("resource")
    return subprocess.run(
        [sys.executable, "-c", _TIMED, "render", *args, "-j1"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_memory,
        env={**os.environ, **ENV, "OPENBLAS_NUM_THREADS": "1"},
    )


@pytest.mark.parametrize(
    ("text", "args", "words"),
    [
        ("elide: false\nlayers: [1000000, 1000000]\n", [], "--max-nodes"),
        ("elide: false\nlayers: [1000000, 1000000]\n", ["--max-nodes", "3000000"], "--max-edges"),
        ("elide: false\nlayers: [1000000000000, 1000000000000]\n", [], "--max-nodes"),
        (
            "layers: [{units: 1000000000000, max_visible: 100000}, "
            "{units: 1000000000000, max_visible: 100000}]\n",
            ["--max-nodes", "1000000"],
            "--max-edges",
        ),
    ],
    ids=["nodes", "10**12-edges", "10**24-edges", "max-visible"],
)
def test_a_spec_asking_for_10_to_the_12_edges_is_refused_quickly_in_bounded_memory(
    tmp_path: Path, text: str, args: list[str], words: str
) -> None:
    (tmp_path / "huge.yaml").write_text(text, encoding="utf-8")
    start = time.perf_counter()
    proc = _render_capped(tmp_path, "huge.yaml", "-o", "huge.svg", *args)
    wall = time.perf_counter() - start
    assert proc.returncode == 1, proc.stdout + proc.stderr
    elapsed = float(proc.stdout.split("ELAPSED")[-1])
    assert elapsed < 1.0, elapsed  # the command itself, after start-up: milliseconds of it
    assert wall < 5, wall
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("error: ")]
    assert line.startswith("error: huge.yaml:") and words in line and "limit is" in line, line
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    assert not (tmp_path / "huge.svg").exists()


def test_an_elided_10_to_the_12_unit_layer_draws_in_bounded_memory(tmp_path: Path) -> None:
    (tmp_path / "wide.yaml").write_text(
        "layers: [1000000000000, 1000000000000, 10]\n", encoding="utf-8"
    )
    proc = _render_capped(tmp_path, "wide.yaml", "-o", "wide.png")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert float(proc.stdout.split("ELAPSED")[-1]) < 2.0
    assert (tmp_path / "wide.png").read_bytes().startswith(b"\x89PNG")


def test_the_refusal_itself_takes_milliseconds_and_no_memory() -> None:
    import tracemalloc

    from nnsvg.errors import LimitError
    from nnsvg.pipeline import RenderOptions, build_scene, load_spec

    build_scene(load_spec("warm.yaml", text=SMALL))  # imports and caches out of the way
    spec = load_spec("e.yaml", text="elide: false\nlayers: [1000000, 1000000]\n")
    options = RenderOptions(max_nodes=3_000_000)
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with pytest.raises(LimitError, match="1,000,000,000,000 edges"):
            build_scene(spec, options)
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 0.1, elapsed
    assert peak < 1024 * 1024, peak  # not one byte per edge, nor per node
