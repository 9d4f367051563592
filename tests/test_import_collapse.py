"""Repeated blocks collapsed into groups (``repeat: N``) when a model is written in the
blocks style: by name scope (ResNet-50's stages: a first block that downsamples, then
a group of the rest), else by a tandem-repeat search (checked on random lists too)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nnsvg.importers import import_model
from nnsvg.importers.collapse import _tandem
from tests.cli_run import run


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _groups(text: str) -> list[dict]:
    return [layer for layer in yaml.safe_load(text)["layers"] if "group" in layer]


def test_resnet50_stages_are_a_first_block_and_a_group(work: Path) -> None:
    pytest.importorskip("onnx")
    from tests import onnx_models

    onnx_models.save(onnx_models.resnet50(), work / "r50.onnx")
    result = run("import", "r50.onnx", "-o", "r50.yaml")
    assert result.exit_code == 0, result.stderr
    text = (work / "r50.yaml").read_text()
    groups = _groups(text)
    # 3, 4, 6, 3 bottlenecks: the first of each stage differs (a projection shortcut)
    assert [(g["group"], g["repeat"]) for g in groups] == [
        ("layer1", 2), ("layer2", 3), ("layer3", 5), ("layer4", 2)
    ]  # fmt: skip
    assert groups[2]["note"] == "layer3.1 to layer3.5"
    assert [la["type"] for la in groups[0]["layers"]] == ["conv", "conv", "conv", "add"]
    assert "4 repeated block(s) collapsed into groups (repeat: N), 32 layers" in text
    assert run("render", "r50.yaml", "-o", "r50.svg").exit_code == 0
    full = import_model(work / "r50.onnx", collapse=False).text
    assert not _groups(full) and "style: blocks" in full
    lenet = import_model(work / "r50.onnx", style="lenet").text
    assert not _groups(lenet)  # groups only where they are drawn: the blocks style


def test_unscoped_repeats_are_found_by_the_tandem_search(work: Path) -> None:
    pytest.importorskip("onnx")
    from tests import onnx_models

    b = onnx_models.Builder()
    x = b.node("Relu", [b.conv("x", 3, 8, 3, "stem", pads=[1] * 4)], "stem_relu")
    for n in range(4):  # four identical residual blocks, names without a scope
        y = b.node("Relu", [b.conv(x, 8, 8, 3, f"convA{n}", pads=[1] * 4)], f"reluA{n}")
        y = b.conv(y, 8, 8, 3, f"convB{n}", pads=[1] * 4)
        x = b.node("Relu", [b.node("Add", [x, y], f"sum{n}")], f"relu{n}")
    x = b.conv(x, 8, 2, 1, "head")
    onnx_models.save(b.model({"x": [1, 3, 16, 16]}, x, "plain"), work / "plain.onnx")
    result = run("import", "plain.onnx", "-o", "plain.yaml", "--style", "blocks")
    assert result.exit_code == 0, result.stderr
    text = (work / "plain.yaml").read_text()
    (group,) = _groups(text)
    assert group["repeat"] == 4 and group["note"] == "convA0 to sum3"
    assert [la["label"] for la in group["layers"]] == ["convA0", "convB0", "sum0"]
    layers = yaml.safe_load(text)["layers"]
    assert layers[-1]["label"] == "head"
    assert run("render", "plain.yaml", "-o", "plain.svg").exit_code == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 3), max_size=60))
def test_tandem_repeats_are_periodic_and_disjoint(sigs: list[int]) -> None:
    covered: set[int] = set()
    for start, period, count in _tandem(sigs):
        assert count >= 2 and period * (count - 1) >= 2
        span = range(start, start + period * count)
        assert span.stop <= len(sigs) and not covered & set(span)
        covered |= set(span)
        for k in range(period * (count - 1)):
            assert sigs[start + k] == sigs[start + k + period]


def test_tandem_finds_a_planted_repeat() -> None:
    body = [5, 6, 7, 8]
    sigs = [1, 2] + body * 6 + [9]
    assert _tandem(sigs) == [(2, 4, 6)]


def _kt(name: str, shape: list[int]) -> dict:
    history = {"shape": [None, *shape], "dtype": "float32", "keras_history": [name, 0, 0]}
    return {"class_name": "__keras_tensor__", "config": history}


def _keras_layer(cls: str, name: str, cfg: dict, args: list) -> dict:
    node = {"args": args, "kwargs": {}}
    return {"module": "keras.layers", "class_name": cls, "name": name,
            "config": {"name": name, **cfg}, "inbound_nodes": [node]}  # fmt: skip


def test_keras_block_names_are_scopes(work: Path) -> None:
    """Keras' applications name layers conv4_block2_1_conv: conv4_block2 is a block."""
    import json

    layers = [{"class_name": "InputLayer", "name": "img", "inbound_nodes": [],
               "config": {"name": "img", "batch_shape": [None, 16, 16, 8]}}]  # fmt: skip
    x, shape = "img", [16, 16, 8]
    for stage in (2, 3):
        for block in (1, 2, 3):
            p = f"conv{stage}_block{block}"
            stride = 2 if stage == 3 and block == 1 else 1
            conv = {"filters": 8, "kernel_size": [3, 3], "padding": "same"}
            layers.append(_keras_layer("Conv2D", f"{p}_1_conv", {**conv, "strides": stride,
                                       "activation": "relu"}, [_kt(x, shape)]))  # fmt: skip
            out = [16 // stride, 16 // stride, 8] if stage == 2 else [8, 8, 8]
            layers.append(_keras_layer("Conv2D", f"{p}_2_conv", conv, [_kt(f"{p}_1_conv", out)]))
            skip = x
            if stride == 2:
                layers.append(_keras_layer("Conv2D", f"{p}_0_conv", {**conv, "strides": 2},
                                           [_kt(x, shape)]))  # fmt: skip
                skip = f"{p}_0_conv"
            layers.append(_keras_layer("Add", f"{p}_add", {},
                                       [[_kt(skip, out), _kt(f"{p}_2_conv", out)]]))  # fmt: skip
            layers.append(_keras_layer("Activation", f"{p}_out", {"activation": "relu"},
                                       [_kt(f"{p}_add", out)]))  # fmt: skip
            x, shape = f"{p}_out", out
    model = {"class_name": "Functional", "module": "keras.src.models.functional",
             "config": {"name": "blocks", "layers": layers, "input_layers": ["img", 0, 0],
                        "output_layers": [x, 0, 0]}}  # fmt: skip
    (work / "m.json").write_text(json.dumps(model))
    text = import_model(work / "m.json", style="blocks").text
    groups = _groups(text)
    assert [(g["group"], g["repeat"]) for g in groups] == [("conv2", 3), ("conv3", 2)]
    assert groups[1]["note"] == "conv3_block2 to conv3_block3"
    (work / "m.yaml").write_text(text)
    assert run("render", "m.yaml", "-o", "m.svg").exit_code == 0


def _staged_model(stages: list[int]):
    """ResNet-like stages of basic blocks named layerS.B.*, the first block of each
    stage after the first downsampling (stride 2 and a projection shortcut)."""
    from tests import onnx_models

    b = onnx_models.Builder()
    x = b.node("Relu", [b.conv("x", 3, 4, 3, "stem", pads=[1] * 4)], "stem.relu")
    width = 4
    for s, count in enumerate(stages, 1):
        for k in range(count):
            p = f"layer{s}.{k}"
            down = s > 1 and k == 0
            out = width * 2 if down else width
            stride = [2, 2] if down else [1, 1]
            y = b.conv(x, width, out, 3, f"{p}.conv1", strides=stride, pads=[1] * 4)
            y = b.conv(b.node("Relu", [y], f"{p}.relu1"), out, out, 3, f"{p}.conv2", pads=[1] * 4)
            skip = b.conv(x, width, out, 1, f"{p}.downsample", strides=stride) if down else x
            x = b.node("Relu", [b.node("Add", [skip, y], f"{p}.add")], f"{p}.relu")
            width = out
    return b.model({"x": [1, 3, 64, 64]}, x, "staged")


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_planted_stages_collapse_to_their_counts(tmp_path_factory, stages: list[int]) -> None:
    """Random stage sizes: each stage is its first block (when it downsamples) and a
    group of the rest; the collapsed spec loads with nnsvg's own shapes (import_model
    checks that) and without collapsing every block is written."""
    pytest.importorskip("onnx")
    from tests import onnx_models

    path = onnx_models.save(_staged_model(stages), tmp_path_factory.mktemp("m") / "m.onnx")
    text = import_model(path, style="blocks").text
    want = []
    for s, count in enumerate(stages, 1):
        rest = count - 1 if s > 1 else count  # stage 1 has no downsampling block
        if rest >= 2:
            want.append((f"layer{s}", rest))
    assert [(g["group"], g["repeat"]) for g in _groups(text)] == want
    full = import_model(path, style="blocks", collapse=False).text
    assert not _groups(full)
    blocks = sum(stages)
    downsampling = len(stages) - 1
    assert len(yaml.safe_load(full)["layers"]) == 1 + 3 * blocks + downsampling


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.sampled_from("caps"), min_size=1, max_size=4),
    st.integers(1, 5),
    st.lists(st.sampled_from("caps"), max_size=4),
    st.randoms(use_true_random=False),
)
def test_collapsing_never_breaks_a_spec(tmp_path_factory, body, times, tail, rnd) -> None:
    """Random unscoped graphs (convs, pools, skip adds, generic ops) with a planted
    repeat: whenever the full spec imports, the collapsed one does too (import_model
    checks that it loads and infers the model's shapes)."""
    pytest.importorskip("onnx")
    from nnsvg.errors import NnsvgError
    from tests import onnx_models

    b = onnx_models.Builder()
    x = b.node("Relu", [b.conv("x", 3, 4, 3, "stem", pads=[1] * 4)], "r0")
    recent, side = [x], 32
    for n, kind in enumerate(body * times + tail):
        if kind == "c":
            x = b.node("Relu", [b.conv(x, 4, 4, 3, f"c{n}", pads=[1] * 4)], f"rc{n}")
        elif kind == "a":
            x = b.node("Add", [rnd.choice(recent[-3:]), x], f"a{n}")
        elif kind == "p" and side > 2:
            x = b.node("MaxPool", [x], f"p{n}", kernel_shape=[2, 2], strides=[2, 2])
            side, recent = side // 2, []
        elif kind == "s":
            x = b.node("Erf", [x], f"s{n}")
        recent.append(x)
    path = tmp_path_factory.mktemp("m") / "m.onnx"
    onnx_models.save(b.model({"x": [1, 3, 32, 32]}, x, "random"), path)
    try:
        import_model(path, style="blocks", collapse=False)
    except NnsvgError:
        return  # not a model nnsvg draws either way
    import_model(path, style="blocks")
