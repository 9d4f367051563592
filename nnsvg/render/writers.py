"""Output formats: a registry of writers, each turning a :class:`~nnsvg.scene.Scene`
into the bytes of one kind of file.

A writer is a module, imported only when its format is first written (so ``nnsvg
render x.svg`` never loads cairo), with two functions:

* ``write(scene: Scene, options: WriteOptions) -> bytes``: the file's content;
* ``cost(scene: Scene) -> float``: what drawing it costs, in straight edges written to
  a PDF (see :func:`edge_cost`), which ``--max-edges`` bounds.

It is registered under its format name with the file suffixes it owns
(:data:`WRITERS`, the model being matplotlib's ``backend_bases`` registry of savefig
formats): adding a format is one module and one :func:`register` line below. Writers
never decide geometry: sizes and positions come from the Scene (see
:mod:`nnsvg.render.sizing`), options only choose the pixel density of a raster
(and whether an SVG embeds its fonts).

>>> sorted(WRITERS)
['pdf', 'png', 'svg', 'tex']
>>> WRITERS["png"].suffixes
('.png',)
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from dataclasses import dataclass
from types import ModuleType

from nnsvg.errors import ExportError, LimitError
from nnsvg.render.sizing import check_positive
from nnsvg.scene import Scene

__all__ = [
    "WRITERS",
    "WriteOptions",
    "Writer",
    "check_format",
    "check_output_cost",
    "edge_cost",
    "formats",
    "infer_format",
    "output_cost",
    "register",
    "write",
]


@dataclass(frozen=True)
class WriteOptions:
    """What a caller may choose about an output beyond its format.

    ``dpi`` and ``scale`` size a PNG (:mod:`nnsvg.render.sizing`); they are checked for
    every format but change only rasters. ``id_prefix`` starts the SVG's ids (see
    :func:`nnsvg.render.svg.render_svg`). ``svg`` is the scene's SVG text (with that
    ``id_prefix``) when the caller has it already, so that the writers that draw through
    cairosvg do not write it again; it must be the SVG of the very scene written, without
    embedded fonts. ``embed_fonts`` embeds the fonts an SVG's texts use (see
    :mod:`nnsvg.render.font_embed`); the other formats draw with those fonts anyway."""

    dpi: float | None = None
    scale: float | None = None
    id_prefix: str | None = None
    svg: str | None = None
    embed_fonts: bool = False

    def checked(self) -> WriteOptions:
        """These options, ``dpi`` and ``scale`` checked positive and finite."""
        return dataclasses.replace(
            self, dpi=check_positive("dpi", self.dpi), scale=check_positive("scale", self.scale)
        )

    def svg_of(self, scene: Scene) -> str:
        """The SVG text of ``scene``: :attr:`svg` when given, else rendered now."""
        if self.svg is not None:
            return self.svg
        from nnsvg.render.svg import render_svg

        return render_svg(scene, id_prefix=self.id_prefix)


@dataclass(frozen=True)
class Writer:
    """One output format: its ``name``, the ``suffixes`` that choose it, and the
    ``module`` (imported lazily) whose ``write`` and ``cost`` draw it."""

    name: str
    suffixes: tuple[str, ...]
    module: str
    description: str

    def load(self) -> ModuleType:
        """The writer's module, imported on first use."""
        return importlib.import_module(self.module)


WRITERS: dict[str, Writer] = {}


def register(writer: Writer) -> None:
    """Add ``writer`` to :data:`WRITERS` (a name or suffix already taken is an error)."""
    taken = {s for w in WRITERS.values() if w.name != writer.name for s in w.suffixes}
    if writer.name in WRITERS or taken & set(writer.suffixes):
        raise ValueError(f"output format {writer.name!r} or one of its suffixes is taken")
    WRITERS[writer.name] = writer


register(Writer("svg", (".svg",), "nnsvg.render.svg", "SVG, written by svgwrite"))
register(Writer("png", (".png",), "nnsvg.render.png", "PNG, drawn by cairo"))
register(Writer("pdf", (".pdf",), "nnsvg.render.pdf", "PDF, drawn by cairo"))
register(Writer("tex", (".tex",), "nnsvg.render.tex", "TikZ picture for LaTeX's \\input"))


def formats() -> tuple[str, ...]:
    """The registered format names, in registration order."""
    return tuple(WRITERS)


def _choices(words: list[str], sep: str = ", ", last: str = " or ") -> str:
    return sep.join(words[:-1]) + last + words[-1] if len(words) > 1 else "".join(words)


def check_format(fmt: str) -> str:
    """``fmt`` as a registered format name (case and blanks ignored).

    >>> check_format(" PNG")
    'png'
    >>> check_format("jpeg")
    Traceback (most recent call last):
    ...
    nnsvg.errors.ExportError: unknown output format 'jpeg': use svg, png, pdf or tex
    """
    chosen = fmt.strip().lower() if isinstance(fmt, str) else ""
    if chosen not in WRITERS:
        raise ExportError(f"unknown output format {fmt!r}: use {_choices(list(WRITERS))}")
    return chosen


def infer_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """Return the output format: ``fmt`` if given, else the one whose suffix ``path``
    has. Both are case-insensitive.

    >>> infer_format("out/fig.PNG")
    'png'
    >>> infer_format("fig.png", "PDF")
    'pdf'
    >>> infer_format("fig.jpg")
    Traceback (most recent call last):
    ...
    nnsvg.errors.ExportError: cannot tell the output format of 'fig.jpg': \
use a .svg, .png, .pdf or .tex suffix or --format svg|png|pdf|tex
    """
    if fmt is not None:
        return check_format(fmt)
    name = os.fspath(path)
    suffix = os.path.splitext(name)[1].lower()
    for writer in WRITERS.values():
        if suffix in writer.suffixes:
            return writer.name
    suffixes = [s for w in WRITERS.values() for s in w.suffixes]
    raise ExportError(
        f"cannot tell the output format of {name!r}: "
        f"use a {_choices(suffixes)} suffix or --format {'|'.join(WRITERS)}"
    )


def write(scene: Scene, fmt: str, options: WriteOptions | None = None) -> bytes:
    """The content of ``scene`` as a file of format ``fmt``. Anything the format's
    library cannot draw is an :class:`~nnsvg.errors.ExportError` with a short reason;
    what it costs is checked by :func:`check_output_cost`, not here."""
    writer = WRITERS[check_format(fmt)]
    return writer.load().write(scene, (options or WriteOptions()).checked())


# -- what an output costs ----------------------------------------------------------
#
# Costs are in straight edges written to a PDF (the dearest format of a straight
# figure: 2M edges, 18 s, 260 MB on the 2-core reference machine). Measured there: a
# curved edge in a PDF 3.6 times a straight one (2M: 64 s); a PNG of many edges takes
# the fast raster path, at most 0.8 (2M curved: 14 s); a PNG drawn by cairosvg
# (arrowheads, or under raster.FAST_EDGE_THRESHOLD edges) 35 for a straight edge, 90
# for a curved one (40k: 13 s and 33 s); an arrowhead one edge more. Each writer's
# ``cost`` gives its own numbers to :func:`edge_cost`. The figure's edge limit
# (--max-edges) bounds this cost, so it bounds the time and memory of every output
# kind alike.

ARROW_COST = 1.0


def edge_cost(scene: Scene, straight: float, curved: float) -> float:
    """What drawing ``scene``'s edges costs when a straight edge costs ``straight`` and
    a curved one ``curved``, plus :data:`ARROW_COST` an edge when they have arrowheads."""
    from nnsvg.render import raster

    bundles = raster.edge_bundles(scene)
    cost = sum(b.edge_count * (straight if b.curve == "straight" else curved) for b in bundles)
    if raster.has_arrowheads(scene):
        cost += ARROW_COST * sum(b.edge_count for b in bundles)
    return cost


def output_cost(scene: Scene, fmt: str) -> float:
    """What writing ``scene`` as ``fmt`` costs, in straight edges written to a PDF."""
    return float(WRITERS[check_format(fmt)].load().cost(scene))


def check_output_cost(scene: Scene, fmt: str, max_edges: int) -> None:
    """A :class:`~nnsvg.errors.LimitError` when ``scene`` as ``fmt`` would cost more
    than ``max_edges`` straight edges in a PDF."""
    fmt = check_format(fmt)
    cost = output_cost(scene, fmt)
    if cost > max_edges:
        raise LimitError(
            f"a {fmt.upper()} of this figure would cost as much as {cost:,.0f} straight "
            f"edges in a PDF (curved edges and arrowheads cost more to draw, a PNG "
            f"through cairo most); the limit is {max_edges:,}: draw straight edges "
            "without arrowheads, let wide layers elide, or raise it with --max-edges"
        )
