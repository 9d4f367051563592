"""A short text description of a figure, for screen readers (the SVG's ``<desc>``).

Written from the :class:`~nnsvg.network.Network` when the spec gives no
``description``: the style, the number of drawn layers, each layer's kind and
shape (a long network keeps its first and last few), and what makes it more than
a chain (several inputs or outputs, merges, skip connections).

>>> from nnsvg.network import resolve
>>> from nnsvg.spec.model import InputSpec, Layer, Spec
>>> spec = Spec(
...     layers=(Layer(0, type="conv", filters=6, kernel=(5,)), Layer(1, units=10)),
...     input=InputSpec(shape=(32, 32, 1)),
...     style="lenet",
... )
>>> describe(resolve(spec))
'LeNet-style figure, 3 layers: input 32×32×1, convolution 6@28×28, dense 10 units.'
"""

from __future__ import annotations

from nnsvg.mathtext import plain
from nnsvg.network import Network, Node
from nnsvg.spec.shapes import format_shape

__all__ = ["HEAD", "TAIL", "describe", "node_text"]

# A network of more than HEAD + TAIL + 2 layers is summarised: its first HEAD and
# last TAIL layers, and how many lie between.
HEAD = 3
TAIL = 3

_STYLES = {
    "fcnn": "FCNN-style",
    "lenet": "LeNet-style",
    "alexnet": "AlexNet-style",
    "blocks": "Block-diagram",
}
_KINDS = {
    "conv": "convolution",
    "conv_transpose": "transposed convolution",
    "upsample": "upsampling",
    "concat": "concatenation",
    "layernorm": "layer normalisation",
    "batchnorm": "batch normalisation",
    "positional_encoding": "positional encoding",
    "op": "operation",
}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _size(shape: tuple[int, ...]) -> str:
    if len(shape) == 1:
        return _plural(shape[0], "unit")
    if len(shape) == 3:
        return f"{shape[2]}@{shape[0]}×{shape[1]}"
    if len(shape) == 2:
        return f"{shape[1]}@{shape[0]}"
    return format_shape(shape)


def node_text(node: Node) -> str:
    """One layer: its kind, its shape and the label the spec gives it.

    >>> from nnsvg.network import Node
    >>> node_text(Node(1, 1, "pool", (14, 14, 6), None, "S2", None, None, None))
    'max-pool 6@14×14 (S2)'
    """
    if node.kind == "input":
        kind = "input"
        size = format_shape(node.shape) if len(node.shape) > 1 else _size(node.shape)
    else:
        if node.kind == "pool":
            kind = (
                "average-pool"
                if node.layer is not None and node.layer.kind == "avg"
                else "max-pool"
            )
        else:
            kind = _KINDS.get(node.kind, node.kind)
        size = _size(node.shape)
    text = f"{kind} {size}"
    label = plain(node.label) if node.label else None
    if label and label.strip().lower() != kind:
        text += f" ({' '.join(label.split())})"
    return text


def describe(net: Network) -> str:
    """The figure described in a few sentences (see the module's doc)."""
    nodes = net.nodes
    style = _STYLES.get(net.style, f"{net.style}-style")
    parts = [node_text(n) for n in nodes]
    if len(parts) > HEAD + TAIL + 2:
        hidden = len(parts) - HEAD - TAIL
        parts = [*parts[:HEAD], f"… {_plural(hidden, 'more layer')} …", *parts[-TAIL:]]
    text = f"{style} figure, {_plural(len(nodes), 'layer')}: {', '.join(parts)}."
    read = {i for n in nodes for i in n.inputs}
    outputs = [n for n in nodes if n.index not in read]
    inputs = [n for n in nodes if n.layer is None or (not n.inputs and n.index == 0)]
    extra = []
    if net.first_branch() is not None:
        merges = sum(1 for n in nodes if len(n.inputs) > 1)
        if len(inputs) > 1:
            extra.append(_plural(len(inputs), "input"))
        if merges:
            extra.append(_plural(merges, "merge"))
        if len(outputs) > 1:
            shown = ", ".join(node_text(n) for n in outputs[: HEAD + TAIL])
            more = len(outputs) - HEAD - TAIL
            extra.append(
                f"{_plural(len(outputs), 'output')} ({shown}"
                + (f", {more} more)" if more > 0 else ")")
            )
        text += (
            " Branches: "
            + (", ".join(extra) if extra else "layers read other than the one before")
            + "."
        )
    if net.skips:
        text += f" {_plural(len(net.skips), 'skip connection')}."
    return text
