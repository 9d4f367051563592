"""A spec given as Python data (dicts, lists, numbers, strings) read as a spec file is.

:func:`document_from_data` checks what the YAML and JSON readers check (the kinds of value a
spec may hold, string keys, no lone surrogates, the size and depth limits) and returns a
:class:`~nnsvg.spec.load.Document` whose values are located by their path alone, so every
later error reads ``<dict>: layers[2].units: must be a positive integer, got -3``.
Tuples are lists; numbers of other types (NumPy's among them) become ``int`` or ``float``
by the :mod:`numbers` protocol they declare; anything else is a located error, never a
traceback.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from nnsvg.checker import printable
from nnsvg.errors import LimitError, Location, SpecError
from nnsvg.spec.document import (
    MAX_DEPTH,
    MAX_NODES,
    SURROGATE,
    Document,
    Path_,
    format_path,
    surrogate_error,
)

__all__ = ["DATA_NAME", "document_from_data"]

DATA_NAME = "<dict>"
"""How messages name a spec given as Python data."""


def document_from_data(data: Any, name: str = DATA_NAME) -> Document:
    """``data`` (a mapping, as a spec file's top level is) as a :class:`Document`."""
    if not isinstance(data, Mapping):
        raise SpecError(
            f"a spec must be a mapping (a dict) at the top level, got {_kind(data)}",
            location=Location(name),
        )
    return Document(_Converter(name).value(data, (), 0), name)


def _kind(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "null"
    return f"a value of type {type(value).__name__}"


class _Converter:
    def __init__(self, name: str) -> None:
        self.name = name
        self.total = 0

    def error(self, message: str, path: Path_) -> SpecError:
        return SpecError(message, location=Location(self.name), field=format_path(path) or None)

    def value(self, value: Any, path: Path_, depth: int) -> Any:
        self.total += 1
        if self.total > MAX_NODES:
            raise LimitError(
                f"the spec has more than {MAX_NODES} values; at most {MAX_NODES} allowed",
                location=Location(self.name),
            )
        if value is None or isinstance(value, (bool, int, float)):
            return value if type(value) in (bool, int, float) or value is None else _plain(value)
        if isinstance(value, str):
            if SURROGATE.search(value):
                raise surrogate_error(value, Location(self.name), format_path(path) or None)
            return str(value)
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real):
            return float(value)
        is_mapping = isinstance(value, Mapping)
        if not is_mapping and (
            not isinstance(value, Sequence) or isinstance(value, (bytes, bytearray, memoryview))
        ):
            raise self.error(
                f"must be a mapping, a list, a string, a number, a boolean or None, "
                f"got {_kind(value)}",
                path,
            )
        if depth >= MAX_DEPTH:
            raise LimitError(
                f"the spec is nested more than {MAX_DEPTH} levels deep; "
                f"at most {MAX_DEPTH} levels of lists and mappings are allowed",
                location=Location(self.name),
                field=format_path(path) or None,
            )
        if not is_mapping:
            return [self.value(item, (*path, i), depth + 1) for i, item in enumerate(value)]
        result: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise self.error(f"keys must be strings, got the key {printable(repr(key))}", path)
            if SURROGATE.search(key):
                raise surrogate_error(key, Location(self.name), format_path(path) or None)
            result[str(key)] = self.value(item, (*path, key), depth + 1)
        return result


def _plain(value: bool | int | float) -> bool | int | float:
    """A subclass of bool/int/float (an IntEnum, say) as the plain value it stands for."""
    if isinstance(value, bool):
        return bool(value)
    return int(value) if isinstance(value, int) else float(value)
