"""An imported :class:`~nnsvg.importers.ir.Graph` as spec text a person can edit.

Deterministic: the same graph gives the same bytes. Each layer is one flow mapping on
one line, as the gallery's specs are written; shapes are left to nnsvg's inference
(the importer checks afterwards that nnsvg infers the model's own shapes). Keys
written: ``name`` only where a ``from`` refers to the layer, ``from`` only where a
layer does not read the one before it.

To emit groups (``{group: X, repeat: N, layers: [...]}``) or new layer types later,
extend :func:`_layer_items` (one op -> its keys) and :func:`write_spec` (the list).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Sequence
from typing import Any

from nnsvg.importers.collapse import Group
from nnsvg.importers.collapse import collapse as find_groups
from nnsvg.importers.ir import BLOCKS, Graph, Op

__all__ = ["choose_style", "names_of", "needs_blocks", "padding_value", "scalar", "write_spec"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})
SMALL_INPUT = 64  # a CNN chain on inputs up to this side, of few layers, is drawn as lenet
SMALL_DEPTH = 12
BIG_GRAPH = 30  # a graph (not a chain) of more layers than this is drawn as blocks


def scalar(value: Any) -> str:
    """A YAML flow scalar or list: plain where that reads back the same, else quoted.

    >>> scalar("conv1"), scalar("a: b"), scalar("yes"), scalar([3, 3]), scalar(2)
    ('conv1', '"a: b"', '"yes"', '[3, 3]', '2')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def _flow(items: Sequence[tuple[str, Any]]) -> str:
    return "{" + ", ".join(f"{key}: {scalar(value)}" for key, value in items) + "}"


def _one(values: Sequence[int]) -> int | list[int]:
    """``k`` when every axis has the same value, else the list."""
    return values[0] if len(set(values)) == 1 else list(values)


def _out_size(n: int, k: int, s: int, p: int, d: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def padding_value(op: Op, in_shape: tuple[int, ...] | None) -> str | int | list[int] | None:
    """The spec's ``padding`` for a conv or pool: None for none, ``same``, or the
    padding per side. An asymmetric padding (or a pool's ceil mode) becomes the
    symmetric one that gives the model's own output size, when there is one.

    >>> op = Op("p", "p", "pool", "MaxPool", attrs={"kernel": [3, 3], "stride": [2, 2],
    ...     "pads": [(0, 1), (0, 1)]}, shape=(56, 56, 64))
    >>> padding_value(op, (112, 112, 64))  # TensorFlow's SAME, exported as pads
    'same'
    >>> op.attrs["pads"] = None  # ceil_mode: one more window than floor gives
    >>> padding_value(op, (112, 112, 64))
    1
    """
    pads = op.attrs.get("pads")
    if pads == "same":
        return "same"
    rank = len(op.attrs["kernel"])
    pads = pads or [(0, 0)] * rank
    values: list[int] = []
    for axis, (begin, end) in enumerate(pads):
        chosen = begin if begin == end else (begin + end) // 2
        if in_shape is not None and op.shape is not None and op.kind != "conv_transpose":
            n, out = in_shape[axis], op.shape[axis]
            k = op.attrs["kernel"][axis]
            s = op.attrs.get("stride", op.attrs["kernel"])[axis]
            d = op.attrs.get("dilation", [1] * rank)[axis]
            if _out_size(n, k, s, chosen, d) != out:
                fits = [p for p in range(k + 1) if _out_size(n, k, s, p, d) == out]
                if -(-n // s) == out and begin != end:
                    return "same"
                chosen = min(fits, key=lambda p: abs(p - chosen)) if fits else chosen
        values.append(chosen)
    return None if not any(values) else _one(values)


def _layer_items(op: Op, graph: Graph, fcnn: bool) -> list[tuple[str, Any]]:
    """The keys of one drawn op, in the order a person reads them (no name/from)."""
    a = op.attrs
    if fcnn:
        items: list[tuple[str, Any]] = [("units", a["units"])]
    else:
        items = [("type", op.kind)]
    if op.kind in ("conv", "conv_transpose"):
        items += [("filters", a["filters"]), ("kernel", _one(a["kernel"]))]
    if op.kind == "pool":
        items.append(("size", _one(a["kernel"])))
        if a.get("kind") == "avg":
            items.append(("kind", "avg"))
    if op.kind in ("conv", "conv_transpose", "pool"):
        stride = a.get("stride")
        default = a["kernel"] if op.kind == "pool" else [1] * len(a["kernel"])
        if stride and list(stride) != list(default):
            items.append(("stride", _one(stride)))
        source = graph.ops[op.inputs[0]].shape if op.inputs else None
        padding = padding_value(op, source)
        if padding is not None:
            items.append(("padding", padding))
        if any(d != 1 for d in a.get("dilation", [])):
            items.append(("dilation", _one(a["dilation"])))
        if any(a.get("output_padding", [])):
            items.append(("output_padding", _one(a["output_padding"])))
    if op.kind == "dense" and not fcnn:
        items.append(("units", a["units"]))
    if op.kind == "upsample":
        items.append(("size", _one(a["size"])))
    if op.kind == "concat" and a.get("axis", -1) != -1:
        items.append(("axis", a["axis"]))
    if op.kind in BLOCKS:
        items += _block_items(op, graph)
    if a.get("activation"):
        items.append(("activation", a["activation"]))
    if a.get("image"):  # --activations: a feature map shown on the front map
        items.append(("image", a["image"]))
    return items


def _block_items(op: Op, graph: Graph) -> list[tuple[str, Any]]:
    """The keys of an operation block (the blocks style's layer types)."""
    a = op.attrs
    items: list[tuple[str, Any]] = []
    if op.kind == "attention" and a.get("heads"):
        items.append(("heads", a["heads"]))
    if op.kind in ("lstm", "gru", "embedding", "attention") and a.get("units"):
        items.append(("units", a["units"]))
    if op.kind == "embedding" and a.get("vocab"):
        items.append(("vocab", a["vocab"]))
    if op.kind in ("lstm", "gru") and a.get("return_sequences") is False:
        items.append(("return_sequences", False))
    source = graph.ops[op.inputs[0]].shape if op.inputs else None
    headless = op.kind == "attention" and not a.get("heads")  # nnsvg needs heads or a shape
    if op.kind in ("op", "attention") and op.shape is not None and (op.shape != source or headless):
        items.append(("shape", list(op.shape)))
    return items


def _drop_flatten_before_dense(graph: Graph) -> None:
    """A flatten read only by a dense layer is left implicit (nnsvg flattens there)."""
    consumers = graph.consumers()
    for op in list(graph.ops.values()):
        after = consumers[op.id]
        if op.kind == "flatten" and len(after) == 1 and graph.ops[after[0]].kind == "dense":
            (source,) = op.inputs
            reader = graph.ops[after[0]]
            reader.inputs = [source if i == op.id else i for i in reader.inputs]
            consumers[source] = [after[0] if c == op.id else c for c in consumers[source]]
            del graph.ops[op.id]
            graph.notes.append(f"{op.source} '{op.name}' left implicit (nnsvg flattens there)")


def _is_chain(graph: Graph) -> bool:
    ops = list(graph.ops.values())
    if len(graph.inputs) != 1 or ops[0].kind != "input":
        return False
    return all(op.inputs == [prev.id] for prev, op in itertools.pairwise(ops))


def needs_blocks(graph: Graph) -> bool:
    """Whether only the blocks style draws ``graph``: it has operation blocks (an LSTM,
    attention, a generic op), or it is a big graph (not a chain, over ``BIG_GRAPH``
    layers), whose repeated blocks are written as groups."""
    from nnsvg.importers.ir import FOLDED

    if any(op.kind in BLOCKS for op in graph.ops.values()):
        return True
    drawn = sum(1 for op in graph.ops.values() if op.kind not in FOLDED | {"input"})
    return drawn > BIG_GRAPH and not _is_chain(graph)


def choose_style(graph: Graph) -> str:
    """blocks where :func:`needs_blocks`; fcnn for a chain of dense layers; lenet for a
    graph, or a small CNN chain (inputs up to 64 on a side, up to 12 layers); alexnet for
    a bigger CNN chain."""
    layers = [op for op in graph.ops.values() if op.kind != "input"]
    if needs_blocks(graph):
        return "blocks"
    if not _is_chain(graph):
        return "lenet"
    if all(op.kind == "dense" for op in layers):
        return "fcnn"
    shape = graph.inputs[0].shape or ()
    side = max(shape[:-1], default=1)
    return "lenet" if side <= SMALL_INPUT and len(layers) <= SMALL_DEPTH else "alexnet"


def _count(counter: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in sorted(counter.items(), key=str))


def _header(graph: Graph) -> list[str]:
    lines = [f"# Imported by `nnsvg import` from {graph.path} ({graph.format})."]
    if graph.folded:
        lines.append(f"# Folded into the layer they follow: {_count(graph.folded)}.")
    if graph.dropped:
        lines.append(f"# Dropped (not drawn): {_count(graph.dropped)}.")
    if graph.generic:
        lines.append(
            f"# Kept as generic blocks (type: op; nnsvg has no layer type for them): "
            f"{_count(graph.generic)}."
        )
    lines += [f"# Note: {note}." for note in graph.notes]
    lines.append("# Shapes are inferred by nnsvg; edit freely.")
    return lines


def names_of(graph: Graph) -> dict[str, str]:
    """Op id -> a unique name for the spec (the model's own, made unique)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for op in graph.ops.values():
        name, k = op.name or op.id, 2
        while name in taken:
            name, k = f"{op.name}_{k}", k + 1
        taken.add(name)
        out[op.id] = name
    return out


def write_spec(graph: Graph, style: str | None = None, collapse: bool = True) -> tuple[str, str]:
    """The spec text for ``graph`` (already folded) and the style it was written for
    (``style``, or :func:`choose_style`'s). In the blocks style (the one that draws
    groups), repeated blocks are written once, as a group with ``repeat: N``, unless
    ``collapse`` is off."""
    _drop_flatten_before_dense(graph)
    style = style or choose_style(graph)
    groups: dict[str, Group] = {}
    if style == "blocks" and collapse:
        groups = {g.first: g for g in find_groups(graph)}
    in_group = {key for g in groups.values() for key in g.ops}
    names = names_of(graph)
    ops = list(graph.ops.values())
    inputs = graph.inputs
    fcnn = style == "fcnn" and _is_chain(graph) and all(op.kind == "dense" for op in ops[1:])
    # Which layers a `from` must name; the rest read the layer before them.
    froms: dict[str, list[str]] = {}
    previous: str | None = inputs[0].id if len(inputs) == 1 else None
    for op in ops:
        if op.kind == "input":
            continue
        merge = op.kind in ("add", "multiply", "concat") or len(op.inputs) > 1
        if merge or op.inputs != [previous]:
            froms[op.id] = op.inputs
        previous = op.id
    referenced = {source for sources in froms.values() for source in sources}

    lines = _header(graph)
    lines.append(f"style: {style}")
    if graph.title:
        lines.append(f"title: {scalar(graph.title)}")
    if fcnn:
        lines.append("layers:")
        first = inputs[0]
        units = math.prod(first.shape or (1,))
        lines.append(f"  - {_flow([('units', units), ('label', names[first.id])])}")
    else:
        described = []
        for op in inputs:
            items: list[tuple[str, Any]] = []
            if op.id in referenced or len(inputs) > 1:
                items.append(("name", names[op.id]))
            items += [("shape", list(op.shape or ())), ("label", names[op.id])]
            if op.attrs.get("image"):
                items.append(("image", op.attrs["image"]))
            described.append(_flow(items))
        if len(inputs) == 1:
            lines.append(f"input: {described[0]}")
        else:
            lines.append("inputs:")
            lines += [f"  - {item}" for item in described]
        lines.append("layers:")
    for op in ops:
        if op.kind == "input":
            continue
        named = op.id in referenced or op.kind == "op"  # a generic op: label is the operator
        items = [("name", names[op.id])] if named else []
        items += _layer_items(op, graph, fcnn)
        if op.id in froms:
            sources = [names[s] for s in froms[op.id]]
            items.insert(1 if items[0][0] == "name" else 0, ("from", _one_ref(sources)))
        label = op.source if op.kind == "op" else op.attrs.get("label", names[op.id])
        items.append(("label", label))
        if op.id in groups:
            group = groups[op.id]
            lines.append(f"  - group: {scalar(group.label)}")
            lines.append(f"    repeat: {group.repeat}")
            lines.append(f"    note: {scalar(group.note)}")
            lines.append("    layers:")
        indent = "      " if op.id in in_group else "  "
        lines.append(f"{indent}- {_flow(items)}")
    return "\n".join(lines) + "\n", style


def _one_ref(sources: list[str]) -> str | list[str]:
    return sources[0] if len(sources) == 1 else sources
