"""The validated spec: typed, frozen, every value checked with its location.

:func:`build_spec` turns a loaded :class:`~nnsvg.spec.load.Document` into a
:class:`Spec`, reporting every problem at once (``file:line:col: field: what is
wrong``). Unknown keys are errors that name the closest valid key.

What each key takes (its kind, limits, choices, default) is data in
:mod:`nnsvg.spec.keys`, which :mod:`nnsvg.spec.schema` also writes the JSON Schema
from; this module reads values with it and checks the rules between keys.
The layers and inputs are read by :mod:`nnsvg.spec.layer_read`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnsvg.checker import MISSING, Checker, describe
from nnsvg.errors import Location
from nnsvg.fit import Fit, read_fit
from nnsvg.spec.keys import (
    CAMERA,
    DEFAULT_MAX_VISIBLE,
    DIRECTIONS,
    EDGE_ENCODINGS,
    EDGES,
    LABELS,
    MAX_LAYERS,
    MAX_UNITS,
    PADDINGS,
    STYLES,
    TOP,
)
from nnsvg.spec.layer_read import (
    LAYER_KEYS,
    InputSpec,
    Layer,
    misspelt,
    read_input,
    read_inputs,
    read_layers,
)
from nnsvg.spec.load import Document, Path_
from nnsvg.spec.tree import EdgeMark, Group

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
    "InputSpec",
    "LabelOptions",
    "Layer",
    "Spec",
    "build_spec",
]

TOP_KEYS = tuple(TOP)
EDGE_KEYS = tuple(EDGES)
LABEL_KEYS = tuple(LABELS)
CAMERA_KEYS = tuple(CAMERA)


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
    layers_misspelt = get("layers") is None and misspelt(data, "layers", TOP_KEYS)
    layers, groups = read_layers(check, doc, get("layers", MISSING), quiet_missing=layers_misspelt)
    input_spec = read_input(check, doc, get("input", MISSING))
    extra_inputs: tuple[InputSpec, ...] = ()
    if get("inputs") is not None:
        if input_spec is not None or get("input") is not None:
            check.error(("inputs",), "give either input (one) or inputs (several), not both")
        listed = read_inputs(check, doc, get("inputs"))
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
