"""node_labels (names beside an FCNN layer's nodes) and the accessible figure: the
SVG's role and aria-labelledby, the generated description, the PDF's Title."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import pytest

from nnsvg.describe import describe
from nnsvg.errors import NnsvgError
from nnsvg.lint import lint_scene
from nnsvg.network import resolve
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.pdf import pdf_from_svg
from nnsvg.render.svg import render_svg
from nnsvg.scene import BBox, Circle, EdgeBundle, Group, Scene, Text, bbox_of, iter_leaves

IRIS: dict[str, Any] = {
    "style": "fcnn",
    "title": "Iris",
    "layers": [
        {"units": 4, "label": "Features", "node_labels": ["sepal length", "sepal width"]},
        {"units": 8},
        {"units": 3, "node_labels": ["setosa", "versicolor", "virginica"]},
    ],
}


def spec_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1)


def scene_of(data: dict[str, Any]) -> Scene:
    return build_scene(load_spec("t.json", text=spec_text(data)))


def find(items: Any, gid: str) -> Group:
    for item in items:
        if isinstance(item, Group):
            if item.id == gid:
                return item
            found = find(item.children, gid)
            if found is not None:
                return found
    return None  # type: ignore[return-value]


def names_of(scene: Scene, layer: str) -> list[Text]:
    group = find(scene.items, f"{layer}-node-labels")
    return [] if group is None else [t for t in iter_leaves(group.children)]


def circles_of(scene: Scene, layer: str) -> list[Circle]:
    return [c for c in iter_leaves(find(scene.items, f"{layer}-nodes").children)]


def edge_box(scene: Scene) -> BBox:
    box = None
    for item in iter_leaves(scene.items):
        if isinstance(item, EdgeBundle):
            b = bbox_of(item)
            box = b if box is None else box.union(b)
    assert box is not None
    return box


def error_of(data: dict[str, Any]) -> NnsvgError:
    with pytest.raises(NnsvgError) as caught:
        scene_of(data)
    errors = getattr(caught.value, "errors", None) or [caught.value]
    return errors[0]


# --- placement ------------------------------------------------------------------------
def test_names_stand_beside_their_nodes_away_from_the_edges() -> None:
    scene = scene_of(IRIS)
    edges = edge_box(scene)
    inputs, outputs = names_of(scene, "layer-1"), names_of(scene, "layer-3")
    assert [t.text for t in inputs] == ["sepal length", "sepal width"]  # the rest unnamed
    assert [t.text for t in outputs] == ["setosa", "versicolor", "virginica"]
    for texts, circles, before in (
        (inputs, circles_of(scene, "layer-1"), True),
        (outputs, circles_of(scene, "layer-3"), False),
    ):
        for text, circle in zip(texts, circles):
            box = bbox_of(text)
            assert box.y0 < circle.cy < box.y1  # on its node's line
            if before:
                assert box.x1 < circle.cx - circle.r
                assert box.x1 < edges.x0  # no edge on that side
            else:
                assert box.x0 > circle.cx + circle.r
                assert box.x0 > edges.x1
    boxes = [bbox_of(t) for t in iter_leaves(scene.items) if isinstance(t, Text)]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not boxes[a].overlaps(boxes[b])
    spec = load_spec("t.json", text=spec_text(IRIS))
    assert lint_scene(scene, spec) == []


def test_names_of_elided_nodes_go_with_them() -> None:
    data = {
        "style": "fcnn",
        "layers": [
            {"units": 10, "max_visible": 4, "node_labels": [f"f{k}" for k in range(10)]},
            {"units": 2},
        ],
    }
    scene = scene_of(data)
    texts = names_of(scene, "layer-1")
    assert [t.text for t in texts] == ["f0", "f1", "f8", "f9"]  # units 2..7 are elided
    for text, circle in zip(texts, circles_of(scene, "layer-1")):
        box = bbox_of(text)
        assert box.y0 < circle.cy < box.y1


def test_an_empty_name_leaves_its_node_unnamed() -> None:
    data = copy.deepcopy(IRIS)
    data["layers"][2]["node_labels"] = ["setosa", "", "virginica"]
    assert [t.text for t in names_of(scene_of(data), "layer-3")] == ["setosa", "virginica"]


def test_rows_put_names_over_the_input_and_under_the_output() -> None:
    data = copy.deepcopy(IRIS)
    data["direction"] = "down"
    data["layers"][0]["node_labels"] = ["sl", "sw", "pl", "pw"]
    data["layers"][2]["node_labels"] = ["a", "b", "c"]
    scene = scene_of(data)
    edges = edge_box(scene)
    for text, circle in zip(names_of(scene, "layer-1"), circles_of(scene, "layer-1")):
        assert bbox_of(text).y1 < min(circle.cy - circle.r, edges.y0)
        assert abs(text.x - circle.cx) < 1e-6
    for text, circle in zip(names_of(scene, "layer-3"), circles_of(scene, "layer-3")):
        assert bbox_of(text).y0 > max(circle.cy + circle.r, edges.y1)
    spec = load_spec("t.json", text=spec_text(data))
    assert lint_scene(scene, spec) == []


def test_a_graph_names_the_outputs_of_its_last_rank() -> None:
    data = {
        "style": "fcnn",
        "input": {"shape": [8], "name": "x"},
        "layers": [
            {"name": "trunk", "units": 6},
            {"units": 3, "from": "trunk", "node_labels": ["a", "b", "c"]},
            {"units": 1, "from": "trunk", "node_labels": ["value"]},
        ],
    }
    scene = scene_of(data)
    assert [t.text for t in names_of(scene, "layer-3")] == ["value"]
    spec = load_spec("t.json", text=spec_text(data))
    assert lint_scene(scene, spec) == []


# --- errors -----------------------------------------------------------------------------
def test_too_many_names_is_an_error_at_the_key() -> None:
    data = copy.deepcopy(IRIS)
    data["layers"][2]["node_labels"] = ["a", "b", "c", "d"]
    err = error_of(data)
    assert err.field == "layers[2].node_labels"
    assert "names 4 nodes, but the layer has 3 units" in err.message
    assert err.location is not None and err.location.line is not None


@pytest.mark.parametrize(
    ("value", "field", "words"),
    [
        ("setosa", "layers[2].node_labels", "must be a list of strings"),
        (["a", {"b": 1}], "layers[2].node_labels[1]", "must be a string"),
    ],
)
def test_names_of_the_wrong_type_are_an_error(value: Any, field: str, words: str) -> None:
    data = copy.deepcopy(IRIS)
    data["layers"][2]["node_labels"] = value
    err = error_of(data)
    assert err.field == field
    assert words in err.message


def test_a_hidden_layer_cannot_name_its_nodes() -> None:
    data = copy.deepcopy(IRIS)
    data["layers"][1]["node_labels"] = ["h"]
    err = error_of(data)
    assert err.field == "layers[1].node_labels"
    assert "hidden layer has edges on both sides" in err.message
    assert err.location is not None and err.location.line is not None


def test_names_too_wide_for_a_row_are_an_error() -> None:
    data = copy.deepcopy(IRIS)
    data["direction"] = "down"
    err = error_of(data)
    assert err.field == "layers[0].node_labels"
    assert "too wide to stand side by side" in err.message


def test_the_lenet_style_cannot_draw_node_labels() -> None:
    data = {
        "style": "lenet",
        "input": {"shape": [8, 8, 1]},
        "layers": [{"type": "conv", "filters": 2, "kernel": 3}, {"units": 2, "node_labels": ["a"]}],
    }
    err = error_of(data)
    assert err.field == "layers[1].node_labels"
    assert "the lenet style cannot draw this key" in err.message


# --- accessibility ----------------------------------------------------------------------
def test_the_svg_is_an_image_labelled_by_its_title_and_description() -> None:
    svg = render_svg(scene_of(IRIS))
    root = re.search(r"<svg [^>]*>", svg)[0]  # type: ignore[index]
    assert 'role="img"' in root
    labelled = re.search(r'aria-labelledby="([^"]*)"', root)[1]  # type: ignore[index]
    ids = labelled.split()
    assert [i.rsplit("-", 1)[1] for i in ids] == ["title", "desc"]
    assert ids[0].startswith(re.search(r'id="(n[0-9a-f]{8}-)figure"', svg)[1])  # type: ignore[index]
    assert f'<title id="{ids[0]}">Iris</title>' in svg
    assert f'<desc id="{ids[1]}">FCNN-style figure, 3 layers:' in svg
    given = render_svg(scene_of(IRIS), id_prefix="fig-")
    assert 'aria-labelledby="fig-title fig-desc"' in given


def test_a_figure_without_a_title_is_labelled_by_its_description() -> None:
    data = {k: v for k, v in IRIS.items() if k != "title"}
    svg = render_svg(scene_of(data), id_prefix="")
    assert 'aria-labelledby="desc"' in svg and "<title" not in svg.split("<g", 1)[0]


def test_the_spec_description_wins_over_the_generated_one() -> None:
    data = {**IRIS, "description": "Four measurements, three species."}
    assert scene_of(data).desc == "Four measurements, three species."


def test_generated_descriptions() -> None:
    lenet = load_spec(
        "t.json",
        text=spec_text(
            {
                "style": "lenet",
                "input": {"shape": [32, 32, 1]},
                "layers": [
                    {"type": "conv", "filters": 6, "kernel": 5, "label": "C1"},
                    {"type": "pool", "kind": "avg"},
                    {"units": 10},
                ],
            }
        ),
    )
    assert describe(resolve(lenet)) == (
        "LeNet-style figure, 4 layers: input 32×32×1, convolution 6@28×28 (C1), "
        "average-pool 6@14×14, dense 10 units."
    )
    long = load_spec(
        "t.json", text=spec_text({"style": "fcnn", "layers": [{"units": k + 1} for k in range(20)]})
    )
    assert describe(resolve(long)) == (
        "FCNN-style figure, 20 layers: dense 1 unit, dense 2 units, dense 3 units, "
        "… 14 more layers …, dense 18 units, dense 19 units, dense 20 units."
    )
    heads = load_spec("t.json", text=spec_text({"style": "fcnn", **_HEADS}))
    assert describe(resolve(heads)).endswith(
        "Branches: 2 outputs (dense 3 units, dense 1 unit (value))."
    )


_HEADS: dict[str, Any] = {
    "input": {"shape": [8], "name": "x"},
    "layers": [
        {"name": "trunk", "units": 6},
        {"units": 3, "from": "trunk"},
        {"units": 1, "from": "trunk", "label": "value"},
    ],
}


def test_the_pdf_title_is_the_figure_title_and_the_pdf_is_stable() -> None:
    pytest.importorskip("cairosvg")
    svg = render_svg(scene_of({**IRIS, "title": "Iris – ünïcode"}))
    first, second = pdf_from_svg(svg), pdf_from_svg(svg)
    assert first == second
    title = re.search(rb"/Title\s*<FEFF([0-9A-F]*)>", first)
    assert title is not None
    assert bytes.fromhex(title[1].decode()).decode("utf-16-be") == "Iris – ünïcode"
    plain = pdf_from_svg(render_svg(scene_of(IRIS)))
    assert b"/Title (Iris)" in plain
    untitled = pdf_from_svg(render_svg(scene_of({k: v for k, v in IRIS.items() if k != "title"})))
    assert b"/Title" not in untitled
