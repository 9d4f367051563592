"""The LeNet style's ``layout: u``: geometry properties over random U-shaped networks
(hypothesis), the U-Net of the gallery, and the located errors of the key and of
networks that are not U-shaped."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.engines import ENGINES
from nnsvg.errors import NnsvgError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.render.svg import render_svg
from nnsvg.scene import BBox, Group, Scene, Text, bbox_of, iter_leaves
from nnsvg.scene import Path as PathItem
from tests.scenes import assert_inside_viewbox_and_finite, groups, shuffled

ROOT = Path(__file__).resolve().parent.parent
UNET = ROOT / "specs" / "unet.yaml"


# --- helpers ---------------------------------------------------------------------------
def scene_of(data: dict) -> Scene:
    return build_scene(load_spec("t.json", text=json.dumps(data)))


def error_of(text: str) -> str:
    with pytest.raises(NnsvgError) as info:
        build_scene(load_spec("t.yaml", text=text))
    return str(info.value)


def bodies(scene: Scene) -> dict[str, BBox]:
    """Each node's body (its maps or merge mark, not its captions), by group id."""
    found = {}
    for g in scene.items:
        if isinstance(g, Group) and g.role.startswith("layer"):
            boxes = [
                bbox_of(leaf) for leaf in iter_leaves(g.children) if not isinstance(leaf, Text)
            ]
            box = boxes[0]
            for b in boxes[1:]:
                box = box.union(b)
            found[g.id or ""] = box
    return found


def captions(scene: Scene) -> list[tuple[str, BBox]]:
    return [
        (leaf.text, bbox_of(leaf))
        for g in scene.items
        if isinstance(g, Group) and g.role.startswith("layer")
        for leaf in iter_leaves(g.children)
        if isinstance(leaf, Text) and leaf.cls == "label-size"
    ]


def arrows(scene: Scene) -> list[tuple[Group, tuple[float, float], tuple[float, float]]]:
    """(group, start, end of the shaft) of every arrow between nodes."""
    found = []
    for g in groups(scene, "connector"):
        path = next(c for c in g.children if isinstance(c, PathItem))
        (_, *a), (_, *b) = path.commands
        found.append((g, (float(a[0]), float(a[1])), (float(b[0]), float(b[1]))))
    return found


def shrunk(box: BBox, by: float) -> BBox:
    return BBox(box.x0 + by, box.y0 + by, box.x1 - by, box.y1 - by)


def overlap(a: BBox, b: BBox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def crosses(p: tuple[float, float], q: tuple[float, float], box: BBox) -> bool:
    """Whether the axis-aligned segment pq enters the inside of ``box``."""
    x0, x1 = sorted((p[0], q[0]))
    y0, y1 = sorted((p[1], q[1]))
    return x0 < box.x1 and x1 > box.x0 and y0 < box.y1 and y1 > box.y0


def near(p: tuple[float, float], box: BBox, by: float = 12.0) -> bool:
    return box.x0 - by <= p[0] <= box.x1 + by and box.y0 - by <= p[1] <= box.y1 + by


def check_u_figure(scene: Scene) -> None:
    """Inside the viewBox; no body over another; no caption over another or over a body;
    every arrow straight (along an axis), through no body but those at its ends and
    through no caption."""
    assert_inside_viewbox_and_finite(scene)
    boxes = bodies(scene)
    ids = sorted(boxes)
    for a, b in itertools.combinations(ids, 2):
        assert not overlap(shrunk(boxes[a], 0.5), shrunk(boxes[b], 0.5)), (a, b)
    texts = captions(scene)
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        assert not overlap(shrunk(a, 0.5), shrunk(b, 0.5)), (ta, tb)
    for text, a in texts:
        for node, box in boxes.items():
            assert not overlap(shrunk(a, 0.5), box), (text, node)
    for g, p, q in arrows(scene):
        assert abs(p[0] - q[0]) < 1e-6 or abs(p[1] - q[1]) < 1e-6, g.id
        for node, box in boxes.items():
            if near(p, box, 1.0) or near(q, box, 12.0):
                continue  # the arrow's own ends
            assert not crosses(p, q, shrunk(box, 0.5)), (g.id, node)
        for text, box in texts:
            assert not crosses(p, q, shrunk(box, 0.5)), (g.id, text)


@st.composite
def u_specs(draw) -> dict:
    """A random U-shaped network: depth 1 to 5, 1 to 3 convolutions per level (same
    padding), max-pools down, transposed convolutions (or upsampling, optionally then
    a convolution) up, a copy connection per level (concat or add, optionally through
    a crop, sometimes none)."""
    depth = draw(st.integers(1, 5))
    side = 2**depth * draw(st.integers(2, 4))
    channels = draw(st.sampled_from([1, 3]))
    layers: list[dict] = []
    width = [draw(st.sampled_from([8, 16, 32, 64])) * 2**k for k in range(depth + 1)]

    def convs(level: int, name: str | None = None) -> None:
        n = draw(st.integers(1, 3))
        for k in range(n):
            layer = {"type": "conv", "filters": width[level], "kernel": 3, "padding": "same"}
            if draw(st.booleans()):
                layer["activation"] = "relu"
            if name is not None and k == n - 1:
                layer["name"] = name
            layers.append(layer)

    for level in range(depth):
        convs(level, f"e{level}")
        layers.append({"type": "pool", "size": 2})
    convs(depth)
    for level in range(depth - 1, -1, -1):
        copy = draw(st.sampled_from(["concat", "crop", "add", "none"]))
        up = draw(st.sampled_from(["transpose", "upsample", "upsample+conv"]))
        if copy == "add" and up == "upsample":  # add needs the channels of the copy
            up = "transpose"
        if up == "transpose":
            layers.append(
                {"type": "conv_transpose", "filters": width[level], "kernel": 2, "stride": 2}
            )
        else:
            layers.append({"type": "upsample", "size": 2})
            if up == "upsample+conv":
                layers.append(
                    {"type": "conv", "filters": width[level], "kernel": 2, "padding": "same"}
                )
        layers[-1]["name"] = f"u{level}"
        if copy == "crop":
            layers.append(
                {"name": f"k{level}", "type": "crop", "from": f"e{level}", "to": f"u{level}"}
            )
            layers.append({"type": "concat", "from": [f"k{level}", f"u{level}"]})
        elif copy == "concat":
            layers.append({"type": "concat", "from": [f"e{level}", f"u{level}"]})
        elif copy == "add":
            layers.append({"type": "add", "from": [f"u{level}", f"e{level}"]})
        convs(level)
    if draw(st.booleans()):
        layers.append({"type": "conv", "filters": 2, "kernel": 1})
    for layer in layers:  # titles of any length on some layers
        if draw(st.integers(0, 5)) == 0:
            layer["label"] = draw(st.sampled_from(["x", "Encoder", "Segmentation map"]))
    one_d = draw(st.integers(0, 4)) == 0  # sequences (1D maps) now and then
    data = {
        "style": "lenet",
        "layout": "u",
        "input": {"shape": [side, channels] if one_d else [side, side, channels]},
        "layers": layers,
    }
    labels = draw(st.sampled_from([None, {"sizes": "none"}, False, {"activations": False}]))
    if labels is not None:
        data["labels"] = labels
    return data


# --- properties ------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(u_specs())
def test_u_layouts_stay_inside_apart_and_connected_cleanly(data: dict) -> None:
    scene = scene_of(data)
    check_u_figure(scene)
    # One row per level: every copy connection runs straight across, left to right.
    for g, p, q in arrows(scene):
        if "copy" in g.role.split():
            assert abs(p[1] - q[1]) < 1e-6 and q[0] > p[0], g.id


@settings(max_examples=20, deadline=None)
@given(u_specs(), st.sampled_from(["default", "paper", "colorblind", "dark"]), st.randoms())
def test_u_layouts_are_deterministic_in_every_theme_and_key_order(
    data: dict, theme: str, rnd
) -> None:
    data["theme"] = theme
    svg = render_svg(scene_of(data))
    assert render_svg(scene_of(data)) == svg
    assert render_svg(scene_of(shuffled(data, rnd))) == svg  # type: ignore[arg-type]


def test_every_style_but_lenet_names_lenet_for_layout_u() -> None:
    for style, engine in ENGINES.items():
        assert ("u" in engine.draws.layouts) == (style == "lenet")
        assert "line" in engine.draws.layouts


# --- the U-Net of the gallery -----------------------------------------------------------
def unet_scene() -> Scene:
    return build_scene(load_spec(UNET))


def test_the_gallery_unet_is_ronnebergers() -> None:
    data = yaml.safe_load(UNET.read_text(encoding="utf-8"))
    # 18 3×3 convolutions, 4 up-convolutions, the 1×1 one.
    convs = [layer for layer in data["layers"] if layer["type"] in ("conv", "conv_transpose")]
    assert len(convs) == 23
    assert data["input"]["shape"] == [572, 572, 1] and data["width"] == "7in"
    assert convs[-1]["filters"] == 2 and convs[-1]["kernel"] == 1


def test_the_unet_is_a_u() -> None:
    scene = unet_scene()
    check_u_figure(scene)
    boxes = bodies(scene)
    # Every layer is drawn but the four crops, which are the copy connections.
    copies = [g for g in groups(scene, "copy")]
    assert sorted(g.id for g in copies) == ["layer-16", "layer-21", "layer-26", "layer-31"]
    assert len(boxes) == 1 + 35 - 4
    # Five rows: the input's on top, the bottleneck's (the 1024-channel maps) at the bottom.
    centre = {k: (b.y0 + b.y1) / 2 for k, b in boxes.items()}
    assert max(centre, key=centre.get) in ("layer-13", "layer-14")
    # The copies run straight across, each from the way down into the merge of its row,
    # the deeper ones shorter and lower.
    runs = sorted((p[1], p[0], q[0]) for g, p, q in arrows(scene) if g in copies)
    for (y0, a0, b0), (y1, a1, b1) in itertools.pairwise(runs):
        assert y0 < y1 and a0 < a1 and b1 < b0
    # Pools go straight down, up-convolutions straight up.
    for g, p, q in arrows(scene):
        if g.title == "Max-pool 2×2":
            assert abs(p[0] - q[0]) < 1e-6 and q[1] > p[1]
        if g.title == "Transposed conv 2×2, stride 2":
            assert abs(p[0] - q[0]) < 1e-6 and q[1] < p[1]
    legend = next(g for g in scene.items if isinstance(g, Group) and g.id == "legend")
    names = [t.text for t in iter_leaves(legend.children) if isinstance(t, Text)]
    assert names == [
        "Convolution 3×3, ReLU",
        "Max-pool 2×2",
        "Transposed conv 2×2, stride 2",
        "Convolution 1×1",
        "Copy and crop",
    ]


def test_captions_split_channels_and_size() -> None:
    texts = [t for t, _ in captions(unet_scene())]
    assert texts[:3] == ["Input tile", "1", "572×572"]
    assert "1024" in texts and "28×28" in texts


def test_layout_line_is_the_default() -> None:
    spec = yaml.safe_load((ROOT / "specs" / "resnet-skip.yaml").read_text(encoding="utf-8"))
    before = render_svg(scene_of(spec))
    spec["layout"] = "line"
    assert render_svg(scene_of(spec)) == before


# --- errors ----------------------------------------------------------------------------
U = """style: lenet
layout: u
input: [16, 16, 1]
layers:
  - {name: a, type: conv, filters: 4, kernel: 3, padding: same}
  - {type: pool}
  - {type: conv, filters: 8, kernel: 3, padding: same}
  - {type: conv, filters: 8, kernel: 3, padding: same}
  - {name: u, type: conv_transpose, filters: 4, kernel: 2, stride: 2}
  - {type: concat, from: [a, u]}
  - {type: conv, filters: 4, kernel: 3, padding: same}
"""
ERRORS = {
    "value": (U.replace("layout: u", "layout: v"), "t.yaml:2:9: layout: must be one of"),
    "alexnet": (
        U.replace("style: lenet", "style: alexnet"),
        "t.yaml:2:1: layout: the alexnet style draws layout line, not u; draw the figure "
        "in the lenet style",
    ),
    "fcnn": ("layout: u\nlayers: [3, 4, 2]\n", "t.yaml:1:1: layout: the fcnn style draws"),
    "wrap": (U + "wrap: 2\n", "t.yaml:12:7: wrap: layout: u arranges the rows itself"),
    "direction": (U + "direction: down\n", "t.yaml:12:12: direction: layout: u draws the"),
    "flat": (
        "style: lenet\nlayout: u\ninput: [8, 8, 1]\n"
        "layers:\n  - {type: conv, filters: 4, kernel: 3}\n",
        "t.yaml:2:9: layout: layout: u puts each resolution on a row of its own, and this "
        "network keeps one resolution",
    ),
    "vector": (
        U + "  - {type: dense, units: 3}\n",
        "t.yaml:12:5: layers[7]: layout: u draws feature maps, and this dense layer makes a vector",
    ),
    "outputs": (
        U + "  - {type: conv, filters: 4, kernel: 1, from: a}\n",
        "t.yaml:12:5: layers[7]: layout: u draws a network with one output, and this one has 2",
    ),
    "branch": (
        U.replace(
            "  - {type: concat, from: [a, u]}\n",
            "  - {name: z, type: conv, filters: 4, kernel: 1, from: a}\n"
            "  - {type: concat, from: [z, u]}\n",
        ),
        "t.yaml:10:5: layers[5]: layout: u draws one path down and back up, with copy "
        "connections across, and this conv layer branches off it: only a crop",
    ),
    "down again": (U + "  - {type: pool}\n", "t.yaml:12:5: layers[7]: this pool layer goes down"),
    "lone bottom": (
        U.replace("  - {type: conv, filters: 8, kernel: 3, padding: same}\n", ""),
        "t.yaml:6:5: layers[1]: this pool layer is the only layer of the bottom level",
    ),
    "skip_from": (
        U + "  - {type: conv, filters: 4, kernel: 1, skip_from: 0}\n",
        "t.yaml:12:52: layers[7].skip_from: a network that branches writes its merges as layers",
    ),
    "merge down": (
        "style: lenet\nlayout: u\ninput: [16, 16, 4]\nlayers:\n"
        "  - {name: a, type: conv, filters: 4, kernel: 3, padding: same}\n"
        "  - {type: add, from: [input, a]}\n  - {type: pool}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same}\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same}\n  - {type: upsample}\n",
        "t.yaml:6:5: layers[1]: this add merges on the way down: layout: u draws "
        "merges on the way up only",
    ),
    "not the last": (
        U.replace("{type: concat, from: [a, u]}", "{type: concat, from: [input, u]}"),
        "t.yaml:10:5: layers[5]: this concat joins the input, which is not the last "
        "layer of its level on the way down",
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_what_is_not_a_u_is_a_located_error(case: str) -> None:
    text, message = ERRORS[case]
    assert error_of(text).startswith(message)


def test_a_u_renders() -> None:
    check_u_figure(build_scene(load_spec("t.yaml", text=U)))


def test_a_layers_spacing_widens_its_gap_and_legend_false_leaves_the_key_out() -> None:
    def gap(text: str) -> float:  # between the bodies of the bottom row's two layers
        boxes = bodies(build_scene(load_spec("t.yaml", text=text)))
        return boxes["layer-4"].x0 - boxes["layer-3"].x1

    spaced = U.replace(
        "{type: pool}\n  - {type: conv, filters: 8, kernel: 3, padding: same}",
        "{type: pool}\n  - {type: conv, filters: 8, kernel: 3, padding: same, spacing: 30}",
    )
    # As in a row of the line layout: at least the spacing more than the bodies need.
    assert gap(spaced) >= 30 + 2.5 * 7 and gap(spaced) > gap(U)
    scene = build_scene(load_spec("t.yaml", text=U + "legend: false\n"))
    assert not [g for g in scene.items if isinstance(g, Group) and g.role == "legend"]


@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_a_crop_in_a_legend_of_kinds_takes_the_colour_it_is_drawn_in(style: str) -> None:
    # Was an internal error (no theme colour for the crop kind) in both styles' line layout.
    data = yaml.safe_load(UNET.read_text(encoding="utf-8"))
    data.update(style=style, layout="line", theme="colorblind")
    scene = scene_of(data)
    legend = next(g for g in scene.items if isinstance(g, Group) and g.role == "legend")
    assert "Crop" in [t.text for t in iter_leaves(legend.children) if isinstance(t, Text)]
