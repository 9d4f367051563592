"""The LeNet style's rows (wrap) and column (direction: down): geometry properties
(hypothesis), the row pieces of nnsvg.engines.rows, wrap: auto, and located errors."""

from __future__ import annotations

import functools
import itertools
import json
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.engines.rows import (
    balanced_rows,
    per_row_choices,
    printed_min_pt,
    split_rows,
)
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.scene import Path as PathItem
from nnsvg.scene import Polygon, Rect, Scene, Text, bbox_of, bounds, iter_leaves
from tests.cli_run import run
from tests.scenes import assert_inside_viewbox_and_finite, groups
from tests.test_layout_lenet import (
    _labels_over_other_shapes,
    cnn_specs,
    error_of,
    label_texts,
    layer_groups,
    scene_or_reject,
    shape_box,
    shape_leaves,
)
from tests.test_layout_lenet_graph import GRAPHS, bodies, check_graph_figure, connectors, graphs
from tests.test_layout_lenet_graph import scene_of as graph_scene

ROOT = Path(__file__).resolve().parent.parent
VGG19 = ROOT / "specs" / "vgg19.yaml"
MARGIN = 0.3  # a connector may touch what it leaves and reaches, never run through it


# --- helpers ---------------------------------------------------------------------------
@st.composite
def chains(draw, key: str = "wrap") -> dict:
    """A random LeNet chain (no skips) with a random ``wrap`` or ``direction: down``."""
    data = draw(cnn_specs())
    for layer in data["layers"]:
        layer.pop("skip_from", None)
        layer.pop("merge", None)
    if key == "wrap":
        data["wrap"] = draw(st.integers(1, len(data["layers"]) + 2))
    else:
        data["direction"] = "down"
    return data


def sampled(path: PathItem, step: float = 1.0) -> list[tuple[float, float]]:
    """Points along a path of M, L and Q commands, about ``step`` apart."""
    points: list[tuple[float, float]] = []
    x = y = 0.0
    for command in path.commands:
        op, *args = command
        if op == "M":
            x, y = args
            points.append((x, y))
        elif op == "L":
            x1, y1 = args
            n = max(1, math.ceil(math.hypot(x1 - x, y1 - y) / step))
            points += [(x + (x1 - x) * k / n, y + (y1 - y) * k / n) for k in range(1, n + 1)]
            x, y = x1, y1
        elif op == "Q":
            cx, cy, x1, y1 = args
            for k in range(1, 11):
                t = k / 10
                points.append(
                    (
                        (1 - t) ** 2 * x + 2 * (1 - t) * t * cx + t * t * x1,
                        (1 - t) ** 2 * y + 2 * (1 - t) * t * cy + t * t * y1,
                    )
                )
            x, y = x1, y1
        else:  # pragma: no cover - the row connector draws only these
            raise AssertionError(op)
    return points


def in_convex(points: tuple[tuple[float, float], ...], x: float, y: float) -> bool:
    """Strictly inside a convex polygon, by more than MARGIN from every edge."""
    sign = 0
    n = len(points)
    for k in range(n):
        (ax, ay), (bx, by) = points[k], points[(k + 1) % n]
        length = math.hypot(bx - ax, by - ay) or 1.0
        d = ((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / length
        if abs(d) <= MARGIN:
            return False
        s = 1 if d > 0 else -1
        if sign and s != sign:
            return False
        sign = s
    return True


def crossings(scene: Scene) -> list[tuple[str, str]]:
    """(connector, what it runs through): maps, vector bars and captions."""
    obstacles: list[tuple[str, Rect | Polygon | Text]] = []
    for g in layer_groups(scene):
        obstacles += [(g.id, leaf) for leaf in shape_leaves(g)]
    obstacles += [(t.text, t) for t in label_texts(scene)]
    hits = []
    for c in groups(scene, "connector"):
        for path in (leaf for leaf in iter_leaves(c.children) if isinstance(leaf, PathItem)):
            for x, y in sampled(path):
                for name, item in obstacles:
                    if isinstance(item, Polygon):
                        hit = in_convex(item.points, x, y)
                    else:
                        b = bbox_of(item)
                        hit = (
                            b.x0 + MARGIN < x < b.x1 - MARGIN and b.y0 + MARGIN < y < b.y1 - MARGIN
                        )
                    if hit:
                        hits.append((c.id, name))
    return sorted(set(hits))


def scene_of(data: dict) -> Scene:
    return build_scene(load_spec("t.json", text=json.dumps(data)))


def assert_drawn_cleanly(scene: Scene, layers: int) -> None:
    assert_inside_viewbox_and_finite(scene)
    drawn = layer_groups(scene)
    assert len(drawn) == layers
    boxes = [shape_box(g) for g in drawn]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
    texts = label_texts(scene)
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not bbox_of(a).overlaps(bbox_of(b)), (a.text, b.text)
    assert _labels_over_other_shapes(scene) == []


# --- properties ------------------------------------------------------------------------
@given(chains())
def test_wrapped_chains_stay_inside_apart_and_connected_cleanly(data: dict) -> None:
    scene = scene_or_reject(data)
    assert_drawn_cleanly(scene, len(data["layers"]) + 1)
    rows = split_rows(len(data["layers"]) + 1, data["wrap"])
    assert len(groups(scene, "connector")) == len(rows) - 1
    assert crossings(scene) == []
    # Rows run down the page, each left to right, all starting at one left edge.
    boxes = [shape_box(g) for g in layer_groups(scene)]
    for k, row in enumerate(rows):
        for a, b in itertools.pairwise(row):
            assert boxes[a].x1 <= boxes[b].x0
        if k:
            assert max(boxes[i].y1 for i in rows[k - 1]) < min(boxes[i].y0 for i in row)


@given(chains(key="direction"))
def test_chains_drawn_down_run_top_to_bottom_with_captions_beside(data: dict) -> None:
    scene = scene_or_reject(data)
    assert_drawn_cleanly(scene, len(data["layers"]) + 1)
    boxes = [shape_box(g) for g in layer_groups(scene)]
    for a, b in itertools.pairwise(boxes):
        assert a.y1 <= b.y0
    # Sizes beside their tensors (on the left), operations beside the gap they cross
    # (on the right).
    for k, (g, box) in enumerate(zip(layer_groups(scene), boxes)):
        for cls in ("label-size", "label-op"):
            texts = [c for c in g.children if isinstance(c, Text) and c.cls == cls]
            if not texts:
                continue
            block = bounds(texts)
            middle = (block.y0 + block.y1) / 2
            if cls == "label-size":
                assert block.x1 <= box.x0 and box.y0 <= middle <= box.y1, g.id
            else:
                above = boxes[k - 1]
                assert block.x0 >= max(above.x1, box.x1), g.id
                assert above.y1 <= middle <= box.y0, g.id


@given(st.integers(1, 12), st.integers(1, 12), st.randoms(use_true_random=False))
def test_balanced_rows_cover_the_chain_in_order_with_the_narrowest_widest_row(
    count: int, rows: int, rnd
) -> None:
    sizes = [rnd.randint(1, 13) for _ in range(count)]

    def width(i: int, j: int) -> float:
        return sum(sizes[i:j]) + 2 * (j - i - 1)

    found = balanced_rows(count, width, rows)
    assert len(found) <= rows
    assert [i for r in found for i in r] == list(range(count))
    widest = max(width(r.start, r.stop) for r in found)

    @functools.cache
    def best(i: int, left: int) -> float:  # the narrowest widest row for items i..
        if i == count:
            return 0.0
        if left == 0:
            return math.inf
        return min(max(width(i, j), best(j, left - 1)) for j in range(i + 1, count + 1))

    assert widest == best(0, rows)


def test_per_row_choices_give_each_row_count_once() -> None:
    assert per_row_choices(12) == [12, 6, 4, 3, 2, 1]
    for n in range(1, 40):
        counts = [len(split_rows(n, k)) for k in per_row_choices(n)]
        assert counts == sorted(set(counts))


# --- wrap: auto ------------------------------------------------------------------------
def test_vgg19_wraps_to_the_fewest_rows_that_print_at_6pt_at_7in() -> None:
    spec = load_spec(VGG19)
    scene = build_scene(spec)
    assert printed_min_pt(scene, (7, "in")) >= 6.0
    rows = len(groups(scene, "connector")) + 1
    assert rows >= 2
    # One row fewer prints under 6 pt.
    data = json.loads(json.dumps(yaml.safe_load(VGG19.read_text())))
    count = len(layer_groups(scene))
    fewer = scene_of({**data, "wrap": math.ceil(count / (rows - 1))})
    assert printed_min_pt(fewer, (7, "in")) < 6.0


def test_vgg19_in_one_row_prints_far_under_6pt() -> None:
    data = yaml.safe_load(VGG19.read_text())
    del data["wrap"]
    assert printed_min_pt(scene_of(data), (7, "in")) < 2.5


def test_wrap_auto_with_a_font_size_prints_the_text_at_that_size() -> None:
    data = yaml.safe_load(VGG19.read_text())
    data["font_size"] = "8pt"
    scene = scene_of(data)
    base = max(t.style.size for t in iter_leaves(scene.items) if isinstance(t, Text) and t.style)
    assert groups(scene, "connector")  # still rows
    assert printed_min_pt(scene, (7, "in")) > 6.0
    assert base > 0


def test_wrap_auto_without_a_width_keeps_the_figure_under_2_to_1() -> None:
    data = yaml.safe_load(VGG19.read_text())
    del data["width"]
    scene = scene_of(data)
    w, h = scene.viewbox[2:]
    assert w <= 2 * h
    assert groups(scene, "connector")


# --- errors ----------------------------------------------------------------------------
BASE = {
    "style": "lenet",
    "input": {"shape": [16, 16, 3]},
    "layers": [
        {"type": "conv", "filters": 4, "kernel": 3},
        {"type": "pool"},
        {"type": "dense", "units": 3},
    ],
}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "wrap: must be auto or a number of layers per row from 1 to 1000, got 0"),
        (-2, "from 1 to 1000, got -2"),
        ("rows", "wrap: must be auto or a number of layers per row (an integer >= 1), got 'rows'"),
        (True, "got true"),
        (2.5, "got 2.5"),
    ],
)
def test_a_wrong_wrap_is_a_located_error(value: object, message: str) -> None:
    text = "style: lenet\ninput: {shape: [16, 16, 3]}\nlayers:\n  - {type: pool}\n"
    text += f"wrap: {json.dumps(value)}\n"
    found = error_of(text)
    assert found.startswith("t.yaml:5:7: "), found
    assert message in found


@pytest.mark.parametrize("style", ["fcnn"])
def test_styles_without_rows_reject_wrap_with_the_contract_error(style: str) -> None:
    data = {**BASE, "style": style, "wrap": 2}
    if style == "fcnn":
        data = {"style": "fcnn", "layers": [3, 4, 2], "wrap": 2}
    found = error_of(data)
    assert (
        "wrap: the "
        + style
        + " style cannot draw this key: remove it, or draw the figure in the lenet, alexnet or "
        "blocks style" in found
    )


def test_wrap_with_direction_down_is_an_error() -> None:
    found = error_of({**BASE, "wrap": 2, "direction": "down"})
    assert (
        "wrap: wrap continues a row on the next row, so it cannot go with direction: down" in found
    )


@pytest.mark.parametrize("key", ["wrap", "direction"])
def test_rows_of_a_network_with_skips_are_located_errors_and_branches_draw(key: str) -> None:
    value = 2 if key == "wrap" else "down"
    skip = {
        **BASE,
        key: value,
        "layers": [
            *BASE["layers"][:1],
            {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "skip_from": 0},
            *BASE["layers"][1:],
        ],
    }
    if key == "wrap":  # the skip leaves from the end of the first row: it is drawn
        scene = build_scene(load_spec("t.json", text=json.dumps(skip)))
        assert [g.id for g in groups(scene, "skip")] == ["skip-1-2"]
        skip["layers"][1] = {**skip["layers"][1], "skip_from": "input"}
        found = error_of(skip)
        assert (
            "wrap: wrap: 2 puts the skip connection into layers[1] on a later row than its "
            "source input" in found
        )
    else:
        found = error_of(skip)
        assert "direction: the lenet style draws skip_from arcs over rows, left to right" in found
        assert "this network has skip connections" in found
    branch = {
        "style": "lenet",
        key: value,
        "input": {"shape": [16, 16, 3]},
        "layers": [
            {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "name": "a"},
            {"type": "conv", "filters": 4, "kernel": 3, "padding": "same", "from": -2},
            {"type": "add", "from": ["a", -1]},
        ],
    }
    if key == "wrap":  # rows cut after the input: tests/test_layout_lenet_graph_rows.py
        scene = graph_scene(branch)
        assert next(c.id for c in groups(scene, "connector")) == "edge-layer-0-row"
    else:
        check_graph_figure(graph_scene(branch))


# --- graphs drawn down -------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(graphs())
def test_random_graphs_drawn_down_draw_cleanly_and_flow_down(data: dict) -> None:
    data = {**data, "direction": "down"}
    scene = graph_scene(data)
    check_graph_figure(scene)
    boxes = bodies(scene)
    for source, target, points in connectors(scene):
        assert points[-1][1] > points[0][1], (source, target)  # arrows point down the page
        assert boxes[source].y1 <= boxes[target].y0 + 1e-6


@pytest.mark.parametrize("name", GRAPHS)
def test_the_gallery_graphs_drawn_down_draw_cleanly(name: str) -> None:
    data = yaml.safe_load((ROOT / "specs" / f"{name}.yaml").read_text())
    data.pop("width", None)
    data.pop("font_size", None)
    check_graph_figure(graph_scene({**data, "direction": "down"}))


# --- the command line --------------------------------------------------------------------
def test_the_cli_reports_a_wrong_wrap_at_its_place_and_fails(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(
        "style: fcnn\nlayers: [3, 4, 2]\nwrap: 2\n",
        encoding="utf-8",
    )
    result = run("render", spec, "-o", tmp_path / "net.svg")
    assert result.exit_code == 1
    assert (
        "net.yaml:3:1: wrap: the fcnn style cannot draw this key: remove it, or draw the "
        "figure in the lenet, alexnet or blocks style" in result.stderr
    )
    assert not (tmp_path / "net.svg").exists()
    spec.write_text(
        "style: lenet\ninput: {shape: [16, 16, 3]}\nlayers:\n  - {type: pool}\nwrap: 0\n"
    )
    result = run("check", spec)
    assert result.exit_code == 1
    assert "net.yaml:5:7: wrap: must be auto or a number of layers per row" in result.stderr


def test_the_cli_check_passes_the_wrapped_vgg19_at_its_declared_7in() -> None:
    result = run("check", VGG19)
    assert result.exit_code == 0, result.stderr
    assert "nothing to send back" in result.stdout
