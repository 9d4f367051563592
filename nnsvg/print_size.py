"""Text in printed points: the layout that prints a theme's text at a given size.

A figure printed at a width is scaled as a whole, so its text shrinks or grows with
it: a 3.5-inch MLP printed its labels at about 4.5 pt. With ``font_size: 8pt`` (and
a printed width) the figure keeps its text at that size instead: every text size of
the theme is multiplied by one factor, the layout made again (it makes room for the
larger text, which makes the figure wider, which prints it smaller), until the
theme's base size (``font.size``) prints at the size asked. The other text sizes
keep their proportions to it.

Printed size grows with the factor but more slowly than it, as text takes more of
the figure; when the size asked is beyond what the width allows (text alone wider
than the page), the error says the largest size that fits.

The text is never set below half its theme's size to print smaller (nor below its
theme's size in a style whose every length follows its text, the blocks style): the
theme's lines and arrowheads are drawn for text near its size, and a column of
blocks would shrink to a heavy smudge. Such a figure is narrower than the page: it
keeps its text and is centred on the page, whose width its viewBox takes.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

from nnsvg.errors import TextDoesNotFit
from nnsvg.scene import Scene
from nnsvg.theme import Theme
from nnsvg.units import PX_PER_INCH, PX_PER_UNIT

__all__ = ["fit_text_size", "scaled_text"]

# Every text size of a theme, as (section, field).
TEXT_SIZES = (
    ("font", "size"),
    ("label", "title_size"),
    ("label", "size_size"),
    ("label", "activation_size"),
    ("label", "figure_title_size"),
    ("legend", "font_size"),
    ("boxes", "dims_size"),
    ("skip", "mark_radius"),  # the merge mark's sign is sized by its radius
)
_TOLERANCE = 0.002  # of the size asked
_ROUNDS = 12
_MAX_FACTOR = 50.0  # text 50 times its theme's size: beyond any figure's need
_MIN_FACTOR = 0.5  # below: the figure is centred on a wider page (module docs)


def scaled_text(theme: Theme, factor: float) -> Theme:
    """``theme`` with every text size multiplied by ``factor``."""
    sections: dict[str, dict[str, float]] = {}
    for section, name in TEXT_SIZES:
        value = getattr(getattr(theme, section), name)
        sections.setdefault(section, {})[name] = value * factor
    return dataclasses.replace(
        theme,
        **{
            section: dataclasses.replace(getattr(theme, section), **fields)
            for section, fields in sections.items()
        },
    )


def _centred(scene: Scene, theme: Theme, points: float, width: tuple[float, str]) -> Scene:
    """``scene`` on a page as wide as its text printed at ``points`` needs (module docs)."""
    x, y, w, h = scene.viewbox
    wide = w * _printed_pt(scene, theme, width) / points
    return dataclasses.replace(scene, viewbox=(x - (wide - w) / 2, y, wide, h))


def _printed_pt(scene: Scene, theme: Theme, width: tuple[float, str]) -> float:
    """The printed size, in pt, of ``theme``'s base text in ``scene`` at ``width``."""
    number, unit = width
    page_px = number * PX_PER_UNIT.get(unit, 1.0)
    scale = page_px / scene.viewbox[2]
    return theme.font.size * scale * 72 / PX_PER_INCH


def fit_text_size(
    theme: Theme,
    points: float,
    width: tuple[float, str],
    draw: Callable[[Theme], Scene],
    *,
    min_factor: float = _MIN_FACTOR,
) -> tuple[Theme, Scene]:
    """The theme (its text scaled) and its scene whose base text prints at ``points``
    when the figure is ``width`` wide; ``draw`` lays out a theme. The factor is found
    by secant steps on log(printed size) against log(factor): printed size grows with
    the text, more slowly as text takes more of the figure, up to a limit. The text
    is never set below ``min_factor`` of its theme's size (module docs)."""
    current, scene = theme, draw(theme)
    if _printed_pt(scene, theme, width) * min_factor > points:
        return theme, _centred(scene, theme, points, width)
    tried: list[tuple[float, float]] = []  # (log factor, log printed size)
    best = 0.0
    log_factor = 0.0
    for _ in range(_ROUNDS):
        printed = _printed_pt(scene, current, width)
        best = max(best, printed)
        if abs(printed - points) <= points * _TOLERANCE:
            return current, scene
        tried.append((log_factor, math.log(printed)))
        if len(tried) == 1:
            slope = 1.0  # as if the figure kept its width
        else:
            (f0, p0), (f1, p1) = tried[-2], tried[-1]
            slope = (p1 - p0) / (f1 - f0) if f1 != f0 else 0.0
        if slope < 0.05:  # the text no longer grows on the page: the width is the limit
            break
        log_factor += (math.log(points) - tried[-1][1]) / slope
        if log_factor > math.log(_MAX_FACTOR):
            break
        current = scaled_text(theme, math.exp(log_factor))
        scene = draw(current)
    number, unit = width
    raise TextDoesNotFit(
        f"text of {points:g}pt does not fit a figure {number:g}{unit} wide: its labels "
        f"take the room themselves, and at this width its text prints at about "
        f"{best:.1f}pt at most (give a wider width, shorter labels, or a smaller font_size)",
        best=best,
        field="font_size",
    )
