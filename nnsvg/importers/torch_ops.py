"""What a PyTorch call is as an op of the neutral graph: a leaf module (``nn.Conv2d``,
``nn.Linear``...) or a function (``torch.cat``, ``F.relu``, ``x + y``, and the ATen
operators of a ``.pt2`` file, which take the same arguments).

:func:`map_module` and :func:`map_function` set an :class:`~nnsvg.importers.ir.Op`'s
``kind`` and ``attrs`` (and, for ``--weights``, ``params``) and return None, or why the
op is kept as a generic block (``""``: nnsvg has no layer type for it). Shapes are
nnsvg's (batch dropped, channels last); tensors are NCHW / NCL / NC.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nnsvg.importers.ir import Op

__all__ = [
    "SEQUENCE_MODULES",
    "Arg",
    "canonical",
    "hwc",
    "map_function",
    "map_module",
    "recurrent",
    "sequence_shape",
]

# Modules of sequence models: a model with them (and no convolution) has its tensors
# as (batch, length, features), channels last already.
SEQUENCE_MODULES = frozenset({"LSTM", "GRU", "MultiheadAttention", "Embedding"})

ACTIVATIONS = {
    "relu": "relu", "relu6": "relu6", "leaky_relu": "leaky_relu", "prelu": "prelu",
    "sigmoid": "sigmoid", "hardsigmoid": "hard_sigmoid", "tanh": "tanh",
    "softmax": "softmax", "_softmax": "softmax", "log_softmax": "log_softmax",
    "_log_softmax": "log_softmax", "elu": "elu", "selu": "selu", "gelu": "gelu",
    "silu": "silu", "hardswish": "hard_swish", "mish": "mish", "softplus": "softplus",
}  # fmt: skip
# nn module class name -> the function name it computes (mapped like the function).
MODULE_ACTIVATIONS = {
    "ReLU": "relu", "ReLU6": "relu6", "LeakyReLU": "leaky_relu", "PReLU": "prelu",
    "Sigmoid": "sigmoid", "Hardsigmoid": "hardsigmoid", "Tanh": "tanh", "Softmax": "softmax",
    "LogSoftmax": "log_softmax", "ELU": "elu", "SELU": "selu", "GELU": "gelu", "SiLU": "silu",
    "Hardswish": "hardswish", "Mish": "mish", "Softplus": "softplus",
}  # fmt: skip
NORM_MODULES = frozenset(
    {"BatchNorm1d", "BatchNorm2d", "InstanceNorm1d", "InstanceNorm2d", "GroupNorm",
     "LocalResponseNorm", "LayerNorm", "RMSNorm"}
)  # fmt: skip
DROP_MODULES = frozenset(
    {"Dropout", "Dropout1d", "Dropout2d", "AlphaDropout", "FeatureAlphaDropout", "Identity"}
)
# Functions that keep the data as it is (a copy, a cast, a layout): dropped.
PASSING = frozenset(
    {"contiguous", "clone", "to", "float", "double", "half", "detach", "type_as", "cpu",
     "dropout", "feature_dropout", "alpha_dropout", "dropout1d", "dropout2d", "_to_copy",
     "alias", "lift_fresh_copy", "requires_grad_"}
)  # fmt: skip
NORM_FUNCTIONS = frozenset(
    {"batch_norm", "aten.batch_norm", "_native_batch_norm_legit_no_training", "layer_norm",
     "group_norm", "instance_norm", "native_layer_norm", "rms_norm"}
)  # fmt: skip
MERGES = {"add": "add", "mul": "multiply"}
# Positional parameters of the functions read here (F.* and their ATen twins).
_CONV = ("input", "weight", "bias", "stride", "padding", "dilation", "groups")
_DECONV = ("input", "weight", "bias", "stride", "padding", "output_padding", "groups", "dilation")
_MAX = ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode")
_AVG = ("input", "kernel_size", "stride", "padding", "ceil_mode")
SIGNATURES: dict[str, tuple[str, ...]] = {
    **{f"conv{d}d": _CONV for d in (1, 2)},
    **{f"conv_transpose{d}d": _DECONV for d in (1, 2)},
    **{f"max_pool{d}d": _MAX for d in (1, 2)},
    **{f"max_pool{d}d_with_indices": _MAX for d in (1, 2)},
    **{f"avg_pool{d}d": _AVG for d in (1, 2)},
    "linear": ("input", "weight", "bias"),
    "aten.batch_norm": ("input", "weight", "bias", "running_mean", "running_var", "training",
                        "momentum", "eps"),
    "_native_batch_norm_legit_no_training": ("input", "weight", "bias", "running_mean",
                                             "running_var", "momentum", "eps"),
    "batch_norm": ("input", "running_mean", "running_var", "weight", "bias", "training",
                   "momentum", "eps"),
    "cat": ("tensors", "dim"),
    "flatten": ("input", "start_dim", "end_dim"),
    "mean": ("input", "dim", "keepdim"),
    "pad": ("input", "pad", "mode", "value"),
    "constant_pad_nd": ("input", "pad", "value"),
    "hardtanh": ("input", "min_val", "max_val"),
    "embedding": ("weight", "indices"),
    **{name: ("input", "hx", "params", "has_biases", "num_layers", "dropout", "train",
              "bidirectional", "batch_first") for name in ("lstm", "gru")},
}  # fmt: skip


@dataclass
class Arg:
    """A tensor a call reads: its shape (batch first, as torch has it), the op that made
    it (None: a parameter or a constant), and how to get its values (for --weights)."""

    shape: tuple[int, ...]
    source: str | None = None
    value: Callable[[], Any] | None = None


def hwc(shape: Sequence[int]) -> tuple[int, ...] | None:
    """A torch shape (batch first, NCHW / NCL / NC) as nnsvg's; None for a scalar.

    >>> hwc((1, 3, 32, 28)), hwc((1, 10)), hwc(())
    ((32, 28, 3), (10,), None)
    """
    rest = [int(d) for d in shape[1:]]
    if not rest:
        return None
    return tuple(rest) if len(rest) == 1 else (*rest[1:], rest[0])


def sequence_shape(shape: Sequence[int], first: bool = False) -> tuple[int, ...] | None:
    """A sequence model's shape as nnsvg's, (length, features) channels last: the batch
    dropped. ``first``: the model runs sequence first (``batch_first=False``), so a
    tensor of three or more axes is (length, batch, features); one of two axes is
    (batch, features), as a time step taken from it is.

    >>> sequence_shape((1, 12, 16)), sequence_shape((12, 1, 16), first=True)
    ((12, 16), (12, 16))
    >>> sequence_shape((1, 32), first=True)
    (32,)
    """
    dims = [int(d) for d in shape]
    batch = 1 if first and len(dims) >= 3 else 0
    return tuple(dims[:batch] + dims[batch + 1 :]) or None


def recurrent(op: Op, cls: str, units: int, bidirectional: bool, layers: int) -> None:
    """Sets ``op`` to an LSTM or GRU (``cls``) block of ``units`` outputs (both directions),
    labelled "Bidirectional LSTM ×2" when it is more than one plain layer."""
    op.kind, op.attrs = cls.lower(), {"units": int(units)}
    label = f"Bidirectional {cls}" if bidirectional else cls
    if layers > 1:
        label = f"{label} ×{layers}"
    if label != cls:
        op.attrs["label"] = label


def canonical(name: str) -> str:
    """A function's name as the tables here know it: ``__iadd__``, ``add_``, ``__radd__``
    and ``add.Tensor`` are all ``add``.

    >>> [canonical(n) for n in ("__iadd__", "add_", "__radd__", "relu_", "__getitem__")]
    ['add', 'add', 'add', 'relu', 'getitem']
    """
    name = name.split(".")[0]
    if name.startswith("__") and name.endswith("__"):
        name = name[2:-2]
        if name[:1] in ("i", "r") and name[1:] in ("add", "mul", "sub", "truediv", "and", "or"):
            name = name[1:]
    elif name.endswith("_") and not name.startswith("_"):
        name = name[:-1]
    return name


def _ints(value: Any, rank: int, default: int) -> list[int]:
    if value is None or value == []:
        return [default] * rank
    if isinstance(value, (int, float)):
        return [int(value)] * rank
    values = [int(v) for v in value]
    return values * rank if len(values) == 1 else values


def _pads(padding: Any, rank: int) -> list[tuple[int, int]] | str:
    if padding == "same":
        return "same"
    if padding == "valid":
        padding = 0
    return [(p, p) for p in _ints(padding, rank, 0)]


def _array(arg: Any) -> Any:
    return arg.value() if isinstance(arg, Arg) and arg.value is not None else None


def _conv(op: Op, a: dict[str, Any], transposed: bool) -> None:
    weight: Arg = a["weight"]
    rank = len(weight.shape) - 2
    groups = int(a.get("groups") or 1)
    op.kind = "conv_transpose" if transposed else "conv"
    op.attrs = {
        "filters": weight.shape[1] * groups if transposed else weight.shape[0],
        "kernel": list(weight.shape[2:]),
        "stride": _ints(a.get("stride"), rank, 1),
        "pads": _pads(a.get("padding"), rank),
        "dilation": _ints(a.get("dilation"), rank, 1),
    }
    if transposed:
        op.attrs["output_padding"] = _ints(a.get("output_padding"), rank, 0)


def _pool(op: Op, a: dict[str, Any], kind: str, rank: int) -> None:
    kernel = _ints(a.get("kernel_size"), rank, 1)
    op.kind = "pool"
    op.attrs = {
        "kernel": kernel,
        "stride": _ints(a.get("stride"), rank, 1) if a.get("stride") else kernel,
        "pads": _pads(a.get("padding"), rank),
        "kind": kind,
    }
    if a.get("ceil_mode"):  # padding_value() finds the padding that gives its size
        op.attrs["pads"] = None


def _adaptive(op: Op, kind: str, in_shape: tuple[int, ...] | None) -> str | None:
    """An adaptive pool whose output divides its input: a pool (a global one at size 1)."""
    if in_shape is None or op.shape is None or len(in_shape) < 2:
        return "its shapes are unknown"
    sizes = list(zip(in_shape[:-1], op.shape[:-1]))
    if any(n % out for n, out in sizes):
        return f"an adaptive pool from {list(in_shape[:-1])} to {list(op.shape[:-1])}"
    kernel = [n // out for n, out in sizes]
    op.kind = "pool"
    op.attrs = {"kernel": kernel, "stride": kernel, "pads": None, "kind": kind}
    return None


def _act(op: Op, name: str, a: dict[str, Any]) -> None:
    activation = ACTIVATIONS.get(name, name)
    if name == "hardtanh":
        low, high = a.get("min_val", -1.0), a.get("max_val", 1.0)
        activation = "relu6" if (low, high) == (0.0, 6.0) else "hardtanh"
    op.kind, op.attrs = "act", {"activation": activation}


def _norm(op: Op, a: dict[str, Any], layer: bool) -> None:
    op.kind = "norm"
    op.attrs = {"block": "layernorm"} if layer else {}
    stats = [_array(a.get(k)) for k in ("weight", "bias", "running_mean", "running_var")]
    if all(s is not None for s in stats):
        op.params = {**dict(zip(("gamma", "beta", "mean", "var"), stats)),
                     "eps": float(a.get("eps") or 1e-5)}  # fmt: skip


def _dense(op: Op, weight: Arg, bias: Any) -> None:
    op.kind, op.attrs = "dense", {"units": int(weight.shape[0])}
    w = _array(weight)
    if w is not None:
        op.params = {"W": w.T}  # torch Linear is [out, in]
        b = _array(bias)
        if b is not None:
            op.params["b"] = b


def _bind(name: str, args: Sequence[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    names = SIGNATURES.get(name, ("input",))
    bound = dict(zip(names, args))
    bound.update(kwargs)
    return bound


def map_function(
    op: Op,
    name: str,
    args: Sequence[Any],
    kwargs: dict[str, Any],
    in_shape: tuple[int, ...] | None,
) -> str | None:
    """Sets ``op`` from a call of the function ``name`` (as :func:`canonical` gives it,
    ``aten.batch_norm`` for ATen's own argument order); tensors in ``args`` are
    :class:`Arg`. Returns None, or why it is a generic block."""
    a = _bind(name, args, kwargs)
    data = [x for x in _flat(args) if isinstance(x, Arg) and x.source is not None]
    rank = max(len(in_shape) - 1, 0) if in_shape else 0
    if name in ("conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"):
        _conv(op, a, transposed=name.startswith("conv_transpose"))
    elif name == "linear":
        if in_shape is not None and len(in_shape) > 1:  # nnsvg's dense flattens first
            return "a dense layer along the last axis"
        _dense(op, a["weight"], a.get("bias"))
    elif name.startswith(("max_pool", "avg_pool")):
        _pool(op, a, "max" if name.startswith("max") else "avg", rank)
    elif name.startswith(("adaptive_avg_pool", "adaptive_max_pool")):
        return _adaptive(op, "max" if "max" in name else "avg", in_shape)
    elif name in ACTIVATIONS or name == "hardtanh":
        _act(op, name, a)
    elif name in NORM_FUNCTIONS:
        _norm(op, a, layer=name in ("layer_norm", "native_layer_norm"))
    elif name in PASSING:
        op.kind = "drop" if "dropout" in name else "identity"
    elif name in MERGES:
        if len(data) > 1:
            op.kind = MERGES[name]
        else:  # a bias, a scale: a constant joined to one data tensor
            op.kind, op.source = "identity", f"{op.source} of a constant"
            const = next((x for x in args if not (isinstance(x, Arg) and x.source)), None)
            value = _array(const) if isinstance(const, Arg) else const
            if value is not None:
                op.params = {"add" if name == "add" else "mul": value}
    elif name in ("cat", "concat", "concatenate"):
        return _cat(op, a, data, rank)
    elif name in ("flatten", "view", "reshape", "_unsafe_view"):
        if op.shape is None or len(op.shape) != 1:
            return f"a reshape to {list(op.shape or ())}"
        op.kind = "flatten"
    elif name == "mean":
        return _mean(op, a, in_shape)
    elif name in ("interpolate", "upsample", "upsample_nearest2d", "upsample_bilinear2d",
                  "upsample_nearest1d", "upsample_linear1d"):  # fmt: skip
        if in_shape is None or op.shape is None:
            return "its shapes are unknown"
        factors = [o / i for o, i in zip(op.shape[:-1], in_shape[:-1])]
        if any(f != int(f) or f < 1 for f in factors):
            return f"a resize by {factors}"
        op.kind, op.attrs = "upsample", {"size": [int(f) for f in factors]}
    elif name in ("pad", "constant_pad_nd"):
        return _pad(op, a, rank)
    elif name == "embedding":  # ATen's: (weight, indices)
        weight = a["weight"]
        op.kind = "embedding"
        op.attrs = {"units": int(weight.shape[1]), "vocab": int(weight.shape[0])}
    elif name in ("lstm", "gru") and op.shape:  # ATen's, as a .pt2 file holds them
        cls = name.upper()
        recurrent(
            op, cls, op.shape[-1], bool(a.get("bidirectional")), int(a.get("num_layers") or 1)
        )
    else:
        return ""
    return None


def _flat(values: Sequence[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        out += _flat(value) if isinstance(value, (list, tuple)) else [value]
    return out


def _cat(op: Op, a: dict[str, Any], data: list[Arg], rank: int) -> str | None:
    if len(data) < 2:
        op.kind = "identity"
        return None
    dim = int(a.get("dim", 0) or 0)
    ndim = rank + 2
    dim = dim % ndim if ndim > 1 else dim
    if dim == 0:
        return "a concatenation along the batch"
    op.kind = "concat"
    if dim != 1:
        op.attrs["axis"] = dim - 2
    return None


def _mean(op: Op, a: dict[str, Any], in_shape: tuple[int, ...] | None) -> str | None:
    """A mean over every spatial axis: a global average pool."""
    if not in_shape or len(in_shape) < 2:
        return "a mean"
    rank = len(in_shape) - 1
    dims = a.get("dim")
    dims = [dims] if isinstance(dims, int) else list(dims or [])
    if sorted(int(d) % (rank + 2) for d in dims) != list(range(2, rank + 2)):
        return "a mean over other than the spatial axes"
    op.kind = "pool"
    op.shape = (*[1] * rank, in_shape[-1])
    op.attrs = {"kernel": list(in_shape[:-1]), "stride": list(in_shape[:-1]), "kind": "avg"}
    return None


def _pad(op: Op, a: dict[str, Any], rank: int) -> str | None:
    """``F.pad`` of the spatial axes with zeros: folded into the next conv or pool."""
    pad = [int(p) for p in a.get("pad") or []]
    if a.get("mode", "constant") != "constant" or a.get("value") not in (None, 0, 0.0):
        return "a padding other than with zeros"
    if len(pad) != 2 * rank or rank == 0:
        return "a padding of other than the spatial axes"
    # torch lists the last axis first: (left, right, top, bottom)
    op.kind = "pad"
    pairs = [(pad[2 * k], pad[2 * k + 1]) for k in range(rank)]
    op.attrs = {"pads": pairs[::-1]}
    return None


def map_module(
    op: Op, module: Any, args: Sequence[Any], in_shape: tuple[int, ...] | None, torch: Any
) -> str | None:
    """Sets ``op`` from a call of the leaf module ``module`` (its class and settings);
    returns None, or why it is a generic block."""
    nn = torch.nn
    cls = type(module).__name__

    def param(name: str) -> Arg | None:
        value = getattr(module, name, None)
        if value is None:
            return None
        return Arg(tuple(value.shape), None, lambda: value.detach().cpu().double().numpy())

    if isinstance(module, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d)):
        transposed = isinstance(module, (nn.ConvTranspose1d, nn.ConvTranspose2d))
        a = {key: getattr(module, key) for key in ("stride", "padding", "dilation", "groups")}
        a["weight"] = param("weight")
        if transposed:
            a["output_padding"] = module.output_padding
        _conv(op, a, transposed)
        return None
    if isinstance(module, nn.Linear):
        if in_shape is not None and len(in_shape) > 1:  # nnsvg's dense flattens first
            return "a dense layer along the last axis"
        _dense(op, param("weight"), param("bias"))  # type: ignore[arg-type]
        return None
    if isinstance(module, (nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d)):
        rank = max(len(in_shape or ()) - 1, 1)
        a = {key: getattr(module, key) for key in ("kernel_size", "stride", "padding")}
        a["ceil_mode"] = module.ceil_mode
        _pool(op, a, "max" if "Max" in cls else "avg", rank)
        return None
    if cls.startswith(("AdaptiveAvgPool", "AdaptiveMaxPool")) and cls[-2:] in ("1d", "2d"):
        return _adaptive(op, "max" if "Max" in cls else "avg", in_shape)
    if cls in MODULE_ACTIVATIONS:
        a = {}
        if cls == "ReLU6":
            a = {"min_val": 0.0, "max_val": 6.0}
        _act(op, MODULE_ACTIVATIONS[cls], a)
        return None
    if cls == "Hardtanh":
        _act(op, "hardtanh", {"min_val": module.min_val, "max_val": module.max_val})
        return None
    if cls in NORM_MODULES:
        a = {k: param(k) for k in ("weight", "bias", "running_mean", "running_var")}
        a["eps"] = getattr(module, "eps", 1e-5)
        _norm(op, a, layer=cls in ("LayerNorm", "RMSNorm"))
        if not isinstance(module, nn.modules.batchnorm._BatchNorm):
            op.params = {}
        return None
    if cls in DROP_MODULES:
        op.kind = "identity" if cls == "Identity" else "drop"
        return None
    if cls in ("LSTM", "GRU"):
        both = 2 if module.bidirectional else 1
        recurrent(op, cls, module.hidden_size * both, both == 2, module.num_layers)
        return None
    if cls == "MultiheadAttention":
        op.kind, op.attrs = "attention", {"heads": module.num_heads}
        return None
    if cls == "Embedding":
        op.kind = "embedding"
        op.attrs = {"units": module.embedding_dim, "vocab": module.num_embeddings}
        return None
    if cls == "Flatten":
        return map_function(op, "flatten", args, {}, in_shape)
    if cls in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"):
        return map_function(op, "interpolate", args, {}, in_shape)
    if cls in ("ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d"):
        return _pad(op, {"pad": module.padding, "value": getattr(module, "value", 0)},
                    max(len(in_shape or ()) - 1, 0))  # fmt: skip
    return ""
