"""Physical lengths (``3.5in``, ``89mm``) to and from CSS pixels.

CSS and SVG fix one inch at 96 px, so a length in any absolute unit has one
exact size in px. A bare number is taken as px.
"""

from __future__ import annotations

import math
import re

from nnsvg.errors import NnsvgError

__all__ = [
    "MAX_FIGURE_PX",
    "MIN_FIGURE_PX",
    "PX_PER_INCH",
    "PX_PER_UNIT",
    "figure_width",
    "format_length",
    "parse_length",
    "split_length",
]

PX_PER_INCH = 96.0
MIN_FIGURE_PX, MAX_FIGURE_PX = 1, 100_000  # the widths figure_width accepts

#: How many CSS px one of each unit is.
PX_PER_UNIT: dict[str, float] = {
    "in": PX_PER_INCH,
    "cm": PX_PER_INCH / 2.54,
    "mm": PX_PER_INCH / 25.4,
    "pt": PX_PER_INCH / 72,
    "pc": PX_PER_INCH / 6,
    "px": 1.0,
}

_LENGTH = re.compile(
    r"\s*(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>[A-Za-z]*)\s*"
)


def _invalid(text: object, field: str) -> NnsvgError:
    return NnsvgError(
        f"invalid length {str(text)!r}: expected a positive number with a unit"
        " in, mm, cm, pt, pc or px (e.g. 3.5in, 89mm)",
        field=field,
    )


def parse_length(text: str | float | int, *, field: str = "width") -> float:
    """Return the length ``text`` in CSS px (96 px per inch).

    ``text`` is a number followed by one of the units in, mm, cm, pt, pc or
    px, with optional whitespace between them; a bare number (or an ``int`` or
    ``float``) is px. Zero, negative, NaN and infinite lengths are refused
    with an :class:`~nnsvg.errors.NnsvgError` whose ``field`` is ``field``.

    >>> parse_length("3.5in")
    336.0
    >>> parse_length("3.5 in")
    336.0
    >>> round(parse_length("89mm"), 4)
    336.378
    >>> parse_length("72pt"), parse_length("6pc"), parse_length("2.54cm")
    (96.0, 96.0, 96.0)
    >>> parse_length("250"), parse_length(250), parse_length("12.5px")
    (250.0, 250.0, 12.5)
    >>> parse_length("3.5 inch")
    Traceback (most recent call last):
    ...
    nnsvg.errors.NnsvgError: width: invalid length '3.5 inch': expected a positive number \
with a unit in, mm, cm, pt, pc or px (e.g. 3.5in, 89mm)
    >>> parse_length("0mm", field="height")
    Traceback (most recent call last):
    ...
    nnsvg.errors.NnsvgError: height: invalid length '0mm': expected a positive number \
with a unit in, mm, cm, pt, pc or px (e.g. 3.5in, 89mm)
    """
    if isinstance(text, bool):
        raise _invalid(text, field)
    if isinstance(text, (int, float)):
        value = float(text)
    elif isinstance(text, str):
        match = _LENGTH.fullmatch(text)
        factor = PX_PER_UNIT.get(match["unit"].lower() or "px") if match else None
        if match is None or factor is None:
            raise _invalid(text, field)
        value = float(match["number"]) * factor
    else:
        raise _invalid(text, field)
    if not (math.isfinite(value) and value > 0):
        raise _invalid(text, field)
    return value


def format_length(px: float, unit: str) -> str:
    """Write ``px`` CSS pixels in ``unit``, to at most 4 decimals.

    Trailing zeros are dropped, so the result reads back with
    :func:`parse_length` to (nearly) the same value.

    >>> format_length(336, "in")
    '3.5in'
    >>> format_length(parse_length("89mm"), "mm")
    '89mm'
    >>> format_length(100, "cm")
    '2.6458cm'
    >>> format_length(96, "px")
    '96px'
    >>> format_length(96, "furlong")
    Traceback (most recent call last):
    ...
    nnsvg.errors.NnsvgError: unknown length unit 'furlong': use in, mm, cm, pt, pc or px
    """
    factor = PX_PER_UNIT.get(unit)
    if factor is None:
        raise NnsvgError(f"unknown length unit {unit!r}: use in, mm, cm, pt, pc or px")
    number = f"{px / factor:.4f}".rstrip("0").rstrip(".")
    if number in ("-0", ""):
        number = "0"
    return number + unit


def figure_width(text: str, *, field: str = "width") -> float:
    """``text``, a figure's printed width (from a spec, a project file or ``--width``), in
    px: a length as :func:`parse_length` reads it, from 1px to 100000px (about 1000in).

    >>> figure_width("3.5in")
    336.0
    >>> figure_width("2000in")
    Traceback (most recent call last):
    ...
    nnsvg.errors.NnsvgError: width: must be from 1px to 100000px (about 1000in), got 2000in
    """
    px = parse_length(text, field=field)
    if not MIN_FIGURE_PX <= px <= MAX_FIGURE_PX:
        raise NnsvgError(
            f"must be from {MIN_FIGURE_PX}px to {MAX_FIGURE_PX}px (about 1000in), got {text}",
            field=field,
        )
    return px


def split_length(text: str | float | int, *, field: str = "width") -> tuple[float, str]:
    """A valid length as (number, unit), the unit lower-case and ``px`` for a bare number.

    >>> split_length("3.5IN"), split_length("+89 mm"), split_length(250)
    ((3.5, 'in'), (89.0, 'mm'), (250.0, 'px'))
    """
    parse_length(text, field=field)  # raises the error that names the allowed units
    if not isinstance(text, str):
        return float(text), "px"
    match = _LENGTH.fullmatch(text)
    assert match is not None  # parse_length accepted it
    return float(match["number"]), match["unit"].lower() or "px"
