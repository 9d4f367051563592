"""Ctrl-C during a cairo write stops the run: cairo calls back into Python to write a PDF
(or a transparent PNG), and a KeyboardInterrupt raised there used to be printed by cffi
as a traceback, turned into CAIRO_STATUS_WRITE_ERROR and reported as a failed figure,
and a -j 1 batch went on with the next spec, ending with exit 1."""

from __future__ import annotations

import io
import types
from pathlib import Path

import cairosvg.surface
import pytest

from nnsvg.render.export import convert, interrupts_kept
from tests.cli_run import run

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20">'
    '<rect width="40" height="20" fill="#fff"/><circle cx="10" cy="10" r="5"/></svg>'
)


class _Interrupting(io.BytesIO):
    """A stream whose second write is where Ctrl-C lands."""

    def write(self, data) -> int:  # type: ignore[override]
        if self.tell() > 0:
            raise KeyboardInterrupt
        return super().write(data)


@pytest.fixture
def ctrl_c_in_the_write_callback(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_io = types.SimpleNamespace(**{**vars(io), "BytesIO": _Interrupting})
    monkeypatch.setattr(cairosvg.surface, "io", fake_io)


class _Dying:
    def __del__(self) -> None:
        raise KeyboardInterrupt  # reported as "unraisable", as cffi reports a callback's


def test_an_interrupt_python_cannot_raise_is_raised_when_the_block_ends(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(KeyboardInterrupt), interrupts_kept():
        item = _Dying()
        del item
    with pytest.raises(KeyboardInterrupt), interrupts_kept():  # in place of the error it caused
        item = _Dying()
        del item
        raise OSError("cairo: write error")
    assert capsys.readouterr().err == ""  # no traceback printed
    with interrupts_kept():  # nothing caught: nothing raised
        pass


def test_ctrl_c_in_a_pdf_write_is_a_keyboard_interrupt(
    ctrl_c_in_the_write_callback: None, capfd: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(KeyboardInterrupt):
        convert(SVG, "pdf")
    assert "Traceback" not in capfd.readouterr().err


def test_ctrl_c_in_a_pdf_write_stops_a_batch_with_exit_130(
    ctrl_c_in_the_write_callback: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("layers: [2, 1]\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.pdf").write_bytes(b"old")
    result = run("render", "a.yaml", "b.yaml", "--out-dir", "out", "-f", "pdf", "-j", "1")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.stderr
    assert "Traceback" not in capfd.readouterr().err
    assert (tmp_path / "out" / "a.pdf").read_bytes() == b"old"  # untouched
    assert not (tmp_path / "out" / "b.pdf").exists()  # the batch stopped
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.pdf"]
