"""``fit:`` for a figure of panels: the whole figure (every panel at their shared
scale, the labels and the title) prints every text at the minimum at its width.

The search is :mod:`nnsvg.fit`'s, over the figure's arrangements, in this order:

1. the panels a row: the spec's ``columns`` when it gives them, else all in one row,
   then fewer (rows of even length: 4 panels go 4, 2, then 1 a row). Moving a panel
   to the next row breaks no network's flow, so it comes before any panel is wrapped;
2. then, at the fewest columns tried, the panels on more rows, the widest first
   (the panel that sets the figure's width): each step gives the widest panels
   (equal ones together, so equal networks keep equal rows) one row more, as fit
   gives one network (a panel whose spec fixes ``wrap``, or whose style draws no
   rows, keeps its own);
3. for each of these, the layer spacing and the boxes tightened, and the text sized,
   as for one network; one spacing, one box size and one text factor for every
   panel, so that equal layers and equal text stay equal across panels.

When nothing fits, the :class:`~nnsvg.fit.FitError` (at the figure's ``fit``) says
what would, each checked: fewer panels a row (when the spec fixes ``columns``), a
smaller minimum, a wider figure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from nnsvg.engines import layout
from nnsvg.engines.rows import per_row_choices
from nnsvg.fit import Arrangement, Subject, arrange_subject, wrapped
from nnsvg.network import Network
from nnsvg.panels_draw import PanelsFigure
from nnsvg.scene import Scene, bounds
from nnsvg.theme import Theme

__all__ = ["PanelsSubject", "arrange_panels", "fit_panels"]

_TIE = 1e-6  # panels this close to the widest (relatively) are wrapped with it


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One choice of rows: the panels a row and each panel's network (its rows)."""

    columns: int
    nets: tuple[Network, ...]


@dataclass(slots=True)
class PanelsSubject:
    """A figure of panels as :mod:`nnsvg.fit` arranges it (module docs); ``columns``
    is the spec's (None: fit chooses)."""

    figure: PanelsFigure
    columns: int | None
    what: str = "every arrangement of the panels their styles offer"
    rows_add_height: bool = True  # fewer panels a row, or a panel wrapped: a taller figure
    _widths: dict[tuple[int, int | None], float] = field(default_factory=dict)

    @property
    def theme(self) -> Theme:
        return self.figure.theme

    @property
    def styles(self) -> tuple[str, ...]:
        return self.figure.styles

    def candidates(self) -> Iterator[_Candidate]:
        nets = list(self.figure.nets)
        counts = [self.columns] if self.columns else per_row_choices(len(nets))
        for columns in counts:
            yield _Candidate(columns, tuple(nets))
        more = [wrapped(net) for net in nets]
        for rows in more:
            next(rows)  # the panel's own rows: drawn above
        columns = counts[-1]
        open_ = set(range(len(nets)))
        kept = 0.0  # the widest panel that takes no more rows
        while open_:
            widths = {k: self._width(k, nets[k]) for k in open_}
            widest = max(widths.values())
            if columns == 1 and widest < kept:
                return  # the figure is as wide as a panel that keeps its rows
            changed = False
            for k in sorted(open_):
                if widths[k] < widest * (1 - _TIE):
                    continue
                step = next(more[k], None)
                if step is None:
                    open_.discard(k)
                    kept = max(kept, widths[k])
                else:
                    nets[k], changed = step, True
            if changed:
                yield _Candidate(columns, tuple(nets))

    def _width(self, k: int, net: Network) -> float:
        """Panel ``k`` drawn alone with ``net`` at its theme, its width (cached)."""
        key = (k, net.rows)
        if key not in self._widths:
            scene = layout(net, self.figure.themes[k], limits=self.figure.limits)
            box = bounds(list(scene.items))
            self._widths[key] = box.width if box is not None else 0.0
        return self._widths[key]

    def draw(
        self, candidate: Any, theme: Theme, factors: tuple[float, float], width: tuple[float, str]
    ) -> Scene:
        return self.figure.draw(
            theme, nets=candidate.nets, columns=candidate.columns, factors=factors, width=width
        )

    def chosen(self, candidate: Any) -> dict[str, Any]:
        return {
            "columns": candidate.columns,
            "panel_rows": tuple(net.rows for net in candidate.nets),
        }

    def alternatives(self) -> Iterator[tuple[str, Any, str, Subject]]:
        if self.columns is not None:
            for columns in range(self.columns - 1, 0, -1):
                yield (
                    "columns",
                    columns,
                    f"fewer panels a row (columns: {columns})",
                    PanelsSubject(self.figure, columns),
                )


def arrange_panels(figure: PanelsFigure) -> tuple[Theme, Scene, Arrangement]:
    """The figure's fitted theme, scene and arrangement (module docs); a located
    :class:`~nnsvg.fit.FitError` when nothing fits."""
    spec = figure.spec
    assert spec.fit is not None and figure.width is not None  # figure_width gives one
    return arrange_subject(
        PanelsSubject(figure, spec.columns),
        spec.fit,
        figure.width,
        font_size=spec.font_size,
        where=spec.where("fit"),
    )


def fit_panels(figure: PanelsFigure) -> Scene:
    """The figure fitted to its width (module docs)."""
    return arrange_panels(figure)[1]
