"""Read a spec file (YAML or JSON) into plain Python data, remembering positions.

:func:`load_document` / :func:`parse_document` return a :class:`Document`: the
data as plain Python values (``dict`` keeping insertion order, ``list``,
``str``, ``int``, ``float``, ``bool``, ``None``) plus the 1-based line and
column where every value (and every mapping key) starts, so that validation can
report ``spec.yaml:7:5: layers[2].units: must be a positive integer, got -3``.

Every failure is a :class:`~nnsvg.errors.SpecError` (a
:class:`~nnsvg.errors.LimitError` for size limits) carrying a
:class:`~nnsvg.errors.Location`; no other exception escapes for bad input.

How YAML is read
----------------
Nothing is ever constructed by a YAML loader: the event stream of PyYAML's
*safe* parser (its libyaml-backed ``CSafeLoader`` when available, else the
pure-Python ``SafeLoader``) is composed into a small node tree here, and only
scalars are turned into values, with ``SafeLoader``'s own scalar constructors
(``3`` is an int, ``0.5`` a float, ``true`` a bool, ``~`` ``None``; ``.nan`` and
``.inf`` stay floats, validation rejects them later). Composing ourselves, rather
than calling ``yaml.compose``, keeps a 10,000-layer spec well under a second
(the pure-Python composer needs over a second for it) and lets the size limits
act *while* reading: libyaml's own composer recurses in C and crashes the
interpreter on deeply nested input, and alias expansion ("billion laughs") is
refused as soon as the count of values passes :data:`MAX_NODES`.

Decisions worth knowing:

* Only the standard scalar tags are accepted (``!!str``, ``!!int``,
  ``!!float``, ``!!bool``, ``!!null``, plus ``!!seq``/``!!map``); any other
  tag (``!!python/object``, ``!!binary``, ``!!set``, ``!foo``) is an error.
  A plain scalar that YAML 1.1 reads as a timestamp (``2024-01-31``) is kept
  as the string it was written as.
* Anchors and aliases work. A value reached through an alias is located at the
  alias (``*name``); values inside it at their place under the anchor. An alias
  to a node that contains it is an error, and so is an alias to an anchor not
  yet defined.
* Merge keys work as in YAML 1.1: ``<<: *base`` or ``<<: [*a, *b]`` (or an
  inline mapping) copies the entries of the merged mappings; keys given
  explicitly in the mapping win, and among several merged mappings the earlier
  one wins. Merged keys come first in the resulting ``dict``. A merged value is
  located where it is written in the merged mapping.
* Keys must be strings; duplicate keys are an error (merged keys overridden by
  explicit ones are not duplicates).
* JSON files (``.json`` or ``fmt="json"``) are parsed by :mod:`json` (its data
  and its syntax errors); positions come from reading the same text as YAML
  (JSON is flow-style YAML). Should that fail, every value is located at line
  1, column 1 rather than the load failing. A JSON key given twice is an error.
* Line breaks may be LF, CRLF or CR. Bytes are decoded as UTF-8 (a UTF-8 BOM is
  dropped); UTF-16 and UTF-32 are accepted when the file starts with their BOM.
* A string holding a lone surrogate (JSON's ``"\\ud800"``, half a character) is an
  error at its place: it is not Unicode text, and could not be written to a figure.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from nnsvg.errors import LimitError, Location, SpecError

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_SPEC_BYTES",
    "Document",
    "Path_",
    "format_path",
    "load_document",
    "parse_document",
]

Path_ = tuple[str | int, ...]
"""Where a value stands in the data, e.g. ``("layers", 2, "units")``."""

MAX_SPEC_BYTES = 5 * 1024 * 1024
"""Largest spec file read, in bytes."""
MAX_NODES = 200_000
"""Most values (scalars, lists, mappings; not keys) a spec may expand to."""
MAX_DEPTH = 100
"""Deepest nesting of lists and mappings in a spec."""

# The parser used for YAML; tests may switch it to ``yaml.SafeLoader``.
_LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_NULL = _TAG + "null"
_BOOL = _TAG + "bool"
_INT = _TAG + "int"
_FLOAT = _TAG + "float"
_TIMESTAMP = _TAG + "timestamp"
_MERGE = _TAG + "merge"
_VALUE = _TAG + "value"
_SEQ_TAG = _TAG + "seq"
_MAP_TAG = _TAG + "map"

_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_SCALAR_CONSTRUCTORS = {
    _NULL: _CONSTRUCTOR.construct_yaml_null,
    _BOOL: _CONSTRUCTOR.construct_yaml_bool,
    _INT: _CONSTRUCTOR.construct_yaml_int,
    _FLOAT: _CONSTRUCTOR.construct_yaml_float,
}
# Plain scalars that resolve to these tags are kept as the text written.
_TEXT_TAGS = frozenset({_STR, _TIMESTAMP, _MERGE, _VALUE})

# Characters YAML does not allow in a stream (the set PyYAML's reader rejects): the
# complement of [\t\n\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff], written
# out, since re compiles a negated class over all of Unicode in 3 ms at every start.
_NON_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# For reading JSON text as YAML: characters that JSON allows but YAML reads
# differently (tabs, extra line breaks, non-printables) and JSON escapes
# (libyaml rejects escaped surrogates); all only change string contents.
_JSON_ODD = re.compile("[\t\x85\u2028\u2029]|" + _NON_PRINTABLE.pattern)
_JSON_ESCAPE = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)")
# A lone surrogate, as a JSON escape ("\ud800") or the pure-Python YAML reader gives
# one: not a Unicode character at all (libyaml refuses the escape). Text holding one
# cannot be encoded as UTF-8, so no figure could be written with it.
_SURROGATE = re.compile("[\ud800-\udfff]")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")

_SCALAR, _SEQ, _MAP = 0, 1, 2
_KIND_NAMES = {_SEQ: "a list", _MAP: "a mapping"}


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


def load_document(path: str | os.PathLike[str]) -> Document:
    """Read the spec file at ``path`` (YAML, or JSON for ``.json``) into a :class:`Document`;
    a regular file only, checked before it is opened (:mod:`nnsvg.safe_files`)."""
    from nnsvg.safe_files import FileRefused, read_regular, regular_file

    file = os.fsdecode(os.fspath(path))
    where = Location(file)
    try:
        size = regular_file(file).st_size
        if size > MAX_SPEC_BYTES:
            raise _too_large(size, where)
        data = read_regular(file, MAX_SPEC_BYTES)
    except FileRefused as exc:
        reason = _READ_REASONS.get(str(exc), str(exc))
        if reason.startswith("larger than"):  # grew since the stat: at least this large
            raise _too_large(MAX_SPEC_BYTES + 1, where) from None
        raise SpecError(f"cannot read spec: {reason}", location=where) from None
    return parse_document(data, file)


_READ_REASONS = {
    "a folder, not a file": "it is a directory; give the path of a .yaml or .json file",
    "not a directory": "no such file (part of the path is not a directory)",
}


def parse_document(text: str | bytes, file: str = "<spec>", *, fmt: str | None = None) -> Document:
    """Parse spec text (``str`` or undecoded ``bytes``) into a :class:`Document`.

    ``fmt`` is ``"yaml"`` or ``"json"``; ``None`` picks JSON for a ``.json``
    file name and YAML otherwise. ``file`` is only used in locations.
    """
    if fmt is None:
        fmt = "json" if os.path.splitext(file)[1].lower() == ".json" else "yaml"
    elif fmt not in ("yaml", "json"):
        raise SpecError(
            f"unknown spec format {fmt!r}; expected 'yaml' or 'json'", location=Location(file)
        )
    if isinstance(text, bytes):
        if len(text) > MAX_SPEC_BYTES:
            raise _too_large(len(text), Location(file))
        text = _decode(text, file)
    elif len(text) > MAX_SPEC_BYTES // 4:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_SPEC_BYTES:
            raise _too_large(size, Location(file))
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt == "json":
        return _parse_json(text, file)
    return _parse_yaml(text, file)


# --------------------------------------------------------------------------- text


def _too_large(size: int, where: Location) -> LimitError:
    return LimitError(
        f"the spec file is too large ({size} bytes); "
        f"at most {MAX_SPEC_BYTES // (1024 * 1024)} MiB ({MAX_SPEC_BYTES} bytes) is allowed",
        location=where,
    )


def _decode(data: bytes, file: str) -> str:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding, name = "utf-32", "UTF-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, name = "utf-16", "UTF-16"
    else:
        encoding, name = "utf-8", "UTF-8"
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode(encoding, "replace").lstrip("\ufeff")
        before = before.replace("\r\n", "\n").replace("\r", "\n")
        line, column = _line_col(before, len(before))
        raise SpecError(
            f"not valid {name} (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            location=Location(file, line, column),
        ) from None


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]`` (``text`` uses ``\\n`` only)."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _describe(value: Any) -> str:
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


def _not_mapping(what: str, location: Location) -> SpecError:
    return SpecError(f"the spec must be a mapping (key: value), got {what}", location=location)


def _empty(file: str) -> SpecError:
    return SpecError(
        "the spec is empty; expected a mapping with at least 'layers'",
        location=Location(file, 1, 1),
    )


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _shorten(text: str, limit: int = 40) -> str:
    """What messages quote of a file's text: printable, at most ``limit`` characters."""
    text = text if text.isprintable() else repr(text)[1:-1]
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _surrogate_error(text: str, location: Location, field: str | None) -> SpecError:
    """The error for ``text``, a string holding a lone surrogate."""
    bad = _SURROGATE.search(text)
    code = ord(bad.group()) if bad is not None else 0xD800
    return SpecError(
        f"character U+{code:04X} is a lone surrogate, not a Unicode character; "
        "remove it (a character beyond U+FFFF is one \\U escape in YAML, a surrogate pair "
        "in JSON)",
        location=location,
        field=field,
    )


# --------------------------------------------------------------------------- YAML


def _parse_yaml(text: str, file: str) -> Document:
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        char = bad.group()
        line, column = _line_col(text, bad.start())
        raise SpecError(
            f"character U+{ord(char):04X} is not allowed in a YAML file; remove it, "
            f'or write it as an escape inside double quotes ("\\u{ord(char):04x}")',
            location=Location(file, line, column),
        )
    composer = _Composer(file, json_mode=False)
    try:
        root = composer.compose(text)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", location=Location(file)) from None
    if root is None:
        raise _empty(file)
    walker = _Walker()
    data = walker.value(root, ())
    return Document(data, file, walker.marks, walker.key_marks)


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return SpecError(f"invalid YAML: {exc.problem or exc}", location=Location(file))
    lines = text.split("\n")
    line_text = lines[mark.line] if mark.line < len(lines) else ""
    char = line_text[mark.column] if mark.column < len(line_text) else ""
    problem = exc.problem or "syntax error"
    if problem == "found character that cannot start any token" and char:
        # libyaml does not name the character; PyYAML does.
        problem = f"found character {char!r} that cannot start any token"
    message = f"invalid YAML: {problem}"
    context_mark = exc.context_mark
    if (
        exc.context
        and context_mark is not None
        and (context_mark.line, context_mark.column) != (mark.line, mark.column)
    ):
        message += (
            f" ({exc.context} that started at line {context_mark.line + 1}, "
            f"column {context_mark.column + 1})"
        )
    indent = line_text[: len(line_text) - len(line_text.lstrip(" \t"))]
    if char == "\t" or "\t" in indent:
        message += "; tabs are not allowed for indentation in YAML; use spaces"
    elif "mapping values are not allowed" in problem:
        message += "; check the indentation, and quote values that contain ': '"
    return SpecError(message, location=Location(file, mark.line + 1, mark.column + 1))


class _Node:
    """A composed value. ``value``: python scalar, list of children, or entries.

    Entries of a mapping are ``{key: (key_line, key_column, child)}`` (YAML) or
    ``[(key_node, child), ...]`` (JSON positions). ``size`` counts the values of
    the expanded subtree, ``height`` its levels of lists and mappings.
    """

    __slots__ = ("col", "height", "kind", "line", "size", "value")

    def __init__(self, kind: int, value: Any, line: int, col: int) -> None:
        self.kind = kind
        self.value = value
        self.line = line
        self.col = col
        self.size = 1
        self.height = 0


class _Alias:
    """A use of an anchored node (``*name``), located where the alias stands."""

    __slots__ = ("col", "line", "target")

    def __init__(self, target: _Node, line: int, col: int) -> None:
        self.target = target
        self.line = line
        self.col = col


class _Frame:
    """A list or mapping being composed."""

    __slots__ = ("anchor", "height", "items", "node", "pending", "pending_mark", "size", "sources")

    def __init__(self, node: _Node, anchor: str | None, items: Any) -> None:
        self.node = node
        self.anchor = anchor
        self.items = items
        self.sources: list[_Node] = []
        self.pending: Any = None  # the key awaiting its value (mappings)
        self.pending_mark = (0, 0)
        self.size = 1
        self.height = 0


_OPEN = _Node(_SCALAR, None, 0, 0)  # anchors of nodes still being composed
_MERGE_KEY = object()  # pending "key" of a '<<' entry


class _Composer:
    """Builds the :class:`_Node` tree from parser events, checking limits as it goes.

    In ``json_mode`` only positions are wanted: scalars are not constructed,
    keys not checked, mapping entries kept as positional pairs.
    """

    def __init__(self, file: str, *, json_mode: bool) -> None:
        self.file = file
        self.json_mode = json_mode
        self._reset()

    def _reset(self) -> None:
        self.anchors: dict[str, _Node] = {}
        self.stack: list[_Frame] = []
        self.total = 0
        self.root: _Node | _Alias | None = None
        self.resolve: Any = None

    def compose(self, text: str) -> _Node | None:
        try:
            return self._compose(text, _LOADER)
        except yaml.MarkedYAMLError as exc:
            # libyaml 0.2.6 (PyYAML 6.0.4's wheels) scans ahead and stops at 1000 levels of
            # flow nesting before any event reaches the depth check here: compose again
            # with PyYAML's own scanner, which stops at MAX_DEPTH with its position.
            if _LOADER is yaml.SafeLoader or "nesting depth" not in str(exc.problem):
                raise
        self._reset()
        return self._compose(text, yaml.SafeLoader)

    def _compose(self, text: str, loader_class: Any) -> _Node | None:
        loader = loader_class(text)
        try:
            self.resolve = loader.resolve
            get_event = loader.get_event
            get_event()  # StreamStartEvent
            if isinstance(get_event(), StreamEndEvent):
                return None  # nothing but comments and blank lines
            while True:  # events of the one document, up to DocumentEndEvent
                event = get_event()
                kind = type(event)
                if kind is ScalarEvent:
                    self._scalar(event)
                elif kind is MappingStartEvent:
                    self._start(event, _MAP)
                elif kind is SequenceStartEvent:
                    self._start(event, _SEQ)
                elif kind is MappingEndEvent or kind is SequenceEndEvent:
                    self._end()
                elif kind is AliasEvent:
                    self._alias(event)
                else:
                    break
            event = get_event()
            if not isinstance(event, StreamEndEvent):
                raise SpecError(
                    "the file holds more than one YAML document ('---' starts another one "
                    "here); a spec must be a single document",
                    location=self._at(event.start_mark),
                )
        finally:
            loader.dispose()
        root = self.root
        return root.target if isinstance(root, _Alias) else root

    # -- helpers

    def _at(self, mark: Any) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)

    def _path(self, frames: int) -> Path_:
        """Path of the child being composed inside ``self.stack[frames - 1]``."""
        path: list[str | int] = []
        for frame in self.stack[:frames]:
            if frame.node.kind == _SEQ:
                path.append(len(frame.items))
            elif isinstance(frame.pending, str):
                path.append(frame.pending)
            elif frame.pending is _MERGE_KEY:
                path.append("<<")
        return tuple(path)

    def _error(self, message: str, mark: Any, frames: int | None = None) -> SpecError:
        path = self._path(len(self.stack) if frames is None else frames)
        return SpecError(message, location=self._at(mark), field=format_path(path) or None)

    def _construct(self, tag: str, text: str, mark: Any) -> Any:
        if tag in _TEXT_TAGS:
            if _SURROGATE.search(text):
                path = format_path(self._path(len(self.stack))) or None
                raise _surrogate_error(text, self._at(mark), path)
            return text
        construct = _SCALAR_CONSTRUCTORS.get(tag)
        if construct is None:
            raise self._tag_error(tag, mark)
        try:
            return construct(ScalarNode(tag, text))
        except (ValueError, KeyError, TypeError, OverflowError, yaml.YAMLError) as exc:
            detail = f" ({exc})" if isinstance(exc, ValueError) else ""
            raise self._error(
                f"cannot read {_shorten(text)!r} as {_shorten(_short_tag(tag))}{detail}; "
                "write a plain value or drop the tag",
                mark,
            ) from None

    def _tag_error(self, tag: str, mark: Any) -> SpecError:
        return self._error(
            f"tag {_shorten(_short_tag(tag))!r} is not allowed; a spec holds only plain YAML "
            "values (strings, numbers, booleans, null, lists and mappings)",
            mark,
        )

    def _count(self, size: int, mark: Any, alias: bool = False) -> None:
        self.total += size
        if self.total > MAX_NODES:
            if alias:
                message = (
                    f"the spec expands to more than {MAX_NODES} values "
                    "(YAML aliases nested too deeply?)"
                )
            else:
                message = f"the spec has more than {MAX_NODES} values; at most {MAX_NODES} allowed"
            raise LimitError(message, location=self._at(mark))

    def _too_deep(self, mark: Any) -> LimitError:
        return LimitError(
            f"the spec is nested more than {MAX_DEPTH} levels deep; "
            f"at most {MAX_DEPTH} levels of lists and mappings are allowed",
            location=self._at(mark),
        )

    def _expects_key(self) -> bool:
        stack = self.stack
        return bool(stack) and stack[-1].node.kind == _MAP and stack[-1].pending is None

    def _key_error(self, what: str, mark: Any, text: str | None = None) -> SpecError:
        message = f"keys must be strings, got {what}"
        if text is not None:
            if what.startswith("bool"):
                message += (
                    "; YAML reads yes/no/on/off/true/false as booleans, "
                    f"so quote the key: '{_shorten(text)}':"
                )
            else:
                message += f"; quote the key to use it as text: '{_shorten(text)}':"
        return self._error(message, mark, len(self.stack) - 1)

    def _set_key(self, frame: _Frame, key: Any, mark: Any, text: str | None) -> None:
        if not isinstance(key, str):
            if key is None:
                what = "null" if text else "null (an empty key)"
            else:
                what = f"{type(key).__name__} {_shorten(repr(key))}"
            raise self._key_error(what, mark, text or None)
        first = frame.items.get(key)
        if first is not None:
            raise self._error(
                f"duplicate key {_shorten(key)!r} (first given at line {first[0]}); "
                "each key may appear once in a mapping",
                mark,
                len(self.stack) - 1,
            )
        frame.pending = key
        frame.pending_mark = (mark.line + 1, mark.column + 1)

    # -- events

    def _scalar(self, event: Any) -> None:
        mark = event.start_mark
        tag = event.tag
        text = event.value
        if tag is None or tag == "!":
            tag = self.resolve(ScalarNode, text, event.implicit)
        if self.json_mode:
            if not self._expects_key():
                self._count(1, mark)
            self._add(_Node(_SCALAR, None, mark.line + 1, mark.column + 1))
            return
        stack = self.stack
        if not stack:
            if tag == _NULL and text == "" and event.tag is None:
                raise _empty(self.file)
            value = self._construct(tag, text, mark)
            raise _not_mapping(_describe(value), self._at(mark))
        frame = stack[-1]
        if frame.node.kind == _MAP and frame.pending is None:
            if tag == _MERGE:
                frame.pending = _MERGE_KEY
                frame.pending_mark = (mark.line + 1, mark.column + 1)
                return
            key = self._construct(tag, text, mark)
            self._set_key(frame, key, mark, text)
            if event.anchor is not None:
                self.anchors[event.anchor] = _Node(_SCALAR, key, mark.line + 1, mark.column + 1)
            return
        node = _Node(_SCALAR, self._construct(tag, text, mark), mark.line + 1, mark.column + 1)
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        self._count(1, mark)
        self._add(node)

    def _start(self, event: Any, kind: int) -> None:
        mark = event.start_mark
        stack = self.stack
        if not self.json_mode:
            if not stack and kind == _SEQ:
                raise _not_mapping("a list", self._at(mark))
            if self._expects_key():
                raise self._key_error(_KIND_NAMES[kind], mark)
            tag = event.tag
            if tag is not None and tag != "!" and tag != (_SEQ_TAG if kind == _SEQ else _MAP_TAG):
                raise self._tag_error(tag, mark)
        self._count(1, mark)
        if len(stack) >= MAX_DEPTH:
            raise self._too_deep(mark)
        node = _Node(kind, None, mark.line + 1, mark.column + 1)
        items: Any = [] if kind == _SEQ or self.json_mode else {}
        if event.anchor is not None:
            self.anchors[event.anchor] = _OPEN
        stack.append(_Frame(node, event.anchor, items))

    def _end(self) -> None:
        frame = self.stack.pop()
        node = frame.node
        if frame.sources:
            entries: dict[str, Any] = {}
            for source in frame.sources:
                for key, entry in source.value.items():
                    entries.setdefault(key, entry)
            for key, entry in frame.items.items():
                entries[key] = entry
            node.value = entries
        else:
            node.value = frame.items
        node.size = frame.size
        node.height = frame.height + 1
        if frame.anchor is not None:
            self.anchors[frame.anchor] = node
        self._add(node)

    def _alias(self, event: Any) -> None:
        mark = event.start_mark
        name = event.anchor
        target = self.anchors.get(name)
        if target is None:
            raise self._error(
                f"unknown alias '*{_shorten(name)}'; define the anchor '&{_shorten(name)}' "
                "on an earlier value before using it",
                mark,
            )
        if target is _OPEN:
            raise self._error(
                f"alias '*{_shorten(name)}' is inside the value anchored as "
                f"'&{_shorten(name)}' (a recursive alias); an alias may only repeat a "
                "complete, earlier value",
                mark,
            )
        if self.json_mode:  # JSON has no aliases; keep the position only
            self._add(_Alias(target, mark.line + 1, mark.column + 1))
            return
        stack = self.stack
        frame = stack[-1]
        if frame.node.kind == _MAP and frame.pending is None:
            if target.kind != _SCALAR:
                raise self._key_error(_KIND_NAMES[target.kind], mark)
            self._set_key(frame, target.value, mark, None)
            return
        merge = 1 if frame.node.kind == _MAP and frame.pending is _MERGE_KEY else 0
        if len(stack) + target.height - merge > MAX_DEPTH:
            raise self._too_deep(mark)
        self._count(target.size - merge, mark, alias=True)
        self._add(_Alias(target, mark.line + 1, mark.column + 1))

    def _add(self, child: _Node | _Alias) -> None:
        stack = self.stack
        if not stack:
            self.root = child
            return
        frame = stack[-1]
        target = child.target if isinstance(child, _Alias) else child
        if frame.node.kind == _SEQ:
            frame.items.append(child)
        elif self.json_mode:
            if frame.pending is None:
                frame.pending = child
                return
            frame.items.append((frame.pending, child))
            frame.pending = None
            return
        elif frame.pending is _MERGE_KEY:
            frame.pending = None
            self._merge(frame, child)
            return
        else:
            line, col = frame.pending_mark
            frame.items[frame.pending] = (line, col, child)
            frame.pending = None
        frame.size += target.size
        if target.height > frame.height:
            frame.height = target.height

    def _merge(self, frame: _Frame, child: _Node | _Alias) -> None:
        target = child.target if isinstance(child, _Alias) else child
        if target.kind == _MAP:
            sources = [target]
        elif target.kind == _SEQ:
            sources = []
            for item in target.value:
                source = item.target if isinstance(item, _Alias) else item
                if source.kind != _MAP:
                    raise self._merge_error(source, item)
                sources.append(source)
        else:
            raise self._merge_error(target, child)
        for source in sources:
            frame.sources.append(source)
            frame.size += source.size - 1
            frame.height = max(frame.height, source.height - 1)

    def _merge_error(self, source: _Node, where: _Node | _Alias) -> SpecError:
        what = _KIND_NAMES.get(source.kind) or _describe(source.value)
        return SpecError(
            f"the merge key '<<' takes a mapping or a list of mappings "
            f"(like '<<: *defaults'), got {what}",
            location=Location(self.file, where.line, where.col),
            field=format_path((*self._path(len(self.stack) - 1), "<<")),
        )


class _Walker:
    """Turns a composed tree into plain data, recording positions by path."""

    def __init__(self) -> None:
        self.marks: dict[Path_, tuple[int, int]] = {}
        self.key_marks: dict[Path_, tuple[int, int]] = {}

    def value(self, child: _Node | _Alias, path: Path_) -> Any:
        self.marks[path] = (child.line, child.col)
        node = child.target if isinstance(child, _Alias) else child
        kind = node.kind
        if kind == _SCALAR:
            return node.value
        if kind == _SEQ:
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        result = {}
        key_marks = self.key_marks
        for key, (line, col, item) in node.value.items():
            item_path = (*path, key)
            key_marks[item_path] = (line, col)
            result[key] = self.value(item, item_path)
        return result


# --------------------------------------------------------------------------- JSON


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as json.loads saw it: its (key, value) pairs in order."""


_TOO_DEEP = object()  # json.loads gave up on the nesting


def _parse_json(text: str, file: str) -> Document:
    if not text.strip():
        raise _empty(file)
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
    root: _Node | None
    try:
        root = _Composer(file, json_mode=True).compose(yaml_text)
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
        what = "a list" if isinstance(data, list) else _describe(data)
        where = (root.line, root.col) if root is not None else (1, 1)
        raise _not_mapping(what, Location(file, *where))
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

    def value(self, value: Any, node: _Node | None, path: Path_, depth: int) -> Any:
        if node is not None:
            self.marks[path] = (node.line, node.col)
        self.total += 1
        if self.total > MAX_NODES:
            raise LimitError(
                f"the spec has more than {MAX_NODES} values; at most {MAX_NODES} allowed",
                location=self._location(path),
            )
        if not isinstance(value, list):
            if isinstance(value, str) and _SURROGATE.search(value):
                field = format_path(path) or None
                raise _surrogate_error(value, self._location(path), field)
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
            if node is None or node.kind != _SEQ:
                children = None
            return [
                self.value(item, children[i] if children else None, (*path, i), depth + 1)
                for i, item in enumerate(value)
            ]
        if node is None or node.kind != _MAP:
            children = None
        result: dict[str, Any] = {}
        for i, (key, item) in enumerate(value):
            key_node, item_node = children[i] if children else (None, None)
            item_path = (*path, key)
            if _SURROGATE.search(key):
                where = (
                    Location(self.file, key_node.line, key_node.col)
                    if key_node is not None
                    else self._location(path)
                )
                raise _surrogate_error(key, where, format_path(path) or None)
            if key in result:
                first = self.key_marks.get(item_path)
                where = (
                    Location(self.file, key_node.line, key_node.col)
                    if key_node is not None
                    else self._location(path)
                )
                raise SpecError(
                    f"duplicate key {_shorten(key)!r}"
                    + (f" (first given at line {first[0]})" if first else "")
                    + "; each key may appear once in a mapping",
                    location=where,
                    field=format_path(path) or None,
                )
            if key_node is not None:
                self.key_marks[item_path] = (key_node.line, key_node.col)
            result[key] = self.value(item, item_node, item_path, depth + 1)
        return result
