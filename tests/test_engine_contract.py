"""Every spec key against every engine: a key an engine says it draws changes its
figure; a key it does not draw is a located error naming the key and the styles that
draw it. No key is silently ignored."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from nnsvg.engines import ENGINES
from nnsvg.engines.contract import COMMON_KEYS, COMMON_LAYER_KEYS
from nnsvg.errors import NnsvgError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.svg import render_svg
from nnsvg.spec.keys import BASE_TYPES, LAYER_TYPES
from nnsvg.spec.layer_read import INPUT_KEYS, LAYER_KEYS
from nnsvg.spec.model import CAMERA_KEYS, EDGE_KEYS, LABEL_KEYS, TOP_KEYS


def base(style: str) -> dict[str, Any]:
    """A figure each style draws (blocks: the CNN of lenet and alexnet, as blocks)."""
    if style == "fcnn":
        return {"style": style, "layers": [{"units": 3}, {"units": 4}, {"units": 2}]}
    return {
        "style": style,
        "input": {"shape": [16, 16, 3]},
        "layers": [
            {"type": "conv", "filters": 4, "kernel": 3},
            {"type": "pool"},
            {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "label": "c"},
            {"type": "dense", "units": 6, "label": "d", "activation": "tanh"},
            {"type": "dense", "units": 2},
        ],
    }


def target_layer(style: str, key: str) -> int:
    """The layer a layer key is tried on: a dense one (not the last) for dense keys."""
    if style == "fcnn":
        return 0 if key == "node_labels" else 1  # node names go on an input or output layer
    return 3 if key in ("units", "bias", "recurrent", "max_visible", "node_labels") else 2


# key -> (value, context): the value asks for something to be drawn; the context is
# what it needs to show (the figure with the context alone is the baseline).
TOP_SAMPLES: dict[str, tuple[Any, dict[str, Any]]] = {
    "direction": ("down", {}),
    "wrap": (2, {}),
    "seed": (7, {"edges": {"encode": ["color"]}}),
    "edges.encode": (["width"], {}),
    "edges.curve": ("bezier", {}),
    "edges.arrows": ("solid", {}),
    "edges.color": ("#ff0000", {}),
    "edges.width": (2.5, {}),
    "edges.opacity": (0.3, {}),
    "labels.titles": (True, {}),  # drawn as false: see DRAWN_AS
    "labels.sizes": ("plain", {}),
    "labels.activations": (True, {}),
    "labels.dims": (True, {}),
    "legend": (True, {}),
    "max_visible": (3, {}),
    "elide": (True, {}),
    "camera.azimuth": (30, {}),
    "camera.elevation": (40, {}),
    "camera.projection": ("perspective", {}),
    "camera.distance": (5, {"camera": {"projection": "perspective"}}),
}
# Where the default already asks for the thing, the drawn test sets the other value
# (``false`` never errors: it asks for nothing to be drawn).
DRAWN_AS: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {
    ("fcnn", "labels.titles"): (False, {}),
    ("lenet", "labels.titles"): (False, {}),
    ("alexnet", "labels.titles"): (False, {}),
    ("fcnn", "labels.activations"): (False, {"layers": [3, {"units": 4, "activation": "relu"}, 2]}),
    ("lenet", "labels.activations"): (False, {}),
    ("alexnet", "labels.activations"): (False, {}),
    ("lenet", "labels.sizes"): ("none", {}),
    ("alexnet", "labels.sizes"): ("none", {}),
    ("alexnet", "labels.dims"): (False, {}),
    ("blocks", "labels.sizes"): ("none", {}),
    ("blocks", "labels.activations"): (False, {}),
    ("blocks", "direction"): ("right", {}),  # down is its default
    ("blocks", "edges.arrows"): ("none", {}),  # solid is its default
    ("fcnn", "legend"): (False, {"edges": {"encode": ["color"]}}),
    ("fcnn", "elide"): (False, {"max_visible": 3}),
}
LAYER_SAMPLES: dict[str, tuple[Any, dict[str, Any]]] = {
    "label": ("L", {}),
    "size_label": ("S", {}),
    "op_label": ("Op", {}),
    "activation": ("relu", {}),
    "max_visible": (3, {}),
    "color": ("#ff0000", {}),
    "stroke": ("#00ff00", {}),
    "spacing": (50, {}),
    "image": ("x.png", {}),
    "skip_from": (0, {}),
    "merge": ("concat", {"skip_from": 0}),
    "bias": (True, {}),
    "recurrent": (True, {}),
    "node_labels": (["a", "b"], {}),
    "note": ("stride 4", {}),
    "category": ("attention", {}),
    "lane": (0, {}),
}
# Keys only the operation blocks take (attention's heads, dropout's rate ...): a style
# that cannot draw the block rejects the layer's type (test_blocks_spec.py), not each key.
BLOCK_KEYS = {k.name for t in LAYER_TYPES if t.name not in BASE_TYPES for k in t.keys} - {
    k.name for t in LAYER_TYPES if t.name in BASE_TYPES for k in t.keys
}
# A layer of each block type in the blocks style, with each key's value changed.
BLOCK_SAMPLES: dict[str, tuple[dict[str, Any], Any]] = {
    "heads": ({"type": "attention", "heads": 2}, 4),
    "rate": ({"type": "dropout", "rate": 0.1}, 0.5),
    "fn": ({"type": "activation", "fn": "relu"}, "gelu"),
    "vocab": ({"type": "embedding", "units": 4, "vocab": 100}, 200),
    "return_sequences": ({"type": "lstm", "units": 4}, False),
}
INPUT_SAMPLES: dict[str, Any] = {
    "label": "In",
    "size_label": "S",
    "color": "#ff0000",
    "stroke": "#00ff00",
    "image": "x.png",
    "lane": 0,
}
# Keys whose drawing needs a file: their errors are tested here, their drawing in
# test_images.py and test_weights*.py.
NEEDS_A_FILE = {"weights", "layers.image", "input.image"}


def sub_keys() -> list[str]:
    keys = [k for k in TOP_KEYS if k not in ("edges", "labels", "camera")]
    keys += [f"edges.{k}" for k in EDGE_KEYS]
    keys += [f"labels.{k}" for k in LABEL_KEYS]
    keys += [f"camera.{k}" for k in CAMERA_KEYS]
    return keys


def test_every_key_has_a_sample_or_is_common() -> None:
    # A new key must come with a sample here, so that its drawing is tested.
    for key in sub_keys():
        assert key in COMMON_KEYS or key in TOP_SAMPLES or key in NEEDS_A_FILE, key
    for key in LAYER_KEYS:
        assert key in COMMON_LAYER_KEYS or key in LAYER_SAMPLES or key in BLOCK_KEYS, key
    for key in INPUT_KEYS:
        assert key in ("shape", "name") or key in INPUT_SAMPLES, key


def test_every_key_is_drawn_by_some_engine() -> None:
    for key in sub_keys():
        assert any(e.draws.draws(key) for e in ENGINES.values()), key
    for key in LAYER_KEYS:
        assert any(e.draws.draws_layer_key(key) for e in ENGINES.values()), key
    for key in INPUT_KEYS:
        assert any(e.draws.draws_input_key(key) for e in ENGINES.values()), key


def put(spec: dict[str, Any], key: str, value: Any) -> None:
    if "." in key:
        parent, child = key.split(".")
        spec.setdefault(parent, {})[child] = value
    else:
        spec[key] = value


def merged(style: str, context: dict[str, Any]) -> dict[str, Any]:
    spec = base(style)
    for key, value in context.items():
        if isinstance(value, dict) and isinstance(spec.get(key), dict):
            spec[key] = {**spec[key], **value}
        else:
            spec[key] = copy.deepcopy(value)
    return spec


def svg_of(spec: dict[str, Any]) -> str:
    return render_svg(build_scene(load_spec("t.json", text=json.dumps(spec))))


def error_fields(spec: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(NnsvgError) as caught:
        build_scene(load_spec("t.json", text=json.dumps(spec)))
    errors = getattr(caught.value, "errors", [caught.value])
    return [(e.field or "", e.message) for e in errors]


def cases(kind: str) -> list[tuple[str, str]]:
    keys = {
        "top": [k for k in sub_keys() if k not in COMMON_KEYS and k != "weights"],
        "layer": [k for k in LAYER_KEYS if k not in COMMON_LAYER_KEYS and k not in BLOCK_KEYS],
        "input": [k for k in INPUT_KEYS if k not in ("shape", "name")],
    }[kind]
    return [(style, key) for style in ENGINES for key in keys]


def drawn(style: str, kind: str, key: str) -> bool:
    caps = ENGINES[style].draws
    if kind == "top":
        return caps.draws(key)
    return caps.draws_layer_key(key) if kind == "layer" else caps.draws_input_key(key)


def expected_message(style: str, kind: str, key: str) -> str:
    others = [s for s in ENGINES if s != style and drawn(s, kind, key)]
    if not others:
        return f"the {style} style cannot draw this key: remove it"
    return (
        f"the {style} style cannot draw this key: remove it, or draw the figure in the "
        f"{', '.join(others[:-1]) + ' or ' if len(others) > 1 else ''}{others[-1]} style"
    )


@pytest.mark.parametrize(("style", "key"), cases("top"))
def test_top_level_keys(style: str, key: str) -> None:
    if drawn(style, "top", key):
        value, context = DRAWN_AS.get((style, key), TOP_SAMPLES[key])
        before = merged(style, context)
        after = copy.deepcopy(before)
        put(after, key, value)
        assert svg_of(after) != svg_of(before), f"{key} changes nothing in {style}"
    else:
        value, context = TOP_SAMPLES[key]
        spec = merged(style, context)
        put(spec, key, value)
        assert (key, expected_message(style, "top", key)) in error_fields(spec)


@pytest.mark.parametrize(("style", "key"), cases("layer"))
def test_layer_keys(style: str, key: str) -> None:
    value, context = LAYER_SAMPLES[key]
    index = target_layer(style, key)
    before = base(style)
    before["layers"][index].update(context)
    after = copy.deepcopy(before)
    after["layers"][index][key] = value
    field = f"layers[{index}].{key}"
    if drawn(style, "layer", key) and f"layers.{key}" not in NEEDS_A_FILE:
        assert svg_of(after) != svg_of(before), f"{key} changes nothing in {style}"
    elif not drawn(style, "layer", key):
        assert (field, expected_message(style, "layer", key)) in error_fields(after)


@pytest.mark.parametrize(("style", "key"), cases("input"))
def test_input_keys(style: str, key: str) -> None:
    before = base(style)
    if style == "fcnn":  # the input is the first layer the fcnn style draws
        before["input"] = {"shape": [6]}
    after = copy.deepcopy(before)
    after["input"][key] = INPUT_SAMPLES[key]
    if drawn(style, "input", key) and f"input.{key}" not in NEEDS_A_FILE:
        assert svg_of(after) != svg_of(before), f"input.{key} changes nothing in {style}"
    elif not drawn(style, "input", key):
        assert (f"input.{key}", expected_message(style, "input", key)) in error_fields(after)


def test_weights_in_a_cnn_style_is_an_error() -> None:
    spec = base("lenet")
    spec["weights"] = "random"
    spec["edges"] = {"encode": ["color"]}
    assert error_fields(spec) == [
        ("weights", expected_message("lenet", "top", "weights")),
        ("edges.encode", expected_message("lenet", "top", "edges.encode")),
    ]


def test_keys_of_layers_the_fcnn_style_sums_up_are_not_checked() -> None:
    # --style fcnn on a CNN draws its dense tail; the conv layer's op_label is part of
    # the flattened tensor the tail starts from, not an undrawn key.
    spec = base("fcnn") | {
        "input": {"shape": [8, 8, 1], "image": "x.png"},
        "layers": [{"type": "conv", "filters": 2, "kernel": 3, "op_label": "Op"}, 4, 2],
    }
    assert "<svg" in svg_of(spec)


def test_all_undrawable_keys_are_reported_at_once() -> None:
    spec = base("alexnet") | {"elide": True, "max_visible": 8}
    spec["layers"][2]["op_label"] = "Op"
    fields = [f for f, _ in error_fields(spec)]
    assert fields == ["layers[2].op_label", "elide", "max_visible"]  # in file order


@pytest.mark.parametrize("style", list(ENGINES))
def test_edge_marks_of_from_items(style: str) -> None:
    """``from: [{name, label, style}]``: the label and style are keys (from.label,
    from.style) an engine draws or rejects; the name alone is a plain reference."""
    spec = base(style)
    index = target_layer(style, "label")
    plain = copy.deepcopy(spec)
    plain["layers"][index]["from"] = [-1]
    named = copy.deepcopy(spec)
    named["layers"][index]["from"] = [{"name": -1}]
    assert svg_of(named) == svg_of(plain)
    marked = copy.deepcopy(spec)
    marked["layers"][index]["from"] = [{"name": -1, "label": "Q", "style": "dashed"}]
    caps = ENGINES[style].draws
    if caps.draws_layer_key("from.label"):
        assert svg_of(marked) != svg_of(named)
        return
    for key in ("label", "style"):
        message = expected_message(style, "layer", f"from.{key}")
        assert (f"layers[{index}].from[0].{key}", message) in error_fields(marked)


@pytest.mark.parametrize("key", sorted(BLOCK_KEYS))
def test_keys_of_the_blocks(key: str) -> None:
    """Each key of a block type changes its block; the styles that cannot draw the
    type reject the layer (tests/test_blocks_spec.py)."""
    assert set(BLOCK_SAMPLES) == BLOCK_KEYS
    layer, value = BLOCK_SAMPLES[key]
    spec = {"style": "blocks", "input": {"shape": [10, 8]}, "layers": [dict(layer)]}
    if layer["type"] == "embedding":
        spec["input"] = {"shape": [10]}
    after = copy.deepcopy(spec)
    after["layers"][0][key] = value
    assert svg_of(after) != svg_of(spec)
    drawers = [name for name, e in ENGINES.items() if e.draws.draws_layer_key(key)]
    assert drawers == ["blocks"]
