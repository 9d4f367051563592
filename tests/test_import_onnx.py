"""``nnsvg import`` of ONNX models built in the tests with onnx.helper (tests/onnx_models.py):
the written spec loads, infers the model's shapes, and renders; LeNet-5 comes back as the
gallery's; unsupported operators and unreadable files are located errors."""

from __future__ import annotations

import contextlib
import math
import sys
from pathlib import Path

import pytest
import yaml

from nnsvg.errors import NnsvgError
from nnsvg.importers import import_model
from nnsvg.pipeline import build_network, load_spec
from tests.cli_run import run

onnx = pytest.importorskip("onnx")

from tests import onnx_models  # noqa: E402  (needs onnx)

SPECS = Path(__file__).resolve().parent.parent / "specs"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _layers(text: str) -> list[dict]:
    return yaml.safe_load(text)["layers"]


def _import(work: Path, name: str, *args: str) -> str:
    onnx_models.save(getattr(onnx_models, name)(), work / f"{name}.onnx")
    result = run("import", f"{name}.onnx", "-o", f"{name}.yaml", *args)
    assert result.exit_code == 0, result.stderr
    return (work / f"{name}.yaml").read_text()


def _render(work: Path, spec: str, *styles: str) -> None:
    for style in styles or (None,):
        extra = ["--style", style] if style else []
        out = f"{Path(spec).stem}-{style}.svg"
        result = run("render", spec, "-o", out, *extra)
        assert result.exit_code == 0, (style, result.stderr)
        assert (work / out).read_text().startswith("<?xml")


def _drawn(spec_path: Path | str, text: str | None = None) -> list[tuple]:
    """What a figure shows of each node: kind, shape, and the layer's parameters."""
    net = build_network(load_spec(spec_path, text=text))
    out = []
    for node in net.nodes:
        layer = node.layer
        params = (
            None
            if layer is None
            else (layer.filters, layer.kernel, layer.stride, layer.size, layer.kind, layer.units)
        )
        out.append((node.kind, tuple(node.shape), params))
    return out


def test_lenet5_comes_back_as_the_gallerys(work: Path) -> None:
    text = _import(work, "lenet5")
    assert _drawn("lenet5.yaml") == _drawn(SPECS / "lenet5.yaml")
    assert [layer.get("label") for layer in _layers(text)] == [
        "C1", "S2", "C3", "S4", "C5", "F6", "OUTPUT"
    ]  # fmt: skip
    assert text.startswith("# Imported by `nnsvg import` from lenet5.onnx (ONNX, opset 17).\n")
    assert "# Folded into the layer they follow: 4 Tanh.\n" in text
    assert "style: lenet\n" in text
    assert "shape:" not in text.split("layers:")[1]  # nnsvg infers them
    _render(work, "lenet5.yaml", "lenet", "alexnet")


def test_resnet_block_is_a_graph_with_an_add(work: Path) -> None:
    text = _import(work, "resnet_block")
    layers = _layers(text)
    add = next(layer for layer in layers if layer["type"] == "add")
    assert add["from"] == ["stem", "conv_b"]
    assert add["activation"] == "relu"  # the ReLU after the Add goes onto the merge
    assert layers[0] == {
        "name": "stem", "type": "conv", "filters": 16, "kernel": 3, "stride": 2,
        "padding": 1, "activation": "relu", "label": "stem",
    }  # fmt: skip
    assert "2 BatchNormalization, 3 Relu" in text
    assert layers[-2] == {"type": "pool", "size": 8, "kind": "avg", "label": "gap"}
    _render(work, "resnet_block.yaml", "lenet", "alexnet")


def test_unet_keeps_resize_conv_transpose_and_concat_skips(work: Path) -> None:
    layers = _layers(_import(work, "unet"))
    kinds = [layer["type"] for layer in layers]
    assert kinds.count("concat") == 2 and "upsample" in kinds and "conv_transpose" in kinds
    assert {"from": ["enc1", "up1"], "type": "concat", "label": "cat1"} in layers
    assert next(x for x in layers if x["type"] == "upsample")["size"] == 2
    _render(work, "unet.yaml", "lenet", "alexnet")


def test_mlp_behind_the_legacy_flatten_idiom_is_an_fcnn(work: Path) -> None:
    text = _import(work, "mlp_legacy_flatten")
    assert yaml.safe_load(text)["style"] == "fcnn"
    assert [layer["units"] for layer in _layers(text)] == [784, 300, 100, 10]
    assert [layer.get("activation") for layer in _layers(text)] == [
        None, "relu", "relu", "softmax"
    ]  # fmt: skip
    assert "4 shape and constant nodes (no data input)" in text
    assert "3 Add of a constant" in text  # the biases
    _render(work, "mlp_legacy_flatten.yaml")


def test_style_override(work: Path) -> None:
    text = _import(work, "resnet_block", "--style", "alexnet")
    assert "style: alexnet\n" in text
    _render(work, "resnet_block.yaml")


def test_resnet50_sized_graph(work: Path) -> None:
    text = _import(work, "resnet50", "--no-collapse")
    assert "style: blocks\n" in text  # a big graph
    layers = _layers(text)
    assert sum(layer["type"] == "add" for layer in layers) == 16
    assert "53 BatchNormalization, 49 Relu" in text
    assert layers[-1] == {"type": "dense", "units": 1000, "label": "fc"}


def test_pad_folds_into_the_next_conv(work: Path) -> None:
    b = onnx_models.Builder()
    pads = b.ints("pads", [0, 0, 2, 2, 0, 0, 2, 2])
    x = b.node("Pad", ["x", pads], "pad")
    model = b.model({"x": [1, 1, 8, 8]}, b.conv(x, 1, 4, 5, "conv"), "padded")
    onnx_models.save(model, work / "padded.onnx")
    text = import_model(work / "padded.onnx").text
    assert _layers(text) == [
        {"type": "conv", "filters": 4, "kernel": 5, "padding": 2, "label": "conv"}
    ]
    assert "1 Pad" in text


def test_an_input_without_a_shape_needs_input_shape(work: Path) -> None:
    b = onnx_models.Builder()
    model = b.model({"x": ["N", 3, "H", "W"]}, b.conv("x", 3, 8, 3, "conv"), "dynamic")
    onnx_models.save(model, work / "dynamic.onnx")
    result = run("import", "dynamic.onnx", "-o", "dynamic.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: dynamic.onnx: the input 'x' has no fixed shape ([?, 3, ?, ?]): give one "
        "with --input-shape, batch first, like 1,3,224,224"
    ]
    result = run("import", "dynamic.onnx", "-o", "dynamic.yaml", "--input-shape", "1,3,16,16")
    assert result.exit_code == 0, result.stderr
    assert "input: {shape: [16, 16, 3], label: x}" in (work / "dynamic.yaml").read_text()
    bad = run("import", "dynamic.onnx", "-o", "d2.yaml", "--input-shape", "1,3,x")
    assert bad.exit_code == 1
    assert "--input-shape: must be sizes separated by commas" in bad.stderr


def test_a_dynamic_batch_is_fine(work: Path) -> None:
    onnx_models.save(onnx_models.resnet_block(batch="N"), work / "b.onnx")
    assert "input: {shape: [32, 32, 3], label: image}" in import_model(work / "b.onnx").text


def test_a_damaged_file_is_a_located_error(work: Path) -> None:
    (work / "bad.onnx").write_bytes(b"\x00\xffnot a protobuf" * 10)
    result = run("import", "bad.onnx", "-o", "bad.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: bad.onnx: not a readable ONNX model")
    assert "Traceback" not in result.stderr


def test_missing_onnx_names_the_extra(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    onnx_models.save(onnx_models.lenet5(), work / "lenet5.onnx")
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(NnsvgError, match=r"pip install 'nnsvg\[onnx\]'"):
        import_model(work / "lenet5.onnx")


def test_the_written_spec_never_replaces_the_model(work: Path) -> None:
    onnx_models.save(onnx_models.lenet5(), work / "m.onnx")
    before = (work / "m.onnx").read_bytes()
    result = run("import", "m.onnx", "-o", "m.onnx", "--force")
    assert result.exit_code == 2
    assert "is the model itself" in result.stderr
    assert (work / "m.onnx").read_bytes() == before


# --------------------------------------------------------------------------- round trip

hypothesis = pytest.importorskip("hypothesis")
st = pytest.importorskip("hypothesis.strategies")


@st.composite
def cnn_specs(draw) -> dict:
    """A valid CNN chain: convolutions and pools on a 2D input, maybe a dense head."""
    h, w, c = draw(st.integers(6, 40)), draw(st.integers(6, 40)), draw(st.integers(1, 4))
    shape, layers = [h, w, c], []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            k = draw(st.integers(1, 5))
            s, p = draw(st.integers(1, 2)), draw(st.integers(0, k // 2))
            oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
            if oh < 1 or ow < 1:
                break
            layer = {"type": "conv", "filters": draw(st.integers(1, 8)), "kernel": k}
            layer |= {"stride": s} if s > 1 else {}
            layer |= {"padding": p} if p else {}
            h, w, c = oh, ow, layer["filters"]
        else:
            if h < 2 or w < 2:
                break
            layer = {"type": "pool", "size": 2} | ({"kind": "avg"} if draw(st.booleans()) else {})
            h, w = h // 2, w // 2
        layers.append(layer)
    if draw(st.booleans()):
        layers.append({"type": "dense", "units": draw(st.integers(1, 20))})
    return {"style": "lenet", "input": {"shape": shape}, "layers": layers}


def spec_to_onnx(spec: dict, shapes: list[tuple[int, ...]]) -> onnx.ModelProto:
    """A test helper: a CNN chain spec written out as ONNX; ``shapes`` are nnsvg's, the
    input's first."""
    b = onnx_models.Builder()
    x = "x"
    for k, layer in enumerate(spec["layers"]):
        name, before = f"layer{k}", shapes[k]
        if layer["type"] == "conv":
            s, p, size = layer.get("stride", 1), layer.get("padding", 0), layer["kernel"]
            w = b.weight(f"{name}.w", [layer["filters"], before[-1], size, size])
            x = b.node("Conv", [x, w], name, kernel_shape=[size] * 2, strides=[s] * 2, pads=[p] * 4)
        elif layer["type"] == "pool":
            op = "AveragePool" if layer.get("kind") == "avg" else "MaxPool"
            x = b.node(op, [x], name, kernel_shape=[2, 2], strides=[2, 2])
        else:
            flat = b.node("Flatten", [x], f"{name}.flatten")
            x = b.gemm(flat, math.prod(before), layer["units"], name)
    h, w, c = spec["input"]["shape"]
    return b.model({"x": [1, c, h, w]}, x, "round-trip")


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(cnn_specs())
def test_a_random_cnn_written_as_onnx_imports_back_to_the_same_network(
    tmp_path_factory: pytest.TempPathFactory, spec: dict
) -> None:
    text = yaml.safe_dump(spec, sort_keys=False)
    shapes = [tuple(node.shape) for node in build_network(load_spec("o.yaml", text=text)).nodes]
    path = tmp_path_factory.mktemp("round-trip") / "model.onnx"
    onnx_models.save(spec_to_onnx(spec, shapes), path)
    imported = import_model(path).text
    assert _drawn("imported.yaml", imported) == _drawn("original.yaml", text)


def test_reduce_mean_over_the_map_and_clip(work: Path) -> None:
    b = onnx_models.Builder()
    x = b.conv("x", 3, 8, 3, "conv")
    x = b.node("Clip", [x, b.weight("lo", [], [0.0]), b.weight("hi", [], [6.0])], "relu6")
    x = b.node("ReduceMean", [x, b.ints("axes", [2, 3])], "mean", keepdims=0)
    x = b.node("Clip", [b.gemm(x, 8, 4, "fc"), b.weight("lo2", [], [-1.0])], "clip")
    onnx_models.save(b.model({"x": [1, 3, 9, 9]}, x, "main_graph"), work / "m.onnx")
    text = import_model(work / "m.onnx").text
    assert "title:" not in text  # an exporter's graph name is no title
    assert _layers(text) == [
        {"type": "conv", "filters": 8, "kernel": 3, "activation": "relu6", "label": "conv"},
        {"type": "pool", "size": 7, "kind": "avg", "label": "mean"},
        {"type": "dense", "units": 4, "activation": "clip", "label": "fc"},
    ]


def test_a_style_that_cannot_draw_the_model(work: Path) -> None:
    onnx_models.save(onnx_models.resnet_block(), work / "r.onnx")
    result = run("import", "r.onnx", "-o", "r.yaml", "--style", "fcnn")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: r.onnx: --style fcnn cannot draw this model: input: the fcnn style draws "
        "vectors of units"
    ), result.stderr
    assert not (work / "r.yaml").exists()
    text = _import(work, "lenet5", "--style", "fcnn")  # a CNN chain: its dense tail
    assert "style: fcnn\n" in text
    _render(work, "lenet5.yaml")


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(st.data())
def test_damaged_onnx_files_are_errors_never_crashes(
    tmp_path_factory: pytest.TempPathFactory, data
) -> None:
    """Bytes of a real model changed anywhere: imported, or an NnsvgError."""
    raw = bytearray(onnx_models.resnet_block().SerializeToString())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    path = tmp_path_factory.mktemp("damaged") / "m.onnx"
    path.write_bytes(bytes(raw))
    with contextlib.suppress(NnsvgError):
        import_model(path)


def test_made_up_node_names_give_way_to_the_weights_module(work: Path) -> None:
    """torch's exporter names nodes node_Conv_152 and weights after the module."""
    b = onnx_models.Builder()
    w = b.weight("features.0.weight", [4, 1, 3, 3])
    x = b.node("Conv", ["x", w], "node_Conv_152", kernel_shape=[3, 3])
    x = b.node("Relu", [x], "node_Relu_153")
    onnx_models.save(b.model({"x": [1, 1, 8, 8]}, x, "main_graph"), work / "t.onnx")
    assert _layers(import_model(work / "t.onnx").text)[0]["label"] == "features.0"


def test_a_1d_convolution(work: Path) -> None:
    b = onnx_models.Builder()
    x = b.node("Conv", ["x", b.weight("w", [8, 2, 3])], "conv", kernel_shape=[3], pads=[1, 1])
    x = b.node("MaxPool", [x], "pool", kernel_shape=[2], strides=[2])
    onnx_models.save(b.model({"x": [1, 2, 50]}, x, "seq"), work / "seq.onnx")
    text = import_model(work / "seq.onnx").text
    assert "input: {shape: [50, 2], label: x}" in text
    assert _layers(text) == [
        {"type": "conv", "filters": 8, "kernel": 3, "padding": 1, "label": "conv"},
        {"type": "pool", "size": 2, "label": "pool"},
    ]


def test_parallel_branches_and_two_heads(work: Path) -> None:
    """An Inception-like mix (three branches from one tensor, joined) and two heads."""
    b = onnx_models.Builder()
    stem = b.conv("x", 3, 8, 3, "stem", pads=[1] * 4)
    one = b.conv(stem, 8, 4, 1, "b1x1")
    three = b.conv(stem, 8, 4, 3, "b3x3", pads=[1] * 4)
    pool = b.node("MaxPool", [stem], "bpool", kernel_shape=[3, 3], pads=[1] * 4)
    mix = b.node("Concat", [one, three, pool], "mix", axis=1)
    flat = b.node("Flatten", [mix], "flat")
    b.gemm(flat, 16 * 16 * 16, 10, "classes")
    box = b.gemm(flat, 16 * 16 * 16, 4, "box")
    model = b.model({"x": [1, 3, 16, 16]}, box, "two-heads")
    model.graph.output.append(onnx.helper.make_tensor_value_info("classes", 1, None))
    onnx_models.save(model, work / "heads.onnx")
    layers = _layers(import_model(work / "heads.onnx").text)
    assert [(x.get("name"), x.get("from")) for x in layers] == [
        ("stem", None),
        ("b1x1", None),
        ("b3x3", "stem"),
        ("bpool", "stem"),
        (None, ["b1x1", "b3x3", "bpool"]),
        ("flat", None),
        (None, None),
        (None, "flat"),
    ]
    assert layers[3] == {"name": "bpool", "from": "stem", "type": "pool", "size": 3,
                         "stride": 1, "padding": 1, "label": "bpool"}  # fmt: skip
    assert run("import", "heads.onnx", "-o", "h.yaml").exit_code == 0
    _render(work, "h.yaml", "lenet", "alexnet")
