"""Tests for spec parsing and validation (nnsvg.spec.model) and spec themes.

Every error kind is asserted as the full one-line message the user sees,
``file:line:col: field: what is wrong``.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.errors import SpecError, SpecErrors, ThemeError
from nnsvg.pipeline import RenderOptions, build_scene, load_spec, spec_theme
from nnsvg.spec.load import parse_document
from nnsvg.spec.model import (
    MAX_LAYERS,
    MAX_UNITS,
    TOP_KEYS,
    EdgeOptions,
    LabelOptions,
    Spec,
    build_spec,
)
from nnsvg.theme import builtin_theme_names, load_theme, resolve_theme, theme_to_data

SPECS = Path(__file__).resolve().parent.parent / "specs"


def spec_of(text: str, file: str = "spec.yaml") -> Spec:
    return load_spec(file, text=text)


def error_of(text: str, file: str = "spec.yaml") -> str:
    with pytest.raises(SpecError) as info:
        load_spec(file, text=text)
    return str(info.value)


def theme_error_of(text: str, file: str = "spec.yaml") -> str:
    spec = spec_of(text, file)
    with pytest.raises(ThemeError) as info:
        spec_theme(spec)
    return str(info.value)


def without_positions(spec: Spec) -> Spec:
    """The spec with every layer's location dropped (``source`` never compares)."""
    layers = tuple(dataclasses.replace(layer, location=None) for layer in spec.layers)
    return dataclasses.replace(spec, layers=layers)


_ALLOWED_TOP = ", ".join(f"'{k}'" for k in TOP_KEYS)

# (id, spec text, the complete message)
ERROR_CASES = [
    (
        "negative-units",
        "layers:\n  - {units: 784}\n  - {units: -3}\n",
        "spec.yaml:3:13: layers[1].units: must be a positive integer, got -3",
    ),
    (
        "unknown-top-key-without-close-match",
        "zzzzz: 1\nlayers: [3]\n",
        f"spec.yaml:1:1: zzzzz: unknown key 'zzzzz'; allowed keys: {_ALLOWED_TOP}",
    ),
    (
        "missing-layers",
        "title: A net\n",
        "spec.yaml:1:1: missing 'layers': give the units of each layer, "
        "e.g. layers: [784, 300, 10]",
    ),
    ("empty-layers", "layers: []\n", "spec.yaml:1:9: layers: must list at least one layer"),
    ("layers-a-number", "layers: 5\n", "spec.yaml:1:9: layers: must be a list of layers, got 5"),
    (
        "layers-a-mapping",
        "layers:\n  a: 1\n",
        "spec.yaml:2:3: layers: must be a list of layers, got a mapping",
    ),
    (
        "layer-a-string",
        "layers:\n  - 4\n  - abc\n",
        "spec.yaml:3:5: layers[1]: must be a number of units or a mapping with 'units', got 'abc'",
    ),
    (
        "layer-null",
        "layers: [4, null]\n",
        "spec.yaml:1:13: layers[1]: must be a number of units or a mapping with 'units', got null",
    ),
    (
        "bool-units",
        "layers:\n  - {units: true}\n",
        "spec.yaml:2:13: layers[0].units: must be a positive integer, got true",
    ),
    (
        "bool-shorthand",
        "layers: [true]\n",
        "spec.yaml:1:10: layers[0]: must be a number of units or a mapping with 'units', got true",
    ),
    (
        "float-units",
        "layers:\n  - {units: 3.5}\n",
        "spec.yaml:2:13: layers[0].units: must be a positive integer, got 3.5",
    ),
    (
        "string-units",
        "layers:\n  - {units: '3'}\n",
        "spec.yaml:2:13: layers[0].units: must be a positive integer, got '3'",
    ),
    ("zero-units", "layers: [0]\n", "spec.yaml:1:10: layers[0]: must be a positive integer, got 0"),
    (
        "units-above-max",
        f"layers: [{MAX_UNITS + 1}]\n",
        f"spec.yaml:1:10: layers[0]: must be at most {MAX_UNITS:,}, got {MAX_UNITS + 1:,}",
    ),
    (
        "units-above-max-mapping",
        f"layers:\n  - {{units: {MAX_UNITS + 1}}}\n",
        f"spec.yaml:2:13: layers[0].units: must be at most {MAX_UNITS:,}, got {MAX_UNITS + 1:,}",
    ),
    (
        "too-many-layers",
        "layers: [" + ", ".join(["2"] * (MAX_LAYERS + 1)) + "]\n",
        f"spec.yaml:1:9: layers: has {MAX_LAYERS + 1} layers; at most {MAX_LAYERS} are allowed",
    ),
    (
        "layer-without-units",
        "layers:\n  - {label: x}\n",
        "spec.yaml:2:5: layers[0]: missing 'units' (the number of nodes in this layer)",
    ),
    (
        "layer-type",
        "layers:\n  - {units: 3, type: convolutional}\n",
        "spec.yaml:2:22: layers[0].type: must be one of 'dense', 'conv', 'conv_transpose', "
        "'pool', 'upsample', 'flatten', 'add', 'multiply', 'concat', 'crop', "
        "'attention', 'layernorm', 'batchnorm', 'dropout', 'softmax', "
        "'activation', 'positional_encoding', 'embedding', 'lstm', 'gru', "
        "'op', got 'convolutional'",
    ),
    (
        "key-of-another-type",
        "layers:\n  - {units: 3, kernel: 5}\n",
        "spec.yaml:2:16: layers[0].kernel: 'kernel' does not apply to a dense layer (it belongs "
        "to conv, conv_transpose layers; set type: conv)",
    ),
    (
        "bad-style-did-you-mean",
        "style: fcn\nlayers: [3]\n",
        "spec.yaml:1:8: style: must be one of 'fcnn', 'lenet', 'alexnet', 'blocks', got 'fcn' "
        "(did you mean 'fcnn'?)",
    ),
    (
        "bad-direction",
        "direction: lefy\nlayers: [3]\n",
        "spec.yaml:1:12: direction: must be one of 'right', 'down', 'up', 'left', got 'lefy' "
        "(did you mean 'left'?)",
    ),
    (
        "bad-colour-name",
        "layers:\n  - {units: 3, color: notacolour}\n",
        "spec.yaml:2:23: layers[0].color: is not a colour: 'notacolour' "
        "(use #rgb, #rrggbb, a CSS colour name or 'none')",
    ),
    (
        "bad-colour-hex",
        "layers:\n  - {units: 3, stroke: '#12345'}\n",
        "spec.yaml:2:24: layers[0].stroke: is not a colour: '#12345' "
        "(use #rgb, #rrggbb, a CSS colour name or 'none')",
    ),
    (
        "colour-a-number",
        "layers:\n  - {units: 3, color: 5}\n",
        "spec.yaml:2:23: layers[0].color: must be a colour such as '#1f77b4' or 'steelblue', got 5",
    ),
    (
        "edge-colour-none",
        "edges: {color: none}\nlayers: [3]\n",
        "spec.yaml:1:16: edges.color: is not a colour: 'none' "
        "(use #rgb, #rrggbb, a CSS colour name)",
    ),
    (
        "bad-encode-item",
        "edges:\n  encode: [width, size]\nlayers: [3]\n",
        "spec.yaml:2:19: edges.encode[1]: must be one of 'width', 'opacity', 'color', got 'size'",
    ),
    (
        "bad-encode-string",
        "edges:\n  encode: size\nlayers: [3]\n",
        "spec.yaml:2:11: edges.encode: must be one of 'width', 'opacity', 'color', got 'size'",
    ),
    (
        "encode-a-mapping",
        "edges:\n  encode: {a: 1}\nlayers: [3]\n",
        "spec.yaml:2:11: edges.encode: must be a list of: width, opacity, color",
    ),
    (
        "bad-curve",
        "edges: {curve: wavy}\nlayers: [3]\n",
        "spec.yaml:1:16: edges.curve: must be one of 'straight', 'bezier', got 'wavy'",
    ),
    (
        "bad-arrows",
        "edges: {arrows: big}\nlayers: [3]\n",
        "spec.yaml:1:17: edges.arrows: must be one of 'none', 'open', 'solid', got 'big'",
    ),
    (
        "arrows-yes-is-a-bool",
        "edges: {arrows: yes}\nlayers: [3]\n",
        "spec.yaml:1:17: edges.arrows: must be one of 'none', 'open', 'solid', got true "
        "(YAML reads yes/no/on/off as true/false: quote the value)",
    ),
    (
        "edge-width-too-large",
        "edges: {width: 50}\nlayers: [3]\n",
        "spec.yaml:1:16: edges.width: must be from 0.01 to 20, got 50",
    ),
    (
        "edge-width-zero",
        "edges: {width: 0}\nlayers: [3]\n",
        "spec.yaml:1:16: edges.width: must be from 0.01 to 20, got 0",
    ),
    (
        "edge-width-a-string",
        "edges: {width: thick}\nlayers: [3]\n",
        "spec.yaml:1:16: edges.width: must be a number, got 'thick'",
    ),
    (
        "opacity-nan",
        "edges: {opacity: .nan}\nlayers: [3]\n",
        "spec.yaml:1:18: edges.opacity: must be a finite number, got nan",
    ),
    (
        "opacity-inf",
        "edges: {opacity: .inf}\nlayers: [3]\n",
        "spec.yaml:1:18: edges.opacity: must be a finite number, got inf",
    ),
    (
        "opacity-minus-inf",
        "edges: {opacity: -.inf}\nlayers: [3]\n",
        "spec.yaml:1:18: edges.opacity: must be a finite number, got -inf",
    ),
    (
        "opacity-above-one",
        "edges: {opacity: 1.5}\nlayers: [3]\n",
        "spec.yaml:1:18: edges.opacity: must be from 0 to 1, got 1.5",
    ),
    (
        "unknown-edge-key",
        "edges: {colour: red}\nlayers: [3]\n",
        "spec.yaml:1:9: edges.colour: unknown key 'colour' (did you mean 'color'?)",
    ),
    (
        "edges-a-string",
        "edges: bezier\nlayers: [3]\n",
        "spec.yaml:1:8: edges: must be a mapping, got 'bezier'",
    ),
    (
        "bad-label-sizes",
        "labels: {sizes: huge}\nlayers: [3]\n",
        "spec.yaml:1:17: labels.sizes: must be one of 'math', 'plain', 'none', got 'huge'",
    ),
    (
        "labels-a-string",
        "labels: maybe\nlayers: [3]\n",
        "spec.yaml:1:9: labels: must be a mapping, true or false, got 'maybe'",
    ),
    (
        "labels-titles-not-bool",
        "labels: {titles: 1}\nlayers: [3]\n",
        "spec.yaml:1:18: labels.titles: must be true or false, got 1",
    ),
    (
        "bad-legend",
        "legend: sometimes\nlayers: [3]\n",
        "spec.yaml:1:9: legend: must be auto, true or false, got 'sometimes'",
    ),
    (
        "max-visible-below-3",
        "max_visible: 2\nlayers: [3]\n",
        "spec.yaml:1:14: max_visible: must be an integer >= 3, got 2",
    ),
    (
        "layer-max-visible-below-3",
        "layers:\n  - {units: 30, max_visible: 1}\n",
        "spec.yaml:2:30: layers[0].max_visible: must be an integer >= 3, got 1",
    ),
    (
        "negative-seed",
        "seed: -1\nlayers: [3]\n",
        "spec.yaml:1:7: seed: must be a non-negative integer, got -1",
    ),
    (
        "seed-too-large",
        f"seed: {2**63}\nlayers: [3]\n",
        f"spec.yaml:1:7: seed: must be at most {2**63 - 1:,}, got {2**63:,}",
    ),
    (
        "width-bad-unit",
        "width: 3.5inch\nlayers: [3]\n",
        "spec.yaml:1:8: width: invalid length '3.5inch': expected a positive number with a unit "
        "in, mm, cm, pt, pc or px (e.g. 3.5in, 89mm)",
    ),
    (
        "width-zero",
        "width: 0mm\nlayers: [3]\n",
        "spec.yaml:1:8: width: invalid length '0mm': expected a positive number with a unit "
        "in, mm, cm, pt, pc or px (e.g. 3.5in, 89mm)",
    ),
    (
        "bias-on-last-layer",
        "layers:\n  - 3\n  - {units: 2, bias: true}\n",
        "spec.yaml:3:22: layers[1].bias: the last layer feeds no other layer, "
        "so it cannot have a bias unit",
    ),
    (
        "bias-not-bool",
        "layers:\n  - {units: 2, bias: 'yes'}\n  - 1\n",
        "spec.yaml:2:22: layers[0].bias: must be true or false, got 'yes'",
    ),
    (
        "recurrent-a-number",
        "layers:\n  - {units: 2, recurrent: 1}\n",
        "spec.yaml:2:27: layers[0].recurrent: must be true or false, got 1",
    ),
    (
        "recurrent-a-string",
        "layers:\n  - {units: 2, recurrent: 'yes'}\n",
        "spec.yaml:2:27: layers[0].recurrent: must be true or false, got 'yes'",
    ),
    (
        "label-control-character",
        'layers:\n  - {units: 2, label: "a\\x01b"}\n',
        "spec.yaml:2:23: layers[0].label: must not contain control characters (other than tab)",
    ),
    (
        "raw-control-character",
        "title: a\x01b\nlayers: [2]\n",
        "spec.yaml:1:9: character U+0001 is not allowed in a YAML file; remove it, "
        'or write it as an escape inside double quotes ("\\u0001")',
    ),
    (
        "label-too-long",
        f"layers:\n  - {{units: 2, label: {'x' * 201}}}\n",
        "spec.yaml:2:23: layers[0].label: is 201 characters long; at most 200 are allowed",
    ),
    (
        "theme-a-list",
        "theme: [paper, dark]\nlayers: [3]\n",
        "spec.yaml:1:8: theme: must be a theme name, a theme file path, or a mapping of theme "
        "keys, got a list",
    ),
    ("theme-empty-name", "theme: ''\nlayers: [3]\n", "spec.yaml:1:8: theme: must not be empty"),
    (
        "weights-a-number",
        "weights: 5\nlayers: [3]\n",
        "spec.yaml:1:10: weights: must be 'random', a weight file (.npz, .npy, .csv) or a list "
        "of files, got 5",
    ),
    (
        "elide-a-string",
        "elide: 'no'\nlayers: [3]\n",
        "spec.yaml:1:8: elide: must be true or false, got 'no'",
    ),
    (
        "spec-a-list",
        "- 3\n- 4\n",
        "spec.yaml:1:1: the spec must be a mapping (key: value), got a list",
    ),
    (
        "empty-spec",
        "# nothing here\n",
        "spec.yaml:1:1: the spec is empty; expected a mapping with at least 'layers'",
    ),
    (
        "duplicate-key",
        "layers: [3]\nlayers: [4]\n",
        "spec.yaml:2:1: duplicate key 'layers' (first given at line 1); "
        "each key may appear once in a mapping",
    ),
    (
        "tab-indentation",
        "layers:\n\t- 3\n",
        "spec.yaml:2:1: invalid YAML: found character '\\t' that cannot start any token; "
        "tabs are not allowed for indentation in YAML; use spaces",
    ),
    (
        "python-tag",
        "layers: !!python/object:os.system [3]\n",
        "spec.yaml:1:9: layers: tag '!!python/object:os.system' is not allowed; a spec holds "
        "only plain YAML values (strings, numbers, booleans, null, lists and mappings)",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in ERROR_CASES], ids=[c[0] for c in ERROR_CASES]
)
def test_error_message(text: str, message: str) -> None:
    assert error_of(text) == message


def test_error_is_one_line_and_located() -> None:
    with pytest.raises(SpecError) as info:
        spec_of("layers:\n  - {units: 784}\n  - {units: -3}\n")
    err = info.value
    assert "\n" not in str(err)
    assert (err.location.file, err.location.line, err.location.column) == ("spec.yaml", 3, 13)
    assert err.field == "layers[1].units"
    assert err.message == "must be a positive integer, got -3"


def test_unknown_top_level_key_did_you_mean() -> None:
    # The typo is reported once, at the key (no second "missing 'layers'").
    assert error_of("layer: [784, 10]\n").splitlines() == [
        "spec.yaml:1:1: layer: unknown key 'layer' (did you mean 'layers'?)",
    ]


def test_unknown_top_level_key_located_at_the_key() -> None:
    assert error_of("layers: [3]\ntitel: x\n") == (
        "spec.yaml:2:1: titel: unknown key 'titel' (did you mean 'title'?)"
    )


def test_unknown_layer_key_did_you_mean() -> None:
    assert error_of("layers:\n  - {units: 3, colr: red}\n") == (
        "spec.yaml:2:16: layers[0].colr: unknown key 'colr' (did you mean 'color'?)"
    )
    # 'unit' instead of 'units': one error, at the typo.
    assert error_of("layers:\n  - {unit: 3}\n").splitlines() == [
        "spec.yaml:2:6: layers[0].unit: unknown key 'unit' (did you mean 'units'?)",
    ]


def test_multiple_errors_one_line_each_in_file_order() -> None:
    text = (
        "seed: -2\n"  # line 1
        "style: fcn\n"  # line 2
        "layers:\n"
        "  - {units: -1}\n"  # line 4
        "  - {units: 0, colr: red}\n"  # line 5
        "direction: upp\n"  # line 6
    )
    with pytest.raises(SpecErrors) as info:
        spec_of(text)
    assert str(info.value).splitlines() == [
        "spec.yaml:1:7: seed: must be a non-negative integer, got -2",
        "spec.yaml:2:8: style: must be one of 'fcnn', 'lenet', 'alexnet', 'blocks', got 'fcn' "
        "(did you mean 'fcnn'?)",
        "spec.yaml:4:13: layers[0].units: must be a positive integer, got -1",
        "spec.yaml:5:13: layers[1].units: must be a positive integer, got 0",
        "spec.yaml:5:16: layers[1].colr: unknown key 'colr' (did you mean 'color'?)",
        "spec.yaml:6:12: direction: must be one of 'right', 'down', 'up', 'left', got 'upp' "
        "(did you mean 'up'?)",
    ]
    assert len(info.value.errors) == 6
    # The exception itself stands for the first problem.
    assert info.value.field == "seed"
    assert info.value.location.line == 1


def test_file_name_appears_in_messages() -> None:
    assert error_of("layers: [0]\n", file="nets/mlp.yaml").startswith("nets/mlp.yaml:1:10: ")


def test_json_errors_are_located() -> None:
    text = '{"layers": [{"units": 4},\n  {"units": -3}]}\n'
    assert error_of(text, file="spec.json") == (
        "spec.json:2:13: layers[1].units: must be a positive integer, got -3"
    )


def test_invalid_json_is_located() -> None:
    expected = (
        "spec.json:1:14: invalid JSON: Illegal trailing comma before end of array"
        if sys.version_info >= (3, 13)  # the json module names a trailing comma itself
        else "spec.json:1:15: invalid JSON: Expecting value"
    )
    assert error_of('{"layers": [3,]}\n', file="spec.json") == expected


# --------------------------------------------------------------------------- valid forms


def test_defaults() -> None:
    spec = spec_of("layers: [3, 2]\n")
    assert [layer.units for layer in spec.layers] == [3, 2]
    assert [layer.index for layer in spec.layers] == [0, 1]
    assert spec.style == "fcnn"
    assert spec.direction is None  # the style's own: right here (nnsvg.network.style_direction)
    assert spec.theme is None and spec.theme_overrides is None
    assert spec.seed == 0
    assert spec.elide is True
    assert spec.legend is None
    assert spec.width is None
    assert spec.edges == EdgeOptions()
    assert spec.labels == LabelOptions()
    assert spec.weights is None and spec.random_weights is False


def test_integral_float_units_are_accepted() -> None:
    assert spec_of("layers: [3.0]\n").layers[0].units == 3


def test_units_at_max_are_accepted() -> None:
    assert spec_of(f"layers: [{MAX_UNITS}]\n").layers[0].units == MAX_UNITS


def test_max_layers_are_accepted() -> None:
    spec = spec_of("layers: [" + ", ".join(["2"] * MAX_LAYERS) + "]\n")
    assert len(spec.layers) == MAX_LAYERS


def test_style_fcnn() -> None:
    assert spec_of("style: fcnn\nlayers: [3]\n").style == "fcnn"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("false", LabelOptions(titles=False, sizes="none", activations=False, dims=False)),
        ("true", LabelOptions()),
        ("{titles: false}", LabelOptions(titles=False)),
        ("{sizes: plain, activations: false}", LabelOptions(sizes="plain", activations=False)),
        ("{sizes: false}", LabelOptions(sizes="none")),
        ("{sizes: true}", LabelOptions(sizes="math")),
        ("{sizes: none}", LabelOptions(sizes="none")),
        ("{}", LabelOptions()),
        ("{dims: false}", LabelOptions(dims=False)),
    ],
)
def test_labels_forms(value: str, expected: LabelOptions) -> None:
    assert spec_of(f"labels: {value}\nlayers: [3]\n").labels == expected


@pytest.mark.parametrize(("value", "expected"), [("auto", None), ("true", True), ("false", False)])
def test_legend_forms(value: str, expected: bool | None) -> None:
    assert spec_of(f"legend: {value}\nlayers: [3]\n").legend is expected


@pytest.mark.parametrize("value", ["3.5in", "89mm", "8.9cm", "252pt", "336px", "336", "3.5 in"])
def test_width_ok(value: str) -> None:
    spec = spec_of(f"width: {value}\nlayers: [3]\n")
    assert spec.width == value
    build_scene(spec)  # the renderer accepts it too


# Regression: these passed validation but pipeline.physical_width refused them.
@pytest.mark.parametrize("value", ["3.5IN", "+2in", "1.in"])
def test_width_accepted_by_validation_renders(value: str) -> None:
    spec = spec_of(f"width: '{value}'\nlayers: [3]\n")
    assert spec.width == value
    build_scene(spec)


def test_edges_options() -> None:
    spec = spec_of(
        "edges: {encode: [width, color, width], curve: bezier, arrows: open, "
        "color: red, width: 1.5, opacity: 0.5}\nlayers: [3, 2]\n"
    )
    assert spec.edges == EdgeOptions(
        encode=("width", "color"),
        curve="bezier",
        arrows="open",
        color=spec.edges.color,
        width=1.5,
        opacity=0.5,
    )
    assert spec.edges.color is not None
    # Encodings without a weight file use seeded random weights.
    assert spec.random_weights is True


def test_encode_single_string() -> None:
    assert spec_of("edges: {encode: opacity}\nlayers: [3]\n").edges.encode == ("opacity",)


def test_bias_and_recurrent() -> None:
    spec = spec_of("layers:\n  - {units: 3, bias: true, recurrent: true}\n  - 2\n")
    assert spec.layers[0].bias is True
    assert spec.layers[0].recurrent == "layer"
    assert spec.layers[1].bias is False and spec.layers[1].recurrent is None


# Regression: the bias check looked at the last *valid* layer and blamed layers[N-1].bias.
def test_bias_check_does_not_blame_an_invalid_last_layer() -> None:
    text = "layers:\n  - {units: 2, bias: true}\n  - {units: -1}\n"
    assert error_of(text) == "spec.yaml:3:13: layers[1].units: must be a positive integer, got -1"
    text = "layers:\n  - {units: 2, bias: true}\n  - abc\n"
    assert error_of(text) == (
        "spec.yaml:3:5: layers[1]: must be a number of units or a mapping with 'units', got 'abc'"
    )


def test_seed_and_max_visible() -> None:
    spec = spec_of("seed: 42\nmax_visible: 3\nlayers: [{units: 100, max_visible: 5}]\n")
    assert spec.seed == 42
    assert spec.max_visible == 3
    assert spec.layers[0].max_visible == 5


def test_label_with_tab_is_allowed() -> None:
    assert spec_of('layers:\n  - {units: 2, label: "a\\tb"}\n').layers[0].label == "a\tb"


def test_numeric_label_is_text() -> None:
    assert spec_of("layers:\n  - {units: 2, label: 42}\n").layers[0].label == "42"


def test_theme_as_a_name() -> None:
    spec = spec_of("theme: paper\nlayers: [3]\n")
    assert spec.theme == "paper"
    assert spec.theme_overrides is None


def test_theme_as_a_mapping_with_extends() -> None:
    spec = spec_of("theme:\n  extends: dark\n  node: {radius: 7}\nlayers: [3]\n")
    assert spec.theme == "dark"
    assert spec.theme_overrides == {"node": {"radius": 7}}
    theme = spec_theme(spec)
    assert theme.node.radius == 7
    assert theme.canvas.background == load_theme("dark").canvas.background


def test_theme_overrides_without_extends_use_default() -> None:
    spec = spec_of("theme:\n  edge: {width: 2}\nlayers: [3]\n")
    assert spec.theme is None
    theme = spec_theme(spec)
    assert theme.edge.width == 2
    assert theme.node == load_theme("default").node


# --------------------------------------------------------------------------- equivalences

YAML_SPEC = """\
title: T
layers:
  - {units: 4, label: In, bias: true}
  - {units: 3, activation: relu, color: '#ff0000'}
  - 2
edges: {encode: [width], curve: bezier}
theme: {extends: paper, node: {radius: 5}}
labels: {sizes: plain}
legend: true
width: 3.5in
seed: 7
"""

JSON_SPEC = """\
{
  "title": "T",
  "layers": [
    {"units": 4, "label": "In", "bias": true},
    {"units": 3, "activation": "relu", "color": "#ff0000"},
    2
  ],
  "edges": {"encode": ["width"], "curve": "bezier"},
  "theme": {"extends": "paper", "node": {"radius": 5}},
  "labels": {"sizes": "plain"},
  "legend": true,
  "width": "3.5in",
  "seed": 7
}
"""


def test_json_gives_the_same_spec_as_yaml() -> None:
    from_yaml = spec_of(YAML_SPEC, "spec.yaml")
    from_json = spec_of(JSON_SPEC, "spec.json")
    assert without_positions(from_json) == without_positions(from_yaml)
    for field in dataclasses.fields(Spec):
        if field.name not in ("source", "layers"):
            assert getattr(from_json, field.name) == getattr(from_yaml, field.name), field.name


# Regression: Layer.location took part in equality, so JSON and YAML gave unequal Specs.
def test_spec_equality_ignores_positions() -> None:
    assert spec_of(JSON_SPEC, "spec.json") == spec_of(YAML_SPEC, "spec.yaml")


def test_shorthand_equals_mappings() -> None:
    short = spec_of("layers: [4, 3]\n")
    longhand = spec_of("layers: [{units: 4}, {units: 3}]\n")
    assert without_positions(short) == without_positions(longhand)


_LAYER_ENTRIES = [
    ("units", "5"),
    ("label", "Hidden"),
    ("activation", "relu"),
    ("bias", "true"),
    ("recurrent", "true"),
    ("max_visible", "4"),
    ("color", "'#abcdef'"),
    ("stroke", "black"),
    ("size_label", "five"),
]


@settings(max_examples=40, deadline=None)
@given(st.permutations(_LAYER_ENTRIES))
def test_layer_key_order_does_not_matter(entries: list[tuple[str, str]]) -> None:
    def spec_for(items: list[tuple[str, str]]) -> Spec:
        body = ", ".join(f"{k}: {v}" for k, v in items)
        return spec_of(f"layers:\n  - {{{body}}}\n  - 2\n")

    assert without_positions(spec_for(list(entries))) == without_positions(spec_for(_LAYER_ENTRIES))


def test_top_level_key_order_does_not_matter() -> None:
    lines = YAML_SPEC.splitlines()
    # Move the first key (title) to the end; the nested list stays together.
    reordered = "\n".join([*lines[1:], lines[0]]) + "\n"
    assert without_positions(spec_of(reordered)) == without_positions(spec_of(YAML_SPEC))


def test_parse_document_and_build_spec_match_load_spec() -> None:
    doc = parse_document(YAML_SPEC, "spec.yaml")
    assert build_spec(doc) == spec_of(YAML_SPEC)


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.name)
def test_example_specs_validate(path: Path) -> None:
    spec = load_spec(path)
    for one in getattr(spec, "panels", None) or [spec]:  # a figure of panels: each
        one = getattr(one, "spec", one)
        assert one.layers
        spec_theme(one)


# --------------------------------------------------------------------------- themes


def test_unknown_theme_key_in_spec_override_is_located_at_the_key() -> None:
    text = "layers: [3]\ntheme:\n  nod: {radius: 3}\n"
    assert theme_error_of(text) == (
        "spec.yaml:3:3: theme.nod: unknown theme key 'nod' (did you mean 'node'?)"
    )


def test_unknown_nested_theme_key_in_spec_override() -> None:
    text = "layers: [3]\ntheme:\n  node: {radus: 3}\n"
    assert theme_error_of(text) == (
        "spec.yaml:3:10: theme.node.radus: unknown theme key 'radus' (did you mean 'radius'?)"
    )


def test_bad_theme_value_in_spec_override() -> None:
    assert theme_error_of("theme: {node: {radius: -1}}\nlayers: [3]\n") == (
        "spec.yaml:1:24: theme.node.radius: must be from 1 to 200, got -1"
    )


def test_bad_theme_colour_in_spec_override() -> None:
    assert theme_error_of("layers: [3]\ntheme:\n  edge: {color: nope}\n") == (
        "spec.yaml:3:17: theme.edge.color: is not a colour: 'nope' "
        "(use #rgb, #rrggbb, a CSS colour name)"
    )


def test_theme_section_not_a_mapping() -> None:
    assert theme_error_of("layers: [3]\ntheme:\n  node: 5\n") == (
        "spec.yaml:3:9: theme.node: must be a mapping of theme keys"
    )


def test_unknown_builtin_theme_in_spec_did_you_mean() -> None:
    assert theme_error_of("theme: papr\nlayers: [3]\n") == (
        "spec.yaml:1:8: unknown theme 'papr' (did you mean 'paper'?); built-in themes: "
        "colorblind, dark, default, latex, paper (or give a path to a .yaml theme file)"
    )


def test_unknown_builtin_theme_did_you_mean() -> None:
    with pytest.raises(ThemeError) as info:
        resolve_theme("drak")
    assert str(info.value) == (
        "unknown theme 'drak' (did you mean 'dark'?); built-in themes: "
        "colorblind, dark, default, latex, paper (or give a path to a .yaml theme file)"
    )


def test_unknown_theme_without_close_match_lists_themes() -> None:
    with pytest.raises(ThemeError) as info:
        load_theme("zzz")
    assert str(info.value) == (
        "unknown theme 'zzz'; built-in themes: colorblind, dark, default, latex, paper "
        "(or give a path to a .yaml theme file)"
    )


def test_theme_file_not_found_is_located_in_the_spec() -> None:
    assert theme_error_of("theme: themes/missing.yaml\nlayers: [3]\n") == (
        "spec.yaml:1:8: theme file not found: themes/missing.yaml"
    )


def test_theme_file_path_is_relative_to_the_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "themes").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "themes" / "base.yaml").write_text("extends: paper\nnode: {radius: 6}\n")
    (tmp_path / "themes" / "mine.yaml").write_text(
        "name: mine\nextends: base.yaml\nedge: {width: 1.25}\n"
    )
    spec_file = tmp_path / "specs" / "net.yaml"
    spec_file.write_text("theme: ../themes/mine.yaml\nlayers: [3, 2]\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    # themes/ is beside specs/, outside the spec's folder: a project file at the top
    # (its folder is RenderOptions.project_dir) lets the spec name it.
    theme = spec_theme(load_spec(spec_file), RenderOptions(project_dir=tmp_path))
    assert theme.name == "mine"
    assert theme.node.radius == 6  # from base.yaml, found next to mine.yaml
    assert theme.edge.width == 1.25
    assert "Times" in theme.font.family  # from paper


def test_a_theme_beside_the_specs_folder_needs_a_project_file_or_allow_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a project file only the spec's own folder is read (as for images)."""
    (tmp_path / "themes").mkdir()
    (tmp_path / "specs").mkdir()
    (tmp_path / "themes" / "mine.yaml").write_text("name: mine\nextends: paper\n")
    spec_file = tmp_path / "specs" / "net.yaml"
    spec_file.write_text("theme: ../themes/mine.yaml\nlayers: [3, 2]\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ThemeError) as info:
        spec_theme(load_spec(spec_file))
    assert str(info.value) == (
        f"{spec_file}:1:8: theme file '../themes/mine.yaml' is outside the spec's folder; "
        "nnsvg reads the theme files a spec names only from there (use --allow-outside, "
        "or put an nnsvg.toml in a folder above both)"
    )
    theme = spec_theme(load_spec(spec_file), RenderOptions(allow_outside=True))
    assert theme.name == "mine"


def test_extends_loop_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nnode: {radius: 4}\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nnode: {radius: 5}\n")
    spec_file = tmp_path / "net.yaml"
    spec_file.write_text("theme: a.yaml\nlayers: [3]\n")
    with pytest.raises(ThemeError) as info:
        spec_theme(load_spec(spec_file))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'b.yaml'}:1:10: extends: themes extend each other")
    assert message.endswith("in a loop (a.yaml -> b.yaml -> a.yaml)")


def test_extends_self_loop(tmp_path: Path) -> None:
    (tmp_path / "self.yaml").write_text("extends: self.yaml\n")
    with pytest.raises(ThemeError, match=r"in a loop \(self.yaml -> self.yaml\)"):
        load_theme(str(tmp_path / "self.yaml"))


def test_builtin_theme_names() -> None:
    assert {"default", "paper", "colorblind", "dark"} <= set(builtin_theme_names())


@pytest.mark.parametrize("name", builtin_theme_names())
def test_builtin_theme_loads_and_round_trips(name: str, tmp_path: Path) -> None:
    theme = load_theme(name)
    assert theme.name == name
    assert theme.description
    path = tmp_path / f"{name}-copy.yaml"
    path.write_text(yaml.safe_dump(theme_to_data(theme), sort_keys=False, allow_unicode=True))
    assert load_theme(str(path)) == theme


def test_theme_file_with_unknown_key_is_located_in_that_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("node:\n  radius: 4\n  fil: red\n")
    with pytest.raises(ThemeError) as info:
        load_theme(str(path))
    assert str(info.value) == (
        f"{path}:3:3: node.fil: unknown theme key 'fil' (did you mean 'fill'?)"
    )


def test_null_means_not_set_for_optional_keys() -> None:
    text = "legend: null\ntitle:\nseed: ~\ndirection:\nlayers: [3, 2]\n"
    spec = load_spec("spec.yaml", text=text)
    assert (spec.legend, spec.title, spec.seed, spec.direction) == (None, None, 0, None)


def test_single_layer_cannot_have_a_bias_unit() -> None:
    assert error_of("layers:\n  - {units: 3, bias: true}\n") == (
        "spec.yaml:2:22: layers[0].bias: the last layer feeds no other layer, so it cannot have "
        "a bias unit"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "input: {shape: null}\nlayers: [{type: conv, filters: 4, kernel: 3}]\n",
            "spec.yaml:1:16: input.shape: must be a list: [height, width, channels] or "
            "[length, channels], got null",
        ),
        (
            "input: {label: x}\nlayers: [{type: conv, filters: 4, kernel: 3}]\n",
            "spec.yaml:1:8: input: missing 'shape': e.g. input: {shape: [32, 32, 1]}",
        ),
    ],
)
def test_an_input_without_a_shape_says_so(text: str, message: str) -> None:
    """Not 'the spec has no input' further down: the input is there, its shape is not."""
    with pytest.raises(SpecError) as info:
        spec_of(text)
    assert str(info.value).splitlines()[0] == message


def test_a_spec_without_direction_takes_its_styles_own() -> None:
    from nnsvg.network import resolve

    for style, direction in (("fcnn", "right"), ("lenet", "right"), ("blocks", "down")):
        spec = load_spec("spec.yaml", text=f"style: {style}\nlayers: [3, 2]\n")
        assert resolve(spec).direction == direction
    spec = load_spec("spec.yaml", text="style: blocks\ndirection: right\nlayers: [3, 2]\n")
    assert resolve(spec).direction == "right"
