"""Every spec renders in the blocks style (issue #16): what blocks draws of keys written
for the other styles (skip_from, recurrent, bias, node_labels, image, wrap,
edges.arrows), the keys it sets aside under ``--style`` (and only there), a narrow
figure at its printed width, and random wrapped chains."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.engines.contract import UNIT_KEYS
from nnsvg.errors import SpecError
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.print_size import _printed_pt
from nnsvg.scene import Group, Image, Polygon, Scene, Text, bounds, iter_leaves
from nnsvg.theme import resolve_theme
from tests.cli_run import run
from tests.conftest import skip_panels
from tests.test_layout_blocks import block_boxes, check_geometry, check_routes, groups

SPECS = Path(__file__).resolve().parent.parent / "specs"
BLOCKS = RenderOptions(style="blocks")


def blocks_of(text: str) -> Scene:
    return build_scene(load_spec("t.yaml", text=text), BLOCKS)


def texts(scene: Scene, ident: str) -> list[str]:
    group = groups(scene, "layer")[ident]
    return [t.text for t in iter_leaves(group.children) if isinstance(t, Text)]


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_gallery_spec_renders_in_blocks(path: Path) -> None:
    skip_panels(path)
    spec = load_spec(path)
    scene = build_scene(spec, BLOCKS)  # its own width and font_size
    assert scene.meta["engine"] == "blocks"
    check_geometry(scene)
    check_routes(scene)
    for line in scene.notes:  # only the keys of units and boxes are set aside
        field = line.split(": ")[1]
        key = field.split("].")[-1] if "]." in field else field
        assert key in {*UNIT_KEYS, "layout"} or key.split(".")[0] + ".*" in UNIT_KEYS, line
    if spec.font_size is not None and spec.width is not None:
        width = (float(spec.width[:-2]), spec.width[-2:])
        theme = resolve_theme("default")
        if spec.theme is None:  # the text prints at its size, never smaller
            # The blocks' labels are set at the theme's base size times the factor the
            # text was scaled by (more than 1 where a narrow column needs larger text).
            labels = [
                t.style.size
                for t in iter_leaves(scene.items)
                if isinstance(t, Text) and t.cls == "label" and t.style.size
            ]
            factor = min(labels) / theme.font.size if labels else 1.0
            assert _printed_pt(scene, theme, width) * factor >= spec.font_size * 0.99


def test_skip_from_draws_a_merge_circle_after_its_layer() -> None:
    scene = build_scene(load_spec(SPECS / "resnet-stage.yaml"), BLOCKS)
    layers = groups(scene, "layer")
    assert layers["layer-2-merge"].role == "layer add"
    assert layers["layer-4-merge"].role == "layer add"
    edges = set(groups(scene, "edge"))
    # b1 and the input x feed the first sum; the sum feeds a2 and the second sum
    assert {"edge-layer-2-layer-2-merge", "edge-layer-0-layer-2-merge"} <= edges
    assert {"edge-layer-2-merge-layer-3", "edge-layer-2-merge-layer-4-merge"} <= edges
    assert "edge-layer-2-layer-3" not in edges  # b1's output is the sum, not b1 alone
    boxes = block_boxes(scene)
    assert boxes["layer-2"].y1 < boxes["layer-2-merge"].y0 < boxes["layer-3"].y0


def test_a_concat_skip_is_a_concat_circle() -> None:
    text = (
        "style: lenet\ninput: {shape: [8, 8, 4], label: x}\nlayers:\n"
        "  - {type: conv, filters: 4, kernel: 3, padding: same, skip_from: x, merge: concat}\n"
    )
    scene = blocks_of(text)
    assert groups(scene, "layer")["layer-1-merge"].role == "layer concat"
    assert {"edge-layer-1-layer-1-merge", "edge-layer-0-layer-1-merge"} <= set(
        groups(scene, "edge")
    )


def test_a_recurrent_layer_has_a_loop_beside_its_block() -> None:
    scene = build_scene(load_spec(SPECS / "elman-rnn.yaml"), BLOCKS)
    loop = groups(scene, "edge")["edge-layer-2-layer-2"]
    line = bounds(list(loop.children))
    box = block_boxes(scene)["layer-2"]
    assert line is not None
    assert line.x1 <= box.x0 + 1  # left of the block, in the top-to-bottom flow
    assert box.y0 < line.y0 and line.y1 < box.y1  # out and back into its side
    assert any(isinstance(c, Polygon) for c in loop.children)  # an arrowhead into it
    check_geometry(scene)


def test_bias_and_node_labels_are_lines_of_the_block() -> None:
    scene = build_scene(load_spec(SPECS / "bias-weights.yaml"), BLOCKS)
    assert texts(scene, "layer-1") == ["Features", "4 + bias"]
    assert texts(scene, "layer-2") == ["Hidden", "5, tanh + bias"]
    scene = build_scene(load_spec(SPECS / "iris-mlp.yaml"), BLOCKS)
    measures = ["sepal length", "sepal width", "petal length", "petal width"]
    assert texts(scene, "layer-1")[2:] == measures
    names = [f"n{k}" for k in range(9)]
    scene = blocks_of(f"style: fcnn\nlayers:\n  - {{units: 9, node_labels: {names}}}\n  - 2\n")
    assert texts(scene, "layer-1")[2:] == ["n0", "n1", "n2", "n3", "…", "n8"]


def test_an_image_is_drawn_in_its_block_above_its_label() -> None:
    scene = build_scene(load_spec(SPECS / "mnist-image.yaml"), BLOCKS)
    block = groups(scene, "layer")["layer-0"]
    image = next(c for c in iter_leaves(block.children) if isinstance(c, Image))
    label = next(c for c in iter_leaves(block.children) if isinstance(c, Text))
    box = block_boxes(scene)["layer-0"]
    assert box.x0 < image.x and image.x + image.w < box.x1
    assert box.y0 < image.y and image.y + image.h < label.y < box.y1


def test_wrap_puts_runs_of_blocks_side_by_side() -> None:
    layers = "\n".join(f"  - {{type: op, label: step {k}}}" for k in range(10))
    base = f"style: blocks\ninput: {{shape: [4]}}\nlayers:\n{layers}\n"
    one = block_boxes(blocks_of(base))
    for wrap, runs in (("4", 3), ("auto", None)):
        scene = blocks_of(base + f"wrap: {wrap}\n")
        check_geometry(scene)
        check_routes(scene)
        boxes = block_boxes(scene)
        columns = sorted({round((b.x0 + b.x1) / 2) for b in boxes.values()})
        if runs is not None:
            assert len(columns) == runs
        else:  # auto: the fewest runs under 2:1
            whole = bounds(list(scene.items))
            assert whole is not None and whole.height <= 2 * whole.width + 1
            assert 1 < len(columns) < 11
        assert len(boxes) == len(one)
    right = blocks_of(base + "wrap: 4\ndirection: right\n")
    rows = {round((b.y0 + b.y1) / 2) for b in block_boxes(right).values()}
    assert len(rows) == 3


def test_a_graph_wraps_after_a_block_every_edge_on_leaves_from() -> None:
    # a residual chain: a run may end after each sum (its skip leaves from there too)
    lines = ["style: blocks", "input: {shape: [4], name: s0}", "layers:"]
    for k in range(6):
        lines += [
            f"  - {{type: op, label: f{k}, from: s{k}}}",
            f"  - {{type: op, label: g{k}}}",
            f"  - {{type: add, from: [-1, s{k}], name: s{k + 1}, label: sum {k}}}",
        ]
    text = "\n".join(lines) + "\n"
    one = blocks_of(text)
    for wrap in ("auto", "5"):
        scene = blocks_of(text + f"wrap: {wrap}\n")
        check_geometry(scene)
        check_routes(scene)
        sums = [b for k, b in block_boxes(scene).items() if texts(scene, k)[0].startswith("sum")]
        columns = {round(b.x0) for b in block_boxes(scene).values()}
        assert len(columns) > len({round(b.x0) for b in block_boxes(one).values()})
        # each run ends at a sum: the edges out of it into the next run go through
        # the gutter, up over the next run's top
        tops = min(b.y0 for b in block_boxes(scene).values())
        assert len(sums) == 6 and tops >= min(b.y0 for b in block_boxes(scene).values())
    whole = bounds(list(blocks_of(text + "wrap: auto\n").items))
    assert whole is not None and whole.height <= 2 * whole.width + 1


def test_wrap_n_where_no_run_can_end_is_an_error() -> None:
    text = (
        "style: blocks\ninputs: [{name: x, shape: [4]}, {name: y, shape: [4]}]\nlayers:\n"
        "  - {type: op, label: a, from: x}\n  - {type: op, label: b, from: y}\n"
        "  - {type: add, from: [-1, -2]}\nwrap: 1\n"
    )
    with pytest.raises(SpecError) as caught:
        blocks_of(text)
    assert str(caught.value).startswith("t.yaml:7:7: wrap: ")
    assert "no run of this graph can end" in str(caught.value)
    scene = blocks_of(text.replace("wrap: 1", "wrap: auto"))  # auto: one run
    check_geometry(scene)


def test_edges_arrows() -> None:
    base = "style: blocks\ninput: {shape: [4]}\nlayers: [{type: op, label: a}]\n"
    heads = {}
    for arrows in ("solid", "open", "none"):
        scene = blocks_of(base + f"edges: {{arrows: {arrows}}}\n")
        edge = next(iter(groups(scene, "edge").values()))
        heads[arrows] = [c for c in edge.children if isinstance(c, Polygon)]
    assert heads["none"] == []
    assert heads["solid"][0].paint.fill != "none"
    assert heads["open"][0].paint.fill == "none"


def test_unit_keys_are_set_aside_under_style_only() -> None:
    text = "style: fcnn\nlayers: [{units: 40, max_visible: 5}, 3]\nseed: 4\n"
    scene = build_scene(load_spec("t.yaml", text=text), BLOCKS)
    fields = [line.split(": ")[1] for line in scene.notes]
    assert fields == ["layers[0].max_visible", "seed"]
    assert scene.notes[0].startswith("t.yaml:2:22: ")
    assert "sets this key aside" in scene.notes[0] and "fcnn style" in scene.notes[0]
    # the spec's own style: the same keys are errors
    with pytest.raises(SpecError, match="cannot draw this key"):
        build_scene(load_spec("t.yaml", text=text.replace("fcnn", "blocks")))


def test_the_cli_prints_what_it_sets_aside(tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text("style: fcnn\nlayers: [3, 2]\nedges: {curve: bezier}\n", encoding="utf-8")
    result = run("render", spec, "--style", "blocks", "-o", tmp_path / "n.svg")
    assert result.exit_code == 0
    assert "note: " in result.stderr and "net.yaml:3:9: edges.curve" in result.stderr
    assert (tmp_path / "n.svg").exists()
    quiet = run("render", spec, "--style", "blocks", "-q", "-o", tmp_path / "q.svg")
    assert "note:" not in quiet.stderr


def test_a_narrow_figure_keeps_its_text_and_is_centred_on_the_page() -> None:
    scene = build_scene(load_spec(SPECS / "lenet5.yaml"), BLOCKS)
    printed = _printed_pt(scene, resolve_theme("default"), (7.0, "in"))
    assert printed == pytest.approx(8.0, rel=0.01)
    x, _, w, _ = scene.viewbox
    content = bounds([i for i in scene.items if isinstance(i, Group)])
    assert content is not None
    assert content.width < w / 2  # a column of blocks on a 7 in page
    assert abs((content.x0 - x) - (x + w - content.x1)) < 1.0  # centred


@st.composite
def chains(draw: st.DrawFn) -> str:
    count = draw(st.integers(2, 16))
    lines = []
    for k in range(count):
        label = draw(st.sampled_from(["a", "Linear", "A much longer operation name"]))
        note = ', note: "a note"' if draw(st.integers(0, 4)) == 0 else ""
        lines.append(f"  - {{type: dense, units: {k + 2}, label: {json.dumps(label)}{note}")
        if draw(st.booleans()):
            lines[-1] += ", recurrent: true"
        lines[-1] += "}"
    wrap = draw(st.sampled_from(["auto", "1", "2", "3", "5"]))
    direction = draw(st.sampled_from(["down", "up", "right", "left"]))
    body = "\n".join(lines)
    head = "style: blocks\ninput: {shape: [4]}\nlayers:\n"
    return f"{head}{body}\nwrap: {wrap}\ndirection: {direction}\n"


@settings(deadline=None, max_examples=60)
@given(chains())
def test_random_wrapped_chains(text: str) -> None:
    scene = blocks_of(text)
    check_geometry(scene)
    check_routes(scene)
    edges = groups(scene, "edge")
    count = text.count("type: dense")
    assert len(edges) == count + text.count("recurrent: true")  # the chain's, and loops
