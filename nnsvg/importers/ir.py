"""The neutral model every importer builds, and the passes that fold it for a figure.

An importer (ONNX, Keras) turns a model file into a :class:`Graph` of :class:`Op` in
topological order; :func:`fold` then folds what a figure does not draw as a layer
(activations, normalisation, dropout, padding) into the layer it follows, and
:mod:`nnsvg.importers.spec_writer` writes the rest as a spec.

Shapes are nnsvg's: the batch dropped, channels last (``(h, w, c)``, ``(length, c)``,
``(units,)``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nnsvg.errors import Location, NnsvgError

__all__ = ["BLOCKS", "DRAWN", "Graph", "ModelError", "Op", "fold", "generic", "keep_blocks"]

# Operation blocks (nnsvg.spec.ops): only the blocks style draws them.
BLOCKS = frozenset({"attention", "layernorm", "embedding", "lstm", "gru", "op"})
# Kinds that become a spec layer (with "input"); the others are folded by fold().
DRAWN = (
    frozenset(
        {"dense", "conv", "conv_transpose", "pool", "upsample", "flatten", "add", "multiply"}
        | {"concat"}
    )
    | BLOCKS
)
# Folded into the layer they follow: the activation is shown, the rest only noted.
FOLDED = frozenset({"act", "norm", "drop", "identity", "pad"})


class ModelError(NnsvgError):
    """A model file cannot be read or imported; ``str()`` starts with the file name."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(message, location=Location(file=path))


@dataclass
class Op:
    """One operation of the model.

    ``kind`` is a spec layer type (``DRAWN``), ``input``, or a folded kind (``act``,
    ``norm``, ``drop``, ``identity``, ``pad``); ``attrs`` holds spec keys (``filters``,
    ``kernel``, ``stride``, ``pads`` as ``[(begin, end), ...]`` per spatial axis or
    ``"same"``, ``units``, ``size``, ``kind``, ``axis``, ``activation``);
    ``inputs`` are the ids of the ops it reads (data only); ``source`` is the model's
    own operator or class name, as messages and notes name it."""

    id: str
    name: str
    kind: str
    source: str
    inputs: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    shape: tuple[int, ...] | None = None
    # Arrays for --weights (read only when asked): a dense layer's "W" [in, out] and "b";
    # a constant "add" or "mul" after one; a batch norm's "gamma", "beta", "mean", "var",
    # "eps".
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Graph:
    """A model as ops in topological order, with what importing did to it."""

    path: str  # the model file, as messages name it
    format: str  # "ONNX", "Keras 3", ...
    ops: dict[str, Op] = field(default_factory=dict)
    title: str | None = None
    folded: Counter[str] = field(default_factory=Counter)  # source op -> count
    dropped: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    generic: Counter[str] = field(default_factory=Counter)  # kept as {type: op}

    def add(self, op: Op) -> Op:
        self.ops[op.id] = op
        return op

    def consumers(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {key: [] for key in self.ops}
        for op in self.ops.values():
            for source in op.inputs:
                out[source].append(op.id)
        return out

    @property
    def inputs(self) -> list[Op]:
        return [op for op in self.ops.values() if op.kind == "input"]


def keep_blocks(graph: Graph) -> None:
    """For the blocks style: a normalisation that has a block type of its own
    (``attrs["block"]``, LayerNormalization: ``layernorm``) is kept as that block."""
    for op in graph.ops.values():
        if op.kind == "norm" and op.attrs.get("block"):
            op.kind = op.attrs.pop("block")


def generic(graph: Graph, op: Op, why: str | None = None) -> None:
    """Makes ``op`` a generic block (``{type: op, label: <operator>}``), noted."""
    op.kind, op.attrs = "op", {}
    graph.generic[op.source] += 1
    if why:
        graph.notes.append(f"{op.source} '{op.name}' kept as a generic block ({why})")


def _add_pads(op: Op, pads: list[tuple[int, int]]) -> bool:
    """Adds an explicit padding (a folded Pad) to a conv or pool; False if it cannot."""
    own = op.attrs.get("pads")
    if op.kind not in ("conv", "pool") or own == "same" or len(pads) != len(op.attrs["kernel"]):
        return False
    own = own or [(0, 0)] * len(pads)
    op.attrs["pads"] = [(a + c, b + d) for (a, b), (c, d) in zip(own, pads)]
    return True


def fold(graph: Graph) -> None:
    """Folds every op of a ``FOLDED`` kind into the graph: an activation becomes the
    ``activation`` of the layer it follows (when that layer feeds nothing else and has
    none yet), a padding goes into the next conv or pool; the rest are noted and
    removed. Readers of a removed op read its input instead."""
    replaced: dict[str, str] = {}
    consumers = graph.consumers()
    for op in list(graph.ops.values()):
        op.inputs = [replaced.get(i, i) for i in op.inputs]
        if op.kind not in FOLDED:
            continue
        (source,) = op.inputs
        producer = graph.ops[source]
        if op.kind == "act":
            activation = op.attrs["activation"]
            alone = len(consumers[source]) == 1 and producer.kind != "input"
            if alone and not producer.attrs.get("activation"):
                producer.attrs["activation"] = activation
                graph.folded[op.source] += 1
            else:
                graph.dropped[op.source] += 1
                where = "the input" if producer.kind == "input" else f"'{producer.name}'"
                graph.notes.append(f"{op.source} '{op.name}' after {where} not drawn")
        elif op.kind == "pad":
            after = consumers[op.id]
            if len(after) == 1 and _add_pads(graph.ops[after[0]], op.attrs["pads"]):
                graph.folded[op.source] += 1
            else:
                graph.dropped[op.source] += 1
                graph.notes.append(f"{op.source} '{op.name}' not before a conv or pool: dropped")
        elif op.kind in ("norm", "identity"):
            graph.folded[op.source] += 1
        else:
            graph.dropped[op.source] += 1
        replaced[op.id] = source
        for later in consumers[op.id]:
            consumers[source].append(later)
        consumers[source] = [c for c in consumers[source] if c != op.id]
        del graph.ops[op.id]
