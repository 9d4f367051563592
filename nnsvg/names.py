"""How messages name the nodes a figure draws: ``layers[2] 'C1'``, ``input``.

A figure's nodes are its groups ``layer-N`` (``layer-0`` the input) and ``input-K``
(the further inputs), as the :class:`~nnsvg.network.Network` numbers them;
:func:`node_names` gives each the name of what it draws in the spec, and the pipeline
puts that on the scene (:attr:`nnsvg.scene.Scene.names`), so that the lint names a
layer without the spec.

>>> from nnsvg.network import resolve
>>> from nnsvg.spec.model import InputSpec, Layer, Spec
>>> spec = Spec(
...     layers=(Layer(0, type="conv", filters=4, kernel=(3,), label="C1"), Layer(1, units=2)),
...     input=InputSpec(shape=(8, 8, 1)),
...     style="lenet",
... )
>>> node_names(spec, resolve(spec))
{'layer-0': 'input', 'layer-1': "layers[0] 'C1'", 'layer-2': 'layers[1]'}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nnsvg.checker import printable
from nnsvg.spec.load import format_path

if TYPE_CHECKING:
    from nnsvg.network import Network
    from nnsvg.spec.model import InputSpec, Spec

__all__ = ["describe_input", "describe_layer", "node_names"]


def _quoted(text: str | None) -> str:
    # Escaped like every spec text a message quotes: a line break must not start a line.
    return f" '{printable(text)}'" if text else ""


def describe_layer(spec: Spec, index: int) -> str:
    """``layers[2] 'C1'`` (its label quoted), or ``layers[2]``."""
    return spec.layers[index].field_of() + _quoted(spec.layers[index].label)


def describe_input(spec: Spec, index: int, item: InputSpec) -> str:
    """``input`` for a spec's one input; ``inputs[K] 'label'`` when it has several."""
    if not spec.extra_inputs:
        return "input"
    return f"inputs[{index}]" + _quoted(item.label)


def node_names(spec: Spec, net: Network) -> dict[str, str]:
    """Node id -> the name of what the node draws in ``spec`` (the spec drawn, its
    ``--style`` applied; ``net`` its network).

    A style that draws only the dense layers a CNN chain ends with (``--style fcnn``,
    see :func:`nnsvg.pipeline.dense_part`) numbers its nodes from that tail, fed by the
    flattened tensor before it: they are named as the spec's own layers (the tensor
    as the layer that makes it, or the input). The test is build_network's: keep
    the two alike."""
    from nnsvg.engines import ENGINES
    from nnsvg.spec.graph import all_inputs, is_graph

    engine = ENGINES.get(spec.style)
    dense_only = engine is not None and engine.draws.dense_tail_only
    if dense_only and spec.is_cnn and not is_graph(spec):
        from nnsvg.pipeline import dense_tail

        start = dense_tail(spec)
        names = [describe_layer(spec, index) for index in range(start, len(spec.layers))]
        if start:
            names.insert(0, describe_layer(spec, start - 1))
        elif spec.input is not None:
            names.insert(0, "input")
        return {node.id: name for node, name in zip(net.nodes, names)}
    inputs = all_inputs(spec)
    out: dict[str, str] = {}
    for node in net.nodes:
        if node.layer is not None:
            out[node.id] = describe_layer(spec, node.layer.index)
        elif node.index < len(inputs):
            out[node.id] = describe_input(spec, node.index, inputs[node.index])
    for frame in net.frames:  # a group the blocks style draws as one block
        out[frame.id] = format_path(spec.groups[frame.index].path) + _quoted(frame.label)
    return out
