"""The operation blocks of issue #16 in the spec and the graph: their shapes, their
located errors, groups (nested, crossed by references), ``from`` items as mappings
and notes, carried on the Network; the styles that cannot draw them say so."""

from __future__ import annotations

from typing import Any

import pytest

from nnsvg.errors import NnsvgError
from nnsvg.network import resolve
from nnsvg.pipeline import build_scene, load_spec
from nnsvg.spec.graph import build_graph
from nnsvg.spec.model import EdgeMark
from nnsvg.spec.shapes import format_shape


def shapes_of(text: str) -> list[str]:
    return [format_shape(s) for s in build_graph(load_spec("t.yaml", text=text)).layer_shapes]


def errors_of(text: str) -> list[str]:
    """Every error nnsvg reports for ``text`` (its scene built when it names a style)."""
    with pytest.raises(NnsvgError) as caught:
        spec = load_spec("t.yaml", text=text)
        if "style:" in text:
            build_scene(spec)
        else:
            build_graph(spec)
    return [str(e) for e in getattr(caught.value, "errors", [caught.value])]


# (id, input, layer(s), output shapes)
SHAPES: list[tuple[str, str, str, list[str]]] = [
    ("self-attention", "[10, 512]", "{type: attention, heads: 8}", ["10×512"]),
    ("attention-units", "[10, 512]", "{type: attention, heads: 8, units: 256}", ["10×256"]),
    ("attention-alias", "[10, 64]", "{type: MultiHead_Attention, heads: 4}", ["10×64"]),
    ("layernorm", "[10, 64]", "{type: layernorm}", ["10×64"]),
    ("batchnorm", "[8, 8, 3]", "{type: BatchNormalization}", ["8×8×3"]),
    ("dropout", "[7]", "{type: dropout, rate: 0.1}", ["7"]),
    ("dropout-zero", "[7]", "{type: dropout, rate: 0}", ["7"]),
    ("softmax", "[10, 5]", "{type: softmax}", ["10×5"]),
    ("activation", "[10, 5]", "{type: activation, fn: gelu}", ["10×5"]),
    ("activation-free-text", "[10, 5]", "{type: activation, fn: 'x·σ(x)'}", ["10×5"]),
    ("positional", "[10, 5]", "{type: positional_encoding}", ["10×5"]),
    ("embedding", "[20]", "{type: embedding, units: 512, vocab: 30000}", ["20×512"]),
    ("lstm", "[20, 16]", "{type: lstm, units: 32}", ["20×32"]),
    ("lstm-last", "[20, 16]", "{type: lstm, units: 32, return_sequences: false}", ["32"]),
    ("gru", "[20, 16]", "{type: gru, units: 8}", ["20×8"]),
    ("op-carries", "[20, 16]", "{type: op, label: Scale}", ["20×16"]),
    ("op-units", "[20, 16]", "{type: op, label: Linear, units: 4}", ["20×4"]),
    ("op-shape", "[20, 16]", "{type: op, label: Pool, shape: [16]}", ["16"]),
    ("embedding-shape", "[20]", "{type: embedding, shape: [20, 3]}", ["20×3"]),
    (
        "chain",
        "[12]",
        "{type: embedding, units: 8}, {type: positional_encoding}, {type: lstm, units: 4}, "
        "{type: dropout}, {type: gru, units: 2, return_sequences: false}, {type: softmax}",
        ["12×8", "12×8", "12×4", "12×4", "2", "2"],
    ),
]


@pytest.mark.parametrize(("name", "shape", "layers", "out"), SHAPES, ids=[c[0] for c in SHAPES])
def test_shapes(name: str, shape: str, layers: str, out: list[str]) -> None:
    assert shapes_of(f"input: {shape}\nlayers: [{layers}]\n") == out


def test_attention_reads_query_key_value() -> None:
    text = (
        "inputs: [{name: q, shape: [10, 64]}, {name: m, shape: [30, 32]}]\n"
        "layers:\n"
        "  - {type: attention, heads: 4, from: [q, m, m]}\n"  # cross-attention: query's shape
        "  - {type: attention, heads: 2, from: [q, m]}\n"  # key and value the same
        "  - {type: attention, heads: 2, units: 16, from: q}\n"
    )
    assert shapes_of(text) == ["10×64", "10×64", "10×16"]


def test_op_reads_several_inputs() -> None:
    text = (
        "inputs: [{name: a, shape: [4, 6]}, {name: b, shape: [6, 5]}]\n"
        "layers: [{type: op, label: MatMul, from: [a, b], shape: [4, 5]}, "
        "{type: op, label: Mix, from: [a, b]}]\n"
    )
    assert shapes_of(text) == ["4×5", "4×6"]


def test_first_layer_states_its_shape() -> None:
    assert shapes_of(
        "layers: [{type: positional_encoding, shape: [10, 4]}, {type: softmax}]\n"
    ) == [
        "10×4",
        "10×4",
    ]


ERRORS: list[tuple[str, str, list[str]]] = [
    (
        "attention-heads",
        "input: [10, 512]\nlayers:\n  - {type: attention, heads: 7}\n",
        [
            (
                "t.yaml:3:30: layers[0].heads: is 7, which does not divide the "
                "query's last size 512 (each head takes an equal share): give a "
                "divisor of 512, such as 4"
            )
        ],
    ),
    (
        "attention-heads-units",
        "input: [10, 512]\nlayers:\n  - {type: attention, heads: 8, units: 100}\n",
        [
            (
                "t.yaml:3:30: layers[0].heads: is 8, which does not divide units 100 "
                "(each head takes an equal share): give a divisor of 100, such as 5"
            )
        ],
    ),
    (
        "attention-four",
        (
            "input: [10, 8]\nlayers:\n  - {type: attention, heads: 2, from: "
            "[input, input, input, input]}\n"
        ),
        [
            (
                "t.yaml:3:39: layers[0].from: layer 0 (attention) reads at most 3 "
                "inputs (query, key, value), and from gives 4 (input 10×8, input "
                "10×8, input 10×8, input 10×8)"
            )
        ],
    ),
    (
        "attention-kv",
        (
            "inputs: [{name: q, shape: [10, 8]}, {name: k, shape: [12, 8]}, "
            "{name: v, shape: [11, 8]}]\nlayers:\n  - {type: attention, heads: 2, "
            "from: [q, k, v]}\n"
        ),
        [
            (
                "t.yaml:3:39: layers[0].from: layer 0 (attention) needs one value "
                "per key: the key 12×8 and the value 11×8 must agree on every axis "
                "but the last"
            )
        ],
    ),
    (
        "attention-rank",
        (
            "inputs: [{name: q, shape: [10, 8]}, {name: m, shape: [8]}]\nlayers:\n "
            " - {type: attention, heads: 2, from: [q, m]}\n"
        ),
        [
            (
                "t.yaml:3:39: layers[0].from: layer 0 (attention) needs a query, key "
                "and value of one rank, and gets inputs[0] 'q' 10×8, inputs[1] 'm' 8"
            )
        ],
    ),
    (
        "attention-no-heads",
        "input: [10, 8]\nlayers:\n  - {type: attention}\n",
        ["t.yaml:3:5: layers[0]: an attention layer needs 'heads' (or an explicit 'shape')"],
    ),
    (
        "norm-two",
        (
            "inputs: [{name: a, shape: [4]}, {name: b, shape: [4]}]\nlayers:\n  - "
            "{type: layernorm, from: [a, b]}\n"
        ),
        [
            (
                "t.yaml:3:29: layers[0].from: layer 0 (layernorm) reads one input, "
                "and from gives 2 (inputs[0] 'a' 4, inputs[1] 'b' 4); join them "
                "first with an add, multiply or concat layer"
            )
        ],
    ),
    (
        "embedding-map",
        "input: [10, 3]\nlayers:\n  - {type: embedding, units: 4}\n",
        [
            (
                "t.yaml:3:5: layers[0]: layer 0 (embedding) turns token ids [length] "
                "into [length, units], and gets 10×3: feed it the token ids (input: "
                "[length])"
            )
        ],
    ),
    (
        "embedding-no-units",
        "input: [10]\nlayers:\n  - {type: embedding, vocab: 4}\n",
        ["t.yaml:3:5: layers[0]: an embedding layer needs 'units' (or an explicit 'shape')"],
    ),
    (
        "lstm-vector",
        "input: [10]\nlayers:\n  - {type: lstm, units: 4}\n",
        [
            (
                "t.yaml:3:5: layers[0]: layer 0 (lstm) reads a sequence [length, "
                "features], and gets the vector 10; an embedding turns token ids "
                "[length] into one"
            )
        ],
    ),
    (
        "gru-map",
        "input: [4, 4, 3]\nlayers:\n  - {type: gru, units: 4}\n",
        [
            (
                "t.yaml:3:5: layers[0]: layer 0 (gru) reads a sequence [length, "
                "features], and gets the map 4×4×3; flatten its rows into a sequence "
                "first"
            )
        ],
    ),
    (
        "dropout-one",
        "input: [4]\nlayers:\n  - {type: dropout, rate: 1}\n",
        ["t.yaml:3:27: layers[0].rate: must be from 0 up to (not including) 1, got 1"],
    ),
    (
        "dropout-neg",
        "input: [4]\nlayers:\n  - {type: dropout, rate: -0.5}\n",
        ["t.yaml:3:27: layers[0].rate: must be from 0 up to (not including) 1, got -0.5"],
    ),
    (
        "fn-empty",
        "input: [4]\nlayers:\n  - {type: activation, fn: ' '}\n",
        ["t.yaml:3:28: layers[0].fn: must not be empty"],
    ),
    (
        "first-no-input",
        "layers:\n  - {type: softmax}\n",
        [
            (
                "t.yaml:2:5: layers[0]: layer 0 (softmax) is the first layer and the "
                "spec has no 'input': give the input shape (input: [length] for "
                "token ids, [length, features] for a sequence) or this layer's "
                "'shape'"
            )
        ],
    ),
    (
        "shape-mismatch",
        "input: [10, 8]\nlayers:\n  - {type: layernorm, shape: [10, 9]}\n",
        [
            (
                "t.yaml:3:30: layers[0].shape: says 10×9, but layer 0 (layernorm) "
                "gives 10×8 (the shape of its input 10×8); fix 'shape' or the "
                "layer's parameters, or leave 'shape' out"
            )
        ],
    ),
    (
        "lstm-shape-mismatch",
        (
            "input: [10, 8]\nlayers:\n  - {type: lstm, units: 4, shape: [10, 4]}\n  "
            "- {type: lstm, units: 4, return_sequences: false, shape: [10, 4]}\n"
        ),
        [
            (
                "t.yaml:4:60: layers[1].shape: says 10×4, but layer 1 (lstm) gives 4 "
                "(units 4 over the sequence 10×4); fix 'shape' or the layer's "
                "parameters, or leave 'shape' out"
            )
        ],
    ),
    (
        "group-in-error",
        (
            "input: [10, 8]\nlayers:\n  - group: Enc\n    layers:\n      - {type: "
            "layernorm}\n      - {type: attention, heads: 3}\n"
        ),
        [
            (
                "t.yaml:6:34: layers[0].layers[1].heads: is 3, which does not divide "
                "the query's last size 8 (each head takes an equal share): give a "
                "divisor of 8, such as 2"
            )
        ],
    ),
    (
        "group-nested-ref",
        (
            "input: [10, 8]\nlayers:\n  - group: Enc\n    layers:\n      - group: "
            "Block\n        layers: [{type: layernorm, name: n}]\n  - {type: add, "
            "from: [n, nn]}\n"
        ),
        ["t.yaml:7:27: layers[1].from[1]: nothing is named 'nn' (did you mean 'n'?)"],
    ),
    (
        "group-empty",
        "input: [4]\nlayers:\n  - {group: G, layers: []}\n",
        ["t.yaml:3:24: layers[0].layers: must list at least one layer"],
    ),
    (
        "group-missing-layers",
        "input: [4]\nlayers:\n  - {group: G}\n",
        ["t.yaml:3:5: layers[0]: missing 'layers': the layers inside the group"],
    ),
    (
        "group-null",
        "input: [4]\nlayers:\n  - {group: null, layers: [3]}\n",
        ["t.yaml:3:13: layers[0].group: must be the group's label, got null"],
    ),
    (
        "group-repeat",
        "input: [4]\nlayers:\n  - {group: G, repeat: 0, layers: [3]}\n",
        ["t.yaml:3:24: layers[0].repeat: must be a positive integer, got 0"],
    ),
    (
        "group-key",
        "input: [4]\nlayers:\n  - {group: G, repeats: 2, layers: [3]}\n",
        ["t.yaml:3:16: layers[0].repeats: unknown key 'repeats' (did you mean 'repeat'?)"],
    ),
    (
        "group-collapse",
        "input: [4]\nlayers:\n  - {group: G, collapse: 'yes', layers: [3]}\n",
        ["t.yaml:3:26: layers[0].collapse: must be true or false, got 'yes'"],
    ),
    (
        "from-no-name",
        "input: [4]\nlayers:\n  - {units: 3, from: [{label: Q}]}\n",
        ["t.yaml:3:23: layers[0].from[0]: missing 'name': the layer this edge comes from"],
    ),
    (
        "from-style",
        "input: [4]\nlayers:\n  - {units: 3, from: {name: input, style: dashy}}\n",
        [
            (
                "t.yaml:3:43: layers[0].from.style: must be solid, dashed, dotted or "
                "a colour (#rgb, #rrggbb, a CSS colour name), got 'dashy' (did you "
                "mean 'dashed'?)"
            )
        ],
    ),
    (
        "from-key",
        "input: [4]\nlayers:\n  - {units: 3, from: [{name: input, colour: red}]}\n",
        [
            (
                "t.yaml:3:37: layers[0].from[0].colour: unknown key 'colour'; "
                "allowed keys: 'name', 'label', 'style'"
            )
        ],
    ),
    (
        "from-unknown",
        "input: [4]\nlayers:\n  - {type: op, label: X, from: [{name: inptu, label: Q}]}\n",
        ["t.yaml:3:40: layers[0].from[0].name: nothing is named 'inptu' (did you mean 'input'?)"],
    ),
    (
        "note-long",
        "input: [4]\nlayers:\n  - {units: 3, note: " + "x" * 201 + "}\n",
        ["t.yaml:3:22: layers[0].note: is 201 characters long; at most 200 are allowed"],
    ),
    (
        "heads-on-dense",
        "input: [4]\nlayers:\n  - {units: 3, heads: 2}\n",
        [
            (
                "t.yaml:3:16: layers[0].heads: 'heads' does not apply to a dense "
                "layer (it belongs to attention layers; set type: attention)"
            )
        ],
    ),
    (
        "lenet-types",
        (
            "style: lenet\ninput: [8, 8, 1]\nlayers:\n  - {type: conv, filters: 2, "
            "kernel: 3}\n  - {type: batchnorm}\n  - {type: dropout, rate: 0.5}\n  - "
            "{group: G, layers: [{type: pool}]}\n"
        ),
        [
            (
                "t.yaml:5:6: layers[1].type: the lenet style cannot draw layer type "
                "batchnorm: draw the figure in the blocks style"
            ),
            (
                "t.yaml:6:6: layers[2].type: the lenet style cannot draw layer type "
                "dropout: draw the figure in the blocks style"
            ),
        ],  # the group it draws (a bracket under its layers)
    ),
    (
        "lenet-from-mark",
        (
            "style: lenet\ninput: [8, 8, 1]\nlayers:\n  - {type: conv, filters: 2, "
            "kernel: 3, from: [{name: input, label: x, style: dotted}]}\n"
        ),
        [
            (
                "t.yaml:4:62: layers[0].from[0].label: the lenet style cannot draw "
                "this key: remove it, or draw the figure in the blocks style"
            ),
            (
                "t.yaml:4:72: layers[0].from[0].style: the lenet style cannot draw "
                "this key: remove it, or draw the figure in the blocks style"
            ),
        ],
    ),
]


@pytest.mark.parametrize(("name", "text", "errors"), ERRORS, ids=[c[0] for c in ERRORS])
def test_errors(name: str, text: str, errors: list[str]) -> None:
    assert errors_of(text) == errors


# --- groups ---------------------------------------------------------------------------
TRANSFORMER = """\
input: {shape: [10], name: tokens}
layers:
  - {type: embedding, units: 64, vocab: 1000, name: emb}
  - {type: positional_encoding, name: pe}
  - group: Encoder
    repeat: 6
    note: shared weights
    layers:
      - type: attention
        heads: 8
        name: mha
        from: [{name: pe, label: Q}, {name: pe, label: K, style: dashed}, pe]
      - {type: add, from: [mha, pe]}
      - {type: layernorm, name: ln1}
      - group: Feed Forward
        collapse: true
        layers:
          - {type: op, label: Linear, units: 256}
          - {type: activation, fn: relu}
          - {type: op, label: Linear, units: 64, name: ff}
      - {type: add, from: [ln1, ff]}
      - {type: layernorm, name: enc, note: "output"}
  - {type: op, label: Linear, units: 1000, from: {name: enc, style: "#ff0000"}}
  - {type: softmax}
"""


def test_groups_nest_and_references_cross_them() -> None:
    spec = load_spec("t.yaml", text=TRANSFORMER)
    assert [(layer.index, layer.type, layer.groups) for layer in spec.layers] == [
        (0, "embedding", ()),
        (1, "positional_encoding", ()),
        (2, "attention", (0,)),
        (3, "add", (0,)),
        (4, "layernorm", (0,)),
        (5, "op", (0, 1)),
        (6, "activation", (0, 1)),
        (7, "op", (0, 1)),
        (8, "add", (0,)),
        (9, "layernorm", (0,)),
        (10, "op", ()),
        (11, "softmax", ()),
    ]
    assert spec.layers[6].field_of("fn") == "layers[2].layers[3].layers[1].fn"
    assert spec.layers[0].field_of() == "layers[0]"
    encoder, ffn = spec.groups
    assert (encoder.label, encoder.repeat, encoder.collapse, encoder.note) == (
        "Encoder",
        6,
        False,
        "shared weights",
    )
    assert (encoder.parent, encoder.layers, encoder.path) == (
        None,
        tuple(range(2, 10)),
        ("layers", 2),
    )
    assert (ffn.label, ffn.repeat, ffn.collapse, ffn.parent, ffn.layers) == (
        "Feed Forward",
        1,
        True,
        0,
        (5, 6, 7),
    )
    assert (encoder.location.line, ffn.location.line) == (5, 15)  # type: ignore[union-attr]
    assert shapes_of(TRANSFORMER) == ["10×64"] * 5 + ["10×256", "10×256"] + ["10×64"] * 3 + [
        "10×1000",
        "10×1000",
    ]


def test_the_network_carries_frames_notes_and_edge_marks() -> None:
    net = resolve(load_spec("t.yaml", text=TRANSFORMER))
    encoder, ffn = net.frames
    assert (encoder.id, encoder.label, encoder.repeat, encoder.parent) == (
        "group-1",
        "Encoder",
        6,
        None,
    )
    assert encoder.nodes == tuple(range(3, 11))  # the input is node 0
    assert encoder.inputs == (2,)  # pe
    assert encoder.outputs == (10,)  # enc
    assert encoder.note == "shared weights"
    assert (ffn.id, ffn.collapse, ffn.parent, ffn.nodes, ffn.inputs, ffn.outputs) == (
        "group-2",
        True,
        0,
        (6, 7, 8),
        (5,),
        (8,),
    )
    mha = net.nodes[3]
    assert (mha.kind, mha.inputs, mha.groups) == ("attention", (2, 2, 2), (0,))
    assert mha.edge_marks == (EdgeMark("Q"), EdgeMark("K", "dashed"), None)
    assert net.nodes[7].groups == (0, 1)
    assert net.nodes[10].note == "output"
    assert net.nodes[11].edge_marks == (EdgeMark(None, "#ff0000"),)
    assert net.nodes[12].edge_marks == ()  # plain from: no marks
    assert [n.id for n in net.nodes][:3] == ["layer-0", "layer-1", "layer-2"]


def test_a_group_reads_the_layer_before_it_and_is_read_after() -> None:
    text = (
        "input: [4]\nlayers:\n  - 3\n  - {group: G, layers: [5, {group: H, layers: [6]}]}\n  - 2\n"
    )
    spec = load_spec("t.yaml", text=text)
    graph = build_graph(spec)
    assert graph.sources == ((), (0,), (1,), (2,), (3,))
    frames = resolve(spec).frames
    assert [(f.label, f.parent, f.nodes, f.inputs, f.outputs) for f in frames] == [
        ("G", None, (2, 3), (1,), (3,)),
        ("H", 0, (3,), (2,), (3,)),
    ]


def test_relative_indices_count_through_groups() -> None:
    text = (
        "input: [4]\nlayers:\n  - {units: 3, name: a}\n  - {group: G, layers: "
        "[5]}\n  - {units: 2, from: -2}\n"
    )
    assert build_graph(load_spec("t.yaml", text=text)).sources[-1] == (1,)


def test_group_depth_is_capped() -> None:
    from nnsvg.spec.keys import MAX_GROUP_DEPTH

    inner: Any = [3]
    for _ in range(MAX_GROUP_DEPTH + 1):
        inner = [{"group": "g", "layers": inner}]
    import json

    with pytest.raises(NnsvgError) as caught:
        load_spec("t.json", text=json.dumps({"layers": inner}))
    assert f"groups nest at most {MAX_GROUP_DEPTH} deep" in str(caught.value)


def test_layers_in_groups_count_towards_the_limit() -> None:
    from nnsvg.spec.keys import MAX_LAYERS

    text = "layers: [3, {group: G, layers: [" + ", ".join(["3"] * MAX_LAYERS) + "]}]\n"
    assert errors_of(text) == [
        f"t.yaml:1:9: layers: has {MAX_LAYERS + 1} layers; at most {MAX_LAYERS} are allowed"
    ]


def test_a_cycle_through_a_group_names_the_paths() -> None:
    text = (
        "input: [4]\n"
        "layers:\n"
        "  - {units: 3, name: a, from: b}\n"
        "  - {group: G, layers: [{units: 3, name: b, from: a}]}\n"
    )
    assert errors_of(text) == [
        "t.yaml:3:31: layers[0].from: the layers read each other in a cycle: layers[0] 'a' "
        "→ layers[1].layers[0] 'b' → layers[0] 'a'; a layer that feeds itself is drawn "
        "with recurrent: true"
    ]


# --- the styles that cannot draw them ------------------------------------------------
def test_fcnn_rejects_groups_and_blocks() -> None:
    errors = errors_of("style: fcnn\n" + TRANSFORMER)
    assert errors[0] == (
        "t.yaml:4:6: layers[0].type: the fcnn style cannot draw layer type embedding: "
        "draw the figure in the blocks style"
    )
    assert (
        "t.yaml:6:5: layers[2].group: the fcnn style cannot draw groups of layers: "
        "draw the figure in the lenet, alexnet or blocks style"
    ) in errors
    assert len(errors) == 5  # embedding, positional_encoding, the group, op, softmax


@pytest.mark.parametrize("style", ["lenet", "alexnet"])
def test_feature_map_styles_reject_blocks_inside_groups(style: str) -> None:
    """The lenet and alexnet styles draw groups, so the layers inside are checked."""
    errors = errors_of(f"style: {style}\n" + TRANSFORMER)
    assert not any(".group:" in e for e in errors)
    assert (
        f"t.yaml:10:9: layers[2].layers[0].type: the {style} style cannot draw layer type "
        "attention: draw the figure in the blocks style"
    ) in errors
    assert len(errors) == 10


def test_style_option_is_named() -> None:
    from nnsvg.pipeline import RenderOptions

    spec = load_spec("t.yaml", text="input: [10, 4]\nlayers: [{type: layernorm}]\n")
    with pytest.raises(NnsvgError) as caught:
        build_scene(spec, RenderOptions(style="alexnet"))
    assert str(caught.value) == (
        "t.yaml:2:11: layers[0].type: the alexnet style (from --style) cannot draw layer type "
        "layernorm: draw the figure in the blocks style"
    )


def test_a_style_that_draws_groups_checks_inside_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """With groups drawn, the layers inside a group are checked like any other (their
    types and keys), and a group's own keys against ``group_keys``."""
    import dataclasses

    from nnsvg import engines
    from nnsvg.engines.contract import BASE_TYPES

    lenet = engines.ENGINES["lenet"]
    draws = dataclasses.replace(
        lenet.draws,
        groups=True,
        group_keys=frozenset({"repeat"}),
        layer_types=BASE_TYPES | {"layernorm"},
    )
    monkeypatch.setitem(engines.ENGINES, "lenet", dataclasses.replace(lenet, draws=draws))
    text = (
        "style: lenet\n"
        "input: [8, 8, 1]\n"
        "layers:\n"
        "  - group: G\n"
        "    repeat: 2\n"
        "    note: hi\n"
        "    layers:\n"
        "      - {type: layernorm}\n"
        "      - {group: H, layers: [{type: dropout}, {type: conv, filters: 2, kernel: 3, "
        "note: x}]}\n"
    )
    assert errors_of(text) == [
        "t.yaml:9:30: layers[0].layers[1].layers[0].type: the lenet style cannot draw layer "
        "type dropout: draw the figure in the blocks style"
    ]
    text = text.replace("{type: dropout}", "{type: layernorm}")
    assert errors_of(text) == [
        (
            "t.yaml:6:5: layers[0].note: the lenet style cannot draw this key: "
            "remove it, or draw the figure in the alexnet or blocks style"
        ),  # a layer's note the lenet style draws; a group's it does not
    ]


def test_without_a_style_that_draws_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no style that draws blocks or groups, the messages say what to do instead."""
    import dataclasses

    from nnsvg import engines

    monkeypatch.delitem(engines.ENGINES, "blocks")
    for name in ("lenet", "alexnet"):
        draws = dataclasses.replace(engines.ENGINES[name].draws, groups=False)
        monkeypatch.setitem(
            engines.ENGINES, name, dataclasses.replace(engines.ENGINES[name], draws=draws)
        )
    text = "style: fcnn\nlayers:\n  - {type: softmax}\n  - {group: G, layers: [3]}\n"
    assert errors_of(text) == [
        "t.yaml:3:6: layers[0].type: the fcnn style cannot draw layer type softmax: no style "
        "draws it yet",
        "t.yaml:4:6: layers[1].group: the fcnn style cannot draw groups of layers: list its "
        "layers without the group (the graph stays the same)",
    ]


def test_blocks_describe_their_figure() -> None:
    from nnsvg.describe import describe

    net = resolve(load_spec("t.yaml", text="style: blocks\n" + TRANSFORMER))
    assert describe(net) == (
        "Block-diagram figure, 13 layers: input 10 units, embedding 64@10, positional "
        "encoding 64@10, … 7 more layers …, layer normalisation 64@10, operation 1000@10 "
        "(Linear), softmax 1000@10. Branches: 3 merges."
    )


def test_directions_up_and_left_are_the_blocks_styles() -> None:
    text = "style: fcnn\ndirection: up\nlayers: [3, 2]\n"
    assert errors_of(text) == [
        "t.yaml:2:1: direction: the fcnn style draws direction right or down, not up; draw "
        "the figure in the blocks style"
    ]
    assert "<svg" in render_svg(
        build_scene(load_spec("t.yaml", text="style: blocks\n" + text[12:]))
    )


def render_svg(scene: Any) -> str:
    from nnsvg.render.svg import render_svg as render

    return render(scene)


def test_the_scene_names_groups_by_their_path() -> None:
    text = "style: blocks\n" + TRANSFORMER.replace(
        "    repeat: 6\n", "    repeat: 6\n    collapse: true\n"
    )
    scene = build_scene(load_spec("t.yaml", text=text))
    assert scene.names["group-1"] == "layers[2] 'Encoder'"
    assert scene.names["group-2"] == "layers[2].layers[3] 'Feed Forward'"
    assert scene.names["layer-4"] == "layers[2].layers[1]"


@pytest.mark.parametrize(
    ("layer", "need"),
    [
        ("{type: embedding, units: null}", "units"),
        ("{type: lstm, units: null}", "units"),
        ("{type: attention, heads: null}", "heads"),
    ],
)
def test_a_needed_key_given_null(layer: str, need: str) -> None:
    # found by the fuzz: null is "not given", and the layer needs it (or a shape)
    kind = layer.split(",")[0].split()[-1]
    shape = "[10]" if kind == "embedding" else "[10, 4]"
    assert errors_of(f"input: {shape}\nlayers: [{layer}]\n") == [
        f"t.yaml:2:10: layers[0]: layer 0 ({kind}) needs '{need}' (or an explicit 'shape')"
    ]
