"""The JSON Schema of spec files (``nnsvg schema``), for editor completion and checks.

Written from the tables :func:`~nnsvg.spec.model.build_spec` reads with (the keys of
:mod:`nnsvg.spec.keys`) and from the theme's own fields (for a spec's ``theme:``
overrides), so that the schema and the validator cannot drift apart. A layer's keys
depend on its ``type`` (if/then per type), so a key of another type is reported as
"Additional properties are not allowed".

What a schema cannot say, and nnsvg alone checks, is listed in :data:`CLI_ONLY`.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from nnsvg._version import __version__
from nnsvg.colors import CSS_COLORS
from nnsvg.spec.keys import (
    COMMON_LAYER,
    EDGE_STYLES,
    FROM_ITEM,
    GROUP,
    LAYER_TYPES,
    MAX_INPUTS,
    MAX_LAYERS,
    TOP,
    Key,
    LayerType,
)
from nnsvg.theme import SECTION_TYPES, Theme
from nnsvg.units import PX_PER_UNIT

__all__ = ["CLI_ONLY", "spec_schema"]

CLI_ONLY = (
    "a printed width's range (1px to 100000px: 2000in matches the pattern)",
    "only the last layer may not have a bias unit",
    "skip_from names an earlier layer",
    "layer shapes agree with the input shape and with each other",
    "theme ranges such as maps.min_side <= maps.max_side",
    "theme files named by theme or extends exist and are themes",
    "weight files exist and fit the layers",
    "fit has a width (its own or width's) and not two",
)
"""Rules nnsvg checks that the schema does not express."""

_TEXT = r"[^\x00-\x08\x0b-\x1f\x7f]*"  # no control characters other than tab and newline


def _ci(word: str) -> str:
    """A regular expression matching ``word`` in any letter case (JSON Schema patterns
    have no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _one_of(words: tuple[str, ...] | list[str]) -> str:
    return "^(?:" + "|".join(re.escape(w) for w in words) + ")$"


def _color_pattern(allow_none: bool) -> str:
    """What :func:`~nnsvg.colors.parse_color` accepts: #rgb, #rrggbb, a CSS colour name
    (any case), none or transparent when ``allow_none``, with spaces around."""
    names = [*CSS_COLORS, *(("none", "transparent") if allow_none else ())]
    return (
        r"^\s*(?:#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})|"
        + "|".join(_ci(name) for name in names)
        + r")\s*$"
    )


def _length_pattern() -> str:
    """What :func:`~nnsvg.units.parse_length` accepts, positive: a number, a unit or none."""
    units = "|".join(_ci(unit) for unit in PX_PER_UNIT)
    return (
        r"^\s*\+?(?=[0-9.]*[1-9])(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*(?:" + units + r")?\s*$"
    )


def _bounds(key: Key) -> dict[str, Any]:
    upper = "exclusiveMaximum" if key.exclusive_maximum else "maximum"
    return {
        name: value
        for name, value in (("minimum", key.minimum), (upper, key.maximum))
        if value is not None
    }


def _string(max_length: int = 1000, allow_empty: bool = True) -> dict[str, Any]:
    """A string as Checker.string reads it: a number is taken as its text."""
    blank = "" if allow_empty else r"(?=[\s\S]*\S)"
    return {"type": ["string", "number"], "maxLength": max_length, "pattern": f"^{blank}{_TEXT}$"}


def _color(allow_none: bool) -> dict[str, Any]:
    return {"type": "string", "$ref": "#/$defs/" + ("paint" if allow_none else "color")}


def _ints(key: Key, max_items: int) -> dict[str, Any]:
    """The keywords of a list of ints (the keywords of an int alongside apply to ints)."""
    return {"items": {"type": "integer", **_bounds(key)}, "minItems": 1, "maxItems": max_items}


def _mapping(keys: tuple[Key, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {key.name: _key(key) for key in keys},
        "additionalProperties": False,
    }
    required = [key.name for key in keys if not key.nullable]
    if required:
        out["required"] = required
    return out


def _kind(key: Key) -> dict[str, Any]:
    kind = key.kind
    if kind == "string":
        return _string(key.max_length, key.allow_empty)
    if kind in ("integer", "number"):
        return {"type": kind, **_bounds(key)}
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "choice":
        return {"enum": list(key.choices)}
    if kind == "color":
        return _color(key.allow_none)
    if kind == "ints":
        return {"type": ["integer", "array"], **_bounds(key), **_ints(key, key.dims)}
    if kind == "shape":
        return {"type": "array", **_ints(key, 3)}
    if kind == "strings":
        return {
            "type": "array",
            "maxItems": int(key.maximum or 0),
            "items": _string(key.max_length),
        }
    if kind == "padding":
        return {
            "type": ["string", "integer", "array"],
            "pattern": _one_of(key.choices),
            **_bounds(key),
            **_ints(key, key.dims),
        }
    if kind == "type":
        names = [t.name for t in LAYER_TYPES]
        return {"type": "string", "pattern": _type_pattern(LAYER_TYPES), "examples": names}
    if kind == "ref":
        return {"type": ["string", "integer"], **_bounds(key)}
    if kind in ("sources", "source"):
        one = {"type": ["string", "integer"], "minLength": 1, "maxLength": 100, "maximum": -1}
        if kind == "source":
            return one
        # an item may be a mapping {name, label, style}: the keywords of an object
        # apply to objects only, those of a string to strings only
        item = {
            **one,
            **_mapping(tuple(FROM_ITEM.values())),
            "type": ["string", "integer", "object"],
        }
        return {
            **item,
            "type": ["string", "integer", "object", "array"],
            "minItems": 1,
            "maxItems": MAX_LAYERS,
            "items": item,
        }
    if kind == "edge_style":
        return {
            "type": "string",
            "pattern": _one_of(EDGE_STYLES) + "|" + _color_pattern(False),
        }
    if kind == "inputs":
        item = {**_mapping(key.keys), "type": "object", "required": ["shape"]}
        return {"type": "array", "minItems": 1, "maxItems": MAX_INPUTS, "items": item}
    if kind == "points":
        return {
            "type": ["string", "number"],
            "pattern": r"^\s*[0-9]+(\.[0-9]+)?\s*([pP][tT])?\s*$",
            **_bounds(key),
        }
    if kind == "length":
        return {"type": ["string", "number"], "pattern": _length_pattern(), **_bounds(key)}
    if kind == "legend":
        return {"enum": ["auto", True, False]}
    if kind == "fit":
        return {
            **_mapping(key.keys),
            "type": ["boolean", "string", "object"],
            "pattern": _length_pattern(),
        }
    if kind == "wrap":
        return {"type": ["string", "integer"], "pattern": "^auto$", **_bounds(key)}
    if kind == "theme":
        return {
            **_string(key.max_length, key.allow_empty),
            "type": ["string", "object"],
            **{k: v for k, v in _theme_overrides().items() if k != "type"},
        }
    if kind == "weights":
        return {"type": ["string", "array"], "minItems": 1, "items": _string()}
    if kind == "encode":
        return {
            "type": ["string", "array"],
            "pattern": _one_of(key.choices),
            "items": {"enum": [*key.choices, None]},
        }
    if kind == "sizes":
        return {"enum": [*key.choices, True, False]}
    if kind == "layers":
        items = {
            "if": {"type": "object", "required": ["group"]},
            "then": {"$ref": "#/$defs/group"},
            "else": {"$ref": "#/$defs/layer"},
        }
        return {"type": "array", "minItems": 1, "maxItems": MAX_LAYERS, "items": items}
    if kind == "mapping":
        return _mapping(key.keys)
    if kind == "labels":
        return {**_mapping(key.keys), "type": ["boolean", "object"]}
    if kind == "input":
        shape = next(k for k in key.keys if k.name == "shape")
        return {**_mapping(key.keys), "type": ["array", "object"], **_ints(shape, 3)}
    raise AssertionError(f"{key.name}: no schema for a {kind} key")


def _key(key: Key) -> dict[str, Any]:
    """The schema of one key's value: null stands for "not given" unless not nullable."""
    out = {"description": key.description, **_kind(key)}
    if key.default is not None:
        out["default"] = key.default
    if key.nullable:
        if "type" in out:
            types = out["type"] if isinstance(out["type"], list) else [out["type"]]
            out["type"] = [*types, "null"]
        else:
            out["enum"] = [*out["enum"], None]
    return out


# --- layers -----------------------------------------------------------------------
def _type_pattern(types: tuple[LayerType, ...]) -> str:
    """A type's own name, exactly, or any of its aliases in any letter case."""
    words = [w for t in types for w in (re.escape(t.name), *(_ci(a) for a in t.aliases))]
    return "^(?:" + "|".join(words) + ")$"


def _present(name: str, keys: tuple[Key, ...] = ()) -> dict[str, Any]:
    """Key ``name`` is given, not null (its type as the key in ``keys`` says)."""
    key = next((k for k in keys if k.name == name), None)
    given = {"type": _kind(key)["type"]} if key is not None else {"not": {"type": "null"}}
    return {"required": [name], "properties": {name: given}}


def _layer_type(layer_type: LayerType) -> dict[str, Any]:
    keys = (*COMMON_LAYER.values(), *layer_type.keys)
    rules = [{"if": _present("shape"), "else": _present(need, keys)} for need in layer_type.needs]
    rules += [
        {"if": _present(k.name), "then": _present(k.requires, keys)} for k in keys if k.requires
    ]
    out: dict[str, Any] = {
        "description": layer_type.description
        + (f" Also written: {', '.join(layer_type.aliases)}." if layer_type.aliases else ""),
        # The common keys are described once, in the layer's schema; here they are
        # only named, for additionalProperties.
        "properties": {
            **dict.fromkeys(COMMON_LAYER, True),
            **{key.name: _key(key) for key in layer_type.keys},
        },
        "additionalProperties": False,
    }
    if rules:
        out["allOf"] = rules
    return out


def _layer() -> dict[str, Any]:
    """A layer: an integer (a dense layer's units) or a mapping, whose keys its type says."""
    dense = LAYER_TYPES[0]
    assert dense.name == "dense"
    branches = []
    for layer_type in LAYER_TYPES:
        is_type: dict[str, Any] = {"type": "string", "pattern": _type_pattern((layer_type,))}
        condition: dict[str, Any] = {"type": "object", "properties": {"type": is_type}}
        if layer_type is dense:  # no type (or null) is dense too
            is_type["type"] = ["string", "null"]
        else:
            condition["required"] = ["type"]
        branches.append({"if": condition, "then": {"$ref": f"#/$defs/{layer_type.name}_layer"}})
    return {
        "description": "A layer: its number of units (a dense layer), or a mapping whose "
        "type (default dense) says which keys it takes.",
        "type": ["integer", "object"],
        "minimum": 1,
        "maximum": dense.keys[0].maximum,
        "properties": {key.name: _key(key) for key in COMMON_LAYER.values()},
        "allOf": branches,
    }


# --- theme overrides ---------------------------------------------------------------
def _theme_value(meta: Any) -> dict[str, Any]:
    """A theme key's value as nnsvg.theme reads it (null only where it means none)."""
    kind = meta["kind"]
    bounds = {k: meta[k] for k in ("minimum", "maximum") if k in meta}
    if kind in ("number", "integer"):
        return {"type": kind, **bounds}
    if kind == "color":
        allow_none = meta.get("allow_none", True)
        out = _color(allow_none)
        return {**out, "type": ["string", "null"]} if allow_none else out
    if kind == "string":
        return _string()
    if kind == "choice":
        return {"enum": list(meta["choices"])}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "colorlist":
        return {"type": "array", "minItems": 1, "items": _color(False)}
    if kind == "dash":
        item = {"type": "number", "minimum": 0, "maximum": 1000}
        return {"type": ["array", "string", "null"], "pattern": "^none$", "items": item}
    raise AssertionError(kind)


def _theme_overrides() -> dict[str, Any]:
    """A spec's ``theme:`` mapping: any theme key, and the theme it extends."""
    props: dict[str, Any] = {
        "extends": {**_string(), "description": "The theme overridden (default: default)."}
    }
    props["extends"]["type"] = ["string", "number", "null"]
    for f in fields(Theme):
        if f.metadata["kind"] != "section":
            props[f.name] = {**_string(), "type": ["string", "number", "null"]}
            continue
        section = SECTION_TYPES[f.name]
        props[f.name] = {
            "type": "object",
            "description": f"The theme's {f.name} keys.",
            "properties": {sf.name: _theme_value(sf.metadata) for sf in fields(section)},
            "additionalProperties": False,
        }
    return {"type": "object", "properties": props, "additionalProperties": False}


def spec_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a spec file."""
    defs: dict[str, Any] = {
        "layer": _layer(),
        "group": {
            "description": "A group of layers, drawn as a frame with its label (the blocks "
            "style) or as a bracket under its layers (lenet, alexnet); its layers belong to "
            "the same graph.",
            **_mapping(tuple(GROUP.values())),
        },
        **{f"{t.name}_layer": _layer_type(t) for t in LAYER_TYPES},
        "color": {
            "description": "A colour: #rgb, #rrggbb or a CSS colour name (any case).",
            "pattern": _color_pattern(False),
        },
        "paint": {
            "description": "A colour: #rgb, #rrggbb, a CSS colour name (any case), or none.",
            "pattern": _color_pattern(True),
        },
    }
    network = _mapping(tuple(TOP.values()))
    from nnsvg.panels import panels_schema  # a figure of panels: nnsvg.panels

    defs.update(panels_schema(network, {name: _key(TOP[name]) for name in TOP}))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://nnsvg.invalid/schema/spec-{__version__}.json",
        "title": "nnsvg spec",
        "description": "A neural-network figure for nnsvg (or a figure of panels: "
        "panels: [...]). nnsvg also checks what this schema cannot say: "
        + "; ".join(CLI_ONLY)
        + ".",
        "if": {"type": "object", "required": ["panels"]},
        "then": {"$ref": "#/$defs/panels_figure"},
        "else": network,
        "$defs": defs,
    }
