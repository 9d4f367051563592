"""Write a file all at once: readers see the old content or the new, never half.

The data goes to a hidden temporary file beside the target, is flushed to
disk, and is then renamed over the target in one step (``os.replace``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat

from nnsvg.errors import ExportError

__all__ = ["write_atomic"]

# Mode for a file that did not exist before; the kernel applies the umask to
# it, exactly as for ``open(path, "w")`` (0o644 under the usual umask 022).
_NEW_FILE_MODE = 0o666


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Replace the file at ``path`` with ``data`` (``str`` is written as UTF-8).

    The temporary file is named ``.<name>.<random>.tmp`` in the target's
    folder, so the final rename never crosses file systems. An existing
    target keeps its permission bits; a new one gets ``0o666`` less the
    umask. If ``path`` is a symbolic link the file it points to is replaced.

    On any exception, ``KeyboardInterrupt`` included, the temporary file is
    removed, the old target is left untouched and the exception propagates;
    an ``OSError`` is turned into an :class:`~nnsvg.errors.ExportError` naming
    the path and the system's reason. A missing output folder is an error
    too: creating folders is the caller's decision.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target = os.path.realpath(path) if os.path.islink(path) else os.fspath(path)
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
        temp = None
    except BaseException as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise ExportError(f"cannot write {target}: {reason}") from exc
        raise
    _sync_folder(folder)


def _create_temp(folder: str, name: str) -> tuple[int, str]:
    """Create and open a new, empty temporary file beside ``name``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        temp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temp, flags, _NEW_FILE_MODE), temp
        except FileExistsError:
            continue
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
