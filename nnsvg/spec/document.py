"""A loaded spec's data and where each value stands, and the messages every reader shares.

:class:`Document` pairs plain data with the line and column of each value and key;
:func:`format_path` writes a path as messages show it (``layers[2].units``). The
readers (:mod:`nnsvg.spec.yaml_read`, :mod:`nnsvg.spec.json_read`) and
:mod:`nnsvg.spec.pydata` build documents and share the errors and limits here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from nnsvg.errors import Location, SpecError

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SPEC_BYTES",
    "SURROGATE",
    "Document",
    "Path_",
    "describe",
    "empty_spec",
    "format_path",
    "line_col",
    "not_mapping",
    "shorten",
    "surrogate_error",
]

Path_ = tuple[str | int, ...]
"""Where a value stands in the data, e.g. ``("layers", 2, "units")``."""

MAX_SPEC_BYTES = 5 * 1024 * 1024
"""Largest spec file read, in bytes."""
MAX_NODES = 200_000
"""Most values (scalars, lists, mappings; not keys) a spec may expand to."""
MAX_DEPTH = 100
"""Deepest nesting of lists and mappings in a spec."""

# A lone surrogate, as a JSON escape ("\ud800") or the pure-Python YAML reader gives
# one: not a Unicode character at all (libyaml refuses the escape). Text holding one
# cannot be encoded as UTF-8, so no figure could be written with it.
SURROGATE = re.compile("[\ud800-\udfff]")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Document:
    """A loaded spec: plain data plus where each value stands in :attr:`file`."""

    data: Any
    file: str
    _marks: dict[Path_, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)
    _key_marks: dict[Path_, tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def location(self, path: Path_) -> Location:
        """Where the value at ``path`` starts, else its nearest located ancestor."""
        marks = self._marks
        path = tuple(path)
        while True:
            mark = marks.get(path)
            if mark is not None:
                return Location(self.file, mark[0], mark[1])
            if not path:
                return Location(self.file)
            path = path[:-1]

    def key_location(self, path: Path_) -> Location:
        """Where the key of the mapping entry at ``path`` starts, else :meth:`location`."""
        mark = self._key_marks.get(tuple(path))
        if mark is not None:
            return Location(self.file, mark[0], mark[1])
        return self.location(path)


def format_path(path: Path_) -> str:
    """Render a path for messages: ``("layers", 2, "units")`` -> ``layers[2].units``.

    Keys that are not simple names are quoted: ``("a b", 0)`` -> ``["a b"][0]``; a key
    longer than 40 characters is cut short (``...``).
    """
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
            continue
        part = part if len(part) <= 40 else part[:37] + "..."  # a key quoted from the file
        if _IDENT.fullmatch(part):
            parts.append(f".{part}" if parts else part)
        else:
            parts.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(parts)


def line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]`` (``text`` uses ``\\n`` only)."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return "null"


def not_mapping(what: str, location: Location) -> SpecError:
    return SpecError(f"the spec must be a mapping (key: value), got {what}", location=location)


def empty_spec(file: str) -> SpecError:
    return SpecError(
        "the spec is empty; expected a mapping with at least 'layers'",
        location=Location(file, 1, 1),
    )


def shorten(text: str, limit: int = 40) -> str:
    """What messages quote of a file's text: printable, at most ``limit`` characters."""
    text = text if text.isprintable() else repr(text)[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def surrogate_error(text: str, location: Location, field: str | None) -> SpecError:
    """The error for ``text``, a string holding a lone surrogate."""
    bad = SURROGATE.search(text)
    code = ord(bad.group()) if bad is not None else 0xD800
    return SpecError(
        f"character U+{code:04X} is a lone surrogate, not a Unicode character; "
        "remove it (a character beyond U+FFFF is one \\U escape in YAML, a surrogate pair "
        "in JSON)",
        location=location,
        field=field,
    )
