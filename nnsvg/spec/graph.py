"""The spec's layers as a graph: who reads whom, in what order, with what shapes.

Nodes are the inputs (``input``, then the ``inputs:`` after the first), then the
layers in list order. A layer reads the nodes its ``from`` names (a ``name``, or a
relative index: ``-1`` is the layer before); without ``from`` it reads the layer
before it (the first layer reads the input). Shapes are inferred over the graph in
topological order: a layer with one input by the rules of
:mod:`nnsvg.spec.shapes`; the merge layers by theirs:

``add``, ``multiply``
    Two or more inputs of one shape; the output has it.
``concat``
    Two or more inputs joined along ``axis`` (default: the channels, the last);
    the other sizes must agree, and the output's size along the axis is the sum. A
    vector among the inputs flattens every map (a flattened map joined with a
    vector).
``crop``
    One input, cut to the spatial size of the layer ``to`` names (U-Net's
    copy-and-crop); the channels stay.

Every error is a located :class:`~nnsvg.errors.SpecError` that names the layer and
its inputs. A cycle is an error (a layer feeding itself is ``recurrent: true``).

>>> from nnsvg.spec.model import InputSpec, Layer, Spec
>>> spec = Spec(
...     layers=(
...         Layer(0, type="conv", filters=4, kernel=(1,), name="a"),
...         Layer(1, type="conv", filters=8, kernel=(3,), padding="same", sources=("input",)),
...         Layer(2, type="concat", sources=("a", -1)),
...     ),
...     input=InputSpec(shape=(8, 8, 3)),
... )
>>> g = build_graph(spec)
>>> g.sources, [format_shape(s) for s in g.shapes]
(((), (0,), (0,), (1, 2)), ['8×8×3', '8×8×4', '8×8×8', '8×8×12'])
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

from nnsvg.checker import did_you_mean, printable
from nnsvg.errors import SpecError
from nnsvg.spec.load import format_path
from nnsvg.spec.model import InputSpec, Layer, Spec
from nnsvg.spec.ops import OP_TYPES, op_shape
from nnsvg.spec.shapes import Shape, _At, _check_input_limits, format_shape

__all__ = ["MERGE_TYPES", "Graph", "build_graph", "is_graph"]

MERGE_TYPES = ("add", "multiply", "concat")
"""Layer types that join two or more inputs."""


@dataclass(frozen=True, slots=True)
class Graph:
    """The spec's nodes (inputs, then layers): what each reads, by node index, its
    output shape, and an order in which every node comes after those it reads."""

    inputs: tuple[InputSpec, ...]
    sources: tuple[tuple[int, ...], ...]
    shapes: tuple[Shape, ...]
    order: tuple[int, ...]
    crop_to: dict[int, int]  # a crop node -> the node whose size it takes

    @property
    def layer_shapes(self) -> tuple[Shape, ...]:
        """The layers' output shapes, index-aligned with ``spec.layers``."""
        return self.shapes[len(self.inputs) :]


def all_inputs(spec: Spec) -> tuple[InputSpec, ...]:
    return ((spec.input,) if spec.input is not None else ()) + spec.extra_inputs


def is_graph(spec: Spec) -> bool:
    """Whether the spec uses any graph form (``from``, merges, several inputs)."""
    return bool(spec.extra_inputs) or any(
        layer.sources is not None or layer.type in (*MERGE_TYPES, "crop") for layer in spec.layers
    )


class _Refs:
    """Resolves references (a name, or a relative index) to node indices."""

    def __init__(self, spec: Spec, inputs: tuple[InputSpec, ...]) -> None:
        self.spec = spec
        self.offset = len(inputs)
        self.names: dict[str, int] = {}
        self.labels: dict[str, int] = {}
        for k, item in enumerate(inputs):
            if item.name is not None:
                self._name(item.name, k, ("inputs", k, "name") if spec.extra_inputs else None)
        if len(inputs) == 1 and "input" not in self.names:
            self.names["input"] = 0
        for layer in spec.layers:
            if layer.name is not None:
                self._name(layer.name, self.offset + layer.index, layer.path_of("name"))
            if layer.label and layer.label not in self.labels:
                self.labels[layer.label] = self.offset + layer.index

    def _name(self, name: str, node: int, path: tuple[str | int, ...] | None) -> None:
        if name in self.names:
            raise SpecError(
                f"the name '{printable(name)}' is taken already by "
                f"{self.describe(self.names[name])}",
                location=self.spec.where(*path) if path else None,
                field=format_path(path) if path else None,
            )
        self.names[name] = node

    def describe(self, node: int) -> str:
        """A node as messages name it: ``layers[2] 'C1'``, ``input``, ``inputs[1] 'meta'``."""
        if node < self.offset:
            item = all_inputs(self.spec)[node]
            if not self.spec.extra_inputs:
                return "input"
            return f"inputs[{node}]" + (f" '{printable(item.name)}'" if item.name else "")
        layer = self.spec.layers[node - self.offset]
        name = layer.name or layer.label
        return layer.field_of() + (f" '{printable(name)}'" if name else "")

    def resolve(self, layer: Layer, ref: str | int, path: tuple[str | int, ...]) -> int:
        where = self.spec.where(*path)
        field = format_path(path)
        if isinstance(ref, int):
            target = layer.index + ref
            if ref >= 0 or target < -self.offset:
                lowest = -(layer.index + self.offset)
                choices = "-1" if lowest == -1 else f"-1 to {lowest}"
                if self.offset:
                    choices += f"; {lowest} is the input"
                raise SpecError(
                    f"{ref} is not a layer before this one: a relative index counts back "
                    f"from it ({choices}), or give a name",
                    location=where,
                    field=field,
                )
            return self.offset + target
        if ref in self.names:
            return self.names[ref]
        shown = printable(ref)
        if ref in self.labels:
            labelled = self.spec.layers[self.labels[ref] - self.offset].field_of()
            hint = f" ({labelled} is labelled '{shown}': give it name: {shown})"
        else:
            hint = did_you_mean(ref, self.names)
            if not hint:
                known = ", ".join(sorted(self.names)) if self.names else "none"
                hint = f" (names: {known})"
        raise SpecError(f"nothing is named '{shown}'{hint}", location=where, field=field)


def _sources(spec: Spec, refs: _Refs, layer: Layer) -> tuple[int, ...]:
    offset = refs.offset
    if layer.sources is None:
        if layer.index:
            return (offset + layer.index - 1,)
        if offset > 1:
            raise SpecError(
                f"the spec has {offset} inputs: say which one this layer reads "
                f"(from: {_first_name(spec) or 'NAME'})",
                location=spec.where(*layer.path_of()),
                field=layer.field_of(),
            )
        return (0,) if offset else ()
    path = layer.path_of("from")
    single = len(layer.sources) == 1 and not _from_is_list(spec, layer)
    marks = layer.from_marks or (None,) * len(layer.sources)
    return tuple(
        refs.resolve(
            layer,
            ref,
            (*(path if single else (*path, k)), *(("name",) if mark is not None else ())),
        )
        for k, (ref, mark) in enumerate(zip(layer.sources, marks))
    )


def _from_is_list(spec: Spec, layer: Layer) -> bool:
    if spec.source is None:
        return True
    item = spec.source.data
    for key in layer.path_of():
        item = item[key]
    return isinstance(item, dict) and isinstance(item.get("from"), list)


def _first_name(spec: Spec) -> str | None:
    return next((i.name for i in all_inputs(spec) if i.name), None)


def _order(sources: Sequence[tuple[int, ...]], refs: _Refs, spec: Spec) -> tuple[int, ...]:
    """Kahn's order, the lowest index first: list order wherever the graph allows."""
    count = len(sources)
    readers: list[list[int]] = [[] for _ in range(count)]
    waiting = [len(set(s)) for s in sources]
    for node, reads in enumerate(sources):
        for src in set(reads):
            readers[src].append(node)
    ready = [n for n in range(count) if waiting[n] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for reader in readers[node]:
            waiting[reader] -= 1
            if waiting[reader] == 0:
                heapq.heappush(ready, reader)
    if len(order) < count:
        cycle = _a_cycle(sources, {n for n in range(count) if waiting[n] > 0})
        first = spec.layers[cycle[0] - refs.offset]
        path = " → ".join(refs.describe(n) for n in [*cycle, cycle[0]])
        raise SpecError(
            f"the layers read each other in a cycle: {path}; a layer that feeds itself is "
            "drawn with recurrent: true",
            location=spec.where(*first.path_of("from")),
            field=first.field_of("from"),
        )
    return tuple(order)


def _a_cycle(sources: Sequence[tuple[int, ...]], stuck: set[int]) -> list[int]:
    """One cycle among the nodes Kahn's order could not place, in the direction data
    flows, from its lowest node."""
    seen: dict[int, int] = {}
    path: list[int] = []
    node = min(stuck)
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = min(s for s in sources[node] if s in stuck)
    flow = path[seen[node] :][::-1]  # each node reads the one before it
    low = flow.index(min(flow))
    return flow[low:] + flow[:low]


def build_graph(spec: Spec, *, limits: bool = True) -> Graph:
    """Resolve every reference and infer every shape (module docs). Without
    ``limits`` the sizes are not capped (node-edge figures elide wide layers)."""
    inputs = all_inputs(spec)
    refs = _Refs(spec, inputs)
    offset = len(inputs)
    sources: list[tuple[int, ...]] = [() for _ in inputs]
    crop_to: dict[int, int] = {}
    for layer in spec.layers:
        sources.append(_sources(spec, refs, layer))
        if layer.type == "crop" and layer.to is not None:
            crop_to[offset + layer.index] = refs.resolve(layer, layer.to, layer.path_of("to"))
    reads = [(*s, crop_to[n]) if n in crop_to else s for n, s in enumerate(sources)]
    order = _order(reads, refs, spec)
    shapes: list[Shape | None] = [None] * len(sources)
    for k, item in enumerate(inputs):
        shapes[k] = tuple(item.shape)
        if limits:
            _check_input_limits(spec, shapes[k])  # type: ignore[arg-type]
    for node in order:
        if node < offset:
            continue
        layer = spec.layers[node - offset]
        reads = [shapes[s] for s in sources[node]]
        at = _At(spec, layer.index, layer)
        shape = _shape(spec, refs, at, layer, node, sources[node], reads, shapes, crop_to)  # type: ignore[arg-type]
        if limits:
            at.check_limits(shape)
        shapes[node] = shape
    return Graph(inputs, tuple(sources), tuple(shapes), order, crop_to)  # type: ignore[arg-type]


def _shape(
    spec: Spec,
    refs: _Refs,
    at: _At,
    layer: Layer,
    node: int,
    sources: tuple[int, ...],
    reads: list[Shape],
    shapes: list[Shape | None],
    crop_to: dict[int, int],
) -> Shape:
    kind = layer.type
    listing = ", ".join(f"{refs.describe(s)} {format_shape(r)}" for s, r in zip(sources, reads))
    if kind in OP_TYPES:
        return op_shape(at, reads, listing)
    if kind in MERGE_TYPES:
        if len(sources) < 2:
            raise at.error(
                f"{at.who} joins two or more inputs; give them with from: [a, b]"
                + (f" (it reads only {listing})" if listing else ""),
                "from" if layer.sources is not None else None,
            )
        inferred = _merged(at, layer, reads, listing)
        given = tuple(layer.shape) if layer.shape is not None else None
        return at.compare(given, inferred, f"joining {listing}")
    if len(sources) > 1:
        raise at.error(
            f"{at.who} reads one input, and from gives {len(sources)} ({listing}); join them "
            "first with an add, multiply or concat layer",
            "from",
        )
    if not sources:
        return at.first_shape()
    if kind == "crop":
        return _cropped(spec, refs, at, layer, reads[0], node, shapes, crop_to)
    return at.shape_after(reads[0])


def _merged(at: _At, layer: Layer, reads: list[Shape], listing: str) -> Shape:
    if layer.type in ("add", "multiply"):
        if len(set(reads)) > 1:
            raise at.error(
                f"{at.who} needs inputs of one shape, and gets {listing}; a concat joins "
                "inputs of different channel counts",
                "from" if layer.sources is not None else None,
            )
        return reads[0]
    if any(len(r) == 1 for r in reads) and any(len(r) > 1 for r in reads):
        return (sum(math.prod(r) for r in reads),)  # a map joined with a vector: flattened
    rank = len(reads[0])
    if any(len(r) != rank for r in reads):
        raise at.error(f"{at.who} joins inputs of different ranks: {listing}", "from")
    axis = layer.axis if layer.axis is not None else -1
    if not -rank <= axis < rank:
        raise at.error(
            f"is {axis}, but the inputs have {rank} axes: give -{rank} to {rank - 1} "
            "(-1: the channels)",
            "axis",
        )
    axis %= rank
    others = {tuple(n for k, n in enumerate(r) if k != axis) for r in reads}
    if len(others) > 1:
        raise at.error(
            f"{at.who} joins along {'the channels' if axis == rank - 1 else f'axis {axis}'}, "
            f"and its inputs differ in their other sizes: {listing}",
            "from",
        )
    joined = list(reads[0])
    joined[axis] = sum(r[axis] for r in reads)
    return tuple(joined)


def _cropped(
    spec: Spec,
    refs: _Refs,
    at: _At,
    layer: Layer,
    read: Shape,
    node: int,
    shapes: list[Shape | None],
    crop_to: dict[int, int],
) -> Shape:
    if node not in crop_to:
        raise at.error(f"{at.who} needs 'to': the layer whose size it crops to")
    target = crop_to[node]
    size = shapes[target]
    assert size is not None
    if len(size) != len(read) or len(read) == 1:
        raise at.error(
            f"{at.who} crops {format_shape(read)} to {refs.describe(target)} "
            f"{format_shape(size)}: both must be maps of the same rank",
            "to",
        )
    if any(a < b for a, b in zip(read[:-1], size[:-1])):
        raise at.error(
            f"{at.who} would crop {format_shape(read)} to the larger "
            f"{refs.describe(target)} {format_shape(size)}",
            "to",
        )
    inferred = (*size[:-1], read[-1])
    given = tuple(layer.shape) if layer.shape is not None else None
    return at.compare(given, inferred, f"cropping {format_shape(read)} to {format_shape(size)}")
