"""Spec -> Network: the resolved figure every engine draws, built once.

A :class:`Network` holds the drawn nodes in order (the input, when the spec has
one, then every layer), each with its inferred shape, what the spec says of it
(label, size caption, colours, image) and the nodes it reads from; the skip
connections, resolved to nodes; and the figure-wide choices (title, direction,
edges, labels, camera ...). Engines read a Network and the theme, never the
Spec or its file: :func:`resolve` is where spec references (``skip_from``) are
checked, with errors located in the spec.

>>> from nnsvg.spec.model import InputSpec, Layer, Spec
>>> spec = Spec(
...     layers=(Layer(0, type="conv", filters=4, kernel=(3,), label="c"), Layer(1, units=2)),
...     input=InputSpec(shape=(8, 8, 1)),
...     style="lenet",
... )
>>> net = resolve(spec)
>>> [(n.id, n.kind, n.shape, n.inputs) for n in net.nodes]
[('layer-0', 'input', (8, 8, 1), ()), ('layer-1', 'conv', (6, 6, 4), (0,)), \
('layer-2', 'dense', (2,), (1,))]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from nnsvg.errors import Location, SpecError
from nnsvg.spec.graph import Graph, build_graph, is_graph
from nnsvg.spec.model import (
    CameraOptions,
    EdgeMark,
    EdgeOptions,
    LabelOptions,
    Layer,
    Spec,
)
from nnsvg.spec.shapes import Shape
from nnsvg.weights import WeightSet

__all__ = ["Frame", "Network", "Node", "Skip", "resolve", "style_direction"]


@dataclass(frozen=True, slots=True)
class Node:
    """One drawn tensor: the input or a layer's output."""

    index: int  # among the drawn nodes: the input, if any, is 0
    number: int  # as figures name it (layer-N): the input is 0, the first layer 1
    kind: str  # "input" or the layer's type
    shape: Shape
    layer: Layer | None  # the layer's own parameters; None for the input
    label: str | None
    size_label: str | None  # a size caption the spec gives instead of the shape
    color: str | None  # the spec's own fill colour
    stroke: str | None  # the spec's own outline colour
    image: str | None = None  # a data URI shown on the node
    inputs: tuple[int, ...] = ()  # the nodes this one reads, by index
    id: str = ""  # in the figure: layer-0 the (first) input, layer-N the Nth layer
    note: str | None = None  # free text beside the node
    groups: tuple[int, ...] = ()  # the frames it is inside, outermost first
    # What `from` says of each input's edge (label, style), index-aligned with
    # ``inputs``; empty when no item of `from` is a mapping.
    edge_marks: tuple[EdgeMark | None, ...] = ()
    lane: int | None = None  # the blocks style: the line along the flow it stands on


@dataclass(frozen=True, slots=True)
class Frame:
    """A spec group: a frame drawn around its nodes, with its label and ``N×``.

    A group adds no node: its layers are nodes of the one graph. ``nodes`` are all
    the nodes inside it (nested groups' too), ``inputs`` the nodes outside it that
    they read, ``outputs`` those of its nodes read from outside (its last node when
    none is): what an engine needs to draw a collapsed group as one block."""

    index: int
    id: str  # group-1, group-2 ... in document order
    label: str
    repeat: int
    collapse: bool
    note: str | None
    parent: int | None  # the frame it is inside
    nodes: tuple[int, ...]
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    """A skip connection: ``source``'s output merged (``add`` or ``concat``) into ``target``."""

    source: int
    target: int
    merge: str


def _no_location(*_: str | int) -> Location | None:
    return None


@dataclass(frozen=True, slots=True)
class Network:
    """The resolved figure: nodes, skips and the figure-wide choices."""

    style: str
    nodes: tuple[Node, ...]
    skips: tuple[Skip, ...] = ()
    order: tuple[int, ...] = ()  # every node after the ones it reads
    is_graph: bool = False  # the spec uses graph forms (from, merges, several inputs)
    crop_to: dict[int, int] = field(default_factory=dict)  # crop node -> the size it takes
    frames: tuple[Frame, ...] = ()  # the spec's groups, parents before children
    title: str | None = None
    description: str | None = None
    show_title: bool = False
    direction: str = "right"
    layout: str = "line"  # line, or u (an encoder-decoder as a U)
    wrap: int | str | None = None  # layers per row, or "auto"
    rows: int | None = None  # wrap: auto held at this many rows (fitting a font_size)
    edges: EdgeOptions = field(default_factory=EdgeOptions)
    labels: LabelOptions = field(default_factory=LabelOptions)
    legend: bool | None = None
    max_visible: int = 16
    elide: bool = True
    camera: CameraOptions = field(default_factory=CameraOptions)
    # Shapes of other networks drawn on the same scale (the panels of one figure): the
    # styles that size a layer against the largest one count these too.
    scale_shapes: tuple[tuple[int, ...], ...] = ()
    weights: WeightSet | None = field(default=None, compare=False, repr=False)
    # What the style sets aside (``--style`` over unit keys): ``file:line:col: ...`` lines
    notes: tuple[str, ...] = field(default=(), compare=False)
    # Where a value sits in the spec (``where("layers", 2, "units")``), for the few
    # errors only an engine can find (a figure too large to draw).
    where: Callable[..., Location | None] = field(default=_no_location, compare=False, repr=False)

    def first_branch(self) -> Node | None:
        """The first node that makes this network more than a chain (it reads another
        node than the one before it, or several, or the input is not the only one);
        None for a chain."""
        inputs = sum(1 for n in self.nodes if n.layer is None)
        for node in self.nodes:
            if node.layer is None:
                if node.index and inputs > 1:
                    return node
                continue
            before = (node.index - 1,) if node.index else ()
            if node.inputs != before or node.kind in ("add", "multiply", "concat", "crop"):
                return node
        return None

    @property
    def layers(self) -> tuple[Layer, ...]:
        """The layers' own parameters, in order (the input has none)."""
        return tuple(n.layer for n in self.nodes if n.layer is not None)


def resolve(
    spec: Spec,
    *,
    graph: Graph | None = None,
    images: Mapping[int, str] | None = None,
    weights: WeightSet | None = None,
) -> Network:
    """The Network of a validated spec. ``graph`` is the spec's (built when not
    given), ``images`` data URIs by node index, ``weights`` what the edges encode.
    Raises :class:`~nnsvg.errors.SpecError` for a reference the spec gets wrong."""
    if graph is None:
        graph = build_graph(spec, limits=spec.is_cnn)
    images = images or {}
    nodes: list[Node] = []
    for k, item in enumerate(graph.inputs):
        nodes.append(
            Node(
                k,
                0,
                "input",
                graph.shapes[k],
                None,
                item.label,
                item.size_label,
                item.color,
                item.stroke,
                images.get(k),
                (),
                "layer-0" if k == 0 else f"input-{k}",
                lane=item.lane,
            )
        )
    for layer in spec.layers:
        index = len(nodes)
        nodes.append(
            Node(
                index,
                layer.index + 1,
                layer.type,
                graph.shapes[index],
                layer,
                layer.label,
                layer.size_label,
                layer.color,
                layer.stroke,
                images.get(index),
                graph.sources[index],
                f"layer-{layer.index + 1}",
                layer.note,
                layer.groups,
                layer.from_marks or (),
                layer.lane,
            )
        )
    skips = tuple(
        Skip(_skip_source(spec, nodes, node).index, node.index, node.layer.merge or "add")
        for node in nodes
        if node.layer is not None and node.layer.skip_from is not None
    )
    return Network(
        style=spec.style,
        nodes=tuple(nodes),
        skips=skips,
        order=graph.order,
        is_graph=is_graph(spec),
        crop_to=graph.crop_to,
        frames=_frames(spec, nodes, len(graph.inputs)),
        title=spec.title,
        description=spec.description,
        show_title=spec.show_title,
        direction=spec.direction or style_direction(spec.style),
        layout=spec.layout,
        wrap=spec.wrap,
        edges=spec.edges,
        labels=spec.labels,
        legend=spec.legend,
        max_visible=spec.max_visible,
        elide=spec.elide,
        camera=spec.camera,
        weights=weights,
        where=spec.where,
    )


def style_direction(style: str) -> str:
    """The direction a style draws when the spec gives none: the first it can draw
    (right; down for the blocks style, a graph view as Keras' plot_model draws it)."""
    from nnsvg.engines import ENGINES

    engine = ENGINES.get(style)
    return engine.draws.directions[0] if engine is not None else "right"


def _frames(spec: Spec, nodes: list[Node], offset: int) -> tuple[Frame, ...]:
    """The spec's groups as frames around nodes (``offset``: the inputs before the layers)."""
    frames = []
    readers: dict[int, set[int]] = {}
    for node in nodes:
        for source in node.inputs:
            readers.setdefault(source, set()).add(node.index)
    for group in spec.groups:
        inside = tuple(offset + k for k in group.layers)
        members = set(inside)
        inputs = tuple(
            dict.fromkeys(s for n in inside for s in nodes[n].inputs if s not in members)
        )
        read = tuple(n for n in inside if readers.get(n, members) - members)
        frames.append(
            Frame(
                index=group.index,
                id=f"group-{group.index + 1}",
                label=group.label,
                repeat=group.repeat,
                collapse=group.collapse,
                note=group.note,
                parent=group.parent,
                nodes=inside,
                inputs=inputs,
                outputs=read or inside[-1:],
                location=group.location,
            )
        )
    return tuple(frames)


def _skip_source(spec: Spec, nodes: list[Node], node: Node) -> Node:
    """The node a layer's ``skip_from`` names: an earlier layer's label or index, or
    ``input``."""
    layer = node.layer
    assert layer is not None
    ref = layer.skip_from
    field_name = layer.field_of("skip_from")
    where = spec.where(*layer.path_of("skip_from"))
    offset = 1 if spec.input is not None else 0
    if isinstance(ref, int):
        if not 0 <= ref < layer.index:
            if layer.index == 0:
                message = f"layer {ref} is not an earlier layer: this is the first layer" + (
                    ", so only 'input' can feed a skip into it" if spec.input is not None else ""
                )
            else:
                earlier = "0" if layer.index == 1 else f"0 to {layer.index - 1}"
                message = f"layer {ref} is not an earlier layer (earlier layers: {earlier}" + (
                    ", or 'input')" if spec.input is not None else ")"
                )
            raise SpecError(message, location=where, field=field_name)
        return nodes[ref + offset]
    if ref == "input" and spec.input is not None:
        return nodes[0]
    for other in nodes[: node.index]:
        if other.label == ref:
            return other
    if ref == "input":
        raise SpecError(
            "the spec has no 'input' to skip from; give one, or name an earlier layer",
            location=where,
            field=field_name,
        )
    names = [o.label for o in nodes[: node.index] if o.label]
    raise SpecError(
        f"no earlier layer is labelled '{ref}'"
        + (f" (earlier labels: {', '.join(names)})" if names else "; give the layer an index"),
        location=where,
        field=field_name,
    )
