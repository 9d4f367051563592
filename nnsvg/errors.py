"""The one exception family nnsvg raises for anything a user can get wrong.

Core code raises these with the spec location it knows; only ``cli.py`` turns
them into a printed ``file:line:col: message`` line and an exit code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = [
    "MAX_REPORTED",
    "ExportError",
    "LimitError",
    "Location",
    "NnsvgError",
    "RenderError",
    "SeveralErrors",
    "SpecError",
    "SpecErrors",
    "ThemeError",
    "ThemeErrors",
    "display_path",
    "file_order",
    "message_lines",
    "printable",
]

MAX_REPORTED = 50
"""Most problems reported for one file; the others are counted in one last line."""


def printable(text: str) -> str:
    r"""``text`` if every character prints, else its escaped form: a key or value echoed
    in a message must not break the message's line or send terminal codes.

    >>> printable("units"), printable("a" + chr(10) + "b")
    ('units', 'a\\nb')
    """
    return text if text.isprintable() else repr(text)[1:-1]


def display_path(path: object) -> str:
    r"""A file name as a message shows it: :func:`printable`, and ``./`` before a relative
    name that starts with ``:`` or ``-``, so that no printed line can start a CI
    workflow command (``::error::``) or read as an option.

    >>> display_path("::error::x.yaml"), display_path("a" + chr(27) + "b.yaml")
    ('./::error::x.yaml', 'a\\x1bb.yaml')
    """
    text = printable(os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path))
    return "./" + text if text[:1] in (":", "-") else text


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a file something stands: 1-based line and column."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [display_path(self.file) if self.file else "<spec>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class NnsvgError(Exception):
    """Base of every error meant for the user; ``str()`` is the one-line message.

    ``field`` is the dotted path of the offending value (``layers[2].units``),
    ``location`` where it stands in its file, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        location: Location | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.field = field

    def __str__(self) -> str:
        text = f"{self.field}: {self.message}" if self.field else self.message
        if self.location is not None:
            return f"{self.location}: {text}"
        return text


class SpecError(NnsvgError):
    """The spec file cannot be read or does not describe a valid network."""


class TextDoesNotFit(SpecError):
    """``font_size`` asks for text larger than the printed width can hold; ``best`` is
    about the largest size (pt) that it can."""

    def __init__(
        self,
        message: str,
        *,
        best: float,
        location: Location | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, location=location, field=field)
        self.best = best


class ThemeError(NnsvgError):
    """A theme file or theme override is invalid."""


class LimitError(SpecError):
    """The spec asks for more than a configured size limit allows."""


class RenderError(NnsvgError):
    """The layout or SVG renderer could not draw the network."""


class ExportError(NnsvgError):
    """Converting or writing an output file failed."""


class SeveralErrors:
    """Mixed into an error class: several problems found in one file (or a theme and
    those it extends); ``errors`` holds the first :data:`MAX_REPORTED` of them in file
    order, ``more`` how many others there are; the first stands for the whole, and
    ``str()`` gives one line each, then ``... and N more errors`` when some are left out."""

    errors: list[NnsvgError]
    more: int

    def __init__(self, errors: list[NnsvgError], more: int = 0) -> None:
        ordered = sorted(errors, key=file_order)
        self.errors = ordered[:MAX_REPORTED]
        self.more = more + len(ordered) - len(self.errors)
        first = self.errors[0]
        super().__init__(first.message, location=first.location, field=first.field)  # type: ignore[call-arg]

    def lines(self) -> list[str]:
        """One line per problem kept, then ``... and N more errors`` when some are not."""
        lines = [str(err) for err in self.errors]
        if self.more:
            file = self.errors[0].location.file if self.errors[0].location else None
            noun = "error" if self.more == 1 else "errors"
            where = f"{display_path(file)}: " if file else ""
            lines.append(f"{where}... and {self.more} more {noun}")
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


class SpecErrors(SeveralErrors, SpecError):
    """Several problems found in one spec."""


class ThemeErrors(SeveralErrors, ThemeError):
    """Several problems found in one theme."""


def file_order(err: NnsvgError | Location | None) -> tuple[str, int, int]:
    """Sort key of an error (or a location): file, line, column; unlocated first."""
    loc = err.location if isinstance(err, NnsvgError) else err
    if loc is None:
        return ("", 0, 0)
    return (loc.file or "", loc.line or 0, loc.column or 0)


def message_lines(err: BaseException) -> list[str]:
    """The lines an error prints: one per problem (a :class:`SeveralErrors` has several),
    each made printable as a whole, so text inside a message cannot break its line."""
    lines = err.lines() if isinstance(err, SeveralErrors) else [str(err)]
    return [printable(line) for line in lines] or [printable(type(err).__name__)]
