"""Every key of a spec as data: what it takes, its limits, its default, what it means.

One table per mapping of the format (the top level, a layer, each layer type, the
input, edges, labels, camera). :func:`~nnsvg.spec.model.build_spec` reads values with
:meth:`Key.read`, and :func:`~nnsvg.spec.schema.spec_schema` walks the same tables to
write the JSON Schema, so the validator and the schema cannot drift apart.

Adding a key is one :class:`Key` in its table (and, for a layer, one field of
:class:`~nnsvg.spec.model.Layer`); adding a layer type is one :class:`LayerType`.
"""

from __future__ import annotations

from nnsvg.engines import STYLES as ENGINE_STYLES
from nnsvg.geometry import PROJECTIONS
from nnsvg.spec.key_kinds import SIMPLE_KINDS, SPECIAL_KINDS, Key, LayerType
from nnsvg.units import MAX_FIGURE_PX, MIN_FIGURE_PX

__all__ = [
    "ALIASES",
    "BASE_TYPES",
    "CAMERA",
    "COMMON_LAYER",
    "EDGES",
    "EDGE_STYLES",
    "FROM_ITEM",
    "GROUP",
    "INPUT",
    "LABELS",
    "LAYER",
    "LAYER_TYPES",
    "MAX_FONT_PT",
    "MAX_GROUP_DEPTH",
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
DIRECTIONS = ("right", "down", "up", "left")  # an engine may draw some (Capabilities)
LAYOUTS = ("line", "u")  # an engine may draw some (Capabilities.layouts)
EDGE_ENCODINGS = ("width", "opacity", "color")
CURVES = ("straight", "bezier")
ARROWS = ("none", "open", "solid")
SIZE_LABELS = ("math", "plain", "none")
PADDINGS = ("same", "valid")
POOL_KINDS = ("max", "avg")
MERGES = ("add", "concat")
BLOCK_CATEGORIES = (  # the blocks style's colours (theme section blocks)
    "attention",
    "norm",
    "feed_forward",
    "conv",
    "pool",
    "embedding",
    "recurrent",
    "activation",
    "io",
    "merge",
    "other",
)
EDGE_STYLES = ("solid", "dashed", "dotted")  # a `from` item's style, besides a colour
MAX_GROUP_DEPTH = 16  # groups inside groups, at most this deep
MAX_REPEAT = 1000
MAX_LAYERS = 1000
MIN_FONT_PT = 4.0
MAX_FONT_PT = 72.0
MAX_INPUTS = 100
MAX_UNITS = 10**12
MAX_SIDE = 1_000_000  # a feature map side, a kernel, a stride
DEFAULT_MAX_VISIBLE = 16
MAX_NODE_LABELS = 100_000  # node_labels: at most this many (and at most the layer's units)


def _table(*keys: Key) -> dict[str, Key]:
    return {key.name: key for key in keys}


def _label(name: str, description: str, max_length: int = 200) -> Key:
    """A string drawn as a label: its ``$...$`` math is checked (nnsvg.mathtext)."""
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

_UNITS = Key("units", "integer", "Number of nodes.", minimum=1, maximum=MAX_UNITS)
_WIDTH = Key(
    "units",
    "integer",
    "The output's last size (its width); default the input's.",
    minimum=1,
    maximum=MAX_UNITS,
)
_RECURRENT_KEYS = (
    Key(
        "units", "integer", "The state size: the output's last size.", minimum=1, maximum=MAX_UNITS
    ),
    Key(
        "return_sequences",
        "boolean",
        "true (the default): the output at every step, [length, units]; false: the last "
        "step's, [units].",
        default=True,
    ),
)

LAYER_TYPES: tuple[LayerType, ...] = (
    LayerType(
        "dense",
        "A fully connected layer (the default type).",
        (
            _UNITS,
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
    # --- operation blocks (the blocks style): shapes in nnsvg.spec.ops -------------
    LayerType(
        "attention",
        "Multi-head attention: from one input (self-attention) or from [query, key, value] "
        "([query, key-and-value] with two); the output has the query's shape.",
        (
            Key(
                "heads",
                "integer",
                "Number of heads; it divides the width (units, or the query's last size).",
                minimum=1,
                maximum=MAX_SIDE,
            ),
            _WIDTH,
        ),
        aliases=("multihead_attention", "multi_head_attention", "mha"),
        needs=("heads",),
    ),
    LayerType(
        "layernorm",
        "Layer normalisation; the shape is carried.",
        aliases=("layer_norm", "layernormalization"),
    ),
    LayerType(
        "batchnorm",
        "Batch normalisation; the shape is carried.",
        aliases=("batch_norm", "batchnormalization"),
    ),
    LayerType(
        "dropout",
        "Dropout; the shape is carried.",
        (
            Key(
                "rate",
                "number",
                "The fraction of values dropped: from 0 up to (not including) 1.",
                minimum=0,
                maximum=1,
                exclusive_maximum=True,
            ),
        ),
    ),
    LayerType("softmax", "Softmax; the shape is carried."),
    LayerType(
        "activation",
        "An activation function as its own block; the shape is carried.",
        (
            Key(
                "fn",
                "string",
                "The function: relu, gelu, tanh, sigmoid, softmax, silu, ... or any text "
                "(drawn as written).",
                max_length=100,
                allow_empty=False,
                drawn=True,
            ),
        ),
    ),
    LayerType(
        "positional_encoding",
        "Adds positional encodings; the shape is carried.",
        aliases=("pos_encoding", "positional_embedding"),
    ),
    LayerType(
        "embedding",
        "Token ids [length] to vectors [length, units].",
        (
            Key("units", "integer", "The embedding size.", minimum=1, maximum=MAX_UNITS),
            Key("vocab", "integer", "The vocabulary size (drawn).", minimum=1, maximum=MAX_UNITS),
        ),
        needs=("units",),
    ),
    LayerType(
        "lstm",
        "An LSTM over a sequence [length, features].",
        _RECURRENT_KEYS,
        needs=("units",),
    ),
    LayerType(
        "gru",
        "A GRU over a sequence [length, features].",
        _RECURRENT_KEYS,
        needs=("units",),
    ),
    LayerType(
        "op",
        "Any other operation, named by its label: the output has its (first) input's "
        "shape, with units as its last size when given, or the shape stated.",
        (_WIDTH,),
        aliases=("operation",),
    ),
)
BASE_TYPES = (
    "dense",
    "conv",
    "conv_transpose",
    "pool",
    "upsample",
    "flatten",
    "add",
    "multiply",
    "concat",
    "crop",
)
"""The layer types every style drew before the operation blocks."""

_NAME = Key(
    "name",
    "string",
    "What from, to and skip_from call this (unique in the spec).",
    max_length=100,
    allow_empty=False,
)
_LANE = Key(
    "lane",
    "integer",
    "The blocks style: blocks with the same lane stand on one straight line along the "
    "flow (an LSTM's cell state across the top); lane 0 is first across the flow (the "
    "top of a left-to-right figure, the left of a top-to-bottom one), then lane 1, ..., "
    "then the blocks without a lane.",
    minimum=0,
    maximum=20,
)
COMMON_LAYER = _table(
    Key("type", "type", "Layer type (default dense); aliases in any letter case."),
    _NAME,
    Key(
        "from",
        "sources",
        "The layers this one reads: a name, a relative index (-1: the layer before), or "
        "a list of them; default the layer before. An item may be a mapping {name, label, "
        "style} that labels or styles its edge.",
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
    _label("note", "Free text beside the layer (stride 4)."),
    Key(
        "category",
        "choice",
        "The block's colour (the blocks style): by default its type's category.",
        choices=BLOCK_CATEGORIES,
    ),
    _LANE,
)
TYPES: dict[str, LayerType] = {t.name: t for t in LAYER_TYPES}
# Every key any layer takes, each once: all of them are read whatever the type.
# (units is a key of several types, all alike but for their descriptions: dense's is kept.)
LAYER: dict[str, Key] = {}
for _key in (*COMMON_LAYER.values(), *(k for t in LAYER_TYPES for k in t.keys)):
    LAYER.setdefault(_key.name, _key)
ALIASES: dict[str, str] = {alias: t.name for t in LAYER_TYPES for alias in t.aliases}

# --- groups and edges ------------------------------------------------------------------
_NOTE = _label("note", "Free text beside the group.")
GROUP = _table(
    Key(
        "group",
        "string",
        "The group's label (Encoder).",
        max_length=200,
        allow_empty=False,
        nullable=False,
        drawn=True,
    ),
    Key(
        "repeat",
        "integer",
        "Drawn as N× beside the group, ×N under its bracket in lenet and alexnet (its "
        "layers are inferred once).",
        minimum=1,
        maximum=MAX_REPEAT,
        default=1,
    ),
    Key("collapse", "boolean", "Draw the group as one block (the blocks style).", default=False),
    _NOTE,
    Key("layers", "layers", "The group's layers (and groups).", nullable=False),
)
FROM_ITEM = _table(
    Key("name", "source", "The layer read: a name or -k.", nullable=False),
    _label("label", "Text on the edge (Q, memory).", 100),
    Key("style", "edge_style", "The edge's look: solid, dashed, dotted or a colour."),
)

# --- the other mappings ---------------------------------------------------------------
INPUT = _table(
    _shape("[height, width, channels], [length, channels] or [units].", nullable=False),
    _NAME,
    _label("label", "Replaces the input's title."),
    _label("size_label", "Replaces the input's size line."),
    Key("image", "string", "A .png, .jpg or .npy shown on the input map.", max_length=4096),
    Key("color", "color", "Fill of the input."),
    Key("stroke", "color", "Outline colour of the input."),
    _LANE,
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
        "Layers left to right, top to bottom, bottom to top (the blocks style) or right "
        "to left (the blocks style). Default: right; down in the blocks style.",
        choices=DIRECTIONS,
    ),
    Key(
        "layout",
        "choice",
        "How the layers are arranged: line (along the direction, which wrap may break "
        "into rows) or u (an encoder-decoder as a U: a row per resolution, the encoder "
        "down the left, the decoder up the right, copy connections across; style: lenet).",
        choices=LAYOUTS,
        default="line",
    ),
    Key(
        "wrap",
        "wrap",
        "Long networks on several rows: N layers per row, or auto (the fewest rows that "
        "print every text at 6 pt or more at the figure's width, else the fewest under "
        "2:1); each row continues the one above it (lenet and alexnet, chains). The "
        "blocks style puts N ranks a run at most, runs side by side across the flow, a run "
        "ending after a block every edge into the next run leaves from (auto: the fewest "
        "runs under 2:1).",
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
        "fit",
        "fit",
        "Fit the figure to a printed width with every text at a minimum size or more: "
        "7in (that width), true (the spec's width) or {width: 7in, min_text: 6pt, "
        "height: 9in} (default minimum 6pt, any height). The rows, layer spacing, box "
        "sizes and text size are chosen, fewest rows first; a fixed wrap or font_size is "
        "kept.",
        keys=(
            Key(
                "width",
                "length",
                "The printed width (default: the spec's width).",
                minimum=MIN_FIGURE_PX,
                maximum=MAX_FIGURE_PX,
            ),
            Key(
                "min_text",
                "points",
                "The smallest printed text, e.g. 6pt.",
                minimum=MIN_FONT_PT,
                maximum=MAX_FONT_PT,
                default=6.0,
            ),
            Key(
                "height",
                "length",
                "The tallest the printed figure may be, e.g. 9in (default: any height).",
                minimum=MIN_FIGURE_PX,
                maximum=MAX_FIGURE_PX,
            ),
        ),
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
