"""The JSON Schema (``nnsvg schema``) against the validator it is written from.

Every gallery spec is valid for both; every kind of error the validator reports (a spec
error from build_spec, or a theme error for a spec's theme overrides) is a schema error
at the same place, and a specific one; specs the validator accepts in unusual forms are
valid for the schema too. Rules the schema cannot express are listed, each with a case
the schema accepts and nnsvg refuses, so that the gap stays known.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from nnsvg.errors import NnsvgError, SpecError, ThemeError
from nnsvg.pipeline import load_spec, spec_theme
from nnsvg.spec import keys
from nnsvg.spec.load import format_path
from nnsvg.spec.model import CameraOptions, LabelOptions, Spec
from nnsvg.spec.schema import CLI_ONLY, spec_schema
from nnsvg.theme import SECTION_TYPES, Theme

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = spec_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    assert cls is jsonschema.Draft202012Validator
    return cls(schema)


def cli_fields(spec: Any) -> list[str] | None:
    """The fields of nnsvg's errors for ``spec`` (its own, then its theme's), or None
    when nnsvg accepts it."""
    try:
        spec_theme(load_spec("spec.json", text=json.dumps(spec)))
    except (SpecError, ThemeError) as err:
        return [e.field or "" for e in getattr(err, "errors", [err])]
    return None


def schema_errors(validator: Any, spec: Any) -> list[tuple[str, str]]:
    return [(format_path(tuple(e.absolute_path)), e.message) for e in validator.iter_errors(spec)]


def layer(**kw: Any) -> dict[str, Any]:
    return {"layers": [kw]}


def theme(**sections: Any) -> dict[str, Any]:
    return {"layers": [3], "theme": sections}


# (id, spec, the field nnsvg reports). The schema must report an error at that field or
# at a mapping holding it (unknown and missing keys are the mapping's errors).
INVALID: list[tuple[str, Any, str]] = [
    # the document and its top-level keys
    ("not-a-mapping", [1, 2], ""),
    ("unknown-top-key", {"layers": [3], "colour": "red"}, "colour"),
    ("missing-layers", {"title": "no layers"}, ""),
    ("null-layers", {"layers": None}, ""),
    ("layers-not-a-list", {"layers": 5}, "layers"),
    ("empty-layers", {"layers": []}, "layers"),
    ("too-many-layers", {"layers": [3] * (keys.MAX_LAYERS + 1)}, "layers"),
    ("bad-style", {"layers": [3], "style": "fcn"}, "style"),
    ("bad-direction", {"layers": [3], "direction": "sideways"}, "direction"),
    ("direction-yes", {"layers": [3], "direction": True}, "direction"),
    ("title-a-list", {"layers": [3], "title": [1]}, "title"),
    ("title-a-bool", {"layers": [3], "title": True}, "title"),
    ("title-too-long", {"layers": [3], "title": "x" * 501}, "title"),
    ("title-control", {"layers": [3], "title": "a\x01b"}, "title"),
    ("description-too-long", {"layers": [3], "description": "x" * 5001}, "description"),
    ("show-title-a-string", {"layers": [3], "show_title": "yes"}, "show_title"),
    ("elide-a-number", {"layers": [3], "elide": 1}, "elide"),
    ("seed-negative", {"layers": [3], "seed": -1}, "seed"),
    ("seed-too-large", {"layers": [3], "seed": 2**63}, "seed"),
    ("seed-a-string", {"layers": [3], "seed": "1"}, "seed"),
    ("max-visible-low", {"layers": [3], "max_visible": 2}, "max_visible"),
    ("max-visible-high", {"layers": [3], "max_visible": 100_001}, "max_visible"),
    ("max-visible-fraction", {"layers": [3], "max_visible": 3.5}, "max_visible"),
    ("legend-maybe", {"layers": [3], "legend": "maybe"}, "legend"),
    ("legend-a-number", {"layers": [3], "legend": 1}, "legend"),
    ("weights-a-number", {"layers": [3], "weights": 3}, "weights"),
    ("weights-empty-list", {"layers": [3], "weights": []}, "weights"),
    ("weights-a-bool-file", {"layers": [3], "weights": [True]}, "weights[0]"),
    ("width-bad-unit", {"layers": [3], "width": "3.5 inch"}, "width"),
    ("width-no-number", {"layers": [3], "width": "wide"}, "width"),
    ("width-negative", {"layers": [3], "width": "-3in"}, "width"),
    ("width-zero", {"layers": [3], "width": "0mm"}, "width"),
    ("width-below-1px", {"layers": [3], "width": 0.5}, "width"),
    ("width-above-max", {"layers": [3], "width": 100_001}, "width"),
    ("width-a-list", {"layers": [3], "width": [3]}, "width"),
    # layers
    ("layer-a-string", {"layers": ["abc"]}, "layers[0]"),
    ("layer-null", {"layers": [None]}, "layers[0]"),
    ("layer-a-bool", {"layers": [True]}, "layers[0]"),
    ("layer-fraction", {"layers": [3.5]}, "layers[0]"),
    ("layer-zero", {"layers": [0]}, "layers[0]"),
    ("layer-too-many-units", {"layers": [keys.MAX_UNITS + 1]}, "layers[0]"),
    ("units-negative", layer(units=-3), "layers[0].units"),
    ("units-a-string", layer(units="3"), "layers[0].units"),
    ("missing-units", layer(label="x"), "layers[0]"),
    ("null-units", layer(units=None), "layers[0]"),
    ("unknown-layer-key", layer(units=3, zzzzz=1), "layers[0].zzzzz"),
    ("misspelt-units", layer(unit=3), "layers[0].unit"),
    ("conv-key-on-dense", layer(units=3, kernel=3), "layers[0].kernel"),
    ("conv-key-on-fc", layer(type="FC", units=3, filters=3), "layers[0].filters"),
    ("dense-key-on-conv", layer(type="conv", filters=3, units=4), "layers[0].units"),
    ("pool-key-on-upsample", layer(type="upsample", kind="max"), "layers[0].kind"),
    ("key-on-flatten", layer(type="flatten", size=2), "layers[0].size"),
    ("bad-type", layer(type="dense2", units=3), "layers[0].type"),
    ("type-case", layer(type="Conv", filters=3), "layers[0].type"),
    ("type-a-number", layer(type=3, units=3), "layers[0].type"),
    ("conv-without-filters", layer(type="conv2d", kernel=3), "layers[0]"),
    ("deconv-without-filters", layer(type="deconv"), "layers[0]"),
    ("merge-without-skip", layer(units=3, merge="add"), "layers[0].merge"),
    ("bad-merge", {"layers": [3, {"units": 3, "skip_from": 0, "merge": "sum"}]}, "layers[1].merge"),
    ("skip-from-a-bool", {"layers": [3, {"units": 3, "skip_from": True}]}, "layers[1].skip_from"),
    ("skip-from-a-list", {"layers": [3, {"units": 3, "skip_from": [0]}]}, "layers[1].skip_from"),
    ("filters-zero", layer(type="conv", filters=0), "layers[0].filters"),
    ("kernel-zero", layer(type="conv", filters=3, kernel=0), "layers[0].kernel"),
    ("kernel-3d", layer(type="conv", filters=3, kernel=[3, 3, 3]), "layers[0].kernel"),
    ("kernel-a-bool", layer(type="conv", filters=3, kernel=True), "layers[0].kernel"),
    ("kernel-item-zero", layer(type="conv", filters=3, kernel=[3, 0]), "layers[0].kernel[1]"),
    ("kernel-too-large", layer(type="conv", filters=3, kernel=10**7), "layers[0].kernel"),
    ("stride-empty", layer(type="conv", filters=3, stride=[]), "layers[0].stride"),
    ("dilation-zero", layer(type="conv", filters=3, dilation=0), "layers[0].dilation"),
    (
        "output-padding-negative",
        layer(type="conv_transpose", filters=3, output_padding=-1),
        "layers[0].output_padding",
    ),
    ("padding-full", layer(type="conv", filters=3, padding="full"), "layers[0].padding"),
    ("padding-negative", layer(type="conv", filters=3, padding=-1), "layers[0].padding"),
    ("pool-kind", layer(type="pool", kind="min"), "layers[0].kind"),
    ("pool-size-zero", layer(type="maxpool", size=0), "layers[0].size"),
    ("shape-zero", layer(shape=[0]), "layers[0].shape[0]"),
    ("shape-4d", layer(shape=[1, 2, 3, 4]), "layers[0].shape"),
    ("shape-a-string", layer(units=3, shape="3x3"), "layers[0].shape"),
    ("spacing-low", layer(units=3, spacing=-1001), "layers[0].spacing"),
    ("spacing-a-string", layer(units=3, spacing="wide"), "layers[0].spacing"),
    ("layer-max-visible", layer(units=3, max_visible=2), "layers[0].max_visible"),
    ("bias-a-string", layer(units=3, bias="yes"), "layers[0].bias"),
    ("recurrent-a-number", layer(units=3, recurrent=1), "layers[0].recurrent"),
    ("label-a-mapping", layer(units=3, label={"a": 1}), "layers[0].label"),
    ("activation-too-long", layer(units=3, activation="x" * 101), "layers[0].activation"),
    ("image-empty", layer(units=3, image=" "), "layers[0].image"),
    ("color-misspelt", layer(units=3, color="blu"), "layers[0].color"),
    ("color-short-hex", layer(units=3, color="#12"), "layers[0].color"),
    ("stroke-a-number", layer(units=3, stroke=3), "layers[0].stroke"),
    # operation blocks (issue #16)
    ("attention-without-heads", layer(type="attention"), "layers[0]"),
    ("heads-zero", layer(type="attention", heads=0), "layers[0].heads"),
    ("heads-on-dense", layer(units=3, heads=2), "layers[0].heads"),
    ("units-on-layernorm", layer(type="layernorm", units=2), "layers[0].units"),
    ("rate-one", layer(type="dropout", rate=1), "layers[0].rate"),
    ("rate-negative", layer(type="dropout", rate=-0.1), "layers[0].rate"),
    ("fn-blank", layer(type="activation", fn=" "), "layers[0].fn"),
    ("embedding-without-units", layer(type="embedding", vocab=3), "layers[0]"),
    ("vocab-zero", layer(type="embedding", units=3, vocab=0), "layers[0].vocab"),
    ("lstm-without-units", layer(type="lstm"), "layers[0]"),
    (
        "return-sequences-a-string",
        layer(type="gru", units=3, return_sequences="no"),
        "layers[0].return_sequences",
    ),
    ("note-a-list", layer(units=3, note=["x"]), "layers[0].note"),
    # groups
    ("group-empty", {"layers": [{"group": "G", "layers": []}]}, "layers[0].layers"),
    ("group-without-layers", {"layers": [{"group": "G"}]}, "layers[0]"),
    ("group-null-label", {"layers": [{"group": None, "layers": [3]}]}, "layers[0].group"),
    ("group-blank-label", {"layers": [{"group": " ", "layers": [3]}]}, "layers[0].group"),
    (
        "group-repeat-zero",
        {"layers": [{"group": "G", "repeat": 0, "layers": [3]}]},
        "layers[0].repeat",
    ),
    (
        "group-unknown-key",
        {"layers": [{"group": "G", "repeats": 2, "layers": [3]}]},
        "layers[0].repeats",
    ),
    (
        "group-collapse-a-string",
        {"layers": [{"group": "G", "collapse": "yes", "layers": [3]}]},
        "layers[0].collapse",
    ),
    (
        "group-inner-layer",
        {"layers": [{"group": "G", "layers": [3, {"group": "H", "layers": [{"units": -1}]}]}]},
        "layers[0].layers[1].layers[0].units",
    ),
    # from items as mappings
    (
        "from-item-without-name",
        {"layers": [3, {"units": 3, "from": [{"label": "Q"}]}]},
        "layers[1].from[0]",
    ),
    (
        "from-item-style",
        {"layers": [3, {"units": 3, "from": {"name": -1, "style": "dashy"}}]},
        "layers[1].from.style",
    ),
    (
        "from-item-unknown-key",
        {"layers": [3, {"units": 3, "from": [{"name": -1, "colour": "red"}]}]},
        "layers[1].from[0].colour",
    ),
    (
        "from-item-label-long",
        {"layers": [3, {"units": 3, "from": [{"name": -1, "label": "x" * 101}]}]},
        "layers[1].from[0].label",
    ),
    (
        "from-item-name-zero",
        {"layers": [3, {"units": 3, "from": [{"name": 0}]}]},
        "layers[1].from[0].name",
    ),
    # input
    ("input-a-string", {"layers": [3], "input": "x"}, "input"),
    ("input-without-shape", {"layers": [3], "input": {"label": "x"}}, "input"),
    ("input-null-shape", {"layers": [3], "input": {"shape": None}}, "input.shape"),
    ("input-empty-shape", {"layers": [3], "input": []}, "input"),
    ("input-unknown-key", {"layers": [3], "input": {"shape": [3], "units": 3}}, "input.units"),
    ("input-colour", {"layers": [3], "input": {"shape": [3], "color": "#ggg"}}, "input.color"),
    # edges, labels, camera
    ("edges-a-list", {"layers": [3], "edges": []}, "edges"),
    ("edges-unknown-key", {"layers": [3], "edges": {"style": "x"}}, "edges.style"),
    ("edges-curve", {"layers": [3], "edges": {"curve": "wavy"}}, "edges.curve"),
    ("edges-arrows", {"layers": [3], "edges": {"arrows": "big"}}, "edges.arrows"),
    ("edges-encode", {"layers": [3], "edges": {"encode": "size"}}, "edges.encode"),
    ("edges-encode-item", {"layers": [3], "edges": {"encode": ["width", "x"]}}, "edges.encode[1]"),
    ("edges-encode-a-number", {"layers": [3], "edges": {"encode": 3}}, "edges.encode"),
    ("edges-color-none", {"layers": [3], "edges": {"color": "none"}}, "edges.color"),
    ("edges-width-zero", {"layers": [3], "edges": {"width": 0}}, "edges.width"),
    ("edges-opacity-high", {"layers": [3], "edges": {"opacity": 1.5}}, "edges.opacity"),
    ("labels-a-number", {"layers": [3], "labels": 3}, "labels"),
    ("labels-unknown-key", {"layers": [3], "labels": {"title": False}}, "labels.title"),
    ("labels-titles", {"layers": [3], "labels": {"titles": "no"}}, "labels.titles"),
    ("labels-sizes", {"layers": [3], "labels": {"sizes": "huge"}}, "labels.sizes"),
    ("camera-a-number", {"layers": [3], "camera": 3}, "camera"),
    ("camera-unknown-key", {"layers": [3], "camera": {"zoom": 2}}, "camera.zoom"),
    ("camera-azimuth", {"layers": [3], "camera": {"azimuth": 181}}, "camera.azimuth"),
    ("camera-elevation", {"layers": [3], "camera": {"elevation": -81}}, "camera.elevation"),
    ("camera-distance", {"layers": [3], "camera": {"distance": 1}}, "camera.distance"),
    (
        "camera-projection",
        {"layers": [3], "camera": {"projection": "fisheye"}},
        "camera.projection",
    ),
    # theme: a name, or overrides checked against the theme's keys
    ("theme-a-number", {"layers": [3], "theme": 3}, "theme"),
    ("theme-empty-name", {"layers": [3], "theme": " "}, "theme"),
    ("theme-extends-a-list", theme(extends=["dark"]), "theme.extends"),
    ("theme-section-typo", theme(nodes={"radius": 3}), "theme.nodes"),
    ("theme-key-typo", theme(node={"radius2": 3}), "theme.node.radius2"),
    ("theme-section-a-number", theme(node=3), "theme.node"),
    ("theme-section-null", theme(node=None), "theme.node"),
    ("theme-number-a-string", theme(node={"radius": "big"}), "theme.node.radius"),
    ("theme-number-range", theme(node={"radius": 0}), "theme.node.radius"),
    ("theme-integer", theme(weights={"levels": 1}), "theme.weights.levels"),
    ("theme-colour", theme(node={"fill": "blu"}), "theme.node.fill"),
    ("theme-colour-none", theme(edge={"color": "none"}), "theme.edge.color"),
    ("theme-null", theme(edge={"color": None}), "theme.edge.color"),
    ("theme-choice", theme(edge={"curve": "wavy"}), "theme.edge.curve"),
    ("theme-colour-list-empty", theme(maps={"colors": []}), "theme.maps.colors"),
    ("theme-colour-list-item", theme(maps={"colors": ["red", "x"]}), "theme.maps.colors[1]"),
    ("theme-dash", theme(bias={"dash": "dotted"}), "theme.bias.dash"),
    ("theme-dash-item", theme(bias={"dash": [3, -1]}), "theme.bias.dash[1]"),
    ("theme-string", theme(bias={"text": ["+1"]}), "theme.bias.text"),
    ("theme-name", theme(name=["x"]), "theme.name"),
]

# Specs nnsvg accepts in less common forms: the schema must accept them too.
VALID: list[tuple[str, Any]] = [
    ("float-units", {"layers": [3.0, {"units": 4.0}]}),
    ("nulls-are-defaults", {"layers": [{"units": 3, "label": None, "type": None}], "title": None}),
    ("null-mappings", {"layers": [3], "edges": None, "labels": None, "camera": None}),
    ("number-as-label", {"layers": [{"units": 3, "label": 42}], "title": 7}),
    (
        "type-aliases",
        {
            "input": [8, 8, 1],
            "layers": [
                {"type": "Conv2D", "filters": 2, "kernel": 3},
                {"type": "MAXPOOL"},
                {"type": "convolution", "filters": 2, "kernel": [3, 3], "padding": "same"},
                {"type": "Deconv", "filters": 2, "kernel": 2, "stride": 2, "output_padding": 0},
                {"type": "pooling", "kind": "avg", "size": [2, 2]},
                {"type": "upsample", "size": 2},
                {"type": "flatten"},
                {"type": "Linear", "units": 4},
                {"type": "fc", "units": 2},
            ],
        },
    ),
    ("conv1d", {"input": [16, 1], "layers": [{"type": "conv1d", "filters": 2, "kernel": 3}]}),
    ("conv-with-shape", {"layers": [{"type": "conv", "shape": [4, 4, 2]}]}),
    ("dense-with-shape", {"layers": [{"shape": [4]}]}),
    ("colours", {"layers": [{"units": 3, "color": " SteelBlue ", "stroke": "#ABC"}]}),
    ("no-paint", {"layers": [{"units": 3, "color": "none", "stroke": "Transparent"}]}),
    ("widths", {"layers": [3], "width": "3.5 IN"}),
    ("width-number", {"layers": [3], "width": 300}),
    ("width-forms", {"layers": [3], "width": "+.5e1cm"}),
    ("labels-false", {"layers": [3], "labels": False}),
    ("labels-sizes-bool", {"layers": [3], "labels": {"sizes": True, "dims": False}}),
    ("encode-one", {"layers": [3, 2], "edges": {"encode": "width"}}),
    ("encode-repeated", {"layers": [3, 2], "edges": {"encode": ["width", "width", None]}}),
    ("legend-auto", {"layers": [3], "legend": "auto"}),
    ("weights-random", {"layers": [3, 2], "weights": "random", "edges": {"encode": "width"}}),
    ("skip-by-label", {"layers": [{"units": 3, "label": "a"}, {"units": 3, "skip_from": "a"}]}),
    ("skip-merge", {"layers": [3, {"units": 3, "skip_from": 0, "merge": "concat"}]}),
    ("merge-null", {"layers": [{"units": 3, "merge": None}]}),
    ("input-mapping", {"input": {"shape": [8, 8, 3], "label": "RGB"}, "layers": [3]}),
    (
        "theme-overrides",
        theme(
            extends="dark",
            node={"fill": None, "radius": 6},
            bias={"dash": None},
            maps={"colors": ["red", "#00f"]},
        ),
    ),
    ("theme-dash-none", theme(bias={"dash": "none", "text": 1})),
    ("theme-name", {"layers": [3], "theme": "paper"}),
    (
        "blocks",
        {
            "input": {"shape": [10], "name": "tokens"},
            "layers": [
                {"type": "embedding", "units": 8, "vocab": 100, "note": "shared"},
                {"type": "pos_encoding", "name": "pe"},
                {
                    "group": "Encoder",
                    "repeat": 6,
                    "collapse": None,
                    "note": "N = 6",
                    "layers": [
                        {
                            "type": "MHA",
                            "heads": 2,
                            "from": [{"name": "pe", "label": "Q", "style": "dotted"}, "pe", -1],
                        },
                        {"type": "add", "from": [-1, {"name": "pe", "style": " SteelBlue "}]},
                        {"group": "Inner", "layers": [{"type": "Layer_Norm"}, 4]},
                    ],
                },
                {"type": "dropout", "rate": 0},
                {"type": "activation", "fn": "gelu"},
                {"type": "lstm", "units": 4, "return_sequences": False},
                {"type": "gru", "shape": [4]},
                {"type": "op", "label": "Linear", "units": 3},
                {"type": "softmax"},
                {"type": "batchnorm"},
            ],
        },
    ),
]

# Specs the schema accepts and nnsvg refuses: the rules of CLI_ONLY, one case each.
# Should the schema learn one of them, its case fails here: move it to INVALID.
CLI_ONLY_CASES: list[tuple[str, Any]] = [
    ("width-range", {"layers": [3], "width": "2000in"}),
    ("bias-on-last-layer", {"layers": [3, {"units": 2, "bias": True}]}),
    (
        "skip-from-unknown-label",
        {
            "style": "lenet",
            "input": [8, 8, 1],
            "layers": [{"type": "conv", "filters": 2, "kernel": 3, "skip_from": "nosuch"}],
        },
    ),
    ("shapes-disagree", {"input": [8, 8, 1], "layers": [{"type": "conv", "shape": [9, 9, 2]}]}),
    ("theme-range", theme(maps={"min_side": 50, "max_side": 10})),
    ("theme-file-missing", {"layers": [3], "theme": "no-such-theme"}),
]


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.name)
def test_gallery_specs_are_valid(validator: Any, path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert schema_errors(validator, data) == []
    load_spec(path)  # and nnsvg agrees


def test_starter_spec_is_valid(validator: Any) -> None:
    from nnsvg.starter import STARTER_SPEC

    assert schema_errors(validator, yaml.safe_load(STARTER_SPEC)) == []


@pytest.mark.parametrize(("name", "spec", "field"), INVALID, ids=[c[0] for c in INVALID])
def test_each_cli_error_is_a_schema_error(validator: Any, name: str, spec: Any, field: str) -> None:
    fields = cli_fields(spec)
    assert fields is not None, "nnsvg accepts it"
    assert field in fields
    errors = schema_errors(validator, spec)
    assert errors, "the schema accepts it"
    at = [(path, message) for path, message in errors if _within(path, field)]
    assert at, (field, errors)
    for _path, message in at:  # a specific message, not "any of the given schemas"
        assert "any of the given schemas" not in message


def _within(path: str, field: str) -> bool:
    """Whether a schema error at ``path`` is about ``field``: at it, at a mapping or list
    holding it (an unknown or missing key), or inside it (a missing key's null value)."""
    return _holds(path, field) or _holds(field, path)


def _holds(outer: str, inner: str) -> bool:
    return outer == inner or not outer or inner.startswith((outer + ".", outer + "["))


@pytest.mark.parametrize(("name", "spec"), VALID, ids=[c[0] for c in VALID])
def test_what_nnsvg_accepts_the_schema_accepts(validator: Any, name: str, spec: Any) -> None:
    assert cli_fields(spec) is None
    assert schema_errors(validator, spec) == []


@pytest.mark.parametrize(("name", "spec"), CLI_ONLY_CASES, ids=[c[0] for c in CLI_ONLY_CASES])
def test_rules_only_nnsvg_checks(validator: Any, name: str, spec: Any) -> None:
    assert schema_errors(validator, spec) == []
    with pytest.raises(NnsvgError):
        from nnsvg.pipeline import build_scene

        build_scene(load_spec("spec.json", text=json.dumps(spec)))


def test_cli_only_rules_are_in_the_schema_description() -> None:
    description = spec_schema()["description"]
    assert len(CLI_ONLY_CASES) <= len(CLI_ONLY)
    for rule in CLI_ONLY:
        assert rule in description


def test_every_table_key_is_in_the_schema() -> None:
    schema = spec_schema()["else"]  # "then" is a figure of panels (nnsvg.panels)
    assert list(schema["properties"]) == list(keys.TOP)
    assert schema["required"] == ["layers"]
    props = schema["properties"]
    for name, table in (("edges", keys.EDGES), ("labels", keys.LABELS), ("camera", keys.CAMERA)):
        assert list(props[name]["properties"]) == list(table), name
    assert list(props["input"]["properties"]) == list(keys.INPUT)
    defs = spec_schema()["$defs"]
    assert list(defs["layer"]["properties"]) == list(keys.COMMON_LAYER)
    for layer_type in keys.LAYER_TYPES:
        own = defs[f"{layer_type.name}_layer"]["properties"]
        assert list(own) == [*keys.COMMON_LAYER, *(k.name for k in layer_type.keys)]
    overrides = props["theme"]["properties"]
    assert list(overrides) == ["extends", *(f.name for f in dataclasses.fields(Theme))]
    for section, cls in SECTION_TYPES.items():
        assert list(overrides[section]["properties"]) == [f.name for f in dataclasses.fields(cls)]


def test_every_key_has_a_known_kind() -> None:
    tables = [keys.TOP, keys.LAYER, keys.INPUT, keys.EDGES, keys.LABELS, keys.CAMERA]
    for table in tables:
        for key in table.values():
            assert key.kind in (*keys.SIMPLE_KINDS, *keys.SPECIAL_KINDS), key


def test_table_defaults_are_the_model_defaults() -> None:
    for table, cls in ((keys.TOP, Spec), (keys.LABELS, LabelOptions), (keys.CAMERA, CameraOptions)):
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        for name, key in table.items():
            if key.default is not None:
                assert defaults[name] == key.default, name


def test_schema_output_is_deterministic() -> None:
    """The same bytes from fresh interpreters (no set or hash order leaks in)."""
    outputs = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-m", "nnsvg", "schema"],
            capture_output=True,
            check=True,
            env=env,
            cwd=ROOT,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == spec_schema()
