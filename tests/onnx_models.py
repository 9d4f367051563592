"""Small real ONNX models built with ``onnx.helper`` (no downloads), for the import tests
and benchmarks/bench_import.py. Weights are zeros; ``external=True`` leaves them out of
the file (initializers that point at a weight file nobody needs: the importer reads
the dims only), so a ResNet-50-sized graph stays small."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

# Collected too (the doctest run imports every module): skipped where onnx is missing.
onnx = pytest.importorskip("onnx")
numpy_helper = pytest.importorskip("onnx.numpy_helper")
TensorProto, helper = onnx.TensorProto, onnx.helper

__all__ = [
    "Builder",
    "lenet5",
    "lstm_model",
    "mlp_legacy_flatten",
    "resnet50",
    "resnet_block",
    "save",
    "sequence_model",
    "unet",
]


class Builder:
    """Nodes and initializers of one graph, added in topological order."""

    def __init__(self, external: bool = False) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.external = external
        self.count = 0

    def weight(self, name: str, dims: list[int], values: list[float] | None = None) -> str:
        if values is not None:
            array = np.array(values, dtype=np.float32 if name != "i64" else np.int64)
            tensor = numpy_helper.from_array(array.reshape(dims), name)
        elif self.external:
            tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=dims)
            tensor.data_location = TensorProto.EXTERNAL
            entry = tensor.external_data.add()
            entry.key, entry.value = "location", "weights.bin"
        else:
            tensor = numpy_helper.from_array(np.zeros(dims, dtype=np.float32), name)
        self.inits.append(tensor)
        return name

    def ints(self, name: str, values: list[int] | int) -> str:
        self.inits.append(numpy_helper.from_array(np.array(values, dtype=np.int64), name))
        return name

    def node(self, op: str, inputs: list[str], name: str | None = None, **attrs: object) -> str:
        self.count += 1
        name = name or f"{op.lower()}{self.count}"
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def conv(self, x: str, cin: int, cout: int, k: int, name: str, **attrs: object) -> str:
        w = self.weight(f"{name}.weight", [cout, cin, k, k])
        b = self.weight(f"{name}.bias", [cout])
        return self.node("Conv", [x, w, b], name, kernel_shape=[k, k], **attrs)

    def gemm(self, x: str, cin: int, cout: int, name: str) -> str:
        w = self.weight(f"{name}.weight", [cout, cin])
        b = self.weight(f"{name}.bias", [cout])
        return self.node("Gemm", [x, w, b], name, transB=1)

    def bn(self, x: str, c: int, name: str) -> str:
        params = [self.weight(f"{name}.{p}", [c]) for p in ("scale", "bias", "mean", "var")]
        return self.node("BatchNormalization", [x, *params], name)

    def model(self, inputs: dict[str, list[int | str]], output: str, name: str) -> onnx.ModelProto:
        graph = helper.make_graph(
            self.nodes,
            name,
            [helper.make_tensor_value_info(k, TensorProto.FLOAT, v) for k, v in inputs.items()],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)],
            self.inits,
        )
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def save(model: onnx.ModelProto, path: Path) -> Path:
    onnx.save(model, str(path))
    return path


def lenet5() -> onnx.ModelProto:
    """LeNet-5 as the gallery draws it (specs/lenet5.yaml), with tanh activations."""
    b = Builder()
    x = b.node("Tanh", [b.conv("input", 1, 6, 5, "C1")], "tanh1")
    x = b.node("AveragePool", [x], "S2", kernel_shape=[2, 2], strides=[2, 2])
    x = b.node("Tanh", [b.conv(x, 6, 16, 5, "C3")], "tanh2")
    x = b.node("AveragePool", [x], "S4", kernel_shape=[2, 2], strides=[2, 2])
    x = b.node("Tanh", [b.conv(x, 16, 120, 5, "C5")], "tanh3")
    x = b.node("Flatten", [x], "flatten")
    x = b.node("Tanh", [b.gemm(x, 120, 84, "F6")], "tanh4")
    x = b.gemm(x, 84, 10, "OUTPUT")
    return b.model({"input": [1, 1, 32, 32]}, x, "LeNet-5")


def resnet_block(batch: int | str = 1) -> onnx.ModelProto:
    """A stem, one basic residual block (conv, conv + BN, Add, ReLU) and a classifier."""
    b = Builder()
    stem = b.node("Relu", [b.conv("image", 3, 16, 3, "stem", strides=[2, 2], pads=[1] * 4)])
    x = b.node("Relu", [b.bn(b.conv(stem, 16, 16, 3, "conv_a", pads=[1] * 4), 16, "bn_a")])
    x = b.bn(b.conv(x, 16, 16, 3, "conv_b", pads=[1] * 4), 16, "bn_b")
    x = b.node("Relu", [b.node("Add", [stem, x], "residual")], "relu_out")
    x = b.node("MaxPool", [x], "pool", kernel_shape=[2, 2], strides=[2, 2])
    x = b.node("GlobalAveragePool", [x], "gap")
    x = b.gemm(b.node("Flatten", [x], "flat"), 16, 10, "fc")
    return b.model({"image": [batch, 3, 32, 32]}, x, "tiny-resnet")


def unet() -> onnx.ModelProto:
    """Two encoder levels, a ConvTranspose and a Resize on the way up, Concat skips."""
    b = Builder()
    e1 = b.node("Relu", [b.conv("x", 3, 8, 3, "enc1", pads=[1] * 4)], "enc1_relu")
    x = b.node("MaxPool", [e1], "down1", kernel_shape=[2, 2], strides=[2, 2])
    e2 = b.node("Relu", [b.conv(x, 8, 16, 3, "enc2", pads=[1] * 4)], "enc2_relu")
    x = b.node("MaxPool", [e2], "down2", kernel_shape=[2, 2], strides=[2, 2])
    x = b.node("Relu", [b.conv(x, 16, 32, 3, "mid", pads=[1] * 4)], "mid_relu")
    w = b.weight("up2.weight", [32, 16, 2, 2])
    x = b.node("ConvTranspose", [x, w], "up2", kernel_shape=[2, 2], strides=[2, 2])
    x = b.node("Concat", [e2, x], "cat2", axis=1)
    x = b.node("Relu", [b.conv(x, 32, 16, 3, "dec2", pads=[1] * 4)], "dec2_relu")
    scales = b.weight("up1.scales", [4], [1.0, 1.0, 2.0, 2.0])
    x = b.node("Resize", [x, "", scales], "up1", mode="nearest")
    x = b.node("Concat", [e1, x], "cat1", axis=1)
    x = b.conv(x, 24, 2, 1, "head")
    return b.model({"x": [1, 3, 32, 32]}, x, "unet-tiny")


def mlp_legacy_flatten() -> onnx.ModelProto:
    """784-300-100-10 with MatMul + Add, behind the legacy Flatten idiom
    (Shape -> Gather -> Unsqueeze -> Concat -> Reshape), as old exporters wrote it."""
    b = Builder()
    shape = b.node("Shape", ["image"], "shape")
    batch = b.node("Gather", [shape, b.ints("zero", 0)], "gather", axis=0)
    batch = b.node("Unsqueeze", [batch, b.ints("axes", [0])], "unsqueeze")
    target = b.node("Concat", [batch, b.ints("minus_one", [-1])], "concat_shape", axis=0)
    x = b.node("Reshape", ["image", target], "flatten")
    for k, (cin, cout) in enumerate([(784, 300), (300, 100), (100, 10)], 1):
        x = b.node("MatMul", [x, b.weight(f"fc{k}.weight", [cin, cout])], f"fc{k}")
        x = b.node("Add", [x, b.weight(f"fc{k}.bias", [cout])], f"fc{k}_bias")
        x = b.node("Softmax" if k == 3 else "Relu", [x], f"act{k}")
    return b.model({"image": [1, 1, 28, 28]}, x, "mnist-mlp")


def lstm_model() -> onnx.ModelProto:
    b = Builder()
    w, r = b.weight("W", [1, 64, 8]), b.weight("R", [1, 64, 16])
    x = b.node("LSTM", ["seq", w, r], "lstm1", hidden_size=16)
    return b.model({"seq": [5, 1, 8]}, x, "lstm")


def sequence_model() -> onnx.ModelProto:
    """A bidirectional GRU (batch first), a LayerNormalization, a Transpose (no nnsvg
    layer type: a generic block) and an LSTM."""
    b = Builder()
    w, r = b.weight("gru.W", [2, 48, 8]), b.weight("gru.R", [2, 48, 16])
    y = b.node("GRU", ["seq", w, r], "gru", hidden_size=16, direction="bidirectional", layout=1)
    y = b.node("Reshape", [y, b.ints("to", [1, 12, 32])], "merge_directions")
    scale, bias = b.weight("ln.scale", [32]), b.weight("ln.bias", [32])
    y = b.node("LayerNormalization", [y, scale, bias], "ln", axis=-1)
    y = b.node("Transpose", [y], "to_time_major", perm=[1, 0, 2])
    w, r = b.weight("lstm.W", [1, 40, 32]), b.weight("lstm.R", [1, 40, 10])
    y = b.node("LSTM", [y, w, r], "lstm", hidden_size=10)
    return b.model({"seq": [1, 12, 8]}, y, "sequence")


def resnet50(external: bool = True) -> onnx.ModelProto:
    """ResNet-50's graph (stages of 3, 4, 6, 3 bottlenecks, BN after every conv)."""
    b = Builder(external=external)

    def cbr(x: str, cin: int, cout: int, k: int, name: str, stride: int = 1, relu: bool = True):
        x = b.conv(x, cin, cout, k, name, strides=[stride] * 2, pads=[k // 2] * 4)
        x = b.bn(x, cout, f"{name}.bn")
        return b.node("Relu", [x], f"{name}.relu") if relu else x

    x = cbr("input", 3, 64, 7, "conv1", stride=2)
    x = b.node("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4)
    cin = 64
    for stage, (blocks, width) in enumerate(zip([3, 4, 6, 3], [64, 128, 256, 512]), 1):
        for block in range(blocks):
            name = f"layer{stage}.{block}"
            stride = 2 if block == 0 and stage > 1 else 1
            y = cbr(x, cin, width, 1, f"{name}.conv1")
            y = cbr(y, width, width, 3, f"{name}.conv2", stride=stride)
            y = cbr(y, width, 4 * width, 1, f"{name}.conv3", relu=False)
            if block == 0:
                x = cbr(x, cin, 4 * width, 1, f"{name}.downsample", stride=stride, relu=False)
            x = b.node("Relu", [b.node("Add", [x, y], f"{name}.add")], f"{name}.relu")
            cin = 4 * width
    x = b.node("Flatten", [b.node("GlobalAveragePool", [x], "avgpool")], "flatten")
    return b.model({"input": [1, 3, 224, 224]}, b.gemm(x, 2048, 1000, "fc"), "resnet50")
