"""ONNX models (``.onnx``) through the ``onnx`` package (the ``nnsvg[onnx]`` extra).

The file is loaded without external weight data, onnx's shape inference fills every
tensor's shape, and the nodes that descend from a data input become ops; the others
(``Shape``, ``Gather``, ``Constant``..., the plumbing of the legacy Flatten idiom) are
left out. Layout: ONNX tensors are NCHW (NCL), nnsvg's shapes HWC (LC).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from typing import Any

from nnsvg.errors import NnsvgError
from nnsvg.importers.ir import Graph, ModelError, Op, generic

__all__ = ["read_onnx"]

ACTIVATIONS = {
    "Relu": "relu",
    "LeakyRelu": "leaky_relu",
    "PRelu": "prelu",
    "Sigmoid": "sigmoid",
    "HardSigmoid": "hard_sigmoid",
    "Tanh": "tanh",
    "Softmax": "softmax",
    "LogSoftmax": "log_softmax",
    "Elu": "elu",
    "Selu": "selu",
    "Gelu": "gelu",
    "HardSwish": "hard_swish",
    "Mish": "mish",
    "Softplus": "softplus",
    "Clip": "relu6",
}
NORMS = frozenset(
    {
        "BatchNormalization",
        "InstanceNormalization",
        "LayerNormalization",
        "LRN",
        "GroupNormalization",
    }
)
DROPS = frozenset({"Dropout", "Identity", "Cast"})
# Graph names exporters give every model: not a title.
EXPORTER_NAMES = frozenset({"main_graph", "torch_jit", "torch-jit-export", "tf2onnx"})
SHAPE_OF = frozenset({"Shape", "Size"})  # their outputs are sizes, not data
MERGES = {"Add": "add", "Sum": "add", "Mul": "multiply", "Concat": "concat"}


def _onnx() -> Any:
    try:
        import onnx
        import onnx.numpy_helper
        import onnx.shape_inference
    except ImportError:
        raise NnsvgError(
            "reading ONNX models needs the onnx package: pip install 'nnsvg[onnx]'"
        ) from None
    return onnx


def _dims(value_info: Any) -> list[int | None]:
    shape = value_info.type.tensor_type.shape
    return [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else None for d in shape.dim]


def _hwc(dims: list[int | None] | None) -> tuple[int, ...] | None:
    """An NCHW / NCL / NC shape (batch first) as nnsvg's, or None if any size is unknown."""
    if not dims or len(dims) < 2 or any(d is None for d in dims[1:]):
        return None
    rest = [int(d) for d in dims[1:]]  # type: ignore[arg-type]
    return tuple(rest) if len(rest) == 1 else (*rest[1:], rest[0])


def _set_input_shape(model: Any, shape: tuple[int, ...], path: str) -> None:
    value = model.graph.input[0]
    dims = value.type.tensor_type.shape.dim
    if len(dims) != len(shape):
        raise ModelError(
            path,
            f"--input-shape has {len(shape)} sizes, but the input '{value.name}' "
            f"has {len(dims)} dimensions",
        )
    for dim, size in zip(dims, shape):
        dim.dim_value = size


def read_onnx(
    path: str | os.PathLike[str],
    name: str,
    input_shape: tuple[int, ...] | None,
    weights: bool = False,
    sample: Any = None,
) -> Graph:
    """The ONNX model at ``path`` (named ``name`` in messages) as a graph; with
    ``weights``, the dense layers' arrays too (external data is read then); with
    ``sample``, each op's output on it (``--activations``, through onnxruntime)."""
    onnx = _onnx()
    try:
        model = onnx.load(os.fspath(path), load_external_data=False)
    except Exception as err:  # protobuf's DecodeError, or anything a damaged file raises
        raise ModelError(name, f"not a readable ONNX model ({type(err).__name__})") from None
    if weights:  # the weights may lie in files beside the model
        try:
            from onnx.external_data_helper import load_external_data_for_model

            load_external_data_for_model(model, os.path.dirname(os.path.abspath(path)))
        except Exception as err:  # a missing or damaged data file, or one outside
            raise ModelError(
                name,
                f"--weights: the model's external weight data cannot be read "
                f"({type(err).__name__}: {err})",
            ) from None
    if not model.graph.node:
        raise ModelError(name, "not a readable ONNX model (its graph has no nodes)")
    try:
        return _read(onnx, model, name, input_shape, weights, sample)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        # Names that are not UTF-8, fields not as the format defines them: a damaged file.
        raise ModelError(name, f"a malformed ONNX model ({type(err).__name__}: {err})") from None


def _read(
    onnx: Any,
    model: Any,
    name: str,
    input_shape: tuple[int, ...] | None,
    weights: bool,
    sample: Any = None,
) -> Graph:
    initializers = {t.name: t for t in model.graph.initializer}
    # IR < 4 lists the initializers among the inputs too: they are weights, not data.
    data_inputs = [v for v in model.graph.input if v.name not in initializers]
    if not data_inputs:
        raise ModelError(name, "the model has no data input")
    if input_shape is not None:
        while model.graph.input[0].name in initializers:
            model.graph.input.remove(model.graph.input[0])
        _set_input_shape(model, input_shape, name)
    # A model onnx cannot infer keeps the shapes it states.
    with contextlib.suppress(Exception):
        model = onnx.shape_inference.infer_shapes(model, data_prop=True)
    shapes = {
        v.name: _dims(v) for v in [*model.graph.input, *model.graph.value_info, *model.graph.output]
    }
    title = model.graph.name if model.graph.name not in EXPORTER_NAMES else None
    graph = Graph(path=name, format=f"ONNX, opset {_opset(model)}", title=title or None)
    producer: dict[str, str] = {}  # data tensor -> the op id that makes it
    for value in data_inputs:
        shape = _hwc(shapes.get(value.name))
        if shape is None:
            raise ModelError(
                name,
                f"the input '{value.name}' has no fixed shape "
                f"({_show(shapes.get(value.name))}): give one with --input-shape, "
                "batch first, like 1,3,224,224",
            )
        graph.add(Op(value.name, value.name, "input", "input", shape=shape))
        producer[value.name] = value.name
    constants = _Constants(onnx, initializers)
    plumbing = 0
    sequences: set[str] = set()  # ops whose output is a sequence tensor
    for index, node in enumerate(model.graph.node):
        sources = [t for t in node.input if t in producer]
        # Shape plumbing and constants: no data flows through them.
        if not sources or node.op_type in SHAPE_OF:
            plumbing += 1
            constants.add(node)
            continue
        op_id = node.output[0]
        label = _label(node, initializers) or op_id or f"{node.op_type}_{index}"
        source = node.op_type
        if not isinstance(source, str):  # a damaged file: not UTF-8
            source = bytes(source).decode("utf-8", "replace")
        op = Op(op_id, label, "", source, inputs=[producer[t] for t in sources])
        op.shape = _hwc(shapes.get(op_id))
        in_shape = graph.ops[op.inputs[0]].shape
        try:
            why = _map(op, node, onnx, initializers, constants, in_shape, shapes, name)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
            # Attributes or weights not as the operator's definition has them.
            raise ModelError(
                name, f"node '{op.name}' (op {op.source}): malformed ({type(err).__name__}: {err})"
            ) from None
        if weights and why is None:
            op.params = _params(onnx, node, op, initializers, constants)
        if why is not None:  # nnsvg has no layer type for it: a generic block, noted
            generic(graph, op, why or None)
        if any(i in sequences for i in op.inputs) and op.kind not in ("lstm", "gru"):
            # ONNX sequence tensors are [seq, batch, features]: not NCHW, the shape is
            # left to nnsvg (carried by a block, a dense layer's units).
            op.shape = None
            sequences.add(op_id)
        elif op.kind in ("lstm", "gru"):
            _sequence_input(graph, op, node, shapes)
            sequences.add(op_id)
        graph.add(op)
        several = op.kind in ("lstm", "gru", "op")  # Y and Y_h of an LSTM, ...
        for tensor in node.output if several else node.output[:1]:
            producer[tensor] = op_id
    if plumbing:
        graph.dropped["shape and constant nodes (no data input)"] = plumbing
    if sample is not None:
        from nnsvg.importers.activations import onnx_maps

        onnx_maps(model, graph, sample)
    return graph


def _opset(model: Any) -> int:
    return max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)


def _show(dims: list[int | None] | None) -> str:
    return "unknown" if dims is None else "[" + ", ".join(str(d or "?") for d in dims) + "]"


def _label(node: Any, initializers: dict[str, Any]) -> str:
    """The node's name for a figure; for the names exporters make up (``node_Conv_152``,
    none), the module its weight belongs to (``layer1.0.conv1.weight``: ``layer1.0.conv1``).

    >>> from types import SimpleNamespace as N
    >>> _label(N(name="node_Conv_7", op_type="Conv", input=["x", "stem.0.weight"]),
    ...        {"stem.0.weight": None})
    'stem.0'
    """
    label = _short_name(node.name, node.op_type)
    if not label or _MADE_UP.match(label):
        for tensor in node.input[1:]:
            if tensor in initializers and tensor.endswith(".weight"):
                return tensor[: -len(".weight")]
    return label


_MADE_UP = re.compile(r"(node_)?[A-Z][A-Za-z]*_\d+\Z")


def _short_name(name: str, op_type: str) -> str:
    """A node name for a figure: ``/layer1/layer1.0/conv1/Conv`` -> ``layer1.0.conv1``.

    >>> _short_name("/layer1/layer1.0/conv1/Conv", "Conv"), _short_name("conv1", "Conv")
    ('layer1.0.conv1', 'conv1')
    """
    parts = [p for p in name.split("/") if p]
    if len(parts) > 1 and parts[-1].split("_")[0] == op_type:
        parts.pop()
    kept = [
        p for k, p in enumerate(parts) if not (k + 1 < len(parts) and parts[k + 1].startswith(p))
    ]
    return ".".join(kept)


class _Constants:
    """Values of initializers and Constant nodes, for the inputs that are settings
    (Pad's pads, Resize's scales, ReduceMean's axes)."""

    def __init__(self, onnx: Any, initializers: dict[str, Any]) -> None:
        self.onnx = onnx
        self.initializers = initializers
        self.values: dict[str, list[float]] = {}

    def add(self, node: Any) -> None:
        if node.op_type == "Constant" and node.attribute:
            attr = node.attribute[0]
            if attr.name == "value":
                self.values[node.output[0]] = self._list(attr.t)

    def _list(self, tensor: Any) -> list[float]:
        try:
            return [float(v) for v in self.onnx.numpy_helper.to_array(tensor).ravel()]
        except Exception:  # external or odd data: the value is unknown
            return []

    def get(self, name: str) -> list[float]:
        if name in self.values:
            return self.values[name]
        if name in self.initializers:
            return self._list(self.initializers[name])
        return []


def _attrs(node: Any, onnx: Any) -> dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _spatial(values: Any, rank: int, default: int) -> list[int]:
    return [int(v) for v in values] if values else [default] * rank


def _pads(attrs: dict[str, Any], rank: int) -> list[tuple[int, int]] | str:
    if attrs.get("auto_pad", b"NOTSET") in (b"SAME_UPPER", b"SAME_LOWER", "SAME_UPPER"):
        return "same"
    pads = _spatial(attrs.get("pads"), 2 * rank, 0)
    return [(pads[k], pads[k + rank]) for k in range(rank)]


def _map(
    op: Op,
    node: Any,
    onnx: Any,
    initializers: dict[str, Any],
    constants: _Constants,
    in_shape: tuple[int, ...] | None,
    shapes: dict[str, list[int | None]],
    path: str,
) -> str | None:
    """Sets ``op.kind`` and ``op.attrs`` from the node. For an operator nnsvg has no
    layer type for, returns why (``""``: just unknown): the caller keeps it generic."""
    kind, a = node.op_type, _attrs(node, onnx)
    weight = initializers.get(node.input[1]) if len(node.input) > 1 else None
    rank = len(in_shape) - 1 if in_shape else 0
    if kind in ("Conv", "ConvTranspose"):
        wdims = list(weight.dims) if weight is not None else shapes.get(node.input[1]) or []
        rank = len(wdims) - 2 if len(wdims) > 2 else rank
        group = int(a.get("group", 1))
        if kind == "Conv":
            filters = wdims[0] if wdims else (op.shape or (0,))[-1]
        else:
            filters = wdims[1] * group if wdims else (op.shape or (0,))[-1]
        op.kind = "conv" if kind == "Conv" else "conv_transpose"
        op.attrs = {
            "filters": int(filters or 0),
            "kernel": _spatial(a.get("kernel_shape") or wdims[2:], rank, 1),
            "stride": _spatial(a.get("strides"), rank, 1),
            "pads": _pads(a, rank),
            "dilation": _spatial(a.get("dilations"), rank, 1),
        }
        if kind == "ConvTranspose":
            op.attrs["output_padding"] = _spatial(a.get("output_padding"), rank, 0)
    elif kind in ("MaxPool", "AveragePool"):
        kernel = _spatial(a.get("kernel_shape"), rank, 1)
        op.kind = "pool"
        op.attrs = {
            "kernel": kernel,
            "stride": _spatial(a.get("strides"), rank, 1),
            "pads": _pads(a, rank),
            "kind": "max" if kind == "MaxPool" else "avg",
        }
    elif kind in ("GlobalAveragePool", "GlobalMaxPool") or _global_mean(node, a, constants, rank):
        if in_shape is None:
            raise ModelError(path, f"node '{op.name}' (op {kind}): its input shape is unknown")
        op.kind = "pool"
        op.shape = (*[1] * rank, in_shape[-1])  # as drawn, whether or not it keeps the axes
        op.attrs = {
            "kernel": list(in_shape[:-1]),
            "stride": list(in_shape[:-1]),
            "kind": "max" if kind == "GlobalMaxPool" else "avg",
        }
    elif kind in ("Gemm", "MatMul"):
        op.kind = "dense"
        if kind == "Gemm" and weight is not None:
            units = weight.dims[0] if a.get("transB", 0) else weight.dims[1]
        elif weight is not None:
            units = weight.dims[-1]
        else:
            units = (op.shape or (0,))[-1]
        if len(op.inputs) > 1:
            return "a product of two data tensors"
        op.attrs = {"units": int(units)}
    elif kind in ("Flatten", "Reshape"):
        out = shapes.get(op.id)
        if kind == "Reshape" and not (out and len(out) == 2):
            return f"a reshape to {_show(out)}"
        op.kind = "flatten"
    elif kind in ACTIVATIONS:
        op.kind, op.attrs = "act", {"activation": ACTIVATIONS[kind]}
        if kind == "Clip":
            bounds = a.get("min"), a.get("max")
            if len(node.input) == 3:
                bounds = (*constants.get(node.input[1])[:1], *constants.get(node.input[2])[:1])
            if tuple(bounds) != (0.0, 6.0):
                op.attrs["activation"] = "clip"
    elif kind in NORMS:
        op.kind = "norm"
        if kind == "LayerNormalization":  # a block of its own in the blocks style
            op.attrs = {"block": "layernorm"}
    elif kind in ("LSTM", "GRU"):
        both = a.get("direction", b"forward") in (b"bidirectional", "bidirectional")
        directions = 2 if both else 1
        op.kind = kind.lower()
        op.attrs = {"units": int(a["hidden_size"]) * directions}
        if directions == 2:
            op.attrs["label"] = f"Bidirectional {kind}"
    elif kind in DROPS:
        op.kind = "drop"
    elif kind in MERGES:
        if len(op.inputs) > 1:
            op.kind = MERGES[kind]
            axis = int(a.get("axis", 1))
            if kind == "Concat" and axis not in (1, -(rank + 1)):
                op.attrs["axis"] = (axis if axis >= 0 else axis + rank + 1) - 2
        else:  # a bias or a scale: a constant joined to one data tensor
            op.kind, op.source = "identity", f"{kind} of a constant"
    elif kind in ("Resize", "Upsample"):
        if in_shape is None or op.shape is None:
            return "its shapes are unknown"
        factors = [o / i for o, i in zip(op.shape[:-1], in_shape[:-1])]
        if any(f != int(f) or f < 1 for f in factors):
            return f"a resize by {factors}"
        op.kind, op.attrs = "upsample", {"size": [int(f) for f in factors]}
    elif kind == "Pad":
        values = _spatial(a.get("pads"), 0, 0) or [
            int(v) for v in constants.get(node.input[1] if len(node.input) > 1 else "")
        ]
        half = len(values) // 2
        if len(values) != 2 * (rank + 2) or any(values[:2]) or any(values[half : half + 2]):
            return "a padding of other than the spatial axes"
        op.kind = "pad"
        op.attrs = {"pads": [(values[2 + k], values[half + 2 + k]) for k in range(rank)]}
    else:
        return ""
    return None


def _global_mean(node: Any, a: dict[str, Any], constants: _Constants, rank: int) -> bool:
    """ReduceMean over every spatial axis, keeping them: a global average pool."""
    if node.op_type != "ReduceMean" or rank < 1:
        return False
    axes = a.get("axes") or (constants.get(node.input[1]) if len(node.input) > 1 else [])
    return sorted(int(x) % (rank + 2) for x in axes) == list(range(2, rank + 2))


def _params(
    onnx: Any, node: Any, op: Op, initializers: dict[str, Any], constants: _Constants
) -> dict[str, Any]:
    """The arrays --weights needs of a node: a dense layer's ``W`` [in, out] and ``b``,
    a constant bias or scale, a batch norm's statistics."""
    import numpy as np

    a = _attrs(node, onnx)

    def array(index: int) -> Any:
        name = node.input[index] if len(node.input) > index else ""
        if name in initializers:
            return onnx.numpy_helper.to_array(initializers[name])
        return np.asarray(constants.get(name)) if constants.get(name) else None

    if op.kind == "dense":
        w = array(1)
        if w is None:
            return {}
        if node.op_type == "Gemm":
            w = (w.T if a.get("transB", 0) else w) * float(a.get("alpha", 1.0))
            c = array(2)
            return {"W": w} if c is None else {"W": w, "b": c * float(a.get("beta", 1.0))}
        return {"W": w}
    if op.kind == "identity" and node.op_type in ("Add", "Mul"):
        const = next((c for c in map(array, range(len(node.input))) if c is not None), None)
        return {} if const is None else {"add" if node.op_type == "Add" else "mul": const}
    if node.op_type == "BatchNormalization":
        stats = [array(k) for k in range(1, 5)]
        if any(x is None for x in stats):
            return {}
        return {**dict(zip(("gamma", "beta", "mean", "var"), stats)),
                "eps": float(a.get("epsilon", 1e-5))}  # fmt: skip
    return {}


def _sequence_input(graph: Graph, op: Op, node: Any, shapes: dict[str, Any]) -> None:
    """An LSTM or GRU reads ``[seq, batch, features]`` (``layout`` 1: batch first):
    its output is ``(seq, units)``, and a graph input it reads is that sequence."""
    dims = shapes.get(node.input[0]) or []
    layout = next((a.i for a in node.attribute if a.name == "layout"), 0)
    if len(dims) != 3 or any(d is None for d in dims):
        op.shape = None
        return
    seq, features = (dims[1], dims[2]) if layout else (dims[0], dims[2])
    op.shape = (int(seq), op.attrs["units"])
    # Back through the generic ops (Transpose, Squeeze...) to a graph input: all of
    # them hold the sequence (torch's batch_first export transposes it first).
    source, between = graph.ops[op.inputs[0]], []
    while source.kind == "op" and len(source.inputs) == 1:
        between.append(source)
        source = graph.ops[source.inputs[0]]
    same = not between or math.prod(source.shape or (0,)) == seq * features
    if source.kind == "input" and same:
        for item in (source, *between):
            item.shape = (int(seq), int(features))
