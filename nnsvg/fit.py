"""``fit:``: the arrangement of a figure that prints every text at or above a minimum
size (6 pt by default, the smallest a journal accepts) at its printed width.

The arrangements a style offers are tried in the order a reader prefers, and the
first whose every text prints at the minimum or more is drawn:

1. the fewest rows (``wrap``, in the styles that draw it, when the spec does not fix
   it): one row reads as one flow, and every row added breaks it;
2. for each number of rows, the layer spacing the theme gives, then tighter (3/4,
   then 1/2 of it);
3. for each spacing, the theme's box sizes, then smaller (80 %, then 64 %) (lenet's
   maps and vectors, alexnet's boxes);
4. for each of these, the text at its theme's size if that prints at the minimum,
   else scaled up (one factor for every text, :mod:`nnsvg.print_size`) just enough
   that the smallest text prints at the minimum; the first of them whose text grows
   to at most twice its theme's size (:data:`MAX_TEXT_GROWTH`), else the first that
   fits at all.

Rows come first because a row too many changes the figure more than a tighter gap or
smaller boxes, and the text grows only as far as the minimum: the figure keeps the
proportions its theme was drawn for. Fewer rows with slightly tighter gaps beat more
rows at the theme's gaps. Text more than twice its theme's size outgrows the theme's
lines, arrowheads and boxes (as text under half of it would be lost among them,
:mod:`nnsvg.print_size`), so tighter gaps and smaller boxes come before it; when every
arrangement of a row count needs that much, the loosest is drawn rather than a row
added. A ``font_size`` in the spec is kept (the text prints at that size) and a
``wrap: N`` is kept (the rows are those); fit varies the rest.

Each number of rows is first tried at its tightest gaps and smallest boxes: they never
print the text smaller, so when that fails the looser ones are not drawn (a failing
fit costs one text sizing per number of rows, not nine).
Caption placement is not varied: the engines already place each caption where it is
clear of the others (alexnet's captions follow their boxes).

With ``height`` (``fit: {width: 3.5in, height: 9in}``), an arrangement that prints
taller than that is passed over as one whose text does not fit: fewer rows, then
tighter gaps and smaller boxes, keep a long network on the page.

When no arrangement fits, :class:`FitError` (at ``fit``) says what would, computed
from the layouts tried: the smallest minimum the best arrangement reaches, the width
at which the arrangement with the largest text reaches the minimum unscaled, with
``height`` the least height a figure whose text fits printed at, and, with a fixed
``wrap``, the most layers per row that fit.

The search is one, over a :class:`Subject`: one network (:class:`NetworkSubject`)
or a figure of panels (:mod:`nnsvg.panels_fit`), which say what their rows are,
draw them, and what else the spec could fix that would fit.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from nnsvg.errors import SpecError, TextDoesNotFit

if TYPE_CHECKING:
    from nnsvg.checker import Checker
    from nnsvg.engines import LayoutLimits
    from nnsvg.network import Network
    from nnsvg.scene import Scene
    from nnsvg.theme import Theme

__all__ = [
    "BOX_SCALES",
    "DEFAULT_MIN_TEXT",
    "MAX_TEXT_GROWTH",
    "SPACINGS",
    "Arrangement",
    "Fit",
    "FitError",
    "NetworkSubject",
    "Subject",
    "arrange",
    "arrange_subject",
    "fit_figure",
    "fit_width",
    "read_fit",
    "text_floor",
    "tightened",
    "wrapped",
]

DEFAULT_MIN_TEXT = 6.0  # pt: the smallest printed text a journal accepts
SPACINGS = (1.0, 0.75, 0.5)
BOX_SCALES = (1.0, 0.8, 0.64)
MAX_TEXT_GROWTH = 2.0  # text past twice its theme's size only when nothing else fits
_MARGIN = 0.004  # the text is aimed this far above the minimum (print_size's tolerance: 0.2 %)
_FIT_KEYS = ("width", "min_text", "height")
_TRIES = 5  # searches for each suggestion before it is left out

# The theme lengths that set the gaps between layers, and the boxes' sizes, by style.
_SPACING_FIELDS = {
    "fcnn": (("layer", "spacing"),),
    "lenet": (("maps", "spacing"),),
    "alexnet": (("boxes", "spacing"),),
}
_BOX_FIELDS = {
    "lenet": (
        ("maps", "min_side"),
        ("maps", "max_side"),
        ("vector", "min_length"),
        ("vector", "max_length"),
    ),
    "alexnet": (
        ("boxes", "min_size"),
        ("boxes", "max_size"),
        ("boxes", "min_depth"),
        ("boxes", "max_depth"),
        ("boxes", "bar_min"),
        ("boxes", "bar_max"),
    ),
}


@dataclass(frozen=True, slots=True)
class Fit:
    """``fit:`` read: the printed width (None: the spec's ``width``), the minimum
    printed text size in pt, and the tallest the printed figure may be (None: any)."""

    width: str | None = None
    min_text: float = DEFAULT_MIN_TEXT
    height: str | None = None


class FitError(SpecError):
    """No arrangement prints every text at the minimum (within ``height``, when fit
    gives one); ``suggestions`` holds what would, by key: ``min_text`` (pt), ``width``
    and ``height`` (lengths) and ``wrap`` (layers per row), each present when it was
    found."""

    def __init__(self, message: str, *, suggestions: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.suggestions = suggestions


def read_fit(
    check: Checker,
    value: Any,
    width_of: Callable[[Checker, Any, tuple[str, ...]], str | None],
    points_of: Callable[[Checker, Any, tuple[str, ...]], float | None],
) -> Fit | None:
    """``fit``: true, false, a printed width (``7in``) or a mapping with ``width``,
    ``min_text`` and ``height``; ``width_of`` and ``points_of`` read a length and a text
    size."""
    from nnsvg.checker import MISSING, describe

    if value is MISSING or value is None or value is False:
        return None
    if value is True:
        return Fit()
    if isinstance(value, str):
        width = width_of(check, value, ("fit",))
        return Fit(width=width) if width is not None else None
    if isinstance(value, dict):
        data = check.mapping(value, ("fit",), _FIT_KEYS)
        width = width_of(check, data.get("width", MISSING), ("fit", "width"))
        points = points_of(check, data.get("min_text", MISSING), ("fit", "min_text"))
        height = width_of(check, data.get("height", MISSING), ("fit", "height"))
        return Fit(
            width=width,
            min_text=points if points is not None else DEFAULT_MIN_TEXT,
            height=height,
        )
    check.error(
        ("fit",),
        "must be true, a printed width (such as 7in) or a mapping with width, min_text "
        f"and height (such as {{width: 7in, min_text: 6pt, height: 9in}}), got "
        f"{describe(value)}",
    )
    return None


def fit_width(fit: Fit, spec_width: str | None, where: Any) -> str:
    """The width ``fit`` fits: its own, else the spec's; a located error without one
    or with both."""
    if fit.width is not None and spec_width is not None:
        raise SpecError(
            "gives the printed width, and so does width: give it once (fit: true with "
            "width, or fit with a width and no width key)",
            location=where,
            field="fit",
        )
    chosen = fit.width or spec_width
    if chosen is None:
        raise SpecError(
            "fits the figure to a printed width, and the spec gives none: write "
            "fit: 7in (or width: 7in with fit: true)",
            location=where,
            field="fit",
        )
    return chosen


def _scaled(theme: Theme, fields: tuple[tuple[str, str], ...], factor: float) -> Theme:
    """``theme`` with each of ``fields`` times ``factor`` (not below the field's floor)."""
    if factor == 1.0 or not fields:
        return theme
    sections: dict[str, dict[str, float]] = {}
    for section, name in fields:
        part = getattr(theme, section)
        value = getattr(part, name)
        meta = next(f.metadata for f in dataclasses.fields(part) if f.name == name)
        floor = float(meta.get("minimum", 0.0))
        sections.setdefault(section, {})[name] = max(value * factor, floor)
    return dataclasses.replace(
        theme,
        **{s: dataclasses.replace(getattr(theme, s), **values) for s, values in sections.items()},
    )


def _fields(table: dict[str, tuple[tuple[str, str], ...]], styles: tuple[str, ...]) -> tuple:
    return tuple(dict.fromkeys(f for style in styles for f in table.get(style, ())))


def tightened(theme: Theme, styles: tuple[str, ...], spacing: float, boxes: float) -> Theme:
    """``theme`` with the layer spacing of ``styles`` times ``spacing`` and their boxes'
    sizes times ``boxes`` (each not below its floor)."""
    theme = _scaled(theme, _fields(_SPACING_FIELDS, styles), spacing)
    return _scaled(theme, _fields(_BOX_FIELDS, styles), boxes)


@dataclass(frozen=True, slots=True)
class Arrangement:
    """What fit chose: the rows held (None: the network's own), the spacing's and the
    boxes' factors of the theme's, and the text's factor; for a figure of panels
    (:mod:`nnsvg.panels_fit`), the panels a row and the rows held of each panel."""

    rows: int | None
    spacing: float
    boxes: float
    text: float = 1.0
    columns: int | None = None
    panel_rows: tuple[int | None, ...] = ()


class Subject(Protocol):
    """What a search arranges (the seam): one network (:class:`NetworkSubject`) or a
    figure of panels (:mod:`nnsvg.panels_fit`). A candidate is one choice of rows."""

    theme: Theme  # the text factor and the spacing's and boxes' are of this theme's
    styles: tuple[str, ...]  # the styles drawn: the lengths fit varies are theirs
    what: str  # "every arrangement the style offers", for the error
    # whether another row makes the figure taller (lenet and alexnet rows, rows of
    # panels), not wider (a blocks figure's runs side by side across a vertical flow)
    rows_add_height: bool

    def candidates(self) -> Iterator[Any]:
        """The choices of rows, the fewest (the spec's own) first."""
        ...

    def draw(
        self, candidate: Any, theme: Theme, factors: tuple[float, float], width: tuple[float, str]
    ) -> Scene:
        """``candidate`` drawn with ``theme`` (``theme`` tightened by ``factors``,
        spacing and boxes, its text scaled)."""
        ...

    def chosen(self, candidate: Any) -> dict[str, Any]:
        """The :class:`Arrangement` fields that say which rows ``candidate`` holds."""
        ...

    def alternatives(self) -> Iterator[tuple[str, Any, str, Subject]]:
        """What the spec fixes that would fit otherwise, most like it first, as (key,
        value, advice, the subject with it): fewer layers per row, fewer columns."""
        ...


@dataclass(frozen=True, slots=True)
class NetworkSubject:
    """One network: its rows are ``wrap``'s (module docs)."""

    net: Network
    theme: Theme
    limits: LayoutLimits | None = None
    what: str = "every arrangement the style offers"

    @property
    def styles(self) -> tuple[str, ...]:
        return (self.net.style,)

    @property
    def rows_add_height(self) -> bool:
        return not (self.net.style == "blocks" and self.net.direction in ("down", "up"))

    def candidates(self) -> Iterator[Network]:
        yield from wrapped(self.net)

    def draw(
        self, candidate: Any, theme: Theme, factors: tuple[float, float], width: tuple[float, str]
    ) -> Scene:
        from nnsvg.engines import layout

        return layout(candidate, theme, limits=self.limits, physical_width=width)

    def chosen(self, candidate: Any) -> dict[str, Any]:
        return {"rows": candidate.rows}

    def alternatives(self) -> Iterator[tuple[str, Any, str, Subject]]:
        wrap = self.net.wrap
        if isinstance(wrap, int) and wrap > 1:
            for per in range(wrap - 1, 0, -1):
                net = dataclasses.replace(self.net, wrap=per)
                yield (
                    "wrap",
                    per,
                    f"fewer layers per row (wrap: {per})",
                    NetworkSubject(net, self.theme, self.limits),
                )


def wrapped(net: Network) -> Iterator[Network]:
    """``net``, then (when fit may choose its rows) on 2, 3, ... rows."""
    yield net
    if not _wraps(net):
        return
    for rows in range(2, len(net.nodes) + 1):
        yield dataclasses.replace(net, wrap="auto", rows=rows)


def text_floor(styles: tuple[str, ...]) -> float:
    """The smallest text factor of a figure drawn in ``styles`` (:mod:`nnsvg.print_size`)."""
    from nnsvg.engines import ENGINES

    return 1.0 if any(ENGINES[s].draws.scales_with_text for s in styles) else 0.5


@dataclass(slots=True)
class _Search:
    """One search over the arrangements of ``subject`` (module docs)."""

    subject: Subject
    width: tuple[float, str]
    min_text: float
    font_size: float | None
    height: tuple[float, str] | None = None  # the tallest the printed figure may be
    best_min: float = 0.0  # the largest smallest-text size reached, pt
    shortest: float = math.inf  # the least printed height, in height's unit, of a figure
    # whose text fits but that is too tall
    too_tall: bool = False  # the last attempt's text fitted, and the figure was too tall
    best_natural: float = 0.0  # the largest at the theme's own text size, pt
    layouts: int = 0
    chosen: Arrangement | None = None

    def draw(self, candidate: Any, theme: Theme, factors: tuple[float, float]) -> Scene:
        self.layouts += 1
        return self.subject.draw(candidate, theme, factors, self.width)

    def themes(self) -> list[tuple[Theme, float, float]]:
        """The theme of each spacing and box size, in order (module docs), with the
        two factors."""
        styles = self.subject.styles
        spacings = SPACINGS if _fields(_SPACING_FIELDS, styles) else (1.0,)
        boxes = BOX_SCALES if _fields(_BOX_FIELDS, styles) else (1.0,)
        theme = self.subject.theme
        return [(tightened(theme, styles, s, b), s, b) for s in spacings for b in boxes]

    def attempt(
        self, candidate: Any, theme: Theme, factors: tuple[float, float] = (1.0, 1.0)
    ) -> tuple[Theme, Scene] | None:
        """The text sized for ``candidate`` drawn with ``theme``, when it fits (module
        docs)."""
        from nnsvg.engines.rows import printed_min_pt
        from nnsvg.print_size import _printed_pt, fit_text_size

        def draw(sized: Theme) -> Scene:
            return self.draw(candidate, sized, factors)

        scene = draw(theme)
        smallest = printed_min_pt(scene, self.width)
        if math.isinf(smallest):
            return self._within(theme, scene)
        base = _printed_pt(scene, theme, self.width)
        ratio = smallest / base
        self.best_natural = max(self.best_natural, smallest)
        self.best_min = max(self.best_min, smallest)
        if self.font_size is None and smallest >= self.min_text - 1e-9:
            return self._within(theme, scene)
        if self.font_size is not None:
            target = self.font_size
        else:
            target = self.min_text / ratio * (1 + _MARGIN)
        floor = text_floor(self.subject.styles)
        for _ in range(3):
            try:
                sized, scene = fit_text_size(theme, target, self.width, draw, min_factor=floor)
            except TextDoesNotFit as err:
                self.best_min = max(self.best_min, err.best * ratio)
                return None
            smallest = printed_min_pt(scene, self.width)
            self.best_min = max(self.best_min, smallest)
            if smallest >= self.min_text - 1e-9:
                return self._within(sized, scene)
            if self.font_size is not None:
                return None
            target *= self.min_text / smallest * (1 + _MARGIN)  # a text not scaled with the rest
        return None

    def printed_height(self, scene: Scene) -> float:
        """How tall ``scene`` prints at the width, in the unit of :attr:`height`."""
        from nnsvg.units import PX_PER_UNIT

        assert self.height is not None
        _, _, w, h = scene.viewbox
        number, unit = self.width
        return h / w * number * PX_PER_UNIT[unit] / PX_PER_UNIT[self.height[1]]

    def _within(self, theme: Theme, scene: Scene) -> tuple[Theme, Scene] | None:
        """``(theme, scene)``, or None when the figure prints taller than :attr:`height`
        (the least such height is kept, for the suggestion of a taller one)."""
        if self.height is None:
            return theme, scene
        tall = self.printed_height(scene)
        if tall <= self.height[0] * (1 + 1e-9):
            return theme, scene
        self.shortest = min(self.shortest, tall)
        self.too_tall = True
        return None

    def run(self) -> tuple[Theme, Scene] | None:
        """The first arrangement that fits (module docs), or None. When the tightest
        arrangement of a number of rows fails on its text, its looser ones are not
        tried (they print it no larger). Under a height, the tightest prints tallest
        (the same width holds less across it), so a figure too tall there is tried
        looser; when every arrangement of a number of rows whose text fits is too tall,
        more rows are not tried where each row adds to the height (not a blocks
        figure's runs, side by side across a vertical flow)."""
        themes = self.themes()
        base = self.subject.theme.font.size
        for k, candidate in enumerate(self.subject.candidates()):
            self.too_tall = False
            try:
                tightest = self.attempt(candidate, themes[-1][0], themes[-1][1:])
            except SpecError:
                if k == 0:
                    raise
                return None  # the style cannot wrap this network
            if tightest is None and not self.too_tall:
                continue
            found: list[tuple[tuple[Theme, Scene], float, float]] = []
            for theme, s, b in themes:
                fits = (
                    self.attempt(candidate, theme, (s, b))
                    if theme is not themes[-1][0]
                    else tightest
                )
                if fits is None:
                    continue
                growth = fits[0].font.size / base
                if self.font_size is not None or growth <= MAX_TEXT_GROWTH * (1 + 1e-9):
                    self.chosen = self._arrangement(candidate, s, b, growth)
                    return fits
                found.append((fits, s, b))
            if found:  # the text grows past the bound in each: the loosest
                fits, s, b = found[0]
                self.chosen = self._arrangement(candidate, s, b, fits[0].font.size / base)
                return fits
            if self.too_tall and self.subject.rows_add_height:
                return None  # its text fits only in figures too tall: more rows are taller
        return None

    def _arrangement(self, candidate: Any, s: float, b: float, growth: float) -> Arrangement:
        return Arrangement(
            **{"rows": None, **self.subject.chosen(candidate)},
            spacing=s,
            boxes=b,
            text=round(growth, 4),
        )


def _wraps(net: Network) -> bool:
    """Whether fit may choose the rows: the style draws wrap, the spec fixes no wrap
    (or says auto) and lays the layers along a line (a style that cannot wrap the
    network, as lenet with direction: down, says so when drawn, and the search stops)."""
    from nnsvg.engines import ENGINES

    draws = ENGINES[net.style].draws
    return "wrap" in draws.keys and net.wrap in (None, "auto") and net.layout == "line"


def _search(
    subject: Subject,
    width: tuple[float, str],
    min_text: float,
    font_size: float | None,
    height: tuple[float, str] | None = None,
) -> tuple[_Search, tuple[Theme, Scene] | None]:
    search = _Search(subject, width, min_text, font_size, height)
    return search, search.run()


def _height(fit: Fit) -> tuple[float, str] | None:
    """``fit.height`` as (number, unit)."""
    from nnsvg.units import split_length

    return split_length(fit.height, field="height") if fit.height is not None else None


def fit_figure(
    net: Network,
    theme: Theme,
    fit: Fit,
    width: tuple[float, str],
    *,
    font_size: float | None = None,
    limits: LayoutLimits | None = None,
    where: Any = None,
) -> tuple[Theme, Scene]:
    """The theme and scene of the first arrangement of ``net`` whose every text prints
    at ``fit.min_text`` or more at ``width`` (module docs); a :class:`FitError` at
    ``where`` (the spec's ``fit``) saying what would fit when none does."""
    theme, scene, _ = arrange(
        net, theme, fit, width, font_size=font_size, limits=limits, where=where
    )
    return theme, scene


def arrange(
    net: Network,
    theme: Theme,
    fit: Fit,
    width: tuple[float, str],
    *,
    font_size: float | None = None,
    limits: LayoutLimits | None = None,
    where: Any = None,
) -> tuple[Theme, Scene, Arrangement]:
    """:func:`fit_figure`, with the arrangement chosen."""
    subject = NetworkSubject(net, theme, limits)
    return arrange_subject(subject, fit, width, font_size=font_size, where=where)


def arrange_subject(
    subject: Subject,
    fit: Fit,
    width: tuple[float, str],
    *,
    font_size: float | None = None,
    where: Any = None,
) -> tuple[Theme, Scene, Arrangement]:
    """The theme, scene and arrangement of the first arrangement of ``subject`` that
    fits (module docs); a :class:`FitError` at ``where`` saying what would, else."""
    search, found = _search(subject, width, fit.min_text, font_size, _height(fit))
    if found is not None:
        assert search.chosen is not None
        return (*found, search.chosen)
    from nnsvg.fit_suggestions import suggestions_for

    suggestions, advice = suggestions_for(search, fit)
    number, unit = width
    if font_size is not None:
        advice.append("a smaller font_size, or none (fit then sizes the text)")
    within, best = "", f"the smallest text prints at {search.best_min:.2f}pt at best"
    if search.height is not None:  # fit.height
        number_h, unit_h = search.height
        within = f" within {number_h:g}{unit_h} tall"
        if not math.isinf(search.shortest):
            best = f"the shortest whose text fits prints {search.shortest:.2f}{unit_h} tall"
    raise FitError(
        f"no arrangement prints every text at {fit.min_text:g}pt or more at "
        f"{number:g}{unit}{within} ({subject.what}; {best}): give "
        + (", or ".join(advice) if advice else "shorter labels"),
        suggestions=suggestions,
        location=where,
        field="fit",
    )
