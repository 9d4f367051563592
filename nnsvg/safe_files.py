"""Reading a file nnsvg was told to read: regular files only, never blocking, bounded.

Every file a render reads (spec, theme, weights, image, project file, cache manifest)
goes through :func:`regular_file`, :func:`read_regular` or :func:`open_regular`: the
path is checked with ``stat`` *before* it is opened (opening a FIFO for reading waits
for a writer forever; ``/dev/kmsg`` or ``/proc/kmsg`` block on read), opened with
``O_NONBLOCK`` and checked again with ``fstat`` (it may have been swapped in between),
and read up to a limit.
:func:`confine` decides whether a path a spec names may be read at all: after links are
resolved, it must lie inside one of the allowed folders unless the user allows more.

Errors are :class:`FileRefused` with a short reason and no content of the file: the
caller adds what the file is and where the spec names it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from typing import BinaryIO

__all__ = ["FileRefused", "confine", "inside", "open_regular", "read_regular", "regular_file"]


class FileRefused(Exception):
    """A file that may not (or cannot) be read; ``str()`` is a short reason."""


def inside(real: str, folder_real: str) -> bool:
    """Whether the real path ``real`` is ``folder_real`` or below it (both resolved)."""
    try:
        return os.path.commonpath([real, folder_real]) == folder_real
    except ValueError:  # another drive on Windows, or a mix of absolute and relative
        return False


def confine(path: str | os.PathLike[str], folders: Iterable[str | os.PathLike[str]]) -> str:
    """The real path of ``path`` if it lies (links resolved) inside one of ``folders``;
    else :class:`FileRefused`."""
    try:
        real = os.path.realpath(path)
        allowed = [os.path.realpath(folder) for folder in folders]
    except (OSError, ValueError) as exc:
        raise FileRefused(_reason(exc)) from None
    if not any(inside(real, folder) for folder in allowed):
        raise FileRefused("outside the folders nnsvg reads from")
    return real


# Kernel pseudo-files look regular (size 0) but are no data: /proc/self/environ holds
# the environment's secrets, /proc/kmsg blocks.
_SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


def regular_file(path: str | os.PathLike[str]) -> os.stat_result:
    """``stat`` of ``path`` if it is a regular file (links followed) outside the kernel's
    pseudo-file systems; else :class:`FileRefused` saying what it is."""
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError) as exc:
        raise FileRefused(_reason(exc)) from None
    if os.name == "posix" and any(inside(real, folder) for folder in _SYSTEM_FOLDERS):
        raise FileRefused("a system file (under /proc, /sys or /dev), not a data file")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileRefused("no such file") from None
    except (OSError, ValueError) as exc:
        raise FileRefused(_reason(exc)) from None
    _check_mode(info.st_mode)
    return info


def open_regular(path: str | os.PathLike[str]) -> tuple[BinaryIO, os.stat_result]:
    """The regular file ``path``, open for reading in binary, and its ``fstat``; never
    blocks on a FIFO or a device. The caller closes it (``with file:``)."""
    regular_file(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError) as exc:
        raise FileRefused(_reason(exc)) from None
    file = os.fdopen(fd, "rb")
    try:
        info = os.fstat(file.fileno())
        _check_mode(info.st_mode)  # swapped for something else since the stat
    except BaseException:
        file.close()
        raise
    return file, info


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them (a longer file
    is :class:`FileRefused`); never blocks on a FIFO or a device."""
    file, info = open_regular(path)
    with file:
        if info.st_size > limit:
            raise FileRefused(f"larger than the {limit:,} bytes allowed")
        try:
            data = file.read(limit + 1)
        except OSError as exc:
            raise FileRefused(_reason(exc)) from None
    if len(data) > limit:
        raise FileRefused(f"larger than the {limit:,} bytes allowed")
    return data


def _check_mode(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise FileRefused("a folder, not a file")
    if stat.S_ISFIFO(mode):
        raise FileRefused("a pipe (FIFO), not a regular file")
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        raise FileRefused("a device, not a regular file")
    if stat.S_ISSOCK(mode):
        raise FileRefused("a socket, not a regular file")
    raise FileRefused("not a regular file")


def _reason(exc: BaseException) -> str:
    """An OS error's reason alone: never the path or content it may carry."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    if isinstance(exc, ValueError):
        return "the name holds a NUL character" if "null" in str(exc).lower() else "invalid name"
    return type(exc).__name__
