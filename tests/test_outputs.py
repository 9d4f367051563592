"""An output never overwrites what is not an output: no write through a symbolic link,
no figure over one of the run's inputs (spec, theme, weights, image), refused before
anything is written, with a clear error and the other figures of a batch still drawn."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from nnsvg.errors import ExportError
from nnsvg.figure_files import Input, check_output, input_paths
from nnsvg.images import encode_png
from tests.cli_run import run


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "error" in line]


def test_an_output_that_is_a_link_to_another_file_is_refused(work: Path) -> None:
    (work / "fig.yaml").write_text("layers: [2, 1]\n")
    (work / "notes.txt").write_text("my notes\n")
    (work / "fig.svg").symlink_to("notes.txt")
    result = run("render", "fig.yaml")
    assert result.exit_code == 1
    assert (work / "notes.txt").read_text() == "my notes\n"
    assert (work / "fig.svg").is_symlink()
    assert any("fig.svg is a symbolic link to notes.txt" in line for line in _errors(result))
    assert "Traceback" not in result.stderr


def test_a_spec_named_like_its_own_output_is_not_replaced(work: Path) -> None:
    text = "layers: [2, 1]\n"
    (work / "self.svg").write_text(text)
    result = run("render", "self.svg")
    assert result.exit_code == 1
    assert (work / "self.svg").read_text() == text
    assert any("self.svg is an input of this run" in line for line in _errors(result))
    # Also when the spec is named through another path to the same file.
    (work / "sub").mkdir()
    result = run("render", "self.svg", "-o", "sub/../self.svg")
    assert result.exit_code == 1 and (work / "self.svg").read_text() == text


def test_a_batch_never_writes_over_an_image_another_spec_embeds(work: Path) -> None:
    png = encode_png(np.full((8, 8), 128, dtype=np.uint8))
    (work / "photo.png").write_bytes(png)
    (work / "photo.yaml").write_text("layers: [2, 1]\n")
    (work / "net.yaml").write_text(
        "style: lenet\ninput: {shape: [8, 8, 1], image: photo.png}\n"
        "layers: [{type: conv, filters: 2, kernel: 3}]\n"
    )
    result = run("render", "photo.yaml", "net.yaml", "-f", "png", "-j", "1")
    assert result.exit_code == 1
    assert (work / "photo.png").read_bytes() == png  # untouched
    assert (work / "net.png").is_file()  # the other figure is drawn
    assert any("photo.png is an input of this run" in line for line in _errors(result))


def test_an_output_named_as_another_spec_or_the_image_is_refused(work: Path) -> None:
    png = encode_png(np.full((8, 8), 200, dtype=np.uint8))
    (work / "photo.png").write_bytes(png)
    net = (
        "style: lenet\ninput: {shape: [8, 8, 1], image: photo.png}\n"
        "layers: [{type: conv, filters: 2, kernel: 3}]\n"
    )
    (work / "net.yaml").write_text(net)
    result = run("render", "net.yaml", "-o", "photo.png")
    assert result.exit_code == 1 and (work / "photo.png").read_bytes() == png
    assert any("photo.png is an input of this run" in line for line in _errors(result))
    # Two specs of one batch, one written as the other's output (-o with one spec each
    # time is the usual form; --out-dir into the specs' own folder is the batch form).
    (work / "b.svg").write_text("layers: [3, 1]\n")
    result = run("render", "net.yaml", "b.svg", "--out-dir", ".", "-f", "svg", "-j", "1")
    assert result.exit_code == 1
    assert (work / "b.svg").read_text() == "layers: [3, 1]\n"
    assert (work / "net.svg").is_file()


def test_nothing_is_written_when_one_output_of_a_spec_is_refused(work: Path) -> None:
    (work / "fig.yaml").write_text("layers: [2, 1]\n")
    (work / "fig.png").symlink_to("elsewhere.png")
    result = run("render", "fig.yaml", "-f", "svg,png")
    assert result.exit_code == 1
    assert not (work / "fig.svg").exists() and not (work / "elsewhere.png").exists()


def test_check_output_rules(tmp_path: Path) -> None:
    spec = tmp_path / "a.yaml"
    spec.write_text("x")
    inputs = input_paths([Input("spec", "", spec), Input("theme", "dark", None)])
    assert inputs == {os.path.realpath(spec)}
    check_output(tmp_path / "a.svg", inputs)  # a new file: fine
    with pytest.raises(ExportError, match="is an input of this run"):
        check_output(tmp_path / "." / "a.yaml", inputs)
    (tmp_path / "l.svg").symlink_to(spec)
    with pytest.raises(ExportError, match=r"l\.svg is a symbolic link to .*a\.yaml"):
        check_output(tmp_path / "l.svg")
    # A line break in a name cannot start a forged line in the message.
    odd = tmp_path / "x\nerror: forged.svg"
    odd.symlink_to(spec)
    with pytest.raises(ExportError) as info:
        check_output(odd)
    assert "\n" not in str(info.value)


def test_loading_cairo_runs_no_program_from_path(work: Path) -> None:
    # cairocffi's find_library runs gcc and ld looked up on PATH: a repository reached
    # through a relative PATH entry could plant its own. nnsvg imports it with no PATH.
    import subprocess
    import sys

    (work / "bin").mkdir()
    for program in ("gcc", "cc", "ld", "ldconfig"):
        script = work / "bin" / program
        script.write_text(f"#!/bin/sh\necho ran > {work / ('PLANTED-' + program)}\nexit 1\n")
        script.chmod(0o755)
    (work / "x.yaml").write_text("layers: [2, 1]\n")
    env = {**os.environ, "PATH": "bin" + os.pathsep + os.environ.get("PATH", "")}
    code = "from nnsvg.cli import main; main()"
    for output in ("x.png", "x.pdf"):
        done = subprocess.run(
            [sys.executable, "-c", code, "render", "x.yaml", "-o", output],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert (work / output).stat().st_size > 0
    assert not list(work.glob("PLANTED-*"))
