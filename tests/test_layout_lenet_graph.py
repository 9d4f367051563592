"""The LeNet style on networks that branch: property tests on random graphs (nothing
overlaps, no connector crosses a tensor or a caption, everything inside the viewBox,
the same figure every time) and the gallery's graphs."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.render.svg import render_svg
from nnsvg.scene import BBox, Group, Scene, Text, bbox_of, iter_leaves
from nnsvg.scene import Path as PathItem

from .scenes import assert_inside_viewbox_and_finite

SPECS = Path(__file__).resolve().parent.parent / "specs"
GRAPHS = ("inception-module", "resnet-projection", "densenet-block", "siamese")


@st.composite
def graphs(draw: st.DrawFn) -> dict:
    """A random branching CNN: convolutions reading any earlier tensor, adds of
    4-channel tensors, concats of anything (all maps 12×12)."""
    layers: list[dict] = []
    four = ["x"]  # names of the 4-channel tensors (adds need one shape)
    names = ["x"]
    for k in range(draw(st.integers(2, 10))):
        name = f"n{k}"
        kind = draw(st.sampled_from(["conv", "conv", "add", "concat"]))
        if kind == "conv" or len(names) < 2:
            source = draw(st.sampled_from(names))
            layers.append(
                {
                    "name": name,
                    "type": "conv",
                    "filters": 4,
                    "kernel": 3,
                    "padding": "same",
                    "from": source,
                }
            )
            four.append(name)
        elif kind == "add" and len(four) >= 2:
            pick = draw(st.lists(st.sampled_from(four), min_size=2, max_size=3, unique=True))
            layers.append({"name": name, "type": "add", "from": pick})
            four.append(name)
        else:
            pick = draw(st.lists(st.sampled_from(names), min_size=2, max_size=3, unique=True))
            layers.append({"name": name, "type": "concat", "from": pick})
        names.append(name)
    return {"style": "lenet", "input": {"shape": [12, 12, 4], "name": "x"}, "layers": layers}


def scene_of(data: dict) -> Scene:
    return build_scene(load_spec("g.json", text=json.dumps(data)))


def bodies(scene: Scene) -> dict[str, BBox]:
    """Each node's drawn body (its shapes, not its captions)."""
    found = {}
    for g in scene.items:
        if isinstance(g, Group) and g.role.startswith("layer"):
            shapes = [leaf for leaf in iter_leaves(g.children) if not isinstance(leaf, Text)]
            box = None
            for leaf in shapes:
                b = bbox_of(leaf)
                if b is not None:
                    box = b if box is None else box.union(b)
            assert box is not None
            found[g.id or ""] = box
    return found


def captions(scene: Scene) -> list[BBox]:
    return [
        b
        for g in scene.items
        if isinstance(g, Group) and g.role.startswith("layer") and "mark" not in g.role
        for leaf in iter_leaves(g.children)
        if isinstance(leaf, Text) and leaf.cls != "merge" and (b := bbox_of(leaf)) is not None
    ]


def connectors(scene: Scene) -> list[tuple[str, str, list[tuple[float, float]]]]:
    """(source id, target id, the path's corners) of every connector."""
    found = []
    for g in scene.items:
        if isinstance(g, Group) and g.role == "connector":
            path = next(c for c in g.children if isinstance(c, PathItem))
            points = [(float(c[1]), float(c[2])) for c in path.commands]
            a, b = (g.id or "").removeprefix("edge-").split("-layer-")
            found.append((a, "layer-" + b, points))
    return found


def shrunk(box: BBox, by: float) -> BBox:
    return BBox(box.x0 + by, box.y0 + by, box.x1 - by, box.y1 - by)


def crosses(p: tuple[float, float], q: tuple[float, float], box: BBox) -> bool:
    """Whether the axis-aligned segment pq enters the inside of ``box``."""
    x0, x1 = sorted((p[0], q[0]))
    y0, y1 = sorted((p[1], q[1]))
    return x0 < box.x1 and x1 > box.x0 and y0 < box.y1 and y1 > box.y0


def overlap(a: BBox, b: BBox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def check_graph_figure(scene: Scene) -> None:
    assert_inside_viewbox_and_finite(scene)
    boxes = bodies(scene)
    ids = sorted(boxes)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert not overlap(shrunk(boxes[a], 0.5), shrunk(boxes[b], 0.5)), (a, b)
    texts = captions(scene)
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not overlap(shrunk(a, 0.5), shrunk(b, 0.5))
        for node, box in boxes.items():
            assert not overlap(shrunk(a, 0.5), box), node
    for source, target, points in connectors(scene):
        # Orthogonal: every segment runs along an axis.
        for p, q in itertools.pairwise(points):
            assert abs(p[0] - q[0]) < 1e-6 or abs(p[1] - q[1]) < 1e-6, (source, target)
        segments = list(itertools.pairwise(points))
        for node, box in boxes.items():
            inner = shrunk(box, 1.0)
            for k, (p, q) in enumerate(segments):
                own_end = (node == source and k == 0) or (node == target and k == len(segments) - 1)
                if not own_end:
                    assert not crosses(p, q, inner), (source, target, node)
        for text in texts:
            for p, q in segments:
                assert not crosses(p, q, shrunk(text, 0.5)), (source, target)


@settings(max_examples=60, deadline=None)
@given(graphs())
def test_random_graphs_draw_cleanly(data: dict) -> None:
    scene = scene_of(data)
    check_graph_figure(scene)
    assert render_svg(scene_of(data)) == render_svg(scene)


def test_the_gallery_graphs_draw_cleanly() -> None:
    for name in GRAPHS:
        check_graph_figure(build_scene(load_spec(SPECS / f"{name}.yaml")))


def test_inception_branches_stack_in_one_column_and_join_in_a_concat_mark() -> None:
    scene = build_scene(load_spec(SPECS / "inception-module.yaml"))
    boxes = bodies(scene)
    first = [boxes[f"layer-{n}"] for n in (1, 2, 4, 6)]  # 1x1, both reduces, the pool
    assert len({round(b.x0) for b in first}) == 1
    assert sorted(b.y0 for b in first) == [b.y0 for b in first]  # in the spec's order
    marks = [g for g in scene.items if isinstance(g, Group) and g.role == "layer concat"]
    assert len(marks) == 1
    into = [c for c in connectors(scene) if c[1] == marks[0].id]
    assert len(into) == 4


def test_a_chain_with_a_shortcut_keeps_its_layers_on_one_line() -> None:
    scene = build_scene(load_spec(SPECS / "resnet-projection.yaml"))
    boxes = bodies(scene)
    # The second block: y1, b1, b2, y2 level (the identity shortcut goes round).
    centres = {round((boxes[f"layer-{n}"].y0 + boxes[f"layer-{n}"].y1) / 2) for n in (4, 7)}
    assert len(centres) == 1


def test_an_image_shows_on_a_second_input(tmp_path: Path) -> None:
    from nnsvg.scene import Image

    (tmp_path / "digit-7.png").write_bytes((SPECS / "digit-7.png").read_bytes())
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "style: lenet\ninputs:\n  - {name: a, shape: [28, 28, 1]}\n"
        "  - {name: b, shape: [28, 28, 1], image: digit-7.png}\n"
        "layers:\n  - {name: c, type: conv, filters: 2, kernel: 3, from: a, image: digit-7.png}\n"
        "  - {type: conv, filters: 2, kernel: 3, from: b}\n  - {type: concat, from: [c, -1]}\n",
        encoding="utf-8",
    )
    scene = build_scene(load_spec(spec))
    with_images = {
        g.id
        for g in scene.items
        if isinstance(g, Group) and any(isinstance(x, Image) for x in iter_leaves(g.children))
    }
    assert with_images == {"input-1", "layer-1"}


# --- the AlexNet style on graphs ------------------------------------------------------
def box_hulls(scene: Scene) -> dict[str, list[tuple[float, float]]]:
    from nnsvg.geometry import convex_hull
    from nnsvg.scene import Polygon

    found = {}
    for g in scene.items:
        if isinstance(g, Group) and g.role.startswith("layer"):
            box = next((c for c in g.children if isinstance(c, Group) and c.role == "box"), None)
            if box is not None:
                points = [
                    p for x in iter_leaves(box.children) if isinstance(x, Polygon) for p in x.points
                ]
                found[g.id or ""] = convex_hull(points)
    return found


def check_alexnet_graph(scene: Scene) -> None:
    from nnsvg.geometry import convex_overlap

    assert_inside_viewbox_and_finite(scene)
    hulls = box_hulls(scene)
    ids = sorted(hulls)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert not convex_overlap(hulls[a], hulls[b], 0.5), (a, b)
    texts = [
        b
        for g in scene.items
        if isinstance(g, Group) and g.role.startswith("layer")
        for leaf in iter_leaves(g.children)
        if isinstance(leaf, Text) and leaf.cls == "caption" and (b := bbox_of(leaf)) is not None
    ]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            assert not overlap(shrunk(a, 0.5), shrunk(b, 0.5))
        corners = [(a.x0, a.y0), (a.x1, a.y0), (a.x1, a.y1), (a.x0, a.y1)]
        for node, hull in hulls.items():
            assert not convex_overlap(corners, hull, 0.5), node


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_random_graphs_draw_cleanly_as_boxes(data: dict) -> None:
    from hypothesis import assume

    from nnsvg.pipeline import build_network

    data = {**data, "style": "alexnet"}
    # A chain is the chain engine's, whose boxes overlap on screen by design (3D).
    assume(build_network(load_spec("g.json", text=json.dumps(data))).first_branch() is not None)
    scene = scene_of(data)
    check_alexnet_graph(scene)
    assert render_svg(scene_of(data)) == render_svg(scene)


def test_the_gallery_graphs_draw_cleanly_as_boxes() -> None:
    for name in ("inception-module-alexnet",):
        check_alexnet_graph(build_scene(load_spec(SPECS / f"{name}.yaml")))
    for name in ("resnet-projection", "siamese"):
        scene = build_scene(load_spec(SPECS / f"{name}.yaml"), RenderOptions(style="alexnet"))
        check_alexnet_graph(scene)


@given(
    st.lists(
        st.tuples(
            st.floats(0, 50, allow_nan=False),
            st.one_of(st.none(), st.floats(-200, 200, allow_nan=False)),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_level_keeps_order_and_room_and_never_does_worse(items: list) -> None:
    from nnsvg.engines.common import level

    positions, wanted = [], []
    at = 0.0
    for gap, want in items:
        at += gap
        positions.append(at)
        wanted.append(want)
    placed = level(positions, wanted)
    for k in range(1, len(placed)):  # order and the packed distances kept
        assert placed[k] - placed[k - 1] >= positions[k] - positions[k - 1] - 1e-6

    def cost(ys: list[float]) -> float:
        return sum((y - w) ** 2 for y, w in zip(ys, wanted) if w is not None)

    # No worse than leaving the packing where it is, or moving it as one block.
    assert cost(placed) <= cost(positions) + 1e-6
    wants = [w - p for p, w in zip(positions, wanted) if w is not None]
    if wants:
        shift = sum(wants) / len(wants)
        assert cost(placed) <= cost([p + shift for p in positions]) + 1e-6
