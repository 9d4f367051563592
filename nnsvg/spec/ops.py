"""Shape rules of the operation blocks (the layer types the blocks style draws).

:func:`op_shape` is what :func:`nnsvg.spec.graph.build_graph` calls for a layer of
one of :data:`OP_TYPES`, with the shapes of the nodes it reads. Errors are
located at the layer (or its offending key) like every other shape error.

``attention``
    One input (self-attention), or two or three from ``from``: the query, the key
    and the value (with two, the second is both key and value). The key and the
    value must have the query's rank and agree on every axis but the last (one
    value per key). The output has the query's shape, with ``units`` as its last
    size when given; ``heads`` must divide that last size.
``layernorm``, ``batchnorm``, ``dropout``, ``softmax``, ``activation``, ``positional_encoding``
    One input; the shape is carried.
``embedding``
    Token ids ``[length]`` to ``[length, units]``; ``vocab`` is drawn only.
``lstm``, ``gru``
    A sequence ``[length, features]`` to ``[length, units]``, or ``[units]`` with
    ``return_sequences: false``.
``op``
    Any other operation (its ``label`` says which), of one or more inputs: the
    first input's shape, with ``units`` as its last size when given.

Any of them may state its ``shape``: checked against the inferred one, or taken
as given when nothing is inferred (the first layer of a spec without an input).

>>> from nnsvg.spec.model import Layer, Spec
>>> from nnsvg.spec.shapes import _At
>>> spec = Spec(layers=(Layer(0, type="lstm", units=8, return_sequences=False),))
>>> op_shape(_At(spec, 0, spec.layers[0]), [(20, 4)], "layers[0] 20×4")
(8,)
"""

from __future__ import annotations

from nnsvg.spec.shapes import Shape, _At, format_shape

__all__ = ["CARRY_TYPES", "MULTI_INPUT_TYPES", "OP_TYPES", "op_shape"]

CARRY_TYPES = (
    "layernorm",
    "batchnorm",
    "dropout",
    "softmax",
    "activation",
    "positional_encoding",
)
"""Operation blocks whose output has their input's shape."""
OP_TYPES = ("attention", *CARRY_TYPES, "embedding", "lstm", "gru", "op")
"""Every layer type whose shape this module infers."""
MULTI_INPUT_TYPES = {"attention": 3, "op": 100}
"""Operation blocks that may read several inputs, and how many at most."""


def op_shape(at: _At, reads: list[Shape], listing: str) -> Shape:
    """The output shape of an operation block that reads ``reads`` (``listing``
    names them for messages); raises a located SpecError."""
    layer = at.layer
    kind = layer.type
    given = tuple(layer.shape) if layer.shape is not None else None
    most = MULTI_INPUT_TYPES.get(kind, 1)
    if len(reads) > most:
        if most == 1:
            raise at.error(
                f"{at.who} reads one input, and from gives {len(reads)} ({listing}); join them "
                "first with an add, multiply or concat layer",
                "from",
            )
        raise at.error(
            f"{at.who} reads at most 3 inputs (query, key, value), and from gives "
            f"{len(reads)} ({listing})",
            "from",
        )
    needs = {"attention": "heads", "embedding": "units", "lstm": "units", "gru": "units"}
    need = needs.get(kind)
    if need is not None and getattr(layer, need) is None and given is None:  # null
        raise at.error(f"{at.who} needs '{need}' (or an explicit 'shape')")
    if not reads:
        if given is None:
            raise at.error(
                f"{at.who} is the first layer and the spec has no 'input': give the input "
                "shape (input: [length] for token ids, [length, features] for a sequence) or "
                "this layer's 'shape'"
            )
        return given
    first = reads[0]
    if kind == "attention":
        inferred = _attention(at, reads, listing)
        why = f"attending over {listing}"
    elif kind == "op" and given is not None:
        return given  # an op may do anything: its stated shape is taken as given
    elif kind in ("embedding", "lstm", "gru") and layer.units is None:
        return given  # type: ignore[return-value]  # the model asks for units or a shape
    elif kind == "embedding":
        inferred = _embedding(at, first)
        why = f"embedding {format_shape(first)} token ids in {layer.units}"
    elif kind in ("lstm", "gru"):
        inferred = _recurrent(at, first)
        why = f"units {layer.units} over the sequence {format_shape(first)}"
    elif kind == "op":
        inferred = first if layer.units is None else (*first[:-1], layer.units)
        why = f"from its input {format_shape(first)}" + (
            f" with units {layer.units}" if layer.units is not None else ""
        )
    else:
        inferred = first
        why = f"the shape of its input {format_shape(first)}"
    return at.compare(given, inferred, why)


def _attention(at: _At, reads: list[Shape], listing: str) -> Shape:
    layer = at.layer
    query = reads[0]
    key = reads[1] if len(reads) > 1 else query
    value = reads[2] if len(reads) > 2 else key
    if len(reads) > 1 and any(len(r) != len(query) for r in reads):
        raise at.error(
            f"{at.who} needs a query, key and value of one rank, and gets {listing}", "from"
        )
    if key[:-1] != value[:-1]:
        raise at.error(
            f"{at.who} needs one value per key: the key {format_shape(key)} and the value "
            f"{format_shape(value)} must agree on every axis but the last",
            "from",
        )
    width = layer.units if layer.units is not None else query[-1]
    heads = layer.heads
    if heads is not None and width % heads:
        whose = f"units {width}" if layer.units is not None else f"the query's last size {width}"
        best = max(d for d in range(1, min(heads, width) + 1) if width % d == 0)
        raise at.error(
            f"is {heads}, which does not divide {whose} (each head takes an equal share): "
            f"give a divisor of {width}, such as {best}",
            "heads",
        )
    return (*query[:-1], width)


def _embedding(at: _At, read: Shape) -> Shape:
    layer = at.layer
    if len(read) != 1:
        raise at.error(
            f"{at.who} turns token ids [length] into [length, units], and gets "
            f"{format_shape(read)}: feed it the token ids (input: [length])"
        )
    return (read[0], layer.units)  # type: ignore[return-value]  # checked by op_shape


def _recurrent(at: _At, read: Shape) -> Shape:
    layer = at.layer
    if len(read) != 2:
        what = "the vector" if len(read) == 1 else "the map"
        hint = (
            "; an embedding turns token ids [length] into one"
            if len(read) == 1
            else "; flatten its rows into a sequence first"
        )
        raise at.error(
            f"{at.who} reads a sequence [length, features], and gets {what} "
            f"{format_shape(read)}{hint}"
        )
    units: int = layer.units  # type: ignore[assignment]  # checked by op_shape
    return (read[0], units) if layer.return_sequences else (units,)
