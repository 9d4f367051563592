"""Tests for nnsvg.atomic.write_atomic: all-or-nothing file replacement."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnsvg.atomic
from nnsvg.atomic import write_atomic
from nnsvg.errors import ExportError, NnsvgError


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _raise_enospc(*_args: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_writes_bytes_and_str(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.bin", b"\x00\x01\xff")
    write_atomic(str(tmp_path / "b.txt"), "héllo ✓\n")
    assert (tmp_path / "a.bin").read_bytes() == b"\x00\x01\xff"
    assert (tmp_path / "b.txt").read_bytes() == "héllo ✓\n".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.bin", "b.txt"]


def test_replaces_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "fig.svg"
    target.write_text("old and longer content")
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.svg"]


def test_relative_path_in_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomic("fig.svg", "x")
    assert (tmp_path / "fig.svg").read_text() == "x"


def test_new_file_mode_follows_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a", b"x")
        os.umask(0o077)
        write_atomic(tmp_path / "b", b"x")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a") == 0o644
    assert _mode(tmp_path / "b") == 0o600


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o444])
def test_keeps_existing_permissions(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "fig.png"
    target.write_bytes(b"old")
    target.chmod(mode)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert _mode(target) == mode


def test_a_symlink_is_never_written_through(tmp_path: Path) -> None:
    real = tmp_path / "notes.txt"
    real.write_text("old")
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    with pytest.raises(ExportError, match="is a symbolic link"):
        write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "old"
    dangling = tmp_path / "dangling.svg"
    dangling.symlink_to(tmp_path / "elsewhere.svg")
    with pytest.raises(ExportError, match="is a symbolic link"):
        write_atomic(dangling, "new")
    assert not (tmp_path / "elsewhere.svg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling.svg", "link.svg", "notes.txt"]


def test_fsync_failure_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "fig.pdf"
    target.write_bytes(b"old content")
    monkeypatch.setattr(nnsvg.atomic.os, "fsync", _raise_enospc)
    with pytest.raises(ExportError) as info:
        write_atomic(target, b"new content")
    assert str(info.value) == f"cannot write {target}: No space left on device"
    assert isinstance(info.value.__cause__, OSError)
    assert info.value.__cause__.errno == errno.ENOSPC
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.pdf"]


def test_failing_write_midway_keeps_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The temp file gets part of the data, then the disk fills up."""
    target = tmp_path / "fig.png"
    target.write_bytes(b"old content")
    real_fdopen = os.fdopen
    written: list[int] = []

    class FullDisk:
        def __init__(self, raw):  # type: ignore[no-untyped-def]
            self.raw = raw

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc: object) -> None:
            self.raw.close()

        def fileno(self) -> int:
            return self.raw.fileno()

        def write(self, data: bytes) -> int:
            self.raw.write(data[:3])
            self.raw.flush()
            written.append(os.fstat(self.raw.fileno()).st_size)
            _raise_enospc()
            return 0

    def fdopen(fd: int, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        return FullDisk(real_fdopen(fd, *args, **kwargs))  # type: ignore[arg-type]

    monkeypatch.setattr(nnsvg.atomic.os, "fdopen", fdopen)
    with pytest.raises(ExportError, match="No space left on device"):
        write_atomic(target, b"new content")
    assert written == [3], "the temp file did not get part of the data"
    assert target.read_bytes() == b"old content"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_keyboard_interrupt_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "fig.svg"
    target.write_text("old")
    temps: list[str] = []

    def interrupted_fsync(fd: int) -> None:
        temps.extend(p.name for p in tmp_path.iterdir() if p.name != "fig.svg")
        raise KeyboardInterrupt

    monkeypatch.setattr(nnsvg.atomic.os, "fsync", interrupted_fsync)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.svg"]
    # The temporary file existed beside the target, hidden, with the agreed name.
    assert len(temps) == 1
    assert temps[0].startswith(".fig.svg.")
    assert temps[0].endswith(".tmp")


def test_failing_replace_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "fig.svg"
    target.write_text("old")

    def denied(src: str, dst: str) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), dst)

    monkeypatch.setattr(nnsvg.atomic.os, "replace", denied)
    with pytest.raises(ExportError, match="Permission denied"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.svg"]


def test_permission_denied_creating_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(path: str, *args: object) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)

    monkeypatch.setattr(nnsvg.atomic.os, "open", denied)
    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path / "fig.svg", "x")
    assert str(info.value) == f"cannot write {tmp_path / 'fig.svg'}: Permission denied"
    assert isinstance(info.value.__cause__, PermissionError)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions"
)
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="Permission denied"):
            write_atomic(folder / "fig.svg", "x")
    finally:
        folder.chmod(0o755)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "out" / "deeper"
    with pytest.raises(ExportError) as info:
        write_atomic(missing / "fig.svg", "x")
    assert str(info.value) == f"output folder does not exist: {missing}"
    assert isinstance(info.value, NnsvgError)
    assert not (tmp_path / "out").exists()


def test_directory_target_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "fig.svg"
    target.mkdir()
    (target / "keep").write_text("x")
    with pytest.raises(ExportError) as info:
        write_atomic(target, "new")
    assert str(info.value) == f"cannot write {target}: it is a folder"
    assert (target / "keep").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.svg"]


# --------------------------------------------------------------------------- temporaries


def _written_temp_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> str:
    """The name of the temporary file write_atomic really uses for ``name`` (caught
    while it is being flushed), with live_temps() at that moment checked too."""
    seen: list[str] = []
    real_fsync = os.fsync

    def spying_fsync(fd: int) -> None:
        live = nnsvg.atomic.live_temps()
        if not seen and live:
            seen.extend(os.path.basename(t) for t in live)
        real_fsync(fd)

    monkeypatch.setattr(nnsvg.atomic.os, "fsync", spying_fsync)
    write_atomic(tmp_path / name, "x")
    monkeypatch.undo()
    assert len(seen) == 1
    return seen[0]


def test_live_temps_name_the_file_being_written_and_only_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = _written_temp_name(tmp_path, monkeypatch, "fig.svg")
    assert nnsvg.atomic.temp_target(temp) == "fig.svg"
    assert nnsvg.atomic.live_temps() == []  # renamed: nothing live any more
    monkeypatch.setattr(nnsvg.atomic.os, "replace", _raise_enospc)
    with pytest.raises(ExportError):
        write_atomic(tmp_path / "fig.svg", "y")
    assert nnsvg.atomic.live_temps() == []  # removed after a failure too
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.svg"]


@given(
    name=st.text(st.characters(blacklist_characters="/\x00"), min_size=1, max_size=30),
    other=st.text(st.characters(blacklist_characters="/\x00"), min_size=1, max_size=30),
    suffix=st.text("0123456789abcdef", min_size=8, max_size=8),
)
def test_a_temporary_name_belongs_to_exactly_one_target(name: str, other: str, suffix: str) -> None:
    # Unambiguous: a temporary name gives back the one target it was made for ...
    assert nnsvg.atomic.temp_target(f".{name}.{suffix}.tmp") == name
    assert nnsvg.atomic.temp_target(f".{other}.{suffix}.tmp") == other
    # ... and names not of that form (not hidden, not 8 hex digits, not .tmp) give none.
    for not_ours in (
        f".{name}.{suffix}X.tmp",
        f".{name}.{suffix[:7]}.tmp",
        f".{name}.{suffix}.TMP",
    ):
        assert nnsvg.atomic.temp_target(not_ours) is None, not_ours
    if not name.startswith("."):
        assert nnsvg.atomic.temp_target(f"{name}.{suffix}.tmp") is None


def test_remove_stale_temps_takes_only_old_temporaries_of_the_named_targets(
    tmp_path: Path,
) -> None:
    now = 1_000_000.0
    old, young = now - nnsvg.atomic.STALE_TEMP_SECONDS - 1, now - 5

    def make(name: str, mtime: float, folder: bool = False) -> Path:
        path = tmp_path / name
        if folder:
            path.mkdir()
        else:
            path.write_text("partial")
        os.utime(path, (mtime, mtime))
        return path

    make("fig.svg", old)
    make(".fig.svg.0123abcd.tmp", old)  # left by a killed render: goes
    make(".fig.svg.89abcdef.tmp", old)  # goes
    make(".fig.png.00000000.tmp", old)  # goes
    make(".fig.svg.fedcba98.tmp", young)  # maybe another render writing now: stays
    make(".notes.txt.0123abcd.tmp", old)  # not a target of ours: stays
    make(".fig.svg.0123ABCD.tmp", old)  # not write_atomic's naming: stays
    make(".fig.svg.11111111.tmp", old, folder=True)  # a folder: stays
    (tmp_path / ".fig.svg.22222222.tmp").symlink_to(tmp_path / "fig.svg")  # a link: stays

    removed = nnsvg.atomic.remove_stale_temps(tmp_path, ["fig.svg", "fig.png"], now=now)
    assert removed == [".fig.png.00000000.tmp", ".fig.svg.0123abcd.tmp", ".fig.svg.89abcdef.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".fig.svg.0123ABCD.tmp",
        ".fig.svg.11111111.tmp",
        ".fig.svg.22222222.tmp",
        ".fig.svg.fedcba98.tmp",
        ".notes.txt.0123abcd.tmp",
        "fig.svg",
    ]
    assert nnsvg.atomic.remove_stale_temps(tmp_path / "missing", ["fig.svg"]) == []


def test_remove_stale_temps_uses_the_clock_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / ".fig.svg.0123abcd.tmp"
    temp.write_text("partial")
    assert nnsvg.atomic.remove_stale_temps(tmp_path, ["fig.svg"]) == []  # just written
    monkeypatch.setattr(nnsvg.atomic.time, "time", lambda: temp.stat().st_mtime + 601)
    assert nnsvg.atomic.remove_stale_temps(tmp_path, ["fig.svg"]) == [temp.name]
