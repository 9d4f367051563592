"""The LeNet engine: geometry properties (hypothesis) and specific layouts."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from nnsvg.errors import NnsvgError, SpecError
from nnsvg.images import encode_png
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render.svg import render_svg
from nnsvg.scene import (
    BBox,
    Circle,
    Group,
    Image,
    Polygon,
    Polygons,
    Rect,
    Scene,
    Text,
    bbox_of,
    iter_leaves,
)
from nnsvg.scene import Path as PathItem
from nnsvg.spec.shapes import infer_shapes
from nnsvg.theme import load_theme
from tests.scenes import (
    assert_inside_viewbox_and_finite,
    checked_spec,
    groups,
    shuffled,
    svg_numbers_are_finite,
)

ROOT = Path(__file__).resolve().parent.parent
LENET5 = ROOT / "specs" / "lenet5.yaml"
THEMES = ("default", "paper", "colorblind", "dark")
EPS = 1e-6


# --- helpers ---------------------------------------------------------------------------
def scene_of(data: dict, options: RenderOptions | None = None, file: str = "t.json") -> Scene:
    return build_scene(load_spec(file, text=json.dumps(data)), options)


def scene_or_reject(data: dict) -> Scene:
    """The scene of a generated spec; specs whose maps shrink to nothing are rejected."""
    return build_scene(checked_spec(data))


def error_of(data: dict | str, options: RenderOptions | None = None) -> str:
    """The one-line message (``file:line:col: field: message``) a spec fails with."""
    text = data if isinstance(data, str) else json.dumps(data)
    file = "t.yaml" if isinstance(data, str) else "t.json"
    with pytest.raises(NnsvgError) as info:
        build_scene(load_spec(file, text=text), options)
    return str(info.value)


def group_by_id(scene: Scene, gid: str) -> Group:
    found = []

    def walk(items):
        for item in items:
            if isinstance(item, Group):
                if item.id == gid:
                    found.append(item)
                walk(item.children)

    walk(scene.items)
    assert len(found) == 1, gid
    return found[0]


def layer_groups(scene: Scene) -> list[Group]:
    """The top-level groups of the drawn tensors, in order (role ``layer <kind>``)."""
    return [g for g in scene.items if isinstance(g, Group) and g.role.startswith("layer")]


def shape_leaves(group: Group) -> list[Rect | Polygon]:
    """The maps (Rect) and vector bars (Polygon) of a layer group, not its link lines."""
    return [leaf for leaf in iter_leaves(group.children) if isinstance(leaf, (Rect, Polygon))]


def shape_box(group: Group) -> BBox:
    boxes = [bbox_of(leaf) for leaf in shape_leaves(group)]
    assert boxes, group.id
    return BBox(
        min(b.x0 for b in boxes),
        min(b.y0 for b in boxes),
        max(b.x1 for b in boxes),
        max(b.y1 for b in boxes),
    )


def maps_of(scene: Scene, layer_id: str) -> list[Rect]:
    """The drawn maps of a stack, back to front (the front map is drawn last)."""
    group = group_by_id(scene, f"{layer_id}-maps")
    return [r for r in group.children if isinstance(r, Rect) and r.paint.fill != "none"]


def front_of(scene: Scene, layer_id: str) -> BBox:
    return bbox_of(maps_of(scene, layer_id)[-1])


def label_texts(scene: Scene) -> list[Text]:
    """The captions, layer by layer: each layer's sit in its own group."""
    return [
        t
        for g in layer_groups(scene)
        for t in g.children
        if isinstance(t, Text) and t.cls in ("label-size", "label-op")
    ]


def inside(box: BBox, outer: BBox, tol: float = EPS) -> bool:
    return (
        outer.x0 - tol <= box.x0
        and box.x1 <= outer.x1 + tol
        and outer.y0 - tol <= box.y0
        and box.y1 <= outer.y1 + tol
    )


def contains_point(box: BBox, x: float, y: float, tol: float = EPS) -> bool:
    return box.x0 - tol <= x <= box.x1 + tol and box.y0 - tol <= y <= box.y1 + tol


def path_points(path: PathItem) -> list[tuple[float, float]]:
    points = []
    for cmd in path.commands:
        values = cmd[1:]
        points.extend(zip(values[0::2], values[1::2]))
    return points


def segment_boxes(path: PathItem) -> list[BBox]:
    """The bounds of each straight piece of a path (a Q's control point stands in for its
    curve, whose hull it bounds with the ends)."""
    boxes = []
    current = None
    for cmd in path.commands:
        pts = list(zip(cmd[1::2], cmd[2::2]))
        if cmd[0] != "M" and current is not None:
            hull = [current, *pts]
            xs = [p[0] for p in hull]
            ys = [p[1] for p in hull]
            boxes.append(BBox(min(xs), min(ys), max(xs), max(ys)))
        if pts:
            current = pts[-1]
    return boxes


def _polygon_meets_box(points: tuple[tuple[float, float], ...], box: BBox) -> bool:
    """Whether a convex polygon and a box share interior (separating axis test)."""
    rect = ((box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1))
    for poly in (points, rect):
        for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1]):
            ax, ay = y1 - y0, x0 - x1
            a = [ax * x + ay * y for x, y in points]
            b = [ax * x + ay * y for x, y in rect]
            if max(a) <= min(b) + EPS or max(b) <= min(a) + EPS:
                return False
    return True


def _labels_over_other_shapes(scene: Scene) -> list[tuple[str, str]]:
    hits = []
    for g in layer_groups(scene):
        for leaf in shape_leaves(g):
            for text in label_texts(scene):
                box = bbox_of(text)
                if isinstance(leaf, Rect):
                    hit = bbox_of(leaf).overlaps(box)
                else:
                    hit = _polygon_meets_box(leaf.points, box)
                if hit:
                    hits.append((text.text, g.id))
    return hits


# --- strategies ------------------------------------------------------------------------
label_st = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs"]),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() == s)
color_st = st.sampled_from(["#ff0000", "#1f77b4", "#2ca02c", "#9467bd", "#000000"])
activation_st = st.sampled_from(["relu", "tanh", "softmax", "my-act"])


@st.composite
def cnn_specs(draw) -> dict:
    """A random valid (or shrinking, rejected later) CNN spec for the lenet style."""
    shape = [draw(st.integers(8, 256)), draw(st.integers(8, 256)), draw(st.integers(1, 600))]
    data: dict = {"style": "lenet", "input": {"shape": shape}}
    if draw(st.booleans()):
        data["input"]["label"] = draw(label_st)
    tail = draw(st.sampled_from(["none", "dense", "flatten+dense", "dense+dense"]))
    tail_kinds = {"none": [], "dense": ["dense"]}.get(tail, tail.split("+"))
    body = draw(st.integers(1, 8 - len(tail_kinds)))
    kinds = []
    upsampled = False
    for _ in range(body):
        choices = ["conv", "pool"] if upsampled else ["conv", "pool", "upsample"]
        kind = draw(st.sampled_from(choices))
        upsampled |= kind == "upsample"
        kinds.append(kind)
    kinds.extend(tail_kinds)
    layers = []
    labels: list[str] = [data["input"].get("label")] if "label" in data["input"] else []
    for i, kind in enumerate(kinds):
        layer: dict = {"type": kind}
        if kind == "conv":
            layer["filters"] = draw(st.integers(1, 600))
            layer["kernel"] = draw(st.integers(1, 5))
            padding = draw(st.sampled_from(["same", 0, 1, 2, None]))
            if padding is not None:
                layer["padding"] = padding
            stride = draw(st.integers(1, 2))
            if stride != 1 or draw(st.booleans()):
                layer["stride"] = stride
        elif kind == "pool":
            layer["size"] = 2
            if draw(st.booleans()):
                layer["kind"] = draw(st.sampled_from(["max", "avg"]))
        elif kind == "upsample":
            layer["size"] = 2
        elif kind == "dense":
            layer["units"] = draw(st.integers(1, 5000))
        if draw(st.booleans()):
            layer["label"] = draw(label_st)
        if kind != "flatten" and draw(st.booleans()):
            layer["activation"] = draw(activation_st)
        if draw(st.integers(0, 4)) == 0:
            layer["color"] = draw(color_st)
        if kind != "flatten" and draw(st.integers(0, 3)) == 0:
            ref = draw(st.sampled_from(["input", *labels, *range(i)]))
            layer["skip_from"] = ref
            if draw(st.booleans()):
                layer["merge"] = draw(st.sampled_from(["add", "concat"]))
        if "label" in layer:
            labels.append(layer["label"])
        layers.append(layer)
    data["layers"] = layers
    if draw(st.booleans()):
        data["theme"] = draw(st.sampled_from(THEMES))
    if draw(st.booleans()):
        data["legend"] = draw(st.booleans())
    return data


# --- properties ------------------------------------------------------------------------
@given(cnn_specs())
def test_every_item_is_finite_and_inside_the_viewbox(data: dict) -> None:
    assert_inside_viewbox_and_finite(scene_or_reject(data))


@given(cnn_specs())
def test_layers_never_overlap_and_labels_never_overlap(data: dict) -> None:
    scene = scene_or_reject(data)
    layers = layer_groups(scene)
    assert len(layers) == len(data["layers"]) + 1
    boxes = [shape_box(g) for g in layers]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (a, b)
        # Left to right, in spec order.
        if i:
            assert boxes[i - 1].x1 <= a.x0
    legend = data.get("legend") is True or (
        data.get("theme") == "colorblind" and data.get("legend") is not False
    )
    assert len(groups(scene, "legend")) == int(legend)
    texts = label_texts(scene)
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not bbox_of(a).overlaps(bbox_of(b)), (a.text, b.text)
    assert _labels_over_other_shapes(scene) == []


@given(cnn_specs())
def test_labels_name_every_inferred_shape_and_stacks_draw_at_most_max_drawn(data: dict) -> None:
    scene = scene_or_reject(data)
    spec = load_spec("t.json", text=json.dumps(data))
    shapes = [tuple(data["input"]["shape"]), *infer_shapes(spec)]
    max_drawn = load_theme(data.get("theme", "default")).maps.max_drawn
    texts = [t.text for t in label_texts(scene)]
    maps_ids = {g.id for g in groups(scene, "maps")}
    for k, shape in enumerate(shapes):
        if len(shape) == 1:
            assert f"1×{shape[0]}" in texts
        else:
            assert f"{shape[2]}@{shape[0]}×{shape[1]}" in texts
        if all(n == 1 for n in shape[:-1]):  # a vector, 1×1 maps too
            assert f"layer-{k}-maps" not in maps_ids
            bars = [p for p in iter_leaves(scene.items) if p.id == f"layer-{k}-vector"]
            assert len(bars) == 1 and isinstance(bars[0], Polygon)
            assert len(bars[0].points) == 4
        else:
            assert len(maps_of(scene, f"layer-{k}")) == min(shape[-1], max_drawn)


@given(cnn_specs())
@example(  # the next tensor is 1x1 maps, drawn as a bar (as LeNet-5's C5 is)
    {
        "style": "lenet",
        "input": {"shape": [8, 8, 1]},
        "layers": [
            {"type": "pool", "size": 2, "skip_from": "input"},
            {"type": "upsample", "size": 2},
            {"type": "pool", "size": 2},
            {"type": "pool", "size": 2},
            {"type": "pool", "size": 2},
        ],
    }
)
def test_filters_sit_on_a_front_map_and_project_into_the_next(data: dict) -> None:
    scene = scene_or_reject(data)
    fronts = {}
    for g in layer_groups(scene):
        if any(c.role == "maps" for c in g.children if isinstance(c, Group)):
            fronts[int(g.id.split("-")[1])] = front_of(scene, g.id)
    bars = {
        int(p.id.split("-")[1]): p.points
        for p in iter_leaves(scene.items)
        if isinstance(p, Polygon) and p.id and p.id.endswith("-vector")
    }
    filters = groups(scene, "filters")
    if not filters:
        return
    children = filters[0].children
    assert len(children) % 4 == 0
    for k in range(0, len(children), 4):
        square, line_a, line_b, dot = children[k : k + 4]
        assert isinstance(square, Rect) and square.cls == "filter"
        box = BBox(square.x, square.y, square.x + square.w, square.y + square.h)
        owners = [i for i, front in fronts.items() if inside(box, front)]
        assert len(owners) == 1, (box, fronts)
        ends = [path_points(line)[-1] for line in (line_a, line_b)] + [(dot.cx, dot.cy)]
        assert line_a.cls == line_b.cls == "projection"
        nxt = owners[0] + 1
        if nxt in fronts:  # the next tensor's front map
            assert all(contains_point(fronts[nxt], x, y) for x, y in ends)
        else:  # the next tensor is a vector: the lines meet on its bar
            point = [BBox(x - EPS, y - EPS, x + EPS, y + EPS) for x, y in ends]
            assert all(_polygon_meets_box(bars[nxt], p) for p in point), (ends, bars.get(nxt))


@given(cnn_specs())
def test_skip_arcs_run_above_the_labels_and_cross_no_map(data: dict) -> None:
    scene = scene_or_reject(data)
    skips = [g for g in scene.items if isinstance(g, Group) and g.role.startswith("skip")]
    expected = sum(1 for layer in data["layers"] if "skip_from" in layer)
    assert len(skips) == expected
    if not skips:
        return
    texts = [bbox_of(t) for t in label_texts(scene)]
    shapes = [shape_box(g) for g in layer_groups(scene)]
    top_of_figure = min(b.y0 for b in [*texts, *shapes])
    for skip in skips:
        arc = next(c for c in skip.children if isinstance(c, PathItem) and c.cls == "skip")
        assert min(y for _, y in path_points(arc)) < top_of_figure
        pieces = [b for c in skip.children if isinstance(c, PathItem) for b in segment_boxes(c)]
        pieces += [bbox_of(c) for c in skip.children if isinstance(c, (Circle, Text, Polygons))]
        for piece in pieces:
            for other in [*texts, *shapes]:
                assert not piece.overlaps(other), (skip.id, piece, other)


@given(cnn_specs(), st.randoms(use_true_random=False))
def test_rendering_is_deterministic_and_key_order_free(data: dict, rnd: random.Random) -> None:
    svg = render_svg(scene_or_reject(data))
    assert svg == render_svg(scene_or_reject(data))
    assert svg == render_svg(scene_or_reject(shuffled(data, rnd)))


# --- LeNet-5 ---------------------------------------------------------------------------
def lenet5(options: RenderOptions | None = None, **overrides) -> Scene:
    text = LENET5.read_text(encoding="utf-8")
    for key, value in overrides.items():
        text += f"{key}: {json.dumps(value)}\n"
    return build_scene(load_spec(str(LENET5), text=text), options)


def test_lenet5_labels_give_every_inferred_shape_and_operation() -> None:
    texts = [t.text for t in label_texts(lenet5())]
    for size in ("1@32×32", "6@28×28", "6@14×14", "16@10×10", "16@5×5", "120@1×1", "1×84"):
        assert size in texts
    assert "1×10" in texts
    for title in ("INPUT", "C1", "S2", "C3", "S4", "C5", "F6", "OUTPUT"):
        assert title in texts
    assert texts.count("Convolution 5×5") == 3
    assert texts.count("Avg-pool 2×2") == 2
    assert texts.count("Dense") == 1
    assert "Gaussian connections" in texts  # op_label replaces the operation


def test_lenet5_groups_are_named_after_the_layers() -> None:
    scene = lenet5()
    kinds = [(g.id, g.role, g.title) for g in layer_groups(scene)]
    assert kinds == [
        ("layer-0", "layer input", "INPUT"),
        ("layer-1", "layer conv", "C1"),
        ("layer-2", "layer pool", "S2"),
        ("layer-3", "layer conv", "C3"),
        ("layer-4", "layer pool", "S4"),
        ("layer-5", "layer conv", "C5"),  # 120@1×1: drawn as a vector
        ("layer-6", "layer dense", "F6"),
        ("layer-7", "layer dense", "OUTPUT"),
    ]
    assert [g.id for g in groups(scene, "maps")] == [f"layer-{k}-maps" for k in range(5)]
    vectors = [p for p in iter_leaves(scene.items) if isinstance(p, Polygon)]
    assert [p.id for p in vectors] == ["layer-5-vector", "layer-6-vector", "layer-7-vector"]


def test_lenet5_draws_at_most_max_drawn_maps_per_stack() -> None:
    scene = lenet5()
    counts = [len(maps_of(scene, f"layer-{k}")) for k in range(5)]
    assert counts == [1, 6, 6, 10, 10]  # 1, 6, 6, 16, 16 channels; max_drawn 10


def test_a_theme_override_changes_max_drawn() -> None:
    scene = lenet5(theme={"maps": {"max_drawn": 3}})
    counts = [len(maps_of(scene, f"layer-{k}")) for k in range(5)]
    assert counts == [1, 3, 3, 3, 3]
    # The labels keep the true counts.
    texts = [t.text for t in label_texts(scene)]
    assert "6@28×28" in texts and "16@10×10" in texts


def test_map_sides_scale_linearly_with_the_feature_map_size() -> None:
    scene = lenet5()
    theme = load_theme("default")
    side = {k: front_of(scene, f"layer-{k}").width for k in range(5)}
    assert side[0] == pytest.approx(theme.maps.max_side)  # the largest map, 32×32
    for k, n in ((1, 28), (2, 14), (3, 10), (4, 5)):
        expected = max(theme.maps.min_side, theme.maps.max_side * n / 32)
        assert abs(side[k] - expected) < 0.5, (k, side[k], expected)
        assert abs(side[k] / side[0] - n / 32) < 0.5 / side[0]
    # Square maps stay square; every map of a stack has the front map's size.
    for k in range(5):
        maps = maps_of(scene, f"layer-{k}")
        assert {(r.w, r.h) for r in maps} == {(side[k], side[k])}


def test_small_maps_are_clamped_to_min_side() -> None:
    data = {
        "style": "lenet",
        "input": [256, 256, 1],
        "layers": [{"type": "pool", "size": 2}] * 6 + [{"type": "dense", "units": 2}],
    }
    scene = scene_of(data)
    sides = [front_of(scene, f"layer-{k}").width for k in range(7)]
    assert sides[:3] == pytest.approx([120, 60, 30])
    assert sides[3:] == pytest.approx([15, 8, 8, 8])  # 15, 7.5, 3.75, 1.875 -> min_side 8


def test_the_filter_square_is_the_kernel_on_the_input_front_map() -> None:
    scene = lenet5()
    front = front_of(scene, "layer-0")
    squares = [c for c in groups(scene, "filters")[0].children if isinstance(c, Rect)]
    first = squares[0]
    assert first.cls == "filter"
    assert first.w == pytest.approx(front.width * 5 / 32)
    assert first.h == pytest.approx(front.height * 5 / 32)
    box = BBox(first.x, first.y, first.x + first.w, first.y + first.h)
    assert inside(box, front)
    # One square per conv or pool: C1, S2, C3, S4, and C5's 5×5 kernel whose 1×1×120
    # output is drawn as a vector.
    assert len(squares) == 5
    s4 = front_of(scene, "layer-4")
    assert squares[4].w == pytest.approx(s4.width)  # the 5×5 kernel covers S4's 5×5 map
    c1 = front_of(scene, "layer-1")
    assert squares[1].w == pytest.approx(c1.width * 2 / 28)  # S2's 2×2 window on C1


def test_projection_lines_end_inside_the_next_front_map() -> None:
    scene = lenet5()
    children = groups(scene, "filters")[0].children
    for k in range(4):
        square, line_a, line_b, dot = children[4 * k : 4 * k + 4]
        assert isinstance(square, Rect)
        source = front_of(scene, f"layer-{k}")
        target = front_of(scene, f"layer-{k + 1}")
        corners = [path_points(line)[0] for line in (line_a, line_b)]
        # The lines leave from the square's right-hand corners...
        assert corners == [
            (square.x + square.w, square.y),
            (square.x + square.w, square.y + square.h),
        ]
        assert all(contains_point(source, *c) for c in corners)
        # ...and meet at one point on the next front map, marked with a dot.
        ends = {path_points(line)[-1] for line in (line_a, line_b)}
        assert len(ends) == 1
        (end,) = ends
        assert contains_point(target, *end)
        assert isinstance(dot, Circle) and (dot.cx, dot.cy) == end


def test_a_layer_colour_fills_its_front_map() -> None:
    text = LENET5.read_text(encoding="utf-8").replace("label: C3}", 'label: C3, color: "#ff0000"}')
    scene = build_scene(load_spec(str(LENET5), text=text))
    c3 = maps_of(scene, "layer-3")
    assert c3[-1].paint.fill == "#ff0000"
    assert {r.paint.fill for r in c3} - {"#ff0000"}  # the maps behind alternate, darker
    others = {r.paint.fill for k in (1, 2, 4) for r in maps_of(scene, f"layer-{k}")}
    assert others == set(load_theme("default").maps.colors)


def test_legend_true_lists_the_kinds_present() -> None:
    scene = lenet5(legend=True)
    legend = group_by_id(scene, "legend")
    names = [t.text for t in legend.children if isinstance(t, Text)]
    assert names == ["Input", "Convolution", "Pooling", "Dense"]
    kinds = load_theme("default").kinds
    swatches = [r.paint.fill for r in legend.children if isinstance(r, Rect)]
    assert swatches == [kinds.input, kinds.conv, kinds.pool, kinds.dense]
    # legend: true also colours the maps by kind.
    assert maps_of(scene, "layer-1")[-1].paint.fill == kinds.conv
    assert maps_of(scene, "layer-2")[-1].paint.fill == kinds.pool
    # The legend sits under everything else.
    rest = [bbox_of(g) for g in scene.items if g is not legend]
    assert bbox_of(legend).y0 >= max(b.y1 for b in rest if b is not None)


def test_no_legend_by_default_or_when_false() -> None:
    assert groups(lenet5(), "legend") == []
    assert groups(lenet5(legend=False), "legend") == []
    assert groups(lenet5(RenderOptions(theme="colorblind"), legend=False), "legend") == []
    assert len(groups(lenet5(RenderOptions(theme="colorblind")), "legend")) == 1


def test_a_1d_spec_draws_bars_with_their_sizes() -> None:
    scene = scene_of(
        {
            "style": "lenet",
            "input": [100, 16],
            "layers": [
                {"type": "conv", "filters": 32, "kernel": 5},
                {"type": "pool", "size": 2},
                {"type": "dense", "units": 10},
            ],
        }
    )
    texts = [t.text for t in label_texts(scene)]
    assert texts == [
        "16@100",
        "32@96",
        "1D convolution, kernel 5",
        "32@48",
        "1D max-pool, window 2",
        "1×10",
        "Dense",
    ]
    fronts = [front_of(scene, f"layer-{k}") for k in range(3)]
    for front in fronts:
        assert front.height < front.width  # a bar
    assert fronts[1].width / fronts[0].width == pytest.approx(96 / 100)
    square = next(c for c in groups(scene, "filters")[0].children if isinstance(c, Rect))
    assert square.w == pytest.approx(fronts[0].width * 5 / 100)
    assert square.h == pytest.approx(fronts[0].height)  # the whole height of the bar


def test_an_input_image_covers_the_input_front_map(tmp_path: Path) -> None:
    import numpy as np

    pixels = (np.arange(64, dtype=np.uint8).reshape(8, 8) * 4).astype(np.uint8)
    (tmp_path / "digit.png").write_bytes(encode_png(pixels))
    text = (
        "style: lenet\n"
        "input: {shape: [28, 28, 3], label: Input, image: digit.png}\n"
        "layers:\n"
        "  - {type: conv, filters: 8, kernel: 3}\n"
        "  - {type: dense, units: 10}\n"
    )
    scene = build_scene(load_spec(str(tmp_path / "spec.yaml"), text=text))
    images = [i for i in iter_leaves(scene.items) if isinstance(i, Image)]
    assert len(images) == 1
    (image,) = images
    front = maps_of(scene, "layer-0")[-1]  # the front map of the three drawn
    assert len(maps_of(scene, "layer-0")) == 3
    assert (image.x, image.y, image.w, image.h) == (front.x, front.y, front.w, front.h)
    assert image.uri.startswith("data:image/png;base64,")
    svg = render_svg(scene)
    assert "data:image/png;base64," in svg
    # The image is framed, and drawn over the maps of its own stack.
    maps = group_by_id(scene, "layer-0-maps").children
    assert maps.index(image) == len(maps) - 2
    frame = maps[-1]
    assert isinstance(frame, Rect) and frame.paint.fill == "none"
    assert (frame.x, frame.y, frame.w, frame.h) == (front.x, front.y, front.w, front.h)


# --- skip connections ------------------------------------------------------------------
SKIP_SPEC = """style: lenet
input: {shape: [32, 32, 1], label: INPUT}
layers:
  - {type: conv, filters: 6, kernel: 5, label: C1}
  - {type: pool, size: 2, label: S2}
  - {type: conv, filters: 6, kernel: 3, padding: same, label: C3, skip_from: %s}
  - {type: dense, units: 10, label: OUT}
"""


@pytest.mark.parametrize(
    ("ref", "merge", "gid"),
    [
        ("S2", "add", "skip-2-3"),
        ("C1", "concat", "skip-1-3"),
        ("input", "add", "skip-0-3"),
        ("INPUT", "add", "skip-0-3"),
        ("0", "add", "skip-1-3"),
        ("1", "concat", "skip-2-3"),
    ],
)
def test_skip_from_resolves_by_label_index_and_input(ref: str, merge: str, gid: str) -> None:
    text = (SKIP_SPEC % ref).replace("skip_from:", f"merge: {merge}, skip_from:")
    scene = build_scene(load_spec("t.yaml", text=text))
    skips = [g for g in scene.items if isinstance(g, Group) and g.role.startswith("skip")]
    assert [(g.id, g.role) for g in skips] == [(gid, f"skip {merge}")]
    (skip,) = skips
    source, target = (int(n) for n in gid.split("-")[1:])
    src = shape_box(group_by_id(scene, f"layer-{source}"))
    dst = shape_box(group_by_id(scene, f"layer-{target}"))
    arc = next(c for c in skip.children if isinstance(c, PathItem) and c.cls == "skip")
    start = path_points(arc)[0]
    assert start[0] == pytest.approx((src.x0 + src.x1) / 2)  # from over the source...
    mark = next(c for c in skip.children if isinstance(c, Circle))
    assert mark.cx == pytest.approx((dst.x0 + dst.x1) / 2)  # ...to a mark over the target
    symbol = next(c for c in skip.children if isinstance(c, Text))
    assert symbol.text == ("+" if merge == "add" else "‖")


def test_nested_skips_take_higher_lanes() -> None:
    text = (
        "style: lenet\n"
        "input: {shape: [16, 16, 4], label: x}\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same, label: a}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same, label: b, skip_from: a}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same, label: c, skip_from: x}\n"
    )
    scene = build_scene(load_spec("t.yaml", text=text))
    tops = {}
    for g in scene.items:
        if isinstance(g, Group) and g.role.startswith("skip"):
            arc = next(c for c in g.children if isinstance(c, PathItem) and c.cls == "skip")
            tops[g.id] = min(y for _, y in path_points(arc))
    assert set(tops) == {"skip-1-2", "skip-0-3"}
    lane = load_theme("default").skip.lane
    assert tops["skip-1-2"] - tops["skip-0-3"] == pytest.approx(lane)  # the outer one higher


def skip_error(ref: str) -> str:
    return error_of(SKIP_SPEC % ref)


SKIP_AT = "t.yaml:6:78: layers[2].skip_from: "
EARLIER = "(earlier layers: 0 to 1, or 'input')"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("zzz", "no earlier layer is labelled 'zzz' (earlier labels: INPUT, C1, S2)"),
        ("C3", "no earlier layer is labelled 'C3' (earlier labels: INPUT, C1, S2)"),  # itself
        ("OUT", "no earlier layer is labelled 'OUT' (earlier labels: INPUT, C1, S2)"),  # later
        ("2", f"layer 2 is not an earlier layer {EARLIER}"),  # itself
        ("3", f"layer 3 is not an earlier layer {EARLIER}"),  # later
        # Was a bug: -1 resolved to the input without a word.
        ("-1", f"layer -1 is not an earlier layer {EARLIER}"),
        ("-2", f"layer -2 is not an earlier layer {EARLIER}"),
    ],
)
def test_skip_from_errors_name_the_earlier_layers(ref: str, message: str) -> None:
    # Was a bug: every message started 'skip_from: skip_from: ...'.
    assert skip_error(ref) == SKIP_AT + message
    with pytest.raises(SpecError) as info:
        build_scene(load_spec("t.yaml", text=SKIP_SPEC % ref))
    assert info.value.field == "layers[2].skip_from"


def test_the_first_layer_has_no_earlier_layer_to_skip_from() -> None:
    text = (
        "style: lenet\n"
        "input: [8, 8, 1]\n"
        "layers:\n"
        "  - {type: conv, filters: 2, kernel: 3, skip_from: 0}\n"
        "  - {type: dense, units: 3}\n"
    )
    assert error_of(text) == (
        "t.yaml:4:52: layers[0].skip_from: layer 0 is not an earlier layer: this is the first "
        "layer, so only 'input' can feed a skip into it"
    )


def test_skip_from_without_an_input() -> None:
    head = "style: lenet\nlayers:\n  - {type: conv, shape: [16, 16, 4]}\n"
    assert error_of(head + "  - {type: pool, size: 2, skip_from: input}\n") == (
        "t.yaml:4:38: layers[1].skip_from: "
        "the spec has no 'input' to skip from; give one, or name an earlier layer"
    )
    assert error_of(head + "  - {type: pool, size: 2, skip_from: zz}\n") == (
        "t.yaml:4:38: layers[1].skip_from: "
        "no earlier layer is labelled 'zz'; give the layer an index"
    )
    assert error_of(head + "  - {type: pool, size: 2, skip_from: 1}\n") == (
        "t.yaml:4:38: layers[1].skip_from: layer 1 is not an earlier layer (earlier layers: 0)"
    )


def test_skip_ids_match_the_layer_ids_without_an_input() -> None:
    """Was a bug: with no input, skip ids counted from 0 but layer ids from 1."""
    text = (
        "style: lenet\n"
        "layers:\n"
        "  - {type: conv, shape: [16, 16, 4], label: a}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same, skip_from: a}\n"
    )
    scene = build_scene(load_spec("t.yaml", text=text))
    assert [g.id for g in layer_groups(scene)] == ["layer-1", "layer-2"]
    skips = [g.id for g in scene.items if isinstance(g, Group) and g.role.startswith("skip")]
    assert skips == ["skip-1-2"]


# --- other engines and themes ----------------------------------------------------------
def test_style_fcnn_draws_the_dense_part_of_lenet5() -> None:
    # The fcnn style cannot draw OUTPUT's op_label: an error, until it is taken out.
    text = LENET5.read_text(encoding="utf-8")
    assert error_of(text, RenderOptions(style="fcnn")) == (
        "t.yaml:12:45: layers[6].op_label: the fcnn style (from --style) cannot draw this "
        "key: remove it, or draw the figure in the lenet or blocks style"
    )
    text = text.replace(", op_label: Gaussian connections", "")
    scene = build_scene(load_spec("t.yaml", text=text), RenderOptions(style="fcnn"))
    assert scene.meta.get("engine") == "fcnn"
    layers = groups(scene, "layer")
    assert len(layers) == 3
    texts = [[t.text for t in g.children if isinstance(t, Text)] for g in groups(scene, "labels")]
    # C5's 1×1×120 flattened feeds F6 (84) and OUTPUT (10).
    assert texts == [["C5", "ℝ¹²⁰"], ["F6", "ℝ⁸⁴"], ["OUTPUT", "ℝ¹⁰"]]
    assert groups(scene, "maps") == [] and groups(scene, "filters") == []


def test_style_fcnn_on_a_spec_ending_in_a_conv_is_an_error() -> None:
    text = "style: lenet\ninput: [32, 32, 1]\nlayers:\n  - {type: conv, filters: 6, kernel: 5}\n"
    # The style came from --style: the message names the option, not the spec's style key.
    assert error_of(text, RenderOptions(style="fcnn")) == (
        "--style: the fcnn style draws dense layers, and this spec ends with a conv layer; "
        "draw it with style: lenet"
    )
    # Written in the spec, it is located at the spec's style key.
    spec_text = text.replace("style: lenet", "style: fcnn")
    assert error_of(spec_text) == (
        "t.yaml:1:8: the fcnn style draws dense layers, and this spec ends with a conv layer; "
        "draw it with style: lenet"
    )


def test_style_lenet_on_a_plain_fcnn_spec_draws_three_vectors() -> None:
    scene = scene_of({"layers": [784, 300, 10]}, RenderOptions(style="lenet"))
    assert scene.meta["engine"] == "lenet"
    layers = layer_groups(scene)
    assert [g.id for g in layers] == ["layer-1", "layer-2", "layer-3"]
    for g in layers:
        bars = shape_leaves(g)
        assert len(bars) == 1 and isinstance(bars[0], Polygon) and bars[0].cls == "vector"
    assert groups(scene, "maps") == []
    lengths = [shape_box(g).width for g in layers]
    assert lengths[0] > lengths[1] > lengths[2]  # length scales with units
    texts = [t.text for t in label_texts(scene)]
    assert texts == ["1×784", "1×300", "Dense", "1×10", "Dense"]


@pytest.mark.parametrize("theme", THEMES)
def test_lenet5_renders_in_every_builtin_theme(theme: str) -> None:
    scene = lenet5(RenderOptions(theme=theme))
    resolved = load_theme(theme)
    background = resolved.canvas.background
    assert scene.background == (None if background == "none" else background)
    if resolved.maps.color_by == "kind":
        assert maps_of(scene, "layer-1")[-1].paint.fill == resolved.kinds.conv
    else:
        assert maps_of(scene, "layer-1")[-1].paint.fill == resolved.maps.colors[0]
    svg = render_svg(scene)
    svg_numbers_are_finite(svg)
    assert svg.count("<rect") >= 1 + 6 + 6 + 10 + 10


def test_a_stated_shape_that_disagrees_is_an_error_naming_both_shapes() -> None:
    text = (
        "style: lenet\n"
        "input: [32, 32, 1]\n"
        "layers:\n"
        "  - {type: conv, filters: 6, kernel: 5, shape: [30, 30, 6], label: C1}\n"
        "  - {type: dense, units: 3}\n"
    )
    assert error_of(text) == (
        "t.yaml:4:48: layers[0].shape: says 30×30×6, but 'C1' (conv) gives 28×28×6 "
        "(kernel 5, stride 1, padding 0 on a 32×32×1 input); fix 'shape' or the layer's "
        "parameters, or leave 'shape' out"
    )


# --- labels and shapes ---------------------------------------------------------------
def test_labels_clear_the_shapes_of_lenet5_and_the_gallery() -> None:
    assert _labels_over_other_shapes(lenet5()) == []
    for name in ("resnet-skip", "vgg-blocks", "lenet-nnsvg-default"):
        scene = build_scene(load_spec(ROOT / "specs" / f"{name}.yaml"))
        assert _labels_over_other_shapes(scene) == [], name


def test_a_long_title_on_a_small_stack_clears_the_next_vector() -> None:
    """Was a bug: the title of a small stack reached over the taller vector after it
    (gaps were fitted label to label only)."""
    text = (
        "style: lenet\n"
        "input: {shape: [16, 16, 1], label: Input}\n"
        "layers:\n"
        "  - {type: conv, filters: 1, kernel: 1}\n"
        "  - {type: pool, size: 2}\n"
        "  - {type: pool, size: 2}\n"
        "  - {type: pool, size: 2, label: Attention weights}\n"
        "  - {type: dense, units: 2, label: Output}\n"
    )
    scene = build_scene(load_spec("t.yaml", text=text))
    assert _labels_over_other_shapes(scene) == []


def test_consecutive_skips_stay_two_arcs() -> None:
    # A -> B then B -> C: two lanes, and the arc leaving B does not run through the
    # mark of the one arriving there (they read as one line through the mark before).
    text = (
        "style: lenet\ninput: [16, 16, 4]\nlayers:\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same, label: A}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same, skip_from: A, label: B}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same, skip_from: B}\n"
    )
    scene = build_scene(load_spec("t.yaml", text=text))
    skips = {g.id: g for g in scene.items if isinstance(g, Group) and g.role.startswith("skip")}
    first, second = skips["skip-1-3"], skips["skip-3-5"]
    arc = next(c for c in first.children if isinstance(c, PathItem))
    leaving = next(c for c in second.children if isinstance(c, PathItem))
    top_of = lambda p: min(float(c[2]) for c in p.commands)  # noqa: E731
    assert abs(top_of(arc) - top_of(leaving)) > 5  # two lanes
    mark = next(c for c in first.children if isinstance(c, Circle))
    x_leave = float(leaving.commands[0][1])
    assert abs(x_leave - mark.cx) > mark.r  # leaves beside the mark, not through it
