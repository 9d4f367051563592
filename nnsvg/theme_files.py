"""Theme files: where nnsvg finds them, which it may read, and what their errors may quote.

A theme reference is a built-in theme's name (``paper``) or a file's path (anything
ending in ``.yaml``, ``.yml`` or ``.json``, or holding a slash), relative to the folder
of whatever names it: the spec, the theme that ``extends:`` it, the current folder for
``--theme``.

Which files may be read (a :class:`ThemeAccess` says):

* A theme a spec names (``theme: ../x.yaml``, ``theme: {extends: x.yaml}``) is read by
  the rule images follow: it must lie, after links are resolved, inside the spec's folder
  or the project folder (the folder of ``nnsvg.toml``), unless ``--allow-outside``. The
  ``extends:`` chain of such a theme obeys the same rule, file by file.
* A theme the user names (``--theme``, the project file's ``theme``, ``load_theme()``
  from Python) is trusted: read from anywhere, and so is its chain.
* Either way only a regular file is read, never a FIFO, a device, a folder or a kernel
  pseudo-file, checked before it is opened (:mod:`nnsvg.safe_files`), at most
  :data:`MAX_THEME_BYTES`.

What errors may quote: a message about a theme file quotes its text (a key, a value, a
name it extends) only as a short printable excerpt (at most 40 characters), and only
when the file lies inside the spec's folder, the project folder (or, for ``--theme``,
the current folder) or nnsvg's built-in themes. About any other file (one read with
``--allow-outside``, a trusted theme elsewhere) a message says where the problem is
(line, column, the theme key) and what kind it is, never the text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nnsvg.checker import MISSING, NOT_SHOWN, Locator, did_you_mean, excerpt, printable
from nnsvg.errors import LimitError, Location, SpecError, ThemeError
from nnsvg.safe_files import FileRefused, confine, inside, read_regular, regular_file
from nnsvg.spec.load import MAX_SPEC_BYTES, Document, Path_, parse_document

__all__ = [
    "MAX_EXTENDS",
    "MAX_THEME_BYTES",
    "TRUSTED",
    "ThemeAccess",
    "ThemeLayer",
    "builtin_theme_names",
    "builtin_theme_path",
    "is_theme_file",
    "read_chain",
    "read_source",
    "styles_dir",
    "theme_parent",
]

MAX_THEME_BYTES = MAX_SPEC_BYTES
"""Largest theme file read, in bytes."""
MAX_EXTENDS = 16
"""Most themes one theme may extend, one after another."""

_OUTSIDE = "outside the folders nnsvg reads from"  # safe_files.confine's reason


# --- where themes live ------------------------------------------------------------------
def styles_dir() -> Path:
    """The folder of built-in themes: ``nnsvg/styles`` in a wheel, ``styles/`` in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "styles"
    if packaged.is_dir():
        return packaged
    return here.parent / "styles"


@lru_cache(maxsize=1)
def builtin_theme_names() -> tuple[str, ...]:
    folder = styles_dir()
    if not folder.is_dir():
        return ()
    return tuple(sorted(p.stem for p in folder.glob("*.yaml")))


def builtin_theme_path(name: str) -> Path:
    names = builtin_theme_names()
    if name not in names:
        raise ThemeError(
            f"unknown theme '{excerpt(name)}'{did_you_mean(name, names)}; built-in themes: "
            + ", ".join(names)
            + " (or give a path to a .yaml theme file)"
        )
    return styles_dir() / f"{name}.yaml"


def is_theme_file(name: str) -> bool:
    """Whether a theme reference names a file (a path or a .yaml/.yml/.json name) rather
    than a built-in theme."""
    return name.endswith((".yaml", ".yml", ".json")) or os.sep in name or "/" in name


# --- which files may be read and quoted ---------------------------------------------------
@dataclass(frozen=True)
class ThemeAccess:
    """Which theme files may be read, and which of them messages may quote.

    ``confine``: the folders every theme file must lie in (links resolved), None for
    anywhere; ``allowed`` names them in messages. ``quote``: the folders whose theme
    files messages may quote (short excerpts), None for every file; nnsvg's built-in
    themes may always be quoted.
    """

    confine: tuple[str, ...] | None = None
    quote: tuple[str, ...] | None = None
    allowed: str = "the spec's folder"
    hint: str = "use --allow-outside to permit"

    @classmethod
    def for_spec(
        cls,
        spec_dir: str | os.PathLike[str],
        project_dir: str | os.PathLike[str] | None = None,
        *,
        trusted: bool = False,
        allow_outside: bool = False,
    ) -> ThemeAccess:
        """The access of a figure's theme: confined to the spec's folder and the project
        folder unless ``trusted`` (``--theme``: the current folder may be quoted too) or
        ``allow_outside``."""
        folders = [os.fspath(spec_dir)]
        allowed = "the spec's folder"
        hint = "use --allow-outside, or put an nnsvg.toml in a folder above both"
        if project_dir is not None:
            folders.append(os.fspath(project_dir))
            allowed = "the spec's folder and the project folder"
            hint = "use --allow-outside to permit"
        quote = [*folders, os.getcwd()] if trusted else folders
        confined = None if trusted or allow_outside else tuple(folders)
        return cls(confined, tuple(quote), allowed, hint)

    def may_quote(self, real: str) -> bool:
        """Whether messages may quote the text of the theme file at the real path ``real``."""
        if self.quote is None:
            return True
        folders: Iterable[str] = (*self.quote, str(styles_dir()))
        return any(inside(real, os.path.realpath(folder)) for folder in folders)


TRUSTED = ThemeAccess()
"""The access of a theme the user names: any regular file, quoted."""


@dataclass(frozen=True, slots=True)
class ThemeLayer:
    """One theme source: its data and the document that locates its values."""

    data: dict[str, Any]
    doc: Locator


class SealedDocument:
    """A theme file nnsvg may read but not quote: locates values as its document does;
    ``quotable`` false tells :class:`~nnsvg.checker.Checker` to say no more than where."""

    quotable = False

    def __init__(self, doc: Locator, file: str) -> None:
        self._doc = doc
        self.file = file

    def location(self, path: Path_) -> Location:
        return self._doc.location(path)

    def key_location(self, path: Path_) -> Location:
        return self._doc.key_location(path)


# --- reading --------------------------------------------------------------------------------
def shown_ref(ref: str) -> str:
    """A theme reference as messages show it: printable, at most 40 characters (the end,
    with the file's name, kept)."""
    shown = printable(ref)
    return shown if len(shown) <= 40 else shown[:18] + "..." + shown[-19:]


def read_source(
    ref: str,
    base_dir: Path | None,
    where: Location | None,
    access: ThemeAccess = TRUSTED,
    *,
    quote_ref: bool = True,
) -> tuple[ThemeLayer, Path, str]:
    """The theme ``ref`` (a built-in name, or a path relative to ``base_dir``) read under
    ``access``: its layer, its path and a key naming it (the real path of a file, the
    name of a built-in theme). Errors are located at ``where`` (where ``ref`` is
    written); ``quote_ref`` false keeps ``ref`` itself out of them."""
    if not is_theme_file(ref):
        try:
            path = builtin_theme_path(ref)
        except ThemeError as err:
            message = err.message if quote_ref else f"unknown built-in theme ({NOT_SHOWN})"
            raise ThemeError(message, location=where) from None
        return _layer(path, str(path), regular_file(path), True), path, ref
    shown = shown_ref(ref) if quote_ref else "(its name is not shown)"

    def refused(message: str) -> ThemeError:
        return ThemeError(message, location=where)

    if "\x00" in ref:
        raise refused("a theme file name must not contain a NUL character")
    if not ref.isprintable():
        raise refused("a theme file name must not contain control characters")
    path = Path(ref)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    try:
        if access.confine is not None:
            confine(path, access.confine)
        real = os.path.realpath(path)
        info = regular_file(real)
    except FileRefused as exc:
        reason = str(exc)
        if reason == _OUTSIDE:
            raise refused(
                f"theme file '{shown}' is outside {access.allowed}; nnsvg reads the theme "
                f"files a spec names only from there ({access.hint})"
            ) from None
        if reason == "no such file":
            raise refused(f"theme file not found: {shown}") from None
        raise refused(f"cannot read theme file '{shown}': {reason}") from None
    except (OSError, ValueError):
        raise refused(f"cannot read theme file '{shown}'") from None
    return _layer(path, real, info, access.may_quote(real)), path, real


def _layer(path: Path, real: str, info: os.stat_result, quotable: bool) -> ThemeLayer:
    """The theme file at ``path`` (real path ``real``, found regular with ``info``), read
    and parsed (cached while it is unchanged); a file that may not be quoted gives
    errors without its text."""
    file = str(path)
    try:
        doc = _parse(real, file, info.st_mtime_ns, info.st_size, info.st_ino)
    except FileRefused as exc:
        raise ThemeError(f"cannot read theme file: {exc}", location=Location(file)) from None
    except SpecError as err:
        if quotable or isinstance(err, LimitError):  # a limit's message quotes nothing
            raise ThemeError(err.message, location=err.location, field=err.field) from None
        raise ThemeError(f"not a valid theme file ({NOT_SHOWN})", location=err.location) from None
    if not isinstance(doc.data, dict):
        raise ThemeError("a theme must be a mapping", location=doc.location(()))
    return ThemeLayer(doc.data, doc if quotable else SealedDocument(doc, file))


@lru_cache(maxsize=64)
def _parse(real: str, file: str, mtime_ns: int, size: int, inode: int) -> Document:
    data = read_regular(real, MAX_THEME_BYTES)
    return parse_document(data, file)


def read_chain(
    first: ThemeLayer,
    first_dir: Path | None,
    first_key: str | None = None,
    access: ThemeAccess = TRUSTED,
) -> list[ThemeLayer]:
    """``first`` and the themes it extends, nearest first, ending with a complete base;
    every file read under ``access``."""
    chain = [first]
    seen: list[str] = [first_key] if first_key else []
    layer, base_dir = first, first_dir
    while True:
        parent = layer.data.get("extends", MISSING)
        if parent is None:
            return chain  # a complete base theme (default.yaml)
        if parent is MISSING:
            parent = "default"
        where = layer.doc.location(("extends",))
        quote = getattr(layer.doc, "quotable", True)
        if not isinstance(parent, str) or not parent:
            raise ThemeError("extends: must be a theme name or a path", location=where)
        if "\x00" in parent:
            raise ThemeError(
                "extends: a theme name must not contain a NUL character", location=where
            )
        key = parent
        if is_theme_file(parent):
            key = os.path.realpath((base_dir or Path()) / parent)
        if key in seen:
            raise ThemeError(
                "extends: themes extend each other in a loop ("
                + " -> ".join(shown_ref(Path(k).name) for k in [*seen, key])
                + ")",
                location=where,
            )
        if len(seen) >= MAX_EXTENDS:
            raise ThemeError(
                f"extends: more than {MAX_EXTENDS} themes extend each other", location=where
            )
        seen.append(key)
        layer, path, _real = read_source(parent, base_dir, where, access, quote_ref=quote)
        base_dir = path.parent
        chain.append(layer)


def theme_parent(path: Path) -> Any:
    """What the theme file at ``path`` extends, for the incremental cache: its
    ``extends:`` value (a name or a path), "default" when it names none, None when the
    chain ends here (a complete theme, or a file that cannot be read: the render
    reports that). Read as the render reads it (and cached for it)."""
    try:
        real = os.path.realpath(path)
        info = regular_file(real)
        data = _parse(real, str(path), info.st_mtime_ns, info.st_size, info.st_ino).data
    except (FileRefused, SpecError, OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    parent = data.get("extends", "default")
    return parent if isinstance(parent, str) and parent else None
