"""The layer list as a tree: groups of layers, and ``from`` items that mark their edges.

A ``layers:`` entry ``{group: Encoder, repeat: 6, collapse: false, note: ..., layers:
[...]}`` holds layers (and groups) that belong to the one graph: :class:`LayerWalk`
numbers every layer in document order through the groups, and records each group
(:class:`Group`) with the layers inside it. A ``from`` item may be a mapping ``{name,
label, style}``: :func:`read_from` reads the names and the :class:`EdgeMark` of each
item. The layers themselves are read by :mod:`nnsvg.spec.model` (passed in, so that
this module does not import it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nnsvg.checker import MISSING, Checker, describe, did_you_mean
from nnsvg.errors import Location
from nnsvg.spec.keys import EDGE_STYLES, FROM_ITEM, GROUP, MAX_GROUP_DEPTH, MAX_LAYERS
from nnsvg.spec.load import Document, Path_

if TYPE_CHECKING:
    from nnsvg.spec.model import Layer

__all__ = ["EdgeMark", "Group", "LayerWalk", "count_layers", "edge_style", "read_from"]

LayerReader = Callable[[Checker, Document, Any, int, Path_], "Layer | None"]
RefsReader = Callable[..., "tuple[str | int, ...] | None"]


@dataclass(frozen=True, slots=True)
class EdgeMark:
    """What a ``from`` item given as a mapping says of its edge: a ``label`` (Q,
    memory) and a ``style`` (solid, dashed, dotted, or a colour as #rrggbb)."""

    label: str | None = None
    style: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A ``{group: ..., layers: [...]}`` entry: a frame around layers, drawn only.

    ``index`` counts groups in document order; ``parent`` is the group it sits in;
    ``layers`` are the indices of every layer inside it, nested ones included;
    ``path`` is where it stands in the document (``("layers", 2)``)."""

    index: int
    label: str
    repeat: int = 1
    collapse: bool = False
    note: str | None = None
    parent: int | None = None
    layers: tuple[int, ...] = ()
    path: tuple[str | int, ...] = ()
    location: Location | None = field(default=None, compare=False)


def count_layers(value: Any, depth: int = 0) -> int:
    """How many layers a list of layers and groups holds, nested ones included."""
    if not isinstance(value, list) or depth > MAX_GROUP_DEPTH:
        return 0
    return sum(
        count_layers(item.get("layers"), depth + 1)
        if isinstance(item, dict) and "group" in item
        else 1
        for item in value
    )


class LayerWalk:
    """Reads a list of layers and groups, depth first: layers are numbered in
    document order whatever group they stand in."""

    def __init__(self, check: Checker, doc: Document, read_layer: LayerReader) -> None:
        self.check = check
        self.doc = doc
        self.read_layer = read_layer
        self.count = 0  # layers seen (valid or not): the next layer's index
        self.layers: list[Layer] = []
        self.groups: dict[int, Group] = {}
        self.group_count = 0

    def items(self, value: Any, path: Path_, groups: tuple[int, ...]) -> None:
        check = self.check
        what = "a list of layers" if not groups else "a list of the group's layers"
        items = check.sequence(value, path, what=what)
        if items is None:
            return
        if not items:
            check.error(path, "must list at least one layer")
            return
        for k, item in enumerate(items):
            where: Path_ = (*path, k)
            if isinstance(item, dict) and "group" in item:
                self.group(item, where, groups)
                continue
            index = self.count
            self.count += 1
            moved = where if where != ("layers", index) else ()  # after or in a group
            layer = self.read_layer(check, self.doc, item, index, where)
            if layer is not None:
                if moved or groups:
                    layer = dataclasses.replace(layer, groups=groups, path=moved)
                self.layers.append(layer)

    def group(self, item: dict[str, Any], path: Path_, groups: tuple[int, ...]) -> None:
        check = self.check
        check.mapping(item, path, tuple(GROUP))
        if len(groups) >= MAX_GROUP_DEPTH:
            check.error(path, f"groups nest at most {MAX_GROUP_DEPTH} deep")
            return
        index = self.group_count
        self.group_count += 1
        values = {
            name: key.read(check, item.get(name, MISSING), (*path, name))
            for name, key in GROUP.items()
            if name != "layers"
        }
        if item.get("group") is None:
            check.error((*path, "group"), "must be the group's label, got null")
        if item.get("layers") is None:
            check.error(path, "missing 'layers': the layers inside the group")
        first = self.count
        if item.get("layers") is not None:
            self.items(item["layers"], (*path, "layers"), (*groups, index))
        if values["group"] is None:
            return
        self.groups[index] = Group(
            index=index,
            label=values["group"],
            repeat=values["repeat"] or 1,
            collapse=bool(values["collapse"]),
            note=values["note"],
            parent=groups[-1] if groups else None,
            layers=tuple(range(first, self.count)),
            path=path,
            location=self.doc.location(path),
        )


def read_from(
    check: Checker, value: Any, path: Path_, read_refs: RefsReader
) -> tuple[tuple[str | int, ...] | None, tuple[EdgeMark | None, ...] | None]:
    """``from``: what ``read_refs`` reads (names, relative indices), where any item
    may also be a mapping ``{name, label, style}``; the marks are None unless some
    item is a mapping."""
    if value is MISSING or value is None:
        return None, None
    listed = isinstance(value, list)
    items = value if listed else [value]
    if not any(isinstance(item, dict) for item in items):
        return read_refs(check, value, path, many=True), None
    if listed and not 1 <= len(items) <= MAX_LAYERS:
        check.error(path, f"must name 1 to {MAX_LAYERS} layers, got {len(items)}")
        return None, None
    names: list[Any] = []
    marks: list[EdgeMark | None] = []
    ok = True
    for k, item in enumerate(items):
        where = (*path, k) if listed else path
        if not isinstance(item, dict):
            names.append(item)
            marks.append(None)
            continue
        check.mapping(item, where, tuple(FROM_ITEM))
        if item.get("name") is None:
            check.error(where, "missing 'name': the layer this edge comes from")
            ok = False
            continue
        got = read_refs(check, item["name"], (*where, "name"), many=False)
        label = FROM_ITEM["label"].read(check, item.get("label", MISSING), (*where, "label"))
        style = edge_style(check, item.get("style", MISSING), (*where, "style"))
        if got is None:
            ok = False
            continue
        names.append(got[0])
        marks.append(EdgeMark(label, style))
    plain = [(k, n) for k, (n, m) in enumerate(zip(names, marks)) if m is None]
    for k, name in plain:
        if read_refs(check, name, (*path, k) if listed else path, many=False) is None:
            ok = False
    if not ok:
        return None, None
    return tuple(names), tuple(marks)


def edge_style(check: Checker, value: Any, path: Path_) -> str | None:
    """solid, dashed, dotted, or a colour (returned as #rrggbb)."""
    if value is MISSING or value is None:
        return None
    if isinstance(value, str) and value in EDGE_STYLES:
        return value
    from nnsvg.colors import parse_color

    parsed = parse_color(value, allow_none=False) if isinstance(value, str) else None
    if parsed is None:
        hint = did_you_mean(value, EDGE_STYLES) if isinstance(value, str) else ""
        check.error(
            path,
            f"must be solid, dashed, dotted or a colour (#rgb, #rrggbb, a CSS colour name), "
            f"got {describe(value)}{hint}",
        )
        return None
    return parsed  # type: ignore[no-any-return]
