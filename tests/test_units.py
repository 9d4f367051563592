"""Tests for nnsvg.units: physical lengths to CSS px and back."""

from __future__ import annotations

import doctest
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnsvg.units
from nnsvg.errors import NnsvgError
from nnsvg.units import PX_PER_UNIT, format_length, parse_length


def test_doctests() -> None:
    result = doctest.testmod(nnsvg.units, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.parametrize(
    ("text", "px"),
    [
        ("1in", 96.0),
        ("3.5in", 336.0),
        ("3.5 in", 336.0),
        ("  3.5in  ", 336.0),
        ("25.4mm", 96.0),
        ("2.54cm", 96.0),
        ("72pt", 96.0),
        ("6pc", 96.0),
        ("12px", 12.0),
        ("12", 12.0),
        (".5in", 48.0),
        ("1e1px", 10.0),
        ("+2in", 192.0),
        ("3.5IN", 336.0),
        (12, 12.0),
        (0.5, 0.5),
    ],
)
def test_parse_length(text: str | float, px: float) -> None:
    assert parse_length(text) == pytest.approx(px)


@pytest.mark.parametrize(
    "text",
    [
        "3.5 inch",
        "in",
        "",
        "   ",
        "0",
        "0mm",
        "-1in",
        "nan",
        "inf",
        "1e400in",
        "3.5in in",
        "3,5in",
        "3.5em",
        "50%",
        0,
        -3.0,
        math.nan,
        math.inf,
        True,
        None,
        [3],
    ],
)
def test_parse_length_rejects(text: object) -> None:
    with pytest.raises(NnsvgError) as info:
        parse_length(text)  # type: ignore[arg-type]
    assert info.value.field == "width"
    assert "expected a positive number with a unit in, mm, cm, pt, pc or px" in str(info.value)


def test_parse_length_error_message_and_field() -> None:
    with pytest.raises(NnsvgError) as info:
        parse_length("3.5 inch", field="figure.width")
    assert str(info.value) == (
        "figure.width: invalid length '3.5 inch': expected a positive number with a unit"
        " in, mm, cm, pt, pc or px (e.g. 3.5in, 89mm)"
    )


@pytest.mark.parametrize(
    ("px", "unit", "text"),
    [
        (336, "in", "3.5in"),
        (96, "in", "1in"),
        (96, "mm", "25.4mm"),
        (96, "pt", "72pt"),
        (96, "pc", "6pc"),
        (100, "cm", "2.6458cm"),
        (12.5, "px", "12.5px"),
        (0, "in", "0in"),
        (1e-9, "in", "0in"),
    ],
)
def test_format_length(px: float, unit: str, text: str) -> None:
    assert format_length(px, unit) == text


def test_format_length_unknown_unit() -> None:
    with pytest.raises(NnsvgError, match="unknown length unit 'inch'"):
        format_length(96, "inch")


@given(
    st.floats(min_value=0.01, max_value=10_000, allow_nan=False),
    st.sampled_from(sorted(PX_PER_UNIT)),
)
def test_format_then_parse_round_trips(value: float, unit: str) -> None:
    px = value * PX_PER_UNIT[unit]
    text = format_length(px, unit)
    assert parse_length(text) == pytest.approx(px, abs=0.00005 * PX_PER_UNIT[unit] + 1e-9)
