"""The FCNN engine: geometry properties (hypothesis) and specific layouts."""

from __future__ import annotations

import itertools
import json
import math
import random

from hypothesis import given
from hypothesis import strategies as st

from nnsvg.engines.fcnn import visible_units
from nnsvg.engines.fcnn_edges import zigzag_runs as _zigzag_runs
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.svg import render_svg
from nnsvg.scene import Circle, EdgeBundle, Group, Scene, Text, bbox_of, iter_leaves
from tests.scenes import assert_inside_viewbox_and_finite, groups, shuffled


def scene_of(data: dict) -> Scene:
    return build_scene(load_spec("t.json", text=json.dumps(data)))


layer_st = st.fixed_dictionaries(
    {"units": st.integers(1, 40)},
    optional={
        "label": st.text(
            alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]),
            min_size=1,
            max_size=24,
        ),
        "activation": st.sampled_from(["relu", "tanh", "softmax", "my-act"]),
        "max_visible": st.integers(3, 12),
        "recurrent": st.booleans(),
        "bias": st.booleans(),
    },
)
spec_st = st.fixed_dictionaries(
    {"layers": st.lists(layer_st, min_size=1, max_size=6)},
    optional={
        "direction": st.sampled_from(["right", "down"]),
        "max_visible": st.integers(3, 20),
        "elide": st.booleans(),
        "edges": st.fixed_dictionaries(
            {},
            optional={
                "encode": st.lists(st.sampled_from(["width", "opacity", "color"]), unique=True),
                "curve": st.sampled_from(["straight", "bezier"]),
                "arrows": st.sampled_from(["none", "open", "solid"]),
            },
        ),
        "seed": st.integers(0, 2**32),
        "theme": st.sampled_from(["default", "paper", "colorblind", "dark"]),
        "show_title": st.booleans(),
        "title": st.text(min_size=1, max_size=30).filter(
            lambda s: s.isprintable() and "$" not in s
        ),
    },
)


def _valid(data: dict) -> dict:
    data["layers"][-1].pop("bias", None)  # the last layer cannot have a bias unit
    return data


@given(spec_st.map(_valid))
def test_every_item_is_finite_and_inside_the_viewbox(data: dict) -> None:
    assert_inside_viewbox_and_finite(scene_of(data))


@given(spec_st.map(_valid), st.randoms(use_true_random=False))
def test_key_order_does_not_change_the_figure(data: dict, rnd: random.Random) -> None:
    assert render_svg(scene_of(data)) == render_svg(scene_of(shuffled(data, rnd)))


@given(spec_st.map(_valid))
def test_nodes_never_overlap_and_labels_never_overlap(data: dict) -> None:
    scene = scene_of(data)
    circles = [c for g in groups(scene, "nodes") for c in g.children if isinstance(c, Circle)]
    centres = sorted((c.cx, c.cy, c.r) for c in circles)
    for (x0, y0, r0), (x1, y1, r1) in itertools.pairwise(centres):
        assert math.hypot(x1 - x0, y1 - y0) >= r0 + r1 - 1e-6
    label_boxes = []
    for g in groups(scene, "labels"):
        boxes = [bbox_of(t) for t in g.children if isinstance(t, Text)]
        label_boxes.append(boxes)
    for i, a in enumerate(label_boxes):
        for b in label_boxes[i + 1 :]:
            for ba in a:
                for bb in b:
                    assert not ba.overlaps(bb), (ba, bb)


@given(st.integers(1, 30), st.integers(1, 30))
def test_zigzag_trails_draw_every_edge_exactly_once(m: int, n: int) -> None:
    runs = _zigzag_runs(m, n)
    seen = []
    for run in runs:
        for a, b in itertools.pairwise(run):
            s, t = (a, b) if a < m else (b, a)
            assert s < m <= t < m + n  # every step joins a source and a target
            seen.append((s, t))
    assert len(seen) == m * n
    assert set(seen) == {(s, m + t) for s in range(m) for t in range(n)}
    # One vertex per edge (plus one per trail): compact path data.
    assert sum(len(r) for r in runs) <= m * n + len(runs)


@given(st.integers(1, 10**12), st.integers(3, 100))
def test_visible_units(units: int, limit: int) -> None:
    shown, elided = visible_units(units, limit)
    assert elided == (units > limit)
    assert len(shown) == min(units, limit)
    assert shown == sorted(set(shown))
    assert shown[0] == 0 and shown[-1] == units - 1


def test_edges_count_matches_drawn_nodes() -> None:
    scene = scene_of({"layers": [784, 300, 10], "max_visible": 10})
    bundles = [b for b in iter_leaves(scene.items) if isinstance(b, EdgeBundle)]
    assert sum(b.edge_count for b in bundles) == 10 * 10 + 10 * 10


def test_bias_unit_feeds_every_node_of_the_next_layer_only() -> None:
    scene = scene_of({"layers": [{"units": 2, "bias": True}, 3]})
    bundles = [b for b in iter_leaves(scene.items) if isinstance(b, EdgeBundle)]
    assert sum(b.edge_count for b in bundles) == (2 + 1) * 3
    bias = groups(scene, "bias")
    assert len(bias) == 1
    texts = [t.text for t in bias[0].children if isinstance(t, Text)]
    assert texts == ["+1"]


def test_elided_layer_has_an_ellipsis_and_true_size_label() -> None:
    scene = scene_of({"layers": [{"units": 784, "max_visible": 6}, 10]})
    assert len(groups(scene, "ellipsis")) == 1
    first = groups(scene, "layer")[0]
    circles = [
        c for g in first.children if isinstance(g, Group) and g.role == "nodes" for c in g.children
    ]
    assert len(circles) == 6
    labels = [t.text for g in groups(scene, "labels")[:1] for t in g.children]
    assert labels == ["Input Layer", "ℝ⁷⁸⁴"]


def test_labels_widen_the_gap_instead_of_overlapping() -> None:
    long = "A very long layer title that needs room"
    scene = scene_of({"layers": [{"units": 3, "label": long}, {"units": 3, "label": long}]})
    a, b = (bbox_of(g) for g in groups(scene, "labels"))
    assert not a.overlaps(b)
    layers = groups(scene, "layer")
    xs = [bbox_of(g).x0 for g in layers]
    assert xs[1] - xs[0] > 160  # wider than the theme's layer spacing


def test_direction_down_puts_layers_in_rows() -> None:
    scene = scene_of({"layers": [3, 2], "direction": "down"})
    rows = [g for g in groups(scene, "nodes")]
    ys = [{c.cy for c in g.children} for g in rows]
    assert all(len(y) == 1 for y in ys)
    assert min(ys[1]) > min(ys[0])


def test_recurrent_layer_draws_a_loop_with_an_arrowhead() -> None:
    scene = scene_of({"layers": [2, {"units": 3, "recurrent": True}, 1]})
    loops = groups(scene, "recurrent")
    assert len(loops) == 1
    kinds = sorted(type(c).__name__ for c in loops[0].children)
    assert kinds == ["Path", "Polygons"]


def test_color_encoding_adds_a_colour_bar_legend_and_diverging_colours() -> None:
    scene = scene_of({"layers": [4, 4], "edges": {"encode": ["color"]}, "seed": 3})
    assert len(groups(scene, "legend")) == 1
    strokes = {b.paint.stroke for b in iter_leaves(scene.items) if isinstance(b, EdgeBundle)}
    assert len(strokes) > 3
    plain = scene_of({"layers": [4, 4]})
    assert groups(plain, "legend") == []


def test_random_weights_depend_on_the_seed_only() -> None:
    spec = {"layers": [5, 5], "edges": {"encode": ["color", "width"]}}
    a = render_svg(scene_of({**spec, "seed": 1}))
    assert a == render_svg(scene_of({**spec, "seed": 1}))
    assert a != render_svg(scene_of({**spec, "seed": 2}))


def test_arrowheads_stop_at_the_node_outline() -> None:
    scene = scene_of({"layers": [1, 1], "edges": {"arrows": "solid"}})
    bundle = next(b for b in iter_leaves(scene.items) if isinstance(b, EdgeBundle))
    heads = next(
        p for p in iter_leaves(scene.items) if type(p).__name__ == "Polygons" and p.cls != "open"
    )
    target = [c for g in groups(scene, "nodes") for c in g.children][1]
    tip = heads.polygons[0][1]
    gap = math.hypot(tip[0] - target.cx, tip[1] - target.cy) - target.r
    assert 0 < gap <= 2
    # The line ends behind the tip, so it never pokes through the arrowhead.
    end_x = bundle.xs[bundle.runs[0][-1]]
    assert end_x < tip[0]


def test_a_label_that_is_its_size_is_printed_once() -> None:
    from nnsvg.scene import Text, iter_leaves
    from tests.scenes import checked_spec

    for style, data in (
        ("fcnn", {"layers": [{"units": 3, "label": "ℝ³"}, 2]}),
        ("lenet", {"input": [8, 8, 3], "layers": [{"units": 10, "label": "1×10"}]}),
    ):
        scene = build_scene(checked_spec({"style": style, **data}))
        texts = [t.text for t in iter_leaves(scene.items) if isinstance(t, Text)]
        label = data["layers"][0]["label"]
        assert texts.count(label) == 1, (style, texts)
