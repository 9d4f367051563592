"""What an engine can draw, and the check that a spec asks for nothing more.

Each engine declares its :class:`Capabilities`: the spec keys it draws beyond
those every engine draws. :func:`undrawable_keys` lists the keys a spec gives
that its engine would leave out, so that the pipeline can report each as a
located error naming the engine and the styles that do draw it, before any
layout. Keys with sub-keys (``edges``, ``labels``, ``camera``) are checked
per sub-key (``labels.dims``). A key set to ``false``, ``null`` or ``none`` asks
for nothing to be drawn, so it is never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from nnsvg.errors import Location, SpecError, SpecErrors

__all__ = [
    "COMMON_KEYS",
    "COMMON_LAYER_KEYS",
    "UNIT_KEYS",
    "Capabilities",
    "Given",
    "check_drawable",
    "check_structure",
    "given_keys",
]

COMMON_KEYS = frozenset(
    {"style", "title", "description", "show_title", "theme", "layers", "width", "input"}
    | {"inputs", "font_size", "layout", "fit"}
)
"""Top-level keys every engine draws (or that choose the engine, theme or size)."""
COMMON_LAYER_KEYS = frozenset(
    {
        "type",
        "units",
        "shape",
        "filters",
        "kernel",
        "stride",
        "padding",
        "dilation",
        "output_padding",
        "size",
        "kind",
        # the graph: who reads whom (whether an engine draws branches is ``graphs``)
        "name",
        "from",
        "axis",
        "to",
    }
)
"""Layer keys that set a layer's shape: every engine reads them (the model checks
that each applies to its layer type)."""
_PARENTS = ("edges", "labels", "camera")
BASE_TYPES = frozenset(
    {"dense", "conv", "conv_transpose", "pool", "upsample", "flatten"}
    | {"add", "multiply", "concat", "crop"}
)
"""The layer types of feature-map and node-edge figures (nnsvg.spec.keys.BASE_TYPES)."""
BLOCK_TYPES = frozenset(
    {"attention", "layernorm", "batchnorm", "dropout", "softmax", "activation"}
    | {"positional_encoding", "embedding", "lstm", "gru", "op"}
)
"""The operation blocks of the blocks style (nnsvg.spec.ops.OP_TYPES)."""
UNIT_KEYS = frozenset(
    {"weights", "seed", "edges.encode", "edges.opacity", "edges.curve"}
    | {"max_visible", "elide", "labels.dims", "camera.*"}
)
"""Keys that say only how a style draws what no other style draws at all: the units
of a node-edge figure and the edges between them (weights, elision, curves), and the
boxes of a 3D figure (camera, dims). Another style drawn with ``--style`` sets them
aside, each reported as a note, as it does a ``layout`` it does not draw (the U of
an encoder-decoder); every other key it cannot draw is an error."""
EDGE_MARK_KEYS = ("label", "style")
"""What a ``from`` item given as a mapping may say of its edge (``from.label``)."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    """The spec keys an engine draws beyond the common ones.

    ``keys`` are top-level keys, with ``parent.child`` for sub-keys; ``layer_keys``
    and ``input_keys`` those of a layer and of the input (``shape`` and ``name`` are
    always read). With ``graphs`` the engine draws branches, merges and several inputs;
    without, only chains (each layer reads the one before).
    With ``dense_tail_only`` the engine draws only the dense layers a spec ends with
    (fed by the flattened tensor before them); the keys of the layers before are
    summed up in that tensor and not checked."""

    keys: frozenset[str]
    layer_keys: frozenset[str]
    input_keys: frozenset[str]
    dense_tail_only: bool = False
    graphs: bool = False  # draws branches, merges and several inputs, not only chains
    layer_types: frozenset[str] = BASE_TYPES  # the layer types it draws
    groups: bool = False  # draws {group: ..., layers: [...]} entries as frames
    group_keys: frozenset[str] = frozenset()  # of a group: repeat, collapse, note
    # Every length of its figure follows the text size (blocks sized by their labels):
    # with font_size, its text is never set smaller than the theme's, and a figure
    # narrower than the page is centred on it (nnsvg.print_size).
    scales_with_text: bool = False
    # The values of direction it draws; the first is its default (when the spec gives none).
    directions: tuple[str, ...] = ("right", "down")
    layouts: tuple[str, ...] = ("line",)  # the values of layout it draws

    def draws(self, key: str) -> bool:
        """Whether a top-level key (``parent.child`` for a sub-key, ``parent.*`` for
        all of them at once) is drawn."""
        if key.endswith(".*"):
            return any(k.startswith(key[:-1]) for k in self.keys)
        return key in COMMON_KEYS or key in self.keys

    def draws_layer_key(self, key: str) -> bool:
        return key in COMMON_LAYER_KEYS or key in self.layer_keys

    def draws_input_key(self, key: str) -> bool:
        return key in ("shape", "name") or key in self.input_keys

    def draws_group_key(self, key: str) -> bool:
        return self.groups and key in self.group_keys


@dataclass(frozen=True, slots=True)
class Given:
    """A key the spec gives: its path in the document, and its name as the
    capabilities know it (``labels.dims``, a layer's ``op_label``, ``input.image``)."""

    path: tuple[str | int, ...]
    where: str  # "top", "layer", "group" or "input"
    key: str


def _asks_nothing(value: Any) -> bool:
    """``false``, ``null`` and ``none`` ask for something not to be drawn, which every
    engine can do: ``labels: {dims: false}`` is no error in a style without dims."""
    return value is False or value is None or value == "none"


def given_keys(
    data: Any, drawn_layers: range | None = None, *, input_drawn: bool = True
) -> Iterator[Given]:
    """Every key a loaded spec mapping gives, in document order. Only the layers
    whose index is in ``drawn_layers`` (all when None) are walked, and the input's
    keys only when ``input_drawn``."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if not isinstance(key, str) or _asks_nothing(value):
            continue
        if key in _PARENTS and isinstance(value, dict):
            for sub, sub_value in value.items():
                if isinstance(sub, str) and not _asks_nothing(sub_value):
                    yield Given((key, sub), "top", f"{key}.{sub}")
        elif key in _PARENTS and isinstance(value, bool):
            yield Given((key,), "top", f"{key}.*")
        elif key == "input" and isinstance(value, dict):
            yield Given((key,), "top", key)
            for sub, sub_value in value.items() if input_drawn else ():
                if isinstance(sub, str) and not _asks_nothing(sub_value):
                    yield Given((key, sub), "input", sub)
        else:
            yield Given((key,), "top", key)
        if key == "layers" and isinstance(value, list):
            for i, layer in enumerate(value):
                if drawn_layers is not None and i not in drawn_layers:
                    continue
                yield from _layer_keys(layer, ("layers", i))


def _layer_keys(layer: Any, path: tuple[str | int, ...]) -> Iterator[Given]:
    """The keys of a layer, or of a group (``repeat``, ``collapse``, ``note``) and of
    the layers inside it."""
    if not isinstance(layer, dict):
        return
    group = "group" in layer
    for sub, sub_value in layer.items():
        if isinstance(sub, str) and not _asks_nothing(sub_value):
            if not group:
                yield Given((*path, sub), "layer", sub)
            elif sub not in ("group", "layers"):
                yield Given((*path, sub), "group", sub)
    if not group:
        yield from _edge_marks(layer.get("from"), (*path, "from"))
    elif isinstance(layer.get("layers"), list):
        for k, item in enumerate(layer["layers"]):
            yield from _layer_keys(item, (*path, "layers", k))


def _edge_marks(value: Any, path: tuple[str | int, ...]) -> Iterator[Given]:
    """``from.label`` and ``from.style`` for each ``from`` item given as a mapping."""
    listed = isinstance(value, list)
    for k, item in enumerate(value if listed else [value]):
        if isinstance(item, dict):
            where = (*path, k) if listed else path
            for sub in EDGE_MARK_KEYS:
                if not _asks_nothing(item.get(sub)):
                    yield Given((*where, sub), "layer", f"from.{sub}")


def _drawn_by(given: Given, caps: Capabilities) -> bool:
    if given.where == "layer":
        return caps.draws_layer_key(given.key)
    if given.where == "input":
        return caps.draws_input_key(given.key)
    if given.where == "group":
        return caps.draws_group_key(given.key)
    return caps.draws(given.key)


def check_drawable(
    data: Any,
    style: str,
    engines: Mapping[str, Capabilities],
    key_location: Callable[[tuple[str | int, ...]], Location | None],
    *,
    drawn_layers: range | None = None,
    input_drawn: bool = True,
    style_from_option: bool = False,
) -> list[SpecError]:
    """Raise a located :class:`~nnsvg.errors.SpecError` (several at once as
    :class:`~nnsvg.errors.SpecErrors`) for every key of the loaded spec ``data``
    that the ``style`` engine cannot draw, naming the styles that can. Only the
    layers in ``drawn_layers`` are checked, and the input when ``input_drawn``.

    With ``style_from_option`` the :data:`UNIT_KEYS` are set aside instead: they
    are returned, as notes saying so, for the caller to report."""
    caps = engines[style]
    errors: list[SpecError] = []
    notes: list[SpecError] = []
    for given in given_keys(data, drawn_layers, input_drawn=input_drawn):
        if _drawn_by(given, caps):
            continue
        others = [name for name, c in engines.items() if name != style and _drawn_by(given, c)]
        chosen = f"the {style} style" + (" (from --style)" if style_from_option else "")
        if style_from_option and _unit_key(given.key) and others:
            message = (
                f"{chosen} sets this key aside: it says how the {_either(others)} "
                "style draws units, edges or boxes this style does not draw"
            )
            notes.append(
                SpecError(message, location=key_location(given.path), field=_field(given.path))
            )
            continue
        can = _either(others)
        message = f"{chosen} cannot draw this key: " + (
            f"remove it, or draw the figure in the {can} style" if others else "remove it"
        )
        path = given.path
        errors.append(SpecError(message, location=key_location(path), field=_field(path)))
    direction = data.get("direction") if isinstance(data, dict) else None
    if isinstance(direction, str) and caps.draws("direction") and direction not in caps.directions:
        others = [
            name
            for name, c in engines.items()
            if name != style and c.draws("direction") and direction in c.directions
        ]
        chosen = f"the {style} style" + (" (from --style)" if style_from_option else "")
        message = f"{chosen} draws direction {_either(list(caps.directions))}, not {direction}"
        if others:
            message += f"; draw the figure in the {_either(others)} style"
        where = key_location(("direction",))
        errors.append(SpecError(message, location=where, field="direction"))
    layout = data.get("layout") if isinstance(data, dict) else None
    if isinstance(layout, str) and layout not in caps.layouts:
        others = [name for name, c in engines.items() if name != style and layout in c.layouts]
        chosen = f"the {style} style" + (" (from --style)" if style_from_option else "")
        where = key_location(("layout",))
        if style_from_option and others:  # an arrangement of the spec's own style
            message = (
                f"{chosen} sets layout: {layout} aside: it is how the {_either(others)} "
                f"style arranges the figure; this style draws layout {_either(list(caps.layouts))}"
            )
            notes.append(SpecError(message, location=where, field="layout"))
        else:
            message = f"{chosen} draws layout {_either(list(caps.layouts))}, not {layout}"
            if others:
                message += f"; draw the figure in the {_either(others)} style"
            errors.append(SpecError(message, location=where, field="layout"))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise SpecErrors(errors)  # type: ignore[arg-type]
    return notes


def _either(styles: list[str]) -> str:
    """``lenet``, ``lenet or blocks``, ``lenet, alexnet or blocks``."""
    return styles[0] if len(styles) == 1 else f"{', '.join(styles[:-1])} or {styles[-1]}"


def _unit_key(key: str) -> bool:
    """Whether a key (``max_visible`` of a layer too, ``camera.azimuth``) is a unit key."""
    return key in UNIT_KEYS or (key.split(".")[0] + ".*") in UNIT_KEYS


def _field(path: tuple[str | int, ...]) -> str:
    from nnsvg.spec.load import format_path

    return format_path(path)


def check_structure(
    data: Any,
    style: str,
    engines: Mapping[str, Capabilities],
    key_location: Callable[[tuple[str | int, ...]], Location | None],
    *,
    style_from_option: bool = False,
) -> None:
    """Raise a located error (several as :class:`~nnsvg.errors.SpecErrors`) for every
    layer of a type the ``style`` engine cannot draw, and every group when it draws
    none, naming the styles that can. Checked before shapes and keys: the keys of a
    layer the style cannot draw are not checked one by one."""
    from nnsvg.spec.keys import ALIASES

    caps = engines[style]
    layers = data.get("layers") if isinstance(data, dict) else None
    if not isinstance(layers, list):
        return
    chosen = f"the {style} style" + (" (from --style)" if style_from_option else "")
    errors: list[SpecError] = []

    def can(drawn_by: Callable[[Capabilities], bool]) -> list[str]:
        return [name for name, c in engines.items() if name != style and drawn_by(c)]

    def walk(items: list[Any], path: tuple[str | int, ...]) -> None:
        for k, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            where = (*path, k)
            if "group" in item:
                if caps.groups:
                    inner = item.get("layers")
                    if isinstance(inner, list):
                        walk(inner, (*where, "layers"))
                    continue
                others = can(lambda c: c.groups)
                hint = (
                    f"draw the figure in the {_either(others)} style"
                    if others
                    else "list its layers without the group (the graph stays the same)"
                )
                at = (*where, "group")
                errors.append(
                    SpecError(
                        f"{chosen} cannot draw groups of layers: {hint}",
                        location=key_location(at),
                        field=_field(at),
                    )
                )
                continue
            raw = item.get("type")
            kind = ALIASES.get(raw.lower(), raw) if isinstance(raw, str) else None
            if kind is None or kind in caps.layer_types:
                continue
            others = can(lambda c, kind=kind: kind in c.layer_types)  # type: ignore[misc]
            hint = (
                f"draw the figure in the {_either(others)} style"
                if others
                else "no style draws it yet"
            )
            at = (*where, "type")
            errors.append(
                SpecError(
                    f"{chosen} cannot draw layer type {kind}: {hint}",
                    location=key_location(at),
                    field=_field(at),
                )
            )

    walk(layers, ("layers",))
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise SpecErrors(errors)  # type: ignore[arg-type]
