"""PyTorch models through ``torch`` (the ``nnsvg[torch]`` extra), three ways in:

- ``torch:package.module:factory`` (``--input-shape`` needed): the factory (a function,
  a class, or a module instance) is imported and the model run once, in eval mode, on a
  seeded random input. Forward hooks on the modules record each leaf module's call
  (``nn.Conv2d``...) with the module path as its name (``layer1.0.conv1``); a
  :class:`torch.overrides.TorchFunctionMode` records the functions called outside leaf
  modules (``torch.cat``, ``x + y``, ``flatten``), so merges are found. Only the path
  actually run is recorded, so data-dependent code is fine (where fx tracing and
  ``torch.export`` fail); what the output does not depend on (the test of an ``if``) is
  left out.
- ``.pt2`` (``torch.export.save``): its ATen graph is read as it is; no code runs
  (for ``--activations``, its ATen operators do).
- a pickled ``nn.Module`` (``torch.save(model)``, ``.pt``/``.pth``): loading a pickle
  runs code from the file, so it is refused unless ``trust`` is given.

Each call becomes an op through :mod:`nnsvg.importers.torch_ops`.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nnsvg.errors import NnsvgError
from nnsvg.importers.ir import Graph, ModelError, Op, generic
from nnsvg.importers.torch_ops import (
    SEQUENCE_MODULES,
    Arg,
    canonical,
    hwc,
    map_function,
    map_module,
    sequence_shape,
)

__all__ = ["read_torch"]

SEED = 0
UNUSED = "operations the output does not depend on"
# torch.nn modules with children that are one layer all the same (its out_proj).
ATOMIC = frozenset({"MultiheadAttention"})


def _torch() -> Any:
    try:
        import torch
        import torch.overrides
    except ImportError:
        raise NnsvgError(
            "importing PyTorch models needs torch: pip install 'nnsvg[torch]'"
        ) from None
    return torch


def read_torch(
    source: str,
    name: str,
    input_shape: tuple[int, ...] | None,
    weights: bool = False,
    trust: bool = False,
    sample: Any = None,
) -> Graph:
    """The PyTorch model ``source`` (``torch:pkg.mod:factory``, a ``.pt2`` file, or with
    ``trust`` a pickled module) as a graph, named ``name`` in messages. With ``sample``
    (an array, batch first), the model is run on it and each op keeps its output in
    ``params["map"]`` (for ``--activations``)."""
    torch = _torch()
    if source.startswith("torch:"):
        model = _factory(source[len("torch:") :], name, torch)
        return _record(model, name, input_shape, torch, sample)
    if not os.path.isfile(source):
        raise ModelError(name, "cannot read the model: no such file")
    if Path(source).suffix.lower() == ".pt2":
        from nnsvg.importers.torch_export import read_exported

        return read_exported(source, name, input_shape, torch, sample)
    return _record(_unpickle(source, name, trust, torch), name, input_shape, torch, sample)


@contextlib.contextmanager
def _cwd_on_path() -> Iterator[None]:
    """The current folder importable (as ``python -c`` has it), for the user's modules."""
    here = os.getcwd()
    added = here not in sys.path
    if added:
        sys.path.insert(0, here)
    try:
        yield
    finally:
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(here)


def _factory(target: str, name: str, torch: Any) -> Any:
    """The model a ``package.module:factory`` names: the factory called, or the module
    instance itself."""
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise ModelError(name, "a PyTorch model is named torch:package.module:factory")
    with _cwd_on_path():
        try:
            module = importlib.import_module(module_name)
        except (Exception, SystemExit) as err:  # ImportError, or anything the module raises
            raise ModelError(
                name, f"cannot import '{module_name}' ({type(err).__name__}: {err})"
            ) from None
    value: Any = module
    for part in attr.split("."):
        if not hasattr(value, part):
            raise ModelError(name, f"'{module_name}' has no '{attr}'")
        value = getattr(value, part)
    if not isinstance(value, torch.nn.Module):
        if not callable(value):
            raise ModelError(name, f"'{attr}' is neither a model nor a function making one")
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(SEED)
                value = value()
        except (Exception, SystemExit) as err:
            raise ModelError(
                name, f"calling '{attr}()' failed ({type(err).__name__}: {err})"
            ) from None
    if not isinstance(value, torch.nn.Module):
        kind = type(value).__name__
        raise ModelError(name, f"'{attr}' gave a value of type {kind}, not a torch.nn.Module")
    return value


def _unpickle(path: str, name: str, trust: bool, torch: Any) -> Any:
    """A ``torch.save(model)`` file: read as weights only (safe) unless ``trust``."""
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:
        if not trust:
            raise ModelError(
                name,
                "a pickled model: loading it runs code from the file, so nnsvg does not "
                "unless you pass --trust; better, import the model's code as "
                "torch:package.module:factory, or a .pt2 file (torch.export.save)",
            ) from None
        try:
            with _cwd_on_path():
                obj = torch.load(path, map_location="cpu", weights_only=False)
        except (Exception, SystemExit):  # unpickling runs the file's code
            raise ModelError(name, f"not a readable PyTorch file ({type(err).__name__})") from None
    if isinstance(obj, dict):
        raise ModelError(
            name,
            "the file holds weights (a state dict), not a model: import the model's code "
            "as torch:package.module:factory",
        )
    if not isinstance(obj, torch.nn.Module):
        raise ModelError(name, f"the file holds a {type(obj).__name__}, not a torch.nn.Module")
    return obj


def _tensors(value: Any, torch: Any) -> list[Any]:
    """The tensors in a call's arguments or results (lists, tuples, dicts), in order."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensors(item, torch)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item, torch)]
    return []


class _Recorder:
    """The graph of one run: each tensor's producer (by ``id``, the tensors kept alive
    so that no id is reused), the module path being run."""

    def __init__(self, graph: Graph, torch: Any, names: dict[int, str]) -> None:
        self.graph, self.torch, self.names = graph, torch, names
        self.producer: dict[int, str] = {}
        self.alive: list[Any] = []
        self.stack: list[str] = []
        self.depth = 0  # > 0 inside a leaf module: its own calls are not recorded
        self.busy = False  # inside a hook: its calls (x.shape) are not the model's
        self.maps = False  # keep each op's output (batch item 0) in params["map"]
        self.shape = hwc  # torch's shape -> nnsvg's

    def arg(self, value: Any) -> Any:
        """A call's argument with its tensors as :class:`Arg`."""
        torch = self.torch
        if isinstance(value, torch.Tensor):
            tensor = value
            return Arg(
                tuple(tensor.shape),
                self.producer.get(id(tensor)),
                lambda: tensor.detach().cpu().double().numpy(),
            )
        if isinstance(value, (list, tuple)):
            return [self.arg(v) for v in value]
        return value

    def record(self, source: str, label: str, args: Any, out: Any, mapper: Any) -> None:
        sources: list[str] = []
        for tensor in _tensors(args, self.torch):
            found = self.producer.get(id(tensor))
            if found is not None and found not in sources:
                sources.append(found)
        outs = _tensors(out, self.torch)
        if not sources or not outs:
            return
        graph = self.graph
        op = Op(f"t{len(graph.ops)}", label, "", source, inputs=sources)
        op.shape = self.shape(tuple(outs[0].shape))
        why = mapper(op, graph.ops[sources[0]].shape)
        if why is not None:  # made generic once unused ops are pruned (not to note them)
            op.kind, op.attrs = "op", {"why": why}
        graph.add(op)
        if self.maps and outs[0].dim() >= 2:  # a copy: an in-place op changes it later
            op.params["map"] = outs[0][0].detach().float().cpu().numpy().copy()
        for tensor in outs:
            self.producer[id(tensor)] = op.id
            self.alive.append(tensor)

    def module_call(self, module: Any, args: Any, kwargs: Any, out: Any) -> None:
        label = self.names.get(id(module)) or type(module).__name__
        if label.isdigit():  # an item of the model itself (a Sequential): linear0
            label = f"{type(module).__name__.lower()}{label}"
        call = [*args, *kwargs.values()]
        converted = self.arg(call)

        def mapper(op: Op, in_shape: Any) -> str | None:
            return map_module(op, module, converted, in_shape, self.torch)

        self.record(type(module).__name__, label, call, out, mapper)

    def function_call(self, func: Any, args: Any, kwargs: Any, out: Any) -> None:
        raw = getattr(func, "__name__", None) or str(func)
        fname = canonical(raw)
        label = f"{self.stack[-1]}.{fname}" if self.stack and self.stack[-1] else fname
        converted, kw = self.arg(list(args)), {k: self.arg(v) for k, v in kwargs.items()}

        def mapper(op: Op, in_shape: Any) -> str | None:
            return map_function(op, fname, converted, kw, in_shape)

        self.record(fname, label, [args, kwargs], out, mapper)


def _hooks(model: Any, rec: _Recorder) -> list[Any]:
    """Pre- and post-forward hooks on every module: the module path, and each leaf
    module's call recorded."""
    handles = []
    for path, module in model.named_modules():
        # torch.nn's own modules without children are layers; any other module is
        # looked into (the functions it calls are recorded), a model of one too.
        builtin = type(module).__module__.startswith("torch.nn.")
        alone = not any(True for _ in module.children()) or type(module).__name__ in ATOMIC
        leaf = builtin and alone

        def pre(module: Any, args: Any, kwargs: Any, path: str = path, leaf: bool = leaf) -> None:
            if leaf:
                rec.depth += 1
            else:
                rec.stack.append(path)

        def post(
            module: Any, args: Any, kwargs: Any, out: Any, path: str = path, leaf: bool = leaf
        ) -> None:
            if not leaf:
                rec.stack.pop()
                return
            rec.depth -= 1
            if rec.depth == 0:
                rec.busy = True
                try:
                    rec.module_call(module, args, kwargs, out)
                finally:
                    rec.busy = False

        handles.append(module.register_forward_pre_hook(pre, with_kwargs=True))
        handles.append(module.register_forward_hook(post, with_kwargs=True))
    return handles


def _record(
    model: Any, name: str, input_shape: tuple[int, ...] | None, torch: Any, sample: Any = None
) -> Graph:
    """Runs ``model`` once on ``sample``, or a seeded random input of ``input_shape``,
    and records it."""
    if sample is not None:
        input_shape = tuple(sample.shape)
    if input_shape is None:
        raise ModelError(
            name,
            "a PyTorch model needs --input-shape (batch first, as the model takes it, "
            "like 1,3,224,224)",
        )
    if len(input_shape) < 2:
        raise ModelError(name, "--input-shape needs a batch size and at least one more size")
    graph = Graph(path=name, format=f"PyTorch {torch.__version__.split('+')[0]}")
    names = {id(m): path for path, m in model.named_modules() if path}
    rec = _Recorder(graph, torch, names)
    rec.maps = sample is not None
    kinds = {type(m).__name__ for m in model.modules()}
    sequence = bool(kinds & SEQUENCE_MODULES) and not any(k.startswith("Conv") for k in kinds)
    in_shape = rec.shape(input_shape)
    if sequence:  # (batch, length, features), or (length, batch, ...) sequence first
        first_axis = any(
            getattr(m, "batch_first", True) is False
            for m in model.modules()
            if type(m).__name__ in SEQUENCE_MODULES
        )
        rec.shape = functools.partial(sequence_shape, first=first_axis)
        in_shape = tuple(d for k, d in enumerate(input_shape) if k != int(first_axis)) or None
    first = graph.add(Op("input", _input_name(model), "input", "input", shape=in_shape))
    if sample is not None:
        first.params["map"] = sample[0]

    class Mode(torch.overrides.TorchFunctionMode):  # type: ignore[misc]
        def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[no-untyped-def]
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            if rec.depth == 0 and not rec.busy:
                rec.busy = True
                try:
                    rec.function_call(func, args, kwargs, out)
                finally:
                    rec.busy = False
            return out

    model.eval()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        x = torch.randn(*input_shape) if sample is None else torch.from_numpy(sample)
        vocab = [m.num_embeddings for m in model.modules() if type(m).__name__ == "Embedding"]
        if vocab and sample is None:  # token ids
            x = torch.randint(0, min(vocab), tuple(input_shape))
        elif vocab:
            x = x.long()
        rec.producer[id(x)] = first.id
        handles = _hooks(model, rec)
        try:
            with torch.no_grad(), Mode():
                out = model(x)
        except ModelError:
            raise
        except (Exception, SystemExit) as err:  # the model's own code may exit
            shape = ",".join(map(str, input_shape))
            raise ModelError(
                name,
                f"running the model on an input of shape {shape} failed "
                f"({type(err).__name__}: {err})",
            ) from None
        finally:
            for handle in handles:
                handle.remove()
    outputs = [rec.producer.get(id(t)) for t in _tensors(out, torch)]
    if not outputs or any(o is None or o == first.id for o in outputs):
        raise ModelError(name, "the model's output is not computed from its input")
    prune(graph, [o for o in outputs if o is not None])
    return graph


def _input_name(model: Any) -> str:
    """The name of the forward's first parameter (``x``), as a .pt2 file names it."""
    import inspect

    with contextlib.suppress(TypeError, ValueError):
        for parameter in inspect.signature(model.forward).parameters.values():
            if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
                return parameter.name
    return "input"


def prune(graph: Graph, outputs: list[str]) -> None:
    """Removes the ops no output depends on (a data-dependent test, a value computed and
    not used), counted among the dropped."""
    needed: set[str] = set()
    todo = list(outputs)
    while todo:
        key = todo.pop()
        if key not in needed:
            needed.add(key)
            todo += graph.ops[key].inputs
    unused = [key for key, op in graph.ops.items() if key not in needed and op.kind != "input"]
    for key in unused:
        del graph.ops[key]
    if unused:
        graph.dropped[UNUSED] = len(unused)
    for op in graph.ops.values():
        if op.kind == "op":
            generic(graph, op, op.attrs.get("why") or None)
