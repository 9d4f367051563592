"""The one exception family nnsvg raises for anything a user can get wrong.

Core code raises these with the spec location it knows; only ``cli.py`` turns
them into a printed ``file:line:col: message`` line and an exit code.
"""

from __future__ import annotations

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
    "file_order",
]

MAX_REPORTED = 50
"""Most problems reported for one file; the others are counted in one last line."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where in a file something stands: 1-based line and column."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file or "<spec>"]
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

    def __str__(self) -> str:
        lines = [str(err) for err in self.errors]
        if self.more:
            file = self.errors[0].location.file if self.errors[0].location else None
            noun = "error" if self.more == 1 else "errors"
            lines.append(f"{file + ': ' if file else ''}... and {self.more} more {noun}")
        return "\n".join(lines)


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
