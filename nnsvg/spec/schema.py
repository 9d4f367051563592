"""The JSON Schema of spec files (``nnsvg schema``), for editor completion and checks.

Built from the same key lists and choices the validator uses, so the two
cannot drift apart (a test checks every key of the model is described here).
"""

from __future__ import annotations

from typing import Any

from nnsvg._version import __version__
from nnsvg.spec import keys, model

__all__ = ["spec_schema"]

_COLOR = {
    "type": "string",
    "description": "A colour: #rgb, #rrggbb, a CSS colour name, or none.",
}


_SHAPE = {
    "type": "array",
    "items": {"type": "integer", "minimum": 1},
    "minItems": 1,
    "maxItems": 3,
    "description": "[height, width, channels], [length, channels] or [units].",
}


def _choice(values: tuple[str, ...], description: str) -> dict[str, Any]:
    return {"enum": list(values), "description": description}


def _layer_schema() -> dict[str, Any]:
    int_or_pair = {
        "oneOf": [
            {"type": "integer", "minimum": 1},
            {
                "type": "array",
                "items": {"type": "integer", "minimum": 1},
                "minItems": 1,
                "maxItems": 2,
            },
        ]
    }
    props: dict[str, Any] = {
        "units": {
            "type": "integer",
            "minimum": 1,
            "maximum": keys.MAX_UNITS,
            "description": "Number of nodes in the layer.",
        },
        "type": _choice(model.LAYER_TYPE_NAMES, "Layer type (default dense)."),
        "op_label": {
            "type": "string",
            "description": "Replaces the operation text (Convolution 5×5).",
        },
        "filters": {"type": "integer", "minimum": 1, "description": "Output channels (conv)."},
        "kernel": {**int_or_pair, "description": "Kernel size: k or [kh, kw] (conv)."},
        "stride": {**int_or_pair, "description": "Stride (conv, pool)."},
        "padding": {
            "description": "Padding: 'same', 'valid', p or [ph, pw] (conv, pool).",
            "oneOf": [
                {"enum": list(keys.PADDINGS)},
                {"type": "integer", "minimum": 0},
                {"type": "array", "items": {"type": "integer", "minimum": 0}, "maxItems": 2},
            ],
        },
        "dilation": {**int_or_pair, "description": "Dilation (conv)."},
        "output_padding": {
            "description": "Extra output size (conv_transpose).",
            "oneOf": [
                {"type": "integer", "minimum": 0},
                {"type": "array", "items": {"type": "integer", "minimum": 0}, "maxItems": 2},
            ],
        },
        "size": {**int_or_pair, "description": "Window (pool) or factor (upsample); default 2."},
        "kind": _choice(keys.POOL_KINDS, "Pooling kind (default max)."),
        "shape": {**_SHAPE, "description": "The output shape, stated (checked if also inferred)."},
        "spacing": {"type": "number", "description": "Extra space after this layer."},
        "image": {"type": "string", "description": "A .png, .jpg or .npy shown on the front map."},
        "skip_from": {
            "oneOf": [{"type": "string"}, {"type": "integer", "minimum": 0}],
            "description": "A skip connection from this earlier layer (label or index).",
        },
        "merge": _choice(keys.MERGES, "How the skip connection merges (add or concat)."),
        "label": {"type": "string", "description": "Replaces the layer title (Input Layer...)."},
        "size_label": {"type": "string", "description": "Replaces the size line (ℝ⁷⁸⁴)."},
        "activation": {
            "type": "string",
            "description": "Activation name shown under the layer (relu, tanh, softmax...).",
        },
        "bias": {"type": "boolean", "description": "Draw a bias unit (+1) feeding the next layer."},
        "recurrent": {
            "type": "boolean",
            "description": "Draw a loop arrow: the layer feeds back into itself.",
        },
        "max_visible": {
            "type": "integer",
            "minimum": 3,
            "description": "Most nodes drawn before the layer is elided (first, ..., last).",
        },
        "color": {**_COLOR, "description": "Node fill of this layer."},
        "stroke": {**_COLOR, "description": "Node outline colour of this layer."},
    }
    return {
        "oneOf": [
            {"type": "integer", "minimum": 1, "description": "Shorthand: the number of units."},
            {
                "type": "object",
                "properties": props,
                "additionalProperties": False,
            },
        ]
    }


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec file."""
    edges = {
        "type": "object",
        "additionalProperties": False,
        "description": "How edges are drawn.",
        "properties": {
            "encode": {
                "description": "What the weight of an edge sets: width, opacity, color.",
                "oneOf": [
                    {"enum": list(keys.EDGE_ENCODINGS)},
                    {
                        "type": "array",
                        "items": {"enum": list(keys.EDGE_ENCODINGS)},
                        "uniqueItems": True,
                    },
                ],
            },
            "curve": _choice(keys.CURVES, "Straight lines or Bezier curves."),
            "arrows": _choice(keys.ARROWS, "Arrowheads at the target end."),
            "color": {**_COLOR, "description": "Edge colour (overrides the theme)."},
            "width": {"type": "number", "exclusiveMinimum": 0, "maximum": 20},
            "opacity": {"type": "number", "minimum": 0, "maximum": 1},
        },
    }
    assert set(edges["properties"]) == set(model.EDGE_KEYS)
    labels = {
        "description": "Which label lines to draw (false: none).",
        "oneOf": [
            {"type": "boolean"},
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "titles": {"type": "boolean"},
                    "sizes": {
                        "oneOf": [{"type": "boolean"}, {"enum": list(keys.SIZE_LABELS)}],
                        "description": "math (ℝ⁷⁸⁴), plain (784) or none.",
                    },
                    "activations": {"type": "boolean"},
                    "dims": {"type": "boolean", "description": "Numbers on 3D box edges."},
                },
            },
        ],
    }
    assert set(labels["oneOf"][1]["properties"]) == set(model.LABEL_KEYS)
    props: dict[str, Any] = {
        "style": _choice(keys.STYLES, "Layout engine."),
        "title": {"type": "string", "description": "Figure title (SVG <title>)."},
        "description": {"type": "string", "description": "Figure description (SVG <desc>)."},
        "show_title": {"type": "boolean", "description": "Draw the title above the figure."},
        "theme": {
            "description": "A built-in theme name, a theme file, or a mapping of theme keys "
            "(with optional extends: NAME) that overrides the theme.",
            "oneOf": [{"type": "string"}, {"type": "object"}],
        },
        "direction": _choice(keys.DIRECTIONS, "Layers left to right, or top to bottom."),
        "layers": {
            "type": "array",
            "minItems": 1,
            "maxItems": keys.MAX_LAYERS,
            "items": _layer_schema(),
            "description": "The layers, input first.",
        },
        "weights": {
            "description": "Edge weights: 'random' (seeded demo weights), a .npz/.npy/.csv "
            "file, or a list of files (one matrix per layer pair).",
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "minItems": 1},
            ],
        },
        "seed": {"type": "integer", "minimum": 0, "description": "Seed of random weights."},
        "edges": edges,
        "labels": labels,
        "legend": {
            "description": "Colour bar of weights: auto (when colour encodes weight), true, false.",
            "oneOf": [{"type": "boolean"}, {"const": "auto"}],
        },
        "max_visible": {
            "type": "integer",
            "minimum": 3,
            "description": "Most nodes drawn per layer before eliding (default 16).",
        },
        "elide": {"type": "boolean", "description": "false draws every node and edge."},
        "width": {
            "type": "string",
            "description": "Printed figure width: 3.5in, 89mm, 8.9cm, 252pt, 336px.",
        },
        "camera": {
            "type": "object",
            "additionalProperties": False,
            "description": "The 3D view (style: alexnet); defaults are NN-SVG's camera.",
            "properties": {
                "azimuth": {"type": "number", "minimum": -180, "maximum": 180},
                "elevation": {"type": "number", "minimum": -80, "maximum": 80},
                "projection": {"enum": ["orthographic", "perspective", "oblique"]},
                "distance": {"type": "number", "minimum": 1.5, "maximum": 100},
            },
        },
        "input": {
            "description": "The input tensor of a CNN: a shape, or a mapping with shape.",
            "oneOf": [
                _SHAPE,
                {
                    "type": "object",
                    "required": ["shape"],
                    "additionalProperties": False,
                    "properties": {
                        "shape": _SHAPE,
                        "label": {"type": "string"},
                        "size_label": {"type": "string"},
                        "image": {"type": "string"},
                        "color": _COLOR,
                        "stroke": _COLOR,
                    },
                },
            ],
        },
    }
    assert set(props) == set(model.TOP_KEYS), "schema and model top-level keys differ"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://nnsvg.invalid/schema/spec-{__version__}.json",
        "title": "nnsvg spec",
        "description": "A neural-network figure for nnsvg.",
        "type": "object",
        "required": ["layers"],
        "additionalProperties": False,
        "properties": props,
    }
