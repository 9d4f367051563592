"""Read JSON spec text into a :class:`~nnsvg.spec.document.Document`.

The data and the syntax errors are :mod:`json`'s. Positions come from reading the
same text as YAML (JSON is flow-style YAML) with :class:`~nnsvg.spec.yaml_read.Composer`
in its JSON mode; should that fail, every value is located at line 1, column 1
rather than the load failing. A key given twice is an error.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from nnsvg.errors import LimitError, Location, SpecError
from nnsvg.spec.document import (
    MAX_DEPTH,
    MAX_NODES,
    SURROGATE,
    Document,
    Path_,
    describe,
    empty_spec,
    format_path,
    not_mapping,
    shorten,
    surrogate_error,
)
from nnsvg.spec.yaml_read import MAP, NON_PRINTABLE, SEQ, Composer, Node

__all__ = ["parse_json"]

# For reading JSON text as YAML: characters that JSON allows but YAML reads
# differently (tabs, extra line breaks, non-printables) and JSON escapes
# (libyaml rejects escaped surrogates); all only change string contents.
_JSON_ODD = re.compile("[\t\x85\u2028\u2029]|" + NON_PRINTABLE.pattern)
_JSON_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)")


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as json.loads saw it: its (key, value) pairs in order."""


_TOO_DEEP = object()  # json.loads gave up on the nesting


def parse_json(text: str, file: str) -> Document:
    if not text.strip():
        raise empty_spec(file)
    try:
        data = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"invalid JSON: {exc.msg}", location=Location(file, exc.lineno, exc.colno)
        ) from None
    except RecursionError:
        data = _TOO_DEEP
    except ValueError as exc:  # e.g. an integer with too many digits
        raise SpecError(f"invalid JSON: {exc}", location=Location(file)) from None
    # JSON is flow-style YAML: read it again for positions only. The composer
    # also finds nesting beyond MAX_DEPTH, with its position.
    yaml_text = _JSON_ESCAPE.sub(lambda m: "_" * len(m.group()), _JSON_ODD.sub(" ", text))
    root: Node | None
    try:
        root = Composer(file, json_mode=True).compose(yaml_text)
    except (yaml.YAMLError, UnicodeError):
        root = None
    if data is _TOO_DEEP:
        raise LimitError(
            f"the spec is nested more than {MAX_DEPTH} levels deep; "
            f"at most {MAX_DEPTH} levels of lists and mappings are allowed",
            location=Location(file, 1, 1),
        )
    walker = _JsonWalker(file)
    if root is None:
        walker.marks[()] = (1, 1)
    if not isinstance(data, _Pairs):
        what = "a list" if isinstance(data, list) else describe(data)
        where = (root.line, root.col) if root is not None else (1, 1)
        raise not_mapping(what, Location(file, *where))
    result = walker.value(data, root, (), 0)
    return Document(result, file, walker.marks, walker.key_marks)


class _JsonWalker:
    """Turns json.loads data into plain data, taking positions from composed nodes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.key_marks: dict[Path_, tuple[int, int]] = {}
        self.total = 0

    def _location(self, path: Path_) -> Location:
        return Document(None, self.file, self.marks).location(path)

    def value(self, value: Any, node: Node | None, path: Path_, depth: int) -> Any:
        if node is not None:
            self.marks[path] = (node.line, node.col)
        self.total += 1
        if self.total > MAX_NODES:
            raise LimitError(
                f"the spec has more than {MAX_NODES} values; at most {MAX_NODES} allowed",
                location=self._location(path),
            )
        if not isinstance(value, list):
            if isinstance(value, str) and SURROGATE.search(value):
                field = format_path(path) or None
                raise surrogate_error(value, self._location(path), field)
            return value
        if depth >= MAX_DEPTH:
            raise LimitError(
                f"the spec is nested more than {MAX_DEPTH} levels deep; "
                f"at most {MAX_DEPTH} levels of lists and mappings are allowed",
                location=self._location(path),
            )
        children = None
        if node is not None and len(node.value or ()) == len(value):
            children = node.value
        if not isinstance(value, _Pairs):
            if node is None or node.kind != SEQ:
                children = None
            return [
                self.value(item, children[i] if children else None, (*path, i), depth + 1)
                for i, item in enumerate(value)
            ]
        if node is None or node.kind != MAP:
            children = None
        result: dict[str, Any] = {}
        for i, (key, item) in enumerate(value):
            key_node, item_node = children[i] if children else (None, None)
            item_path = (*path, key)
            if SURROGATE.search(key):
                where = (
                    Location(self.file, key_node.line, key_node.col)
                    if key_node is not None
                    else self._location(path)
                )
                raise surrogate_error(key, where, format_path(path) or None)
            if key in result:
                first = self.key_marks.get(item_path)
                where = (
                    Location(self.file, key_node.line, key_node.col)
                    if key_node is not None
                    else self._location(path)
                )
                raise SpecError(
                    f"duplicate key {shorten(key)!r}"
                    + (f" (first given at line {first[0]})" if first else "")
                    + "; each key may appear once in a mapping",
                    location=where,
                    field=format_path(path) or None,
                )
            if key_node is not None:
                self.key_marks[item_path] = (key_node.line, key_node.col)
            result[key] = self.value(item, item_node, item_path, depth + 1)
        return result
