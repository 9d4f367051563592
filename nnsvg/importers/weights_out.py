"""``nnsvg import --weights``: a model's dense matrices as an ``.npz`` nnsvg reads.

The importers fill :attr:`Op.params <nnsvg.importers.ir.Op.params>` (ONNX initializers
through ``onnx.numpy_helper``; Keras ``.h5`` and the ``model.weights.h5`` inside a
``.keras`` through h5py). :func:`fold_weights` runs before :func:`~nnsvg.importers.ir.fold`:
a constant bias or scale and a batch norm after a dense layer are folded into its
matrix numerically (``W' = W·γ/√(σ²+ε)``, ``b' = (b−μ)·γ/√(σ²+ε) + β``).
:func:`npz_bytes` writes the matrices ``[in, out]`` (Keras' orientation; ONNX Gemm
with ``transB`` and torch Linear are ``[out, in]`` and are transposed on reading), each
followed by its bias, in the order of the layers: what a ``weights:`` key reads.
"""

from __future__ import annotations

import io
import math
from typing import Any

from nnsvg.importers.ir import Graph, ModelError, Op

__all__ = ["KERAS_BN", "fold_weights", "keras_params", "npz_bytes"]

KERAS_BN = ("gamma", "beta", "moving_mean", "moving_variance")


def fold_weights(graph: Graph) -> None:
    """Folds each constant add/mul and batch norm that follows a dense layer (its only
    reader) into the layer's ``W`` and ``b``; a dense layer without weights is an error."""
    import numpy as np

    consumers = graph.consumers()
    for op in graph.ops.values():
        if op.kind != "dense":
            continue
        if "W" not in op.params:
            raise ModelError(graph.path, f"--weights: the dense layer '{op.name}' has no weights")
        try:
            with np.errstate(all="ignore"):  # a negative variance: said below as NaN
                _fold_one(graph, op, consumers)
        except (ValueError, TypeError, IndexError) as err:  # arrays of the wrong shapes
            raise ModelError(
                graph.path,
                f"--weights: the weights of '{op.name}' do not fit its layer ({err})",
            ) from None


def _fold_one(graph: Graph, op: Op, consumers: dict[str, list[str]]) -> None:
    """One dense layer's ``W`` and ``b``, with what follows it folded in."""
    import numpy as np

    w = np.asarray(op.params["W"], dtype=float)
    if w.ndim != 2 or not np.all(np.isfinite(w)):
        raise ValueError(f"a matrix of shape {w.shape}, or not finite")
    b = np.asarray(op.params.get("b", np.zeros(w.shape[1])), dtype=float).reshape(-1)
    current = op.id
    while len(consumers[current]) == 1:
        nxt = graph.ops[consumers[current][0]]
        if nxt.kind not in ("identity", "norm", "drop"):
            break
        p = nxt.params
        if "add" in p:
            b = b + np.asarray(p["add"], dtype=float).reshape(-1)
        elif "mul" in p:
            scale = np.asarray(p["mul"], dtype=float).reshape(-1)
            w, b = w * scale, b * scale
        elif "gamma" in p:
            scale = np.asarray(p["gamma"]) / np.sqrt(np.asarray(p["var"]) + p["eps"])
            w, b = w * scale, (b - np.asarray(p["mean"])) * scale + np.asarray(p["beta"])
        elif nxt.kind == "norm":
            graph.notes.append(
                f"--weights: {nxt.source} '{nxt.name}' after '{op.name}' is not folded "
                "into its weights (it depends on the input)"
            )
        current = nxt.id
    if w.shape[1] != op.attrs["units"] or b.shape != (w.shape[1],):
        raise ValueError(
            f"a {w.shape[0]}×{w.shape[1]} matrix and {b.size} biases for {op.attrs['units']} units"
        )
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
        raise ValueError("NaN or infinite values once batch norm is folded in")
    op.params = {"W": w, "b": b}


def npz_bytes(graph: Graph, names: dict[str, str]) -> bytes:
    """The ``.npz`` of the dense layers' (folded) matrices and biases, layer order."""
    import numpy as np

    arrays: dict[str, Any] = {}
    units = None
    for op in graph.ops.values():
        if op.kind != "dense" and (op.kind == "input" or op.shape):
            # what the next dense layer reads: the input, or the (flattened) maps of
            # a CNN's layer before its dense tail, which an FCNN figure starts from
            units = math.prod(op.shape or (1,))
        if op.kind == "dense":
            rows = op.params["W"].shape[0]
            if rows != units:
                raise ModelError(
                    graph.path,
                    f"--weights: the matrix of '{op.name}' has {rows} rows; the layer "
                    f"before it has {units} units",
                )
            units = op.attrs["units"]
            arrays[f"{names[op.id]}.weight"] = op.params["W"]
            arrays[f"{names[op.id]}.bias"] = op.params["b"]
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def keras_params(source: Any, name: str, graph: Graph) -> None:
    """Sets the params of Keras dense and batch norm ops from an HDF5 weights file
    (a path or a file object): ``layers/<name>/vars/<k>`` (Keras 3) or
    ``model_weights/<name>/.../kernel`` (legacy ``.h5``)."""
    try:
        import h5py
    except ImportError:
        raise ModelError(
            name, "--weights: reading Keras weights needs h5py: pip install 'nnsvg[keras-h5]'"
        ) from None
    try:
        with h5py.File(source, "r") as handle:
            found = _datasets(handle)
            for op in graph.ops.values():
                arrays = found.get(op.name)
                if not arrays or op.kind not in ("dense", "norm"):
                    continue
                if op.kind == "dense":
                    op.params = {"W": arrays[0]}  # Keras kernels are [in, out]
                    if len(arrays) > 1:
                        op.params["b"] = arrays[1]
                elif op.source == "BatchNormalization" and len(arrays) == 4:
                    op.params = dict(zip(("gamma", "beta", "mean", "var"), arrays))
                    op.params["eps"] = op.attrs.pop("eps", 1e-3)
    except OSError as err:
        raise ModelError(name, f"--weights: cannot read the weights ({err})") from None
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # not as Keras writes
        raise ModelError(
            name, f"--weights: weights not laid out as Keras writes them ({err})"
        ) from None


def _datasets(handle: Any) -> dict[str, list[Any]]:
    """Layer name -> its arrays, in the order Keras stores them."""
    out: dict[str, list[Any]] = {}
    if handle.get("layers") is not None:
        # Keras 3 model.weights.h5: layers/<name>/vars/0, 1, ... (a nested model's
        # layers under layers/<model>/layers/<name>/vars)
        def visit(path: str, item: Any) -> None:
            if path.endswith("/vars") and len(item) and "/layers/" in f"/{path}":
                layer = path.rsplit("/", 2)[-2]
                out.setdefault(layer, [item[str(k)][()] for k in range(len(item))])

        handle.visititems(visit)
        return out
    root = handle.get("model_weights", handle)
    for layer, group in root.items():
        names = [
            n.decode() if isinstance(n, bytes) else n for n in group.attrs.get("weight_names", [])
        ]
        if names:
            out[layer] = [group[n][()] for n in names]
    return out
