"""The AlexNet style's rows (wrap): geometry properties (hypothesis), wrap: auto on
VGG-16, and located errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.engines.alexnet_labels import hull
from nnsvg.engines.rows import printed_min_pt, split_rows
from nnsvg.errors import NnsvgError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.scene import Group, Scene, Text, bbox_of, iter_leaves
from nnsvg.scene import Path as PathItem
from tests.scenes import assert_inside_viewbox_and_finite, checked_spec, groups
from tests.test_layout_alexnet import alexnet_specs, boxes_overlap, top_groups
from tests.test_layout_lenet_rows import in_convex, sampled

ROOT = Path(__file__).resolve().parent.parent
VGG16 = ROOT / "specs" / "vgg16.yaml"


@st.composite
def wrapped(draw) -> dict:
    """A random AlexNet chain (no skips) with a random ``wrap`` and a camera under
    which the network runs left to right."""
    data = draw(alexnet_specs(skips=False))
    data["camera"]["azimuth"] = draw(st.floats(30, 150))
    data["wrap"] = draw(st.integers(1, len(data["layers"]) + 2))
    if draw(st.booleans()):
        data["labels"] = {"dims": True}
    for layer in data["layers"]:
        if draw(st.integers(0, 3)) == 0:
            layer["note"] = draw(st.sampled_from(["stride 4", "Max pooling", "copy and crop"]))
    return data


def scene_of(data: dict) -> Scene:
    return build_scene(load_spec("t.json", text=json.dumps(data)))


def outlines(scene: Scene) -> list[tuple[str, list[tuple[float, float]]]]:
    """Each box's screen outline (its faces' hull), in network order."""
    out = []
    for g in top_groups(scene, "layer"):
        (box,) = [c for c in g.children if isinstance(c, Group) and c.role == "box"]
        out.append((g.id, hull(box)))
    return out


def connector_crossings(scene: Scene) -> list[tuple[str, str]]:
    """(connector, what it runs through): a box's outline, or any text."""
    texts = [t for t in iter_leaves(scene.items) if isinstance(t, Text)]
    hits = []
    for c in groups(scene, "connector"):
        for path in (leaf for leaf in iter_leaves(c.children) if isinstance(leaf, PathItem)):
            for x, y in sampled(path):
                for name, outline in outlines(scene):
                    if len(outline) >= 3 and in_convex(tuple(outline), x, y):
                        hits.append((c.id, name))
                for t in texts:
                    b = bbox_of(t)
                    if b.x0 < x < b.x1 and b.y0 < y < b.y1:
                        hits.append((c.id, t.text))
    return sorted(set(hits))


@settings(max_examples=40, deadline=None)
@given(wrapped())
def test_wrapped_chains_stay_inside_apart_and_connected_cleanly(data: dict) -> None:
    scene = build_scene(checked_spec(data))
    assert_inside_viewbox_and_finite(scene)
    count = len(data["layers"]) + 1
    rows = split_rows(count, data["wrap"])
    assert len(groups(scene, "connector")) == len(rows) - 1
    assert connector_crossings(scene) == []
    # Rows run down the page: every box (and caption) of a row above every box of the next.
    drawn = top_groups(scene, "layer")
    assert len(drawn) == count
    boxes = [bbox_of(g) for g in drawn]
    for k in range(1, len(rows)):
        assert max(boxes[i].y1 for i in rows[k - 1]) < min(boxes[i].y0 for i in rows[k])
    # Captions never overlap each other.
    captions = [t for t in iter_leaves(scene.items) if isinstance(t, Text) and t.cls == "caption"]
    for n, a in enumerate(captions):
        for b in captions[n + 1 :]:
            assert not boxes_overlap(bbox_of(a), bbox_of(b)), (a.text, b.text)


def test_wrap_keeps_one_scale_for_every_row() -> None:
    data = {
        "style": "alexnet",
        "input": {"shape": [32, 32, 8]},
        "layers": [{"type": "conv", "filters": 8, "kernel": 3, "padding": "same"}] * 3,
        "wrap": 2,
    }
    widths = []
    for _, outline in outlines(scene_of(data))[1:]:
        xs = [x for x, _ in outline]
        widths.append(round(max(xs) - min(xs), 6))
    assert len(set(widths)) == 1, widths


def vgg16(**changes: object) -> Scene:
    data = yaml.safe_load(VGG16.read_text(encoding="utf-8"))
    data.pop("font_size", None)
    data.update(changes)
    return build_scene(load_spec("vgg16.json", text=json.dumps(data)))


def test_vgg16_wraps_to_the_fewest_rows_that_print_at_6pt_at_7in() -> None:
    one_row = vgg16(wrap=None)
    assert printed_min_pt(one_row, (7, "in")) < 3.0
    scene = vgg16(wrap="auto")
    assert printed_min_pt(scene, (7, "in")) >= 6.0
    rows = len(groups(scene, "connector")) + 1
    assert rows == 3
    assert printed_min_pt(vgg16(wrap=12), (7, "in")) < 6.0  # two rows do not


def test_the_gallery_vgg16_prints_its_font_size_on_two_rows_with_larger_boxes() -> None:
    spec = load_spec(VGG16)
    scene = build_scene(spec)
    assert len(groups(scene, "connector")) == 1
    assert printed_min_pt(scene, (7, "in")) >= 6.0
    data = yaml.safe_load(VGG16.read_text(encoding="utf-8"))
    del data["wrap"]
    one_row = build_scene(load_spec("vgg16.json", text=json.dumps(data)))
    # The same text size, and the boxes drawn at least 1.8 times as large.
    assert printed_min_pt(one_row, (7, "in")) == pytest.approx(
        printed_min_pt(scene, (7, "in")), rel=0.01
    )
    assert one_row.viewbox[2] > 1.8 * scene.viewbox[2]


BASE = {
    "style": "alexnet",
    "input": {"shape": [16, 16, 3]},
    "layers": [
        {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "name": "a"},
        {"type": "conv", "filters": 4, "kernel": 3, "padding": "same"},
        {"type": "pool"},
    ],
    "wrap": 2,
}


def error_of(data: dict) -> str:
    with pytest.raises(NnsvgError) as caught:
        scene_of(data)
    return str(caught.value)


def test_wrap_with_skips_is_a_located_error() -> None:
    layers = [*BASE["layers"][:2], {**BASE["layers"][2], "skip_from": 0}]
    found = error_of({**BASE, "layers": layers})
    assert "wrap: the alexnet style draws skip_from arcs only over one row" in found
    assert found.startswith("t.json:1:")


def test_wrap_on_a_network_that_branches_is_a_located_error() -> None:
    layers = [
        BASE["layers"][0],
        {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "from": -2},
        {"type": "add", "from": ["a", -1]},
    ]
    found = error_of({**BASE, "layers": layers})
    assert "wrap: the alexnet style wraps chains of layers, and this network branches" in found


@pytest.mark.parametrize("azimuth", [0, 20, 170, -69])
def test_wrap_with_a_camera_along_or_against_the_network_is_a_located_error(
    azimuth: float,
) -> None:
    found = error_of({**BASE, "camera": {"azimuth": azimuth}})
    assert f"wrap: wrap lays each row out left to right, and at camera azimuth {azimuth}" in found
