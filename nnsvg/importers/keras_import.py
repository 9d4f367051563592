"""Keras models: ``.keras`` (a zip holding ``config.json``, read with the standard
library: no Keras needed), a ``model.to_json()`` file, and legacy ``.h5`` (the model's
JSON in an HDF5 attribute, read with h5py: the ``nnsvg[keras-h5]`` extra).

Both node formats are read: Keras 3 (``inbound_nodes: [{"args": [...], "kwargs":
{...}}]`` with ``__keras_tensor__`` entries) and Keras 2 / tf-keras
(``[[["layer", 0, 0, {}], ...]]``). Sequential and Functional models, and a Sequential
nested in either. Shapes are channels last already; they are computed here (a
Sequential states none but its input's).
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any

from nnsvg.errors import Location, NnsvgError
from nnsvg.importers.ir import Graph, ModelError, Op, generic
from nnsvg.spec.shapes import conv_size, transposed_size

__all__ = ["read_keras"]

MODELS = frozenset({"Sequential", "Functional", "Model"})
CONVS = frozenset(
    {"Conv1D", "Conv2D", "SeparableConv1D", "SeparableConv2D", "Convolution1D", "Convolution2D"}
)
TRANSPOSED = frozenset({"Conv1DTranspose", "Conv2DTranspose", "Convolution2DTranspose"})
POOLS = {
    f"{kind}{name}{dim}D": "max" if kind == "Max" else "avg"
    for kind in ("Max", "Average", "Avg")
    for name in ("Pooling", "Pool")
    for dim in (1, 2)
}
GLOBAL_POOLS = {f"Global{name}": kind for name, kind in POOLS.items()}
NORMS = frozenset(
    {"BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization"}
)
DROPS = frozenset(
    {"Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise", "GaussianDropout",
     "AlphaDropout", "ActivityRegularization"}
)  # fmt: skip
PREPROCESSING = frozenset({"Rescaling", "Normalization"})
ACTIVATION_LAYERS = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "Softmax": "softmax",
                     "ELU": "elu", "PReLU": "prelu"}  # fmt: skip
RECURRENT = {"LSTM": "lstm", "GRU": "gru"}
MERGES = {"Add": "add", "Multiply": "multiply", "Concatenate": "concat"}
OPERATORS = {"__operators__.add": "add", "math.add": "add", "__operators__.mul": "multiply",
             "math.multiply": "multiply"}  # fmt: skip


KNOWN = frozenset(
    {"Dense", "DepthwiseConv2D", "Flatten", "Reshape", "TFOpLambda", "UpSampling1D",
     "UpSampling2D", "ZeroPadding1D", "ZeroPadding2D", "Activation", "InputLayer"}
    | CONVS | TRANSPOSED | POOLS.keys() | GLOBAL_POOLS.keys() | NORMS | DROPS | PREPROCESSING
    | ACTIVATION_LAYERS.keys() | MERGES.keys()
)  # fmt: skip
# Classes with units or a kernel_size that are not a dense layer or a convolution (mapped
# to their own blocks, or generic ones): never read from those keys.
UNSUPPORTED = frozenset(
    {"LSTM", "GRU", "SimpleRNN", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "Embedding",
     "MultiHeadAttention", "Attention", "TimeDistributed", "LocallyConnected2D"}
)  # fmt: skip


def _load_config(path: str | os.PathLike[str], name: str, fmt: str) -> dict[str, Any]:
    if fmt == "keras-h5":
        return _load_h5(path, name)
    if fmt == "keras":
        try:
            with zipfile.ZipFile(path) as archive:
                raw = archive.read("config.json")
        except KeyError:
            raise ModelError(name, "a zip without config.json: not a .keras model") from None
        except (zipfile.BadZipFile, OSError) as err:
            raise ModelError(name, f"not a readable .keras file ({err})") from None
        return _parse_json(raw, name + ":config.json")
    target = Path(path) / "config.json" if Path(path).is_dir() else Path(path)
    return _parse_json(target.read_bytes(), name)


def _load_h5(path: str | os.PathLike[str], name: str) -> dict[str, Any]:
    try:
        import h5py
    except ImportError:
        raise NnsvgError(
            "reading Keras .h5 files needs the h5py package: pip install 'nnsvg[keras-h5]'"
        ) from None
    try:
        with h5py.File(path, "r") as handle:
            raw = handle.attrs.get("model_config")
    except OSError as err:
        raise ModelError(name, f"not a readable HDF5 file ({err})") from None
    if raw is None:
        raise ModelError(name, "an HDF5 file with no model_config: a weights-only file?")
    return _parse_json(raw if isinstance(raw, bytes) else str(raw).encode(), name)


def _parse_json(raw: bytes, name: str) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ModelError(name, "not a text JSON file") from None
    except json.JSONDecodeError as err:
        raise NnsvgError(
            f"not valid JSON: {err.msg}", location=Location(name, err.lineno, err.colno)
        ) from None
    if not isinstance(data, dict) or "config" not in data or "class_name" not in data:
        raise ModelError(name, "not a Keras model config (no class_name and config)")
    return data


def read_keras(
    path: str | os.PathLike[str],
    name: str,
    fmt: str,
    input_shape: tuple[int, ...] | None,
    weights: bool = False,
) -> Graph:
    """The Keras model at ``path`` (``fmt`` from detect_format) as a graph; with
    ``weights``, the dense and batch norm layers' arrays too (h5py)."""
    model = _load_config(path, name, fmt)
    if str(model["class_name"]) not in MODELS:
        raise ModelError(name, f"the model is a {model['class_name']}, not a Keras model")
    reader = _Reader(Graph(path=name, format=""), input_shape)
    try:
        version = "Keras 3" if "module" in model or _has_args(model) else "Keras 2"
        container = {"keras": ".keras", "keras-h5": ".h5"}.get(fmt, "JSON")
        reader.graph.format = f"{version} {container}"
        reader.graph.title = model["config"].get("name")
        reader.model(model, [])
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        # A config that is JSON but not as Keras writes it (edited, truncated, another
        # tool's): the layer being read when it went wrong.
        where = f" at layer '{reader.current}'" if reader.current else ""
        raise ModelError(
            name, f"not a Keras model config nnsvg can read{where} ({type(err).__name__}: {err})"
        ) from None
    if not reader.graph.inputs:
        raise ModelError(name, "the model has no input layer")
    if weights:
        _read_weights(path, name, fmt, reader.graph)
    return reader.graph


def _read_weights(path: str | os.PathLike[str], name: str, fmt: str, graph: Graph) -> None:
    """Reads the weights of a ``.keras`` (its ``model.weights.h5``) or legacy ``.h5``."""
    from nnsvg.importers.weights_out import keras_params

    if fmt == "keras-h5":
        keras_params(os.fspath(path), name, graph)
        return
    if fmt != "keras" or Path(path).is_dir():
        folder = Path(path) if Path(path).is_dir() else None
        if folder is not None and (folder / "model.weights.h5").is_file():
            keras_params(os.fspath(folder / "model.weights.h5"), name, graph)
            return
        raise ModelError(name, "--weights: a Keras JSON config holds no weights")
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("model.weights.h5")
    except KeyError:
        raise ModelError(name, "--weights: the .keras file holds no model.weights.h5") from None
    keras_params(io.BytesIO(data), name, graph)


def _has_args(model: dict[str, Any]) -> bool:
    layers = model["config"].get("layers") or []
    return any(isinstance(n, dict) for layer in layers for n in layer.get("inbound_nodes") or [])


def _layer_names(value: Any) -> list[str]:
    """``["img", 0, 0]`` (one, Keras 3) or ``[["a", 0, 0], ...]`` -> the layer names."""
    if not value:
        return []
    return [str(value[0])] if isinstance(value[0], str) else [str(v[0]) for v in value]


def _pair(value: Any, rank: int) -> list[int]:
    if value is None:
        return [1] * rank
    values = [int(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
    return values * rank if len(values) == 1 else values


def _activation(value: Any) -> str | None:
    if isinstance(value, dict):  # Keras 3 may serialise the function itself
        value = value.get("config") if isinstance(value.get("config"), str) else None
    return None if value in (None, "linear") else str(value)


def _history(node: Any) -> list[str]:
    """The layer names a serialised call reads, in order, in either node format."""
    found: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, dict):
            if item.get("class_name") == "__keras_tensor__":
                found.append(item["config"]["keras_history"][0])
                return
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            if len(item) >= 3 and isinstance(item[0], str) and isinstance(item[1], int):
                found.append(item[0])  # Keras 2: [layer, node, tensor, kwargs]
                if len(item) > 3:
                    walk(item[3])  # a TFOpLambda's second operand is a kwarg
                return
            for value in item:
                walk(value)

    walk(node)
    return found


class _Reader:
    """Layers to ops; ``alias`` maps a nested model's name to its last op."""

    def __init__(self, graph: Graph, input_shape: tuple[int, ...] | None) -> None:
        self.graph = graph
        self.input_shape = input_shape
        self.alias: dict[str, str] = {}
        self.current: str | None = None  # the layer being read, for messages

    def model(self, model: dict[str, Any], sources: list[str], scope: str = "") -> str | None:
        """Adds a model's layers reading ``sources`` (a nested one's); its output op.
        A nested model's ops get ids under its ``scope`` (``backbone/conv``): names
        are unique only within one model."""
        config = model["config"]
        layers = config.get("layers") or []
        last: str | None = sources[0] if sources else None
        if model["class_name"] == "Sequential":
            state = config.get("build_input_shape")
            for layer in layers:
                last = self.layer(layer, [last] if last else [], state, scope)
                state = None
            return last
        for inner, source in zip(_layer_names(config.get("input_layers")), sources):
            self.alias[scope + inner] = source
        for layer in layers:
            inbound = layer.get("inbound_nodes") or []
            if len(inbound) > 1:
                raise ModelError(
                    self.graph.path,
                    f"layer '{layer['config'].get('name')}' is called {len(inbound)} times "
                    "(a shared layer): nnsvg cannot import shared layers yet",
                )
            ids = [scope + n for n in (_history(inbound[0]) if inbound else [])]
            last = self.layer(layer, [self.alias.get(i, i) for i in ids], None, scope)
        outputs = _layer_names(config.get("output_layers"))
        return self.alias.get(scope + outputs[0], scope + outputs[0]) if outputs else last

    def layer(
        self, layer: dict[str, Any], inputs: list[str], build_shape: Any, scope: str = ""
    ) -> str:
        cls, cfg = layer["class_name"], layer.get("config") or {}
        name = str(layer.get("name") or cfg.get("name") or f"{cls.lower()}_{len(self.graph.ops)}")
        key = scope + name
        self.current = key
        if cls == "InputLayer" and (inputs or key in self.alias):  # a nested model's input
            return inputs[0] if inputs else self.alias[key]
        if cls in MODELS:
            self.graph.notes.append(f"the nested model '{name}' is drawn as its layers")
            last = self.model(layer, inputs, f"{key}/")
            self.alias[key] = last or key
            return self.alias[key]
        op = Op(key, name, "", cls, inputs=list(inputs))
        if not inputs:  # an InputLayer, or the first layer of a Sequential carrying the shape
            shape = cfg.get("batch_shape") or cfg.get("batch_input_shape") or build_shape
            if shape is None and "build_config" in layer:
                shape = layer["build_config"].get("input_shape")
            self._input(shape, key if cls == "InputLayer" else "input", cfg)
            if cls == "InputLayer":
                return key
            op.inputs = [self.graph.inputs[-1].id]
        in_shapes = [self.graph.ops[i].shape for i in op.inputs]
        self._map(op, cls, cfg, in_shapes[0] if in_shapes else None)
        op.shape = _infer(op, in_shapes)
        self.graph.add(op)
        return op.id

    def _input(self, shape: Any, name: str, cfg: dict[str, Any]) -> None:
        dims = list(shape)[1:] if shape else None
        if self.input_shape is not None and not self.graph.inputs:  # the first input's
            dims = list(self.input_shape)[1:]
        if not dims or any(d is None for d in dims):
            raise ModelError(
                self.graph.path,
                f"the input '{name}' has no fixed shape ({dims or 'none stated'}): give one "
                "with --input-shape, batch first, channels last, like 1,28,28,1",
            )
        if cfg.get("data_format") == "channels_first" and len(dims) > 1:
            dims = [*dims[1:], dims[0]]
        self.graph.add(Op(name, name, "input", "InputLayer", shape=tuple(int(d) for d in dims)))

    def _map(self, op: Op, cls: str, cfg: dict[str, Any], shape: tuple[int, ...] | None) -> None:
        rank = len(shape) - 1 if shape else 1
        activation = _activation(cfg.get("activation"))
        known = cls in KNOWN
        if not known and cls not in UNSUPPORTED and ("units" in cfg or "kernel_size" in cfg):
            self.graph.notes.append(f"layer '{op.name}' (class {cls}) read from its config keys")
        if cls == "Dense" or (not known and cls not in UNSUPPORTED and "units" in cfg):
            op.kind, op.attrs = "dense", {"units": int(cfg["units"])}
        elif (
            cls in CONVS | TRANSPOSED
            or cls == "DepthwiseConv2D"
            or (not known and cls not in UNSUPPORTED and "kernel_size" in cfg)
        ):
            filters = cfg.get("filters")
            if cls == "DepthwiseConv2D":
                filters = (shape or (1,))[-1] * int(cfg.get("depth_multiplier", 1))
            op.kind = "conv_transpose" if cls in TRANSPOSED else "conv"
            padding = cfg.get("padding", "valid")
            op.attrs = {
                "filters": int(filters or 1),
                "kernel": _pair(cfg.get("kernel_size"), rank),
                "stride": _pair(cfg.get("strides"), rank),
                "pads": "same" if padding in ("same", "causal") else None,
                "dilation": _pair(cfg.get("dilation_rate"), rank),
            }
            if cfg.get("output_padding") is not None:
                op.attrs["output_padding"] = _pair(cfg["output_padding"], rank)
            if padding == "causal":
                self.graph.notes.append(f"causal padding of '{op.name}' drawn as same")
        elif cls in POOLS:
            kernel = _pair(cfg.get("pool_size", 2), rank)
            op.kind = "pool"
            op.attrs = {
                "kernel": kernel,
                "stride": _pair(cfg.get("strides") or kernel, rank),
                "pads": "same" if cfg.get("padding") == "same" else None,
                "kind": POOLS[cls],
            }
        elif cls in GLOBAL_POOLS:
            spatial = list((shape or (1, 1))[:-1])
            op.kind = "pool"
            op.attrs = {"kernel": spatial, "stride": spatial, "kind": GLOBAL_POOLS[cls]}
        elif cls == "Flatten" or (cls == "Reshape" and len(cfg.get("target_shape", ())) == 1):
            op.kind = "flatten"
        elif cls in MERGES or (cls == "TFOpLambda" and cfg.get("function") in OPERATORS):
            op.kind = MERGES.get(cls) or OPERATORS[cfg["function"]]
            axis = int(cfg.get("axis", -1))
            if op.kind == "concat" and axis not in (-1, rank + 1):
                op.attrs["axis"] = axis - 1 if axis > 0 else axis + rank + 1
        elif cls in ("UpSampling1D", "UpSampling2D"):
            op.kind, op.attrs = "upsample", {"size": _pair(cfg.get("size", 2), rank)}
        elif cls in ("ZeroPadding1D", "ZeroPadding2D"):
            op.kind, op.attrs = "pad", {"pads": _zero_padding(cfg.get("padding", 1), rank)}
        elif cls in NORMS:
            op.kind = "norm"
            if cls == "LayerNormalization":  # a block of its own in the blocks style
                op.attrs = {"block": "layernorm"}
            elif cls == "BatchNormalization":  # for --weights
                op.attrs = {"eps": float(cfg.get("epsilon", 1e-3))}
        elif cls in RECURRENT or (cls == "Bidirectional" and _inner(cfg) in RECURRENT):
            inner = cfg if cls in RECURRENT else cfg["layer"]["config"]
            kind = cls if cls in RECURRENT else _inner(cfg)
            both = cls == "Bidirectional" and cfg.get("merge_mode", "concat") == "concat"
            twice = 2 if both else 1
            op.kind = RECURRENT[kind]
            op.attrs = {
                "units": int(inner["units"]) * twice,
                "return_sequences": bool(inner.get("return_sequences", False)),
            }
            if cls == "Bidirectional":
                op.attrs["label"] = f"Bidirectional {kind}"
            activation = None  # the cell's tanh: not a layer's activation
        elif cls == "Embedding":
            op.kind = "embedding"
            op.attrs = {"units": int(cfg["output_dim"]), "vocab": int(cfg["input_dim"])}
        elif cls == "MultiHeadAttention":
            op.kind = "attention"
            width = (shape or (0,))[-1]
            heads = int(cfg.get("num_heads", 1))
            op.attrs = {"heads": heads} if width and width % heads == 0 else {}
            if not op.attrs:
                self.graph.notes.append(f"'{op.name}': {heads} heads do not divide {width}")
        elif cls in DROPS or cls in PREPROCESSING or cls.startswith("Random"):
            op.kind = "drop"
        elif cls in ACTIVATION_LAYERS or cls == "Activation":
            act = ACTIVATION_LAYERS.get(cls) or activation
            if cls == "ReLU" and cfg.get("max_value") == 6:
                act = "relu6"
            op.kind, op.attrs, activation = "act", {"activation": act or "linear"}, None
            if act is None:
                op.kind = "identity"
        else:  # nnsvg has no layer type for it: a generic block, noted in the header
            generic(self.graph, op)
            activation = None
        if activation and op.kind not in ("act", "identity"):
            op.attrs["activation"] = activation
        if op.kind != "input" and not op.inputs:
            raise ModelError(self.graph.path, f"layer '{op.name}' (class {cls}) reads nothing")
        if op.kind not in ("add", "multiply", "concat", "attention", "op") and len(op.inputs) != 1:
            raise ModelError(
                self.graph.path,
                f"layer '{op.name}' (class {cls}) reads {len(op.inputs)} tensors: "
                "nnsvg imports only merges with several inputs",
            )


def _inner(cfg: dict[str, Any]) -> str | None:
    """The class of the layer a wrapper (Bidirectional) wraps."""
    layer = cfg.get("layer")
    return str(layer.get("class_name")) if isinstance(layer, dict) else None


def _zero_padding(value: Any, rank: int) -> list[tuple[int, int]]:
    if isinstance(value, int):
        return [(value, value)] * rank
    out = []
    for item in value:
        out.append(
            (int(item), int(item)) if isinstance(item, int) else (int(item[0]), int(item[1]))
        )
    return out if len(out) == rank else [(out[0][0], out[0][1])] * rank


def _infer(op: Op, shapes: list[tuple[int, ...] | None]) -> tuple[int, ...] | None:
    """The output shape of ``op`` (channels last, no batch) from its inputs'."""
    if not shapes or shapes[0] is None:
        return None
    shape, a = shapes[0], op.attrs
    spatial, channels = list(shape[:-1]), shape[-1]
    if op.kind in ("conv", "pool", "conv_transpose"):
        rank = len(a["kernel"])
        if len(spatial) != rank:
            return None
        pads = a.get("pads") or [(0, 0)] * rank
        out = []
        for axis, n in enumerate(spatial):
            k, s = a["kernel"][axis], a["stride"][axis]
            d = a.get("dilation", [1] * rank)[axis]
            if op.kind == "conv_transpose":
                extra = a.get("output_padding", [0] * rank)[axis]
                pad = "same" if pads == "same" else 0
                out.append(transposed_size(n, k, s, pad, d, extra if pad != "same" else 0))
            elif pads == "same":
                out.append(conv_size(n, k, s, "same", d))
            else:
                b, e = pads[axis]
                out.append((n + b + e - d * (k - 1) - 1) // s + 1)
        return (*out, a.get("filters", channels))
    if op.kind == "dense":
        return (a["units"],)
    if op.kind in ("lstm", "gru"):
        return (shape[0], a["units"]) if a["return_sequences"] else (a["units"],)
    if op.kind == "embedding":
        return (*shape, a["units"])
    if op.kind == "op":
        return None  # its config does not say: left to nnsvg (carried)
    if op.kind == "flatten":
        return (math.prod(shape),)
    if op.kind == "upsample":
        return (*(n * f for n, f in zip(spatial, a["size"])), channels)
    if op.kind == "pad":
        return (*(n + b + e for n, (b, e) in zip(spatial, a["pads"])), channels)
    if op.kind == "concat":
        if any(s is None for s in shapes):
            return None
        axis = a.get("axis", -1) % len(shape)
        total = sum(s[axis] for s in shapes if s is not None)
        return tuple(total if k == axis else n for k, n in enumerate(shape))
    return shape
