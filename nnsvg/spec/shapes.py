"""Shape inference for CNN specs: the output shape of every layer.

A shape is a tuple of positive ints: ``(height, width, channels)`` for a 2D
feature map, ``(length, channels)`` for a 1D sequence, ``(units,)`` for a
vector. :func:`infer_shapes` walks ``spec.layers`` from the input shape and
returns the output shape of each layer; :func:`format_shape` writes one as
``28×28×6``. Everything here is pure: no I/O, no state.

>>> from nnsvg.spec.model import InputSpec, Layer, Spec
>>> spec = Spec(
...     layers=(
...         Layer(0, type="conv", filters=6, kernel=(5,)),
...         Layer(1, type="pool"),
...         Layer(2, type="flatten"),
...         Layer(3, units=10),
...     ),
...     input=InputSpec(shape=(32, 32, 1)),
... )
>>> [format_shape(shape) for shape in infer_shapes(spec)]
['28×28×6', '14×14×6', '1176', '10']

Rules
-----
The input is ``spec.input.shape``. Without an ``input``, the first layer must
be a dense layer (``units: N`` gives ``(N,)``, which is then the input) or give
an explicit ``shape``, which is taken as given.

Spatial parameters (``kernel``, ``stride``, ``padding``, ``dilation``,
``output_padding``, ``size``) given as one int apply to every spatial axis; a
list must have one entry per spatial axis: 2 for a 2D map, 1 for a 1D sequence.
(The validated spec stores ``kernel: 5`` and ``kernel: [5]`` alike, as ``(5,)``:
both apply to every axis.)

``conv``
    Each spatial size is :func:`conv_size` (PyTorch/Keras: ``floor((n + 2p -
    d(k-1) - 1) / s) + 1``; ``padding: same`` is ``ceil(n / s)`` as in
    Keras/TensorFlow); channels are ``filters``. Defaults: stride 1, padding
    ``valid`` (0), dilation 1. Needs ``kernel`` or an explicit ``shape``.
``conv_transpose``
    Each spatial size is :func:`transposed_size` (``(n-1)s - 2p + d(k-1) +
    output_padding + 1``; ``same`` is ``n * s``); channels are ``filters``.
``pool``
    Window ``size`` (default 2), stride (default the window), padding (default
    ``valid``), sizes by :func:`conv_size`; channels unchanged.
``upsample``
    Each spatial size times ``size`` (default 2); channels unchanged.
``flatten``
    ``(product of the input's sizes,)``.
``dense``
    ``(units,)``. A dense layer right after a map or a sequence flattens it
    implicitly, as NN-SVG draws it.

Convolutions, pools and upsamplings need a map or a sequence: on a vector they
are errors.

An explicit ``shape`` must have the rank the layer's type gives (as many values
as the layer's input for conv, conv_transpose, pool and upsample; one for
dense and flatten). When the layer's parameters also give a shape, the two must
agree. When they do not (a conv or conv_transpose without ``kernel``; a pool
without ``size``, ``stride`` and ``padding``; an upsample without ``size``; a
dense layer without ``units``) the shape is taken as given (NN-SVG users draw
figures this way); a conv's ``filters``, if given, must still match its
channels.

A spatial size that comes out at zero or below (a kernel or window larger than
the padded input; too much padding in a transposed convolution) is an error.
So is a shape with a size above :data:`MAX_DIM` or more than
:data:`MAX_ELEMENTS` values in all (a :class:`~nnsvg.errors.LimitError`).

Errors
------
Every error is a :class:`~nnsvg.errors.SpecError` located at the offending key
of the layer (``layers[2].kernel``, ``layers[2].shape``), else at the layer
itself (``layers[2]``), and naming the layer by its label if it has one, else
as ``layer 2 (conv)``. The first error raises: each shape depends on the ones
before it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from nnsvg.errors import LimitError, SpecError
from nnsvg.spec.load import format_path
from nnsvg.spec.model import PADDINGS, Layer, Spec

__all__ = [
    "MAX_DIM",
    "MAX_ELEMENTS",
    "SPATIAL_TYPES",
    "Shape",
    "conv_size",
    "format_shape",
    "infer_shapes",
    "transposed_size",
]

Shape = tuple[int, ...]
"""``(h, w, c)`` for 2D maps, ``(length, c)`` for 1D sequences, ``(units,)`` for vectors."""

MAX_DIM = 10**9
"""The largest size of any one axis of a layer's shape."""
MAX_ELEMENTS = 10**15
"""The most values a layer's shape may hold (the product of its sizes)."""
SPATIAL_TYPES = ("conv", "conv_transpose", "pool", "upsample")
"""The layer types that need a 2D map or a 1D sequence as input."""


def _require(name: str, value: int, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _padding_value(padding: int | str) -> int | str:
    if isinstance(padding, str):
        if padding not in PADDINGS:
            raise ValueError(f"padding must be 'same', 'valid' or an integer, got {padding!r}")
        return 0 if padding == "valid" else padding
    _require("padding", padding, 0)
    return padding


def conv_size(
    n: int, kernel: int, stride: int = 1, padding: int | str = 0, dilation: int = 1
) -> int:
    """The output size of a convolution or pool along one axis of size ``n``.

    ``floor((n + 2p - d(k-1) - 1) / s) + 1`` as in PyTorch and Keras; ``"valid"``
    is padding 0 and ``"same"`` gives ``ceil(n / s)`` (Keras/TensorFlow). The
    result is zero or negative when the (dilated) kernel is larger than the
    padded input: no window fits.

    >>> conv_size(32, 5)
    28
    >>> conv_size(227, 11, stride=4)
    55
    >>> conv_size(27, 5, padding=2)
    27
    >>> conv_size(7, 3, stride=2, padding="same")
    4
    >>> conv_size(10, 3, dilation=2)
    6
    >>> conv_size(4, 5)
    0
    """
    _require("n", n, 1)
    _require("kernel", kernel, 1)
    _require("stride", stride, 1)
    _require("dilation", dilation, 1)
    pad = _padding_value(padding)
    if pad == "same":
        return -(-n // stride)
    assert isinstance(pad, int)
    return (n + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def transposed_size(
    n: int,
    kernel: int,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    """The output size of a transposed convolution along one axis of size ``n``.

    ``(n-1)s - 2p + d(k-1) + output_padding + 1`` as in PyTorch; ``"valid"`` is
    padding 0 and ``"same"`` gives ``n * s`` (Keras/TensorFlow). Zero or negative
    when the padding eats the whole output.

    >>> transposed_size(7, 4, stride=2, padding=1)
    14
    >>> transposed_size(7, 3, stride=2, padding=1, output_padding=1)
    14
    >>> transposed_size(7, 5, stride=2, padding="same")
    14
    >>> transposed_size(5, 3)
    7
    >>> transposed_size(1, 1, padding=1)
    -1
    """
    _require("n", n, 1)
    _require("kernel", kernel, 1)
    _require("stride", stride, 1)
    _require("dilation", dilation, 1)
    _require("output_padding", output_padding, 0)
    pad = _padding_value(padding)
    if pad == "same":
        return n * stride
    assert isinstance(pad, int)
    return (n - 1) * stride - 2 * pad + dilation * (kernel - 1) + output_padding + 1


def format_shape(shape: Sequence[int]) -> str:
    """A shape as written in figures and messages.

    >>> format_shape((28, 28, 6))
    '28×28×6'
    >>> format_shape((100, 16))
    '100×16'
    >>> format_shape((120,))
    '120'
    """
    return "×".join(str(size) for size in shape)


# --------------------------------------------------------------------------- inference


def infer_shapes(spec: Spec) -> tuple[Shape, ...]:
    """The output shape of every layer of ``spec.layers``, index-aligned.

    Raises :class:`~nnsvg.errors.SpecError` (:class:`~nnsvg.errors.LimitError`
    for sizes over the caps) at the first layer whose shape cannot be worked
    out; the module docstring gives the rules.
    """
    from nnsvg.spec.graph import build_graph  # the graph reads this module's rules

    return build_graph(spec).layer_shapes


def _too_big(shape: Shape) -> bool:
    return any(size > MAX_DIM for size in shape) or math.prod(shape) > MAX_ELEMENTS


_LIMITS = f"each size at most {MAX_DIM:,} and at most {MAX_ELEMENTS:,} values in all"


def _check_input_limits(spec: Spec, shape: Shape) -> None:
    if not _too_big(shape):
        return
    location = spec.where("input", "shape")
    field = "input.shape" if location != spec.where("input") else "input"
    raise LimitError(
        f"the input {format_shape(shape)} is larger than nnsvg can draw ({_LIMITS})",
        location=location,
        field=field,
    )


def _values(count: int) -> str:
    return f"{count} value" if count == 1 else f"{count} values"


def _axis_text(values: Sequence[int | str]) -> str:
    """``5`` when every axis has the same value, else ``3×5``."""
    if all(value == values[0] for value in values):
        return str(values[0])
    return "×".join(str(value) for value in values)


def _layout(rank: int) -> str:
    return "[height, width, channels]" if rank == 3 else "[length, channels]"


class _At:
    """Works out one layer's shape and raises errors located at that layer."""

    def __init__(self, spec: Spec, index: int, layer: Layer) -> None:
        self.spec = spec
        self.index = index
        self.layer = layer
        label = layer.name or layer.label  # a name (graphs) before a label
        number = layer.field_of() if layer.path else f"layer {index}"  # in a group: its path
        self.who = f"'{label}' ({layer.type})" if label else f"{number} ({layer.type})"

    # -- errors -------------------------------------------------------------
    def error(
        self, message: str, key: str | None = None, cls: type[SpecError] = SpecError
    ) -> SpecError:
        path = self.layer.path_of() if key is None else self.layer.path_of(key)
        return cls(message, location=self.spec.where(*path), field=format_path(path))

    def check_limits(self, shape: Shape) -> None:
        if _too_big(shape):
            raise self.error(
                f"the output of {self.who} would be {format_shape(shape)}, larger than nnsvg "
                f"can draw ({_LIMITS})",
                "shape" if self.layer.shape is not None else None,
                LimitError,
            )

    def mismatch(self, given: Shape, inferred: Shape, why: str) -> SpecError:
        return self.error(
            f"says {format_shape(given)}, but {self.who} gives {format_shape(inferred)} "
            f"({why}); fix 'shape' or the layer's parameters, or leave 'shape' out",
            "shape",
        )

    # -- the first layer, with no input shape -------------------------------
    def first_shape(self) -> Shape:
        layer = self.layer
        if layer.shape is not None:
            given = tuple(layer.shape)
            if layer.type in ("dense", "flatten"):
                self.check_vector_shape(given)
            elif len(given) == 1:
                raise self.error(
                    f"has 1 value, but {self.who} gives a map or a sequence: give "
                    "[height, width, channels] or [length, channels]",
                    "shape",
                )
            return self.checked_given(given)
        if layer.type == "dense" and layer.units is not None:
            return (layer.units,)
        raise self.error(
            f"{self.who} is the first layer and the spec has no 'input': give the input "
            "shape (input: [height, width, channels] or [length, channels]) or this layer's "
            "'shape'"
        )

    def check_vector_shape(self, given: Shape) -> None:
        if len(given) != 1:
            raise self.error(
                f"has {_values(len(given))}, but {self.who} gives a vector: give [units]",
                "shape",
            )

    def checked_given(self, given: Shape) -> Shape:
        """``given`` after the checks its own layer's fields allow without an input."""
        layer = self.layer
        if layer.type == "dense" and layer.units is not None and given != (layer.units,):
            raise self.mismatch(given, (layer.units,), f"units {layer.units}")
        filters = layer.filters if layer.type in ("conv", "conv_transpose") else None
        if filters is not None and given[-1] != filters:
            raise self.error(
                f"says {format_shape(given)} ({given[-1]} channels), but {self.who} has "
                f"filters {filters}; the channels are the number of filters",
                "shape",
            )
        return given

    # -- any later layer ------------------------------------------------------
    def shape_after(self, previous: Shape) -> Shape:
        layer = self.layer
        kind = layer.type
        given = tuple(layer.shape) if layer.shape is not None else None
        if kind == "flatten":
            if given is not None:
                self.check_vector_shape(given)
            why = f"flattening a {format_shape(previous)} input"
            return self.compare(given, (math.prod(previous),), why)
        if kind == "dense":
            if given is not None:
                self.check_vector_shape(given)
            if layer.units is None:
                if given is None:
                    raise self.error(f"{self.who} needs 'units' (or an explicit 'shape')")
                return given
            return self.compare(given, (layer.units,), f"units {layer.units}")
        if kind not in SPATIAL_TYPES:
            raise self.error(f"unknown layer type '{kind}'", "type")
        if len(previous) == 1:
            raise self.error(
                f"{self.who} gets the vector {format_shape(previous)} as input, but a {kind} "
                "layer needs a 2D map (height×width×channels) or a 1D sequence "
                "(length×channels)"
            )
        if given is not None and len(given) != len(previous):
            raise self.error(
                f"has {_values(len(given))}, but {self.who} takes a {len(previous) - 1}D input "
                f"({format_shape(previous)}), so its shape has {len(previous)}: "
                f"{_layout(len(previous))}",
                "shape",
            )
        if kind == "pool":
            return self.pool(previous, given)
        if kind == "upsample":
            return self.upsample(previous, given)
        return self.conv(previous, given)

    def compare(self, given: Shape | None, inferred: Shape, why: str) -> Shape:
        if given is not None and given != inferred:
            raise self.mismatch(given, inferred, why)
        return inferred

    def axes(self, key: str, values: tuple[int, ...] | None, previous: Shape) -> tuple[int, ...]:
        """``values`` (an int or one per spatial axis) as one value per spatial axis."""
        count = len(previous) - 1
        if values is None:
            return ()
        if len(values) == 1:
            return values * count
        if len(values) == count:
            return tuple(values)
        give = "1" if count == 1 else f"1 or {count}"
        raise self.error(
            f"has {len(values)} values but the input of this layer is {count}D "
            f"({format_shape(previous)}); give {give}",
            key,
        )

    def paddings(self, previous: Shape) -> tuple[int | str, ...]:
        padding = self.layer.padding
        count = len(previous) - 1
        if padding is None:
            return (0,) * count
        if isinstance(padding, str):
            return (padding,) * count
        return self.axes("padding", padding, previous)

    def shrank(self, sizes: Sequence[int], why: str, previous: Shape, hint: str) -> SpecError:
        output = "×".join(str(max(size, 0)) for size in sizes)
        return self.error(
            f"the output of {self.who} would be {output} ({why} on a {format_shape(previous)} "
            f"input): the map shrank to nothing; {hint}"
        )

    def conv(self, previous: Shape, given: Shape | None) -> Shape:
        layer = self.layer
        if layer.kernel is None:
            if given is None:
                raise self.error(f"{self.who} needs 'kernel' (or an explicit 'shape')")
            return self.checked_given(given)
        count = len(previous) - 1
        kernel = self.axes("kernel", layer.kernel, previous)
        stride = self.axes("stride", layer.stride, previous) or (1,) * count
        padding = self.paddings(previous)
        dilation = self.axes("dilation", layer.dilation, previous) or (1,) * count
        why = f"kernel {_axis_text(kernel)}, stride {_axis_text(stride)}, "
        why += f"padding {_axis_text(padding)}"
        if any(d != 1 for d in dilation):
            why += f", dilation {_axis_text(dilation)}"
        if layer.type == "conv_transpose":
            extra = self.axes("output_padding", layer.output_padding, previous) or (0,) * count
            if any(extra):
                why += f", output_padding {_axis_text(extra)}"
            sizes = [
                transposed_size(*args)
                for args in zip(previous, kernel, stride, padding, dilation, extra)
            ]
            hint = "use less padding"
        else:
            sizes = [conv_size(*args) for args in zip(previous, kernel, stride, padding, dilation)]
            hint = "use padding or a smaller kernel"
        if any(size <= 0 for size in sizes):
            raise self.shrank(sizes, why, previous, hint)
        if layer.filters is not None:
            channels = layer.filters
        elif given is not None:
            channels = given[-1]
        else:
            raise self.error(f"{self.who} needs 'filters' (or an explicit 'shape')")
        return self.compare(given, (*sizes, channels), f"{why} on a {format_shape(previous)} input")

    def pool(self, previous: Shape, given: Shape | None) -> Shape:
        layer = self.layer
        if given is not None and (layer.size, layer.stride, layer.padding) == (None,) * 3:
            return given
        count = len(previous) - 1
        window = self.axes("size", layer.size, previous) or (2,) * count
        stride = self.axes("stride", layer.stride, previous) or window
        padding = self.paddings(previous)
        why = f"window {_axis_text(window)}, stride {_axis_text(stride)}, "
        why += f"padding {_axis_text(padding)}"
        sizes = [conv_size(*args) for args in zip(previous, window, stride, padding)]
        if any(size <= 0 for size in sizes):
            raise self.shrank(sizes, why, previous, "use a smaller window (size) or padding: same")
        inferred = (*sizes, previous[-1])
        return self.compare(given, inferred, f"{why} on a {format_shape(previous)} input")

    def upsample(self, previous: Shape, given: Shape | None) -> Shape:
        layer = self.layer
        if given is not None and layer.size is None:
            return given
        count = len(previous) - 1
        factor = self.axes("size", layer.size, previous) or (2,) * count
        inferred = (*(n * f for n, f in zip(previous, factor)), previous[-1])
        why = f"factor {_axis_text(factor)} on a {format_shape(previous)} input"
        return self.compare(given, inferred, why)
