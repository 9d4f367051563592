"""The files a figure is made from, and where it may be written.

:func:`figure_inputs` lists a figure's inputs (the spec, every theme file of its chain,
weight files, images) as the incremental cache and the output guard need them;
:func:`file_digest` reads one without ever blocking (a FIFO is no file).

:func:`check_output` is the rule every writer of a figure follows, the CLI's batch and
``Figure.save`` alike: an output is never written through a symbolic link (the link
would carry the write onto another file) and is never one of the run's inputs (a spec
named ``self.svg``, an image another spec of the batch embeds). It refuses before
anything is written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nnsvg.errors import ExportError
from nnsvg.pipeline import RenderOptions, theme_access
from nnsvg.safe_files import FileRefused, confine
from nnsvg.theme_files import ThemeAccess

__all__ = [
    "Files",
    "Input",
    "check_output",
    "figure_inputs",
    "file_digest",
    "input_paths",
    "write_outputs",
]

_MAX_THEME_CHAIN = 17  # theme.py allows 16 extends
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Input:
    """A file a figure is made from: ``kind`` is spec, theme, weights or image; ``name``
    as written (a theme name, a relative path); ``path`` None for an unknown theme name."""

    kind: str
    name: str
    path: Path | None


class Files:
    """File digests and theme parents, each read once per run."""

    def __init__(self) -> None:
        self._digests: dict[str, str] = {}
        self._extends: dict[str, Any] = {}

    def digest(self, path: Path) -> str:
        key = os.path.abspath(path)
        if key not in self._digests:
            self._digests[key] = file_digest(path) or "<missing>"
        return self._digests[key]

    def extends(self, path: Path) -> Any:
        """The theme file's ``extends:`` value: a name or path, "default" when it names
        none, or None when the chain ends here (a complete theme, or a broken file)."""
        key = os.path.abspath(path)
        if key not in self._extends:
            self._extends[key] = _read_extends(path)
        return self._extends[key]


def file_digest(path: str | os.PathLike[str]) -> str | None:
    """SHA-256 of a regular file's bytes; None when it is missing or not a regular data
    file (a pipe, a device, a kernel pseudo-file: see :mod:`nnsvg.safe_files`)."""
    from nnsvg.safe_files import FileRefused, open_regular

    try:
        file, _info = open_regular(path)
        with file:
            h = hashlib.sha256()
            while chunk := file.read(_CHUNK):
                h.update(chunk)
            return h.hexdigest()
    except (FileRefused, OSError, ValueError):
        return None


def _read_extends(path: Path) -> Any:
    from nnsvg.theme_files import theme_parent

    return theme_parent(path)


def _theme_inputs(ref: str, base_dir: Path, access: ThemeAccess, files: Files) -> list[Input]:
    """The theme ``ref`` and the themes it extends, as the render reads them under
    ``access``: a file it would refuse to read (outside the allowed folders) is keyed by
    its name only, and ends the chain."""
    from nnsvg.theme import builtin_theme_names, is_theme_file, styles_dir

    found: list[Input] = []
    seen: set[str] = set()
    current: str | None = ref
    while current is not None and len(found) < _MAX_THEME_CHAIN:
        if is_theme_file(current):
            path = Path(current)
            if not path.is_absolute():
                path = base_dir / path
            if access.confine is not None:
                try:
                    confine(path, access.confine)
                except FileRefused:
                    found.append(Input("theme", current, None))
                    break
        elif current in builtin_theme_names():
            path = styles_dir() / f"{current}.yaml"
        else:
            found.append(Input("theme", current, None))
            break
        try:
            key = os.path.realpath(path)
        except (ValueError, OSError):  # a NUL in the name: the render reports it
            found.append(Input("theme", current, None))
            break
        found.append(Input("theme", current, path))
        if key in seen:
            break
        seen.add(key)
        current, base_dir = files.extends(path), path.parent
    return found


def figure_inputs(
    spec: Any, spec_path: Path | None, options: RenderOptions, files: Files | None = None
) -> list[Input]:
    """The files a figure of ``spec`` (read from ``spec_path``, None for text or data)
    drawn with ``options`` is made from: the spec, its theme chain, weights, images."""
    from nnsvg.safe_files import inside as inside_folder
    from nnsvg.theme import Theme

    files = files or Files()
    found = [Input("spec", "", spec_path)] if spec_path is not None else []
    if not isinstance(options.theme, Theme):  # a theme object is no file
        base = options.theme or spec.theme or "default"
        base_dir = Path.cwd() if options.theme else spec.base_dir
        found.extend(_theme_inputs(base, base_dir, theme_access(spec, options), files))
    base_real = os.path.realpath(spec.base_dir)
    # Weight files may come from the project's folder too (nnsvg.weights.load_weights).
    weight_folders = [base_real]
    if options.project_dir is not None:
        weight_folders.append(os.path.realpath(options.project_dir))
    for name in spec.weights or ():
        try:
            path: Path | None = Path(os.path.realpath(spec.base_dir / name))
        except (ValueError, OSError):
            path = None
        # As for images below: a file the render would refuse is keyed by its name only.
        if path is not None and not options.allow_outside:
            path = path if any(inside_folder(str(path), f) for f in weight_folders) else None
        found.append(Input("weights", name, path))
    images = [spec.input.image] if spec.input is not None and spec.input.image else []
    images.extend(layer.image for layer in spec.layers if layer.image)
    for name in images:
        try:
            path = Path(os.path.realpath(os.path.join(base_real, name)))
        except (ValueError, OSError):
            path = None
        # Never read a file the render itself would refuse to read (outside the spec's
        # folder without --allow-outside): key it by its name only.
        if path is not None and not options.allow_outside:
            path = path if inside_folder(str(path), base_real) else None
        found.append(Input("image", name, path))
    for panel in getattr(spec, "panels", ()):  # a figure of panels: each panel's files too
        source = panel.spec.source
        named = Path(source.file) if panel.file and source is not None else None
        found.extend(figure_inputs(panel.spec, named, options, files))
    return found


def input_paths(inputs: Iterable[Input]) -> frozenset[str]:
    """The real paths of ``inputs`` that name a file (links resolved)."""
    found = set()
    for item in inputs:
        if item.path is None:
            continue
        try:
            found.add(os.path.realpath(item.path))
        except (ValueError, OSError):
            continue
    return frozenset(found)


def write_outputs(
    scene: Any,
    svg: str,
    outputs: Iterable[tuple[Path, str]],
    *,
    protected: frozenset[str],
    max_edges: int,
    dpi: float | None = None,
    scale: float | None = None,
    embed_fonts: bool = False,
) -> Iterator[tuple[Path, bytes]]:
    """Write ``scene`` (whose SVG is ``svg``, without embedded fonts) to each (path,
    format) of ``outputs``, atomically, yielding (path, bytes) as each is written; an
    SVG output embeds its fonts when ``embed_fonts``. Every output is checked first,
    before any is written: none may be a link or one of ``protected`` (see
    :func:`check_output`), and none may cost more than ``max_edges`` to draw (see
    :func:`nnsvg.render.writers.check_output_cost`)."""
    from nnsvg.atomic import write_atomic
    from nnsvg.render.writers import WriteOptions, check_output_cost, write

    outputs = list(outputs)
    for path, fmt in outputs:
        check_output(path, protected)
        check_output_cost(scene, fmt, max_edges)
    options = WriteOptions(dpi=dpi, scale=scale, svg=svg, embed_fonts=embed_fonts)
    for path, fmt in outputs:
        data = write(scene, fmt, options)
        write_atomic(path, data)
        yield path, data


def check_output(path: str | os.PathLike[str], inputs: frozenset[str] = frozenset()) -> None:
    """Refuse to write ``path`` when it is a symbolic link, or when it is (links
    resolved) one of ``inputs`` (real paths, see :func:`input_paths`)."""
    from nnsvg.checker import printable

    name = printable(os.fspath(path))
    if os.path.islink(path):
        try:
            target = f" to {printable(os.readlink(path))}"
        except OSError:
            target = ""
        raise ExportError(
            f"{name} is a symbolic link{target}; nnsvg does not write through links "
            "(remove the link, or choose another output)"
        )
    try:
        real = os.path.realpath(path)
    except (ValueError, OSError):
        return  # the write itself reports what is wrong with the name
    if real in inputs:
        raise ExportError(
            f"{name} is an input of this run (a spec, theme, weights or image file); "
            "nnsvg does not write a figure over its own inputs (choose another output)"
        )
