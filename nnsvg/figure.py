"""``nnsvg.Figure``: one figure for scripts and notebooks.

A figure is a spec (a file, YAML or JSON text, or Python data) and the options it is
drawn with (the CLI's: theme, style, width, ...). It is read and validated when made,
so a bad spec fails at once with the same located messages as the command line; the
layout and the SVG are made when first asked for, once.

>>> fig = Figure({"layers": [3, 4, 2]}, id_prefix="doc-")
>>> fig
<nnsvg.Figure <dict>: fcnn, 3 layers>
>>> 'id="doc-layer-1"' in fig.svg
True
>>> Figure({"layers": [3, -4]})
Traceback (most recent call last):
  ...
nnsvg.errors.SpecError: <dict>: layers[1]: must be a positive integer, got -4
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nnsvg.engines.limits import DEFAULT_MAX_EDGES, DEFAULT_MAX_NODES
from nnsvg.errors import NnsvgError
from nnsvg.pipeline import RenderOptions, build_scene, load_spec
from nnsvg.scene import Scene
from nnsvg.spec.load import parse_document
from nnsvg.spec.model import Spec, build_spec
from nnsvg.spec.pydata import document_from_data
from nnsvg.spec_paths import SPEC_SUFFIXES
from nnsvg.theme import Theme

__all__ = ["Figure"]

TEXT_NAME = "<string>"

Source = str | os.PathLike[str] | Mapping[str, Any] | Sequence[Any]


def _read(source: Source) -> tuple[Spec, Path | None]:
    """The spec ``source`` holds, and the file it came from (None for text or data)."""
    if isinstance(source, Mapping):
        return build_spec(document_from_data(source)), None
    if isinstance(source, (list, tuple)):  # the layer sizes, as NN-SVG takes them
        return build_spec(document_from_data({"layers": list(source)})), None
    if isinstance(source, os.PathLike) or (isinstance(source, str) and _names_a_file(source)):
        path = Path(source)
        return load_spec(path), path
    if isinstance(source, str):
        fmt = "json" if source.lstrip().startswith("{") else "yaml"
        return build_spec(parse_document(source, TEXT_NAME, fmt=fmt)), None
    raise NnsvgError(
        "a figure is made from a spec file's path, spec text (YAML or JSON), a mapping or a "
        f"list of layer sizes, got a value of type {type(source).__name__}"
    )


def _names_a_file(text: str) -> bool:
    """A one-line string with a spec suffix, or with nothing YAML would read as a mapping
    (no ':' and no '{'), is a file name: a typo then says 'no such file'."""
    if "\n" in text:
        return False
    if text.lower().endswith(SPEC_SUFFIXES):
        return True
    return ":" not in text and "{" not in text and "[" not in text


def _check_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise NnsvgError(
            f"must be true or false, got a value of type {type(value).__name__}", field=name
        )


def _with_font(spec: Spec, font: str | None) -> Spec:
    """``spec`` with ``font`` as its theme's family (as ``--font`` does), or as it is."""
    if not font or not font.strip():
        return spec
    from nnsvg.batch import with_font

    return with_font(spec, font.strip())


class Figure:
    """A network figure: made from a spec, drawn with options, saved in any format.

    ``source`` is a spec file's path (``str`` or :class:`os.PathLike`), spec text (YAML,
    or JSON when it starts with ``{``), a mapping like a spec file's top level, or a list
    of layer sizes (an FCNN). The keyword options are the command line's; ``theme`` may
    also be a :class:`~nnsvg.theme.Theme` object. ``id_prefix`` starts every SVG id
    (default: derived from the figure, so figures on one page never share ids).
    ``embed_fonts`` embeds the glyphs its texts use in its SVG (:attr:`svg`, and any
    ``.svg`` it saves; see :mod:`nnsvg.render.font_embed`), so that every viewer shows
    the fonts it was measured with.
    """

    def __init__(
        self,
        source: Source,
        *,
        theme: str | Theme | None = None,
        style: str | None = None,
        width: str | None = None,
        elide: bool | None = None,
        seed: int | None = None,
        font: str | None = None,
        id_prefix: str | None = None,
        max_edges: int = DEFAULT_MAX_EDGES,
        max_nodes: int = DEFAULT_MAX_NODES,
        allow_outside: bool = False,
        embed_fonts: bool = False,
    ) -> None:
        from nnsvg.render.svg import check_id_prefix

        if id_prefix is not None:
            check_id_prefix(id_prefix)
        _check_bool("embed_fonts", embed_fonts)
        if theme is not None and not isinstance(theme, (str, Theme)):
            raise NnsvgError(
                "must be a theme name, a theme file's path or a Theme, got a value of type "
                f"{type(theme).__name__}",
                field="theme",
            )
        self._read_spec, self._path = _read(source)  # as written, before any font
        self._font = font
        self._spec = _with_font(self._read_spec, font)
        self._options = RenderOptions(
            theme=theme,
            style=style,
            width=width,
            elide=elide,
            seed=seed,
            max_edges=max_edges,
            max_nodes=max_nodes,
            allow_outside=allow_outside,
            id_prefix=id_prefix,
            embed_fonts=embed_fonts,
        )

    # -- what it holds

    @property
    def spec(self) -> Spec:
        """The validated spec."""
        return self._spec

    @property
    def options(self) -> RenderOptions:
        """The options it is drawn with."""
        return self._options

    @property
    def name(self) -> str:
        """The spec file's path, or ``<string>`` / ``<dict>`` for text and data."""
        return str(self._path) if self._path is not None else self._spec.source.file

    @functools.cached_property
    def scene(self) -> Scene:
        """The laid-out figure (pure geometry)."""
        return build_scene(self._spec, self._options)

    @functools.cached_property
    def svg(self) -> str:
        """The SVG document, as text (with its fonts when ``embed_fonts``); the same
        bytes on every run."""
        if not self._options.embed_fonts:
            return self._plain_svg
        from nnsvg.render.font_embed import embed_fonts

        return embed_fonts(self._plain_svg, self.scene)

    @functools.cached_property
    def _plain_svg(self) -> str:
        """The SVG without embedded fonts: what the PNG and PDF are drawn from."""
        from nnsvg.render.svg import render_svg

        return render_svg(self.scene, id_prefix=self._options.id_prefix)

    def with_options(self, **changes: Any) -> Figure:
        """A copy drawn with some options changed (``fig.with_options(theme="dark")``)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(RenderOptions)} - {"font"}
        if unknown:
            raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
        copy = object.__new__(Figure)
        copy._read_spec, copy._path = self._read_spec, self._path
        copy._font = changes.pop("font", self._font)
        copy._spec = _with_font(self._read_spec, copy._font)
        if changes.get("id_prefix") is not None:
            from nnsvg.render.svg import check_id_prefix

            check_id_prefix(changes["id_prefix"])
        if "embed_fonts" in changes:
            _check_bool("embed_fonts", changes["embed_fonts"])
        copy._options = dataclasses.replace(self._options, **changes)
        return copy

    # -- outputs

    def save(
        self,
        path: str | os.PathLike[str],
        *,
        format: str | None = None,
        dpi: float | None = None,
        scale: float | None = None,
        width: str | None = None,
    ) -> Path:
        """Write the figure to ``path`` as SVG, PNG or PDF (from the suffix, or
        ``format``), atomically, as the command line does: a failed save leaves any old
        file as it was, and never writes through a symbolic link or over one of the
        figure's inputs. ``dpi``/``scale`` size a PNG; ``width`` (``"3.5in"``) draws the
        figure at that printed width. Returns the path written."""
        from nnsvg.figure_files import figure_inputs, input_paths, write_outputs
        from nnsvg.render.writers import infer_format

        figure = self if width is None else self.with_options(width=width)
        target = Path(path)
        for _written in write_outputs(
            figure.scene,
            figure._plain_svg,
            [(target, infer_format(target, format))],
            protected=input_paths(figure_inputs(figure._spec, figure._path, figure._options)),
            max_edges=figure._options.max_edges,
            dpi=dpi,
            scale=scale,
            embed_fonts=figure._options.embed_fonts,
        ):
            pass
        return target

    def check(
        self,
        *,
        width: str | None = None,
        min_pt: float = 6.0,
        max_width: str | None = None,
    ) -> list[Any]:
        """What a reviewer would send back, as :class:`nnsvg.lint.Finding` data (empty
        when nothing): the checks of ``nnsvg check``, at the printed ``width`` (default:
        the figure's own)."""
        from nnsvg.lint import LintOptions, lint_drawn

        if not 0 < min_pt < 100:
            raise NnsvgError(f"must be above 0 and below 100 points, got {min_pt}", field="min_pt")
        figure = self if width is None else self.with_options(width=width)
        options = LintOptions(
            min_text_pt=min_pt, target_width=figure._options.width, max_width=max_width
        )
        return lint_drawn(figure._spec, figure.scene, figure._options, options)

    # -- display

    def _repr_svg_(self) -> str:
        """Jupyter shows a figure as its SVG."""
        return self.svg

    def __repr__(self) -> str:
        style = self._options.style or self._spec.style
        return f"<nnsvg.Figure {self.name}: {style}, {len(self._spec.layers)} layers>"
