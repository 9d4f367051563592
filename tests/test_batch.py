"""Batch rendering: parallel processes, failures, the incremental cache, plain output."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import Result

import nnsvg._version
import nnsvg.atomic
from nnsvg import batch
from nnsvg.batch import CACHE_NAME, FAILED, RENDERED, UP_TO_DATE, Job, run_jobs
from nnsvg.figure_files import file_digest
from tests.cli_run import run

SPECS = Path(__file__).resolve().parent.parent / "specs"
GOOD = ("nnsvg-default.yaml", "elman-rnn.yaml", "bias-weights.yaml", "mnist-image.yaml")
BAD_UNITS = "layers:\n  - {units: 784}\n  - {units: -3}\n"
ANSI = re.compile(r"\x1b\[")


def status_lines(result: Result) -> dict[str, str]:
    """spec -> its status word (rendered, up to date, failed), from the plain lines."""
    found = {}
    for line in result.stdout.splitlines():
        for word in ("rendered", "up to date", "failed"):
            if line.startswith(word + " ") and "," not in line.split(" -> ")[0]:
                spec = line[len(word) + 1 :].split(" -> ")[0].split(" (")[0]
                found[spec] = word
    return found


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a few gallery specs (and their weights and image) in ``specs/``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "specs").mkdir()
    for name in (*GOOD, "bias-weights.npz", "digit-7.png"):
        shutil.copyfile(SPECS / name, tmp_path / "specs" / name)
    return tmp_path


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != CACHE_NAME}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


# --------------------------------------------------------------------------- parallel


def test_parallel_outputs_are_byte_identical_to_serial(work: Path) -> None:
    one = run("render", "specs", "--out-dir", "j1", "--format", "svg,png,pdf", "-j", "1")
    two = run("render", "specs", "--out-dir", "j2", "--format", "svg,png,pdf", "-j", "2")
    assert one.exit_code == 0, one.stderr
    assert two.exit_code == 0, two.stderr
    first, second = outputs(work / "j1"), outputs(work / "j2")
    assert len(first) == 3 * len(GOOD)
    assert first == second
    # The manifests agree too: keys depend on contents, not on the folder or the order.
    assert (work / "j1" / CACHE_NAME).read_bytes() == (work / "j2" / CACHE_NAME).read_bytes()
    assert one.stdout.splitlines()[-1] == f"rendered {len(GOOD)}, up to date 0, failed 0"


def test_results_come_back_in_job_order(work: Path) -> None:
    specs = sorted((work / "specs").glob("*.yaml"), reverse=True)
    jobs = [Job(s, ((work / f"{s.stem}.svg", "svg"),)) for s in specs]
    seen: list[Path] = []
    results = run_jobs(jobs, workers=2, report=lambda r: seen.append(r.spec))
    assert [r.spec for r in results] == specs
    assert sorted(seen) == sorted(specs)
    assert all(r.status == RENDERED and r.seconds > 0 for r in results)


def test_parallel_jobs_start_with_the_most_work(tmp_path: Path) -> None:
    def job(name: str, spec_bytes: int, *outputs: int | None) -> tuple[int, Job]:
        spec = tmp_path / f"{name}.yaml"
        spec.write_bytes(b"#" * spec_bytes)
        files = []
        for k, size in enumerate(outputs):
            path = tmp_path / f"{name}.{k}"
            if size is not None:
                path.write_bytes(b"x" * size)
            files.append((path, "svg"))
        return (len(name), Job(spec, tuple(files)))

    todo = [
        job("a", 10, 100, 50),  # 150 bytes written last time
        job("bb", 10, 400),  # 400
        job("ccc", 30, None),  # never written: unforeseen, start early
        job("dddd", 90, 100, None),  # its second output is new: unforeseen too
        job("eeeee", 10, 75, 75),  # 150, ties with "a": job order kept
    ]
    order = [Path(j.spec).stem for _i, j in batch.biggest_first(todo)]
    assert order == ["dddd", "ccc", "bb", "a", "eeeee"]


def test_a_parallel_batch_is_started_in_that_order(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[int]] = []
    real = batch.biggest_first
    monkeypatch.setattr(
        batch, "biggest_first", lambda todo: started.append([i for i, _ in todo]) or real(todo)
    )
    specs = sorted((work / "specs").glob("*.yaml"))
    run_jobs([Job(s, ((work / f"{s.stem}.svg", "svg"),)) for s in specs], workers=2)
    run_jobs([Job(s, ((work / f"{s.stem}.svg", "svg"),)) for s in specs], workers=1, force=True)
    assert started == [list(range(len(specs)))]  # -j 1 renders in job order


def test_a_failing_spec_does_not_stop_the_others(work: Path) -> None:
    (work / "specs" / "bad.yaml").write_text(BAD_UNITS)
    result = run("render", "specs", "--out-dir", "out", "-j", "2")
    assert result.exit_code == 1
    statuses = status_lines(result)
    assert statuses.pop(str(Path("specs/bad.yaml"))) == "failed"
    assert set(statuses.values()) == {"rendered"}
    assert len(statuses) == len(GOOD)
    assert result.stdout.splitlines()[-1] == f"rendered {len(GOOD)}, up to date 0, failed 1"
    assert result.stderr.splitlines() == [
        f"error: {Path('specs/bad.yaml')}:3:13: layers[1].units: must be a positive integer, "
        "got -3",
        f"1 of {len(GOOD) + 1} spec(s) failed",
    ]
    assert sorted(p.name for p in (work / "out").glob("*.svg")) == sorted(
        name.replace(".yaml", ".svg") for name in GOOD
    )


def test_every_failure_is_listed_in_spec_order(work: Path) -> None:
    (work / "specs" / "a-bad.yaml").write_text("layers: [3, 0]\n")
    (work / "specs" / "z-bad.yaml").write_text("layers:\n  - 3\n  - {units: 2, typo: 1}\n")
    result = run("render", "specs", "--out-dir", "out", "-j", "2", "-q")
    assert result.exit_code == 1
    assert result.stdout == ""  # -q: errors only
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"error: {Path('specs/a-bad.yaml')}:1:13: layers[1]")
    assert lines[1] == (
        f"error: {Path('specs/z-bad.yaml')}:3:16: layers[1].typo: unknown key 'typo' "
        "(did you mean 'type'?)"
    )
    assert lines[-1] == f"2 of {len(GOOD) + 2} spec(s) failed"


def test_missing_spec_and_internal_errors_are_failures(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("render", "specs/nnsvg-default.yaml", "nope.yaml", "--out-dir", "out", "-j", "1")
    assert result.exit_code == 1
    assert "error: nope.yaml: cannot read spec: no such file" in result.stderr

    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr("nnsvg.render.svg.render_svg", boom)
    result = run("render", "specs/elman-rnn.yaml", "--out-dir", "out2", "-j", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"internal error: {Path('specs/elman-rnn.yaml')}: ValueError: boom (this is a bug in "
        "nnsvg; run with --debug for a traceback and report it)"
    )
    debug = run("render", "specs/elman-rnn.yaml", "--out-dir", "out2", "-j", "1", "--debug")
    assert "Traceback" in debug.stderr and "boom" in debug.stderr


# --------------------------------------------------------------------------- incremental


def test_second_run_renders_nothing(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = run("render", "specs", "--out-dir", "out", "--format", "svg,png,pdf", "-j", "2")
    assert first.exit_code == 0, first.stderr
    before = mtimes(work / "out")
    manifest = (work / "out" / CACHE_NAME).read_bytes()

    def no_rendering(job):  # pragma: no cover - must not run
        raise AssertionError(f"rendered {job.spec}")

    monkeypatch.setattr(batch, "render_job", no_rendering)
    second = run("render", "specs", "--out-dir", "out", "--format", "svg,png,pdf", "-j", "2")
    assert second.exit_code == 0, second.stderr
    assert set(status_lines(second).values()) == {"up to date"}
    assert second.stdout.splitlines()[-1] == f"rendered 0, up to date {len(GOOD)}, failed 0"
    assert f"up to date {Path('specs/elman-rnn.yaml')} -> " in second.stdout
    assert mtimes(work / "out") == before  # nothing written, the manifest neither
    assert (work / "out" / CACHE_NAME).read_bytes() == manifest


def test_manifest_records_inputs_and_outputs(work: Path) -> None:
    assert run("render", "specs/elman-rnn.yaml", "--out-dir", "out", "-f", "svg,png").exit_code == 0
    data = json.loads((work / "out" / CACHE_NAME).read_text())
    assert data["nnsvg-cache"] == batch.CACHE_VERSION
    assert sorted(data["outputs"]) == ["elman-rnn.png", "elman-rnn.svg"]
    for name, entry in data["outputs"].items():
        assert re.fullmatch(r"[0-9a-f]{64}", entry["inputs"])
        assert entry["output"] == file_digest(work / "out" / name)


def test_touching_the_spec_keeps_it_up_to_date(work: Path) -> None:
    assert run("render", "specs", "--out-dir", "out", "-j", "1").exit_code == 0
    before = mtimes(work / "out")
    spec = work / "specs" / "elman-rnn.yaml"
    spec.write_bytes(spec.read_bytes())  # same bytes, new mtime
    os.utime(spec, ns=(spec.stat().st_atime_ns, spec.stat().st_mtime_ns + 10**10))
    result = run("render", "specs", "--out-dir", "out", "-j", "1")
    assert set(status_lines(result).values()) == {"up to date"}
    assert mtimes(work / "out") == before


def _change_spec(work: Path) -> str:
    spec = work / "specs" / "elman-rnn.yaml"
    spec.write_text(spec.read_text().replace("Elman RNN", "Elman network"))
    return "elman-rnn.yaml"


def _change_weights(work: Path) -> str:
    path = work / "specs" / "bias-weights.npz"
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["fc1.weight"] = -arrays["fc1.weight"]
    np.savez(path, **arrays)
    return "bias-weights.yaml"


def _change_image(work: Path) -> str:
    from PIL import Image

    path = work / "specs" / "digit-7.png"
    with Image.open(path) as image:
        flipped = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    flipped.save(path)
    return "mnist-image.yaml"


@pytest.mark.parametrize(
    "change", [_change_spec, _change_weights, _change_image], ids=["spec", "weights", "image"]
)
def test_a_changed_input_renders_only_its_spec_again(work: Path, change) -> None:
    assert run("render", "specs", "--out-dir", "out", "-j", "1").exit_code == 0
    before = outputs(work / "out")
    changed = change(work)
    result = run("render", "specs", "--out-dir", "out", "-j", "1")
    assert result.exit_code == 0, result.stderr
    statuses = status_lines(result)
    assert statuses.pop(str(Path("specs", changed))) == "rendered"
    assert set(statuses.values()) == {"up to date"}
    after = outputs(work / "out")
    svg = changed.replace(".yaml", ".svg")
    assert after[svg] != before[svg]
    assert {k: v for k, v in after.items() if k != svg} == {
        k: v for k, v in before.items() if k != svg
    }


def test_a_change_anywhere_in_the_theme_chain_renders_again(work: Path) -> None:
    themes = work / "specs" / "themes"
    themes.mkdir()
    (themes / "base.yaml").write_text("extends: paper\nnode: {fill: '#101010'}\n")
    (themes / "mine.yaml").write_text("extends: base.yaml\nedge: {color: '#202020'}\n")
    spec = work / "specs" / "nnsvg-default.yaml"
    spec.write_text(spec.read_text() + "theme: themes/mine.yaml\n")
    assert run("render", "specs", "--out-dir", "out", "-j", "1").exit_code == 0

    # The base of the base: a file two steps away from the spec.
    (themes / "base.yaml").write_text("extends: paper\nnode: {fill: '#303030'}\n")
    result = run("render", "specs", "--out-dir", "out", "-j", "1")
    statuses = status_lines(result)
    assert statuses.pop(str(Path("specs/nnsvg-default.yaml"))) == "rendered"
    assert set(statuses.values()) == {"up to date"}
    assert "#303030" in (work / "out" / "nnsvg-default.svg").read_text()


def test_a_changed_theme_option_file_renders_every_spec_again(work: Path) -> None:
    (work / "t.yaml").write_text("extends: dark\n")
    assert run("render", "specs", "--out-dir", "out", "-t", "t.yaml", "-j", "1").exit_code == 0
    again = run("render", "specs", "--out-dir", "out", "-t", "t.yaml", "-j", "1")
    assert set(status_lines(again).values()) == {"up to date"}
    (work / "t.yaml").write_text("extends: dark\nnode: {radius: 9}\n")
    changed = run("render", "specs", "--out-dir", "out", "-t", "t.yaml", "-j", "1")
    assert set(status_lines(changed).values()) == {"rendered"}


def test_a_new_nnsvg_version_renders_again(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("render", "specs", "--out-dir", "out", "-j", "1").exit_code == 0
    monkeypatch.setattr(nnsvg._version, "__version__", "999.0")
    result = run("render", "specs", "--out-dir", "out", "-j", "1")
    assert set(status_lines(result).values()) == {"rendered"}


@pytest.mark.parametrize(
    "options",
    [("--width", "10in"), ("--theme", "paper"), ("--seed", "3"), ("--font", "serif")],
    ids=["width", "theme", "seed", "font"],
)
def test_changed_render_options_render_again(work: Path, options: tuple[str, str]) -> None:
    assert run("render", "specs", "--out-dir", "out", "-j", "1").exit_code == 0
    result = run("render", "specs", "--out-dir", "out", "-j", "1", *options)
    assert set(status_lines(result).values()) == {"rendered"}
    again = run("render", "specs", "--out-dir", "out", "-j", "1", *options)
    assert set(status_lines(again).values()) == {"up to date"}


def test_dpi_renders_the_png_again_but_not_the_svg(work: Path) -> None:
    args = ("render", "specs/elman-rnn.yaml", "--out-dir", "out", "-f", "svg,png")
    assert run(*args).exit_code == 0
    before = mtimes(work / "out")
    result = run(*args, "--dpi", "150")
    assert result.stdout.splitlines() == [
        f"rendered {Path('specs/elman-rnn.yaml')} -> {Path('out/elman-rnn.png')}"
    ]
    after = mtimes(work / "out")
    assert after["elman-rnn.svg"] == before["elman-rnn.svg"]
    assert after["elman-rnn.png"] != before["elman-rnn.png"]
    # A new output format renders just that spec; the other outputs stay.
    result = run(*args[:-1], "svg,png,pdf", "--dpi", "150")
    assert result.stdout.splitlines() == [
        f"rendered {Path('specs/elman-rnn.yaml')} -> {Path('out/elman-rnn.pdf')}"
    ]
    assert mtimes(work / "out")["elman-rnn.png"] == after["elman-rnn.png"]


def test_force_renders_everything(work: Path) -> None:
    assert run("render", "specs", "--out-dir", "out", "-j", "1").exit_code == 0
    result = run("render", "specs", "--out-dir", "out", "-j", "1", "--force")
    assert set(status_lines(result).values()) == {"rendered"}


def test_an_output_changed_by_hand_is_rendered_again(work: Path) -> None:
    assert run("render", "specs", "--out-dir", "out", "-j", "1").exit_code == 0
    good = (work / "out" / "elman-rnn.svg").read_bytes()
    (work / "out" / "elman-rnn.svg").write_text("<svg/>")
    (work / "out" / "nnsvg-default.svg").unlink()
    result = run("render", "specs", "--out-dir", "out", "-j", "1")
    statuses = status_lines(result)
    assert statuses.pop(str(Path("specs/elman-rnn.yaml"))) == "rendered"
    assert statuses.pop(str(Path("specs/nnsvg-default.yaml"))) == "rendered"
    assert set(statuses.values()) == {"up to date"}
    assert (work / "out" / "elman-rnn.svg").read_bytes() == good


def test_a_broken_manifest_is_ignored_and_rewritten(work: Path) -> None:
    (work / "out").mkdir()
    (work / "out" / CACHE_NAME).write_text("{not json")
    assert run("render", "specs", "--out-dir", "out", "-j", "1").exit_code == 0
    data = json.loads((work / "out" / CACHE_NAME).read_text())
    assert len(data["outputs"]) == len(GOOD)
    again = run("render", "specs", "--out-dir", "out", "-j", "1")
    assert set(status_lines(again).values()) == {"up to date"}


def test_a_spec_that_does_not_load_fails_every_time(work: Path) -> None:
    (work / "specs" / "bad.yaml").write_text(BAD_UNITS)
    for _ in range(2):
        result = run("render", "specs/bad.yaml", "specs/elman-rnn.yaml", "--out-dir", "out")
        assert result.exit_code == 1
        assert status_lines(result)[str(Path("specs/bad.yaml"))] == "failed"
    assert status_lines(result)[str(Path("specs/elman-rnn.yaml"))] == "up to date"


def test_failed_output_keeps_the_old_file_and_no_cache_entry(work: Path) -> None:
    assert run("render", "specs/elman-rnn.yaml", "-o", "fig.png").exit_code == 0
    old = (work / "fig.png").read_bytes()
    result = run("render", "specs/elman-rnn.yaml", "-o", "fig.png", "--scale", "99999")
    assert result.exit_code == 1
    assert (work / "fig.png").read_bytes() == old
    assert json.loads((work / CACHE_NAME).read_text())["outputs"] == {}
    assert status_lines(run("render", "specs/elman-rnn.yaml", "-o", "fig.png")) == {
        str(Path("specs/elman-rnn.yaml")): "rendered"
    }


def test_a_render_removes_what_killed_renders_of_its_outputs_left(work: Path) -> None:
    out = work / "out"
    out.mkdir()
    spec = work / "specs" / "elman-rnn.yaml"
    long_ago = 1_000_000.0  # 1970: far older than any live render

    def temp(name: str, old: bool) -> Path:
        path = out / name
        path.write_bytes(b"<svg half")
        if old:
            os.utime(path, (long_ago, long_ago))
        return path

    orphans = [temp(".elman-rnn.svg.0123abcd.tmp", True), temp(f".{CACHE_NAME}.0a0b0c0d.tmp", True)]
    kept = [
        temp(".elman-rnn.svg.89abcdef.tmp", False),  # young: perhaps a render running now
        temp(".elman-rnn.png.0123abcd.tmp", True),  # not an output of this batch
    ]
    job = Job(spec, ((out / "elman-rnn.svg", "svg"),))
    (result,) = run_jobs([job])
    assert result.status == RENDERED
    assert not any(p.exists() for p in orphans)
    assert all(p.exists() for p in kept)
    assert (out / "elman-rnn.svg").read_bytes().startswith(b"<?xml")
    # An up-to-date output is not drawn again, but what was left beside it still goes.
    late = temp(".elman-rnn.svg.0a1b2c3d.tmp", True)
    (again,) = run_jobs([job])
    assert again.status == UP_TO_DATE
    assert not late.exists()


def test_a_stopped_worker_removes_its_own_temporary_file_only(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = work / "fig.svg"
    target.write_text("old")
    other = work / ".fig.svg.0123abcd.tmp"  # another process's, writing the same figure
    other.write_text("theirs")
    exits: list[int] = []

    def exit_now(code: int) -> None:
        exits.append(code)
        raise SystemExit(code)

    def terminated_while_flushing(fd: int) -> None:
        batch._on_terminate(signal.SIGTERM, None)  # what SIGTERM runs in a worker

    monkeypatch.setattr(batch.os, "_exit", exit_now)
    monkeypatch.setattr(nnsvg.atomic.os, "fsync", terminated_while_flushing)
    with pytest.raises(SystemExit):
        nnsvg.atomic.write_atomic(target, "new")
    assert exits == [128 + signal.SIGTERM]
    assert target.read_text() == "old"
    assert sorted(p.name for p in work.iterdir() if p.is_file()) == [other.name, "fig.svg"]


# --------------------------------------------------------------------------- interrupts


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_cancels_the_rest_and_keeps_what_finished(work: Path, workers: int) -> None:
    specs = sorted((work / "specs").glob("*.yaml"))
    jobs = [Job(s, ((work / f"{s.stem}.svg", "svg"),)) for s in specs]
    finished: list[Path] = []

    def interrupt(result) -> None:
        finished.append(result.spec)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_jobs(jobs, workers=workers, report=interrupt)
    assert len(finished) == 1
    assert multiprocessing.active_children() == []  # the workers are gone
    assert not list(work.glob(".*.tmp"))
    recorded = json.loads((work / CACHE_NAME).read_text())["outputs"]
    assert f"{finished[0].stem}.svg" in recorded
    again = run_jobs(jobs, workers=1)
    assert [r.status == UP_TO_DATE for r in again].count(True) >= 1


# --------------------------------------------------------------------------- font


def test_font_replaces_the_theme_family_but_not_the_specs_own(work: Path) -> None:
    spec = work / "specs" / "elman-rnn.yaml"
    result = run("render", spec, "-o", "a.svg", "--font", "'Fira Sans', sans-serif")
    assert result.exit_code == 0, result.stderr
    assert "font-family=\"'Fira Sans', sans-serif\"" in (work / "a.svg").read_text()
    spec.write_text(spec.read_text() + "theme: {font: {family: Georgia, size: 13}}\n")
    result = run("render", spec, "-o", "b.svg", "--font", "'Fira Sans', sans-serif")
    assert result.exit_code == 0, result.stderr
    text = (work / "b.svg").read_text()
    assert 'font-family="Georgia"' in text and "Fira" not in text


def test_bad_jobs_and_font_are_usage_errors(work: Path) -> None:
    assert run("render", "specs", "-j", "0").exit_code == 2
    result = run("render", "specs", "--font", " ")
    assert result.exit_code == 2
    assert result.stderr.startswith("usage error: --font")


# --------------------------------------------------------------------------- output


def test_failure_result_is_plain_data() -> None:
    result = batch.render_job(Job(Path("missing.yaml"), ((Path("x.svg"), "svg"),)))
    assert result.status == FAILED
    assert result.errors == ("missing.yaml: cannot read spec: no such file",)
    assert result.outputs == ()
    assert not result.internal


def _pty_run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run nnsvg with a terminal as stdout and stderr; return everything it printed."""
    pty = pytest.importorskip("pty")
    main, child = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")} | env
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnsvg", *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=child,
        stderr=child,
        env=env,
    )
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode("utf-8", "replace")


def test_plain_output_in_ci_even_on_a_terminal(work: Path) -> None:
    (work / "specs" / "bad.yaml").write_text(BAD_UNITS)
    args = ["render", "specs", "--out-dir", "out", "-j", "2"]
    on_terminal = _pty_run(args, work, {"TERM": "xterm-256color", "COLUMNS": "120"})
    assert ANSI.search(on_terminal)  # a progress bar and colours ...
    assert "up to date" in on_terminal and "failed" in on_terminal  # ... and the table
    in_ci = _pty_run([*args, "--force"], work, {"TERM": "xterm-256color", "CI": "1"})
    assert not ANSI.search(in_ci), in_ci
    lines = in_ci.splitlines()
    assert f"rendered {len(GOOD)}, up to date 0, failed 1" in lines
    assert f"failed {Path('specs/bad.yaml')}" in lines
    assert (
        f"error: {Path('specs/bad.yaml')}:3:13: layers[1].units: must be a positive integer, got -3"
        in lines
    )


def test_a_worker_that_dies_fails_only_its_own_spec(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.platform != "linux":
        pytest.skip("the crash is planted through fork")
    import nnsvg.pipeline

    real = nnsvg.pipeline.build_scene

    def crash_on_elman(spec, options=None):
        if batch._IN_WORKER and spec.title == "Elman RNN":
            os.kill(os.getpid(), signal.SIGKILL)  # as a segfault or the OOM killer would
        return real(spec, options)

    monkeypatch.setattr(nnsvg.pipeline, "build_scene", crash_on_elman)
    specs = sorted((work / "specs").glob("*.yaml"))
    jobs = [Job(s, ((work / f"{s.stem}.svg", "svg"),)) for s in specs]
    results = run_jobs(jobs, workers=2)
    statuses = {r.spec.name: r.status for r in results}
    assert statuses.pop("elman-rnn.yaml") == FAILED
    assert set(statuses.values()) == {RENDERED}
    (crashed,) = [r for r in results if r.status == FAILED]
    assert "stopped unexpectedly" in crashed.errors[0]
    assert multiprocessing.active_children() == []


# --- render --check: the workers lint what they draw ----------------------------------------
SMALL_TEXT = "layers: [2, 3]\nwidth: 2in\ntheme: {label: {size_size: 7}}\n"


def test_a_job_lints_the_scene_it_drew(work: Path) -> None:
    from nnsvg.lint import LintOptions, format_finding

    spec = work / "specs" / "small.yaml"
    spec.write_text(SMALL_TEXT)
    out = work / "small.svg"
    (result,) = run_jobs([Job(spec, ((out, "svg"),), lint=LintOptions())])
    assert result.status == RENDERED and out.is_file()
    assert [format_finding("s", f) for f in result.findings] == [
        "s: layers[0]: text-too-small: 'ℝ²' and 1 other text of size 7 print at 3.78 pt at "
        "the figure's width of 2in, under 6 pt: print the figure at least 3.18in wide, or "
        "give font_size: 10.4pt in the spec"
    ]
    # Up to date: drawn again to be linted (in a worker, like the rest), never written.
    before = mtimes(work)
    (again,) = run_jobs([Job(spec, ((out, "svg"),), lint=LintOptions())])
    assert again.status == UP_TO_DATE and again.outputs == (out,)
    assert again.findings == result.findings
    assert mtimes(work) == before
    # Without a lint, an up-to-date job is not drawn at all, and has no findings.
    (plain,) = run_jobs([Job(spec, ((out, "svg"),))])
    assert plain.status == UP_TO_DATE and plain.findings == ()


def test_render_check_lints_in_the_workers_not_again_in_the_parent(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nnsvg.lint

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("render --check parsed and laid out a spec again to lint it")

    monkeypatch.setattr(nnsvg.lint, "lint_file", refuse)
    (work / "specs" / "small.yaml").write_text(SMALL_TEXT)
    for _ in range(2):  # rendered, then up to date
        result = run("render", "specs", "--out-dir", "out", "--check", "-j", "1")
        assert result.exit_code == 1
        lines = result.stderr.splitlines()
        assert [line.split(":")[:3] for line in lines[:-1]] == [
            ["specs/small.yaml", " layers[0]", " text-too-small"]
        ]
        assert lines[-1] == "1 finding(s): figures a reviewer would send back"
