"""Read YAML spec text into a :class:`~nnsvg.spec.document.Document` (see
:mod:`nnsvg.spec.load` for what is accepted and why).

Nothing is ever constructed by a YAML loader: :class:`Composer` composes the event
stream of PyYAML's safe parser into a small node tree, checking the size limits as
it reads, and only scalars are turned into values. :mod:`nnsvg.spec.json_read`
reuses the composer for the positions of a JSON file's values.
"""

from __future__ import annotations

import re
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
from nnsvg.spec.document import (
    MAX_DEPTH,
    MAX_NODES,
    SURROGATE,
    Document,
    Path_,
    describe,
    empty_spec,
    format_path,
    line_col,
    not_mapping,
    shorten,
    surrogate_error,
)

__all__ = [
    "LOADER",
    "MAP",
    "NON_PRINTABLE",
    "SCALAR",
    "SEQ",
    "Alias",
    "Composer",
    "Node",
    "parse_yaml",
]

# The parser used for YAML; tests may switch it to ``yaml.SafeLoader``.
LOADER: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader

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
NON_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

SCALAR, SEQ, MAP = 0, 1, 2
_KIND_NAMES = {SEQ: "a list", MAP: "a mapping"}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def parse_yaml(text: str, file: str) -> Document:
    bad = NON_PRINTABLE.search(text)
    if bad is not None:
        char = bad.group()
        line, column = line_col(text, bad.start())
        raise SpecError(
            f"character U+{ord(char):04X} is not allowed in a YAML file; remove it, "
            f'or write it as an escape inside double quotes ("\\u{ord(char):04x}")',
            location=Location(file, line, column),
        )
    composer = Composer(file, json_mode=False)
    try:
        root = composer.compose(text)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", location=Location(file)) from None
    if root is None:
        raise empty_spec(file)
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


class Node:
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


class Alias:
    """A use of an anchored node (``*name``), located where the alias stands."""

    __slots__ = ("col", "line", "target")

    def __init__(self, target: Node, line: int, col: int) -> None:
        self.target = target
        self.line = line
        self.col = col


class _Frame:
    """A list or mapping being composed."""

    __slots__ = ("anchor", "height", "items", "node", "pending", "pending_mark", "size", "sources")

    def __init__(self, node: Node, anchor: str | None, items: Any) -> None:
        self.node = node
        self.anchor = anchor
        self.items = items
        self.sources: list[Node] = []
        self.pending: Any = None  # the key awaiting its value (mappings)
        self.pending_mark = (0, 0)
        self.size = 1
        self.height = 0


_OPEN = Node(SCALAR, None, 0, 0)  # anchors of nodes still being composed
_MERGE_KEY = object()  # pending "key" of a '<<' entry


class Composer:
    """Builds the :class:`Node` tree from parser events, checking limits as it goes.

    In ``json_mode`` only positions are wanted: scalars are not constructed,
    keys not checked, mapping entries kept as positional pairs.
    """

    def __init__(self, file: str, *, json_mode: bool) -> None:
        self.file = file
        self.json_mode = json_mode
        self._reset()

    def _reset(self) -> None:
        self.anchors: dict[str, Node] = {}
        self.stack: list[_Frame] = []
        self.total = 0
        self.root: Node | Alias | None = None
        self.resolve: Any = None

    def compose(self, text: str) -> Node | None:
        try:
            return self._compose(text, LOADER)
        except yaml.MarkedYAMLError as exc:
            # libyaml 0.2.6 (PyYAML 6.0.4's wheels) scans ahead and stops at 1000 levels of
            # flow nesting before any event reaches the depth check here: compose again
            # with PyYAML's own scanner, which stops at MAX_DEPTH with its position.
            if LOADER is yaml.SafeLoader or "nesting depth" not in str(exc.problem):
                raise
        self._reset()
        return self._compose(text, yaml.SafeLoader)

    def _compose(self, text: str, loader_class: Any) -> Node | None:
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
                    self._start(event, MAP)
                elif kind is SequenceStartEvent:
                    self._start(event, SEQ)
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
        return root.target if isinstance(root, Alias) else root

    # -- helpers

    def _at(self, mark: Any) -> Location:
        return Location(self.file, mark.line + 1, mark.column + 1)

    def _path(self, frames: int) -> Path_:
        """Path of the child being composed inside ``self.stack[frames - 1]``."""
        path: list[str | int] = []
        for frame in self.stack[:frames]:
            if frame.node.kind == SEQ:
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
            if SURROGATE.search(text):
                path = format_path(self._path(len(self.stack))) or None
                raise surrogate_error(text, self._at(mark), path)
            return text
        construct = _SCALAR_CONSTRUCTORS.get(tag)
        if construct is None:
            raise self._tag_error(tag, mark)
        try:
            return construct(ScalarNode(tag, text))
        except (ValueError, KeyError, TypeError, OverflowError, yaml.YAMLError) as exc:
            detail = f" ({exc})" if isinstance(exc, ValueError) else ""
            raise self._error(
                f"cannot read {shorten(text)!r} as {shorten(_short_tag(tag))}{detail}; "
                "write a plain value or drop the tag",
                mark,
            ) from None

    def _tag_error(self, tag: str, mark: Any) -> SpecError:
        return self._error(
            f"tag {shorten(_short_tag(tag))!r} is not allowed; a spec holds only plain YAML "
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
        return bool(stack) and stack[-1].node.kind == MAP and stack[-1].pending is None

    def _key_error(self, what: str, mark: Any, text: str | None = None) -> SpecError:
        message = f"keys must be strings, got {what}"
        if text is not None:
            if what.startswith("bool"):
                message += (
                    "; YAML reads yes/no/on/off/true/false as booleans, "
                    f"so quote the key: '{shorten(text)}':"
                )
            else:
                message += f"; quote the key to use it as text: '{shorten(text)}':"
        return self._error(message, mark, len(self.stack) - 1)

    def _set_key(self, frame: _Frame, key: Any, mark: Any, text: str | None) -> None:
        if not isinstance(key, str):
            if key is None:
                what = "null" if text else "null (an empty key)"
            else:
                what = f"{type(key).__name__} {shorten(repr(key))}"
            raise self._key_error(what, mark, text or None)
        first = frame.items.get(key)
        if first is not None:
            raise self._error(
                f"duplicate key {shorten(key)!r} (first given at line {first[0]}); "
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
            self._add(Node(SCALAR, None, mark.line + 1, mark.column + 1))
            return
        stack = self.stack
        if not stack:
            if tag == _NULL and text == "" and event.tag is None:
                raise empty_spec(self.file)
            value = self._construct(tag, text, mark)
            raise not_mapping(describe(value), self._at(mark))
        frame = stack[-1]
        if frame.node.kind == MAP and frame.pending is None:
            if tag == _MERGE:
                frame.pending = _MERGE_KEY
                frame.pending_mark = (mark.line + 1, mark.column + 1)
                return
            key = self._construct(tag, text, mark)
            self._set_key(frame, key, mark, text)
            if event.anchor is not None:
                self.anchors[event.anchor] = Node(SCALAR, key, mark.line + 1, mark.column + 1)
            return
        node = Node(SCALAR, self._construct(tag, text, mark), mark.line + 1, mark.column + 1)
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        self._count(1, mark)
        self._add(node)

    def _start(self, event: Any, kind: int) -> None:
        mark = event.start_mark
        stack = self.stack
        if not self.json_mode:
            if not stack and kind == SEQ:
                raise not_mapping("a list", self._at(mark))
            if self._expects_key():
                raise self._key_error(_KIND_NAMES[kind], mark)
            tag = event.tag
            if tag is not None and tag != "!" and tag != (_SEQ_TAG if kind == SEQ else _MAP_TAG):
                raise self._tag_error(tag, mark)
        self._count(1, mark)
        if len(stack) >= MAX_DEPTH:
            raise self._too_deep(mark)
        node = Node(kind, None, mark.line + 1, mark.column + 1)
        items: Any = [] if kind == SEQ or self.json_mode else {}
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
                f"unknown alias '*{shorten(name)}'; define the anchor '&{shorten(name)}' "
                "on an earlier value before using it",
                mark,
            )
        if target is _OPEN:
            raise self._error(
                f"alias '*{shorten(name)}' is inside the value anchored as "
                f"'&{shorten(name)}' (a recursive alias); an alias may only repeat a "
                "complete, earlier value",
                mark,
            )
        if self.json_mode:  # JSON has no aliases; keep the position only
            self._add(Alias(target, mark.line + 1, mark.column + 1))
            return
        stack = self.stack
        frame = stack[-1]
        if frame.node.kind == MAP and frame.pending is None:
            if target.kind != SCALAR:
                raise self._key_error(_KIND_NAMES[target.kind], mark)
            self._set_key(frame, target.value, mark, None)
            return
        merge = 1 if frame.node.kind == MAP and frame.pending is _MERGE_KEY else 0
        if len(stack) + target.height - merge > MAX_DEPTH:
            raise self._too_deep(mark)
        self._count(target.size - merge, mark, alias=True)
        self._add(Alias(target, mark.line + 1, mark.column + 1))

    def _add(self, child: Node | Alias) -> None:
        stack = self.stack
        if not stack:
            self.root = child
            return
        frame = stack[-1]
        target = child.target if isinstance(child, Alias) else child
        if frame.node.kind == SEQ:
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

    def _merge(self, frame: _Frame, child: Node | Alias) -> None:
        target = child.target if isinstance(child, Alias) else child
        if target.kind == MAP:
            sources = [target]
        elif target.kind == SEQ:
            sources = []
            for item in target.value:
                source = item.target if isinstance(item, Alias) else item
                if source.kind != MAP:
                    raise self._merge_error(source, item)
                sources.append(source)
        else:
            raise self._merge_error(target, child)
        for source in sources:
            frame.sources.append(source)
            frame.size += source.size - 1
            frame.height = max(frame.height, source.height - 1)

    def _merge_error(self, source: Node, where: Node | Alias) -> SpecError:
        what = _KIND_NAMES.get(source.kind) or describe(source.value)
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

    def value(self, child: Node | Alias, path: Path_) -> Any:
        self.marks[path] = (child.line, child.col)
        node = child.target if isinstance(child, Alias) else child
        kind = node.kind
        if kind == SCALAR:
            return node.value
        if kind == SEQ:
            return [self.value(item, (*path, i)) for i, item in enumerate(node.value)]
        result = {}
        key_marks = self.key_marks
        for key, (line, col, item) in node.value.items():
            item_path = (*path, key)
            key_marks[item_path] = (line, col)
            result[key] = self.value(item, item_path)
        return result
