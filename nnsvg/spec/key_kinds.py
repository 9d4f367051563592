"""What a spec key is: :class:`Key` (its kind, limits and default, and how its value
is read) and :class:`LayerType`. The tables of every key are in :mod:`nnsvg.spec.keys`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nnsvg import mathtext
from nnsvg.checker import MISSING, Checker, describe
from nnsvg.spec.load import Path_

__all__ = ["SIMPLE_KINDS", "SPECIAL_KINDS", "Key", "LayerType"]

# How a key's value is read. The first kinds Key.read reads; the others are read by
# their own code in nnsvg.spec.model, and the schema writes each its own way.
SIMPLE_KINDS = (
    "string",
    "integer",
    "number",
    "boolean",
    "choice",
    "color",
    "ints",  # an int or a list of 1 to ``dims`` ints
    "shape",  # a list of 1 to 3 ints
    "padding",  # a choice or ints
    "strings",  # a list of strings (at most ``maximum`` of them, each ``max_length``)
)
SPECIAL_KINDS = (
    "type",  # a layer type or one of its aliases (case-insensitive)
    "ref",  # a layer label or a layer index (skip_from)
    "sources",  # a name or a relative index (-1: the layer before), or a list of them
    "source",  # one name or relative index
    "inputs",  # a list of input mappings
    "length",  # a printed width: a number and a unit (nnsvg.units)
    "points",  # a printed text size: 8pt, or a bare number of points
    "legend",  # auto, true or false
    "wrap",  # auto or a number of layers per row
    "fit",  # true, a printed width, or a mapping of width, min_text, height (nnsvg.fit)
    "theme",  # a theme name or file, or a mapping of theme keys
    "weights",  # random, none, a file or a list of files
    "encode",  # one choice or a list of them
    "sizes",  # a choice, or true/false for its first/last choice
    "layers",  # the list of layers (and groups of layers)
    "edge_style",  # solid, dashed, dotted or a colour
    "mapping",  # a mapping of ``keys``
    "labels",  # a mapping of ``keys``, or true/false
    "input",  # a mapping of ``keys``, or just its shape
)


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a mapping: ``kind`` says how its value is read (see SIMPLE_KINDS and
    SPECIAL_KINDS), the other fields are that kind's limits. A null value means "not
    given" (the ``default``); a key that is not ``nullable`` must be given, not null."""

    name: str
    kind: str
    description: str
    minimum: float | None = None  # a number, an integer, or each of ints/shape
    maximum: float | None = None
    exclusive_maximum: bool = False  # a number: must stay below ``maximum``
    max_length: int = 1000  # a string
    allow_empty: bool = True  # a string: false refuses an empty or blank one
    choices: tuple[str, ...] = ()  # a choice
    allow_none: bool = True  # a colour: whether 'none' (no paint) is one
    dims: int = 2  # ints: at most this many (one per spatial axis)
    what: str | None = None  # an integer or ints: what the message says it must be
    default: Any = None
    nullable: bool = True
    keys: tuple[Key, ...] = ()  # a mapping's own keys
    requires: str | None = None  # another key this one goes with (merge: skip_from)
    drawn: bool = False  # a string drawn as a label: its $...$ math is checked

    def read(self, check: Checker, value: Any, path: Path_) -> Any:
        """The value checked (errors recorded on ``check``): the default when it is
        missing or null, None when it is wrong."""
        kind = self.kind
        if kind == "string":
            text = check.string(
                value,
                path,
                default=self.default,
                max_length=self.max_length,
                allow_empty=self.allow_empty,
            )
            return _math_checked(check, text, path) if self.drawn else text
        if kind == "integer":
            return check.integer(
                value,
                path,
                minimum=self.minimum,  # type: ignore[arg-type]
                maximum=self.maximum,  # type: ignore[arg-type]
                default=self.default,
                what=self.what,
            )
        if kind == "number":
            if not self.exclusive_maximum:
                return check.number(
                    value, path, minimum=self.minimum, maximum=self.maximum, default=self.default
                )
            number = check.number(value, path, default=self.default)
            low, high = self.minimum, self.maximum
            if number is not None and not low <= number < high:  # type: ignore[operator]
                check.error(
                    path, f"must be from {low:g} up to (not including) {high:g}, got {number:g}"
                )
                return None
            return number
        if kind == "boolean":
            return check.boolean(value, path, default=self.default)
        if kind == "choice":
            return check.choice(value, path, self.choices, default=self.default)
        if kind == "color":
            return check.color(value, path, default=self.default, allow_none=self.allow_none)
        if kind == "ints":
            return self._ints(check, value, path)
        if kind == "shape":
            return self._shape(check, value, path)
        if kind == "strings":
            return self._strings(check, value, path)
        if kind == "padding":
            if isinstance(value, str):
                return check.choice(value, path, self.choices)
            return self._ints(check, value, path)
        raise AssertionError(f"{self.name}: a {kind} key is read by its own code")

    def _ints(self, check: Checker, value: Any, path: Path_) -> tuple[int, ...] | None:
        """An int or a list of 1 to ``dims`` ints (per spatial axis)."""
        if value is MISSING or value is None:
            return None
        items = value if isinstance(value, list) else [value]
        if not items or len(items) > self.dims or isinstance(value, bool):
            check.error(
                path, f"must be {self.what}: an integer or a list of 1 to {self.dims} integers"
            )
            return None
        out = []
        for k, item in enumerate(items):
            sub = (*path, k) if isinstance(value, list) else path
            number = check.integer(item, sub, minimum=self.minimum, maximum=self.maximum)  # type: ignore[arg-type]
            if number is None:
                return None
            out.append(number)
        return tuple(out)

    def _strings(self, check: Checker, value: Any, path: Path_) -> tuple[str, ...] | None:
        """A list of at most ``maximum`` strings, each as a ``string`` key reads it."""
        if value is MISSING or value is None:
            return None
        if not isinstance(value, list):
            check.error(path, f"must be a list of strings, got {describe(value)}")
            return None
        if self.maximum is not None and len(value) > self.maximum:
            check.error(path, f"has {len(value)} items; at most {int(self.maximum)} are allowed")
            return None
        out = []
        for k, item in enumerate(value):
            text = check.string(item, (*path, k), max_length=self.max_length)
            if self.drawn:
                text = _math_checked(check, text, (*path, k))
            if text is None:
                return None
            out.append(text)
        return tuple(out)

    def _shape(self, check: Checker, value: Any, path: Path_) -> tuple[int, ...] | None:
        if value is MISSING or value is None:
            return None
        if not isinstance(value, list) or not 1 <= len(value) <= 3:
            check.error(
                path,
                "must be a list: [height, width, channels], [length, channels] or [units], "
                f"got {describe(value)}",
            )
            return None
        out = []
        for k, item in enumerate(value):
            number = check.integer(item, (*path, k), minimum=self.minimum, maximum=self.maximum)  # type: ignore[arg-type]
            if number is None:
                return None
            out.append(number)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class LayerType:
    """A layer type: the keys it takes besides the common ones, the other names it
    answers to (any letter case), and the keys it needs unless it states its shape."""

    name: str
    description: str
    keys: tuple[Key, ...] = ()
    aliases: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


def _math_checked(check: Checker, text: str | None, path: Path_) -> str | None:
    """A drawn label whose math (:mod:`nnsvg.mathtext`) can be set, or None after
    an error naming what is wrong and where in the label."""
    if not text or "$" not in text:
        return text
    try:
        mathtext.parse(text)
    except mathtext.MathError as exc:
        check.error(path, f"{exc.message} (character {exc.index + 1} of the label)")
        return None
    return text
