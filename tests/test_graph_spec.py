"""Graph specs: every mistake in name, from, inputs and the merge layers is a located
error naming the layer and its inputs; the styles that draw chains only say so."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnsvg.errors import NnsvgError
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.spec.graph import build_graph
from nnsvg.spec.shapes import format_shape

SPECS = Path(__file__).resolve().parent.parent / "specs"

ERRORS = [
    (
        "unknown",
        "style: lenet\n"
        "input: {shape: [8, 8, 3], name: x}\n"
        "layers:\n"
        "  - {name: stem, type: conv, filters: 4, kernel: 1}\n"
        "  - {type: conv, filters: 4, kernel: 1, from: stme}\n",
        "t.yaml:5:47: layers[1].from: nothing is named 'stme' (did you mean 'stem'?)",
    ),
    (
        "label",
        "style: lenet\n"
        "input: [8, 8, 3]\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 1, label: C1}\n"
        "  - {type: conv, filters: 4, kernel: 1, from: C1}\n",
        "t.yaml:5:47: layers[1].from: nothing is named 'C1' (layers[0] is labelled 'C1': "
        "give it name: C1)",
    ),
    (
        "positive",
        "style: lenet\n"
        "input: [8, 8, 3]\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 1}\n"
        "  - {type: conv, filters: 4, kernel: 1, from: 0}\n",
        "t.yaml:5:47: layers[1].from: must be a layer's name or a relative index, or a list "
        "of them, got 0: a relative index counts back from this layer (-1 is the one before)",
    ),
    (
        "far",
        "style: lenet\n"
        "input: [8, 8, 3]\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 1}\n"
        "  - {type: conv, filters: 4, kernel: 1, from: -3}\n",
        "t.yaml:5:47: layers[1].from: -3 is not a layer before this one: a relative index "
        "counts back from it (-1 to -2; -2 is the input), or give a name",
    ),
    (
        "cycle",
        "style: lenet\n"
        "input: [8, 8, 3]\n"
        "layers:\n"
        "  - {name: a, type: conv, filters: 4, kernel: 1, from: [b]}\n"
        "  - {name: b, type: conv, filters: 4, kernel: 1}\n",
        "t.yaml:4:56: layers[0].from: the layers read each other in a cycle: layers[0] 'a' → "
        "layers[1] 'b' → layers[0] 'a'; a layer that feeds itself is drawn with recurrent: "
        "true",
    ),
    (
        "addshape",
        "style: lenet\n"
        "input: {shape: [8, 8, 3], name: x}\n"
        "layers:\n"
        "  - {name: a, type: conv, filters: 4, kernel: 1}\n"
        "  - {name: b, type: conv, filters: 8, kernel: 1, from: x}\n"
        "  - {type: add, from: [a, b]}\n",
        "t.yaml:6:23: layers[2].from: layer 2 (add) needs inputs of one shape, and gets "
        "layers[0] 'a' 8×8×4, layers[1] 'b' 8×8×8; a concat joins inputs of different "
        "channel counts",
    ),
    (
        "concatdims",
        "style: lenet\n"
        "input: {shape: [8, 8, 3], name: x}\n"
        "layers:\n"
        "  - {name: a, type: conv, filters: 4, kernel: 3}\n"
        "  - {name: b, type: conv, filters: 8, kernel: 1, from: x}\n"
        "  - {type: concat, from: [a, b]}\n",
        "t.yaml:6:26: layers[2].from: layer 2 (concat) joins along the channels, and its "
        "inputs differ in their other sizes: layers[0] 'a' 6×6×4, layers[1] 'b' 8×8×8",
    ),
    (
        "onemerge",
        "style: lenet\n"
        "input: [8, 8, 3]\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 1}\n"
        "  - {type: add}\n",
        "t.yaml:5:5: layers[1]: layer 1 (add) joins two or more inputs; give them with from: "
        "[a, b] (it reads only layers[0] 8×8×4)",
    ),
    (
        "twoconv",
        "style: lenet\n"
        "input: {shape: [8, 8, 3], name: x}\n"
        "layers:\n"
        "  - {name: a, type: conv, filters: 4, kernel: 1}\n"
        "  - {type: conv, filters: 4, kernel: 1, from: [a, x]}\n",
        "t.yaml:5:47: layers[1].from: layer 1 (conv) reads one input, and from gives 2 "
        "(layers[0] 'a' 8×8×4, input 8×8×3); join them first with an add, multiply or concat "
        "layer",
    ),
    (
        "whichinput",
        "style: lenet\n"
        "inputs:\n"
        "  - {name: a, shape: [8, 8, 3]}\n"
        "  - {name: b, shape: [8, 8, 3]}\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 1}\n",
        "t.yaml:6:5: layers[0]: the spec has 2 inputs: say which one this layer reads (from: a)",
    ),
    (
        "noname",
        "style: lenet\n"
        "inputs:\n"
        "  - {name: a, shape: [8, 8, 3]}\n"
        "  - {shape: [8, 8, 3]}\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 1, from: a}\n",
        "t.yaml:4:5: inputs[1]: missing 'name': with several inputs, from names each one",
    ),
    (
        "both",
        "style: lenet\n"
        "input: [8, 8, 3]\n"
        "inputs:\n"
        "  - {name: a, shape: [8, 8, 3]}\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 1}\n",
        "t.yaml:4:3: inputs: give either input (one) or inputs (several), not both",
    ),
    (
        "dup",
        "style: lenet\n"
        "input: [8, 8, 3]\n"
        "layers:\n"
        "  - {name: a, type: conv, filters: 4, kernel: 1}\n"
        "  - {name: a, type: conv, filters: 4, kernel: 1}\n",
        "t.yaml:5:12: layers[1].name: the name 'a' is taken already by layers[0] 'a'",
    ),
    (
        "croplarger",
        "style: lenet\n"
        "input: {shape: [8, 8, 3], name: x}\n"
        "layers:\n"
        "  - {name: s, type: pool}\n"
        "  - {type: crop, from: s, to: x}\n",
        "t.yaml:5:31: layers[1].to: layer 1 (crop) would crop 4×4×3 to the larger input 8×8×3",
    ),
    (
        "cropnoto",
        "style: lenet\ninput: [8, 8, 3]\nlayers:\n  - {type: crop}\n",
        "t.yaml:4:5: layers[0]: layer 0 (crop) needs 'to': the layer whose size it crops to",
    ),
    (
        "skipgraph",
        "style: lenet\n"
        "input: {shape: [8, 8, 3], name: x}\n"
        "layers:\n"
        "  - {name: a, type: conv, filters: 4, kernel: 1}\n"
        "  - {name: b, type: conv, filters: 4, kernel: 1, from: x}\n"
        "  - {type: add, from: [a, b], skip_from: 0}\n",
        "t.yaml:6:42: layers[2].skip_from: a network that branches writes its merges as "
        "layers: {type: add, from: [a, b]} (or concat) instead of skip_from",
    ),
    (
        "badfrom",
        "style: lenet\n"
        "input: [8, 8, 3]\n"
        "layers:\n"
        "  - {type: conv, filters: 4, kernel: 1, from: [true]}\n",
        "t.yaml:4:48: layers[0].from[0]: must be a layer's name or a relative index, or a "
        "list of them, got true",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_error(text: str, message: str) -> None:
    with pytest.raises(NnsvgError) as caught:
        build_scene(load_spec("t.yaml", text=text))
    assert str(caught.value) == message


ISSUE_EXAMPLE = """\
style: lenet
inputs:
  - {name: image, shape: [28, 28, 1]}
  - {name: meta, shape: [16]}
layers:
  - {name: stem, type: conv, filters: 64, kernel: 3, from: image}
  - {name: b1, type: conv, filters: 32, kernel: 1, from: stem}
  - {name: b2, type: conv, filters: 32, kernel: 3, padding: same, from: stem}
  - {name: b3, type: pool, size: 3, stride: 1, padding: same, from: stem}
  - {name: mix, type: concat, from: [b1, b2, b3]}
  - {type: conv, filters: 128, kernel: 1}
  - {name: res, type: add, from: [mix, -1]}
  - {name: cls, type: dense, units: 10, from: res}
  - {name: joint, type: concat, from: [res, meta]}
  - {name: box, type: dense, units: 4, from: joint}
"""


def test_the_issue_example_resolves_and_infers_every_shape() -> None:
    graph = build_graph(load_spec("t.yaml", text=ISSUE_EXAMPLE))
    assert graph.sources == (
        (),
        (),
        (0,),
        (2,),
        (2,),
        (2,),
        (3, 4, 5),
        (6,),
        (6, 7),
        (8,),
        (8, 1),
        (10,),
    )
    assert [format_shape(s) for s in graph.shapes] == [
        "28×28×1",
        "16",
        "26×26×64",
        "26×26×32",
        "26×26×32",
        "26×26×64",
        "26×26×128",
        "26×26×128",
        "26×26×128",
        "10",
        "86544",
        "4",
    ]  # the concat of a map and a vector flattens the map: 26·26·128 + 16


def test_a_chain_written_with_names_and_from_draws_as_the_chain() -> None:
    plain = "style: lenet\ninput: [8, 8, 3]\nlayers:\n  - {type: conv, filters: 4, kernel: 3}\n"
    plain += "  - {type: pool}\n"
    named = plain.replace("kernel: 3}", "kernel: 3, name: c}").replace(
        "{type: pool}", "{type: pool, from: c}"
    )
    a = build_scene(load_spec("t.yaml", text=plain))
    b = build_scene(load_spec("t.yaml", text=named))
    assert a == b


def test_concat_along_another_axis_and_crop() -> None:
    text = (
        "style: lenet\ninput: {shape: [16, 16, 4], name: x}\nlayers:\n"
        "  - {name: p, type: pool}\n"
        "  - {name: up, type: upsample}\n"
        "  - {name: c, type: crop, from: x, to: p}\n"
        "  - {type: concat, from: [p, c], axis: 0}\n"
    )
    shapes = build_graph(load_spec("t.yaml", text=text)).layer_shapes
    assert [format_shape(s) for s in shapes] == ["8×8×4", "16×16×4", "8×8×4", "16×8×4"]


FCNN_GRAPH_ERRORS = [
    (
        "style: fcnn\ninputs:\n  - {name: a, shape: [8, 8, 1]}\n  - {name: b, shape: [4]}\n"
        "layers:\n  - {units: 3, from: a}\n  - {units: 2, from: [-1]}\n",
        "t.yaml:3:5: inputs[0]: the fcnn style draws vectors of units, and this input is a 2D "
        "map; draw the figure in the lenet style",
    ),
    (
        "style: fcnn\ninput: {shape: [8], name: x}\nlayers:\n  - {name: a, units: 4}\n"
        "  - {units: 4, from: x}\n  - {type: add, from: [a, -1]}\n",
        "t.yaml:6:12: layers[2].type: the fcnn style draws the dense layers of a graph and joins "
        "them with concat; a add layer is drawn in the lenet style",
    ),
    (
        "style: fcnn\nweights: w.npz\nedges: {encode: [color]}\nlayers:\n  - {units: 3, name: a}\n"
        "  - {units: 4}\n  - {units: 2, from: a}\n",
        "t.yaml:2:10: weights: weight files hold one matrix per pair of neighbouring layers, "
        "and this network branches; use weights: random",
    ),
]


@pytest.mark.parametrize(("text", "message"), FCNN_GRAPH_ERRORS)
def test_fcnn_graph_error(text: str, message: str) -> None:
    with pytest.raises(NnsvgError) as caught:
        build_scene(load_spec("t.yaml", text=text))
    assert str(caught.value) == message


def test_fcnn_heads_share_a_rank_and_a_concat_is_the_layer_fed_by_both() -> None:
    from nnsvg.scene import Group

    scene = build_scene(load_spec(SPECS / "two-tower-mlp.yaml"))
    groups = {g.id: g for g in scene.items if isinstance(g, Group)}
    # The concat (layers[2], layer-3) is not drawn; the joint layer reads both towers.
    assert "layer-3" not in groups
    assert {"edges-layer-1-layer-4", "edges-layer-2-layer-4"} <= set(groups)
    assert groups["layer-0"].role == "layer input" and groups["input-1"].role == "layer input"
    assert groups["layer-5"].role == "layer output"
    heads = build_scene(load_spec(SPECS / "two-headed-mlp.yaml"))
    roles = [g.role for g in heads.items if isinstance(g, Group) and g.role.startswith("layer")]
    assert roles.count("layer output") == 2


def test_fcnn_random_weights_in_a_graph_colour_every_pair() -> None:
    text = (SPECS / "two-headed-mlp.yaml").read_text(encoding="utf-8")
    text += "weights: random\nedges: {encode: [color]}\n"
    scene = build_scene(load_spec("t.yaml", text=text))
    assert scene.items  # a colour bar and four edge pairs, drawn


def test_a_style_that_draws_chains_only_says_which_styles_draw_graphs(monkeypatch) -> None:
    import dataclasses

    from nnsvg import engines

    chain_only = dataclasses.replace(
        engines.ENGINES["alexnet"],
        draws=dataclasses.replace(engines.ENGINES["alexnet"].draws, graphs=False),
    )
    monkeypatch.setitem(engines.ENGINES, "alexnet", chain_only)
    text = (
        "style: alexnet\ninput: {shape: [8, 8, 3], name: x}\nlayers:\n"
        "  - {name: a, type: conv, filters: 4, kernel: 1}\n"
        "  - {name: b, type: conv, filters: 4, kernel: 1, from: x}\n"
        "  - {type: add, from: [a, b]}\n"
    )
    with pytest.raises(NnsvgError) as caught:
        build_scene(load_spec("t.yaml", text=text))
    assert str(caught.value) == (
        "t.yaml:5:56: layers[1].from: the alexnet style draws chains of layers, and this is "
        "a branch; draw the figure in the lenet or blocks style"
    )


@pytest.mark.parametrize("direction", ["right", "down"])
def test_fcnn_graph_labels_touch_no_node(direction: str) -> None:
    from nnsvg.scene import Circle, Text, bbox_of, iter_leaves

    text = (SPECS / "two-headed-mlp.yaml").read_text(encoding="utf-8")
    text += f"direction: {direction}\n"
    scene = build_scene(load_spec("t.yaml", text=text))
    leaves = list(iter_leaves(scene.items))
    nodes = [bbox_of(c) for c in leaves if isinstance(c, Circle)]
    labels = [bbox_of(t) for t in leaves if isinstance(t, Text)]
    for label in labels:
        for node in nodes:
            assert label is not None and node is not None
            apart = (
                label.x1 <= node.x0
                or node.x1 <= label.x0
                or label.y1 <= node.y0
                or node.y1 <= label.y0
            )
            assert apart, (label, node)
