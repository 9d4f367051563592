"""Groups of layers in the LeNet and AlexNet styles: drawn once, under a bracket with
the group's label and ``×N`` (nnsvg.engines.brackets, lenet_groups, alexnet_groups)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnsvg.errors import NnsvgError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.scene import BBox, Group, Scene, Text, bbox_of, iter_leaves
from nnsvg.scene import Path as PathItem
from tests.scenes import assert_inside_viewbox_and_finite, groups
from tests.test_layout_lenet import error_of, layer_groups, segment_boxes, shape_box

ROOT = Path(__file__).resolve().parent.parent
RESNET34 = ROOT / "specs" / "resnet34.yaml"
TOL = 1e-6


def scene_of(data: dict | str) -> Scene:
    text = data if isinstance(data, str) else json.dumps(data)
    return build_scene(load_spec("t.yaml" if isinstance(data, str) else "t.json", text=text))


def brackets(scene: Scene) -> dict[str, Group]:
    return {g.id: g for g in groups(scene, "group") if g.id}


def bracket_line(group: Group) -> tuple[float, float, float]:
    """A bracket's run (lo, hi) along the flow and its line's place across it."""
    path = next(c for c in group.children if isinstance(c, PathItem) and c.cls == "bracket")
    (_, x0, _), (_, _, y1), (_, x2, _) = path.commands[0], path.commands[1], path.commands[2]
    return min(x0, x2), max(x0, x2), y1


def texts_of(group: Group) -> list[str]:
    return [t.text for t in group.children if isinstance(t, Text)]


def box_of(scene: Scene) -> dict[str, BBox]:
    """The drawn body of every tensor (its maps or vector; an AlexNet box), by id."""
    out = {}
    for g in layer_groups(scene):
        if any(isinstance(c, Group) and c.role == "box" for c in g.children):
            body = next(c for c in g.children if isinstance(c, Group) and c.role == "box")
            out[g.id] = bbox_of(body)
        elif any(isinstance(c, Group) and c.role.startswith("mark") for c in g.children):
            mark = next(c for c in g.children if isinstance(c, Group) and c.role.startswith("mark"))
            out[g.id] = bbox_of(mark)  # a merge mark (graphs)
        else:
            out[g.id] = shape_box(g)
    return out


BLOCK = """\
style: {style}
input: {{shape: [32, 32, 16], label: x}}
layers:
  - {{type: conv, filters: 16, kernel: 3, padding: same, label: stem}}
  - group: conv2_x
    repeat: 3
    note: shared shape
    layers:
      - {{type: conv, filters: 16, kernel: 3, padding: same}}
      - {{type: conv, filters: 16, kernel: 3, padding: same, skip_from: stem}}
  - {{type: pool, size: 2}}
"""


# --- the contract ------------------------------------------------------------------------
@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_groups_draw_once_under_a_bracket_with_their_label_repeat_and_note(style: str) -> None:
    scene = scene_of(BLOCK.format(style=style))
    assert len(layer_groups(scene)) == 5  # the group's two layers drawn once
    found = brackets(scene)
    assert list(found) == ["group-1"]
    assert texts_of(found["group-1"]) == ["conv2_x ×3", "shared shape"]
    lo, hi, y = bracket_line(found["group-1"])
    boxes = box_of(scene)
    members = [boxes["layer-2"], boxes["layer-3"]]
    assert lo == pytest.approx(min(b.x0 for b in members))
    assert hi == pytest.approx(max(b.x1 for b in members))
    assert y > max(b.y1 for b in boxes.values())
    assert [g.id for g in groups(scene, "skip")] == ["skip-1-3"]  # the skip still draws


@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_collapse_is_the_blocks_styles(style: str) -> None:
    text = BLOCK.format(style=style).replace("repeat: 3", "collapse: true")
    assert error_of(text) == (
        f"t.yaml:6:5: layers[1].collapse: the {style} style cannot draw this key: remove it, "
        "or draw the figure in the blocks style"
    )


def test_a_group_repeated_once_says_its_label_only() -> None:
    text = BLOCK.format(style="lenet").replace("    repeat: 3\n", "")
    assert texts_of(brackets(scene_of(text))["group-1"]) == ["conv2_x", "shared shape"]


def test_a_layer_standing_among_a_groups_is_a_located_error() -> None:
    text = """\
style: lenet
input: {shape: [32, 32, 8], label: x, name: x}
layers:
  - {name: side, type: conv, filters: 8, kernel: 1, from: x}
  - group: main
    layers:
      - {name: a, type: conv, filters: 8, kernel: 3, padding: same, from: x}
      - {name: b, type: conv, filters: 8, kernel: 3, padding: same}
  - {type: add, from: [b, side]}
"""
    assert error_of(text) == (
        "t.yaml:5:5: the lenet style draws a group as a bracket under its run of tensors, and "
        "layers[0] (not in the group) stands among the layers of group 'main': move it into "
        "the group or out of its run, or draw the figure in the blocks style"
    )


@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_wrap_that_cuts_a_group_is_a_located_error(style: str) -> None:
    text = BLOCK.format(style=style).replace("skip_from: stem", "label: b") + "wrap: 3\n"
    assert error_of(text) == (
        "t.yaml:12:7: wrap: wrap: 3 ends a row inside group 'conv2_x': use wrap: auto (rows "
        "then break between groups), or a number of layers per row that keeps the group on "
        "one row"
    )


@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_wrap_auto_breaks_rows_between_groups(style: str) -> None:
    text = BLOCK.format(style=style).replace("skip_from: stem", "label: b")
    text += "wrap: auto\nwidth: 1in\n"  # narrow: as many rows as the breaks allow
    scene = scene_of(text)
    boxes = box_of(scene)
    # The group's two tensors share a row: level with each other.
    assert boxes["layer-2"].y1 > boxes["layer-3"].y0 and boxes["layer-3"].y1 > boxes["layer-2"].y0
    assert len({round(b.y0) for b in boxes.values()}) >= 2


def test_nested_groups_nest_outwards() -> None:
    text = """\
style: lenet
input: {shape: [32, 32, 8]}
layers:
  - group: stage
    layers:
      - {type: conv, filters: 8, kernel: 3, padding: same, stride: 2}
      - group: block
        repeat: 5
        layers:
          - {type: conv, filters: 8, kernel: 3, padding: same}
          - {type: conv, filters: 8, kernel: 3, padding: same}
"""
    found = brackets(scene_of(text))
    outer, inner = bracket_line(found["group-1"]), bracket_line(found["group-2"])
    assert outer[0] < inner[0] and outer[1] == pytest.approx(inner[1])
    assert outer[2] > inner[2]  # further out, under the inner one's label
    label = next(t for t in found["group-2"].children if isinstance(t, Text))
    assert texts_of(found["group-2"]) == ["block ×5"]
    assert bbox_of(label).y1 < outer[2]


def test_groups_of_a_graph_with_add_merges_span_their_marks() -> None:
    text = """\
style: lenet
input: {shape: [28, 28, 16], name: x}
layers:
  - group: basic block
    repeat: 3
    layers:
      - {name: a, type: conv, filters: 16, kernel: 3, padding: same}
      - {name: b, type: conv, filters: 16, kernel: 3, padding: same}
      - {name: y, type: add, from: [b, x]}
"""
    scene = scene_of(text)
    lo, hi, y = bracket_line(brackets(scene)["group-1"])
    mark = next(g for g in layer_groups(scene) if g.id == "layer-3")
    assert bbox_of(mark).x1 <= hi + 1.0  # its outline
    boxes = box_of(scene)
    assert lo == pytest.approx(boxes["layer-1"].x0)
    assert y > max(b.y1 for b in boxes.values())


def test_direction_down_puts_brackets_on_the_right() -> None:
    text = BLOCK.format(style="lenet").replace("skip_from: stem", "label: b")
    scene = scene_of(text + "direction: down\n")
    lo, hi, x = bracket_line_down(brackets(scene)["group-1"])
    boxes = box_of(scene)
    assert lo == pytest.approx(boxes["layer-2"].y0) and hi == pytest.approx(boxes["layer-3"].y1)
    assert x > max(b.x1 for b in boxes.values())


def test_direction_down_brackets_a_graphs_group_with_its_add() -> None:
    text = """\
style: lenet
direction: down
input: {shape: [32, 32, 16], name: x}
layers:
  - group: residual
    repeat: 2
    layers:
      - {name: a, type: conv, filters: 16, kernel: 3, padding: same}
      - {name: b, type: conv, filters: 16, kernel: 3, padding: same}
      - {name: y, type: add, from: [b, x]}
  - {type: pool, size: 2}
"""
    scene = scene_of(text)
    group = brackets(scene)["group-1"]
    assert texts_of(group) == ["residual ×2"]
    lo, hi, x = bracket_line_down(group)
    boxes = box_of(scene)
    assert lo == pytest.approx(boxes["layer-1"].y0, abs=1.0)
    assert hi == pytest.approx(boxes["layer-3"].y1, abs=1.0)  # the add's mark
    assert x > max(b.x1 for b in boxes.values())
    assert boxes["layer-4"].y0 >= hi


def bracket_line_down(group: Group) -> tuple[float, float, float]:
    path = next(c for c in group.children if isinstance(c, PathItem) and c.cls == "bracket")
    (_, _, y0), (_, x1, _), (_, _, y2) = path.commands[0], path.commands[1], path.commands[2]
    return min(y0, y2), max(y0, y2), x1


def test_resnet34_reads_as_its_four_stages() -> None:
    scene = build_scene(load_spec(RESNET34))
    said = [texts_of(g)[0] for g in brackets(scene).values()]
    assert said == [
        "conv2_x ×3",
        "conv3_x",
        "basic block ×3",
        "conv4_x",
        "basic block ×5",
        "conv5_x",
        "basic block ×2",
    ]
    # 1 + 3, 1 + 5 and 1 + 2 blocks after the first stage's 3: 3, 4, 6, 3.
    assert len(groups(scene, "skip")) == 7  # one block of each kind drawn, each with its skip


# --- properties ---------------------------------------------------------------------------
name_st = st.sampled_from(["conv2_x", "block", "B", "stage 3", "enc"])


@st.composite
def grouped_chains(draw, style: str) -> tuple[dict, list[list[int]]]:
    """A chain with groups (some repeated, some nested, some with a skip inside); and
    the layer numbers (layer-N) of each group, in document order."""
    side = draw(st.integers(16, 64))
    data: dict = {"style": style, "input": {"shape": [side, side, draw(st.integers(1, 32))]}}
    count = 0
    pools = 0
    members: list[list[int]] = []

    def layer() -> dict:
        nonlocal count, pools
        count += 1
        if pools < 2 and draw(st.integers(0, 4)) == 0:
            pools += 1
            return {"type": "pool", "size": 2}
        return {
            "type": "conv",
            "filters": draw(st.integers(1, 48)),
            "kernel": draw(st.integers(1, 3)),
            "padding": "same",
        }

    def group(depth: int) -> dict:
        before = count  # layers before the group: the skip inside comes from there
        out: dict = {"group": draw(name_st), "layers": []}
        slot = len(members)
        members.append([])
        if draw(st.booleans()):
            out["repeat"] = draw(st.integers(2, 6))
        if draw(st.integers(0, 3)) == 0:
            out["note"] = draw(st.sampled_from(["shared", "stride 2 first"]))
        first = count + 1
        for _ in range(draw(st.integers(1, 3))):
            if depth == 0 and draw(st.integers(0, 4)) == 0:
                out["layers"].append(group(depth + 1))
            else:
                out["layers"].append(layer())
        plain = [x for x in out["layers"] if "group" not in x]
        if style == "lenet" and len(plain) >= 2 and before and draw(st.booleans()):
            plain[-1]["skip_from"] = before - 1  # from the layer before the group
        members[slot] = list(range(first, count + 1))
        return out

    layers = []
    for _ in range(draw(st.integers(1, 4))):
        layers.append(group(0) if draw(st.booleans()) else layer())
    if draw(st.booleans()):
        count += 1
        layers.append({"type": "dense", "units": draw(st.integers(2, 100))})
    data["layers"] = layers
    if draw(st.booleans()):
        data["wrap"] = "auto"
        data["width"] = draw(st.sampled_from(["3.5in", "7in"]))
    return data, members


def _check(data: dict, members: list[list[int]], by_centre: bool) -> None:
    try:
        scene = scene_of(data)
    except NnsvgError as err:  # a run of layers shrunk to nothing is the only refusal
        assert "shrinks" in str(err) or "nothing" in str(err), str(err)
        return
    assert_inside_viewbox_and_finite(scene)
    boxes = box_of(scene)
    ids = list(boxes)
    if not by_centre:  # flat maps and bars never overlap (3D boxes may, in perspective)
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                assert not boxes[a].overlaps(boxes[b]), (a, b)
    found = brackets(scene)
    assert len(found) == len(members)
    texts = [t for t in iter_leaves(scene.items) if isinstance(t, Text)]
    for k, numbers in enumerate(members):
        group = found[f"group-{k + 1}"]
        lo, hi, y = bracket_line(group)
        own = [boxes[f"layer-{n}"] for n in numbers]
        row = (min(b.y0 for b in own), max(b.y1 for b in own))
        if by_centre:
            assert all(lo - TOL <= (b.x0 + b.x1) / 2 <= hi + TOL for b in own)
        else:
            # (a merge mark's box holds its outline's half width)
            assert lo == pytest.approx(min(b.x0 for b in own), abs=1.0)
            assert hi == pytest.approx(max(b.x1 for b in own), abs=1.0)
        for name, box in boxes.items():
            if int(name.removeprefix("layer-")) in numbers:
                continue
            level = box.y1 > row[0] and box.y0 < row[1]  # in the group's row
            if not level:
                continue
            if by_centre:
                assert not lo + 0.5 < (box.x0 + box.x1) / 2 < hi - 0.5, (group.id, name)
            else:
                assert box.x1 <= lo + 0.5 or box.x0 >= hi - 0.5, (group.id, name)
            assert y > box.y1  # under every tensor of its row
        assert y > row[1]
        for piece in segment_boxes(group.children[0]):
            for box in boxes.values():
                assert not piece.overlaps(box), (group.id, piece, box)
        for label in (c for c in group.children if isinstance(c, Text)):
            mine = bbox_of(label)
            for other in texts:
                if other is not label:
                    assert not mine.overlaps(bbox_of(other)), (label.text, other.text)
            for box in boxes.values():
                assert not mine.overlaps(box), (label.text, box)
    # The connectors between rows run clear of every bracket and its texts.
    marks = [
        piece
        for g in found.values()
        for c in g.children
        for piece in (segment_boxes(c) if isinstance(c, PathItem) else [bbox_of(c)])
    ]
    for conn in groups(scene, "connector"):
        for c in conn.children:
            if isinstance(c, PathItem):
                for piece in segment_boxes(c):
                    assert not any(piece.overlaps(m) for m in marks), (conn.id, piece)
    for skip in groups(scene, "skip"):
        for c in skip.children:
            if isinstance(c, PathItem):
                for piece in segment_boxes(c):
                    for box in boxes.values():
                        assert not piece.overlaps(box), (skip.id, piece, box)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grouped_chains("lenet"))
def test_lenet_groups_bracket_their_tensors_only(case: tuple[dict, list[list[int]]]) -> None:
    _check(*case, by_centre=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grouped_chains("alexnet"))
def test_alexnet_groups_bracket_their_boxes_only(case: tuple[dict, list[list[int]]]) -> None:
    _check(*case, by_centre=True)


@st.composite
def residual_graphs(draw, style: str) -> tuple[dict, list[list[int]]]:
    """A graph of residual blocks (two convolutions and an add of the block's input),
    each in a group, some repeated, with pools between; and each group's layer numbers."""
    side = draw(st.integers(16, 48))
    channels = draw(st.integers(2, 32))
    data: dict = {"style": style, "input": {"shape": [side, side, channels], "name": "in"}}
    layers: list[dict] = []
    members: list[list[int]] = []
    before = "in"
    count = 0  # layers so far (layer-N numbers them from 1)
    for k in range(draw(st.integers(1, 3))):
        if k and draw(st.booleans()):
            layers.append({"type": "pool", "size": 2, "name": f"p{k}"})
            count += 1
            before = f"p{k}"
        conv = {"type": "conv", "filters": channels, "kernel": 3, "padding": "same"}
        block = [
            {**conv, "name": f"a{k}", "from": before},
            {**conv, "name": f"b{k}"},
            {"type": draw(st.sampled_from(["add", "concat"])), "name": f"y{k}"},
        ]
        block[2]["from"] = [f"b{k}", before]
        group: dict = {"group": draw(name_st), "layers": block}
        if draw(st.booleans()):
            group["repeat"] = draw(st.integers(2, 6))
        members.append([count + 1, count + 2, count + 3])
        count += 3
        layers.append(group)
        before = f"y{k}"
        if block[2]["type"] == "concat":  # the channels double: keep the next block's
            channels *= 2
    data["layers"] = layers
    return data, members


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(residual_graphs("lenet"))
def test_lenet_groups_of_a_graph_bracket_their_blocks(case: tuple[dict, list[list[int]]]) -> None:
    _check(*case, by_centre=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(residual_graphs("alexnet"))
def test_alexnet_groups_of_a_graph_bracket_their_blocks(case: tuple[dict, list[list[int]]]) -> None:
    _check(*case, by_centre=True)


def _downwards(case: tuple[dict, list[list[int]]]) -> tuple[dict, list[list[int]]]:
    """A generated chain drawn top to bottom (without wrap and skips, which a column
    does not draw)."""
    data, members = case
    data = {k: v for k, v in data.items() if k not in ("wrap", "width")}
    data["direction"] = "down"

    def plain(items: list[dict]) -> list[dict]:
        return [
            {**x, "layers": plain(x["layers"])}
            if "group" in x
            else {k: v for k, v in x.items() if k != "skip_from"}
            for x in items
        ]

    data["layers"] = plain(data["layers"])
    return data, members


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grouped_chains("lenet").map(_downwards))
def test_lenet_groups_down_bracket_their_tensors_on_the_right(
    case: tuple[dict, list[list[int]]],
) -> None:
    data, members = case
    try:
        scene = scene_of(data)
    except NnsvgError as err:
        assert "shrinks" in str(err) or "nothing" in str(err), str(err)
        return
    assert_inside_viewbox_and_finite(scene)
    boxes = box_of(scene)
    right = max(b.x1 for b in boxes.values())
    texts = [t for t in iter_leaves(scene.items) if isinstance(t, Text)]
    found = brackets(scene)
    for k, numbers in enumerate(members):
        group = found[f"group-{k + 1}"]
        lo, hi, x = bracket_line_down(group)
        own = [boxes[f"layer-{n}"] for n in numbers]
        assert lo == pytest.approx(min(b.y0 for b in own))
        assert hi == pytest.approx(max(b.y1 for b in own))
        assert x > right
        for name, box in boxes.items():  # nothing else in its run
            if int(name.removeprefix("layer-")) not in numbers:
                assert box.y1 <= lo + 0.5 or box.y0 >= hi - 0.5, (group.id, name)
        for label in (c for c in group.children if isinstance(c, Text)):
            for other in texts:
                if other is not label:
                    assert not bbox_of(label).overlaps(bbox_of(other)), (label.text, other.text)
