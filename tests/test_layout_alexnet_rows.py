"""The AlexNet style's rows (wrap): geometry properties (hypothesis), wrap: auto on
VGG-16, and located errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.engines.alexnet_labels import hull
from nnsvg.engines.rows import printed_min_pt, split_rows
from nnsvg.errors import NnsvgError
from nnsvg.pipeline import RenderOptions, build_network, build_scene, load_spec
from nnsvg.scene import Circle, Group, Scene, Text, bbox_of, iter_leaves
from nnsvg.scene import Path as PathItem
from tests.cli_run import run
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
    for layer in data["layers"]:  # a negative spacing pulls a box into the one before it
        if layer.get("spacing", 0) < 0:  # (as asked): a connector may leave from inside it
            del layer["spacing"]
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


def junctions(skip: Group) -> list[Circle]:
    """The junction dots of a skip (filled, no outline; its merge mark has one)."""
    return [c for c in skip.children if isinstance(c, Circle) and c.paint.stroke == "none"]


def test_wrap_that_cuts_a_skip_elsewhere_than_at_its_source_says_where_rows_can_end() -> None:
    layers = [*BASE["layers"][:2], {**BASE["layers"][2], "skip_from": "input"}]
    found = error_of({**BASE, "layers": layers})
    assert found.startswith("t.json:1:")
    assert (
        "wrap: wrap: 2 puts the skip connection into layers[2] on a later row than its source "
        "input, which does not end its row" in found
    )
    assert "the nearest rows can end after input; use wrap: auto" in found
    # A skip from the end of the first row is drawn: it branches off the connector.
    layers[2]["skip_from"] = 0
    scene = scene_of({**BASE, "layers": layers})
    (skip,) = groups(scene, "skip")
    assert skip.id == "skip-1-3"
    assert len(junctions(skip)) == 1


def test_skips_crossing_rows_seen_from_below_are_a_located_error() -> None:
    layers = [*BASE["layers"][:2], {**BASE["layers"][2], "skip_from": 0}]
    found = error_of({**BASE, "layers": layers, "camera": {"elevation": -20}})
    assert "wrap: wrap draws a skip connection that crosses into the next row" in found
    assert "at camera elevation -20 the skips pass under the boxes" in found
    # wrap: auto keeps every skip on one row instead.
    scene = scene_of({**BASE, "layers": layers, "camera": {"elevation": -20}, "wrap": "auto"})
    assert junctions(groups(scene, "skip")[0]) == []


def test_wrap_on_a_network_that_branches_draws_rows() -> None:
    layers = [
        BASE["layers"][0],
        {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "from": -2},
        {"type": "add", "from": ["a", -1]},
        {"type": "pool"},
    ]
    scene = scene_of({**BASE, "layers": layers})
    assert [c.id for c in groups(scene, "connector") if c.id] == [
        "edge-layer-0-row",  # x is read by two layers: the edges part after the connector
        "edge-layer-3-layer-4",  # the add by one: into it, as a chain's rows are joined
    ]


@pytest.mark.parametrize("azimuth", [0, 20, 170, -69])
def test_wrap_with_a_camera_along_or_against_the_network_is_a_located_error(
    azimuth: float,
) -> None:
    found = error_of({**BASE, "camera": {"azimuth": azimuth}})
    assert f"wrap: wrap lays each row out left to right, and at camera azimuth {azimuth}" in found


# --- skips over rows -------------------------------------------------------------------
RESNET34 = ROOT / "specs" / "resnet34.yaml"


@st.composite
def wrapped_with_skips(draw) -> dict:
    """A random AlexNet chain with skips, seen from above, with a random ``wrap``."""
    data = draw(alexnet_specs(skips=True))
    data["camera"]["azimuth"] = draw(st.floats(30, 150))
    data["camera"]["elevation"] = draw(st.floats(0, 60))
    data["wrap"] = draw(st.integers(1, len(data["layers"]) + 1))
    return data


def sampled_lines(group: Group) -> list[tuple[float, float]]:
    return [
        p
        for leaf in iter_leaves(group.children)
        if isinstance(leaf, PathItem)
        for p in sampled(leaf)
    ]


def check_skips_over_rows(
    scene: Scene, net_skips: list[tuple[int, int]], rows: list[range]
) -> None:
    """Every skip is drawn; one that crosses into the next row leaves from a junction dot
    on the left leg of the connector bringing its source into that row, and its lines
    pass through no box but the one it joins; connectors cross no box and no text."""
    assert_inside_viewbox_and_finite(scene)
    assert len(groups(scene, "connector")) == len(rows) - 1
    assert connector_crossings(scene) == []
    skips = {g.id: g for g in groups(scene, "skip")}
    assert sorted(skips) == sorted(f"skip-{a}-{b}" for a, b in net_skips)
    connectors = groups(scene, "connector")
    shapes = outlines(scene)
    for a, b in net_skips:
        group = skips[f"skip-{a}-{b}"]
        crosses = any(a < r.start <= b for r in rows)
        # Past its rise out of the source box, a skip passes through no box.
        arc = next(c for c in group.children if isinstance(c, PathItem) and c.cls == "skip")
        along = (
            arc
            if crosses
            else dataclasses.replace(arc, commands=(("M", *arc.commands[1][1:]), *arc.commands[2:]))
        )
        for name, outline in shapes:
            if len(outline) >= 3:
                assert not any(in_convex(tuple(outline), x, y) for x, y in sampled(along)), (
                    group.id,
                    name,
                )
        dots = junctions(group)
        assert len(dots) == int(crosses), group.id
        if not crosses:
            continue
        (connector,) = [c for c in connectors if c.id.startswith(f"edge-layer-{a}-")]
        line = sampled_lines(connector)
        left = min(x for x, _ in line)
        leg = [y for x, y in line if abs(x - left) < 1e-6]
        (dot,) = dots
        assert dot.cx == pytest.approx(left)
        assert min(leg) < dot.cy < max(leg)
        for name, outline in shapes:
            if name == f"layer-{b}" or len(outline) < 3:
                continue
            assert not any(in_convex(tuple(outline), x, y) for x, y in sampled_lines(group)), name


def skip_pairs(spec) -> list[tuple[int, int]]:
    net = build_network(spec)
    return [(net.nodes[s.source].number, net.nodes[s.target].number) for s in net.skips]


@settings(max_examples=40, deadline=None)
@given(wrapped_with_skips())
def test_wrapped_chains_with_skips_branch_off_the_connectors_cleanly(data: dict) -> None:
    spec = checked_spec(data)
    pairs = skip_pairs(spec)
    rows = split_rows(len(data["layers"]) + 1, data["wrap"])
    if any(a < r.start <= b and a != r.start - 1 for a, b in pairs for r in rows):
        with pytest.raises(NnsvgError, match="which does not end its row"):
            build_scene(spec)
        return
    check_skips_over_rows(build_scene(spec), pairs, rows)


def resnet34(**changes: object) -> tuple[Scene, list[tuple[int, int]]]:
    data = yaml.safe_load(RESNET34.read_text(encoding="utf-8"))
    data.update(changes)
    spec = load_spec("resnet34.json", text=json.dumps(data))
    return build_scene(spec), skip_pairs(spec)


def rows_of(scene: Scene) -> list[range]:
    """The rows drawn, from the connectors' ids (``edge-layer-A-layer-B``)."""
    starts = [0] + [int(c.id.rsplit("-", 1)[1]) for c in groups(scene, "connector")]
    ends = [*starts[1:], len(top_groups(scene, "layer"))]
    return [range(a, b) for a, b in zip(starts, ends, strict=True)]


def test_resnet34_in_the_alexnet_style_wraps_its_stages_with_their_shortcuts() -> None:
    spec = load_spec(RESNET34)
    scene = build_scene(spec, RenderOptions(style="alexnet"))
    rows = rows_of(scene)
    assert len(rows) == 4  # a row per stage or two: breaks only between the groups
    check_skips_over_rows(scene, skip_pairs(spec), rows)
    assert printed_min_pt(scene, (7, "in")) >= 6.0
    result = run("check", RESNET34, "--style", "alexnet")
    assert result.exit_code == 0, result.stderr


def test_resnet34_in_the_alexnet_style_without_edge_numbers_fits_a_7in_page_on_two_rows(
    tmp_path: Path,
) -> None:
    data = yaml.safe_load(RESNET34.read_text(encoding="utf-8"))
    del data["theme"]  # the lenet style's
    data.update(style="alexnet", labels={"activations": False, "dims": False})
    path = tmp_path / "resnet34.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    spec = load_spec(path)
    scene = build_scene(spec)
    rows = rows_of(scene)
    assert len(rows) == 2
    check_skips_over_rows(scene, skip_pairs(spec), rows)
    assert printed_min_pt(scene, (7, "in")) >= 6.0
    width, height = scene.viewbox[2:]
    assert 7 * height / width < 7.0  # inches tall at 7 in wide: it fits a page
    result = run("check", path)
    assert result.exit_code == 0, result.stderr
