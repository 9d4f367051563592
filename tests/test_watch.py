"""``nnsvg watch``: re-render on change, keep going after errors, stop on Ctrl-C.

Most tests run the command in-process for a fixed number of polls (the hidden
``--cycles``), changing files between polls through ``nnsvg.cli._watch_pause``;
one runs it as a real process and interrupts it.
"""

from __future__ import annotations

import itertools
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import Result

import nnsvg.cli
import nnsvg.cli_batch
from nnsvg.cli import app
from tests.cli_run import ENV
from tests.cli_run import runner as cli_runner

NET = "title: one\nlayers: [3, 4, 2]\n"


def edit(path: Path, text: str) -> None:
    """Write ``text`` and move the modification time on, as an editor saving later would
    (so a same-size change is seen even on a file system with coarse timestamps)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    mtime = max(path.stat().st_mtime_ns, before + 10**9)
    os.utime(path, ns=(mtime, mtime))


def watch(
    monkeypatch: pytest.MonkeyPatch,
    steps: list[Callable[[], None]],
    *args: str,
) -> tuple[Result, list[str]]:
    """Run ``nnsvg watch ARGS`` for ``len(steps)`` polls, running steps[i] before poll i.

    Returns the result and, for each poll, the output lines it added.
    """
    runner = cli_runner()
    marks: list[int] = []
    calls = iter(steps)
    lines: list[str] = []  # every result line, as printed

    def pause(seconds: float) -> None:
        marks.append(len(lines))
        next(calls)()

    real_result_line = nnsvg.cli_batch.result_line

    def spy(result) -> str:
        line = real_result_line(result)
        lines.append(line)
        return line

    monkeypatch.setattr(nnsvg.cli, "_watch_pause", pause)
    monkeypatch.setattr(nnsvg.cli, "result_line", spy)
    monkeypatch.setattr(nnsvg.cli_batch, "result_line", spy)
    result = runner.invoke(
        app,
        ["watch", *args, "--cycles", str(len(steps)), "--interval", "0.01"],
        env=ENV,
    )
    marks.append(len(lines))
    return result, [lines[a:b] for a, b in itertools.pairwise(marks)]


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "net.yaml").write_text(NET)
    return tmp_path


def test_a_changed_spec_is_rendered_again(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = work / "net.yaml"
    result, polls = watch(
        monkeypatch,
        [
            lambda: None,  # nothing changed
            lambda: edit(spec, NET.replace("one", "two")),
            lambda: None,
        ],
        "net.yaml",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "rendered net.yaml -> net.svg",
        "watching 1 spec(s); press Ctrl-C to stop",
    ]
    assert polls == [[], ["rendered net.yaml -> net.svg"], []]
    assert ">two<" in (work / "net.svg").read_text()


def test_errors_are_printed_and_watching_goes_on(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = work / "net.yaml"
    result, polls = watch(
        monkeypatch,
        [
            lambda: edit(spec, "title: one\nlayers: [3, -4, 2]\n"),
            lambda: None,
            lambda: edit(spec, NET.replace("one", "fixed")),
        ],
        "net.yaml",
    )
    assert result.exit_code == 0
    assert polls == [["failed net.yaml"], [], ["rendered net.yaml -> net.svg"]]
    assert result.stderr.splitlines() == [
        "error: net.yaml:2:13: layers[1]: must be a positive integer, got -4"
    ]
    assert ">fixed<" in (work / "net.svg").read_text()


def test_touching_without_a_change_draws_nothing(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = work / "net.yaml"
    mtimes: list[int] = []
    result, polls = watch(
        monkeypatch,
        [
            lambda: mtimes.append((work / "net.svg").stat().st_mtime_ns),
            lambda: edit(spec, NET),  # same bytes
        ],
        "net.yaml",
    )
    assert result.exit_code == 0
    assert polls == [[], ["up to date net.yaml -> net.svg"]]
    assert (work / "net.svg").stat().st_mtime_ns == mtimes[0]


def test_a_changed_theme_renders_its_specs_again(
    work: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (work / "themes").mkdir()
    theme = work / "themes" / "base.yaml"
    theme.write_text("extends: paper\nnode: {fill: '#111111'}\n")
    (work / "themes" / "mine.yaml").write_text("extends: base.yaml\n")
    edit(work / "net.yaml", NET + "theme: themes/mine.yaml\n")
    (work / "other.yaml").write_text("layers: [2, 2]\n")
    result, polls = watch(
        monkeypatch,
        [
            lambda: edit(theme, "extends: paper\nnode: {fill: '#222222'}\n"),
            lambda: edit(theme, "extends: paper\nnode: {fill: 12}\n"),  # broken
            lambda: edit(theme, "extends: paper\nnode: {fill: '#333333'}\n"),
        ],
        ".",
        "--out-dir",
        "out",
    )
    assert result.exit_code == 0
    assert polls == [
        [f"rendered net.yaml -> {Path('out/net.svg')}"],
        ["failed net.yaml"],
        [f"rendered net.yaml -> {Path('out/net.svg')}"],
    ]
    assert len(result.stderr.splitlines()) == 1
    assert "node.fill" in result.stderr
    assert "#333333" in (work / "out" / "net.svg").read_text()


def test_new_specs_in_a_watched_folder_join_in(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result, polls = watch(
        monkeypatch,
        [
            lambda: (work / "new.yaml").write_text("layers: [2, 3]\n"),
            lambda: (work / "new.yaml").unlink(),
            lambda: edit(work / "net.yaml", NET.replace("one", "three")),
        ],
        ".",
        "-j",
        "1",
    )
    assert result.exit_code == 0, result.stderr
    assert polls == [
        ["rendered new.yaml -> new.svg"],
        [],
        ["rendered net.yaml -> net.svg"],
    ]


def test_watch_starts_with_a_broken_spec(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edit(work / "net.yaml", "layers: [3, 0]\n")
    result, polls = watch(monkeypatch, [lambda: edit(work / "net.yaml", NET)], "net.yaml")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "failed net.yaml"
    assert polls == [["rendered net.yaml -> net.svg"]]


def test_watch_usage_errors(work: Path) -> None:
    runner = cli_runner()
    result = runner.invoke(app, ["watch", "nothing/*.yaml", "--cycles", "1"], env=ENV)
    assert result.exit_code == 2
    result = runner.invoke(app, ["watch", "net.yaml", "--format", "gif"], env=ENV)
    assert result.exit_code == 2


def test_watch_process_stops_quietly_on_ctrl_c(work: Path) -> None:
    """Each step waits for the line that says the one before is done (not for a file or a
    time): the edit follows "watching", and Ctrl-C follows the second "rendered" line, so
    a slow machine only makes it slower."""
    env = {**os.environ, **ENV, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "nnsvg", "watch", "net.yaml", "--interval", "0.05"],
        cwd=work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True)
    reader.start()

    def next_line() -> str:
        return lines.get(timeout=60).rstrip("\n")

    try:
        assert next_line() == "rendered net.yaml -> net.svg"
        assert next_line() == "watching 1 spec(s); press Ctrl-C to stop"
        edit(work / "net.yaml", NET.replace("one", "changed"))
        assert next_line() == "rendered net.yaml -> net.svg"
        assert ">changed<" in (work / "net.svg").read_text()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
        reader.join(timeout=30)
        assert proc.stderr is not None
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert err == ""
    assert lines.empty()
