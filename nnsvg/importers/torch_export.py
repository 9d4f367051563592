"""``.pt2`` files (``torch.export.save``): the exported program's ATen graph, read as it
is (no user code runs; the shapes are the ones it was exported with).

Each ``call_function`` node that reads data is an op, mapped like the function it calls
(:func:`nnsvg.importers.torch_ops.map_function`: ``aten.conv2d`` takes ``F.conv2d``'s
arguments); its name is the module path that ``nn_module_stack`` records
(``layer1.0.conv1``), or that path and the function (``layer1.0.add``) outside a
``torch.nn`` module. Parameters and buffers are the program's state, read only for
``--weights``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

from nnsvg.importers.ir import Graph, ModelError, Op
from nnsvg.importers.torch_ops import (
    SEQUENCE_MODULES,
    Arg,
    canonical,
    hwc,
    map_function,
    sequence_shape,
)

__all__ = ["read_exported"]

# Outputs of an ATen op beyond the first (batch norm's saved statistics, a max pool's
# indices) are not data.
_CONTAINERS = ("torch.nn.modules.container.",)


def _load(path: str, name: str, torch: Any) -> Any:
    try:
        return torch.export.load(path)
    except Exception as err:  # a damaged file, a program of another torch version
        raise ModelError(
            name, f"not a readable torch.export file ({type(err).__name__}: {err})"
        ) from None


def _label(node: Any, fname: str) -> tuple[str, str]:
    """The module path of ``node`` and the module's class (a ``torch.nn`` module's
    call), or the path of the module it runs in and the function's name, twice."""
    stack = node.meta.get("nn_module_stack") or {}
    if not stack:
        return fname, fname
    path, kind = list(stack.values())[-1]
    kind = kind if isinstance(kind, str) else getattr(kind, "__module__", "")
    leaf = kind.startswith("torch.nn.modules.") and not kind.startswith(_CONTAINERS)
    if leaf and path:  # an item of the model itself (a Sequential) as linear0
        cls = kind.rsplit(".", 1)[-1]
        return (f"{cls.lower()}{path}" if str(path).isdigit() else str(path)), cls
    return (f"{path}.{fname}" if path else fname), fname


def read_exported(
    path: str, name: str, input_shape: tuple[int, ...] | None, torch: Any, sample: Any = None
) -> Graph:
    """The exported program in ``path`` as a graph (``input_shape``, if given, must be
    the one it was exported with). With ``sample``, the program is run on it (its ATen
    operators only: no Python code of the model's) and each op keeps its output in
    ``params["map"]``."""
    if sample is not None:
        input_shape = tuple(sample.shape)
    program = _load(path, name, torch)
    signature = program.graph_signature
    user_inputs = list(signature.user_inputs)
    state_names = {**signature.inputs_to_parameters, **signature.inputs_to_buffers}
    constants_names = dict(getattr(signature, "inputs_to_lifted_tensor_constants", {}))
    state = program.state_dict
    constants = getattr(program, "constants", {})
    graph = Graph(path=name, format=f"torch.export, PyTorch {torch.__version__.split('+')[0]}")
    producer: dict[str, str] = {}  # fx node name -> op id
    outputs: list[str] = []

    def shape_of(node: Any) -> tuple[int, ...]:
        value = node.meta.get("val")
        shape = getattr(value, "shape", None)
        try:
            return tuple(int(d) for d in shape) if shape is not None else ()
        except TypeError:  # a symbolic size (a dynamic dimension)
            raise ModelError(
                name, f"'{node.name}' has a dynamic shape ({list(shape)}); export with fixed sizes"
            ) from None

    def arg(value: Any) -> Any:
        if isinstance(value, torch.fx.Node):
            key = value.name
            array = state.get(state_names.get(key, ""))
            if array is None:
                array = constants.get(constants_names.get(key, ""))
            held = array
            read = None if held is None else (lambda: held.detach().cpu().double().numpy())
            return Arg(shape_of(value), producer.get(key), read)
        if isinstance(value, (list, tuple)):
            return [arg(v) for v in value]
        return value

    shape_as, first_axis = _layout(program.graph.nodes)
    for node in program.graph.nodes:
        if node.op == "placeholder" and node.name in user_inputs:
            shape = shape_of(node)
            if input_shape is not None and tuple(input_shape) != shape:
                raise ModelError(
                    name,
                    f"the program was exported for inputs of shape {list(shape)}, not "
                    f"{list(input_shape)} (a .pt2 file keeps its shapes: leave out --input-shape)",
                )
            drop = int(first_axis)  # the batch's axis
            in_shape = shape_as(shape) if shape_as is hwc else shape[:drop] + shape[drop + 1 :]
            graph.add(Op(node.name, node.name, "input", "input", shape=in_shape or None))
            producer[node.name] = node.name
        elif node.op == "output":
            outputs = [producer[n.name] for n in _nodes(node.args, torch) if n.name in producer]
        elif node.op == "call_function":
            _call(graph, node, producer, arg, torch, shape_as)
    if not outputs or any(graph.ops[o].kind == "input" for o in outputs):
        raise ModelError(name, "the program's output is not computed from its input")
    from nnsvg.importers.torch_import import prune

    prune(graph, outputs)
    if sample is not None:
        _run(program, graph, sample, name, torch)
    return graph


def _layout(nodes: Any) -> tuple[Callable[[tuple[int, ...]], tuple[int, ...] | None], bool]:
    """How the program's shapes read as nnsvg's, and whether its batch is the second
    axis: a sequence model (an Embedding, LSTM, GRU or attention module and no
    convolution) keeps its channels last and drops the batch (the second axis when an
    ATen ``lstm``/``gru`` runs with ``batch_first`` false); any other model is
    channels first (:func:`~nnsvg.importers.torch_ops.hwc`)."""
    classes: set[str] = set()
    first = False
    for node in nodes:
        for _, kind in (node.meta.get("nn_module_stack") or {}).values():
            kind = kind if isinstance(kind, str) else getattr(kind, "__name__", "")
            classes.add(kind.rsplit(".", 1)[-1])
        schema = getattr(node.target, "_schema", None)
        if schema is not None and schema.name.split("::")[-1] in ("lstm", "gru"):
            first = first or node.args[-1] is False  # batch_first, ATen's last argument
    if classes & SEQUENCE_MODULES and not any(c.startswith("Conv") for c in classes):
        return functools.partial(sequence_shape, first=first), first
    return hwc, False


def _run(program: Any, graph: Graph, sample: Any, name: str, torch: Any) -> None:
    """Each op's output on ``sample`` (batch item 0), by its node's name."""
    seen: dict[str, Any] = {}

    class Recorder(torch.fx.Interpreter):  # type: ignore[misc]
        def run_node(self, node: Any) -> Any:
            out = super().run_node(node)
            if node.name in graph.ops and isinstance(out, torch.Tensor) and out.dim() >= 2:
                seen[node.name] = out[0].detach().float().cpu().numpy().copy()
            return out

    try:
        with torch.no_grad():
            Recorder(program.module()).run(torch.from_numpy(sample))
    except Exception as err:
        raise ModelError(
            name, f"--activations: running the program failed ({type(err).__name__}: {err})"
        ) from None
    for key, array in seen.items():
        graph.ops[key].params["map"] = array
    graph.inputs[0].params["map"] = sample[0]


def _nodes(value: Any, torch: Any) -> list[Any]:
    if isinstance(value, torch.fx.Node):
        return [value]
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in _nodes(v, torch)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _nodes(v, torch)]
    return []


def _call(
    graph: Graph,
    node: Any,
    producer: dict[str, str],
    arg: Any,
    torch: Any,
    shape_as: Callable[[tuple[int, ...]], tuple[int, ...] | None] = hwc,
) -> None:
    """One ATen call as an op (or, for ``getitem`` of a tuple result, the same op)."""
    sources: list[str] = []
    for source in _nodes([node.args, node.kwargs], torch):
        found = producer.get(source.name)
        if found is not None and found not in sources:
            sources.append(found)
    if not sources:
        return
    if node.target is operator.getitem:  # one result of a tuple: the first is the data
        if node.args[1] == 0:
            producer[node.name] = sources[0]
        return
    schema = getattr(node.target, "_schema", None)
    raw = schema.name.split("::")[-1] if schema is not None else str(node.target)
    fname = canonical(raw)
    if fname == "batch_norm":
        fname = "aten.batch_norm"  # ATen's argument order, not F.batch_norm's
    label, source = _label(node, canonical(raw))
    op = Op(node.name, label, "", source)
    op.inputs = sources
    value = node.meta.get("val")
    first = value[0] if isinstance(value, (list, tuple)) and value else value
    shape = getattr(first, "shape", None)
    op.shape = shape_as(tuple(int(d) for d in shape)) if shape is not None else None
    why = map_function(op, fname, arg(list(node.args)), {k: arg(v) for k, v in node.kwargs.items()},
                       graph.ops[sources[0]].shape)  # fmt: skip
    if why is not None:
        op.kind, op.attrs = "op", {"why": why}
    graph.add(op)
    producer[node.name] = op.id
