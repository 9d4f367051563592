"""Typed reading of loaded YAML/JSON data, with located, collected errors.

Spec and theme validation both read plain data out of a
:class:`~nnsvg.spec.load.Document`. A :class:`Checker` converts one value at a
time (integer, number, colour, choice...), and on a bad value records an error
at that value's place in the file and returns ``None`` so that validation goes
on and every problem is reported at once.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from nnsvg.colors import parse_color
from nnsvg.errors import (  # noqa: F401 - printable and display_path are re-exported
    MAX_REPORTED,
    Location,
    NnsvgError,
    SeveralErrors,
    SpecError,
    SpecErrors,
    ThemeError,
    ThemeErrors,
    display_path,
    file_order,
    printable,
)
from nnsvg.spec.load import Path_, format_path

__all__ = [
    "MISSING",
    "NOT_SHOWN",
    "Checker",
    "ErrorLog",
    "Locator",
    "describe",
    "did_you_mean",
    "excerpt",
    "printable",
    "unknown_key",
]

NOT_SHOWN = "not shown: the file is outside the spec's folder and the project folder"
"""Why a message about a file nnsvg may read but not quote says no more (see
:mod:`nnsvg.theme_files`)."""


def excerpt(text: str, limit: int = 40) -> str:
    """``text`` as a message may quote it from a file: printable, at most ``limit``
    characters (``...`` ends a longer one)."""
    shown = printable(text)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


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


def unknown_key(
    key: Any,
    allowed: Sequence[str],
    *,
    noun: str = "key",
    listing: str | None = "; allowed keys: ",
    quote: bool = True,
) -> Callable[[], str]:
    """The message for an unknown ``key`` as a function, so that it is made only when
    the error is reported: the closest allowed key, else ``listing`` and the allowed
    keys (quoted with ``quote``), or nothing more when ``listing`` is None."""

    def message() -> str:
        word = str(key)
        hint = did_you_mean(word, allowed)
        if not hint and listing is not None:
            hint = listing + (_quoted(allowed) if quote else ", ".join(allowed))
        return f"unknown {noun} '{excerpt(word)}'{hint}"

    return message


def _quoted(choices: Sequence[str]) -> str:
    return ", ".join(f"'{c}'" for c in choices)


class ErrorLog:
    """The errors found in one file (or one theme chain): the first
    :data:`~nnsvg.errors.MAX_REPORTED` in file order are kept, the others only counted,
    so that a file with 200,000 bad keys costs no more to report than one with 50."""

    def __init__(self, limit: int = MAX_REPORTED) -> None:
        self.limit = limit
        self.count = 0
        self._kept: list[tuple[tuple[str, int, int], int, NnsvgError]] = []

    @property
    def errors(self) -> list[NnsvgError]:
        """The errors kept, in file order."""
        return [err for _key, _n, err in self._kept]

    def admits(self, location: Location | None) -> bool:
        """Whether an error at ``location`` would be kept (else :meth:`skip` it)."""
        return len(self._kept) < self.limit or file_order(location) < self._kept[-1][0]

    def add(self, err: NnsvgError) -> None:
        self.count += 1
        bisect.insort(self._kept, (file_order(err), self.count, err))
        if len(self._kept) > self.limit:
            self._kept.pop()

    def skip(self) -> None:
        """Count an error that is not kept."""
        self.count += 1

    def raise_if_any(self, several: type[SeveralErrors]) -> None:
        """Raise the one error, or ``several`` holding those kept and the count of the rest."""
        if not self.count:
            return
        errors = self.errors
        if self.count == 1:
            raise errors[0]
        raise several(errors, more=self.count - len(errors))  # type: ignore[misc]


Message = str | Callable[[], str]
"""An error message, or a function making it (called only when the error is kept)."""


class Checker:
    """Reads values out of ``doc``; errors are collected, then raised together.

    A ``doc`` whose ``quotable`` attribute is false is a file that may be read but not
    quoted: its errors say where and what (a bad value, an unknown key), never the text.
    """

    def __init__(
        self, doc: Locator, error_cls: type[NnsvgError] = SpecError, log: ErrorLog | None = None
    ) -> None:
        self.doc = doc
        self.error_cls = error_cls
        self.log = log if log is not None else ErrorLog()
        self.sealed = not getattr(doc, "quotable", True)

    @property
    def errors(self) -> list[NnsvgError]:
        """The errors kept so far (see :class:`ErrorLog`)."""
        return self.log.errors

    @property
    def count(self) -> int:
        """How many errors were found, kept or not."""
        return self.log.count

    # -- errors ---------------------------------------------------------------
    def error(
        self, path: Path_, message: Message, *, at_key: bool = False, content: bool = True
    ) -> None:
        """Record an error at ``path`` (at its key with ``at_key``). ``content=False``
        says the message quotes nothing from the file."""
        location = self.doc.key_location(path) if at_key else self.doc.location(path)
        if not self.log.admits(location):
            self.log.skip()
            return
        if self.sealed and content:
            if at_key:
                path = path[:-1]  # the key itself is the file's text
            message = f"invalid {'key' if at_key else 'value'} ({NOT_SHOWN})"
        elif not isinstance(message, str):
            message = message()
        prefix = getattr(self.doc, "field_prefix", ())
        field = printable(format_path((*prefix, *path)))
        self.log.add(self.error_cls(message, location=location, field=field))

    def raise_if_errors(self) -> None:
        if issubclass(self.error_cls, SpecError):
            self.log.raise_if_any(SpecErrors)
        elif issubclass(self.error_cls, ThemeError):
            self.log.raise_if_any(ThemeErrors)
        elif self.count:
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
        allowed = tuple(allowed)
        known = frozenset(allowed)
        for key in value:
            if key not in known:
                self.error((*path, key), unknown_key(key, allowed), at_key=True)
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
