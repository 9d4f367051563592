"""The validated spec: typed, frozen, every value checked with its location.

:func:`build_spec` turns a loaded :class:`~nnsvg.spec.load.Document` into a
:class:`Spec`, reporting every problem at once (``file:line:col: field: what is
wrong``). Unknown keys are errors that name the closest valid key.

What each key takes (its kind, limits, choices, default) is data in
:mod:`nnsvg.spec.keys`, which :mod:`nnsvg.spec.schema` also writes the JSON Schema
from; this module reads values with it and checks the rules between keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from nnsvg.checker import MISSING, Checker, describe, did_you_mean, excerpt
from nnsvg.errors import MAX_REPORTED, Location
from nnsvg.fit import Fit, read_fit
from nnsvg.spec.keys import (
    ALIASES,
    CAMERA,
    COMMON_LAYER,
    DEFAULT_MAX_VISIBLE,
    DIRECTIONS,
    EDGE_ENCODINGS,
    EDGES,
    INPUT,
    LABELS,
    LAYER,
    LAYER_TYPES,
    MAX_INPUTS,
    MAX_LAYERS,
    MAX_UNITS,
    PADDINGS,
    STYLES,
    TOP,
    TYPES,
)
from nnsvg.spec.load import Document, Path_, format_path
from nnsvg.spec.tree import EdgeMark, Group, LayerWalk, count_layers, read_from

__all__ = [
    "DIRECTIONS",
    "EDGE_ENCODINGS",
    "LAYER_KEYS",
    "MAX_LAYERS",
    "MAX_UNITS",
    "PADDINGS",
    "STYLES",
    "TOP_KEYS",
    "CameraOptions",
    "EdgeMark",
    "EdgeOptions",
    "Group",
    "LabelOptions",
    "Layer",
    "Spec",
    "build_spec",
]

TOP_KEYS = tuple(TOP)
COMMON_LAYER_KEYS = tuple(COMMON_LAYER)
TYPE_KEYS: dict[str, tuple[str, ...]] = {t.name: tuple(k.name for k in t.keys) for t in LAYER_TYPES}
LAYER_KEYS = tuple(LAYER)
INPUT_KEYS = tuple(INPUT)
EDGE_KEYS = tuple(EDGES)
LABEL_KEYS = tuple(LABELS)
CAMERA_KEYS = tuple(CAMERA)


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


@dataclass(frozen=True, slots=True)
class EdgeOptions:
    encode: tuple[str, ...] = ()
    curve: str | None = None
    arrows: str | None = None
    color: str | None = None
    width: float | None = None
    opacity: float | None = None


@dataclass(frozen=True, slots=True)
class LabelOptions:
    titles: bool = True
    sizes: str = "math"
    activations: bool = True
    dims: bool = True  # 3D boxes: numbers on the box edges


@dataclass(frozen=True, slots=True)
class CameraOptions:
    """The 3D view (style: alexnet); the defaults are NN-SVG's camera."""

    azimuth: float = 69.0
    elevation: float = 21.0
    projection: str = "orthographic"
    distance: float = 3.0


@dataclass(frozen=True, slots=True)
class Spec:
    """A whole figure description; ``source`` locates any of its values."""

    layers: tuple[Layer, ...]
    style: str = "fcnn"
    title: str | None = None
    description: str | None = None
    show_title: bool = False
    theme: str | None = None
    theme_overrides: dict[str, Any] | None = None
    direction: str | None = None  # None: the style's own (nnsvg.network.style_direction)
    layout: str = "line"  # line, or u (an encoder-decoder as a U)
    wrap: int | str | None = None  # layers per row, or "auto"
    weights: tuple[str, ...] | None = None
    random_weights: bool = False
    seed: int = 0
    edges: EdgeOptions = EdgeOptions()
    labels: LabelOptions = LabelOptions()
    legend: bool | None = None
    max_visible: int = DEFAULT_MAX_VISIBLE
    elide: bool = True
    width: str | None = None
    input: InputSpec | None = None
    extra_inputs: tuple[InputSpec, ...] = ()  # `inputs:` after the first
    font_size: float | None = None  # the base text's printed size in pt (with width)
    fit: Fit | None = None  # fit the figure to a printed width (nnsvg.fit)
    camera: CameraOptions = CameraOptions()
    groups: tuple[Group, ...] = ()  # in document order: a parent before its children
    source: Document | None = field(default=None, compare=False, repr=False)

    @property
    def is_cnn(self) -> bool:
        """True for a spec with an input shape or layers other than dense ones."""
        return self.input is not None or any(layer.type != "dense" for layer in self.layers)

    @property
    def base_dir(self) -> Path:
        """The folder relative paths in the spec (weights, themes) are read from."""
        if self.source is None or self.source.file.startswith("<"):
            return Path.cwd()
        return Path(self.source.file).resolve().parent

    def where(self, *path: str | int) -> Location | None:
        return self.source.location(tuple(path)) if self.source is not None else None


def build_spec(doc: Document) -> Spec:
    """Validate a loaded document into a :class:`Spec` (raises SpecError/SpecErrors)."""
    check = Checker(doc)
    data = check.mapping(doc.data, (), TOP_KEYS, what="a mapping of spec keys")
    get = data.get

    def read(name: str) -> Any:
        return TOP[name].read(check, get(name, MISSING), (name,))

    style = read("style")
    title = read("title")
    description = read("description")
    show_title = read("show_title")
    direction = read("direction")
    layout = read("layout")
    wrap = _wrap(check, get("wrap", MISSING))
    seed = read("seed")
    max_visible = read("max_visible")
    elide = read("elide")
    width = _physical_width(check, get("width", MISSING))
    font_size = _points(check, get("font_size", MISSING))
    fit = read_fit(check, get("fit", MISSING), _physical_width, _points)
    legend_raw = get("legend", MISSING)
    legend = None
    if legend_raw not in (MISSING, None, "auto"):
        if isinstance(legend_raw, bool):
            legend = legend_raw
        else:
            check.error(("legend",), f"must be auto, true or false, got {describe(legend_raw)}")

    theme, overrides = _theme(check, get("theme", MISSING))
    weights, random_weights = _weights(check, get("weights", MISSING))
    edges = _edges(check, get("edges", MISSING))
    labels = _labels(check, get("labels", MISSING))
    misspelt = get("layers") is None and _misspelt(data, "layers", TOP_KEYS)
    layers, groups = _layers(check, doc, get("layers", MISSING), quiet_missing=misspelt)
    input_spec = _input(check, doc, get("input", MISSING))
    extra_inputs: tuple[InputSpec, ...] = ()
    if get("inputs") is not None:
        if input_spec is not None or get("input") is not None:
            check.error(("inputs",), "give either input (one) or inputs (several), not both")
        listed = _inputs(check, doc, get("inputs"))
        input_spec, extra_inputs = (listed[0] if listed else None), listed[1:]
    camera = _camera(check, get("camera", MISSING))
    if (weights or random_weights) and not edges.encode:
        check.error(
            ("weights",),
            "nothing in the figure shows the weights: say what they set with "
            "edges: {encode: [color]} (or width, opacity)",
        )
    check.raise_if_errors()

    if edges.encode and weights is None:
        random_weights = True  # weight encodings with no file: seeded demo weights
    return Spec(
        layers=layers,
        style=style,
        title=title,
        description=description,
        show_title=show_title,
        theme=theme,
        theme_overrides=overrides,
        direction=direction,
        layout=layout,
        wrap=wrap,
        weights=weights,
        random_weights=random_weights,
        seed=seed,
        edges=edges,
        labels=labels,
        legend=legend,
        max_visible=max_visible,
        elide=elide,
        width=width,
        font_size=font_size,
        fit=fit,
        input=input_spec,
        extra_inputs=extra_inputs,
        camera=camera,
        groups=groups,
        source=doc,
    )


def _misspelt(data: dict[str, Any], key: str, known: tuple[str, ...] = ()) -> bool:
    """Whether one of the first keys of ``data`` other than ``key`` and ``known`` (at
    most as many as errors are reported) is close to ``key``, so that its error says
    "did you mean"."""
    others = islice((k for k in data if k != key and k not in known), MAX_REPORTED)
    return any(did_you_mean(str(k), [key]) for k in others)


def _points(check: Checker, value: Any, path: tuple[str, ...] = ("font_size",)) -> float | None:
    """``font_size`` (or the text size at ``path``): ``8pt`` or a bare number of
    points, within the table's range."""
    if value is MISSING or value is None:
        return None
    key = TOP["font_size"]
    number: Any = value
    if isinstance(value, str):
        text = value.strip().lower()
        number = text[:-2].strip() if text.endswith("pt") else text
        try:
            number = float(number)
        except ValueError:
            number = None
    if (
        isinstance(number, bool)
        or not isinstance(number, (int, float))
        or not (
            key.minimum <= number <= key.maximum  # type: ignore[operator]
        )
    ):
        check.error(
            path,
            f"must be a text size in points from {key.minimum:g}pt to {key.maximum:g}pt, "
            f"such as 8pt, got {describe(value)}",
        )
        return None
    return float(number)


def _wrap(check: Checker, value: Any) -> int | str | None:
    """``wrap``: auto, or a number of layers per row (at least 1)."""
    if value is MISSING or value is None:
        return None
    if value == "auto":
        return "auto"
    key = TOP["wrap"]
    if isinstance(value, bool) or not isinstance(value, int):
        check.error(
            ("wrap",),
            f"must be auto or a number of layers per row (an integer >= 1), got {describe(value)}",
        )
        return None
    if not key.minimum <= value <= key.maximum:  # type: ignore[operator]
        check.error(
            ("wrap",),
            f"must be auto or a number of layers per row from 1 to {int(key.maximum)}, "  # type: ignore[arg-type]
            f"got {value}",
        )
        return None
    return value


def _physical_width(check: Checker, value: Any, path: tuple[str, ...] = ("width",)) -> str | None:
    if value is MISSING or value is None:
        return None
    from nnsvg.units import figure_width

    text = check.string(value, path)
    if text is None:
        return None
    try:
        figure_width(text)
    except Exception as err:  # NnsvgError: the allowed units or the allowed range
        check.error(path, getattr(err, "message", str(err)))
        return None
    return text


def _theme(check: Checker, value: Any) -> tuple[str | None, dict[str, Any] | None]:
    if value is MISSING or value is None:
        return None, None
    if isinstance(value, str):
        key = TOP["theme"]
        return (check.string(value, ("theme",), allow_empty=key.allow_empty), None)
    if isinstance(value, dict):
        base = value.get("extends", MISSING)
        base = None if base is MISSING else check.string(base, ("theme", "extends"))
        return base, {k: v for k, v in value.items() if k != "extends"}
    check.error(
        ("theme",),
        f"must be a theme name, a theme file path, or a mapping of theme keys, got "
        f"{describe(value)}",
    )
    return None, None


def _weights(check: Checker, value: Any) -> tuple[tuple[str, ...] | None, bool]:
    if value is MISSING or value is None or value == "none":
        return None, False
    if value == "random":
        return None, True
    if isinstance(value, str):
        return (value,), False
    if isinstance(value, list) and value:
        paths = tuple(check.string(v, ("weights", i)) for i, v in enumerate(value))
        return (None if None in paths else paths), False  # type: ignore[return-value]
    check.error(
        ("weights",),
        f"must be 'random', a weight file (.npz, .npy, .csv) or a list of files, got "
        f"{describe(value)}",
    )
    return None, False


def _edges(check: Checker, value: Any) -> EdgeOptions:
    data = check.mapping(value, ("edges",), EDGE_KEYS)
    if not data:
        return EdgeOptions()
    encode_raw = data.get("encode", MISSING)
    encode: list[str] = []
    if encode_raw is not MISSING and encode_raw is not None:
        items = [encode_raw] if isinstance(encode_raw, str) else encode_raw
        if not isinstance(items, list):
            check.error(("edges", "encode"), "must be a list of: width, opacity, color")
        else:
            for i, item in enumerate(items):
                path: Path_ = (
                    ("edges", "encode")
                    if isinstance(encode_raw, str)
                    else (
                        "edges",
                        "encode",
                        i,
                    )
                )
                name = check.choice(item, path, EDGE_ENCODINGS)
                if name is not None and name not in encode:
                    encode.append(name)
    values = {
        name: key.read(check, data.get(name, MISSING), ("edges", name))
        for name, key in EDGES.items()
        if key.kind != "encode"
    }
    return EdgeOptions(encode=tuple(sorted(encode, key=EDGE_ENCODINGS.index)), **values)


def _labels(check: Checker, value: Any) -> LabelOptions:
    if value is False:
        return LabelOptions(titles=False, sizes="none", activations=False, dims=False)
    if value is True:
        return LabelOptions()
    data = check.mapping(value, ("labels",), LABEL_KEYS, what="a mapping, true or false")
    sizes = data.get("sizes", MISSING)
    if sizes is False:
        sizes = "none"
    elif sizes is True:
        sizes = "math"
    values = {
        name: key.read(check, data.get(name, MISSING), ("labels", name))
        for name, key in LABELS.items()
        if key.kind != "sizes"
    }
    key = LABELS["sizes"]
    values["sizes"] = check.choice(sizes, ("labels", "sizes"), key.choices, default=key.default)
    return LabelOptions(**values)


def _camera(check: Checker, value: Any) -> CameraOptions:
    data = check.mapping(value, ("camera",), CAMERA_KEYS)
    if not data:
        return CameraOptions()
    values = {
        name: key.read(check, data.get(name, MISSING), ("camera", name))
        for name, key in CAMERA.items()
    }
    return CameraOptions() if None in values.values() else CameraOptions(**values)


def _layers(
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
        if not _misspelt(data, "units"):
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


def _input(check: Checker, doc: Document, value: Any, path: Path_ = ("input",)) -> InputSpec | None:
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


def _inputs(check: Checker, doc: Document, value: Any) -> tuple[InputSpec, ...]:
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
        spec = _input(check, doc, item, path)
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
