"""nnsvg.safe_files: regular files only, never blocking, bounded, confined."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from nnsvg.safe_files import FileRefused, confine, read_regular, regular_file


def test_a_regular_file_is_read_up_to_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"1,2\n")
    assert read_regular(path, 4) == b"1,2\n"
    with pytest.raises(FileRefused, match="larger than the 3 bytes allowed"):
        read_regular(path, 3)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: os.mkfifo(p), "a pipe \\(FIFO\\)"),
        (lambda p: p.mkdir(), "a folder"),
        (lambda p: p.symlink_to("/dev/zero"), "a system file"),
        (lambda p: p.symlink_to("/proc/self/environ"), "a system file"),
        (lambda p: None, "no such file"),
        (lambda p: p.symlink_to(p.parent / "nowhere"), "no such file"),
    ],
)
def test_anything_else_is_refused_at_once_without_reading(
    make, reason: str, tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    make(path)
    with pytest.raises(FileRefused, match=reason):
        read_regular(path, 1000)  # a FIFO would block here forever if it were opened


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(FileRefused, match="a socket"):
            regular_file(path)


def test_a_name_too_long_or_with_nul_is_a_reason_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="file name too long"):
        read_regular(tmp_path / ("x" * 300), 10)
    with pytest.raises(FileRefused, match="NUL"):
        read_regular(str(tmp_path / "a\x00b"), 10)


def test_confine_resolves_links_before_deciding(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    folder.mkdir()
    (folder / "w.csv").write_text("1")
    (tmp_path / "secret.csv").write_text("2")
    (folder / "link.csv").symlink_to(tmp_path / "secret.csv")
    assert confine(folder / "w.csv", [folder]) == os.path.realpath(folder / "w.csv")
    for name in ("link.csv", "../secret.csv"):
        with pytest.raises(FileRefused, match="outside the folders"):
            confine(folder / name, [folder])
    assert confine(folder / "link.csv", [folder, tmp_path])
