"""Which spec files the command line's arguments name: files, folders and globs.

A folder means the spec files directly in it (``.yaml``, ``.yml``, ``.json``; not hidden
ones such as ``.nnsvg-cache.json`` or an editor's ``.#x.yaml``, and not its subfolders,
which may hold themes). A glob (``figs/*.yaml``, ``figs/**/*.yaml``) is matched by
:func:`expand_glob`, which walks each folder once by its real path: a link back to a
folder already walked (``figs/loop -> .``) is not entered again, so a glob never expands
exponentially, as :func:`glob.glob` does over such links. Collecting is linear in the
number of files found.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from nnsvg.checker import printable

__all__ = ["SPEC_SUFFIXES", "NothingFound", "collect_specs", "expand_glob", "is_glob"]

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class NothingFound(Exception):
    """A folder or glob that names no spec file; ``str()`` says which."""


def is_glob(arg: str) -> bool:
    """Whether ``arg`` is a pattern rather than a path (an existing path wins)."""
    return any(ch in arg for ch in "*?[") and not os.path.lexists(arg)


def collect_specs(args: list[str], strict: bool = True) -> list[Path]:
    """The spec files ``args`` name, each once, in argument order (a folder's and a
    glob's files sorted). ``strict``: a folder or glob that finds nothing raises
    :class:`NothingFound` (else it is skipped). A missing file is kept: the render
    reports it as that spec's failure."""
    found: dict[Path, None] = {}
    for arg in args:
        path = Path(arg)
        if is_glob(arg):
            matches = sorted(expand_glob(arg))
            if not matches and strict:
                raise NothingFound(f"no file matches '{printable(arg)}'")
            found.update(dict.fromkeys(Path(m) for m in matches))
        elif os.path.isdir(arg):  # never raises (a name too long is simply no folder)
            files = sorted(_folder_specs(path))
            if not files and strict:
                raise NothingFound(
                    f"no spec files (.yaml, .yml, .json) in folder '{printable(arg)}'"
                )
            found.update(dict.fromkeys(files))
        else:
            found[path] = None
    return list(found)


def _folder_specs(folder: Path) -> Iterator[Path]:
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if (
                not name.startswith(".")
                and os.path.splitext(name)[1].lower() in SPEC_SUFFIXES
                and entry.is_file()
            ):
                yield folder / name


def expand_glob(pattern: str) -> list[str]:
    """The files matching ``pattern`` (``*``, ``?``, ``[...]`` within a name; ``**`` any
    number of folders), as :func:`glob.glob` with ``recursive=True`` names them, without
    hidden names unless the pattern spells the dot, each folder walked once."""
    root, rest = _split(pattern)
    if not rest:
        return [root] if os.path.isfile(root) else []
    regex = _translate(rest)
    # Without '**' a pattern reaches a fixed depth; with it, any depth.
    max_depth = None if "**" in rest.split("/") else rest.count("/")
    start = root or "."
    if not os.path.isdir(start):
        return []
    matches: list[str] = []
    seen: set[str] = set()
    for folder, dirs, files in os.walk(start, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        relative = os.path.relpath(folder, start)
        relative = "" if relative == "." else relative.replace(os.sep, "/") + "/"
        if max_depth is not None and relative.count("/") >= max_depth:
            dirs[:] = []
        else:
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") or _dotted(rest))
        for name in files:
            if name.startswith(".") and not _dotted(rest):
                continue
            if regex.fullmatch(relative + name):
                matches.append(os.path.join(root, relative + name) if root else relative + name)
    return matches


def _split(pattern: str) -> tuple[str, str]:
    """(the folder before the first wildcard, the pattern below it)."""
    parts = pattern.replace(os.sep, "/").split("/")
    for i, part in enumerate(parts):
        if any(ch in part for ch in "*?["):
            root = "/".join(parts[:i])
            if not root and pattern.startswith("/"):
                root = "/"
            return root, "/".join(parts[i:])
    return pattern, ""


def _dotted(rest: str) -> bool:
    return any(part.startswith(".") for part in rest.split("/"))


def _translate(rest: str) -> re.Pattern[str]:
    """A regex for the slash-separated pattern ``rest``; ``**`` as a whole segment
    matches zero or more folders."""
    out: list[str] = []
    segments = rest.split("/")
    for k, segment in enumerate(segments):
        last = k == len(segments) - 1
        if segment == "**":
            out.append(".*" if last else "(?:[^/]+/)*")
            continue
        out.append(_translate_segment(segment))
        if not last:
            out.append("/")
    return re.compile("".join(out), re.DOTALL)


def _translate_segment(segment: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = segment.find("]", i + 2 if segment[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = re.sub(r"([\\&~|\[^])", r"\\\1", segment[i + 1 : end])
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)
