"""Every key of a spec as data: what it takes, its limits, its default, what it means.

One table per mapping of the format (the top level, a layer, each layer type, the
input, edges, labels, camera). :func:`~nnsvg.spec.model.build_spec` reads values with
:meth:`Key.read`, and :func:`~nnsvg.spec.schema.spec_schema` walks the same tables to
write the JSON Schema, so the validator and the schema cannot drift apart.

Adding a key is one :class:`Key` in its table (and, for a layer, one field of
:class:`~nnsvg.spec.model.Layer`); adding a layer type is one :class:`LayerType`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnsvg import mathtext
from nnsvg.checker import MISSING, Checker, describe
from nnsvg.engines import STYLES as ENGINE_STYLES
from nnsvg.geometry import PROJECTIONS
from nnsvg.spec.load import Path_
from nnsvg.units import MAX_FIGURE_PX, MIN_FIGURE_PX

__all__ = [
    "ALIASES",
    "CAMERA",
    "COMMON_LAYER",
    "EDGES",
    "INPUT",
    "LABELS",
    "LAYER",
    "LAYER_TYPES",
    "MAX_FONT_PT",
    "MAX_INPUTS",
    "MAX_LAYERS",
    "MAX_NODE_LABELS",
    "MAX_SIDE",
    "MAX_UNITS",
    "MIN_FONT_PT",
    "SIMPLE_KINDS",
    "SPECIAL_KINDS",
    "TOP",
    "TYPES",
    "Key",
    "LayerType",
]

STYLES = ENGINE_STYLES  # the engine registry's, in its order
DIRECTIONS = ("right", "down")
EDGE_ENCODINGS = ("width", "opacity", "color")
CURVES = ("straight", "bezier")
ARROWS = ("none", "open", "solid")
SIZE_LABELS = ("math", "plain", "none")
PADDINGS = ("same", "valid")
POOL_KINDS = ("max", "avg")
MERGES = ("add", "concat")
MAX_LAYERS = 1000
MIN_FONT_PT = 4.0
MAX_FONT_PT = 72.0
MAX_INPUTS = 100
MAX_UNITS = 10**12
MAX_SIDE = 1_000_000  # a feature map side, a kernel, a stride
DEFAULT_MAX_VISIBLE = 16
MAX_NODE_LABELS = 100_000  # node_labels: at most this many (and at most the layer's units)

# How a key's value is read. The first kinds Key.read reads; the others are read by
# their own code in nnsvg.spec.model, and the schema writes each its own way.
SIMPLE_KINDS = (
    "string",
    "integer",
    "number",
    "boolean",
    "choice",
    "color",
    "ints",  # an int or a list of 1 to ``dims`` ints
    "shape",  # a list of 1 to 3 ints
    "padding",  # a choice or ints
    "strings",  # a list of strings (at most ``maximum`` of them, each ``max_length``)
)
SPECIAL_KINDS = (
    "type",  # a layer type or one of its aliases (case-insensitive)
    "ref",  # a layer label or a layer index (skip_from)
    "sources",  # a name or a relative index (-1: the layer before), or a list of them
    "source",  # one name or relative index
    "inputs",  # a list of input mappings
    "length",  # a printed width: a number and a unit (nnsvg.units)
    "points",  # a printed text size: 8pt, or a bare number of points
    "legend",  # auto, true or false
    "wrap",  # auto or a number of layers per row
    "theme",  # a theme name or file, or a mapping of theme keys
    "weights",  # random, none, a file or a list of files
    "encode",  # one choice or a list of them
    "sizes",  # a choice, or true/false for its first/last choice
    "layers",  # the list of layers
    "mapping",  # a mapping of ``keys``
    "labels",  # a mapping of ``keys``, or true/false
    "input",  # a mapping of ``keys``, or just its shape
)


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a mapping: ``kind`` says how its value is read (see SIMPLE_KINDS and
    SPECIAL_KINDS), the other fields are that kind's limits. A null value means "not
    given" (the ``default``); a key that is not ``nullable`` must be given, not null."""

    name: str
    kind: str
    description: str
    minimum: float | None = None  # a number, an integer, or each of ints/shape
    maximum: float | None = None
    max_length: int = 1000  # a string
    allow_empty: bool = True  # a string: false refuses an empty or blank one
    choices: tuple[str, ...] = ()  # a choice
    allow_none: bool = True  # a colour: whether 'none' (no paint) is one
    dims: int = 2  # ints: at most this many (one per spatial axis)
    what: str | None = None  # an integer or ints: what the message says it must be
    default: Any = None
    nullable: bool = True
    keys: tuple[Key, ...] = ()  # a mapping's own keys
    requires: str | None = None  # another key this one goes with (merge: skip_from)
    drawn: bool = False  # a string drawn as a label: its $...$ math is checked

    def read(self, check: Checker, value: Any, path: Path_) -> Any:
        """The value checked (errors recorded on ``check``): the default when it is
        missing or null, None when it is wrong."""
        kind = self.kind
        if kind == "string":
            text = check.string(
                value,
                path,
                default=self.default,
                max_length=self.max_length,
                allow_empty=self.allow_empty,
            )
            return _math_checked(check, text, path) if self.drawn else text
        if kind == "integer":
            return check.integer(
                value,
                path,
                minimum=self.minimum,  # type: ignore[arg-type]
                maximum=self.maximum,  # type: ignore[arg-type]
                default=self.default,
                what=self.what,
            )
        if kind == "number":
            return check.number(
                value, path, minimum=self.minimum, maximum=self.maximum, default=self.default
            )
        if kind == "boolean":
            return check.boolean(value, path, default=self.default)
        if kind == "choice":
            return check.choice(value, path, self.choices, default=self.default)
        if kind == "color":
            return check.color(value, path, default=self.default, allow_none=self.allow_none)
        if kind == "ints":
            return self._ints(check, value, path)
        if kind == "shape":
            return self._shape(check, value, path)
        if kind == "strings":
            return self._strings(check, value, path)
        if kind == "padding":
            if isinstance(value, str):
                return check.choice(value, path, self.choices)
            return self._ints(check, value, path)
        raise AssertionError(f"{self.name}: a {kind} key is read by its own code")

    def _ints(self, check: Checker, value: Any, path: Path_) -> tuple[int, ...] | None:
        """An int or a list of 1 to ``dims`` ints (per spatial axis)."""
        if value is MISSING or value is None:
            return None
        items = value if isinstance(value, list) else [value]
        if not items or len(items) > self.dims or isinstance(value, bool):
            check.error(
                path, f"must be {self.what}: an integer or a list of 1 to {self.dims} integers"
            )
            return None
        out = []
        for k, item in enumerate(items):
            sub = (*path, k) if isinstance(value, list) else path
            number = check.integer(item, sub, minimum=self.minimum, maximum=self.maximum)  # type: ignore[arg-type]
            if number is None:
                return None
            out.append(number)
        return tuple(out)

    def _strings(self, check: Checker, value: Any, path: Path_) -> tuple[str, ...] | None:
        """A list of at most ``maximum`` strings, each as a ``string`` key reads it."""
        if value is MISSING or value is None:
            return None
        if not isinstance(value, list):
            check.error(path, f"must be a list of strings, got {describe(value)}")
            return None
        if self.maximum is not None and len(value) > self.maximum:
            check.error(path, f"has {len(value)} items; at most {int(self.maximum)} are allowed")
            return None
        out = []
        for k, item in enumerate(value):
            text = check.string(item, (*path, k), max_length=self.max_length)
            if self.drawn:
                text = _math_checked(check, text, (*path, k))
            if text is None:
                return None
            out.append(text)
        return tuple(out)

    def _shape(self, check: Checker, value: Any, path: Path_) -> tuple[int, ...] | None:
        if value is MISSING or value is None:
            return None
        if not isinstance(value, list) or not 1 <= len(value) <= 3:
            check.error(
                path,
                "must be a list: [height, width, channels], [length, channels] or [units], "
                f"got {describe(value)}",
            )
            return None
        out = []
        for k, item in enumerate(value):
            number = check.integer(item, (*path, k), minimum=self.minimum, maximum=self.maximum)  # type: ignore[arg-type]
            if number is None:
                return None
            out.append(number)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class LayerType:
    """A layer type: the keys it takes besides the common ones, the other names it
    answers to (any letter case), and the keys it needs unless it states its shape."""

    name: str
    description: str
    keys: tuple[Key, ...] = ()
    aliases: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


def _table(*keys: Key) -> dict[str, Key]:
    return {key.name: key for key in keys}


def _math_checked(check: Checker, text: str | None, path: Path_) -> str | None:
    """A drawn label whose math (:mod:`nnsvg.mathtext`) can be set, or None after
    an error naming what is wrong and where in the label."""
    if not text or "$" not in text:
        return text
    try:
        mathtext.parse(text)
    except mathtext.MathError as exc:
        check.error(path, f"{exc.message} (character {exc.index + 1} of the label)")
        return None
    return text


def _label(name: str, description: str, max_length: int = 200) -> Key:
    return Key(name, "string", description, max_length=max_length, drawn=True)


def _ints(name: str, description: str, what: str, minimum: int = 1) -> Key:
    return Key(name, "ints", description, minimum=minimum, maximum=MAX_SIDE, what=what)


def _shape(description: str, *, nullable: bool = True) -> Key:
    return Key("shape", "shape", description, minimum=1, maximum=MAX_UNITS, nullable=nullable)


# --- a layer ----------------------------------------------------------------------
_FILTERS = Key("filters", "integer", "Output channels.", minimum=1, maximum=MAX_SIDE)
_KERNEL = _ints("kernel", "Kernel size: k or [kh, kw].", "a kernel size")
_STRIDE = _ints("stride", "Stride: s or [sh, sw].", "a stride")
_PADDING = Key(
    "padding",
    "padding",
    "Padding: 'same', 'valid', p or [ph, pw].",
    choices=PADDINGS,
    minimum=0,
    maximum=MAX_SIDE,
    what="'same', 'valid' or a padding",
)
_DILATION = _ints("dilation", "Dilation: d or [dh, dw].", "a dilation")
_SIZE = _ints(
    "size", "Window (pool) or factor (upsample): n or [nh, nw]; default 2.", "a window size"
)

LAYER_TYPES: tuple[LayerType, ...] = (
    LayerType(
        "dense",
        "A fully connected layer (the default type).",
        (
            Key("units", "integer", "Number of nodes.", minimum=1, maximum=MAX_UNITS),
            Key("bias", "boolean", "Draw a bias unit (+1) feeding the next layer.", default=False),
            Key("recurrent", "boolean", "Draw a loop arrow: the layer feeds back into itself."),
            Key(
                "node_labels",
                "strings",
                "Names of the nodes, first to last, beside them (the features of an input "
                "layer, the classes of an output layer); at most units, the rest unlabelled.",
                maximum=MAX_NODE_LABELS,
                max_length=100,
                drawn=True,
            ),
        ),
        aliases=("linear", "fc"),
        needs=("units",),
    ),
    LayerType(
        "conv",
        "A convolution.",
        (_FILTERS, _KERNEL, _STRIDE, _PADDING, _DILATION),
        aliases=("convolution", "conv2d", "conv1d"),
        needs=("filters",),
    ),
    LayerType(
        "conv_transpose",
        "A transposed convolution.",
        (
            _FILTERS,
            _KERNEL,
            _STRIDE,
            _PADDING,
            _DILATION,
            _ints("output_padding", "Extra output size.", "an output padding", minimum=0),
        ),
        aliases=("deconv",),
        needs=("filters",),
    ),
    LayerType(
        "pool",
        "A pooling layer.",
        (
            _SIZE,
            _STRIDE,
            _PADDING,
            Key("kind", "choice", "max or avg (default max).", choices=POOL_KINDS),
        ),
        aliases=("pooling", "maxpool"),
    ),
    LayerType("upsample", "An upsampling layer.", (_SIZE,)),
    LayerType("flatten", "Flattens a feature map into a vector."),
    LayerType("add", "Adds two or more inputs of one shape (from: [a, b])."),
    LayerType("multiply", "Multiplies two or more inputs of one shape, element-wise."),
    LayerType(
        "concat",
        "Joins two or more inputs along an axis (the channels unless axis says); a map "
        "joined with a vector is flattened.",
        (
            Key(
                "axis",
                "integer",
                "The axis joined: -1 (the channels, the default), or 0 to 2.",
                minimum=-3,
                maximum=2,
            ),
        ),
        aliases=("concatenate",),
    ),
    LayerType(
        "crop",
        "Crops its input to the spatial size of another layer (U-Net's copy and crop).",
        (Key("to", "source", "The layer whose size the output takes: a name or -k."),),
    ),
)

_NAME = Key(
    "name",
    "string",
    "What from, to and skip_from call this (unique in the spec).",
    max_length=100,
    allow_empty=False,
)
COMMON_LAYER = _table(
    Key("type", "type", "Layer type (default dense); aliases in any letter case."),
    _NAME,
    Key(
        "from",
        "sources",
        "The layers this one reads: a name, a relative index (-1: the layer before), or "
        "a list of them; default the layer before.",
    ),
    _label("label", "Replaces the layer title (Input Layer...)."),
    _label("size_label", "Replaces the size line (ℝ⁷⁸⁴)."),
    _label("op_label", "Replaces the operation text (Convolution 5×5)."),
    _label("activation", "Activation shown under the layer (relu, tanh, softmax...).", 100),
    Key(
        "max_visible",
        "integer",
        "Most nodes drawn before the layer is elided (first, ..., last).",
        minimum=3,
        maximum=100_000,
    ),
    Key("color", "color", "Fill of this layer."),
    Key("stroke", "color", "Outline colour of this layer."),
    _shape("The output shape, stated (checked if also inferred)."),
    Key("spacing", "number", "Extra space after this layer.", minimum=-1000, maximum=5000),
    Key(
        "image",
        "string",
        "A .png, .jpg or .npy shown on the front map.",
        max_length=4096,
        allow_empty=False,
    ),
    Key(
        "skip_from",
        "ref",
        "A skip connection from this earlier layer (its label, its index, or input).",
        minimum=0,
    ),
    Key(
        "merge",
        "choice",
        "How the skip connection merges (add or concat).",
        choices=MERGES,
        requires="skip_from",
    ),
)
TYPES: dict[str, LayerType] = {t.name: t for t in LAYER_TYPES}
# Every key any layer takes, each once: all of them are read whatever the type.
LAYER = _table(*COMMON_LAYER.values(), *(k for t in LAYER_TYPES for k in t.keys))
ALIASES: dict[str, str] = {alias: t.name for t in LAYER_TYPES for alias in t.aliases}

# --- the other mappings ---------------------------------------------------------------
INPUT = _table(
    _shape("[height, width, channels], [length, channels] or [units].", nullable=False),
    _NAME,
    _label("label", "Replaces the input's title."),
    _label("size_label", "Replaces the input's size line."),
    Key("image", "string", "A .png, .jpg or .npy shown on the input map.", max_length=4096),
    Key("color", "color", "Fill of the input."),
    Key("stroke", "color", "Outline colour of the input."),
)
EDGES = _table(
    Key(
        "encode",
        "encode",
        "What an edge's weight sets: width, opacity, color.",
        choices=EDGE_ENCODINGS,
    ),
    Key("curve", "choice", "Straight lines or Bezier curves.", choices=CURVES),
    Key("arrows", "choice", "Arrowheads at the target end.", choices=ARROWS),
    Key("color", "color", "Edge colour (overrides the theme).", allow_none=False),
    Key("width", "number", "Edge width (overrides the theme).", minimum=0.01, maximum=20),
    Key("opacity", "number", "Edge opacity (overrides the theme).", minimum=0, maximum=1),
)
LABELS = _table(
    Key("titles", "boolean", "Layer titles.", default=True),
    Key(
        "sizes",
        "sizes",
        "Size lines: math (ℝ⁷⁸⁴), plain (784) or none; true is math, false none.",
        choices=SIZE_LABELS,
        default="math",
    ),
    Key("activations", "boolean", "Activation names.", default=True),
    Key("dims", "boolean", "Numbers on the edges of 3D boxes.", default=True),
)
CAMERA = _table(
    Key(
        "azimuth",
        "number",
        "Turn about the vertical axis, in degrees.",
        minimum=-180,
        maximum=180,
        default=69.0,
    ),
    Key("elevation", "number", "Tilt, in degrees.", minimum=-80, maximum=80, default=21.0),
    Key(
        "projection", "choice", "How 3D is drawn flat.", choices=PROJECTIONS, default="orthographic"
    ),
    Key("distance", "number", "Eye distance (perspective).", minimum=1.5, maximum=100, default=3.0),
)
TOP = _table(
    Key("style", "choice", "Layout engine.", choices=STYLES, default="fcnn"),
    Key("title", "string", "Figure title (SVG <title>).", max_length=500, drawn=True),
    Key("description", "string", "Figure description (SVG <desc>).", max_length=5000),
    Key("show_title", "boolean", "Draw the title above the figure.", default=False),
    Key(
        "theme",
        "theme",
        "A built-in theme name, a theme file, or a mapping of theme keys (with optional "
        "extends: NAME) that overrides the theme.",
        allow_empty=False,
    ),
    Key(
        "direction",
        "choice",
        "Layers left to right, or top to bottom.",
        choices=DIRECTIONS,
        default="right",
    ),
    Key(
        "wrap",
        "wrap",
        "Long networks on several rows: N layers per row, or auto (the fewest rows that "
        "print every text at 6 pt or more at the figure's width, else the fewest under "
        "2:1); each row continues the one above it (style: lenet, chains).",
        minimum=1,
        maximum=MAX_LAYERS,
    ),
    Key("layers", "layers", "The layers, input first.", nullable=False),
    Key(
        "weights",
        "weights",
        "Edge weights: 'random' (seeded demo weights), a .npz/.npy/.csv file, or a list "
        "of files (one matrix per layer pair).",
    ),
    Key(
        "seed",
        "integer",
        "Seed of random weights.",
        minimum=0,
        maximum=2**63 - 1,
        default=0,
        what="a non-negative integer",
    ),
    Key("edges", "mapping", "How edges are drawn.", keys=tuple(EDGES.values())),
    Key(
        "labels", "labels", "Which label lines to draw (false: none).", keys=tuple(LABELS.values())
    ),
    Key(
        "legend", "legend", "Colour bar of weights: auto (when colour encodes weight), true, false."
    ),
    Key(
        "max_visible",
        "integer",
        "Most nodes drawn per layer before eliding.",
        minimum=3,
        maximum=100_000,
        default=DEFAULT_MAX_VISIBLE,
    ),
    Key("elide", "boolean", "false draws every node and edge.", default=True),
    Key(
        "width",
        "length",
        "Printed figure width: 3.5in, 89mm, 8.9cm, 252pt, 21pc, 336px (a bare number is px).",
        minimum=MIN_FIGURE_PX,
        maximum=MAX_FIGURE_PX,
    ),
    Key(
        "input",
        "input",
        "The input tensor of a CNN: a shape, or a mapping with shape.",
        keys=tuple(INPUT.values()),
    ),
    Key(
        "font_size",
        "points",
        "Printed size of the theme's base text (font.size), e.g. 8pt: every text size "
        "scales with it and the layout makes room; needs width.",
        minimum=MIN_FONT_PT,
        maximum=MAX_FONT_PT,
    ),
    Key(
        "inputs",
        "inputs",
        "Several inputs, each a mapping with a name and a shape (input: is the one-input form).",
        keys=tuple(INPUT.values()),
    ),
    Key(
        "camera",
        "mapping",
        "The 3D view (style: alexnet); defaults are NN-SVG's camera.",
        keys=tuple(CAMERA.values()),
    ),
)
