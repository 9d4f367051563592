"""No input can forge a line: file names, theme names, paths, member names, labels and
references holding a line break, a carriage return, ESC or rich markup are quoted by one
function (nnsvg.errors.printable / display_path) in every message that shows them, so a
log reader, a terminal or a CI runner (``::error::`` workflow commands) sees each message
as the one line nnsvg meant."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.errors import display_path, printable
from tests.cli_run import run

HOSTILE = [
    "a\nerror: forged.yaml",
    "b\rerror: forged.yaml",
    "c\x1b]0;title\x07.yaml",
    "::error::d.yaml",
    "e[blink][bold red]BAD.yaml",
    "f\u2028g.yaml",
]
PREFIXES = ("error: ", "usage error: ", "rendered ", "failed ")
SUMMARY = re.compile(r"\d+ of \d+ spec\(s\) failed|rendered \d+, up to date \d+, failed \d+")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def clean(text: str) -> list[str]:
    """The lines of ``text``; each must be one whole line, nothing a terminal acts on."""
    lines = text.split("\n")
    for line in lines:
        assert "\x1b" not in line and "\r" not in line and "\x07" not in line, repr(line)
        assert "\u2028" not in line and "\x85" not in line, repr(line)
        assert not line.startswith("::"), repr(line)
    return [line for line in lines if line and not SUMMARY.fullmatch(line)]


def test_the_quoting_functions() -> None:
    assert printable("C1") == "C1" and printable("a\nb") == "a\\nb"
    assert display_path("::error::x") == "./::error::x"
    assert display_path("-rf") == "./-rf" and display_path("/abs") == "/abs"
    assert display_path(Path("a\x1bb")) == "a\\x1bb"


@pytest.mark.parametrize("name", HOSTILE)
def test_spec_file_names_stay_one_line(work: Path, name: str) -> None:
    (work / name).write_text("layers: [2, 1]\n")
    result = run("render", name, "-o", "good.svg")
    assert result.exit_code == 0, result.stderr
    (out,) = clean(result.stdout)
    assert out.startswith("rendered ") and out.endswith("-> good.svg")
    (work / name).write_text("layers: [2, -1]\n")
    for command in (["render", name, "-o", "bad.svg"], ["validate", name], ["check", name]):
        result = run(*command)
        assert result.exit_code == 1, command
        errors = clean(result.stderr)
        assert errors and all(
            line.startswith(PREFIXES) or SUMMARY.fullmatch(line) for line in errors
        )
        assert any("must be a positive integer" in line for line in errors)


def test_a_batch_with_hostile_names_prints_only_whole_lines(work: Path) -> None:
    (work / "specs").mkdir()
    for name in [*HOSTILE, "-h.yaml"]:
        text = "layers: [2, x]\n" if "error" in name else "layers: [2, 1]\n"
        (work / "specs" / name).write_text(text)
    result = run("render", "specs", "--out-dir", "out", "-j", "1")
    assert result.exit_code == 1
    lines = clean(result.stdout) + clean(result.stderr)
    for line in lines:
        assert line.startswith(PREFIXES) or SUMMARY.fullmatch(line), line
    assert any(line.startswith("rendered specs/-h.yaml") for line in lines)


def test_theme_names_and_paths_in_messages(work: Path) -> None:
    result = run("render", "x.yaml", "--theme", "dark\nerror: forged")
    assert result.exit_code == 2
    assert clean(result.stderr) == [line for line in clean(result.stderr) if "usage" in line]
    (work / "t.yaml").write_text("layers: [2, 1]\ntheme: 'dark\\nerror: forged'\n")
    (work / "u.yaml").write_text("layers: [2, 1]\ntheme: 'mine.yaml'\n")
    (work / "mine.yaml").write_text("extends: 'other\\e]0;x\\a\\nerror: forged.yaml'\n")
    for spec in ("t.yaml", "u.yaml"):
        result = run("render", spec)
        assert result.exit_code == 1
        errors = clean(result.stderr)
        assert len(errors) == 1 and errors[0].startswith("error: "), errors


def test_weight_paths_and_member_names_in_messages(work: Path) -> None:
    (work / "w.yaml").write_text(
        "layers: [2, 1]\nedges: {encode: [width]}\nweights: ['missing\\nerror: forged.npz']\n"
    )
    result = run("render", "w.yaml")
    assert result.exit_code == 1
    assert len(clean(result.stderr)) == 1
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w") as archive,
        archive.open("m\nerror: forged.npy", "w") as member,
    ):
        np.lib.format.write_array(member, np.zeros((5, 5)))
    (work / "m.npz").write_bytes(buffer.getvalue())
    (work / "m.yaml").write_text("layers: [2, 1]\nedges: {encode: [width]}\nweights: [m.npz]\n")
    result = run("render", "m.yaml")
    assert result.exit_code == 1
    errors = clean(result.stderr)
    assert len(errors) == 1 and "m\\nerror: forged" in errors[0], errors


def test_labels_and_references_in_messages(work: Path) -> None:
    (work / "l.yaml").write_text(
        "style: lenet\ninput: [4, 4, 1]\n"
        'layers: [{type: conv, filters: 2, kernel: 9, label: "C1\\nerror: forged"}]\n'
    )
    (work / "s.yaml").write_text(
        "style: lenet\ninput: [8, 8, 1]\n"
        "layers: [{type: conv, filters: 2, kernel: 3},"
        ' {type: conv, filters: 2, kernel: 3, skip_from: "\\e[31mx\\e[0m"}]\n'
    )
    for spec in ("l.yaml", "s.yaml"):
        result = run("render", spec)
        assert result.exit_code == 1, result.stdout
        errors = clean(result.stderr)
        assert len(errors) == 1 and errors[0].startswith("error: "), errors


_NAME_CHARS = st.characters(
    blacklist_characters="/\x00", blacklist_categories=("Cs",)
)  # anything a file name may hold, control characters and markup included


@settings(max_examples=40, deadline=None)
@given(
    stem=st.text(_NAME_CHARS, min_size=1, max_size=30).filter(
        # A leading '-' reads as an option on a command line (the folder test covers it).
        lambda s: s not in (".", "..") and not s.startswith("-") and len(s.encode()) < 200
    ),
    good=st.booleans(),
)
def test_any_file_name_gives_whole_lines(tmp_path_factory, stem: str, good: bool) -> None:
    work = tmp_path_factory.mktemp("names")
    name = stem + ".yaml"
    (work / name).write_text("layers: [2, 1]\n" if good else "layers: [2, 0]\n")
    old = os.getcwd()
    os.chdir(work)
    try:
        for command in (["render", name, "-o", "out.svg"], ["validate", name], ["check", name]):
            result = run(*command)
            assert result.exit_code == (0 if good else 1), (command, result.stderr)
            for line in clean(result.stdout) + clean(result.stderr):
                assert line.startswith(PREFIXES) or line.endswith(
                    (": ok", "nothing to send back")
                ), line
    finally:
        os.chdir(old)
