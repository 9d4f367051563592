"""Project files: a paper's defaults for ``nnsvg render`` and ``nnsvg watch``.

A project file is ``nnsvg.toml`` (keys at the top level) or a ``[tool.nnsvg]``
table in ``pyproject.toml``. It is looked for in the current folder, then in
each parent, stopping after the folder that holds ``.git`` (the repository
root) or at the file-system root; in one folder ``nnsvg.toml`` wins over
``pyproject.toml``, and a ``pyproject.toml`` without a ``[tool.nnsvg]`` table
is passed over.

The keys act exactly like the command-line options of the same name, so a
command-line option overrides the project file and the project file
overrides a spec's own key only where that option would (``theme`` replaces a
spec's base theme but not its ``theme:`` overrides; ``width`` replaces a
spec's ``width:``). Relative paths (``out_dir``, a theme file) are relative to
the project file's folder.

Errors name the file, the line and column when they can be found, and the key:
``nnsvg.toml:3:11: formats: unknown format 'gif' (must be one of svg, png, pdf)``.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnsvg.errors import MAX_REPORTED, Location, NnsvgError, SeveralErrors
from nnsvg.safe_files import FileRefused, read_regular

__all__ = [
    "PROJECT_FILE",
    "PROJECT_KEYS",
    "Project",
    "ProjectError",
    "find_project",
    "load_project",
]

PROJECT_FILE = "nnsvg.toml"
PROJECT_KEYS = (
    "theme",
    "formats",
    "width",
    "dpi",
    "scale",
    "out_dir",
    "jobs",
    "font",
    "check",
    "embed_fonts",
)
_TABLE = ("tool", "nnsvg")  # where the keys live in pyproject.toml
_TOOL_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*nnsvg\s*\]", re.M)
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=\s*""")
_MAX_BYTES = 1024 * 1024
# Where tomllib gives up without a position: a long run of digits, deep brackets.
_LONG_NUMBER = re.compile(r"[0-9][0-9_]{1000,}")
_DEEP = re.compile(r"(?:\[\s*){100,}|(?:\{\s*[^{}=\s]+\s*=\s*){100,}")


class ProjectError(SeveralErrors, NnsvgError):
    """The project file cannot be read or has a bad value; ``errors`` holds every problem."""


@dataclass(frozen=True)
class Project:
    """A loaded, validated project file; ``None`` means the key is not set."""

    path: Path
    theme: str | None = None
    formats: tuple[str, ...] | None = None
    width: str | None = None
    dpi: float | None = None
    scale: float | None = None
    out_dir: Path | None = None
    jobs: int | None = None
    font: str | None = None
    check: bool | None = None
    embed_fonts: bool | None = None  # in SVG outputs; a project rendering no SVG ignores it
    locations: dict[str, Location] = field(default_factory=dict, compare=False, repr=False)

    def where(self, key: str) -> Location:
        """Where ``key`` is set (file only when the line is unknown)."""
        return self.locations.get(key, Location(_display(self.path)))


# --- finding -------------------------------------------------------------------------


def find_project(start: str | os.PathLike[str] | None = None) -> Path | None:
    """The project file that applies in ``start`` (default: the current folder), or None.

    An ``nnsvg.toml`` that is there but is no regular file (a FIFO, a link to a device,
    a dangling link) is still the project file: loading it says what is wrong, rather
    than the project's settings being dropped without a word."""
    folder = Path(start if start is not None else Path.cwd()).resolve()
    for here in (folder, *folder.parents):
        candidate = here / PROJECT_FILE
        if os.path.lexists(candidate) and not os.path.isdir(candidate):
            return candidate
        pyproject = here / "pyproject.toml"
        if _has_nnsvg_table(pyproject):
            return pyproject
        if os.path.lexists(here / ".git"):
            return None
    return None


def _has_nnsvg_table(path: Path) -> bool:
    """Whether ``path`` is a pyproject.toml with a ``[tool.nnsvg]`` table (one that is
    missing, unreadable or no regular file is not)."""
    try:
        text = read_regular(path, _MAX_BYTES).decode("utf-8", errors="replace")
    except FileRefused:
        return False
    if "nnsvg" not in text:
        return False
    if _TOOL_HEADER.search(text):
        return True  # ours, even when the file does not parse: that error is reported
    try:
        data = _toml().loads(text)
    except Exception:
        return False  # someone else's broken pyproject.toml that merely mentions nnsvg
    tool = data.get("tool")
    return isinstance(tool, dict) and "nnsvg" in tool


# --- loading ---------------------------------------------------------------------------


def load_project(path: str | os.PathLike[str]) -> Project:
    """Read and check the project file at ``path`` (``nnsvg.toml`` or ``pyproject.toml``)."""
    path = Path(path)
    shown = _display(path)
    is_pyproject = path.name == "pyproject.toml"
    try:
        raw = read_regular(path, _MAX_BYTES)
    except FileRefused as err:
        message = "the project file is over 1 MiB" if str(err).startswith("larger") else None
        raise ProjectError(
            [NnsvgError(message or f"cannot read project file: {err}", location=_loc(shown))]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ProjectError(
            [NnsvgError("not valid UTF-8; save the file as UTF-8", location=_loc(shown, line, 1))]
        ) from None
    data = _parse_toml(text, shown)

    table: Any = data
    if is_pyproject:
        for key in _TABLE:
            table = table.get(key, {}) if isinstance(table, dict) else {}
    prefix = "tool.nnsvg." if is_pyproject else ""
    positions = _key_positions(text, _TABLE if is_pyproject else ())
    locations = {key: _loc(shown, line, value) for key, (line, _, value) in positions.items()}
    key_locations = {key: _loc(shown, line, col) for key, (line, col, _) in positions.items()}
    checker = _Checker(locations, shown, prefix)
    if not isinstance(table, dict):
        checker.error("", "must be a table of settings")
        raise ProjectError(checker.errors)

    unknown = [key for key in table if key not in PROJECT_KEYS]
    for key in unknown[:MAX_REPORTED]:  # the others are counted (they come later in the file)
        from nnsvg.checker import did_you_mean, excerpt

        checker.errors.append(
            NnsvgError(
                f"unknown key '{excerpt(str(key))}'{did_you_mean(str(key), PROJECT_KEYS)}; "
                f"allowed: {', '.join(PROJECT_KEYS)}",
                location=key_locations.get(key, _loc(shown)),
            )
        )
    checker.more = max(0, len(unknown) - MAX_REPORTED)
    folder = path.resolve().parent
    values: dict[str, Any] = {
        "theme": checker.theme(table, folder),
        "formats": checker.formats(table),
        "width": checker.width(table),
        "dpi": checker.positive(table, "dpi"),
        "scale": checker.positive(table, "scale"),
        "out_dir": checker.folder(table, "out_dir", folder),
        "jobs": checker.jobs(table),
        "font": checker.font(table),
        "check": checker.boolean(table, "check"),
        "embed_fonts": checker.boolean(table, "embed_fonts"),
    }
    if checker.errors:
        raise ProjectError(checker.errors, more=checker.more)
    return Project(path=path, locations=locations, **values)


def _parse_toml(text: str, shown: str) -> dict[str, Any]:
    """The TOML ``text`` of the project file ``shown`` as data; any failure is a located
    :class:`ProjectError` (tomllib's own errors, and what it does not catch: an integer
    too long to convert, nesting too deep to parse)."""
    toml = _toml()
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as err:
        message = str(err)
        match = _TOML_POSITION.search(message)
        location = _loc(shown)
        if match:
            location = _loc(shown, int(match.group(1)), int(match.group(2)))
            message = message[: match.start()]
        message = message.replace(" (at end of document)", "")
        raise ProjectError([NnsvgError(f"invalid TOML: {message}", location=location)]) from None
    except RecursionError:
        problem, found = "arrays or tables nested too deeply", _DEEP.search(text)
    except ValueError:  # int(): "Exceeds the limit (4300 digits) for integer string conversion"
        problem, found = "an integer with too many digits", _LONG_NUMBER.search(text)
    except MemoryError:
        problem, found = "too large to read", None
    location = _loc(shown)
    if found is not None:
        line = text.count("\n", 0, found.start()) + 1
        location = _loc(shown, line, found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1)
    raise ProjectError([NnsvgError(f"invalid TOML: {problem}", location=location)]) from None


def _toml() -> Any:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise ProjectError(
                [NnsvgError("reading a project file needs Python 3.11+ or the 'tomli' package")]
            ) from None
    return tomllib


def _display(path: Path) -> str:
    """``path`` as messages show it: relative to the current folder when inside it (the
    name itself as it is, not where a link named so leads)."""
    try:
        shown = str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        shown = str(path)
    from nnsvg.checker import printable

    return printable(shown)


def _loc(file: str, line: int | None = None, column: int | None = None) -> Location:
    return Location(file, line, column)


def _key_positions(text: str, table: tuple[str, ...]) -> dict[str, tuple[int, int, int]]:
    """Best-effort (line, column of the key, column of the value) of each ``key = value``
    line in ``table``.

    tomllib gives positions only for syntax errors; this finds plain and quoted
    keys written one per line, which is how settings are written in practice.
    """
    found: dict[str, tuple[int, int, int]] = {}
    current: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            current = tuple(part.strip().strip("\"'") for part in header.group(1).split("."))
            continue
        if current != table:
            continue
        key = _KEY_LINE.match(line)
        if key:
            name = next(g for g in key.groups() if g is not None)
            indent = len(line) - len(line.lstrip())
            found.setdefault(name, (number, indent + 1, key.end() + 1))
    return found


class _Checker:
    """Reads the project table's values, collecting located errors."""

    def __init__(self, locations: dict[str, Location], shown: str, prefix: str) -> None:
        self.locations = locations
        self.shown = shown
        self.prefix = prefix
        self.errors: list[NnsvgError] = []
        self.more = 0  # errors found but not kept

    def error(self, key: str, message: str) -> None:
        self.errors.append(
            NnsvgError(
                message,
                location=self.locations.get(key, _loc(self.shown)),
                field=f"{self.prefix}{key}" if key else None,
            )
        )

    def _string(self, table: dict[str, Any], key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"must be a non-empty string, got {_describe(value)}")
            return None
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
            self.error(key, "must not contain control characters")
            return None
        return value.strip()

    def theme(self, table: dict[str, Any], folder: Path) -> str | None:
        value = self._string(table, "theme")
        if value is None:
            return None
        from nnsvg.theme import ThemeAccess, is_theme_file, resolve_theme

        if is_theme_file(value) and not Path(value).is_absolute():
            value = str(folder / value)
        try:
            # Trusted (read from anywhere), but quoted only from the project's folder: a
            # project file may come with the specs, from someone else.
            resolve_theme(value, access=ThemeAccess(quote=(str(folder),)))
        except NnsvgError as err:
            self.error("theme", str(err))
            return None
        return value

    def formats(self, table: dict[str, Any]) -> tuple[str, ...] | None:
        from nnsvg.render.writers import WRITERS

        value = table.get("formats")
        if value is None:
            return None
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",")]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(
                "formats", f"must be a list of formats like ['svg', 'pdf'], got {_describe(value)}"
            )
            return None
        formats = [v.strip().lower() for v in value if v.strip()]
        if not formats:
            self.error("formats", f"give at least one of {', '.join(WRITERS)}")
            return None
        for fmt in formats:
            if fmt not in WRITERS:
                self.error(
                    "formats",
                    f"unknown format {_describe(fmt)} (must be one of {', '.join(WRITERS)})",
                )
                return None
        return tuple(dict.fromkeys(formats))

    def width(self, table: dict[str, Any]) -> str | None:
        value = self._string(table, "width")
        if value is None:
            return None
        from nnsvg.units import figure_width

        try:
            figure_width(value)
        except NnsvgError as err:
            self.error("width", err.message)
            return None
        return value

    def positive(self, table: dict[str, Any], key: str) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (math.isfinite(value) and 0 < value < 100_000)
        ):
            self.error(key, f"must be a positive number below 100000, got {_describe(value)}")
            return None
        return float(value)

    def folder(self, table: dict[str, Any], key: str, base: Path) -> Path | None:
        value = self._string(table, key)
        if value is None:
            return None
        path = Path(os.path.expanduser(value))
        return path if path.is_absolute() else base / path

    def jobs(self, table: dict[str, Any]) -> int | None:
        value = table.get("jobs")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1024:
            self.error("jobs", f"must be a whole number from 1 to 1024, got {_describe(value)}")
            return None
        return value

    def font(self, table: dict[str, Any]) -> str | None:
        value = self._string(table, "font")
        if value is not None and len(value) > 500:
            self.error("font", "must be at most 500 characters")
            return None
        return value

    def boolean(self, table: dict[str, Any], key: str) -> bool | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.error(key, f"must be true or false, got {_describe(value)}")
            return None
        return value


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (int, float)) and len(str(value)) > 20:
        return "a number far too large"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)
