"""The layers and inputs of a spec: their validated types and the readers that build them.

:func:`read_layers` reads ``layers:`` (through groups, numbered in document order)
into :class:`Layer` values; :func:`read_input` and :func:`read_inputs` read ``input:``
and ``inputs:`` into :class:`InputSpec` values. Each value is checked against its
key's entry in :mod:`nnsvg.spec.keys`; every problem is reported with its place.
:mod:`nnsvg.spec.model` assembles them into the whole :class:`~nnsvg.spec.model.Spec`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from nnsvg.checker import MISSING, Checker, describe, did_you_mean, excerpt
from nnsvg.errors import MAX_REPORTED, Location
from nnsvg.spec.keys import (
    ALIASES,
    COMMON_LAYER,
    INPUT,
    LAYER,
    LAYER_TYPES,
    MAX_INPUTS,
    MAX_LAYERS,
    TYPES,
)
from nnsvg.spec.load import Document, Path_, format_path
from nnsvg.spec.tree import EdgeMark, Group, LayerWalk, count_layers, read_from

__all__ = [
    "COMMON_LAYER_KEYS",
    "INPUT_KEYS",
    "LAYER_KEYS",
    "TYPE_KEYS",
    "InputSpec",
    "Layer",
    "misspelt",
    "read_input",
    "read_inputs",
    "read_layers",
]

COMMON_LAYER_KEYS = tuple(COMMON_LAYER)
TYPE_KEYS: dict[str, tuple[str, ...]] = {t.name: tuple(k.name for k in t.keys) for t in LAYER_TYPES}
LAYER_KEYS = tuple(LAYER)
INPUT_KEYS = tuple(INPUT)


@dataclass(frozen=True, slots=True)
class Layer:
    """One layer. Dense layers have ``units``; convolution-style layers have the
    fields of their ``type``; any layer may state its output ``shape``.

    ``index`` counts the layers in document order, through groups (the layers of a
    group are numbered where they stand); ``groups`` are the groups it is inside,
    outermost first; ``path`` is where it stands in the document when inside a
    group or after one (``()`` is ``("layers", index)``: see :meth:`path_of`)."""

    index: int
    units: int | None = None
    type: str = "dense"
    label: str | None = None
    size_label: str | None = None
    activation: str | None = None
    bias: bool = False
    recurrent: str | None = None
    max_visible: int | None = None
    node_labels: tuple[str, ...] | None = None  # dense: names of its first nodes
    color: str | None = None
    stroke: str | None = None
    op_label: str | None = None
    filters: int | None = None
    kernel: tuple[int, ...] | None = None
    stride: tuple[int, ...] | None = None
    padding: str | tuple[int, ...] | None = None
    dilation: tuple[int, ...] | None = None
    output_padding: tuple[int, ...] | None = None
    size: tuple[int, ...] | None = None
    kind: str | None = None
    shape: tuple[int, ...] | None = None
    spacing: float | None = None
    image: str | None = None
    skip_from: str | int | None = None
    merge: str | None = None
    name: str | None = None  # what `from`, `to` and skip_from call this layer
    sources: tuple[str | int, ...] | None = None  # `from`: names or relative indices
    axis: int | None = None  # concat: the axis joined (default: the channels)
    to: str | int | None = None  # crop: the layer whose size the output takes
    note: str | None = None  # free text beside the layer
    category: str | None = None  # the blocks style's colour category
    lane: int | None = None  # the blocks style: the straight line along the flow it stands on
    heads: int | None = None  # attention
    rate: float | None = None  # dropout
    fn: str | None = None  # activation
    vocab: int | None = None  # embedding
    return_sequences: bool = True  # lstm, gru
    from_marks: tuple[EdgeMark | None, ...] | None = None  # per `from` item: a mapping's
    groups: tuple[int, ...] = ()
    path: tuple[str | int, ...] = field(default=(), compare=False)
    location: Location | None = field(default=None, compare=False)

    def path_of(self, *keys: str | int) -> tuple[str | int, ...]:
        """Where this layer's ``keys`` stand in the document: ``("layers", 2, "units")``,
        or inside a group ``("layers", 1, "layers", 0, "units")``."""
        return (*(self.path or ("layers", self.index)), *keys)

    def field_of(self, *keys: str | int) -> str:
        """:meth:`path_of` as messages write it: ``layers[1].layers[0].units``."""
        return format_path(self.path_of(*keys))


@dataclass(frozen=True, slots=True)
class InputSpec:
    """The network's input tensor: ``shape`` is [height, width, channels] (2D maps),
    [length, channels] (1D sequences) or [units]."""

    shape: tuple[int, ...]
    label: str | None = None
    size_label: str | None = None
    image: str | None = None
    color: str | None = None
    stroke: str | None = None
    name: str | None = None  # what `from` calls this input
    lane: int | None = None  # the blocks style: its line along the flow
    location: Location | None = field(default=None, compare=False)


def misspelt(data: dict[str, Any], key: str, known: tuple[str, ...] = ()) -> bool:
    """Whether one of the first keys of ``data`` other than ``key`` and ``known`` (at
    most as many as errors are reported) is close to ``key``, so that its error says
    "did you mean"."""
    others = islice((k for k in data if k != key and k not in known), MAX_REPORTED)
    return any(did_you_mean(str(k), [key]) for k in others)


def read_layers(
    check: Checker, doc: Document, value: Any, *, quiet_missing: bool = False
) -> tuple[tuple[Layer, ...], tuple[Group, ...]]:
    """The layers, through groups (numbered in document order), and the groups."""
    if value is MISSING or value is None:
        if quiet_missing:  # "did you mean 'layers'?" already said it
            return (), ()
        check.error(
            (),
            "missing 'layers': give the units of each layer, e.g. layers: [784, 300, 10]",
        )
        return (), ()
    total = count_layers(value)
    if total > MAX_LAYERS:
        check.error(("layers",), f"has {total} layers; at most {MAX_LAYERS} are allowed")
        return (), ()
    walk = LayerWalk(check, doc, _layer)
    walk.items(value, ("layers",), ())
    layers = walk.layers
    last = layers[-1] if layers else None
    if last is not None and last.index == walk.count - 1 and last.bias:
        check.error(
            last.path_of("bias"),
            "the last layer feeds no other layer, so it cannot have a bias unit",
        )
    return tuple(layers), tuple(walk.groups[k] for k in sorted(walk.groups))


def _units(check: Checker, value: Any, path: Path_) -> int | None:
    return LAYER["units"].read(check, value, path)  # type: ignore[no-any-return]


def _layer_type(check: Checker, data: dict[str, Any], path: Path_) -> str | None:
    raw = data.get("type", MISSING)
    if raw is MISSING or raw is None:
        return "dense"
    if isinstance(raw, str) and raw.lower() in ALIASES:
        return ALIASES[raw.lower()]
    return check.choice(raw, (*path, "type"), tuple(TYPES))


def _check_layer_keys(check: Checker, data: dict[str, Any], path: Path_, kind: str) -> None:
    allowed = (*COMMON_LAYER_KEYS, *TYPE_KEYS[kind])
    for key in data:
        if key in allowed:
            continue
        owners = [t for t, keys in TYPE_KEYS.items() if key in keys]
        if owners:
            check.error(
                (*path, key),
                f"'{key}' does not apply to a {kind} layer (it belongs to "
                + ", ".join(owners)
                + " layers; set type: "
                + owners[0]
                + ")",
                at_key=True,
            )
        else:
            check.error((*path, key), _unknown_layer_key(key, allowed), at_key=True)


def _unknown_layer_key(key: Any, allowed: tuple[str, ...]) -> Callable[[], str]:
    """The message for a layer's unknown key, made when reported: the closest key any
    layer takes, else the keys this layer takes."""

    def message() -> str:
        hint = did_you_mean(str(key), LAYER_KEYS) or "; allowed keys: " + ", ".join(allowed)
        return f"unknown key '{excerpt(str(key))}'{hint}"

    return message


def _layer(check: Checker, doc: Document, item: Any, i: int, path: Path_) -> Layer | None:
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        units = _units(check, item, path)
        return None if units is None else Layer(index=i, units=units, location=doc.location(path))
    if not isinstance(item, dict):
        check.error(
            path, f"must be a number of units or a mapping with 'units', got {describe(item)}"
        )
        return None
    kind = _layer_type(check, item, path)
    if kind is None:
        return None
    _check_layer_keys(check, item, path, kind)
    data = item
    errors_before = check.count

    def get(key: str) -> Any:
        return data.get(key, MISSING)

    units = None
    if kind == "dense" and data.get("units") is None and data.get("shape") is None:
        if not misspelt(data, "units"):
            check.error(path, "missing 'units' (the number of nodes in this layer)")
        return None
    if "units" in data and "units" in (*COMMON_LAYER_KEYS, *TYPE_KEYS[kind]):
        units = _units(check, get("units"), (*path, "units"))
    skip = get("skip_from")
    if skip is not MISSING and skip is not None:
        if isinstance(skip, bool) or not isinstance(skip, (int, str)):
            check.error((*path, "skip_from"), "must be a layer label or a layer index")
            skip = None
    else:
        skip = None
    # Every key any layer takes is checked, whatever the type (a key of another type is
    # also an error, reported by _check_layer_keys).
    values = {
        name: key.read(check, get(name), (*path, name))
        for name, key in LAYER.items()
        if key.kind not in ("type", "ref", "sources", "source") and name != "units"
    }
    values["recurrent"] = "layer" if values["recurrent"] else None
    sources, marks = read_from(check, get("from"), (*path, "from"), _refs)
    layer = Layer(
        index=i,
        units=units,
        type=kind,
        skip_from=skip,
        sources=sources,
        from_marks=marks,
        to=(_refs(check, get("to"), (*path, "to"), many=False) or (None,))[0],
        location=doc.location(path),
        **values,
    )
    for need in TYPES[kind].needs if kind != "dense" and layer.shape is None else ():
        if need not in data:
            check.error(path, f"{_a(kind)} layer needs '{need}' (or an explicit 'shape')")
    names = layer.node_labels
    if names is not None and layer.units is not None and len(names) > layer.units:
        check.error(
            (*path, "node_labels"),
            f"names {len(names)} nodes, but the layer has {layer.units} "
            f"unit{'s' if layer.units != 1 else ''}",
        )
    if layer.merge is not None and layer.skip_from is None:
        check.error((*path, "merge"), "'merge' goes with 'skip_from' (the layer to merge in)")
    if check.count > errors_before:
        return None
    return layer


def _a(word: str) -> str:
    """``a conv``, ``an attention``."""
    return ("an " if word[:1] in "aeiou" else "a ") + word


def read_input(
    check: Checker, doc: Document, value: Any, path: Path_ = ("input",)
) -> InputSpec | None:
    if value is MISSING or value is None:
        return None
    shape_key = INPUT["shape"]
    if isinstance(value, list):
        value = {"shape": value}
        shape = shape_key.read(check, value["shape"], path)
    else:
        data = check.mapping(value, path, INPUT_KEYS)
        if "shape" not in data:
            check.error(path, "missing 'shape': e.g. input: {shape: [32, 32, 1]}")
            return None
        if data["shape"] is None:  # unlike a layer's, the input's shape has no other source
            check.error(
                (*path, "shape"),
                "must be a list: [height, width, channels] or [length, channels], got null",
            )
            return None
        shape = shape_key.read(check, data["shape"], (*path, "shape"))
    if shape is None:
        return None
    data = value if isinstance(value, dict) else {}
    values = {
        name: key.read(check, data.get(name, MISSING), (*path, name))
        for name, key in INPUT.items()
        if name != "shape"
    }
    return InputSpec(
        shape=shape,
        **values,
        location=doc.location(path),
    )


def read_inputs(check: Checker, doc: Document, value: Any) -> tuple[InputSpec, ...]:
    """``inputs:``, a list of input mappings; with more than one, each needs a name."""
    items = check.sequence(value, ("inputs",), what="a list of inputs")
    if items is None:
        return ()
    if not items or len(items) > MAX_INPUTS:
        check.error(("inputs",), f"must list 1 to {MAX_INPUTS} inputs, got {len(items)}")
        return ()
    found = []
    for k, item in enumerate(items):
        path: Path_ = ("inputs", k)
        if not isinstance(item, dict):
            check.error(path, f"must be a mapping: {{name: x, shape: [...]}}, got {describe(item)}")
            continue
        if len(items) > 1 and item.get("name") is None:
            check.error(path, "missing 'name': with several inputs, from names each one")
        spec = read_input(check, doc, item, path)
        if spec is not None:
            found.append(spec)
    return tuple(found)


def _refs(check: Checker, value: Any, path: Path_, *, many: bool) -> tuple[str | int, ...] | None:
    """``from`` (``many``: a reference or a list of them) or ``to`` (one): layer names,
    or relative indices counting back from the layer (-1: the one before)."""
    if value is MISSING or value is None:
        return None
    listed = many and isinstance(value, list)
    items = value if listed else [value]
    if listed and not 1 <= len(items) <= MAX_LAYERS:
        check.error(path, f"must name 1 to {MAX_LAYERS} layers, got {len(items)}")
        return None
    out: list[str | int] = []
    for k, item in enumerate(items):
        where = (*path, k) if listed else path
        if (isinstance(item, str) and item.strip() and len(item) <= 100) or (
            isinstance(item, int) and not isinstance(item, bool) and item < 0
        ):
            out.append(item)
        else:
            hint = (
                ": a relative index counts back from this layer (-1 is the one before)"
                if isinstance(item, int) and not isinstance(item, bool)
                else ""
            )
            what = "a layer's name or a relative index" + (", or a list of them" if many else "")
            check.error(where, f"must be {what}, got {describe(item)}{hint}")
            return None
    return tuple(out)
