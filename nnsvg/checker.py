"""Typed reading of loaded YAML/JSON data, with located, collected errors.

Spec and theme validation both read plain data out of a
:class:`~nnsvg.spec.load.Document`. A :class:`Checker` converts one value at a
time (integer, number, colour, choice...), and on a bad value records an error
at that value's place in the file and returns ``None`` so that validation goes
on and every problem is reported at once.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from nnsvg.colors import parse_color
from nnsvg.errors import (  # noqa: F401 - printable and display_path are re-exported
    Location,
    NnsvgError,
    SpecError,
    SpecErrors,
    display_path,
    printable,
)
from nnsvg.spec.load import Path_, format_path

__all__ = ["MISSING", "Checker", "Locator", "describe", "did_you_mean", "printable"]


class Locator(Protocol):
    """Anything that says where a value (or its key) stands: a loaded Document."""

    def location(self, path: Path_) -> Location: ...

    def key_location(self, path: Path_) -> Location: ...


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def describe(value: Any) -> str:
    """A short description of a value for messages: ``-3``, ``'abc'``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if not isinstance(value, float) or math.isfinite(value) else str(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'units'?)`` when a choice is close to ``word``, else ``''``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _quoted(choices: Sequence[str]) -> str:
    return ", ".join(f"'{c}'" for c in choices)


class Checker:
    """Reads values out of ``doc``; errors are collected, then raised together."""

    def __init__(self, doc: Locator, error_cls: type[NnsvgError] = SpecError) -> None:
        self.doc = doc
        self.error_cls = error_cls
        self.errors: list[NnsvgError] = []

    # -- errors ---------------------------------------------------------------
    def error(self, path: Path_, message: str, *, at_key: bool = False) -> None:
        location = self.doc.key_location(path) if at_key else self.doc.location(path)
        prefix = getattr(self.doc, "field_prefix", ())
        field = printable(format_path((*prefix, *path)))
        self.errors.append(self.error_cls(message, location=location, field=field))

    def raise_if_errors(self) -> None:
        if not self.errors:
            return
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.error_cls is SpecError or issubclass(self.error_cls, SpecError):
            raise SpecErrors(self.errors)
        raise self.errors[0]

    # -- structure ------------------------------------------------------------
    def mapping(
        self, value: Any, path: Path_, allowed: Iterable[str], *, what: str = "a mapping"
    ) -> dict[str, Any]:
        """The mapping at ``path``; keys not in ``allowed`` are errors."""
        if value is MISSING or value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, f"must be {what}, got {describe(value)}")
            return {}
        allowed = list(allowed)
        for key in value:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed) or f"; allowed keys: {_quoted(allowed)}"
                shown = printable(str(key))
                self.error((*path, key), f"unknown key '{shown}'{hint}", at_key=True)
        return value

    def sequence(self, value: Any, path: Path_, *, what: str = "a list") -> list[Any] | None:
        if value is MISSING:
            return None
        if not isinstance(value, list):
            self.error(path, f"must be {what}, got {describe(value)}")
            return None
        return value

    # -- scalars --------------------------------------------------------------
    def integer(
        self,
        value: Any,
        path: Path_,
        *,
        minimum: int | None = None,
        maximum: int | None = None,
        default: Any = None,
        what: str | None = None,
    ) -> Any:
        if value is MISSING or value is None:
            return default
        if what is None:
            what = "a positive integer" if minimum == 1 else "an integer"
            if minimum is not None and minimum not in (1,):
                what = f"an integer >= {minimum}"
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.error(path, f"must be {what}, got {describe(value)}")
                return None
        if minimum is not None and value < minimum:
            self.error(path, f"must be {what}, got {value}")
            return None
        if maximum is not None and value > maximum:
            self.error(path, f"must be at most {maximum:,}, got {value:,}")
            return None
        return value

    def number(
        self,
        value: Any,
        path: Path_,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        positive: bool = False,
        default: Any = None,
    ) -> Any:
        if value is MISSING or value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(path, f"must be a number, got {describe(value)}")
            return None
        try:
            value = float(value)
        except OverflowError:  # an integer such as 10**400: YAML and JSON both read it
            self.error(path, "must be a finite number, got an integer too large for one")
            return None
        if not math.isfinite(value):
            self.error(path, f"must be a finite number, got {describe(value)}")
            return None
        if positive and value <= 0:
            self.error(path, f"must be a number > 0, got {_num(value)}")
            return None
        if minimum is not None and value < minimum:
            rng = f"from {_num(minimum)} to {_num(maximum)}" if maximum is not None else None
            self.error(path, f"must be {rng or f'>= {_num(minimum)}'}, got {_num(value)}")
            return None
        if maximum is not None and value > maximum:
            rng = f"from {_num(minimum)} to {_num(maximum)}" if minimum is not None else None
            self.error(path, f"must be {rng or f'<= {_num(maximum)}'}, got {_num(value)}")
            return None
        return value

    def boolean(self, value: Any, path: Path_, *, default: Any = None) -> Any:
        if value is MISSING or value is None:
            return default
        if not isinstance(value, bool):
            self.error(path, f"must be true or false, got {describe(value)}")
            return None
        return value

    def string(
        self,
        value: Any,
        path: Path_,
        *,
        default: Any = None,
        max_length: int = 1000,
        allow_empty: bool = True,
    ) -> Any:
        if value is MISSING or value is None:
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # a label such as 42 is meant as text
        if not isinstance(value, str):
            self.error(path, f"must be a string, got {describe(value)}")
            return None
        if not allow_empty and not value.strip():
            self.error(path, "must not be empty")
            return None
        if len(value) > max_length:
            self.error(path, f"is {len(value)} characters long; at most {max_length} are allowed")
            return None
        if _CONTROL.search(value):
            self.error(path, "must not contain control characters (other than tab)")
            return None
        return value

    def choice(
        self, value: Any, path: Path_, choices: Sequence[str], *, default: Any = None
    ) -> Any:
        if value is MISSING or value is None:
            return default
        if not isinstance(value, str) or value not in choices:
            hint = did_you_mean(value, choices) if isinstance(value, str) else ""
            if isinstance(value, bool):
                hint = " (YAML reads yes/no/on/off as true/false: quote the value)"
            self.error(path, f"must be one of {_quoted(choices)}, got {describe(value)}{hint}")
            return None
        return value

    def color(
        self, value: Any, path: Path_, *, default: Any = None, allow_none: bool = True
    ) -> Any:
        if value is MISSING or value is None:
            return default
        if not isinstance(value, str):
            self.error(
                path, f"must be a colour such as '#1f77b4' or 'steelblue', got {describe(value)}"
            )
            return None
        parsed = parse_color(value, allow_none=allow_none)
        if parsed is None:
            self.error(
                path,
                f"is not a colour: {describe(value)} (use #rgb, #rrggbb, a CSS colour name"
                + (" or 'none'" if allow_none else "")
                + ")",
            )
            return None
        return parsed


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(value)
