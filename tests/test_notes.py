"""Notes on layers (``note: "stride 4"``) in the fcnn, lenet and alexnet styles: each
drawn once, in its layer's group (fcnn: placed on its own, clear of every shape and
text; lenet: a line of the operation's caption; alexnet: a line of the box's
caption), adding no lint finding (hypothesis on random networks)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.engines.notes import obstacle_boxes
from nnsvg.lint import lint_scene
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.scene import Group, Item, Scene, Text, bbox_of, iter_leaves
from tests.scenes import assert_inside_viewbox_and_finite, checked_spec
from tests.test_layout_alexnet import alexnet_specs
from tests.test_layout_fcnn import _valid
from tests.test_layout_fcnn import spec_st as fcnn_specs
from tests.test_layout_lenet import cnn_specs

NOTES = st.sampled_from(
    ["stride 4", "Max pooling", "Stride of 4", "copy and crop", "dropout 0.5", "×2", "a note"]
)
OVERLAPS = ("label-overlap", "label-over-shape", "text-outside")


@st.composite
def with_notes(draw, specs: st.SearchStrategy) -> dict:
    """A spec of ``specs`` with notes on some of its layers (on one at least)."""
    data = draw(specs)
    data.pop("title", None)  # titles are tested elsewhere (and may open math)
    layers = data["layers"]
    picked = draw(st.lists(st.integers(0, len(layers) - 1), min_size=1, unique=True))
    for k in picked:
        if isinstance(layers[k], int):
            layers[k] = {"units": layers[k]}
        layers[k]["note"] = draw(NOTES)
    return data


def scene_and_spec(data: dict):
    spec = checked_spec(data)
    return build_scene(spec), spec


def notes_of(scene: Scene, noted: dict[str, str]) -> list[tuple[str, Text]]:
    """(layer id, its note's text) for each layer of ``noted`` (layer id -> note):
    the one text in the layer's group that says the note."""
    out = []
    for group in (g for item in scene.items for g in _groups(item)):
        if group.id in noted:
            texts = [
                t
                for t in iter_leaves(group.children)
                if isinstance(t, Text) and t.text == noted[group.id]
            ]
            assert len(texts) == 1, (group.id, noted[group.id])
            out.append((group.id, texts[0]))
    return out


def _groups(item: Item) -> list[Group]:
    if not isinstance(item, Group):
        return []
    return [item, *(g for child in item.children for g in _groups(child))]


def without_notes(data: dict) -> dict:
    copy = json.loads(json.dumps(data))
    for layer in copy["layers"]:
        if isinstance(layer, dict):
            layer.pop("note", None)
    return copy


def check_notes(data: dict) -> None:
    scene, spec = scene_and_spec(data)
    assert_inside_viewbox_and_finite(scene)
    noted = {
        f"layer-{k + 1}": layer["note"]
        for k, layer in enumerate(data["layers"])
        if isinstance(layer, dict) and "note" in layer
    }
    found = notes_of(scene, noted)
    assert {owner for owner, _ in found} == set(noted)
    if data.get("style", "fcnn") == "fcnn":  # placed on their own: clear of everything
        others = [
            b
            for item in scene.items
            for leaf in iter_leaves((item,))
            if not (isinstance(leaf, Text) and leaf.cls == "note")
            for b in obstacle_boxes(leaf)
        ]
        boxes = [bbox_of(t) for _, t in found]
        for k, a in enumerate(boxes):
            assert found[k][1].cls == "note"
            for b in [*others, *boxes[k + 1 :]]:
                assert not a.overlaps(b), (found[k][1].text, b)
    # The lint finds nothing the same figure without notes does not.
    plain, plain_spec = scene_and_spec(without_notes(data))
    before = {(f.rule, f.layer) for f in lint_scene(plain, plain_spec) if f.rule in OVERLAPS}
    after = {(f.rule, f.layer) for f in lint_scene(scene, spec) if f.rule in OVERLAPS}
    assert after <= before, after - before


@settings(deadline=None)
@given(with_notes(fcnn_specs.map(_valid)))
def test_fcnn_notes_are_clear_of_everything(data: dict) -> None:
    check_notes(data)


@settings(deadline=None)
@given(with_notes(cnn_specs()))
def test_lenet_notes_are_clear_of_everything(data: dict) -> None:
    check_notes(data)


@settings(deadline=None)
@given(with_notes(alexnet_specs(skips=True)))
def test_alexnet_notes_are_clear_of_everything(data: dict) -> None:
    check_notes(data)


def test_a_note_is_drawn_with_its_own_layer() -> None:
    data = {
        "style": "alexnet",
        "input": {"shape": [64, 64, 3]},
        "layers": [
            {"type": "conv", "filters": 16, "kernel": 5, "stride": 4, "note": "Stride of 4"},
            {"type": "pool", "note": "Max pooling"},
            {"type": "dense", "units": 10},
        ],
    }
    noted = {"layer-1": "Stride of 4", "layer-2": "Max pooling"}
    for style in ("alexnet", "lenet"):
        scene = build_scene(load_spec("t.json", text=json.dumps({**data, "style": style})))
        # The caption under the box (alexnet), the operation's caption (lenet).
        for owner, note in notes_of(scene, noted):
            assert note.cls == ("caption" if style == "alexnet" else "label-op"), owner
    fcnn = {"style": "fcnn", "layers": [{"units": 3, "note": "x"}, 4, {"units": 2, "note": "y"}]}
    scene = build_scene(load_spec("t.json", text=json.dumps(fcnn)))
    for owner, note in notes_of(scene, {"layer-1": "x", "layer-3": "y"}):
        (group,) = [g for g in scene.items if isinstance(g, Group) and g.id == owner]
        circles = bbox_of(
            next(g for g in group.children if isinstance(g, Group) and g.role == "nodes")
        )
        box = bbox_of(note)
        # Right next to its layer's nodes: above, below or beside them.
        assert box.x1 > circles.x0 - 40 and box.x0 < circles.x1 + 40
        assert box.y1 > circles.y0 - 40 and box.y0 < circles.y1 + 40
