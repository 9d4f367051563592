"""Lanes in the blocks style (nnsvg.engines.block_lanes): blocks of one lane on one
straight line, edges along it straight, edges from off the lane into a block's side,
a shared port's branches marked by dots; the LSTM cell's state across its top."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from nnsvg.errors import SpecError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.scene import Circle, Scene
from tests.test_layout_blocks import block_boxes, check_geometry, check_routes, edge_segments

SPECS = Path(__file__).resolve().parent.parent / "specs"


def lstm() -> Scene:
    return build_scene(load_spec(SPECS / "lstm-cell.yaml"))


def middle_y(scene: Scene, ident: str) -> float:
    box = block_boxes(scene)[ident]
    return (box.y0 + box.y1) / 2


def test_the_lstm_cell_state_runs_straight_across_the_top() -> None:
    scene = lstm()
    check_geometry(scene)
    check_routes(scene)
    boxes = block_boxes(scene)
    # c(t-1) -> × -> + -> c(t): lane 0 (layer-0 the first input, layer-6 keep, layer-8 c,
    # layer-11 the c(t) block)
    lane = ["layer-0", "layer-6", "layer-8", "layer-11"]
    ys = {round(middle_y(scene, k), 6) for k in lane}
    assert len(ys) == 1
    top = ys.pop()
    for ident, box in boxes.items():  # every other block below the lane
        if ident not in lane:
            assert box.y0 > top, ident
    segments = edge_segments(scene)
    for a, b in itertools.pairwise(lane):  # one straight stretch each
        (start, end), *rest = segments[f"edge-{a}-{b}"]
        assert not rest and start[1] == pytest.approx(end[1]) == pytest.approx(top)
    # the forget gate's output comes up into × from below (its side), vertically
    (_, tip) = segments["edge-layer-2-layer-6"][-1]
    last = segments["edge-layer-2-layer-6"][-1]
    assert last[0][0] == pytest.approx(last[1][0]) and last[0][1] > tip[1]


def test_branches_off_a_shared_port_are_dotted() -> None:
    scene = lstm()
    dots = [c for c in scene.items if isinstance(c, Circle)]
    concat = block_boxes(scene)["layer-1"]  # hx: four gates read it
    plus = block_boxes(scene)["layer-8"]
    right_of = [d for d in dots if concat.x1 < d.cx < concat.x1 + 60]
    assert len(right_of) >= 2  # the trunk out of ‖ branches to the gates
    assert any(abs(d.cy - (plus.y0 + plus.y1) / 2) < 1e-6 and d.cx > plus.x1 for d in dots)


def test_a_lane_keeps_edges_off_its_middle() -> None:
    text = (
        "style: blocks\ndirection: right\n"
        "inputs: [{name: a, shape: [4], lane: 0}, {name: b, shape: [4]}]\n"
        "layers:\n  - {type: add, from: [a, b], lane: 0, name: s}\n"
        "  - {type: op, label: out, from: s, lane: 0}\n"
    )
    scene = build_scene(load_spec("t.yaml", text=text))
    check_geometry(scene)
    check_routes(scene)
    segments = edge_segments(scene)
    a_to_s = segments["edge-layer-0-layer-1"]
    assert len(a_to_s) == 1  # straight along the lane
    b_to_s = segments["edge-input-1-layer-1"]
    assert b_to_s[-1][0][0] == pytest.approx(b_to_s[-1][1][0])  # up into its side


def test_a_lane_inside_a_group_is_an_error() -> None:
    text = (
        "style: blocks\ninput: {shape: [4]}\nlayers:\n"
        "  - group: G\n    layers:\n      - {type: op, label: a, lane: 0}\n"
    )
    with pytest.raises(SpecError) as caught:
        build_scene(load_spec("t.yaml", text=text))
    assert str(caught.value).startswith("t.yaml:6:36: layers[0].layers[0].lane: ")
    assert "outside groups" in str(caught.value)


def test_two_blocks_of_a_lane_in_one_rank_stand_apart() -> None:
    text = (
        "style: blocks\ninput: {shape: [4], lane: 0}\nlayers:\n"
        "  - {type: op, label: a, lane: 0, from: input}\n"
        "  - {type: op, label: b, lane: 0, from: input}\n"
    )
    scene = build_scene(load_spec("t.yaml", text=text))
    check_geometry(scene)
    check_routes(scene)
