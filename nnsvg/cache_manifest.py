"""The incremental cache's manifest, ``.nnsvg-cache.json``: read without trust, saved
without fail.

One manifest per output folder maps each output's file name to the key of its inputs
and the SHA-256 of the bytes written (see :mod:`nnsvg.batch` for what the keys cover)::

    {"nnsvg-cache": 2, "outputs": {"net.svg": {"inputs": "<64 hex>", "output": "<64 hex>"}}}

The manifest is only an optimisation, and anything may have been put in its place, so
reading it trusts nothing: it must be a regular file (never a FIFO, a device, a link to
``/dev/zero``; checked before it is opened, see :mod:`nnsvg.safe_files`) of at most
:data:`MAX_MANIFEST_BYTES`, valid JSON, and have exactly the structure above: names are
plain file names (no folder, at most 255 bytes), digests 64 lowercase hex digits. A
manifest that fails any check is *damaged*: it is ignored (every output in the folder is
checked afresh, so they are rendered again), one warning line names it, and it is
written anew at the end of the run. A well-formed manifest of another cache version is
ignored without a warning. Saving never raises: an unwritable manifest costs a
re-render next time, nothing else.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnsvg.checker import printable
from nnsvg.figure_files import check_output, file_digest
from nnsvg.safe_files import FileRefused, read_regular

__all__ = [
    "CACHE_NAME",
    "CACHE_VERSION",
    "MAX_MANIFEST_BYTES",
    "Damaged",
    "Manifest",
    "read_manifest",
]

CACHE_NAME = ".nnsvg-cache.json"
CACHE_VERSION = 2  # 2: SVG ids carry a prefix (figures made under 1 differ)
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
"""Largest manifest read or written (about 40,000 outputs in one folder)."""
MAX_NAME_BYTES = 255
"""Longest output file name a manifest may hold (the usual file-system limit)."""

_DIGEST = re.compile(r"[0-9a-f]{64}")
_TOP_KEYS = frozenset({"nnsvg-cache", "outputs"})
_ENTRY_KEYS = frozenset({"inputs", "output"})

Entries = dict[str, dict[str, str]]
Warn = Callable[[str], None]


class Damaged(Exception):
    """A manifest that is not one nnsvg wrote; ``str()`` says why, without its content."""


def warn_on_stderr(line: str) -> None:
    """The default way a damaged manifest is reported: one ``warning:`` line on stderr."""
    sys.stderr.write(f"warning: {line}\n")
    sys.stderr.flush()


def read_manifest(path: str | os.PathLike[str]) -> Entries:
    """The entries of the manifest at ``path``; none when it is missing or of another
    cache version. A damaged manifest is :class:`Damaged`."""
    try:
        raw = read_regular(path, MAX_MANIFEST_BYTES)
    except FileRefused as exc:
        if str(exc) == "no such file":
            return {}
        raise Damaged(str(exc)) from None
    try:
        data = json.loads(raw)
    except RecursionError:
        raise Damaged("nested too deeply") from None
    except (ValueError, UnicodeError):
        raise Damaged("not valid JSON") from None
    if not isinstance(data, dict) or set(data) != _TOP_KEYS:
        raise Damaged("not a cache manifest")
    version = data["nnsvg-cache"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise Damaged("its version is not a number")
    if version != CACHE_VERSION:
        return {}  # another nnsvg's: its keys mean something else
    outputs = data["outputs"]
    if not isinstance(outputs, dict):
        raise Damaged("its outputs are not a mapping")
    entries: Entries = {}
    for name, entry in outputs.items():
        if not _plain_name(name):
            raise Damaged("an output name is not a plain file name of at most 255 bytes")
        if not isinstance(entry, dict) or set(entry) != _ENTRY_KEYS:
            raise Damaged("an entry is not an inputs and output digest")
        inputs, output = entry["inputs"], entry["output"]
        if not (_is_digest(inputs) and _is_digest(output)):
            raise Damaged("a digest is not 64 hexadecimal digits")
        entries[name] = {"inputs": inputs, "output": output}
    return entries


def _plain_name(name: Any) -> bool:
    if not isinstance(name, str) or name in ("", ".", ".."):
        return False
    if "/" in name or "\x00" in name or (os.altsep and os.altsep in name) or os.sep in name:
        return False
    try:
        return len(os.fsencode(name)) <= MAX_NAME_BYTES
    except (UnicodeError, ValueError):
        return False


def _is_digest(value: Any) -> bool:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


class Manifest:
    """The input keys of the outputs in one folder, read once, saved once per run."""

    def __init__(self, folder: Path, warn: Warn | None = None, shown: Path | None = None) -> None:
        """The manifest of ``folder`` (``shown`` as messages name that folder), read now;
        ``warn`` is told when it is damaged (default: a line on stderr)."""
        self.folder = folder
        self.path = folder / CACHE_NAME
        self.damaged = False
        try:
            self.entries = read_manifest(self.path)
        except Damaged as exc:
            self.entries = {}
            self.damaged = True
            name = printable(str((shown or folder) / CACHE_NAME))
            (warn or warn_on_stderr)(
                f"{name}: damaged cache manifest ignored ({exc}); "
                "the figures it covers are checked afresh and it is written anew"
            )
        self.changes: dict[str, dict[str, str] | None] = {}

    def current(self, name: str, key: str) -> bool:
        """Whether the output ``name`` was made from inputs with ``key`` and still holds
        the bytes written then."""
        entry = self.entries.get(name)
        if entry is None or entry["inputs"] != key:
            return False
        return file_digest(self.folder / name) == entry["output"]

    def record(self, name: str, key: str, digest: str) -> None:
        entry = {"inputs": key, "output": digest}
        if self.entries.get(name) != entry:
            self.entries[name] = self.changes[name] = entry

    def forget(self, name: str) -> None:
        if name in self.entries:
            del self.entries[name]
            self.changes[name] = None

    def save(self) -> None:
        """Write the changes, merged with the manifest as it is now (another run may have
        written it meanwhile); a damaged manifest is replaced. Never raises."""
        if not self.changes and not self.damaged:
            return
        try:
            self._save()
        except Exception:  # unwritable: a re-render next time, nothing else
            pass
        finally:
            self.changes.clear()
            self.damaged = False

    def _save(self) -> None:
        from nnsvg.atomic import write_atomic

        try:
            entries = read_manifest(self.path)
        except Damaged:
            entries = {}  # reported when it was read; replaced now
            if os.path.islink(self.path):
                os.unlink(self.path)  # the link itself (to /dev/zero, say), not its target
        for name, entry in self.changes.items():
            if entry is None:
                entries.pop(name, None)
            elif _plain_name(name):
                entries[name] = entry
        entries = {
            name: entry
            for name, entry in sorted(entries.items())
            if os.path.isfile(os.path.join(self.folder, name))  # never raises
        }
        text = json.dumps({"nnsvg-cache": CACHE_VERSION, "outputs": entries}, indent=1) + "\n"
        if len(text.encode("utf-8", "surrogateescape")) > MAX_MANIFEST_BYTES:
            return  # too many outputs in one folder to cache more of them
        check_output(self.path)
        write_atomic(self.path, text)
