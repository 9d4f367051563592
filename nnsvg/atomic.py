"""Write a file all at once: readers see the old content or the new, never half.

The data goes to a hidden temporary file beside the target, is flushed to
disk, and is then renamed over the target in one step (``os.replace``). A
temporary file that a killed process left behind is removed by a later batch
(:func:`remove_stale_temps`).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
import time
from collections.abc import Iterable

from nnsvg.errors import ExportError

__all__ = [
    "STALE_TEMP_SECONDS",
    "live_temps",
    "remove_stale_temps",
    "temp_target",
    "write_atomic",
]

# Mode for a file that did not exist before; the kernel applies the umask to
# it, exactly as for ``open(path, "w")`` (0o644 under the usual umask 022).
_NEW_FILE_MODE = 0o666

# A temporary file lives for the time it takes to write bytes already in memory and
# flush them: seconds at most. One untouched for this long was left by a process that
# was killed (kill -9, the out-of-memory killer, a power cut) and will never be renamed.
STALE_TEMP_SECONDS = 600.0

_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.[0-9a-f]{8}\.tmp", re.DOTALL)

# The temporary files this process has created and not yet renamed or removed: what a
# process stopped by a signal removes before it exits (see live_temps).
_LIVE_TEMPS: set[str] = set()


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replace the file at ``path`` with ``data`` (``str`` is written as UTF-8).

    The temporary file is named ``.<name>.<random>.tmp`` in the target's
    folder, so the final rename never crosses file systems. An existing
    target keeps its permission bits; a new one gets ``0o666`` less the
    umask. A symbolic link is never written through: ``path`` being one is an error
    (the link would carry the write onto another file).

    On any exception, ``KeyboardInterrupt`` included, the temporary file is
    removed, the old target is left untouched and the exception propagates;
    an ``OSError`` is turned into an :class:`~nnsvg.errors.ExportError` naming
    the path and the system's reason. A missing output folder is an error
    too: creating folders is the caller's decision.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target = os.fspath(path)
    if os.path.islink(target):
        raise ExportError(
            f"cannot write {target}: it is a symbolic link; nnsvg does not write through links"
        )
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise ExportError(f"output folder does not exist: {folder}")
    if os.path.isdir(target):
        raise ExportError(f"cannot write {target}: it is a folder")

    temp: str | None = None
    try:
        try:
            old_mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            old_mode = None
        fd, temp = _create_temp(folder, os.path.basename(target))
        with os.fdopen(fd, "wb") as file:
            if old_mode is not None:
                os.fchmod(file.fileno(), old_mode)
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
        _LIVE_TEMPS.discard(temp)
        temp = None
    except BaseException as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            _LIVE_TEMPS.discard(temp)
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise ExportError(f"cannot write {target}: {reason}") from exc
        raise
    _sync_folder(folder)


def _create_temp(folder: str, name: str) -> tuple[int, str]:
    """Create and open a new, empty temporary file beside ``name``, listed in
    :data:`_LIVE_TEMPS` from before it exists: a signal handler that runs as soon as the
    file is created (before this returns) must find it there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")  # see _TEMP_NAME
        _LIVE_TEMPS.add(temp)
        try:
            return os.open(temp, flags, _NEW_FILE_MODE), temp
        except FileExistsError:  # another's (or a leftover): not ours to remove
            _LIVE_TEMPS.discard(temp)
        except BaseException:
            _LIVE_TEMPS.discard(temp)
            raise
    raise FileExistsError(f"no free temporary file name for {name} in {folder}")


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable; not every system can, so best effort."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def live_temps() -> list[str]:
    """The temporary files a :func:`write_atomic` of this process is writing now (at most
    one, unless threads write), for a signal handler that must remove them and exit
    without unwinding. Only this process's own: never another's file of the same name."""
    return sorted(_LIVE_TEMPS)


def temp_target(filename: str) -> str | None:
    """The name of the target whose temporary file :func:`write_atomic` would have named
    ``filename`` (``.<name>.<8 hex digits>.tmp``), or None for any other name."""
    match = _TEMP_NAME.fullmatch(filename)
    return None if match is None else match["name"]


def remove_stale_temps(
    folder: str | os.PathLike[str],
    names: Iterable[str],
    older_than: float = STALE_TEMP_SECONDS,
    now: float | None = None,
) -> list[str]:
    """Remove the temporary files of the targets ``names`` in ``folder`` that were last
    written more than ``older_than`` seconds ago: what a killed :func:`write_atomic`
    left behind. A younger one may belong to a render still running (another process
    writing the same figure), so it stays. Regular files only; nothing else in the
    folder is touched, and a file that cannot be examined or removed is left as it is.
    Returns the names removed, sorted."""
    wanted = set(names)
    moment = time.time() if now is None else now
    removed: list[str] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if temp_target(entry.name) not in wanted:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or moment - info.st_mtime <= older_than:
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed.append(entry.name)
    return sorted(removed)
