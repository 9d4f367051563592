"""What a block of the blocks style says: its label and its second line.

:func:`block_label` is the spec's label, else a name from the node's type
(:data:`DEFAULT_LABELS`; an activation block's ``fn`` as papers write it,
:data:`FUNCTIONS`); :func:`block_detail` the spec's size_label, else the parameters
papers print, else the shape.
"""

from __future__ import annotations

from nnsvg.network import Node
from nnsvg.spec.shapes import format_shape

__all__ = ["DEFAULT_LABELS", "FUNCTIONS", "block_detail", "block_label"]

DEFAULT_LABELS = {
    "input": "Input",
    "dense": "Feed Forward",
    "conv": "Convolution",
    "conv_transpose": "Transposed Conv",
    "pool": "Pooling",
    "upsample": "Upsample",
    "flatten": "Flatten",
    "crop": "Crop",
    "attention": "Multi-Head Attention",
    "layernorm": "Layer Norm",
    "batchnorm": "Batch Norm",
    "dropout": "Dropout",
    "softmax": "Softmax",
    "activation": "Activation",
    "positional_encoding": "Positional Encoding",
    "embedding": "Embedding",
    "lstm": "LSTM",
    "gru": "GRU",
    "op": "Operation",
}
"""A block's label when the spec gives none, by node kind."""
FUNCTIONS = {
    "relu": "ReLU",
    "gelu": "GELU",
    "tanh": "tanh",
    "sigmoid": "σ",
    "softmax": "Softmax",
    "silu": "SiLU",
    "swish": "Swish",
    "elu": "ELU",
    "selu": "SELU",
    "leaky_relu": "Leaky ReLU",
    "leakyrelu": "Leaky ReLU",
    "mish": "Mish",
}
"""An activation block's ``fn`` as papers write it; other text is drawn as given."""


def block_label(node: Node) -> str:
    """The block's first line: the spec's label, else a name from its type."""
    if node.label:
        return node.label
    layer = node.layer
    if node.kind == "activation" and layer is not None and layer.fn:
        return FUNCTIONS.get(layer.fn.lower(), layer.fn)
    if node.kind == "pool" and layer is not None:
        return "Avg Pool" if layer.kind == "avg" else "Max Pool"
    return DEFAULT_LABELS.get(node.kind, node.kind)


def block_detail(node: Node) -> str:
    """The second line: the spec's size_label, else the parameters papers print
    ("h=8, d=512"), else the shape."""
    if node.size_label is not None:
        return node.size_label
    layer = node.layer
    if layer is not None:
        if node.kind == "attention":
            return f"h={layer.heads}, d={node.shape[-1]}" if layer.heads else ""
        if node.kind == "dropout" and layer.rate is not None:
            return f"p={layer.rate:g}"
        if node.kind == "embedding" and layer.vocab is not None:
            return f"{layer.vocab:,} → {node.shape[-1]}"
    return format_shape(node.shape)
